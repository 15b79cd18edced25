"""The command line's help pages and usage errors in Indonesian, like everything else an officer reads.

Typer 0.29 (with its vendored click) writes its help chrome and usage errors in English and offers no
translation hook: `typer.rich_utils` reads module constants (panel titles, "[default: …]", "[required]", the
"Try … for help" hint) when it renders, click's `HelpFormatter.write_usage` defaults to "Usage: ", the help
option's text is fixed in `help_option`, a parameter's type is shown as `<str>`, `<list[str]>`, and click's
errors ("No such option", "Missing argument", …) are built in English by the exceptions themselves.

`IndonesianGroup` is passed once, as `typer.Typer(cls=…)` of the main app. When Typer builds the click group
it adopts every command, sub-group and parameter below it into the Indonesian subclasses here (their classes
are swapped for subclasses that only override how they are shown), so a command added anywhere, with no
change of its own, gets Indonesian help. The rich constants are set just before a help page or an error is
rendered, not at import, so that `beasiswa decide` never imports `typer.rich_utils` (and with it much of
Rich) unless help or an error is printed; they are module constants Typer documents for customising the help,
and setting them is the only way to change them. Errors are translated by pattern from click's English
message, once, as they leave the command that raised them.
"""

import re

from typer import _click
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

USAGE_PREFIX = "Cara pakai: "
HELP_TEXT = "Tampilkan bantuan ini lalu keluar."
SUBCOMMAND_METAVAR = "PERINTAH [ARGUMEN]..."
OPTIONS_METAVAR = "[OPSI]"

RICH_TEXTS = {
    "DEPRECATED_STRING": "(usang) ",
    "DEFAULT_STRING": "[bawaan: {}]",
    "ENVVAR_STRING": "[variabel lingkungan: {}]",
    "REQUIRED_LONG_STRING": "[wajib]",
    "ARGUMENTS_PANEL_TITLE": "Argumen",
    "OPTIONS_PANEL_TITLE": "Opsi",
    "COMMANDS_PANEL_TITLE": "Perintah",
    "ERRORS_PANEL_TITLE": "Kesalahan",
    "ABORTED_TEXT": "Dibatalkan.",
    "RICH_HELP": "Lihat [blue]'{command_path} {help_option}'[/] untuk bantuan.",
}

# A parameter's value as shown in the help when the command names no metavar of its own.
TYPE_LABELS = {"str": "TEKS", "int": "ANGKA", "float": "ANGKA", "Path": "BERKAS", "datetime": "TANGGAL"}

# click's English usage errors (exceptions.py, parser.py, core.py), whole message first, then the pieces a
# message is built of. Values (option names, what was typed) are kept as typed.
_ERRORS = [
    (re.compile(r"^No such option: (.+?)(?: \(Possible options: (.+)\))?$"),
     lambda m: f"opsi {m[1]} tidak dikenal" + (f" (mungkin maksudnya: {m[2]})" if m[2] else "")),
    (re.compile(r"^No such command '(.+)'\.$"), lambda m: f"perintah '{m[1]}' tidak dikenal"),
    (re.compile(r"^Got unexpected extra argument(?:\(s\)|s)? \((.+)\)$"), lambda m: f"argumen berlebih: {m[1]}"),
    (re.compile(r"^Missing argument (.+?)\.(.*)$"), lambda m: f"argumen {m[1]} wajib diisi.{m[2]}"),
    (re.compile(r"^Missing option (.+?)\.(.*)$"), lambda m: f"opsi {m[1]} wajib diisi.{m[2]}"),
    (re.compile(r"^Missing parameter: (.+)$"), lambda m: f"parameter {m[1]} wajib diisi"),
    (re.compile(r"^Option '(.+)' requires an argument\.$"), lambda m: f"opsi '{m[1]}' memerlukan nilai."),
    (re.compile(r"^Option '(.+)' requires (\d+) arguments\.$"), lambda m: f"opsi '{m[1]}' memerlukan {m[2]} nilai."),
    (re.compile(r"^Option '(.+)' does not take a value\.$"), lambda m: f"opsi '{m[1]}' tidak menerima nilai."),
    (re.compile(r"^Invalid value for (.+?): (.*)$", re.S), lambda m: f"nilai tidak sah untuk {m[1]}: {_detail(m[2])}"),
    (re.compile(r"^Invalid value: (.*)$", re.S), lambda m: f"nilai tidak sah: {_detail(m[1])}"),
]
_DETAILS = [
    (re.compile(r"^Value error, (.*)$", re.S), lambda m: _detail(m[1])),
    (re.compile(r"^Input should be greater than or equal to (.+)$"), lambda m: f"paling kecil {m[1]}"),
    (re.compile(r"^Input should be less than or equal to (.+)$"), lambda m: f"paling besar {m[1]}"),
    (re.compile(r"^Input should be a valid (integer|number).*$"), lambda m: "harus bilangan bulat"),
    (re.compile(r"^'?(.*?)'? is not one of (.+)\.$"), lambda m: f"{m[1]!r} bukan salah satu dari {m[2]}."),
    (re.compile(r"^'?(.*?)'? is not a valid (integer|float|boolean)( range)?\.$"),
     lambda m: f"{m[1]!r} bukan {'bilangan bulat' if m[2] == 'integer' else 'angka' if m[2] == 'float' else 'ya/tidak'}."),
    (re.compile(r"^Value '?(.*?)'? is not a valid (\w+)\.$"), lambda m: f"{m[1]!r} bukan {m[2]} yang sah."),
    (re.compile(r"^(.+) is not in the range (.+)\.$"), lambda m: f"{m[1]} tidak dalam rentang {m[2]}."),
    (re.compile(r"^Choose from:\s*(.+)$", re.S), lambda m: f"pilih dari: {m[1]}"),
]


def _detail(text: str) -> str:
    for pattern, render in _DETAILS:
        match = pattern.match(text.strip())
        if match:
            return render(match)
    return text


def translate_error(message: str) -> str:
    """click's English usage error `message` in Indonesian (unchanged if no pattern knows it)."""
    for pattern, render in _ERRORS:
        match = pattern.match(message)
        if match:
            return render(match)
    return message


def set_rich_texts() -> None:
    """Typer's help and error chrome (module constants of typer.rich_utils) in Indonesian; idempotent."""
    # lazy: typer.rich_utils loads much of Rich, which `beasiswa decide` needs only for help or an error
    from typer import rich_utils

    for name, text in RICH_TEXTS.items():
        setattr(rich_utils, name, text)


def _localize(error: _click.ClickException) -> None:
    if getattr(error, "_indonesian", False):
        return
    set_rich_texts()
    translated = translate_error(error.format_message())
    error.format_message = lambda: translated  # rich_format_error prints format_message()
    error._indonesian = True


def _type_label(param) -> str | None:
    if isinstance(param, TyperOption) and param.is_flag:
        return None  # a switch takes no value
    label = TYPE_LABELS.get(getattr(param.type_descriptor.annotation, "__name__", ""), None)
    if label is None:
        args = getattr(param.type_descriptor.annotation, "__args__", ())
        label = TYPE_LABELS.get(getattr(args[0], "__name__", ""), "NILAI") if args else "NILAI"
    return label


class IndonesianOption(TyperOption):
    def display_type_rich(self, ctx):
        if self.metavar is not None:
            return self.metavar
        desc = self.type_descriptor
        if desc.is_choice:
            label = "|".join(str(getattr(c, "value", c)) for c in desc.choices or ())
        else:
            label = _type_label(self)
        if label is None:
            return None
        return label + (" (boleh diulang)" if desc.is_list else "")

    def _get_number_range_help_str(self):
        text = super()._get_number_range_help_str()
        return text and text.replace("x>=", "≥ ").replace("x<=", "≤ ")


class IndonesianArgument(TyperArgument):
    @property
    def display_name_raw(self) -> str:
        return self.metavar if self.metavar is not None else self.name.upper()

    def display_type_rich(self, ctx):
        return None  # the name column already shows what the value is (its metavar)

    def _usage_display_name(self) -> str:
        # "BERKAS...", "[KLAIM]...": a metavar that already says it repeats or is optional is not marked again,
        # and a required one is not wrapped in braces (an officer reads them as part of what to type).
        name = self.display_name_raw
        if not self.required and not name.startswith("["):
            name = f"[{name}]"
        if self.nargs != 1 and not name.endswith("..."):
            name += "..."
        return name

    def _get_number_range_help_str(self):
        return None


def _usage(command, ctx, formatter) -> None:
    formatter.write_usage(ctx.command_path, " ".join(command.collect_usage_pieces(ctx)), prefix=USAGE_PREFIX)


def _help_option(option):
    if option is not None:
        option.help = HELP_TEXT
        if type(option) is TyperOption:
            option.__class__ = IndonesianOption
    return option


def _indonesian(typer_class: type, name: str) -> type:
    """`typer_class` with what the command and the group both add to Typer's: the usage line, the help option,
    the help chrome and the errors. A subclass made for each base (not a mixin in the bases): `adopt` assigns
    these classes to objects Typer already built, and Python refuses that change when a mixin class adds to the
    bases (the layout differs)."""

    class Indonesian(typer_class):
        def format_usage(self, ctx, formatter) -> None:
            _usage(self, ctx, formatter)

        def get_help_option(self, ctx):
            return _help_option(super().get_help_option(ctx))

        def format_help(self, ctx, formatter) -> None:
            set_rich_texts()
            return super().format_help(ctx, formatter)

        def make_context(self, *args, **kwargs):
            try:
                return super().make_context(*args, **kwargs)
            except _click.ClickException as error:
                _localize(error)
                raise

        def invoke(self, ctx):
            try:
                return super().invoke(ctx)
            except _click.ClickException as error:
                _localize(error)
                raise

    Indonesian.__name__ = Indonesian.__qualname__ = name
    return Indonesian


IndonesianCommand = _indonesian(TyperCommand, "IndonesianCommand")


class IndonesianGroup(_indonesian(TyperGroup, "IndonesianTyperGroup")):
    def __init__(self, **attrs) -> None:
        super().__init__(**attrs)
        adopt(self)


def adopt(command: _click.Command) -> None:
    """Make `command`, its parameters and everything below it Indonesian (see the module's docstring)."""
    if type(command) is TyperGroup:
        command.__class__ = IndonesianGroup
    elif type(command) is TyperCommand:
        command.__class__ = IndonesianCommand
    if getattr(command, "options_metavar", None) == "[OPTIONS]":
        command.options_metavar = OPTIONS_METAVAR
    if getattr(command, "subcommand_metavar", None) == "COMMAND [ARGS]...":
        command.subcommand_metavar = SUBCOMMAND_METAVAR
    for param in command.params:
        if type(param) is TyperOption:
            param.__class__ = IndonesianOption
        elif type(param) is TyperArgument:
            param.__class__ = IndonesianArgument
    for sub in getattr(command, "commands", {}).values():
        adopt(sub)


def named_values(names: dict) -> str:
    """'claim_form (formulir pengajuan klaim), …': the codes an option takes, each with its Indonesian name,
    for a help text (the code is what is typed; the name is what the officer knows it by)."""
    return ", ".join(f"{getattr(code, 'value', code)} ({name})" for code, name in names.items())

"""`beasiswa intake`: case files and intake sheets registered and decided, each case whole or refused whole;
`beasiswa intake-template`: the sheet's template an office fills in (the bytes the web application serves).

Exit status: 0 done; 1 a case was refused; 2 bad input (a file missing or not valid); 3 the database stayed busy.
"""

import datetime as dt
from pathlib import Path

import typer

from beasiswa.cli.console import fail, stdout
from beasiswa.cli.identity import acting
from beasiswa.cli.options import AS_HELP, DB_OPTION, USER_ENV
from beasiswa.cli.service import busy, workflow


def user_for(engine, names: list[str] | None):
    """For each case, the user of its office among `names` (the first named when none is of that office, so
    the refusal names the office rule)."""
    from beasiswa.access.trail import find_user  # lazy: SQLAlchemy, which `beasiswa decide` starts without

    names = [n for n in (names or []) if n]
    with engine.connect() as conn:
        users = [(n, find_user(conn, n)) for n in names]
    by_office = {}
    for name, user in users:
        if user is not None:
            by_office.setdefault(user.office, name)
    first = names[0] if names else None
    return lambda case: by_office.get(case.office, first)


def files_exist(files: list[Path]) -> None:
    """Every file named is there before any is taken in: a missing one is bad input (exit 2, nothing taken)."""
    from beasiswa.workflow.intake import missing_file  # lazy: SQLAlchemy, which `beasiswa decide` starts without

    missing = [m for m in map(missing_file, files) if m is not None]
    if missing:
        fail("; ".join(missing))


def intake_command(
    files: list[Path] = typer.Argument(..., metavar="BERKAS...",
                                       help="Berkas kasus (.json) dan lembar penerimaan (.csv, .xlsx)."),
    as_: list[str] = typer.Option(None, "--as", envvar=USER_ENV, show_envvar=True,
                                  metavar="NAMA", help=AS_HELP + " Ulangi untuk beberapa kantor."),
    db: str = DB_OPTION,
) -> None:
    """Mendaftarkan kasus tiap berkas beserta anak dan klaimnya lalu memutuskan setiap klaim; ringkasan per
    berkas. Tiap kasus diterima utuh atau ditolak utuh (menyebut baris dan kolomnya); berkas yang sama lagi
    tidak mengubah apa pun."""
    # lazy: SQLAlchemy, which `beasiswa decide` starts without
    from beasiswa.workflow.intake import take_in_files
    from beasiswa.workflow.views import print_intake

    files_exist(files)
    service = workflow(db)
    as_ = acting(service.engine, as_, "intake")
    summaries = busy(lambda: take_in_files(service, files, user_for(service.engine, as_), dt.date.today()))
    print_intake(stdout(), summaries)
    if any(s.error for s in summaries):
        raise typer.Exit(2)
    if any(not s.ok for s in summaries):
        raise typer.Exit(1)


def template_command(
    target: Path = typer.Argument(..., metavar="BERKAS", help="Ke mana templat ditulis: .csv atau .xlsx."),
) -> None:
    """Menulis templat lembar penerimaan (kolom dan dua baris contoh) sebagai CSV atau XLSX, sama dengan yang
    diunduh di aplikasi web; ganti baris contohnya dengan klaim kantor Anda."""
    from beasiswa.intake.template import template_csv, template_xlsx  # lazy: openpyxl, for the XLSX one

    kind = target.suffix.lower().lstrip(".")
    if kind not in ("csv", "xlsx"):
        fail(f"intake-template: {str(target)!r} harus berakhiran .csv atau .xlsx")
    if target.is_dir():
        fail(f"intake-template: {str(target)!r} adalah folder, bukan berkas")
    try:
        target.write_bytes(template_csv() if kind == "csv" else template_xlsx())
    except OSError as exc:
        fail(f"intake-template: {str(target)!r} tidak dapat ditulis: {exc.strerror}")
    stdout().print(f"templat ditulis: {target}", highlight=False)

"""Rich tables that never cut a word: an id (`KC-PLG-2025-000201/klaim-2`), a code (`DOCUMENTS_INCOMPLETE`) or
a `key=value` pair is read whole or not at all.

Rich fits a table that is too wide by narrowing its widest wrapping columns, whatever their longest word, and
then folds or cuts that word (`KC-PLG-2025-0002|01`, `outcome=returne|d`). `print_table` gives every column a
fixed width instead: at least its longest word (its widest line if it does not wrap), the rest of the terminal
shared out by how much more each would take; only a column added with `overflow="fold"` (a file path, free
text) may have a longer word folded. When the words alone do not fit, the terminal is too narrow for
the table: each row is printed as a short block of lines (`Header: value`), which wrap at spaces only, so a
word is cut only if it is wider than the terminal itself.
"""

from rich.console import Console, RenderableType
from rich.measure import Measurement
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

# The narrowest a column with overflow="fold" is made: its long words (paths, free text) are folded to fit.
FOLDED = 12


def print_table(console: Console, table: Table) -> None:
    """Print `table` with no word cut: as a table where its words fit the console's width, else stacked."""
    if _fix_widths(console, table):
        console.print(table)
    else:
        print_stacked(console, table)


def _fix_widths(console: Console, table: Table) -> bool:
    # Rich's own padding and border arithmetic (private, but the table's, so it cannot disagree with it).
    padding = [table._get_padding_width(i) for i in range(len(table.columns))]
    available = console.width - table._extra_width
    lows, highs = [], []
    for column, pad in zip(table.columns, padding):
        low, high = 1, 1
        for cell in [column.header, *column.cells]:
            measured = _measure(console, cell)
            if column.no_wrap:
                low = max(low, measured.maximum)
            else:  # a column that says its words may fold (a file path, free text) needs no more than FOLDED
                low = max(low, min(measured.minimum, FOLDED) if column.overflow == "fold" else measured.minimum)
            high = max(high, measured.maximum)
        lows.append(low + pad)
        highs.append(high + pad)
    if sum(lows) > available:
        return False
    spare = available - sum(lows)
    wants = [high - low for low, high in zip(lows, highs)]
    widths = list(lows)
    if sum(wants) <= spare:
        widths = list(highs)
        spare -= sum(wants)
        if table.expand:  # the rest to the columns that share the width out (ratio), else to the last one
            flexible = [i for i, c in enumerate(table.columns) if c.ratio] or [len(widths) - 1]
            total = sum(table.columns[i].ratio or 1 for i in flexible)
            for n, i in enumerate(flexible):
                share = spare if n == len(flexible) - 1 else spare * (table.columns[i].ratio or 1) // total
                widths[i] += share
                spare -= share
    else:
        given = 0
        for i, want in enumerate(wants):
            widths[i] += spare * want // sum(wants)
            given += spare * want // sum(wants)
        widths[max(range(len(wants)), key=wants.__getitem__)] += spare - given
    for column, width, pad in zip(table.columns, widths, padding):
        column.width = width - pad
        column.ratio = None
    return True


def _measure(console: Console, cell: RenderableType) -> Measurement:
    renderable = console.render_str(cell) if isinstance(cell, str) else cell
    return Measurement.get(console, console.options.update_width(10_000), renderable)


def print_stacked(console: Console, table: Table) -> None:
    """Each row as a block: its first cell on a line of its own, then `Header: value` for every other cell
    that is not empty (continuation lines of a cell indented under it)."""
    if table.title:
        console.print(table.title, style="bold", highlight=False)
    columns = table.columns
    rows = list(zip(*(list(c.cells) for c in columns)))
    labelled = not _text(console, columns[0].header).plain.strip()  # a first column of labels, no heading
    for row in rows:
        first = _text(console, row[0])
        if labelled:  # "Label: value" on one line, as the table showed it
            rest = list(zip(columns[2:], row[2:]))
            line = first.copy()
            line.append(": ")
            _print_cell(console, line, _text(console, row[1]), 0)
        else:
            console.print()
            console.print(first, highlight=False)
            rest = list(zip(columns[1:], row[1:]))
        for column, cell in rest:
            text = _text(console, cell)
            if not text.plain.strip():
                continue
            header = _text(console, column.header).plain.replace("\n", " ").strip()
            _print_cell(console, Text(f"{header}: " if header else "", style="dim"), text, 2)
    console.print()


def _print_cell(console: Console, label: Text, text: Text, indent: int) -> None:
    lines = text.split("\n")
    console.print(Padding(label + lines[0], (0, 0, 0, indent), expand=False), highlight=False)
    for more in lines[1:]:
        console.print(Padding(more, (0, 0, 0, indent + 2), expand=False), highlight=False)


def _text(console: Console, cell: RenderableType) -> Text:
    if isinstance(cell, Text):
        return cell
    if isinstance(cell, str):
        return console.render_str(cell)
    return Text(str(cell))

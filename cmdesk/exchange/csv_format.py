r"""The CSV format of posts: its documented columns, how cells hold lists, and reading a file.

A file has a header row naming its columns (any order, any letter case); UTF-8 with or without a
byte-order mark; ``,`` or ``;`` between cells (whichever the header uses). List cells (channels,
media, alt texts, tags) separate items with ``|``; an item that itself holds ``|`` or ``\`` writes
them as ``\|`` and ``\\``, so an export always reads back the same.

Problems are reported with the file's line (1-based, the header is line 1; a cell spanning several
lines is reported at the line its row starts on) and the column's 1-based number and name, which the
command line prints as ``12:3 (time): message``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

#: The documented columns, in the order an export writes them.
COLUMNS: tuple[str, ...] = (
    "id",
    "date",
    "time",
    "zone",
    "channels",
    "title",
    "text",
    "status",
    "campaign",
    "pillar",
    "tags",
    "media path",
    "alt text",
)
#: Files larger than this are refused before they are read (a plan of 50,000 posts is ~20 MB).
MAX_FILE_BYTES = 32 * 1024 * 1024
#: Problems listed in full; past this many the rest are counted in one last line.
MAX_PROBLEMS = 500
LIST_SEPARATOR = "|"


@dataclass(frozen=True, slots=True)
class ImportProblem:
    """One problem in a file: where (line, column) and what to do about it.

    ``column`` is the 1-based position in the file and ``column_name`` its header (0 and "" for a
    problem about a whole row or the whole file).
    """

    line: int
    column: int
    column_name: str
    message: str

    @property
    def where(self) -> str:
        """``12:3``: the ``line:column`` part of a problem's one-line form."""
        return f"{self.line}:{self.column}"

    def __str__(self) -> str:
        """``12:3: time: '25:00' is not a time …``: ``line:column: message``, named column first."""
        named = f"{self.column_name}: " if self.column and self.column_name else ""
        return f"{self.where}: {named}{self.message}"


@dataclass(frozen=True, slots=True)
class RawRow:
    """A data row as read: its first line in the file and its cells by column name."""

    line: int
    cells: dict[str, str]


@dataclass(frozen=True, slots=True)
class RawTable:
    """A file's header (column names in file order, lower case) and its non-blank rows."""

    columns: tuple[str, ...]
    rows: tuple[RawRow, ...]

    def position(self, name: str) -> int:
        """The 1-based column number of ``name`` in this file (0 when the file lacks it)."""
        return self.columns.index(name) + 1 if name in self.columns else 0


def split_list(cell: str) -> list[str]:
    r"""The items of a list cell: ``|`` separates, ``\|`` and ``\\`` are a literal ``|``/``\``."""
    items: list[str] = []
    current: list[str] = []
    chars = iter(cell)
    for ch in chars:
        if ch == "\\":
            nxt = next(chars, "")
            current.append(nxt if nxt in ("|", "\\") else "\\" + nxt)
        elif ch == LIST_SEPARATOR:
            items.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    items.append("".join(current).strip())
    if items == [""]:
        return []
    return items


def join_list(items: Sequence[str]) -> str:
    """The cell for a list of items; :func:`split_list` gives the same items back."""
    return LIST_SEPARATOR.join(i.replace("\\", "\\\\").replace("|", "\\|") for i in items)


def decode(data: bytes, problems: list[ImportProblem]) -> str | None:
    """The file's text: UTF-8 with or without BOM; anything else is a problem saying where."""
    if not data.strip():
        problems.append(
            ImportProblem(1, 0, "", "The file is empty: it needs a header row and a row per post.")
        )
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        problems.append(
            ImportProblem(
                line,
                0,
                "",
                f"The file is not UTF-8 text (byte 0x{data[exc.start]:02x}). Save it as "
                "'CSV UTF-8' in your spreadsheet and try again.",
            )
        )
        return None


def sniff_delimiter(text: str) -> str:
    """``;`` when the header row has more of them than ``,`` (outside quotes), else ``,``."""
    commas = semicolons = 0
    quoted = False
    for ch in text:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in "\r\n":
            break
        elif not quoted and ch == ",":
            commas += 1
        elif not quoted and ch == ";":
            semicolons += 1
    return ";" if semicolons > commas else ","


def read_table(text: str, problems: list[ImportProblem]) -> RawTable | None:
    """Parse the header and rows; add structural problems (header, quotes, cell counts).

    Returns None when the file cannot be read as a table at all (no usable header, or unbalanced
    quotes, which make every later cell uncertain).
    """
    text = text.removeprefix("\ufeff")  # text handed over directly may still start with a BOM
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records = _records(reader, problems)
    if records is None:
        return None
    if not records:
        problems.append(ImportProblem(1, 0, "", "The file is empty: it needs a header row."))
        return None
    header_line, header = records[0]
    columns = _header(header, header_line, problems)
    if columns is None:
        return None
    rows: list[RawRow] = []
    for line, cells in records[1:]:
        if not any(c.strip() for c in cells):
            continue  # blank lines (and rows of empty cells) are not posts
        if len(cells) > len(columns):
            extra = len(columns) + 1
            problems.append(
                ImportProblem(
                    line,
                    extra,
                    "",
                    f"This row has {len(cells)} cells but the header names {len(columns)} "
                    "columns. Quote cells that contain the separator "
                    f"{delimiter!r} or a line break.",
                )
            )
            continue
        padded = [*cells, *([""] * (len(columns) - len(cells)))]
        rows.append(RawRow(line, dict(zip(columns, padded, strict=True))))
    return RawTable(columns, tuple(rows))


def _records(
    reader: Iterator[list[str]], problems: list[ImportProblem]
) -> list[tuple[int, list[str]]] | None:
    """Every record with the line it starts on; None (and a problem) on broken quoting."""
    records: list[tuple[int, list[str]]] = []
    last_line = 0
    try:
        for cells in reader:
            records.append((last_line + 1, cells))
            last_line = reader.line_num  # type: ignore[attr-defined]
    except csv.Error as exc:
        start = last_line + 1
        if "end of data" in str(exc) or "EOF" in str(exc):
            message = (
                f'A quoted cell that starts on line {start} is never closed (a " is missing), '
                "so the rest of the file cannot be read."
            )
        else:
            message = f"This line cannot be read as CSV ({exc}). Check its quotes."
        problems.append(ImportProblem(start, 0, "", message))
        return None
    return records


def _header(header: list[str], line: int, problems: list[ImportProblem]) -> tuple[str, ...] | None:
    columns = tuple(" ".join(h.strip().lower().replace("_", " ").split()) for h in header)
    before = len(problems)
    seen: set[str] = set()
    for i, name in enumerate(columns, start=1):
        if name not in COLUMNS:
            known = ", ".join(COLUMNS)
            label = header[i - 1].strip() or "(empty)"
            problems.append(
                ImportProblem(
                    line, i, label, f"Unknown column {label!r}. The columns are: {known}."
                )
            )
        elif name in seen:
            problems.append(ImportProblem(line, i, name, f"The column {name!r} appears twice."))
        seen.add(name)
    if "text" not in seen and "title" not in seen:
        problems.append(
            ImportProblem(
                line,
                0,
                "",
                "The header has no 'text' or 'title' column. The first row must name the "
                "columns, e.g. date,time,channels,text.",
            )
        )
    return None if len(problems) > before else columns

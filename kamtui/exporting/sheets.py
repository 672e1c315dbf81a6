"""CSV and XLSX: the lists sellers open in Excel, WPS or Numbers.

CSV: UTF-8 with a BOM by default (Excel on Chinese Windows then reads Chinese
correctly; without the BOM it assumes GBK), or GB18030 for tools that want
the national encoding (it encodes every Unicode character, emoji included, but
Excel decodes BOM-less CSV as GBK, so 4-byte GB18030 characters such as emoji
show garbled there: prefer the default for Excel). CRLF line ends; fields are
quoted by the ``csv`` module when they hold commas, quotes or newlines. Text
cells are cleaned and neutralised (:mod:`kamtui.exporting.cells`); amounts are
plain numbers (``120.50``, ``-35.00``).

XLSX: openpyxl in write-only mode, a bold frozen header row with a filter,
column widths from the headers and the first rows. Text is always stored as
text (inline strings, never formulas): text that a spreadsheet would otherwise
run as a formula is marked quote-prefixed (Excel's own mark for text typed
with a leading apostrophe: shown as typed, kept as text when edited), so the
seller's text is exact and nothing runs. Phone and WeChat ID cells are text
with the Text number format (``@``); days are real dates; amounts are real
numbers with two decimals.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable
from datetime import date
from typing import Any, BinaryIO

from kamtui.errors import KamtuiError
from kamtui.exporting.cells import (
    CLEANABLE_BUT_NUL,
    EXCEL_MAX_CHARS,
    RISKY_FIRST,
    RISKY_START_IN_JOINED,
    clean_text,
    needs_guard,
    spreadsheet_text,
)
from kamtui.exporting.columns import Table, yuan
from kamtui.fmt import display_width
from kamtui.i18n import t

ENCODINGS = ("utf-8-sig", "gb18030")
#: progress(contacts written, contacts to write)
Progress = Callable[[int, int], None]


# ---- CSV ----------------------------------------------------------------------------


def _encode_text(values: list) -> list:
    """Text cells made safe. This runs for every cell of a 100,000-row export, so a column
    is first checked as a whole (one join, one regex search) and returned untouched when
    no value in it needs cleaning, cutting or neutralising."""
    try:
        joined = "\x00".join(values)
    except TypeError:  # not all text (a plug-in column): cell by cell
        return [spreadsheet_text(v) for v in values]
    if (
        joined.count("\x00") == max(len(values) - 1, 0)  # no NUL inside a value
        and not CLEANABLE_BUT_NUL.search(joined)
        and not RISKY_START_IN_JOINED.search(joined)
        and not (values and values[0][:1] in RISKY_FIRST)
        and max(map(len, values), default=0) <= _MAX
    ):
        return values
    return [spreadsheet_text(v) for v in values]


_MAX = EXCEL_MAX_CHARS - 1


def _encode_money(values: list) -> list:
    return [
        "0.00" if v == 0 else "" if v is None else f"{v // 100}.{v % 100:02d}" if v > 0 else yuan(v)
        for v in values
    ]


def _encode_column(kind: str, values: list) -> list:
    if kind in ("text", "code", "phone", "date"):  # days are ISO text (or whatever is stored)
        return _encode_text([v or "" for v in values] if kind == "date" else values)
    if kind == "birthday":
        return [
            "" if v is None else v.isoformat() if isinstance(v, date) else spreadsheet_text(v)
            for v in values
        ]
    if all(type(v) is int or v is None for v in values):
        return (
            _encode_money(values) if kind == "money" else ["" if v is None else v for v in values]
        )
    # A number column holding text (a damaged book): such cells are treated as text.
    return [_encode_column(kind, [v])[0] if type(v) is int else spreadsheet_text(v) for v in values]


def write_csv(
    table: Table, out: BinaryIO, *, encoding: str = "utf-8-sig", progress: Progress | None = None
) -> int:
    """Write ``table`` as CSV to the binary stream ``out``; returns the number of rows."""
    if encoding not in ENCODINGS:
        raise ValueError(encoding)
    codec = "utf-8" if encoding == "utf-8-sig" else encoding
    if encoding == "utf-8-sig":
        out.write(codecs.BOM_UTF8)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(table.headers)
    encoded = [
        _encode_column(col.kind, values)
        for col, values in zip(table.columns, table.values, strict=True)
    ]
    rows = list(zip(*encoded, strict=True))
    for start in range(0, len(rows), _CHUNK):
        writer.writerows(rows[start : start + _CHUNK])
        out.write(buf.getvalue().encode(codec))
        buf.seek(0)
        buf.truncate()
        if progress is not None:
            progress(min(start + _CHUNK, len(rows)), len(rows))
    if buf.tell():
        out.write(buf.getvalue().encode(codec))
    return len(table.ids)


_CHUNK = 10_000


# ---- XLSX -----------------------------------------------------------------------------


def _widths(table: Table, sample: int = 200) -> list[int]:
    out = []
    for col, header, values in zip(table.columns, table.headers, table.values, strict=True):
        width = max(col.width, display_width(header) + 2)
        if col.kind in ("text", "code", "phone"):
            longest = max((display_width(str(v)[:60]) for v in values[:sample] if v), default=0)
            width = max(width, min(longest + 2, 50))
        out.append(width)
    return out


def _excel_text(value: Any) -> str:
    s = value if type(value) is str else ("" if value is None else str(value))
    if (s and not s.isprintable()) or len(s) > EXCEL_MAX_CHARS:
        s = clean_text(s, max_len=EXCEL_MAX_CHARS)
    return s


def write_xlsx(
    table: Table,
    out: BinaryIO,
    *,
    sheet_title: str = "Contacts",
    progress: Progress | None = None,
) -> int:
    """Write ``table`` as an XLSX workbook to the binary stream ``out``; returns rows."""
    try:
        from openpyxl import Workbook
    except ImportError:
        raise KamtuiError(t("export.needs_openpyxl")) from None
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=_sheet_title(sheet_title))
    for i, width in enumerate(_widths(table), start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    last = get_column_letter(len(table.columns))
    ws.auto_filter.ref = f"A1:{last}{len(table.ids) + 1}"

    bold = Font(bold=True)
    header = []
    for h in table.headers:
        cell = WriteOnlyCell(ws, value=h)
        cell.font = bold
        header.append(cell)
    ws.append(header)

    def guarded(s: str):
        cell = WriteOnlyCell(ws, value=None)
        cell.value = s
        cell.data_type = "s"  # text, never a formula
        cell.quotePrefix = True
        return cell

    def text_cell(v):
        s = _excel_text(v)
        if s and needs_guard(s):
            return guarded(s)
        return s or None

    def typed_text_cell(v):  # phone, WeChat ID: text format so Excel keeps them as text
        s = _excel_text(v)
        if not s:
            return None
        cell = guarded(s) if needs_guard(s) else WriteOnlyCell(ws, value=s)
        cell.data_type = "s"
        cell.number_format = "@"
        return cell

    def date_cell(v):
        if not v:
            return None
        try:
            return date.fromisoformat(v)
        except (TypeError, ValueError):  # not a day (a damaged book): keep it as text
            return text_cell(v)

    def birthday_cell(v):
        return v if isinstance(v, date) else text_cell(v)

    def money_cell(v):
        if type(v) is not int:
            return number_cell(v)
        cell = WriteOnlyCell(ws, value=v / 100)  # the shortest float text: 120.5, -35.0
        cell.number_format = "0.00"
        return cell

    def number_cell(v):
        return v if v is None or type(v) in (int, float) else text_cell(v)

    makers = {
        "text": text_cell,
        "code": typed_text_cell,
        "phone": typed_text_cell,
        "date": date_cell,
        "birthday": birthday_cell,
        "money": money_cell,
        "int": number_cell,
    }
    encoders = [makers[c.kind] for c in table.columns]
    total = len(table.ids)
    for n, row in enumerate(table.rows(), start=1):
        ws.append([enc(v) for enc, v in zip(encoders, row, strict=True)])
        if progress is not None and n % 2_000 == 0:
            progress(n, total)
    wb.save(out)
    if progress is not None:
        progress(total, total)
    return len(table.ids)


def _sheet_title(title: str) -> str:
    # Excel: at most 31 characters, none of []:*?/\
    cleaned = "".join(ch for ch in title if ch not in "[]:*?/\\")
    return cleaned[:31] or "Sheet1"

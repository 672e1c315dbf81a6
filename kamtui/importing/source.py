"""Opening a file safely: format by content, encoding, delimiter, rows.

Everything that can go wrong with the file as a whole raises
:class:`~kamtui.importing.model.ImportFileError` with one message naming the
file (and the row where it helps). Rows come out as ``(row_number, cells)``;
the header is row 1 (Excel's numbering; an Excel ``sep=`` line is not counted).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

from kamtui.importing.model import ImportFileError

MAX_FILE_BYTES = 256 * 1024 * 1024
MAX_CELL = 100_000  # characters in one cell; more means a damaged file (or an unclosed quote)
MAX_ROWS = 1_000_000
PROGRESS_EVERY = 2_000  # rows between progress calls

Progress = Callable[[int, int], None]

_MAGIC_BINARY = (
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF8",
    b"%PDF",
    b"SQLite format 3\x00",
    b"\x7fELF",
    b"\x1f\x8b",
    b"7z\xbc\xaf",
    b"Rar!",
    b"MZ",
    b"BM",
    b"RIFF",
)
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_CONTROL_BYTES = bytes(range(0, 9)) + bytes(range(14, 32)) + b"\x7f"
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_SEP_LINE = re.compile(r'^"?sep=(.)"?[,;\t]*$', re.IGNORECASE)
_LINE_END = re.compile(r"\r\n|\r|\n")


@dataclass
class Table:
    """A file read as a table: headers and an iterator of ``(row, cells)``."""

    path: Path
    format: str  # "csv", "xlsx", "json"
    encoding: str | None
    delimiter: str | None
    headers: list[str]
    rows: Iterator[tuple[int, list]]
    total: int  # progress total: bytes (text formats) or rows (xlsx)
    layout_hint: str | None = None


def read_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ImportFileError(
                "import.file_too_big",
                path,
                size=size // (1024 * 1024),
                max=MAX_FILE_BYTES // (1024 * 1024),
            )
        return path.read_bytes()
    except FileNotFoundError:
        raise ImportFileError("import.file_missing", path) from None
    except IsADirectoryError:
        raise ImportFileError("import.file_unreadable", path, error="directory") from None
    except OSError as err:
        raise ImportFileError("import.file_unreadable", path, error=err.strerror or err) from None


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def sniff_format(data: bytes, path: Path) -> str:
    """ "xlsx", "vcard", "json" or "text"; raises for empty, binary and non-xlsx archives."""
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise ImportFileError("import.empty", path)
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")):
        return _sniff_zip(data, path)
    if data.startswith(_OLE2):
        raise ImportFileError("import.xls_old", path)
    if data.startswith(_MAGIC_BINARY) and not _looks_textual(data[:4096]):
        raise ImportFileError("import.binary", path)
    head = data[:4096]
    for bom in (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        if head.startswith(bom):
            if bom != codecs.BOM_UTF8:
                head = head.decode("utf-16", errors="ignore").encode("utf-8")
            else:
                head = head[len(bom) :]
            break
    else:
        guess = _utf16_without_bom(head)
        if guess:
            head = head.decode(guess, errors="ignore").encode("utf-8")
    stripped = head.lstrip()
    if stripped[:11].upper() == b"BEGIN:VCARD":
        return "vcard"
    if stripped[:1] in (b"{", b"["):
        return "json"
    return "text"


def _sniff_zip(data: bytes, path: Path) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise ImportFileError("import.xlsx_damaged", path) from None
    if "xl/workbook.xml" in names or any(n.startswith("xl/worksheets/") for n in names):
        return "xlsx"
    raise ImportFileError("import.zip_not_xlsx", path)


def _looks_textual(sample: bytes) -> bool:
    if not sample:
        return True
    bad = sum(sample.count(bytes([b])) for b in _CONTROL_BYTES)
    return bad / len(sample) < 0.01


def _utf16_without_bom(sample: bytes) -> str | None:
    """ "utf-16-le"/"utf-16-be" when every other byte is NUL (Excel "Unicode text" sans BOM)."""
    n = len(sample) - len(sample) % 2
    if n < 4:
        return None
    even = sample[0:n:2].count(0)
    odd = sample[1:n:2].count(0)
    half = n // 2
    if odd > 0.4 * half and even < 0.05 * half:
        return "utf-16-le"
    if even > 0.4 * half and odd < 0.05 * half:
        return "utf-16-be"
    return None


def decode_text(data: bytes, path: Path) -> tuple[str, str]:
    """(text, encoding). UTF-8 (BOM or not) first, strictly; then GB18030; UTF-16 by BOM.

    Mixed files (UTF-8 rows and GBK rows) are refused naming the first odd row.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decode_utf16(data, "utf-16", path), "utf-16"
    if b"\x00" in data:
        guess = _utf16_without_bom(data[:8192])
        if guess:
            return _decode_utf16(data, guess, path), guess
        if not _looks_textual(data[:65536].replace(b"\x00", b"")):
            raise ImportFileError("import.binary", path)
        raise ImportFileError("import.nul_bytes", path, row=_line_of(data, data.index(b"\x00")))
    encoding = "utf-8"
    body = data
    if data.startswith(codecs.BOM_UTF8):
        encoding, body = "utf-8-sig", data[3:]
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as err:
        mixed_row = _mixed_row(body)
        if mixed_row is None and encoding == "utf-8-sig":  # a BOM promised UTF-8
            mixed_row = _line_of(body, err.start)
        if mixed_row:
            raise ImportFileError("import.encoding_mixed", path, row=mixed_row) from None
        try:
            text = body.decode("gb18030")
        except UnicodeDecodeError as err2:
            if not _looks_textual(body[:65536]):
                raise ImportFileError("import.binary", path) from None
            raise ImportFileError(
                "import.encoding_unknown", path, row=_line_of(body, err2.start)
            ) from None
        encoding = "gb18030"
    if _CONTROL_CHARS.search(text[:65536]) and not _looks_textual(
        text[:65536].encode("utf-8", "replace")
    ):
        raise ImportFileError("import.binary", path)
    return text, encoding


def _decode_utf16(data: bytes, encoding: str, path: Path) -> str:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as err:
        row = data[: err.start].decode(encoding, "replace").count("\n") + 1
        raise ImportFileError("import.encoding_unknown", path, row=row) from None
    text = text.removeprefix("\ufeff")
    if "\x00" in text:
        raise ImportFileError(
            "import.nul_bytes", path, row=text.count("\n", 0, text.index("\x00")) + 1
        )
    return text


def _mixed_row(body: bytes) -> int | None:
    """The first line whose encoding differs from the first non-ASCII line, if the file
    has both UTF-8 lines (with CJK) and lines that are not UTF-8."""
    first_utf8 = first_other = None
    for number, line in enumerate(body.split(b"\n"), start=1):
        if line.isascii():
            continue
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            if first_other is None:
                first_other = number
        else:
            if first_utf8 is None and any(ord(c) >= 0x800 for c in text):
                first_utf8 = number
        if first_utf8 is not None and first_other is not None:
            return max(first_utf8, first_other)
    return None


# --- CSV / TSV -------------------------------------------------------------------------


def sniff_delimiter(text: str) -> tuple[str, str]:
    """(delimiter, text without an Excel ``sep=`` line)."""
    end = _LINE_END.search(text)
    header = text[: end.start()] if end else text
    m = _SEP_LINE.match(header)
    if m:
        return m.group(1), text[end.end() :] if end else ""
    candidates = [d for d in ("\t", ",", ";", "|") if d in _outside_quotes(header)]
    if not candidates:
        return ",", text
    if len(candidates) == 1:
        return candidates[0], text
    sample = text[:65536]
    best, best_score = candidates[0], -1.0
    for d in candidates:
        try:
            rows = [
                r
                for _, r in zip(
                    range(30),
                    csv.reader(io.StringIO(sample, newline=""), delimiter=d),
                    strict=False,
                )
            ]
        except csv.Error:
            continue
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        body = rows[1:] or rows
        score = sum(1 for r in body if len(r) == width) / len(body) + width / 1000
        if score > best_score:
            best, best_score = d, score
    return best, text


def _outside_quotes(line: str) -> str:
    return re.sub(r'"[^"]*"', "", line)


def _unterminated(raw: str, delimiter: str) -> bool:
    """True if ``raw`` (one record's text) ends inside a quoted field."""
    in_quotes = False
    at_start = True
    i, n = 0, len(raw)
    while i < n:
        c = raw[i]
        if in_quotes:
            if c == '"':
                if i + 1 < n and raw[i + 1] == '"':
                    i += 1
                else:
                    in_quotes = False
        elif c == '"' and at_start:
            in_quotes = True
        at_start = (not in_quotes) and c in (delimiter, "\n", "\r")
        i += 1
    return in_quotes


def csv_table(data: bytes, path: Path, progress: Progress | None = None) -> Table:
    text, encoding = decode_text(data, path)
    delimiter, body = sniff_delimiter(text)
    total_bytes = len(data)
    total_chars = max(1, len(body))
    consumed = [0]

    def lines():
        for line in io.StringIO(body, newline=""):
            consumed[0] += len(line)
            yield line

    reader = csv.reader(lines(), delimiter=delimiter)
    row_no = 0
    record_start = 0

    def next_record() -> list[str] | None:
        nonlocal row_no, record_start
        record_start = consumed[0]
        try:
            cells = next(reader)
        except StopIteration:
            return None
        except csv.Error as err:
            row = row_no + 1
            if "field larger than field limit" in str(err):
                raise ImportFileError("import.cell_too_big", path, row=row, max=MAX_CELL) from None
            raise ImportFileError("import.csv_error", path, row=row, error=str(err)) from None
        row_no += 1
        if consumed[0] - record_start > MAX_CELL and any(len(c) > MAX_CELL for c in cells):
            raise ImportFileError("import.cell_too_big", path, row=row_no, max=MAX_CELL)
        return cells

    def check_end(last_start: int, last_row: int) -> None:
        if _unterminated(body[last_start:], delimiter):
            raise ImportFileError("import.truncated_quote", path, row=last_row)

    headers = None
    while headers is None:
        cells = next_record()
        if cells is None:
            check_end(record_start, row_no)
            raise ImportFileError("import.empty", path)
        if any(c.strip() for c in cells):
            headers = [c.strip() for c in cells]
            header_row = row_no
    # Drop trailing empty header cells only if no data uses them (Thunderbird's trailing comma).
    first = next_record()
    if first is None:
        check_end(record_start, header_row)
        raise ImportFileError("import.header_only", path)

    def rows() -> Iterator[tuple[int, list]]:
        cells: list[str] | None = first
        last_start = record_start
        while cells is not None:
            if row_no > MAX_ROWS:
                raise ImportFileError("import.too_many_rows", path, max=MAX_ROWS)
            current = row_no
            yield current, cells
            if progress is not None and current % PROGRESS_EVERY == 0:
                progress(consumed[0] * total_bytes // total_chars, total_bytes)
            cells = next_record()
            if cells is not None:
                last_start = record_start
        check_end(last_start, row_no)
        if progress is not None:
            progress(total_bytes, total_bytes)

    return Table(path, "csv", encoding, delimiter, headers, rows(), total_bytes)


# --- XLSX ------------------------------------------------------------------------------


def xlsx_cell(value):
    """Excel cell -> text or date, as the cleaner expects."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date()
        return value
    if isinstance(value, date | time):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    return str(value)


def xlsx_table(data: bytes, path: Path, progress: Progress | None = None) -> Table:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # a broken zip or XML inside: openpyxl raises many kinds
        raise ImportFileError("import.xlsx_damaged", path) from None
    try:
        sheets = list(wb.worksheets)
        for ws in sheets:
            it = ws.iter_rows(min_row=1, values_only=True)
            row_no = 0
            headers = None
            for values in it:
                row_no += 1
                if values and any(v is not None and str(v).strip() for v in values):
                    headers = [("" if v is None else str(v)).strip() for v in values]
                    break
            if headers is None:
                continue
            while headers and not headers[-1]:
                headers.pop()
            total = max(ws.max_row or 0, row_no)
            return Table(
                path,
                "xlsx",
                None,
                None,
                headers,
                _xlsx_rows(it, row_no, path, total, progress, wb),
                total,
            )
    except ImportFileError:
        raise
    except Exception:
        raise ImportFileError("import.xlsx_damaged", path) from None
    wb.close()
    raise ImportFileError("import.xlsx_empty", path)


def _xlsx_rows(it, row_no, path, total, progress, wb) -> Iterator[tuple[int, list]]:
    seen = 0
    try:
        for values in it:
            row_no += 1
            if row_no > MAX_ROWS:
                raise ImportFileError("import.too_many_rows", path, max=MAX_ROWS)
            cells = [xlsx_cell(v) for v in values]
            for c in cells:
                if isinstance(c, str) and len(c) > MAX_CELL:
                    raise ImportFileError("import.cell_too_big", path, row=row_no, max=MAX_CELL)
            seen += 1
            yield row_no, cells
            if progress is not None and row_no % PROGRESS_EVERY == 0:
                progress(row_no, total)
    except ImportFileError:
        raise
    except Exception:
        raise ImportFileError("import.xlsx_damaged", path, row=row_no) from None
    finally:
        wb.close()
    if not seen:
        raise ImportFileError("import.header_only", path)
    if progress is not None:
        progress(total, total)


# --- JSON ------------------------------------------------------------------------------

_LIST_KEYS = ("users", "contacts", "data", "list", "friends", "MemberList", "items", "records")


def _scalar(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, list | tuple):
        return ",".join(_scalar(v) for v in value if v not in (None, ""))
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _flatten(entry: dict) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in entry.items():
        if isinstance(value, dict):
            for k2, v2 in value.items():
                name = str(k2) if str(k2) not in entry else f"{key}.{k2}"
                out[name] = _scalar(v2)
        else:
            out[str(key)] = _scalar(value)
    return out


def json_table(data: bytes, path: Path, progress: Progress | None = None) -> Table:
    text, encoding = decode_text(data, path)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as err:
        raise ImportFileError("import.json_invalid", path, row=err.lineno, error=err.msg) from None
    except (ValueError, RecursionError) as err:
        raise ImportFileError("import.json_invalid", path, row=1, error=str(err)[:200]) from None
    entries, hint = _json_entries(doc)
    if entries is None:
        raise ImportFileError("import.json_not_contacts", path)
    if not entries:
        raise ImportFileError("import.header_only", path)
    flat = [_flatten(e) for e in entries]
    headers: list[str] = []
    seen: set[str] = set()
    for f in flat:
        for k in f:
            if k not in seen:
                seen.add(k)
                headers.append(k)
    for f in flat:
        for value in f.values():
            if len(value) > MAX_CELL:
                raise ImportFileError(
                    "import.cell_too_big", path, row=flat.index(f) + 1, max=MAX_CELL
                )
    total = len(data)

    def rows():
        n = len(flat)
        for i, f in enumerate(flat, start=1):
            yield i, [f.get(h, "") for h in headers]
            if progress is not None and i % PROGRESS_EVERY == 0:
                progress(total * i // n, total)
        if progress is not None:
            progress(total, total)

    return Table(path, "json", encoding, None, headers, rows(), total, layout_hint=hint)


def _json_entries(doc) -> tuple[list[dict] | None, str | None]:
    if isinstance(doc, dict):
        for key in _LIST_KEYS:
            if isinstance(doc.get(key), list | dict) and doc.get(key):
                inner, hint = _json_entries(doc[key])
                if inner is not None:
                    return inner, hint
        values = list(doc.values())
        if values and all(isinstance(v, dict) for v in values):
            entries = []
            for key, v in doc.items():
                entry = dict(v)
                entry.setdefault("wxid", key)
                entries.append(entry)
            hint = (
                "pywxdump" if any("ExtraBuf" in v or "LabelIDList" in v for v in values) else None
            )
            return (entries if _contactish(entries) else None), hint
        return None, None
    if isinstance(doc, list):
        if not doc:
            return [], None
        if all(isinstance(v, dict) for v in doc):
            hint = "pywxdump" if any("ExtraBuf" in v or "LabelIDList" in v for v in doc) else None
            return (doc if _contactish(doc) else None), hint
    return None, None


def _contactish(entries: list[dict]) -> bool:
    """Do these objects look like contacts (some known key)?"""
    from kamtui.importing.layouts import GENERIC, LAYOUTS, normalize_header

    known = set(GENERIC)
    for layout in LAYOUTS.values():
        known.update(k for k, v in layout.columns.items() if v)
    for e in entries[:50]:
        for k, v in _flatten(e).items():
            if normalize_header(k) in known and v:
                return True
    return False

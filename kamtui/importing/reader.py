"""Reading a whole file: format -> table or cards -> layout -> cleaned records."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from kamtui.i18n import t
from kamtui.importing.clean import Cleaner
from kamtui.importing.layouts import (
    LAYOUTS,
    Detection,
    Layout,
    Mapping,
    _map_with,
    detect_layout,
    layout_named,
)
from kamtui.importing.model import ImportFileError, ReadResult, gc_paused
from kamtui.importing.source import (
    Progress,
    Table,
    csv_table,
    json_table,
    read_bytes,
    sniff_format,
    xlsx_table,
)

VCARD_LAYOUT = Layout("vcard", {}, frozenset(), min_signature=99)
_DATA_LIKE = re.compile(r"^(?:\+?\d[\d\s\-]{6,}|wxid_\w+|\d+(?:\.\d+)?)$")


@dataclass
class Preview:
    """The start of a file for the mapping screen: what was found and how it would map."""

    path: Path
    format: str  # "csv", "xlsx", "json" or "vcard" (as ReadResult.format)
    encoding: str | None
    delimiter: str | None
    headers: list[str]
    sample: list[list]  # the first rows, cells as read
    detection: Detection | None  # None for vCard


def _open_table(path: Path, data: bytes, fmt: str, progress: Progress | None) -> Table:
    if fmt == "xlsx":
        return xlsx_table(data, path, progress)
    if fmt == "json":
        return json_table(data, path, progress)
    return csv_table(data, path, progress)


def _detect(table: Table) -> Detection:
    if table.layout_hint in LAYOUTS:
        layout = LAYOUTS[table.layout_hint]
        mapping, unmapped, known, _ = _map_with(layout, table.headers)
        return Detection(layout, mapping, unmapped, known)
    return detect_layout(table.headers)


def preview(path: str | Path, rows: int = 20) -> Preview:
    """Headers, the first ``rows`` rows and the detected layout, without cleaning."""
    path = Path(path)
    data = read_bytes(path)
    fmt = sniff_format(data, path)
    if fmt == "vcard":
        return Preview(path, "vcard", "utf-8", None, [], [], None)
    table = _open_table(path, data, fmt, None)
    sample = []
    for _, cells in table.rows:
        sample.append(cells)
        if len(sample) >= rows:
            break
    return Preview(
        path, table.format, table.encoding, table.delimiter, table.headers, sample, _detect(table)
    )


def read_file(
    path: str | Path, *, mapping: Mapping | None = None, progress: Progress | None = None
) -> ReadResult:
    """Read a contacts file completely: every record, every row problem, or one error.

    ``mapping``: a hand-made or saved mapping (matched to this file's headers by
    name); None detects the layout. ``progress(done, total)`` is called every few
    thousand rows: bytes for text formats, rows for Excel.
    Raises :class:`ImportFileError` (a ``KamtuiError``) for a file that cannot be read.
    """
    with gc_paused():
        return _read(Path(path), mapping, progress)


def _read(path: Path, mapping: Mapping | None, progress: Progress | None) -> ReadResult:
    data = read_bytes(path)
    fmt = sniff_format(data, path)
    if fmt == "vcard":
        return _read_vcards(path, data, progress)
    notices: list[str] = []
    if fmt == "xlsx" and path.suffix.lower() not in (".xlsx", ".xlsm", ".xltx", ".xltm"):
        notices.append(t("import.xlsx_disguised", file=path.name))
    table = _open_table(path, data, fmt, progress)
    fmt = table.format
    if mapping is None:
        detection = _detect(table)
        layout, mapping = detection.layout, detection.mapping
    else:
        if mapping.headers != table.headers:
            mapping = mapping.for_headers(table.headers)
        layout = layout_named(mapping.layout)
    if not any(mapping.fields):
        if any(_DATA_LIKE.match(h) for h in table.headers):
            raise ImportFileError("import.no_header", path)
        shown = ", ".join(h for h in table.headers[:8] if h)
        raise ImportFileError("import.no_columns", path, headers=shown)
    cleaner = Cleaner(mapping, layout)
    records = []
    rows_read = 0
    clean_row = cleaner.clean_row
    append = records.append
    for row, cells in table.rows:
        rows_read += 1
        rec = clean_row(row, cells)
        if rec is not None:
            append(rec)
    if not records and not cleaner.problems and set(cleaner.skipped) <= {"empty"}:
        raise ImportFileError("import.header_only", path)
    if cleaner.label_id_rows:
        ids = sorted({i for r in records for i in r.label_ids}, key=int)[:10]
        notices.append(t("import.label_ids", value=", ".join(ids)))
    return ReadResult(
        path=path,
        format=fmt,
        encoding=table.encoding,
        layout=layout.name,
        mapping=mapping,
        records=records,
        problems=cleaner.problems,
        skipped=Counter(cleaner.skipped),
        rows_read=rows_read,
        notices=notices,
    )


def _read_vcards(path: Path, data: bytes, progress: Progress | None) -> ReadResult:
    from kamtui.importing.vcard import card_values, parse_cards

    total_lines = max(1, data.count(b"\n") + 1)
    total = len(data)
    cleaner = Cleaner(None, VCARD_LAYOUT)
    records = []
    count = 0
    for card in parse_cards(data, path):
        count += 1
        values, extras, problems = card_values(card)
        rec = cleaner.build(card.line, values, extras, problems)
        if rec is not None:
            records.append(rec)
        if progress is not None and count % 500 == 0:
            progress(min(total, total * card.line // total_lines), total)
    if progress is not None:
        progress(total, total)
    if count == 0:
        raise ImportFileError("import.vcard_empty", path)
    return ReadResult(
        path=path,
        format="vcard",
        encoding="utf-8",
        layout="vcard",
        mapping=None,
        records=records,
        problems=cleaner.problems,
        skipped=Counter(cleaner.skipped),
        rows_read=count,
    )

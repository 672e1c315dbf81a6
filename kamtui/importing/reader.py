"""Reading a whole file: format -> table or cards -> layout -> cleaned records."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, fields
from operator import attrgetter
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
from kamtui.importing.model import (
    ImportFileError,
    ImportRecord,
    ReadResult,
    RowProblem,
    gc_paused,
)
from kamtui.importing.parallel import FromBothEnds, can_fork
from kamtui.importing.source import (
    Progress,
    Table,
    csv_table,
    json_table,
    read_bytes,
    sniff_format,
    xlsx_table,
)

#: Rows from which a forked helper process cleans rows too (where :func:`can_fork`).
PARALLEL_CLEAN_FROM = 20_000
CLEAN_CHUNK = 2_000  # rows cleaned (and progress told) at a time when the rows are read first
#: The share of the progress bar for splitting the file into rows, when the rows are all
#: read before they are cleaned (cleaning takes the rest: about six times as long).
PARSE_SHARE = 0.15
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
    # Where a helper process can clean rows too, the rows are all read first (then
    # shared out); the table's progress then fills the first PARSE_SHARE of the bar.
    rows_first = can_fork()
    parse_progress = progress
    if rows_first and progress is not None:

        def parse_progress(done: int, total: int) -> None:
            progress(max(1, int(done * PARSE_SHARE)), total)

    table = _open_table(path, data, fmt, parse_progress)
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
    if rows_first:
        cleaned = _clean_in_chunks(mapping, layout, list(table.rows), progress, table.total)
    else:
        cleaned = _clean_streaming(mapping, layout, table.rows)
    records, problems, skipped, label_id_rows, rows_read = cleaned
    if not records and not problems and set(skipped) <= {"empty"}:
        raise ImportFileError("import.header_only", path)
    if label_id_rows:
        ids = sorted({i for r in records for i in r.label_ids}, key=int)[:10]
        notices.append(t("import.label_ids", value=", ".join(ids)))
    return ReadResult(
        path=path,
        format=fmt,
        encoding=table.encoding,
        layout=layout.name,
        mapping=mapping,
        records=records,
        problems=problems,
        skipped=Counter(skipped),
        rows_read=rows_read,
        notices=notices,
    )


_Cleaned = tuple[list[ImportRecord], list[RowProblem], dict[str, int], int, int]


def _clean_streaming(mapping: Mapping, layout: Layout, rows) -> _Cleaned:
    """Every row cleaned as it is read (one Cleaner): records, problems, skips, rows."""
    cleaner = Cleaner(mapping, layout)
    records = []
    rows_read = 0
    clean_row = cleaner.clean_row
    append = records.append
    for row, cells in rows:
        rows_read += 1
        rec = clean_row(row, cells)
        if rec is not None:
            append(rec)
    return records, cleaner.problems, cleaner.skipped, cleaner.label_id_rows, rows_read


_RECORD_FIELDS = tuple(f.name for f in fields(ImportRecord))
_record_values = attrgetter(*_RECORD_FIELDS)


def _clean_chunk(mapping: Mapping, layout: Layout, rows: list) -> tuple:
    """One chunk of rows cleaned on its own: (records, problems, skipped, label-id rows).

    A Cleaner keeps nothing from one row for the next but what it collects (problems,
    skip counts, rows with label ids), so chunks cleaned apart and put together in
    order give exactly what one Cleaner gives for all the rows.
    """
    cleaner = Cleaner(mapping, layout)
    clean_row = cleaner.clean_row
    records = [rec for row, cells in rows if (rec := clean_row(row, cells)) is not None]
    return records, cleaner.problems, cleaner.skipped, cleaner.label_id_rows


def _chunk_message(mapping: Mapping, layout: Layout, rows: list) -> tuple:
    """:func:`_clean_chunk` as plain tuples: what the helper process sends (records and
    problems as tuples of their fields pickle several times faster than the objects)."""
    records, problems, skipped, label_id_rows = _clean_chunk(mapping, layout, rows)
    return (
        [_record_values(r) for r in records],
        [(p.row, p.field, p.reason, p.rejected) for p in problems],
        skipped,
        label_id_rows,
    )


def _from_message(message) -> tuple | None:
    try:
        recs, probs, skipped, label_id_rows = message
        return (
            [ImportRecord(*r) for r in recs],
            [RowProblem(*p) for p in probs],
            dict(skipped),
            int(label_id_rows),
        )
    except Exception:  # not what the child should send: clean the chunk here
        return None


def _clean_in_chunks(
    mapping: Mapping, layout: Layout, rows: list, progress: Progress | None, total: int
) -> _Cleaned:
    """All rows, read beforehand, cleaned :data:`CLEAN_CHUNK` rows at a time.

    From :data:`PARALLEL_CLEAN_FROM` rows on, a forked helper process cleans chunks
    too, from the last one backwards, while this process cleans from the first one on
    (:class:`~kamtui.importing.parallel.FromBothEnds`): where the second core is free,
    this process cleans a little over half of the rows (the helper's chunks cost it
    ~2 ms each to take in; 100,000 rows: reading 1.4 s -> ~1.1 s of this process's
    CPU, the rows being split first included). The chunks are put together
    in order, so records, problems (their rows and messages) and skip counts are the
    same as cleaning row by row.
    """
    n = len(rows)
    count = -(-n // CLEAN_CHUNK)

    def chunk_rows(chunk: int) -> list:
        return rows[chunk * CLEAN_CHUNK : (chunk + 1) * CLEAN_CHUNK]

    helper = None
    if n >= PARALLEL_CLEAN_FROM:
        helper = FromBothEnds(
            count, lambda chunk: _chunk_message(mapping, layout, chunk_rows(chunk))
        )
    records: list[ImportRecord] = []
    problems: list[RowProblem] = []
    skipped: dict[str, int] = {}
    label_id_rows = 0
    base = max(1, int(total * PARSE_SHARE))
    try:
        for chunk in range(count):
            message = helper.theirs(chunk) if helper is not None else None
            got = _from_message(message) if message is not None else None
            if got is None:
                got = _clean_chunk(mapping, layout, chunk_rows(chunk))
            recs, probs, skips, labels = got
            records += recs
            problems += probs
            for reason, k in skips.items():
                skipped[reason] = skipped.get(reason, 0) + k
            label_id_rows += labels
            if progress is not None:
                done = min(n, (chunk + 1) * CLEAN_CHUNK)
                progress(base + (total - base) * done // max(1, n), total)
    finally:
        if helper is not None:
            helper.close()
    if progress is not None and not n:
        progress(total, total)
    return records, problems, skipped, label_id_rows, n


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

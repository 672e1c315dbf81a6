"""Exporting contacts: CSV and XLSX lists, vCard for phones, JSON with everything.

Pure domain code (no Textual). The caller chooses *which* contacts: an ordered
list of ids (the selection a screen shows, or what a query found); ``None``
means every contact (archived ones only with ``include_archived``).
``exclude_ids`` takes some out (e.g. the clean-up candidates for a "cleaned"
list).

    >>> result = export_contacts(book, "csv", "客户.csv", ids=[3, 1, 2])
    >>> result.count, result.path

Public API
- :func:`export_contacts` — one call: selection -> file (0600, atomic) or stream.
- :func:`select_contacts` / :func:`resolve_selection` — the default selection.
- :func:`load_table` -> :class:`Table`; :func:`write_csv`, :func:`write_xlsx`,
  :func:`write_vcard`, :func:`write_json` — the steps, for a screen that wants them.
- :data:`COLUMNS` (via :func:`all_columns`), :data:`DEFAULT_COLUMNS`,
  :func:`parse_columns`, :func:`register_column` (stage/tier hook), :class:`Column`.
- :func:`private_output` — an all-or-nothing 0600 file.
- :func:`clean_text`, :func:`neutralise`, :func:`restore` — cell safety (the
  importer uses :func:`restore` to undo the apostrophe).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from kamtui import clock, i18n
from kamtui.errors import ValidationError
from kamtui.exporting.cells import clean_text, needs_guard, neutralise, restore
from kamtui.exporting.columns import (
    BUILTIN,
    DEFAULT_COLUMNS,
    Column,
    Table,
    all_columns,
    birthday_text,
    load_table,
    parse_columns,
    phone_text,
    register_column,
    yuan,
)
from kamtui.exporting.data import resolve_selection, select_contacts
from kamtui.exporting.files import private_output
from kamtui.exporting.jsondump import FORMAT, VERSION, write_json
from kamtui.exporting.sheets import ENCODINGS, Progress, write_csv, write_xlsx
from kamtui.exporting.vcard import BIRTHDAY_STYLES, write_vcard
from kamtui.i18n import t

if TYPE_CHECKING:
    from kamtui.store.db import Book

FORMATS = ("csv", "xlsx", "vcf", "json")
#: File name endings -> format (``-o 客户.xlsx`` needs no ``--format``).
SUFFIXES = {".csv": "csv", ".xlsx": "xlsx", ".vcf": "vcf", ".vcard": "vcf", ".json": "json"}

__all__ = [
    "BIRTHDAY_STYLES",
    "BUILTIN",
    "DEFAULT_COLUMNS",
    "ENCODINGS",
    "FORMAT",
    "FORMATS",
    "SUFFIXES",
    "VERSION",
    "Column",
    "ExportResult",
    "Progress",
    "Table",
    "all_columns",
    "birthday_text",
    "clean_text",
    "export_contacts",
    "format_for_path",
    "load_table",
    "needs_guard",
    "neutralise",
    "parse_columns",
    "phone_text",
    "private_output",
    "register_column",
    "resolve_selection",
    "restore",
    "select_contacts",
    "write_csv",
    "write_json",
    "write_vcard",
    "write_xlsx",
    "yuan",
]


@dataclass(frozen=True)
class ExportResult:
    format: str
    count: int  # contacts written
    path: Path | None  # None when written to a stream


def format_for_path(path: str | os.PathLike | None, default: str = "csv") -> str:
    """The format a file name asks for (``.xlsx`` -> ``xlsx``), else ``default``."""
    if path is None:
        return default
    return SUFFIXES.get(Path(path).suffix.lower(), default)


def export_contacts(
    book: Book,
    fmt: str,
    target: str | os.PathLike | BinaryIO,
    *,
    ids: Iterable[int] | None = None,
    exclude_ids: Iterable[int] = (),
    include_archived: bool = False,
    columns: str | Sequence[str] | None = None,
    headers: str | None = None,
    encoding: str = "utf-8-sig",
    birthday_style: str = "apple",
    today: date | None = None,
    progress: Progress | None = None,
) -> ExportResult:
    """Export contacts to ``target`` (a path: written 0600, all or nothing; or a binary stream).

    ``ids``: the selection in order (None: every contact, archived ones only with
    ``include_archived``); ``exclude_ids`` are left out. ``columns`` and ``headers``
    (``zh``/``en``, default: the user's language) apply to CSV and XLSX;
    ``encoding`` to CSV; ``birthday_style`` to vCard (see :mod:`.vcard`).
    ``progress(done, total)`` is called as contacts are written (for a progress bar).
    """
    if fmt not in FORMATS:
        raise ValidationError(
            "format", t("export.bad_format", value=fmt, choices=", ".join(FORMATS))
        )
    if encoding not in ENCODINGS:
        raise ValidationError(
            "encoding", t("export.bad_encoding", value=encoding, choices=", ".join(ENCODINGS))
        )
    if birthday_style not in BIRTHDAY_STYLES:
        raise ValidationError(
            "birthday_style",
            t("export.bad_choice", value=birthday_style, choices=", ".join(BIRTHDAY_STYLES)),
        )
    lang = i18n.normalize(headers) if headers else i18n.language()
    if lang is None:
        raise ValidationError("headers", t("export.bad_headers", value=headers))
    column_ids = parse_columns(columns)
    today = today or clock.today()
    exclude_ids = list(exclude_ids)
    # Everything in the default order: a table reads it in one ordered query, no id list.
    table_reads_all = ids is None and not exclude_ids and fmt in ("csv", "xlsx")
    selection = (
        None
        if table_reads_all
        else resolve_selection(
            book, ids, exclude_ids=exclude_ids, include_archived=include_archived
        )
    )

    def write(out: BinaryIO) -> int:
        if fmt == "json":
            return write_json(book, selection, out, today=today, progress=progress)
        if fmt == "vcf":
            return write_vcard(
                book, selection, out, lang=lang, birthday_style=birthday_style, progress=progress
            )
        table = load_table(
            book,
            selection,
            column_ids,
            today=today,
            lang=lang,
            include_archived=include_archived,
        )
        if fmt == "csv":
            return write_csv(table, out, encoding=encoding, progress=progress)
        title = t("export.sheet_title", lang=lang)
        return write_xlsx(table, out, sheet_title=title, progress=progress)

    if hasattr(target, "write"):
        return ExportResult(fmt, write(target), None)  # type: ignore[arg-type]
    path = Path(target)
    with private_output(path) as f:
        count = write(f)
    return ExportResult(fmt, count, path)

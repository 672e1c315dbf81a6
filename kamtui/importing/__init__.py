"""Importing contact files: read (no book writes), plan (nothing written), apply (one
undoable transaction after a backup).

    >>> result = read_file("contacts.csv")
    >>> result.layout, len(result.records), result.problems[:3]
    >>> plan = plan_import(book, result, account="主号")
    >>> plan.counts(), plan.conflicts[:3], plan.rejected[:3]
    >>> report = apply_import(book, plan, on_conflict="keep", resolutions={0: "take"})

Public API (reading)
- :func:`read_file` — read a whole file (CSV/TSV, XLSX, vCard, JSON) into a
  :class:`ReadResult`: records, row problems, skip counters; raises
  :class:`ImportFileError` for a file that cannot be read.
- :func:`preview` — headers, first rows and the detected layout (mapping screen).
- :func:`detect_layout` — best :class:`Layout` for a header row, with a :class:`Mapping`.
- :class:`Mapping` — column -> field (or skip); JSON via ``to_dict``/``from_dict``.
- :class:`ImportRecord`, :class:`Birthday`, :class:`RowProblem` — what comes out.
- :data:`LAYOUTS`, :data:`MAPPABLE_FIELDS`, :func:`normalize_header`.

A row with a bad date (added on, last order, birthday) or a bad or negative
amount is rejected whole (a :class:`RowProblem` with ``rejected=True``); other
bad values (a phone, a gender) are left out of an imported row with a reason.
Dates go through :mod:`kamtui.dates` (``import_date`` / ``import_birthday`` in
``clean`` only add the layout's day/month order for ``5/1/1990``).

Public API (applying, :mod:`kamtui.importing.apply`; rules in its docstring)
- :func:`plan_import` -> :class:`ImportPlan`: matches, fills, :class:`Conflict` s,
  rejected rows, skips; nothing written.
- :func:`apply_import` -> :class:`ImportReport`: backup, one transaction, undo label
  "import <file>"; :class:`ImportStale` if the book changed since the plan.

Mapping profiles (:mod:`kamtui.importing.profiles`): :func:`save_profile`,
:func:`load_profile`, :func:`list_profiles`, :func:`delete_profile`.
"""

from kamtui.dates import Birthday
from kamtui.importing.apply import (
    Conflict,
    ImportPlan,
    ImportReport,
    ImportStale,
    apply_import,
    plan_import,
)
from kamtui.importing.layouts import (
    LAYOUTS,
    Detection,
    Layout,
    Mapping,
    detect_layout,
    normalize_header,
)
from kamtui.importing.model import (
    MAPPABLE_FIELDS,
    ImportFileError,
    ImportRecord,
    ReadResult,
    RowProblem,
)
from kamtui.importing.profiles import delete_profile, list_profiles, load_profile, save_profile
from kamtui.importing.reader import Preview, preview, read_file

__all__ = [
    "LAYOUTS",
    "MAPPABLE_FIELDS",
    "Birthday",
    "Conflict",
    "Detection",
    "ImportFileError",
    "ImportPlan",
    "ImportRecord",
    "ImportReport",
    "ImportStale",
    "Layout",
    "Mapping",
    "Preview",
    "ReadResult",
    "RowProblem",
    "apply_import",
    "delete_profile",
    "detect_layout",
    "list_profiles",
    "load_profile",
    "normalize_header",
    "plan_import",
    "preview",
    "read_file",
    "save_profile",
]

"""Reading contact files for import: files in, normalised records out (no book writes).

    >>> result = read_file("contacts.csv")
    >>> result.layout, len(result.records), result.problems[:3]

Public API
- :func:`read_file` — read a whole file (CSV/TSV, XLSX, vCard, JSON) into a
  :class:`ReadResult`: records, row problems, skip counters; raises
  :class:`ImportFileError` for a file that cannot be read.
- :func:`preview` — headers, first rows and the detected layout (mapping screen).
- :func:`detect_layout` — best :class:`Layout` for a header row, with a :class:`Mapping`.
- :class:`Mapping` — column -> field (or skip); JSON via ``to_dict``/``from_dict``.
- :class:`ImportRecord`, :class:`Birthday`, :class:`RowProblem` — what comes out.
- :data:`LAYOUTS`, :data:`MAPPABLE_FIELDS`, :func:`normalize_header`.
"""

from kamtui.dates import Birthday
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
from kamtui.importing.reader import Preview, preview, read_file

__all__ = [
    "LAYOUTS",
    "MAPPABLE_FIELDS",
    "Birthday",
    "Detection",
    "ImportFileError",
    "ImportRecord",
    "Layout",
    "Mapping",
    "Preview",
    "ReadResult",
    "RowProblem",
    "detect_layout",
    "normalize_header",
    "preview",
    "read_file",
]

"""VirtualTable: a keyboard-first table that renders only the rows on screen.

Textual's ``DataTable`` lays out every row it holds and re-measures on each
update, which is far too slow for 100,000 contacts. ``VirtualTable`` uses the
Line API (``ScrollView.render_line``): the data is a row count plus a function
that returns one row, called only for the lines being painted.

    table = VirtualTable([
        Column("name", t("col.name"), ratio=1, min_width=8),
        Column("phone", t("col.phone"), width=13),
        Column("spent", t("col.spent"), width=10, align="right"),
    ], empty_message=t("contacts.none_match"))
    table.set_rows(len(ids), lambda i: format_row(ids[i]), row_key=ids.__getitem__)

Cells are ``str`` (or any value, shown with ``str``) or ``rich.text.Text``
for styled badges. Cell text is data: it is never parsed as markup, and escape
sequences and control characters are removed with :func:`kamtui.fmt.safe`.
Widths are measured in terminal cells (a Chinese character is two cells), and
text too long for its column ends with ``…`` without splitting a wide character.

A row may also be a :class:`GroupRow` (a bold label across the whole width,
e.g. "逾期 (3)"; the cursor skips it and it cannot be selected) or a
:class:`StyledRow` (cells plus a style hint such as ``"dim"``).

Keys: up/down or k/j, pageup/pagedown, home/end or g/G, enter (``Selected``);
space selects the cursor row, v starts/ends a range, shift+up/down extend one,
``*`` selects every row, escape clears the selection (and is left to the screen
when nothing is selected). Messages: ``Highlighted(index, key)``,
``Selected(index, key)``, ``SelectionChanged(keys)``. The selection is a set of
record keys, so it survives new data (a search) and may include rows that are
not shown at the moment.

How it paints: ``set_rows`` only stores the count and the callables, sets the
virtual height and posts ``Highlighted``. ``render_line(y)`` maps screen line
``y`` to row ``scroll_y + y - 1`` (line 0 is the fixed header), and caches the
finished ``Strip`` by (row, is cursor, is selected). The cache is emptied when
the data, the width or the styles (theme, focus) change; moving the cursor
repaints just the two lines concerned, because their cache keys change.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import ClassVar, Literal, NamedTuple

from rich.cells import cell_len, split_graphemes
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.actions import SkipAction
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from kamtui.fmt import safe
from kamtui.i18n import t
from kamtui.screens.base import TranslatedBindings

Cell = str | Text
"""A cell: plain text (never markup) or a Rich ``Text`` for styled badges."""

ELLIPSIS = "…"
"""Ends text cut to fit its column. (East Asian *ambiguous* width: one cell in Rich
and in most terminals; a terminal set to draw ambiguous characters wide will
shift the rest of such a line by one cell.)"""

MARKER = "✓"
"""Marks selected rows (East Asian *neutral* width: one cell everywhere)."""

ROW_HINTS = ("dim", "warning", "error", "success")
"""Style hints a :class:`StyledRow` may carry; each is the component class ``vtable--<hint>``."""


@dataclass(frozen=True, slots=True)
class Column:
    """How one column is shown.

    Args:
        key: A name for the column (for the screen's own use, e.g. sorting).
        label: Header text (already translated).
        width: Fixed width in cells. ``None``: flexible if ``ratio`` > 0,
            otherwise as wide as ``label`` (and at least ``min_width``).
        min_width: Smallest width of a flexible or label-sized column.
        ratio: > 0 makes the column flexible: flexible columns share the width
            left over by the others in proportion to their ratios.
        align: ``"left"``, ``"right"`` (numbers, money) or ``"center"``.
        overflow: ``"ellipsis"`` ends cut text with ``…``; ``"crop"`` just cuts.
    """

    key: str
    label: Cell = ""
    width: int | None = None
    min_width: int = 0
    ratio: int = 0
    align: Literal["left", "right", "center"] = "left"
    overflow: Literal["ellipsis", "crop"] = "ellipsis"

    def __post_init__(self) -> None:
        if self.align not in ("left", "right", "center"):
            raise ValueError(f"align must be left, right or center, not {self.align!r}")
        if self.overflow not in ("ellipsis", "crop"):
            raise ValueError(f"overflow must be ellipsis or crop, not {self.overflow!r}")
        if (self.width is not None and self.width < 0) or self.min_width < 0 or self.ratio < 0:
            raise ValueError("column widths and ratio must not be negative")


class GroupRow(NamedTuple):
    """A group header row ("逾期 (3)"): one label across all columns.

    The cursor skips group rows and they cannot be selected; give them the key
    ``None`` when you pass ``row_key``.
    """

    label: Cell


class StyledRow(NamedTuple):
    """A row with a style hint, one of :data:`ROW_HINTS` (e.g. ``"dim"`` for archived)."""

    cells: tuple
    hint: str


RowData = tuple | GroupRow | StyledRow
"""What ``get_row`` returns: a tuple of cells, a GroupRow or a StyledRow."""


def layout_columns(columns: Sequence[Column], width: int, gap: int = 1) -> list[int]:
    """The width of each column when the table content is ``width`` cells wide.

    Fixed columns get their width, label-sized ones the width of their label,
    flexible ones (``ratio`` > 0) their ``min_width`` plus a share of what is
    left. When even that does not fit, the line is cut at the right edge.
    """
    widths: list[int] = []
    for column in columns:
        if column.width is not None:
            widths.append(column.width)
        elif column.ratio > 0:
            widths.append(column.min_width)
        else:
            widths.append(max(column.min_width, cell_len(_plain(column.label))))
    flexible = [i for i, column in enumerate(columns) if column.width is None and column.ratio]
    slack = width - sum(widths) - gap * max(0, len(columns) - 1)
    if slack > 0 and flexible:
        total = sum(columns[i].ratio for i in flexible)
        shares = [slack * columns[i].ratio // total for i in flexible]
        left_over = slack - sum(shares)
        for n, i in enumerate(flexible):
            widths[i] += shares[n] + (1 if n < left_over else 0)
    return widths


def _plain(cell: object) -> str:
    return cell.plain if isinstance(cell, Text) else safe(cell)


def cut_cells(text: str, width: int) -> str:
    """The longest start of ``text`` that fits in ``width`` cells, never splitting a
    wide character (or any grapheme: emoji with modifiers stay whole)."""
    if width <= 0:
        return ""
    if text.isascii():
        return text[:width]
    spans, _ = split_graphemes(text)
    used = end = 0
    for _start, stop, size in spans:
        if used + size > width:
            break
        used += size
        end = stop
    return text[:end]


def fit_segments(
    parts: Sequence[tuple[str, Style]],
    width: int,
    align: str,
    overflow: str,
    pad_style: Style,
) -> list[Segment]:
    """Styled pieces of text cut or padded to exactly ``width`` cells."""
    if width <= 0:
        return []
    lengths = [cell_len(text) for text, _ in parts]
    used = sum(lengths)
    if used <= width:
        segments = [Segment(text, style) for text, style in parts if text]
    else:
        budget = width - 1 if overflow == "ellipsis" else width
        segments = []
        used = 0
        last_style = pad_style
        for (text, style), size in zip(parts, lengths, strict=True):
            if not text:
                continue
            last_style = style
            if used + size <= budget:
                segments.append(Segment(text, style))
                used += size
                continue
            head = cut_cells(text, budget - used)
            if head:
                segments.append(Segment(head, style))
                used += cell_len(head)
            break
        if overflow == "ellipsis":
            segments.append(Segment(ELLIPSIS, last_style))
            used += 1
    pad = width - used
    if pad > 0:
        if align == "right":
            segments.insert(0, Segment(" " * pad, pad_style))
        elif align == "center":
            segments.insert(0, Segment(" " * (pad // 2), pad_style))
            segments.append(Segment(" " * (pad - pad // 2), pad_style))
        else:
            segments.append(Segment(" " * pad, pad_style))
    return segments


class _Frame(NamedTuple):
    """What every line of one paint shares: width, column widths and styles."""

    width: int
    widths: tuple[int, ...]
    base: Style
    header: Style
    cursor: Style
    selected: Style
    marker: Style
    group: Style
    empty: Style
    hints: dict[str, Style]


@dataclass
class _Range:
    """A range selection in progress: from ``anchor`` to the cursor, added to ``base``."""

    anchor: int
    base: set
    mode: Literal["v", "shift"]


def _foreground(style: Style) -> Style:
    """A component style without its background, to layer over another background."""
    return Style(
        color=style.color,
        bold=style.bold,
        dim=style.dim,
        italic=style.italic,
        underline=style.underline,
        strike=style.strike,
        reverse=style.reverse,
    )


def _no_row(index: int) -> RowData:
    raise IndexError(index)


def _binding(keys: str, action: str, name: str, *, show: bool = False) -> Binding:
    """Binding ``vtable.<name>``; its description is the message key ``vtable.key.<name>``."""
    return Binding(keys, action, f"vtable.key.{name}", show=show, id=f"vtable.{name}")


class VirtualTable(TranslatedBindings, ScrollView, can_focus=True, inherit_bindings=False):
    """A virtual table: a header line, rows fetched lazily, a row cursor and multi-select.

    Args:
        columns: The columns (see :class:`Column`).
        empty_message: Shown when there are no rows (default: a generic message).
        multi_select: Allow selecting rows (space, v, shift+arrows, *, escape)
            and reserve a two-cell gutter for the selection marker.
        show_header: Show the fixed header line.
    """

    ALLOW_SELECT = False

    BINDINGS: ClassVar[list[BindingType]] = [
        _binding("up,k", "cursor_up", "cursor_up"),
        _binding("down,j", "cursor_down", "cursor_down"),
        _binding("pageup", "cursor_page_up", "page_up"),
        _binding("pagedown", "cursor_page_down", "page_down"),
        _binding("home,g", "cursor_first", "first"),
        _binding("end,G", "cursor_last", "last"),
        _binding("enter", "select", "select"),
        _binding("space", "toggle_selection", "toggle", show=True),
        _binding("v", "range_selection", "range", show=True),
        _binding("shift+up", "extend_up", "extend_up"),
        _binding("shift+down", "extend_down", "extend_down"),
        _binding("asterisk", "select_all", "select_all", show=True),
        _binding("escape", "clear_selection", "clear_selection", show=True),
    ]
    """Ids ``vtable.<name>`` (for keymaps); descriptions are message keys, put in the
    current language when a table is created (the app restarts to switch language)."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "vtable--header",
        "vtable--cursor",
        "vtable--selected",
        "vtable--marker",
        "vtable--group",
        "vtable--empty",
        *(f"vtable--{hint}" for hint in ROW_HINTS),
    }

    DEFAULT_CSS = """
    VirtualTable {
        height: 1fr;
        background: $surface;
        color: $foreground;
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-gutter: stable;
        scrollbar-size-vertical: 1;
        & > .vtable--header {
            color: $text-primary;
            background: $panel;
            text-style: bold;
        }
        & > .vtable--cursor {
            color: $block-cursor-blurred-foreground;
            background: $block-cursor-blurred-background;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus > .vtable--cursor {
            color: $block-cursor-foreground;
            background: $block-cursor-background;
            text-style: $block-cursor-text-style;
        }
        & > .vtable--selected {
            background: $accent 25%;
        }
        & > .vtable--marker {
            color: $text-accent;
            text-style: bold;
        }
        & > .vtable--group {
            color: $text-secondary;
            background: $boost;
            text-style: bold;
        }
        & > .vtable--empty {
            color: $text-muted;
            text-style: italic;
        }
        & > .vtable--dim {
            color: $text-muted;
        }
        & > .vtable--warning {
            color: $text-warning;
        }
        & > .vtable--error {
            color: $text-error;
        }
        & > .vtable--success {
            color: $text-success;
        }
    }
    """

    class Highlighted(Message):
        """The cursor moved to another row, or the data under it changed.

        ``index`` and ``key`` are ``None`` when there is no row to highlight.
        """

        def __init__(self, table: VirtualTable, index: int | None, key: Hashable | None) -> None:
            super().__init__()
            self.table = table
            self.index = index
            self.key = key

        @property
        def control(self) -> VirtualTable:
            return self.table

    class Selected(Message):
        """Enter (or a double click) on a row: the screen should open it."""

        def __init__(self, table: VirtualTable, index: int, key: Hashable | None) -> None:
            super().__init__()
            self.table = table
            self.index = index
            self.key = key

        @property
        def control(self) -> VirtualTable:
            return self.table

    class SelectionChanged(Message):
        """The set of selected keys changed (``keys`` is a snapshot)."""

        def __init__(self, table: VirtualTable, keys: frozenset) -> None:
            super().__init__()
            self.table = table
            self.keys = keys

        @property
        def control(self) -> VirtualTable:
            return self.table

    def __init__(
        self,
        columns: Iterable[Column] = (),
        *,
        empty_message: str | None = None,
        multi_select: bool = True,
        show_header: bool = True,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self._columns: tuple[Column, ...] = tuple(columns)
        self._empty_message = t("vtable.empty") if empty_message is None else empty_message
        self._multi_select = multi_select
        self._header_height = 1 if show_header else 0
        self._gutter = 2 if multi_select else 0
        self._count = 0
        self._get_row: Callable[[int], RowData] = _no_row
        self._key_fn: Callable[[int], Hashable | None] | None = None
        self._index_of: Callable[[Hashable], int | None] | None = None
        self._keys: Sequence[Hashable | None] | None = None
        self._cursor: int | None = None
        self._selected: set = set()
        self._range: _Range | None = None
        self._last_highlight: tuple | None = None
        self._frame: _Frame | None = None
        self._lines: LRUCache[tuple[int, bool, bool], Strip] = LRUCache(1024)
        self._header: Strip | None = None
        self.virtual_size = Size(self._min_width(), self._header_height)

    # ------------------------------------------------------------------ data

    def set_rows(
        self,
        count: int,
        get_row: Callable[[int], RowData],
        *,
        row_key: Callable[[int], Hashable | None] | None = None,
        index_of: Callable[[Hashable], int | None] | None = None,
        keep_key: bool = False,
    ) -> None:
        """Show ``count`` rows; ``get_row(i)`` is called only for rows being painted.

        Args:
            count: Number of rows.
            get_row: Row ``i`` (0 <= i < count): a tuple of cells, a
                :class:`GroupRow` or a :class:`StyledRow`.
            row_key: The record key of row ``i`` (e.g. the contact id), ``None``
                for group rows. Selection is kept by key, so it survives
                re-filtering. Without it the key is the row index (and group
                rows are found by calling ``get_row``).
            index_of: The row index of a key, or ``None``; makes ``keep_key``
                instant (otherwise it scans ``row_key`` over the rows).
            keep_key: Keep the cursor on the same record (and at the same height
                on screen) if it is still there; otherwise the cursor goes to the
                first row.

        Nothing is done per row: the cost does not depend on ``count``.
        """
        self._replace_data(count, get_row, row_key, index_of, None, keep_key)

    def set_data(
        self,
        rows: Sequence[RowData],
        *,
        keys: Sequence[Hashable | None] | None = None,
        keep_key: bool = False,
    ) -> None:
        """Show already built rows; ``keys`` (same length, ``None`` for group rows)
        are the record keys. See :meth:`set_rows`."""
        if keys is not None and len(keys) != len(rows):
            raise ValueError("keys and rows must have the same length")
        row_key = keys.__getitem__ if keys is not None else None
        self._replace_data(len(rows), rows.__getitem__, row_key, None, keys, keep_key)

    def _replace_data(self, count, get_row, row_key, index_of, keys, keep_key) -> None:
        old_key = self.cursor_key if keep_key else None
        old_cursor = self._cursor
        old_line = None if old_cursor is None else old_cursor - self.scroll_offset.y
        self._count = max(0, int(count))
        self._get_row = get_row
        self._key_fn = row_key
        self._index_of = index_of
        self._keys = keys
        self._range = None
        self._lines.clear()
        self.virtual_size = Size(self._min_width(), self._count + self._header_height)

        cursor = None
        if keep_key and old_key is not None:
            cursor = self._find_key(old_key)
            if cursor is None and old_cursor is not None and self._count:
                cursor = self._snap(min(old_cursor, self._count - 1), 1)
        if cursor is None:
            cursor = self._find_selectable(0, 1)
        self._cursor = cursor
        if cursor is not None and old_line is not None and keep_key:
            self._scroll_top(cursor - old_line)
        else:
            self._scroll_top(0)
        self._scroll_cursor_into_view()
        self.refresh()
        self._post_highlight(force=True)

    def refresh_rows(self) -> None:
        """Repaint after rows changed in place (same count and order)."""
        self._lines.clear()
        self.refresh()

    def refresh_row(self, index: int) -> None:
        """Repaint row ``index`` after its data changed in place."""
        for is_cursor in (False, True):
            for is_selected in (False, True):
                self._lines.discard((index, is_cursor, is_selected))
        self._refresh_row(index)

    @property
    def row_count(self) -> int:
        return self._count

    def get_row(self, index: int) -> RowData:
        if not 0 <= index < self._count:
            raise IndexError(index)
        return self._get_row(index)

    def row_key(self, index: int) -> Hashable | None:
        """The record key of row ``index`` (``None`` for a group row)."""
        if not 0 <= index < self._count:
            raise IndexError(index)
        if self._key_fn is not None:
            return self._key_fn(index)
        return None if isinstance(self._get_row(index), GroupRow) else index

    def index_of_key(self, key: Hashable) -> int | None:
        """The row showing ``key``, or ``None``."""
        return self._find_key(key)

    def _find_key(self, key: Hashable) -> int | None:
        if key is None or not self._count:
            return None
        if self._index_of is not None:
            index = self._index_of(key)
            return index if index is not None and 0 <= index < self._count else None
        if self._keys is not None:
            try:
                return self._keys.index(key)
            except ValueError:
                return None
        if self._key_fn is None:
            if isinstance(key, int) and 0 <= key < self._count and not self._is_group(key):
                return key
            return None
        key_fn = self._key_fn
        for index in range(self._count):
            if key_fn(index) == key:
                return index
        return None

    def _is_group(self, index: int) -> bool:
        return isinstance(self._get_row(index), GroupRow)

    def _find_selectable(self, start: int, step: int) -> int | None:
        """The first row from ``start`` (going by ``step``) that is not a group row."""
        index = start
        while 0 <= index < self._count:
            if not self._is_group(index):
                return index
            index += step
        return None

    def _snap(self, index: int, step: int) -> int | None:
        found = self._find_selectable(index, step)
        return found if found is not None else self._find_selectable(index, -step)

    # ------------------------------------------------------------ columns etc.

    @property
    def columns(self) -> tuple[Column, ...]:
        return self._columns

    def set_columns(self, columns: Iterable[Column]) -> None:
        self._columns = tuple(columns)
        self._frame = None
        self._header = None
        self._lines.clear()
        self.virtual_size = Size(self._min_width(), self._count + self._header_height)
        self.refresh()

    @property
    def empty_message(self) -> str:
        return self._empty_message

    @empty_message.setter
    def empty_message(self, message: str) -> None:
        self._empty_message = message
        if not self._count:
            self.refresh()

    def _min_width(self) -> int:
        widths = layout_columns(self._columns, 0)
        return self._gutter + sum(widths) + max(0, len(widths) - 1)

    # ---------------------------------------------------------------- cursor

    @property
    def cursor_row(self) -> int | None:
        """Index of the highlighted row, ``None`` when there is none."""
        return self._cursor

    @cursor_row.setter
    def cursor_row(self, index: int) -> None:
        self.move_cursor(index)

    @property
    def cursor_key(self) -> Hashable | None:
        return None if self._cursor is None else self.row_key(self._cursor)

    def move_cursor(self, index: int) -> None:
        """Highlight row ``index`` (or the nearest row that is not a group row)."""
        if not self._count:
            return
        target = self._snap(max(0, min(index, self._count - 1)), 1)
        if target is not None:
            self._move_to(target)

    def _move_to(self, index: int) -> None:
        old = self._cursor
        if index == old:
            return
        self._cursor = index
        self._refresh_row(old)
        self._refresh_row(index)
        self._scroll_cursor_into_view()
        if self._range is not None:
            self._apply_range()
        self._post_highlight()

    def _post_highlight(self, force: bool = False) -> None:
        current = (self._cursor, self.cursor_key)
        if force or current != self._last_highlight:
            self._last_highlight = current
            self.post_message(self.Highlighted(self, *current))

    def _visible_rows(self) -> int:
        return max(0, self.scrollable_content_region.height - self._header_height)

    def _scroll_cursor_into_view(self) -> None:
        rows = self._visible_rows()
        cursor = self._cursor
        if rows <= 0 or cursor is None:
            return
        top = self.scroll_offset.y
        if cursor < top:
            new_top = cursor
            # Show the group header the cursor row sits under.
            while new_top > 0 and self._is_group(new_top - 1) and cursor - new_top + 1 < rows:
                new_top -= 1
        elif cursor >= top + rows:
            new_top = cursor - rows + 1
        else:
            return
        self._scroll_top(new_top)

    def _scroll_top(self, top: int) -> None:
        """Show row ``top`` first (clamped); before mounting there is nothing to scroll."""
        if self.is_mounted:
            self.scroll_to(y=max(0, top), animate=False, force=True)

    def _refresh_row(self, index: int | None) -> None:
        if index is None:
            return
        line = index - self.scroll_offset.y
        if 0 <= line < self._visible_rows():
            self.refresh_lines(index + self._header_height)

    def _step(self, step: int) -> None:
        if self._cursor is None:
            return
        target = self._find_selectable(self._cursor + step, step)
        if target is not None:
            self._move_to(target)

    def _page(self, step: int) -> None:
        if self._cursor is None:
            return
        rows = max(1, self._visible_rows())
        target = max(0, min(self._cursor + step * rows, self._count - 1))
        target = self._snap(target, step)
        self._scroll_top(min(self.scroll_offset.y + step * rows, self.max_scroll_y))
        if target is not None:
            self._move_to(target)

    def _end_shift_range(self) -> None:
        if self._range is not None and self._range.mode == "shift":
            self._range = None

    def action_cursor_up(self) -> None:
        self._end_shift_range()
        self._step(-1)

    def action_cursor_down(self) -> None:
        self._end_shift_range()
        self._step(1)

    def action_cursor_page_up(self) -> None:
        self._end_shift_range()
        self._page(-1)

    def action_cursor_page_down(self) -> None:
        self._end_shift_range()
        self._page(1)

    def action_cursor_first(self) -> None:
        self._end_shift_range()
        if self._count:
            target = self._find_selectable(0, 1)
            if target is not None:
                self._move_to(target)
            self._scroll_cursor_into_view()

    def action_cursor_last(self) -> None:
        self._end_shift_range()
        if self._count:
            target = self._find_selectable(self._count - 1, -1)
            if target is not None:
                self._move_to(target)

    def action_select(self) -> None:
        if self._cursor is not None:
            self.post_message(self.Selected(self, self._cursor, self.cursor_key))

    # ------------------------------------------------------------- selection

    @property
    def selected_keys(self) -> set:
        """A copy of the keys of the selected rows (they may be filtered out of view)."""
        return set(self._selected)

    @selected_keys.setter
    def selected_keys(self, keys: Iterable[Hashable]) -> None:
        self._range = None
        self._set_selection({key for key in keys if key is not None})

    def clear_selection(self) -> None:
        self._range = None
        self._set_selection(set())

    def select_all(self) -> None:
        """Select every row of the current data (group rows excepted)."""
        if not self._multi_select:
            return
        self._range = None
        self._set_selection(self._selected | self._all_keys())

    def toggle_selection(self, index: int | None = None) -> None:
        """Select or unselect row ``index`` (default: the cursor row)."""
        index = self._cursor if index is None else index
        if not self._multi_select or index is None or not 0 <= index < self._count:
            return
        key = self.row_key(index)
        if key is None:
            return
        was_empty = not self._selected
        self._selected.symmetric_difference_update((key,))
        if self._range is not None:
            self._range.base.symmetric_difference_update((key,))
        self._refresh_row(index)
        self._selection_changed(was_empty)

    def _all_keys(self) -> set:
        if self._keys is not None:
            keys = set(self._keys)
        else:
            keys = {self.row_key(index) for index in range(self._count)}
        keys.discard(None)
        return keys

    def _set_selection(self, keys: set) -> None:
        if keys == self._selected:
            return
        was_empty = not self._selected
        self._selected = keys
        self.refresh()
        self._selection_changed(was_empty)

    def _selection_changed(self, was_empty: bool) -> None:
        if was_empty != (not self._selected):
            self.refresh_bindings()
        self.post_message(self.SelectionChanged(self, frozenset(self._selected)))

    def _apply_range(self) -> None:
        span = self._range
        if span is None or self._cursor is None:
            return
        low, high = sorted((span.anchor, self._cursor))
        keys = set(span.base)
        keys.update(self.row_key(index) for index in range(low, high + 1))
        keys.discard(None)
        self._set_selection(keys)

    def _start_range(self, mode: Literal["v", "shift"]) -> None:
        if self._cursor is not None:
            self._range = _Range(self._cursor, set(self._selected), mode)
            self._apply_range()

    def action_toggle_selection(self) -> None:
        self.toggle_selection()

    def action_range_selection(self) -> None:
        if not self._multi_select:
            raise SkipAction()
        if self._range is not None and self._range.mode == "v":
            self._range = None
        else:
            self._start_range("v")

    def _extend(self, step: int) -> None:
        if not self._multi_select:
            raise SkipAction()
        if self._range is None:
            self._start_range("shift")
        self._step(step)

    def action_extend_up(self) -> None:
        self._extend(-1)

    def action_extend_down(self) -> None:
        self._extend(1)

    def action_select_all(self) -> None:
        if not self._multi_select:
            raise SkipAction()
        self.select_all()

    def action_clear_selection(self) -> None:
        if not (self._selected or self._range):
            # Nothing to clear: let escape reach the screen ("back").
            raise SkipAction()
        self.clear_selection()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("toggle_selection", "range_selection", "select_all"):
            return self._multi_select
        if action in ("extend_up", "extend_down"):
            return self._multi_select
        if action == "clear_selection":
            return bool(self._selected or self._range)
        return True

    # ----------------------------------------------------------------- mouse

    async def _on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or offset.y < self._header_height:
            return
        index = self.scroll_offset.y + offset.y - self._header_height
        if not 0 <= index < self._count or self._is_group(index):
            return
        event.stop()
        self._end_shift_range()
        self._move_to(index)
        if event.chain >= 2:
            self.action_select()

    # ------------------------------------------------------------- rendering

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._frame = None
        self._header = None
        self._lines.clear()
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        self._scroll_cursor_into_view()

    def _get_frame(self) -> _Frame:
        width = self.scrollable_content_region.width
        frame = self._frame
        if frame is not None and frame.width == width:
            return frame
        self._lines.clear()
        self._header = None
        style = self.get_component_rich_style
        base = self.rich_style
        frame = _Frame(
            width=width,
            widths=tuple(layout_columns(self._columns, width - self._gutter)),
            base=base,
            header=base + style("vtable--header"),
            cursor=style("vtable--cursor"),
            selected=style("vtable--selected"),
            marker=_foreground(style("vtable--marker")),
            group=base + style("vtable--group"),
            empty=base + style("vtable--empty"),
            hints={hint: _foreground(style(f"vtable--{hint}")) for hint in ROW_HINTS},
        )
        self._frame = frame
        return frame

    def render_line(self, y: int) -> Strip:
        frame = self._get_frame()
        header_height = self._header_height
        if y < header_height:
            if self._header is None:
                self._header = self._render_header(frame)
            return self._header
        if not self._count:
            if y == header_height and self._empty_message:
                return self._render_label(self._empty_message, frame.empty, frame)
            return Strip.blank(frame.width, frame.base)
        index = self.scroll_offset.y + y - header_height
        if not 0 <= index < self._count:
            return Strip.blank(frame.width, frame.base)
        is_cursor = index == self._cursor
        is_selected = bool(self._selected) and self.row_key(index) in self._selected
        cache_key = (index, is_cursor, is_selected)
        strip = self._lines.get(cache_key)
        if strip is None:
            strip = self._render_row(index, is_cursor, is_selected, frame)
            self._lines[cache_key] = strip
        return strip

    def _parts(self, cell: object, style: Style) -> list[tuple[str, Style]]:
        """A cell as (safe text, style) pieces; Text keeps its colours, never actions."""
        if isinstance(cell, Text):
            parts = []
            for segment in cell.render(self.app.console):
                if not segment.text or segment.control:
                    continue
                cell_style = segment.style
                if cell_style is None:
                    parts.append((safe(segment.text), style))
                    continue
                if cell_style.link or cell_style.meta:
                    # No @click actions or links from cell content (e.g. markup parsed by mistake).
                    cell_style = cell_style.clear_meta_and_links()
                parts.append((safe(segment.text), style + cell_style))
            return parts
        if cell is None:
            return []
        return [(safe(cell), style)]

    def _finish(self, segments: list[Segment], used: int, frame: _Frame, style: Style) -> Strip:
        width = frame.width
        if used < width:
            segments.append(Segment(" " * (width - used), style))
        strip = Strip(segments, max(used, width))
        return strip.crop(0, width) if used > width else strip

    def _render_header(self, frame: _Frame) -> Strip:
        style = frame.header
        segments: list[Segment] = []
        used = self._gutter
        if self._gutter:
            segments.append(Segment(" " * self._gutter, style))
        for n, (column, width) in enumerate(zip(self._columns, frame.widths, strict=True)):
            if n:
                segments.append(Segment(" ", style))
                used += 1
            parts = self._parts(column.label, style)
            segments.extend(fit_segments(parts, width, column.align, "ellipsis", style))
            used += width
        return self._finish(segments, used, frame, style)

    def _render_label(self, label: Cell, style: Style, frame: _Frame) -> Strip:
        """One label across the whole width (group rows, the empty message)."""
        segments: list[Segment] = []
        if self._gutter:
            segments.append(Segment(" " * self._gutter, style))
        width = max(0, frame.width - self._gutter)
        segments.extend(fit_segments(self._parts(label, style), width, "left", "ellipsis", style))
        return self._finish(segments, self._gutter + width, frame, style)

    def _render_row(self, index: int, is_cursor: bool, is_selected: bool, frame: _Frame) -> Strip:
        row = self._get_row(index)
        if isinstance(row, GroupRow):
            return self._render_label(row.label, frame.group, frame)
        # Layers: base, selected (background), hint (text colour only), cursor (both).
        style = frame.base
        if is_selected:
            style = style + frame.selected
        if isinstance(row, StyledRow):
            hint_style = frame.hints.get(row.hint)
            if hint_style is not None:
                style = style + hint_style
            row = row.cells
        if is_cursor:
            style = style + frame.cursor
        segments: list[Segment] = []
        used = self._gutter
        if self._gutter:
            if is_selected:
                segments.append(Segment(MARKER, style + frame.marker))
                segments.append(Segment(" " * (self._gutter - 1), style))
            else:
                segments.append(Segment(" " * self._gutter, style))
        cell_count = len(row)
        for n, (column, width) in enumerate(zip(self._columns, frame.widths, strict=True)):
            if n:
                segments.append(Segment(" ", style))
                used += 1
            cell = row[n] if n < cell_count else None
            parts = self._parts(cell, style)
            segments.extend(fit_segments(parts, width, column.align, column.overflow, style))
            used += width
        return self._finish(segments, used, frame, style)

"""Terminal charts: horizontal bars, a column chart, a sparkline, as Rich ``Text``.

The renderers are pure functions of the data, a width in terminal cells and a
:class:`ChartStyles`; they never choose colours themselves. :class:`ChartView`
is the widget that shows them: its component classes take their colours from
the theme (``$text-primary``, ``$text-accent``…), so a chart reads the same on
a light and on a dark background, and it draws again when the theme or its
width changes.

Rules every chart follows:

* The number is always printed beside its bar: colour never carries
  information alone (a highlighted bar also gets a mark or a bold label).
* Bars are drawn in eighths of a cell (``▏▎▍▌▋▊▉█`` across, ``▁▂▃▄▅▆▇█``
  upward); any value above zero shows at least one eighth, zero shows nothing.
* Widths are terminal cells (a Chinese character is two): labels are padded
  and cut by cells, so Chinese and Latin labels line up, and no line is
  wider than the width given.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import ClassVar, Literal

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.style import Style, StyleType
from rich.text import Text
from textual.widget import Widget

from kamtui.fmt import safe
from kamtui.i18n import language

EIGHTHS = "▏▎▍▌▋▊▉█"
"""One to eight eighths of a cell, filled from the left."""

LEVELS = "▁▂▃▄▅▆▇█"
"""One to eight eighths of a cell, filled from the bottom."""

ELLIPSIS = "…"

Align = Literal["left", "right", "center"]


# ---- cells ---------------------------------------------------------------------------------


def fit(text: str, width: int, align: Align = "left") -> str:
    """``text`` padded or cut to exactly ``width`` cells (cut text ends with ``…``).

    A wide character is never split (the line is padded after the ``…``).
    """
    if width <= 0:
        return ""
    size = cell_len(text)
    if size > width:
        text = _cut(text, width - 1) + ELLIPSIS
        size = cell_len(text)
    pad = width - size
    if align == "right":
        return " " * pad + text
    if align == "center":
        return " " * (pad // 2) + text + " " * (pad - pad // 2)
    return text + " " * pad


def _cut(text: str, width: int) -> str:
    """The longest start of ``text`` that fits in ``width`` cells."""
    used = 0
    for i, char in enumerate(text):
        used += cell_len(char)
        if used > width:
            return text[:i]
    return text


# ---- bars ----------------------------------------------------------------------------------


def eighths(value: float, maximum: float, width: int) -> int:
    """How many eighths of a cell a bar of ``value`` gets when ``maximum`` fills ``width`` cells.

    Rounded to the nearest eighth (integers exactly); zero or less is no bar,
    anything above zero is at least one eighth, ``maximum`` or more fills the width.
    """
    if width <= 0 or maximum <= 0 or value <= 0:
        return 0
    full = width * 8
    if value >= maximum:
        return full
    if isinstance(value, int) and isinstance(maximum, int):
        n = (2 * value * full + maximum) // (2 * maximum)
    else:
        n = int(value * full / maximum + 0.5)
    return max(1, min(n, full))


def bar(value: float, maximum: float, width: int) -> str:
    """A horizontal bar of eighth blocks, at most ``width`` cells (no padding)."""
    whole, rest = divmod(eighths(value, maximum, width), 8)
    return "█" * whole + (EIGHTHS[rest - 1] if rest else "")


def column(value: float, maximum: float, height: int) -> list[str]:
    """One column of ``height`` cells, top line first (``" "``, ``▁``…``█``)."""
    n = eighths(value, maximum, height)
    out = []
    for level in range(height - 1, -1, -1):
        k = min(max(n - level * 8, 0), 8)
        out.append(LEVELS[k - 1] if k else " ")
    return out


def sparkline(values: Sequence[float]) -> str:
    """One cell per value, ``▁`` (zero or less) to ``█`` (the largest)."""
    top = max(values, default=0)
    out = []
    for v in values:
        n = eighths(v, top, 1)
        out.append(LEVELS[n - 1] if n else LEVELS[0])
    return "".join(out)


# ---- styles --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChartStyles:
    """The styles a chart is drawn with (from the theme, see :class:`ChartView`)."""

    bar: StyleType = ""
    highlight: StyleType = "bold"  # a bar singled out (top 20%, this month)
    warning: StyleType = ""  # a bar near a limit (an account nearly full)
    track: StyleType = "dim"  # the empty part of a bar, when shown
    label: StyleType = ""
    number: StyleType = "bold"
    muted: StyleType = "dim"
    named: dict[str, StyleType] = field(default_factory=dict)  # e.g. tier colours

    def get(self, name: str) -> StyleType:
        if name in self.named:
            return self.named[name]
        return getattr(self, name, "")


PLAIN = ChartStyles()


# ---- horizontal bar chart ----------------------------------------------------------------


@dataclass(frozen=True)
class BarRow:
    """One line of a bar chart: ``label  ██████▍  numbers…``.

    ``maximum`` (optional) is what fills the bar for this row alone (an
    account's cap); ``style`` names the :class:`ChartStyles` field the bar is
    drawn with; ``bold`` makes the label and numbers stand out too.
    """

    label: str
    value: float
    numbers: tuple[str, ...] = ()
    maximum: float | None = None
    style: str = "bar"
    bold: bool = False


def bar_chart(
    rows: Sequence[BarRow],
    width: int,
    styles: ChartStyles = PLAIN,
    *,
    maximum: float | None = None,
    header: Sequence[str] | None = None,
    track: str = "",
    min_bar: int = 6,
    max_label: int | None = None,
) -> Text:
    """Horizontal bars, one per row, labels on the left and numbers on the right.

    ``maximum`` fills a bar (default: the largest value); rows with their own
    ``maximum`` use it. ``header`` titles the number columns (shown above
    them, dim). ``track`` draws the unfilled rest of each bar (e.g. ``░``).
    Labels get at most ``max_label`` cells (default a third of the width),
    bars at least ``min_bar`` cells while the labels can shrink; every line
    is at most ``width`` cells.
    """
    if width <= 0 or not rows:
        return Text()
    top = maximum if maximum is not None else max((r.value for r in rows), default=0)
    labels = [safe(r.label) for r in rows]
    ncols = max(len(r.numbers) for r in rows)
    if header is not None:
        ncols = max(ncols, len(header))
    widths = [0] * ncols
    for numbers in [r.numbers for r in rows] + ([tuple(header)] if header else []):
        for i, n in enumerate(numbers):
            widths[i] = max(widths[i], cell_len(n))
    numbers_width = sum(widths) + max(ncols - 1, 0) * 2
    label_width = max((cell_len(x) for x in labels), default=0)
    label_width = min(label_width, max_label if max_label is not None else max(width // 3, 4))
    gap_label = 1 if label_width else 0
    gap_numbers = 1 if ncols else 0
    bar_width = width - label_width - gap_label - numbers_width - gap_numbers
    if bar_width < min_bar and label_width:
        # labels give way first, down to four cells
        take = min(min_bar - bar_width, max(label_width - 4, 0))
        label_width -= take
        bar_width += take
    bar_width = max(bar_width, 0)

    lines = []
    if header is not None:
        line = Text(" " * (label_width + gap_label + bar_width + gap_numbers), style=styles.muted)
        line.append(_numbers(header, widths), style=styles.muted)
        lines.append(line)
    for row, label in zip(rows, labels, strict=True):
        line = Text()
        if label_width:
            line.append(fit(label, label_width), style=_bold(styles.label, row.bold))
            line.append(" ")
        row_max = row.maximum if row.maximum is not None else top
        drawn = bar(row.value, row_max, bar_width)
        line.append(drawn, style=styles.get(row.style))
        rest = bar_width - len(drawn)
        if rest:
            fill = track * rest if track and row_max > 0 else " " * rest
            line.append(fill, style=styles.track if track else "")
        if ncols:
            line.append(" ")
            line.append(_numbers(row.numbers, widths), style=_bold(styles.number, row.bold))
        lines.append(line)
    return _join(lines, width)


def _numbers(numbers: Sequence[str], widths: Sequence[int]) -> str:
    cells = [fit(numbers[i] if i < len(numbers) else "", w, "right") for i, w in enumerate(widths)]
    return "  ".join(cells)


def _bold(style: StyleType, bold: bool) -> StyleType:
    if not bold:
        return style
    base = Style.parse(style) if isinstance(style, str) else style
    return base + Style(bold=True)


def _join(lines: list[Text], width: int) -> Text:
    """Lines as one Text, each cut to ``width`` cells, never wrapped."""
    for line in lines:
        if line.cell_len > width:
            line.truncate(width, overflow="crop")
    text = Text("\n").join(lines)
    text.no_wrap = True
    text.overflow = "crop"
    return text


# ---- column chart -----------------------------------------------------------------------


@dataclass(frozen=True)
class ColumnRow:
    """A line of text under the columns, one cell per column (values, months…)."""

    title: str
    cells: Sequence[str]
    style: str = "number"


def column_chart(
    values: Sequence[float],
    width: int,
    styles: ChartStyles = PLAIN,
    *,
    height: int = 6,
    rows: Sequence[ColumnRow] = (),
    highlight: Sequence[int] = (),
    min_column: int = 3,
) -> Text | None:
    """Columns ``height`` lines tall with lines of labels under them, aligned.

    Each column is as wide as the widest cell of ``rows`` (at least
    ``min_column``), one cell apart; row titles sit in a gutter on the left.
    Columns in ``highlight`` are drawn in the highlight style (their labels
    bold). Returns ``None`` when the columns do not fit in ``width``: the
    caller then draws the values another way (bars, one per line).
    """
    n = len(values)
    if not n or width <= 0 or height <= 0:
        return Text()
    cells = [safe(c) for r in rows for c in r.cells]
    column_width = max([min_column, *(cell_len(c) for c in cells)])
    gutter = max((cell_len(r.title) for r in rows), default=0)
    gutter = gutter + 1 if gutter else 0
    needed = gutter + n * column_width + (n - 1)
    if needed > width:
        return None
    top = max(values)
    bars = [column(v, top, height) for v in values]
    marked = set(highlight)
    lines = []
    for y in range(height):
        line = Text(" " * gutter)
        for i in range(n):
            if i:
                line.append(" ")
            glyph = bars[i][y]
            line.append(glyph * column_width, style=styles.highlight if i in marked else styles.bar)
        lines.append(line)
    for r in rows:
        line = Text(fit(safe(r.title), gutter - 1) + " " if gutter else "", style=styles.muted)
        for i in range(n):
            if i:
                line.append(" ")
            cell = safe(r.cells[i]) if i < len(r.cells) else ""
            style = styles.get(r.style)
            line.append(fit(cell, column_width, "right"), style=_bold(style, i in marked))
        lines.append(line)
    return _join(lines, width)


# ---- compact numbers for column labels ------------------------------------------------------


def short_money(fen: int, lang: str | None = None) -> str:
    """Money in at most about seven cells, for chart labels: ¥9,876 · ¥2.97万 / ¥29.7k.

    Full amounts (:func:`kamtui.fmt.money`) are shown beside the chart; this is
    only for labels under narrow columns.
    """
    lang = lang or language()
    sign = "-" if fen < 0 else ""
    yuan = round(abs(fen) / 100)
    if lang == "zh":
        units = ((10**8, 10**8, "亿"), (10**4, 10**4, "万"))
    else:  # thousands from ¥10,000 on: ¥9,876 is no wider than ¥29.7k
        units = ((10**9, 10**9, "B"), (10**6, 10**6, "M"), (10**4, 10**3, "k"))
    for start, size, unit in units:
        if yuan >= start:
            x = yuan / size
            body = f"{x:,.0f}" if x >= 999.5 else f"{x:.3g}"
            return f"{sign}¥{body}{unit}"
    return f"{sign}¥{yuan:,}"


# ---- the widget ---------------------------------------------------------------------------

Draw = Callable[[int, ChartStyles], RenderableType | None]
"""What a :class:`ChartView` shows: ``draw(width, styles)`` returns a renderable."""


class _Drawn:
    """A renderable that draws its chart at the width it is given."""

    def __init__(self, view: ChartView) -> None:
        self.view = view

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        drawn = self.view.draw(options.max_width)
        if drawn is not None:
            yield drawn


class ChartView(Widget):
    """Shows a chart drawn by a function of the width and the theme's styles.

    ``view.show(draw)`` sets the chart; it is drawn again when the width or the
    theme changes. Component classes (colours from the theme):
    ``chart--bar``, ``chart--highlight``, ``chart--warning``, ``chart--track``,
    ``chart--label``, ``chart--number``, ``chart--muted``, and ``chart--<name>``
    for the names in :attr:`NAMED` (tier colours).
    """

    NAMED: ClassVar[tuple[str, ...]] = ("platinum", "gold", "iron", "lead")
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "chart--bar",
        "chart--highlight",
        "chart--warning",
        "chart--track",
        "chart--label",
        "chart--number",
        "chart--muted",
        *(f"chart--{name}" for name in NAMED),
    }
    DEFAULT_CSS = """
    ChartView {
        height: auto;
        width: 1fr;
        & > .chart--bar { color: $text-primary; }
        & > .chart--highlight { color: $text-accent; text-style: bold; }
        & > .chart--warning { color: $text-warning; }
        & > .chart--track { color: $foreground 25%; }
        & > .chart--label { color: $foreground; }
        & > .chart--number { color: $foreground; }
        & > .chart--muted { color: $text-muted; }
        & > .chart--platinum { color: $text-accent; text-style: bold; }
        & > .chart--gold { color: $text-warning; text-style: bold; }
        & > .chart--iron { color: $text-primary; }
        & > .chart--lead { color: $text-muted; }
    }
    """

    def __init__(self, draw: Draw | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self._draw = draw
        self._styles: ChartStyles | None = None

    def show(self, draw: Draw | None) -> None:
        self._draw = draw
        self.refresh(layout=True)

    def chart_styles(self) -> ChartStyles:
        if self._styles is None:

            def style(name: str) -> Style:
                s = self.get_component_rich_style(f"chart--{name}")
                # colour (blended over the background) and weight only: the
                # background of whatever holds the chart shows through
                return Style(color=s.color, bold=s.bold, dim=s.dim, italic=s.italic)

            self._styles = ChartStyles(
                bar=style("bar"),
                highlight=style("highlight"),
                warning=style("warning"),
                track=style("track"),
                label=style("label"),
                number=style("number"),
                muted=style("muted"),
                named={name: style(name) for name in self.NAMED},
            )
        return self._styles

    def draw(self, width: int) -> RenderableType | None:
        if self._draw is None or width <= 0:
            return None
        return self._draw(width, self.chart_styles())

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles = None
        self.refresh(layout=True)

    def render(self) -> RenderableType:
        return _Drawn(self)

"""Terminal chart renderers: bar lengths, eighth blocks, edge values, labels, width budgets."""

from __future__ import annotations

import pytest
from rich.cells import cell_len
from rich.style import Style
from textual.app import App, ComposeResult

from kamtui.screens.charts import (
    EIGHTHS,
    LEVELS,
    BarRow,
    ChartStyles,
    ChartView,
    ColumnRow,
    bar,
    bar_chart,
    column,
    column_chart,
    eighths,
    fit,
    short_money,
    sparkline,
)

BLOCKS = set(EIGHTHS)


def lines(text) -> list[str]:
    return text.plain.split("\n")


# ---- bars -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "maximum", "width", "expected"),
    [
        (10, 10, 8, "████████"),
        (5, 10, 8, "████"),
        (1, 8, 1, "▏"),  # one eighth of one cell
        (3, 8, 1, "▍"),
        (7, 8, 1, "▉"),
        (9, 16, 2, "█▏"),
        (25, 100, 10, "██▌"),  # 2.5 cells
        (1, 1000, 10, "▏"),  # tiny but above zero: still seen
        (0, 10, 10, ""),
        (-3, 10, 10, ""),
        (10, 0, 10, ""),  # nothing to compare with
        (20, 10, 5, "█████"),  # over the maximum: full, never wider
        (1, 3, 3, "█"),
        (0.5, 1.0, 4, "██"),
    ],
)
def test_bar_lengths(value, maximum, width, expected):
    assert bar(value, maximum, width) == expected
    assert cell_len(bar(value, maximum, width)) <= width


def test_eighths_round_to_nearest_and_are_exact_for_integers():
    assert eighths(1, 3, 3) == 8  # 24/3 exactly
    assert eighths(1, 16, 1) == 1  # half an eighth rounds up, and is never lost
    assert eighths(3, 16, 1) == 2  # 1.5 → 2
    assert eighths(10**18 + 1, 2 * 10**18, 1) == 4  # no float drift on big money
    assert [eighths(i, 8, 1) for i in range(10)] == [0, 1, 2, 3, 4, 5, 6, 7, 8, 8]


def test_every_partial_block_is_used():
    seen = {bar(i, 8, 1) for i in range(1, 9)}
    assert seen == set(EIGHTHS)


def test_column_and_sparkline():
    assert column(8, 8, 1) == ["█"]
    assert column(12, 16, 2) == ["▄", "█"]  # 1.5 cells tall: top half-filled
    assert column(0, 16, 3) == [" ", " ", " "]
    assert column(1, 100, 3) == [" ", " ", "▁"]
    assert sparkline([0, 4, 8]) == "▁▄█"
    assert sparkline([5, 5, 5]) == "███"  # all equal: all at the top
    assert sparkline([0, 0]) == "▁▁" and sparkline([]) == ""
    assert set(sparkline(range(9))) <= set(LEVELS)


# ---- cells ----------------------------------------------------------------------------------


def test_fit_by_cells():
    assert fit("主号", 6) == "主号  " and cell_len(fit("主号", 6)) == 6
    assert fit("主号-小美", 6) == "主号-…"
    assert fit("主号小美", 4) == "主… "  # never half a character
    assert fit("主号小美", 5) == "主号…"
    assert fit("abc", 5, "right") == "  abc" and fit("ab", 4, "center") == " ab "
    assert fit("abc", 0) == "" and fit("abc", 1) == "…"


# ---- bar chart ------------------------------------------------------------------------------


def test_bar_chart_labels_numbers_and_lengths():
    rows = [
        BarRow("friend", 600, ("600",)),
        BarRow("prospect", 300, ("300", "50%")),
        BarRow("buyer", 0, ("0", "0%")),
    ]
    text = bar_chart(rows, 40)
    out = lines(text)
    assert len(out) == 3 and all(cell_len(x) == 40 for x in out)
    # the label column is as wide as the longest label, numbers right-aligned
    assert out[0].startswith("friend   █") and out[1].startswith("prospect █")
    assert out[0].endswith("600     ") and out[1].endswith("300  50%")
    assert out[2].endswith("  0   0%")
    bar_width = 40 - 8 - 1 - 1 - (3 + 2 + 3)
    assert out[0].count("█") == bar_width  # the largest fills the bar
    assert out[1].count("█") == bar_width // 2
    assert not BLOCKS & set(out[2])  # zero: no bar, but its number is there


def test_bar_chart_one_row_and_all_equal():
    one = lines(bar_chart([BarRow("x", 3, ("3",))], 12))
    assert one == ["x ████████ 3"]
    equal = lines(bar_chart([BarRow("a", 5, ("5",)), BarRow("b", 5, ("5",))], 12))
    assert equal[0][2:10] == equal[1][2:10] == "█" * 8


def test_bar_chart_all_zero_shows_numbers_only():
    out = lines(bar_chart([BarRow("a", 0, ("0",)), BarRow("b", 0, ("0",))], 10))
    assert out == ["a        0", "b        0"]


def test_bar_chart_chinese_labels_line_up_and_fit():
    rows = [
        BarRow("主号-小美", 297, ("297/10,000", "3%"), maximum=10_000),
        BarRow("副号", 4_900, ("4,900/5,000", "98%"), maximum=5_000, style="warning"),
        BarRow("work", 0, ("0/5,000", "0%"), maximum=5_000),
    ]
    for width in (80, 50, 36, 30, 24, 12):
        out = lines(bar_chart(rows, width, track="░"))
        assert all(cell_len(x) <= width for x in out), width
        if width >= 30:
            # bars start at the same cell on every line, whatever the script of the label
            starts = [
                cell_len(x[: next(i for i, c in enumerate(x) if c in BLOCKS | {"░"})]) for x in out
            ]
            assert len(set(starts)) == 1, (width, out)
            assert "297/10,000" in out[0] and "98%" in out[1]
    wide = lines(bar_chart(rows, 60, track="░"))
    assert wide[0].startswith("主号-小美 ")
    # each row fills against its own maximum; the track shows the rest
    assert wide[1].count("█") > 0.9 * (wide[1].count("█") + wide[1].count("░"))
    assert "█" not in wide[2] and "░" in wide[2]


def test_bar_chart_long_labels_give_way_to_bars():
    rows = [BarRow("一个很长很长很长的微信号名字", 10, ("10",))]
    out = lines(bar_chart(rows, 30))[0]
    assert cell_len(out) == 30 and "…" in out and out.endswith(" 10")
    assert out.count("█") >= 6


def test_bar_chart_header_and_styles():
    styles = ChartStyles(bar=Style(color="blue"), warning=Style(color="red"), muted="dim")
    rows = [BarRow("a", 1, ("1",)), BarRow("b", 2, ("2",), style="warning", bold=True)]
    text = bar_chart(rows, 20, styles, header=("n",))
    out = lines(text)
    assert out[0].rstrip().endswith("n") and len(out) == 3
    spans = {text.plain[s.start : s.end].strip(): s.style for s in text.spans}
    assert spans["█" * 16] == Style(color="red")  # b's bar: 20 - "b " - " 2"
    assert spans["█" * 8] == Style(color="blue")
    assert any(getattr(st, "bold", False) for st in spans.values() if isinstance(st, Style))


# ---- column chart ---------------------------------------------------------------------------


def test_column_chart_values_labelled_and_aligned():
    values = [0, 50, 100, 25]
    rows = [
        ColumnRow("营收", [short_money(v * 100, "zh") for v in values]),
        ColumnRow("", ["1月", "2月", "3月", "4月"]),
        ColumnRow("新客户", ["0", "1", "12", "3"]),
    ]
    text = column_chart(values, 40, height=4, rows=rows, highlight=[3])
    out = lines(text)
    assert len(out) == 4 + 3
    assert all(cell_len(x) <= 40 for x in out)
    # gutter: the widest title (新客户, 6 cells) and a space; columns 4 cells, 1 apart
    assert out[4] == "营收     ¥0  ¥50 ¥100  ¥25"
    assert out[5] == "        1月  2月  3月  4月"
    assert out[6] == "新客户    0    1   12    3"
    top = [line[7:] for line in out[:4]]
    assert top[0] == "          ████     "  # only the largest reaches the top
    assert top[3] == "     ████ ████ ████"  # zero: no column at all
    assert all(line[7:11] == "    " for line in out[:4])


def test_column_chart_too_narrow_returns_none_and_empty():
    assert column_chart([1] * 12, 20, rows=[ColumnRow("x", ["¥29.7k"] * 12)]) is None
    assert column_chart([], 20).plain == ""
    flat = lines(column_chart([3, 3, 3], 20, height=2))
    assert flat[0] == "███ ███ ███" and flat[1] == "███ ███ ███"


def test_short_money():
    assert short_money(0, "en") == "¥0"
    assert short_money(987_600, "en") == "¥9,876"
    assert short_money(2_973_300, "en") == "¥29.7k"
    assert short_money(2_973_300, "zh") == "¥2.97万"
    assert short_money(1_000_000_000, "zh") == "¥1,000万"
    assert short_money(12_300_000_000, "zh") == "¥1.23亿"
    assert short_money(-5_000_000, "en") == "-¥50k"
    assert short_money(999_999, "zh") == "¥1万"  # rounded before choosing the unit
    for fen in (0, 99, 10**6, 10**8, 10**10, 10**12):
        assert cell_len(short_money(fen, "zh")) <= 8 and cell_len(short_money(fen, "en")) <= 8


# ---- the widget, in both themes ---------------------------------------------------------------


def _luminance(color) -> float:
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = color.get_truecolor()
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a, b) -> float:
    x, y = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (x + 0.05) / (y + 0.05)


class ChartApp(App):
    def compose(self) -> ComposeResult:
        yield ChartView(
            lambda width, styles: bar_chart(
                [BarRow("主号", 3, ("3",)), BarRow("b", 6, ("6",), style="highlight")],
                width,
                styles,
            ),
            id="chart",
        )


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light", "nord", "solarized-light"])
async def test_chart_colours_read_on_the_theme_background(theme):
    app = ChartApp()
    async with app.run_test(size=(40, 6)) as pilot:
        app.theme = theme
        await pilot.pause()
        view = app.query_one(ChartView)
        styles = view.chart_styles()
        background = view.background_colors[1].rich_color
        for name in ("bar", "highlight", "warning", "number", "platinum", "gold", "iron"):
            color = styles.get(name).color
            assert color is not None, name
            assert contrast(color, background) >= 2.5, (theme, name)
        assert view.region.height == 2  # as tall as the chart
        assert "主号" in app.export_screenshot()


async def test_chart_redraws_on_width_and_theme_change():
    app = ChartApp()
    async with app.run_test(size=(40, 6)) as pilot:
        await pilot.pause()
        view = app.query_one(ChartView)
        dark = view.chart_styles().bar
        app.theme = "textual-light"
        await pilot.pause()
        assert view.chart_styles().bar != dark
        await pilot.resize_terminal(24, 6)
        await pilot.pause()
        drawn = view.draw(view.content_region.width)
        assert all(cell_len(x) <= 24 for x in drawn.plain.split("\n"))

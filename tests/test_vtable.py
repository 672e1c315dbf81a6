"""VirtualTable: keys a seller presses, what reaches the screen, and the pure layout helpers."""

from __future__ import annotations

from typing import ClassVar

import pytest
from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.events import MouseScrollDown

from kamtui import i18n
from kamtui.screens.help import binding_rows
from kamtui.screens.widgets.vtable import (
    ELLIPSIS,
    MARKER,
    Column,
    GroupRow,
    StyledRow,
    VirtualTable,
    cut_cells,
    fit_segments,
    layout_columns,
)

COLUMNS = [
    Column("name", "Name", width=8),
    Column("phone", "Phone", width=6),
    Column("note", "Note", ratio=1, min_width=4),
]


def people(n: int) -> tuple[list[tuple], list[int]]:
    """Rows ("P0001", …) with keys 1000, 1001, …"""
    rows = [(f"P{i:04d}", f"{i:06d}", "note") for i in range(n)]
    return rows, [1000 + i for i in range(n)]


class TableApp(App):
    """One table; records the messages it posts and whether escape reached the app."""

    BINDINGS: ClassVar = [Binding("escape", "back", "Back")]

    def __init__(self, rows=None, keys=None, columns=COLUMNS, **table_args) -> None:
        super().__init__()
        self.rows = rows
        self.keys = keys
        self.columns = columns
        self.table_args = table_args
        self.events: list[tuple] = []

    def compose(self) -> ComposeResult:
        yield VirtualTable(self.columns, **self.table_args)

    def on_mount(self) -> None:
        if self.rows is not None:
            self.query_one(VirtualTable).set_data(self.rows, keys=self.keys)

    def on_virtual_table_highlighted(self, message: VirtualTable.Highlighted) -> None:
        self.events.append(("highlighted", message.index, message.key))

    def on_virtual_table_selected(self, message: VirtualTable.Selected) -> None:
        self.events.append(("selected", message.index, message.key))

    def on_virtual_table_selection_changed(self, message: VirtualTable.SelectionChanged) -> None:
        self.events.append(("selection", message.keys))

    def action_back(self) -> None:
        self.events.append(("back",))

    @property
    def table(self) -> VirtualTable:
        return self.query_one(VirtualTable)


def line(table: VirtualTable, y: int) -> str:
    """The text of widget line ``y`` (0 is the header)."""
    return table.render_line(y).text


def screen_lines(table: VirtualTable) -> list[str]:
    return [line(table, y) for y in range(table.scrollable_content_region.height)]


def events_of(app: TableApp, kind: str) -> list[tuple]:
    return [event for event in app.events if event[0] == kind]


# --------------------------------------------------------------------- cursor


async def test_cursor_keys_move_and_post_highlighted():
    rows, keys = people(10)
    app = TableApp(rows, keys)
    async with app.run_test(size=(40, 12)) as pilot:
        await pilot.pause()
        assert app.table.has_focus
        assert app.table.cursor_row == 0
        assert events_of(app, "highlighted")[-1] == ("highlighted", 0, 1000)

        await pilot.press("j", "j", "down")
        await pilot.pause()
        assert app.table.cursor_row == 3
        assert app.table.cursor_key == 1003
        await pilot.press("k", "up")
        await pilot.pause()
        assert app.table.cursor_row == 1
        assert [e[1] for e in events_of(app, "highlighted")] == [0, 1, 2, 3, 2, 1]

        # Up at the top stays there and posts nothing new.
        await pilot.press("k", "k", "k")
        await pilot.pause()
        assert app.table.cursor_row == 0
        assert [e[1] for e in events_of(app, "highlighted")][-2:] == [1, 0]

        await pilot.press("j", "enter")
        await pilot.pause()
        assert events_of(app, "selected") == [("selected", 1, 1001)]


async def test_page_home_end_keys_and_scrolling():
    rows, keys = people(100)
    app = TableApp(rows, keys)
    async with app.run_test(size=(40, 12)) as pilot:
        await pilot.pause()
        table = app.table
        page = table.scrollable_content_region.height - 1  # rows under the header
        assert page == 11

        await pilot.press("pagedown")
        assert table.cursor_row == page
        await pilot.press("pagedown")
        assert table.cursor_row == 2 * page
        # The cursor row is on screen and drawn.
        assert any("P0022" in text for text in screen_lines(table))
        await pilot.press("pageup")
        assert table.cursor_row == page

        await pilot.press("G")
        assert table.cursor_row == 99
        assert line(table, page).startswith("  P0099")  # last row at the bottom line
        assert line(table, 0).startswith("  Name")  # the header does not scroll
        await pilot.press("g")
        assert table.cursor_row == 0
        assert line(table, 1).startswith("  P0000")
        await pilot.press("end")
        assert table.cursor_row == 99
        await pilot.press("home")
        assert table.cursor_row == 0
        await pilot.press("pageup")
        assert table.cursor_row == 0


async def test_click_moves_cursor_and_double_click_selects():
    rows, keys = people(10)
    app = TableApp(rows, keys)
    async with app.run_test(size=(40, 12)) as pilot:
        await pilot.pause()
        await pilot.click(VirtualTable, offset=(4, 4))  # line 4 = row 3
        await pilot.pause()
        assert app.table.cursor_row == 3
        assert events_of(app, "selected") == []
        await pilot.click(VirtualTable, offset=(4, 0))  # the header: nothing happens
        await pilot.pause()
        assert app.table.cursor_row == 3
        await pilot.double_click(VirtualTable, offset=(4, 6))
        await pilot.pause()
        assert app.table.cursor_row == 5
        assert events_of(app, "selected")[-1] == ("selected", 5, 1005)


async def test_mouse_wheel_scrolls_without_moving_cursor():
    rows, keys = people(100)
    app = TableApp(rows, keys)
    async with app.run_test(size=(40, 12)) as pilot:
        await pilot.pause()
        for _ in range(3):
            app.table.post_message(
                MouseScrollDown(app.table, 5, 5, 0, 1, 0, False, False, False, 5, 5)
            )
        await pilot.pause()
        assert app.table.scroll_offset.y > 0
        assert app.table.cursor_row == 0


async def test_without_header_the_first_line_is_the_first_row():
    rows, keys = people(30)
    app = TableApp(rows, keys, show_header=False)
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        assert line(app.table, 0).startswith("  P0000")
        await pilot.click(VirtualTable, offset=(3, 2))
        assert app.table.cursor_row == 2
        await pilot.press("pagedown")
        assert app.table.cursor_row == 12  # a page is all 10 lines
        assert line(app.table, 9).startswith("  P0019")


# -------------------------------------------------------------- group rows


async def test_group_rows_span_columns_and_are_skipped_by_the_cursor():
    rows = [
        GroupRow("逾期 (2)"),
        ("张三", "1", "a"),
        ("李四", "2", "b"),
        GroupRow("今天 (1)"),
        ("王五", "3", "c"),
    ]
    keys = [None, 1, 2, None, 3]
    app = TableApp(rows, keys)
    async with app.run_test(size=(40, 8)) as pilot:
        await pilot.pause()
        table = app.table
        assert table.cursor_row == 1  # not on the group row
        assert line(table, 1).startswith("  逾期 (2)")
        assert line(table, 1).rstrip() == "  逾期 (2)"  # one label, no column separators
        await pilot.press("j", "j")
        assert table.cursor_row == 4  # skipped "今天"
        await pilot.press("k")
        assert table.cursor_row == 2
        await pilot.press("g")
        assert table.cursor_row == 1
        await pilot.press("k")
        assert table.cursor_row == 1
        await pilot.click(VirtualTable, offset=(3, 4))  # the "今天" group line
        assert table.cursor_row == 1
        # Selecting everything leaves the group rows out.
        await pilot.press("asterisk")
        assert table.selected_keys == {1, 2, 3}
        assert MARKER not in line(table, 1)


async def test_group_style_is_bold():
    app = TableApp([GroupRow("逾期 (1)"), ("a", "b", "c")], [None, 1])
    async with app.run_test(size=(40, 8)) as pilot:
        await pilot.pause()
        strip = app.table.render_line(1)
        label = next(segment for segment in strip if "逾期" in segment.text)
        assert label.style.bold


# ------------------------------------------------------------------ selection


async def test_space_toggles_selection_and_escape_clears_or_bubbles():
    rows, keys = people(10)
    app = TableApp(rows, keys)
    async with app.run_test(size=(40, 12)) as pilot:
        await pilot.pause()
        table = app.table
        await pilot.press("escape")
        await pilot.pause()
        assert events_of(app, "back") == [("back",)]  # nothing selected: escape goes on

        await pilot.press("space", "j", "j", "space")
        await pilot.pause()
        assert table.selected_keys == {1000, 1002}
        assert line(table, 1).startswith(MARKER + " P0000")
        assert line(table, 2).startswith("  P0001")
        assert events_of(app, "selection")[-1] == ("selection", frozenset({1000, 1002}))

        await pilot.press("space")
        assert table.selected_keys == {1000}

        await pilot.press("escape")
        await pilot.pause()
        assert table.selected_keys == set()
        assert events_of(app, "back") == [("back",)]  # this escape was used by the table
        await pilot.press("escape")
        await pilot.pause()
        assert len(events_of(app, "back")) == 2


async def test_range_selection_with_v_and_shift():
    rows, keys = people(20)
    app = TableApp(rows, keys)
    async with app.run_test(size=(40, 12)) as pilot:
        await pilot.pause()
        table = app.table
        await pilot.press("j", "v", "j", "j", "j")
        assert table.selected_keys == {1001, 1002, 1003, 1004}
        await pilot.press("k")  # moving back shrinks the range
        assert table.selected_keys == {1001, 1002, 1003}
        await pilot.press("v", "j", "j")  # range ended: moving selects nothing more
        assert table.selected_keys == {1001, 1002, 1003}

        await pilot.press("escape")
        assert table.selected_keys == set()
        await pilot.press("shift+down", "shift+down")
        assert table.cursor_row == 7
        assert table.selected_keys == {1005, 1006, 1007}
        await pilot.press("down", "down", "shift+up")  # a plain move ended that range
        assert table.cursor_row == 8
        assert table.selected_keys == {1005, 1006, 1007, 1009, 1008}


async def test_select_all_and_selection_survives_refiltering():
    rows, keys = people(50)
    app = TableApp(rows, keys)
    async with app.run_test(size=(40, 12)) as pilot:
        await pilot.pause()
        table = app.table
        await pilot.press("asterisk")
        assert table.selected_keys == set(keys)
        table.clear_selection()
        await pilot.press("j", "space")  # select 1001
        # Filter to the odd rows: 1001 is now row 0 and is still selected.
        odd = [i for i in range(50) if i % 2]
        table.set_rows(len(odd), lambda i: rows[odd[i]], row_key=lambda i: keys[odd[i]])
        await pilot.pause()
        assert table.selected_keys == {1001}
        assert line(table, 1).startswith(MARKER + " P0001")
        # Select all selects the rows of the current data, keeping earlier choices.
        await pilot.press("asterisk")
        assert table.selected_keys == {keys[i] for i in odd}


async def test_selection_keys_disabled_without_multi_select():
    rows, keys = people(5)
    app = TableApp(rows, keys, multi_select=False)
    async with app.run_test(size=(40, 12)) as pilot:
        await pilot.pause()
        await pilot.press("space", "asterisk", "v")
        assert app.table.selected_keys == set()
        assert line(app.table, 1).startswith("P0000")  # no marker gutter


# ------------------------------------------------------------- data changes


async def test_keep_key_keeps_the_cursor_on_the_record():
    rows, keys = people(100)
    app = TableApp(rows, keys)
    async with app.run_test(size=(40, 12)) as pilot:
        await pilot.pause()
        table = app.table
        table.move_cursor(40)
        await pilot.pause()
        assert table.cursor_key == 1040
        screen_line = table.cursor_row - table.scroll_offset.y

        subset = list(range(0, 100, 4))  # 1040 is now row 10
        app.events.clear()
        table.set_rows(
            len(subset),
            lambda i: rows[subset[i]],
            row_key=lambda i: keys[subset[i]],
            keep_key=True,
        )
        await pilot.pause()
        assert table.cursor_row == 10
        assert table.cursor_key == 1040
        assert table.cursor_row - table.scroll_offset.y == screen_line  # did not jump
        assert events_of(app, "highlighted") == [("highlighted", 10, 1040)]

        # With index_of the key is found without a scan.
        table.set_rows(
            len(subset),
            lambda i: rows[subset[i]],
            row_key=lambda i: keys[subset[i]],
            index_of=lambda key: subset.index(key - 1000) if (key - 1000) in subset else None,
            keep_key=True,
        )
        assert table.cursor_key == 1040

        # The record is gone: the cursor stays near where it was.
        subset2 = [i for i in subset if i != 40]
        table.set_data([rows[i] for i in subset2], keys=[keys[i] for i in subset2], keep_key=True)
        assert table.cursor_row == 10
        assert table.cursor_key == 1044

        # Without keep_key the cursor goes to the first row.
        table.set_data(rows, keys=keys)
        assert table.cursor_row == 0
        assert table.scroll_offset.y == 0
        # New data is announced even when the cursor stays on the same row and key.
        await pilot.pause()
        app.events.clear()
        table.set_data([("edited", "", ""), *rows[1:]], keys=keys)
        await pilot.pause()
        assert events_of(app, "highlighted") == [("highlighted", 0, 1000)]


async def test_set_rows_fetches_only_visible_rows():
    fetched: set[int] = set()

    def get_row(i: int) -> tuple:
        fetched.add(i)
        return (f"R{i}", "", "")

    app = TableApp()
    async with app.run_test(size=(40, 12)) as pilot:
        app.table.set_rows(100_000, get_row)
        await pilot.pause()
        assert app.table.row_count == 100_000
        assert any(f"R{i}" in text for text in screen_lines(app.table) for i in range(11))
        assert fetched and max(fetched) < 20
        await pilot.press("G")
        await pilot.pause()
        assert line(app.table, 11).startswith("  R99999")
        assert len(fetched) < 60


async def test_empty_state_message():
    app = TableApp([], [], empty_message="没有匹配的联系人")
    async with app.run_test(size=(40, 8)) as pilot:
        await pilot.pause()
        table = app.table
        assert line(table, 0).startswith("  Name")
        assert line(table, 1).strip() == "没有匹配的联系人"
        assert table.cursor_row is None
        assert events_of(app, "highlighted")[-1] == ("highlighted", None, None)
        await pilot.press("j", "enter", "space")
        await pilot.pause()
        assert events_of(app, "selected") == []
        # Data arrives: the message goes away.
        table.set_data([("a", "b", "c")], keys=[7])
        await pilot.pause()
        assert "没有匹配" not in line(table, 1)
        assert events_of(app, "highlighted")[-1] == ("highlighted", 0, 7)


async def test_default_empty_message_is_translated():
    i18n.set_language("zh")
    app = TableApp([], [])
    async with app.run_test(size=(40, 8)) as pilot:
        await pilot.pause()
        assert line(app.table, 1).strip() == i18n.t("vtable.empty", lang="zh")


# ------------------------------------------------------- what is drawn


async def test_wide_characters_keep_columns_aligned():
    columns = [Column("name", "名字", width=6), Column("phone", "电话", width=5)]
    rows = [("张三", "138"), ("Bob", "139"), ("欧阳娜娜", "140"), ("😀x", "141")]
    app = TableApp(rows, [1, 2, 3, 4], columns=columns)
    async with app.run_test(size=(30, 8)) as pilot:
        await pilot.pause()
        table = app.table
        for y, phone in [(1, "138"), (2, "139"), (3, "140"), (4, "141")]:
            text = line(table, y)
            # gutter 2 + name column 6 + separator 1 = the phone column starts at cell 9
            assert cell_len(text[: text.index(phone)]) == 9, text
            assert cell_len(text) == table.scrollable_content_region.width
        assert line(table, 3).startswith("  欧阳… ")  # cut before a wide char: … then a space
        assert cell_len(line(table, 0)[: line(table, 0).index("电话")]) == 9


async def test_hostile_text_is_shown_literally_and_escapes_removed():
    rows = [
        ("[@click=app.quit]", "[bold red]x", "\x1b[31mred\x1b[0m"),
        ("a\nb\tc", "\x07\x00bell", "\u202eevil"),
    ]
    app = TableApp(rows, [1, 2], columns=[Column(k, k, width=18) for k in ("a", "b", "c")])
    async with app.run_test(size=(70, 8)) as pilot:
        await pilot.pause()
        table = app.table
        first = line(table, 1)
        assert "[@click=app.quit]" in first
        assert "[bold red]x" in first
        assert "red" in first
        second = line(table, 2)
        assert "a b c" in second
        assert "bell" in second
        assert "evil" in second
        for y in (1, 2):
            strip = table.render_line(y)
            for segment in strip:
                assert not any(ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0 for ch in segment.text)
                assert "\u202e" not in segment.text
                assert segment.style is None or not segment.style.meta  # no @click actions
        # Clicking the "link" does nothing but move the cursor.
        await pilot.click(VirtualTable, offset=(4, 1))
        await pilot.pause()
        assert app.is_running
        assert app.table.cursor_row == 0


async def test_text_cells_keep_their_style_but_are_sanitized():
    badge = Text("VIP", style="bold magenta") + Text("\x1b[2J", style="red")
    app = TableApp([("x", "y", badge)], [1])
    async with app.run_test(size=(40, 8)) as pilot:
        await pilot.pause()
        strip = app.table.render_line(1)
        vip = next(segment for segment in strip if "VIP" in segment.text)
        assert vip.style.bold and vip.style.color.name == "magenta"
        assert "\x1b" not in strip.text
        assert "[2J" not in strip.text  # the whole escape sequence is gone


async def test_text_cells_lose_click_actions_and_links():
    sneaky = Text.from_markup("[@click=app.quit]click me[/] [link=https://x.example]x[/]")
    app = TableApp([("a", "b", sneaky)], [1])
    async with app.run_test(size=(40, 8)) as pilot:
        await pilot.pause()
        strip = app.table.render_line(1)
        assert "click me" in strip.text
        for segment in strip:
            assert not segment.style.meta
            assert not segment.style.link
        await pilot.click(VirtualTable, offset=(28, 1))
        await pilot.pause()
        assert app.is_running


async def test_styled_rows_and_cursor_and_selection_styles_differ():
    rows = [("a", "b", "c"), StyledRow(("archived", "b", "c"), "dim"), ("z", "b", "c")]
    app = TableApp(rows, [1, 2, 3])
    async with app.run_test(size=(40, 8)) as pilot:
        await pilot.pause()
        table = app.table

        def style_of(y: int) -> Style:
            """The style of the first cell (after the marker gutter)."""
            strip = table.render_line(y)
            return next(seg for seg in strip.crop(2) if seg.text.strip()).style

        plain, dim, cursor_row = style_of(3), style_of(2), style_of(1)
        assert dim.color != plain.color
        assert cursor_row.bgcolor != plain.bgcolor
        await pilot.press("space", "j", "space", "j")  # select rows 0 and 1, cursor on 2
        selected = style_of(1)
        assert selected.bgcolor not in (plain.bgcolor, cursor_row.bgcolor)
        assert style_of(2).bgcolor == selected.bgcolor  # the dim row, selected:
        assert style_of(2).color == dim.color  # still dim


async def test_theme_change_repaints_cached_lines():
    rows, keys = people(3)
    app = TableApp(rows, keys)
    async with app.run_test(size=(40, 8)) as pilot:
        await pilot.pause()
        before = app.table.render_line(1)
        app.theme = "textual-light" if app.theme != "textual-light" else "textual-dark"
        await pilot.pause()
        after = app.table.render_line(1)
        assert after.text == before.text
        assert after.crop(0, 1).text == " "
        first_after, first_before = next(iter(after)), next(iter(before))
        assert first_after.style.bgcolor != first_before.style.bgcolor


async def test_flexible_column_takes_the_slack_and_follows_resizes():
    columns = [
        Column("name", "名字", ratio=1, min_width=4),
        Column("spent", "消费", width=8, align="right"),
    ]
    app = TableApp([("张三", "¥1,200")], [1], columns=columns)
    async with app.run_test(size=(40, 8)) as pilot:
        await pilot.pause()
        # 40 columns less the scrollbar: 39 cells; the money ends at the right edge.
        assert line(app.table, 1) == "  张三" + " " * 24 + "   ¥1,200"
        assert line(app.table, 0).endswith("    消费")
        await pilot.resize_terminal(60, 8)
        await pilot.pause()
        text = line(app.table, 1)
        assert cell_len(text) == 59
        assert text.endswith("  ¥1,200")
        assert cell_len(text[: text.index("¥")]) == 59 - len("¥1,200")


# --------------------------------------------------------------- bindings


def test_bindings_have_ids_and_catalog_descriptions():
    for binding in VirtualTable.BINDINGS:
        assert isinstance(binding, Binding)
        assert binding.id and binding.id.startswith("vtable.")
        assert binding.description == "vtable.key." + binding.id.removeprefix("vtable.")
        assert i18n.has(binding.description)
    keys = {key for binding in VirtualTable.BINDINGS for key in binding.key.split(",")}
    assert {"up", "down", "j", "k", "pageup", "pagedown", "home", "end", "g", "G"} <= keys
    assert {"enter", "space", "v", "asterisk", "escape", "shift+up", "shift+down"} <= keys
    nav = [b for b in VirtualTable.BINDINGS if b.action.startswith("cursor_")]
    assert nav and not any(b.show for b in nav)


async def test_binding_descriptions_follow_the_language_at_creation():
    i18n.set_language("zh")
    app = TableApp([("a", "b", "c")], [1])
    async with app.run_test(size=(40, 8)) as pilot:
        await pilot.pause()
        descriptions = {binding.id: binding.description for _, binding in app.table._bindings}
        assert descriptions["vtable.select_all"] == "全选"
        assert descriptions["vtable.cursor_down"] == "下移"
        # The help screen (?) lists them, navigation keys included.
        rows = dict((desc, keys) for keys, desc in binding_rows(app.screen))
        assert "j" in rows["下移"].split(" / ")
        assert rows["全选"] == "*"
        assert "取消选择" not in rows  # escape is not the table's while nothing is selected
        await pilot.press("space")
        rows = dict((desc, keys) for keys, desc in binding_rows(app.screen))
        assert "取消选择" in rows


# ------------------------------------------------------------- pure helpers


def test_layout_columns_gives_slack_to_flexible_columns():
    columns = [
        Column("a", "A", width=10),
        Column("b", "Bee", ratio=1, min_width=5),
        Column("c", "名字"),
        Column("d", "D", ratio=3),
    ]
    # 40 - 3 separators - 10 - 4 (label "名字" is 4 cells) - 5 (min) = 18 to share 1:3
    assert layout_columns(columns, 40) == [10, 5 + 4 + 1, 4, 0 + 13]
    assert layout_columns(columns, 10) == [10, 5, 4, 0]  # too narrow: the line gets cut
    with pytest.raises(ValueError):
        Column("x", align="middle")


def test_cut_cells_never_splits_wide_characters():
    assert cut_cells("张三李四", 5) == "张三"
    assert cut_cells("张三李四", 4) == "张三"
    assert cut_cells("张三李四", 1) == ""
    assert cut_cells("Bob Smith", 3) == "Bob"
    assert cut_cells("👍🏽ok", 2) == "👍🏽"  # a skin tone stays with its emoji


def test_fit_segments_pads_aligns_and_ellipsizes():
    style = Style()

    def fit(text: str, width: int, align: str = "left", overflow: str = "ellipsis") -> str:
        segments = fit_segments([(text, style)], width, align, overflow, style)
        out = "".join(segment.text for segment in segments)
        assert cell_len(out) == width
        return out

    assert fit("¥12", 6, "right") == "   ¥12"
    assert fit("ab", 4, "center") == " ab "
    assert fit("张三李四", 5) == "张三" + ELLIPSIS
    assert fit("张三李四", 4) == "张" + ELLIPSIS + " "
    assert fit("张三李四", 4, "right") == " 张" + ELLIPSIS
    assert fit("abcdef", 4, overflow="crop") == "abcd"
    assert fit("abc", 0) == ""

"""The Contacts screen (section 2), driven with the keys a seller presses."""

import io
from datetime import date

import pytest
from rich.console import Console

from kamtui import contacts, contactview, directory, interactions, tags
from kamtui.app import KamtuiApp
from kamtui.screens.contact_forms import TagModal
from kamtui.screens.forms import ChoiceModal, ConfirmModal, FormModal
from kamtui.screens.widgets import StyledRow
from kamtui.searchkey import collation

T = date(2026, 11, 24)
SIZE = (140, 40)


async def settle(pilot, app):
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def contacts_screen(pilot, app):
    await settle(pilot, app)
    await pilot.press("2")
    await settle(pilot, app)
    screen = app.screen
    assert type(screen).__name__ == "ContactsScreen"
    assert screen.result is not None
    return screen


async def type_text(pilot, text: str):
    await pilot.press(*["space" if c == " " else c for c in text])
    await pilot.pause()


def cells(row):
    return row.cells if isinstance(row, StyledRow) else row


def shown_ids(screen, n=None) -> list[int]:
    table = screen.table
    count = table.row_count if n is None else min(n, table.row_count)
    return [table.row_key(i) for i in range(count)]


def shown_names(screen, n=None) -> list[str]:
    table = screen.table
    count = table.row_count if n is None else min(n, table.row_count)
    return [cells(table.get_row(i))[1].plain.split(" · ")[0] for i in range(count)]


def rendered(widget) -> str:
    console = Console(width=200, file=io.StringIO(), record=True)
    console.print(widget.content)
    return console.export_text()


def status(screen) -> str:
    return rendered(screen.query_one("#contacts-status"))


@pytest.fixture
def zs_book(book, frozen_today):
    for remark in ("王五", "张思雨", "赵淑芬", "张三", "李四-上海-宝妈"):
        contacts.create_contact(book, remark=remark)
    return book


async def test_typing_zs_puts_zhang_san_first(zs_book):
    app = KamtuiApp(zs_book)
    async with app.run_test(size=SIZE) as pilot:
        screen = await contacts_screen(pilot, app)
        assert len(shown_ids(screen)) == 5
        await type_text(pilot, "/zs")
        assert screen.search_box.value == "zs"  # "/" went to the box, not into it
        names = shown_names(screen)
        assert names[0] == "张三"  # whole initials before a prefix (张思雨, 赵淑芬)
        assert sorted(names) == sorted(["张三", "张思雨", "赵淑芬"])
        assert "3 contacts" in status(screen)
        await type_text(pilot, "x")  # zsx: nothing, then a typo-free miss
        assert screen.table.row_count == 0
        await pilot.press("backspace", "backspace", "backspace")
        await pilot.pause()
        for query in ("zhangsan", "张三"):
            await type_text(pilot, query)
            assert shown_names(screen, 1) == ["张三"], query
            await pilot.press(*["backspace"] * len(query))
            await pilot.pause()
        await type_text(pilot, "zhangsna")  # a typo
        assert "张三" in shown_names(screen)
        assert "similar" in status(screen)


async def test_filter_vip_repeat_and_status(demo_book):
    app = KamtuiApp(demo_book)
    async with app.run_test(size=SIZE) as pilot:
        screen = await contacts_screen(pilot, app)
        await type_text(pilot, "/#VIP stage:repeat")
        expected, _d, _r = directory.find_ids(demo_book, "#VIP stage:repeat", today=T)
        assert shown_ids(screen) == expected and expected
        for i in range(screen.table.row_count):
            row = cells(screen.table.get_row(i))
            assert "VIP" in row[4].split() and row[2].plain == "repeat"
        assert f"{len(expected)} contacts" in status(screen)
        await pilot.press("escape")  # clears the search
        await pilot.pause()
        assert screen.search_box.value == "" and screen.table.row_count > len(expected)
        await type_text(pilot, "color:red")
        assert "Unknown filter" in status(screen)


async def test_sort_keys(demo_book):
    app = KamtuiApp(demo_book)
    async with app.run_test(size=SIZE) as pilot:
        screen = await contacts_screen(pilot, app)
        entries = screen.directory.entries
        ids = shown_ids(screen, 60)
        favs = [entries[i].favourite for i in ids]
        assert favs == sorted(favs, reverse=True)  # favourites first
        days = [entries[i].last_contact or "" for i in ids if not entries[i].favourite]
        assert days == sorted(days, reverse=True)  # then the last contact, newest first
        await pilot.press("o")
        assert isinstance(app.screen, ChoiceModal)
        await pilot.press("2")  # name (pinyin)
        await pilot.pause()
        assert screen.sort == "name"
        assert "name" in rendered(screen.query_one("#contacts-header"))
        plain = [i for i in shown_ids(screen, 80) if not entries[i].favourite]
        keys = [collation(entries[i].name) for i in plain]
        assert keys == sorted(keys)
        await pilot.press("O")  # reversed
        await pilot.pause()
        assert screen.reverse
        plain_rev = [i for i in shown_ids(screen, 80) if not entries[i].favourite]
        keys = [collation(entries[i].name) for i in plain_rev]
        assert keys == sorted(keys, reverse=True)
        await pilot.press("o", "3")  # value in the last 365 days
        await pilot.pause()
        cls = screen.directory.classification
        values = [cls.value.get(i, 0) for i in shown_ids(screen, 80) if not entries[i].favourite]
        assert values == sorted(values, reverse=True)


async def test_bulk_tag_three_then_undo(demo_book):
    app = KamtuiApp(demo_book)
    async with app.run_test(size=SIZE) as pilot:
        screen = await contacts_screen(pilot, app)
        await pilot.press("space", "j", "space", "j", "space")
        chosen = shown_ids(screen, 3)
        assert screen.table.selected_keys == set(chosen)
        assert "3 selected" in status(screen)
        await pilot.press("t")
        assert isinstance(app.screen, TagModal)
        await type_text(pilot, "回头客")
        await pilot.press("enter")  # the new tag is offered first
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        assert "3 contacts" in app.screen.question
        await pilot.press("y")
        await settle(pilot, app)
        for cid in chosen:
            assert "回头客" in tags.contact_tags(demo_book, cid)
            assert "回头客" in screen.directory.entries[cid].tags
        assert not screen.table.selected_keys
        await type_text(pilot, "/#回头客")
        assert set(shown_ids(screen)) == set(chosen)
        await pilot.press("escape", "escape")  # clear the search, back to the list
        await pilot.pause()
        assert screen.table.has_focus
        await pilot.press("u")
        assert isinstance(app.screen, ConfirmModal) and "bulk" in app.screen.question
        await pilot.press("y")
        await settle(pilot, app)
        for cid in chosen:
            assert "回头客" not in tags.contact_tags(demo_book, cid)
            assert "回头客" not in screen.directory.entries[cid].tags


async def test_untag_and_pick_existing_tag_by_pinyin(demo_book):
    app = KamtuiApp(demo_book)
    async with app.run_test(size=SIZE) as pilot:
        screen = await contacts_screen(pilot, app)
        await type_text(pilot, "/#宝妈")
        await pilot.press("down", "space", "j", "space")
        chosen = sorted(screen.table.selected_keys)
        assert len(chosen) == 2
        await pilot.press("t")
        await type_text(pilot, "hf")  # 护肤 by its initials
        modal = app.screen
        assert modal.shown[0] == ("护肤", False)
        await pilot.press("enter", "y")
        await settle(pilot, app)
        assert all("护肤" in tags.contact_tags(demo_book, c) for c in chosen)
        screen.table.selected_keys = chosen
        await pilot.press("T")
        assert isinstance(app.screen, TagModal)
        assert {n for n, _new in app.screen.shown} >= {"宝妈", "护肤"}  # only their tags
        await type_text(pilot, "宝妈")
        await pilot.press("enter", "y")
        await settle(pilot, app)
        assert all("宝妈" not in tags.contact_tags(demo_book, c) for c in chosen)


async def test_archive_and_undo(demo_book):
    app = KamtuiApp(demo_book)
    async with app.run_test(size=SIZE) as pilot:
        screen = await contacts_screen(pilot, app)
        await pilot.press("j")
        cid = screen.table.cursor_key
        total = screen.table.row_count
        await pilot.press("a")
        assert isinstance(app.screen, ConfirmModal) and "Archive 1" in app.screen.question
        await pilot.press("y")
        await settle(pilot, app)
        assert demo_book.scalar("SELECT archived FROM contact WHERE id = ?", (cid,)) == 1
        assert cid not in shown_ids(screen) and screen.table.row_count == total - 1
        await type_text(pilot, "/archived")
        assert cid in shown_ids(screen)
        row = screen.table.get_row(shown_ids(screen).index(cid))
        assert isinstance(row, StyledRow) and row.hint == "dim"
        await pilot.press("escape", "escape", "u", "y")
        await settle(pilot, app)
        assert demo_book.scalar("SELECT archived FROM contact WHERE id = ?", (cid,)) == 0
        assert cid in shown_ids(screen) and screen.table.row_count == total


async def test_new_contact_with_a_bad_phone_keeps_what_was_typed(demo_book):
    app = KamtuiApp(demo_book)
    before = demo_book.scalar("SELECT count(*) FROM contact")
    async with app.run_test(size=SIZE) as pilot:
        screen = await contacts_screen(pilot, app)
        await pilot.press("n")
        form = app.screen
        assert isinstance(form, FormModal)
        await type_text(pilot, "测试客户-杭州")
        form.query_one("#field-phone").value = "138 0013"
        form.query_one("#field-city").value = "杭州"
        form.query_one("#field-tags").value = "VIP 新客"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form
        error = rendered(form.query_one("#error-phone"))
        assert "138 0013" in error
        assert form.value("phone") == "138 0013" and form.value("remark") == "测试客户-杭州"
        assert demo_book.scalar("SELECT count(*) FROM contact") == before  # nothing saved
        form.query_one("#field-phone").value = "＋86 １３８-0013 8000"  # full-width, dashes
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert not isinstance(app.screen, FormModal)
        row = demo_book.query("SELECT id, phone, city FROM contact WHERE remark = '测试客户-杭州'")
        assert len(row) == 1 and row[0][1:] == ("+8613800138000", "杭州")
        cid = row[0][0]
        assert set(tags.contact_tags(demo_book, cid)) == {"VIP", "新客"}
        assert screen.table.cursor_key == cid  # the list shows the new contact
        await type_text(pilot, "/cskh")
        assert shown_ids(screen, 1) == [cid]


async def test_edit_from_the_list_only_saves_changes(demo_book):
    app = KamtuiApp(demo_book)
    async with app.run_test(size=SIZE) as pilot:
        screen = await contacts_screen(pilot, app)
        cid = screen.table.cursor_key
        await pilot.press("e")
        form = app.screen
        assert isinstance(form, FormModal)
        form.query_one("#field-occupation").value = "花艺师"
        form.query_one("#field-gender").value = "不男不女"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "不男不女" in rendered(form.query_one("#error-gender"))
        form.query_one("#field-gender").value = "女"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        occupation, gender = demo_book.query(
            "SELECT occupation, gender FROM contact WHERE id = ?", (cid,)
        )[0]
        assert (occupation, gender) == ("花艺师", "f")
        await type_text(pilot, "/花艺师")
        assert cid in shown_ids(screen)


async def test_hostile_text_shows_literally(demo_book):
    app = KamtuiApp(demo_book)
    async with app.run_test(size=SIZE) as pilot:
        screen = await contacts_screen(pilot, app)
        for query, shown in (
            ("click", "[@click=app.quit]"),
            ("红字", "[bold red]红字[/]"),
            ("红色昵称", "红色昵称"),
        ):
            await type_text(pilot, "/" + query)
            assert screen.table.row_count >= 1, query
            name = cells(screen.table.get_row(0))[1].plain
            assert shown in name and "\x1b" not in name
            svg = app.export_screenshot().replace("&#160;", " ")
            assert shown.replace("[", "&#91;").replace("]", "&#93;") in svg or shown in svg
            await pilot.press("escape", "escape")
            await pilot.pause()
        await type_text(pilot, "/click")
        await pilot.press("enter")  # its page
        await settle(pilot, app)
        assert app.is_running and type(app.screen).__name__ == "ContactPage"


async def test_export_selection_to_csv(demo_book, tmp_path):
    app = KamtuiApp(demo_book)
    async with app.run_test(size=SIZE) as pilot:
        screen = await contacts_screen(pilot, app)
        await pilot.press("space", "j", "j", "space")
        chosen = screen.targets()
        assert len(chosen) == 2
        await pilot.press("x")
        form = app.screen
        assert isinstance(form, FormModal) and "2 contacts" in form.form_title
        default = form.value("path")
        assert default.endswith(".csv") and "exports" in default
        form.query_one("#field-path").value = str(tmp_path / "nowhere" / "x.csv")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form and "nowhere" in rendered(form.query_one("#error-path"))
        out = tmp_path / "sel.csv"
        form.query_one("#field-path").value = str(out)
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        lines = out.read_text(encoding="utf-8-sig").splitlines()
        assert len(lines) == 3
        names = [screen.directory.entries[c].name for c in chosen]
        assert [line.split(",")[0] for line in lines[1:]] == names
        assert lines[0].endswith("Stage,Tier,Suggested remark")
        suggested = contactview.suggest_remarks(demo_book, chosen, T)
        assert [line.rsplit(",", 1)[1] for line in lines[1:]] == [suggested[c] for c in chosen]


async def test_export_to_the_default_folder(demo_book, tmp_path):
    app = KamtuiApp(demo_book)
    async with app.run_test(size=SIZE) as pilot:
        await contacts_screen(pilot, app)
        await pilot.press("x")
        form = app.screen
        path = form.value("path")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        from pathlib import Path

        assert Path(path).is_file() and len(Path(path).read_text("utf-8-sig").splitlines()) == 2


async def test_bulk_favourite_and_account(demo_book):
    from kamtui.accounts import list_accounts

    app = KamtuiApp(demo_book)
    async with app.run_test(size=SIZE) as pilot:
        screen = await contacts_screen(pilot, app)
        await type_text(pilot, "/-fav")
        await pilot.press("down", "space", "j", "space", "j", "space")
        chosen = sorted(screen.table.selected_keys)
        await pilot.press("f")
        assert isinstance(app.screen, ConfirmModal) and "Pin 3" in app.screen.question
        await pilot.press("y")
        await settle(pilot, app)
        assert all(
            demo_book.scalar("SELECT favourite FROM contact WHERE id = ?", (c,)) for c in chosen
        )
        assert screen.table.row_count == len(shown_ids(screen))
        assert not set(chosen) & set(shown_ids(screen))  # pinned: no longer in "-fav"
        account = list_accounts(demo_book)[-1].name
        before = {c: screen.directory.entries[c].account for c in chosen}
        assert set(before.values()) != {account}
        screen.table.selected_keys = chosen
        await pilot.press("A")
        assert isinstance(app.screen, ChoiceModal)
        await pilot.press(str(len(list_accounts(demo_book))))
        await pilot.press("y")
        await settle(pilot, app)
        for c in chosen:
            assert screen.directory.entries[c].account == account
        await pilot.press("u", "y")  # one undo step for the three
        await settle(pilot, app)
        assert {c: screen.directory.entries[c].account for c in chosen} == before


async def test_select_all_matches_and_keys_in_help(demo_book):
    from kamtui.screens.help import binding_rows

    app = KamtuiApp(demo_book)
    async with app.run_test(size=SIZE) as pilot:
        screen = await contacts_screen(pilot, app)
        await type_text(pilot, "/#VIP")
        await pilot.press("down", "asterisk")
        await pilot.pause()
        assert screen.table.selected_keys == set(shown_ids(screen))
        await pilot.press("escape")  # clears the selection first
        assert not screen.table.selected_keys
        rows = {desc: keys for keys, desc in binding_rows(screen)}
        for desc, key in (
            ("Search", "/"),
            ("New contact", "n"),
            ("Tag", "t"),
            ("Remove a tag", "T"),
            ("Favourite", "f"),
            ("Set account", "A"),
            ("Archive / restore", "a"),
            ("Export selection (CSV)", "x"),
            ("Merge two contacts", "m"),
            ("Undo", "u"),
            ("Sort", "o"),
            ("Reverse order", "O"),
            ("Edit", "e"),
        ):
            assert rows[desc] == key, desc
        titles = {c.title for c in app.get_system_commands(screen)}
        assert {"New contact", "Tag", "Undo", "Sort", "Export selection (CSV)"} <= titles


async def test_up_from_the_first_row_goes_to_the_search_box(zs_book):
    app = KamtuiApp(zs_book)
    async with app.run_test(size=SIZE) as pilot:
        screen = await contacts_screen(pilot, app)
        assert screen.table.has_focus
        await pilot.press("up")
        await pilot.pause()
        assert screen.search_box.has_focus
        await type_text(pilot, "zs")
        await pilot.press("down")
        await pilot.pause()
        assert screen.table.has_focus and screen.table.cursor_row == 0
        await pilot.press("enter")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "ContactPage"
        assert app.screen.data.name == "张三"


async def test_list_follows_changes_made_elsewhere(zs_book):
    app = KamtuiApp(zs_book)
    async with app.run_test(size=SIZE) as pilot:
        screen = await contacts_screen(pilot, app)
        await pilot.press("1")
        from kamtui.store.db import Book

        with Book(zs_book.path) as other:  # another process, say (its own connections)
            cid = contacts.create_contact(other, remark="新来的")
            interactions.log_interaction(other, cid, "chat", "hi", T)
        await pilot.press("2")
        await settle(pilot, app)
        assert cid in shown_ids(screen)
        assert shown_ids(screen, 1) == [cid]  # the newest contact first


async def test_merge_two_selected(demo_book):
    from kamtui.screens.contacts import merge_dialog

    modal = merge_dialog()
    if modal is None:
        pytest.skip("the shared merge dialog (kamtui/screens/merge.py) is not on this branch")
    app = KamtuiApp(demo_book)
    async with app.run_test(size=SIZE) as pilot:
        screen = await contacts_screen(pilot, app)
        await type_text(pilot, "/stage:repeat")
        await pilot.press("down", "space", "j", "space")
        keep, drop = screen.targets()
        counts = {
            c: demo_book.scalar("SELECT count(*) FROM interaction WHERE contact_id = ?", (c,))
            + demo_book.scalar("SELECT count(*) FROM purchase WHERE contact_id = ?", (c,))
            for c in (keep, drop)
        }
        await pilot.press("m")
        assert isinstance(app.screen, modal)
        await pilot.press("enter")
        await settle(pilot, app)
        if isinstance(app.screen, ConfirmModal):
            await pilot.press("y")
            await settle(pilot, app)
        merged = demo_book.scalar(
            "SELECT (SELECT count(*) FROM interaction WHERE contact_id = ?) + "
            "(SELECT count(*) FROM purchase WHERE contact_id = ?)",
            (keep, keep),
        )
        assert merged == counts[keep] + counts[drop]
        assert screen.directory.entries[drop].archived


async def test_opened_on_contacts_says_loading_not_zero_until_the_book_is_read(
    demo_book, monkeypatch
):
    monkeypatch.setattr(KamtuiApp, "load_directory", lambda self: None)  # never arrives
    app = KamtuiApp(demo_book, start="contacts")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        header = rendered(app.screen.query_one("#contacts-header"))
        assert header.startswith("Contacts · … in the book")
    monkeypatch.undo()
    app = KamtuiApp(demo_book, start="contacts")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        total = demo_book.scalar("SELECT count(*) FROM contact")
        header = rendered(app.screen.query_one("#contacts-header"))
        assert header.startswith(f"Contacts · {total:,} in the book")

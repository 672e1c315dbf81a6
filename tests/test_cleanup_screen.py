"""The Clean-up screen, driven with the keys a seller presses (Pilot, frozen date)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from kamtui import accounts, cleanup, clock, contacts
from kamtui.app import KamtuiApp
from kamtui.screens.forms import ConfirmModal, FormModal
from kamtui.screens.merge import MergeModal
from kamtui.screens.widgets import GroupRow, VirtualTable

T = date(2026, 11, 24)


def ago(days: int) -> date:
    return T - timedelta(days=days)


@pytest.fixture
def small(book):
    """Two accounts, a few candidates of each kind, one duplicate pair."""
    clock.freeze(T)
    cleanup.forget_cache()
    accounts.create_account(book, "主号-小美", friend_cap=10)
    accounts.create_account(book, "副号", friend_cap=5000)

    def add(name, **kw):
        kw.setdefault("added_on", ago(30))
        kw.setdefault("last_moment_on", ago(2))
        kw.setdefault("account", "主号-小美")
        return contacts.create_contact(book, remark=name, **kw)

    ids = {
        "blocked1": add("拉黑一", blocked_me=True),
        "blocked2": add("拉黑二", blocked_me=True),
        "ad": add("代购", is_ad=True, nickname="专业祛斑"),
        "dead1": add("死号一", last_moment_on=ago(100)),
        "dead2": add("死号二", last_moment_on=ago(90)),
        "dead3": add("死号三", last_moment_on=ago(80)),
        "orig": add("王秀英", phone="13800138000", added_on=ago(100), occupation="教师"),
        "copy": add("王秀英-广州", phone="138-0013-8000"),
        "friend": add("李娜", nickname="娜娜"),
        "other": add("别的号", account="副号", blocked_me=True),
    }
    return book, ids


def table(app) -> VirtualTable:
    return app.screen.query_one(VirtualTable)


async def open_cleanup(pilot, app):
    await pilot.pause()
    await pilot.press("3")
    await settle(pilot, app)


async def settle(pilot, app):
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


def labels(t: VirtualTable) -> list[str]:
    out = []
    for i in range(t.row_count):
        row = t.get_row(i)
        if isinstance(row, GroupRow):
            out.append(str(row.label).strip())
    return out


def row_names(t: VirtualTable) -> list[str]:
    out = []
    for i in range(t.row_count):
        row = t.get_row(i)
        if not isinstance(row, GroupRow):
            cells = row.cells if hasattr(row, "cells") else row
            out.append(str(cells[1]))
    return out


async def test_section_three_shows_accounts_groups_and_capacity(small):
    book, ids = small
    app = KamtuiApp(book)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_cleanup(pilot, app)
        assert type(app.screen).__name__ == "CleanupScreen"
        header = str(app.screen.query_one("#cleanup-header").render())
        assert "8 candidates" in header
        summary = str(app.screen.query_one("#cleanup-accounts").render())
        line = "主号-小美  9/10  → frees 7, leaves 2  · blocked you 2 · ad account 1 · duplicate 1"
        assert line + " · dead 3" in summary
        assert labels(table(app)) == [
            "主号-小美  9/10  · frees 7",
            "blocked you (2)",
            "ad account (1)",
            "duplicate (1)",
            "dead (3)",
            "副号  1/5,000  · frees 1",
            "blocked you (1)",
        ]
        assert table(app).cursor_key == ids["blocked1"]


async def test_keep_with_a_reason_and_the_next_row_comes_up(small):
    book, ids = small
    app = KamtuiApp(book)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_cleanup(pilot, app)
        t = table(app)
        index = t.cursor_row
        await pilot.press("k")
        assert isinstance(app.screen, FormModal)
        await pilot.press(*"亲戚", "enter")
        await settle(pilot, app)
        assert book.query(
            "SELECT decision, note FROM cleanup_decision WHERE contact_id = ?", (ids["blocked1"],)
        ) == [("keep", "亲戚")]
        assert t.cursor_row == index and t.cursor_key == ids["blocked2"]
        assert ids["blocked1"] not in {c.contact_id for c in cleanup.review(book, T).candidates}


async def test_archive_then_undo(small):
    book, ids = small
    app = KamtuiApp(book)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_cleanup(pilot, app)
        t = table(app)
        await pilot.press("a")
        await settle(pilot, app)
        assert contacts.get_contact(book, ids["blocked1"]).archived
        assert t.cursor_key == ids["blocked2"]
        assert "主号-小美  8/10" in str(app.screen.query_one("#cleanup-accounts").render())
        await pilot.press("u")
        await settle(pilot, app)
        assert not contacts.get_contact(book, ids["blocked1"]).archived
        assert ids["blocked1"] in {t.row_key(i) for i in range(t.row_count)}


async def test_mark_for_deletion_moves_to_the_delete_list_and_back(small):
    book, ids = small
    app = KamtuiApp(book)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_cleanup(pilot, app)
        t = table(app)
        await pilot.press("D")
        await settle(pilot, app)
        assert cleanup.marked_ids(book) == [ids["blocked1"]]
        assert t.cursor_key == ids["blocked2"]  # stays in place
        assert "To delete in WeChat (1)" in labels(t)
        t.move_cursor(t.index_of_key(ids["blocked1"]))
        await pilot.press("D")  # on a marked row: unmark
        await settle(pilot, app)
        assert cleanup.marked_ids(book) == []
        await pilot.press("u")
        await settle(pilot, app)
        assert cleanup.marked_ids(book) == [ids["blocked1"]]


async def test_archive_a_whole_reason_group_after_confirming(small):
    book, ids = small
    app = KamtuiApp(book)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_cleanup(pilot, app)
        t = table(app)
        t.move_cursor(t.index_of_key(ids["dead2"]))
        await pilot.press("A")
        assert isinstance(app.screen, ConfirmModal)
        assert "Archive 3 friends (主号-小美 · dead (3))" in app.screen.question
        await pilot.press("n")
        assert not contacts.get_contact(book, ids["dead1"]).archived
        await pilot.press("A", "y")
        await settle(pilot, app)
        assert all(contacts.get_contact(book, ids[k]).archived for k in ("dead1", "dead2", "dead3"))
        assert "dead (3)" not in labels(t)
        await pilot.press("u")  # one undo step for the group
        await settle(pilot, app)
        assert not any(
            contacts.get_contact(book, ids[k]).archived for k in ("dead1", "dead2", "dead3")
        )


async def test_keep_a_group_and_mark_a_selection(small):
    book, ids = small
    app = KamtuiApp(book)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_cleanup(pilot, app)
        await pilot.press("K")
        assert isinstance(app.screen, FormModal)
        assert app.screen.form_title == "Keep 2 friends (主号-小美 · blocked you (2))"
        await pilot.press("enter")
        await settle(pilot, app)
        kept = book.query("SELECT contact_id FROM cleanup_decision WHERE decision = 'keep'")
        assert {r[0] for r in kept} == {ids["blocked1"], ids["blocked2"]}
        t = table(app)
        t.move_cursor(t.index_of_key(ids["dead1"]))
        await pilot.press("s")  # select the group
        assert t.selected_keys == {ids["dead1"], ids["dead2"], ids["dead3"]}
        await pilot.press("D")
        assert isinstance(app.screen, ConfirmModal) and "3 friends" in app.screen.question
        await pilot.press("y")
        await settle(pilot, app)
        assert set(cleanup.marked_ids(book)) == {ids["dead1"], ids["dead2"], ids["dead3"]}


async def test_merge_a_duplicate_pair_through_the_dialog(small):
    book, ids = small
    app = KamtuiApp(book)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_cleanup(pilot, app)
        t = table(app)
        t.move_cursor(t.index_of_key(ids["copy"]))
        await pilot.press("m")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, MergeModal)
        assert (dialog.keep_id, dialog.drop_id) == (ids["orig"], ids["copy"])
        fields = dialog.query_one(VirtualTable)
        assert fields.cursor_key == "remark"
        await pilot.press("right")  # take the copy's remark
        assert dialog.take() == ["remark"]
        row = fields.get_row(fields.index_of_key("occupation"))
        cells = row.cells if hasattr(row, "cells") else row
        assert cells[3] == "教师"  # the empty side is filled from the other
        await pilot.press("enter")
        await settle(pilot, app)
        survivor = contacts.get_contact(book, ids["orig"])
        assert survivor.remark == "王秀英-广州" and survivor.occupation == "教师"
        assert contacts.get_contact(book, ids["copy"]).archived
        assert "duplicate (1)" not in labels(t)
        await pilot.press("u")
        await settle(pilot, app)
        assert contacts.get_contact(book, ids["orig"]).remark == "王秀英"
        assert not contacts.get_contact(book, ids["copy"]).archived


async def test_merge_dialog_swaps_who_stays_and_cancels(small):
    book, ids = small
    app = KamtuiApp(book)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_cleanup(pilot, app)
        t = table(app)
        t.move_cursor(t.index_of_key(ids["copy"]))
        await pilot.press("m")
        await pilot.pause()
        await pilot.press("s")
        assert (app.screen.keep_id, app.screen.drop_id) == (ids["copy"], ids["orig"])
        history = str(app.screen.query_one("#merge-history").render())
        assert "interactions 0" in history and "After:" in history
        await pilot.press("escape")
        await settle(pilot, app)
        assert not contacts.get_contact(book, ids["copy"]).archived
        t.move_cursor(t.index_of_key(ids["dead1"]))
        await pilot.press("m")  # not a duplicate: nothing opens
        assert type(app.screen).__name__ == "CleanupScreen"


async def test_quick_moments_entry(small):
    book, ids = small
    app = KamtuiApp(book)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_cleanup(pilot, app)
        await pilot.press("M")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "QuickMoments"
        await pilot.press(*"siha")  # pinyin of 死号
        await pilot.pause()
        matches = app.screen.query_one(VirtualTable)
        assert {matches.row_key(i) for i in range(matches.row_count)} == {
            ids["dead1"],
            ids["dead2"],
            ids["dead3"],
        }
        await pilot.press("enter", "t")  # the first: posted today
        await pilot.pause()
        first = matches.row_key(0) if matches.row_count else None
        assert first is not None
        posted = [
            k
            for k in ("dead1", "dead2", "dead3")
            if contacts.get_contact(book, ids[k]).last_moment_on == T
        ]
        assert len(posted) == 1
        # still in quick entry, searching again: initials, then a digit
        await pilot.press(*"ln", "enter", "3")
        await pilot.pause()
        assert contacts.get_contact(book, ids["friend"]).last_moment_on == ago(3)
        await pilot.press(*"daigou", "enter", "a")
        await pilot.press(*"lh", "enter", "b")
        await pilot.pause()
        assert contacts.get_contact(book, ids["ad"]).is_ad
        log = str(app.screen.query_one("#moments-log").render())
        assert "4 recorded so far" in log
        await pilot.press("escape")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "CleanupScreen"
        names = row_names(table(app))
        assert len([n for n in names if n.startswith("死号")]) == 2


async def test_quick_moments_typed_days_and_escape_back(small):
    book, ids = small
    app = KamtuiApp(book)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_cleanup(pilot, app)
        await pilot.press("M")
        await settle(pilot, app)
        await pilot.press(*"李娜", "enter", "escape")  # picked, then back to the search
        assert app.screen.chosen is None
        await pilot.press(*"李娜", "enter", "n")
        assert isinstance(app.screen, FormModal)
        await pilot.press(*"12", "enter")
        await pilot.pause()
        assert contacts.get_contact(book, ids["friend"]).last_moment_on == ago(12)


async def test_export_the_delete_list_and_confirm_deleted(small, tmp_path):
    book, ids = small
    app = KamtuiApp(book)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_cleanup(pilot, app)
        await pilot.press("e")  # nothing marked yet: a message, no dialog
        assert type(app.screen).__name__ == "CleanupScreen"
        await pilot.press("D", "D")
        await settle(pilot, app)
        await pilot.press("e")
        form = app.screen
        assert isinstance(form, FormModal)
        assert form.value("path").endswith("delete-list-2026-11-24.csv")
        target = tmp_path / "待删.csv"
        form.query_one("#field-path").value = str(target)
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        text = target.read_bytes().decode("utf-8-sig")
        assert "拉黑一" in text and "拉黑二" in text
        await pilot.press("X")
        assert isinstance(app.screen, ConfirmModal) and "2 marked" in app.screen.question
        await pilot.press("y")
        await settle(pilot, app)
        assert contacts.get_contact(book, ids["blocked1"]).archived
        assert cleanup.marked_ids(book) == []


async def test_undo_of_something_done_elsewhere_asks_first(small):
    book, ids = small
    contacts.archive_contacts(book, [ids["friend"]])
    app = KamtuiApp(book)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_cleanup(pilot, app)
        await pilot.press("u")
        assert isinstance(app.screen, ConfirmModal)
        assert "archive 1 contacts" in app.screen.question
        await pilot.press("n")
        assert contacts.get_contact(book, ids["friend"]).archived


async def test_enter_opens_the_contact_and_help_lists_keys(small):
    book, _ids = small
    app = KamtuiApp(book)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_cleanup(pilot, app)
        await pilot.press("enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "ContactPanel"
        await pilot.press("escape", "question_mark")
        await pilot.pause()
        from kamtui.screens.help import binding_rows

        rows = {desc: keys for keys, desc in binding_rows(app.screen.target)}
        assert rows["Keep"] == "k" and rows["Archive"] == "a" and rows["Merge"] == "m"
        assert rows["Delete in WeChat"] == "D" and rows["Undo"] == "u"
        assert rows["Keep group"] == "K" and rows["Archive group"] == "A"


async def test_hostile_names_show_literally(book):
    clock.freeze(T)
    cid = contacts.create_contact(
        book, nickname="[@click=app.quit]坏人\x1b[31m", blocked_me=True, added_on=ago(3)
    )
    app = KamtuiApp(book)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_cleanup(pilot, app)
        t = table(app)
        assert t.cursor_key == cid
        shot = app.export_screenshot().replace("&#91;", "[").replace("&#93;", "]")
        assert "[@click=app.quit]坏人" in shot
        await pilot.press("M")
        await settle(pilot, app)
        await pilot.press(*"click", "enter", "t")
        await pilot.pause()
        assert app.is_running


async def test_the_demo_book_queue(demo_book):
    app = KamtuiApp(demo_book)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_cleanup(pilot, app)
        found = cleanup.review(demo_book, T)
        t = table(app)
        assert t.cursor_key == found.candidates[0].contact_id
        assert labels(t)[0].startswith("主号-小美")
        # review a group quickly: the cursor stays, the next row comes up each time
        group = [c.contact_id for c in found.candidates if c.primary == "cold"][:5]
        t.move_cursor(t.index_of_key(group[0]))
        for expected in group[1:]:
            await pilot.press("a")
            await pilot.pause()
            assert t.cursor_key == expected

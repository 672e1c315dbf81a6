"""The Today screen, driven with the keys a seller presses (Pilot, demo book, frozen date)."""

from datetime import date, timedelta

from kamtui import contacts, followup, interactions, reminders
from kamtui.app import KamtuiApp
from kamtui.screens.forms import ChoiceModal, ConfirmModal, FormModal
from kamtui.screens.widgets import VirtualTable

T = date(2026, 11, 24)


def table(app) -> VirtualTable:
    return app.screen.query_one(VirtualTable)


async def settle(pilot, app):
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_opens_on_today_with_groups(demo_book):
    app = KamtuiApp(demo_book)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        screen = app.screen
        assert type(screen).__name__ == "TodayScreen"
        agenda = followup.agenda(demo_book, T)
        counts = agenda.counts()
        header = str(screen.query_one("#today-header").render())
        assert f"{counts['overdue']} overdue" in header and f"{counts['today']} today" in header
        t = table(app)
        labels = [t.get_row(i).label for i in range(t.row_count) if hasattr(t.get_row(i), "label")]
        assert labels[0].startswith("Overdue (") and any(x.startswith("Today (") for x in labels)
        assert t.cursor_key == agenda.items[0].reminder_id


async def test_done_logs_interaction_and_schedules_repeat(book):
    cid = contacts.create_contact(book, nickname="王秀英")
    rid = reminders.add_reminder(book, cid, T - timedelta(days=1), "问效果", rrule="每周")
    from kamtui import clock

    clock.freeze(T)
    app = KamtuiApp(book)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        assert table(app).cursor_key == rid
        await pilot.press("d")
        assert isinstance(app.screen, FormModal)
        await pilot.press(*"ok", "enter")
        await settle(pilot, app)
        r = reminders.get_reminder(book, rid)
        assert r.status == "open" and r.due_on == T + timedelta(days=6)
        last = interactions.list_interactions(book, cid, limit=1)[0]
        assert (last.occurred_on, last.summary) == (T, "ok")
        # it moved out of the overdue group
        assert not followup.agenda(book, T).groups["overdue"]


async def test_snooze_one_day(book):
    from kamtui import clock

    clock.freeze(T)
    cid = contacts.create_contact(book, nickname="A")
    rid = reminders.add_reminder(book, cid, T, "x")
    app = KamtuiApp(book)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("s")
        assert isinstance(app.screen, ChoiceModal)
        await pilot.press("1")
        await settle(pilot, app)
        assert reminders.get_reminder(book, rid).snoozed_until == T + timedelta(days=1)


async def test_snooze_typed_date_and_bad_date(book):
    from kamtui import clock

    clock.freeze(T)
    cid = contacts.create_contact(book, nickname="A")
    rid = reminders.add_reminder(book, cid, T, "x")
    app = KamtuiApp(book)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("s", "4")
        assert isinstance(app.screen, FormModal)
        await pilot.press(*"下下下周", "enter")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FormModal)  # still open: the date was not understood
        error = str(form.query_one("#error-due_on").render())
        assert "下下下周" in error and "not understood" in error
        assert form.value("due_on") == "下下下周"  # what was typed is kept
        assert reminders.get_reminder(book, rid).snoozed_until is None
        await pilot.press(*["backspace"] * 4, *"明天", "enter")
        await settle(pilot, app)
        assert reminders.get_reminder(book, rid).snoozed_until == T + timedelta(days=1)


async def test_edit_with_tomorrow(book):
    from kamtui import clock

    clock.freeze(T)
    cid = contacts.create_contact(book, nickname="A")
    rid = reminders.add_reminder(book, cid, T, "旧")
    app = KamtuiApp(book)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("e")
        form = app.screen
        form.query_one("#field-due_on").value = "明天"
        form.query_one("#field-note").value = "新的"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        r = reminders.get_reminder(book, rid)
        assert (r.due_on, r.note) == (T + timedelta(days=1), "新的")


async def test_dismiss_automatic_stays_dismissed(demo_book):
    app = KamtuiApp(demo_book)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        auto = next(i for i in followup.agenda(demo_book, T).items if i.kind != "manual")
        t = table(app)
        t.move_cursor(t.index_of_key(auto.reminder_id))
        await pilot.press("x")
        await settle(pilot, app)
        assert reminders.get_reminder(demo_book, auto.reminder_id).status == "dismissed"
        followup.refresh(demo_book, T)
        followup.refresh(demo_book, T + timedelta(days=1))
        assert reminders.get_reminder(demo_book, auto.reminder_id).status == "dismissed"
        ids = {i.reminder_id for i in followup.agenda(demo_book, T).items}
        assert auto.reminder_id not in ids


async def test_clear_overdue_with_keyboard_alone(demo_book):
    """Select the overdue group (v, G… or space) and mark it done in one go."""
    followup.refresh(demo_book, T)
    overdue = followup.agenda(demo_book, T).groups["overdue"]
    app = KamtuiApp(demo_book)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        t = table(app)
        t.move_cursor(t.index_of_key(overdue[0].reminder_id))
        await pilot.press("v")
        for _ in range(len(overdue) - 1):
            await pilot.press("j")
        await pilot.press("v")
        assert t.selected_keys == {i.reminder_id for i in overdue}
        await pilot.press("d", "enter")
        await settle(pilot, app)
        assert followup.agenda(demo_book, T).groups["overdue"] == []


async def test_delete_manual_asks_first(book):
    from kamtui import clock

    clock.freeze(T)
    cid = contacts.create_contact(book, nickname="A")
    rid = reminders.add_reminder(book, cid, T, "x")
    app = KamtuiApp(book)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("x")
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("n")
        assert reminders.get_reminder(book, rid).status == "open"
        await pilot.press("x", "y")
        await settle(pilot, app)
        assert reminders.get_reminder(book, rid).status == "deleted"


async def test_enter_opens_contact_page_and_help_lists_keys(demo_book):
    app = KamtuiApp(demo_book)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "ContactPage"
        await pilot.press("escape")
        await pilot.press("question_mark")
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpScreen"
        from kamtui.screens.help import binding_rows

        rows = dict((desc, keys) for keys, desc in binding_rows(app.screen.target))
        for words, key in (("Done", "d"), ("Snooze", "s"), ("New", "n"), ("Edit", "e")):
            assert rows[words] == key
        assert rows["Dismiss"] == "x" and rows["Help"] == "? / F1"
        await pilot.press("escape")
        assert type(app.screen).__name__ == "TodayScreen"


async def test_hostile_names_show_literally(book):
    from kamtui import clock

    clock.freeze(T)
    cid = contacts.create_contact(book, nickname="[@click=app.quit]坏人\x1b[31m")
    reminders.add_reminder(book, cid, T, "[bold red]注意[/]")
    app = KamtuiApp(book)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        row = table(app).get_row(1)
        assert "[@click=app.quit]坏人" in str(row[1]) or "[@click=app.quit]坏人" in str(
            row.cells[1]
        )
        screen_text = app.export_screenshot()
        assert "[@click=app.quit]" in screen_text.replace("&#91;", "[").replace("&#93;", "]")
        await pilot.press("enter")  # the panel too
        await pilot.pause()
        assert app.is_running


async def test_new_reminder_by_pinyin_with_tomorrow_and_a_bad_date(book):
    from kamtui import clock
    from kamtui.screens.picker import ContactPicker

    clock.freeze(T)
    contacts.create_contact(book, nickname="赵六")
    target = contacts.create_contact(book, nickname="王秀英")
    app = KamtuiApp(book)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("n")
        await settle(pilot, app)
        assert isinstance(app.screen, ContactPicker)
        await pilot.press(*"wxy")
        await pilot.pause()
        assert app.screen.ids[0] == target
        await pilot.press("enter")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FormModal)
        form.query_one("#field-due_on").value = "明年某天"
        form.query_one("#field-note").value = "问问面膜"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form  # refused, typed values kept
        assert "明年某天" in str(form.query_one("#error-due_on").render())
        assert form.value("note") == "问问面膜"
        assert book.scalar("SELECT count(*) FROM reminder") == 0
        form.query_one("#field-due_on").value = "明天"
        form.query_one("#field-repeat").value = "每2周"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        (r,) = reminders.for_contact(book, target)
        assert (r.due_on, r.note, r.rrule) == (
            T + timedelta(days=1),
            "问问面膜",
            "FREQ=WEEKLY;INTERVAL=2",
        )


async def test_rows_show_stage_and_tier_badges(demo_book):
    from kamtui.classify import classify_all

    app = KamtuiApp(demo_book)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot, app)
        cls = classify_all(demo_book, T)
        t = table(app)
        screen = app.screen
        checked = 0
        for i in range(t.row_count):
            key = t.row_key(i)
            if key is None:
                continue
            item = screen.items[key]
            row = t.get_row(i)
            cells = row.cells if hasattr(row, "cells") else row
            assert (
                str(cells[2])
                == {
                    "referrer": "referrer",
                    "repeat": "repeat",
                    "buyer": "buyer",
                    "prospect": "prospect",
                    "friend": "friend",
                }[cls.stage_of(item.contact_id)]
            )
            assert str(cells[3]) == (cls.tier_of(item.contact_id) or "")
            checked += 1
        assert checked > 50


async def test_redrawn_list_stays_at_top_unless_the_seller_moved(book):
    """New reminders that come in above (the morning's refresh) leave an untouched
    list at its top, group title shown; a seller who moved keeps their row."""
    from kamtui import clock

    clock.freeze(T)
    a = contacts.create_contact(book, nickname="A")
    b = contacts.create_contact(book, nickname="B")
    first = reminders.add_reminder(book, a, T - timedelta(days=1), "one")
    second = reminders.add_reminder(book, b, T - timedelta(days=1), "two")
    app = KamtuiApp(book)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        t = table(app)
        assert t.cursor_key == first
        above = reminders.add_reminder(book, b, T - timedelta(days=30), "older")
        app.screen.reload()
        await settle(pilot, app)
        assert t.cursor_key == above and t.scroll_offset.y == 0
        await pilot.press("j")
        assert t.cursor_key == first
        higher = reminders.add_reminder(book, a, T - timedelta(days=60), "oldest")
        app.screen.reload()
        await settle(pilot, app)
        assert t.cursor_key == first  # the seller's row, not the new top one
        assert higher in {i.reminder_id for i in followup.agenda(book, T).items}
        assert second in app.screen.items


async def test_back_from_a_contact_shows_what_changed_there(book):
    """A credit sale recorded while the contact's page is open is owed money due
    today: back on Today, the worker's new list shows it."""
    from kamtui import clock, purchases
    from kamtui.screens.contact_page import ContactPage

    clock.freeze(T)
    a = contacts.create_contact(book, nickname="A")
    reminders.add_reminder(book, a, T, "ask")
    app = KamtuiApp(book)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, ContactPage)
        purchases.record_purchase(book, a, "玫瑰精华", 120, bought_on=T - timedelta(days=30),
                                  credit=True, due_on=T)  # fmt: skip
        await pilot.press("escape")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "TodayScreen"
        kinds = {item.kind for item in app.screen.items.values()}
        assert "owed" in kinds and "manual" in kinds
        assert table(app).cursor_key is not None


async def test_an_older_read_never_replaces_a_newer_list(book):
    """The worker's list, read before the seller marked a reminder done, arrives after
    it: it is dropped, and the done reminder does not come back on screen."""
    from kamtui import clock

    clock.freeze(T)
    a = contacts.create_contact(book, nickname="A")
    rid = reminders.add_reminder(book, a, T, "ask")
    keep = reminders.add_reminder(book, a, T + timedelta(days=2), "later")
    app = KamtuiApp(book)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        screen = app.screen
        shown = screen._loads
        stale = followup.agenda_view(book, T)  # what a worker read before the action
        assert rid in screen.items
        await pilot.press("d", "enter")
        await settle(pilot, app)
        assert rid not in screen.items
        screen._show(shown, None, stale)
        await pilot.pause()
        assert rid not in screen.items and keep in screen.items
        screen._show(screen._loads, None, followup.agenda_view(book, T))  # a current one is
        assert keep in screen.items

"""Contact data is shown, never interpreted: every screen, table, page and notification.

Names, remarks, notes and snippets holding Textual/Rich markup, ANSI escapes, bidi
overrides, zero-width characters, 10,000-character strings and non-BMP emoji must
show literally (markup as its brackets) and never act (a ``[@click=app.quit]`` name
does not quit; an escape does not reach the terminal).
"""

from datetime import date, timedelta

import pytest

from kamtui import clock, contacts, interactions, purchases, reminders, snippets
from kamtui.app import KamtuiApp

T = date(2026, 11, 24)
CLICK = "[@click=app.quit]点我"
MARKUP = "[bold red]红字[/]"
ANSI = "\x1b[31m红\x1b[0m色\x1b]0;title\x07"
BIDI = "\u202eabc\u202c测试"
ZW = "零\u200b宽\u200d字"
EMOJI = "小美🌸👩‍👩‍👧𝕏"
LONG = "长" * 10_000


@pytest.fixture
def hostile(book):
    clock.freeze(T)
    ids = {}
    for key, remark, nickname in (
        ("click", CLICK, "坏人一"),
        ("markup", MARKUP, "坏人二"),
        ("ansi", ANSI, "坏人三"),
        ("bidi", BIDI, "坏人四"),
        ("zw", ZW, "坏人五"),
        ("emoji", EMOJI, "坏人六"),
        ("long", LONG[:190], "坏人七"),
    ):
        cid = contacts.create_contact(
            book,
            remark=remark,
            nickname=nickname,
            description=LONG,
            is_ad=key == "click",  # a clean-up candidate too
            added_on=date(2025, 1, 1),
            tags=["坏"],
        )
        ids[key] = cid
        reminders.add_reminder(book, cid, T, f"{MARKUP} {CLICK} {ANSI}")
        purchases.record_purchase(
            book, cid, f"{MARKUP}商品", "100", bought_on=T - timedelta(days=40)
        )
        purchases.record_purchase(
            book, cid, "面膜", "50", bought_on=T - timedelta(days=3), credit=True, due_on=T
        )
        interactions.log_interaction(book, cid, "chat", f"{CLICK} {ANSI}", T - timedelta(days=2))
        snippets.add_snippet(book, cid, "need", f"{MARKUP}{BIDI}")
    return ids


def visible(app) -> str:
    """The screen as plain text (what a seller sees)."""
    svg = app.export_screenshot()
    for a, b in (("&#160;", " "), ("&#91;", "["), ("&#93;", "]"), ("&amp;", "&")):
        svg = svg.replace(a, b)
    return svg


async def settle(pilot, app):
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


def assert_safe(app, *, expect=()):
    assert app.is_running, "a contact's text made the app quit"
    text = visible(app)
    assert "\x1b" not in text and "\u202e" not in text
    for literal in expect:
        assert literal in text, literal


async def test_every_section_shows_hostile_text_literally(book, hostile):
    app = KamtuiApp(book)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot, app)
        assert_safe(app, expect=["[@click=app.quit]点我", "[bold red]红字[/]"])  # Today
        # clicking on the hostile name must not run its "action"
        await pilot.click(offset=(10, 4))
        await settle(pilot, app)
        assert app.is_running
        if app.screen is not app.screen_stack[0]:
            await pilot.press("escape")
        for key in ("2", "3", "4"):
            await pilot.press(key)
            await settle(pilot, app)
            assert_safe(app)
        await pilot.press("2")
        await settle(pilot, app)
        await pilot.press("slash", *"坏人一")
        await settle(pilot, app)
        assert_safe(app, expect=["[@click=app.quit]点我"])
        await pilot.press("enter")  # the contact page
        await settle(pilot, app)
        assert type(app.screen).__name__ == "ContactPage"
        assert_safe(app, expect=["[@click=app.quit]点我", "[bold red]红字[/]商品"])


async def test_contact_page_of_each_hostile_contact(book, hostile):
    from kamtui.screens.contact_page import open_contact

    app = KamtuiApp(book)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot, app)
        for cid in hostile.values():
            open_contact(app, cid)
            await settle(pilot, app)
            assert_safe(app)
            await pilot.press("f")  # favourite: a notification names the contact
            await settle(pilot, app)
            assert_safe(app)
            await pilot.press("escape")
            await settle(pilot, app)


async def test_notifications_with_hostile_names_do_not_act(book, hostile):
    app = KamtuiApp(book)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot, app)
        await pilot.press("d", "enter")  # done on the first row: a notification follows
        await settle(pilot, app)
        assert_safe(app)
        for notification in app._notifications:
            assert notification.markup is False or "[" not in notification.message


def test_cli_output_has_no_escapes(book, hostile, capsys, monkeypatch):
    from kamtui.cli import main

    monkeypatch.setenv("KAMTUI_TODAY", T.isoformat())
    path = str(book.path)
    for argv in (["today"], ["find", "坏"], ["cleanup"], ["stats"]):
        assert main(["--db", path, *argv]) == 0, argv
        out = capsys.readouterr().out
        assert "\x1b" not in out and "\u202e" not in out, argv
        assert "[@click=app.quit]" in out or argv[0] == "stats", argv

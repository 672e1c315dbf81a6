"""The app shell: sections, the palette, help, language and theme remembered, no tracebacks."""

from kamtui import i18n, settings
from kamtui.app import RELAUNCH, KamtuiApp


async def settle(pilot, app):
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_language_switch_from_palette_is_remembered(book):
    app = KamtuiApp(book)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        assert "Language: 中文 (Chinese)" in commands
        commands["Language: 中文 (Chinese)"].callback()
        await pilot.pause()
    assert app.return_value == RELAUNCH
    assert settings.get(book, "ui.language") == "zh"
    assert i18n.language() == "zh"
    app2 = KamtuiApp(book)
    async with app2.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app2)
        header = str(app2.screen.query_one("#today-header").render())
        assert header.startswith("今日")
        titles = {c.title for c in app2.get_system_commands(app2.screen)}
        assert "完成" in titles and "语言: English (英文)" in titles


async def test_palette_offers_screen_actions_and_runs_them(book):
    from kamtui.screens.help import HelpScreen

    app = KamtuiApp(book)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        for title in ("Done", "Snooze", "New", "Edit", "Dismiss", "Help", "Theme", "Quit"):
            assert title in commands, title
        assert not any(t.startswith(("Cursor", "Move")) for t in commands)  # no navigation
        commands["Help"].callback()
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)


async def test_theme_is_remembered(book):
    app = KamtuiApp(book)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        app.theme = "textual-light"
        await pilot.pause()
    assert settings.get(book, "ui.theme") == "textual-light"
    app2 = KamtuiApp(book)
    async with app2.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app2)
        assert app2.theme == "textual-light"


async def test_f1_and_question_mark_open_help(book):
    from kamtui.screens.help import HelpScreen

    app = KamtuiApp(book)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)


async def test_an_unexpected_error_is_logged_and_shown_without_traceback(book, tmp_path):
    app = KamtuiApp(book)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        app.report_unexpected(RuntimeError("boom"))
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert any("Sorry, something went wrong (RuntimeError)" in m for m in messages)
    log = next((tmp_path / "xdg").rglob("kamtui.log"))
    assert "boom" in log.read_text()


async def test_mouse_click_selects_a_row(book):
    from datetime import date

    from kamtui import clock, contacts, reminders
    from kamtui.screens.widgets import VirtualTable

    clock.freeze(date(2026, 11, 24))
    for n in "AB":
        cid = contacts.create_contact(book, nickname=n)
        reminders.add_reminder(book, cid, date(2026, 11, 24), f"r{n}")
    app = KamtuiApp(book)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        table = app.screen.query_one(VirtualTable)
        first = table.cursor_key
        await pilot.click(VirtualTable, offset=(10, 3))  # header, group row, then row 2
        await pilot.pause()
        assert table.cursor_key != first


async def test_opens_on_the_section_asked_or_set(book, monkeypatch):
    """``kamtui --open contacts`` opens on Contacts; without it, the ui.start_section
    setting decides (Today by default); a section that does not exist is refused."""
    from kamtui import app as app_mod
    from kamtui.cli import main

    opened = []
    monkeypatch.setattr(app_mod.KamtuiApp, "run", lambda self: opened.append(self) or None)
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    assert main(["--db", str(book.path), "--open", "contacts"]) == 0
    assert main(["--db", str(book.path)]) == 0
    settings.put(book, "ui.start_section", "cleanup")
    assert main(["--db", str(book.path)]) == 0
    assert [a.start_section for a in opened] == ["contacts", "today", "cleanup"]
    assert main(["--db", str(book.path), "--open", "nowhere"]) == 2
    app = KamtuiApp(book, start="contacts")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        assert type(app.screen).__name__ == "ContactsScreen"
        await pilot.press("1")
        assert type(app.screen).__name__ == "TodayScreen"


async def test_opened_on_contacts_the_days_reminders_are_derived(demo_book):
    from kamtui import clock, followup

    assert followup._last_run(demo_book) is None
    app = KamtuiApp(demo_book, start="contacts")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        assert type(app.screen).__name__ == "ContactsScreen"
        assert followup._last_run(demo_book) == clock.today()
        assert demo_book.scalar("SELECT count(*) FROM reminder WHERE auto_key IS NOT NULL") > 0


async def test_a_worker_finishing_as_its_screen_goes_is_not_a_crash(book):
    """A worker's answer for a screen (or widget) no longer in the app, as when the
    seller quits while the book's index is still being built, is dropped: running it
    on the pruned screen raised NoMatches in the worker, and the app ended with a
    crash message (seen in the benchmark's start-up runs)."""
    import asyncio

    from textual.containers import Vertical
    from textual.widgets import Static

    class Panel(Vertical):
        def status(self) -> bool:
            return self.query_one("#contacts-status") is not None

    app = KamtuiApp(book)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        gone = Panel()  # never mounted: as a pruned screen, nothing inside it
        here = Panel(Static(id="contacts-status"))
        await app.screen.mount(here)
        assert await asyncio.to_thread(app.call_from_thread, here.status) is True
        assert await asyncio.to_thread(app.call_from_thread, gone.status) is None
        await pilot.pause()
        assert app.is_running and app._exception is None

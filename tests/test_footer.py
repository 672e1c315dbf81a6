"""The key bar: the keys of what has the focus, rebuilt only when they change."""

from textual.widgets._footer import FooterKey

from kamtui.app import KamtuiApp
from kamtui.screens.widgets.footer import Footer


async def settle(pilot, app):
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


def shown(app) -> list[str]:
    return [k.description for k in app.screen.query_one(Footer).query(FooterKey)]


async def test_the_keys_follow_the_focus_and_are_rebuilt_only_when_they_change(
    demo_book, monkeypatch
):
    rebuilt = []
    real = Footer.recompose

    async def counted(self):
        rebuilt.append(self.screen)
        return await real(self)

    monkeypatch.setattr(Footer, "recompose", counted)
    app = KamtuiApp(demo_book)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot, app)
        assert {"Done", "Snooze", "Dismiss"} <= set(shown(app))
        await pilot.press("2")
        await settle(pilot, app)
        table_keys = shown(app)
        assert {"New contact", "Archive / restore"} <= set(table_keys), table_keys
        assert "Done" not in table_keys
        rebuilt.clear()
        for _ in range(3):  # nothing the bar shows has changed
            app.screen.refresh_bindings()
            await pilot.pause()
        assert rebuilt == []
        await pilot.press("slash")  # the search field: its own keys
        await settle(pilot, app)
        assert len(rebuilt) == 1
        assert "New contact" not in shown(app)
        await pilot.press("escape")
        await settle(pilot, app)
        assert shown(app) == table_keys

"""The export dialog, driven with keys (Pilot): the file it writes, and what it refuses."""

from __future__ import annotations

import csv
import io
import stat
from pathlib import Path

import pytest
from textual.widgets import Input, Select

from kamtui import contacts
from kamtui.app import KamtuiApp
from kamtui.screens.export_dialog import ExportDialog, default_path, open_export, with_format
from kamtui.screens.forms import ConfirmModal


async def settle(pilot, app):
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "home"
    folder.mkdir()
    monkeypatch.setenv("HOME", str(folder))
    return folder


@pytest.fixture
def people(book):
    a = contacts.create_contact(book, remark="王芳", nickname="芳芳", phone="13800138000")
    b = contacts.create_contact(book, remark="李娜", wechat_id="lina_2021", city="深圳")
    c = contacts.create_contact(book, nickname="赵雷")
    return a, b, c


def rows_of(path: Path, encoding: str = "utf-8-sig") -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode(encoding))))


async def type_path(pilot, text: str) -> None:
    await pilot.press("ctrl+u", *text)


def test_default_path_and_format_switch(home):
    from kamtui import clock

    clock.freeze(None)
    path = default_path("xlsx")
    assert path.startswith("~/kamtui-export-") and path.endswith(".xlsx")
    assert with_format("~/客户.csv", "vcf") == "~/客户.vcf"
    assert with_format("~/客户.txt", "json") == "~/客户.txt"  # not an export ending: kept


async def test_writes_a_csv_of_the_given_ids(book, people, home):
    a, _, c = people
    done = []
    app = KamtuiApp(book)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        open_export(app, ids=[c, a], on_done=done.append)
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)
        assert "Export 2 contacts" in str(dialog.query_one(".dialog-title").render())
        await type_path(pilot, "~/客户.csv")
        await pilot.press("enter")
        await settle(pilot, app)
        assert not isinstance(app.screen, ExportDialog)
        path = home / "客户.csv"
        assert done and done[0].count == 2 and done[0].path == path
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert path.read_bytes().startswith(b"\xef\xbb\xbf")
        rows = rows_of(path)
        assert rows[0][:3] == ["Remark name", "Nickname", "WeChat ID"]
        assert [r[0] or r[1] for r in rows[1:]] == ["赵雷", "王芳"]  # the given order
        assert "李娜" not in path.read_text("utf-8-sig")
        assert any("Exported 2 contacts" in n.message for n in app._notifications)


async def test_columns_headers_and_gb18030(book, people, home):
    a, b, _ = people
    app = KamtuiApp(book)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        open_export(app, ids=[a, b])
        await pilot.pause()
        dialog = app.screen
        await type_path(pilot, "~/老.csv")
        await pilot.press("tab", *"remark,phone,city,foo", "enter")
        await pilot.pause()
        # an unknown column is refused under the field, nothing is written
        error = str(dialog.query_one("#error-columns").render())
        assert "foo" in error and "remark" in error
        assert app.screen is dialog and not (home / "老.csv").exists()
        await pilot.press(*["backspace"] * 4)
        # headers in Chinese, GB18030 for an old Excel (Select: Enter opens, ↓, Enter)
        await pilot.press("tab", "enter", "up", "enter", "tab", "enter", "down", "enter")
        await pilot.pause()
        assert dialog.query_one("#export-headers", Select).value == "zh"
        assert dialog.query_one("#export-encoding", Select).value == "gb18030"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        path = home / "老.csv"
        rows = rows_of(path, "gb18030")
        assert rows == [
            ["备注名", "手机", "城市"],
            ["王芳", "138 0013 8000", ""],
            ["李娜", "", "深圳"],
        ]


async def test_overwriting_asks_first(book, people, home):
    a, _, _ = people
    existing = home / "x.csv"
    existing.write_text("old", encoding="utf-8")
    app = KamtuiApp(book)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        open_export(app, ids=[a])
        await pilot.pause()
        await type_path(pilot, "~/x.csv")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal) and "x.csv" in app.screen.question
        await pilot.press("n")
        await settle(pilot, app)
        assert isinstance(app.screen, ExportDialog)
        assert existing.read_text("utf-8") == "old"
        await pilot.press("enter", "y")
        await settle(pilot, app)
        assert "王芳" in existing.read_text("utf-8-sig")
        assert stat.S_IMODE(existing.stat().st_mode) == 0o600


async def test_refusals_and_escape_write_nothing(book, people, home):
    app = KamtuiApp(book)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        open_export(app, ids=list(people))
        await pilot.pause()
        dialog = app.screen
        for typed, words in (
            ("~/no/such/x.csv", "does not exist"),
            ("~", "is a folder"),
            ("", "Give a file name"),
        ):
            await type_path(pilot, typed)
            await pilot.press("enter")
            await pilot.pause()
            assert app.screen is dialog
            assert words in str(dialog.query_one("#error-path").render())
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ExportDialog)
    assert list(home.iterdir()) == []


async def test_palette_exports_everyone_as_vcard(demo_book, home):
    app = KamtuiApp(demo_book)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Export contacts")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot, app)
        dialog = app.screen
        assert isinstance(dialog, ExportDialog) and dialog.ids is None
        # format: Enter opens the list, ↓↓ to vCard; the path follows the format
        await pilot.press("shift+tab", "enter", "down", "down", "enter")
        await pilot.pause()
        assert dialog.fmt() == "vcf"
        path_field = dialog.query_one("#export-path", Input)
        assert path_field.value.endswith(".vcf")
        assert dialog.query_one("#export-columns", Input).disabled
        path_field.focus()
        await type_path(pilot, "~/all.vcf")
        await pilot.press("enter")
        await settle(pilot, app)
        text = (home / "all.vcf").read_text("utf-8")
        live = demo_book.scalar("SELECT count(*) FROM contact WHERE archived = 0")
        assert text.count("BEGIN:VCARD") == live

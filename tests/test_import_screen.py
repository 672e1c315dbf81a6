"""The import screens, driven with the keys a seller presses (Pilot, frozen date)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kamtui import contacts
from kamtui.app import KamtuiApp
from kamtui.importing import list_profiles, load_profile, save_profile
from kamtui.importing.profiles import last_folder
from kamtui.screens.filepick import PathPicker, complete, list_folder, restart, shorten
from kamtui.screens.forms import ChoiceModal, ConfirmModal, FormModal
from kamtui.screens.import_screen import ImportScreen, MappingScreen, PlanScreen
from kamtui.screens.widgets import VirtualTable

FIX = Path(__file__).parent / "fixtures" / "import"

UNKNOWN_HEADERS = (
    "客户昵称,联系号码,神秘列,城市\n小美,13800138001,abc,深圳\n阿强,13800138002,def,广州\n"
)


async def settle(pilot, app):
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


def book_state(book) -> tuple:
    """Everything an import could change."""
    return (
        book.query("SELECT * FROM contact ORDER BY id"),
        book.query("SELECT * FROM account ORDER BY id"),
        book.query("SELECT * FROM tag ORDER BY id"),
        book.query("SELECT * FROM purchase ORDER BY id"),
        book.query("SELECT * FROM setting WHERE key NOT LIKE 'state.%' ORDER BY key"),
        book.scalar("SELECT count(*) FROM undo_action"),
    )


def text_of(widget) -> str:
    return str(widget.render())


def table_text(table: VirtualTable) -> str:
    """What the table shows, line by line (as painted)."""
    lines = []
    for y in range(min(table.size.height, table.row_count + 1)):
        lines.append("".join(seg.text for seg in table.render_line(y)))
    return "\n".join(lines)


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """A home directory of its own (paths typed in tests stay short: a key costs ~0.1 s)."""
    folder = tmp_path / "home"
    folder.mkdir()
    monkeypatch.setenv("HOME", str(folder))
    return folder


def put(home: Path, name: str, data: bytes | str | Path) -> Path:
    path = home / name
    if isinstance(data, Path):
        data = data.read_bytes()
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


async def open_file(pilot, app, path: Path) -> None:
    """Ctrl+O, clear the path field, type the path (from the home directory), Enter."""
    await pilot.press("ctrl+o")
    await pilot.pause()
    assert isinstance(app.screen, ImportScreen)
    await pilot.press("ctrl+u", *shorten(path), "enter")
    await settle(pilot, app)


# ---- the file chooser -------------------------------------------------------------------


def test_completion_lists_and_completes(tmp_path):
    (tmp_path / "客户").mkdir()
    (tmp_path / "客户" / "seller.csv").write_text("x")
    (tmp_path / "contacts-2025.csv").write_text("x")
    (tmp_path / "contacts-2026.csv").write_text("x")
    (tmp_path / ".hidden.csv").write_text("x")
    base = str(tmp_path) + "/"
    folder, entries, total = list_folder(base)
    assert folder == tmp_path and total == 3
    assert [e.shown for e in entries] == ["客户/", "contacts-2025.csv", "contacts-2026.csv"]
    assert complete(base + "con") == base + "contacts-202"  # as far as they agree
    assert complete(base + "CONTACTS-2026") == base + "contacts-2026.csv"  # case ignored
    assert complete(base + "客") == base + "客户/"  # a folder gets its slash
    assert complete(base + "nothing") == base + "nothing"
    assert [e.name for e in list_folder(base + ".")[1]] == [".hidden.csv"]
    assert complete("~") == "~/"
    assert restart("~//tmp/x") == "/tmp/x" and restart("/tmp/~/a") == "~/a"
    assert restart("~/a b/c") == "~/a b/c"


async def test_tab_completes_and_enter_goes_to_the_mapping(book, home):
    (home / "data").mkdir()
    (home / "dates").mkdir()
    put(home / "data", "seller.csv", FIX / "seller.csv")
    app = KamtuiApp(book)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("ctrl+o")
        await pilot.pause()
        picker = app.screen.query_one(PathPicker)
        assert picker.value == "~/"
        await pilot.press("/")  # a new path from the root
        assert picker.value == "/"
        await pilot.press("~", "/", "d", "tab")
        assert picker.value == "~/dat"  # as far as data/ and dates/ agree
        await pilot.press("a", "tab")
        assert picker.value == "~/data/"
        await pilot.press("s", "tab")
        assert picker.value == "~/data/seller.csv"
        await settle(pilot, app)
        info = text_of(app.screen.query_one("#file-info"))
        assert "seller.csv" in info and "CSV" in info and "A seller's own spreadsheet" in info
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, MappingScreen)
        # the folder is remembered for the next import in this session
        await pilot.press("escape", "escape")
        await pilot.pause()
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert app.screen.query_one(PathPicker).value == "~/data/"


# ---- the whole flow ------------------------------------------------------------------------


async def test_unknown_headers_mapped_by_hand_saved_planned_and_applied(book, home):
    path = put(home, "朋友.csv", UNKNOWN_HEADERS)
    app = KamtuiApp(book)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await open_file(pilot, app, path)
        screen = app.screen
        assert isinstance(screen, MappingScreen)
        table = screen.query_one(VirtualTable)
        shown = table_text(table)
        assert "? not recognised" in shown and "小美 · 阿强" in shown
        assert screen.session.mapping.fields == [None, None, None, "city"]
        # column 1 -> nickname (the field picker opens on Enter, 2 = nickname)
        await pilot.press("enter")
        assert isinstance(app.screen, ChoiceModal)
        await pilot.press("2")
        await pilot.pause()
        # column 2 -> phone (9 = phone)
        await pilot.press("j", "enter", "9")
        await pilot.pause()
        # column 4 (城市) skipped with x
        await pilot.press("j", "j", "x")
        await pilot.pause()
        assert screen.session.mapping.fields == ["nickname", "phone", None, None]
        assert "Phone" in table_text(table) and "2 imported" in text_of(
            screen.query_one("#map-file")
        )
        # save the mapping as a profile
        await pilot.press("s")
        assert isinstance(app.screen, FormModal)
        await pilot.press("ctrl+u", *"我的表", "enter")
        await pilot.pause()
        assert list_profiles(book) == ["我的表"]
        assert load_profile(book, "我的表").fields == ["nickname", "phone", None, None]
        # plan
        await pilot.press("p")
        await settle(pilot, app)
        plan_screen = app.screen
        assert isinstance(plan_screen, PlanScreen) and plan_screen.state == "planned"
        summary = text_of(plan_screen.query_one("#plan-summary"))
        assert "2 rows: 2 new, 0 updated, 0 conflicting" in summary
        assert book.scalar("SELECT count(*) FROM contact") == 0  # nothing written yet
        # apply
        await pilot.press("i")
        assert isinstance(app.screen, ConfirmModal)
        assert "2 new" in app.screen.question
        await pilot.press("y")
        await settle(pilot, app)
        assert plan_screen.state == "done"
        done = text_of(plan_screen.query_one("#plan-done"))
        assert "Imported: 2 new" in done and "Backup before the import" in done
        assert "press u on the Contacts screen" in done and "kamtui undo" in done
        rows = book.query("SELECT nickname, phone, city FROM contact ORDER BY id")
        assert rows == [("小美", "+8613800138001", ""), ("阿强", "+8613800138002", "")]
        assert last_folder(book) == str(home)
        await pilot.press("enter")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "TodayScreen"
        assert app.directory is not None and len(app.directory.entries) == 2


async def test_saved_profile_is_applied_by_header_name(book, home):
    from kamtui.importing import Mapping

    save_profile(
        book,
        "老表",
        Mapping([("联系号码", "phone"), ("客户昵称", "nickname"), ("城市", None)]),
    )
    path = put(home, "x.csv", UNKNOWN_HEADERS)
    app = KamtuiApp(book)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await open_file(pilot, app, path)
        screen = app.screen
        await pilot.press("l")
        assert isinstance(app.screen, ChoiceModal)
        await pilot.press("1")
        await pilot.pause()
        assert screen.session.mapping.fields == ["nickname", "phone", None, None]
        assert screen.session.mapping.unmapped == ["神秘列"]


async def test_conflict_toggled_to_take_is_applied(book, home):
    cid = contacts.create_contact(book, nickname="旧名", wechat_id="wx_a", city="上海")
    path = put(home, "c.csv", "微信号,昵称,城市\nwx_a,新名,北京\nwx_b,另一位,广州\n")
    app = KamtuiApp(book)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await open_file(pilot, app, path)
        await pilot.press("p")
        await settle(pilot, app)
        screen = app.screen
        assert isinstance(screen, PlanScreen)
        fields = [c.field for c in screen.plan.conflicts]
        assert sorted(fields) == ["city", "nickname"]
        table = screen.query_one("#conflicts", VirtualTable)
        assert table.has_focus and "keep" in table_text(table)
        # all at once, then back, then the first one only
        await pilot.press("f")
        assert screen.take == {0, 1}
        await pilot.press("b")
        assert screen.take == set()
        await pilot.press("enter")
        assert screen.take == {0}
        await pilot.press("j", "space")  # space toggles too
        assert screen.take == {0, 1}
        await pilot.press("space")
        assert screen.take == {0}
        assert "1 take the file" in text_of(screen.query_one("#conflicts-title"))
        await pilot.press("i")
        assert "1 taken from the file, 1 kept" in app.screen.question
        await pilot.press("y")
        await settle(pilot, app)
        assert screen.state == "done"
        taken = fields[0]
        nickname, city = book.query("SELECT nickname, city FROM contact WHERE id = ?", (cid,))[0]
        if taken == "nickname":
            assert (nickname, city) == ("新名", "上海")
        else:
            assert (nickname, city) == ("旧名", "北京")
        assert book.scalar("SELECT count(*) FROM contact") == 2


async def test_a_changed_book_is_planned_again(book, home):
    contacts.create_contact(book, nickname="旧名", wechat_id="wx_a", city="上海")
    path = put(home, "c.csv", "微信号,昵称,城市\nwx_a,新名,北京\n")
    app = KamtuiApp(book)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await open_file(pilot, app, path)
        await pilot.press("p")
        await settle(pilot, app)
        screen = app.screen
        await pilot.press("f")  # take both
        contacts.create_contact(book, nickname="别人")  # someone else writes meanwhile
        await pilot.press("i", "y")
        await settle(pilot, app)
        assert screen.state == "planned"  # planned again, nothing written
        assert book.scalar("SELECT count(*) FROM undo_action") == 0
        assert screen.take == {0, 1}  # the choices survive the new plan
        await pilot.press("i", "y")
        await settle(pilot, app)
        assert screen.state == "done"
        assert book.query("SELECT nickname, city FROM contact WHERE wechat_id = 'wx_a'") == [
            ("新名", "北京")
        ]


# ---- failures and backing out -------------------------------------------------------------


def _bad_files(home: Path) -> dict[Path, str]:
    return {
        put(home, "n.csv", FIX / "nul_bytes.csv"): "NUL bytes",
        put(home, "p.csv", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8): "is not a text table",
        put(home, "z.xlsx", b"PK\x03\x04" + b"\x00" * 60): "damaged or incomplete",
        put(home, "o.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500)): "old Excel (.xls)",
        put(home, "e.csv", FIX / "empty.csv"): "is empty",
        home / "m.csv": "",  # not a file: nothing happens at all
    }


async def test_bad_files_show_one_clear_message_and_write_nothing(book, home):
    before = book_state(book)
    app = KamtuiApp(book)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("ctrl+o")
        await pilot.pause()
        screen = app.screen
        for path, words in _bad_files(home).items():
            await pilot.press("ctrl+u", *shorten(path), "enter")
            await settle(pilot, app)
            assert app.screen is screen, path  # never past the first step
            info = text_of(screen.query_one("#file-info"))
            if words:
                assert path.name in info and words in info, info
                assert "Traceback" not in info and info.count("\n") == 0
            else:
                assert info == ""
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "TodayScreen"
    assert book_state(book) == before
    backups = book.path.parent / f"{book.path.stem}.backups"
    assert not any("import" in p.name for p in backups.glob("*"))


async def test_a_file_failing_at_the_plan_shows_one_message(book, home):
    before = book_state(book)
    # the first rows read well (the preview), the end is cut inside a quote
    rows = "".join(f"人{i},1380013{i:04d}\n" for i in range(40))
    path = put(home, "cut.csv", "昵称,手机\n" + rows + '坏,"1380\n')
    app = KamtuiApp(book)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await open_file(pilot, app, path)
        assert isinstance(app.screen, MappingScreen)
        await pilot.press("p")
        await settle(pilot, app)
        screen = app.screen
        assert isinstance(screen, PlanScreen) and screen.state == "failed"
        error = text_of(screen.query_one("#plan-error"))
        assert "cut.csv" in error and "row 42 never closes" in error
        assert "Nothing was written" in error
        await pilot.press("i")  # no import from a failed plan
        await pilot.pause()
        assert app.screen is screen
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MappingScreen)
    assert book_state(book) == before


async def test_unknown_accounts_are_listed_and_can_be_created(book, home):
    path = put(home, "a.csv", "昵称,所属微信\n小美,小号A\n阿强,小号A\n")
    app = KamtuiApp(book)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await open_file(pilot, app, path)
        await pilot.press("p")
        await settle(pilot, app)
        summary = text_of(app.screen.query_one("#plan-summary"))
        assert "小号A (2 rows)" in summary and "2 rejected" in summary
        problems = table_text(app.screen.query_one("#problems", VirtualTable))
        assert "Rejected rows (2)" in problems and "小号A" in problems
        await pilot.press("escape", "c", "p")
        await settle(pilot, app)
        assert app.screen.plan.accounts_to_create == ["小号A"]
        await pilot.press("i", "y")
        await settle(pilot, app)
        assert book.query("SELECT name FROM account") == [("小号A",)]
        assert book.scalar("SELECT count(*) FROM contact") == 2


async def test_escape_at_every_step_changes_nothing(book, home):
    contacts.create_contact(book, nickname="旧名", wechat_id="wx_a", city="上海")
    path = put(home, "c.csv", "微信号,昵称,城市\nwx_a,新名,北京\nwx_b,另一位,广州\n")
    before = book_state(book)
    app = KamtuiApp(book)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await open_file(pilot, app, path)
        mapping = app.screen
        assert isinstance(mapping, MappingScreen)
        # Esc in the field picker, the profile form, the account choice
        await pilot.press("enter")
        assert isinstance(app.screen, ChoiceModal)
        await pilot.press("escape")
        await pilot.press("s")
        assert isinstance(app.screen, FormModal)
        await pilot.press("escape")
        await pilot.press("a")
        assert isinstance(app.screen, ChoiceModal)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is mapping
        await pilot.press("p")
        await settle(pilot, app)
        plan = app.screen
        assert isinstance(plan, PlanScreen)
        await pilot.press("f", "i")  # take everything, then say no at the confirmation
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is plan
        await pilot.press("i", "n")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is mapping
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ImportScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "TodayScreen"
    assert book_state(book) == before
    assert list_profiles(book) == []


async def test_hostile_cells_show_literally_in_the_preview(book, home):
    hostile = "[@click=app.quit]坏人,13800138000,\x1b[31m红色[/]\n"
    more = "".join(f"客户{i},1390013{i:04d},备注{i}\n" for i in range(10))  # 1 ESC in 350 bytes
    path = put(home, "坏.csv", "昵称,手机,备注\n" + hostile + more)
    app = KamtuiApp(book)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await open_file(pilot, app, path)
        screen = app.screen
        assert isinstance(screen, MappingScreen), text_of(screen.query_one("#file-info"))
        shown = table_text(screen.query_one(VirtualTable))
        assert "[@click=app.quit]坏人" in shown
        assert "红色[/]" in shown and "\x1b" not in shown
        status = text_of(screen.query_one("#map-status"))
        assert "[@click=app.quit]坏人" in status and "\x1b" not in status
        svg = app.export_screenshot().replace("&#91;", "[").replace("&#93;", "]")
        assert "[@click=app.quit]" in svg
        await pilot.press("p")
        await settle(pilot, app)
        await pilot.press("i", "y")
        await settle(pilot, app)
        assert app.is_running
        names = [n for (n,) in book.query("SELECT nickname FROM contact")]
        assert "[@click=app.quit]坏人" in names and len(names) == 11


async def test_vcard_skips_the_mapping(book, home):
    path = put(home, "i.vcf", FIX / "ios_30.vcf")
    app = KamtuiApp(book)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await open_file(pilot, app, path)
        screen = app.screen
        assert isinstance(screen, MappingScreen) and screen.session.is_vcard
        assert "vCard" in text_of(screen.query_one("#map-file"))
        await pilot.press("x", "s")  # nothing to skip or save
        await pilot.pause()
        assert app.screen is screen
        await pilot.press("p")
        await settle(pilot, app)
        assert app.screen.state == "planned" and app.screen.plan.counts()["new"] > 0


async def test_palette_lists_import_and_export(book):
    app = KamtuiApp(book)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Import a file…" in titles and "Export contacts…" in titles
        await pilot.press("ctrl+o")
        await pilot.pause()
        await pilot.press("ctrl+o")  # not twice
        await pilot.pause()
        assert sum(isinstance(s, ImportScreen) for s in app.screen_stack) == 1


@pytest.mark.parametrize("lang", ["zh"])
async def test_chinese_labels(book, home, lang):
    from kamtui import i18n

    i18n.set_language(lang)
    path = put(home, "s.csv", FIX / "seller.csv")
    app = KamtuiApp(book)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await open_file(pilot, app, path)
        shown = table_text(app.screen.query_one(VirtualTable))
        assert "文件中的列" in shown and "手机" in shown
        await pilot.press("p")
        await settle(pilot, app)
        assert "新增" in text_of(app.screen.query_one("#plan-summary"))

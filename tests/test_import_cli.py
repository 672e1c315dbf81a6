"""kamtui import: bad files, dry run, confirmation, --json, conflicts, mapping profiles."""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import pytest

from kamtui.cli import main
from kamtui.store.db import Book

FIX = Path(__file__).parent / "fixtures" / "import"


@pytest.fixture
def db(tmp_path) -> Path:
    """A book with one contact, closed (so its file is complete and comparable)."""
    path = tmp_path / "book" / "book.db"
    b = Book(path)
    from kamtui.contacts import create_contact

    create_contact(b, remark="老客户", phone="13512345678", occupation="教师")
    b.close()
    return path


def state(db: Path) -> tuple:
    """Everything an import could change: the book's bytes and the files beside it."""
    folder = db.parent
    return db.read_bytes(), sorted(p.name for p in folder.iterdir())


def imp(db: Path, *args: str) -> int:
    return main(["--db", str(db), "import", *args])


def make_bad(tmp_path: Path, kind: str) -> Path:
    if kind == "garbage":
        path = tmp_path / "garbage.csv"
        rnd = random.Random(3)
        path.write_bytes(bytes(rnd.randrange(256) for _ in range(5000)))
    elif kind == "huge_cell":
        path = tmp_path / "huge.csv"
        path.write_text("姓名,备注\n王芳,ok\n李娜," + "x" * 10_000_000 + "\n", encoding="utf-8")
    elif kind == "mixed":
        path = tmp_path / "mixed.csv"
        path.write_bytes(
            "姓名,手机\n王芳,13800138000\n".encode() + "李娜,13900139000\n".encode("gbk")
        )
    elif kind == "cut_xlsx":
        import openpyxl

        full = tmp_path / "full.xlsx"
        wb = openpyxl.Workbook()
        wb.active.append(["姓名", "手机"])
        wb.active.append(["王芳", "13800138000"])
        wb.save(full)
        path = tmp_path / "cut.xlsx"
        path.write_bytes(full.read_bytes()[:700])
    elif kind == "old_xls":
        path = tmp_path / "old.xls"
        path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    elif kind == "missing":
        path = tmp_path / "missing.csv"
    else:
        raise AssertionError(kind)
    return path


BAD_FIXTURES = [
    "empty.csv",
    "whitespace.csv",
    "header_only.csv",
    "truncated_quote.csv",
    "nul_bytes.csv",
    "json_broken.json",
    "json_not_contacts.json",
    "truncated.vcf",
]


@pytest.mark.parametrize(
    "name", [*BAD_FIXTURES, "garbage", "huge_cell", "mixed", "cut_xlsx", "old_xls", "missing"]
)
@pytest.mark.parametrize("mode", ["--yes", "--dry-run"])
def test_bad_files_give_one_message_and_leave_the_book_alone(db, tmp_path, capsys, name, mode):
    path = FIX / name if "." in name else make_bad(tmp_path, name)
    before = state(db)
    assert imp(db, str(path), mode) == 1
    out = capsys.readouterr()
    assert out.out == ""
    assert path.name in out.err and "Traceback" not in out.err
    assert len(out.err.strip().splitlines()) == 1
    assert state(db) == before  # same bytes, no backup folder, no pictures


def test_bad_file_names_the_row(db, capsys):
    assert imp(db, str(FIX / "truncated_quote.csv"), "--yes") == 1
    err = capsys.readouterr().err
    assert "row 3" in err and "truncated_quote.csv" in err


def test_bad_file_does_not_create_a_book(tmp_path, capsys):
    book = tmp_path / "new" / "book.db"
    assert main(["--db", str(book), "import", str(FIX / "empty.csv"), "--yes"]) == 1
    assert not book.exists()
    args = ["--db", str(book), "import", str(FIX / "seller.csv"), "--yes", "--map", "p"]
    assert main(args) == 1
    assert "“p”" in capsys.readouterr().err and not book.exists()


def test_dry_run_changes_nothing(db, capsys):
    before = state(db)
    assert imp(db, str(FIX / "seller.csv"), "--dry-run") == 0
    out = capsys.readouterr().out
    assert "5 new" in out and "2 rejected" in out and "Dry run" in out
    assert "row 5" in out and "2026-02-30" in out  # rejected rows with their reasons
    assert state(db) == before


def test_without_a_terminal_it_needs_yes(db, capsys):
    before = state(db)
    assert imp(db, str(FIX / "seller.csv")) == 2
    assert "--yes" in capsys.readouterr().err
    assert state(db) == before
    assert imp(db, str(FIX / "seller.csv"), "--json") == 2  # --json cannot ask either


@pytest.mark.parametrize(("answer", "imported"), [("n", False), ("y", True), ("是", True)])
def test_confirmation_on_a_terminal(db, capsys, monkeypatch, answer, imported):
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    prompts = []
    monkeypatch.setattr("builtins.input", lambda prompt: prompts.append(prompt) or answer)
    before = state(db)
    assert imp(db, str(FIX / "seller.csv")) == 0
    assert prompts and "5 new" in prompts[0]
    with Book(db) as b:
        count = b.scalar("SELECT count(*) FROM contact")
    assert count == (6 if imported else 1)
    if not imported:
        assert state(db) == before


def test_import_then_the_same_file_again(db, capsys):
    assert imp(db, str(FIX / "seller.csv"), "--yes") == 0
    out = capsys.readouterr().out
    assert "Imported: 5 new" in out and "Backup" in out and "import seller.csv" in out
    backups = list((db.parent / "book.backups").iterdir())
    assert len(backups) == 1
    assert imp(db, str(FIX / "seller.csv"), "--yes") == 0
    assert "Nothing to import" in capsys.readouterr().out
    assert len(list((db.parent / "book.backups").iterdir())) == 1  # no backup for nothing


def test_json_shape(db, tmp_path, capsys):
    path = tmp_path / "c.csv"
    path.write_text(
        "姓名,手机,职业,最近下单\n老客户,13512345678,会计,\n新人,13900139000,,2026-02-30\n群,,,\n",
        encoding="utf-8",
    )
    assert imp(db, str(path), "--dry-run", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["dry_run"] is True and data["applied"] is False and data["report"] is None
    assert data["counts"]["conflicting"] == 1 and data["counts"]["rejected"] == 1
    assert data["rejected"] == [
        {"row": 3, "field": "last_order_on", "reason": "Date “2026-02-30” does not exist"}
    ]
    (conflict,) = data["conflicts"]
    assert conflict["field"] == "occupation" and conflict["resolution"] == "keep"
    assert (conflict["stored"], conflict["file"], conflict["row"]) == ("教师", "会计", 2)
    assert data["layout"] == "seller" and data["mapping"][0] == {
        "header": "姓名",
        "field": "remark",
    }
    assert set(data) >= {"skipped", "warnings", "notices", "unknown_accounts", "file"}


def test_json_after_import_and_take(db, tmp_path, capsys):
    path = tmp_path / "c.csv"
    path.write_text("姓名,手机,职业\n老客户,13512345678,会计\n", encoding="utf-8")
    assert imp(db, str(path), "--yes", "--json", "--on-conflict", "take") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["applied"] is True and data["report"]["conflicts_taken"] == 1
    assert data["report"]["undo"] == "import c.csv" and data["report"]["backup"]
    with Book(db) as b:
        assert b.scalar("SELECT occupation FROM contact") == "会计"


def test_text_lists_conflicts_and_keeps_by_default(db, tmp_path, capsys):
    path = tmp_path / "c.csv"
    path.write_text("姓名,手机,职业\n老客户,13512345678,会计\n", encoding="utf-8")
    assert imp(db, str(path), "--yes") == 0
    out = capsys.readouterr().out
    assert "1 conflicts" in out and "book “教师” / file “会计”" in out and "row 2" in out
    with Book(db) as b:
        assert b.scalar("SELECT occupation FROM contact") == "教师"


def test_unknown_accounts_are_named(db, capsys):
    assert imp(db, str(FIX / "seller_synonyms.csv"), "--dry-run") == 0
    out = capsys.readouterr().out
    assert "小号A (1 rows)" in out and "--create-accounts" in out
    assert imp(db, str(FIX / "seller.csv"), "--dry-run", "--account", "主号") == 1
    assert "主号" in capsys.readouterr().err
    assert imp(db, str(FIX / "seller_synonyms.csv"), "--yes", "--create-accounts") == 0
    with Book(db) as b:
        assert sorted(r[0] for r in b.query("SELECT name FROM account")) == ["大号", "小号A"]


def test_mapping_profiles_save_and_apply(db, tmp_path, capsys):
    odd = tmp_path / "odd.csv"
    odd.write_text("A,B,C\n王芳,13700137000,VIP\n", encoding="utf-8")
    assert imp(db, str(odd), "--yes") == 1  # no column known
    assert "map the columns by hand" in capsys.readouterr().err
    # a profile saved from a file whose headers are known ...
    first = tmp_path / "first.csv"
    first.write_text("客户名,手机号,标签\n李娜,13900139000,新客\n", encoding="utf-8")
    assert imp(db, str(first), "--yes", "--save-map", "我的表格") == 0
    assert "“我的表格” saved" in capsys.readouterr().out
    # ... applies by header name to a later file with the columns in another order
    later = tmp_path / "later.csv"
    later.write_text("标签,客户名,手机号\n复购,赵雷,13600136000\n", encoding="utf-8")
    assert imp(db, str(later), "--yes", "--map", "我的表格", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["report"]["created"] == 1
    with Book(db) as b:
        assert b.query("SELECT phone FROM contact WHERE remark = '赵雷'") == [("+8613600136000",)]
        from kamtui.importing.profiles import list_profiles

        assert list_profiles(b) == ["我的表格"]
    assert imp(db, str(later), "--dry-run", "--map", "没有") == 1
    assert "我的表格" in capsys.readouterr().err  # the saved names are listed


def test_dry_run_does_not_save_a_profile(db, capsys):
    before = state(db)
    assert imp(db, str(FIX / "seller.csv"), "--dry-run", "--save-map", "x") == 0
    assert state(db) == before


def test_vcard_cannot_be_saved_as_a_profile(db, capsys):
    assert imp(db, str(FIX / "v40.vcf"), "--yes", "--save-map", "x") == 1
    assert "v40.vcf" in capsys.readouterr().err


def test_chinese_preview(db, capsys):
    assert (
        main(["--lang", "zh", "--db", str(db), "import", str(FIX / "seller.csv"), "--dry-run"]) == 0
    )
    out = capsys.readouterr().out
    assert "新增 5" in out and "不导入" in out and "没有写入" in out


def _noted(line: str) -> bool:
    return any(k in line for k in ("undo_", "followup_change", "cleanup_change"))


def test_kamtui_undo_reverts_the_whole_import(db, capsys):
    with Book(db) as b:
        # (what undo keeps, and the changes the Today refresh and the clean-up have
        # yet to read, aside)
        before = [line for line in b.conn.iterdump() if not _noted(line)]
    assert imp(db, str(FIX / "seller.csv"), "--yes") == 0
    assert main(["--db", str(db), "undo"]) == 0
    assert "import seller.csv" in capsys.readouterr().out
    with Book(db) as b:
        after = [line for line in b.conn.iterdump() if not _noted(line)]
    assert sorted(after) == sorted(before)  # (triggers made again are listed elsewhere)

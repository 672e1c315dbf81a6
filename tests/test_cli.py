"""The kamtui command: help, global options, JSON, errors to stderr with a status."""

import json
import os
import stat
import subprocess
import sys

import pytest

from kamtui.cli import main


def run(*args, env=None, **kw):
    full_env = os.environ | {"PYTHONIOENCODING": "utf-8"} | (env or {})
    return subprocess.run(
        [sys.executable, "-m", "kamtui", *args], capture_output=True, text=True, env=full_env, **kw
    )


def test_help_lists_commands_in_english_and_chinese():
    en = run("--help", env={"LANG": "en_US.UTF-8", "LC_ALL": ""})
    assert en.returncode == 0
    assert "demo" in en.stdout and "fill the book with a demo business" in en.stdout
    zh = run("--lang", "zh", "--help")
    assert "生成一个演示客户簿" in zh.stdout and "选项" in zh.stdout
    zh_env = run("--help", env={"LANG": "zh_CN.UTF-8", "LC_ALL": ""})
    assert "生成一个演示客户簿" in zh_env.stdout


def test_errors_go_to_stderr_with_status(tmp_path, capsys):
    db = str(tmp_path / "b.db")
    assert main(["--db", db, "accounts", "add", "主号"]) == 0
    capsys.readouterr()
    assert main(["--db", db, "accounts", "add", "主号"]) == 1
    out = capsys.readouterr()
    assert out.out == "" and "already exists" in out.err
    assert main(["--db", db, "no-such-command"]) == 2


def test_db_option_and_env_variable(tmp_path, monkeypatch, capsys):
    env_db = tmp_path / "env.db"
    monkeypatch.setenv("KAMTUI_DB", str(env_db))
    assert main(["accounts", "add", "A"]) == 0
    assert env_db.exists() and stat.S_IMODE(env_db.stat().st_mode) == 0o600
    opt_db = tmp_path / "opt.db"
    assert main(["--db", str(opt_db), "accounts", "add", "B"]) == 0
    capsys.readouterr()
    assert main(["--db", str(opt_db), "accounts", "--json"]) == 0
    assert [a["name"] for a in json.loads(capsys.readouterr().out)] == ["B"]


def test_info_json(tmp_path, capsys):
    db = str(tmp_path / "b.db")
    assert main(["--db", db, "info", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["counts"]["contact"] == 0 and data["schema_version"] >= 1


def test_settings_command(tmp_path, capsys):
    db = str(tmp_path / "b.db")
    assert main(["--db", db, "settings", "set", "cleanup.dead_days", "90"]) == 0
    capsys.readouterr()
    assert main(["--db", db, "settings", "get", "cleanup.dead_days", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == 90
    assert main(["--db", db, "settings", "set", "cleanup.dead_days", "x"]) == 1
    assert "whole number" in capsys.readouterr().err


def test_damaged_book_is_a_clear_error(tmp_path, capsys):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"\x00garbage" * 500)
    assert main(["--db", str(bad), "info"]) == 1
    err = capsys.readouterr().err
    assert "damaged or not a database" in err and "Traceback" not in err


def test_internal_error_is_logged_not_shown(tmp_path, monkeypatch, capsys):
    import kamtui.commands.info as info

    def boom(ctx):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(info, "run", boom)
    assert main(["--db", str(tmp_path / "b.db"), "info"]) == 70
    err = capsys.readouterr().err
    assert "internal error" in err and "Traceback" not in err
    log = next((tmp_path / "xdg").rglob("kamtui.log"))
    assert "kaboom" in log.read_text()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_bad_lang_and_lang_choice(tmp_path, lang, capsys):
    assert main(["--lang", "fr", "info"]) == 2
    assert main(["--lang", lang, "--db", str(tmp_path / "b.db"), "accounts"]) == 0


def test_a_bad_choice_is_told_in_the_users_language(tmp_path, capsys):
    from kamtui import i18n

    db = str(tmp_path / "b.db")
    i18n.set_language("zh")
    assert main(["--db", db, "--open", "nowhere"]) == 2
    err = capsys.readouterr().err
    assert "参数 --open: 无效选项: 'nowhere'" in err and "invalid choice" not in err
    i18n.set_language("en")
    assert main(["--db", db, "export", "--format", "bogus"]) == 2
    assert "argument --format/-f: invalid choice: 'bogus'" in capsys.readouterr().err

"""kamtui find: the Contacts screen's search from the shell; export takes the same queries;
the directory's refresh reads the same values as its full load."""

import json
from datetime import date

import pytest

from kamtui import contacts, directory, interactions, purchases, reminders, tags
from kamtui.classify import classify_all
from kamtui.cli import main
from kamtui.searchkey import collation, name_pinyin

T = date(2026, 11, 24)


def run_json(capsys, *args):
    assert main(list(args)) == 0
    return json.loads(capsys.readouterr().out)


def initials_of_person(name: str) -> list[str]:
    """Initials of the first word of a name (the person, not the place or job after it)."""
    first = name.replace("-", " ").split()[0] if name.strip() else ""
    return name_pinyin(first)[1]


@pytest.fixture
def shop(book, frozen_today):
    """A small book with 张三-like names and one place name read zs (长沙 → zhangsha)."""
    ids = {}
    for remark in ("张三", "张思雨", "赵淑芬", "王五", "李四-上海-宝妈"):
        ids[remark] = contacts.create_contact(book, remark=remark)
    interactions.log_interaction(book, ids["王五"], "chat", "hi", T)
    book.close()
    return book


def test_find_zs_json_ranks_zhang_san_first(shop, capsys):
    db = str(shop.path)
    found = run_json(capsys, "--db", db, "find", "zs", "--json")
    names = [c["name"] for c in found]
    assert names[0] == "张三"  # whole initials beat a prefix (张思雨, 赵淑芬)
    assert set(names) == {"张三", "张思雨", "赵淑芬"}
    keys = set(found[0])
    assert {"id", "name", "remark", "nickname", "stage", "tier", "tags", "account"} <= keys
    assert {"phone", "wechat_id", "last_contact"} <= keys


def test_find_zs_on_the_demo_book(demo_book, capsys):
    """Every 张三-like name (a person whose initials start zs) is found."""
    db = str(demo_book.path)
    found = run_json(capsys, "--db", db, "find", "zs", "--json", "--limit", "0")
    people = [
        c["name"] for c in found if any(i.startswith("zs") for i in initials_of_person(c["name"]))
    ]
    assert len(people) >= 3
    assert "张思雨" in people


def test_find_zs_on_the_demo_book_ranks_people_first(demo_book, capsys):
    db = str(demo_book.path)
    found = run_json(capsys, "--db", db, "find", "zs", "--json", "--limit", "3")
    for c in found:
        assert any(i.startswith("zs") for i in initials_of_person(c["name"])), c["name"]


def test_find_filters_match_the_classification(demo_book, capsys):
    db = str(demo_book.path)
    found = run_json(capsys, "--db", db, "find", "#VIP", "stage:repeat", "--json", "--limit", "0")
    cls = classify_all(demo_book, T)
    vip = {
        r[0]
        for r in demo_book.query(
            "SELECT ct.contact_id FROM contact_tag ct JOIN tag t ON t.id = ct.tag_id "
            "JOIN contact c ON c.id = ct.contact_id WHERE t.name = 'VIP' AND c.archived = 0"
        )
    }
    expected = {cid for cid in vip if cls.stage_of(cid) == "repeat"}
    assert expected and {c["id"] for c in found} == expected
    assert all("VIP" in c["tags"] and c["stage"] == "repeat" for c in found)
    fav = [c["favourite"] for c in found]
    assert fav == sorted(fav, reverse=True)  # favourites first


def test_find_sort_limit_and_text_output(demo_book, capsys):
    db = str(demo_book.path)
    by_name = run_json(capsys, "--db", db, "find", "#VIP", "--sort", "name", "--json")
    plain = [c for c in by_name if not c["favourite"]]
    keys = [collation(c["name"]) for c in plain]
    assert keys == sorted(keys) and len(by_name) <= 50
    rev = run_json(capsys, "--db", db, "find", "#VIP", "--sort", "name", "--reverse", "--json")
    assert [c["id"] for c in rev if not c["favourite"]] == [c["id"] for c in plain][::-1]
    assert main(["--db", db, "find", "#VIP", "--limit", "2"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 3 and "2 shown" in out[-1]
    assert main(["--db", db, "find", "color:red"]) == 0
    assert "Unknown filter" in capsys.readouterr().out
    assert main(["--db", db, "find", "--limit", "-1", "x"]) == 2


def test_find_hostile_names_are_plain_text(demo_book, capsys):
    db = str(demo_book.path)
    assert main(["--db", db, "find", "红色昵称"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "红色昵称" in out
    assert main(["--db", db, "find", "click"]) == 0
    assert "[@click=app.quit]" in capsys.readouterr().out


def test_export_takes_the_search_language(demo_book, capsys):
    db = str(demo_book.path)
    found = run_json(
        capsys, "--db", db, "find", "--json", "--limit", "0", "--", "-#宝妈", "stage:repeat"
    )
    assert main(["--db", db, "export", "-f", "json", "--", "-#宝妈", "stage:repeat"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [c["id"] for c in doc["contacts"]] == [c["id"] for c in found]
    assert all("宝妈" not in (c.get("tags") or []) for c in found)
    assert main(["--db", db, "export", "tier:diamond"]) == 1
    assert "No such tier" in capsys.readouterr().err


def test_refresh_reads_what_a_full_load_reads(demo_book):
    """The per-contact refresh query and the whole-book one agree on every contact."""
    cid = demo_book.scalar("SELECT id FROM contact WHERE archived = 0 ORDER BY id LIMIT 1")
    purchases.record_purchase(demo_book, cid, "面膜", "100", credit=True, bought_on=T)
    reminders.add_reminder(demo_book, cid, T, "x")
    tags.tag_contacts(demo_book, [cid], ["新标签"])
    full = {r[0]: r for r in demo_book.query(directory._SQL, (T.isoformat(),))}
    few = {r[0]: r for r in demo_book.query(directory._FEW_SQL, (T.isoformat(),))}

    def norm(r):
        r = list(r)
        r[5] = sorted((r[5] or "").split("\x1f"))
        r[6], r[7] = bool(r[6]), bool(r[7])
        return r

    assert full.keys() == few.keys()
    assert all(norm(full[k]) == norm(few[k]) for k in full)
    d = directory.load(demo_book, T)
    before = d.entries[cid]
    d.refresh([cid])
    after = d.entries[cid]
    assert after.owed and after.due and "新标签" in after.tags and before.owed == after.owed

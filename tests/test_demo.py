"""The demo generator: deterministic, the right size, consistent, and holding every case
the screens and rules need (Pareto revenue, birthdays, owed money, clean-up candidates…).

Expectations are computed here from the tables, independently of the generator.
"""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import textwrap
from collections import defaultdict
from datetime import date, datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pytest
from rapidfuzz import fuzz

from kamtui import demo
from kamtui.demo import DemoSummary, build_demo, clear_book
from kamtui.errors import KamtuiError, ValidationError
from kamtui.phone import normalize_phone
from kamtui.store.db import Book

TODAY = date(2026, 11, 24)
SIZE = 600
TABLES = (
    "account",
    "contact",
    "tag",
    "contact_tag",
    "product",
    "purchase",
    "payment",
    "interaction",
    "snippet",
    "referral",
    "reminder",
    "satisfaction",
    "setting",
    "undo_action",
    "undo_row",
    "undo_control",
)


def dump(book: Book) -> dict[str, list[tuple]]:
    """Every table's full contents, in primary-key order."""
    out = {}
    for table in TABLES:
        out[table] = book.query(f"SELECT * FROM {table} ORDER BY 1, 2")
    return out


def schema(book: Book) -> list[tuple]:
    return book.query("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """One 600-contact demo book shared by the read-only tests of this module."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    book = Book(path)
    calls = []
    summary = build_demo(
        book, size=SIZE, seed=2026, today=TODAY, progress=lambda *a: calls.append(a)
    )
    yield book, summary, calls
    book.close()


@pytest.fixture
def db(built):
    return built[0]


def rows(book: Book, sql: str, params=()) -> list[tuple]:
    return book.query(sql, params)


def one(book: Book, sql: str, params=()):
    return book.scalar(sql, params)


def d(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


# ---- determinism, size, integrity ---------------------------------------------


def test_same_seed_same_rows_other_seed_other_rows(tmp_path, built):
    a = Book(tmp_path / "a.db")
    b = Book(tmp_path / "b.db")
    c = Book(tmp_path / "c.db")
    build_demo(a, size=SIZE, seed=2026, today=TODAY)
    build_demo(b, size=SIZE, seed=2026, today=TODAY)
    build_demo(c, size=SIZE, seed=7, today=TODAY)
    assert dump(a) == dump(b) == dump(built[0])
    assert dump(a)["contact"] != dump(c)["contact"]
    assert dump(a)["purchase"] != dump(c)["purchase"]
    for x in (a, b, c):
        x.close()


def test_same_rows_whatever_the_hash_seed(tmp_path):
    """No set or dict iteration order leaks into the data (str hashes vary per process)."""
    script = textwrap.dedent(
        """
        import hashlib, sys
        from datetime import date
        from kamtui.store.db import Book
        from kamtui.demo import build_demo
        book = Book(sys.argv[1])
        build_demo(book, size=250, seed=5, today=date(2026, 11, 24))
        h = hashlib.sha256()
        for t in ("account", "contact", "contact_tag", "purchase", "payment", "interaction",
                  "snippet", "referral", "reminder", "satisfaction"):
            for row in book.query(f"SELECT * FROM {t} ORDER BY 1, 2"):
                h.update(repr(row).encode())
        print(h.hexdigest())
        """
    )
    root = Path(__file__).resolve().parents[1]
    digests = set()
    for n, hash_seed in enumerate(("1", "2")):
        env = dict(os.environ, PYTHONHASHSEED=hash_seed, PYTHONPATH=str(root))
        out = subprocess.run(
            [sys.executable, "-c", script, str(tmp_path / f"h{n}.db")],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        digests.add(out.stdout.strip())
    assert len(digests) == 1


@pytest.mark.parametrize("size", [1, 7, 60, 150])
def test_size_is_respected_even_for_tiny_books(tmp_path, size):
    book = Book(tmp_path / "s.db")
    summary = build_demo(book, size=size, seed=1, today=TODAY)
    assert one(book, "SELECT count(*) FROM contact") == size == summary.contacts
    assert rows(book, "PRAGMA foreign_key_check") == []
    book.close()


def test_bad_size_is_refused(book):
    for size in (0, -5, True, 2_000_000):
        with pytest.raises(ValidationError):
            build_demo(book, size=size, today=TODAY)


def test_size_and_counts(built):
    book, summary, _ = built
    assert one(book, "SELECT count(*) FROM contact") == SIZE
    assert isinstance(summary, DemoSummary)
    assert summary.as_dict()["contacts"] == SIZE
    for table, n in summary.counts().items():
        assert one(book, f"SELECT count(*) FROM {table}") == n, table
    assert 2 <= summary.accounts <= 3
    assert 12 <= summary.tags <= 18
    assert 10 <= summary.products <= 14
    buyers = one(book, "SELECT count(DISTINCT contact_id) FROM purchase")
    assert buyers == summary.buyers
    assert 0.38 * SIZE <= buyers <= 0.52 * SIZE


def test_referential_integrity_and_pragmas_restored(db):
    assert rows(db, "PRAGMA foreign_key_check") == []
    assert one(db, "PRAGMA foreign_keys") == 1
    assert one(db, "PRAGMA integrity_check") == "ok"


def test_schema_unchanged_and_undo_still_records(tmp_path, db):
    """The bulk load drops and re-creates indexes and undo triggers: they must all be back."""
    fresh = Book(tmp_path / "fresh.db")
    assert schema(db) == schema(fresh)
    fresh.close()
    book = Book(tmp_path / "small.db")
    build_demo(book, size=120, seed=1, today=TODAY)
    with book.transaction(undo="test edit") as con:
        con.execute("UPDATE contact SET potential = 5 WHERE id = 1")
    assert one(book, "SELECT count(*) FROM undo_row") == 1
    book.close()


def test_progress_reports_every_step(built):
    calls = built[2]
    total = len(demo.STEPS)
    assert [c[0] for c in calls] == [*demo.STEPS, "done"]
    assert [c[1] for c in calls] == list(range(total + 1))
    assert {c[2] for c in calls} == {total}


def test_no_wall_clock_in_the_data(db):
    """Dates never pass today (except what is due later) and timestamps derive from them."""
    for table, col in (
        ("contact", "added_on"),
        ("contact", "last_moment_on"),
        ("purchase", "bought_on"),
        ("payment", "paid_on"),
        ("interaction", "occurred_on"),
        ("interaction", "resolved_on"),
        ("snippet", "saved_on"),
        ("satisfaction", "rated_on"),
        ("referral", "referred_on"),
    ):
        latest = one(db, f"SELECT max({col}) FROM {table}")
        assert latest is None or d(latest) <= TODAY, (table, col)
    for table in ("account", "contact", "purchase", "interaction", "reminder", "payment"):
        for (ts,) in rows(db, f"SELECT created_at FROM {table}"):
            moment = datetime.fromisoformat(ts)
            assert moment.tzinfo is not None
            assert moment.date() <= TODAY
    # contacts are created the day they were added; purchases the day they were made
    assert rows(db, "SELECT id FROM contact WHERE substr(created_at, 1, 10) != added_on") == []
    assert rows(db, "SELECT id FROM purchase WHERE substr(created_at, 1, 10) != bought_on") == []


def test_activity_never_predates_the_friendship(db):
    for table, col in (
        ("purchase", "bought_on"),
        ("interaction", "occurred_on"),
        ("snippet", "saved_on"),
    ):
        bad = rows(
            db,
            f"SELECT x.id FROM {table} x JOIN contact c ON c.id = x.contact_id"
            f" WHERE x.{col} < c.added_on",
        )
        assert bad == [], table
    bad = rows(
        db,
        "SELECT r.id FROM reminder r JOIN contact c ON c.id = r.contact_id"
        " WHERE substr(r.created_at, 1, 10) < c.added_on",
    )
    assert bad == []
    bad = rows(
        db,
        "SELECT r.id FROM referral r JOIN contact a ON a.id = r.referrer_id"
        " JOIN contact b ON b.id = r.referred_id WHERE a.added_on > b.added_on",
    )
    assert bad == []


# ---- revenue: 80/20, repeat buyers, credit --------------------------------------


def revenue_365(book: Book) -> dict[int, int]:
    since = (TODAY - timedelta(days=365)).isoformat()
    return dict(
        rows(
            book,
            "SELECT contact_id, sum(amount_fen) FROM purchase WHERE bought_on > ?"
            " GROUP BY contact_id HAVING sum(amount_fen) > 0",
            (since,),
        )
    )


def test_top_fifth_of_buyers_bring_most_revenue(built):
    book, summary, _ = built
    revenue = sorted(revenue_365(book).values(), reverse=True)
    top = revenue[: max(1, round(len(revenue) * 0.2))]
    share = sum(top) / sum(revenue)
    assert share > 0.6
    assert summary.revenue_365_fen == sum(revenue)
    assert summary.buyers_365 == len(revenue)
    assert summary.top20_share == pytest.approx(share, abs=1e-3)


def test_repeat_and_one_time_buyers_and_dormant_ones(db):
    days = defaultdict(set)
    for cid, bought in rows(db, "SELECT contact_id, bought_on FROM purchase WHERE amount_fen > 0"):
        days[cid].add(d(bought))
    repeat = {c: sorted(v) for c, v in days.items() if len(v) >= 2}
    once = [c for c, v in days.items() if len(v) == 1]
    assert len(repeat) >= 0.4 * len(days)
    assert len(once) >= 0.15 * len(days)
    # each repeat buyer keeps a personal rhythm: not everyone shares one interval
    gaps = {}
    for c, ds in repeat.items():
        steps = sorted((b - a).days for a, b in pairwise(ds))
        gaps[c] = steps[len(steps) // 2]
    assert len({g // 10 for g in gaps.values()}) >= 5
    dormant = [
        c
        for c, ds in repeat.items()
        if len(ds) >= 3 and (TODAY - ds[-1]).days > 1.5 * gaps[c] and gaps[c] >= 10
    ]
    assert len(dormant) >= 3


def test_recent_sales_and_repurchases_due(db):
    recent = one(
        db,
        "SELECT count(*) FROM purchase WHERE amount_fen > 0 AND bought_on >= ?",
        ((TODAY - timedelta(days=3)).isoformat(),),
    )
    assert recent >= 3
    # the product's use cycle has just passed since a customer's latest purchase of it
    due = rows(
        db,
        """
        SELECT p.contact_id, p.product_id, max(p.bought_on) AS last, pr.cycle_days
        FROM purchase p JOIN product pr ON pr.id = p.product_id
        WHERE pr.cycle_days IS NOT NULL AND p.amount_fen > 0
        GROUP BY p.contact_id, p.product_id
        """,
    )
    just = [r for r in due if 0 <= (TODAY - d(r[2])).days - r[3] <= 3]
    assert len(just) >= 3


def test_returns_costs_and_products(db):
    assert one(db, "SELECT count(*) FROM purchase WHERE amount_fen < 0") >= 3
    total, with_cost = rows(db, "SELECT count(*), count(cost_fen) FROM purchase")[0]
    assert 0.75 * total <= with_cost < total
    cycles = [r[0] for r in rows(db, "SELECT cycle_days FROM product")]
    assert 0 in cycles  # 代理礼包: no repurchase cycle
    assert {15, 30, 60, 90} <= set(cycles)
    assert rows(db, "SELECT id FROM product WHERE cost_fen >= price_fen") == []


def owed(book: Book) -> list[tuple[int, date, int]]:
    return [
        (pid, d(due), left)
        for pid, due, left in rows(
            book,
            """
            SELECT p.id, p.due_on, p.amount_fen - coalesce(
                (SELECT sum(amount_fen) FROM payment WHERE purchase_id = p.id), 0)
            FROM purchase p WHERE p.credit = 1
            """,
        )
        if left > 0
    ]


def test_owed_money_overdue_due_today_and_soon(built):
    book, summary, _ = built
    items = owed(book)
    assert all(due is not None for _, due, _ in items)
    assert any(due < TODAY for _, due, _ in items)
    assert any(due == TODAY for _, due, _ in items)
    assert any(TODAY < due <= TODAY + timedelta(days=7) for _, due, _ in items)
    assert summary.owed_fen == sum(left for *_, left in items)
    # some credit sales are partly paid, many fully; payments never exceed the sale
    assert one(book, "SELECT count(*) FROM payment") > 0
    paid = {r[0] for r in rows(book, "SELECT purchase_id FROM payment")}
    assert any(p in paid for p, _, _ in items)  # partly paid
    over = rows(
        book,
        "SELECT p.id FROM purchase p JOIN payment y ON y.purchase_id = p.id"
        " GROUP BY p.id HAVING sum(y.amount_fen) > p.amount_fen",
    )
    assert over == []
    assert (
        rows(
            book,
            "SELECT y.id FROM payment y JOIN purchase p ON p.id = y.purchase_id"
            " WHERE y.contact_id != p.contact_id OR y.paid_on < p.bought_on",
        )
        == []
    )


def test_referrers_with_and_without_buying_referrals(db):
    bought = {r[0] for r in rows(db, "SELECT DISTINCT contact_id FROM purchase")}
    referred = defaultdict(list)
    for referrer, who in rows(db, "SELECT referrer_id, referred_id FROM referral"):
        referred[referrer].append(who)
    stage = [r for r, people in referred.items() if any(p in bought for p in people)]
    waiting = [r for r, people in referred.items() if not any(p in bought for p in people)]
    assert len(stage) >= 3
    assert len(waiting) >= 1
    assert rows(db, "SELECT id FROM referral WHERE referrer_id = referred_id") == []


# ---- contacts --------------------------------------------------------------------


def next_birthday(month: int, day: int, lunar: bool, leap: bool) -> date:
    """The domain's rule (kamtui.dates); building the Birthday also validates it."""
    from kamtui.dates import Birthday
    from kamtui.dates import next_birthday as upcoming

    return upcoming(Birthday(month, day, None, lunar, leap), TODAY)


def test_birthdays_today_this_week_lunar_leap(db):
    people = rows(
        db,
        "SELECT id, birth_year, birth_month, birth_day, birth_lunar, birth_leap FROM contact"
        " WHERE birth_month IS NOT NULL",
    )
    assert 0.4 * SIZE <= len(people) <= 0.6 * SIZE
    from kamtui.dates import Birthday

    for _cid, year, month, day, lunar, leap in people:
        Birthday.from_row(year, month, day, lunar, leap)  # raises if impossible
    soon = {}
    for cid, _y, m, day, lunar, leap in people:
        when = next_birthday(m, day, bool(lunar), bool(leap))
        if when <= TODAY + timedelta(days=7):
            soon[cid] = (when, bool(lunar))
    assert any(when == TODAY for when, _ in soon.values())
    assert sum(1 for _, lunar in soon.values() if not lunar) >= 3
    assert sum(1 for _, lunar in soon.values() if lunar) >= 2
    assert sum(1 for p in people if p[4]) >= 0.1 * len(people)
    assert any(p[1] is None for p in people)
    assert sum(1 for p in people if (p[2], p[3], p[4]) == (2, 29, 0)) >= 2
    leap_people = [p for p in people if p[5]]
    assert leap_people
    for _cid, year, month, _day, lunar, _leap in leap_people:
        assert lunar
        assert year is None or Birthday(month, 1, year, True, True)


def test_phones_are_valid_normalized_mobiles(db):
    phones = [r[0] for r in rows(db, "SELECT phone FROM contact WHERE phone IS NOT NULL")]
    assert 0.5 * SIZE <= len(phones) <= 0.7 * SIZE
    for phone in phones:
        assert phone.startswith("+861")
        assert normalize_phone(phone) == phone
        assert normalize_phone(f"{phone[3:6]}-{phone[6:10]}-{phone[10:]}") == phone


def test_search_keys_are_what_the_contacts_service_stores(db):
    from kamtui.contacts import refresh_search_keys

    stored = rows(db, "SELECT id, search_key FROM contact ORDER BY id")
    con = db.conn
    con.execute("BEGIN")
    try:
        refresh_search_keys(con, [cid for cid, _ in stored])
        fresh = con.execute("SELECT id, search_key FROM contact ORDER BY id").fetchall()
    finally:
        con.execute("ROLLBACK")
    assert stored == fresh


def test_vocabulary_matches_the_domain_modules(db):
    from kamtui import interactions, reminders, snippets
    from kamtui.repeat import parse_repeat, pin_rule

    assert set(demo.INTERACTION_KINDS) <= set(interactions.KINDS)
    used = {r[0] for r in rows(db, "SELECT DISTINCT kind FROM interaction")}
    assert used <= set(interactions.KINDS)
    assert {r[0] for r in rows(db, "SELECT DISTINCT kind FROM snippet")} <= set(snippets.KINDS)
    assert {r[0] for r in rows(db, "SELECT DISTINCT kind FROM reminder")} <= set(reminders.KINDS)
    for due, rule in rows(db, "SELECT due_on, rrule FROM reminder WHERE rrule IS NOT NULL"):
        assert rule == pin_rule(parse_repeat(rule), d(due))


def test_names_nicknames_and_remarks_look_real(db):
    names = rows(db, "SELECT remark, nickname, wechat_id, gender, source FROM contact")
    remarks = [r[0] for r in names]
    assert sum(1 for r in remarks if r.count("-") >= 2) >= 0.15 * SIZE  # 张三-广州-宝妈
    assert any(r[:1] in "AB" and "姐-" in r for r in remarks)  # A李姐-深圳-美容院
    nicks = [r[1] for r in names]
    assert any(n.isascii() and n.isalpha() for n in nicks)  # Lucy
    assert any(any(ord(ch) > 0xFFFF for ch in n) for n in nicks)  # 小美🌸
    ids = [r[2] for r in names if r[2]]
    assert any(x.startswith("wxid_") for x in ids)
    assert any(not x.startswith("wxid_") for x in ids)
    assert {r[3] for r in names} == {"f", "m", ""}
    assert sum(1 for r in names if r[3] == "f") > SIZE / 2
    assert {"转介绍", "朋友圈", "抖音", "小红书"} <= {r[4] for r in names}
    surnames = {r[0][:1] for r in names if r[0]}
    assert {"王", "李", "张"} <= surnames


def test_potential_intent_and_favourites(db):
    dist = dict(rows(db, "SELECT potential, count(*) FROM contact GROUP BY potential"))
    assert set(dist) == {1, 2, 3, 4, 5}
    assert dist[3] == max(dist.values())
    intent = one(
        db,
        "SELECT count(*) FROM contact WHERE intent = 1"
        " AND id NOT IN (SELECT contact_id FROM purchase)",
    )
    assert intent >= 0.03 * SIZE
    favs = [r[0] for r in rows(db, "SELECT id FROM contact WHERE favourite = 1")]
    assert 0.01 * SIZE <= len(favs) <= 0.03 * SIZE
    revenue = revenue_365(db)
    ranked = sorted(revenue, key=revenue.get, reverse=True)
    top = set(ranked[: max(1, len(ranked) // 5)])
    assert sum(1 for f in favs if f in top) >= len(favs) / 2


def test_open_needs_for_prospects_and_snippet_kinds(db):
    kinds = {r[0] for r in rows(db, "SELECT DISTINCT kind FROM snippet")}
    assert kinds == {"hobby", "job", "need", "worry"}
    open_needs = one(
        db,
        "SELECT count(*) FROM snippet WHERE kind = 'need' AND closed = 0"
        " AND contact_id NOT IN (SELECT contact_id FROM purchase)",
    )
    assert open_needs >= 3
    assert one(db, "SELECT count(*) FROM snippet WHERE text = '担心敏感肌过敏'") >= 1


def test_interactions_complaints_visits_satisfaction(db):
    kinds = dict(rows(db, "SELECT kind, count(*) FROM interaction GROUP BY kind"))
    assert set(demo.INTERACTION_KINDS) <= set(kinds)
    assert one(db, "SELECT count(*) FROM interaction WHERE kind = 'complaint' AND is_open = 1") >= 3
    resolved = rows(
        db,
        "SELECT occurred_on, resolved_on FROM interaction WHERE kind = 'complaint' AND is_open = 0",
    )
    assert resolved
    assert all(r[1] is not None and r[1] >= r[0] for r in resolved)
    assert rows(db, "SELECT id FROM interaction WHERE kind != 'complaint' AND is_open = 1") == []
    # active customers are touched more than plain friends
    per_buyer = one(
        db,
        "SELECT 1.0 * count(*) / count(DISTINCT contact_id) FROM interaction"
        " WHERE contact_id IN (SELECT contact_id FROM purchase)",
    )
    per_other = one(
        db,
        "SELECT 1.0 * count(*) / count(DISTINCT contact_id) FROM interaction"
        " WHERE contact_id NOT IN (SELECT contact_id FROM purchase)",
    )
    assert per_buyer > per_other
    levels = {r[0] for r in rows(db, "SELECT DISTINCT level FROM satisfaction")}
    assert levels == {1, 2, 3, 4, 5}
    assert (
        rows(
            db,
            "SELECT id FROM satisfaction WHERE contact_id NOT IN (SELECT contact_id FROM purchase)",
        )
        == []
    )


def test_tags_are_linked_sensibly(db):
    linked = dict(
        rows(
            db,
            "SELECT t.name, count(*) FROM contact_tag ct JOIN tag t ON t.id = ct.tag_id"
            " GROUP BY t.name",
        )
    )
    for name in ("VIP", "宝妈", "老客户", "护肤", "待跟进", "已流失"):
        assert linked.get(name, 0) >= 3, name
    # VIPs are buyers, 代理 bought the agent pack, 待跟进 never bought
    for tag, sql in (
        ("VIP", "SELECT contact_id FROM purchase"),
        ("代理", "SELECT contact_id FROM purchase WHERE item = '代理礼包'"),
    ):
        stray = rows(
            db,
            "SELECT ct.contact_id FROM contact_tag ct JOIN tag t ON t.id = ct.tag_id"
            f" WHERE t.name = ? AND ct.contact_id NOT IN ({sql})",
            (tag,),
        )
        assert stray == [], tag
    stray = rows(
        db,
        "SELECT ct.contact_id FROM contact_tag ct JOIN tag t ON t.id = ct.tag_id"
        " WHERE t.name = '待跟进' AND ct.contact_id IN (SELECT contact_id FROM purchase)",
    )
    assert stray == []


def test_manual_reminders_only(db):
    reminders = rows(db, "SELECT kind, status, due_on, rrule, auto_key FROM reminder")
    assert 5 <= len(reminders) <= 20
    assert {r[0] for r in reminders} == {"manual"}
    assert {r[1] for r in reminders} == {"open"}
    assert all(r[4] is None for r in reminders)
    assert any(d(r[2]) < TODAY for r in reminders)
    assert any(d(r[2]) == TODAY for r in reminders)
    freqs = {r[3].split(";")[0] for r in reminders if r[3]}
    assert {"FREQ=WEEKLY", "FREQ=MONTHLY", "FREQ=DAILY"} <= freqs


# ---- clean-up candidates -----------------------------------------------------------


def test_clean_up_candidates(db):
    dead_line = (TODAY - timedelta(days=60)).isoformat()
    cold_line = (TODAY - timedelta(days=180)).isoformat()
    bought = "SELECT contact_id FROM purchase"
    assert one(db, "SELECT count(*) FROM contact WHERE is_ad = 1") >= 3
    assert one(db, "SELECT count(*) FROM contact WHERE blocked_me = 1") >= 3
    assert (
        rows(db, f"SELECT id FROM contact WHERE (is_ad = 1 OR blocked_me = 1) AND id IN ({bought})")
        == []
    )
    dead = one(
        db,
        f"SELECT count(*) FROM contact WHERE (last_moment_on IS NULL OR last_moment_on < ?)"
        f" AND favourite = 0 AND id NOT IN ({bought})",
        (dead_line,),
    )
    never_seen = one(db, "SELECT count(*) FROM contact WHERE last_moment_on IS NULL")
    assert dead >= 0.05 * SIZE
    assert 0 < never_seen < 0.2 * SIZE
    # most contacts have a Moments date; buyers and favourites never look dead
    assert one(db, "SELECT count(*) FROM contact WHERE last_moment_on IS NOT NULL") > 0.8 * SIZE
    assert (
        rows(
            db,
            f"SELECT id FROM contact WHERE (id IN ({bought}) OR favourite = 1)"
            " AND (last_moment_on IS NULL OR last_moment_on < ?)",
            (dead_line,),
        )
        == []
    )
    cold = one(
        db,
        f"SELECT count(*) FROM contact WHERE added_on < ? AND favourite = 0"
        f" AND id NOT IN ({bought}) AND id NOT IN (SELECT contact_id FROM interaction)",
        (cold_line,),
    )
    assert cold >= 0.05 * SIZE
    # ad accounts look like ads
    nick = {r[0] for r in rows(db, "SELECT nickname FROM contact WHERE is_ad = 1")}
    assert nick <= set(demo.AD_NICKS)


def test_duplicates_by_wechat_id_phone_and_name(db):
    by_wechat = rows(
        db,
        "SELECT a.id, b.id FROM contact a JOIN contact b"
        " ON a.wechat_id = b.wechat_id AND a.id < b.id AND a.account_id != b.account_id",
    )
    assert len(by_wechat) >= 2
    by_phone = rows(
        db, "SELECT a.id, b.id FROM contact a JOIN contact b ON a.phone = b.phone AND a.id < b.id"
    )
    assert len(by_phone) >= 2
    people = rows(db, "SELECT id, account_id, remark FROM contact WHERE remark != ''")
    by_account = defaultdict(list)
    for cid, account, remark in people:
        by_account[account].append((cid, remark))
    near = []
    index = defaultdict(list)
    for cid, account, remark in people:
        index[(account, remark[:2])].append((cid, remark))
    for group in index.values():
        for i, (a, ra) in enumerate(group):
            for b, rb in group[i + 1 :]:
                if ra != rb and fuzz.ratio(ra, rb) >= 90:
                    near.append((a, b))
    assert len(near) >= 2
    # a duplicate is never a buyer of its own: the original is the record that matters
    dup_ids = {b for _, b in by_wechat} | {b for _, b in by_phone}
    assert len(dup_ids) >= 4


def test_hostile_texts_are_present_once(db):
    for column, value in demo.HOSTILE:
        assert one(db, f"SELECT count(*) FROM contact WHERE {column} = ?", (value,)) == 1
    assert len(demo.LONG_DESCRIPTION) == 10_000
    assert one(db, "SELECT count(*) FROM snippet WHERE text = ?", (demo.HOSTILE_SNIPPET,)) == 1
    assert (
        one(db, "SELECT count(*) FROM interaction WHERE summary = ?", (demo.HOSTILE_SUMMARY,)) == 1
    )


def test_big_books_spread_over_accounts_some_over_cap():
    gen = demo._Generator(size=100_000, seed=1, today=TODAY)
    gen.make_accounts()
    assert sum(gen.account_counts) == 100_000
    caps = [a[3] for a in gen.accounts]
    assert len(caps) == len(gen.account_counts) > 3
    over = [n for n, cap in zip(gen.account_counts, caps, strict=True) if n > cap]
    assert 1 <= len(over) <= 3
    assert len({a[1] for a in gen.accounts}) == len(gen.accounts)
    small = demo._Generator(size=5_000, seed=1, today=TODAY)
    small.make_accounts()
    assert len(small.accounts) == 3
    assert all(n <= a[3] for n, a in zip(small.account_counts, small.accounts, strict=True))


# ---- refusing, clearing ------------------------------------------------------------


def test_refuses_a_book_with_data(tmp_path):
    book = Book(tmp_path / "x.db")
    build_demo(book, size=120, seed=3, today=TODAY)
    before = dump(book)
    with pytest.raises(KamtuiError, match="already holds 120 contacts"):
        build_demo(book, size=120, seed=3, today=TODAY)
    assert dump(book) == before
    book.close()


def test_refuses_a_book_with_only_an_account(book):
    with book.transaction() as con:
        con.execute("INSERT INTO account (name) VALUES ('我的号')")
    with pytest.raises(KamtuiError, match="already holds accounts"):
        build_demo(book, size=50, today=TODAY)


def test_clear_book_empties_data_keeps_settings_and_rebuilds_identically(tmp_path):
    book = Book(tmp_path / "x.db")
    with book.transaction() as con:
        con.execute("INSERT INTO setting (key, value) VALUES ('lang', '\"zh\"')")
    shape = schema(book)
    build_demo(book, size=200, seed=9, today=TODAY)
    first = dump(book)
    with book.transaction(undo="edit") as con:
        con.execute("UPDATE contact SET potential = 5 WHERE id = 3")
    clear_book(book)
    for table in demo.DATA_TABLES:
        assert one(book, f"SELECT count(*) FROM {table}") == 0, table
    assert one(book, "SELECT value FROM setting WHERE key = 'lang'") == '"zh"'
    assert schema(book) == shape
    assert one(book, "PRAGMA foreign_keys") == 1
    build_demo(book, size=200, seed=9, today=TODAY)
    assert dump(book) == first
    assert rows(book, "PRAGMA foreign_key_check") == []
    book.close()


def test_failed_build_leaves_the_book_empty_and_usable(tmp_path, monkeypatch):
    book = Book(tmp_path / "x.db")
    fresh = schema(book)

    def boom(self):
        raise RuntimeError("disk full")

    real = demo._Generator.make_search_keys
    monkeypatch.setattr(demo._Generator, "make_search_keys", boom)
    with pytest.raises(RuntimeError):
        build_demo(book, size=80, today=TODAY)
    monkeypatch.setattr(demo._Generator, "make_search_keys", real)

    original = demo._bulk_insert

    def interrupted():
        raise RuntimeError("interrupted")

    def half(book_, batches):
        # the first tables go in, then building the next one fails: all must roll back
        return original(book_, [*batches[:5], ("purchase", interrupted)])

    monkeypatch.setattr(demo, "_bulk_insert", half)
    with pytest.raises(RuntimeError, match="interrupted"):
        build_demo(book, size=80, today=TODAY)
    assert one(book, "SELECT count(*) FROM contact") == 0
    assert schema(book) == fresh
    assert one(book, "PRAGMA foreign_keys") == 1
    assert gc.isenabled()
    monkeypatch.setattr(demo, "_bulk_insert", original)
    build_demo(book, size=80, today=TODAY)
    assert one(book, "SELECT count(*) FROM contact") == 80
    book.close()


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_every_seed_has_the_guaranteed_cases(tmp_path, seed):
    """The cases the screens rely on do not depend on luck (any size >= 100)."""
    book = Book(tmp_path / "g.db")
    build_demo(book, size=150, seed=seed, today=TODAY)
    assert rows(book, "PRAGMA foreign_key_check") == []
    assert one(book, "SELECT count(*) FROM interaction WHERE kind = 'complaint' AND is_open") >= 3
    dues = [due for _, due, _ in owed(book)]
    assert min(dues) < TODAY
    assert TODAY in dues
    assert any(TODAY < x <= TODAY + timedelta(days=7) for x in dues)
    people = rows(
        book,
        "SELECT birth_month, birth_day, birth_lunar, birth_leap FROM contact"
        " WHERE birth_month IS NOT NULL",
    )
    upcoming = [next_birthday(m, day, bool(lu), bool(le)) for m, day, lu, le in people]
    assert TODAY in upcoming
    for column, value in demo.HOSTILE:
        assert one(book, f"SELECT count(*) FROM contact WHERE {column} = ?", (value,)) == 1
    assert one(book, "SELECT count(*) FROM purchase WHERE amount_fen < 0") >= 3
    assert rows(
        book,
        "SELECT a.id FROM contact a JOIN contact b ON a.phone = b.phone AND a.id < b.id",
    )
    assert rows(
        book,
        "SELECT a.id FROM contact a JOIN contact b ON a.wechat_id = b.wechat_id"
        " AND a.id < b.id AND a.account_id != b.account_id",
    )
    book.close()

"""The day's follow-ups: automatic reminders derived from the data, and the agenda.

Automatic reminders (DOMAIN.md "Follow-up"; every default is a setting):

=============  ==============================================================
kind           when
=============  ==============================================================
aftersale      ``reminder.aftersale_days`` (3) after a purchase day (回访)
repurchase     when the product's use cycle × quantity has passed since a
               purchase (``reminder.repurchase_default_cycle``, 30, for items
               without a cycle; a cycle of 0 means never), unless the contact
               bought the same item again since
birthday_soon  ``reminder.birthday_days_before`` (3) before a birthday
birthday       on the day (solar or lunar, year optional, Feb 29 → Feb 28)
prospect       a prospect (intent, or an open need) with no touch for
               ``reminder.prospect_idle_days`` (7)
dormant        a buyer with no purchase for ``churn.at_risk_factor`` (1.5) ×
               their own usual interval (the classification's churn rule:
               median gap between purchase days, ``churn.default_interval`` for
               one-time buyers), or no touch for ``reminder.no_contact_days``
               (30), whichever is first
owed           on the due date of a credit sale not yet paid
thanks         when someone a contact introduced makes their first purchase
=============  ==============================================================

Each automatic reminder has a key naming its trigger (``repurchase:<purchase>``,
``dormant:<contact>:<last purchase>:<last touch>``…). Deriving is idempotent:
``INSERT OR IGNORE`` on the key never duplicates one, and never brings back one
that was done or dismissed for the same trigger; a new trigger (a new purchase,
next year's birthday, a new touch) makes a new key. Open reminders whose trigger
no longer holds (paid, bought again, birthday changed…) become ``obsolete``.

History is not replayed. A run creates the reminders that fell due since the
previous run (so days the seller was away are caught up), at most
``reminder.lookback_days`` (30) back; the very first run looks back
``FIRST_RUN_DAYS`` (7) only, so a freshly imported book does not flood the agenda
with years-old after-sale checks. Birthdays look back 7 days. Owed money is the
exception: it is raised however late.

Cost (100,000 contacts, 32,000 open reminders; ``benchmarks/bench_today.py``): a
refresh on the first start of a day takes ~0.15 s of CPU in the app's worker
(the first refresh of a book ~1.1 s). What changed since the last refresh is
known (migration v0005: triggers note in ``followup_change`` the contacts whose
sales, payments, conversations, needs, referrals or profile changed), so a
refresh derives only what can be new (:class:`_Scope`): what falls due after
the last run's window for everyone, and the whole window for the changed
contacts. Each rule reads that much: the sales of the new days (after-sale;
repurchases per product and quantity along ``ix_purchase_cycle``), the
birthdays on them, the credit sales falling due, and who was last in touch on
the days whose quiet ends then (``ix_interaction_day``: prospects, dormant
buyers). The dormant rule's purchase days of every buyer are kept in
``buyer_fact``, counted again only for the buyers that changed, and read for the
buyers whose silence or usual gap ends in the new days, or who turned lost
since. The stale check reads the open reminders of the changed contacts only
(a check reads only its contact's data, which held at the last run), plus the
birthdays' "in N days" due by today. A book's first refresh, one after more than ``_MOST_CHANGES``
changes, on a day before the last, or under other settings (what was not due
under the old ones may be due now), reads everything. A refresh that found
nothing to change is not run again in the same process until something is
committed or the day changes.
"""

from __future__ import annotations

import json
import weakref
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

from kamtui import settings
from kamtui.fmt import display_name, money
from kamtui.i18n import t
from kamtui.store import rows

if TYPE_CHECKING:
    from kamtui.reminders import ReminderRow
    from kamtui.store.db import Book

BIRTHDAY_GRACE_DAYS = 7
FIRST_RUN_DAYS = 7
_LAST_RUN_KEY = "state.followup.last_refresh"  # internal state, not a user setting
_FACTS_KEY = "state.followup.buyer_facts"  # the day of the buyers' days kept in buyer_fact
_WINDOW_KEY = "state.followup.window_end"  # the last day the last refresh derived up to
_RULES_KEY = "state.followup.rules"  # the settings it derived with (_rules_mark)
AUTO_KINDS = (
    "aftersale",
    "repurchase",
    "birthday_soon",
    "birthday",
    "prospect",
    "dormant",
    "owed",
    "thanks",
)


class Candidate(NamedTuple):  # (a tuple: tens of thousands are made per run)
    key: str
    contact_id: int
    kind: str
    due_on: date
    data: dict[str, Any]


@dataclass
class Rules:
    """The settings the rules read, fetched once per run."""

    aftersale_days: int
    default_cycle: int
    birthday_before: int
    prospect_idle: int
    no_contact_days: int
    lookback: int

    @classmethod
    def load(cls, book: Book) -> Rules:
        s = settings.get_all(book)
        return cls(
            aftersale_days=int(s["reminder.aftersale_days"]),
            default_cycle=int(s["reminder.repurchase_default_cycle"]),
            birthday_before=int(s["reminder.birthday_days_before"]),
            prospect_idle=int(s["reminder.prospect_idle_days"]),
            no_contact_days=int(s["reminder.no_contact_days"]),
            lookback=int(s["reminder.lookback_days"]),
        )


def _d(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


# ---- the rules ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Scope:
    """What a refresh must derive when it knows what changed since its last run:
    the candidates falling due from ``fresh_from`` (the day after the last run's
    window) for every contact, and every candidate of the window for the contacts
    ``changed`` (a JSON list of ids). The others were derived by the last run,
    from the same data. A rule given a scope may return more; never fewer."""

    fresh_from: date
    changed: str

    def on(self, con, sql: str, params: tuple) -> list[tuple]:
        """The rows of ``sql`` for the changed contacts: its first parameter is
        their JSON list, ``params`` the others (the rules' second query)."""
        return con.execute(sql, (self.changed, *params)).fetchall()


def _aftersale(
    con, r: Rules, today: date, earliest: date, scope: _Scope | None = None
) -> list[Candidate]:
    since = earliest - timedelta(days=r.aftersale_days)
    days = since
    if scope is not None:  # the sales whose check falls due from then
        days = max(since, scope.fresh_from - timedelta(days=r.aftersale_days))
    found = []
    if days <= today:
        found = con.execute(
            # (CROSS JOIN: the sales of those days first, by ix_purchase_bought, then
            # their contacts; not every contact's sales of those days)
            """SELECT p.contact_id, p.item, p.bought_on FROM purchase p
               CROSS JOIN contact c ON c.id = p.contact_id AND c.archived = 0
               WHERE p.amount_fen > 0 AND p.bought_on >= ? AND p.bought_on <= ?
               ORDER BY p.id""",
            (days.isoformat(), today.isoformat()),
        ).fetchall()
    if scope is not None:  # and the changed contacts' sales of the whole window
        found += scope.on(
            con,
            """SELECT p.contact_id, p.item, p.bought_on FROM purchase p
               JOIN contact c ON c.id = p.contact_id AND c.archived = 0
               WHERE p.contact_id IN (SELECT value FROM json_each(?))
                 AND p.amount_fen > 0 AND p.bought_on >= ? AND p.bought_on <= ?
               ORDER BY p.id""",
            (since.isoformat(), today.isoformat()),
        )
    out: dict[tuple[int, str], list[str]] = defaultdict(list)
    # (a day of sales comes whole from either query, in the order of the sales)
    for cid, item, bought in found:
        if item not in out[(cid, bought)]:
            out[(cid, bought)].append(item)
    return [
        Candidate(
            f"aftersale:{cid}:{bought}",
            cid,
            "aftersale",
            date.fromisoformat(bought) + timedelta(days=r.aftersale_days),
            {"items": items, "bought_on": bought},
        )
        for (cid, bought), items in out.items()
    ]


_REPURCHASE_SQL = """
    WITH RECURSIVE
    -- each product's use cycle (the default for sales of no product, or of a
    -- product without one); a cycle of 0 is never
    cycle(pid, days) AS (
        SELECT id, coalesce(cycle_days, :cycle) FROM product
        UNION ALL SELECT NULL, :cycle),
    -- the quantities sold of each, hopping along ix_purchase_cycle from one to the next
    qty(pid, days, n) AS (
        SELECT pid, days, (SELECT min(quantity) FROM purchase INDEXED BY ix_purchase_cycle
                           WHERE product_id IS cycle.pid AND amount_fen > 0)
        FROM cycle WHERE days > 0
        UNION ALL
        SELECT pid, days, (SELECT min(quantity) FROM purchase INDEXED BY ix_purchase_cycle
                           WHERE product_id IS qty.pid AND amount_fen > 0 AND quantity > qty.n)
        FROM qty WHERE n IS NOT NULL),
    -- the sales whose cycle × quantity ends in the window: for each product and
    -- quantity, the sales of the window's days moved back by that span
    p AS MATERIALIZED (
        SELECT p.id, p.contact_id, p.item, p.quantity, p.bought_on, p.product_id,
               date(p.bought_on, '+' || (qty.days * qty.n) || ' days') AS due
        FROM qty JOIN purchase p INDEXED BY ix_purchase_cycle
          ON p.product_id IS qty.pid AND p.quantity = qty.n AND p.amount_fen > 0
         AND p.bought_on BETWEEN date(:start, '-' || (qty.days * qty.n) || ' days')
                             AND date(:end, '-' || (qty.days * qty.n) || ' days')
        WHERE qty.n IS NOT NULL
    )
    SELECT p.id, p.contact_id, p.item, p.quantity, p.bought_on, p.due FROM p
    JOIN contact c ON c.id = p.contact_id AND c.archived = 0
    WHERE p.due >= :start AND p.due <= :end
      AND NOT EXISTS (
        SELECT 1 FROM purchase q
        WHERE q.contact_id = p.contact_id AND q.amount_fen > 0 AND q.id != p.id
          AND (q.bought_on > p.bought_on OR (q.bought_on = p.bought_on AND q.id > p.id))
          AND (q.item = p.item OR (q.product_id IS NOT NULL AND q.product_id = p.product_id))
      )
    ORDER BY p.contact_id, p.bought_on, p.id
"""

# The same test for the sales of some contacts (a JSON list), whatever their day.
_REPURCHASE_OF_SQL = """
    WITH p AS MATERIALIZED (
        SELECT p.id, p.contact_id, p.item, p.quantity, p.bought_on, p.product_id,
               date(p.bought_on, '+' || (coalesce(pr.cycle_days, :cycle) * p.quantity)
                    || ' days') AS due
        FROM purchase p LEFT JOIN product pr ON pr.id = p.product_id
        WHERE p.contact_id IN (SELECT value FROM json_each(:changed))
          AND p.amount_fen > 0 AND coalesce(pr.cycle_days, :cycle) > 0
    )
""" + _REPURCHASE_SQL[
    _REPURCHASE_SQL.index("    SELECT p.id, p.contact_id, p.item, p.quantity, p.bought_on, p.due") :
]


def _repurchase(
    con, r: Rules, start: date, end: date, scope: _Scope | None = None
) -> list[Candidate]:
    params = {"cycle": r.default_cycle, "start": start.isoformat(), "end": end.isoformat()}
    found = []
    fresh = start if scope is None else max(start, scope.fresh_from)
    if fresh <= end:
        found = con.execute(_REPURCHASE_SQL, params | {"start": fresh.isoformat()}).fetchall()
    if scope is not None:
        seen = {row[0] for row in found}
        found += [
            row
            for row in con.execute(_REPURCHASE_OF_SQL, params | {"changed": scope.changed})
            if row[0] not in seen
        ]
    return [
        Candidate(
            f"repurchase:{pid}",
            cid,
            "repurchase",
            date.fromisoformat(due),
            {"item": item, "quantity": qty, "bought_on": bought},
        )
        for pid, cid, item, qty, bought, due in found
    ]


def _birthday_windows(start: date, end: date) -> tuple[set, set]:
    """(month, day) pairs, solar and lunar (with leap flag), whose birthday falls in range."""
    from lunardate import LunarDate

    from kamtui.dates import lunar_month_days

    solar: set[tuple[int, int]] = set()
    lunar: set[tuple[int, int, bool]] = set()
    day = start
    while day <= end:
        solar.add((day.month, day.day))
        if day.month == 2 and day.day == 28:
            solar.add((2, 29))  # observed on Feb 28 in common years (and harmless otherwise)
        try:
            ld = LunarDate.from_solar_date(day.year, day.month, day.day)
        except ValueError:
            day += timedelta(days=1)
            continue
        leap = bool(ld.is_leap_month) if hasattr(ld, "is_leap_month") else bool(ld.isLeapMonth)
        lunar.add((ld.month, ld.day, leap))
        lunar.add((ld.month, ld.day, not leap))  # leap-month birthdays in years without one
        if ld.day == 29 and lunar_month_days(ld.year, ld.month, leap) == 29:
            lunar.add((ld.month, 30, False))
            lunar.add((ld.month, 30, True))
        day += timedelta(days=1)
    return solar, lunar


def _birthdays(
    con, r: Rules, today: date, end: date, scope: _Scope | None = None
) -> list[Candidate]:
    from kamtui.dates import Birthday, next_birthday

    start = today - timedelta(days=BIRTHDAY_GRACE_DAYS)
    window_end = end + timedelta(days=r.birthday_before)
    solar, lunar = _birthday_windows(start, window_end)
    out = []
    next_of: dict[tuple, date] = {}  # (month, day, lunar, leap) -> next birthday
    labels: dict[tuple, str] = {}
    # Only the (month, day) pairs in the window, solar or lunar (ix_contact_birthday);
    # the exact test (calendar, leap month) is below. With a scope, the pairs of
    # the birthdays from its first day (the reminders before were made then),
    # and the changed contacts whatever their birthday.
    fresh = start if scope is None else max(start, scope.fresh_from)
    windows = (solar, lunar) if fresh == start else _birthday_windows(fresh, window_end)
    pairs = sorted({(k[0], k[1]) for k in windows[0]} | {(k[0], k[1]) for k in windows[1]})
    found = []
    if fresh <= window_end:
        found = con.execute(
            """SELECT id, birth_year, birth_month, birth_day, birth_lunar, birth_leap
               FROM contact
               WHERE (birth_month, birth_day) IN (SELECT value ->> 0, value ->> 1
                                                  FROM json_each(?))
                 AND +archived = 0  -- (+: not by ix_contact_archived)
               ORDER BY id""",
            (json.dumps(pairs),),
        ).fetchall()
    if scope is not None:
        seen = {row[0] for row in found}
        found += [
            row
            for row in scope.on(
                con,
                """SELECT id, birth_year, birth_month, birth_day, birth_lunar, birth_leap
                   FROM contact WHERE id IN (SELECT value FROM json_each(?))
                     AND archived = 0 AND birth_month IS NOT NULL""",
                (),
            )
            if row[0] not in seen
        ]
        found.sort()
    for cid, year, month, day, is_lunar, leap in found:
        key = (month, day, bool(leap)) if is_lunar else (month, day)
        if key not in (lunar if is_lunar else solar):
            continue
        try:
            b = Birthday(month, day, year, bool(is_lunar), bool(leap))  # (validates)
            # The next birthday does not depend on the year: once per calendar day.
            cal = (month, day, bool(is_lunar), bool(leap))
            when = next_of.get(cal)
            if when is None:
                when = next_of[cal] = next_birthday(b, start)
        except Exception:  # a stored birthday out of the lunar calendar's range
            continue
        if when > window_end:
            continue
        data = {"date": when.isoformat(), "lunar": bool(is_lunar)}
        if is_lunar:
            from kamtui.dates import format_birthday

            label = labels.get(cal)
            if label is None:
                label = labels[cal] = format_birthday(
                    Birthday(month, day, None, True, bool(leap)), "zh"
                )
            data["label"] = label
        if year and not is_lunar:
            data["age"] = when.year - year
        if r.birthday_before > 0 and when > today:
            out.append(
                Candidate(
                    f"birthday_soon:{cid}:{when}",
                    cid,
                    "birthday_soon",
                    when - timedelta(days=r.birthday_before),
                    data,
                )
            )
        out.append(Candidate(f"birthday:{cid}:{when}", cid, "birthday", when, data))
    return out


def _last_touch(con, since: date) -> dict[int, str]:
    """Last interaction day of each contact touched on or after ``since`` (each
    distinct day's text kept once). One pass over the interaction index, but
    only the recent contacts come back to Python."""
    days: dict[str, str] = {}
    return {
        cid: days.setdefault(day, day)
        for cid, day in con.execute(
            "SELECT contact_id, max(occurred_on) FROM interaction "
            "WHERE occurred_on >= ? GROUP BY contact_id",
            (since.isoformat(),),
        )
    }


def _touch_of(con, contact_ids) -> dict[int, str]:
    """Last interaction day of these contacts (those with one)."""
    return {
        cid: day
        for cid, day in _in_chunks(
            con,
            "SELECT contact_id, max(occurred_on) FROM interaction "
            "WHERE contact_id IN ({}) GROUP BY contact_id",
            contact_ids,
        )
        if day is not None
    }


_PROSPECTS_SQL = """
    SELECT * FROM (
      SELECT c.id, c.added_on AS added,
             (SELECT max(i.occurred_on) FROM interaction i WHERE i.contact_id = c.id)
             AS touched
      FROM contact c
      WHERE c.id IN (SELECT id FROM contact WHERE intent = 1
                     UNION SELECT contact_id FROM snippet
                           WHERE kind = 'need' AND closed = 0)
        AND c.archived = 0 {}
        AND NOT EXISTS (SELECT 1 FROM purchase p
             WHERE p.contact_id = c.id AND p.amount_fen > 0))
    WHERE CASE WHEN touched > added THEN touched ELSE added END BETWEEN :first AND :last
    ORDER BY id"""


def _touched_on(con, first: date, last: date) -> set[int]:
    """The contacts with a conversation on one of these days (ix_interaction_day)."""
    return {
        row[0]
        for row in con.execute(
            "SELECT DISTINCT contact_id FROM interaction WHERE occurred_on BETWEEN ? AND ?",
            (first.isoformat(), last.isoformat()),
        )
    }


def _prospects(
    con, r: Rules, start: date, end: date, scope: _Scope | None = None
) -> list[Candidate]:
    out = []
    # Prospects: intent, or an open need (ix_contact_intent, ix_snippet_kind), and no
    # sale; only those whose last touch (or day added) puts the due day in the window.
    # With a scope: the changed, and those added or in touch on the days whose
    # quiet ends from its first day (the others' last touch has not moved).
    idle = timedelta(days=r.prospect_idle)
    params = {"first": (start - idle).isoformat(), "last": (end - idle).isoformat()}
    if scope is None:
        found = con.execute(_PROSPECTS_SQL.format(""), params)
    else:
        fresh = max(start, scope.fresh_from) - idle
        among = set(json.loads(scope.changed))
        among |= _touched_on(con, fresh, end - idle)
        found = con.execute(
            _PROSPECTS_SQL.format(
                "AND (c.added_on BETWEEN :fresh AND :last"
                " OR c.id IN (SELECT value FROM json_each(:among)))"
            ),
            params | {"fresh": fresh.isoformat(), "among": json.dumps(sorted(among))},
        )
    for cid, added, touched in found:
        last = max(x for x in (touched, added) if x)
        due = date.fromisoformat(last) + idle
        if start <= due <= end:
            out.append(
                Candidate(f"prospect:{cid}:{last}", cid, "prospect", due, {"last_touch": last})
            )
    return out


# More changes noted than this (an import, a merge of many): every buyer is counted
# again and every open reminder checked, in one pass, rather than contact by contact.
_MOST_CHANGES = 5_000


@dataclass
class _Buyers:
    """Every buyer's purchase days as the classification counts them
    (:func:`kamtui.classify.buyer_days`), for the dormant rule and the stale check.

    They are kept in ``buyer_fact`` from one refresh to the next: a refresh reads
    them, then counts again only the buyers that changed since (noted by the
    triggers of migration v0005 in ``followup_change``) and those with a sale
    dated after the facts' day, and saves what it counted
    (:meth:`save`). Without saved facts (a book's first refresh), or on a day
    before theirs, every buyer is counted from the purchases (one pass).
    """

    rules: Any  # kamtui.classify.Rules
    days: dict[int, tuple[int, int, int, int]]  # (purchase days, first, last, 2 × usual gap)
    archived: set[int]
    changed: set[int] | None  # contacts changed since the saved facts; None: all counted
    fresh: dict[int, tuple[int, int, int, int]]  # the days counted again (all of them: None)
    upto: int  # the last change noted when they were read
    saved_on: date | None = None  # the day of the kept days (the last refresh's)

    @classmethod
    def read(cls, con, book: Book, today: date) -> _Buyers:
        from kamtui import classify

        rules = classify.Rules.from_book(book)
        archived = {row[0] for row in con.execute("SELECT id FROM contact WHERE archived = 1")}
        upto, noted = con.execute(
            "SELECT coalesce(max(seq), 0), count(*) FROM followup_change"
        ).fetchone()
        saved_on = _state_day(con, _FACTS_KEY)
        if saved_on is None or saved_on > today or noted > _MOST_CHANGES:
            days = classify.buyer_days(con, rules, today, since=date.min)
            return cls(rules, days, archived, None, days, upto)
        changed = {
            row[0]
            for row in con.execute(
                "SELECT contact_id FROM followup_change WHERE seq <= ? "
                "UNION SELECT contact_id FROM purchase WHERE bought_on > ? AND bought_on <= ?",
                (upto, saved_on.isoformat(), today.isoformat()),
            )
        }
        fresh = classify.buyer_days_of(con, rules, today, changed)
        # (the kept days of the others are read as the rules ask: :meth:`kept`)
        return cls(rules, dict(fresh), archived, changed, fresh, upto, saved_on)

    def kept(self, con, where: str, params: dict) -> None:
        """Add to ``days`` the kept days of the unchanged buyers ``where`` says
        (SQL over ``buyer_fact``: ``days``, ``first_day``, ``last_day``, and
        ``gap2``, the default interval's for one purchase day)."""
        default2 = 2 * self.rules.default_interval
        for cid, n, first, last, gap2 in con.execute(
            f"""SELECT contact_id, days, first_day, last_day, gap2 FROM (
                    SELECT contact_id, days, first_day, last_day,
                           CASE WHEN days = 1 THEN :default2 ELSE gap2 END AS gap2
                    FROM buyer_fact)
                WHERE ({where})""",
            params | {"default2": default2},
        ):
            if cid not in self.changed:
                self.days[cid] = (n, first, last, gap2)

    def last_purchase(self, con, cid: int) -> date | None:
        if cid not in self.days and self.changed is not None and cid not in self.changed:
            self.kept(con, "contact_id = :cid", {"cid": cid})
        found = self.days.get(cid)
        return date.fromordinal(found[2]) if found else None

    def save(self, con, today: date) -> None:
        """Keep the days counted for the next refresh (in its write transaction),
        and forget the changes they took into account."""
        if self.changed is None:
            con.execute("DELETE FROM buyer_fact")
        else:
            for part in rows.chunks(sorted(self.changed)):
                con.execute(
                    f"DELETE FROM buyer_fact WHERE contact_id IN ({rows.marks(len(part))})", part
                )
        con.executemany(
            # (a contact deleted since the days were read has none to keep)
            "INSERT INTO buyer_fact (contact_id, days, first_day, last_day, gap2) "
            "SELECT ?1, ?2, ?3, ?4, ?5 WHERE EXISTS (SELECT 1 FROM contact WHERE id = ?1)",
            [
                (cid, n, first, last, None if n == 1 else gap2)
                for cid, (n, first, last, gap2) in self.fresh.items()
            ],
        )
        con.execute("DELETE FROM followup_change WHERE seq <= ?", (self.upto,))
        _set_state_day(con, _FACTS_KEY, today)


def _quiet_among(
    con, buyers: _Buyers, r: Rules, today: date, start: date, end: date, scope: _Scope
) -> set[int]:
    """The buyers whose dormant reminder can be new (see :class:`_Scope`): the
    changed, and those whose silence or usual gap ends from the scope's first
    day: last in touch (ix_interaction_day) or buying on the days whose silence
    ends then, or whose gap ends then, and those lost since the last run (from
    their kept purchase days)."""
    rules = buyers.rules
    quiet = timedelta(days=r.no_contact_days)
    fresh = max(start, scope.fresh_from)
    touched = _touched_on(con, fresh - quiet, end - quiet)
    # _dormant's tests in SQL: not lost (days since < factor × usual gap), and the
    # at-risk day, last + ceil(usual gap × factor), in the days from ``fresh``; or
    # lost since the last run (the day last + ceil(usual gap × lost factor)): the
    # reminder then falls due by the silence, which may be before ``fresh``
    buyers.kept(
        con,
        """last_day BETWEEN :lo AND :hi
           OR ((:today - last_day) * :lost_d2 < :lost_n * gap2
               AND last_day + (gap2 * :num + :den2 - 1) / :den2 BETWEEN :fresh AND :end)
           OR last_day + (gap2 * :lost_n + :lost_d2 - 1) / :lost_d2 BETWEEN :since AND :today
           OR contact_id IN (SELECT value FROM json_each(:touched))""",
        {
            "since": buyers.saved_on.toordinal() + 1,
            "lo": (fresh - quiet).toordinal(),
            "hi": (end - quiet).toordinal(),
            "today": today.toordinal(),
            "fresh": fresh.toordinal(),
            "end": end.toordinal(),
            "num": rules.at_risk_factor.numerator,
            "den2": 2 * rules.at_risk_factor.denominator,
            "lost_n": rules.lost_factor.numerator,
            "lost_d2": 2 * rules.lost_factor.denominator,
            "touched": json.dumps(sorted(touched)),
        },
    )
    return set(buyers.days) | touched


def _dormant(
    buyers: _Buyers,
    r: Rules,
    touch: dict[int, str],
    today: date,
    start: date,
    end: date,
    among: set[int] | None = None,
) -> list[Candidate]:
    """Buyers going quiet: the churn rule's "at risk" day, or a long silence.

    The usual gap and the factors are the classification's (``churn.*``; the
    purchase days as it counts them), so the reminder falls due the day the
    contact's badge turns "at risk". Lost buyers (past ``churn.lost_factor``)
    are left to the Insights churn list.

    The reminder is due on the earlier of the two days, so never after the
    silence day (last touch + ``reminder.no_contact_days``): only buyers touched,
    or who bought, since ``start - no_contact_days`` can fall due from ``start``
    (``touch`` holds those touched since; ``buyers`` those who bought since).
    ``among``: only these buyers (:func:`_quiet_among`; ``touch`` holds theirs).
    """
    from kamtui.classify import _ORD as ordinal  # day text -> ordinal, memoised

    rules = buyers.rules
    factor = rules.at_risk_factor
    num, den2 = factor.numerator, 2 * factor.denominator
    quiet = r.no_contact_days
    start_o, end_o, today_o = start.toordinal(), end.toordinal(), today.toordinal()
    since_o = start_o - quiet
    days, archived = buyers.days, buyers.archived
    # Rules.churn_status's "lost" test, inlined: days since >= factor × usual gap
    lost_n, lost_d2 = rules.lost_factor.numerator, 2 * rules.lost_factor.denominator
    out = []
    for cid in sorted(days if among is None else among.intersection(days)):
        if cid in archived:
            continue
        n, _first, last, gap2 = days[cid]
        touched = touch.get(cid)
        touched_o = ordinal[touched] if touched else 0
        if touched_o < since_o and last < since_o:
            continue  # (a buyer the stale check asked about)
        last_touch_o = touched_o if touched_o > last else last
        due = by_silence = last_touch_o + quiet  # all in day ordinals
        if due < start_o:
            continue
        why, usual = "silence", None
        if (today_o - last) * lost_d2 < lost_n * gap2:  # not lost
            usual = gap2
            by_gap = last - (-gap2 * num // den2)  # + ceil(usual gap × factor)
            if by_gap <= by_silence:
                due, why = by_gap, "gap"
        if start_o <= due <= end_o:
            last_buy = date.fromordinal(last).isoformat()
            last_touch = touched if touched_o > last else last_buy
            out.append(
                Candidate(
                    f"dormant:{cid}:{last_buy}:{last_touch}",
                    cid,
                    "dormant",
                    date.fromordinal(due),
                    {
                        "why": why,
                        "last_purchase": last_buy,
                        "last_touch": last_touch,
                        "usual_gap": round(usual / 2) if usual is not None else None,
                        "one_time": n == 1,
                    },
                )
            )
    return out


_OWED_SQL = """
    WITH p AS MATERIALIZED (
        SELECT * FROM (
            SELECT p.id, p.contact_id, p.item, p.amount_fen, p.due_on,
                   coalesce((SELECT sum(y.amount_fen) FROM payment y
                             WHERE y.purchase_id = p.id), 0) AS paid
            FROM purchase p WHERE p.credit = 1 AND p.due_on IS NOT NULL {})
        WHERE amount_fen - paid > 0)
    SELECT p.* FROM p JOIN contact c ON c.id = p.contact_id AND c.archived = 0
    ORDER BY p.due_on, p.id"""


def _owed(con, end: date, scope: _Scope | None = None) -> list[Candidate]:
    """Credit sales still owed, however late. With a scope, only those that can
    be new: the sales of the contacts changed, and those falling due from its
    first day to ``end`` (the others were raised then, and nothing about them
    changed)."""
    out = []
    # Only the sales still owed come back (most credit sales are paid); their
    # contacts are looked up after (ix_purchase_due order: by due day).
    if scope is None:
        found = con.execute(_OWED_SQL.format(""))
    else:
        found = con.execute(
            _OWED_SQL.format(
                """AND p.id IN (SELECT id FROM purchase WHERE credit = 1
                                       AND due_on BETWEEN ? AND ?
                                UNION SELECT id FROM purchase WHERE credit = 1 AND contact_id
                                      IN (SELECT value FROM json_each(?)))"""
            ),
            (scope.fresh_from.isoformat(), end.isoformat(), scope.changed),
        )
    for pid, cid, item, amount, due, paid in found:
        if amount - paid > 0:
            out.append(
                Candidate(
                    f"owed:{pid}:{due}",
                    cid,
                    "owed",
                    date.fromisoformat(due),
                    {"item": item, "owed_fen": amount - paid, "purchase_id": pid},
                )
            )
    return out


def _thanks(con, start: date, end: date) -> list[Candidate]:
    out = []
    # Only the people introduced who bought in the window can have made their
    # first purchase in it (ix_purchase_bought), not every referral.
    for rid, referrer, referred, first in con.execute(
        """SELECT r.id, r.referrer_id, r.referred_id,
                  (SELECT min(p.bought_on) FROM purchase p
                   WHERE p.contact_id = r.referred_id AND p.amount_fen > 0)
           FROM referral r CROSS JOIN contact c ON c.id = r.referrer_id AND c.archived = 0
           WHERE r.referred_id IN (SELECT contact_id FROM purchase
                                   WHERE bought_on >= ? AND bought_on <= ? AND amount_fen > 0)
           ORDER BY r.referrer_id, r.id""",
        (start.isoformat(), end.isoformat()),
    ):
        if first and start <= date.fromisoformat(first) <= end:
            out.append(
                Candidate(
                    f"thanks:{rid}",
                    referrer,
                    "thanks",
                    date.fromisoformat(first),
                    {"referred_id": referred, "bought_on": first},
                )
            )
    return out


def _state_day(con, key: str) -> date | None:
    """A day the refresh keeps in the setting table (internal state, not a setting)."""
    value = _state(con, key)
    try:
        return date.fromisoformat(value) if value else None
    except (ValueError, TypeError):
        return None


def _set_state_day(con, key: str, day: date) -> None:
    _set_state(con, key, day.isoformat())


def _state(con, key: str) -> Any:
    row = con.execute('SELECT value FROM setting WHERE "key" = ?', (key,)).fetchone()
    try:
        return json.loads(row[0]) if row and row[0] else None
    except ValueError:
        return None


def _set_state(con, key: str, value: Any) -> None:
    con.execute(
        'INSERT INTO setting ("key", value) VALUES (?, ?) '
        'ON CONFLICT ("key") DO UPDATE SET value = excluded.value',
        (key, json.dumps(value)),
    )


def _rules_mark(r: Rules, churn) -> str:
    """The settings the rules read: a refresh under other settings derives everything
    (what was not due under the old ones may be due under the new)."""
    return f"{r!r}|{churn.at_risk_factor}|{churn.lost_factor}|{churn.default_interval}"


def _last_run(book: Book) -> date | None:
    with book.snapshot() as con:
        return _state_day(con, _LAST_RUN_KEY)


def catch_up_start(book: Book, today: date, lookback: int) -> date:
    """The earliest due date a run creates: the day after the last run, within the lookback."""
    last = _last_run(book)
    earliest = today - timedelta(days=lookback)
    if last is None:
        return max(earliest, today - timedelta(days=FIRST_RUN_DAYS))
    return min(today, max(earliest, last))


def candidates(
    book: Book, today: date, days_ahead: int | None = None, start: date | None = None
) -> list[Candidate]:
    """Every automatic reminder the data calls for from ``start`` to the agenda's end.

    Nothing is written. ``start`` defaults to ``today - reminder.lookback_days``.
    """
    return _candidates(book, today, days_ahead, start, whole=True)[0]


def _candidates(
    book: Book, today: date, days_ahead: int | None, start: date | None, *, whole: bool = False
) -> tuple[list[Candidate], _Buyers]:
    """The candidates, and the buyers' purchase days read for them (the stale check's too).

    Not ``whole``: for a refresh, which needs only what can be new since its
    last run (see :class:`_Scope`).
    """
    r = Rules.load(book)
    ahead = settings.get(book, "agenda.days_ahead") if days_ahead is None else days_ahead
    start = start or today - timedelta(days=r.lookback)
    end = today + timedelta(days=ahead)
    quiet_since = start - timedelta(days=r.no_contact_days)
    with book.snapshot() as con:
        buyers = _Buyers.read(con, book, today)
        scope = None
        last_end = _state_day(con, _WINDOW_KEY)
        same_rules = _state(con, _RULES_KEY) == _rules_mark(r, buyers.rules)
        if not whole and buyers.changed is not None and last_end is not None and same_rules:
            scope = _Scope(last_end + timedelta(days=1), json.dumps(sorted(buyers.changed)))
        if scope is None:
            if buyers.changed is not None:  # every buyer's kept days, not only the changed
                buyers.kept(con, "1", {})
            quiet, touch = None, _last_touch(con, quiet_since)
        else:
            quiet = _quiet_among(con, buyers, r, today, start, end, scope)
            touch = _touch_of(con, quiet)
        found = [
            *_aftersale(con, r, today, start, scope),
            *_repurchase(con, r, start, end, scope),
            *_birthdays(con, r, today, end, scope),
            *_prospects(con, r, start, end, scope),
            *_dormant(buyers, r, touch, today, start, end, quiet),
            *_owed(con, end, scope),
            *_thanks(con, start, end),
        ]
    return [c for c in found if c.due_on <= end], buyers


@dataclass
class RefreshReport:
    created: int = 0
    obsoleted: int = 0
    kinds: dict[str, int] = field(default_factory=dict)


# Book -> (its stamp, the day, days_ahead) of the last refresh in this process that
# found nothing to change: the same call again, with no commit since, is skipped.
_SETTLED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def refresh(book: Book, today: date, days_ahead: int | None = None) -> RefreshReport:
    """Derive the automatic reminders: create the new ones, retire those whose trigger is gone.

    Idempotent: running it twice changes nothing the second time. When a run
    found nothing to change and nothing was committed to the book since (its
    :meth:`~kamtui.store.db.Book.stamp`, this process or another) on the same
    day, the next run returns at once: every rule reads only the book and the
    day. (The stamp is taken before the rules read the book, so a commit made
    while they read is never taken as seen.)
    """
    seen = (book.stamp(), today, days_ahead)
    if _SETTLED.get(book) == seen:
        return RefreshReport()
    r = Rules.load(book)
    start = catch_up_start(book, today, r.lookback)
    found, buyers = _candidates(book, today, days_ahead, start)
    ahead = settings.get(book, "agenda.days_ahead") if days_ahead is None else days_ahead
    report = RefreshReport()
    try:
        with book.transaction() as con:
            _write_refresh(con, book, today, found, buyers, report)
            _set_state_day(con, _WINDOW_KEY, today + timedelta(days=ahead))
            _set_state(con, _RULES_KEY, _rules_mark(r, buyers.rules))
    except _Unchanged:
        # rolled back: nothing was committed, the book's stamp has not moved
        _SETTLED[book] = seen
    return report


class _Unchanged(Exception):
    """A refresh that would change nothing (already run today, no new or stale reminder)."""


def _write_refresh(
    con, book: Book, today: date, found: list[Candidate], buyers: _Buyers, report
) -> None:
    ran_today = _state_day(con, _LAST_RUN_KEY) == today
    _set_state_day(con, _LAST_RUN_KEY, today)
    # The open automatic reminders the stale check reads: every one when every
    # buyer was counted again, else those of the contacts changed since the last
    # refresh (every check reads only their data, and a reminder not changed
    # held then), and the birthdays' "in N days" that give way on the day. Then
    # which of the candidates' keys are already taken (open, done, dismissed or
    # obsolete): looked up by key, so the cost follows the candidates, not the
    # whole history of automatic reminders.
    if buyers.changed is None:
        open_auto = _open_auto(con)
    else:
        since = con.execute(
            "SELECT contact_id FROM followup_change WHERE seq > ?", (buyers.upto,)
        ).fetchall()
        open_auto = _open_auto(con, buyers.changed.union(r[0] for r in since), today)
    existing = {row[1] for row in open_auto}
    existing.update(
        _in_chunks(
            con,
            "SELECT auto_key FROM reminder WHERE auto_key IN ({})",
            [c.key for c in found if c.key not in existing],
            one=True,
        )
    )
    stamp = rows.now_text()
    new = [c for c in found if c.key not in existing]
    con.executemany(
        """INSERT OR IGNORE INTO reminder
           (contact_id, kind, due_on, note, status, auto_key, data, created_at, updated_at)
           VALUES (?, ?, ?, '', 'open', ?, ?, ?, ?)""",
        [
            (
                c.contact_id,
                c.kind,
                c.due_on.isoformat(),
                c.key,
                json.dumps(c.data, ensure_ascii=False),
                stamp,
                stamp,
            )
            for c in new
        ],
    )
    report.created = len(new)
    for c in new:
        report.kinds[c.kind] = report.kinds.get(c.kind, 0) + 1
    stale = _stale_open(con, book, today, {c.key for c in found}, open_auto, buyers)
    if stale:
        for part in rows.chunks(stale):
            con.execute(
                f"UPDATE reminder SET status = 'obsolete', updated_at = ? "
                f"WHERE id IN ({rows.marks(len(part))})",
                (stamp, *part),
            )
    report.obsoleted = len(stale)
    buyers.save(con, today)
    if ran_today and not new and not stale:
        # Committing nothing keeps the book's stamp, so what is cached for it
        # (the classification the agenda and the directory share) stays valid.
        raise _Unchanged


_OPEN_AUTO_SQL = """
    SELECT id, auto_key, kind, contact_id,
           CASE WHEN kind NOT IN ('aftersale', 'birthday', 'birthday_soon')
                     OR NOT json_valid(data) THEN NULL  -- (no data: no day)
                WHEN kind = 'aftersale' THEN data ->> '$.bought_on'
                ELSE data ->> '$.date'
           END
    FROM reminder {} WHERE status = 'open' AND auto_key IS NOT NULL {}"""


def _open_auto(con, contacts: set[int] | None = None, today: date | None = None) -> list[tuple]:
    """(id, key, kind, contact, day) of each open automatic reminder; the day is
    the one its check reads from its data (``bought_on`` of an after-sale check,
    ``date`` of a birthday), taken out in SQL rather than decoding every data.

    With ``contacts``: only theirs, and the birthdays' "in N days" due by ``today``.
    """
    if contacts is None:
        return con.execute(_OPEN_AUTO_SQL.format("", "")).fetchall()
    found = con.execute(
        _OPEN_AUTO_SQL.format("", "AND contact_id IN (SELECT value FROM json_each(?))"),
        (json.dumps(sorted(contacts)),),
    ).fetchall()
    ids = {row[0] for row in found}
    found.extend(
        row
        for row in con.execute(
            _OPEN_AUTO_SQL.format(
                "INDEXED BY ix_reminder_birthday_soon",
                "AND kind = 'birthday_soon' AND due_on <= ?",
            ),
            (today.isoformat(),),
        )
        if row[0] not in ids
    )
    return found


def _stale_open(
    con,
    book: Book,
    today: date,
    current: set[str],
    open_auto: list[tuple] | None = None,
    buyers: _Buyers | None = None,
) -> list[int]:
    """Open automatic reminders whose trigger no longer holds.

    The facts each check needs are read for all the reminders to check at once
    (a few queries, not one or two per reminder). ``open_auto``: the rows of
    :func:`_open_auto`, when the caller has them; ``buyers``: the purchase days
    the candidates were derived from.
    """
    stale = []
    if open_auto is None:
        open_auto = _open_auto(con)
    todo = [
        (rid, key, kind, cid, day, key.split(":"))
        for rid, key, kind, cid, day in open_auto
        if key not in current
    ]
    if not todo:
        return stale
    facts = _StaleFacts(con, todo)
    if buyers is None and any(x[2] == "dormant" for x in todo):
        buyers = _Buyers.read(con, book, today)
    for rid, _key, kind, cid, day, parts in todo:
        valid = True
        if kind == "aftersale":
            valid = (cid, day) in facts.bought_days
        elif kind == "repurchase":
            valid = facts.repurchase_still_due(int(parts[1]))
        elif kind in ("birthday", "birthday_soon"):
            valid = _birthday_still(facts.birthdays.get(cid), day, kind, today)
        elif kind == "prospect":
            valid = _prospect_still(facts.prospects.get(cid), cid, parts[2], facts.touch)
        elif kind == "dormant":
            touch = facts.touch
            bought = buyers.last_purchase(con, cid)
            last_buy = bought.isoformat() if bought else None
            last_touch = max(x for x in (touch.get(cid), last_buy) if x) if last_buy else None
            valid = last_buy == parts[2] and last_touch == parts[3]
        elif kind == "owed":
            valid = _owed_still(facts.owed.get(int(parts[1])), parts[2])
        elif kind == "thanks":
            valid = int(parts[1]) in facts.referrals
        if not valid:
            stale.append(rid)
    return stale


def _in_chunks(con, sql: str, ids, *, one: bool = False) -> list:
    """``sql`` (with one ``{}`` for an IN list) over ``ids``, a chunk at a time.

    ``one``: the first column of each row rather than the row.
    """
    out: list = []
    for part in rows.chunks(sorted(set(ids))):
        cur = con.execute(sql.format(rows.marks(len(part))), part)
        if one:
            out.extend(r[0] for r in cur)
        else:
            out.extend(cur)
    return out


class _StaleFacts:
    """What the stale checks read, for every reminder to check, in a few queries."""

    def __init__(self, con, todo: list[tuple]) -> None:
        want: dict[str, list[int]] = defaultdict(list)
        for _rid, _key, kind, cid, _data, parts in todo:
            if kind in ("birthday", "birthday_soon", "prospect", "dormant"):
                want[kind].append(cid)
            elif kind in ("repurchase", "owed", "thanks"):
                want[kind].append(int(parts[1]))
        # (contact, day) pairs of the after-sale checks that still have a sale that day
        pairs = sorted({(cid, day) for _r, _k, kind, cid, day, _p in todo if kind == "aftersale"})
        self.bought_days = {
            (cid, day)
            for cid, day in con.execute(
                """SELECT value ->> 0, value ->> 1 FROM json_each(?)
                   WHERE EXISTS (SELECT 1 FROM purchase p INDEXED BY ix_purchase_value
                                 WHERE p.contact_id = value ->> 0 AND p.bought_on = value ->> 1
                                   AND p.amount_fen > 0)""",
                (json.dumps(pairs),),
            )
        }
        self.touch = _touch_of(con, want["prospect"] + want["dormant"])
        self.birthdays = {
            r[0]: r[1:]
            for r in _in_chunks(
                con,
                "SELECT id, birth_year, birth_month, birth_day, birth_lunar, birth_leap "
                "FROM contact WHERE id IN ({})",
                want["birthday"] + want["birthday_soon"],
            )
        }
        self.prospects = {
            r[0]: r[1:]
            for r in _in_chunks(
                con,
                """SELECT c.id, c.added_on,
                          c.intent = 1 OR EXISTS (SELECT 1 FROM snippet s
                              WHERE s.contact_id = c.id AND s.kind = 'need' AND s.closed = 0),
                          EXISTS (SELECT 1 FROM purchase p
                              WHERE p.contact_id = c.id AND p.amount_fen > 0)
                   FROM contact c WHERE c.id IN ({})""",
                want["prospect"],
            )
        }
        self.owed = {
            r[0]: r[1:]
            for r in _in_chunks(
                con,
                """SELECT p.id, p.amount_fen - coalesce((SELECT sum(y.amount_fen)
                          FROM payment y WHERE y.purchase_id = p.id), 0), p.due_on, p.credit
                   FROM purchase p WHERE p.id IN ({})""",
                want["owed"],
            )
        }
        self.referrals = {
            r[0]
            for r in _in_chunks(con, "SELECT id FROM referral WHERE id IN ({})", want["thanks"])
        }
        # Repurchases still due: the sale is there, and no later sale of the same
        # item or product to the same contact (the test of _REPURCHASE_SQL, by id).
        self.repurchase_due = set(
            _in_chunks(
                con,
                """SELECT p.id FROM purchase p WHERE p.amount_fen > 0 AND p.id IN ({})
                   AND NOT EXISTS (
                     SELECT 1 FROM purchase q
                     WHERE q.contact_id = p.contact_id AND q.amount_fen > 0 AND q.id != p.id
                       AND (q.bought_on > p.bought_on
                            OR (q.bought_on = p.bought_on AND q.id > p.id))
                       AND (q.item = p.item
                            OR (q.product_id IS NOT NULL AND q.product_id = p.product_id)))""",
                want["repurchase"],
                one=True,
            )
        )

    def repurchase_still_due(self, pid: int) -> bool:
        """No later sale of the same item or product to the same contact (see _REPURCHASE_SQL)."""
        return pid in self.repurchase_due


def _birthday_still(row: tuple | None, when: str | None, kind: str, today: date) -> bool:
    """``row``: the contact's (birth_year, birth_month, birth_day, birth_lunar, birth_leap)."""
    from kamtui.dates import Birthday, next_birthday

    if when is None:
        return False
    if row is None or row[1] is None or row[2] is None:
        return False
    try:
        b = Birthday(row[1], row[2], row[0], bool(row[3]), bool(row[4]))
        actual = next_birthday(b, date.fromisoformat(when) - timedelta(days=1))
    except Exception:
        return False
    if actual.isoformat() != when:
        return False
    # The "in N days" reminder gives way to the one on the day.
    return not (kind == "birthday_soon" and today >= actual)


def _prospect_still(row: tuple | None, cid: int, last: str, touch: dict[int, str]) -> bool:
    """``row``: the contact's (added_on, has intent or an open need, has bought)."""
    if row is None or not row[1] or row[2]:
        return False
    return max(x for x in (touch.get(cid), row[0]) if x) == last


def _owed_still(row: tuple | None, due: str) -> bool:
    """``row``: the purchase's (amount still owed, due_on, credit)."""
    return row is not None and row[2] == 1 and row[0] > 0 and row[1] == due


# ---- words ----------------------------------------------------------------------------


def reason_text(r: ReminderRow, today: date, names: dict[int, str] | None = None) -> str:
    """Why this reminder is here, in the user's language."""
    d = r.data
    if r.kind == "manual":
        return r.note or t("followup.manual_no_note")
    if r.kind == "aftersale":
        days = (today - date.fromisoformat(d["bought_on"])).days
        return t("followup.aftersale", items="、".join(d.get("items", [])), days=days)
    if r.kind == "repurchase":
        days = (today - date.fromisoformat(d["bought_on"])).days
        return t("followup.repurchase", item=d["item"], days=days)
    if r.kind in ("birthday", "birthday_soon"):
        when = date.fromisoformat(d["date"])
        days = (when - today).days
        extra = f" ({d['label']})" if d.get("label") else ""
        if d.get("age"):
            extra += t("followup.age", age=d["age"])
        if days > 0:
            return t("followup.birthday_in", days=days) + extra
        if days == 0:
            return t("followup.birthday_today") + extra
        return t("followup.birthday_past", days=-days) + extra
    if r.kind == "prospect":
        days = (today - date.fromisoformat(d["last_touch"])).days
        return t("followup.prospect", days=days)
    if r.kind == "dormant":
        if d.get("why") == "gap":
            days = (today - date.fromisoformat(d["last_purchase"])).days
            key = "followup.dormant_one_time" if d.get("one_time") else "followup.dormant_gap"
            return t(key, gap=d["usual_gap"], days=days)
        days = (today - date.fromisoformat(d["last_touch"])).days
        return t("followup.dormant_silence", days=days)
    if r.kind == "owed":
        days = (today - r.due_on).days
        amount = money(d.get("owed_fen"))
        if days > 0:
            return t("followup.owed_overdue", amount=amount, item=d.get("item", ""), days=days)
        if days == 0:
            return t("followup.owed_today", amount=amount, item=d.get("item", ""))
        return t("followup.owed_due", amount=amount, item=d.get("item", ""), days=-days)
    if r.kind == "thanks":
        name = (names or {}).get(d.get("referred_id"), f"#{d.get('referred_id')}")
        return t("followup.thanks", name=name)
    return r.note


# ---- the agenda -----------------------------------------------------------------------

GROUPS = ("overdue", "today", "upcoming")


@dataclass(frozen=True)
class AgendaItem:
    reminder_id: int
    contact_id: int
    name: str
    favourite: bool
    kind: str
    due_on: date  # the day it shows (the snooze date when snoozed)
    overdue_days: int  # > 0 when overdue
    reason: str
    last_contact_on: date | None
    repeat: str | None
    snoozed: bool
    group: str
    note: str
    stage: str = ""  # lifecycle stage, when the classification is at hand
    tier: str | None = None  # value tier (buyers only)

    def as_dict(self) -> dict[str, Any]:
        return {
            "reminder_id": self.reminder_id,
            "contact_id": self.contact_id,
            "name": self.name,
            "favourite": self.favourite,
            "kind": self.kind,
            "due_on": self.due_on.isoformat(),
            "overdue_days": self.overdue_days,
            "reason": self.reason,
            "last_contact_on": self.last_contact_on.isoformat() if self.last_contact_on else None,
            "repeat": self.repeat,
            "snoozed": self.snoozed,
            "group": self.group,
            "stage": self.stage or None,
            "tier": self.tier,
        }


@dataclass
class Agenda:
    today: date
    days_ahead: int
    groups: dict[str, list[AgendaItem]]

    @property
    def items(self) -> list[AgendaItem]:
        return [i for g in GROUPS for i in self.groups[g]]

    def counts(self) -> dict[str, int]:
        return {g: len(self.groups[g]) for g in GROUPS}


KIND_ORDER = {k: i for i, k in enumerate(("owed", "manual", *AUTO_KINDS))}

# What Python's str.strip() strips (every str.isspace() character; a test checks),
# for SQLite's trim(): the name the order uses is display_name's.
_SPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004"
    "\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)

# The agenda's order, sorted by SQLite (text compares as Python's str does: UTF-8
# bytes in code point order); only ids and groups come back to Python.
_ORDER_SQL = """
SELECT r.id, CASE WHEN w < :day THEN 0 WHEN w = :day THEN 1 ELSE 2 END AS g
FROM (SELECT id, contact_id, kind, coalesce(snoozed_until, due_on) AS w FROM reminder
      WHERE status = 'open' AND coalesce(snoozed_until, due_on) <= :end) AS r
JOIN contact c ON c.id = r.contact_id AND c.archived = 0
ORDER BY g, CASE WHEN c.favourite THEN 0 ELSE 1 END, w,
         CASE r.kind {kinds} ELSE 99 END,
         coalesce(nullif(trim(c.remark, :space), ''), nullif(trim(c.nickname, :space), ''),
                  '#' || r.contact_id),
         r.id
""".format(kinds=" ".join(f"WHEN '{k}' THEN {i}" for k, i in KIND_ORDER.items()))


class AgendaView:
    """The agenda in its order, each item built when it is first asked for.

    A long agenda (tens of thousands of reminders in a big book) is ordered from
    a light query (ids, kinds, days, names); an :class:`AgendaItem` (its reason,
    last contact, stage and tier) is built only for the rows a screen shows, a
    page at a time. :func:`agenda` builds them all (same order).

    Rows are the groups one after the other (:data:`GROUPS` order); ``ids[i]`` is
    row ``i``'s reminder id. Favourites come first in each group, then by date,
    kind and name.
    """

    PAGE = 64

    def __init__(self, book: Book, today: date, days_ahead: int, classification=None):
        self.book = book
        self.today = today
        self.days_ahead = days_ahead
        self.classification = classification
        end = (today + timedelta(days=days_ahead)).isoformat()
        ordered = book.query(
            _ORDER_SQL, {"day": today.isoformat(), "end": end, "space": _SPACE}
        )  # (names and days are read again for the rows shown)
        self.ids: list[int] = [row[0] for row in ordered]
        groups = [row[1] for row in ordered]
        self.counts_by_group = {g: groups.count(i) for i, g in enumerate(GROUPS)}
        self._items: dict[int, AgendaItem] = {}
        self._index: dict[int, int] | None = None

    def __len__(self) -> int:
        return len(self.ids)

    def counts(self) -> dict[str, int]:
        return dict(self.counts_by_group)

    def group_range(self, group: str) -> range:
        """The rows of ``group``."""
        start = 0
        for g in GROUPS:
            n = self.counts_by_group[g]
            if g == group:
                return range(start, start + n)
            start += n
        raise KeyError(group)

    def index_of(self, reminder_id: int) -> int | None:
        if self._index is None:
            self._index = {rid: i for i, rid in enumerate(self.ids)}
        return self._index.get(reminder_id)

    def item(self, index: int) -> AgendaItem:
        """Row ``index``'s item (its page is built on first use)."""
        found = self._items.get(index)
        if found is None:
            start = index - index % self.PAGE
            self._build(range(start, min(start + self.PAGE, len(self.ids))))
            found = self._items[index]
        return found

    def get(self, reminder_id: int) -> AgendaItem | None:
        index = self.index_of(reminder_id)
        return None if index is None else self.item(index)

    def _build(self, indexes) -> None:
        from kamtui.reminders import _SQL, _row

        indexes = list(indexes)
        wanted = [self.ids[i] for i in indexes]
        with self.book.snapshot() as con:
            found: list[ReminderRow] = []
            for part in rows.chunks(wanted):
                q = rows.marks(len(part))
                found.extend(_row(x) for x in con.execute(_SQL + f" WHERE id IN ({q})", part))
            built = _items(con, found, self.today, self.classification)
        for index, rid in zip(indexes, wanted, strict=True):
            item = built.get(rid)
            # (a reminder deleted since the view was made: what the order knew of it)
            self._items[index] = item if item is not None else self._gone(index)

    def _gone(self, index: int) -> AgendaItem:
        """A stand-in row for a reminder deleted since the view was made (the screen
        reloads after every action, so this is another process's doing)."""
        group = next(g for g in GROUPS if index in self.group_range(g))
        return AgendaItem(
            reminder_id=self.ids[index],
            contact_id=0,
            name="—",
            favourite=False,
            kind="manual",
            due_on=self.today,
            overdue_days=0,
            reason="",
            last_contact_on=None,
            repeat=None,
            snoozed=False,
            group=group,
            note="",
        )


def agenda_view(
    book: Book, today: date, days_ahead: int | None = None, *, classification=None
) -> AgendaView:
    """The agenda's order and counts; items are built as they are shown (see :func:`agenda`)."""
    ahead = settings.get(book, "agenda.days_ahead") if days_ahead is None else days_ahead
    return AgendaView(book, today, ahead, classification)


def agenda(
    book: Book, today: date, days_ahead: int | None = None, *, classification=None
) -> Agenda:
    """Open reminders up to ``today + days_ahead``: overdue, today, upcoming.

    Favourites (pinned contacts) come first in each group, then by date, kind
    and name (the order of :class:`AgendaView`). Reads only; call
    :func:`refresh` first (the app does it in a worker). With a
    ``classification``, items carry the contact's stage and tier.
    """
    from kamtui.reminders import _SQL, _row

    ahead = settings.get(book, "agenda.days_ahead") if days_ahead is None else days_ahead
    end = today + timedelta(days=ahead)
    with book.snapshot() as con:
        found = con.execute(
            _SQL
            + """ WHERE status = 'open' AND coalesce(snoozed_until, due_on) <= ?
                  AND contact_id IN (SELECT id FROM contact WHERE archived = 0)""",
            (end.isoformat(),),
        ).fetchall()
        items = _items(con, [_row(x) for x in found], today, classification)
    groups: dict[str, list[AgendaItem]] = {g: [] for g in GROUPS}
    for item in items.values():
        groups[item.group].append(item)
    for group in groups.values():
        group.sort(
            key=lambda i: (
                not i.favourite, i.due_on, KIND_ORDER.get(i.kind, 99), i.name, i.reminder_id
            )
        )  # fmt: skip
    return Agenda(today, ahead, groups)


def _items(con, reminders: list[ReminderRow], today: date, cls) -> dict[int, AgendaItem]:
    """The agenda items of these reminders, by reminder id."""
    ids = sorted({x.contact_id for x in reminders} | _referred_ids(reminders))
    people: dict[int, tuple] = {}
    for part in rows.chunks(ids):
        q = rows.marks(len(part))
        for cid, remark, nick, fav, last in con.execute(
            f"""SELECT c.id, c.remark, c.nickname, c.favourite,
                       (SELECT max(occurred_on) FROM interaction i WHERE i.contact_id = c.id)
                FROM contact c WHERE c.id IN ({q})""",
            part,
        ):
            people[cid] = (display_name(remark, nick, cid), bool(fav), _d(last))
    names = {cid: p[0] for cid, p in people.items()}
    out: dict[int, AgendaItem] = {}
    for rem in reminders:
        name, fav, last = people.get(rem.contact_id, (f"#{rem.contact_id}", False, None))
        when = rem.effective_on
        overdue = (today - when).days
        group = "overdue" if overdue > 0 else "today" if overdue == 0 else "upcoming"
        out[rem.id] = AgendaItem(
            reminder_id=rem.id,
            contact_id=rem.contact_id,
            name=name,
            favourite=fav,
            kind=rem.kind,
            due_on=when,
            overdue_days=max(overdue, 0),
            reason=reason_text(rem, today, names),
            last_contact_on=last,
            repeat=rem.rrule,
            snoozed=rem.snoozed_until is not None,
            group=group,
            note=rem.note,
            stage=cls.stage_of(rem.contact_id) if cls else "",
            tier=cls.tier_of(rem.contact_id) if cls else None,
        )
    return out


def _referred_ids(reminders) -> set[int]:
    return {r.data["referred_id"] for r in reminders if r.kind == "thanks" and r.data}

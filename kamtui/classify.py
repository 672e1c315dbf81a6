"""Classification (客户的分类): lifecycle stage, value tier and churn risk, from the data.

Nothing here is typed by the seller: every class is derived from purchases,
referrals, snippets, the intent flag and the potential rating, with the
thresholds in :mod:`kamtui.settings` (``tier.*``, ``churn.*``). One code path
serves every screen: :func:`classify_all` classifies the whole book (contacts
list, ``stage:``/``tier:`` search filters, Today badges, Insights, exports),
:func:`classify_one` one contact (a contact page) with the same rules and the
same whole-book value line.

Lifecycle stage (DOMAIN.md; 004 §1.3), first match wins:

1. ``referrer`` 转介绍客户 (code ``Z``): someone they introduced has bought.
   They need not have bought themselves.
2. ``repeat`` 复购客户 (``F``): bought on two or more different days.
3. ``buyer`` 已购客户 (``Y``): bought on one day.
4. ``prospect`` 潜在客户 (``Q``): has not bought, and has the intent flag or an
   open need snippet (``kind = 'need'`` and not closed).
5. ``friend`` 单纯好友 (``H``): everyone else.

The codes are pinyin initials (转 复 已 潜 好), for the remark template
(``{stage_code}``); tier codes are the familiar A/B/C/D customer grades
(``{tier_code}``), so the two sets never share a letter.

*Bought* and *purchase day*: a purchase day is a day, on or before ``today``,
whose sale lines add up to more than zero (lines dated later do not count
yet). Returns are negative lines: a return on a later day (the usual case)
lowers current value but leaves the day of the sale a purchase day (the
customer did buy then); a sale cancelled by a return on the same day (net
zero or less) is no purchase. This is the rule of the dormant reminders
(:mod:`kamtui.followup`), so Today and the classes agree. (``purchases.totals``
and ``referrals`` count any day with a positive line: they differ only for a
same-day cancellation.)

Value tier (002 第一部分 3, 003), buyers only: current value × potential.

* Current value: the net of sale lines (returns subtract) over the last
  ``tier.window_days`` days: ``today - window < bought_on <= today``, the window
  of :func:`kamtui.purchases.totals`. ``tier.value_basis``:

  - ``revenue``: amounts.
  - ``profit``: gross profit, amount minus cost. A line without a cost is
    given the book's own margin: its cost is estimated at the ratio of known
    cost to revenue over the costed lines of the window (no costed lines:
    ratio 0, i.e. its revenue). This keeps one unit for everybody: a
    customer is not ranked lower merely because the seller typed their costs.
  - ``auto`` (default): ``profit`` when every line in the window has a cost
    (no estimate needed), else ``revenue``. :class:`ValueLine` says which one
    was used.

* High current value: in the top ``tier.top_share`` (20%) of buyers, where
  *buyers* are the contacts not archived who have bought at any time (so a
  customer whose purchases are all older than the window counts, with value
  0). A buyer is in the top share when fewer than ``share × buyers`` buyers have
  a strictly greater value, i.e. the first ``ceil(share × buyers)`` places
  (with ``share`` the exact decimal typed: 0.28 × 25 buyers is 7 places, not
  the 8 of floating point), and everyone tied with the last of those places
  is in too (ties at the line are all high). Two limits: a
  value of zero or less is never high, and someone must rank below: if all
  the buyers from the line down are tied (everybody spent the same, or there
  is a single buyer), nobody is high, because no one stands out. As a rule:
  high when ``value >= max(line, lowest value + 1 fen, 1 fen)``
  (:attr:`ValueLine.threshold_fen`).
* High potential: the seller's rating ``>= tier.high_potential`` (4).
* platinum 白金 (A) high/high, gold 黄金 (B) high/low, iron 铁 (C) low/high,
  lead 铅 (D) low/low. Contacts who never bought have no tier.

Churn risk (DOMAIN.md follow-up), buyers only: the usual gap is the median of
the gaps between consecutive purchase days (the mean of the two middle gaps
for an even count, so it may end in .5); a one-time buyer gets
``churn.default_interval``. With ``ratio = days since the last purchase day /
usual gap``: ``lost`` from ``churn.lost_factor`` (3) on, else ``at_risk`` from
``churn.at_risk_factor`` (1.5) on, else ``active``. A buyer who usually buys
every 30 days is at risk on day 45 exactly, lost on day 90: the day the
dormant-buyer reminder falls due (``followup``: last purchase +
ceil(1.5 × usual gap)) is the day the badge turns. The comparison is exact
(integer arithmetic on the decimal factor typed), never float.

Archived contacts are classified too (a contact page, an export may show
them), but they are not part of the book's figures nor of the buyers who set
the value line.
"""

from __future__ import annotations

import gc
import threading
import weakref
from bisect import bisect_right
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from functools import lru_cache
from math import ceil
from operator import sub
from typing import TYPE_CHECKING, Any

from kamtui.i18n import t

if TYPE_CHECKING:
    from kamtui.store.db import Book

STAGES = ("referrer", "repeat", "buyer", "prospect", "friend")
TIERS = ("platinum", "gold", "iron", "lead")
CHURN_STATUSES = ("active", "at_risk", "lost")

STAGE_CODES = {"referrer": "Z", "repeat": "F", "buyer": "Y", "prospect": "Q", "friend": "H"}
TIER_CODES = {"platinum": "A", "gold": "B", "iron": "C", "lead": "D"}

# (high current value, high potential) -> tier
_TIER_OF = {(True, True): "platinum", (True, False): "gold", (False, True): "iron"}
_TIER_OF[(False, False)] = "lead"


# ---- names ------------------------------------------------------------------------------


def stage_name(stage: str, lang: str | None = None) -> str:
    """转介绍客户 / referrer …, in the current (or given) language."""
    return t(f"classify.stage.{stage}", lang=lang)


def tier_name(tier: str | None, lang: str | None = None) -> str:
    """白金 / platinum …; empty for no tier."""
    return t(f"classify.tier.{tier}", lang=lang) if tier else ""


def churn_name(status: str | None, lang: str | None = None) -> str:
    return t(f"classify.churn.{status}", lang=lang) if status else ""


@lru_cache(maxsize=8)
def _words(kind: str, values: tuple[str, ...], codes: tuple[tuple[str, str], ...]) -> dict:
    """Every word a seller may type for each value: id, code, names and aliases (both languages)."""
    codes = dict(codes)
    out: dict[str, str] = {}
    for v in values:
        out[v] = v
        out[v.replace("_", "-")] = v
        out[v.replace("_", "")] = v
        if v in codes:
            out[codes[v].lower()] = v
        for lang in ("zh", "en"):
            out[t(f"classify.{kind}.{v}", lang=lang).lower()] = v
            for extra in t(f"classify.{kind}.{v}.aka", lang=lang).split("|"):
                if extra:
                    out[extra.strip().lower()] = v
    return out


def _parse(kind: str, value: str, values, codes) -> str:
    key = str(value or "").strip().lower()
    found = _words(kind, tuple(values), tuple(codes.items())).get(key)
    if found is None:
        from kamtui.errors import ValidationError

        raise ValidationError(
            kind,
            t(
                "classify.err_unknown",
                value=value,
                choices=", ".join(f"{v} ({t(f'classify.{kind}.{v}')})" for v in values),
            ),
        )
    return found


def parse_stage(value: str) -> str:
    """A stage from what a seller types: ``repeat``, ``复购``, ``复购客户``, ``F``…"""
    return _parse("stage", value, STAGES, STAGE_CODES)


def parse_tier(value: str) -> str:
    """A tier from ``platinum``, ``白金``, ``铂金``, ``A``…"""
    return _parse("tier", value, TIERS, TIER_CODES)


def parse_churn(value: str) -> str:
    """A churn status from ``at_risk``, ``at-risk``, ``流失风险``…"""
    return _parse("churn", value, CHURN_STATUSES, {})


# ---- rules --------------------------------------------------------------------------------


def _exact(value) -> Fraction:
    """The decimal the seller typed (0.2 is 1/5, not 0.2000000000000000111)."""
    return Fraction(str(value))


@dataclass(frozen=True)
class Rules:
    """The settings classification uses (a snapshot, so one run uses one set)."""

    window_days: int = 365
    top_share: Fraction = Fraction(1, 5)
    high_potential: int = 4
    value_basis: str = "auto"
    at_risk_factor: Fraction = Fraction(3, 2)
    lost_factor: Fraction = Fraction(3)
    default_interval: int = 60

    @classmethod
    def from_book(cls, book: Book) -> Rules:
        from kamtui import settings

        s = settings.get_all(book)
        return cls(
            window_days=int(s["tier.window_days"]),
            top_share=_exact(s["tier.top_share"]),
            high_potential=int(s["tier.high_potential"]),
            value_basis=str(s["tier.value_basis"]),
            at_risk_factor=_exact(s["churn.at_risk_factor"]),
            lost_factor=_exact(s["churn.lost_factor"]),
            default_interval=int(s["churn.default_interval"]),
        )

    def window_start(self, today: date) -> date:
        """The window is ``window_start < bought_on <= today``."""
        return today - timedelta(days=self.window_days)

    def churn_status(self, days_since: int, usual_gap2: int) -> str:
        """``usual_gap2`` is twice the usual gap (an integer). Exact: no float."""
        # days_since >= factor × usual  <=>  2·days_since·den >= num·usual_gap2
        lost, risk = self.lost_factor, self.at_risk_factor
        if 2 * days_since * lost.denominator >= lost.numerator * usual_gap2:
            return "lost"
        if 2 * days_since * risk.denominator >= risk.numerator * usual_gap2:
            return "at_risk"
        return "active"


# ---- results ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ValueLine:
    """Where high current value starts, over the book's buyers (not archived)."""

    basis: str  # "revenue" or "profit": what current value measured
    buyers: int  # buyers ranked
    top_count: int  # ceil(top_share × buyers): the places in the top share
    cutoff_fen: int | None  # the value at the last of those places (None: no buyers)
    floor_fen: int | None  # the lowest value among the buyers
    threshold_fen: int | None  # high ⇔ value >= this (None: nobody is high)
    cost_known_fen: int = 0  # profit basis: the known cost of costed lines in the window…
    costed_revenue_fen: int = 0  # … and their revenue: the ratio estimates missing costs

    def is_high(self, value_fen: int) -> bool:
        return self.threshold_fen is not None and value_fen >= self.threshold_fen

    @classmethod
    def from_values(cls, values: Iterable[int], share: Fraction, **kw) -> ValueLine:
        ranked = sorted(values, reverse=True)
        n = len(ranked)
        if not n:
            return cls(
                buyers=0, top_count=0, cutoff_fen=None, floor_fen=None, threshold_fen=None, **kw
            )
        top = min(n, ceil(share * n))
        cutoff, floor = ranked[top - 1], ranked[-1]
        return cls(
            buyers=n,
            top_count=top,
            cutoff_fen=cutoff,
            floor_fen=floor,
            threshold_fen=max(cutoff, floor + 1, 1),
            **kw,
        )


@dataclass(frozen=True)
class ChurnInfo:
    """A buyer's churn risk with the numbers behind it.

    "usually buys every 32 days; 61 days since the last purchase".
    """

    status: str  # active | at_risk | lost
    usual_gap_days: float  # median gap between purchase days (or the default interval)
    days_since: int  # days since the last purchase day
    ratio: float  # days_since / usual_gap_days
    last_purchase: date
    one_time: bool  # bought on one day only: usual gap is churn.default_interval

    def describe(self, lang: str | None = None) -> str:
        gap = _num(self.usual_gap_days)
        key = "classify.churn_default" if self.one_time else "classify.churn_usual"
        return t(key, lang=lang, gap=gap, days=self.days_since)


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:.1f}"


@dataclass(frozen=True)
class ContactClass:
    """One contact's classification (a contact page, a badge)."""

    contact_id: int
    stage: str
    tier: str | None
    churn: ChurnInfo | None
    value_fen: int | None  # current value (buyers)
    purchase_days: int
    first_purchase: date | None
    high_value: bool
    high_potential: bool
    archived: bool

    @property
    def stage_code(self) -> str:
        return STAGE_CODES[self.stage]

    @property
    def tier_code(self) -> str:
        return TIER_CODES[self.tier] if self.tier else ""

    @property
    def is_buyer(self) -> bool:
        return self.purchase_days > 0

    def remark_fields(self, lang: str | None = None) -> dict[str, str]:
        """Fields for the remark template (``remark.template``)."""
        return {
            "stage_code": self.stage_code,
            "tier_code": self.tier_code,
            "stage": stage_name(self.stage, lang),
            "tier": tier_name(self.tier, lang),
        }


class Classification:
    """The whole book classified on ``today``: dicts keyed by contact id.

    * :attr:`stages`: every contact that is not a plain friend (most contacts
      are friends, so they are not stored: :meth:`stage_of` says ``friend``).
    * :attr:`buyers`: contact id -> ``(first, last)`` purchase days as ordinals
      (``date.toordinal()``). A repeat buyer is one whose two differ.
    * :attr:`value` (fen), :attr:`tiers`, :attr:`churn` (status): buyers only.
    * :meth:`purchase_days`, :meth:`churn_info`: the number of purchase days
      and the usual gap. For buyers long lost (past the lost line even for the
      largest usual gap they could have) the status needs neither, so they are
      worked out on first use.

    Archived contacts are classified too but left out of the counts.
    """

    def __init__(
        self,
        *,
        today: date,
        rules: Rules,
        line: ValueLine,
        contacts: int,
        archived: frozenset[int],
        stages: dict[int, str],
        buyers: dict[int, tuple[int, int]],
        value: dict[int, int],
        tiers: dict[int, str],
        churn: dict[int, str],
        high_potential: frozenset[int],
        detail: dict[int, tuple[int, int]],
        pending: dict[int, str],
    ):
        self.today = today
        self.rules = rules
        self.line = line
        self.contacts = contacts  # contacts not archived
        self.archived = archived
        self.stages = stages
        self.buyers = buyers
        self.value = value
        self.tiers = tiers
        self.churn = churn
        self.high_potential = high_potential  # ids rated >= tier.high_potential
        self._detail = detail  # repeat buyers: id -> (purchase days, twice the usual gap)
        self._pending = pending  # id -> its days text, for details not worked out yet
        self._lock = threading.Lock()

    # -- one contact --

    def stage_of(self, contact_id: int) -> str:
        return self.stages.get(contact_id, "friend")

    def tier_of(self, contact_id: int) -> str | None:
        return self.tiers.get(contact_id)

    def churn_of(self, contact_id: int) -> str | None:
        return self.churn.get(contact_id)

    def is_buyer(self, contact_id: int) -> bool:
        return contact_id in self.buyers

    def is_repeat_buyer(self, contact_id: int) -> bool:
        """Bought on two or more days (whatever the stage: a referrer may be one)."""
        days = self.buyers.get(contact_id)
        return days is not None and days[0] != days[1]

    def _details(self, contact_id: int) -> tuple[int, int] | None:
        found = self._detail.get(contact_id)
        if found is not None:
            return found
        days = self.buyers.get(contact_id)
        if days is None:
            return None
        if days[0] == days[1]:  # one purchase day: the default interval
            return (1, 2 * self.rules.default_interval)
        if contact_id in self._pending:
            with self._lock:
                text = self._pending.pop(contact_id, None)
                if text is None:  # another thread got there first
                    return self._detail.get(contact_id)
                n, _first, _last, gap2 = _days(text, 2 * self.rules.default_interval)
                found = self._detail[contact_id] = (n, gap2)
        return found

    def purchase_days(self, contact_id: int) -> int:
        found = self._details(contact_id)
        return found[0] if found else 0

    def usual_gap_days(self, contact_id: int) -> float | None:
        found = self._details(contact_id)
        return found[1] / 2 if found else None

    def first_purchase(self, contact_id: int) -> date | None:
        days = self.buyers.get(contact_id)
        return date.fromordinal(days[0]) if days else None

    def last_purchase(self, contact_id: int) -> date | None:
        days = self.buyers.get(contact_id)
        return date.fromordinal(days[1]) if days else None

    def churn_info(self, contact_id: int) -> ChurnInfo | None:
        found = self._details(contact_id)
        if found is None:
            return None
        n, gap2 = found
        last = self.buyers[contact_id][1]
        days_since = self.today.toordinal() - last
        return ChurnInfo(
            status=self.churn[contact_id],
            usual_gap_days=gap2 / 2,
            days_since=days_since,
            ratio=2 * days_since / gap2,
            last_purchase=date.fromordinal(last),
            one_time=n == 1,
        )

    def contact(self, contact_id: int) -> ContactClass:
        value = self.value.get(contact_id)
        return ContactClass(
            contact_id=contact_id,
            stage=self.stage_of(contact_id),
            tier=self.tier_of(contact_id),
            churn=self.churn_info(contact_id),
            value_fen=value,
            purchase_days=self.purchase_days(contact_id),
            first_purchase=self.first_purchase(contact_id),
            high_value=value is not None and self.line.is_high(value),
            high_potential=contact_id in self.high_potential,
            archived=contact_id in self.archived,
        )

    # -- groups --

    def active_buyers(self) -> list[int]:
        """Buyers who are not archived."""
        archived = self.archived
        return [cid for cid in self.buyers if cid not in archived]

    def with_stage(self, stage: str, among: Iterable[int]) -> list[int]:
        """The ids in ``among`` (in order) whose stage is ``stage`` (``stage:`` filter)."""
        get = self.stages.get
        return [cid for cid in among if get(cid, "friend") == stage]

    def with_tier(self, tier: str, among: Iterable[int] | None = None) -> list[int]:
        """Ids with ``tier``: of ``among`` (in order), or every such buyer not archived."""
        if among is None:
            archived = self.archived
            return [c for c, v in self.tiers.items() if v == tier and c not in archived]
        get = self.tiers.get
        return [cid for cid in among if get(cid) == tier]

    def with_churn(self, status: str, among: Iterable[int] | None = None) -> list[int]:
        if among is None:
            archived = self.archived
            return [c for c, v in self.churn.items() if v == status and c not in archived]
        get = self.churn.get
        return [cid for cid in among if get(cid) == status]

    def stage_counts(self, among: Iterable[int] | None = None) -> dict[str, int]:
        """Contacts per stage: of ``among``, or of every contact not archived."""
        counts = dict.fromkeys(STAGES, 0)
        if among is None:
            archived = self.archived
            for cid, stage in self.stages.items():
                if cid not in archived:
                    counts[stage] += 1
            counts["friend"] = self.contacts - sum(counts.values())
        else:
            get = self.stages.get
            for cid in among:
                counts[get(cid, "friend")] += 1
        return counts

    def _counts(self, data: dict[int, str], keys, among) -> dict[str, int]:
        counts = dict.fromkeys(keys, 0)
        if among is None:
            archived = self.archived
            for cid, v in data.items():
                if cid not in archived:
                    counts[v] += 1
        else:
            get = data.get
            for cid in among:
                v = get(cid)
                if v:
                    counts[v] += 1
        return counts

    def tier_counts(self, among: Iterable[int] | None = None) -> dict[str, int]:
        return self._counts(self.tiers, TIERS, among)

    def churn_counts(self, among: Iterable[int] | None = None) -> dict[str, int]:
        return self._counts(self.churn, CHURN_STATUSES, among)

    def __repr__(self) -> str:
        return (
            f"Classification({self.today}, contacts={self.contacts}, "
            f"buyers={len(self.buyers)}, basis={self.line.basis})"
        )


# ---- reading the book ---------------------------------------------------------------------


class _Ordinals(dict):
    """'2026-11-24' -> its ordinal, parsed once per distinct day."""

    def __missing__(self, key: str) -> int:
        value = date.fromisoformat(key).toordinal()
        self[key] = value
        return value


_ORD = _Ordinals()
# day text -> (purchase days, twice the usual gap), kept from one classification to the next
_GAP_MEMO: dict[str, tuple[int, int]] = {}


def _choose_basis(con, rules: Rules, since: str, until: str) -> str:
    """``revenue`` or ``profit``: ``auto`` is profit when every line in the window has a cost."""
    if rules.value_basis != "auto":
        return rules.value_basis
    lines = con.execute(
        """
        SELECT EXISTS (SELECT 1 FROM purchase WHERE bought_on > ? AND bought_on <= ?),
               EXISTS (SELECT 1 FROM purchase
                       WHERE bought_on > ? AND bought_on <= ? AND cost_fen IS NULL)
        """,
        (since, until, since, until),
    ).fetchone()
    return "profit" if lines == (1, 0) else "revenue"


def _facts_sql(profit: bool, one: bool = False, upto: bool = True) -> str:
    """Per contact with a sale line up to ``:until``: purchase days and window sums.

    Columns: contact id; the days of positive lines (``group_concat``, in index
    order: sorted); the net amount in the window; the days of negative lines
    (returns: usually none); for the profit basis, the known cost and the
    revenue without a cost in the window. One aggregate over the covering
    purchase index, no per-day grouping: the days are counted in Python from
    the text (cheaper than DISTINCT). ``upto=False`` leaves out the test on
    ``:until`` when no line is dated later.
    """
    cost = (
        """,
               coalesce(sum(cost_fen) FILTER (WHERE bought_on > :since), 0),
               coalesce(sum(amount_fen) FILTER (WHERE bought_on > :since
                                                AND cost_fen IS NULL), 0)"""
        if profit
        else ""
    )
    return f"""
        SELECT contact_id, group_concat(bought_on) FILTER (WHERE amount_fen > 0),
               coalesce(sum(amount_fen) FILTER (WHERE bought_on > :since), 0),
               group_concat(bought_on) FILTER (WHERE amount_fen < 0){cost}
        FROM purchase INDEXED BY ix_purchase_value
        WHERE {"bought_on <= :until" if upto else "1"}{" AND contact_id = :cid" if one else ""}
        GROUP BY contact_id
    """


def _read_facts(con, rules: Rules, today: date, contact_id: int | None = None):
    """(basis, facts): the value basis and the rows of :func:`_facts_sql`, with the
    days whose returns cancel their sales (net <= 0) taken out of the day text."""
    until = today.isoformat()
    params = {"since": rules.window_start(today).isoformat(), "until": until}
    basis = _choose_basis(con, rules, params["since"], until)
    profit = basis == "profit"
    if contact_id is None:
        latest = con.execute("SELECT max(bought_on) FROM purchase").fetchone()[0]
        sql = _facts_sql(profit, upto=latest is not None and latest > until)
    else:
        sql = _facts_sql(profit, one=True)
        params["cid"] = contact_id
    facts = con.execute(sql, params).fetchall()
    _drop_cancelled_days(con, facts, until)
    return basis, facts


def buyer_days(
    con, rules: Rules, today: date, among=(), since: date | None = None
) -> dict[int, tuple[int, int, int, int]]:
    """(purchase days, first, last, twice the usual gap) of some buyers, as
    :func:`classify_all` counts them (the same facts: returns that cancel a day
    taken out, the default interval for one purchase day; first and last are
    ordinals), without classifying the whole book.

    The buyers: those in ``among``, and those whose last purchase day is on or
    after ``since``. The purchase index is read whole (one pass is cheaper than
    seeking tens of thousands of contacts); only these buyers' days are counted.
    """
    among = among if isinstance(among, (set, frozenset, dict)) else set(among)
    facts = _day_texts(con, today)
    default2 = 2 * rules.default_interval
    if since is None:
        return {r[0]: _days(r[1], default2) for r in facts if r[1] is not None and r[0] in among}
    after = since.isoformat()
    if _days_in_order(facts):  # the last day ends the text
        return {
            r[0]: _sorted_days(r[1], default2)
            for r in facts
            if r[1] is not None and (r[1][-10:] >= after or r[0] in among)
        }
    found = {r[0]: _days(r[1], default2) for r in facts if r[1] is not None}
    since_o = since.toordinal()
    return {cid: v for cid, v in found.items() if v[2] >= since_o or cid in among}


_DAY_TEXTS_SQL = """
    SELECT contact_id, group_concat(bought_on) FILTER (WHERE amount_fen > 0), 0,
           group_concat(bought_on) FILTER (WHERE amount_fen < 0)
    FROM purchase INDEXED BY ix_purchase_value WHERE bought_on <= ? {}
    GROUP BY contact_id"""


def _day_texts(con, today: date, ids=None) -> list[tuple]:
    """(contact, sale days text, 0, return days text) of every buyer, or of the
    contacts ``ids``: :func:`_facts_sql`'s columns without the sums (a placeholder
    keeps the returns' place), cancelled days taken out."""
    until = today.isoformat()
    if ids is None:
        facts = con.execute(_DAY_TEXTS_SQL.format(""), (until,)).fetchall()
    else:
        from kamtui.store import rows

        facts = []
        for part in rows.chunks(sorted(set(ids))):
            sql = _DAY_TEXTS_SQL.format(f"AND contact_id IN ({rows.marks(len(part))})")
            facts.extend(con.execute(sql, (until, *part)))
    _drop_cancelled_days(con, facts, until)
    return facts


def buyer_days_of(con, rules: Rules, today: date, ids) -> dict[int, tuple[int, int, int, int]]:
    """:func:`buyer_days` of the contacts ``ids`` only, by seeking each in the
    purchase index (for a few contacts; for most of the book read it whole)."""
    default2 = 2 * rules.default_interval
    return {r[0]: _days(r[1], default2) for r in _day_texts(con, today, ids) if r[1] is not None}


def _drop_cancelled_days(con, facts: list[tuple], until: str) -> None:
    """A day is a purchase day only if its net is positive: a sale returned on the
    same day (net <= 0) is no purchase. Rewrites those few rows of ``facts`` in place."""
    import json

    pairs: list[tuple[int, str]] = []  # (contact, day) with both a sale and a return
    where: dict[int, int] = {}
    for i, row in enumerate(facts):
        returned, sold = row[3], row[1]
        if returned is not None and sold is not None:
            for day in set(returned.split(",")):
                if day in sold:
                    pairs.append((row[0], day))
                    where[row[0]] = i
    if not pairs:
        return
    cancelled = set(
        con.execute(
            """
            SELECT contact_id, bought_on FROM purchase INDEXED BY ix_purchase_value
            WHERE (contact_id, bought_on) IN (SELECT json_extract(value, '$[0]'),
                                                     json_extract(value, '$[1]')
                                              FROM json_each(?))
            GROUP BY contact_id, bought_on HAVING sum(amount_fen) <= 0
            """,
            (json.dumps(pairs),),
        ).fetchall()
    )
    for cid, day in cancelled:
        i = where[cid]
        row = facts[i]
        kept = [d for d in row[1].split(",") if d != day]
        facts[i] = (cid, ",".join(kept) or None, *row[2:])


def _values(facts: list[tuple], profit: bool) -> tuple[dict[int, int], int, int]:
    """(current value of each buyer, known cost, costed revenue) from the facts."""
    if not profit:
        return {r[0]: r[2] for r in facts if r[1]}, 0, 0
    known = costed = 0
    for row in facts:  # the book's cost ratio over the window, every line counted
        known += row[4]
        costed += row[2] - row[5]
    values = {r[0]: _profit(r[2], r[4], r[5], known, costed) for r in facts if r[1]}
    return values, known, costed


def _profit(revenue: int, cost: int, uncosted: int, known: int, costed: int) -> int:
    """Gross profit: known costs, plus the book's cost ratio for lines without a cost."""
    if not uncosted or costed <= 0:
        return revenue - cost
    num = uncosted * known  # estimate = uncosted × known / costed, rounded half away from 0
    estimate = (2 * abs(num) + costed) // (2 * costed)
    return revenue - cost - (estimate if num >= 0 else -estimate)


def _days_in_order(facts: list[tuple], sample: int = 200) -> bool:
    """Whether ``group_concat`` listed each contact's days in order.

    The purchase pass reads ``ix_purchase_value`` (contact, day, …: forced with
    INDEXED BY), so the days come sorted and the first and last are the ends
    of the text. Checked on a sample every time; if not, every text is parsed.
    """
    seen = 0
    for row in facts:
        text = row[1]
        if text is not None and len(text) > 10:
            parts = text.split(",")
            if parts != sorted(parts):
                return False
            seen += 1
            if seen >= sample:
                break
    return True


def _days(text: str, default2: int) -> tuple[int, int, int, int]:
    """(purchase days, first, last, twice the usual gap) from ``group_concat`` day text.

    Works whatever the order of the days in the text.
    """
    if len(text) == 10:  # one line
        day = _ORD[text]
        return 1, day, day, default2
    days = sorted(set(map(_ORD.__getitem__, text.split(","))))
    n = len(days)
    if n == 1:
        return 1, days[0], days[0], default2
    return n, days[0], days[-1], _gap2(days)


def _sorted_days(text: str, default2: int) -> tuple[int, int, int, int]:
    """:func:`_days` of day text already in order (what classify_all's loop does)."""
    if len(text) == 10:  # one line
        day = _ORD[text]
        return 1, day, day, default2
    days = list(map(_ORD.__getitem__, text.split(",")))
    gaps = sorted(map(sub, days[1:], days[:-1]))
    if not gaps[0]:  # lines on the same day: no gap
        gaps = gaps[bisect_right(gaps, 0) :]
    m = len(gaps)
    if not m:
        return 1, days[0], days[0], default2
    return m + 1, days[0], days[-1], gaps[(m - 1) // 2] + gaps[m // 2]


def _gap2(days: list[int]) -> int:
    """Twice the median gap between consecutive days (sorted, distinct, two or more)."""
    n = len(days)
    if n == 2:
        return 2 * (days[1] - days[0])
    if n == 3:  # two gaps: the median is their mean, (last - first) / 2
        return days[2] - days[0]
    gaps = sorted(map(sub, days[1:], days[:-1]))
    m = n - 1
    return gaps[(m - 1) // 2] + gaps[m // 2]


# ---- the cache ----------------------------------------------------------------------------
# One result per book, reused while nothing was committed to the book (its stamp) and
# the day and the settings are the same. The stamp's PRAGMA data_version is only
# comparable on one connection, so an entry also remembers the connection it was read
# on (this thread's): another thread recomputes.


@dataclass
class _Entry:
    key: tuple
    con: Any
    line: ValueLine
    classification: Classification | None = None


_cache: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_cache_lock = threading.Lock()


def _cache_key(book: Book, today: date, rules: Rules) -> tuple:
    return (book.stamp(), today, rules)


def _entry(book: Book, key: tuple) -> _Entry | None:
    entry = _cache.get(book)
    if entry is not None and entry.key == key:
        return entry
    return None


def peek(book: Book, today: date | None = None) -> Classification | None:
    """The cached classification if it is current, else None (never computes).

    For the first paint of a screen: badges appear once a worker has run
    :func:`classify_all`.
    """
    from kamtui import clock

    today = today or clock.today()
    hit = _entry(book, _cache_key(book, today, Rules.from_book(book)))
    return hit.classification if hit is not None else None


def _store(book: Book, entry: _Entry) -> None:
    with _cache_lock:
        _cache[book] = entry


def forget(book: Book) -> None:
    """Drop what is cached for ``book`` (the next call recomputes)."""
    with _cache_lock:
        _cache.pop(book, None)


# ---- classify -----------------------------------------------------------------------------


def classify_all(book: Book, today: date | None = None, *, cached: bool = True) -> Classification:
    """Stage, tier and churn of every contact on ``today`` (default: the clock's today).

    The result is reused until the book changes (any commit), the day or a
    setting changes; ``cached=False`` always recomputes.
    """
    from kamtui import clock

    today = today or clock.today()
    rules = Rules.from_book(book)
    key = _cache_key(book, today, rules)
    if cached:
        hit = _entry(book, key)
        if hit is not None and hit.classification is not None:
            return hit.classification
    # One computation per book at a time: a second thread asking meanwhile (at
    # start-up the agenda and the directory both do) waits for it and reuses it.
    with _computing(book):
        if cached:
            hit = _entry(book, key)
            if hit is not None and hit.classification is not None:
                return hit.classification
        with _no_gc():
            result = _compute(book, today, rules)
        _store(book, _Entry(key, book.conn, result.line, result))
    return result


_compute_locks: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _computing(book: Book) -> threading.Lock:
    with _cache_lock:
        lock = _compute_locks.get(book)
        if lock is None:
            lock = _compute_locks[book] = threading.Lock()
        return lock


@contextmanager
def _no_gc():
    """No cyclic garbage collection while the dicts are built.

    The classification is made of tuples, ints and strings in dicts: no
    cycles to collect, but tens of thousands of new containers, which set off
    collections that walk everything the app holds (100,000 contacts).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def value_line(book: Book, today: date | None = None) -> ValueLine:
    """The whole book's value line on ``today`` (cached like :func:`classify_all`).

    Cheaper than classifying everything: one pass over the purchases for the
    values only. A contact page uses it through :func:`classify_one`.
    """
    from kamtui import clock

    today = today or clock.today()
    rules = Rules.from_book(book)
    return _line(book, today, rules, _cache_key(book, today, rules))


def _line(book: Book, today: date, rules: Rules, key: tuple) -> ValueLine:
    hit = _entry(book, key)
    if hit is not None:
        return hit.line
    with book.snapshot() as con:
        basis, facts = _read_facts(con, rules, today)
        archived = {r[0] for r in con.execute("SELECT id FROM contact WHERE archived = 1")}
    value, known, costed = _values(facts, basis == "profit")
    values = [v for cid, v in value.items() if cid not in archived]
    line = ValueLine.from_values(
        values, rules.top_share, basis=basis, cost_known_fen=known, costed_revenue_fen=costed
    )
    _store(book, _Entry(key, book.conn, line))
    return line


def classify_one(book: Book, contact_id: int, today: date | None = None) -> ContactClass:
    """One contact's class on ``today``: the same rules and value line as :func:`classify_all`.

    Uses the cached whole-book classification when there is one; otherwise
    reads this contact's facts and the book's value line (itself cached), so
    a contact page never classifies the whole book. Unknown ids raise NotFound.
    """
    from kamtui import clock
    from kamtui.contacts import require_contact

    today = today or clock.today()
    rules = Rules.from_book(book)
    key = _cache_key(book, today, rules)
    require_contact(book.conn, contact_id)
    hit = _entry(book, key)
    if hit is not None and hit.classification is not None:
        return hit.classification.contact(contact_id)
    line = _line(book, today, rules, key)
    until = today.isoformat()
    with book.snapshot() as con:
        _basis, facts = _read_facts(con, rules, today, contact_id)
        potential, intent, archived = con.execute(
            "SELECT potential, intent, archived FROM contact WHERE id = ?", (contact_id,)
        ).fetchone()
        referred_bought = con.execute(  # someone they introduced has a purchase day
            """
            SELECT EXISTS (SELECT 1 FROM referral r JOIN purchase p ON p.contact_id = r.referred_id
                           WHERE r.referrer_id = ? AND p.bought_on <= ?
                           GROUP BY p.contact_id, p.bought_on HAVING sum(p.amount_fen) > 0)
            """,
            (contact_id, until),
        ).fetchone()[0]
        need = con.execute(
            "SELECT EXISTS (SELECT 1 FROM snippet WHERE contact_id = ? AND kind = 'need' "
            "AND closed = 0)",
            (contact_id,),
        ).fetchone()[0]
    churn = None
    value = None
    n = 0
    first = None
    high_potential = potential >= rules.high_potential
    tier = None
    if facts and facts[0][1] is not None:
        row = facts[0]
        n, first_o, last, gap2 = _days(row[1], 2 * rules.default_interval)
        first = date.fromordinal(first_o)
        known, costed = line.cost_known_fen, line.costed_revenue_fen
        value = _profit(row[2], row[4], row[5], known, costed) if line.basis == "profit" else row[2]
        days_since = today.toordinal() - last
        churn = ChurnInfo(
            status=rules.churn_status(days_since, gap2),
            usual_gap_days=gap2 / 2,
            days_since=days_since,
            ratio=2 * days_since / gap2,
            last_purchase=date.fromordinal(last),
            one_time=n == 1,
        )
        tier = _TIER_OF[(line.is_high(value), high_potential)]
    if referred_bought:
        stage = "referrer"
    elif n:
        stage = "repeat" if n > 1 else "buyer"
    elif intent or need:
        stage = "prospect"
    else:
        stage = "friend"
    return ContactClass(
        contact_id=contact_id,
        stage=stage,
        tier=tier,
        churn=churn,
        value_fen=value,
        purchase_days=n,
        first_purchase=first,
        high_value=value is not None and line.is_high(value),
        high_potential=high_potential,
        archived=bool(archived),
    )


def _compute(book: Book, today: date, rules: Rules) -> Classification:
    today_o = today.toordinal()
    default2 = 2 * rules.default_interval
    with book.snapshot() as con:
        basis, facts = _read_facts(con, rules, today)
        archived = frozenset(r[0] for r in con.execute("SELECT id FROM contact WHERE archived = 1"))
        contacts = con.execute("SELECT count(*) FROM contact WHERE archived = 0").fetchone()[0]
        high_potential = frozenset(
            r[0]
            for r in con.execute(
                "SELECT id FROM contact WHERE potential >= ?", (rules.high_potential,)
            )
        )
        intent = con.execute("SELECT id FROM contact WHERE intent = 1").fetchall()
        needs = con.execute(
            "SELECT DISTINCT contact_id FROM snippet WHERE kind = 'need' AND closed = 0"
        ).fetchall()
        referrals = con.execute("SELECT referrer_id, referred_id FROM referral").fetchall()

    # prospects first: a purchase below, then a referral, override the stage
    stages: dict[int, str] = dict.fromkeys([r[0] for r in intent], "prospect")
    stages.update(dict.fromkeys([r[0] for r in needs], "prospect"))
    value, known, costed = _values(facts, basis == "profit")
    buyers: dict[int, tuple[int, int]] = {}
    detail: dict[int, tuple[int, int]] = {}  # repeat buyers: (purchase days, 2 × usual gap)
    pending: dict[int, str] = {}
    churn: dict[int, str] = {}
    # Rules.churn_status, inlined: days since >= factor × usual gap, exactly, in integers
    lost_n, lost_d = rules.lost_factor.numerator, 2 * rules.lost_factor.denominator
    risk_n, risk_d = rules.at_risk_factor.numerator, 2 * rules.at_risk_factor.denominator
    ords = _ORD
    day_of = ords.__getitem__
    ordered = _days_in_order(facts)
    # the gaps of the last run's texts: after an edit, only the changed contacts' are new
    global _GAP_MEMO
    memo_get, new_memo = _GAP_MEMO.get, {}
    for row in facts:
        text = row[1]
        if text is None:
            continue  # returns only: never bought
        cid = row[0]
        if len(text) == 10:  # one sale line: one purchase day
            first = last = ords[text]
        elif ordered:
            first, last = ords[text[:10]], ords[text[-10:]]
        else:
            n, first, last, gap2 = _days(text, default2)
            if n > 1:
                detail[cid] = (n, gap2)
        buyers[cid] = (first, last)
        since = today_o - last
        if first == last:  # one purchase day: the default interval
            stages[cid] = "buyer"
            gap2 = default2
        else:
            stages[cid] = "repeat"
            if cid in detail:
                gap2 = detail[cid][1]
            elif since * lost_d >= lost_n * 2 * (last - first):
                # At the lost line even for the largest usual gap they could have (the
                # whole span): lost, whatever the gaps, which are worked out if asked for.
                churn[cid] = "lost"
                pending[cid] = text
                continue
            else:
                got = memo_get(text)
                if got is None:  # _days(), inlined for sorted text (the hot path)
                    days = list(map(day_of, text.split(",")))
                    gaps = sorted(map(sub, days[1:], days[:-1]))
                    if not gaps[0]:  # lines on the same day: no gap
                        gaps = gaps[bisect_right(gaps, 0) :]
                    m = len(gaps)
                    got = (m + 1, gaps[(m - 1) // 2] + gaps[m // 2])
                n, gap2 = detail[cid] = new_memo[text] = got
        if since * lost_d >= lost_n * gap2:
            churn[cid] = "lost"
        elif since * risk_d >= risk_n * gap2:
            churn[cid] = "at_risk"
        else:
            churn[cid] = "active"
    _GAP_MEMO = new_memo
    for referrer, referred in referrals:
        if referred in buyers:
            stages[referrer] = "referrer"

    line = ValueLine.from_values(
        [v for cid, v in value.items() if cid not in archived],
        rules.top_share,
        basis=basis,
        cost_known_fen=known,
        costed_revenue_fen=costed,
    )
    threshold = line.threshold_fen
    if threshold is None:
        threshold = float("inf")
    hp = high_potential
    tiers = {
        cid: ("platinum" if cid in hp else "gold")
        if v >= threshold
        else ("iron" if cid in hp else "lead")
        for cid, v in value.items()
    }

    return Classification(
        today=today,
        rules=rules,
        line=line,
        contacts=contacts,
        archived=archived,
        stages=stages,
        buyers=buyers,
        value=value,
        tiers=tiers,
        churn=churn,
        high_potential=high_potential,
        detail=detail,
        pending=pending,
    )


# ---- exports ---------------------------------------------------------------------------------


def export_columns() -> list[tuple[Any, Any]]:
    """Columns for ``kamtui export`` (a ``kamtui.exporting.columns`` provider)."""
    try:
        from kamtui.exporting.columns import Column
    except ImportError:
        return []

    def loader(kind: str):
        def load(book: Book, ids, today: date) -> dict[int, str]:
            cls = classify_all(book, today)
            if kind == "stage":
                return {cid: stage_name(cls.stage_of(cid)) for cid in ids}
            if kind == "stage_code":
                return {cid: STAGE_CODES[cls.stage_of(cid)] for cid in ids}
            if kind == "tier":
                return {cid: tier_name(cls.tier_of(cid)) for cid in ids}
            return {cid: churn_name(cls.churn_of(cid)) for cid in ids}

        return load

    return [
        (Column("stage", "text", "客户阶段", "Stage", None, 10), loader("stage")),
        (Column("stage_code", "text", "阶段代码", "Stage code", None, 6), loader("stage_code")),
        (Column("tier", "text", "价值等级", "Tier", None, 8), loader("tier")),
        (Column("churn", "text", "流失风险", "Churn risk", None, 10), loader("churn")),
    ]

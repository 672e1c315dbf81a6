"""Insights (客户分析): the book's figures, and tier reviews with who moved since.

Everything here reads :func:`kamtui.classify.classify_all` (one code path for
stages, tiers and churn) plus a few aggregate queries. Pure domain code: the
Insights screen and ``kamtui stats`` only format what :func:`figures` and
:func:`movements` return.

What the figures count (``today`` is the day they are for):

* Contacts: those not archived, optionally only one account's (``account``)
  and/or one tag's (``tag``). A contact's stage and tier are always the whole
  book's (a filter selects contacts; it does not re-rank them).
* Money owed is the exception: archived contacts still owe what they owe
  (archiving a friend who blocked you does not cancel the debt), so the owed
  total and list count them too, within the same account/tag filter.
* The window is ``tier.window_days`` (365) ending on ``today``; current value
  uses the classification's basis (revenue or gross profit, see
  :mod:`kamtui.classify`).
* Pareto: buyers ranked by current value; ``top_value_share`` is the share of
  the total (positive) current value brought by the first
  ``ceil(tier.top_share × buyers)`` of them; negative values (net returns)
  count as zero in that total. ``pareto`` is the curve: points
  (share of buyers, share of value) at equal steps of the buyers' share.
* Repeat rate: buyers who bought on two or more days / all buyers (a referrer
  who bought once is not a repeat buyer, whatever their stage).
* Referral conversion: referred contacts who have bought / all referred
  contacts (the referred contact is the one filtered).
* Average order value: positive sale lines in the window (returns are not
  orders).
* Months: the last 12 calendar months up to ``today``'s: net revenue (returns
  subtract) and new buyers (first purchase day in the month).
* Tier value: per tier, the (positive) current value of its buyers, so
  ``tier_value_fen[tier] / value_total_fen`` is the tier's share of the value
  (the four add up to the total: every buyer has a tier).
* Funnel (:func:`funnel`): per stage, the contacts at that stage or a later one
  (friend → prospect → buyer → repeat → referrer, the order of precedence), and
  the conversion from the step before.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import asdict, dataclass, field
from datetime import date
from math import ceil
from typing import TYPE_CHECKING, Any

from kamtui import classify
from kamtui.classify import (
    CHURN_STATUSES,
    STAGES,
    TIERS,
    Classification,
    churn_name,
    stage_name,
    tier_name,
)
from kamtui.i18n import t

if TYPE_CHECKING:
    from kamtui.store.db import Book


# ---- figures ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthFigure:
    month: str  # YYYY-MM
    revenue_fen: int
    new_buyers: int


@dataclass(frozen=True)
class RiskRow:
    """A buyer at risk of churning, with the numbers behind it."""

    contact_id: int
    name: str
    tier: str | None
    value_fen: int
    status: str
    usual_gap_days: float
    days_since: int
    ratio: float
    last_purchase: date
    one_time: bool


@dataclass(frozen=True)
class OwedRow:
    contact_id: int
    name: str
    owed_fen: int
    due_on: date | None  # the earliest due date of what is owed
    overdue_days: int  # days past that due date (0 if not yet due)
    archived: bool
    since: date | None = None  # the day of the oldest purchase still (partly) owed


@dataclass(frozen=True)
class AccountRow:
    name: str
    friends: int
    cap: int
    free: int
    used_share: float


@dataclass
class Figures:
    today: date
    basis: str  # revenue | profit: what current value measures
    window_days: int
    account: str | None  # the filters applied
    tag: str | None
    contacts: int
    buyers: int
    stages: dict[str, int]
    tiers: dict[str, int]
    churn: dict[str, int]
    top_share: float  # tier.top_share (0.2)
    top_count: int  # ceil(top_share × buyers)
    top_value_share: float | None  # share of current value brought by the top buyers
    value_total_fen: int  # total positive current value of the buyers
    pareto: list[tuple[float, float]]  # (share of buyers, share of value), from (0, 0)
    repeat_rate: float | None
    referred: int
    referred_bought: int
    referral_conversion: float | None
    orders: int  # positive sale lines in the window
    revenue_window_fen: int  # net revenue in the window (returns subtract)
    average_order_fen: int | None
    owed_total_fen: int
    months: list[MonthFigure]
    at_risk: list[RiskRow]  # the most valuable at-risk buyers first (up to ``limit``)
    owed: list[OwedRow]  # the longest overdue first (up to ``limit``)
    debtors: int  # contacts who owe money (all of them, not only those listed)
    accounts: list[AccountRow]
    line_fen: int | None = None  # high current value from this value (whole book)
    tier_value_fen: dict[str, int] = field(default_factory=dict)  # positive value per tier

    def funnel_steps(self) -> list[FunnelStep]:
        return funnel(self.stages)

    def tier_share(self, tier: str) -> float | None:
        """The share of the buyers' current value that ``tier`` brings (None: no value)."""
        if self.value_total_fen <= 0:
            return None
        return self.tier_value_fen.get(tier, 0) / self.value_total_fen

    def as_dict(self) -> dict[str, Any]:
        """Plain data for ``--json`` (dates as ISO text by the CLI)."""
        data = asdict(self)
        data["pareto"] = [list(p) for p in self.pareto]
        data["churn_risk_count"] = self.churn.get("at_risk", 0)
        return data


def _scope(book: Book, account, tag) -> tuple[str, list, str | None, str | None]:
    """SQL (``contact`` ids, archived ones included) for the filters, its params, and names."""
    from kamtui.accounts import resolve_account

    sql = "SELECT id FROM contact WHERE 1"
    params: list = []
    account_name = tag_name = None
    if account not in (None, ""):
        account_id = resolve_account(book, account)
        account_name = book.scalar("SELECT name FROM account WHERE id = ?", (account_id,))
        sql += " AND account_id = ?"
        params.append(account_id)
    if tag not in (None, ""):
        from kamtui.errors import NotFound
        from kamtui.tags import clean_tag_name

        found = book.query("SELECT id, name FROM tag WHERE name = ?", (clean_tag_name(tag),))
        if not found:
            raise NotFound(t("err.tag_unknown", value=tag))
        tag_name = found[0][1]
        sql += " AND id IN (SELECT contact_id FROM contact_tag WHERE tag_id = ?)"
        params.append(found[0][0])
    return sql, params, account_name, tag_name


def _pareto(values: list[int], share, points: int) -> tuple[int, float | None, int, list]:
    """(top count, top share of value, total, curve) for buyers' current values."""
    ranked = sorted((max(v, 0) for v in values), reverse=True)
    n = len(ranked)
    total = sum(ranked)
    if not n:
        return 0, None, 0, [(0.0, 0.0)]
    top = min(n, ceil(share * n))
    cumulative = [0]
    for v in ranked:
        cumulative.append(cumulative[-1] + v)
    top_share = cumulative[top] / total if total > 0 else None
    curve = []
    for i in range(points + 1):
        k = min(n, ceil(n * i / points))
        curve.append((round(i / points, 4), round(cumulative[k] / total, 4) if total > 0 else 0.0))
    return top, top_share, total, curve


def figures(
    book: Book,
    today: date | None = None,
    *,
    account: str | int | None = None,
    tag: str | None = None,
    pareto_points: int = 20,
    limit: int = 20,
) -> Figures:
    """The book's figures on ``today``, for every contact or one account's / one tag's."""
    from kamtui import clock
    from kamtui.accounts import list_accounts
    from kamtui.contacts import display_names

    today = today or clock.today()
    scope_sql, scope_params, account_name, tag_name = _scope(book, account, tag)
    cls = classify.classify_all(book, today)
    rules = cls.rules
    filtered = account_name is not None or tag_name is not None
    until = today.isoformat()
    since = rules.window_start(today).isoformat()
    month_keys = _last_months(today, 12)
    month0 = month_keys[0] + "-01"
    if filtered:
        # the filtered contacts not archived; ids are few next to a whole book
        sales_scope = f"contact_id IN ({scope_sql} AND archived = 0)"  # its ? follow ?3
        sales_params: tuple = tuple(scope_params)
    else:  # everyone but the archived (few): no list of every contact to build
        sales_scope = "contact_id NOT IN (SELECT id FROM contact WHERE archived = 1)"
        sales_params = ()
    with book.snapshot() as con:
        among = (
            [r[0] for r in con.execute(scope_sql + " AND archived = 0", scope_params)]
            if filtered
            else None
        )
        in_scope = {r[0] for r in con.execute(scope_sql, scope_params)} if filtered else None
        # one pass over the purchase index: the window's orders and revenue, and the months
        sales = con.execute(
            f"""
            SELECT substr(bought_on, 1, 7),
                   count(*) FILTER (WHERE amount_fen > 0 AND bought_on > ?1),
                   coalesce(sum(amount_fen) FILTER (WHERE amount_fen > 0 AND bought_on > ?1), 0),
                   coalesce(sum(amount_fen) FILTER (WHERE bought_on > ?1), 0),
                   coalesce(sum(amount_fen) FILTER (WHERE bought_on >= ?2), 0)
            FROM purchase INDEXED BY ix_purchase_value
            WHERE bought_on > min(?1, ?2) AND bought_on <= ?3 AND {sales_scope}
            GROUP BY 1
            """,
            (since, month0, until, *sales_params),
        ).fetchall()
        referred_all = con.execute("SELECT referred_id FROM referral").fetchall()
        owed_rows = con.execute(
            """
            SELECT contact_id, sum(owed), min(due_on), min(bought_on) FROM (
                SELECT p.contact_id, p.due_on, p.bought_on, p.amount_fen - coalesce(
                    (SELECT sum(y.amount_fen) FROM payment y WHERE y.purchase_id = p.id), 0
                ) AS owed
                FROM purchase p WHERE p.credit = 1
            )
            WHERE owed > 0 GROUP BY contact_id
            """
        ).fetchall()
    orders = sum(r[1] for r in sales)
    positive = sum(r[2] for r in sales)
    revenue = sum(r[3] for r in sales)
    monthly = {r[0]: r[4] for r in sales}
    if in_scope is not None:
        owed_rows = [r for r in owed_rows if r[0] in in_scope]
    archived = cls.archived
    referred = [
        r[0]
        for r in referred_all
        if r[0] not in archived and (in_scope is None or r[0] in in_scope)
    ]

    if among is None:
        buyer_ids = cls.active_buyers()
        stages = cls.stage_counts()
        tiers = cls.tier_counts()
        churn = cls.churn_counts()
        contacts = cls.contacts
    else:
        buyer_ids = [cid for cid in among if cid in cls.buyers]
        stages = cls.stage_counts(among)
        tiers = cls.tier_counts(among)
        churn = cls.churn_counts(among)
        contacts = len(among)

    top, top_value_share, total, curve = _pareto(
        [cls.value[cid] for cid in buyer_ids], rules.top_share, pareto_points
    )
    repeaters = sum(1 for cid in buyer_ids if cls.is_repeat_buyer(cid))
    tier_value = dict.fromkeys(TIERS, 0)
    tier_of = cls.tiers.get
    for cid in buyer_ids:
        tier = tier_of(cid)
        if tier is not None:
            tier_value[tier] += max(cls.value[cid], 0)
    referred_ids = referred
    referred_bought = sum(1 for cid in referred_ids if cid in cls.buyers)

    starts = [date.fromisoformat(m + "-01").toordinal() for m in month_keys]
    new_buyers = [0] * len(month_keys)
    end = today.toordinal()
    for cid in buyer_ids:
        first = cls.buyers[cid][0]
        if starts[0] <= first <= end:
            new_buyers[bisect_right(starts, first) - 1] += 1
    months = [
        MonthFigure(m, monthly.get(m, 0) or 0, n)
        for m, n in zip(month_keys, new_buyers, strict=True)
    ]

    risk_ids = [cid for cid in buyer_ids if cls.churn[cid] == "at_risk"]
    risk_ids.sort(key=lambda cid: (-cls.value[cid], -cls.churn_info(cid).ratio, cid))
    owed_rows = sorted(owed_rows, key=lambda r: (r[2] or "9999-99-99", -r[1], r[0]))
    names = display_names(book, risk_ids[:limit] + [r[0] for r in owed_rows[:limit]])
    at_risk = []
    for cid in risk_ids[:limit]:
        info = cls.churn_info(cid)
        at_risk.append(
            RiskRow(
                contact_id=cid,
                name=names.get(cid, f"#{cid}"),
                tier=cls.tier_of(cid),
                value_fen=cls.value[cid],
                status=info.status,
                usual_gap_days=info.usual_gap_days,
                days_since=info.days_since,
                ratio=round(info.ratio, 3),
                last_purchase=info.last_purchase,
                one_time=info.one_time,
            )
        )
    owed = []
    for cid, owed_fen, due, first_day in owed_rows[:limit]:
        due_on = date.fromisoformat(due) if due else None
        owed.append(
            OwedRow(
                contact_id=cid,
                name=names.get(cid, f"#{cid}"),
                owed_fen=owed_fen,
                due_on=due_on,
                overdue_days=max((today - due_on).days, 0) if due_on else 0,
                archived=cid in cls.archived,
                since=date.fromisoformat(first_day) if first_day else None,
            )
        )
    accounts = [
        AccountRow(a.name, a.friends, a.friend_cap, a.free, round(a.used_share, 4))
        for a in list_accounts(book)
        if account_name is None or a.name == account_name
    ]
    return Figures(
        today=today,
        basis=cls.line.basis,
        window_days=rules.window_days,
        account=account_name,
        tag=tag_name,
        contacts=contacts,
        buyers=len(buyer_ids),
        stages=stages,
        tiers=tiers,
        churn=churn,
        top_share=float(rules.top_share),
        top_count=top,
        top_value_share=None if top_value_share is None else round(top_value_share, 4),
        value_total_fen=total,
        pareto=curve,
        repeat_rate=round(repeaters / len(buyer_ids), 4) if buyer_ids else None,
        referred=len(referred_ids),
        referred_bought=referred_bought,
        referral_conversion=(
            round(referred_bought / len(referred_ids), 4) if referred_ids else None
        ),
        orders=orders,
        revenue_window_fen=revenue,
        average_order_fen=round(positive / orders) if orders else None,
        owed_total_fen=sum(r[1] for r in owed_rows),
        debtors=len(owed_rows),
        months=months,
        at_risk=at_risk,
        owed=owed,
        accounts=accounts,
        line_fen=cls.line.threshold_fen,
        tier_value_fen=tier_value,
    )


@dataclass(frozen=True)
class FunnelStep:
    """One step of the stage funnel."""

    stage: str
    count: int  # contacts at this stage now
    reached: int  # contacts at this stage or a later one
    conversion: float | None  # reached / the step before's reached (None: first step, or 0)


FUNNEL = tuple(reversed(STAGES))  # friend, prospect, buyer, repeat, referrer


def funnel(stages: dict[str, int]) -> list[FunnelStep]:
    """The stage funnel from stage counts: friend → prospect → buyer → repeat → referrer.

    A contact's stage is the furthest they reached (first match wins, from
    referrer down), so the contacts who reached a step are those at it or at a
    later one; each step's conversion is its ``reached`` over the step before's.
    (A referrer who never bought counts as having reached every step: the
    stage rules rank an introduction that led to a sale above buying.)
    """
    counts = [stages.get(s, 0) for s in FUNNEL]
    reached = [sum(counts[i:]) for i in range(len(counts))]
    steps = []
    for i, stage in enumerate(FUNNEL):
        before = reached[i - 1] if i else 0
        steps.append(
            FunnelStep(
                stage, counts[i], reached[i], round(reached[i] / before, 4) if before else None
            )
        )
    return steps


def _last_months(today: date, n: int) -> list[str]:
    """``YYYY-MM`` of the ``n`` calendar months ending with ``today``'s, oldest first."""
    y, m = today.year, today.month
    out = []
    for _ in range(n):
        out.append(f"{y:04d}-{m:02d}")
        m -= 1
        if m == 0:
            y, m = y - 1, 12
    return out[::-1]


# ---- reviews and movements ---------------------------------------------------------------
# The documents ask for regular re-analysis (003): a review saves every contact's class
# on one day; movements() compares today's classes with the last review.

STAGE_RANK = {s: i for i, s in enumerate(reversed(STAGES))}  # friend 0 … referrer 4
TIER_RANK = {None: -1, "lead": 0, "iron": 1, "gold": 2, "platinum": 3}
CHURN_RANK = {None: -1, "lost": 0, "at_risk": 1, "active": 2}
ASPECTS = ("tier", "churn", "stage")
HIGH_VALUE = frozenset({"platinum", "gold"})
HIGH_POTENTIAL = frozenset({"platinum", "iron"})


@dataclass(frozen=True)
class Review:
    id: int
    taken_on: date
    taken_at: Any  # datetime (UTC)
    note: str
    basis: str
    threshold_fen: int | None  # that day's value line: high current value from here
    buyers: int
    contacts: int  # entries saved


def _review(r) -> Review:
    from kamtui.store.rows import to_datetime

    return Review(r[0], date.fromisoformat(r[1]), to_datetime(r[2]), r[3], r[4], r[5], r[6], r[7])


_REVIEW_SQL = """
    SELECT r.id, r.taken_on, r.taken_at, r.note, r.basis, r.line_fen, r.buyers,
           (SELECT count(*) FROM tier_review_entry e WHERE e.review_id = r.id)
    FROM tier_review r
"""


def save_review(book: Book, today: date | None = None, note: str = "") -> Review:
    """Save the class of every contact not archived on ``today`` (a 客户分析 snapshot)."""
    from kamtui import clock, validate
    from kamtui.store import rows

    today = today or clock.today()
    note = validate.text(note, "note", max_len=2000)
    cls = classify.classify_all(book, today)
    with book.transaction() as con:
        contacts = con.execute("SELECT id, potential FROM contact WHERE archived = 0").fetchall()
        review_id = rows.insert(
            con,
            "tier_review",
            {
                "taken_on": today,
                "taken_at": rows.now_text(),
                "note": note,
                "basis": cls.line.basis,
                "line_fen": cls.line.threshold_fen,
                "buyers": cls.line.buyers,
            },
        )
        stage, tier, churn = cls.stages.get, cls.tiers.get, cls.churn.get
        value, days = cls.value.get, cls.purchase_days
        con.executemany(
            "INSERT INTO tier_review_entry (review_id, contact_id, stage, tier, churn, "
            "value_fen, potential, purchase_days) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (
                    review_id,
                    cid,
                    stage(cid, "friend"),
                    tier(cid),
                    churn(cid),
                    value(cid),
                    potential,
                    days(cid),
                )
                for cid, potential in contacts
            ),
        )
    return get_review(book, review_id)


def get_review(book: Book, review_id: int) -> Review:
    from kamtui.errors import NotFound

    found = book.query(_REVIEW_SQL + " WHERE r.id = ?", (review_id,))
    if not found:
        raise NotFound(t("classify.review_unknown", value=review_id))
    return _review(found[0])


def list_reviews(book: Book) -> list[Review]:
    """Saved reviews, newest first."""
    return [_review(r) for r in book.query(_REVIEW_SQL + " ORDER BY r.id DESC")]


def last_review(book: Book) -> Review | None:
    found = book.query(_REVIEW_SQL + " ORDER BY r.id DESC LIMIT 1")
    return _review(found[0]) if found else None


def delete_review(book: Book, review_id: int) -> None:
    get_review(book, review_id)
    with book.transaction() as con:
        con.execute("DELETE FROM tier_review_entry WHERE review_id = ?", (review_id,))
        con.execute("DELETE FROM tier_review WHERE id = ?", (review_id,))


@dataclass(frozen=True)
class Movement:
    """One contact moved in one aspect since a review: ``before`` -> ``after``."""

    contact_id: int
    name: str
    aspect: str  # tier | churn | stage
    before: str | None  # None: no tier (not a buyer then) / not in the review
    after: str | None
    direction: int  # +1 up (toward platinum, referrer, active), -1 down
    reason: str  # a short reason in words, in the user's language
    tier: str | None  # the contact's tier now (a platinum customer at risk stands out)
    value_fen: int | None  # current value now

    def label(self, lang: str | None = None) -> str:
        """黄金 → 白金 / gold → platinum."""
        name = {"tier": tier_name, "churn": churn_name, "stage": stage_name}[self.aspect]
        none = t("classify.none", lang=lang)
        before = name(self.before, lang) if self.before else none
        after = name(self.after, lang) if self.after else none
        return f"{before} → {after}"


@dataclass(frozen=True)
class Movements:
    review: Review | None  # the review compared with (None: no review saved yet)
    today: date
    moves: list[Movement]
    account: str | None = None  # the filters applied
    tag: str | None = None

    def counts(self) -> dict[str, int]:
        """Moves per ``aspect:before>after`` (``-`` for none), for a summary."""
        out: dict[str, int] = {}
        for m in self.moves:
            k = f"{m.aspect}:{m.before or '-'}>{m.after or '-'}"
            out[k] = out.get(k, 0) + 1
        return out


def _sign(x: int) -> int:
    return (x > 0) - (x < 0)


def movements(
    book: Book,
    today: date | None = None,
    review_id: int | None = None,
    *,
    account: str | int | None = None,
    tag: str | None = None,
) -> Movements:
    """Who moved since a review (the last one by default): tier, churn status and stage.

    Contacts archived since are left out; contacts added since appear once
    they are more than plain friends (a new buyer, a new prospect). A new
    buyer gets a stage and a tier move, not a churn move; a churn move is
    a change between active, at risk and lost. ``account`` and ``tag`` keep
    only the moves of those contacts (as :func:`figures` does; the classes
    stay the whole book's).
    """
    from kamtui import clock
    from kamtui.contacts import display_names

    today = today or clock.today()
    scope_sql, scope_params, account_name, tag_name = _scope(book, account, tag)
    review = get_review(book, review_id) if review_id is not None else last_review(book)
    if review is None:
        return Movements(None, today, [], account_name, tag_name)
    cls = classify.classify_all(book, today)
    old = {
        r[0]: r[1:]
        for r in book.query(
            "SELECT contact_id, stage, tier, churn, value_fen, potential, purchase_days "
            "FROM tier_review_entry WHERE review_id = ?",
            (review.id,),
        )
    }
    current_sql = "SELECT id, potential, intent FROM contact WHERE archived = 0"
    if account_name is not None or tag_name is not None:
        current_sql += f" AND id IN ({scope_sql})"
    current = book.query(current_sql, tuple(scope_params))
    raw: list[tuple] = []
    for cid, potential, intent in current:
        stage, tier, churn = cls.stage_of(cid), cls.tier_of(cid), cls.churn_of(cid)
        before = old.get(cid)
        if before is None:
            if stage == "friend":
                continue
            before = (None, None, None, None, potential, 0)
        b_stage, b_tier, b_churn = before[:3]
        now = (potential, intent)
        if b_tier != tier:
            raw.append((cid, "tier", b_tier, tier, before, now))
        if b_churn != churn and b_churn is not None and churn is not None:
            raw.append((cid, "churn", b_churn, churn, before, now))
        if b_stage != stage:
            raw.append((cid, "stage", b_stage, stage, before, now))
    names = display_names(book, {r[0] for r in raw})
    ranks = {"tier": TIER_RANK, "churn": CHURN_RANK, "stage": STAGE_RANK}
    moves = []
    for cid, aspect, before, after, old_row, now in raw:
        rank = ranks[aspect]
        moves.append(
            Movement(
                contact_id=cid,
                name=names.get(cid, f"#{cid}"),
                aspect=aspect,
                before=before,
                after=after,
                direction=_sign(rank.get(after, -1) - rank.get(before, -1)),
                reason=_reason(book, cls, cid, aspect, before, after, old_row, now),
                tier=cls.tier_of(cid),
                value_fen=cls.value.get(cid),
            )
        )
    order = {a: i for i, a in enumerate(ASPECTS)}
    moves.sort(key=lambda m: (order[m.aspect], -(m.value_fen or 0), m.contact_id))
    return Movements(review, today, moves, account_name, tag_name)


def _money(fen: int | None) -> str:
    from kamtui.fmt import money

    return money(fen or 0)


def _reason(book, cls: Classification, cid, aspect, before, after, old_row, now) -> str:
    """Why a contact moved, in a few words, from the review's row and today's facts."""
    _b_stage, _b_tier, _b_churn, b_value, b_potential, b_days = old_row
    potential, intent = now
    rules = cls.rules
    if aspect == "tier":
        if before is None:
            return t("classify.why.new_buyer_tier", value=_money(cls.value.get(cid)))
        if after is None:
            return t("classify.why.no_purchases")
        parts = []
        if (before in HIGH_VALUE) != (after in HIGH_VALUE):
            key = "classify.why.value_up" if after in HIGH_VALUE else "classify.why.value_down"
            parts.append(
                t(
                    key,
                    value=_money(cls.value.get(cid)),
                    was=_money(b_value),
                    share=f"{round(float(rules.top_share) * 100)}%",
                    line=_money(cls.line.threshold_fen),
                    days=rules.window_days,
                )
            )
        if (before in HIGH_POTENTIAL) != (after in HIGH_POTENTIAL):
            parts.append(t("classify.why.potential", now=potential, was=b_potential))
        return t("classify.why.join").join(parts) or t("classify.why.changed")
    if aspect == "churn":
        info = cls.churn_info(cid)
        if info is None:
            return t("classify.why.changed")
        if CHURN_RANK[after] > CHURN_RANK[before]:
            return t("classify.why.bought_again", day=info.last_purchase.isoformat())
        return info.describe()
    # stage
    if after == "referrer":
        who = _referred_buyer(book, cid, cls)
        return t("classify.why.referral_bought", name=who) if who else t("classify.why.changed")
    if after in ("repeat", "buyer") and not b_days:
        first = cls.first_purchase(cid)
        return t("classify.why.first_purchase", day=first.isoformat() if first else "")
    if after == "repeat":
        last = cls.last_purchase(cid)
        return t(
            "classify.why.bought_again_days",
            day=last.isoformat() if last else "",
            n=cls.purchase_days(cid),
        )
    if after == "prospect":
        return t("classify.why.intent") if intent else t("classify.why.need")
    if after == "friend" and before == "prospect":
        return t("classify.why.no_longer_prospect")
    return t("classify.why.changed")


def _referred_buyer(book, cid: int, cls: Classification) -> str:
    """The name of the newest buyer among those ``cid`` introduced."""
    from kamtui.contacts import display_names

    referred = [
        r[0] for r in book.query("SELECT referred_id FROM referral WHERE referrer_id = ?", (cid,))
    ]
    bought = [r for r in referred if cls.is_buyer(r)]
    if not bought:
        return ""
    newest = max(bought, key=lambda r: (cls.buyers[r][0], r))
    return display_names(book, [newest]).get(newest, "")


__all__ = [
    "CHURN_STATUSES",
    "STAGES",
    "TIERS",
    "AccountRow",
    "Figures",
    "FunnelStep",
    "MonthFigure",
    "Movement",
    "Movements",
    "OwedRow",
    "Review",
    "RiskRow",
    "delete_review",
    "figures",
    "funnel",
    "get_review",
    "last_review",
    "list_reviews",
    "movements",
    "save_review",
]

"""kamtui stats: the customer analysis (客户分析) — figures, reviews and who moved.

kamtui stats [--account NAME] [--tag TAG] [--limit N] [--json]
kamtui stats review [--note TEXT] [--json]     save today's classes as a review
kamtui stats moves [--review ID] [--json]      who moved since the last review
kamtui stats reviews [--json]                  the saved reviews
"""

from __future__ import annotations

import unicodedata

from kamtui.cli import add_json_flag
from kamtui.i18n import t

NAME = "stats"
HELP = "cmd.stats.help"


def add_arguments(p) -> None:
    add_json_flag(p)
    p.add_argument("--account", metavar="NAME", help=t("cmd.stats.opt_account"))
    p.add_argument("--tag", metavar="TAG", help=t("cmd.stats.opt_tag"))
    p.add_argument("--limit", type=int, default=10, metavar="N", help=t("cmd.stats.opt_limit"))
    sub = p.add_subparsers(dest="action", metavar="review|moves|reviews")
    review = sub.add_parser("review", help=t("cmd.stats.review_help"))
    review.add_argument("--note", default="", help=t("cmd.stats.opt_note"))
    add_json_flag(review, nested=True)
    moves = sub.add_parser("moves", help=t("cmd.stats.moves_help"))
    moves.add_argument("--review", type=int, metavar="ID", help=t("cmd.stats.opt_review"))
    add_json_flag(moves, nested=True)
    reviews = sub.add_parser("reviews", help=t("cmd.stats.reviews_help"))
    add_json_flag(reviews, nested=True)


def run(ctx) -> int:
    action = getattr(ctx.args, "action", None)
    if action == "review":
        return _save_review(ctx)
    if action == "moves":
        return _moves(ctx)
    if action == "reviews":
        return _reviews(ctx)
    return _figures(ctx)


# ---- text helpers ---------------------------------------------------------------------------


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(width - _width(text), 0)


def _lpad(text: str, width: int) -> str:
    return " " * max(width - _width(text), 0) + text


def _table(rows: list[list[str]], right: set[int] = frozenset(), indent: str = "  ") -> list[str]:
    """Rows of cells as aligned lines (columns in ``right`` aligned to the right)."""
    if not rows:
        return []
    widths = [max(_width(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = []
    for r in rows:
        cells = [(_lpad if i in right else _pad)(cell, widths[i]) for i, cell in enumerate(r)]
        out.append((indent + "  ".join(cells)).rstrip())
    return out


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{x * 100:.0f}%"


def _share(n: int, total: int) -> str:
    return _pct(n / total) if total else "-"


# ---- kamtui stats ---------------------------------------------------------------------------


def _figures(ctx) -> int:
    from kamtui import clock
    from kamtui.classify import stage_name, tier_name
    from kamtui.fmt import money, safe
    from kamtui.insights import figures

    args = ctx.args
    limit = max(args.limit, 0)
    f = figures(ctx.book, clock.today(), account=args.account, tag=args.tag, limit=limit)
    if ctx.json:
        ctx.emit_json(f.as_dict())
        return 0
    out = ctx.out
    out(
        t(
            "cmd.stats.header",
            day=f.today.isoformat(),
            days=f.window_days,
            basis=t(f"cmd.stats.basis.{f.basis}"),
        )
    )
    if f.account:
        out(t("cmd.stats.filter_account", name=safe(f.account)))
    if f.tag:
        out(t("cmd.stats.filter_tag", name=safe(f.tag)))
    out(t("cmd.stats.totals", contacts=f"{f.contacts:,}", buyers=f"{f.buyers:,}"))
    out()
    out(t("cmd.stats.stages"))
    rows = [[stage_name(s), f"{n:,}", _share(n, f.contacts)] for s, n in f.stages.items()]
    for line in _table(rows, right={1, 2}):
        out(line)
    out(t("cmd.stats.tiers"))
    rows = [[tier_name(s), f"{n:,}", _share(n, f.buyers)] for s, n in f.tiers.items()]
    for line in _table(rows, right={1, 2}):
        out(line)
    out()
    if f.top_value_share is not None:
        out(
            t(
                "cmd.stats.pareto",
                share=_pct(f.top_share),
                n=f.top_count,
                value_share=_pct(f.top_value_share),
                basis=t(f"cmd.stats.basis.{f.basis}"),
            )
        )
    if f.line_fen is not None:
        out(t("cmd.stats.line", value=money(f.line_fen), days=f.window_days))
    out(t("cmd.stats.repeat_rate", rate=_pct(f.repeat_rate)))
    out(
        t(
            "cmd.stats.referrals",
            bought=f.referred_bought,
            referred=f.referred,
            rate=_pct(f.referral_conversion),
        )
    )
    out(
        t(
            "cmd.stats.orders",
            revenue=money(f.revenue_window_fen),
            orders=f"{f.orders:,}",
            aov=money(f.average_order_fen) if f.average_order_fen is not None else "-",
            days=f.window_days,
        )
    )
    out(t("cmd.stats.owed_total", value=money(f.owed_total_fen)))
    out()
    out(t("cmd.stats.months"))
    rows = [[t("cmd.stats.month"), t("cmd.stats.revenue"), t("cmd.stats.new_buyers")]]
    rows += [[m.month, money(m.revenue_fen), str(m.new_buyers)] for m in f.months]
    for line in _table(rows, right={1, 2}):
        out(line)
    out()
    out(
        t(
            "cmd.stats.churn",
            at_risk=f.churn["at_risk"],
            lost=f.churn["lost"],
            active=f.churn["active"],
        )
    )
    rows = []
    for r in f.at_risk:
        key = "classify.churn_default" if r.one_time else "classify.churn_usual"
        gap = int(r.usual_gap_days) if r.usual_gap_days.is_integer() else r.usual_gap_days
        rows.append(
            [
                safe(r.name, max_len=20),
                tier_name(r.tier),
                money(r.value_fen),
                t(key, gap=gap, days=r.days_since),
            ]
        )
    for line in _table(rows, right={2}):
        out(line)
    if f.churn["at_risk"] > len(f.at_risk):
        out(t("cmd.stats.more", n=f.churn["at_risk"] - len(f.at_risk)))
    out()
    out(t("cmd.stats.owed", n=f.debtors))
    rows = []
    for r in f.owed:
        due = r.due_on.isoformat() if r.due_on else "-"
        late = t("cmd.stats.overdue", days=r.overdue_days) if r.overdue_days else ""
        archived = t("cmd.stats.archived") if r.archived else ""
        rows.append([safe(r.name, max_len=20), money(r.owed_fen), due, late, archived])
    for line in _table(rows, right={1}):
        out(line)
    if f.debtors > len(f.owed):
        out(t("cmd.stats.more", n=f.debtors - len(f.owed)))
    out()
    out(t("cmd.stats.accounts"))
    rows = [
        [safe(a.name, max_len=20), f"{a.friends:,}/{a.cap:,}", _pct(a.used_share), f"{a.free:,}"]
        for a in f.accounts
    ]
    if rows:
        rows.insert(
            0,
            [
                t("cmd.stats.account"),
                t("cmd.stats.friends"),
                t("cmd.stats.used"),
                t("cmd.stats.free"),
            ],
        )
    for line in _table(rows, right={1, 2, 3}):
        out(line)
    if not f.accounts:
        out("  " + t("cmd.accounts.none"))
    return 0


# ---- kamtui stats review / reviews ----------------------------------------------------------


def _review_dict(r) -> dict:
    return {
        "id": r.id,
        "taken_on": r.taken_on,
        "taken_at": r.taken_at,
        "note": r.note,
        "basis": r.basis,
        "line_fen": r.threshold_fen,
        "buyers": r.buyers,
        "contacts": r.contacts,
    }


def _save_review(ctx) -> int:
    from kamtui import clock
    from kamtui.insights import save_review

    review = save_review(ctx.book, clock.today(), note=ctx.args.note)
    if ctx.json:
        ctx.emit_json(_review_dict(review))
        return 0
    ctx.out(
        t(
            "cmd.stats.review_saved",
            id=review.id,
            day=review.taken_on.isoformat(),
            contacts=f"{review.contacts:,}",
            buyers=f"{review.buyers:,}",
        )
    )
    return 0


def _reviews(ctx) -> int:
    from kamtui.fmt import safe
    from kamtui.insights import list_reviews

    reviews = list_reviews(ctx.book)
    if ctx.json:
        ctx.emit_json([_review_dict(r) for r in reviews])
        return 0
    if not reviews:
        ctx.out(t("cmd.stats.no_review"))
        return 0
    rows = [
        [f"#{r.id}", r.taken_on.isoformat(), f"{r.contacts:,}", f"{r.buyers:,}", safe(r.note)]
        for r in reviews
    ]
    rows.insert(
        0,
        [
            "",
            t("cmd.stats.day"),
            t("cmd.stats.contacts"),
            t("cmd.stats.buyers"),
            t("cmd.stats.note"),
        ],
    )
    for line in _table(rows, right={2, 3}):
        ctx.out(line)
    return 0


# ---- kamtui stats moves ---------------------------------------------------------------------


def _moves(ctx) -> int:
    from kamtui import clock
    from kamtui.fmt import safe
    from kamtui.insights import movements

    result = movements(ctx.book, clock.today(), review_id=ctx.args.review)
    if ctx.json:
        ctx.emit_json(
            {
                "review": _review_dict(result.review) if result.review else None,
                "today": result.today,
                "counts": result.counts(),
                "moves": [
                    {
                        "contact_id": m.contact_id,
                        "name": m.name,
                        "aspect": m.aspect,
                        "from": m.before,
                        "to": m.after,
                        "direction": m.direction,
                        "label": m.label(),
                        "reason": m.reason,
                        "tier": m.tier,
                        "value_fen": m.value_fen,
                    }
                    for m in result.moves
                ],
            }
        )
        return 0
    if result.review is None:
        ctx.out(t("cmd.stats.no_review"))
        return 0
    r = result.review
    ctx.out(
        t(
            "cmd.stats.moves_header",
            id=r.id,
            day=r.taken_on.isoformat(),
            ago=(result.today - r.taken_on).days,
            n=len(result.moves),
        )
    )
    for aspect in ("tier", "churn", "stage"):
        group = [m for m in result.moves if m.aspect == aspect]
        if not group:
            continue
        ctx.out()
        ctx.out(t(f"cmd.stats.aspect.{aspect}", n=len(group)))
        rows = [
            ["↑" if m.direction > 0 else "↓" if m.direction < 0 else "·",
             safe(m.name, max_len=20), m.label(), safe(m.reason)]
            for m in group
        ]  # fmt: skip
        for line in _table(rows):
            ctx.out(line)
    return 0

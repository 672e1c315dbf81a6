"""kamtui today: the day's follow-ups for the shell or cron."""

from __future__ import annotations

from kamtui.cli import add_json_flag
from kamtui.i18n import t

NAME = "today"
HELP = "cmd.today.help"


def add_arguments(p) -> None:
    p.add_argument("--days", type=int, metavar="N", help=t("cmd.today.opt_days"))
    add_json_flag(p)


def run(ctx) -> int:
    from kamtui import clock, followup
    from kamtui.errors import KamtuiError
    from kamtui.fmt import safe

    days = ctx.args.days
    if days is not None and not 0 <= days <= 366:
        raise KamtuiError(t("cmd.today.bad_days", days=days))
    today = clock.today()
    followup.refresh(ctx.book, today, days)
    from kamtui.classify import classify_all

    agenda = followup.agenda(ctx.book, today, days, classification=classify_all(ctx.book, today))
    if ctx.json:
        ctx.emit_json([item.as_dict() for item in agenda.items])
        return 0
    counts = agenda.counts()
    ctx.out(t("cmd.today.header", day=today.isoformat(), **counts))
    for group in followup.GROUPS:
        items = agenda.groups[group]
        if not items:
            continue
        title = t(f"group.{group}", days=agenda.days_ahead)
        ctx.out(f"\n{title} ({len(items)})")
        for i in items:
            if i.kind == "owed":
                when = ""  # the reason already says when
            elif i.overdue_days:
                when = f"  ({t('cmd.today.overdue', days=i.overdue_days)})"
            else:
                when = f"  ({i.due_on})"
            mark = "★ " if i.favourite else "  "
            name, reason = safe(i.name, max_len=60), safe(i.reason, max_len=120)
            ctx.out(f"{mark}{name}  [{t('kind.' + i.kind)}]  {reason}{when}")
    if not agenda.items:
        ctx.out(t("cmd.today.empty"))
    return 0

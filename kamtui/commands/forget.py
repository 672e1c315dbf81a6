"""kamtui forget CONTACT: erase a person for good, on their request (the right to deletion)."""

from __future__ import annotations

import sys

from kamtui.cli import add_json_flag
from kamtui.i18n import t

NAME = "forget"
HELP = "cmd.forget.help"


def add_arguments(p) -> None:
    p.add_argument("contact", metavar="CONTACT", help=t("cmd.forget.opt_contact"))
    p.add_argument("--yes", action="store_true", help=t("cmd.forget.opt_yes"))
    add_json_flag(p)


def interactive() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def ask(prompt: str) -> str:
    try:
        return input(prompt).strip()
    except EOFError:
        return ""


def _candidate(m) -> str:
    return t(
        "safety.forget_candidate",
        id=m.id,
        name=m.name,
        wechat_id=m.wechat_id or "-",
        added_on=m.added_on,
        archived=t("safety.forget_archived_mark") if m.archived else "",
    )


def _day(value) -> str:
    return value.isoformat() if value else t("safety.unknown_date")


def run(ctx) -> int:
    from kamtui.errors import KamtuiError, NotFound
    from kamtui.fmt import safe
    from kamtui.safety import describe_counts, erasure_preview, find_contacts, forget_contact

    args, book = ctx.args, ctx.book
    matches = find_contacts(book, args.contact)
    if not matches:
        raise NotFound(t("safety.forget_none", query=args.contact))
    chosen = matches[0]
    if len(matches) > 1:
        lines = [t("safety.forget_ambiguous", n=len(matches), query=args.contact)]
        lines += [safe(_candidate(m)) for m in matches]
        if not interactive() or ctx.json:
            raise KamtuiError("\n".join([*lines, t("safety.forget_give_id", query=args.contact)]))
        for line in lines:
            ctx.out(line)
        answer = ask(t("safety.forget_pick")).lstrip("#")
        picked = [m for m in matches if answer.isdigit() and m.id == int(answer)]
        if not picked:
            ctx.out(t("safety.forget_cancelled"))
            return 1
        chosen = picked[0]
    if not args.yes:
        if not interactive():
            raise KamtuiError(t("safety.forget_needs_yes"))
        rows = describe_counts(erasure_preview(book, chosen.id))
        ctx.out(safe(t("safety.forget_preview", id=chosen.id, name=chosen.name, rows=rows)))
        ctx.out(t("safety.forget_no_undo"))
        if ask(t("safety.forget_confirm")).lower() not in ("yes", "y", "是"):
            ctx.out(t("safety.forget_cancelled"))
            return 1
    report = forget_contact(book, chosen.id)
    if ctx.json:
        ctx.emit_json(report.as_dict())
        return 0
    ctx.out(
        safe(
            t(
                "safety.forget_done",
                id=report.contact_id,
                name=report.name,
                rows=describe_counts(report.rows),
            )
        )
    )
    if report.undo_rows_erased:
        ctx.out(t("safety.forget_undo_scrubbed", n=report.undo_rows_erased))
    ctx.out(t("safety.forget_wiped" if report.wiped else "safety.forget_not_wiped"))
    if report.backups:
        oldest = min(i.taken_at for i in report.backups)
        ctx.out(
            t(
                "safety.forget_backups",
                n=len(report.backups),
                oldest=oldest.strftime("%Y-%m-%d"),
                oldest_gone=_day(report.oldest_gone_on),
                all_gone=_day(report.all_gone_on),
            )
        )
    if report.manual_backups:
        ctx.out(
            t(
                "safety.forget_backups_manual",
                n=len(report.manual_backups),
                paths=", ".join(str(i.path) for i in report.manual_backups),
            )
        )
    if report.damaged_copies:
        ctx.out(
            t(
                "safety.forget_damaged_copies",
                n=len(report.damaged_copies),
                paths=", ".join(str(p) for p in report.damaged_copies),
            )
        )
    if not report.backups and not report.manual_backups:
        ctx.out(t("safety.forget_no_backups"))
    ctx.out(t("safety.forget_elsewhere"))
    return 0

"""kamtui cleanup: friends to clean up (blocked, ad, dead, duplicate, cold), and the lists out.

kamtui cleanup                          candidates by account and reason
kamtui cleanup --json                   the same for scripts (ids, names, reasons, evidence)
kamtui cleanup --reason dead,ad --account 主号-小美
kamtui cleanup --reason blocked --mark  put them on the "delete in WeChat" list
kamtui cleanup --export-delete 待删.csv the delete list (marked friends) for the phone
kamtui cleanup --confirm-deleted        done in WeChat: archive the marked friends
kamtui cleanup --export-cleaned 名单.csv every friend that stays
"""

from __future__ import annotations

from kamtui.cli import add_json_flag
from kamtui.i18n import t

NAME = "cleanup"
HELP = "cmd.cleanup.help"
ALIASES = ("清理",)


def add_arguments(p) -> None:
    p.add_argument("--account", metavar="NAME", help=t("cmd.cleanup.opt_account"))
    p.add_argument("--reason", metavar="dead,ad,…", help=t("cmd.cleanup.opt_reason"))
    p.add_argument("--mark", action="store_true", help=t("cmd.cleanup.opt_mark"))
    p.add_argument("--export-delete", metavar="FILE", help=t("cmd.cleanup.opt_export_delete"))
    p.add_argument("--export-cleaned", metavar="FILE", help=t("cmd.cleanup.opt_export_cleaned"))
    p.add_argument("--confirm-deleted", action="store_true", help=t("cmd.cleanup.opt_confirm"))
    add_json_flag(p)


def run(ctx) -> int:
    from kamtui import cleanup, clock
    from kamtui.fmt import safe

    args, book = ctx.args, ctx.book
    today = clock.today()
    found = cleanup.review(book, today, reasons=args.reason, account=args.account)
    if args.mark and found.candidates:
        n = cleanup.mark_delete(book, found.candidates)
        if not ctx.json:
            ctx.out(t("cmd.cleanup.marked", n=n))
        found = cleanup.review(book, today, reasons=args.reason, account=args.account)
    if args.export_delete:
        n = cleanup.export_delete_list(book, args.export_delete, found)
        if not ctx.json:
            ctx.out(t("cmd.cleanup.exported", n=n, path=args.export_delete))
    if args.confirm_deleted:
        n = cleanup.confirm_deleted(book, found.marked)
        if not ctx.json:
            ctx.out(t("cmd.cleanup.confirmed", n=n))
        found = cleanup.review(book, today, reasons=args.reason, account=args.account)
    if args.export_cleaned:
        n = cleanup.export_cleaned_list(book, args.export_cleaned, found)
        if not ctx.json:
            ctx.out(t("cmd.cleanup.exported", n=n, path=args.export_cleaned))
    if ctx.json:
        ctx.emit_json(as_json(found, cleanup.contact_names(book, _ids(found))))
        return 0
    if args.mark or args.export_delete or args.export_cleaned or args.confirm_deleted:
        return 0
    ctx.out(
        t(
            "cmd.cleanup.header",
            day=today.isoformat(),
            n=len(found.candidates),
            marked=len(found.marked),
            kept=found.kept,
        )
    )
    for a in found.accounts:
        key = "cmd.cleanup.account" if a.cap else "cmd.cleanup.account_nocap"
        ctx.out(
            "\n"
            + t(
                key,
                name=safe(a.name, max_len=40),
                friends=f"{a.friends:,}",
                cap=f"{a.cap:,}",
                after=f"{a.after:,}",
                frees=f"{a.frees:,}",
            )
        )
        counts = "  ".join(
            f"{t('cleanup.reason.' + code)} {n:,}" for code, n in a.by_reason.items() if n
        )
        if counts:
            ctx.out("  " + counts)
    current = None
    for c in found.candidates:
        group = (c.account_id, c.primary)
        if group != current:
            current = group
            ctx.out(
                f"\n{safe(found.account_name(c.account_id), max_len=40)} · "
                f"{t('cleanup.reason.' + c.primary)}"
            )
        why = safe(c.evidence_text(), max_len=300)
        ctx.out(f"  #{c.contact_id}  {safe(c.name, max_len=40)}  {why}")
    if found.marked:
        ctx.out(f"\n{t('cmd.cleanup.marked_title')} ({len(found.marked)})")
        for c in found.marked:
            ctx.out(f"  #{c.contact_id}  {safe(c.name, max_len=40)}")
    if not found.candidates and not found.marked:
        ctx.out(t("cmd.cleanup.none"))
    return 0


def _ids(found) -> list[int]:
    return [c.contact_id for c in (*found.candidates, *found.marked)]


def as_json(found, names: dict[int, tuple[str, str]]) -> dict:
    """The review for scripts: every candidate with ids, names, reason codes and evidence."""

    def one(c) -> dict:
        remark, nickname = names.get(c.contact_id, ("", ""))
        return c.as_dict(found.account_name(c.account_id)) | {
            "remark": remark,
            "nickname": nickname,
        }

    return {
        "today": found.today,
        "settings": {
            "dead_days": found.rules.dead_days,
            "cold_days": found.rules.cold_days,
            "duplicate_score": found.rules.duplicate_score,
        },
        "kept": found.kept,
        "accounts": [a.as_dict() for a in found.accounts],
        "candidates": [one(c) for c in found.candidates],
        "marked": [one(c) for c in found.marked],
    }

"""kamtui find: the Contacts screen's search from the shell (same ranking, same filters)."""

from __future__ import annotations

from kamtui.cli import add_json_flag
from kamtui.i18n import t

NAME = "find"
HELP = "cmd.find.help"
SORTS = ("last_contact", "name", "value", "added", "follow_up")
DEFAULT_LIMIT = 50


def add_arguments(p) -> None:
    p.add_argument("--sort", choices=SORTS, default="last_contact", help=t("cmd.find.opt_sort"))
    p.add_argument("--reverse", action="store_true", help=t("cmd.find.opt_reverse"))
    p.add_argument(
        "--limit", type=int, default=DEFAULT_LIMIT, metavar="N", help=t("cmd.find.opt_limit")
    )
    add_json_flag(p)
    p.add_argument("query", nargs="*", metavar="QUERY", help=t("cmd.find.opt_query"))


def run(ctx) -> int:
    from kamtui import clock
    from kamtui.cli import EXIT_USAGE
    from kamtui.contactview import contact_records
    from kamtui.directory import find_ids
    from kamtui.fmt import safe

    args = ctx.args
    if args.limit < 0:
        import sys

        print(t("cmd.find.bad_limit", value=args.limit), file=sys.stderr)
        return EXIT_USAGE
    query = " ".join(args.query)
    ids, directory, result = find_ids(
        ctx.book,
        query,
        today=clock.today(),
        sort=args.sort,
        reverse=args.reverse,
        limit=args.limit or None,
    )
    records = contact_records(ctx.book, ids)
    if ctx.json:
        out = []
        for cid in ids:
            e = directory.entries[cid]
            r = records.get(cid, {})
            out.append(
                {
                    "id": cid,
                    "name": e.name,
                    "remark": r.get("remark", ""),
                    "nickname": r.get("nickname", ""),
                    "stage": directory.stage(cid) or None,
                    "tier": directory.tier(cid) or None,
                    "tags": list(e.tags),
                    "account": e.account or None,
                    "phone": r.get("phone"),
                    "wechat_id": r.get("wechat_id"),
                    "last_contact": e.last_contact,
                    "favourite": e.favourite,
                    "archived": e.archived,
                }
            )
        ctx.emit_json(out)
        return 0
    for note in result.notes:
        ctx.out(f"! {note.message()}")
    from kamtui.classify import stage_name, tier_name

    for cid in ids:
        e = directory.entries[cid]
        mark = "★" if e.favourite else " "
        stage = stage_name(directory.stage(cid)) if directory.stage(cid) else ""
        tier = tier_name(directory.tier(cid))
        badges = " ".join(x for x in (stage, tier) if x)
        tags = " ".join(f"#{x}" for x in e.tags)
        name = safe(e.name, max_len=40)
        if e.nickname and e.nickname != e.name:
            name += f" · {safe(e.nickname, max_len=30)}"
        parts = [f"{mark} {name}", f"[{badges}]" if badges else ""]
        parts += [safe(tags, max_len=60), safe(e.account, max_len=20), e.last_contact or ""]
        ctx.out(f"{cid:>7}  " + "  ".join(p for p in parts if p))
    shown = len(ids)
    total = len(result)
    if result.similar:
        ctx.out(t("cmd.find.count_similar", n=total, shown=shown, similar=result.similar))
    else:
        ctx.out(t("cmd.find.count", n=total, shown=shown))
    return 0

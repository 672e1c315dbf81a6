"""kamtui accounts: the seller's WeChat accounts, their caps and how full they are."""

from __future__ import annotations

from kamtui.cli import add_json_flag
from kamtui.i18n import t

NAME = "accounts"
HELP = "cmd.accounts.help"


def add_arguments(p) -> None:
    add_json_flag(p)
    sub = p.add_subparsers(dest="action", metavar="add|set")
    add = sub.add_parser("add", help=t("cmd.accounts.add_help"))
    add.add_argument("name")
    add.add_argument("--cap", type=int, help=t("cmd.accounts.opt_cap"))
    add.add_argument("--wechat-id", default="")
    add.add_argument("--note", default="")
    change = sub.add_parser("set", help=t("cmd.accounts.set_help"))
    change.add_argument("name")
    change.add_argument("--cap", type=int, help=t("cmd.accounts.opt_cap"))
    change.add_argument("--rename", metavar="NEW")
    change.add_argument("--note")


def run(ctx) -> int:
    from kamtui import accounts

    args, book = ctx.args, ctx.book
    if args.action == "add":
        accounts.create_account(
            book, args.name, friend_cap=args.cap, wechat_id=args.wechat_id, note=args.note
        )
        ctx.out(t("cmd.accounts.added", name=args.name))
        return 0
    if args.action == "set":
        account_id = accounts.resolve_account(book, args.name)
        changes = {}
        if args.cap is not None:
            changes["friend_cap"] = args.cap
        if args.rename:
            changes["name"] = args.rename
        if args.note is not None:
            changes["note"] = args.note
        accounts.update_account(book, account_id, **changes)
        ctx.out(t("cmd.accounts.updated", name=args.rename or args.name))
        return 0
    infos = accounts.list_accounts(book)
    if ctx.json:
        ctx.emit_json(
            [
                {
                    "id": a.id,
                    "name": a.name,
                    "wechat_id": a.wechat_id,
                    "friends": a.friends,
                    "cap": a.friend_cap,
                    "free": a.free,
                }
                for a in infos
            ]
        )
        return 0
    if not infos:
        ctx.out(t("cmd.accounts.none"))
    for a in infos:
        ctx.out(
            t("cmd.info.account", name=a.name, friends=a.friends, cap=a.friend_cap, free=a.free)
        )
    return 0

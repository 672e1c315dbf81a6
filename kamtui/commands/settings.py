"""kamtui settings: show and change the book's settings (every default is one)."""

from __future__ import annotations

from kamtui.cli import add_json_flag
from kamtui.i18n import t

NAME = "settings"
HELP = "cmd.settings.help"


def add_arguments(p) -> None:
    add_json_flag(p)
    sub = p.add_subparsers(dest="action", metavar="get|set|reset")
    g = sub.add_parser("get", help=t("cmd.settings.get_help"))
    g.add_argument("key")
    add_json_flag(g, nested=True)
    s = sub.add_parser("set", help=t("cmd.settings.set_help"))
    s.add_argument("key")
    s.add_argument("value")
    r = sub.add_parser("reset", help=t("cmd.settings.reset_help"))
    r.add_argument("key")


def run(ctx) -> int:
    from kamtui import settings

    args, book = ctx.args, ctx.book
    if args.action == "set":
        value = settings.put(book, args.key, args.value)
        ctx.out(t("cmd.settings.saved", key=args.key, value=value))
        return 0
    if args.action == "reset":
        settings.reset(book, args.key)
        ctx.out(t("cmd.settings.reset", key=args.key, value=settings.get(book, args.key)))
        return 0
    if args.action == "get":
        value = settings.get(book, args.key)
        ctx.emit_json(value) if ctx.json else ctx.out(str(value))
        return 0
    values = settings.get_all(book)
    if ctx.json:
        ctx.emit_json(values)
        return 0
    for key, value in values.items():
        ctx.out(f"{key} = {value}    # {t('setting.' + key)}")
    return 0

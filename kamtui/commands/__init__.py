"""Shell commands: one module each, with ``NAME``, ``HELP`` (a message key),
``add_arguments(parser)`` and ``run(ctx) -> int``. Keep these modules light:
import domain modules inside ``run``.
"""

from __future__ import annotations

COMMANDS = [
    "today",
    "demo",
    "info",
    "accounts",
    "settings",
    "export",
    "backup",
    "restore",
    "check",
    "undo",
    "forget",
]


def open_app(ctx) -> int:
    """``kamtui`` with no command: the app on the book (``--demo``: on the demo book)."""
    import sys

    from kamtui.i18n import t

    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        print(t("cli.needs_terminal"), file=sys.stderr)
        return 1
    if ctx.args.demo:
        ensure_demo_book(ctx.book)
    from kamtui.app import SECTIONS, run_app

    if not SECTIONS:
        from kamtui.cli import build_parser

        build_parser().print_help()
        return 0
    return run_app(ctx.book, demo=ctx.args.demo)


def ensure_demo_book(book) -> None:
    """Fill the demo book on first use (it is never the seller's own book)."""
    if book.scalar("SELECT count(*) FROM contact"):
        return
    from kamtui import clock
    from kamtui.demo import build_demo

    build_demo(book, size=600, seed=2026, today=clock.today())

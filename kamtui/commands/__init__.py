"""Shell commands: one module each, with ``NAME``, ``HELP`` (a message key),
``add_arguments(parser)`` and ``run(ctx) -> int``. Keep these modules light:
import domain modules inside ``run``.
"""

from __future__ import annotations

COMMANDS = [
    "today",
    "find",
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
    "import_",
    "stats",
    "cleanup",
]


def open_app(ctx) -> int:
    """``kamtui`` with no command: the app on the book (``--demo``: on the demo book)."""
    import sys

    from kamtui.i18n import t

    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        print(t("cli.needs_terminal"), file=sys.stderr)
        return 1
    from kamtui.store.check import DamagedBook  # (kamtui.safety, ~6 ms, is not needed yet)

    try:
        book = ctx.book
    except DamagedBook as exc:
        if not offer_restore(exc):
            raise
        book = ctx.book
    if ctx.args.demo:
        ensure_demo_book(book)
    from kamtui.app import SECTIONS, run_app

    if not SECTIONS:
        from kamtui.cli import build_parser

        build_parser().print_help()
        return 0
    return run_app(ctx.book, demo=ctx.args.demo, start=ctx.args.open)


def offer_restore(exc) -> bool:
    """The book is damaged: say so and offer its newest good backup. True if restored."""
    import sys

    from kamtui.i18n import t

    print(exc.message, file=sys.stderr)
    if exc.backup is None:
        return False
    answer = input(t("cli.offer_restore") + " ").strip().lower()
    if answer not in ("y", "yes", "是", "好"):
        return False
    from kamtui.safety import restore_book

    restore_book(exc.path, exc.backup.path)
    print(t("cli.restored", when=exc.backup.taken_at.strftime("%Y-%m-%d %H:%M")), file=sys.stderr)
    return True


def ensure_demo_book(book) -> None:
    """Fill the demo book on first use (it is never the seller's own book)."""
    if book.scalar("SELECT count(*) FROM contact"):
        return
    from kamtui import clock
    from kamtui.demo import build_demo

    build_demo(book, size=600, seed=2026, today=clock.today())

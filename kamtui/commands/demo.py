"""kamtui demo: fill a book with a believable demo business."""

from __future__ import annotations

import sys
from contextlib import suppress

from kamtui.cli import add_json_flag
from kamtui.fmt import display_width
from kamtui.i18n import t

NAME = "demo"
HELP = "cmd.demo.help"


def add_arguments(p) -> None:
    p.add_argument("--size", type=int, default=600, metavar="N", help=t("cmd.demo.opt_size"))
    p.add_argument("--seed", type=int, default=2026, metavar="S", help=t("cmd.demo.opt_seed"))
    p.add_argument("--force", action="store_true", help=t("cmd.demo.opt_force"))
    add_json_flag(p)


def run(ctx) -> int:
    from kamtui import clock
    from kamtui.demo import book_row_counts, build_demo, clear_book
    from kamtui.errors import KamtuiError
    from kamtui.fmt import money

    args = ctx.args
    if args.size < 1 or args.size > 1_000_000:
        raise KamtuiError(t("cmd.demo.bad_size", size=args.size))
    book = ctx.book
    counts = book_row_counts(book)
    if any(counts.values()) and not args.force:
        if counts.get("contact"):
            raise KamtuiError(t("cmd.demo.not_empty", path=book.path, count=counts["contact"]))
        raise KamtuiError(t("demo.not_empty", path=book.path))
    if any(counts.values()):
        from kamtui.store.backup import backup_book

        backup_book(book, reason="before-demo")
        clear_book(book)

    widest = [0]

    def show(label: str, done: int, total: int) -> None:
        if not ctx.json and sys.stderr.isatty():
            line = f"{t(f'cmd.demo.step.{label}')} {done}/{total}"
            width = display_width(line)
            widest[0] = max(widest[0], width)
            print(f"\r{line}{' ' * (widest[0] - width)}", end="", file=sys.stderr, flush=True)

    finished: list[tuple[int, int]] = []

    def progress(label: str, done: int, total: int) -> None:
        if label == "done":  # told once the clean-up's analysis below is made too
            finished.append((done, total))
        else:
            show(label, done, total)

    summary = build_demo(
        book, size=args.size, seed=args.seed, today=clock.today(), progress=progress
    )
    # A big demo book opens in the clean-up as an imported one does (kamtui.cleanup.prepare).
    from kamtui import cleanup

    with suppress(Exception):  # (a cache: the clean-up makes it when opened)
        cleanup.prepare(book, progress=lambda done, total: show("duplicates", done, total))
    for done, total in finished:
        show("done", done, total)
    if not ctx.json and sys.stderr.isatty():
        print(file=sys.stderr)
    if ctx.json:
        ctx.emit_json({"book": str(book.path), **summary.as_dict()})
        return 0
    ctx.out(t("cmd.demo.done", path=book.path))
    ctx.out(
        t(
            "cmd.demo.summary",
            contacts=summary.contacts,
            accounts=summary.accounts,
            buyers=summary.buyers,
            purchases=summary.purchases,
            revenue=money(summary.revenue_365_fen),
            share=round(summary.top20_share * 100),
        )
    )
    return 0

"""kamtui restore FILE: replace the book with a backup (the current book is backed up first)."""

from __future__ import annotations

from kamtui.cli import add_json_flag
from kamtui.i18n import t

NAME = "restore"
HELP = "cmd.restore.help"


def add_arguments(p) -> None:
    p.add_argument("file", metavar="FILE", help=t("cmd.restore.opt_file"))
    add_json_flag(p)


def run(ctx) -> int:
    from pathlib import Path

    from kamtui.safety import restore_book

    # Never ctx.book: the book may be damaged, which is why we are here.
    report = restore_book(ctx.db_path, Path(ctx.args.file).expanduser())
    if ctx.json:
        ctx.emit_json(report.as_dict())
        return 0
    if report.previous:
        ctx.out(t("safety.restore_saved_current", path=report.previous))
    if report.preserved:
        ctx.out(t("safety.restore_preserved_damaged", path=report.preserved))
    when = report.source_taken_at.strftime("%Y-%m-%d %H:%M") if report.source_taken_at else "?"
    ctx.out(t("safety.restore_done", source=report.source, when=when, contacts=report.contacts))
    if report.schema_from != report.schema_to:
        ctx.out(t("safety.restore_migrated", old=report.schema_from, new=report.schema_to))
    return 0

"""kamtui check: is the book sound? Exit status 0 if so, 1 if not."""

from __future__ import annotations

from kamtui.cli import add_json_flag
from kamtui.i18n import t

NAME = "check"
HELP = "cmd.check.help"


def add_arguments(p) -> None:
    add_json_flag(p)


def run(ctx) -> int:
    from kamtui.errors import BookError
    from kamtui.store.check import check_book_file, damaged_book

    path = ctx.db_path
    if not path.exists():
        raise BookError(t("book.missing", path=path))
    # Never ctx.book: opening refuses a damaged book, and check must say why.
    report = check_book_file(path)
    damaged = not report.readable or bool(report.integrity or report.foreign_keys)
    advice = None
    if damaged:
        detail = report.error or "; ".join(report.integrity[:1]) or "foreign_key_check"
        advice = damaged_book(path, detail)
    if ctx.json:
        data = report.as_dict()
        if advice is not None:
            data |= {
                "backup": advice.backup.as_dict() if advice.backup else None,
                "restore_command": advice.restore_command,
            }
        ctx.emit_json(data)
        return 0 if report.ok else 1
    ctx.out(t("check.book", path=path))
    if not report.readable:
        ctx.out(t("check.unreadable", error=report.error))
    else:
        if report.integrity:
            ctx.out(t("check.integrity_bad", n=len(report.integrity)))
            for line in report.integrity[:10]:
                ctx.out(f"  {line}")
        else:
            ctx.out(t("check.integrity_ok"))
        if report.foreign_keys:
            ctx.out(t("check.fk_bad", n=len(report.foreign_keys)))
            for row in report.foreign_keys[:10]:
                ctx.out(t("check.fk_row", **row))
        elif not report.integrity:
            ctx.out(t("check.fk_ok"))
        if not report.is_book:
            ctx.out(t("check.not_book"))
        elif report.schema_version is not None:
            v, latest = report.schema_version, report.latest_version
            key = (
                "check.schema"
                if v == latest
                else ("check.schema_old" if v < latest else "check.schema_new")
            )
            ctx.out(t(key, version=v, latest=latest))
    if damaged:
        ctx.out(t("check.verdict_bad"))
        ctx.out(advice.message)
        return 1
    if not report.ok:
        return 1
    ctx.out(t("check.verdict_ok", seconds=f"{report.seconds:.1f}"))
    return 0

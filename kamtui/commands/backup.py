"""kamtui backup: a consistent, checked copy of the book now; ``--list`` shows the backups."""

from __future__ import annotations

from kamtui.cli import add_json_flag
from kamtui.i18n import t

NAME = "backup"
HELP = "cmd.backup.help"


def add_arguments(p) -> None:
    p.add_argument("-o", "--output", metavar="FILE", help=t("cmd.backup.opt_output"))
    p.add_argument("--list", action="store_true", help=t("cmd.backup.opt_list"))
    add_json_flag(p)


def _reason(reason: str) -> str:
    key = f"safety.reason.{reason}"
    from kamtui.i18n import has

    return t(key) if has(key) else reason


def run(ctx) -> int:
    import time
    from pathlib import Path

    from kamtui.errors import KamtuiError
    from kamtui.store.backup import MANUAL, backup_book, backup_dir, backups

    args = ctx.args
    if args.list:
        found = backups(ctx.db_path)
        if ctx.json:
            ctx.emit_json(
                {"folder": str(backup_dir(ctx.db_path)), "backups": [i.as_dict() for i in found]}
            )
            return 0
        if not found:
            ctx.out(t("cmd.backup.none", folder=backup_dir(ctx.db_path)))
            return 0
        ctx.out(t("cmd.backup.folder", folder=backup_dir(ctx.db_path)))
        for i in found:
            ctx.out(
                t(
                    "cmd.backup.row",
                    when=i.taken_at.strftime("%Y-%m-%d %H:%M:%S"),
                    reason=_reason(i.reason),
                    size=round(i.size / 1024),
                    path=i.path.name,
                )
            )
        return 0
    dest = None
    if args.output:
        dest = Path(args.output).expanduser()
        if dest.is_dir():
            from kamtui.store.backup import backup_name

            dest = dest / backup_name(ctx.db_path, MANUAL).name
        if dest.exists():
            raise KamtuiError(t("cmd.backup.exists", path=dest))
    start = time.perf_counter()
    path = backup_book(ctx.book, MANUAL, dest=dest)
    seconds = time.perf_counter() - start
    size = path.stat().st_size
    if ctx.json:
        ctx.emit_json({"path": str(path), "size_bytes": size, "seconds": round(seconds, 3)})
        return 0
    ctx.out(t("cmd.backup.done", path=path, size=round(size / 1024), seconds=f"{seconds:.1f}"))
    return 0

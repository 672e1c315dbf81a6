"""kamtui info: where the book is, its schema, and how much it holds."""

from __future__ import annotations

from kamtui.cli import add_json_flag
from kamtui.i18n import t

NAME = "info"
HELP = "cmd.info.help"
TABLES = (
    "account",
    "contact",
    "tag",
    "snippet",
    "interaction",
    "product",
    "purchase",
    "payment",
    "referral",
    "reminder",
    "satisfaction",
)


def add_arguments(p) -> None:
    add_json_flag(p)


def run(ctx) -> int:
    from kamtui.accounts import list_accounts
    from kamtui.store.backup import backup_dir, list_backups

    book = ctx.book
    with book.snapshot() as con:
        counts = {tb: con.execute(f"SELECT count(*) FROM {tb}").fetchone()[0] for tb in TABLES}
        archived = con.execute("SELECT count(*) FROM contact WHERE archived = 1").fetchone()[0]
        version = con.execute("PRAGMA user_version").fetchone()[0]
    accounts = list_accounts(book)
    size = book.path.stat().st_size
    backups = list_backups(book.path)
    data = {
        "book": str(book.path),
        "schema_version": version,
        "size_bytes": size,
        "counts": counts,
        "archived_contacts": archived,
        "accounts": [
            {"name": a.name, "friends": a.friends, "cap": a.friend_cap, "free": a.free}
            for a in accounts
        ],
        "backups": {"folder": str(backup_dir(book.path)), "count": len(backups)},
    }
    if ctx.json:
        ctx.emit_json(data)
        return 0
    ctx.out(t("cmd.info.book", path=book.path, version=version, size=round(size / 1024)))
    ctx.out(t("cmd.info.contacts", n=counts["contact"], archived=archived))
    for tb in TABLES[2:]:
        ctx.out(f"  {t('table.' + tb)}: {counts[tb]}")
    for a in accounts:
        ctx.out(
            t("cmd.info.account", name=a.name, friends=a.friends, cap=a.friend_cap, free=a.free)
        )
    ctx.out(t("cmd.info.backups", folder=backup_dir(book.path), n=len(backups)))
    return 0

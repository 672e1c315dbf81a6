"""The seller's own WeChat accounts and how full each one is (WeChat caps friends)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from kamtui import validate
from kamtui.errors import ValidationError
from kamtui.i18n import t
from kamtui.store import rows

if TYPE_CHECKING:
    from kamtui.store.db import Book


@dataclass(frozen=True)
class AccountInfo:
    id: int
    name: str
    wechat_id: str
    friend_cap: int
    note: str
    friends: int  # contacts on the account that are not archived

    @property
    def free(self) -> int:
        return self.friend_cap - self.friends

    @property
    def used_share(self) -> float:
        return self.friends / self.friend_cap if self.friend_cap else 0.0


def create_account(
    book: Book, name: str, *, friend_cap: int | None = None, wechat_id: str = "", note: str = ""
) -> int:
    from kamtui import settings

    name = validate.text(name, "account_name", required=True, max_len=100)
    cap = settings.get(book, "account.default_cap") if friend_cap is None else friend_cap
    cap = validate.integer(cap, "friend_cap", low=1, high=1_000_000)
    with book.transaction() as con:
        if con.execute("SELECT 1 FROM account WHERE name = ?", (name,)).fetchone():
            raise ValidationError("account_name", t("err.account_exists", value=name))
        return rows.insert(
            con,
            "account",
            {
                "name": name,
                "friend_cap": cap,
                "wechat_id": validate.text(wechat_id, "wechat_id", max_len=100),
                "note": validate.text(note, "note"),
                "created_at": rows.now_text(),
            },
        )


def update_account(book: Book, account_id: int, **changes) -> None:
    data = {}
    if "name" in changes:
        data["name"] = validate.text(changes["name"], "account_name", required=True, max_len=100)
    if "friend_cap" in changes:
        data["friend_cap"] = validate.integer(
            changes["friend_cap"], "friend_cap", low=1, high=1_000_000
        )
    if "wechat_id" in changes:
        data["wechat_id"] = validate.text(changes["wechat_id"], "wechat_id", max_len=100)
    if "note" in changes:
        data["note"] = validate.text(changes["note"], "note")
    unknown = set(changes) - {"name", "friend_cap", "wechat_id", "note"}
    if unknown:
        raise ValidationError(sorted(unknown)[0], t("err.unknown_field", value=sorted(unknown)[0]))
    with book.transaction() as con:
        if (
            "name" in data
            and con.execute(
                "SELECT 1 FROM account WHERE name = ? AND id != ?", (data["name"], account_id)
            ).fetchone()
        ):
            raise ValidationError("account_name", t("err.account_exists", value=data["name"]))
        if not rows.update(con, "account", {"id": account_id}, data) and data:
            raise ValidationError("account", t("err.account_unknown", value=account_id))


def resolve_account(book: Book, value: str | int | None, *, field: str = "account") -> int | None:
    """An account id from its id or name (None stays None); unknown names raise."""
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        if book.scalar("SELECT id FROM account WHERE id = ?", (value,)) is None:
            raise ValidationError(field, t("err.account_unknown", value=value))
        return value
    name = str(value).strip()
    found = book.scalar("SELECT id FROM account WHERE name = ?", (name,))
    if found is None:
        found = book.scalar("SELECT id FROM account WHERE lower(name) = lower(?)", (name,))
    if found is None:
        raise ValidationError(field, t("err.account_unknown", value=name))
    return found


def list_accounts(book: Book) -> list[AccountInfo]:
    """Every account with its friends used (contacts not archived), in creation order."""
    result = book.query(
        """
        SELECT a.id, a.name, a.wechat_id, a.friend_cap, a.note,
               (SELECT count(*) FROM contact c WHERE c.account_id = a.id AND c.archived = 0)
        FROM account a ORDER BY a.id
        """
    )
    return [AccountInfo(*r) for r in result]

"""Interactions: every touch with a contact. "Last contacted" is derived from them.

A complaint is an interaction that stays open until resolved; a return visit
(回访) is a follow-up after a sale.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from kamtui import clock, validate
from kamtui.contacts import require_contact
from kamtui.store import rows

if TYPE_CHECKING:
    from kamtui.store.db import Book

KINDS = ("chat", "call", "moments", "meeting", "gift", "survey", "complaint", "visit", "followup")
KIND_WORDS = {
    "聊天": "chat", "微信": "chat", "电话": "call", "朋友圈": "moments", "点赞": "moments",
    "评论": "moments", "见面": "meeting", "拜访": "meeting", "送礼": "gift", "礼物": "gift",
    "调查": "survey", "问卷": "survey", "投诉": "complaint", "回访": "visit", "跟进": "followup",
}  # fmt: skip


@dataclass(frozen=True)
class InteractionRow:
    id: int
    contact_id: int
    kind: str
    occurred_on: date
    summary: str
    is_open: bool
    resolved_on: date | None


def clean_kind(value: str) -> str:
    s = str(value or "").strip().lower()
    return KIND_WORDS.get(s) or validate.choice(s, "kind", KINDS)


def log_interaction(
    book: Book,
    contact_id: int,
    kind: str = "chat",
    summary: str = "",
    occurred_on: date | None = None,
    *,
    is_open: bool | None = None,
) -> int:
    """Record a touch; complaints are open unless said otherwise."""
    kind = clean_kind(kind)
    summary = validate.text(summary, "summary", max_len=2000)
    with book.transaction() as con:
        require_contact(con, contact_id)
        return rows.insert(
            con,
            "interaction",
            {
                "contact_id": contact_id,
                "kind": kind,
                "occurred_on": occurred_on or clock.today(),
                "summary": summary,
                "is_open": kind == "complaint" if is_open is None else is_open,
                "created_at": rows.now_text(),
            },
        )


def resolve_complaint(book: Book, interaction_id: int, resolved_on: date | None = None) -> None:
    with book.transaction() as con:
        rows.update(
            con,
            "interaction",
            {"id": interaction_id},
            {"is_open": False, "resolved_on": resolved_on or clock.today()},
        )


def list_interactions(
    book: Book, contact_id: int, limit: int | None = None
) -> list[InteractionRow]:
    sql = (
        "SELECT id, contact_id, kind, occurred_on, summary, is_open, resolved_on "
        "FROM interaction WHERE contact_id = ? ORDER BY occurred_on DESC, id DESC"
    )
    params: tuple = (contact_id,)
    if limit:
        sql += " LIMIT ?"
        params += (limit,)
    return [
        InteractionRow(
            r[0], r[1], r[2], date.fromisoformat(r[3]), r[4], bool(r[5]), rows.to_date(r[6])
        )
        for r in book.query(sql, params)
    ]


def last_contact_on(book: Book, contact_id: int) -> date | None:
    value = book.scalar(
        "SELECT max(occurred_on) FROM interaction WHERE contact_id = ?", (contact_id,)
    )
    return rows.to_date(value)


def last_contact_dates(book: Book) -> dict[int, date]:
    """Last interaction day of every contact that has one (one indexed scan)."""
    return {
        cid: date.fromisoformat(d)
        for cid, d in book.query(
            "SELECT contact_id, max(occurred_on) FROM interaction GROUP BY contact_id"
        )
    }


def open_complaints(book: Book) -> list[InteractionRow]:
    return [
        InteractionRow(
            r[0], r[1], r[2], date.fromisoformat(r[3]), r[4], bool(r[5]), rows.to_date(r[6])
        )
        for r in book.query(
            "SELECT id, contact_id, kind, occurred_on, summary, is_open, resolved_on "
            "FROM interaction WHERE is_open = 1 ORDER BY occurred_on"
        )
    ]

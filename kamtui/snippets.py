"""Saved snippets (收藏): what a customer said that shows a hobby, job, need or worry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from kamtui import clock, validate
from kamtui.contacts import require_contact
from kamtui.store import rows

if TYPE_CHECKING:
    from kamtui.store.db import Book

KINDS = ("hobby", "job", "need", "worry")
KIND_WORDS = {
    "hobby": "hobby", "爱好": "hobby", "兴趣": "hobby", "h": "hobby",
    "job": "job", "工作": "job", "职业": "job", "j": "job",
    "need": "need", "需求": "need", "需要": "need", "n": "need",
    "worry": "worry", "顾虑": "worry", "担心": "worry", "w": "worry",
}  # fmt: skip


@dataclass(frozen=True)
class SnippetRow:
    id: int
    contact_id: int
    kind: str
    saved_on: date
    text: str
    closed: bool


def clean_kind(value: str) -> str:
    kind = KIND_WORDS.get(str(value or "").strip().lower())
    if kind is None:
        return validate.choice(value, "kind", KINDS)
    return kind


def add_snippet(
    book: Book, contact_id: int, kind: str, text: str, saved_on: date | None = None
) -> int:
    kind = clean_kind(kind)
    body = validate.text(text, "text", required=True)
    with book.transaction() as con:
        require_contact(con, contact_id)
        return rows.insert(
            con,
            "snippet",
            {
                "contact_id": contact_id,
                "kind": kind,
                "saved_on": saved_on or clock.today(),
                "text": body,
                "created_at": rows.now_text(),
            },
        )


def set_snippet_closed(book: Book, snippet_id: int, closed: bool = True) -> None:
    """Close a need that has been met (it no longer marks the contact as a prospect)."""
    with book.transaction() as con:
        rows.update(con, "snippet", {"id": snippet_id}, {"closed": closed})


def list_snippets(book: Book, contact_id: int) -> dict[str, list[SnippetRow]]:
    """The contact's snippets grouped by kind (hobby, job, need, worry), newest first."""
    out: dict[str, list[SnippetRow]] = {k: [] for k in KINDS}
    for r in book.query(
        "SELECT id, contact_id, kind, saved_on, text, closed FROM snippet "
        "WHERE contact_id = ? ORDER BY saved_on DESC, id DESC",
        (contact_id,),
    ):
        out.setdefault(r[2], []).append(
            SnippetRow(r[0], r[1], r[2], date.fromisoformat(r[3]), r[4], bool(r[5]))
        )
    return out

"""Tags (标签): names shared by contacts, case-insensitive."""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from collections.abc import Iterable
from typing import TYPE_CHECKING

from kamtui.errors import NotFound, ValidationError
from kamtui.i18n import t
from kamtui.store import rows

if TYPE_CHECKING:
    from kamtui.store.db import Book

_SPLIT = re.compile(r"[,，;；、\s]+")
_BAD = re.compile(r"[\s,，;；、\x00-\x1f]")


def clean_tag_name(name: str) -> str:
    """One tag name: NFKC, trimmed, without a leading ``#``; no spaces or commas inside."""
    s = unicodedata.normalize("NFKC", str(name)).strip().lstrip("#").strip()
    if not s or _BAD.search(s) or len(s) > 50:
        raise ValidationError("tags", t("err.tag_invalid", value=name))
    return s


def clean_tag_names(value: str | Iterable[str] | None) -> list[str]:
    """Tag names from a list or a text like ``VIP, 宝妈 #复购``; duplicates removed."""
    if value is None:
        return []
    parts = _SPLIT.split(value) if isinstance(value, str) else list(value)
    out: list[str] = []
    seen: set[str] = set()
    for p in parts:
        if isinstance(p, str) and not p.strip().lstrip("#"):
            continue
        name = clean_tag_name(p)
        if name.lower() not in seen:
            seen.add(name.lower())
            out.append(name)
    return out


def _tag_ids(con: sqlite3.Connection, names: list[str], *, create: bool) -> list[int]:
    ids = []
    for name in names:
        row = con.execute("SELECT id FROM tag WHERE name = ?", (name,)).fetchone()
        if row is None:
            if not create:
                raise NotFound(t("err.tag_unknown", value=name))
            row = (rows.insert(con, "tag", {"name": name, "created_at": rows.now_text()}),)
        ids.append(row[0])
    return ids


def link_tags(con: sqlite3.Connection, contact_ids: list[int], names: list[str]) -> None:
    tag_ids = _tag_ids(con, names, create=True)
    con.executemany(
        "INSERT OR IGNORE INTO contact_tag (contact_id, tag_id) VALUES (?, ?)",
        [(c, tg) for c in contact_ids for tg in tag_ids],
    )


def replace_tags(con: sqlite3.Connection, contact_id: int, names: list[str]) -> None:
    con.execute("DELETE FROM contact_tag WHERE contact_id = ?", (contact_id,))
    link_tags(con, [contact_id], names)


def tag_contacts(book: Book, contact_ids: Iterable[int], names) -> None:
    """Add tags (created if new) to contacts."""
    from kamtui.contacts import refresh_search_keys

    ids = list(contact_ids)
    names = clean_tag_names(names)
    if len(ids) > 1:
        from kamtui.contacts import _safety_backup

        _safety_backup(book, "bulk")
    with book.transaction(undo=t("undo.bulk", n=len(ids)) if len(ids) > 1 else None) as con:
        link_tags(con, ids, names)
        refresh_search_keys(con, ids)


def untag_contacts(book: Book, contact_ids: Iterable[int], names) -> None:
    from kamtui.contacts import refresh_search_keys

    ids = list(contact_ids)
    names = clean_tag_names(names)
    if len(ids) > 1:
        from kamtui.contacts import _safety_backup

        _safety_backup(book, "bulk")
    with book.transaction(undo=t("undo.bulk", n=len(ids)) if len(ids) > 1 else None) as con:
        tag_ids = [
            r[0]
            for n in names
            for r in con.execute("SELECT id FROM tag WHERE name = ?", (n,)).fetchall()
        ]
        for part in rows.chunks(ids):
            con.execute(
                f"DELETE FROM contact_tag WHERE contact_id IN ({rows.marks(len(part))}) "
                f"AND tag_id IN ({rows.marks(len(tag_ids))})",
                (*part, *tag_ids),
            )
        refresh_search_keys(con, ids)


def set_contact_tags(book: Book, contact_id: int, names) -> None:
    from kamtui.contacts import refresh_search_keys

    names = clean_tag_names(names)
    with book.transaction() as con:
        replace_tags(con, contact_id, names)
        refresh_search_keys(con, [contact_id])


def contact_tags(book: Book, contact_id: int) -> list[str]:
    return [
        r[0]
        for r in book.query(
            "SELECT t.name FROM contact_tag ct JOIN tag t ON t.id = ct.tag_id "
            "WHERE ct.contact_id = ? ORDER BY t.name",
            (contact_id,),
        )
    ]


def list_tags(book: Book) -> list[tuple[str, int]]:
    """Every tag with how many active (not archived) contacts carry it, most used first."""
    return book.query(
        """
        SELECT t.name, count(c.id) FROM tag t
        LEFT JOIN contact_tag ct ON ct.tag_id = t.id
        LEFT JOIN contact c ON c.id = ct.contact_id AND c.archived = 0
        GROUP BY t.id ORDER BY count(c.id) DESC, t.name
        """
    )


def rename_tag(book: Book, old: str, new: str) -> None:
    """Rename a tag everywhere; renaming onto an existing tag merges the two."""
    from kamtui.contacts import refresh_search_keys

    old_name, new_name = clean_tag_name(old), clean_tag_name(new)
    with book.transaction(undo=t("undo.bulk", n=1)) as con:
        (old_id,) = _tag_ids(con, [old_name], create=False)
        ids = [
            r[0]
            for r in con.execute(
                "SELECT contact_id FROM contact_tag WHERE tag_id = ?", (old_id,)
            ).fetchall()
        ]
        target = con.execute(
            "SELECT id FROM tag WHERE name = ? AND id != ?", (new_name, old_id)
        ).fetchone()
        if target is None:
            con.execute("UPDATE tag SET name = ? WHERE id = ?", (new_name, old_id))
        else:
            con.execute(
                "INSERT OR IGNORE INTO contact_tag (contact_id, tag_id) "
                "SELECT contact_id, ? FROM contact_tag WHERE tag_id = ?",
                (target[0], old_id),
            )
            con.execute("DELETE FROM contact_tag WHERE tag_id = ?", (old_id,))
            con.execute("DELETE FROM tag WHERE id = ?", (old_id,))
        refresh_search_keys(con, ids)

"""Contacts: create, update, favourite, archive, restore, merge, purge.

Validation lives here: every field a seller or an import can set goes through
:func:`clean_fields`, which raises :class:`~kamtui.errors.ValidationError`
naming the field. The stored search key is refreshed whenever a field it
covers changes (:func:`refresh_search_keys`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from kamtui import clock, validate
from kamtui.errors import NotFound, ValidationError
from kamtui.i18n import t
from kamtui.phone import normalize_phone
from kamtui.searchkey import build_search_key
from kamtui.store import rows

if TYPE_CHECKING:
    from kamtui.store.db import Book
    from kamtui.store.models import Contact

TEXT_FIELDS = {
    "nickname": 200,
    "remark": 200,
    "country": 100,
    "province": 100,
    "city": 100,
    "occupation": 200,
    "source": 200,
    "description": 20_000,
}
BOOL_FIELDS = ("favourite", "intent", "is_ad", "blocked_me")
BIRTH_FIELDS = ("birth_year", "birth_month", "birth_day", "birth_lunar", "birth_leap")
EDITABLE = (
    set(TEXT_FIELDS)
    | set(BOOL_FIELDS)
    | set(BIRTH_FIELDS)
    | {
        "account",
        "account_id",
        "wechat_id",
        "phone",
        "gender",
        "birthday",
        "added_on",
        "picture_path",
        "potential",
        "last_moment_on",
        "tags",
    }
)
# Fields that feed the search key.
KEY_FIELDS = (
    "remark",
    "nickname",
    "wechat_id",
    "phone",
    "country",
    "province",
    "city",
    "occupation",
    "description",
)
GENDERS = {
    "m": "m",
    "male": "m",
    "男": "m",
    "1": "m",
    "f": "f",
    "female": "f",
    "女": "f",
    "2": "f",
    "": "",
    "0": "",
    "unknown": "",
    "未知": "",
}


def _gender(value) -> str:
    key = str(value or "").strip().lower()
    if key not in GENDERS:
        raise ValidationError(
            "gender", t("err.choice", field=validate.label("gender"), value=value, choices="男/女")
        )
    return GENDERS[key]


def _optional_date(value, field: str) -> date | None:
    if value is None or value == "":
        return None
    from kamtui.dates import parse_date_value

    return parse_date_value(value, field)


def _birthday(value) -> dict[str, Any]:
    """birth_* columns from a Birthday, text (1990-05-01, 05-01, 农历三月初五) or None."""
    from kamtui.dates import Birthday, parse_birthday

    b = value if isinstance(value, Birthday) or value is None else parse_birthday(value, "birthday")
    if b is None:
        return dict.fromkeys(BIRTH_FIELDS[:3]) | {"birth_lunar": False, "birth_leap": False}
    return b.columns()


def clean_fields(book: Book, fields: Mapping[str, Any]) -> dict[str, Any]:
    """Validate and convert contact fields; returns column values (plus ``tags``)."""
    out: dict[str, Any] = {}
    for name, value in fields.items():
        if name not in EDITABLE:
            raise ValidationError(name, t("err.unknown_field", value=name))
        if name in TEXT_FIELDS:
            out[name] = validate.text(value, name, max_len=TEXT_FIELDS[name])
        elif name in BOOL_FIELDS:
            out[name] = validate.boolean(value)
        elif name in ("account", "account_id"):
            from kamtui.accounts import resolve_account

            out["account_id"] = resolve_account(book, value)
        elif name == "wechat_id":
            out[name] = validate.text(value, name, max_len=100) or None
        elif name == "phone":
            out[name] = normalize_phone(value)
        elif name == "gender":
            out[name] = _gender(value)
        elif name == "birthday":
            out.update(_birthday(value))
        elif name in ("birth_year", "birth_month", "birth_day"):
            low, high = {"birth_year": (1900, 2100), "birth_month": (1, 12)}.get(name, (1, 31))
            out[name] = (
                None if value in (None, "") else validate.integer(value, name, low=low, high=high)
            )
        elif name in ("birth_lunar", "birth_leap"):
            out[name] = validate.boolean(value)
        elif name == "added_on":
            out[name] = _optional_date(value, name) or clock.today()
        elif name == "last_moment_on":
            out[name] = _optional_date(value, name)
        elif name == "picture_path":
            out[name] = validate.text(value, name, max_len=1000) or None
        elif name == "potential":
            out[name] = validate.integer(value, name, low=1, high=5)
        elif name == "tags":
            from kamtui.tags import clean_tag_names

            out["tags"] = clean_tag_names(value)
    if {"birth_month", "birth_day"} & out.keys() and "birthday" not in fields:
        _check_birth_parts(out)
    return out


def _check_birth_parts(out: dict[str, Any]) -> None:
    """Birthday columns given one by one must make a real birthday (solar or lunar)."""
    from kamtui.dates import Birthday

    month, day = out.get("birth_month"), out.get("birth_day")
    if (month is None) != (day is None):
        raise ValidationError("birthday", t("err.birthday_invalid", value=f"{month}-{day}"))
    if month is not None:
        Birthday(
            month,
            day,
            out.get("birth_year"),
            out.get("birth_lunar", False),
            out.get("birth_leap", False),
        )


def _require_name(data: Mapping[str, Any]) -> None:
    if not (data.get("remark") or data.get("nickname")):
        raise ValidationError("nickname", t("err.required", field=t("field.name")))


def create_contact(book: Book, **fields) -> int:
    """Add a contact; returns its id. ``tags`` may be given as a list of names."""
    data = clean_fields(book, fields)
    _require_name(data)
    tags = data.pop("tags", [])
    data.setdefault("added_on", clock.today())
    _check_birth_parts(data)
    stamp = rows.now_text()
    data["created_at"] = stamp
    data["updated_at"] = stamp
    with book.transaction() as con:
        contact_id = rows.insert(con, "contact", data)
        if tags:
            from kamtui.tags import link_tags

            link_tags(con, [contact_id], tags)
        refresh_search_keys(con, [contact_id])
    return contact_id


def update_contact(book: Book, contact_id: int, **fields) -> None:
    """Change some fields of a contact (all validated first, then saved together)."""
    data = clean_fields(book, fields)
    tags = data.pop("tags", None)
    with book.transaction() as con:
        current = con.execute(
            "SELECT remark, nickname FROM contact WHERE id = ?", (contact_id,)
        ).fetchone()
        if current is None:
            raise NotFound(t("err.contact_unknown", value=contact_id))
        merged = {"remark": current[0], "nickname": current[1]} | {
            k: v for k, v in data.items() if k in ("remark", "nickname")
        }
        _require_name(merged)
        if data:
            data["updated_at"] = rows.now_text()
            rows.update(con, "contact", {"id": contact_id}, data)
        if tags is not None:
            from kamtui.tags import replace_tags

            replace_tags(con, contact_id, tags)
        if tags is not None or KEY_FIELDS_SET & data.keys():
            refresh_search_keys(con, [contact_id])


KEY_FIELDS_SET = set(KEY_FIELDS)


def refresh_search_keys(con: sqlite3.Connection, contact_ids: Iterable[int]) -> None:
    """Recompute and store the search key of these contacts (inside a write transaction)."""
    ids = list(contact_ids)
    for part in rows.chunks(ids):
        q = rows.marks(len(part))
        tag_rows = con.execute(
            f"""SELECT ct.contact_id, t.name FROM contact_tag ct JOIN tag t ON t.id = ct.tag_id
                WHERE ct.contact_id IN ({q}) ORDER BY t.name""",
            part,
        ).fetchall()
        tags: dict[int, list[str]] = {}
        for cid, name in tag_rows:
            tags.setdefault(cid, []).append(name)
        found = con.execute(
            f"SELECT id, {', '.join(KEY_FIELDS)} FROM contact WHERE id IN ({q})", part
        ).fetchall()
        con.executemany(
            "UPDATE contact SET search_key = ? WHERE id = ?",
            [
                (
                    build_search_key(
                        **{k: (v or "") for k, v in zip(KEY_FIELDS, r[1:], strict=True)},
                        tags=tags.get(r[0], []),
                    ),
                    r[0],
                )
                for r in found
            ],
        )


_RECORD_FIELDS = (
    "id", "account_id", "nickname", "remark", "wechat_id", "phone", "country", "province",
    "city", "occupation", "gender", "birth_year", "birth_month", "birth_day", "birth_lunar",
    "birth_leap", "source", "added_on", "description", "picture_path", "favourite", "intent",
    "potential", "is_ad", "blocked_me", "last_moment_on", "archived", "archived_at",
    "search_key", "created_at", "updated_at", "merged_into_id",
)  # fmt: skip
_RECORD_DATES = ("added_on", "last_moment_on")
_RECORD_TIMES = ("archived_at", "created_at", "updated_at")
_RECORD_BOOLS = ("birth_lunar", "birth_leap", "favourite", "intent", "is_ad", "blocked_me",
                 "archived")  # fmt: skip


class ContactRecord(NamedTuple):
    """A contact's stored fields, read with plain sqlite3: the fields and types of
    :class:`kamtui.store.models.Contact`, without importing SQLModel (~0.3 s and ~30 MB
    the first time), for screens that only show a contact."""

    id: int
    account_id: int | None
    nickname: str
    remark: str
    wechat_id: str | None
    phone: str | None
    country: str
    province: str
    city: str
    occupation: str
    gender: str
    birth_year: int | None
    birth_month: int | None
    birth_day: int | None
    birth_lunar: bool
    birth_leap: bool
    source: str
    added_on: date
    description: str
    picture_path: str | None
    favourite: bool
    intent: bool
    potential: int
    is_ad: bool
    blocked_me: bool
    last_moment_on: date | None
    archived: bool
    archived_at: datetime | None
    search_key: str
    created_at: datetime
    updated_at: datetime
    merged_into_id: int | None


def get_record(book: Book, contact_id: int) -> ContactRecord:
    """The contact's stored fields (see :class:`ContactRecord`); raises NotFound."""
    found = book.query(
        f"SELECT {', '.join(_RECORD_FIELDS)} FROM contact WHERE id = ?", (contact_id,)
    )
    if not found:
        raise NotFound(t("err.contact_unknown", value=contact_id))
    values = dict(zip(_RECORD_FIELDS, found[0], strict=True))
    for name in _RECORD_DATES:
        values[name] = rows.to_date(values[name])
    for name in _RECORD_TIMES:
        values[name] = rows.to_datetime(values[name])
    for name in _RECORD_BOOLS:
        values[name] = bool(values[name])
    return ContactRecord(**values)


def get_contact(book: Book, contact_id: int) -> Contact:
    """The contact as a typed record; raises NotFound."""
    from kamtui.store.models import Contact

    with book.session() as s:
        contact = s.get(Contact, contact_id)
    if contact is None:
        raise NotFound(t("err.contact_unknown", value=contact_id))
    return contact


def require_contact(con: sqlite3.Connection, contact_id: int) -> None:
    if con.execute("SELECT 1 FROM contact WHERE id = ?", (contact_id,)).fetchone() is None:
        raise NotFound(t("err.contact_unknown", value=contact_id))


def display_names(book: Book, contact_ids: Iterable[int]) -> dict[int, str]:
    from kamtui.fmt import display_name

    ids = list(contact_ids)
    out: dict[int, str] = {}
    for part in rows.chunks(ids):
        for cid, remark, nickname in book.query(
            f"SELECT id, remark, nickname FROM contact WHERE id IN ({rows.marks(len(part))})", part
        ):
            out[cid] = display_name(remark, nickname, cid)
    return out


def set_favourite(book: Book, contact_ids: Iterable[int], value: bool = True) -> int:
    """Pin (or unpin) contacts; returns how many changed."""
    ids = list(contact_ids)
    changed = 0
    if len(ids) > 1:
        _safety_backup(book, "bulk")
    with book.transaction(undo=t("undo.bulk", n=len(ids)) if len(ids) > 1 else None) as con:
        for part in rows.chunks(ids):
            changed += con.execute(
                f"UPDATE contact SET favourite = ?, updated_at = ? "
                f"WHERE id IN ({rows.marks(len(part))}) AND favourite != ?",
                (int(value), rows.now_text(), *part, int(value)),
            ).rowcount
    return changed


def toggle_favourite(book: Book, contact_id: int) -> bool:
    """Flip the pin of one contact; returns the new value."""
    current = book.scalar("SELECT favourite FROM contact WHERE id = ?", (contact_id,))
    if current is None:
        raise NotFound(t("err.contact_unknown", value=contact_id))
    set_favourite(book, [contact_id], not current)
    return not current


def _safety_backup(book: Book, reason: str) -> None:
    """A (throttled) consistent copy before a bulk change or a merge; a failure stops it."""
    from kamtui.store.backup import safety_backup

    safety_backup(book, reason)


def archive_contacts(book: Book, contact_ids: Iterable[int]) -> int:
    """Hide contacts everywhere (restorable, undoable). Returns how many were archived."""
    ids = list(contact_ids)
    changed = 0
    if len(ids) > 1:
        _safety_backup(book, "bulk")
    with book.transaction(undo=t("undo.archive", n=len(ids))) as con:
        stamp = rows.now_text()
        for part in rows.chunks(ids):
            changed += con.execute(
                f"UPDATE contact SET archived = 1, archived_at = ?, updated_at = ? "
                f"WHERE id IN ({rows.marks(len(part))}) AND archived = 0",
                (stamp, stamp, *part),
            ).rowcount
    return changed


def restore_contacts(book: Book, contact_ids: Iterable[int]) -> int:
    ids = list(contact_ids)
    changed = 0
    if len(ids) > 1:
        _safety_backup(book, "bulk")
    with book.transaction(undo=t("undo.restore", n=len(ids))) as con:
        stamp = rows.now_text()
        for part in rows.chunks(ids):
            changed += con.execute(
                f"UPDATE contact SET archived = 0, archived_at = NULL, updated_at = ? "
                f"WHERE id IN ({rows.marks(len(part))}) AND archived = 1",
                (stamp, *part),
            ).rowcount
    return changed


# Columns a merge can take from either contact (the rest follow rules below).
MERGE_FIELDS = (
    "account_id",
    "nickname",
    "remark",
    *rows.CONTACT_PROFILE,
    "potential",
    "last_moment_on",
)
_BIRTH_GROUP = ("birth_year", "birth_month", "birth_day", "birth_lunar", "birth_leap")
CHILD_TABLES = ("interaction", "purchase", "payment", "snippet", "reminder", "satisfaction")


def merge_contacts(
    book: Book, keep_id: int, drop_id: int, take_from_drop: Iterable[str] = ()
) -> None:
    """Merge ``drop_id`` into ``keep_id`` as one undoable step.

    The survivor keeps its own values except the fields named in
    ``take_from_drop`` (empty fields are filled from the other contact either
    way). Every interaction, purchase, payment, snippet, reminder, rating, tag
    and referral of both ends up on the survivor; the other contact is
    archived with a note, so nothing is lost.
    """
    if keep_id == drop_id:
        raise ValidationError("contact", t("err.merge_same"))
    take = set(take_from_drop)
    unknown = take - set(MERGE_FIELDS) - {"birthday"}
    if unknown:
        raise ValidationError(sorted(unknown)[0], t("err.unknown_field", value=sorted(unknown)[0]))
    if "birthday" in take or take & set(_BIRTH_GROUP):
        take |= set(_BIRTH_GROUP)
    names = display_names(book, [keep_id, drop_id])
    _safety_backup(book, "merge")
    with book.transaction(
        undo=t("undo.merge", a=names.get(keep_id, keep_id), b=names.get(drop_id, drop_id))
    ) as con:
        cols = ", ".join(("favourite", "intent", "is_ad", "blocked_me", *MERGE_FIELDS))
        keep = con.execute(f"SELECT {cols} FROM contact WHERE id = ?", (keep_id,)).fetchone()
        drop = con.execute(f"SELECT {cols} FROM contact WHERE id = ?", (drop_id,)).fetchone()
        if keep is None:
            raise NotFound(t("err.contact_unknown", value=keep_id))
        if drop is None:
            raise NotFound(t("err.contact_unknown", value=drop_id))
        names_all = ("favourite", "intent", "is_ad", "blocked_me", *MERGE_FIELDS)
        k = dict(zip(names_all, keep, strict=True))
        d = dict(zip(names_all, drop, strict=True))
        data: dict[str, Any] = {}
        keep_has_birthday = k["birth_month"] is not None
        for f in MERGE_FIELDS:
            if f in take:
                data[f] = d[f]
            elif f in _BIRTH_GROUP:
                if not keep_has_birthday and d["birth_month"] is not None:
                    data[f] = d[f]
            elif f == "added_on":
                data[f] = min(k[f], d[f])
            elif f == "last_moment_on":
                data[f] = max((x for x in (k[f], d[f]) if x), default=None)
            elif f == "description" and d[f] and d[f] not in (k[f] or ""):
                data[f] = f"{k[f]}\n{d[f]}".strip()
            elif k[f] in (None, "") and d[f] not in (None, ""):
                data[f] = d[f]
        data["favourite"] = bool(k["favourite"] or d["favourite"])
        data["intent"] = bool(k["intent"] or d["intent"])
        data["is_ad"] = bool(k["is_ad"] and d["is_ad"])
        data["blocked_me"] = bool(k["blocked_me"] and d["blocked_me"])
        data["updated_at"] = rows.now_text()
        rows.update(con, "contact", {"id": keep_id}, data)
        for table in CHILD_TABLES:
            con.execute(
                f"UPDATE {table} SET contact_id = ? WHERE contact_id = ?", (keep_id, drop_id)
            )
        con.execute(
            """INSERT OR IGNORE INTO contact_tag (contact_id, tag_id)
               SELECT ?, tag_id FROM contact_tag WHERE contact_id = ?""",
            (keep_id, drop_id),
        )
        con.execute("DELETE FROM contact_tag WHERE contact_id = ?", (drop_id,))
        _merge_referrals(con, keep_id, drop_id)
        stamp = rows.now_text()
        con.execute(
            """UPDATE contact SET archived = 1, archived_at = ?, updated_at = ?,
               merged_into_id = ?, description = trim(description || char(10) || ?)
               WHERE id = ?""",
            (stamp, stamp, keep_id, t("contacts.merged_into", id=keep_id), drop_id),
        )
        # Contacts merged into the dropped one now belong to the survivor.
        con.execute(
            "UPDATE contact SET merged_into_id = ? WHERE merged_into_id = ?", (keep_id, drop_id)
        )
        refresh_search_keys(con, [keep_id, drop_id])


def _merge_referrals(con: sqlite3.Connection, keep_id: int, drop_id: int) -> None:
    # A referral between the two would become a self-referral: drop it.
    con.execute(
        "DELETE FROM referral WHERE (referrer_id = ? AND referred_id = ?) "
        "OR (referrer_id = ? AND referred_id = ?)",
        (keep_id, drop_id, drop_id, keep_id),
    )
    con.execute("UPDATE referral SET referrer_id = ? WHERE referrer_id = ?", (keep_id, drop_id))
    keep_referred = con.execute(
        "SELECT 1 FROM referral WHERE referred_id = ?", (keep_id,)
    ).fetchone()
    if keep_referred:
        con.execute("DELETE FROM referral WHERE referred_id = ?", (drop_id,))
    else:
        con.execute("UPDATE referral SET referred_id = ? WHERE referred_id = ?", (keep_id, drop_id))


def purge_contact(book: Book, contact_id: int) -> None:
    """Erase a contact and everything about them for good (not undoable).

    Use only on explicit request (the right to deletion); everything else archives.
    """
    with book.transaction() as con:
        require_contact(con, contact_id)
        con.execute("DELETE FROM payment WHERE contact_id = ?", (contact_id,))
        con.execute(
            "DELETE FROM payment WHERE purchase_id IN "
            "(SELECT id FROM purchase WHERE contact_id = ?)",
            (contact_id,),
        )
        for table in ("interaction", "purchase", "snippet", "reminder", "satisfaction"):
            con.execute(f"DELETE FROM {table} WHERE contact_id = ?", (contact_id,))
        con.execute("DELETE FROM contact_tag WHERE contact_id = ?", (contact_id,))
        con.execute(
            "DELETE FROM referral WHERE referrer_id = ? OR referred_id = ?",
            (contact_id, contact_id),
        )
        con.execute(
            "UPDATE contact SET merged_into_id = NULL WHERE merged_into_id = ?", (contact_id,)
        )
        con.execute("DELETE FROM contact WHERE id = ?", (contact_id,))

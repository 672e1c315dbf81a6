"""Saved import mappings ("profiles"), kept in the book.

Each profile is one ``setting`` row with the key ``import.profile.<name>`` and a
:meth:`Mapping.to_dict` JSON value. ``kamtui.settings`` only knows fixed keys, so
profiles have this small store of their own. The setting table is not recorded
for undo: undoing an import keeps the profile saved with it.

The import screen also keeps the folder of the last imported file here
(:func:`last_folder`, :func:`remember_folder`; key ``import.last_folder``).
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

from kamtui.errors import NotFound, ValidationError
from kamtui.i18n import t
from kamtui.importing.layouts import Mapping

if TYPE_CHECKING:
    from kamtui.store.db import Book

PREFIX = "import.profile."
MAX_NAME = 50
_BAD = re.compile(r"[\x00-\x1f\x7f]")


def clean_profile_name(name: str) -> str:
    s = str(name or "").strip()
    if not s or len(s) > MAX_NAME or _BAD.search(s):
        raise ValidationError("profile", t("import.profile_name_invalid", value=s, max=MAX_NAME))
    return s


def save_profile(book: Book, name: str, mapping: Mapping) -> str:
    """Save (or replace) a profile; returns the cleaned name."""
    name = clean_profile_name(name)
    value = json.dumps(mapping.to_dict(), ensure_ascii=False)
    with book.transaction() as con:
        con.execute(
            'INSERT INTO setting ("key", value) VALUES (?, ?) '
            'ON CONFLICT ("key") DO UPDATE SET value = excluded.value',
            (PREFIX + name, value),
        )
    return name


def load_profile(book: Book, name: str) -> Mapping:
    """The saved mapping; raises NotFound (listing the saved names) or ValidationError."""
    name = clean_profile_name(name)
    raw = book.scalar('SELECT value FROM setting WHERE "key" = ?', (PREFIX + name,))
    if raw is None:
        known = ", ".join(list_profiles(book)) or "-"
        raise NotFound(t("import.profile_unknown", value=name, known=known))
    try:
        data = json.loads(raw)
    except ValueError as err:
        raise ValidationError("profile", t("import.mapping_invalid", error=str(err))) from None
    return Mapping.from_dict(data)


def list_profiles(book: Book) -> list[str]:
    found = book.query(
        'SELECT "key" FROM setting WHERE substr("key", 1, ?) = ? ORDER BY "key"',
        (len(PREFIX), PREFIX),
    )
    return [k[len(PREFIX) :] for (k,) in found]


def delete_profile(book: Book, name: str) -> bool:
    name = clean_profile_name(name)
    with book.transaction() as con:
        return con.execute('DELETE FROM setting WHERE "key" = ?', (PREFIX + name,)).rowcount > 0


FOLDER_KEY = "import.last_folder"


def last_folder(book: Book) -> str | None:
    """The folder of the last file imported (the file chooser starts there), if any."""
    raw = book.scalar('SELECT value FROM setting WHERE "key" = ?', (FOLDER_KEY,))
    try:
        value = json.loads(raw) if raw else None
    except ValueError:
        return None
    return value if isinstance(value, str) and value else None


def remember_folder(book: Book, folder: str) -> None:
    """Remember where the last imported file was (a UI preference: not undone with it)."""
    with book.transaction() as con:
        con.execute(
            'INSERT INTO setting ("key", value) VALUES (?, ?) '
            'ON CONFLICT ("key") DO UPDATE SET value = excluded.value',
            (FOLDER_KEY, json.dumps(str(folder), ensure_ascii=False)),
        )

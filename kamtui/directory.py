"""The contact directory: the search index built from the book, with each contact's
stage, tier, reminders due, money owed, last contact and value.

One code path for every place that lists or finds contacts: the Contacts screen,
the contact picker, ``kamtui find``, export and clean-up queries.

* :func:`load` builds a :class:`Directory` for the whole book: one SQL pass
  (aggregates joined once, no query per contact) plus the classification.
* :meth:`Directory.refresh` re-reads a few contacts after they changed and
  updates the index in place (the index is never rebuilt for one change).
* :meth:`Directory.find` runs a query (text and filter tokens) and returns
  the ordered ids; :func:`find_ids` does it in one call for the CLI.

The search index is not thread-safe: build the directory in a worker, then use
it from one thread, except :meth:`Directory.warm`, which may run in a worker
meanwhile (``find``, ``refresh`` and ``warm`` take a lock).
"""

from __future__ import annotations

import string
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from kamtui.store import rows

if TYPE_CHECKING:
    from kamtui.classify import Classification
    from kamtui.search import Result, SearchIndex
    from kamtui.store.db import Book

# Columns in ContactRow order up to next_follow_up; value_365d comes from the
# classification (so it follows the tier rules: revenue or profit).
_SQL = """
SELECT c.id, c.search_key, c.favourite, c.archived, coalesce(a.name, ''),
       tg.tags,
       r.due_soon, coalesce(o.owed, 0) > 0, ic.last_on, c.added_on, r.next_on,
       c.remark, c.nickname
FROM contact c
LEFT JOIN account a ON a.id = c.account_id
LEFT JOIN (SELECT ct.contact_id, group_concat(t.name, char(31)) AS tags
           FROM contact_tag ct JOIN tag t ON t.id = ct.tag_id
           GROUP BY ct.contact_id) tg ON tg.contact_id = c.id
LEFT JOIN (SELECT contact_id, max(occurred_on) AS last_on
           FROM interaction GROUP BY contact_id) ic ON ic.contact_id = c.id
LEFT JOIN (SELECT contact_id,
                  min(coalesce(snoozed_until, due_on)) AS next_on,
                  max(coalesce(snoozed_until, due_on) <= ?) AS due_soon
           FROM reminder WHERE status = 'open' GROUP BY contact_id) r ON r.contact_id = c.id
LEFT JOIN (SELECT p.contact_id,
                  sum(p.amount_fen - coalesce(y.paid, 0)) AS owed
           FROM purchase p
           LEFT JOIN (SELECT purchase_id, sum(amount_fen) AS paid
                      FROM payment GROUP BY purchase_id) y ON y.purchase_id = p.id
           WHERE p.credit = 1 AND p.amount_fen > coalesce(y.paid, 0)
           GROUP BY p.contact_id) o ON o.contact_id = c.id
"""

# The same columns for a few contacts: correlated subqueries use the per-contact
# indexes, where _SQL's grouped joins read whole tables (0.2 s at 100,000 contacts).
_FEW_SQL = """
SELECT c.id, c.search_key, c.favourite, c.archived, coalesce(a.name, ''),
       (SELECT group_concat(t.name, char(31)) FROM contact_tag ct JOIN tag t ON t.id = ct.tag_id
        WHERE ct.contact_id = c.id),
       (SELECT max(coalesce(snoozed_until, due_on) <= ?) FROM reminder
        WHERE contact_id = c.id AND status = 'open'),
       coalesce((SELECT sum(p.amount_fen - coalesce(
                     (SELECT sum(y.amount_fen) FROM payment y WHERE y.purchase_id = p.id), 0))
                 FROM purchase p WHERE p.contact_id = c.id AND p.credit = 1
                 AND p.amount_fen > coalesce(
                     (SELECT sum(y.amount_fen) FROM payment y WHERE y.purchase_id = p.id), 0)),
                0) > 0,
       (SELECT max(occurred_on) FROM interaction WHERE contact_id = c.id),
       c.added_on,
       (SELECT min(coalesce(snoozed_until, due_on)) FROM reminder
        WHERE contact_id = c.id AND status = 'open'),
       c.remark, c.nickname
FROM contact c
LEFT JOIN account a ON a.id = c.account_id
"""

FEW = 2000  # refresh up to this many contacts with _FEW_SQL, more with _SQL


@dataclass(slots=True)
class Entry:
    """What a list row shows about a contact, besides what the index knows."""

    name: str
    nickname: str
    account: str
    tags: tuple[str, ...]
    last_contact: str | None
    next_follow_up: str | None
    favourite: bool
    archived: bool
    due: bool
    owed: bool


class Directory:
    """The whole book's contacts, searchable, with what each list row shows."""

    def __init__(self, book: Book, today: date, index: SearchIndex, entries: dict[int, Entry], cls):
        self.book = book
        self.today = today
        self.index = index
        self.entries = entries
        self.classification: Classification | None = cls
        self.warmed = False
        self._lock = threading.RLock()
        self.stamp = book.foreign_stamp()  # the book's state as other processes left it

    def is_current(self) -> bool:
        """No other process changed the book since this was built.

        This process's own changes are applied in place (:meth:`refresh`).
        """
        return self.stamp == self.book.foreign_stamp()

    def __len__(self) -> int:
        return len(self.entries)

    def find(self, query: str = "", sort: str = "last_contact", reverse: bool = False) -> Result:
        with self._lock:
            return self.index.search(query, sort=sort, reverse=reverse)

    def warm(self, stop: Callable[[], bool] = lambda: False) -> None:
        """Fill the search's caches before the seller types (run it in a worker, once).

        The first word of five letters or more builds the typo vocabulary (0.3 s
        at 100,000 contacts) and each first letter scans every name (30-50 ms):
        done here, a step at a time under the lock, they do not stall a keystroke.
        ``stop()`` true ends it early.
        """
        if self.warmed:
            return
        self.warmed = True
        for word in ("qqqqqqx", *string.ascii_lowercase, *string.digits):
            if stop():
                return
            with self._lock:
                self.index.search(word)

    def stage(self, contact_id: int) -> str:
        cls = self.classification
        return cls.stage_of(contact_id) if cls else ""

    def tier(self, contact_id: int) -> str | None:
        cls = self.classification
        return cls.tier_of(contact_id) if cls else None

    def refresh(self, contact_ids: Iterable[int], *, reclassify: bool = False) -> None:
        """Re-read these contacts (they changed) and update the index in place.

        ``reclassify``: their purchases or referrals changed, so stages and tiers
        may have moved; the whole book is classified again (it is cached and
        fast) before the rows are rebuilt.
        """
        ids = list(contact_ids)
        if reclassify:
            self.classification = _classify(self.book, self.today)
        with self._lock:
            self._refresh(ids)

    def _refresh(self, ids: list[int]) -> None:
        base = _FEW_SQL if len(ids) <= FEW else _SQL
        for part in rows.chunks(ids):
            sql = base + f" WHERE c.id IN ({rows.marks(len(part))})"
            found = self.book.query(sql, (self.today.isoformat(), *part))
            seen = set()
            for r in found:
                seen.add(r[0])
                self._put(r)
            for cid in set(part) - seen:  # purged
                self.index.remove(cid)
                self.entries.pop(cid, None)

    def _put(self, r) -> None:
        row, entry = _row(r, self.classification)
        self.index.update(row)
        self.entries[r[0]] = entry


def _classify(book: Book, today: date):
    try:
        from kamtui.classify import classify_all
    except ImportError:  # pragma: no cover - the classification module is part of kamtui
        return None
    return classify_all(book, today)


def _row(r, cls, shared: dict | None = None) -> tuple[tuple, Entry]:
    """The index row and the list entry of one contact.

    ``shared`` (one dict for a whole load): values that repeat across contacts
    (account names, days, tag lists) are kept once, not once per contact
    (~25 MB at 100,000 contacts).
    """
    from kamtui.fmt import display_name

    (cid, key, fav, archived, account, tags, due, owed, last_on, added, next_on, remark, nick) = r
    if shared is not None:
        account = shared.setdefault(account, account)
        last_on = shared.setdefault(last_on, last_on)
        added = shared.setdefault(added, added)
        next_on = shared.setdefault(next_on, next_on)
    stage = cls.stage_of(cid) if cls else ""
    tier = (cls.tier_of(cid) or "") if cls else ""
    value = cls.value.get(cid, 0) if cls else 0
    row = (cid, key, fav, archived, account, tags or "", stage, tier, bool(due), bool(owed),
           last_on, value, added, next_on)  # fmt: skip
    entry = Entry(
        name=display_name(remark, nick, cid),
        nickname=nick,
        account=account,
        tags=_tag_tuple(tags, shared),
        last_contact=last_on,
        next_follow_up=next_on,
        favourite=bool(fav),
        archived=bool(archived),
        due=bool(due),
        owed=bool(owed),
    )
    return row, entry


def _tag_tuple(tags: str | None, shared: dict | None) -> tuple[str, ...]:
    if not tags:
        return ()
    if shared is None:
        return tuple(tags.split("\x1f"))
    key = ("tags", tags)
    found = shared.get(key)
    if found is None:
        found = shared[key] = tuple(shared.setdefault(x, x) for x in tags.split("\x1f"))
    return found


def load(book: Book, today: date, *, classification=None) -> Directory:
    """The directory of the whole book on ``today`` (run it off the UI thread)."""
    from kamtui.search import SearchIndex

    cls = classification if classification is not None else _classify(book, today)
    entries: dict[int, Entry] = {}
    shared: dict = {}

    def rows_iter():
        cur = book.conn.execute(_SQL, (today.isoformat(),))
        while True:
            chunk = cur.fetchmany(4096)
            if not chunk:
                return
            for r in chunk:
                row, entry = _row(r, cls, shared)
                entries[r[0]] = entry
                yield row

    index = SearchIndex.from_rows(rows_iter())
    return Directory(book, today, index, entries, cls)


def find_ids(
    book: Book,
    query: str,
    *,
    today: date,
    sort: str = "last_contact",
    reverse: bool = False,
    limit: int | None = None,
) -> tuple[list[int], Directory, Result]:
    """Ids matching ``query`` in rank order (the same search as the Contacts screen)."""
    directory = load(book, today)
    result = directory.find(query, sort=sort, reverse=reverse)
    ids = list(result[:limit]) if limit else list(result[: len(result)])
    return ids, directory, result

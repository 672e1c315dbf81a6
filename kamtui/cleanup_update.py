"""The clean-up's identity analysis brought up to date with the contacts changed since.

:mod:`kamtui.cleanup` finds who duplicates whom over the whole book (~0.45 s at
100,000 contacts). Most mornings only a few hundred contacts changed since the
last analysis (kept in the process, or saved in the book for the next one), so a
review takes that analysis and redoes only what the changes can touch
(:func:`brought_up_to_date`); the result is the one a whole analysis would make
(``tests/test_cleanup_update.py`` checks it against one, edit after edit).

What changed is known without reading every contact: triggers note every write
to what the analysis reads of a contact in ``cleanup_change`` (migration v0008),
and contacts added on top are those above the highest id the analysis saw.

Whether two contacts match is a question about the two of them (the same WeChat
ID, the same phone, or alike names that nothing tells apart), with one
exception: which names are compared at all. Identical sound keys, a number
added (李娜 and 李娜2) and a character more at either end are looked up; but
longer names are compared with their neighbours in sorted order (the sorted
neighbourhood, see :mod:`kamtui.cleanup`), and a name added or gone changes who
the names around it are next to. So the contacts whose matches are made again
are: the changed ones, those they matched, and those holding a long name
within two places of a long name that came or went (in either order). Every
other pair is as it was.

The names are looked up in :class:`KeyIndex`: every position's sound key, sorted,
with the backwards forms of the longer keys; saved with the analysis, and
updated here by one pass of slices, not one list insert per change.
"""

from __future__ import annotations

import json
import time
from array import array
from bisect import bisect_left, bisect_right, insort
from collections import Counter
from itertools import compress
from typing import TYPE_CHECKING

from kamtui import cleanup as c
from kamtui.store import rows

if TYPE_CHECKING:
    from kamtui.store.db import Book

MOST_CHANGES = 5000  # more changed contacts than this: the whole analysis is made again
_SLICE = 8192  # keys sorted at a time when the index is made (see KeyIndex.build)
_TOP = "\U0010ffff"


def backwards(key: str) -> str:
    """A key's account mark, then its name written backwards."""
    return key[0] + key[:0:-1]


def _starting(keys: list[str], prefix: str, length: int) -> list[str]:
    """The keys of ``length`` characters that start with ``prefix`` (sorted ``keys``)."""
    out = []
    for i in range(bisect_left(keys, prefix), len(keys)):
        k = keys[i]
        if not k.startswith(prefix):
            break
        if len(k) == length and (not out or out[-1] != k):
            out.append(k)
    return out


def _patched(old: list, at: list | array | None, edits: list[tuple]) -> tuple[list, list | None]:
    """``old`` (and ``at``, the same order) with ``edits`` made in one pass of slices:
    (index, 0, key, position) inserts before ``old[index]``, (index, 1, ...) drops it."""
    keys: list = []
    pos = array("i") if at is not None else None
    prev = 0
    for i, kind, key, p in sorted(edits):
        if i > prev:
            keys += old[prev:i]
            if pos is not None:
                pos += at[prev:i]
            prev = i
        if kind == 0:
            keys.append(key)
            if pos is not None:
                pos.append(p)
        elif i >= prev:
            prev = i + 1
    keys += old[prev:]
    if pos is not None:
        pos += at[prev:]
    return keys, pos


class KeyIndex:
    """Every contact's sound key (account mark + name folded into sounds), sorted.

    ``keys`` (with repeats) and ``at`` (their positions, same order); ``back``: the
    distinct keys longer than ``min_len + 1`` written :func:`backwards`, sorted (a
    name with a character more after its first one is looked up there). The
    sorted neighbourhood's lists (the distinct long keys, both ways) are made
    from them when first asked for.
    """

    def __init__(self, keys: list[str], at: array, back: list[str], score: float) -> None:
        self.keys = keys
        self.at = at
        self.back = back
        self.score = score
        self.min_len = c._min_length(score)
        self.multi = c._multi_edit_length(score)
        self._long: tuple[list[str], list[str]] | None = None

    @classmethod
    def build(cls, sounds: list[str], score: float) -> KeyIndex:
        """From the sound key of every position (gone ones included: never a name).

        Made by the save's thread while the caller goes on: in slices, letting
        other threads have the GIL in between (one sort of 100,000 keys held it
        ~40 ms, which the review's caller waited for), then one sort merging them.
        """
        n = len(sounds)
        order: list[int] = []
        for lo in range(0, n, _SLICE):
            order += sorted(range(lo, min(n, lo + _SLICE)), key=sounds.__getitem__)
            time.sleep(0)
        order.sort(key=sounds.__getitem__)  # (merges the sorted slices)
        time.sleep(0)
        keys: list[str] = []
        for lo in range(0, n, _SLICE):
            keys += map(sounds.__getitem__, order[lo : lo + _SLICE])
            time.sleep(0)
        at = array("i", order)
        if c._GONE in sounds:
            lo, hi = bisect_left(keys, c._GONE), bisect_right(keys, c._GONE)
            del keys[lo:hi]
            del at[lo:hi]
        grown = c._min_length(score) + 1
        back = sorted({backwards(k) for k in keys if len(k) > grown})
        return cls(keys, at, back, score)

    def holders(self, key: str) -> array:
        lo = bisect_left(self.keys, key)
        return self.at[lo : bisect_right(self.keys, key, lo)]

    def __contains__(self, key: str) -> bool:
        i = bisect_left(self.keys, key)
        return i < len(self.keys) and self.keys[i] == key

    @property
    def long(self) -> tuple[list[str], list[str]]:
        """The distinct keys the sorted neighbourhood compares, sorted, and their
        backwards forms, sorted."""
        if self._long is None:
            longer = self.multi.__lt__
            forwards = list(dict.fromkeys(compress(self.keys, map(longer, map(len, self.keys)))))
            self._long = forwards, list(compress(self.back, map(longer, map(len, self.back))))
        return self._long

    def near(self, key: str) -> set[str]:
        """Every other key near-identical to ``key`` in this index, as the whole
        analysis finds them (:func:`kamtui.cleanup._name_groups`)."""
        from rapidfuzz import fuzz

        out: set[str] = set()
        score, min_len = self.score, self.min_len

        def check(other: str) -> None:
            if other[0] != key[0] or other == key or min(len(key), len(other)) <= min_len:
                return
            if fuzz.ratio(key[1:], other[1:], score_cutoff=score):
                out.add(other)

        # a number added at the end (either of the two)
        stripped = key.rstrip(c._DIGITS)
        if stripped != key and len(stripped) > 1 and key[-1].isdigit() and stripped in self:
            out.add(stripped)
        if len(key) > 1:
            lo = bisect_left(self.keys, key + "0")
            for i in range(lo, bisect_left(self.keys, key + ":", lo)):
                k = self.keys[i]
                if k.rstrip(c._DIGITS) == key:
                    out.add(k)
        # a character more at either end (either of the two)
        if len(key) > min_len + 1:
            for shorter in (key[:-1], key[0] + key[2:]):
                if shorter in self:
                    check(shorter)
        if len(key) + 1 > min_len + 1:
            for k in _starting(self.keys, key, len(key) + 1):
                check(k)
            for b in _starting(self.back, backwards(key), len(key) + 1):
                check(backwards(b))
        # the sorted neighbourhood, both ways
        if len(key) > self.multi:
            forwards, back = self.long
            for ordered, k, turn in ((forwards, key, False), (back, backwards(key), True)):
                i = bisect_left(ordered, k)
                if i < len(ordered) and ordered[i] == k:
                    for j in range(max(0, i - c._WINDOW), min(len(ordered), i + c._WINDOW + 1)):
                        if j != i:
                            check(backwards(ordered[j]) if turn else ordered[j])
        return out

    def neighbours(self, key: str) -> set[str]:
        """The long keys within the sorted neighbourhood's reach of where ``key`` is
        or would be, both ways (``key`` itself included when there)."""
        out: set[str] = set()
        if len(key) <= self.multi:
            return out
        forwards, back = self.long
        for ordered, k, turn in ((forwards, key, False), (back, backwards(key), True)):
            i = bisect_left(ordered, k)
            for j in range(max(0, i - c._WINDOW), min(len(ordered), i + c._WINDOW + 1)):
                out.add(backwards(ordered[j]) if turn else ordered[j])
        return out

    def updated(self, gone: list[tuple[str, int]], come: list[tuple[str, int]]) -> KeyIndex:
        """This index with the (key, position) pairs of ``gone`` out and ``come`` in."""
        keys, at = self.keys, self.at
        edits: list[tuple] = []
        for key, p in gone:
            lo = bisect_left(keys, key)
            edits.append((at.index(p, lo, bisect_right(keys, key, lo)), 1, key, p))
        edits += [(bisect_left(keys, key), 0, key, p) for key, p in come]
        new_keys, new_at = _patched(keys, at, edits)
        out = KeyIndex(new_keys, new_at, self.back, self.score)
        grown = self.min_len + 1
        left = {k for k, _p in gone if len(k) > grown and k not in out}
        added = {k for k, _p in come if len(k) > grown and k not in self}
        if left or added:
            back_edits = [(bisect_left(self.back, backwards(k)), 1, k, 0) for k in left]
            back_edits += [(bisect_left(self.back, b), 0, b, 0) for b in map(backwards, added)]
            out.back = _patched(self.back, None, back_edits)[0]
        # the sorted neighbourhood's lists, changed the same way
        forwards, back = (list(x) for x in self.long)
        for k in left:
            if len(k) > self.multi:
                del forwards[bisect_left(forwards, k)]
                del back[bisect_left(back, backwards(k))]
        for k in added:
            if len(k) > self.multi:
                insort(forwards, k)
                insort(back, backwards(k))
        out._long = forwards, back
        return out


def brought_up_to_date(
    book: Book, base: c._Identity, inline: bool, owned: bool = False
) -> c._Identity | None:
    """``base`` brought up to date with what changed since it was made, or None when
    that cannot be done here (too many changes, the changes noted since were
    pruned, text the quick path does not handle, a count that does not line up):
    the caller makes the whole analysis then. ``owned``: no one else holds
    ``base`` (just loaded), so its lists are changed in place instead of copied."""
    if base.index is None or base.odd or base.upper == c.OTHER_CAPITALS:
        return None
    seq, top, score = base.key
    with book.snapshot():
        state = c._contacts_state(book)
        changed = changed_since(book, seq, top, state[0])
        if changed is None:
            return None
        now = {}
        for part in rows.chunks(sorted(changed)):
            for row in book.query(_ROWS_SQL.format(rows.marks(len(part))), part):
                now[row[0]] = row[1:]
        update = _Update(book, base, owned)
        try:
            if not update.apply(changed, now):
                return None
        except ValueError:  # a key the index does not hold where the base says: made again
            return None
        update.match()
        friends_now = Counter({aid or c._NO_ACCOUNT: n for aid, n in book.query(c._FRIENDS_SQL)})
    if update.friends != friends_now:
        return None
    return update.identity((*state, score), unsaved=not inline)


def changed_since(book: Book, seq: int, top: int, now_seq: int) -> set[int] | None:
    """The contacts changed since an analysis saw the book at (``seq``, ``top``), noted
    or added on top, or None when it cannot be brought up to date with them (more
    than :data:`MOST_CHANGES`, changes noted since were pruned, ``now_seq`` older:
    another book). Inside the caller's snapshot, ``now_seq`` read in it."""
    if now_seq < seq:
        return None  # another book under the same name
    noted, first = book.query(
        "SELECT count(*), min(seq) FROM cleanup_change WHERE seq > ?", (seq,)
    )[0]
    if noted and (first != seq + 1 or noted != now_seq - seq):
        return None  # some of the changes since were pruned
    changed = {r[0] for r in book.query(_NOTED_SQL, (seq, MOST_CHANGES + 1))} if noted else set()
    if len(changed) > MOST_CHANGES:
        return None
    found = book.query(_ADDED_SQL, (top, MOST_CHANGES + 1))
    if len(found) > MOST_CHANGES:
        return None
    changed.update(r[0] for r in found)
    return changed


# The changes noted since (seq), and the contacts added on top (id > the highest seen).
_NOTED_SQL = "SELECT DISTINCT contact_id FROM cleanup_change WHERE seq > ? LIMIT ?"
_ADDED_SQL = "SELECT id FROM contact WHERE id > ? LIMIT ?"
_ROWS_SQL = """
SELECT id, archived, ifnull(account_id, 0), iif(remark != '', remark, nickname),
       ifnull(wechat_id, ''), ifnull(phone, '')
FROM contact WHERE id IN ({})
"""
# What a pair is matched on: WeChat ID, phone, and what tells look-alike names apart
# (the whole analysis' own query, so that the two can never differ).
_DETAILS_SQL = c._APART_SQL.replace(
    "SELECT id,", "SELECT id, ifnull(wechat_id, ''), ifnull(phone, ''),", 1
)


class _Update:
    """One bringing up to date: the base's lists copied (unless ``owned``), then changed."""

    def __init__(self, book: Book, base: c._Identity, owned: bool) -> None:
        self.book = book
        self.base = base
        scan = base.scan
        copy = (lambda x: x) if owned else list
        self.ids = copy(scan.ids)
        self.names = copy(scan.keyed_names)
        self.wechat = copy(scan.wechat)
        self.where = base.where if owned else dict(base.where)
        self.friends = Counter(base.friends)
        self.index = base.index
        self.gone: set[int] = set()  # positions whose contact left (archived, erased)
        self.dirty: set[int] = set()  # positions whose matches are made again
        self.matches: dict[int, list[c._Match]] = {}
        self.upper = base.upper  # (see c._Identity.upper)

    def apply(self, changed: set[int], now: dict[int, tuple]) -> bool:
        """Take the changed contacts' rows in; False for text the quick path leaves
        to the whole analysis (a phone not in E.164, a WeChat ID with capitals other
        than ASCII ones)."""
        names, wechat, where, friends = self.names, self.wechat, self.where, self.friends
        index = self.index
        gone_keys: list[tuple[str, int]] = []
        come_keys: list[tuple[str, int]] = []
        for cid in sorted(changed):
            p = where.get(cid)
            row = now.get(cid)
            present = row is not None and not row[0]
            if present:
                _archived, account, name, wx, phone = row
                if phone and not phone.startswith("+"):
                    return False
                if wx != wx.lower():
                    if c.case_kind([wx]) == c.OTHER_CAPITALS:
                        return False
                    self.upper = c.ASCII_CAPITALS
                keyed = chr(c._ACCOUNT_MARK + account) + c._clean_sep(name)
                wx = c._clean_sep(wx)
            old_key = None
            if p is not None:
                old = names[p]
                friends[ord(old[0]) - c._ACCOUNT_MARK or c._NO_ACCOUNT] -= 1
                old_key = old.translate(c._SOUNDS)
            if not present:
                if p is not None:
                    self.gone.add(p)
                    gone_keys.append((old_key, p))
                    del where[cid]
                    self.ids[p] = -1
                    names[p] = c._GONE
                    wechat[p] = ""
                continue
            friends[account or c._NO_ACCOUNT] += 1
            if p is None:
                p = len(self.ids)
                self.ids.append(cid)
                names.append(keyed)
                wechat.append(wx)
                where[cid] = p
            else:
                names[p] = keyed
                wechat[p] = wx
            self.dirty.add(p)
            key = keyed.translate(c._SOUNDS)
            if key != old_key:
                if old_key is not None:
                    gone_keys.append((old_key, p))
                come_keys.append((key, p))
        self.friends = +self.friends  # (accounts left with no one drop out, as when counted)
        if gone_keys or come_keys:
            self.index = index.updated(gone_keys, come_keys)
            # Long names that came or went change who their neighbours are next to.
            moved = {k for k, _p in gone_keys if k not in self.index}
            moved |= {k for k, _p in come_keys if k not in index}
            shifted: set[str] = set()
            for k in moved:
                shifted |= index.neighbours(k) | self.index.neighbours(k)
            for k in shifted:
                self.dirty.update(self.index.holders(k))
        self.dirty -= self.gone
        return True

    def match(self) -> None:
        """Make the matches of every dirty position again (the pairs they are in)."""
        index, names, ids = self.index, self.names, self.ids
        dirty = sorted(self.dirty)
        keys = {p: names[p].translate(c._SOUNDS) for p in dirty}
        details = self._details([ids[p] for p in dirty])
        # who each dirty contact may match: the same WeChat ID or phone, the same
        # or a near-identical name
        same: dict[int, set[int]] = {p: set() for p in dirty}
        for column, n in (("wechat_id", 0), ("phone", 1)):
            values: dict[str, list[int]] = {}
            for p in dirty:
                v = details[ids[p]][n]
                if v:
                    values.setdefault(v, []).append(p)
            for v, members in self._holding(column, values).items():
                for p in values[v]:
                    same[p].update(members)
        near_cache: dict[str, set[str]] = {}
        named: dict[int, set[int]] = {}
        for p in dirty:
            key = keys[p]
            if len(key) < 2:
                named[p] = set()
                continue
            found = set(index.holders(key))
            near = near_cache.get(key)
            if near is None:
                near = near_cache[key] = index.near(key)
            for k in near:
                found.update(index.holders(k))
            named[p] = found
        others = {o for p in dirty for o in same[p] | named[p]} - set(dirty)
        details.update(self._details([ids[o] for o in others]))
        pairs: dict[tuple[int, int], tuple[str, str]] = {}
        for p in dirty:
            mine = details[ids[p]]
            for o in same[p] | named[p]:
                if o == p or (o, p) in pairs or (p, o) in pairs:
                    continue
                found = _pair(mine, details[ids[o]], o in named[p])
                if found is not None:
                    pairs[p, o] = found
        # the base's matches, without those of dirty and gone positions, then the new
        matches = dict(self.base.matches)
        own: set[int] = set()
        out = self.dirty | self.gone
        for p in out:
            for m in matches.pop(p, ()):
                if m.other not in out:
                    left = [x for x in matches[m.other] if x.other != p]
                    if left:
                        matches[m.other] = left
                        own.add(m.other)
                    else:
                        del matches[m.other]
        for (p, o), (how, value) in pairs.items():
            for a, b in ((p, o), (o, p)):
                found = matches.get(a)
                if found is None:
                    matches[a] = found = []
                    own.add(a)
                elif a not in own:
                    matches[a] = found = list(found)
                    own.add(a)
                found.append(c._Match(how, b, value))
        self.matches = matches

    def _details(self, ids: list[int]) -> dict[int, tuple]:
        """id -> (WeChat ID, phone, what tells names apart), for contacts there."""
        out: dict[int, tuple] = {}
        for part in rows.chunks(sorted(set(ids))):
            for cid, wx, phone, *apart in self.book.query(
                _DETAILS_SQL.format(rows.marks(len(part))), part
            ):
                # WeChat IDs case folded, as the whole analysis matches them
                out[cid] = (c._clean_sep(wx).lower(), c._clean_sep(phone), tuple(apart))
        return out

    def _holding(self, column: str, values: dict[str, list[int]]) -> dict[str, set[int]]:
        """value -> positions of the contacts (not archived) holding it in ``column``."""
        out: dict[str, set[int]] = {}
        if not values:
            return out
        where = self.where
        if column == "wechat_id" and self.upper:
            # Some WeChat IDs have capitals: any case matches (ASCII ones, which
            # SQLite's lower() folds as Python's does; see c.case_kind). One scan.
            sql = (
                "SELECT wechat_id, id FROM contact WHERE +archived = 0 AND wechat_id != '' "
                "AND lower(wechat_id) IN (SELECT value FROM json_each(?))"
            )
            for value, cid in self.book.query(sql, (json.dumps(sorted(values)),)):
                p = where.get(cid)
                if p is not None:
                    out.setdefault(c._clean_sep(value).lower(), set()).add(p)
            return out
        for part in rows.chunks(sorted(values)):
            sql = (
                f"SELECT {column}, id FROM contact WHERE +archived = 0 "
                f"AND {column} IN ({rows.marks(len(part))})"
            )
            for value, cid in self.book.query(sql, part):
                p = where.get(cid)
                if p is not None:
                    out.setdefault(c._clean_sep(value), set()).add(p)
        return out

    def identity(self, key: tuple, unsaved: bool) -> c._Identity:
        scan = c._Scan(self.ids, self.names, self.wechat, [], 0, friends=self.friends)
        base = self.base
        out = c._Identity(key, scan, self.matches, _where=self.where, index=self.index)
        out.unsaved, out.upper = unsaved, self.upper
        # Evidence made for pairs of unchanged contacts still holds.
        stale = self.dirty | self.gone
        out._evidence.update(
            (k, v)
            for k, v in base._evidence.items()
            if k == "names" or (k[0] not in stale and k[1].other not in stale)
        )
        return out


def _pair(a: tuple, b: tuple, alike: bool) -> tuple[str, str] | None:
    """How two contacts match, as :func:`kamtui.cleanup._find_matches` decides: the
    same WeChat ID, else the same phone, else (``alike``: the same or a
    near-identical name) when nothing tells them apart."""
    wa, pa, apart_a = a
    wb, pb, apart_b = b
    if wa and wa == wb:
        return ("wechat", wa)
    if pa and pa == pb:
        return ("phone", pa)
    if not alike or (wa and wb) or (pa and pb):
        return None
    if apart_a != apart_b and any(map(c._differ, apart_a, apart_b)):
        return None
    return ("name", "")

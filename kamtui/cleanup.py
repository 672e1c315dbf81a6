"""Friend clean-up (好友的筛选, DOMAIN.md "Friend screening", source 004 §1.2).

A WeChat account holds a limited number of friends, so sellers delete dead,
ad and blocked accounts and duplicates to make room and keep their Moments
audience real. kamtui never logs into WeChat: :func:`review` finds the
candidates with the evidence for each reason, the seller decides (keep,
archive, mark "delete in WeChat", merge), and the lists go out as files
(:func:`export_delete_list`, :func:`export_cleaned_list`).

The rules (every threshold is a setting)
----------------------------------------
``blocked``    the seller flagged that the friend blocked them (``blocked_me``).
``ad``         the seller flagged an ad account (``is_ad``): Moments all ads.
``dead``       no Moments post seen for ``cleanup.dead_days`` (60) days or more:
               ``last_moment_on`` is that old. **Unknown last_moment_on is not
               dead**: it only means the seller never recorded a post for the
               friend, and calling everyone without a record dead would flag a
               freshly imported book whole. Such friends are caught by the cold
               rule when there is nothing else either (its evidence then says
               that no Moments post was ever recorded). A date in the future
               (a typing mistake) is not dead either.
``cold``       never bought, no interaction of any kind, added
               ``cleanup.cold_days`` (180) days ago or more.
``duplicate``  the same person twice: the same WeChat ID (any account, case
               ignored) or the same phone (E.164; any account), or a
               near-identical name on the same account (below).

Favourites and buyers (anyone with a purchase of a positive amount) are never
suggested by the dead and cold rules; any rule may still flag them as
duplicates (merging keeps everything). Archived contacts are never candidates,
nor duplicates of anyone. Each candidate carries every reason that applies,
each with its evidence in the seller's language (:meth:`Evidence.text`).

Duplicates: which one is the candidate
--------------------------------------
Matches join contacts into groups. In each group the contact to keep is the
favourite, else a buyer, else one with interactions, else the one added first
(then the lowest id); every other member is a candidate whose evidence names
the contact(s) it matches, and whose ``partner_id`` is the contact the merge
dialog pairs it with. So archiving every candidate leaves one of each person.

Near-identical names
--------------------
The name is what the seller sees in WeChat: the remark, else the nickname. It
is folded (full-width to half-width, lower case), punctuation and spaces are
dropped, and a trailing number is dropped (李娜2 and 李娜 are the same name).
Each Chinese character is then replaced by its sound (its most common pinyin
reading, one symbol per syllable), so 王秀英 and 汪秀瑛 are the same name and a
score is counted in characters, not letters. The score is rapidfuzz's
``fuzz.ratio`` (0-100) on these keys; ``cleanup.duplicate_score`` (90) or more
is near-identical. Two contacts are *not* duplicates by name when something
else tells them apart: different WeChat IDs, different phones, or (when both
names are remarks) different nicknames — two friends called 张敏 are common.

Comparing every pair is O(n²): 10⁹ pairs at 100,000 contacts. Instead
(blocking by sorted neighbourhood): every key is prefixed and suffixed with
its account, the distinct keys are sorted, and each is compared with the next
two; the same is done with every key written backwards. Identical keys meet
in the sort itself. Near-identical names differ by a character or two, so one
of the two orders puts them side by side unless a third name sorts between
them in both; names differing both in their first and their last character
(or with two names between them) are not found. All of it runs in C (one
SQL scan with ``group_concat``, ``str.translate``, ``sorted``, ``map`` over
rapidfuzz).

Decisions
---------
``keep`` remembers a fingerprint of what the rules read for that contact's
reasons (:meth:`Candidate.fingerprint`): the reason codes, the last Moments
date for dead, the day added for cold, and for a duplicate how it matched,
whom, and the matched value. While they stay the same the contact is not
suggested again; when they change (a new reason, a new Moments date, a new
duplicate) it comes back. ``delete`` marks a contact to delete in WeChat: it
leaves the review queue for the delete list, and is archived once the seller
confirms (:func:`confirm_deleted`). Every action is one undo step
(:func:`undo_last`).

Speed
-----
The rules over 100,000 contacts are measured by ``benchmarks/bench_cleanup.py``
(budget 300 ms, the first review in a process included). The book is read in
aggregated scans (``group_concat``: one row each, so no Python object per
contact). Python's work holds the GIL, SQLite's does not, so the reads run in
other threads while this one works, one read at a time: every contact's name,
id, WeChat ID and phone in eight ranges of ids, one thread reading the next range
while this one splits, folds into sound keys and counts the last (pypinyin's
readings are loaded while the first is read; eight, not four: the reading thread
needs the GIL to take each range's answer, and waits for it while this one folds
a range in one C call, so shorter calls keep it waiting less: ~365 -> ~355 ms,
interleaved runs; sixteen were no faster); then the flag rules, while the
names are grouped; then, by the thread that read the contacts (its connection
open), what tells look-alike names apart and who stays in each duplicate group,
for every contact that may match, while the WeChat IDs and phones are matched
and the flagged candidates made. (A review called inside a transaction reads
everything itself.) The cyclic garbage collector is paused during a review (see
``_gc_paused``).

Two reads at once are slower than one after the other on this machine: SQLite
reads that build text slow each other down (two name reads at once take ~105 ms
each, against ~50 alone), and a reading thread waits for the GIL after each
statement while this one is in a long C call (``str.translate``, ``Counter``),
so a read in a new thread (its connection opened, four pragmas) costs most when
this one is busiest. The reads are therefore queued and few: the analysis made
from every contact used to run the flag rules alongside the names (they were let
go as soon as no saved analysis was found) and to read the WeChat IDs and phones,
the ones stored twice, and who stays, in three more reads by three more
threads, and made the flagged candidates once the analysis was done (~460 ->
~370 ms).

Whether a contact bought or has interactions is not looked up at each review:
``contact_activity`` (schema v6) holds each contact's counts of purchases,
purchases of a positive amount and interactions, kept by SQLite triggers on
every write of a purchase or an interaction (services, imports, merges, undo).

Where the time of an analysis made from every contact goes, 100k demo book, CPU
ms alone (a quiet moment of the shared two-core machine): in another thread,
reading names, ids, WeChat IDs and phones ~80, the flag rules ~60, what tells
look-alike names apart and who stays for the ~14,000 contacts that may match
~35; in the calling thread, pypinyin's readings ~16, splitting, folding
(``str.translate``) and counting the parts ~70, grouping names ~60, WeChat IDs
and phones stored twice ~25, pairs of look-alike names ~15, making 28,000
candidates and their queue ~40, duplicate evidence ~25. That is ~530 ms of CPU
in all, nearly all of it Python in the calling thread (the GIL lets one thread
at a time run it), so the wall time stays above the 300 ms budget (~360 ms).

Saved for the next process (schema v7): a review that makes the identity analysis
(the scan of names, ids, WeChat IDs and phones, sound keys, duplicate groups and
matches) saves it in ``cleanup_identity`` once the review is handed over, in
another thread (not in the review's time; the write checks that the contacts are
still as the analysis saw them). It is loaded when the duplicate score and the
code version (format, pypinyin's readings table, rapidfuzz) are the same and the
checksum agrees: arrays and joined text, checked as decoded, never unpickled.

Brought up to date (schema v8, :mod:`kamtui.cleanup_update`): triggers note every
contact whose identity changed in ``cleanup_change``, and contacts added on top
are found by id, so a review takes the analysis kept in the process, else the
saved one, and redoes only the matches the changes can touch; the result is the
one made from every contact (``tests/test_cleanup_update.py``). Its sorted sound
keys are saved with it. WeChat IDs are matched whatever their capitals (looked up
with SQLite's ``lower()`` once some have capitals: one scan). More than 5,000
changes, phones not in E.164 or WeChat IDs with capitals SQLite does not fold
(letters other than ASCII ones, see :func:`case_kind`) make it again from every
contact, as does a book's first review or a contact erased by another process
(the saved analysis goes with the name). A save after an update waits for the
seller to pause (2 s).

Made where the seller waits anyway (:func:`prepare`): an import, or a bulk change
in the app, that leaves more changes than a review can bring the analysis up to
date with (or a book of 5,000 contacts or more with none) makes it and saves it
at its end, so the review after it is brought up to date instead (it waits for a
prepare under way rather than making the analysis twice).

100,000 contacts, median / p95 wall (CPU), ``benchmarks/run.py`` (the README's
table): a new process's review after ~300 remarks were edited since the last
saved 221 / 230 ms (287 / 297; made again before, 470 / 476), nothing edited
since 176 / 181, the first after an import of 100,000 rows 177 / 180 (the
import's analysis 436 / 447 of its 4.2 s), made from every contact 363 / 423
(505 / 574).

Measured and not taken: the flag rules written with ``NOT IN``, or read in the
same scan as the WeChat IDs and phones (no faster, or slower: a text column
costs SQLite ~15 ms a scan of the table, a column of an index ~3 ms); a partial
covering index on the identity columns (each identity read ~50 -> ~40 ms, for a
copy of every name in the book); ``mmap_size`` or a bigger page cache (no
faster: the cost is SQLite's per-row work, not reading pages); looking flagged
contacts up by bisection instead of ``where`` (slower). A stored sound key (a
trailing part of ``contact.search_key``) was measured and not taken: cutting it
out of the key in SQL costs more (~85 ms for 100k keys of 100 characters on
average) than reading the two name columns (~50 ms) and folding them in C
(~45 ms). Also measured and not taken (the analysis made from every contact):
the WeChat IDs and phones stored twice found by SQLite on their indexes (~28 ms
of reading for ~25 of Python; read by the contacts' thread after them, the flag
rules came late; read by a thread of its own beside the flag rules, ~10 ms
faster in a new process but ~10 ms slower in one that has made reviews before);
a stored sound key again, as a column of its own (reading it cost more than
folding the names: ~435 against ~400 ms); the flag rules and the
identities in one scan (~160 ms against ~160 apart); the parts as one
``UNION ALL`` statement (its first row came later); a lower
``sys.setswitchinterval`` (no faster: the waits are for long C calls); each
name's account mark put in the ``group_concat`` separator before it instead of
joined to the name (~12 ms less of SQLite, as much CPU saved, no faster: the
reading thread's wait is for the GIL, not for SQLite). The analysis made from
every contact stays above the 300 ms budget (~360 ms on two cores); it is made
once per book (by the import that fills it: :func:`prepare`), then brought up to
date.
"""

from __future__ import annotations

import gc
import hashlib
import json
import math
import os
import queue
import re
import sqlite3
import threading
import unicodedata
import weakref
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import partial
from itertools import chain, combinations, compress, pairwise, product, repeat
from operator import is_not, itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from kamtui import clock
from kamtui.errors import NotFound, ValidationError
from kamtui.i18n import t
from kamtui.store import rows

if TYPE_CHECKING:
    from kamtui.store.db import Book

REASONS = ("blocked", "ad", "duplicate", "dead", "cold")
"""Reason codes, in the order the queue shows them (a candidate sits under its first)."""
_ORDER = {code: i for i, code in enumerate(REASONS)}
DUPLICATE_HOW = ("wechat", "phone", "name")

_SEP = "\x1e"  # between contacts in the aggregated scans (C0 controls never reach the book)
_NO_ACCOUNT = 0  # accounts are numbered from 1
_WINDOW = 2  # each sorted key is compared with the next two
_MAX_EVIDENCE = 3  # duplicate matches listed per candidate


# ---------------------------------------------------------------------------
# What the rules find


class Evidence(NamedTuple):
    """One reason a contact is a candidate, with what shows it.

    ``values`` fill the message ``key`` (both languages); ``basis`` is what the
    keep fingerprint remembers (dates, never "days ago", which changes daily).
    """

    reason: str
    key: str
    values: dict
    basis: tuple

    def text(self, lang: str | None = None) -> str:
        return t(self.key, lang=lang, **self.values)

    def as_dict(self, lang: str | None = None) -> dict:
        return {"reason": self.reason, "text": self.text(lang), **self.values}


_BLOCKED_EVIDENCE = Evidence("blocked", "cleanup.ev.blocked", {}, ("blocked",))
_AD_EVIDENCE = Evidence("ad", "cleanup.ev.ad", {}, ("ad",))
# Bits of a candidate's flag rules (the SQL below computes them).
_AD, _BLOCKED, _DEAD, _COLD = 1, 2, 4, 8


class Candidate:
    """A contact the rules suggest removing, with every reason that applies.

    The evidence is built when first asked for (the queue of a big book holds
    tens of thousands of candidates; a screen shows a page of them).
    """

    __slots__ = (
        "_evidence",
        "_today",
        "account_id",
        "added_on",
        "contact_id",
        "duplicates",
        "flags",
        "last_moment_on",
        "marked",
        "name",
        "partner_id",
        "wechat_id",
    )

    def __init__(
        self,
        contact_id: int,
        account_id: int | None,
        name: str,
        wechat_id: str = "",
        flags: int = 0,
        last_moment_on: str = "",
        added_on: str = "",
        today: int = 0,
        duplicates: Sequence[Evidence] = (),
        partner_id: int | None = None,
        marked: bool = False,
    ):  # positional up to ``today``: tens of thousands are made at once
        self.contact_id = contact_id
        self.account_id = account_id
        self.name = name  # the remark, else the nickname (data: never markup)
        self.wechat_id = wechat_id
        self.flags = flags
        self.last_moment_on = last_moment_on
        self.added_on = added_on
        self._today = today  # ordinal of the review day
        self.duplicates = duplicates  # shared () when none: tens of thousands are made
        self.partner_id = partner_id  # a duplicate's match: the merge dialog's pair
        self.marked = marked  # marked "delete in WeChat"
        self._evidence: list[Evidence] | None = None

    def __repr__(self) -> str:
        return f"Candidate({self.contact_id}, {self.name!r}, {self.reasons})"

    @property
    def reasons(self) -> tuple[str, ...]:
        """Reason codes, in :data:`REASONS` order."""
        f = self.flags
        out = []
        if f & _BLOCKED:
            out.append("blocked")
        if f & _AD:
            out.append("ad")
        if self.duplicates:
            out.append("duplicate")
        if f & _DEAD:
            out.append("dead")
        if f & _COLD:
            out.append("cold")
        return tuple(out)

    @property
    def primary(self) -> str:
        """The reason the queue files it under (the first in :data:`REASONS`)."""
        reasons = self.reasons
        return reasons[0] if reasons else ""

    def has(self, reason: str) -> bool:
        if reason == "duplicate":
            return bool(self.duplicates)
        return bool(self.flags & _BITS[reason])

    @property
    def mask(self) -> int:
        """Bits of every reason (see ``_BITS``)."""
        return self.flags | (_DUPLICATE if self.duplicates else 0)

    @property
    def evidence(self) -> list[Evidence]:
        """Every reason with its evidence, in :data:`REASONS` order."""
        if self._evidence is None:
            f = self.flags
            out = []
            if f & _BLOCKED:
                out.append(_BLOCKED_EVIDENCE)
            if f & _AD:
                out.append(_AD_EVIDENCE)
            out.extend(self.duplicates)
            if f & _DEAD:
                day = self.last_moment_on
                days = self._today - date.fromisoformat(day).toordinal()
                out.append(
                    Evidence("dead", "cleanup.ev.dead", {"day": day, "days": days}, ("dead", day))
                )
            if f & _COLD:
                day = self.added_on
                days = self._today - date.fromisoformat(day).toordinal()
                key = "cleanup.ev.cold" if self.last_moment_on else "cleanup.ev.cold_no_moments"
                out.append(Evidence("cold", key, {"day": day, "days": days}, ("cold", day)))
            self._evidence = out
        return self._evidence

    def fingerprint(self) -> str:
        return fingerprint(self.evidence)

    def evidence_text(self, lang: str | None = None, sep: str = " · ") -> str:
        return sep.join(e.text(lang) for e in self.evidence)

    def queue_key(self) -> tuple:
        """Where it goes in its account's part of the queue: first reason, then id
        (duplicates: with the contact they match)."""
        first = _ORDER.get(self.primary, len(REASONS))
        if first == 2:
            return (2, self.partner_id or 0, self.contact_id)
        return (first, 0, self.contact_id)

    def sort_key(self) -> tuple:
        """Reason order, then the oldest first (dead: last post; cold: added), then id."""
        f = self.flags
        if f & _BLOCKED:
            return (0, "", self.contact_id)
        if f & _AD:
            return (1, "", self.contact_id)
        if self.duplicates:
            return (2, f"{self.partner_id or 0:012d}", self.contact_id)
        if f & _DEAD:
            return (3, self.last_moment_on, self.contact_id)
        if f & _COLD:
            return (4, self.added_on, self.contact_id)
        return (5, "", self.contact_id)

    def as_dict(self, account: str = "", lang: str | None = None) -> dict:
        return {
            "id": self.contact_id,
            "name": self.name,
            "wechat_id": self.wechat_id or None,
            "account_id": self.account_id,
            "account": account,
            "reasons": list(self.reasons),
            "evidence": [e.as_dict(lang) for e in self.evidence],
            "marked": self.marked,
            "merge_with": self.partner_id,
        }


_DUPLICATE = 16  # not from SQL: set when duplicates are found
_BITS = {"blocked": _BLOCKED, "ad": _AD, "duplicate": _DUPLICATE, "dead": _DEAD, "cold": _COLD}


def fingerprint(evidence: Iterable[Evidence]) -> str:
    """What a keep remembers: the reasons and the data behind them (16 hex digits)."""
    basis = sorted(repr(e.basis) for e in evidence)
    return hashlib.sha1("\n".join(basis).encode()).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class AccountSummary:
    """One WeChat account: friends used of its cap, candidates by reason, what a clean-up frees.

    ``account_id`` is None for contacts on no account (they use no cap: ``cap`` 0).
    """

    account_id: int | None
    name: str
    friends: int
    cap: int
    by_reason: dict[str, int]
    to_review: int
    marked: int

    @property
    def frees(self) -> int:
        """Slots freed by archiving every candidate and every contact marked for deletion."""
        return self.to_review + self.marked

    @property
    def after(self) -> int:
        return self.friends - self.frees

    def as_dict(self) -> dict:
        return {
            "id": self.account_id,
            "name": self.name,
            "friends": self.friends,
            "cap": self.cap,
            "candidates": self.to_review,
            "marked": self.marked,
            "frees": self.frees,
            "after": self.after,
            "by_reason": dict(self.by_reason),
        }


@dataclass
class Review:
    """The clean-up queue on ``today``: candidates to review, the delete list, accounts."""

    today: date
    rules: Rules
    candidates: list[Candidate]  # not kept, not marked; account order, reason order
    marked: list[Candidate]  # marked "delete in WeChat" (with their current reasons)
    kept: int  # candidates hidden by a remembered keep
    accounts: list[AccountSummary]
    account_names: dict[int, str]
    filtered: bool = False  # an account or reason filter was applied
    friends: dict[int, int] = field(default_factory=dict, repr=False)  # account id (0: none)
    caps: dict[int, int] = field(default_factory=dict, repr=False)
    only_account: int | None = None
    _index: dict[int, Candidate] | None = field(default=None, repr=False)
    _save: Any = field(default=None, repr=False)  # the analysis to save (see review)

    def get(self, contact_id: int) -> Candidate | None:
        if self._index is None:
            self._index = {c.contact_id: c for c in (*self.candidates, *self.marked)}
        return self._index.get(contact_id)

    def account_name(self, account_id: int | None) -> str:
        if account_id is None:
            return t("cleanup.no_account")
        return self.account_names.get(account_id, f"#{account_id}")

    def counts(self) -> dict[str, int]:
        """Candidates to review by reason (a contact counts under each of its reasons)."""
        out = dict.fromkeys(REASONS, 0)
        for c in self.candidates:
            for code in c.reasons:
                out[code] += 1
        return out

    def after(
        self,
        *,
        kept: Iterable[int] = (),
        archived: Iterable[int] = (),
        marked: Iterable[int] = (),
        unmarked: Iterable[int] = (),
    ) -> Review:
        """The review as it stands after these decisions (no need to read the book again).

        Kept and archived contacts leave the queue (and the delete list); marked
        ones move to the delete list, unmarked ones back to the queue. Only a
        full :func:`review` sees what an archive changes for the duplicates of
        the contacts archived.
        """
        kept, archived = set(kept), set(archived)
        marked, unmarked = set(marked), set(unmarked)
        gone = kept | archived
        moving = [c for c in self.candidates if c.contact_id in marked and c.contact_id not in gone]
        back = [c for c in self.marked if c.contact_id in unmarked and c.contact_id not in gone]
        for c in moving:
            c.marked = True
        for c in back:
            c.marked = False
        leaving = gone | marked
        queue = [c for c in self.candidates if c.contact_id not in leaving]
        if back:
            order = {aid: n for n, aid in enumerate(self.account_names)}
            last = len(order)
            queue = sorted(
                queue + back, key=lambda c: (order.get(c.account_id, last), c.queue_key())
            )
        listed = [c for c in self.marked if c.contact_id not in gone | unmarked] + moving
        friends = dict(self.friends)
        for c in (*self.candidates, *self.marked):
            if c.contact_id in archived:
                key = c.account_id or _NO_ACCOUNT
                friends[key] = friends.get(key, 0) - 1
        return replace(
            self,
            candidates=queue,
            marked=listed,
            kept=self.kept + len(kept & {c.contact_id for c in self.candidates}),
            accounts=_summaries(
                self.account_names, self.caps, friends, queue, listed, self.only_account
            ),
            friends=friends,
            _index=None,
        )


# ---------------------------------------------------------------------------
# Settings and filters


@dataclass(frozen=True)
class Rules:
    dead_days: int = 60
    cold_days: int = 180
    duplicate_score: int = 90

    @classmethod
    def from_settings(cls, book: Book) -> Rules:
        from kamtui import settings

        return cls(
            dead_days=int(settings.get(book, "cleanup.dead_days")),
            cold_days=int(settings.get(book, "cleanup.cold_days")),
            duplicate_score=int(settings.get(book, "cleanup.duplicate_score")),
        )


def parse_reasons(value: str | Iterable[str] | None) -> tuple[str, ...] | None:
    """Reason codes from ``dead,ad`` (English or Chinese labels); None means all."""
    if value is None:
        return None
    items = value.replace("，", ",").split(",") if isinstance(value, str) else list(value)
    labels = {}
    for code in REASONS:
        labels[code] = code
        for lang in ("zh", "en"):
            labels[t(f"cleanup.reason.{code}", lang=lang).lower()] = code
    out = []
    for item in items:
        word = str(item).strip().lower()
        if not word:
            continue
        code = labels.get(word)
        if code is None:
            raise ValidationError(
                "reason",
                t("err.choice", field="reason", value=item, choices=",".join(REASONS)),
            )
        if code not in out:
            out.append(code)
    return tuple(out) or None


# ---------------------------------------------------------------------------
# Reading the book
#
# Each query answers with one row of ``group_concat`` text: SQLite builds it
# with the GIL released and Python splits it in C, so nothing is made per
# contact in Python. Ids come as a JSON array (``json_group_array``): the json
# module makes the ints in C, twice as fast as ``map(int, text.split(","))``.
# The reads run in other threads (each through its own connection), one after the
# other, while this one works on what came before (see the module doc's Speed).

_ACCOUNT_MARK = 0xF0000  # a name key starts with chr(_ACCOUNT_MARK + account id)
_SOUND_BASE = 0x100000  # sound symbols (plane 16): never met in a name otherwise

_IDENTITY_SQL = f"""
SELECT count(*), json_group_array(id),
       group_concat(char({_ACCOUNT_MARK} + ifnull(account_id, 0))
                    || iif(remark != '', remark, nickname), char(30)),
       group_concat(ifnull(wechat_id, ''), char(30)),
       group_concat(ifnull(phone, ''), char(30)),
       sum(phone NOT LIKE '+%')
FROM contact WHERE +archived = 0
"""
# Through the covering index on (account_id, archived), in its order: ~5 ms. Filtering
# on the index of archived instead, then grouping in a temporary B-tree, took ~35 ms.
_FRIENDS_SQL = "SELECT account_id, count(*) FROM contact WHERE +archived = 0 GROUP BY account_id"
# The flag rules (in id order: ids grow with the day a friend was added). Whether a
# contact bought (a purchase of a positive amount) or has interactions is read from
# ``contact_activity`` (counts kept by triggers, migration v0006): one rowid lookup
# instead of a look-up in each of the interaction and purchase indexes (~85 -> ~55
# ms at 100,000 contacts). The inner query is a co-routine (LIMIT keeps SQLite from
# flattening it).
_FLAGS_SQL = """
SELECT count(*), json_group_array(id), json_group_array(flags),
       group_concat(ifnull(last_moment_on, ''), char(30)), group_concat(added_on, char(30))
FROM (
    SELECT id, flags, last_moment_on, added_on FROM (
        SELECT c.id, last_moment_on, added_on,
            is_ad | (blocked_me << 1) | iif(favourite OR ifnull(a.paid, 0) > 0, 0,
                iif(last_moment_on <= :dead, 4, 0)
                | iif(added_on <= :cold AND ifnull(a.interactions, 0) = 0, 8, 0)) AS flags
        FROM contact c LEFT JOIN contact_activity a ON a.contact_id = c.id
        WHERE +archived = 0 AND (is_ad OR blocked_me
              OR (favourite = 0 AND (last_moment_on <= :dead OR added_on <= :cold)))
        LIMIT -1
    ) WHERE flags
)
"""


def _split(text: str | None, n: int, sep: str = _SEP) -> list[str] | None:
    if not n:
        return []
    parts = (text or "").split(sep)
    return parts if len(parts) == n else None


def _clean_sep(value) -> str:
    return "" if value is None else str(value).replace(_SEP, " ")


class _Async:
    """``fn(*args)`` run by another thread; :meth:`get` waits for it and returns its
    answer (or raises its error). SQLite releases the GIL while it works, so reads
    in other threads run while this one works on what it already has (each thread
    reads through its own connection).

    ``inline``: run it here and now instead, for a caller inside a transaction
    (another connection would not read what it reads). ``after``: start only once
    this event is set (ignored inline); ``done``: set once finished, error or not.
    Reads queued one after the other this way leave a core to the calling thread
    (three reads at once on two cores made it wait for its own names).
    """

    def __init__(
        self,
        fn,
        *args,
        inline: bool = False,
        after: threading.Event | None = None,
        done: threading.Event | None = None,
        on: queue.SimpleQueue | None = None,
    ) -> None:
        """``on``: queue it for a thread already running (see :func:`_serve`)."""
        self._answer: Any = None
        self._error: BaseException | None = None
        self._finished = threading.Event()
        if inline:
            self._run(fn, args, None, done)
        elif on is not None:
            on.put(partial(self._run, fn, args, after, done))
        else:
            threading.Thread(
                target=self._run, args=(fn, args, after, done), name="kamtui-cleanup", daemon=True
            ).start()

    def _run(self, fn, args, after: threading.Event | None, done: threading.Event | None) -> None:
        try:
            if after is not None:
                after.wait()
            self._answer = fn(*args)
        except BaseException as e:  # raised again by get()
            self._error = e
        finally:
            if done is not None:
                done.set()
            self._finished.set()

    def wait(self) -> None:
        self._finished.wait()

    def get(self) -> Any:
        self.wait()
        if self._error is not None:
            raise self._error
        return self._answer


def _serve(jobs: queue.SimpleQueue, fn, *args) -> Any:
    """``fn(*args)``, then the jobs queued on ``jobs`` (see :class:`_Async`), in turn,
    until None: later reads by a thread whose connection is open (a new thread
    opens its own, and waits for the GIL at each of its pragmas while the calling
    one works)."""
    try:
        return fn(*args)
    finally:
        while (job := jobs.get()) is not None:
            job()


@dataclass
class _Scan:
    """Every contact that is not archived, as parallel lists (index = position)."""

    ids: list[int]
    keyed_names: list[str]  # account mark + display name
    wechat: list[str]  # as stored, "" when none
    phone: list[str]
    odd_phones: int  # phones not in E.164
    upper_wechat: bool = False  # some WeChat ID has capitals
    friends: Counter | None = None  # contacts by account id (0: none), if read with them

    def account(self, i: int) -> int | None:
        return ord(self.keyed_names[i][0]) - _ACCOUNT_MARK or None

    def name(self, i: int) -> str:
        return self.keyed_names[i][1:]


_PARTS = 8  # the identities are read in this many ranges of ids (see _read_parts)
_PART_SQL = _IDENTITY_SQL + "AND id > ? AND id <= ?"


_ENDED = "ended"  # what _read_parts puts after the last part, if all went well


def _read_parts(book: Book, put, read: threading.Event | None = None) -> None:
    """Read every contact's identity for ``put``: the contacts' state, then
    :data:`_IDENTITY_SQL`'s row for each of ``_PARTS`` ranges of ids in id order (one
    snapshot), then ``_ENDED``, then None (after an error, only None: the error is
    kept by :class:`_Async`); ``read`` is set then.

    Run by another thread: the calling one works on each part while SQLite reads
    the next (with the GIL released), so it does not wait for the whole read
    (~80 ms at 100,000 contacts) before its work starts.
    """
    try:
        with book.snapshot():
            state = _contacts_state(book)
            put(state)
            top = state[1] or 0  # max(id)
            bounds = [top * k // _PARTS for k in range(_PARTS)] + [top]
            for low, high in pairwise(bounds):
                put(book.query(_PART_SQL, (low, high))[0])
        put(_ENDED)
    finally:
        put(None)
        if read is not None:
            read.set()


def _read_identity(book: Book) -> _Scan:
    n, ids, names, wechat, phone, odd = book.query(_IDENTITY_SQL)[0]
    parts = _split(names, n), _split(wechat, n), _split(phone, n)
    if all(p is not None for p in parts):  # no text held the separator
        return _Scan(
            json.loads(ids),
            *parts,
            odd or 0,
            bool(wechat) and wechat != wechat.lower(),
        )
    # Text holding the separator (only a bulk write that skipped validation can
    # store it): row by row instead.
    out = _Scan([], [], [], [], 0)
    for cid, acc, name, wx, ph in book.query(
        "SELECT id, ifnull(account_id, 0), iif(remark != '', remark, nickname), "
        "ifnull(wechat_id, ''), ifnull(phone, '') FROM contact WHERE archived = 0"
    ):
        out.ids.append(cid)
        out.keyed_names.append(chr(_ACCOUNT_MARK + acc) + _clean_sep(name))
        out.wechat.append(_clean_sep(wx))
        out.phone.append(_clean_sep(ph))
        out.odd_phones += bool(ph) and not ph.startswith("+")
        out.upper_wechat = out.upper_wechat or wx != wx.lower()
    return out


class _Flagged(NamedTuple):
    """The flag rules' answer as parallel lists, in queue order."""

    ids: list[int]
    flags: list[int]
    moments: list[str]
    added: list[str]


def _read_flagged(book: Book, today: date, rules: Rules) -> _Flagged:
    params = {
        "dead": (today - timedelta(days=rules.dead_days)).isoformat(),
        "cold": (today - timedelta(days=rules.cold_days)).isoformat(),
    }
    n, ids, flags, moments, added = book.query(_FLAGS_SQL, params)[0]
    if not n:
        return _Flagged([], [], [], [])
    return _Flagged(
        json.loads(ids),
        json.loads(flags),
        moments.split(_SEP),
        added.split(_SEP),
    )


# ---------------------------------------------------------------------------
# Names: the sound key

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
# Dropped from names: spaces, punctuation (ASCII, general and CJK), ~ and _ (not \\s:
# it matches the separator).
_PUNCT = re.compile(
    r"[ \t\n\r\f\v\x85\u1680!-/:-@\[-`{-~\u00a0-\u00bf\u2000-\u206f\u3000-\u303f"
    r"\ufe10-\ufe1f\ufe30-\ufe4f\u30fb\uff61-\uff65]"
)
_TONES = re.compile(r"[\u0300-\u036f]")


def _load_readings() -> dict[str, str]:
    """pypinyin's character table (decimal code point -> "wáng,wàng"), read straight
    from its data file (importing pypinyin also loads its phrase tables, 0.15 s);
    shared with the search keys (:func:`kamtui.searchkey._reading_table`). Keys stay
    text: converting 41,000 of them cost a first review 20 ms."""
    from kamtui.searchkey import _reading_table

    try:
        return _reading_table() or {}
    except (OSError, ValueError):
        return {}


# Every toneless syllable of pypinyin's character table (first readings), in order: a
# syllable's symbol is chr(_SOUND_BASE + its rank). Fixed, so that a name's key (and
# so the order the sorted neighbourhood sees) does not depend on the characters a
# process happened to meet first. A syllable missing here (another pypinyin) gets a
# symbol from its spelling above the ranks.
_SYLLABLE_LIST = """
a ai an ang ao ba bai ban bang bao bei ben beng bi bian biang biao bie bin bing bo bong
bu ca cai can cang cao ce cei cen ceng cha chai chan chang chao che chen cheng chi chong
chou chu chua chuai chuan chuang chui chun chuo ci cong cou cu cuan cui cun cuo da dai
dan dang dao de den deng di dian diao die din ding diu dong dou du duan dui dun duo e ei
en eng er fa fan fang fei fen feng fiao fo fou fu ga gai gan gang gao ge gei gen geng
gong gou gu gua guai guan guang gui gun guo ha hai han hang hao he hei hen heng hm hong
hou hu hua huai huan huang hui hun huo ji jia jian jiang jiao jie jin jing jiong jiu ju
juan jue jun ka kai kan kang kao ke ken keng kong kou ku kua kuai kuan kuang kui kun kuo
la lai lan lang lao le lei leng li lia lian liang liao lie lin ling liu lo long lou lu
luan lun luo lv lve m ma mai man mang mao me mei men meng mi mian miao mie min ming miu
mo mou mu n na nai nan nang nao ne nei nen neng ni nian niang niao nie nin ning niu nong
nou nu nuan nun nuo nv nve o ou pa pai pan pang pao pei pen peng pi pian piao pie pin
ping po pou pu qi qia qian qiang qiao qie qin qing qiong qiu qu quan que qun ran rang
rao re ren reng ri rong rou ru rua ruan rui run ruo sa sai san sang sao se sen seng sha
shai shan shang shao she shen sheng shi shou shu shua shuai shuan shuang shui shun shuo
si song sou su suan sui sun suo ta tai tan tang tao te teng ti tian tiao tie ting tong
tou tu tuan tui tun tuo wa wai wan wang wei wen weng wo wong wu xi xia xian xiang xiao
xie xin xing xiong xiu xu xuan xue xun ya yan yang yao ye yi yin ying yo yong you yu
yuan yue yun za zai zan zang zao ze zei zen zeng zha zhai zhan zhang zhao zhe zhen zheng
zhi zhong zhou zhu zhua zhuai zhuan zhuang zhui zhun zhuo zi zong zou zu zuan zui zun
zuo
"""
_SYLLABLES = {s: chr(_SOUND_BASE + n) for n, s in enumerate(_SYLLABLE_LIST.split())}


def _symbol(syllable: str) -> str:
    """The one character standing for a syllable in sound keys."""
    found = _SYLLABLES.get(syllable)
    if found is not None:
        return found
    import zlib

    return chr(_SOUND_BASE + 1024 + zlib.crc32(syllable.encode()) % 0xF000)


class _Sounds(dict):
    """``str.translate`` table folding a name into its sound key.

    ord(character) -> what it becomes: NFKC (full-width to half-width) and lower
    case; spaces and punctuation dropped (``None``); a Chinese character -> one
    symbol per toneless pinyin syllable of its most common reading. Filled as
    characters are met (``__missing__``); the separators and account marks stay.
    """

    def __init__(self) -> None:
        super().__init__()
        self.readings: dict[str, str] | None = None
        self.lock = threading.Lock()

    def load(self) -> None:
        """Load pypinyin's readings now (one C call holding the GIL ~15 ms)."""
        if self.readings is None:
            self.readings = _load_readings()

    def reading(self, ch: str) -> str:
        self.load()
        found = self.readings.get(str(ord(ch)))
        if found:
            first = unicodedata.normalize("NFD", found.split(",")[0])
            return _TONES.sub("", first.replace("u\u0308", "v"))
        from kamtui.searchkey import char_readings

        readings = char_readings(ch)
        return readings[0] if readings else ""

    def __missing__(self, code: int) -> str | None:
        ch = chr(code)
        if ch == _SEP or code >= _ACCOUNT_MARK:
            out: str | None = ch
        else:
            with self.lock:
                parts = []
                for c in unicodedata.normalize("NFKC", ch).lower():
                    if _PUNCT.match(c):
                        continue
                    if _HAN.match(c):
                        syllable = self.reading(c)
                        if syllable:
                            c = _symbol(syllable)
                    parts.append(c)
                out = "".join(parts) or None
        self[code] = out
        return out


_SOUNDS = _Sounds()
_DIGITS = "0123456789"


def _keys(text: str) -> list[str]:
    """Sound keys of names joined by ``_SEP`` (each starting with its account mark)."""
    return text.translate(_SOUNDS).split(_SEP) if text else []


def _folded(names: Iterable[str]) -> list[str]:
    """The names folded without sounds (to tell "the same name" from "sounds the same")."""
    names = list(names)
    if not names:
        return []
    text = unicodedata.normalize("NFKC", _SEP.join(names)).lower()
    out = []
    for name in _PUNCT.sub("", text).split(_SEP):
        stripped = name.rstrip(_DIGITS)  # 李娜2 is 李娜 with a number
        out.append(stripped if stripped else name)
    return out


def name_key(name: str) -> str:
    """The sound key of one name: what the near-identical name rule compares."""
    return _keys(chr(_ACCOUNT_MARK) + _clean_sep(name))[0][1:]


def name_score(a: str, b: str) -> float:
    """How alike two names are for the duplicate rule (0-100)."""
    from rapidfuzz import fuzz

    ka, kb = name_key(a), name_key(b)
    return fuzz.ratio(ka, kb) if ka and kb else 0.0


def _min_length(score: float) -> int:
    """The shortest name that can reach ``score`` against another (one character added)."""
    s = score / 100
    if s >= 1:
        return 10**6
    # 2L / (2L + 1) >= s  <=>  L >= s / (2 (1 - s))
    return max(1, math.ceil(s / (2 * (1 - s)) - 1e-9))


def _multi_edit_length(score: float) -> int:
    """The shortest name that can reach ``score`` after two edits (a changed character,
    or two added): 2L / (2L + 2) >= s."""
    s = score / 100
    if s >= 1:
        return 10**6
    return max(1, math.ceil(s / (1 - s) - 1e-9))


def _name_groups(
    keys: list[str], score: float, counts: Counter | None = None
) -> tuple[list[str], dict[str, list[int]], set]:
    """Sound keys, positions of every key worth pairing, and near-identical key pairs.

    ``keys``: every contact's sound key (account mark first), ``counts`` the keys
    counted, if already. Identical keys (same account,
    same sound) meet in a Counter. Near-identical ones: a character more at either
    end (looked up directly), and for names long enough to stay near-identical
    after two edits, sorted neighbourhood forwards and backwards (see the module
    doc). Every pair is checked with
    ``fuzz.ratio`` against ``score``.
    """
    from rapidfuzz import fuzz

    if not keys:
        return [], {}, set()
    if counts is None:
        counts = Counter(keys)
    wanted = set(compress(counts, map((1).__lt__, counts.values())))
    near: set[tuple[str, str]] = set()
    min_len = _min_length(score)

    def check(a: str, b: str) -> None:
        if a[0] != b[0] or a == b or min(len(a), len(b)) <= min_len:
            return
        if fuzz.ratio(a[1:], b[1:], score_cutoff=score):
            near.add((a, b) if a < b else (b, a))
            wanted.add(a)
            wanted.add(b)

    # A number added at the end: the same name (李娜 and 李娜2; not 李娜1 and 李娜2).
    for k in compress(counts, map(str.isdigit, map(itemgetter(-1), counts))):
        stripped = k.rstrip(_DIGITS)
        if len(stripped) > 1 and stripped != k and stripped in counts:
            near.add((stripped, k))
            wanted.add(stripped)
            wanted.add(k)
    grown = list(compress(counts, map((min_len + 1).__lt__, map(len, counts))))
    if grown:
        for shorter in ([k[:-1] for k in grown], [k[0] + k[2:] for k in grown]):
            for i in compress(range(len(grown)), map(counts.__contains__, shorter)):
                check(shorter[i], grown[i])
    long_keys = list(compress(counts, map(_multi_edit_length(score).__lt__, map(len, counts))))
    if len(long_keys) > 1:
        ratio = partial(fuzz.ratio, score_cutoff=score)
        forwards = sorted(long_keys)
        backwards = sorted(k[0] + k[:0:-1] for k in long_keys)
        for ordered, flip in ((forwards, False), (backwards, True)):
            for step in range(1, _WINDOW + 1):
                for i in compress(range(len(ordered)), map(ratio, ordered, ordered[step:])):
                    a, b = ordered[i], ordered[i + step]
                    if flip:
                        a, b = a[0] + a[:0:-1], b[0] + b[:0:-1]
                    check(a, b)
    where: dict[str, list[int]] = {}
    if wanted:
        for i in compress(range(len(keys)), map(wanted.__contains__, keys)):
            key = keys[i]
            if len(key) < 2:
                continue  # no name left once punctuation is gone
            found = where.get(key)
            if found is None:
                where[key] = [i]
            else:
                found.append(i)
    return keys, where, near


# ---------------------------------------------------------------------------
# Phones


def phone_key(value: str | None) -> str:
    """The digits that identify a phone: mainland numbers without +86 / 0086 / 86.

    Stored phones are E.164 already (``+8613800138000``); this also copes with
    text a bulk write stored as typed (``138-0013-8000``, full-width digits).
    """
    if not value:
        return ""
    digits = "".join(ch for ch in unicodedata.normalize("NFKC", value) if ch.isdigit())
    if len(digits) == 15 and digits.startswith("0086"):
        digits = digits[4:]
    elif len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return digits


# ---------------------------------------------------------------------------
# Duplicates


class _Groups:
    """Union-find over contact positions."""

    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, i: int) -> int:
        parent = self.parent
        root = i
        while parent.get(root, root) != root:
            root = parent[root]
        while parent.get(i, i) != root:
            parent[i], i = root, parent[i]
        return root

    def join(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _same_values(values: list[str]) -> list[tuple[str, list[int]]]:
    """(value, positions) of every non-empty value held by two contacts or more."""
    counts = Counter(values)
    counts.pop("", None)
    dup = set(compress(counts, map((1).__lt__, counts.values())))
    if not dup:
        return []
    where: dict[str, list[int]] = {}
    for i in compress(range(len(values)), map(dup.__contains__, values)):
        found = where.get(values[i])
        if found is None:
            where[values[i]] = [i]
        else:
            found.append(i)
    return list(where.items())


class _Match(NamedTuple):
    how: str  # wechat | phone | name
    other: int  # position
    value: str  # the shared WeChat ID or phone ("" for names)


# What else tells friends apart: nickname under a remark, gender, city, birthday.
_APART_COLUMNS = (
    "iif(remark != '', nickname, ''), gender, city, ifnull(birth_month || '-' || birth_day, '')"
)
_APART_SQL = f"SELECT id, {_APART_COLUMNS} FROM contact WHERE id IN ({{}})"
# Who stays in a duplicate group: see _keepers.
_KEEPER_COLUMNS = "favourite, added_on, ifnull(a.purchases, 0) > 0, ifnull(a.interactions, 0) > 0"
_FROM_ACTIVITY = """
FROM contact c LEFT JOIN contact_activity a ON a.contact_id = c.id
WHERE c.id IN (SELECT value FROM json_each(?))
"""
# Read for thousands of contacts by another thread as one row (a JSON array of rows)
# for ids given as one JSON array (see _JsonRead): one statement, so the reading
# thread waits for the GIL once, not once per batch of 900 ids and per row.
_KEEPER_JSON_SQL = f"SELECT json_group_array(json_array(c.id, {_KEEPER_COLUMNS})) {_FROM_ACTIVITY}"
_DETAILS_JSON_SQL = (
    f"SELECT json_group_array(json_array(c.id, {_APART_COLUMNS}, {_KEEPER_COLUMNS}))"
    f" {_FROM_ACTIVITY}"
)


class _JsonRead(_Async):
    """A read of ``_KEEPER_JSON_SQL`` or ``_DETAILS_JSON_SQL`` for ``ids``, by another
    thread (a new one, or the one serving ``on``; or here, ``inline``). The ids are
    encoded before and the answer decoded after (:meth:`rows`) by the calling
    thread, so that the reading one needs the GIL for next to nothing while the
    calling one works."""

    def __init__(
        self,
        book: Book,
        sql: str,
        ids: Iterable[int],
        inline: bool,
        on: queue.SimpleQueue | None = None,
    ) -> None:
        super().__init__(book.scalar, sql, (json.dumps(sorted(ids)),), inline=inline, on=on)

    def rows(self) -> list[list]:
        return json.loads(self.get())


def _keeper_key(cid: int, fav, added, bought, talked) -> tuple:
    return (not fav, not bought, not talked, str(added), cid)


def _keepers(rows: list[list]) -> dict[int, tuple]:
    """id -> sort key of who stays in a duplicate group (the smallest): a favourite,
    then one who bought, then one with interactions, then the first added (``rows``:
    read by _KEEPER_JSON_SQL)."""
    return {r[0]: _keeper_key(*r) for r in rows}


def _details(rows: list[list]) -> tuple[dict[int, tuple], dict[int, tuple]]:
    """What tells friends apart (_APART_COLUMNS) and who stays (:func:`_keepers`), by
    id (``rows``: read by _DETAILS_JSON_SQL)."""
    apart, keepers = {}, {}
    for r in rows:
        apart[r[0]] = tuple(r[1:5])
        keepers[r[0]] = _keeper_key(r[0], *r[5:])
    return apart, keepers


def _scan_and_match(
    book: Book,
    score: float,
    inline: bool = False,
    read: threading.Event | None = None,
    meanwhile: Callable[[_Scan], None] | None = None,
) -> tuple[tuple, _Scan, dict[int, list[_Match]], dict[int, tuple], list[str]]:
    """Read every contact's identity and find who matches whom: (the contacts' state
    read with them, the scan, the matches, their keepers (see _keepers), every
    position's sound key).

    Another thread reads the contacts, part by part (see _read_parts; ``read`` is
    set once it has: the flag rules' read waits for it, one read at a time), and
    this one splits each part and turns it into sound keys as it comes, then works
    on them (near-identical names). The reading thread then reads what tells
    look-alike names apart and who stays in each duplicate group, while this one
    matches WeChat IDs and phones and runs ``meanwhile(scan)`` (see _review).
    """
    parts: queue.SimpleQueue = queue.SimpleQueue()
    jobs: queue.SimpleQueue | None = None
    if inline:
        reader = _Async(_read_parts, book, parts.put, read, inline=True)
    else:  # (the reader then reads what tells look-alike names apart)
        jobs = queue.SimpleQueue()
        reader = _Async(_serve, jobs, _read_parts, book, parts.put, read)
    try:
        return _scan_and_match_parts(book, score, inline, parts, reader, jobs, meanwhile)
    finally:
        if jobs is not None:
            jobs.put(None)


def _scan_and_match_parts(
    book: Book,
    score: float,
    inline: bool,
    parts: queue.SimpleQueue,
    reader: _Async,
    jobs: queue.SimpleQueue | None,
    meanwhile: Callable[[_Scan], None] | None,
) -> tuple[tuple, _Scan, dict[int, list[_Match]], dict[int, tuple], list[str]]:
    """:func:`_scan_and_match`'s work on the parts ``reader`` reads (``jobs``: where
    to queue its later reads)."""
    with _SOUNDS.lock:
        _SOUNDS.load()  # while the first part is read (not when it has come)
    state = parts.get()
    # Each part is split, folded into sound keys and counted while the next is read.
    scan: _Scan | None = _Scan([], [], [], [], 0)
    keys: list[str] = []
    counts: Counter = Counter()
    ended = False
    while state is not None and (part := parts.get()) is not None:
        if part == _ENDED:
            ended = True
            continue
        n, ids, names, wechat, phone, odd = part
        if not n or scan is None:
            continue
        split = [_split(names, n), _split(wechat, n), _split(phone, n)]
        sounds = _split(names.translate(_SOUNDS), n)
        if sounds is None or None in split:
            scan = None  # a separator in some text
            continue
        scan.ids += json.loads(ids)
        scan.keyed_names += split[0]
        scan.wechat += split[1]
        scan.phone += split[2]
        scan.odd_phones += odd or 0
        scan.upper_wechat = scan.upper_wechat or wechat != wechat.lower()
        keys += sounds
        counts.update(sounds)
    if not ended:
        if jobs is not None:
            jobs.put(None)  # (the reader ends)
        reader.get()  # raises the reader's error
    if scan is not None:
        grouped = _name_groups(keys, score, counts)
    else:  # a separator in some text
        with book.snapshot():
            state = _contacts_state(book)
            scan = _read_identity(book)
        grouped = _name_groups(_keys(_SEP.join(scan.keyed_names)), score)
    keys, where, near = grouped
    return state, scan, *_find_matches(book, scan, where, near, inline, jobs, meanwhile), keys


def _find_matches(
    book: Book,
    scan: _Scan,
    where: dict[str, list[int]],
    near: set[tuple[str, str]],
    inline: bool = False,
    jobs: queue.SimpleQueue | None = None,
    meanwhile: Callable[[_Scan], None] | None = None,
) -> tuple[dict[int, list[_Match]], dict[int, tuple]]:
    """Position -> matches, for every contact in a duplicate group (keepers included),
    and :func:`_keepers` of them (read with what tells names apart).

    ``where`` and ``near``: the name groups (see :func:`_name_groups`).
    """
    matches: dict[int, list[_Match]] = {}
    linked: set[tuple[int, int]] = set()  # both ways

    def add(i: int, j: int, how: str, value: str) -> None:
        matches.setdefault(i, []).append(_Match(how, j, value))
        matches.setdefault(j, []).append(_Match(how, i, value))
        linked.add((i, j))
        linked.add((j, i))

    wechat = scan.wechat
    if scan.upper_wechat:  # the same WeChat ID, whatever the case
        wechat = [w.lower() for w in wechat]
    phones = [phone_key(p) for p in scan.phone] if scan.odd_phones else scan.phone

    # Near-identical names, for pairs nothing tells apart. Two WeChat IDs do at
    # once (the same one matched below; different ones are two friends), and so
    # do two different phones; what else does is read (by another thread, while
    # this one matches WeChat IDs and phones) for the pairs left.
    pairs: list[tuple[int, int]] = []
    for members in where.values():
        if len(members) < 2:
            continue
        bare = [i for i in members if not wechat[i]]
        if not bare:
            continue
        # i has no WeChat ID: only phones can tell the pair apart
        for i, j in chain(combinations(bare, 2), product(bare, [j for j in members if wechat[j]])):
            pi, pj = phones[i], phones[j]
            if not pi or not pj or pi == pj:
                pairs.append((i, j))
    # In position order: a set's order would make ties in the evidence and the
    # merge partner vary from one process to the next.
    close = [(i, j) for a, b in near for i in where.get(a, ()) for j in where.get(b, ())]
    for i, j in sorted(close):
        if wechat[i] and wechat[j]:
            continue
        pi, pj = phones[i], phones[j]
        if not pi or not pj or pi == pj:
            pairs.append((i, j))
    ids = scan.ids
    # Read by another thread while this one matches: what tells the pairs apart and
    # who stays among them, then who stays among the others who match.
    paired = {p for pair in pairs for p in pair}
    details = _JsonRead(book, _DETAILS_JSON_SQL, map(ids.__getitem__, paired), inline, jobs)
    same_wechat, same_phone = _same_values(wechat), _same_values(phones)
    others = set()
    for _value, members in chain(same_wechat, same_phone):
        others.update(members)
    others -= paired
    more = _JsonRead(book, _KEEPER_JSON_SQL, map(ids.__getitem__, others), inline, jobs)
    if meanwhile is not None:
        meanwhile(scan)
    for value, members in same_wechat:
        for i, j in combinations(members, 2):
            add(i, j, "wechat", value)
    for value, members in same_phone:
        for i, j in combinations(members, 2):
            if (i, j) not in linked:
                add(i, j, "phone", value)

    apart, keepers = _details(details.rows())
    keepers.update(_keepers(more.rows()))
    if pairs:
        for i, j in pairs:
            if (i, j) in linked:  # the same WeChat ID or phone already
                continue
            a, b = apart.get(ids[i]), apart.get(ids[j])
            if a is None or b is None:
                continue  # erased since
            if a != b and any(map(_differ, a, b)):
                continue
            add(i, j, "name", "")
    return matches, keepers


ASCII_CAPITALS, OTHER_CAPITALS = 1, 2
_NOT_ASCII = re.compile(r"[^\x00-\x7f]")


def case_kind(values: Sequence[str]) -> int:
    """0 if no value has capitals; ASCII_CAPITALS if SQLite's ``lower()`` (ASCII only)
    folds them all as ``str.lower`` does; else OTHER_CAPITALS (a bulk write stored a
    WeChat ID in other letters: the analysis is then made from every contact)."""
    text = _SEP.join(values)
    if text == text.lower():
        return 0
    if text.isascii():
        return ASCII_CAPITALS
    others = set(_NOT_ASCII.findall(text))
    return OTHER_CAPITALS if any(ch.lower() != ch for ch in others) else ASCII_CAPITALS


def _differ(x: str, y: str) -> bool:
    """Two details that tell friends apart: both known, not the same."""
    return bool(x and y and x != y)


@dataclass
class _Identity:
    """The identity rules' work (who matches whom) at one state of the contacts:
    ``key`` is (the last change noted, the highest id, the duplicate score)."""

    key: tuple
    scan: _Scan
    matches: dict[int, list[_Match]]
    _where: dict[int, int] | None = None
    _groups: list[list[int]] | None = None
    _evidence: dict[tuple, Evidence] = field(default_factory=dict)
    _friends: Counter | None = None
    unsaved: bool = False  # computed here, not yet saved in the book (see _save_later)
    # The sorted sound keys (kamtui.cleanup_update.KeyIndex) for bringing it up to
    # date; made from ``sounds`` (every position's key) by the save, in its thread.
    index: Any = None
    sounds: list[str] | None = None
    saved_index: tuple | None = None  # the saved one, still encoded (see _decode_identity)
    # Who stays in each duplicate group (see _keepers), read with the matches when
    # they were made, for the review that made them (others read it again: it
    # changes with favourites, purchases and interactions).
    keepers: dict[int, tuple] | None = None
    odd: bool = False  # some phone not in E.164 (matched on its digits)
    # WeChat IDs with capitals (matched case folded): 0 none, SQLite's lower() folds
    # them as Python's does (ASCII), OTHER_CAPITALS some it does not (see case_kind).
    upper: int = 0

    @property
    def groups(self) -> list[list[int]]:
        """The duplicate groups: positions of contacts that match, directly or not."""
        if self._groups is None:
            union = _Groups()
            for i, found in self.matches.items():
                for m in found:
                    union.join(i, m.other)
            by_root: dict[int, list[int]] = {}
            for i in self.matches:
                by_root.setdefault(union.find(i), []).append(i)
            self._groups = list(by_root.values())
        return self._groups

    @property
    def friends(self) -> Counter:
        """Contacts that are not archived, by account id (0: none)."""
        if self._friends is None and self.scan.friends is not None:
            self._friends = self.scan.friends
        if self._friends is None:
            counts = Counter(map(itemgetter(0), self.scan.keyed_names))
            counts.pop(_GONE, None)
            self._friends = Counter({ord(m) - _ACCOUNT_MARK: n for m, n in counts.items()})
        return self._friends

    @property
    def where(self) -> dict[int, int]:
        """contact id -> position."""
        if self._where is None:
            self._where = dict(zip(self.scan.ids, range(len(self.scan.ids)), strict=True))
            self._where.pop(-1, None)
        return self._where

    def key_index(self):
        """The sorted sound keys (made now if the save has not made them)."""
        if self.index is None and self.saved_index is not None:
            self.index = _decode_index(self.saved_index, len(self.scan.ids), self.key[-1])
            self.saved_index = None
        if self.index is None:
            from kamtui.cleanup_update import KeyIndex

            sounds = self.sounds
            if sounds is None:
                sounds = [k.translate(_SOUNDS) for k in self.scan.keyed_names]
            self.index = KeyIndex.build(sounds, self.key[-1])
            self.sounds = None
        return self.index


_GONE = chr(_ACCOUNT_MARK - 1)  # the name of a position whose contact left (archived, erased)
_IDENTITIES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_IDENTITIES_LOCK = threading.Lock()
_SKIP_SAVED: weakref.WeakSet = weakref.WeakSet()  # see forget_cache


def _contacts_state(book: Book) -> tuple:
    """(the last change noted in ``cleanup_change``, the highest contact id): moves
    whenever what the identity rules read of a contact changes (migration v0008:
    triggers note every update, erasure and insert below the highest id; a contact
    added on top raises the highest id). Read through primary keys: next to nothing.
    """
    return tuple(book.query(_STATE_SQL)[0])


_STATE_SQL = """SELECT (SELECT ifnull(max(seq), 0) FROM cleanup_change),
                       (SELECT ifnull(max(id), 0) FROM contact)"""


def _identity(
    book: Book,
    score: float,
    inline: bool = False,
    read: threading.Event | None = None,
    meanwhile: Callable[[_Scan], None] | None = None,
) -> _Identity:
    """The identity rules' work: the one remembered, else the one saved in the book,
    brought up to date with the contacts changed since (see
    :mod:`kamtui.cleanup_update`), else made from every contact (``read``: set once
    the book's identities are read, see _scan_and_match)."""
    from kamtui.cleanup_update import brought_up_to_date

    with _identity_lock(book):  # (one at a time: the second takes the first's analysis)
        key = (*_contacts_state(book), score)
        with _IDENTITIES_LOCK:
            cached = _IDENTITIES.get(book)
            skip = book in _SKIP_SAVED
            _SKIP_SAVED.discard(book)
        if cached is not None and cached.key == key:
            return cached
        found = None
        if cached is not None and cached.key[-1] == score:
            if cached.index is None:
                wait_saved(book)  # (the save makes the index)
            cached.key_index()
            found = brought_up_to_date(book, cached, inline)
        if found is None and not skip:
            saved = _load_identity(book, score, read)
            if saved is not None:
                if saved.key != key:
                    saved.key_index()
                    saved = brought_up_to_date(book, saved, inline, owned=True)
                found = saved
        if found is None:
            found = _whole_identity(book, score, inline, read, meanwhile)
        with _IDENTITIES_LOCK:
            _IDENTITIES[book] = found
        return found


def _whole_identity(
    book: Book,
    score: float,
    inline: bool = False,
    read: threading.Event | None = None,
    meanwhile: Callable[[_Scan], None] | None = None,
) -> _Identity:
    """The identity analysis made from every contact (see :func:`_identity`)."""
    state, scan, matches, keepers, sounds = _scan_and_match(book, score, inline, read, meanwhile)
    found = _Identity((*state, score), scan, matches, sounds=sounds, keepers=keepers)
    found.odd = scan.odd_phones > 0
    found.upper = case_kind(scan.wechat) if scan.upper_wechat else 0
    found.unsaved = not inline
    return found


PREPARE_FROM = 5_000  # contacts; fewer: the whole analysis takes a review a moment


def prepare(
    book: Book, rules: Rules | None = None, progress: Callable[[int, int], None] | None = None
) -> bool:
    """Make the identity analysis now, and save it, if the next review would have to
    make it from every contact (none kept in this process nor saved in the book, or
    more changes since than it can be brought up to date with) and the book has
    :data:`PREPARE_FROM` contacts or more. True if it did.

    For the writes that change many contacts at once (an import, the undo of a big
    one): the seller waits for them anyway, with progress, and the clean-up then
    opens in the time of an update instead of ~0.4 s more at 100,000 contacts.
    Inside a transaction it does nothing (its reads go through other connections).
    ``progress(done, 2)``: told once it starts, once the analysis is made, once saved.
    """
    if book.closed or book.conn.in_transaction:
        return False
    score = (rules or Rules.from_settings(book)).duplicate_score
    with _identity_lock(book):  # (a review under way: its analysis, then nothing due)
        if not _whole_due(book, score):
            return False
        if progress is not None:
            progress(0, 2)
        with _gc_paused():
            found = _whole_identity(book, score)
        found.unsaved = False
        found.keepers = None  # (who stays is read again by the review that uses it)
        with _IDENTITIES_LOCK:
            _IDENTITIES[book] = found
            _SKIP_SAVED.discard(book)
    # Saved with the lock let go: a review may take the analysis meanwhile (the save
    # waits for the book's write lock, which a review inside a transaction holds).
    if progress is not None:
        progress(1, 2)
    _save_later(book, found)
    wait_saved(book)
    if progress is not None:
        progress(2, 2)
    return True


_IDENTITY_LOCKS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # book -> its lock


def _identity_lock(book: Book) -> threading.Lock:
    """Held while the identity analysis of ``book`` is found or made (a review's
    :func:`_identity`, :func:`prepare`): a second one waits and takes the first's."""
    with _IDENTITIES_LOCK:
        lock = _IDENTITY_LOCKS.get(book)
        if lock is None:
            lock = _IDENTITY_LOCKS[book] = threading.Lock()
    return lock


def _whole_due(book: Book, score: float) -> bool:
    """Whether the next review would make the analysis from every contact, on a book
    of :data:`PREPARE_FROM` contacts or more (what :func:`_identity` would find,
    without loading anything: a wrong guess costs time, never a wrong review)."""
    from kamtui.cleanup_update import changed_since

    with _IDENTITIES_LOCK:
        cached = _IDENTITIES.get(book)
        skip = book in _SKIP_SAVED
    with book.snapshot():
        state = _contacts_state(book)
        bases = []  # (seq, top, can be brought up to date)
        if cached is not None and cached.key[-1] == score:
            bases.append((*cached.key[:2], not cached.odd and cached.upper != OTHER_CAPITALS))
        if not skip:
            with suppress(sqlite3.OperationalError, ValueError, TypeError, IndexError):
                found = book.query("SELECT key FROM cleanup_identity WHERE id = 1")
                if found:
                    version, seq, top, saved_score, odd, upper = json.loads(found[0][0])
                    if version == _analysis_version() and saved_score == score:
                        updatable = not odd and upper != OTHER_CAPITALS
                        bases.append((int(seq), int(top), updatable))
        for seq, top, updatable in bases:
            if (seq, top) == state:
                return False
            if updatable and changed_since(book, seq, top, state[0]) is not None:
                return False
        sql = "SELECT count(*) FROM (SELECT 1 FROM contact WHERE archived = 0 LIMIT ?)"
        return book.query(sql, (PREPARE_FROM,))[0][0] >= PREPARE_FROM


def forget_cache(book: Book | None = None, *, saved: bool = True) -> None:
    """Drop the identity rules' remembered work (for one book, or all), and with
    ``saved`` have the next review of the book (or of each book remembered) ignore
    the analysis saved in it, once: that review makes it again (and saves it)."""
    with _IDENTITIES_LOCK:
        books = list(_IDENTITIES) if book is None else [book]
        for b in books:
            _IDENTITIES.pop(b, None)
            if saved:
                _SKIP_SAVED.add(b)


# ---------------------------------------------------------------------------
# The identity analysis saved in the book for the next process (migrations v0007, v0008)
#
# A new process (the seller opens kamtui and presses 3) loads it instead of reading
# and matching every contact again, and brings it up to date with the contacts
# changed since (kamtui.cleanup_update), when it was made with the same duplicate
# score and code. Plain columns only (the book may come from elsewhere: nothing is
# unpickled), checked as they are decoded; anything that does not line up is
# ignored, and the analysis made again.

_SAVED_FORMAT = 3  # bump whenever what the identity rules find, or how it is saved, changes
_HOW_CODE = {how: n for n, how in enumerate(DUPLICATE_HOW)}
_SAVED_SQL = """
SELECT key, contacts, ids, names, wechat, friends, matches,
       match_at, match_other, match_how, match_value, sounds, sound_at, back, checksum
FROM cleanup_identity WHERE id = 1
"""
_SAVE_SQL = """
INSERT OR REPLACE INTO cleanup_identity (id, key, contacts, ids, names, wechat, friends,
    matches, match_at, match_other, match_how, match_value, sounds, sound_at, back, checksum)
VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""


def _checksum(row: Sequence) -> str:
    """Of a saved row's columns (a damaged row must not line up by chance)."""
    h = hashlib.blake2b(digest_size=16)
    for value in row:
        data = value if isinstance(value, bytes) else str(value).encode()
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


_code_version: str | None = None


def _analysis_version() -> str:
    """This code's format and what makes the sound keys and scores: pypinyin's table
    of readings (its size and time: ``importlib.metadata`` alone takes ~50 ms to
    import) and rapidfuzz's version."""
    global _code_version
    if _code_version is None:
        import rapidfuzz

        from kamtui.searchkey import reading_table_path

        table = "-"
        with suppress(OSError, TypeError):
            st = os.stat(reading_table_path())  # (TypeError: no table)
            table = f"{st.st_size}:{st.st_mtime_ns}"
        _code_version = f"{_SAVED_FORMAT} {table} {getattr(rapidfuzz, '__version__', '-')}"
    return _code_version


def _saved_key(ident: _Identity) -> str:
    return json.dumps([_analysis_version(), *ident.key, ident.odd, ident.upper])


def _load_identity(book: Book, score: float, read: threading.Event | None) -> _Identity | None:
    """The saved analysis if it was made with ``score`` by this code and lines up,
    else None (whatever changed since: see _identity)."""
    try:
        with book.snapshot():
            found = book.query(_SAVED_SQL)
            if not found:
                return None
            if read is not None:
                # The flag rules' read may start (with no saved analysis it waits for
                # the contacts' read: one read at a time, see _scan_and_match).
                read.set()
            version, seq, top, saved_score, odd, upper = json.loads(found[0][0])
            if version != _analysis_version() or saved_score != score:
                return None
            key = (int(seq), int(top), score)
            friends_now = book.query(_FRIENDS_SQL) if key[:-1] == _contacts_state(book) else None
        ident = _decode_identity(key, found[0], friends_now)
        if ident is not None:
            ident.odd, ident.upper = bool(odd), int(upper)
        return ident
    except (sqlite3.OperationalError, ValueError, TypeError, OverflowError, UnicodeError):
        return None  # no such table (a book not migrated yet), or not what we wrote


def _decode_identity(key: tuple, row: tuple, friends_now: list | None) -> _Identity | None:
    """The saved row as an analysis, or None if it does not line up (``friends_now``:
    who is not archived, by account, read now, when nothing changed since)."""
    if _checksum(row[:-1]) != row[-1]:
        return None
    _key, n, ids_b, names_b, wechat_b, friends_j, m, at_b, other_b, how_b, value_b = row[:11]
    sounds_b, sound_at_b, back_b = row[11:14]
    ids = array("q")
    ids.frombytes(ids_b)
    at, other, sound_at = array("i"), array("i"), array("i")
    at.frombytes(at_b)
    other.frombytes(other_b)
    sound_at.frombytes(sound_at_b)
    names = _split(names_b.decode(), n)
    wechat = _split(wechat_b.decode(), n)
    values = _split(value_b.decode(), m)
    if (
        names is None
        or wechat is None
        or values is None
        or sounds_b.count(_SEP.encode()) != max(n - 1, 0)
        or len(ids) != n
        or len(at) != m
        or len(other) != m
        or len(how_b) != m
        or len(sound_at) != n
    ):
        return None
    if m and (min(at) < 0 or min(other) < 0 or max(at) >= n or max(other) >= n or max(how_b) > 2):
        return None
    if n and (min(sound_at) < 0 or max(sound_at) >= n):
        return None
    friends = Counter({int(a): int(c) for a, c in json.loads(friends_j)})
    # Who is not archived, by account, read now: must be what was saved.
    if friends_now is not None and friends != Counter(
        {aid or _NO_ACCOUNT: count for aid, count in friends_now}
    ):
        return None
    if names and min(names) < chr(_ACCOUNT_MARK):  # (an empty one would be the least)
        return None
    hows = [DUPLICATE_HOW[h] for h in how_b]
    matches: dict[int, list[_Match]] = {}
    for i, how, j, value in zip(at, hows, other, values, strict=True):
        found = matches.get(i)
        if found is None:
            matches[i] = [_Match(how, j, value)]
        else:
            found.append(_Match(how, j, value))
    scan = _Scan(ids.tolist(), names, wechat, [], 0, friends=friends)
    # The sorted sound keys are decoded only if the analysis is brought up to date.
    return _Identity(key, scan, matches, saved_index=(sounds_b, sound_at, back_b))


def _decode_index(saved: tuple, n: int, score: float):
    """The saved sorted sound keys (checked with the rest: see _decode_identity)."""
    from kamtui.cleanup_update import KeyIndex

    sounds_b, sound_at, back_b = saved
    sounds = _split(sounds_b.decode(), n)
    if sounds is None:
        return None  # (made again from the names)
    return KeyIndex(sounds, sound_at, back_b.decode().split(_SEP) if back_b else [], score)


def _encode_identity(ident: _Identity) -> tuple:
    """The row to save (positions of contacts that left dropped, the others renumbered)."""
    scan, matches, index = ident.scan, ident.matches, ident.key_index()
    ids, names, wechat, sound_at = scan.ids, scan.keyed_names, scan.wechat, index.at
    if -1 in ids:
        kept = [p for p, cid in enumerate(ids) if cid != -1]
        moved = array("i", [-1]) * len(ids)
        for new, p in enumerate(kept):
            moved[p] = new
        ids, names, wechat = ([x[p] for p in kept] for x in (ids, names, wechat))
        matches = {
            moved[i]: [m._replace(other=moved[m.other]) for m in found]
            for i, found in matches.items()
        }
        sound_at = array("i", map(moved.__getitem__, sound_at))
    at, other, how, values = array("i"), array("i"), bytearray(), []
    for i, found in matches.items():
        for m in found:
            at.append(i)
            other.append(m.other)
            how.append(_HOW_CODE[m.how])
            values.append(m.value)
    row = (
        _saved_key(ident),
        len(ids),
        array("q", ids).tobytes(),
        _SEP.join(names).encode(),
        _SEP.join(wechat).encode(),
        json.dumps(sorted(ident.friends.items())),
        len(at),
        at.tobytes(),
        other.tobytes(),
        bytes(how),
        _SEP.join(values).encode(),
        _SEP.join(index.keys).encode(),
        sound_at.tobytes(),
        _SEP.join(index.back).encode(),
    )
    return (*row, _checksum(row))


class _Saver(threading.Thread):
    """Saves one analysis after ``delay`` seconds, unless a newer one is to be saved
    first (:func:`wait_saved` hurries it)."""

    def __init__(self, book: Book, ident: _Identity, delay: float) -> None:
        super().__init__(name="kamtui-cleanup-save", daemon=True)
        self.book, self.analysis, self.delay = book, ident, delay
        self.hurry = threading.Event()
        self.cancelled = False

    def run(self) -> None:
        if self.delay:
            self.hurry.wait(self.delay)
        # (a book closed meanwhile may have been replaced: a restored backup)
        if not self.cancelled and not self.book.closed:
            _save_identity(self.book, self.analysis)


_savers: dict[int, _Saver] = {}  # id(book) -> its last saver
_SAVERS_LOCK = threading.Lock()
# An analysis brought up to date is saved once the seller pauses: archiving one
# candidate after another would otherwise write the whole analysis each time.
_SAVE_DELAY = 2.0


def _save_later(book: Book, ident: _Identity, delay: float = 0.0) -> None:
    """Save the analysis just made, in another thread, once the review is made (its
    sorted sound keys are made there too, for the analysis kept here), after
    ``delay`` seconds; a save still waiting is dropped for this newer one."""
    thread = _Saver(book, ident, delay)
    with _SAVERS_LOCK:
        before = _savers.get(id(book))
        if before is not None:
            before.cancelled = True
            before.hurry.set()
        _savers[id(book)] = thread
        thread.start()


def _save_identity(book: Book, ident: _Identity) -> None:
    """Write the analysis, if the contacts are still as it saw them (else it is stale
    already, and may hold a name erased since), and forget the changes noted before
    it (but the last: ``seq`` must only grow, see migration v0008)."""
    try:
        # (nothing here changes what the analysis holds: a review may read it meanwhile)
        row = _encode_identity(ident)
        # A connection of its own: Book.close() may run meanwhile (it closes the
        # connections of the Book's threads, and one in use would crash).
        con = book.connect()
    except Exception:  # a cache: the next review makes it again
        return
    try:
        con.execute("BEGIN IMMEDIATE")
        state = tuple(con.execute(_STATE_SQL).fetchone())
        if (*state, ident.key[-1]) == ident.key:
            con.execute(_SAVE_SQL, row)
            con.execute("DELETE FROM cleanup_change WHERE seq < ?", (state[0],))
        con.execute("COMMIT")
        book._own_commit_seen()  # not another process's change (Book.foreign_stamp)
    except Exception:
        pass
    finally:
        con.close()  # rolls back what was not committed


def wait_saved(book: Book) -> None:
    """Wait until the analysis the last review of ``book`` made is saved (tests, tools)."""
    with _SAVERS_LOCK:
        thread = _savers.pop(id(book), None)
    if thread is not None:
        thread.hurry.set()
        thread.join()


def _duplicate_evidence(
    scan: _Scan, i: int, m: _Match, account_names: dict[int, str], folded: dict[int, str]
) -> Evidence:
    from rapidfuzz import fuzz

    other_id = scan.ids[m.other]
    other_name = scan.name(m.other)
    values: dict[str, Any] = {"name": other_name, "id": other_id}
    if m.how == "name":
        mine = scan.name(i)
        if folded[i] == folded[m.other]:
            key = "cleanup.ev.dup_name_same"
        else:
            s = round(fuzz.ratio(name_key(mine), name_key(other_name)))
            key = "cleanup.ev.dup_name_sound" if s >= 100 else "cleanup.ev.dup_name"
            values["score"] = s
        basis: tuple = ("duplicate", "name", other_id, mine, other_name)
    else:
        key = f"cleanup.ev.dup_{m.how}"
        basis = ("duplicate", m.how, other_id, m.value)
    other_account = scan.account(m.other)
    if other_account != scan.account(i):
        key += "_account"
        values["account"] = (
            account_names.get(other_account, f"#{other_account}")
            if other_account
            else t("cleanup.no_account")
        )
    return Evidence("duplicate", key, values, basis)


def _duplicate_candidates(
    ident: _Identity, account_names: dict[int, str], keepers: dict[int, tuple]
) -> dict[int, tuple[int, list[Evidence], int]]:
    """contact id -> (position, duplicate evidence, partner id) for every extra copy
    (``keepers``: :func:`_keepers` of every contact that matches another)."""
    scan, matches = ident.scan, ident.matches
    if not matches:
        return {}
    ids = scan.ids
    chosen: list[tuple[int, list[_Match]]] = []
    how_order = {how: n for n, how in enumerate(DUPLICATE_HOW)}
    for members in ident.groups:
        keeper = min(members, key=lambda i: keepers.get(ids[i], (True,) * 4 + (ids[i],)))
        for i in members:
            if i != keeper:
                # the keeper first, then by how they match, then the lowest id: the
                # same order however the analysis was made (whole or brought up to date)
                ms = sorted(
                    matches[i], key=lambda m: (m.other != keeper, how_order[m.how], ids[m.other])
                )
                chosen.append((i, ms[:_MAX_EVIDENCE]))
    cache = ident._evidence
    if cache.get("names") != account_names:  # evidence names accounts
        cache.clear()
        cache["names"] = dict(account_names)  # type: ignore[assignment]
    todo = [(i, m) for i, ms in chosen for m in ms if (i, m) not in cache]
    named = sorted({p for i, m in todo if m.how == "name" for p in (i, m.other)})
    folded = dict(zip(named, _folded(scan.name(p) for p in named), strict=True))
    for i, m in todo:
        cache[i, m] = _duplicate_evidence(scan, i, m, account_names, folded)
    return {ids[i]: (i, [cache[i, m] for m in ms], ids[ms[0].other]) for i, ms in chosen}


# ---------------------------------------------------------------------------
# The review


def _decisions(book: Book) -> dict[int, tuple[str, str]]:
    return {
        cid: (decision, fp)
        for cid, decision, fp in book.query(
            "SELECT contact_id, decision, fingerprint FROM cleanup_decision"
        )
    }


def _account_names(book: Book) -> dict[int, str]:
    return dict(book.query("SELECT id, name FROM account ORDER BY id"))


_GC_LOCK = threading.Lock()
_gc_pauses = 0  # reviews running with the collector paused
_gc_was_enabled = False


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a review runs.

    A review of 100,000 contacts makes a hundred thousand container objects
    (candidates, matches, lists), none of them in a reference cycle, which are
    freed by reference counting. Each collection they trigger walks every object
    of the process: about 130 ms of a review went to collections that found
    nothing. Nested and concurrent reviews share one pause.
    """
    global _gc_pauses, _gc_was_enabled
    with _GC_LOCK:
        if _gc_pauses == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pauses += 1
    try:
        yield
    finally:
        with _GC_LOCK:
            _gc_pauses -= 1
            if _gc_pauses == 0 and _gc_was_enabled:
                gc.enable()


def review(
    book: Book,
    today: date | None = None,
    *,
    reasons: str | Iterable[str] | None = None,
    account: str | int | None = None,
    rules: Rules | None = None,
) -> Review:
    """Find the clean-up candidates of the whole book (or one account, some reasons).

    Kept contacts whose data has not changed are left out (counted in
    ``kept``); contacts marked "delete in WeChat" are in ``marked``.
    """
    with _gc_paused():
        found = _review(book, today, reasons=reasons, account=account, rules=rules)
    if found._save is not None:
        # After the review, not while it ends (the save's sort takes the GIL in turns);
        # an analysis brought up to date, once the seller pauses.
        ident, found._save = found._save, None
        _save_later(book, ident, 0.0 if ident.sounds is not None else _SAVE_DELAY)
    return found


def _review(
    book: Book,
    today: date | None,
    *,
    reasons: str | Iterable[str] | None,
    account: str | int | None,
    rules: Rules | None,
) -> Review:
    today = today or clock.today()
    rules = rules or Rules.from_settings(book)
    wanted = parse_reasons(reasons)
    account_id = None
    if account is not None and account != "":
        from kamtui.accounts import resolve_account

        account_id = resolve_account(book, account)
    names = _account_names(book)
    caps = dict(book.query("SELECT id, friend_cap FROM account"))
    decisions = _decisions(book)

    # The flag rules run in SQLite in another thread (building the one-row answer
    # releases the GIL) while this one works on identities, starting once the
    # identities are read (or found remembered): one read at a time. Then who stays
    # in each duplicate group is read while the flagged candidates are made.
    inline = book.conn.in_transaction
    identities_read = threading.Event()
    flags_job = _Async(_read_flagged, book, today, rules, inline=inline, after=identities_read)
    day = today.toordinal()
    early: list[tuple[_Scan, dict[int, int], list[Candidate]]] = []

    def meanwhile(scan: _Scan) -> None:
        """Make the flagged candidates of a scan just read, while the analysis waits
        for what tells look-alike names apart (its thread is idle then)."""
        where = dict(zip(scan.ids, range(len(scan.ids)), strict=True))
        early.append((scan, where, _flagged_candidates(flags_job.get(), scan, where, day)))

    try:
        ident = _identity(book, rules.duplicate_score, inline, identities_read, meanwhile)
    except BaseException:
        identities_read.set()
        flags_job.wait()
        raise
    identities_read.set()  # (remembered: nothing was read)
    scan, matches = ident.scan, ident.matches
    keepers, ident.keepers = ident.keepers, None
    keepers_job = None
    if matches and keepers is None:
        keepers_job = _JsonRead(book, _KEEPER_JSON_SQL, map(scan.ids.__getitem__, matches), inline)
    if early and early[0][0] is scan:  # made meanwhile
        if ident._where is None:
            ident._where = early[0][1]
        made = early[0][2]
    else:
        made = _flagged_candidates(flags_job.get(), scan, ident.where, day)
    if keepers_job is not None:
        keepers = _keepers(keepers_job.rows())
    dups = _duplicate_candidates(ident, names, keepers or {})

    # The queue by (account, first reason), each in id order.
    groups: dict[tuple[int, int], list[Candidate]] = {}
    kept = 0
    listed: dict[int, Candidate] = {}  # marked "delete in WeChat", with their reasons
    seen_dups: dict[int, Candidate] = {}
    special = dups.keys() | decisions.keys()

    def decided(c: Candidate) -> bool:
        """Whether the seller's decision takes ``c`` out of the queue (kept: counted;
        marked: listed apart)."""
        nonlocal kept
        decision = decisions.get(c.contact_id)
        if decision is None or not _hidden(c, decision):
            return False
        if decision[0] == "keep":
            kept += 1
        else:
            listed[c.contact_id] = c
        return True

    for c in made:
        cid = c.contact_id
        if cid in special:
            dup = dups.get(cid)
            if dup is not None:
                c.duplicates, c.partner_id = dup[1], dup[2]
                seen_dups[cid] = c
                if not c.flags & (_BLOCKED | _AD):
                    continue  # filed under duplicate below
            if decided(c):
                continue
        group = (c.account_id or _NO_ACCOUNT, _FIRST[c.flags])
        found = groups.get(group)
        if found is None:
            groups[group] = [c]
        else:
            found.append(c)
    copies = []
    for cid, (i, evidence, partner) in dups.items():
        c = seen_dups.get(cid)
        if c is None:
            c = Candidate(cid, scan.account(i), scan.name(i), scan.wechat[i], 0, "", "", day)
            c.duplicates, c.partner_id = evidence, partner
        elif c.flags & (_BLOCKED | _AD):
            continue  # already under blocked or ad
        if decided(c):
            continue
        copies.append(c)
    copies.sort(key=lambda c: (c.partner_id or 0, c.contact_id))
    for c in copies:
        groups.setdefault((c.account_id or _NO_ACCOUNT, 2), []).append(c)

    order = {aid: n for n, aid in enumerate(names)}
    queue: list[Candidate] = []
    for (aid, _first_reason), members in sorted(
        groups.items(), key=lambda g: (order.get(g[0][0], len(order)), g[0][1])
    ):
        if account_id is not None and aid != account_id:
            continue
        if wanted is not None:
            members = [c for c in members if any(c.has(r) for r in wanted)]
        queue.extend(members)
    marked = _marked(decisions, listed, scan, ident.where, day, order)
    if account_id is not None:
        marked = [c for c in marked if c.account_id == account_id]
    friend_counts = dict(ident.friends)
    found = Review(
        today=today,
        rules=rules,
        candidates=queue,
        marked=marked,
        kept=kept,
        accounts=_summaries(names, caps, friend_counts, queue, marked, account_id),
        account_names=names,
        filtered=account_id is not None or wanted is not None,
        friends=friend_counts,
        caps=caps,
        only_account=account_id,
    )
    if not found.filtered:
        with _IDENTITIES_LOCK:
            _REVIEWS[book] = (book.stamp(), found)  # for the export columns
    if ident.unsaved:
        ident.unsaved = False
        found._save = ident  # saved once the review is handed over (see review)
    return found


def _flagged_candidates(
    flagged: _Flagged, scan: _Scan, where: dict[int, int], day: int
) -> list[Candidate]:
    """The flag rules' answer as candidates (``where``: contact id -> position in
    ``scan``; contacts no longer there are left out)."""
    fl_ids, fl_bits, fl_moments, fl_added = flagged
    at = list(map(where.get, fl_ids))
    if None in at:  # archived since
        present = list(map(is_not, at, repeat(None)))
        fl_ids, fl_bits, fl_moments, fl_added, at = (
            list(compress(x, present)) for x in (fl_ids, fl_bits, fl_moments, fl_added, at)
        )
    keyed, wechat = scan.keyed_names, scan.wechat
    mark = _ACCOUNT_MARK
    return [
        Candidate(cid, ord(k[0]) - mark or None, k[1:], wx, bits, moment, added, day)
        for cid, k, wx, bits, moment, added in zip(
            fl_ids,
            map(keyed.__getitem__, at),
            map(wechat.__getitem__, at),
            fl_bits,
            fl_moments,
            fl_added,
            strict=True,
        )
    ]


def _first(bits: int) -> int:
    """The queue group (index in REASONS) of a flagged contact that is no duplicate."""
    if bits & _BLOCKED:
        return 0
    if bits & _AD:
        return 1
    return 3 if bits & _DEAD else 4


_FIRST = [_first(bits) for bits in range(16)]


def _hidden(c: Candidate, decision: tuple[str, str]) -> bool:
    """Marked for deletion (it is on the delete list), or kept with the same data."""
    return decision[0] == "delete" or decision[1] == c.fingerprint()


def _marked(
    decisions: dict[int, tuple[str, str]],
    listed: dict[int, Candidate],
    scan: _Scan,
    where: dict[int, int],
    day: int,
    order: dict[int, int],
) -> list[Candidate]:
    """The delete list: marked contacts that are not archived, with their reasons
    (``listed``: the candidates among them; the others were marked by hand)."""
    out = []
    for cid, (decision, _fp) in decisions.items():
        if decision != "delete":
            continue
        c = listed.get(cid)
        if c is None:
            i = where.get(cid)
            if i is None:
                continue  # archived
            c = Candidate(cid, scan.account(i), scan.name(i), scan.wechat[i], 0, "", "", day)
        c.marked = True
        out.append(c)
    last = len(order)
    out.sort(key=lambda c: (order.get(c.account_id, last), c.queue_key()))
    return out


def _summaries(
    names: dict[int, str],
    caps: dict[int, int],
    friends: dict[int, int],
    to_review: list[Candidate],
    marked: list[Candidate],
    only: int | None,
) -> list[AccountSummary]:
    masks = Counter((c.account_id or _NO_ACCOUNT, c.mask) for c in to_review)
    by_account: dict[int, dict[str, int]] = {}
    reviewing: Counter = Counter()
    for (aid, mask), n in masks.items():
        counts = by_account.setdefault(aid, dict.fromkeys(REASONS, 0))
        reviewing[aid] += n
        for code in REASONS:
            if mask & _BITS[code]:
                counts[code] += n
    marking = Counter(c.account_id or _NO_ACCOUNT for c in marked)
    out = []
    accounts = [(aid, name, caps.get(aid, 0)) for aid, name in names.items()]
    if friends.get(_NO_ACCOUNT) or reviewing[_NO_ACCOUNT] or marking[_NO_ACCOUNT]:
        accounts.append((_NO_ACCOUNT, t("cleanup.no_account"), 0))
    for aid, name, cap in accounts:
        if only is not None and aid != only:
            continue
        out.append(
            AccountSummary(
                aid or None,
                name,
                friends.get(aid, 0),
                cap,
                by_account.get(aid, dict.fromkeys(REASONS, 0)),
                reviewing[aid],
                marking[aid],
            )
        )
    return out


# ---------------------------------------------------------------------------
# Decisions (each one undo step)


def _ids(items: Iterable[Candidate | int]) -> list[int]:
    out: list[int] = []
    seen: set[int] = set()
    for item in items:
        cid = item.contact_id if isinstance(item, Candidate) else int(item)
        if cid not in seen:
            seen.add(cid)
            out.append(cid)
    return out


def _require(con, ids: list[int]) -> None:
    found: set[int] = set()
    for part in rows.chunks(ids):
        found.update(
            r[0]
            for r in con.execute(
                f"SELECT id FROM contact WHERE id IN ({rows.marks(len(part))})", part
            ).fetchall()
        )
    missing = [cid for cid in ids if cid not in found]
    if missing:
        raise NotFound(t("err.contact_unknown", value=missing[0]))


def _label(key: str, book: Book, ids: list[int]) -> str:
    if len(ids) == 1:
        from kamtui.contacts import display_names

        return t(f"{key}_one", name=display_names(book, ids).get(ids[0], ids[0]))
    return t(key, n=len(ids))


def keep(
    book: Book,
    items: Iterable[Candidate | int],
    note: str = "",
    *,
    review_: Review | None = None,
    today: date | None = None,
) -> int:
    """Keep contacts: not suggested again until the data behind their reasons changes.

    ``items`` are candidates (their fingerprint is taken as shown) or ids (the
    rules are run to find their reasons, or looked up in ``review_``).
    Returns how many were kept.
    """
    from kamtui import validate

    note = validate.text(note, "note", max_len=500)
    items = list(items)
    ids = _ids(items)
    if not ids:
        return 0
    given = {i.contact_id: i for i in items if isinstance(i, Candidate)}
    missing = [cid for cid in ids if cid not in given]
    if missing:
        found = review_ or review(book, today)
        for cid in missing:
            c = found.get(cid)
            given[cid] = c if c is not None else Candidate(cid, None, "")  # no reason now
    stamp = rows.now_text()
    with book.transaction(undo=_label("cleanup.undo.keep", book, ids)) as con:
        _require(con, ids)
        con.executemany(
            """INSERT INTO cleanup_decision (contact_id, decision, note, fingerprint, decided_at)
               VALUES (?, 'keep', ?, ?, ?)
               ON CONFLICT (contact_id) DO UPDATE SET decision = 'keep', note = excluded.note,
                   fingerprint = excluded.fingerprint, decided_at = excluded.decided_at""",
            [(cid, note, given[cid].fingerprint(), stamp) for cid in ids],
        )
    return len(ids)


def mark_delete(book: Book, items: Iterable[Candidate | int]) -> int:
    """Put contacts on the "delete in WeChat" list. Returns how many."""
    ids = _ids(items)
    if not ids:
        return 0
    stamp = rows.now_text()
    with book.transaction(undo=_label("cleanup.undo.mark", book, ids)) as con:
        _require(con, ids)
        con.executemany(
            """INSERT INTO cleanup_decision (contact_id, decision, note, fingerprint, decided_at)
               VALUES (?, 'delete', '', '', ?)
               ON CONFLICT (contact_id) DO UPDATE SET decision = 'delete', note = '',
                   fingerprint = '', decided_at = excluded.decided_at""",
            [(cid, stamp) for cid in ids],
        )
    return len(ids)


def unmark(book: Book, items: Iterable[Candidate | int]) -> int:
    """Take contacts off the delete list (back to the review queue). Returns how many."""
    ids = _ids(items)
    if not ids:
        return 0
    changed = 0
    with book.transaction(undo=_label("cleanup.undo.unmark", book, ids)) as con:
        for part in rows.chunks(ids):
            changed += con.execute(
                f"DELETE FROM cleanup_decision WHERE decision = 'delete' "
                f"AND contact_id IN ({rows.marks(len(part))})",
                part,
            ).rowcount
    return changed


def archive(book: Book, items: Iterable[Candidate | int]) -> int:
    """Archive contacts (hidden everywhere, restorable) as one undo step; returns how many."""
    from kamtui.contacts import archive_contacts

    ids = _ids(items)
    if not ids:
        return 0
    if len(ids) > 1:
        from kamtui.store.backup import safety_backup

        safety_backup(book, "bulk")  # first: the one archive_contacts asks for is then throttled
    with book.transaction(undo=_label("cleanup.undo.archive", book, ids)) as con:
        _require(con, ids)
        changed = archive_contacts(book, ids)
        _drop_decisions(con, ids)
    return changed


def _drop_decisions(con, ids: list[int]) -> None:
    """Archived contacts leave the delete list (a restore does not put them back on it)."""
    for part in rows.chunks(ids):
        con.execute(
            f"DELETE FROM cleanup_decision WHERE decision = 'delete' "
            f"AND contact_id IN ({rows.marks(len(part))})",
            part,
        )


def marked_ids(book: Book, account: str | int | None = None) -> list[int]:
    """Contacts on the "delete in WeChat" list (not archived), oldest mark first."""
    sql = """SELECT d.contact_id FROM cleanup_decision d JOIN contact c ON c.id = d.contact_id
             WHERE d.decision = 'delete' AND c.archived = 0"""
    params: tuple = ()
    if account is not None and account != "":
        from kamtui.accounts import resolve_account

        sql += " AND c.account_id = ?"
        params = (resolve_account(book, account),)
    return [r[0] for r in book.query(sql + " ORDER BY d.decided_at, d.contact_id", params)]


def confirm_deleted(book: Book, items: Iterable[Candidate | int] | None = None) -> int:
    """The seller deleted them in WeChat: archive the marked contacts (all, or these)."""
    ids = marked_ids(book) if items is None else _ids(items)
    if not ids:
        return 0
    if len(ids) > 1:
        from kamtui.store.backup import safety_backup

        safety_backup(book, "bulk")  # first: the one archive_contacts asks for is then throttled
    from kamtui.contacts import archive_contacts

    with book.transaction(undo=_label("cleanup.undo.deleted", book, ids)) as con:
        changed = archive_contacts(book, ids)
        _drop_decisions(con, ids)
    return changed


# ---------------------------------------------------------------------------
# Moments, quickly


def record_moments(
    book: Book,
    contact_id: int,
    *,
    posted_on: date | None = None,
    days_ago: int | None = None,
    is_ad: bool | None = None,
    blocked_me: bool | None = None,
    today: date | None = None,
) -> dict[str, Any]:
    """What the seller saw on a friend's Moments: the last post's day, ads only, blocked.

    ``days_ago`` 0 is today. Returns the changed fields. One undo step.
    """
    from kamtui import validate
    from kamtui.contacts import display_names, update_contact

    today = today or clock.today()
    changes: dict[str, Any] = {}
    if days_ago is not None:
        days = validate.integer(days_ago, "days_ago", low=0, high=36500)
        posted_on = today - timedelta(days=days)
    if posted_on is not None:
        if posted_on > today:
            raise ValidationError("last_moment_on", t("cleanup.err.future", day=posted_on))
        changes["last_moment_on"] = posted_on
    if is_ad is not None:
        changes["is_ad"] = bool(is_ad)
    if blocked_me is not None:
        changes["blocked_me"] = bool(blocked_me)
    if not changes:
        return {}
    name = display_names(book, [contact_id]).get(contact_id)
    if name is None:
        raise NotFound(t("err.contact_unknown", value=contact_id))
    with book.transaction(undo=t("cleanup.undo.moments", name=name)):
        update_contact(book, contact_id, **changes)
    return changes


@dataclass(frozen=True, slots=True)
class MomentsEntry:
    """A contact as the quick Moments entry shows and searches it."""

    contact_id: int
    name: str
    nickname: str
    account: str
    last_moment_on: date | None
    is_ad: bool
    blocked_me: bool
    search_key: str


def moments_entry(book: Book, contact_id: int) -> MomentsEntry:
    for entry in moments_entries(book, [contact_id]):
        return entry
    raise NotFound(t("err.contact_unknown", value=contact_id))


def moments_entries(book: Book, ids: Sequence[int]) -> list[MomentsEntry]:
    """What the quick Moments entry shows of these contacts, in the order given."""
    names = _account_names(book)
    found: dict[int, MomentsEntry] = {}
    for part in rows.chunks(list(ids)):
        for cid, aid, remark, nickname, lm, ad, blocked, key in book.query(
            f"""SELECT id, account_id, remark, nickname, last_moment_on, is_ad, blocked_me,
                       search_key FROM contact WHERE id IN ({rows.marks(len(part))})""",
            part,
        ):
            found[cid] = MomentsEntry(
                cid,
                remark or nickname or f"#{cid}",
                nickname if remark else "",
                names.get(aid, "") if aid else "",
                rows.to_date(lm),
                bool(ad),
                bool(blocked),
                key,
            )
    return [found[cid] for cid in ids if cid in found]


# ---------------------------------------------------------------------------
# Undo


def last_undo(book: Book):
    """The newest action that can be undone (``kamtui.store.undo.UndoInfo``) or None."""
    from kamtui.store.undo import last_action

    return last_action(book.conn)


def undo_last(book: Book, action_id: int | None = None) -> str | None:
    """Undo the newest action (only if it is ``action_id``, when given); returns its label.

    Through :func:`kamtui.safety.undo_last`: refused (KamtuiError) when rows the
    action changed were changed again since, with a safety backup before a big one.
    """
    from kamtui.safety import undo_last as undo

    if action_id is not None:
        info = last_undo(book)
        if info is None or info.id != action_id:
            return None
    return undo(book).action.label


# ---------------------------------------------------------------------------
# Merging: what the dialog shows


@dataclass(frozen=True, slots=True)
class History:
    """How much a contact's record holds (the merge dialog shows both sides)."""

    interactions: int = 0
    purchases: int = 0
    snippets: int = 0
    reminders: int = 0
    tags: int = 0
    referrals: int = 0

    def __add__(self, other: History) -> History:
        return History(*(a + b for a, b in zip(self.astuple(), other.astuple(), strict=True)))

    def astuple(self) -> tuple[int, ...]:
        return (
            self.interactions,
            self.purchases,
            self.snippets,
            self.reminders,
            self.tags,
            self.referrals,
        )


def history(book: Book, contact_ids: Sequence[int]) -> dict[int, History]:
    """Counts of each contact's history (interactions, purchases, snippets, ...)."""
    out: dict[int, History] = {}
    with book.snapshot() as con:
        for cid in contact_ids:
            counts = []
            for sql in (
                "SELECT count(*) FROM interaction WHERE contact_id = ?",
                "SELECT count(*) FROM purchase WHERE contact_id = ?",
                "SELECT count(*) FROM snippet WHERE contact_id = ?",
                "SELECT count(*) FROM reminder WHERE contact_id = ? AND status = 'open'",
                "SELECT count(*) FROM contact_tag WHERE contact_id = ?",
            ):
                counts.append(con.execute(sql, (cid,)).fetchone()[0])
            counts.append(
                con.execute(
                    "SELECT count(*) FROM referral WHERE referrer_id = ?1 OR referred_id = ?1",
                    (cid,),
                ).fetchone()[0]
            )
            out[cid] = History(*counts)
    return out


# ---------------------------------------------------------------------------
# Lists out


_REVIEWS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # book -> (stamp, Review)


def delete_list(review_: Review) -> list[Candidate]:
    """The contacts to delete in WeChat: the marked ones, in queue order."""
    return list(review_.marked)


def cleaned_ids(book: Book, review_: Review) -> list[int]:
    """Active contacts minus every candidate and every marked contact (id order).

    Follows the review's account filter: with one account, only its contacts.
    """
    out_ids = {c.contact_id for c in review_.candidates} | {c.contact_id for c in review_.marked}
    accounts = {a.account_id or _NO_ACCOUNT for a in review_.accounts}
    return [
        cid
        for cid, aid in book.query(
            "SELECT id, ifnull(account_id, 0) FROM contact WHERE archived = 0 ORDER BY id"
        )
        if cid not in out_ids and (aid in accounts or not review_.accounts)
    ]


def contact_names(book: Book, ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """id -> (remark, nickname)."""
    out: dict[int, tuple[str, str]] = {}
    for part in rows.chunks(list(ids)):
        for cid, remark, nickname in book.query(
            f"SELECT id, remark, nickname FROM contact WHERE id IN ({rows.marks(len(part))})",
            part,
        ):
            out[cid] = (remark, nickname)
    return out


def _reasons_text(c: Candidate | None, lang: str | None = None) -> str:
    if c is None:
        return ""
    return "、".join(t(f"cleanup.reason.{r}", lang=lang) for r in c.reasons) or t(
        "cleanup.reason.by_hand", lang=lang
    )


def _review_for_export(book: Book, today: date) -> Review:
    """The review an export column reads: the one just shown if the book did not
    change since, else a new one."""
    stamp = book.stamp()
    with _IDENTITIES_LOCK:
        found = _REVIEWS.get(book)
    if found is not None and found[0] == stamp and found[1].today == today:
        return found[1]
    return review(book, today)


def export_columns() -> list[tuple[Any, Any]]:
    """Columns for ``kamtui export`` (a ``kamtui.exporting.columns`` provider, once
    ``kamtui.cleanup`` is listed in its PROVIDERS): the clean-up reasons and their
    evidence, in the user's language."""
    from kamtui.exporting.columns import Column

    def reasons(book: Book, ids, today: date) -> dict[int, str]:
        found = _review_for_export(book, today)
        return {cid: _reasons_text(found.get(cid)) for cid in ids}

    def evidence(book: Book, ids, today: date) -> dict[int, str]:
        found = _review_for_export(book, today)
        return {cid: c.evidence_text(sep="; ") if (c := found.get(cid)) else "" for cid in ids}

    return [
        (Column("cleanup_reasons", "text", "清理原因", "Clean-up reasons", None, 16), reasons),
        (Column("cleanup_evidence", "text", "清理依据", "Clean-up evidence", None, 50), evidence),
    ]


def _target(path: str | os.PathLike) -> tuple[Path, str]:
    from kamtui.exporting import format_for_path

    target = Path(path).expanduser()
    if not target.parent.is_dir():
        raise ValidationError("path", t("cleanup.err.no_folder", path=target.parent))
    fmt = format_for_path(target, "csv")
    return target, fmt if fmt in ("csv", "xlsx") else "csv"


def export_delete_list(book: Book, path: str | os.PathLike, review_: Review) -> int:
    """Write the delete list: remark, nickname, WeChat ID, account, reasons and evidence
    of every contact marked "delete in WeChat" (CSV, or XLSX for a ``.xlsx`` name).

    Through the export engine (its files are 0600, all or nothing, safe from
    spreadsheet formulas); the reasons and evidence are the review's own.
    """
    from kamtui import i18n
    from kamtui.exporting import Column, load_table, private_output, write_csv, write_xlsx

    target, fmt = _target(path)
    lang = i18n.language()
    table = load_table(
        book,
        [c.contact_id for c in review_.marked],
        ["remark", "nickname", "wechat_id", "account"],
        today=review_.today,
        lang=lang,
        include_archived=True,
    )
    for column, value in (
        (
            Column("cleanup_reasons", "text", "清理原因", "Clean-up reasons", None, 16),
            _reasons_text,
        ),
        (
            Column("cleanup_evidence", "text", "清理依据", "Clean-up evidence", None, 50),
            lambda c: c.evidence_text(sep="; ") if c else "",
        ),
    ):
        table.columns.append(column)
        table.headers.append(column.header(lang))
        table.values.append([value(review_.get(cid)) for cid in table.ids])
    with private_output(target) as out:
        if fmt == "xlsx":
            return write_xlsx(table, out, sheet_title=t("cleanup.file.delete"))
        return write_csv(table, out)


def export_cleaned_list(book: Book, path: str | os.PathLike, review_: Review) -> int:
    """Write the cleaned list: active contacts that are neither candidates nor marked
    (the export's usual columns)."""
    from kamtui.exporting import export_contacts

    target, fmt = _target(path)
    return export_contacts(book, fmt, target, ids=cleaned_ids(book, review_)).count


def default_export_path(kind: str, today: date | None = None) -> Path:
    """Where the screen offers to write a list: the data directory, dated."""
    from kamtui.paths import data_dir, ensure_private_dir

    folder = data_dir() / "exports"
    ensure_private_dir(folder)
    day = (today or clock.today()).isoformat()
    return folder / f"{t(f'cleanup.file.{kind}')}-{day}.csv"

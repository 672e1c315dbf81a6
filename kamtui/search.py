"""Contact search: a query language and an in-memory index fast enough for every keystroke.

Pure domain code (no Textual).

Using it
--------
- Build once per book from one row per contact (:class:`ContactRow` fields, or
  plain tuples in that order straight from SQL; trailing fields may be left
  out)::

      SELECT c.id, c.search_key, c.favourite, c.archived, a.name,
             (SELECT group_concat(t.name, char(31)) FROM contact_tag ct
              JOIN tag t ON t.id = ct.tag_id WHERE ct.contact_id = c.id),
             <stage>, <tier>, <due>, <owed>, <last contact day>,
             <value 365 days, fen>, c.added_on, <next follow-up day>
      FROM contact c LEFT JOIN account a ON a.id = c.account_id

  ``index = SearchIndex.from_rows(con.execute(sql))``: rows are taken a chunk
  at a time, so pass the cursor rather than a list (at 100,000 contacts a
  fetched list adds some 70 MB to the process, which stays after it is freed).
  Stage and tier are the DOMAIN names (referrer repeat buyer prospect friend;
  platinum gold iron lead).
- When a contact changes (or its stage, tier, reminders, debts...):
  ``index.update(row)``; when it is purged: ``index.remove(id)``.
- ``result = index.search(text, sort="last_contact")``: ``len(result)`` for
  the status line, ``result[i:j]`` for the rows on screen (the first
  :data:`HEAD` ids are ready at once; the rest are ordered on first access),
  ``result.similar`` (typo matches) and ``result.notes`` (``note.message()``)
  to explain.
- Not thread-safe: search and update from one thread (or under one lock).
- Keystroke times assume the app calls ``gc.freeze()`` once started (see
  below); otherwise an occasional full garbage collection walks every object
  of the app during some keystroke.

Query language
--------------
Words are ANDed. Each word is either a filter token or text.

==================  ===================  ==============================================
token               Chinese form         meaning
==================  ===================  ==============================================
``#VIP``            ``标签:VIP``         has the tag (case/width-insensitive; while the
                                         name is incomplete, tags starting with it)
``stage:buyer``     ``阶段:已购``        lifecycle stage (referrer 转介绍, repeat 复购,
                                         buyer 已购, prospect 潜在, friend 好友);
                                         a unique prefix is enough (``stage:rep``)
``tier:gold``       ``等级:黄金``        value tier (platinum 白金, gold 黄金, iron 铁,
                                         lead 铅)
``acct:NAME``       ``账号:NAME``        on that WeChat account (exact name, else prefix)
``fav``             ``置顶``             favourite (pinned)
``due``             ``到期``             has a reminder due
``owed``            ``欠款``             owes money
``archived``        ``归档``             archived contacts only; without it archived
                                         contacts are left out
==================  ===================  ==============================================

``-`` before any token excludes instead (``-#同事``, ``-stage:friend``, ``-fav``,
``-深圳`` leaves out contacts whose text contains 深圳). Several values separated by
commas mean any of them (``tier:gold,platinum``). Double quotes make text of
anything (``"fav"`` searches the word fav; ``"lucy wang"`` keeps the space).
Numbers typed in groups (``138 0013 8000``, ``+86 138-0013-8000``) are joined
into one phone number. An unknown ``word:value`` (``color:red``) is searched as
text, and reported in ``Query.notes`` so the UI can say so; a known key with an
unknown value (``stage:vip``) matches nothing and is reported too.

Ranking
-------
Each text word gets a match class for each contact (lower is better):

====  =====================================================================
0     exact: a whole name word, its full pinyin or its initials
      (``张三``, ``zhangsan``, ``zs``), or the whole WeChat ID or phone number
1     a name word starts with the text (``张`` for 张三)
2     a name's full pinyin or initials start with it (``zhang``, ``zhs``)
3     the given name's pinyin starts with it (``xiuying`` for 王秀英)
4     the text is inside a name, its pinyin or initials (``xy`` in wxy)
5     a word of the WeChat ID, phone, tags, region, occupation or description
      starts with it (``13800`` for 13800138000)
6     it is inside one of those (``8000``)
7+    similar only: a typo (``xiuyng``, ``zhangsna``: edit distance 1 for 5-7
      letters, 2 from 8, first letter kept) or a homophone of Chinese text
      (秀瑛 finds 秀英), ranked 7 + the class of the corrected word (0, 1, 2,
      3). Tried only when the word matches fewer than :data:`FUZZY_BELOW`
      contacts.
====  =====================================================================

One or two Latin letters or digits must start a word (``x`` does not match
inside wxid_...), except that two may sit inside a name or its initials.

A contact's score is the sum over the words; ties go by the base order:
favourites first, then the chosen sort (:data:`SORTS`), then name (pinyin),
then id. Without text the result is the base order itself.

How it is fast (100,000 contacts; figures in ``benchmarks/bench_search.py``)
---------------------------------------------------------------------------
- Nothing is computed per contact in Python at load: the stored search keys
  are split into parts and each part becomes a few big strings (blocks) with
  C-level calls (``str.join``/``split``, ``map``, ``compress``). In a block,
  each contact's text is preceded by a space and followed by its record id, an
  unused character or two (:class:`_Ids`); contacts with an empty part are
  left out. Region and occupation have few distinct values and are one byte
  code per contact; flags, stage, tier and account are ``bytearray`` columns.
- A text word is one regex per part that can contain it (Chinese text skips
  the pinyin, initials, WeChat and phone strings; words with i/u/v skip the
  initials). The regex captures the record id that follows a hit, in the group
  of the hit's match class; ``pattern.split`` hands the ids back as strings,
  so no Python code, no ``bisect`` and no garbage-collected match object is
  made per hit.
- Less to scan: Latin words look in a Latin-only copy of the names, not in
  the Chinese text; pinyin strings are skipped for short words that cannot be
  pinyin (``xy``, ``zs``: initials); one letter looks in names only;
  generated WeChat IDs (wxid_...) only for words starting with wxid_.
- Filters are byte masks combined as big integers. Ranking keys are plain
  integers ``class << 22 | position in the base order``; only the first
  :data:`HEAD` are picked (``heapq.nsmallest``), the full sort waits until the
  UI reads further. Results of queries without text are cached until the next
  change. A base order is one sort of strings (favourite flag, fixed-width
  field, name).
- Garbage collection: building makes no reference cycles and pauses the
  collector; searching creates few container objects. The app should call
  ``gc.freeze()`` after start-up so that full collections skip the objects
  that live for the whole session (the index, the UI).
- An update leaves the big strings alone: the contact's old text is marked
  stale and its new key goes to a small overlay searched directly; the strings
  are rebuilt once the overlay and the stale set hold :data:`COMPACT_AT`
  entries. Sort orders are kept by ``insort``.
- Typo tolerance compares the word with the distinct Latin words of names
  (collected on first use, ~0.1 s) using rapidfuzz, then scans for the few
  close words with one regex per shared prefix.
"""

from __future__ import annotations

import gc
import heapq
import re
from array import array
from bisect import insort
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from itertools import compress, count, filterfalse, islice, pairwise, product, repeat
from operator import add, and_, itemgetter, mul, not_
from typing import NamedTuple

from kamtui.searchkey import PART_INDEX, PARTS, SEP, fold, word_pinyin

NPARTS = len(PARTS)

# Match classes (lower is better).
EXACT = 0
NAME_PREFIX = 1
PINYIN_PREFIX = 2
GIVEN_PREFIX = 3
NAME_SUBSTRING = 4
OTHER_PREFIX = 5
OTHER_SUBSTRING = 6
FUZZY = 7  # and up: FUZZY + the class the corrected word matches with
_CLASSES = FUZZY + GIVEN_PREFIX + 1

FUZZY_BELOW = 10  # a word matching fewer contacts than this also gets typo/homophone matches
HEAD = 256  # ids a search orders at once; the rest when read (Result)
COMPACT_AT = 512  # overlay + stale entries that trigger a rebuild of the big strings

SORTS = ("last_contact", "name", "value", "added", "follow_up")
# Default direction of each sort: True = descending (newest / largest first).
SORT_DESCENDING = {
    "last_contact": True,
    "name": False,
    "value": True,
    "added": True,
    "follow_up": False,
}

STAGES = {
    "referrer": ("转介绍", "转介绍客户"),
    "repeat": ("复购", "复购客户"),
    "buyer": ("已购", "已购客户"),
    "prospect": ("潜在", "潜在客户"),
    "friend": ("好友", "单纯好友"),
}
TIERS = {
    "platinum": ("白金",),
    "gold": ("黄金",),
    "iron": ("铁",),
    "lead": ("铅",),
}
_KEYS = {
    "stage": "stage",
    "阶段": "stage",
    "tier": "tier",
    "等级": "tier",
    "acct": "acct",
    "account": "acct",
    "账号": "acct",
    "tag": "tag",
    "标签": "tag",
}
_FLAGS = {
    "fav": "fav",
    "favourite": "fav",
    "favorite": "fav",
    "pinned": "fav",
    "置顶": "fav",
    "due": "due",
    "到期": "due",
    "owed": "owed",
    "欠款": "owed",
    "archived": "archived",
    "归档": "archived",
    "已归档": "archived",
}

# Class of a hit in each key part, by (starts a word, ends a word):
# index 0 = neither, 1 = ends only, 2 = starts only, 3 = whole word.
_PART_CLASSES = {
    "names": (NAME_SUBSTRING, NAME_SUBSTRING, NAME_PREFIX, EXACT),
    "latin": (NAME_SUBSTRING, NAME_SUBSTRING, NAME_PREFIX, EXACT),
    "pinyin": (NAME_SUBSTRING, NAME_SUBSTRING, PINYIN_PREFIX, EXACT),
    "initials": (NAME_SUBSTRING, NAME_SUBSTRING, PINYIN_PREFIX, EXACT),
    "zh": (NAME_SUBSTRING, NAME_SUBSTRING, PINYIN_PREFIX, EXACT),
    "given": (NAME_SUBSTRING, NAME_SUBSTRING, GIVEN_PREFIX, GIVEN_PREFIX),
    "wechat": (OTHER_SUBSTRING, OTHER_SUBSTRING, OTHER_PREFIX, EXACT),
    "wxid": (OTHER_SUBSTRING, OTHER_SUBSTRING, OTHER_PREFIX, EXACT),
    "phone": (OTHER_SUBSTRING, OTHER_SUBSTRING, OTHER_PREFIX, EXACT),
    "tags": (OTHER_SUBSTRING, OTHER_SUBSTRING, OTHER_PREFIX, OTHER_PREFIX),
    "region": (OTHER_SUBSTRING, OTHER_SUBSTRING, OTHER_PREFIX, OTHER_PREFIX),
    "job": (OTHER_SUBSTRING, OTHER_SUBSTRING, OTHER_PREFIX, OTHER_PREFIX),
    "text": (OTHER_SUBSTRING, OTHER_SUBSTRING, OTHER_PREFIX, OTHER_PREFIX),
}
_PUA = re.compile("[\ue000-\uf8ff]")
_WXID = "wxid_"  # WeChat's generated IDs: nobody types their insides


def _latin(texts: list[str]) -> list[str]:
    """Only the Latin letters and digits of names (ASCII words search these).

    Name words are letters and digits only, so '?' can only be a replaced character.
    """
    joined = "\n".join(texts).encode("ascii", "replace").decode("ascii").replace("?", " ")
    return list(map(str.strip, joined.split("\n")))


def _custom_ids(texts: list[str]) -> Iterable[bool]:
    return map(and_, map(bool, texts), map(not_, map(str.startswith, texts, repeat(_WXID))))


def _generated_ids(texts: list[str]) -> Iterable[bool]:
    return map(str.startswith, texts, repeat(_WXID))


class _Spec(NamedTuple):
    """One big string: which key part it holds, and how (see :class:`_Hay`)."""

    name: str
    part: str
    ascii: bool  # only ASCII text: two-byte ids from \x80-\xff, one byte per character
    derive: Callable[[list[str]], list[str]] | None = None  # the part's texts -> this string's
    keep: Callable[[list[str]], Iterable[bool]] | None = None  # which contacts (default: non-empty)


# The key parts kept as big strings. Region and occupation are _Enum columns; tags
# are searched through their names.
_SPECS = (
    _Spec("names", "names", ascii=False),
    _Spec("latin", "names", ascii=True, derive=_latin),
    _Spec("pinyin", "pinyin", ascii=True),
    _Spec("given", "given", ascii=True),
    _Spec("initials", "initials", ascii=True),
    _Spec("zh", "zh", ascii=True),
    _Spec("wechat", "wechat", ascii=True, keep=_custom_ids),
    _Spec("wxid", "wechat", ascii=True, keep=_generated_ids),
    _Spec("phone", "phone", ascii=True),
    _Spec("text", "text", ascii=False),
)
_ENUMS = ("region", "job")
_BOUND = frozenset(" ")  # words in a part are separated by single spaces
_ONE = 1
_SHIFT = 22
_LOW = (1 << _SHIFT) - 1
_FLIP = str.maketrans("0123456789", "9876543210")
_NO_DATE = "~"  # sorts after any ISO date
_NO_NAME = "\uffff"
_DROP_FIRST = itemgetter(slice(1, None))
_NUMERIC = re.compile(r"^\+?[\d()\-.]*\d[\d()\-.]*$")
_DATE = re.compile(r"^\d{4}[-./]\d{1,2}[-./]\d{1,2}$")


# ---------------------------------------------------------------------------
# Query


class Note(NamedTuple):
    """Something the UI may tell the seller about a query: a message key and the token."""

    key: str
    token: str

    def message(self) -> str:
        from kamtui.i18n import t

        return t(self.key, token=self.token)


@dataclass(frozen=True, slots=True)
class Filter:
    """One filter token: ``key`` is tag, stage, tier, acct, fav, due, owed or archived."""

    key: str
    values: tuple[str, ...] = ()
    negate: bool = False


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed query: text words (folded, ANDed), excluded words, filters, notes."""

    text: str = ""
    terms: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()
    filters: tuple[Filter, ...] = ()
    notes: tuple[Note, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.terms or self.excluded or self.filters)


def _tokens(text: str) -> Iterator[tuple[str, bool]]:
    """Whitespace-separated tokens; double-quoted parts are one token, flagged as quoted."""
    text = text.replace("“", '"').replace("”", '"')
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        start = i
        if text[i] == '"' or (text[i] == "-" and i + 1 < n and text[i + 1] == '"'):
            neg = text[i] == "-"
            i += 2 if neg else 1
            j = text.find('"', i)
            j = n if j < 0 else j
            body = text[i:j]
            i = j + 1
            if body.strip():
                yield ("-" if neg else "") + body, True
            continue
        while i < n and not text[i].isspace():
            i += 1
        yield text[start:i], False


def _phone_term(token: str) -> str:
    """Digits of a phone-like token, without the +86 / 0086 prefix."""
    digits = re.sub(r"\D", "", token)
    if token.startswith("+") or digits.startswith("00"):
        digits = digits.lstrip("0") if digits.startswith("00") else digits
        if digits.startswith("86") and len(digits) >= 12:
            digits = digits[2:]
    elif digits.startswith("86") and len(digits) == 13 and digits[2] == "1":
        digits = digits[2:]
    return digits


def _merge_numbers(raw: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    """Join runs of number groups (``138 0013 8000``) into one token."""
    out: list[tuple[str, bool]] = []
    i = 0
    while i < len(raw):
        tok, quoted = raw[i]
        j = i
        if not quoted and _NUMERIC.match(tok):
            while j + 1 < len(raw) and not raw[j + 1][1] and _NUMERIC.match(raw[j + 1][0]):
                j += 1
        if j > i:
            joined = "".join(t for t, _ in raw[i : j + 1])
            ndigits = sum(c.isdigit() for c in joined)
            if 7 <= ndigits <= 16:
                out.append((joined, False))
                i = j + 1
                continue
        out.append((tok, quoted))
        i += 1
    return out


def _values(kind: str, raw: str) -> tuple[tuple[str, ...], bool]:
    """Canonical stage/tier names for ``raw`` (comma-separated); ok=False if one is unknown."""
    table = STAGES if kind == "stage" else TIERS
    out: list[str] = []
    ok = True
    for v in filter(None, (x.strip() for x in raw.split(","))):
        hits = [k for k, zh in table.items() if v == k or v in zh]
        if not hits:
            hits = [
                k for k, zh in table.items() if k.startswith(v) or any(z.startswith(v) for z in zh)
            ]
        if len(hits) == 1:
            out.append(hits[0])
        else:
            ok = False
    return tuple(out), ok


def parse_query(text: str) -> Query:
    """Split what the seller typed into text words and filters (see the module docstring)."""
    text = text or ""
    folded = unicode_fold(text)
    raw = _merge_numbers(list(_tokens(folded)))
    terms: list[str] = []
    excluded: list[str] = []
    filters: list[Filter] = []
    notes: list[Note] = []
    for tok, quoted in raw:
        negate = tok.startswith("-") and len(tok) > 1
        body = tok[1:] if negate else tok
        if quoted:
            (excluded if negate else terms).append(body)
            continue
        if body.startswith("#"):
            name = body[1:]
            if name:
                filters.append(Filter("tag", (name,), negate))
            continue
        if body in _FLAGS:
            filters.append(Filter(_FLAGS[body], (), negate))
            continue
        key, colon, value = body.partition(":")
        if colon and key in _KEYS:
            kind = _KEYS[key]
            if not value:
                continue  # still typing
            if kind in ("stage", "tier"):
                values, ok = _values(kind, value)
                if not ok:
                    notes.append(Note(f"search.bad_{kind}", tok))
                filters.append(Filter(kind, values, negate))
            else:
                filters.append(Filter(kind, (value,), negate))
            continue
        if (
            colon
            and value
            and re.fullmatch(r"[a-z\u4e00-\u9fff]+", key)
            and not value.startswith("/")
        ):
            notes.append(Note("search.unknown_filter", tok))
        if _NUMERIC.match(body) and sum(c.isdigit() for c in body) >= 5 and not _DATE.match(body):
            body = _phone_term(body)
        if body:
            (excluded if negate else terms).append(body)
    return Query(text, tuple(terms), tuple(excluded), tuple(filters), tuple(notes))


def unicode_fold(text: str) -> str:
    """Fold typed text like the search keys: NFKC (full-width), lower case, no controls."""
    return fold(text)


# ---------------------------------------------------------------------------
# Records


class ContactRow(NamedTuple):
    """What the index needs to know about one contact.

    Plain tuples in this field order work too (``SELECT`` straight into
    :meth:`SearchIndex.from_rows`); trailing fields may be left out. ``tags``
    is a tuple of names or one string of names separated by ``\\x1f``
    (``group_concat(name, char(31))``). Dates are ``date`` or ISO text.
    ``name_sort`` defaults to the collation stored in ``search_key``.
    """

    id: int
    search_key: str
    favourite: bool = False
    archived: bool = False
    account: str = ""
    tags: tuple[str, ...] | str = ()
    stage: str = ""
    tier: str = ""
    due: bool = False
    owed: bool = False
    last_contact: date | str | None = None
    value_365d: int = 0
    added_on: date | str | None = None
    next_follow_up: date | str | None = None
    name_sort: str | None = None


_FIELDS = ContactRow._fields
_DEFAULTS = ContactRow._field_defaults


def _key_parts(key: str) -> list[str]:
    """The parts of a search key, padded/truncated to the current layout."""
    parts = (key or "").split(SEP)
    if len(parts) < NPARTS:
        parts += [""] * (NPARTS - len(parts))
    return parts[:NPARTS]


def _iso(value) -> str | None:
    if value is None or isinstance(value, str):
        return value or None
    if isinstance(value, datetime):
        return value.date().isoformat()
    return value.isoformat()


def _tags_tuple(value) -> tuple[str, ...]:
    if not value:
        return ()
    if isinstance(value, str):
        return tuple(filter(None, value.split(SEP)))
    return tuple(value)


# ---------------------------------------------------------------------------
# Building blocks


def _best_in(text: str, term: str, table: Sequence[int], start_only: bool = False) -> int | None:
    """Best class of ``term`` in one part's text (the reference path, for one contact)."""
    i = text.find(term)
    if i < 0:
        return None
    n, end = len(term), len(text)
    best = 99
    top = min(table)
    while i >= 0:
        st = i == 0 or text[i - 1] in _BOUND
        if st or not start_only:
            en = i + n == end or text[i + n] in _BOUND
            c = table[st * 2 + en]
            if c < best:
                best = c
                if c == top:
                    break
        i = text.find(term, i + 1)
    return None if best == 99 else best


class _Ids:
    """Record ids written into the big strings: a contact's text is followed by its id.

    The regex that finds a word also captures the id that follows (a lookahead)
    in the group of the hit's match class, so no Python code and no
    ``bisect`` runs per hit. ASCII strings use two characters from
    ``\x80-\xff`` (they stay one byte per character; only ASCII words are
    searched in them), so a block holds 128 * 128 contacts; the other strings use
    one private-use character (U+E000-U+F8FF, which :func:`kamtui.searchkey.fold`
    keeps out of the keys), 4,096 contacts a block.
    """

    __slots__ = (
        "block",
        "chars",
        "decode",
        "first",
        "ids",
        "spaced",
        "split",
        "split_ids",
        "width",
    )

    def __init__(self, first: int, count_: int, width: int):
        self.first = first
        self.width = width
        alphabet = "".join(map(chr, range(first, first + count_)))
        self.chars = f"{re.escape(alphabet[0])}-{re.escape(alphabet[-1])}"
        self.block = count_**width
        if width == 1:
            self.ids = list(alphabet)
            self.decode = ord
        else:
            self.ids = list(map("".join, product(alphabet, repeat=width)))
            self.decode = dict(zip(self.ids, count())).__getitem__
        self.spaced = [i + " " for i in self.ids]  # an id and the space opening the next record
        self.split = re.compile(f"[{self.chars}]{{{width}}}").split
        self.split_ids = re.compile(f"([{self.chars}]{{{width}}})").split

    def slots(self, ids: Iterable[str], offset: int) -> Iterator[int]:
        """Slots of the ids captured in a block starting at slot ``offset``."""
        if self.width == 1:
            return map(add, map(ord, ids), repeat(offset - self.first))
        return map(add, map(self.decode, ids), repeat(offset))


_ASCII_IDS = _Ids(0x80, 128, 2)
_PUA_IDS = _Ids(0xE000, 4096, 1)
_CHUNK = 16384  # contacts split at a time when building: a multiple of both block sizes


class _Hay:
    """One key part of every contact joined into a few big strings (blocks).

    A block is, for each of its contacts, a space, the part's text and the
    contact's id (:class:`_Ids`). Every word is thus preceded by a space, and a
    word ends at a space or an id. Contacts whose part is empty are left out
    (most have no description, many no WeChat ID or phone).
    """

    __slots__ = ("blocks", "ids", "n", "name", "part", "spec", "table")

    def __init__(self, spec: _Spec):
        self.spec = spec
        self.name = spec.name
        self.part = PART_INDEX[spec.part]
        self.table = _PART_CLASSES[spec.name]
        self.ids = _ASCII_IDS if spec.ascii else _PUA_IDS
        self.blocks: list[tuple[int, str]] = []
        self.n = 0

    def text_of(self, parts: Sequence[str]) -> str:
        """This string's text for one contact's key parts."""
        texts = [parts[self.part]]
        if self.spec.derive:
            texts = self.spec.derive(texts)
        if self.spec.keep and not next(iter(self.spec.keep(texts))):
            return ""
        return _clean_column(texts, self.spec.ascii)[0]

    def extend(self, offset: int, texts: list[str], clean: bool) -> None:
        """Add the contacts from slot ``offset`` on, given their key part's texts.

        ``clean``: the texts may hold characters taken for ids (see :meth:`_load`).
        """
        if self.spec.derive:
            texts = self.spec.derive(texts)
        if clean:
            texts = _clean_column(texts, self.spec.ascii)
        keep = self.spec.keep
        self._add(offset, texts, list(keep(texts)) if keep else None)

    def _add(self, offset: int, texts: list[str], keep: list | None) -> None:
        size = self.ids.block
        for a in range(0, len(texts), size):
            flags = None if keep is None else keep[a : a + size]
            block = self._block(texts[a : a + size], flags)
            if block is not None:
                self.blocks.append((offset + a, block))
        self.n = offset + len(texts)

    def _block(self, texts: list[str], keep: list | None) -> str | None:
        """The text of one block: the kept contacts' texts (default: the non-empty
        ones), each followed by its id; None if no contact is kept."""
        spaced = self.ids.spaced
        if keep is None:
            empty = texts.count("")
            if empty == len(texts):
                return None
            if not empty:
                kept, ids = texts, spaced[: len(texts)]
            else:
                kept, ids = list(compress(texts, texts)), list(compress(spaced, texts))
        else:
            if not any(keep):
                return None
            kept, ids = list(compress(texts, keep)), list(compress(spaced, keep))
        both: list[str | None] = [None] * (2 * len(kept))
        both[0::2] = kept  # slice assignment: no Python step per contact
        both[1::2] = ids
        return " " + "".join(both)  # type: ignore[arg-type]

    def _records(self, text: str, out: list[str]) -> None:
        """Fill ``out`` (one slot per contact of the block) with their texts."""
        parts = self.ids.split_ids(text)
        local = self.ids.slots(parts[1::2], 0)  # ids are numbered within their block
        deque(map(out.__setitem__, local, map(_DROP_FIRST, parts[0:-1:2])), maxlen=0)

    def rebuild(self, replace: dict[int, str], total: int) -> None:
        """Replace some contacts' text (as :meth:`text_of` gives) and grow to ``total``.

        Only the blocks holding those contacts are rebuilt.
        """
        size = self.ids.block
        changes: dict[int, dict[int, str]] = {}
        for slot, text in replace.items():
            changes.setdefault(slot - slot % size, {})[slot] = text
        blocks = dict(self.blocks)
        for offset, block_changes in changes.items():
            recs = [""] * min(size, total - offset)
            if offset in blocks:
                self._records(blocks[offset], recs)
            for slot, text in block_changes.items():
                recs[slot - offset] = text
            block = self._block(recs, None)
            if block is None:
                blocks.pop(offset, None)
            else:
                blocks[offset] = block
        self.blocks = sorted(blocks.items())
        self.n = total

    def pattern(self, term: str, start_only: bool) -> tuple[re.Pattern, tuple[int, ...]]:
        """The regex for ``term`` and the class given by each of its groups (2 and up)."""
        return _pattern(term, start_only, self.ids.chars, self.ids.width, self.table)

    def scan(self, term: str, start_only: bool, buckets: list[list[int]]) -> None:
        """Add the contacts whose part contains ``term`` to ``buckets[class]``."""
        self.scan_pattern(*self.pattern(term, start_only), buckets)

    def scan_pattern(
        self, pattern: re.Pattern, by_group: Sequence[int], buckets: list[list[int]]
    ) -> None:
        """Add the contacts ``pattern`` matches to ``buckets[by_group[g]]``.

        Each group of the pattern captures the record id after a hit, and just
        one group matches: the one of the hit's class. ``pattern.split`` returns,
        for each match, one entry per group (the id, or None): strings only, no
        match objects (which the garbage collector tracks).
        """
        step = pattern.groups + 1
        slots_of = self.ids.slots
        for offset, text in self.blocks:
            parts = pattern.split(text)
            if len(parts) == 1:
                continue
            if step == 2:
                buckets[by_group[1]].extend(slots_of(parts[1::2], offset))
                continue
            for g in range(1, step):
                ids = list(filter(None, parts[g::step]))
                if ids:
                    buckets[by_group[g]].extend(slots_of(ids, offset))

    def words(self) -> set[str]:
        out: set[str] = set()
        for _, text in self.blocks:
            out.update(" ".join(self.ids.split(text)).split())
        return out


@lru_cache(maxsize=512)
def _pattern(
    term: str, start_only: bool, chars: str, width: int, table: tuple[int, ...]
) -> tuple[re.Pattern, tuple[int, ...]]:
    """The regex finding ``term`` in a big string, and the class of each of its groups.

    The literal comes first so that the regex engine scans for it quickly; a
    lookbehind then checks that a space precedes it (a word start), a lookahead
    that a space or an id follows (a whole word). Each alternative ends with a
    lookahead capturing the id after the hit, in its own group: the group that
    matched tells the class.
    """
    q = re.escape(term)
    ident = f"(?=[^{chars}]*([{chars}]{{{width}}}))"
    start = f"(?<= {q})"
    end = f"(?=[ {chars}])"
    exact, prefix, inside = table[3], table[2], table[0]
    if start_only:
        if exact == prefix:
            return re.compile(f"{q}{start}{ident}"), (0, prefix)
        return re.compile(f"{q}{start}(?:{end}{ident}|{ident})"), (0, exact, prefix)
    if exact == prefix:
        return re.compile(f"{q}(?:{start}{ident}|{ident})"), (0, prefix, inside)
    return re.compile(f"{q}(?:{start}(?:{end}{ident}|{ident})|{ident})"), (0, exact, prefix, inside)


def _clean_column(column: Sequence[str], ascii_only: bool) -> Sequence[str]:
    """Keep id characters out of a column (keys written by older versions, odd input)."""
    joined = "\n".join(column)
    if ascii_only:
        if joined.isascii():
            return column
        return joined.encode("ascii", "replace").decode("ascii").split("\n")
    if not _PUA.search(joined):
        return column
    return _PUA.sub("\ufffd", joined).split("\n")


class _Enum:
    """A key part with few distinct values (region, occupation): one code per contact."""

    __slots__ = ("code_of", "codes", "name", "table", "values")

    def __init__(self, name: str):
        self.name = name
        self.table = _PART_CLASSES[name]
        self.values: list[str] = [""]
        self.code_of: dict[str, int] = {"": 0}
        self.codes: bytearray | list[int] = bytearray()

    def extend(self, column: Sequence[str]) -> None:
        for v in dict.fromkeys(column):
            if v not in self.code_of:
                self.code_of[v] = len(self.values)
                self.values.append(v)
        if isinstance(self.codes, bytearray) and len(self.values) > 256:
            self.codes = list(self.codes)
        self.codes.extend(map(self.code_of.__getitem__, column))

    def set(self, slot: int, value: str) -> None:
        code = self.code_of.get(value)
        if code is None:
            code = self.code_of[value] = len(self.values)
            self.values.append(value)
            if isinstance(self.codes, bytearray) and code > 255:
                self.codes = list(self.codes)
        if slot == len(self.codes):
            self.codes.append(code)
        else:
            self.codes[slot] = code

    def scan(self, term: str, buckets: list[list[int]]) -> None:
        by_class: dict[int, list[int]] = {}
        for code, value in enumerate(self.values):
            if value:
                c = _best_in(value, term, self.table)
                if c is not None:
                    by_class.setdefault(c, []).append(code)
        for c, codes in by_class.items():
            if isinstance(self.codes, bytearray):
                table = bytearray(256)
                for code in codes:
                    table[code] = 1
                flags = self.codes.translate(table)
            else:
                wanted = frozenset(codes)
                flags = map(wanted.__contains__, self.codes)
            buckets[c].extend(compress(count(), flags))


class _Codes:
    """A column of short labels (stage, tier, account) as one byte per contact."""

    __slots__ = ("code_of", "codes", "values")

    def __init__(self) -> None:
        self.values: list[str] = [""]
        self.code_of: dict[str | None, int] = {"": 0, None: 0}
        self.codes = bytearray()

    def extend(self, column: Sequence[str | None]) -> None:
        for v in dict.fromkeys(column):
            self._code(v)
        self.codes.extend(map(self.code_of.__getitem__, column))

    def _code(self, v: str | None) -> int:
        code = self.code_of.get(v)
        if code is None:
            if len(self.values) >= 256:
                raise ValueError("more than 255 distinct values in a label column")
            code = self.code_of[v] = len(self.values)
            self.values.append(v)
        return code

    def set(self, slot: int, value: str | None) -> None:
        code = self._code(value)
        if slot == len(self.codes):
            self.codes.append(code)
        else:
            self.codes[slot] = code

    def mask(self, wanted: Iterable[str]) -> bytes:
        table = bytearray(256)
        for v in wanted:
            code = self.code_of.get(v)
            if code is not None:
                table[code] = 1
        return self.codes.translate(table)


class _Rev:
    """Reverses comparisons (bisect keys of a reversed sort)."""

    __slots__ = ("v",)

    def __init__(self, v):
        self.v = v

    def __lt__(self, other: _Rev) -> bool:
        return other.v < self.v

    def __eq__(self, other) -> bool:
        return isinstance(other, _Rev) and self.v == other.v

    __hash__ = None  # type: ignore[assignment]


class _Order:
    """One base order: slots sorted, and (lazily) each slot's position.

    Arrays rather than lists: the values sit in the array, so walking it does
    not chase pointers to int objects scattered in memory (cache misses).
    """

    __slots__ = ("_pos", "size", "slots")

    def __init__(self, slots: list[int], size: int):
        self.slots = array("l", slots)
        self.size = size
        self._pos: array | None = None

    def pos(self, size: int) -> array:
        if self._pos is None or self.size != size:
            pos = array("l", bytes(8 * size))
            deque(map(pos.__setitem__, self.slots, count()), maxlen=0)
            self._pos = pos
            self.size = size
        return self._pos


class _IdMap:
    """Contact id -> slot: an array indexed by id (ids are SQLite rowids, nearly
    dense), or a dict when ids are sparse or not small integers."""

    __slots__ = ("by_id", "count")

    def __init__(self, ids: Sequence[int]):
        n = len(ids)
        top = max(ids, default=0)
        self.by_id: array | dict[int, int]
        if n and all(type(i) is int for i in (top, min(ids))) and min(ids) >= 0 and top < 4 * n:
            self.by_id = array("l", [-1]) * (top + 1)
            deque(map(self.by_id.__setitem__, ids, count()), maxlen=0)
            self.count = len(self.by_id) - self.by_id.count(-1)
        else:
            self.by_id = dict(zip(ids, count()))
            self.count = len(self.by_id)
        if self.count != n:
            raise ValueError("duplicate contact ids")

    def get(self, cid: int) -> int | None:
        if isinstance(self.by_id, dict):
            return self.by_id.get(cid)
        if type(cid) is int and 0 <= cid < len(self.by_id):
            slot = self.by_id[cid]
            return slot if slot >= 0 else None
        return None

    def set(self, cid: int, slot: int) -> None:
        if isinstance(self.by_id, array):
            if type(cid) is int and 0 <= cid < max(4 * self.count, 1024):
                if cid >= len(self.by_id):
                    self.by_id.extend(repeat(-1, cid + 1 - len(self.by_id)))
                self.count += self.by_id[cid] < 0
                self.by_id[cid] = slot
                return
            self.by_id = {i: s for i, s in enumerate(self.by_id) if s >= 0}
        self.count += cid not in self.by_id
        self.by_id[cid] = slot

    def pop(self, cid: int) -> int | None:
        slot = self.get(cid)
        if slot is not None:
            self.count -= 1
            if isinstance(self.by_id, dict):
                del self.by_id[cid]
            else:
                self.by_id[cid] = -1
        return slot


class Result(Sequence[int]):
    """Matching contact ids, best first. ``len(result)`` is the total count.

    The first :data:`HEAD` ids are computed by the search; the full order only
    when a row past them is read (``result[i]``, slices, iteration, ``ids``),
    so that a keystroke matching 100,000 contacts stays cheap. The result keeps
    its own copy of what it needs: later changes to the index do not alter it.
    """

    __slots__ = ("_all", "_head", "_rest", "notes", "query", "similar", "sort", "total")

    def __init__(
        self,
        total: int,
        head: list[int],
        rest: Callable[[], list[int]] | None = None,
        *,
        query: Query | None = None,
        sort: str = "last_contact",
        similar: int = 0,
        notes: tuple[Note, ...] = (),
    ):
        self.total = total
        self._head = head
        self._rest = rest
        self._all: list[int] | None = head if rest is None else None
        self.query = query or Query()
        self.sort = sort
        self.similar = similar  # how many matched only through typo/homophone tolerance
        self.notes = notes

    @property
    def ids(self) -> list[int]:
        """All matching ids in order (computed on first use)."""
        if self._all is None:
            assert self._rest is not None
            self._all = self._rest()
            self._rest = None
        return self._all

    def head(self, n: int = 0) -> list[int]:
        """The first ``n`` ids (at most :data:`HEAD` without computing the rest)."""
        return self._head[:n] if 0 < n <= len(self._head) else self.ids[: n or None]

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            start, stop, step = i.indices(self.total)
            if step == 1 and stop <= len(self._head):
                return self._head[start:stop]
            return self.ids[i]
        if 0 <= i < len(self._head):
            return self._head[i]
        return self.ids[i]

    def __iter__(self) -> Iterator[int]:
        return iter(self.ids)

    def __contains__(self, contact_id: object) -> bool:
        return contact_id in self.ids

    def __repr__(self) -> str:
        return f"Result({self.total} ids, head={self._head[:5]}...)"


# ---------------------------------------------------------------------------
# The index


class SearchIndex:
    """All contacts of a book, searchable as you type. Build with :meth:`from_rows`."""

    def __init__(self) -> None:
        self._ids = array("q")  # slot -> contact id (-1: removed)
        self._slot_of = _IdMap(())
        self._alive = bytearray()
        self._fav = bytearray()
        self._archived = bytearray()
        self._due = bytearray()
        self._owed = bytearray()
        self._stage = _Codes()
        self._tier = _Codes()
        self._account = _Codes()
        self._tags: list[tuple[str, ...]] = []
        self._tag_names: dict[str, set[str]] = {}  # folded -> names as written
        self._tag_masks: dict[str, bytearray] = {}
        self._last: list[str | None] = []
        self._added: list[str | None] = []
        self._next: list[str | None] = []
        self._value: list[int] = []
        self._coll: list[str] = []
        self._hays: list[_Hay] = []
        self._enums: list[_Enum] = []
        self._main = 0  # slots [0, _main) are in the big strings
        self._overlay: dict[int, list[str]] = {}  # slot -> key parts, newer than the strings
        self._stale: set[int] = set()  # slots whose text in the strings is outdated
        self._orders: dict[tuple[str, bool], _Order] = {}
        self._by_name: list[int] | None = None
        self._terms: OrderedDict[str, tuple[dict[int, int], frozenset[int]]] = OrderedDict()
        self._vocab: dict[tuple[str, int], set[str]] | None = None
        # results of queries without text, until the next change
        self._plain: dict[tuple, tuple] = {}
        self.generation = 0

    # -- building ---------------------------------------------------------

    @classmethod
    def from_rows(cls, rows: Iterable[Sequence]) -> SearchIndex:
        """An index of ``rows`` (:class:`ContactRow` or tuples in its field order).

        Rows are taken :data:`_CHUNK` at a time: pass an iterator (an SQLite
        cursor) and the whole list of rows never needs to be in memory.
        """
        with _gc_paused():
            self = cls()
            self._start()
            it = iter(rows)
            while chunk := list(islice(it, _CHUNK)):
                width = len(chunk[0])
                columns = {
                    name: list(map(itemgetter(i), chunk)) for i, name in enumerate(_FIELDS[:width])
                }
                del chunk
                self._add_chunk(columns)
            return self._finish()

    @classmethod
    def from_columns(
        cls,
        *,
        ids: Sequence[int],
        search_keys: Sequence[str],
        favourite: Sequence[bool] | None = None,
        archived: Sequence[bool] | None = None,
        account: Sequence[str] | None = None,
        tags: Sequence[tuple[str, ...] | str] | None = None,
        stage: Sequence[str] | None = None,
        tier: Sequence[str] | None = None,
        due: Sequence[bool] | None = None,
        owed: Sequence[bool] | None = None,
        last_contact: Sequence[date | str | None] | None = None,
        value_365d: Sequence[int] | None = None,
        added_on: Sequence[date | str | None] | None = None,
        next_follow_up: Sequence[date | str | None] | None = None,
        name_sort: Sequence[str | None] | None = None,
    ) -> SearchIndex:
        """An index from one sequence per field (all the same length)."""
        given = {
            "id": ids, "search_key": search_keys, "favourite": favourite, "archived": archived,
            "account": account, "tags": tags, "stage": stage, "tier": tier, "due": due,
            "owed": owed, "last_contact": last_contact, "value_365d": value_365d,
            "added_on": added_on, "next_follow_up": next_follow_up, "name_sort": name_sort,
        }  # fmt: skip
        columns = {name: col for name, col in given.items() if col is not None}
        n = len(ids)
        if any(len(col) != n for col in columns.values()):
            raise ValueError("columns of different lengths")
        with _gc_paused():
            self = cls()
            self._start()
            for a in range(0, n, _CHUNK):
                self._add_chunk({name: list(col[a : a + _CHUNK]) for name, col in columns.items()})
            return self._finish()

    def _start(self) -> None:
        self._hays = [_Hay(spec) for spec in _SPECS]
        self._enums = [_Enum(name) for name in _ENUMS]

    def _add_chunk(self, columns: dict[str, list]) -> None:
        """Add contacts (one list per field; missing fields take their defaults).

        Called with at most :data:`_CHUNK` contacts, from a slot that is a
        multiple of it (the big strings are built block by block).
        """
        keys = columns["search_key"]
        n = len(keys)
        offset = len(self._ids)

        def column(name: str) -> list:
            col = columns.get(name)
            return [_DEFAULTS[name]] * n if col is None else col

        self._ids.extend(array("q", columns["id"]))
        for name, flags in (
            ("favourite", self._fav), ("archived", self._archived), ("due", self._due),
            ("owed", self._owed),
        ):  # fmt: skip
            flags.extend(map(bool, column(name)))
        self._stage.extend(column("stage"))
        self._tier.extend(column("tier"))
        self._account.extend(column("account"))
        tags, distinct_tags = _tags_column(column("tags"))
        self._tags.extend(tags)
        for name in set().union(*distinct_tags):
            self._tag_names.setdefault(fold(name), set()).add(name)
        self._last.extend(_dates(column("last_contact")))
        self._added.extend(_dates(column("added_on")))
        self._next.extend(_dates(column("next_follow_up")))
        values = column("value_365d")
        self._value.extend(map(_ZERO.get, values, values))

        seps = list(map(str.count, keys, repeat(SEP)))
        if seps.count(NPARTS - 1) != n:  # keys of another layout (older versions, empty)
            for i in compress(range(n), map((NPARTS - 1).__ne__, seps)):
                keys[i] = SEP.join(map(fold, _key_parts(keys[i])))
        del seps
        pieces = SEP.join(keys).split(SEP)
        del keys, columns["search_key"]
        # Keys from build_search_key hold no private-use characters (the ids of
        # the non-ASCII strings) and their pinyin, initials, given names and
        # phone digits are ASCII; only WeChat IDs are as typed.
        odd_ids = not "".join(pieces[PART_INDEX["wechat"] :: NPARTS]).isascii()
        for hay in self._hays:
            hay.extend(offset, pieces[hay.part :: NPARTS], odd_ids and hay.spec.part == "wechat")
        for e in self._enums:
            e.extend(pieces[PART_INDEX[e.name] :: NPARTS])
        coll = pieces[PART_INDEX["sort"] :: NPARTS]
        del pieces
        names = columns.get("name_sort")
        if names is not None and any(names):
            coll = list(map(_or_default, names, coll))
        self._coll.extend(coll)

    def _finish(self) -> SearchIndex:
        n = len(self._ids)
        self._slot_of = _IdMap(self._ids)
        self._alive = bytearray(b"\x01") * n
        self._main = n
        return self

    # -- changes ----------------------------------------------------------

    def __len__(self) -> int:
        return self._slot_of.count

    def __contains__(self, contact_id: object) -> bool:
        return self._slot_of.get(contact_id) is not None  # type: ignore[arg-type]

    def update(self, row: Sequence) -> None:
        """Add a contact, or replace what the index knows about it."""
        if not isinstance(row, ContactRow):
            row = ContactRow(*row)
        slot = self._slot_of.get(row.id)
        if slot is None:
            slot = len(self._ids)
            self._slot_of.set(row.id, slot)
            self._ids.append(row.id)
            for col in (self._alive, self._fav, self._archived, self._due, self._owed):
                col.append(0)
            for col in (self._tags, self._last, self._added, self._next, self._value, self._coll):
                col.append(None)  # type: ignore[arg-type]
            for m in self._tag_masks.values():
                m.append(0)
        else:
            self._unorder(slot)
        parts = _key_parts(row.search_key)
        self._alive[slot] = 1
        self._fav[slot] = bool(row.favourite)
        self._archived[slot] = bool(row.archived)
        self._due[slot] = bool(row.due)
        self._owed[slot] = bool(row.owed)
        self._stage.set(slot, row.stage)
        self._tier.set(slot, row.tier)
        self._account.set(slot, row.account)
        tags = _tags_tuple(row.tags)
        self._tags[slot] = tags
        for name in tags:
            self._tag_names.setdefault(fold(name), set()).add(name)
        for folded, m in self._tag_masks.items():
            m[slot] = any(t in self._tag_names[folded] for t in tags)
        self._last[slot] = _iso(row.last_contact)
        self._added[slot] = _iso(row.added_on)
        self._next[slot] = _iso(row.next_follow_up)
        self._value[slot] = int(row.value_365d or 0)
        self._coll[slot] = row.name_sort or parts[PART_INDEX["sort"]]
        for e in self._enums:
            e.set(slot, parts[PART_INDEX[e.name]])
        self._overlay[slot] = parts
        if slot < self._main:
            self._stale.add(slot)
        if self._vocab is not None:
            self._add_vocab(parts)
        self._reorder(slot)
        self._changed()

    def update_many(self, rows: Iterable[Sequence]) -> None:
        for row in rows:
            self.update(row)

    def remove(self, contact_id: int) -> bool:
        """Forget a contact (purged). Archiving is an :meth:`update` with archived=True."""
        slot = self._slot_of.pop(contact_id)
        if slot is None:
            return False
        self._unorder(slot)
        self._alive[slot] = 0
        self._ids[slot] = -1
        self._overlay.pop(slot, None)
        if slot < self._main:
            self._stale.add(slot)
        self._changed()
        return True

    def _changed(self) -> None:
        self.generation += 1
        self._by_name = None
        self._terms.clear()
        self._plain.clear()
        if len(self._overlay) + len(self._stale) >= COMPACT_AT:
            self.compact()

    def compact(self) -> None:
        """Fold the overlay into the big strings (done automatically)."""
        with _gc_paused():
            self._compact()

    def _compact(self) -> None:
        total = len(self._ids)
        changed = set(self._stale) | set(self._overlay)
        for hay in self._hays:
            replace = {
                s: (hay.text_of(self._overlay[s]) if s in self._overlay else "") for s in changed
            }
            hay.rebuild(replace, total)
        self._main = total
        self._overlay.clear()
        self._stale.clear()
        self._terms.clear()

    # -- orders -----------------------------------------------------------

    def _field_keys(self, sort: str) -> list:
        """Ascending-comparable key of the sort field for every slot (direction applied)."""
        if sort == "name":
            return list(map(_NAME_KEY.get, self._coll, self._coll))
        if sort == "value":
            return list(map(mul, self._value, repeat(-1))) if SORT_DESCENDING[sort] else self._value
        col = {"last_contact": self._last, "added": self._added, "follow_up": self._next}[sort]
        keys = map(_DAY, map(_DATE_KEY.get, col, col))  # a timestamp counts by its day
        if SORT_DESCENDING[sort]:
            keys = map(str.translate, keys, repeat(_FLIP))
        return list(keys)

    def _composite_keys(self, sort: str) -> list[str]:
        """Per slot: '0' for favourites ('1' else), the sort field in a fixed width
        (or one character sorting after any value), then the collation."""
        coll = map(_NAME_KEY.get, self._coll, self._coll)
        fav = map(_FAV_FIRST.__getitem__, self._fav)
        if sort == "name":
            return list(map(add, fav, coll))
        if sort == "value":
            sign = -1 if SORT_DESCENDING[sort] else 1
            field = map(
                _VALUE_FORMAT, map(add, map(mul, self._value, repeat(sign)), repeat(_VALUE_OFFSET))
            )
        else:
            field = self._field_keys(sort)
        return list(map(add, map(add, fav, field), coll))

    def _slot_key(self, sort: str, reverse: bool, slot: int) -> tuple:
        if sort == "name":
            fk = _NAME_KEY.get(self._coll[slot], self._coll[slot])
        elif sort == "value":
            fk = -self._value[slot] if SORT_DESCENDING[sort] else self._value[slot]
        else:
            col = {"last_contact": self._last, "added": self._added, "follow_up": self._next}[sort]
            fk = (col[slot] or _NO_DATE)[:10]
            if SORT_DESCENDING[sort]:
                fk = fk.translate(_FLIP)
        coll = _NAME_KEY.get(self._coll[slot], self._coll[slot])
        return (-self._fav[slot], _Rev(fk) if reverse else fk, coll, self._ids[slot])

    def _order(self, sort: str, reverse: bool) -> _Order:
        if sort not in SORT_DESCENDING:
            raise ValueError(f"unknown sort {sort!r}; one of {', '.join(SORTS)}")
        order = self._orders.get((sort, reverse))
        if order is None and not reverse:
            # One sort of strings "favourite flag + fixed-width field + name": the
            # same order as the passes below, in half the time.
            slots = list(compress(count(), self._alive))
            slots.sort(key=self._ids.__getitem__)
            slots.sort(key=self._composite_keys(sort).__getitem__)
            order = self._orders[(sort, reverse)] = _Order(slots, len(self._ids))
        if order is None:
            if self._by_name is None:  # the tie-break of every sort: name, then id
                slots = list(compress(count(), self._alive))
                slots.sort(key=self._ids.__getitem__)
                slots.sort(key=list(map(_NAME_KEY.get, self._coll, self._coll)).__getitem__)
                self._by_name = slots
            slots = list(self._by_name)
            if sort != "name" or reverse:
                slots.sort(key=self._field_keys(sort).__getitem__, reverse=reverse)
            slots.sort(key=self._fav.__getitem__, reverse=True)
            order = self._orders[(sort, reverse)] = _Order(slots, len(self._ids))
        return order

    def _unorder(self, slot: int) -> None:
        for order in self._orders.values():
            with suppress(ValueError):
                order.slots.remove(slot)
            order._pos = None

    def _reorder(self, slot: int) -> None:
        for (sort, reverse), order in self._orders.items():
            insort(order.slots, slot, key=lambda s, a=sort, r=reverse: self._slot_key(a, r, s))
            order._pos = None

    def ids(self, sort: str = "last_contact", reverse: bool = False) -> list[int]:
        """Every contact (archived ones too) in the base order."""
        return list(map(self._ids.__getitem__, self._order(sort, reverse).slots))

    # -- filters ----------------------------------------------------------

    def _mask(self, query: Query) -> tuple[bytes, list[Note]]:
        """Which slots pass the filters: one byte per slot (1 = passes)."""
        n = len(self._ids)
        notes: list[Note] = []
        bits = int.from_bytes(self._alive, "little")
        ones = bits  # 'not' only within the living contacts
        if not any(f.key == "archived" for f in query.filters):
            bits &= ~int.from_bytes(self._archived, "little")
        for f in query.filters:
            m = self._filter_mask(f, notes)
            v = int.from_bytes(m, "little")
            bits = bits & (ones ^ v) if f.negate else bits & v
        return bits.to_bytes(n, "little"), notes

    def _filter_mask(self, f: Filter, notes: list[Note]) -> bytes | bytearray:
        n = len(self._ids)
        if f.key in ("fav", "due", "owed", "archived"):
            return {"fav": self._fav, "due": self._due, "owed": self._owed}.get(
                f.key, self._archived
            )
        if f.key in ("stage", "tier"):
            return (self._stage if f.key == "stage" else self._tier).mask(f.values)
        if f.key == "acct":
            wanted = _pick(f.values[0], [v for v in self._account.values if v])
            if not wanted:
                notes.append(Note("search.no_account", f.values[0]))
            return self._account.mask(wanted)
        # tags
        wanted = _pick(f.values[0], list(self._tag_names))
        if not wanted:
            notes.append(Note("search.no_tag", f.values[0]))
            return bytes(n)
        bits = 0
        for folded in wanted:
            bits |= int.from_bytes(self._tag_mask(folded), "little")
        return bits.to_bytes(n, "little")

    def _tag_mask(self, folded: str) -> bytearray:
        mask = self._tag_masks.get(folded)
        if mask is None:
            names = frozenset(self._tag_names.get(folded, ()))
            mask = bytearray(map(names.isdisjoint, self._tags)).translate(_NOT)
            self._tag_masks[folded] = mask
        return mask

    # -- text ---------------------------------------------------------------

    def _term_hits(self, term: str) -> tuple[dict[int, int], frozenset[int]]:
        """For every slot matching ``term`` (before filters), its best class
        ``<< _SHIFT`` (the high bits of a ranking key); and the slots that only
        match through typo or homophone tolerance."""
        cached = self._terms.get(term)
        if cached is not None:
            self._terms.move_to_end(term)
            return cached
        buckets: list[list[int]] = [[] for _ in range(_CLASSES)]
        plan = self._plan(term)
        for hay, start_only in plan:
            hay.scan(term, start_only, buckets)
        if self._stale:  # their text in the big strings is outdated: the overlay has it
            stale = self._stale.__contains__
            buckets = [list(filterfalse(stale, b)) if b else b for b in buckets]
        for slot, parts in self._overlay.items():
            c = _best_in_parts(parts, term, plan)
            if c is not None:
                buckets[c].append(slot)
        for e in self._enums:
            e.scan(term, buckets)
        self._scan_tags(term, buckets)
        # slot -> its best class, shifted to the high bits of a ranking key
        best: dict[int, int] = {}
        for c in range(FUZZY - 1, -1, -1):
            if buckets[c]:
                best.update(dict.fromkeys(buckets[c], c << _SHIFT))
        fuzzy: frozenset[int] = frozenset()
        if len(best) < FUZZY_BELOW:
            self._similar(term, buckets)
            similar: dict[int, int] = {}
            for c in range(_CLASSES - 1, FUZZY - 1, -1):
                if buckets[c]:
                    similar.update(dict.fromkeys(buckets[c], c << _SHIFT))
            fuzzy = frozenset(similar.keys() - best.keys())
            best.update((s, similar[s]) for s in fuzzy)
        result = (best, fuzzy)
        self._terms[term] = result
        if len(self._terms) > 64:
            self._terms.popitem(last=False)
        return result

    def _plan(self, term: str) -> list[tuple[_Hay, bool]]:
        """Which big strings can contain ``term``, and whether only word starts count.

        - Chinese text: the names as written, the description (and tags, region,
          occupation, searched apart). Latin text: the Latin letters of names
          instead of the names, plus the pinyin strings, WeChat IDs, and phone
          digits for numbers.
        - Pinyin and given names are skipped for words that cannot be pinyin
          (``xy``, ``zs``, ``wxy``: x is always followed by i or u, z by a vowel
          or h...): initials, typos (``xiuyng``) or Latin names. (A Latin name
          run into Chinese, lucy王 -> lucywang, is then found as a "similar" word.)
        - Initials are skipped for words with i, u or v (no syllable starts so);
          the zh/ch/sh initials (zhs) are looked up only for words with an h.
        - Generated WeChat IDs (wxid_...) only for words starting with wxid_.
        - The given-name string only counts word starts (its insides are in the
          full pinyin anyway). One or two Latin letters or digits are too common
          inside words: they must start a word, except that two may sit inside
          a name or its initials (``xy`` in wxy for 王秀英).
        - A single Latin letter or digit is looked up in names only: Latin
          names, initials and given names (a pinyin word starts with the same
          letter as its initials, so the pinyin adds nothing); two are not looked
          up in descriptions.
        """
        out = []
        asc = term.isascii()
        alnum = asc and term.isalnum()
        short = asc and len(term) <= 2
        pinyin = alnum and _could_be_pinyin(term)
        initials = alnum and not _NOT_INITIALS.intersection(term)
        for hay in self._hays:
            name = hay.name
            if short and len(term) == 1 and name not in ("latin", "initials", "given"):
                continue
            if short and name == "text":  # two letters starting a word of a description
                continue
            if (
                (name == "names" and asc)
                or (name in ("latin", "wechat") and not asc)
                or (name in ("pinyin", "given") and not pinyin)
                or (name == "initials" and not initials)
                or (name == "zh" and not (initials and "h" in term))
                or (name == "wxid" and not (term.startswith(_WXID) and len(term) > len(_WXID)))
                or (name == "phone" and not term.isdigit())
            ):
                continue
            if name == "given" or (short and len(term) == 1):
                start_only = True
            elif short:
                start_only = name not in ("latin", "initials", "zh")
            else:
                start_only = False
            out.append((hay, start_only))
        return out

    def _scan_tags(self, term: str, buckets: list[list[int]]) -> None:
        table = _PART_CLASSES["tags"]
        by_class: dict[int, list[str]] = {}
        for folded in self._tag_names:
            c = _best_in(folded, term, table)
            if c is not None:
                by_class.setdefault(c, []).append(folded)
        for c, names in by_class.items():
            if len(names) == 1:
                mask = self._tag_mask(names[0])
            else:
                bits = 0
                for folded in names:
                    bits |= int.from_bytes(self._tag_mask(folded), "little")
                mask = bits.to_bytes(len(self._ids), "little")
            buckets[c].extend(compress(count(), mask))

    # -- similar (typos, homophones) ------------------------------------------

    def _similar(self, term: str, buckets: list[list[int]]) -> None:
        """Add contacts with a name word close to ``term`` to ``buckets[FUZZY + class]``.

        Close means a typo away or sounding the same. Latin text (5+ letters):
        the distinct pinyin/Latin name words with the same first letter and an
        edit distance (a transposition counts one) of 1 for 5-7 letters, 2 from 8
        letters, only the closest ones. Chinese text: its pinyin spellings (秀瑛
        -> xiuying). A contact matches when a word of a name, its pinyin or its
        given name starts with one of those words, ranked (after all direct
        matches) as if that word had been typed: whole word first.
        """
        if term.isascii():
            if not (term.isalpha() and len(term) >= 5):
                return
            words = self._close_words(term)
            if not words and not _could_be_pinyin(term) and self._is_word(term):
                words = [term]  # a word the pinyin strings have, not searched there
        elif all("\u3400" <= c <= "\u9fff" for c in term):
            words = list(word_pinyin(term).fulls)
        else:
            return
        if not words:
            return
        hays = [h for h in self._hays if h.name in ("latin", "pinyin", "given")]
        found: list[list[int]] = [[] for _ in buckets]
        for hay in hays:
            for pattern in _alternations(words, hay.ids):
                by_group = (0, FUZZY + hay.table[3], FUZZY + hay.table[2])
                hay.scan_pattern(pattern, by_group, found)
        if self._stale:
            stale = self._stale.__contains__
            found = [list(filterfalse(stale, b)) if b else b for b in found]
        plan = [(h, True) for h in hays]
        for slot, parts in self._overlay.items():
            classes = [_best_in_parts(parts, w, plan) for w in words]
            best = min((c for c in classes if c is not None), default=None)
            if best is not None:
                found[FUZZY + best].append(slot)
        for c, slots in enumerate(found):
            buckets[c].extend(slots)

    def _is_word(self, term: str) -> bool:
        return term in self._vocabulary().get((term[0], len(term)), ())

    def _close_words(self, term: str) -> list[str]:
        from rapidfuzz import process
        from rapidfuzz.distance import OSA

        vocab = self._vocabulary()
        n = len(term)
        if term in vocab.get((term[0], n), ()):
            return []  # a real name: no typo to correct
        k = 1 if n <= 7 else 2
        cands: list[str] = []
        for m in range(n - k, n + k + 1):
            cands.extend(vocab.get((term[0], m), ()))
        hits = process.extract(term, cands, scorer=OSA.distance, score_cutoff=k, limit=None)
        if not hits:
            return []
        best = min(d for _, d, _ in hits)
        close = sorted((w for w, d, _ in hits if d == best), key=lambda w: (abs(len(w) - n), w))
        return close[:8]

    def _vocabulary(self) -> dict[tuple[str, int], set[str]]:
        """Distinct Latin words of names, pinyin and given names, by first letter and length."""
        if self._vocab is None:
            words: set[str] = set()
            for hay in self._hays:
                if hay.name in ("latin", "pinyin", "given"):
                    words.update(hay.words())
            self._vocab = {}
            self._add_words(words)
            for parts in self._overlay.values():
                self._add_vocab(parts)
        return self._vocab

    def _add_words(self, words: Iterable[str]) -> None:
        assert self._vocab is not None
        for w in words:
            if len(w) >= 4 and w.isascii() and w.isalpha():
                self._vocab.setdefault((w[0], len(w)), set()).add(w)

    def _add_vocab(self, parts: list[str]) -> None:
        for hay in self._hays:
            if hay.name in ("latin", "pinyin", "given"):
                self._add_words(hay.text_of(parts).split())

    # -- search -----------------------------------------------------------------

    def search(
        self, query: str | Query = "", sort: str = "last_contact", reverse: bool = False
    ) -> Result:
        """Contacts matching ``query``, best first (see the module docstring)."""
        q = query if isinstance(query, Query) else parse_query(query)
        plain_key = (q.filters, q.excluded, sort, reverse)
        if not q.terms and plain_key in self._plain:
            total, head, rest, notes = self._plain[plain_key]
            return Result(total, head, rest, query=q, sort=sort, notes=q.notes + notes)
        order = self._order(sort, reverse)
        mask, found_notes = self._mask(q)
        notes = tuple(found_notes)
        if q.excluded:
            mask = bytearray(mask)
            zero = repeat(0)
            for term in q.excluded:
                best, fuzzy = self._term_hits(term)
                deque(map(mask.__setitem__, (s for s in best if s not in fuzzy), zero), 0)
        ids = self._ids[:]  # a snapshot for the result (a copy of an array: cheap)
        if not q.terms:
            slots = order.slots[:]
            total = mask.count(1)
            head = list(
                map(ids.__getitem__, islice(compress(slots, map(mask.__getitem__, slots)), HEAD))
            )

            def rest() -> list[int]:
                return list(map(ids.__getitem__, compress(slots, map(mask.__getitem__, slots))))

            if len(self._plain) >= 16:
                self._plain.clear()
            self._plain[plain_key] = (total, head, rest, notes)
            return Result(total, head, rest, query=q, sort=sort, notes=q.notes + notes)
        hits = [self._term_hits(t) for t in q.terms]
        hits.sort(key=lambda h: len(h[0]))
        best, fuzzy = hits[0]
        pos = order.pos(len(self._ids))
        if len(hits) == 1:
            passes = list(map(mask.__getitem__, best))
            keys = list(compress(map(add, best.values(), map(pos.__getitem__, best)), passes))
            slots = list(compress(best, passes)) if fuzzy else ()
            fuzzy_all = fuzzy
        else:
            slots = list(compress(best, map(mask.__getitem__, best)))
            for other, _ in hits[1:]:
                slots = (
                    [s for s in slots if s in other]
                    if len(slots) < 64
                    else list(compress(slots, map(other.__contains__, slots)))
                )
            classes = map(sum, zip(*(map(h.__getitem__, slots) for h, _ in hits), strict=True))
            keys = list(map(add, classes, map(pos.__getitem__, slots)))
            fuzzy_all = frozenset().union(*(f for _, f in hits))
        similar = sum(map(fuzzy_all.__contains__, slots)) if fuzzy_all else 0
        by_pos = order.slots if len(keys) <= HEAD else order.slots[:]

        def ranked(keys: Iterable[int]) -> list[int]:
            return list(
                map(ids.__getitem__, map(by_pos.__getitem__, map(and_, keys, repeat(_LOW))))
            )

        if len(keys) <= HEAD:
            return Result(
                len(keys),
                ranked(sorted(keys)),
                query=q,
                sort=sort,
                similar=similar,
                notes=q.notes + notes,
            )
        head = ranked(heapq.nsmallest(HEAD, keys))
        return Result(
            len(keys),
            head,
            lambda: ranked(sorted(keys)),
            query=q,
            sort=sort,
            similar=similar,
            notes=q.notes + notes,
        )

    def clear_cache(self) -> None:
        """Forget cached results (benchmarks measure cold searches)."""
        self._terms.clear()
        self._plain.clear()


# ---------------------------------------------------------------------------
# helpers

_ZERO = {None: 0}
_FAV_FIRST = ("1", "0")  # by favourite flag
_VALUE_OFFSET = 10**18
_DAY = itemgetter(slice(0, 10))
_VALUE_FORMAT = "{:020d}".format
_NAME_KEY = {"": _NO_NAME}
_DATE_KEY = {None: _NO_DATE, "": _NO_DATE}
_NOT = bytes.maketrans(b"\x00\x01", b"\x01\x00")


@contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic garbage collection meanwhile: building creates no cycles, and a
    collection would walk every object of the process (the app's, the rows...)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _or_default(value: str | None, default: str) -> str:
    return value if value else default


def _dates(column: list) -> list[str | None]:
    """ISO text (or None) per contact; text is kept as is (no per-row work)."""
    if set(map(type, column)) <= {str, type(None)}:
        return column
    return [_iso(v) for v in column]


def _tags_column(column: list) -> tuple[list[tuple[str, ...]], Iterable[tuple[str, ...]]]:
    """One tuple of tag names per contact (equal tuples shared), and the distinct tuples."""
    if not set(map(type, column)) <= {str, tuple, type(None)}:
        column = [tuple(v) if v else () for v in column]
    distinct = {v: _tags_tuple(v) for v in dict.fromkeys(column)}
    return list(map(distinct.__getitem__, column)), distinct.values()


def _pick(value: str, names: Iterable[str]) -> list[str]:
    """Names equal to ``value`` (folded), else those starting with it."""
    v = fold(value)
    names = list(names)
    exact = [n for n in names if fold(str(n)) == v]
    return exact or [n for n in names if fold(str(n)).startswith(v)]


# Letters that can follow each letter in pinyin text, also across syllables
# (absent letters may be followed by anything: vowels, and n, g, r that end
# syllables). Checked against every syllable of pypinyin's table: only the
# interjections hm, hng and m (噷 哼 呣) do not fit. Latin runs of mixed words
# (lucy王 -> lucywang) do not either; see _plan.
_PINYIN_NEXT = {
    **dict.fromkeys("bpmfdtk", frozenset("aeiou")),
    "l": frozenset("aeiouv"),
    "h": frozenset("aeiou"),
    **dict.fromkeys("jqx", frozenset("iu")),
    **dict.fromkeys("zcs", frozenset("aeiouh")),
    "y": frozenset("aeiou"),
    "w": frozenset("aeou"),
}
_NOT_INITIALS = frozenset("iuv")


def _could_be_pinyin(term: str) -> bool:
    """False if a letter pair of ``term`` never occurs in pinyin (``xy``, ``zs``)."""
    for a, b in pairwise(term):
        allowed = _PINYIN_NEXT.get(a)
        if allowed is not None and b not in allowed and not b.isdigit():
            return False
    return True


def _best_in_parts(
    parts: Sequence[str], term: str, plan: Sequence[tuple[_Hay, bool]]
) -> int | None:
    """Best class of ``term`` in one contact's key parts, following a scan plan."""
    best = None
    for hay, start_only in plan:
        c = _best_in(hay.text_of(parts), term, hay.table, start_only)
        if c is not None and (best is None or c < best):
            best = c
    return best


def _alternations(words: Sequence[str], ids: _Ids) -> list[re.Pattern]:
    """Regexes matching a word that starts with one of ``words``.

    One regex per shared 3-letter prefix and length: the literal prefix keeps
    the regex engine's fast scan (a plain alternation of the words is ten times
    slower) and the common length allows the fixed-width lookbehind for the
    word start. Groups as in :func:`_pattern` (start only): the record id after
    a whole word (1) or after a word start (2).
    """
    groups: dict[tuple[str, int], list[str]] = {}
    for w in dict.fromkeys(words):
        groups.setdefault((w[:3], len(w)), []).append(w)
    ident = f"(?=[^{ids.chars}]*([{ids.chars}]{{{ids.width}}}))"
    end = f"(?=[ {ids.chars}])"
    out = []
    for (prefix, n), ws in groups.items():
        rest = sorted({w[len(prefix) :] for w in ws})
        body = "|".join(map(re.escape, rest))
        alts = f"(?:{body})" if body else ""
        start = f"(?<= {'.' * n})"
        out.append(re.compile(f"{re.escape(prefix)}{alts}{start}(?:{end}{ident}|{ident})"))
    return out

"""Each contact's search key: the text a search looks at, computed when the contact changes.

Pinyin is slow to compute (pypinyin), so the key is stored in ``contact.search_key``
and never rebuilt at start-up. The key is lower case and made of fixed parts,
separated by ``SEP``, so a search knows which part a hit is in::

    0 names      remark and nickname as written
    1 pinyin     full pinyin of each name (zhangsan), polyphonic surnames both ways
    2 initials   initials of each name (zs)
    3 wechat     WeChat ID
    4 phone      phone digits (national number, and with the country code)
    5 tags       tag names
    6 region     country, province, city
    7 job        occupation
    8 text       description (first 500 characters)
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

SEP = "\x1f"
PARTS = ("names", "pinyin", "initials", "wechat", "phone", "tags", "region", "job", "text")
PART_INDEX = {name: i for i, name in enumerate(PARTS)}
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_CLEAN = re.compile(r"[\x00-\x1f\x7f]+")

# Surnames whose reading differs from the everyday reading of the character.
SURNAME_READINGS = {
    "单": "shan",
    "曾": "zeng",
    "解": "xie",
    "仇": "qiu",
    "朴": "piao",
    "区": "ou",
    "查": "zha",
    "盖": "ge",
    "乐": "yue",
    "尉": "yu",
    "翟": "zhai",
    "缪": "miao",
    "秘": "bi",
    "繁": "po",
    "隗": "wei",
    "万俟": "moqi",
    "尉迟": "yuchi",
    "长孙": "zhangsun",
    "柏": "bai",
    "褚": "chu",
    "种": "chong",
    "宿": "su",
    "员": "yun",
    "覃": "qin",
    "召": "shao",
    "沈": "shen",
    "重": "chong",
    "任": "ren",
    "华": "hua",
    "薄": "bo",
}


def fold(text: str) -> str:
    """Lower case, full-width to half-width, control characters removed."""
    return _CLEAN.sub(" ", unicodedata.normalize("NFKC", text)).lower().strip()


@lru_cache(maxsize=20000)
def char_readings(ch: str) -> tuple[str, ...]:
    """Toneless pinyin readings of one character (most common first); () if not Chinese."""
    if not _HAN.match(ch):
        return ()
    from pypinyin import Style, pinyin

    readings = pinyin(ch, style=Style.NORMAL, heteronym=True, errors="ignore")
    if not readings or not readings[0]:
        return ()
    seen: list[str] = []
    for r in readings[0]:
        r = r.replace("ü", "v")
        if r and r not in seen:
            seen.append(r)
    return tuple(seen[:3])


def name_pinyin(name: str) -> tuple[list[str], list[str]]:
    """Full pinyin spellings and initials for a name; surname readings get both ways."""
    name = fold(name)
    if not name or not _HAN.search(name):
        return [], []
    syllables: list[list[str]] = []
    latin = ""  # a run of Latin letters/digits counts as one syllable ("lucy")
    for ch in name + " ":
        readings = char_readings(ch)
        if ch.isascii() and ch.isalnum():
            latin += ch
            continue
        if latin:
            syllables.append([latin])
            latin = ""
        if readings:
            syllables.append(list(readings))
    if not syllables:
        return [], []
    first = [r[0] for r in syllables]
    fulls = ["".join(first)]
    inits = ["".join(s[0] for s in first)]
    surname = SURNAME_READINGS.get(name[:2]) or SURNAME_READINGS.get(name[:1])
    if surname:
        width = 2 if name[:2] in SURNAME_READINGS else 1
        alt = surname + "".join(first[width:])
        if alt not in fulls:
            fulls.append(alt)
            inits.append(surname[0] + "".join(s[0] for s in first[width:]))
    elif len(syllables[0]) > 1:
        alt = syllables[0][1] + "".join(first[1:])
        fulls.append(alt)
        inits.append(syllables[0][1][0] + "".join(s[0] for s in first[1:]))
    return fulls, inits


def phone_digits(e164: str | None) -> str:
    if not e164:
        return ""
    digits = re.sub(r"\D", "", e164)
    if e164.startswith("+86"):
        return f"{digits[2:]} {digits}"
    return digits


def build_search_key(
    *,
    remark: str = "",
    nickname: str = "",
    wechat_id: str | None = "",
    phone: str | None = "",
    tags: list[str] | tuple[str, ...] = (),
    country: str = "",
    province: str = "",
    city: str = "",
    occupation: str = "",
    description: str = "",
) -> str:
    names = [n for n in (remark, nickname) if n]
    fulls: list[str] = []
    inits: list[str] = []
    for n in names:
        f, i = name_pinyin(n)
        fulls.extend(x for x in f if x not in fulls)
        inits.extend(x for x in i if x not in inits)
    parts = (
        " ".join(fold(n) for n in names),
        " ".join(fulls),
        " ".join(inits),
        fold(wechat_id or ""),
        phone_digits(phone),
        " ".join(fold(tg) for tg in tags),
        " ".join(fold(x) for x in (country, province, city) if x),
        fold(occupation),
        fold(description[:500]),
    )
    return SEP.join(p.replace(SEP, " ") for p in parts)

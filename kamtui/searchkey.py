"""Each contact's search key: the text a search looks at, computed when the contact changes.

Pinyin is slow to compute, so the key is stored in ``contact.search_key`` and
never rebuilt at start-up: :class:`kamtui.search.SearchIndex` only splits and
joins the stored keys. The key is lower case, half-width (NFKC), free of
control characters, of characters outside the Basic Multilingual Plane and of
private-use characters (emoji split name words; other such characters become
U+FFFD), and made of fixed parts separated by ``SEP``::

    0 names     remark and nickname, split into words at punctuation/emoji
                ("张三-上海-宝妈" -> "张三 上海 宝妈")
    1 pinyin    each Chinese word's full pinyin, polyphonic surnames both ways
                (曾小贤 -> zengxiaoxian cengxiaoxian)
    2 initials  initials of each Chinese word (张三 -> zs)
    3 wechat    WeChat ID
    4 phone     phone digits: the national number for mainland numbers (and
                0 + area code for landlines), all digits otherwise
    5 tags      tag names
    6 region    province, city (and the country unless it is China)
    7 job       occupation
    8 text      description (first 500 characters)
    9 given     full pinyin of the given name of words that look like a person's
                name (王秀英 -> xiuying): typing the given name ranks as a prefix
                hit, and typos in it can be corrected (xiuyng)
   10 sort      the display name's collation string: its whole primary pinyin,
                Latin kept ("wangxiuyingshenzhen", "lucywang"); see sort_name
   11 zh        initials keeping zh/ch/sh whole (张三 -> zhs) where they differ
                from the plain ones; apart, as they would double every hit of
                a plain initials search

Words inside a part are separated by single spaces. Pinyin is toneless, ü is
written ``v`` (吕 -> lv) as on pinyin keyboards. Readings come from pypinyin's
character table, cached per character, and whole words are cached, so keys for
100,000 generated contacts (names repeat a lot) take about two seconds.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

SEP = "\x1f"
PARTS = (
    "names",
    "pinyin",
    "initials",
    "wechat",
    "phone",
    "tags",
    "region",
    "job",
    "text",
    "given",
    "sort",
    "zh",
)
PART_INDEX = {name: i for i, name in enumerate(PARTS)}
# Name-like parts: a hit there is a hit on the contact's name.
NAME_PARTS = frozenset(PART_INDEX[p] for p in ("names", "pinyin", "initials", "given", "zh"))

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_CLEAN = re.compile(r"[\x00-\x1f\x7f-\x9f]+")
# Astral characters and the private-use area (the search index uses it for record ids).
_ASTRAL = re.compile(r"[\U00010000-\U0010ffff\ue000-\uf8ff]")
_NOT_WORD = re.compile(r"[\W_]+")
_SPACES = re.compile(r"\s+")
_NOT_DIGIT = re.compile(r"\D")
_MARKS = re.compile("[\u0300-\u036f]")

# Surnames whose reading differs from the everyday reading of the character.
# In a word that looks like a name (2-4 Chinese characters) this reading comes
# first; the everyday reading is kept as an alternative (and the other way round
# elsewhere), so both spellings find the contact.
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
    "长": "chang",
    "万": "wan",
    "家": "jia",
    "能": "nai",
    "过": "guo",
    "句": "gou",
    "阚": "kan",
    "逄": "pang",
    "冼": "xian",
    "莘": "shen",
    "洗": "xian",
    "邪": "ye",
}
# Two-character surnames, read as one syllable group.
COMPOUND_SURNAMES = {
    "万俟": "moqi",
    "尉迟": "yuchi",
    "长孙": "zhangsun",
    "欧阳": "ouyang",
    "司马": "sima",
    "上官": "shangguan",
    "诸葛": "zhuge",
    "东方": "dongfang",
    "皇甫": "huangfu",
    "令狐": "linghu",
    "慕容": "murong",
    "司徒": "situ",
    "夏侯": "xiahou",
    "公孙": "gongsun",
    "端木": "duanmu",
    "宇文": "yuwen",
    "独孤": "dugu",
    "南宫": "nangong",
    "西门": "ximen",
    "轩辕": "xuanyuan",
    "申屠": "shentu",
    "澹台": "tantai",
    "呼延": "huyan",
    "赫连": "helian",
    "拓跋": "tuoba",
}
# Common single-character surnames (a word starting with one of these, 2-4
# characters long, is taken as a person's name for the ``given`` part).
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章"
    "鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉"
    "骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦"
    "戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄"
    "丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼"
    "盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平计索宣晋相初门云"
    "容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕危玉"
    "银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由"
)
# Characters whose first pypinyin reading is not the one names use.
NAME_READINGS = {
    "长": ("chang", "zhang"),
    "朝": ("zhao", "chao"),
    "行": ("xing", "hang"),
    "重": ("chong", "zhong"),
    "乐": ("le", "yue"),
    "茜": ("qian", "xi"),
    "莘": ("xin", "shen"),
    "俊": ("jun",),
    "芃": ("peng",),
    "晟": ("sheng",),
    "婧": ("jing",),
    "禾": ("he",),
    "钰": ("yu",),
    "奕": ("yi",),
    "翊": ("yi",),
    "弘": ("hong",),
    "曾": ("zeng", "ceng"),
    "单": ("shan", "dan"),
    "解": ("xie", "jie"),
    "仇": ("qiu", "chou"),
    "朴": ("piao", "pu"),
    "区": ("ou", "qu"),
    "查": ("zha", "cha"),
    "翟": ("zhai", "di"),
    "缪": ("miao", "mou"),
    "尉": ("yu", "wei"),
    "覃": ("qin", "tan"),
    "褚": ("chu", "zhu"),
    "种": ("chong", "zhong"),
    "员": ("yun", "yuan"),
    "召": ("shao", "zhao"),
    "薄": ("bo", "bao"),
    "柏": ("bai", "bo"),
    "盖": ("ge", "gai"),
    "秘": ("bi", "mi"),
    "繁": ("po", "fan"),
    "隗": ("wei", "kui"),
    "宿": ("su", "xiu"),
    "能": ("neng", "nai"),
    "句": ("ju", "gou"),
    "冼": ("xian",),
    "洗": ("xi", "xian"),
    "家": ("jia",),
    "英": ("ying",),
    "女": ("nv",),
    "沈": ("shen",),
    "任": ("ren",),
    "华": ("hua",),
}


# The home country is left out of the region: every contact would match "中国".
_HOME = frozenset(("中国", "China", "china", "CN", "cn", "中华人民共和国"))


def fold(text: str) -> str:
    """Lower case, full-width to half-width, control characters removed.

    Characters outside the Basic Multilingual Plane and private-use characters
    become U+FFFD, so that the joined search text stays two bytes per character
    and cannot contain the index's record ids.
    """
    if not text:
        return ""
    text = _CLEAN.sub(" ", unicodedata.normalize("NFKC", text)).lower()
    if not text.isascii():
        text = _ASTRAL.sub("\ufffd", text)
    return text.strip()


def name_words(text: str) -> list[str]:
    """A name split into words at spaces, punctuation, symbols and emoji (folded)."""
    if not text:
        return []
    text = unicodedata.normalize("NFKC", text).lower()
    return [
        _ASTRAL.sub("\ufffd", w) if not w.isascii() else w for w in _NOT_WORD.sub(" ", text).split()
    ]


@lru_cache(maxsize=1)
def _reading_table() -> dict[str, str] | None:
    """pypinyin's table of character readings, read without importing pypinyin.

    ``import pypinyin`` also loads its phrase dictionary (about 50 MB of memory);
    only single characters are needed here, and their table is the package's
    ``pinyin_dict.json`` (code point -> tone-marked readings, most common first).
    None if that file is not there (another pypinyin layout): then pypinyin is used.
    """
    path = reading_table_path()
    if path is None:
        return None
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def reading_table_path() -> str | None:
    """Where pypinyin's table of character readings is (see :func:`_reading_table`)."""
    spec = importlib.util.find_spec("pypinyin")
    for base in (spec.submodule_search_locations or ()) if spec else ():
        path = os.path.join(base, "pinyin_dict.json")
        if os.path.exists(path):
            return path
    return None


def _raw_readings(ch: str) -> list[str]:
    table = _reading_table()
    if table is not None:
        raw = table.get(str(ord(ch)), "")
        return [
            _MARKS.sub("", unicodedata.normalize("NFD", r).replace("u\u0308", "v"))
            for r in raw.split(",")
            if r
        ]
    from pypinyin import Style, pinyin

    found = pinyin(ch, style=Style.NORMAL, heteronym=True, errors="ignore")
    return [r.replace("ü", "v") for r in (found[0] if found else ())]


@lru_cache(maxsize=20000)
def char_readings(ch: str) -> tuple[str, ...]:
    """Toneless pinyin readings of one character (the one names use first); () if not Chinese."""
    if not _HAN.match(ch):
        return ()
    seen: list[str] = list(NAME_READINGS.get(ch, ()))
    for r in _raw_readings(ch):
        if r and r not in seen and r.isascii():
            seen.append(r)
    return tuple(seen[:3])


def _initial(syllable: str, zh: bool) -> str:
    if zh and syllable[:2] in ("zh", "ch", "sh"):
        return syllable[:2]
    return syllable[:1]


class WordPinyin(NamedTuple):
    """Pinyin of one word: full spellings and initials (primary first), the given
    name's pinyin ('' if the word does not look like a person's name) and the
    initials with zh/ch/sh kept whole ('' if the same as the plain ones)."""

    fulls: tuple[str, ...]
    initials: tuple[str, ...]
    given: str
    zh: str


_NO_PINYIN = WordPinyin((), (), "", "")


@lru_cache(maxsize=65536)
def word_pinyin(word: str) -> WordPinyin:
    """Pinyin of one folded word (see :class:`WordPinyin`).

    Runs of Latin letters and digits count as one syllable ("lucy王" -> lucywang,
    lw). A word without Chinese has none.
    """
    if not _HAN.search(word):
        return _NO_PINYIN
    groups: list[tuple[str, ...]] = []  # readings per syllable, primary first
    latin = ""
    i = 0
    n = len(word)
    # 2-4 Chinese characters, not a doubled nickname like 乐乐
    as_name = 2 <= n <= 4 and all(_HAN.match(c) for c in word) and word[0] != word[1]
    surname_len = 0
    if n >= 3 and word[:2] in COMPOUND_SURNAMES and as_name:
        groups.append((COMPOUND_SURNAMES[word[:2]],))
        i = surname_len = 2
    elif as_name and (word[0] in SURNAMES or word[0] in SURNAME_READINGS):
        surname_len = 1
    while i < n:
        ch = word[i]
        readings = char_readings(ch)
        if readings:
            if latin:
                groups.append((latin,))
                latin = ""
            if i == 0 and ch in SURNAME_READINGS:
                sur = SURNAME_READINGS[ch]
                rest = tuple(r for r in readings if r != sur)
                # a name reads the surname way; other words read it the usual way
                groups.append((sur, *rest[:1]) if as_name else (*rest[:1], sur))
            elif len(NAME_READINGS.get(ch, ())) > 1:
                groups.append(readings[:2])  # a polyphone names use both ways
            else:
                groups.append(readings[:1])
        elif ch != "\ufffd":
            latin += ch
        i += 1
    if latin:
        groups.append((latin,))
    primary = [g[0] for g in groups]
    fulls = ["".join(primary)]
    inits = ["".join(_initial(s, False) for s in primary)]
    # one alternative spelling per ambiguous syllable (at most three)
    for k, g in enumerate(groups):
        for alt in g[1:]:
            if len(fulls) >= 4:
                break
            variant = [*primary[:k], alt, *primary[k + 1 :]]
            full = "".join(variant)
            if full not in fulls:
                fulls.append(full)
                ini = "".join(_initial(s, False) for s in variant)
                if ini not in inits:
                    inits.append(ini)
    zh = "".join(_initial(s, True) for s in primary)
    given = ""
    if surname_len and n > surname_len:
        given = "".join(primary[-(n - surname_len) :])
    return WordPinyin(tuple(fulls), tuple(inits), given, "" if zh in inits else zh)


def collation(name: str) -> str:
    """The sort string of a display name: its primary pinyin, other words as written."""
    return _collation(name_words(name))


def _collation(words: list[str]) -> str:
    out = []
    for w in words:
        fulls = word_pinyin(w).fulls
        out.append(fulls[0] if fulls else w)
    return "".join(out)


def name_pinyin(name: str) -> tuple[list[str], list[str]]:
    """Full pinyin spellings and initials of a name's Chinese words (primary first)."""
    fulls: list[str] = []
    inits: list[str] = []
    for w in name_words(name):
        p = word_pinyin(w)
        fulls.extend(x for x in p.fulls if x not in fulls)
        inits.extend(x for x in p.initials if x not in inits)
    return fulls, inits


def phone_digits(e164: str | None) -> str:
    """The digit strings a seller may type for a phone number, space separated."""
    if not e164:
        return ""
    digits = _NOT_DIGIT.sub("", unicodedata.normalize("NFKC", e164))
    if e164.startswith("+86") and len(digits) > 2:
        national = digits[2:]
        if national.startswith("1"):
            return national
        return f"0{national} {national}"
    return digits


def sort_name(search_key: str) -> str:
    """The collation string stored in the key ('' if none)."""
    parts = search_key.split(SEP)
    return parts[PART_INDEX["sort"]] if len(parts) == len(PARTS) else ""


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
    """The search key of a contact (see the module docstring for its layout)."""
    remark = remark or ""
    nickname = nickname or ""
    words: list[str] = []
    fulls: list[str] = []
    inits: list[str] = []
    givens: list[str] = []
    zhs: list[str] = []
    remark_words = name_words(remark)
    nickname_words = name_words(nickname)
    for name_ws in (remark_words, nickname_words):
        for k, w in enumerate(name_ws):
            if w in words:
                continue
            words.append(w)
            p = word_pinyin(w)
            # later words of a name (places, jobs, notes): their usual reading only
            for x in p.fulls[:1] if k else p.fulls:
                if x not in fulls:
                    fulls.append(x)
            for x in p.initials[:1] if k else p.initials:
                if x not in inits:
                    inits.append(x)
            if p.given and k == 0 and p.given not in givens:  # a name's first word: a person
                givens.append(p.given)
            if p.zh and p.zh not in zhs:
                zhs.append(p.zh)
    parts = (
        " ".join(words),
        " ".join(fulls),
        " ".join(inits),
        fold(wechat_id or ""),
        phone_digits(phone),
        " ".join(fold(tg) for tg in tags if tg),
        " ".join(fold(x) for x in (country, province, city) if x and x not in _HOME),
        fold(occupation or ""),
        _SPACES.sub(" ", fold((description or "")[:500])),
        " ".join(givens),
        _collation(remark_words if remark.strip() else nickname_words),  # the display name's
        " ".join(zhs),
    )
    key = SEP.join(parts)
    if key.count(SEP) != len(parts) - 1:  # (a part with SEP in it: one space instead)
        key = SEP.join(p.replace(SEP, " ") for p in parts)
    return key

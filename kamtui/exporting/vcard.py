"""vCard 3.0 for phones' address books (iOS, Android, WeChat's own contact import).

One card per contact, UTF-8, CRLF line ends, lines folded at 75 octets
without splitting a UTF-8 character (RFC 2426 / RFC 2425 §5.8.1), text values
escaped (``\\\\``, ``\\,``, ``\\;``, ``\\n``).

* ``FN`` is the name the seller uses (remark, else nickname). ``N`` carries
  the same name so every phone shows it whole: for a plain Chinese personal
  name (two to four Han characters starting with a common surname, or a
  compound surname such as 欧阳) the surname goes into the family part
  (``N:张;三``, phones show 张三 and index it under Z); anything else (``王总``
  is split too, ``A-张三-深圳``, ``Tom``, ``小张``) goes whole into the given
  part, which displays unchanged everywhere.
* ``NICKNAME`` when the friend's nickname differs from the name shown.
* ``TEL;TYPE=CELL`` (or ``VOICE`` for landlines) in E.164.
* ``TITLE`` the occupation; ``ADR;TYPE=HOME`` city, province, country.
* ``CATEGORIES`` the tags.
* ``BDAY`` solar birthdays: ``1990-05-01``. vCard 3.0 has no form without a
  year (``--05-01`` is vCard 4.0). Default ``apple``:
  ``BDAY;X-APPLE-OMIT-YEAR=1604:1604-05-01`` (a valid 3.0 date; iOS and
  macOS show "May 1" without a year; DAVx5, Nextcloud and kamtui's importer
  read 1604 as "no year"; a reader that knows neither shows the year 1604).
  ``rfc``: ``BDAY:--05-01`` (what Android's contacts store for a yearless
  date and what RFC 6350 defines, but not valid 3.0: strict readers drop it).
  ``omit``: no BDAY for yearless birthdays. Lunar (农历) birthdays have no
  place in vCard 3.0 and phones would show a wrong solar date every year:
  they go into NOTE as text (``生日: 农历三月初五``), never into BDAY.
* ``NOTE`` the description, then the WeChat ID and account (so they show on
  the phone) and a lunar birthday. Snippets, purchases and other working notes
  stay out (address books sync to cloud services); the JSON export has them.
* ``X-WECHAT-ID`` the WeChat ID (read back by kamtui's importer);
  ``X-KAMTUI-ID`` the contact's id in the book.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date
from typing import BinaryIO

from kamtui.exporting import data
from kamtui.exporting.cells import clean_text
from kamtui.exporting.columns import birthday_text
from kamtui.i18n import t

BIRTHDAY_STYLES = ("apple", "rfc", "omit")

#: Compound surnames (复姓) and the common single-character surnames (about 90% of people).
COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 轩辕 令狐 "  # noqa: SIM905
    "钟离 端木 南宫 西门 独孤 百里 呼延 万俟 澹台 公冶 申屠 太史 闻人 赫连".split()
)
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛"
    "郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰"
    "焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁"
    "蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂"
    "全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
)
_HAN_NAME = re.compile(r"[\u4e00-\u9fff]{2,4}")


def split_name(name: str) -> tuple[str, str]:
    """(family, given) for vCard ``N``: the surname split off a plain Chinese personal name,
    else ("", name)."""
    if _HAN_NAME.fullmatch(name):
        if len(name) >= 3 and name[:2] in COMPOUND_SURNAMES:
            return name[:2], name[2:]
        if name[0] in SURNAMES:
            return name[0], name[1:]
    return "", name


def escape(value: str) -> str:
    """A vCard 3.0 text value: backslash, comma, semicolon and newlines escaped."""
    return (
        value.replace("\\", "\\\\")
        .replace(",", "\\,")
        .replace(";", "\\;")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> bytes:
    """The content line as UTF-8 with CRLF, folded so no physical line exceeds 75 octets.

    A fold never falls inside a multi-byte character: continuation lines start
    with one space followed by at most 74 octets.
    """
    raw = line.encode("utf-8")
    if len(raw) <= 75:
        return raw + b"\r\n"
    parts = []
    start, limit, n = 0, 75, len(raw)
    while start < n:
        end = min(start + limit, n)
        while end < n and (raw[end] & 0xC0) == 0x80:  # inside a character: back off
            end -= 1
        parts.append(raw[start:end])
        start, limit = end, 74
    return b"\r\n ".join(parts) + b"\r\n"


def _bday(year, month, day, style: str) -> str | None:
    if year:
        try:
            return f"BDAY:{date(year, month, day).isoformat()}"
        except ValueError:
            return None
    if style == "apple":
        return f"BDAY;X-APPLE-OMIT-YEAR=1604:1604-{month:02d}-{day:02d}"
    if style == "rfc":
        return f"BDAY:--{month:02d}-{day:02d}"
    return None


def _tel(e164: str) -> str:
    if e164.startswith("+861") and len(e164) == 14:
        kind = "CELL"
    elif e164.startswith("+86"):
        kind = "VOICE"
    else:
        kind = "CELL" if _is_mobile(e164) else "VOICE"
    return f"TEL;TYPE={kind}:{escape(clean_text(e164))}"  # escaped: the book may hold anything


def _is_mobile(e164: str) -> bool:
    try:
        import phonenumbers

        kind = phonenumbers.number_type(phonenumbers.parse(e164, None))
    except Exception:
        return True
    return kind in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )


def card_lines(row: tuple, tags: Sequence[str], *, lang: str, birthday_style: str) -> list[str]:
    """The unfolded content lines of one contact (a base row from :mod:`.data`)."""
    F = data.F

    def get(name: str) -> str:
        return clean_text(row[F[name]] or "").strip()

    remark, nickname = get("remark"), get("nickname")
    name = remark or nickname or get("wechat_id") or f"#{row[F['id']]}"
    family, given = split_name(name)
    lines = [
        "BEGIN:VCARD",
        "VERSION:3.0",
        "PRODID:-//kamtui//kamtui export//EN",
        f"N:{escape(family)};{escape(given)};;;",
        f"FN:{escape(name)}",
    ]
    if nickname and nickname != name:
        lines.append(f"NICKNAME:{escape(nickname)}")
    phone = row[F["phone"]]
    if phone:
        lines.append(_tel(phone))
    occupation = get("occupation")
    if occupation:
        lines.append(f"TITLE:{escape(occupation)}")
    city, province, country = get("city"), get("province"), get("country")
    if city or province or country:
        lines.append(f"ADR;TYPE=HOME:;;;{escape(city)};{escape(province)};;{escape(country)}")
    year, month, day = row[F["birth_year"]], row[F["birth_month"]], row[F["birth_day"]]
    lunar, leap = bool(row[F["birth_lunar"]]), bool(row[F["birth_leap"]])
    if month and day and not lunar:
        bday = _bday(year, month, day, birthday_style)
        if bday:
            lines.append(bday)
    cleaned_tags = [clean_text(tag) for tag in tags]
    if cleaned_tags:
        lines.append("CATEGORIES:" + ",".join(escape(tag) for tag in cleaned_tags if tag))
    note = [clean_text(row[F["description"]] or "").strip()]
    wechat_id = get("wechat_id")
    if wechat_id:
        note.append(f"{t('export.vcard_wechat', lang=lang)}: {wechat_id}")
    account = get("account")
    if account:
        note.append(f"{t('export.vcard_account', lang=lang)}: {account}")
    if month and day and lunar:
        text = birthday_text(year, month, day, True, leap)
        note.append(f"{t('export.vcard_birthday', lang=lang)}: {text}")
    note_text = "\n".join(n for n in note if n)
    if note_text:
        lines.append(f"NOTE:{escape(note_text)}")
    if wechat_id:
        lines.append(f"X-WECHAT-ID:{escape(wechat_id)}")
    lines.append(f"X-KAMTUI-ID:{row[F['id']]}")
    lines.append("END:VCARD")
    return lines


def write_vcard(
    book,
    ids: Sequence[int],
    out: BinaryIO,
    *,
    lang: str,
    birthday_style: str = "apple",
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Write the contacts ``ids`` (in order) as vCard 3.0 to ``out``; returns the count."""
    if birthday_style not in BIRTHDAY_STYLES:
        raise ValueError(birthday_style)
    written = done = 0
    with book.snapshot() as con:
        for part in _parts(ids):
            scope = data.Scope(part)
            base = data.fetch_base(con, scope)
            tags = data.fetch_tags(con, scope)
            chunk = bytearray()
            for cid in part:
                row = base.get(cid)
                if row is None:
                    continue
                for line in card_lines(
                    row, tags.get(cid, ()), lang=lang, birthday_style=birthday_style
                ):
                    chunk += fold(line)
                written += 1
            out.write(chunk)
            if progress is not None:
                done += len(part)
                progress(done, len(ids))
    return written


def _parts(ids: Sequence[int], size: int = data.SMALL_SELECTION):
    for i in range(0, len(ids), size):
        yield ids[i : i + size]

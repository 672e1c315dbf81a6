"""vCard 2.1 / 3.0 / 4.0, hand-parsed on bytes.

Why not a library: Android's 2.1 exports break QUOTED-PRINTABLE values with soft
line breaks (``=`` at the end of a line) in the middle of a multi-byte UTF-8
character, and put labels in ``X-CUSTOM(CHARSET=UTF-8,ENCODING=QUOTED-PRINTABLE,
=E5=BE=AE=E4=BF=A1)``. The only correct order is: join the soft-broken lines as
bytes, decode QP over the joined bytes, then decode the charset. Libraries that
decode line by line (or decode text before QP) produce mojibake or fail.

A card becomes ``(line, values, extras)``: ``values`` maps mapping fields to raw
strings (the same shape the table cleaner uses), ``extras`` carries what a table
cannot hold (a decoded photo, a birthday already parsed from BDAY parameters).
"""

from __future__ import annotations

import base64
import binascii
import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kamtui.dates import parse_birthday
from kamtui.errors import ValidationError
from kamtui.i18n import t
from kamtui.importing.model import ImportFileError
from kamtui.importing.source import MAX_CELL

MAX_PHOTO_BYTES = 5 * 1024 * 1024
_LINE_SPLIT = re.compile(rb"\r\n|\r|\n")
_CUSTOM = re.compile(rb"X-CUSTOM\([^)]*\)")
_WECHAT_WORDS = ("微信", "wechat", "weixin", "wx")
_IMAGE_MAGIC = (
    (b"\xff\xd8\xff", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"BM", "bmp"),
)


@dataclass
class Prop:
    group: str
    name: str
    params: dict[str, list[str]]
    raw: bytes
    line: int
    label: str = ""  # X-CUSTOM(...) label, decoded


@dataclass
class Card:
    line: int
    props: list[Prop] = field(default_factory=list)


def image_ext(data: bytes) -> str | None:
    """ "jpg", "png", "gif", "webp", "heic", "bmp" from the bytes, or None if not an image."""
    for magic, ext in _IMAGE_MAGIC:
        if data.startswith(magic):
            return ext
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data[4:8] == b"ftyp" and data[8:12] in (b"heic", b"heix", b"mif1", b"msf1"):
        return "heic"
    return None


def _to_utf8_bytes(data: bytes, path: Path) -> bytes:
    if data.startswith(codecs.BOM_UTF8):
        return data[3:]
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or (
        b"\x00" in data[:200] and data[:200].count(b"\x00") > 20
    ):
        from kamtui.importing.source import decode_text

        text, _ = decode_text(data, path)
        return text.encode("utf-8")
    return data


def _split_unquoted(s: bytes, sep: bytes) -> list[bytes]:
    out, cur, quoted = [], bytearray(), False
    for i in range(len(s)):
        c = s[i : i + 1]
        if c == b'"':
            quoted = not quoted
        if c == sep and not quoted:
            out.append(bytes(cur))
            cur = bytearray()
        else:
            cur += c
    out.append(bytes(cur))
    return out


def _qp(raw: bytes) -> bytes:
    return binascii.a2b_qp(raw)


def _decode_bytes(raw: bytes, charset: str | None) -> str:
    for enc in (charset, "utf-8", "gb18030"):
        if not enc:
            continue
        try:
            return raw.decode(enc)
        except (LookupError, UnicodeDecodeError):
            continue
    return raw.decode("utf-8", "replace")


def _parse_custom(text: bytes) -> str:
    """X-CUSTOM(CHARSET=UTF-8,ENCODING=QUOTED-PRINTABLE,label) -> label."""
    inner = text[text.find(b"(") + 1 : text.rfind(b")") if b")" in text else len(text)]
    parts = inner.split(b",")
    opts = {}
    label_parts = []
    for p in parts:
        k, eq, v = p.partition(b"=")
        if eq and k.upper() in (b"CHARSET", b"ENCODING"):
            opts[k.upper()] = v.decode("ascii", "replace")
        else:
            label_parts.append(p)
    label = b",".join(label_parts)
    if opts.get(b"ENCODING", "").upper() in ("QUOTED-PRINTABLE", "QP"):
        label = _qp(label)
    return _decode_bytes(label, opts.get(b"CHARSET")).strip()


def _parse_prop(line: bytes, line_no: int) -> Prop | None:
    # split name;params : value at the first colon outside quotes (X-CUSTOM(...) has none)
    colon = line.find(b":")
    if colon < 0:
        return None
    if b'"' in line[:colon]:  # a quoted parameter value may hold a colon
        quoted = False
        colon = -1
        for i, b in enumerate(line):
            if b == 0x22:
                quoted = not quoted
            elif b == 0x3A and not quoted:
                colon = i
                break
        if colon < 0:
            return None
    head, raw = line[:colon], line[colon + 1 :]
    parts = _split_unquoted(head, b";")
    name = parts[0].strip()
    label = ""
    if name.upper().startswith(b"X-CUSTOM("):
        label = _parse_custom(head)
        name, parts = b"X-CUSTOM", [b"X-CUSTOM"]
    group = ""
    if b"." in name:
        g, _, name = name.rpartition(b".")
        group = g.decode("ascii", "replace").lower()
    params: dict[str, list[str]] = {}
    for p in parts[1:]:
        p = p.strip()
        if not p:
            continue
        if p.upper().startswith(b"X-CUSTOM("):
            label = _parse_custom(p)
            continue
        k, eq, v = p.partition(b"=")
        key = k.decode("ascii", "replace").upper() if eq else "TYPE"
        value = v if eq else k
        text = value.decode("utf-8", "replace").strip('"')
        params.setdefault(key, []).extend(x for x in text.split(",") if x)
    return Prop(group, name.decode("ascii", "replace").upper(), params, raw, line_no, label)


def _logical_lines(data: bytes) -> Iterator[tuple[int, bytes]]:
    """Unfold: QP soft breaks (joined as bytes), folded lines, bare base64 continuation."""
    cur: bytearray | None = None
    cur_line = 0
    qp = b64 = False
    for number, line in enumerate(_LINE_SPLIT.split(data), start=1):
        if cur is not None:
            if qp and cur.endswith(b"="):
                cur[-1:] = line  # a soft break: join the bytes, decode QP afterwards
                continue
            if line[:1] in (b" ", b"\t"):
                cur += line[1:]
                continue
            if b64 and line and b":" not in line:
                cur += line
                continue
        if cur is not None:
            yield cur_line, bytes(cur)
            cur = None
        if not line.strip():
            continue
        cur, cur_line = bytearray(line), number
        head = _CUSTOM.sub(b"", line.split(b":", 1)[0].upper())
        qp = b"QUOTED-PRINTABLE" in head
        b64 = b"BASE64" in head or b"ENCODING=B" in head
    if cur is not None:
        yield cur_line, bytes(cur)


def parse_cards(data: bytes, path: Path) -> Iterator[Card]:
    data = _to_utf8_bytes(data, path)
    card: Card | None = None
    seen = False
    for line_no, line in _logical_lines(data):
        upper = line.strip().upper()
        if upper.startswith(b"BEGIN:VCARD"):
            if card is not None:  # a card without END: the next one starts
                raise ImportFileError("import.vcard_truncated", path, row=card.line)
            card = Card(line_no)
            seen = True
            continue
        if upper.startswith(b"END:VCARD"):
            if card is not None:
                yield card
            card = None
            continue
        if card is None:
            continue
        if len(line) > MAX_CELL and not (b"PHOTO" in upper[:20] or b"LOGO" in upper[:20]):
            raise ImportFileError("import.cell_too_big", path, row=line_no, max=MAX_CELL)
        prop = _parse_prop(line, line_no)
        if prop is not None:
            card.props.append(prop)
    if card is not None:
        raise ImportFileError("import.vcard_truncated", path, row=card.line)
    if not seen:
        raise ImportFileError("import.vcard_empty", path)


def _unescape(s: str) -> str:
    if "\\" not in s:
        return s
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) in "nN" else m.group(1), s)


def _split_escaped(s: str, sep: str) -> list[str]:
    return [_unescape(p) for p in re.split(r"(?<!\\)" + re.escape(sep), s)]


def text_value(prop: Prop) -> str:
    raw = prop.raw
    enc = (prop.params.get("ENCODING") or [""])[0].upper()
    if enc in ("QUOTED-PRINTABLE", "QP"):
        raw = _qp(raw)
    charset = (prop.params.get("CHARSET") or [None])[0]
    return _decode_bytes(raw, charset)


def _clean_label(label: str) -> str:
    m = re.fullmatch(r"_\$!<(.*)>!\$_", label.strip())
    return (m.group(1) if m else label).strip()


def _is_wechat(label: str) -> bool:
    low = label.lower()
    return any(w in low for w in _WECHAT_WORDS)


def card_values(card: Card) -> tuple[dict[str, list], dict, list[tuple[str, str]]]:
    """(values, extras, problems) for one card; problems are (field, message)."""
    values: dict[str, list] = {}
    extras: dict = {}
    problems: list[tuple[str, str]] = []
    labels = {
        p.group: _clean_label(text_value(p))
        for p in card.props
        if p.name == "X-ABLABEL" and p.group
    }

    def add(fld: str, value) -> None:
        if isinstance(value, str):
            value = value.strip()
        if value:
            values.setdefault(fld, []).append(value)

    phones: list[tuple[bool, str]] = []
    for p in card.props:
        name = p.name
        label = p.label or labels.get(p.group, "")
        if name == "FN":
            add("remark", _unescape(text_value(p)))
        elif name == "N":
            parts = [*_split_escaped(text_value(p), ";"), "", "", ""]
            add("last_name", parts[0])
            add("first_name", parts[1])
            add("middle_name", parts[2])
        elif name == "NICKNAME":
            add("nickname", _split_escaped(text_value(p), ",")[0])
        elif name == "TEL":
            value = text_value(p).strip()
            value = re.sub(r"^tel:", "", value, flags=re.IGNORECASE).split(";")[0]
            types = {x.upper() for x in p.params.get("TYPE", [])}
            phones.append(("PREF" in types or "pref" in p.params, value))
        elif name == "EMAIL":
            add("email", _unescape(text_value(p)))
        elif name == "ADR":
            parts = _split_escaped(text_value(p), ";") + [""] * 7
            _pobox, _ext, street, locality, region, _postal, country = parts[:7]
            if "city" not in values:
                add("city", locality)
                add("province", region)
                add("country", country)
            full = " ".join(x.strip() for x in (street, locality, region, country) if x.strip())
            add("address_note", full)
        elif name == "ORG":
            parts = [x for x in _split_escaped(text_value(p), ";") if x.strip()]
            if parts and parts[0].strip().lower() != "null":
                add("company", " ".join(parts))
        elif name == "TITLE":
            add("title", _unescape(text_value(p)))
        elif name in ("BDAY", "X-ALTBDAY"):
            _birthday(p, extras, problems)
        elif name in ("GENDER", "X-GENDER"):
            add("gender", _split_escaped(text_value(p), ";")[0])
        elif name == "NOTE":
            add("description", _unescape(text_value(p)))
        elif name == "CATEGORIES":
            for tag in _split_escaped(text_value(p), ","):
                add("tags", tag)
        elif name == "PHOTO":
            _photo(p, values, extras, problems)
        elif name in ("X-WECHAT", "X-WEIXIN", "X-WECHAT-ID"):
            add("wechat_id", _unescape(text_value(p)))
        elif name in ("IMPP", "X-SOCIALPROFILE", "X-CUSTOM"):
            service = " ".join(
                [label, *p.params.get("X-SERVICE-TYPE", []), *p.params.get("TYPE", [])]
            )
            value = _unescape(text_value(p)).strip()
            if _is_wechat(service) or re.match(r"(?i)^(weixin|wechat|wx)[:]", value):
                value = re.sub(r"^[A-Za-z-]+:(?:/+)?", "", value) if ":" in value else value
                add("wechat_id", value)
        elif name == "X-ANDROID-CUSTOM":
            parts = _split_escaped(text_value(p), ";") + [""] * 4
            kind = parts[0]
            if kind.endswith("/nickname"):
                add("nickname", parts[1])
            elif kind.endswith("/contact_event") and parts[2] == "3":
                try:
                    extras["birthday"] = parse_birthday(parts[1])
                except ValidationError as err:
                    problems.append(("birthday", err.message))
        elif name == "X-ABDATE" and _is_birthdayish(label):
            _birthday(p, extras, problems, lunar="农历" in label or "lunar" in label.lower())
    # the preferred number first, then the file's order
    for _pref, value in sorted(phones, key=lambda x: not x[0]):
        add("phone", value)
    return values, extras, problems


def _is_birthdayish(label: str) -> bool:
    return "生日" in label or "birthday" in label.lower()


def _birthday(p: Prop, extras: dict, problems: list, *, lunar: bool = False) -> None:
    value = _unescape(text_value(p)).strip()
    omit = (p.params.get("X-APPLE-OMIT-YEAR") or [None])[0]
    calscale = (p.params.get("CALSCALE") or [""])[0].lower()
    if calscale == "chinese" or lunar:
        # Chinese-calendar years are cyclic: keep the month and day only.
        m = re.search(r"(\d{1,2})-?(\d{2})$", value.replace("--", ""))
        value = f"农历{int(m[1])}月{int(m[2])}日" if m else value
    elif p.name == "X-ALTBDAY":
        return
    if omit and omit.isdigit() and len(omit) == 4:
        # X-APPLE-OMIT-YEAR: the year written is a stand-in for "no year"
        value = re.sub(rf"^{omit}-?(\d{{2}})-?(\d{{2}})", r"--\1-\2", value)
    try:
        bday = parse_birthday(value)
    except ValidationError as err:
        problems.append(("birthday", err.message))
        return
    if bday is None:
        return
    if "birthday" not in extras or bday.lunar:
        extras["birthday"] = bday


def _photo(p: Prop, values: dict, extras: dict, problems: list) -> None:
    if "picture" in extras:
        return
    enc = (p.params.get("ENCODING") or [""])[0].upper()
    raw = p.raw.strip()
    payload: bytes | None = None
    if enc in ("B", "BASE64"):
        payload = raw
    elif raw[:5].lower() == b"data:":
        head, _, body = raw.partition(b",")
        if b";base64" in head.lower():
            payload = body
    elif raw[:4].lower() == b"http":
        values.setdefault("picture_url", []).append(raw.decode("utf-8", "replace"))
        return
    if payload is None:
        return
    payload = re.sub(rb"\s+", b"", payload)
    if len(payload) * 3 // 4 > MAX_PHOTO_BYTES:
        size = len(payload) * 3 // 4 // 1024
        problems.append(
            ("picture", t("import.photo_too_big", size=size, max=MAX_PHOTO_BYTES // 1024))
        )
        return
    try:
        image = base64.b64decode(payload + b"=" * (-len(payload) % 4))
    except (binascii.Error, ValueError):
        problems.append(("picture", t("import.photo_invalid")))
        return
    ext = image_ext(image)
    if ext is None:
        problems.append(("picture", t("import.photo_invalid")))
        return
    extras["picture"] = image
    extras["picture_ext"] = ext

"""Layouts: which column of a known export holds which contact field.

A file's layout is recognised by its header names (never by column position):
headers are normalised (NFKC, lower case, spaces, brackets and punctuation
removed) and compared with each layout's table. :func:`detect_layout` scores
every layout and returns the best, with a :class:`Mapping` (column -> field or
skip) and the columns it could not place. A ``Mapping`` can also be built by
hand (the TUI's mapping preview) and saved as a named profile (``to_dict`` /
``from_dict``, plain JSON).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from kamtui.errors import ValidationError
from kamtui.i18n import t
from kamtui.importing.model import MAPPABLE_FIELDS

SKIP = None
_STRIP = re.compile(r"[\s()\[\]{}<>（）【】《》〈〉「」『』_\-:：/\\.·'\"*#＃、,，;；|]+")


def normalize_header(text) -> str:
    """``"国家（地区）"`` -> ``"国家地区"``; ``"Phone 1 - Value"`` -> ``"phone1value"``."""
    s = unicodedata.normalize("NFKC", str(text or "")).lower().lstrip("\ufeff")
    return _STRIP.sub("", s)


def _table(spec: dict[str, tuple[str, ...] | str]) -> dict[str, str | None]:
    """{field: (header, ...)} -> {normalised header: field}; field "" means known but skipped."""
    out: dict[str, str | None] = {}
    for fld, headers in spec.items():
        if isinstance(headers, str):
            headers = (headers,)
        for h in headers:
            out[normalize_header(h)] = fld or None
    return out


#: Synonyms understood in any layout (a seller's own headers, Chinese and English).
GENERIC = _table(
    {
        "remark": (
            "姓名",
            "名字",
            "客户名",
            "客户名称",
            "客户姓名",
            "客户",
            "备注",  # WeChat's remark name; a seller's own sheet (layout "seller") means a note
            "备注名",
            "备注名称",
            "name",
            "full name",
            "display name",
            "contact name",
            "customer",
            "customer name",
            "remark",
            "remark name",
        ),
        "nickname": ("昵称", "微信昵称", "网名", "nickname", "nick name", "nick"),
        "first_name": ("名", "first name", "given name", "firstname"),
        "last_name": ("姓", "last name", "family name", "surname", "lastname"),
        "middle_name": ("middle name", "additional name"),
        "wechat_id": (
            "微信号",
            "微信",
            "微信id",
            "微信账号",
            "wechat",
            "wechat id",
            "weixin",
            "wx",
            "wechatid",
            "微信号码",
        ),
        "wxid": ("wxid", "原始微信id", "原始id"),
        "phone": (
            "手机",
            "手机号",
            "手机号码",
            "电话",
            "电话号码",
            "联系电话",
            "联系方式",
            "移动电话",
            "phone",
            "mobile",
            "mobile phone",
            "mobile number",
            "cell",
            "cell phone",
            "tel",
            "telephone",
            "phone number",
        ),
        "email": ("邮箱", "电子邮件", "电子邮箱", "email", "e-mail", "mail", "email address"),
        "country": ("国家", "国家地区", "国", "country", "country/region"),
        "province": ("省", "省份", "省份直辖市", "province", "state"),
        "city": ("市", "城市", "city"),
        "region": ("地区", "所在地", "所在地区", "区域", "地域", "region", "location"),
        "address": ("地址", "收货地址", "详细地址", "住址", "address"),
        "occupation": ("职业", "工作", "行业", "occupation", "job", "profession"),
        "company": (
            "公司",
            "单位",
            "公司名称",
            "工作单位",
            "company",
            "organization",
            "organisation",
        ),
        "title": ("职位", "职务", "job title", "position"),
        "gender": ("性别", "gender", "sex"),
        "birthday": (
            "生日",
            "出生日期",
            "出生年月",
            "生辰",
            "birthday",
            "birth date",
            "date of birth",
            "dob",
        ),
        "source": (
            "来源",
            "渠道",
            "来源渠道",
            "客户来源",
            "添加来源",
            "添加方式",
            "source",
            "channel",
        ),
        "added_on": (
            "添加时间",
            "添加日期",
            "加好友时间",
            "加好友日期",
            "入库时间",
            "创建时间",
            "建档日期",
            "added",
            "added on",
            "date added",
            "created",
            "created at",
        ),
        "description": (
            "描述",
            "说明",
            "客户描述",
            "备注说明",
            "情况",
            "notes",
            "note",
            "description",
            "comment",
            "comments",
        ),
        "signature": ("个性签名", "签名", "signature"),
        "tags": (
            "标签",
            "分类",
            "客户标签",
            "分组",
            "tags",
            "tag",
            "labels",
            "categories",
            "group",
        ),
        "picture_url": ("头像", "头像链接", "avatar", "photo", "picture"),
        "last_order_on": (
            "最近下单",
            "最近下单时间",
            "最近下单日期",
            "最后下单",
            "最后下单时间",
            "最近购买",
            "最近购买时间",
            "最后购买",
            "上次下单",
            "last order",
            "last order date",
            "last purchase",
        ),
        "total_amount": (
            "累计金额",
            "累计消费",
            "消费金额",
            "累计消费金额",
            "总金额",
            "总消费",
            "消费总额",
            "成交金额",
            "total",
            "total amount",
            "total spent",
            "amount",
        ),
        "account": ("所属微信", "所属账号", "归属账号", "归属微信", "账号", "所在微信", "account"),
        "favourite": ("置顶", "星标", "favourite", "favorite", "starred", "pinned"),
    }
)


@dataclass(frozen=True)
class Layout:
    """A known export format: its own header table and reading options."""

    name: str
    columns: dict[str, str | None]  # normalised header -> field (None: known, skipped)
    signature: frozenset[str]  # normalised headers that identify it
    min_signature: int = 2
    dash_missing: bool = False  # "-" means an empty cell (scrapers)
    date_order: str = "ymd"  # how to read 3/5/2026
    patterns: tuple[tuple[re.Pattern, str | None], ...] = ()  # numbered columns

    def field_for(self, header: str) -> tuple[bool, str | None]:
        """(known, field) for a normalised header in this layout (then the generic table)."""
        if header in self.columns:
            return True, self.columns[header]
        for pattern, fld in self.patterns:
            if pattern.fullmatch(header):
                return True, fld
        if header in GENERIC:
            return True, GENERIC[header]
        return False, None

    @property
    def label(self) -> str:
        return t(f"import.layout.{self.name}")


def _sig(*headers: str) -> frozenset[str]:
    return frozenset(normalize_header(h) for h in headers)


_P = re.compile
_GOOGLE_PATTERNS = (
    (_P(r"phone\d+value"), "phone"),
    (_P(r"phone\d+(?:type|label)"), SKIP),
    (_P(r"e?mail\d+value"), "email"),
    (_P(r"e?mail\d+(?:type|label)"), SKIP),
    (_P(r"address\d+city"), "city"),
    (_P(r"address\d+region"), "province"),
    (_P(r"address\d+country"), "country"),
    (_P(r"address\d+formatted"), "address"),
    (_P(r"address\d+\w+"), SKIP),
    (_P(r"organi[sz]ation\d*name"), "company"),
    (_P(r"organi[sz]ation\d*title"), "title"),
    (_P(r"organi[sz]ation\d*\w+"), SKIP),
    (_P(r"(?:website|relation|event|im|custom field|customfield|externalid)\d+\w+"), SKIP),
)

LAYOUTS: dict[str, Layout] = {}


def _add(layout: Layout) -> None:
    LAYOUTS[layout.name] = layout


_add(
    Layout(
        "memotrace",
        _table(
            {
                "wxid": "UserName",
                "wechat_id": "Alias",
                "remark": "Remark",
                "nickname": "NickName",
                "tags": "label",
                "gender": "gender",
                "phone": "telephone",
                "signature": "signature",
                "country": "country/region",
                "province": "province",
                "city": "city",
                "picture_url": "bigHeadImgUrl",
                "": ("Type", "PYInitial", "RemarkPYInitial", "smallHeadImgUrl", "QuanPin"),
            }
        ),
        _sig(
            "UserName", "Alias", "PYInitial", "RemarkPYInitial", "smallHeadImgUrl", "bigHeadImgUrl"
        ),
        min_signature=2,
    )
)
_add(
    Layout(
        "group_members",
        _table(
            {
                "wechat_id": "微信号",
                "nickname": "昵称",
                "remark": "备注",
                "tags": "标签",
                "gender": "性别",
                "signature": "个性签名",
                "country": "国家（地区）",
                "province": "省份",
                "city": "城市",
                "": ("群昵称", "群内昵称", "序号", "入群时间", "邀请人"),
            }
        ),
        _sig("国家（地区）", "个性签名", "省份", "城市", "群昵称"),
        min_signature=3,
    )
)
_add(
    Layout(
        "scraper",
        _table(
            {
                "remark": "备注",
                "nickname": "昵称",
                "wechat_id": "微信号",
                "region": "地区",
                "tags": "标签",
                "signature": "个性签名",
                "": ("元数据",),
            }
        ),
        _sig("元数据", "地区", "个性签名"),
        min_signature=2,
        dash_missing=True,
    )
)
_add(
    Layout(
        "ios_backup",
        _table(
            {
                "wxid": "ID",
                "wechat_id": "微信号",
                "nickname": "昵称",
                "remark": "备注",
                "country": "国",
                "province": "省",
                "city": "市",
                "signature": "签名",
            }
        ),
        _sig("ID", "国", "省", "市", "签名"),
        min_signature=4,
    )
)
_add(
    Layout(
        "pywxdump",
        _table(
            {
                "wxid": "wxid",
                "wechat_id": "account",
                "nickname": "nickname",
                "remark": "remark",
                "description": "describe",
                "picture_url": "headImgUrl",
                "tags": "LabelIDList",
                "gender": "性别[1男2女]",
                "signature": "个性签名",
                "country": "国",
                "province": "省",
                "city": "市",
                "phone": "手机号",
                "company": "公司名称",
                "": (
                    "企微属性",
                    "朋友圈背景",
                    "备注图片",
                    "备注图片2",
                    "ExtraBuf",
                    "nOrder",
                    "nUnReadCount",
                    "strNickName",
                    "nStatus",
                    "nIsSend",
                    "strContent",
                    "nMsgLocalID",
                    "nMsgStatus",
                    "nTime",
                    "nMsgType",
                    "nMsgSubType",
                    "LastReadedCreateTime",
                    "strUsrName",
                    *(str(i) for i in range(26)),
                ),
            }
        ),
        _sig(
            "wxid", "account", "describe", "LabelIDList", "ExtraBuf", "性别[1男2女]", "headImgUrl"
        ),
        min_signature=2,
    )
)
_GOOGLE_NAMES = {
    "first_name": ("First Name", "Given Name"),
    "middle_name": ("Middle Name", "Additional Name"),
    "last_name": ("Last Name", "Family Name"),
    "remark": ("Name",),
    "nickname": ("Nickname",),
    "birthday": ("Birthday",),
    "description": ("Notes",),
    "tags": ("Labels", "Group Membership"),
    "picture_url": ("Photo",),
    "gender": ("Gender",),
    "occupation": ("Occupation",),
    "": (
        "Phonetic First Name",
        "Phonetic Middle Name",
        "Phonetic Last Name",
        "Name Prefix",
        "Name Suffix",
        "Prefix",
        "Suffix",
        "Yomi Name",
        "Given Name Yomi",
        "Additional Name Yomi",
        "Family Name Yomi",
        "Initials",
        "Short Name",
        "Maiden Name",
        "File As",
        "Location",
        "Billing Information",
        "Directory Server",
        "Mileage",
        "Hobby",
        "Sensitivity",
        "Priority",
        "Subject",
        "Language",
    ),
}
_add(
    Layout(
        "google",
        _table(_GOOGLE_NAMES),
        _sig(
            "Phone 1 - Value",
            "Labels",
            "Group Membership",
            "Given Name",
            "Family Name",
            "Name Prefix",
            "File As",
            "Phonetic First Name",
            "E-mail 1 - Value",
            "Organization Name",
        ),
        min_signature=2,
        patterns=_GOOGLE_PATTERNS,
    )
)
_add(
    Layout(
        "outlook",
        _table(
            {
                "first_name": "First Name",
                "middle_name": "Middle Name",
                "last_name": "Last Name",
                "company": "Company",
                "title": "Job Title",
                "phone": (
                    "Mobile Phone",
                    "Business Phone",
                    "Business Phone 2",
                    "Home Phone",
                    "Home Phone 2",
                    "Primary Phone",
                    "Other Phone",
                    "Car Phone",
                    "Company Main Phone",
                    "Assistant's Phone",
                    "Callback",
                    "Radio Phone",
                    "ISDN",
                    "TTY/TDD Phone",
                ),
                "email": ("E-mail Address", "E-mail 2 Address", "E-mail 3 Address"),
                "birthday": "Birthday",
                "tags": "Categories",
                "description": "Notes",
                "city": "Home City",
                "province": "Home State",
                "country": ("Home Country/Region", "Home Country"),
                "gender": "Gender",
                "": (
                    "Title",
                    "Suffix",
                    "Department",
                    "Business Street",
                    "Business Street 2",
                    "Business Street 3",
                    "Business City",
                    "Business State",
                    "Business Postal Code",
                    "Business Country/Region",
                    "Home Street",
                    "Home Street 2",
                    "Home Street 3",
                    "Home Postal Code",
                    "Other Street",
                    "Other Street 2",
                    "Other Street 3",
                    "Other City",
                    "Other State",
                    "Other Postal Code",
                    "Other Country/Region",
                    "Business Fax",
                    "Home Fax",
                    "Other Fax",
                    "Pager",
                    "Assistant's Name",
                    "Anniversary",
                    "Manager's Name",
                    "Spouse",
                    "Web Page",
                    "Account",
                    "E-mail Type",
                    "E-mail Display Name",
                    "E-mail 2 Type",
                    "E-mail 2 Display Name",
                    "E-mail 3 Type",
                    "E-mail 3 Display Name",
                    "Initials",
                    "Keywords",
                    "Language",
                    "Location",
                    "Mileage",
                    "Office Location",
                    "Organizational ID Number",
                    "PO Box",
                    "Priority",
                    "Private",
                    "Profession",
                    "Referred By",
                    "Sensitivity",
                    "User 1",
                    "User 2",
                    "User 3",
                    "User 4",
                    "Hobby",
                    "Government ID Number",
                    "Internet Free Busy",
                    "Directory Server",
                    "Children",
                    "Billing Information",
                ),
            }
        ),
        _sig(
            "Mobile Phone",
            "Business Phone",
            "Categories",
            "E-mail Address",
            "Job Title",
            "Home Phone",
        ),
        min_signature=2,
        date_order="mdy",
    )
)
_add(
    Layout(
        "thunderbird",
        _table(
            {
                "first_name": "First Name",
                "last_name": "Last Name",
                "remark": "Display Name",
                "nickname": "Nickname",
                "email": ("Primary Email", "Secondary Email"),
                "phone": ("Mobile Number", "Work Phone", "Home Phone"),
                "city": "Home City",
                "province": "Home State",
                "country": "Home Country",
                "title": "Job Title",
                "company": "Organization",
                "birth_year": "Birth Year",
                "birth_month": "Birth Month",
                "birth_day": "Birth Day",
                "description": "Notes",
                "": (
                    "Screen Name",
                    "Fax Number",
                    "Pager Number",
                    "Home Address",
                    "Home Address 2",
                    "Home ZipCode",
                    "Work Address",
                    "Work Address 2",
                    "Work City",
                    "Work State",
                    "Work ZipCode",
                    "Work Country",
                    "Department",
                    "Web Page 1",
                    "Web Page 2",
                    "Custom 1",
                    "Custom 2",
                    "Custom 3",
                    "Custom 4",
                    "",
                ),
            }
        ),
        _sig(
            "Display Name",
            "Primary Email",
            "Mobile Number",
            "Screen Name",
            "Birth Year",
            "Pager Number",
        ),
        min_signature=2,
    )
)
_add(
    Layout(
        "seller",
        _table({"description": ("备注",)}),  # in a seller's own sheet 备注 is a note
        _sig(
            "姓名",
            "客户名",
            "手机",
            "手机号",
            "添加时间",
            "添加日期",
            "来源",
            "渠道",
            "最近下单",
            "累计金额",
            "生日",
            "职业",
        ),
        min_signature=1,
    )
)
#: Used when no layout fits: generic synonyms only, 备注 is the remark name.
GENERIC_LAYOUT = Layout("custom", {}, frozenset(), min_signature=0)


@dataclass
class Mapping:
    """Which field each column feeds (None: skip), aligned with the file's headers.

    ``columns`` is a list of (header, field) pairs in file order. Saved profiles are
    matched to another file by header name (:meth:`for_headers`), not by position.
    """

    columns: list[tuple[str, str | None]]
    layout: str = "custom"
    unmapped: list[str] = field(default_factory=list)  # headers nobody knew (preview)

    def __post_init__(self) -> None:
        for header, fld in self.columns:
            if fld is not None and fld not in MAPPABLE_FIELDS:
                raise ValidationError(
                    "mapping", t("import.mapping_invalid", error=f"{header!r} -> {fld!r}")
                )

    @property
    def headers(self) -> list[str]:
        return [h for h, _ in self.columns]

    @property
    def fields(self) -> list[str | None]:
        return [f for _, f in self.columns]

    def with_field(self, index: int, fld: str | None) -> Mapping:
        """A copy with column ``index`` mapped to ``fld`` (None to skip): the preview's edit."""
        cols = list(self.columns)
        header = cols[index][0]
        cols[index] = (header, fld)
        unmapped = [h for h in self.unmapped if h != header]
        return Mapping(cols, layout=self.layout, unmapped=unmapped)

    def for_headers(self, headers: list[str]) -> Mapping:
        """This mapping applied to another file's headers, by (normalised) name.

        Repeated header names are paired in order; headers this mapping does not
        know are skipped and listed in ``unmapped``.
        """
        pool: dict[str, list[str | None]] = {}
        for h, f in self.columns:
            pool.setdefault(normalize_header(h), []).append(f)
        cols: list[tuple[str, str | None]] = []
        unmapped: list[str] = []
        for h in headers:
            queue = pool.get(normalize_header(h))
            if queue:
                cols.append((h, queue.pop(0)))
            else:
                cols.append((h, None))
                if h.strip():
                    unmapped.append(h)
        return Mapping(cols, layout=self.layout, unmapped=unmapped)

    def to_dict(self) -> dict:
        return {
            "version": 1,
            "layout": self.layout,
            "columns": [{"header": h, "field": f} for h, f in self.columns],
        }

    @classmethod
    def from_dict(cls, data: dict) -> Mapping:
        try:
            cols = [(str(c["header"]), c.get("field") or None) for c in data["columns"]]
            layout = str(data.get("layout") or "custom")
        except (KeyError, TypeError, AttributeError) as err:
            raise ValidationError("mapping", t("import.mapping_invalid", error=str(err))) from None
        return cls(cols, layout=layout)


@dataclass(frozen=True)
class Detection:
    """What :func:`detect_layout` found."""

    layout: Layout
    mapping: Mapping
    unmapped: list[str]
    score: int


def _map_with(layout: Layout, headers: list[str]) -> tuple[Mapping, list[str], int, int]:
    cols: list[tuple[str, str | None]] = []
    unmapped: list[str] = []
    known = 0
    own = 0
    normalised = [normalize_header(h) for h in headers]
    for h, n in zip(headers, normalised, strict=True):
        ok, fld = layout.field_for(n)
        if ok:
            known += 1
            if n in layout.columns or any(p.fullmatch(n) for p, _ in layout.patterns):
                own += 1
        elif n:
            unmapped.append(h)
        cols.append((h, fld))
    # A field fed by several columns is fine for phones, e-mails, tags and notes;
    # for the others keep the first column and skip the rest.
    multi = {"phone", "email", "tags", "description", "signature", "address"}
    seen: set[str] = set()
    for i, (h, fld) in enumerate(cols):
        if fld is None or fld in multi:
            continue
        if fld in seen:
            cols[i] = (h, None)
        seen.add(fld)
    mapping = Mapping(cols, layout=layout.name, unmapped=unmapped)
    return mapping, unmapped, known, own


def detect_layout(headers: list[str]) -> Detection:
    """The layout that fits ``headers`` best, with its mapping and unknown columns.

    Score: 3 per identifying header of the layout, 1 per header the layout knows.
    A layout needs ``min_signature`` identifying headers to be considered; when
    none qualifies, the generic synonyms alone are used (layout "custom").
    """
    normalised = {normalize_header(h) for h in headers}
    best: Detection | None = None
    for layout in LAYOUTS.values():
        hits = len(layout.signature & normalised)
        if hits < layout.min_signature:
            continue
        mapping, unmapped, known, own = _map_with(layout, headers)
        score = 3 * hits + known + own
        if best is None or score > best.score:
            best = Detection(layout, mapping, unmapped, score)
    if best is None:
        mapping, unmapped, known, _ = _map_with(GENERIC_LAYOUT, headers)
        best = Detection(GENERIC_LAYOUT, mapping, unmapped, known)
    return best


def layout_named(name: str) -> Layout:
    return LAYOUTS.get(name, GENERIC_LAYOUT)

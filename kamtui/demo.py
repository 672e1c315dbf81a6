"""A believable, deterministic demo business for trying kamtui, tests and benchmarks.

:func:`build_demo` fills an empty book with a WeChat micro-merchant's customer
book: a few WeChat accounts, ``size`` contacts with Chinese names, nicknames and
seller-style remark names, tags, products with use cycles, 18 months of
purchases with a Pareto-like spread (a few big customers, many small ones),
credit sales and payments, referrals, interactions, complaints, snippets,
satisfaction ratings, manual reminders, and the clean-up cases (dead, ad,
blocked, duplicate and cold friends).

Everything derives from ``random.Random(seed)`` and ``today``: the same seed,
size and day give the same rows, byte for byte, timestamps included (they are
derived from the rows' own dates, never from the clock). Automatic reminders
are not written: the reminders engine derives them from the data.

Rows are built as tuples and written with ``executemany`` in one transaction:
100,000 contacts take seconds. Ids are given explicitly (1..n in each table),
which is why the book must be empty (:func:`clear_book` empties it).
"""

from __future__ import annotations

import gc
import random
from base64 import b32encode
from bisect import bisect
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from itertools import accumulate
from operator import itemgetter

from kamtui.errors import KamtuiError, ValidationError
from kamtui.i18n import t
from kamtui.searchkey import build_search_key

Progress = Callable[[str, int, int], None]

# Step labels passed to ``progress(label, done, total)``, in order. ``done`` is
# the number of steps finished before this one; the last call is
# ``("done", total, total)``.
STEPS = ("accounts", "contacts", "purchases", "activity", "search_keys", "saving")

# Tables emptied by clear_book, children first (foreign keys are on).
DATA_TABLES = (
    "contact_tag",
    "snippet",
    "interaction",
    "payment",
    "purchase",
    "referral",
    "reminder",
    "satisfaction",
    "contact",
    "tag",
    "product",
    "account",
    "undo_row",
    "undo_action",
)

# Interaction kinds the generator writes (the vocabulary of kamtui.interactions).
INTERACTION_KINDS = (
    "chat",
    "call",
    "moments",
    "meeting",
    "gift",
    "survey",
    "complaint",
    "visit",
)

MAX_SIZE = 1_000_000


# ---------------------------------------------------------------------------
# Vocabulary

# (surname, weight): frequencies roughly as in the 2020 census, a few
# polyphonic surnames (曾 单 解 仇 区 查 乐 …) and compound ones.
SURNAMES = (
    ("王", 71), ("李", 70), ("张", 66), ("刘", 54), ("陈", 45), ("杨", 31), ("赵", 23),
    ("黄", 22), ("周", 21), ("吴", 20), ("徐", 17), ("孙", 15), ("胡", 13), ("朱", 13),
    ("高", 12), ("林", 12), ("何", 12), ("郭", 11), ("马", 11), ("罗", 9), ("梁", 9),
    ("宋", 8), ("郑", 8), ("谢", 8), ("韩", 7), ("唐", 7), ("冯", 7), ("于", 6), ("董", 6),
    ("肖", 5), ("程", 5), ("曹", 5), ("袁", 5), ("邓", 5), ("许", 5), ("傅", 4), ("沈", 4),
    ("曾", 4), ("彭", 4), ("吕", 4), ("苏", 4), ("卢", 4), ("蒋", 4), ("蔡", 4), ("贾", 3),
    ("丁", 3), ("魏", 3), ("薛", 3), ("叶", 3), ("阎", 2), ("余", 3), ("潘", 3), ("杜", 3),
    ("戴", 2), ("夏", 2), ("钟", 2), ("汪", 2), ("田", 2), ("任", 2), ("姜", 2), ("范", 2),
    ("方", 2), ("石", 2), ("姚", 2), ("谭", 2), ("廖", 2), ("邹", 2), ("熊", 2), ("金", 2),
    ("陆", 2), ("郝", 2), ("孔", 2), ("白", 2), ("崔", 2), ("康", 1), ("毛", 1), ("邱", 1),
    ("秦", 1), ("江", 1), ("史", 1), ("顾", 1), ("侯", 1), ("邵", 1), ("孟", 1), ("龙", 1),
    ("万", 1), ("段", 1), ("覃", 1), ("单", 1), ("解", 1), ("仇", 1), ("区", 1), ("查", 1),
    ("乐", 1), ("翟", 1), ("缪", 1), ("朴", 1), ("欧阳", 1), ("上官", 1), ("诸葛", 1),
)  # fmt: skip

GIVEN_F = (
    ("秀英", 6), ("桂英", 4), ("秀兰", 3), ("玉兰", 3), ("丽", 8), ("静", 8), ("敏", 7),
    ("芳", 8), ("娜", 7), ("艳", 6), ("霞", 5), ("婷", 6), ("雪", 4), ("慧", 4), ("晶", 3),
    ("琳", 4), ("颖", 4), ("倩", 4), ("洁", 4), ("燕", 5), ("红", 4), ("梅", 4), ("丹", 4),
    ("萍", 4), ("玲", 4), ("琴", 3), ("蕾", 3), ("佳怡", 3), ("欣怡", 3), ("梓涵", 2),
    ("诗涵", 2), ("雨欣", 2), ("思雨", 2), ("婉婷", 3), ("晓燕", 3), ("丽娟", 3), ("美玲", 3),
    ("淑芬", 2), ("雅琪", 2), ("佳琪", 2), ("梦瑶", 2), ("紫萱", 1), ("若曦", 1), ("可欣", 2),
    ("海燕", 3), ("春梅", 2), ("小红", 3), ("丽华", 3), ("晓丽", 3), ("秀珍", 2), ("美华", 2),
    ("文静", 3), ("莉莉", 2), ("露", 2), ("瑶", 2), ("璐", 2), ("媛", 2), ("乐乐", 1),
)  # fmt: skip

GIVEN_M = (
    ("伟", 8), ("强", 7), ("磊", 7), ("军", 6), ("洋", 5), ("勇", 5), ("杰", 6), ("涛", 5),
    ("明", 5), ("超", 5), ("刚", 4), ("平", 4), ("辉", 4), ("鹏", 4), ("华", 4), ("飞", 4),
    ("鑫", 3), ("波", 3), ("斌", 3), ("宇", 3), ("浩", 3), ("凯", 3), ("健", 3), ("俊", 3),
    ("建华", 3), ("建国", 3), ("志强", 3), ("文博", 2), ("子轩", 2), ("浩然", 2), ("宇轩", 2),
    ("海涛", 2), ("国强", 2), ("晓东", 2), ("长江", 1), ("重阳", 1),
)  # fmt: skip

EMOJI = ("🌸", "🌹", "🌻", "💕", "✨", "🍀", "🌈", "☀️", "🌙", "🐱", "🍓", "💐")
ENGLISH = (
    "Lucy", "Amy", "Coco", "Cherry", "Vivian", "Grace", "Linda", "Anna", "Emma", "Sunny",
    "Kiki", "Yoyo", "Mia", "Tina", "Nancy", "Jessica", "Kevin", "Jack", "Tony", "Leo",
    "Candy", "Echo", "Irene", "Momo",
)  # fmt: skip
PHRASES = (
    "快乐每一天", "岁月静好", "向日葵", "阳光明媚", "简单就好", "淡然", "微笑向暖",
    "知足常乐", "平安是福", "一路向北", "花开半夏", "浅笑安然", "静待花开", "追梦人",
    "随遇而安", "心若向阳", "小确幸", "做最好的自己", "慢生活", "清风徐来",
)  # fmt: skip
KIDS = ("乐乐", "豆豆", "朵朵", "果果", "糖糖", "萌萌", "宝宝", "小鱼", "团团", "米粒")
AD_NICKS = (
    "代购小店", "微商货源", "一手货源-招代理", "韩国免税代购", "专业祛斑祛痘", "零食批发",
    "兼职招聘-日结", "高仿包包货源", "减肥瘦身团队", "美容仪器批发", "鞋服一件代发",
)  # fmt: skip

# (province, weight, cities)
REGIONS = (
    ("广东", 22, ("广州", "深圳", "佛山", "东莞", "珠海", "惠州", "汕头")),
    ("浙江", 8, ("杭州", "宁波", "温州", "金华")),
    ("江苏", 8, ("南京", "苏州", "无锡", "常州")),
    ("上海", 5, ("上海",)),
    ("北京", 4, ("北京",)),
    ("四川", 6, ("成都", "绵阳")),
    ("湖南", 6, ("长沙", "株洲")),
    ("湖北", 5, ("武汉", "宜昌")),
    ("福建", 5, ("厦门", "福州", "泉州")),
    ("山东", 5, ("济南", "青岛", "临沂")),
    ("河南", 5, ("郑州", "洛阳")),
    ("广西", 4, ("南宁", "柳州", "桂林")),
    ("重庆", 3, ("重庆",)),
    ("陕西", 2, ("西安",)),
    ("云南", 2, ("昆明",)),
    ("江西", 2, ("南昌", "赣州")),
    ("安徽", 2, ("合肥",)),
    ("河北", 2, ("石家庄",)),
    ("辽宁", 2, ("沈阳", "大连")),
    ("黑龙江", 1, ("哈尔滨",)),
    ("天津", 1, ("天津",)),
)
HOME_CITY = "广州"
OVERSEAS = (("马来西亚", "吉隆坡"), ("新加坡", "新加坡"), ("美国", "洛杉矶"))

OCCUPATIONS = (
    ("宝妈", 20), ("白领", 15), ("个体户", 8), ("学生", 7), ("美容师", 6), ("教师", 6),
    ("护士", 5), ("销售", 5), ("会计", 4), ("自由职业", 4), ("店主", 4), ("全职太太", 3),
    ("公务员", 3), ("医生", 2), ("设计师", 2), ("美容院老板", 2), ("退休", 2), ("程序员", 1),
    ("", 22),
)  # fmt: skip

SOURCES = (
    ("朋友圈", 14), ("社群", 14), ("线下活动", 8), ("抖音", 12), ("小红书", 12),
    ("微信群", 10), ("附近的人", 4), ("扫码", 8), ("快手", 5), ("门店", 5), ("", 8),
)  # fmt: skip
REFERRAL_SOURCE = "转介绍"

DESCRIPTIONS = (
    "皮肤偏干，冬天容易起皮", "混油皮，T区出油", "有两个孩子，平时比较忙，晚上十点后回复",
    "对价格比较敏感，喜欢等活动", "喜欢在小红书种草", "老客户介绍来的，说话直接",
    "产后想减肥，关注代餐", "在本地开了一家美容院，有意向做代理", "孩子上小学，周末有空",
    "上夜班，白天别打扰", "回复很慢，但每次都买", "喜欢听语音，不爱看长文字",
    "对成分很讲究，会查成分表", "买东西爽快，不砍价", "家里老人也用我们的益生菌",
    "在外企上班，经常出差", "快递要寄到公司", "只要顺丰", "朋友圈经常晒娃",
    "去年双十一囤了很多货", "说过想做副业", "闺蜜也在用", "怕麻烦，喜欢一次买齐",
)  # fmt: skip

SNIPPETS = {
    "hobby": (
        "喜欢瑜伽", "周末爱爬山", "喜欢烘焙，经常晒蛋糕", "追剧，最近在看古装剧",
        "喜欢旅游，去年去了云南", "养了一只柯基", "爱跳广场舞", "喜欢插花", "每天跑步5公里",
        "爱拍照，喜欢拍花", "喜欢喝茶", "喜欢逛街，周末常去商场",
    ),
    "job": (
        "在医院做护士，经常夜班", "在小学当语文老师", "开了一家奶茶店", "做会计，月底特别忙",
        "全职带娃", "在美容院上班", "做保险的", "在电商公司做客服", "自己开服装店",
        "在银行上班", "做设计的，经常加班",
    ),
    "need": (
        "想给妈妈买一套护肤品", "想找一款适合敏感肌的面霜", "产后想瘦10斤",
        "想买防晒，夏天去海边", "想给老公买保健品", "想试试胶原蛋白", "想做兼职代理",
        "孩子肠胃不好，想看看益生菌", "换季皮肤干，想补水", "想买礼物送闺蜜",
        "想要祛痘的产品", "年底想给员工买福利",
    ),
    "worry": (
        "担心敏感肌过敏", "怕买到假货", "觉得价格有点贵", "担心效果不明显", "怕代餐伤胃",
        "担心快递太慢", "之前在别家买过不好用", "担心孕期不能用", "怕用了反弹",
    ),
}  # fmt: skip
SENSITIVE_WORRY = "担心敏感肌过敏"

INTERACTION_TEXT = {
    "chat": (
        "聊了新品", "问了面膜用法", "发了使用前后对比", "聊孩子近况", "推荐了新款精华",
        "询问物流", "发节日祝福", "问了会员活动", "分享了护肤小技巧", "她问了代理政策",
    ),
    "call": ("电话沟通使用感受", "电话确认收货地址", "电话聊代理政策", "电话聊了半小时家常"),
    "moments": (
        "点赞了她的朋友圈", "评论了她的旅游照", "她点赞了新品动态", "评论了她晒娃",
        "她评论了上新",
    ),
    "meeting": ("线下见面喝茶", "参加沙龙活动", "到店体验", "一起吃饭"),
    "gift": ("送了小样", "寄了生日礼物", "送了面膜试用装", "节日送了小礼盒"),
    "survey": ("做了满意度回访问卷", "填了肤质调查", "参加了产品试用调查"),
    "visit": (
        "回访: 用着不错", "回访: 有点干，建议配合面霜", "回访: 还没开始用", "回访: 效果明显",
        "回访: 说快用完了", "回访: 家人也想要",
    ),
    "complaint": (
        "快递破损", "用后有点泛红", "发错货了", "物流太慢", "说效果不明显要退货",
        "少发了一盒", "包装漏液",
    ),
}  # fmt: skip
RETURN_REASONS = ("过敏", "发错货", "不想要了", "包装破损")
CREDIT_NOTES = ("月底结", "发工资后付", "先欠着", "老客户赊账")

# Products: (name, use cycle in days or None, price fen, cost fen, line, weight, archived)
PRODUCTS = (
    ("玫瑰精华液", 30, 19800, 6800, "skin", 10, False),
    ("氨基酸洗面奶", 60, 8900, 2500, "skin", 8, False),
    ("补水面膜(10片)", 15, 9900, 3000, "skin", 12, False),
    ("防晒霜SPF50", 90, 13900, 4200, "skin", 5, False),
    ("修护眼霜", 45, 22800, 7500, "skin", 4, False),
    ("护肤套装", 90, 59900, 21000, "skin", 3, False),
    ("代餐奶昔", 20, 19800, 6500, "slim", 8, False),
    ("酵素梅", 15, 6900, 1800, "slim", 6, False),
    ("身体乳", 60, 7900, 2200, "slim", 3, False),
    ("益生菌固体饮料", 30, 16800, 5200, "health", 8, False),
    ("胶原蛋白肽", 30, 29900, 9800, "health", 6, False),
    ("代理礼包", 0, 298000, 150000, "agent", 0, False),
    ("旧款精华(停产)", 30, 16800, 6000, "skin", 0, True),
)
AGENT_PACK = 11  # index of 代理礼包
AD_HOC_ITEMS = (("定制礼盒", 16800), ("小样套装", 5900), ("节日礼包", 26800), ("补差价", 2000))
LINES = (("skin", 60), ("slim", 20), ("health", 20))

TAGS = (
    "VIP", "宝妈", "美容院", "老客户", "代理", "护肤", "减肥", "保健", "待跟进", "已流失",
    "敏感肌", "新客", "高意向", "同城", "学生党", "团购",
)  # fmt: skip
_TAG = {name: i for i, name in enumerate(TAGS)}
# Tag indexes in the order the tags service lists a contact's tags (by name, NOCASE).
_TAG_ORDER = {
    i: rank for rank, i in enumerate(sorted(range(len(TAGS)), key=lambda i: TAGS[i].lower()))
}
LINE_TAG = {"skin": "护肤", "slim": "减肥", "health": "保健"}

ACCOUNTS = (
    ("主号-小美", "xiaomei_520", 10000, "主号: 老客户和朋友"),
    ("副号-美妆", "xm_meizhuang", 5000, "副号: 美妆新客"),
    ("工作号", "xm_work2023", 5000, "工作号: 社群和代理"),
)
EXTRA_THEMES = ("护肤", "减肥", "母婴", "保健", "代理", "团购", "同城")

REMINDER_NOTES = (
    ("问问面膜用完没有", None),
    ("每周一发新品图给她", "FREQ=WEEKLY;INTERVAL=1"),
    ("月初对账", "FREQ=MONTHLY;INTERVAL=1"),
    ("约她来店里体验", None),
    ("寄样品给她试用", None),
    ("两周问一次代餐效果", "FREQ=DAILY;INTERVAL=14"),
    ("提醒她团购截单", "FREQ=WEEKLY;INTERVAL=1"),
    ("问问孩子益生菌吃得怎么样", None),
    ("她说下个月再买，到时问问", None),
    ("发代理政策给她", None),
)

# Contact texts chosen to test that contact data is never treated as markup or
# terminal control (written when size >= HOSTILE_MIN_SIZE, whatever the size).
HOSTILE_MIN_SIZE = 100
LONG_DESCRIPTION = ("很长的描述，用来测试界面不会卡住。" * 600)[:10_000]
HOSTILE = (
    ("remark", "[@click=app.quit]"),
    ("remark", "[bold red]红字[/]"),
    ("nickname", "\x1b[31m红色昵称\x1b[0m"),
    ("description", LONG_DESCRIPTION),
    ("nickname", "🌸𠮷野家𝓛𝓾𝓬𝔂🦄"),
    ("remark", "李娜\u202e-深圳-宝妈"),
)
HOSTILE_SNIPPET = "[link=https://example.com]点这里领红包[/link]"
HOSTILE_SUMMARY = "[reverse]她说[/reverse] \x1b[2J清屏"

# Valid mainland mobile prefixes (all accepted by phonenumbers).
MOBILE_PREFIXES = (
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151",
    "152", "153", "155", "156", "157", "158", "159", "166", "176", "177", "180", "181",
    "182", "183", "184", "185", "186", "187", "188", "189", "198", "199",
)  # fmt: skip

WINDOW = 547  # 18 months of purchases
ADDED_SPAN = 1095  # contacts added over about 3 years
_PAST = 2400  # days before today covered by the date table
_FUTURE = 400
_TIMES = tuple(
    f"T{h:02d}:{m:02d}:00.000000+00:00" for h in range(1, 14) for m in (3, 17, 29, 41, 52)
)


class _Weighted:
    """Weighted choice with one random number (bisect on cumulative weights)."""

    __slots__ = ("cum", "items", "last", "total")

    def __init__(self, pairs: Sequence[tuple]):
        self.items = [p[0] for p in pairs]
        self.cum = list(accumulate(p[1] for p in pairs))
        self.total = self.cum[-1]
        self.last = len(self.items) - 1

    def pick(self, r: float):
        i = bisect(self.cum, r * self.total)
        return self.items[i if i < self.last else self.last]


# ---------------------------------------------------------------------------
# Public API


@dataclass(frozen=True)
class DemoSummary:
    """What build_demo wrote: rows per table and a few headline figures."""

    accounts: int
    contacts: int
    tags: int
    contact_tags: int
    products: int
    purchases: int
    payments: int
    interactions: int
    snippets: int
    referrals: int
    reminders: int
    satisfaction: int
    buyers: int  # contacts who ever bought
    repeat_buyers: int  # bought on two or more different days
    buyers_365: int  # contacts with positive revenue over the last 365 days
    revenue_365_fen: int
    top20_share: float  # share of 365-day revenue brought by the top 20% of those buyers
    owed_fen: int  # credit sales not yet paid
    favourites: int

    def as_dict(self) -> dict:
        """Every field, for ``--json`` output."""
        return asdict(self)

    def counts(self) -> dict[str, int]:
        """Rows written per table (table name -> rows)."""
        d = asdict(self)
        return {
            "account": d["accounts"],
            "contact": d["contacts"],
            "tag": d["tags"],
            "contact_tag": d["contact_tags"],
            "product": d["products"],
            "purchase": d["purchases"],
            "payment": d["payments"],
            "interaction": d["interactions"],
            "snippet": d["snippets"],
            "referral": d["referrals"],
            "reminder": d["reminders"],
            "satisfaction": d["satisfaction"],
        }


def book_row_counts(book) -> dict[str, int]:
    """Rows per data table (used to refuse a non-empty book)."""
    with book.snapshot() as con:
        return {
            table: con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in DATA_TABLES
            if not table.startswith("undo_")
        }


def clear_book(book) -> None:
    """Delete every contact, account, tag, product and all their records, in one transaction.

    Settings are kept. Undo history is dropped too: it describes rows that no
    longer exist. Nothing here can be undone: take a backup first.
    """
    with _bulk_transaction(book, DATA_TABLES, drop_indexes=False) as con:
        for table in DATA_TABLES:
            con.execute(f"DELETE FROM {table}")


def build_demo(
    book,
    *,
    size: int = 600,
    seed: int = 2026,
    today: date,
    progress: Progress | None = None,
) -> DemoSummary:
    """Fill an empty ``book`` with a demo business of ``size`` contacts.

    Deterministic for ``(size, seed, today)``. Raises :class:`KamtuiError` if
    the book already holds data (see :func:`clear_book`). ``progress(label,
    done, total)`` is called as each step in :data:`STEPS` starts, then once
    with ``("done", total, total)``.
    """
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= MAX_SIZE:
        raise ValidationError("size", t("cmd.demo.bad_size", size=size))
    counts = book_row_counts(book)
    if any(counts.values()):
        if counts["contact"]:
            raise KamtuiError(t("cmd.demo.not_empty", path=book.path, count=counts["contact"]))
        raise KamtuiError(t("demo.not_empty", path=book.path))

    total = len(STEPS)

    def step(i: int) -> None:
        if progress is not None:
            progress(STEPS[i] if i < total else "done", i, total)

    # Millions of small tuples and lists, none of them in reference cycles: the
    # cyclic garbage collector would only rescan them over and over (~10% of the time).
    gc_was_on = gc.isenabled()
    gc.disable()
    try:
        gen = _Generator(size=size, seed=seed, today=today)
        step(0)
        gen.make_accounts()
        step(1)
        gen.make_contacts()
        step(2)
        gen.make_purchases()
        step(3)
        gen.make_activity()
        step(4)
        gen.make_search_keys()
        step(5)
        summary = gen.save(book)
    finally:
        if gc_was_on:
            gc.enable()
    step(total)
    return summary


# ---------------------------------------------------------------------------
# The generator


class _C:
    """One contact while it is being generated (dates are days before today)."""

    __slots__ = (
        "account",
        "added",
        "agent",
        "birth",
        "blocked",
        "buyer",
        "city",
        "country",
        "description",
        "dormant",
        "favourite",
        "gap",
        "gender",
        "given",
        "id",
        "intent",
        "interactions",
        "is_ad",
        "kind",
        "last_touch",
        "line",
        "moment",
        "name",
        "nickname",
        "occupation",
        "phone",
        "potential",
        "province",
        "purchases",
        "remark",
        "rev365",
        "satisfaction",
        "search_key",
        "snippets",
        "source",
        "surname",
        "tags",
        "wechat",
    )

    def __init__(self, cid: int):
        self.id = cid
        self.kind = "plain"  # plain | ad | blocked | dup | dead
        self.buyer = False
        self.agent = False
        self.dormant = False
        self.intent = False
        self.favourite = False
        self.is_ad = False
        self.blocked = False
        self.birth = None
        # [ago, product index or -1, item, qty, amount, cost, credit, due, note, payments]
        self.purchases = []
        self.interactions = []  # (ago, kind, summary, is_open, resolved_ago)
        self.snippets = []  # (ago, kind, text, closed)
        self.satisfaction = []  # (ago, level, note)
        self.tags = set()
        self.rev365 = 0
        self.last_touch = None
        self.gap = 0
        self.line = ""
        self.search_key = ""


class _Generator:
    def __init__(self, *, size: int, seed: int, today: date):
        self.size = size
        self.today = today
        self.rng = random.Random(seed)
        start = today - timedelta(days=_PAST)
        # _days[_PAST - ago] is the ISO text of the day ``ago`` days before today.
        self._days = [(start + timedelta(days=k)).isoformat() for k in range(_PAST + _FUTURE + 1)]
        self.accounts: list[tuple] = []
        self.contacts: list[_C] = []
        self.special: set[int] = set()  # contact indexes already given a scenario

    # -- helpers ------------------------------------------------------------

    def day(self, ago: int) -> str:
        return self._days[_PAST - ago]

    def ts(self, ago: int, k: int) -> str:
        return self._days[_PAST - ago] + _TIMES[(k * 7) % len(_TIMES)]

    def _pick_free(self, pool: list[_C], n: int) -> list[_C]:
        """Up to ``n`` contacts of ``pool`` not yet used by another scenario."""
        free = [c for c in pool if c.id not in self.special]
        out = self.rng.sample(free, min(n, len(free)))
        self.special.update(c.id for c in out)
        return out

    # -- accounts -----------------------------------------------------------

    def make_accounts(self) -> None:
        size = self.size
        accounts = [list(a) for a in ACCOUNTS]
        if size <= 15_000:
            first = round(size * 0.5)
            second = round(size * 0.3)
            counts = [first, second, size - first - second]
        else:
            # A big seller runs many accounts; the two oldest are a little over their
            # cap (friends the seller keeps in the book but should prune).
            over0 = 10_000 + 37 + size // 200
            over1 = 5_000 + 12 + size // 400
            rest = size - over0 - over1
            n_rest = -(-rest // 4_600)
            counts = [over0, over1] + [
                rest // n_rest + (1 if i < rest % n_rest else 0) for i in range(n_rest)
            ]
            for i in range(n_rest - 1):
                theme = EXTRA_THEMES[i % len(EXTRA_THEMES)]
                accounts.append(
                    [f"副号{i + 2}-{theme}", f"xm_fuhao{i + 2}", 5000, f"副号: {theme}"]
                )
        self.accounts = [
            (i + 1, a[0], a[1], a[2], a[3], self.ts(1200 - 20 * min(i, 40), i))
            for i, a in enumerate(accounts)
        ]
        self.account_counts = counts

    # -- contacts -----------------------------------------------------------

    def make_contacts(self) -> None:
        rng = self.rng
        rnd = rng.random
        size = self.size
        owner = [i for i, n in enumerate(self.account_counts, start=1) for _ in range(n)]
        rng.shuffle(owner)
        # Oldest first: ids grow with the day a friend was added.
        ago = sorted((int(ADDED_SPAN * rnd() ** 1.3) for _ in range(size)), reverse=True)

        surnames = _Weighted(SURNAMES)
        given_f = _Weighted(GIVEN_F)
        given_m = _Weighted(GIVEN_M)
        regions = _Weighted([(r, r[1]) for r in REGIONS])
        jobs = _Weighted(OCCUPATIONS)
        sources = _Weighted(SOURCES)
        potentials = _Weighted(((1, 5), (2, 15), (3, 50), (4, 20), (5, 10)))
        n_emoji, n_eng, n_phr, n_kids = len(EMOJI), len(ENGLISH), len(PHRASES), len(KIDS)
        n_desc = len(DESCRIPTIONS)
        seen_wechat: set[str] = set()
        seen_phone: set[str] = set()
        contacts = self.contacts
        for i in range(size):
            c = _C(i + 1)
            c.account = owner[i]
            c.added = ago[i]
            r = rnd()
            c.gender = "f" if r < 0.82 else ("m" if r < 0.96 else "")
            c.surname = surnames.pick(rnd())
            c.given = (given_m if c.gender == "m" else given_f).pick(rnd())
            c.name = name = c.surname + c.given
            # nickname
            r = rnd()
            tail = c.given[-1]
            if r < 0.16:
                nick = name
            elif r < 0.32:
                nick = ENGLISH[int(rnd() * n_eng)]
            elif r < 0.50:
                nick = PHRASES[int(rnd() * n_phr)]
            elif r < 0.62:
                nick = "小" + tail + EMOJI[int(rnd() * n_emoji)]
            elif r < 0.70:
                nick = tail + tail
            elif r < 0.78:
                nick = KIDS[int(rnd() * n_kids)] + ("妈妈" if rnd() < 0.6 else "妈")
            elif r < 0.84:
                nick = f"{'ABC'[int(rnd() * 3)]}{int(rnd() * 99) + 1:02d}-宝妈"
            elif r < 0.92:
                nick = PHRASES[int(rnd() * n_phr)] + EMOJI[int(rnd() * n_emoji)]
            else:
                nick = ENGLISH[int(rnd() * n_eng)] + EMOJI[int(rnd() * n_emoji)]
            c.nickname = nick
            c.occupation = jobs.pick(rnd())
            r = rnd()
            if r < 0.85:
                prov = regions.pick(rnd())
                c.country, c.province = "中国", prov[0]
                c.city = prov[2][int(rnd() * len(prov[2]))]
            elif r < 0.86:
                c.country, c.city = OVERSEAS[int(rnd() * len(OVERSEAS))]
                c.province = ""
            else:
                c.country = c.province = c.city = ""
            c.source = sources.pick(rnd())
            c.potential = potentials.pick(rnd())
            c.description = DESCRIPTIONS[int(rnd() * n_desc)] if rnd() < 0.35 else ""
            if c.description and rnd() < 0.3:
                c.description += "；" + DESCRIPTIONS[int(rnd() * n_desc)]
            # birthday: (year or None, month, day, lunar, leap)
            if rnd() < 0.5:
                year = int(rng.triangular(1965, 2006, 1991))
                if rnd() < 0.25:
                    year = None
                if rnd() < 0.2:
                    c.birth = (year, 1 + int(rnd() * 12), 1 + int(rnd() * 29), True, False)
                else:
                    doy = int(rnd() * 365)
                    c.birth = (year, *_MONTH_DAY[doy], False, False)
            # WeChat ID: wxid_… or a custom one
            if rnd() < 0.85:
                while True:
                    if rnd() < 0.55:
                        raw = rng.getrandbits(72).to_bytes(9, "little")
                        wx = "wxid_" + b32encode(raw).decode("ascii")[:14].lower()
                    else:
                        base = ENGLISH[int(rnd() * n_eng)].lower() if rnd() < 0.4 else "xm"
                        wx = f"{base}{'_' if rnd() < 0.5 else ''}{int(rnd() * 100000)}"
                    if wx not in seen_wechat:
                        seen_wechat.add(wx)
                        break
                c.wechat = wx
            else:
                c.wechat = None
            if rnd() < 0.6:
                while True:
                    ph = "+86" + MOBILE_PREFIXES[int(rnd() * 34)] + f"{int(rnd() * 1e8):08d}"
                    if ph not in seen_phone:
                        seen_phone.add(ph)
                        break
                c.phone = ph
            else:
                c.phone = None
            contacts.append(c)
        self.seen_wechat = seen_wechat
        self.seen_phone = seen_phone
        self._assign_roles()

    def _assign_roles(self) -> None:
        rng = self.rng
        rnd = rng.random
        n_ads = len(AD_NICKS)
        for c in self.contacts:
            r = rnd()
            if r < 0.015:
                c.kind = "ad"
                c.is_ad = True
                c.nickname = AD_NICKS[int(rnd() * n_ads)]
                c.occupation = ""
                c.birth = None
                c.source = "附近的人" if rnd() < 0.5 else "微信群"
            elif r < 0.025:
                c.kind = "blocked"
                c.blocked = True
            elif c.id > 1 and r < 0.105:
                c.source = REFERRAL_SOURCE
                c.buyer = rnd() < 0.6
            else:
                c.buyer = rnd() < 0.47
        self._make_duplicates()
        for c in self.contacts:
            if c.buyer or c.kind != "plain":
                continue
            r = rnd()
            if r < 0.15:
                c.intent = True
            elif r < 0.30:
                c.kind = "dead"

    def _make_duplicates(self) -> None:
        """Friends entered twice: same WeChat ID on two accounts, same phone, or near-same name."""
        if self.size < 50:
            return
        rng = self.rng
        n = max(2, self.size // 150)
        n_accounts = len(self.accounts)
        normal = [c for c in self.contacts if c.kind == "plain"]
        spare = [c for c in normal if not c.buyer]
        originals = self._pick_free(normal, 3 * n)
        copies = self._pick_free(spare, 3 * n)
        pairs = list(zip(originals, copies, strict=False))
        for k, (a, b) in enumerate(pairs):
            b.kind = "dup"
            b.nickname = a.nickname
            b.gender = a.gender
            b.surname, b.given, b.name = a.surname, a.given, a.name
            b.occupation, b.birth = a.occupation, a.birth
            b.country, b.province, b.city = a.country, a.province, a.city
            b.description = ""
            if k % 3 == 0:  # same WeChat ID on another account
                if a.wechat is None:
                    a.wechat = self._new_wechat()
                b.wechat = a.wechat
                b.account = (a.account % n_accounts) + 1
                b.phone = a.phone if rng.random() < 0.3 else None
                b.remark = ""  # set with the others below
            elif k % 3 == 1:  # same phone (typed differently, stored normalized)
                if a.phone is None:
                    a.phone = self._new_phone()
                b.phone = a.phone
                b.wechat = None
            else:  # near-identical name on the same account
                b.account = a.account
                b.wechat = None
                b.phone = None
            b.source = a.source if a.source != REFERRAL_SOURCE else ""
        self.dup_pairs = pairs

    def _new_wechat(self) -> str:
        while True:
            wx = f"xm{int(self.rng.random() * 10_000_000)}"
            if wx not in self.seen_wechat:
                self.seen_wechat.add(wx)
                return wx

    def _new_phone(self) -> str:
        rnd = self.rng.random
        while True:
            ph = "+86" + MOBILE_PREFIXES[int(rnd() * 34)] + f"{int(rnd() * 1e8):08d}"
            if ph not in self.seen_phone:
                self.seen_phone.add(ph)
                return ph

    # -- purchases ----------------------------------------------------------

    def make_purchases(self) -> None:
        rng = self.rng
        rnd = rng.random
        lines = _Weighted(LINES)
        by_line = {
            line: _Weighted([(i, p[5]) for i, p in enumerate(PRODUCTS) if p[4] == line and p[5]])
            for line in ("skin", "slim", "health")
        }
        self.buyers = buyers = [c for c in self.contacts if c.buyer]
        for c in buyers:
            c.line = lines.pick(rnd())
            m = rng.lognormvariate(0.0, 0.75)
            c.agent = rnd() < 0.025 and c.added > 30
            if c.agent:
                m *= 6
            gap = int((20 + 70 * rnd()) / m**0.35)
            c.gap = gap = max(12, min(120, gap))
            first_ago = min(c.added, WINDOW)
            days: list[int] = []
            if rnd() < 0.33 and not c.agent:
                days.append(int(rnd() * (first_ago + 1)))
            else:
                d = first_ago - int(rnd() * min(first_ago + 1, gap * 1.5))
                c.dormant = rnd() < 0.22
                stop = int(gap * (1.7 + 3 * rnd())) if c.dormant else 0
                if stop > d:
                    stop = d
                while d >= stop:
                    days.append(d)
                    d -= gap + int((rnd() - 0.5) * 0.4 * gap)
            trusted = rnd() < 0.18 or c.agent
            favourite = by_line[c.line].pick(rnd())
            products = by_line[c.line]
            out = c.purchases
            for n, d in enumerate(days):
                if c.agent and n == 0:
                    self._add_purchase(c, d, AGENT_PACK, 1, 1.0)
                    continue
                r = rnd()
                if r < 0.02:
                    item, price = AD_HOC_ITEMS[int(rnd() * len(AD_HOC_ITEMS))]
                    out.append([d, -1, item, 1, price, None, False, None, "", []])
                    continue
                p = favourite if r < 0.7 else products.pick(rnd())
                if c.agent:
                    qty, disc = 10 + int(rnd() * 30), 0.6
                else:
                    qty = max(1, int(m * (0.6 + 0.8 * rnd()) + 0.5))
                    qty = min(qty, 20)
                    disc = 1.0 if qty < 3 else (0.9 if qty < 6 else 0.85)
                name, _cycle, price, cost, *_ = PRODUCTS[p]
                row = [
                    d, p, name, qty, int(price * qty * disc) // 100 * 100,
                    cost * qty if rnd() < 0.88 else None, False, None, "", [],
                ]  # fmt: skip
                out.append(row)
                if trusted and rnd() < 0.35:
                    self._make_credit(row)
                elif rnd() < 0.004:
                    self._add_return(c, row)
        self._purchase_scenarios()
        for c in buyers:
            c.rev365 = sum(p[4] for p in c.purchases if p[0] < 365)
            c.last_touch = min(p[0] for p in c.purchases)
            if c.last_touch < c.gap and c.dormant:
                c.dormant = False

    def _add_purchase(self, c: _C, ago: int, p: int, qty: int, disc: float) -> list:
        name, _cycle, price, cost, *_ = PRODUCTS[p]
        amount = int(price * qty * disc) // 100 * 100
        cost_total = cost * qty if self.rng.random() < 0.88 else None
        row = [ago, p, name, qty, amount, cost_total, False, None, "", []]
        c.purchases.append(row)
        return row

    def _make_credit(self, row: list, *, due_in: int | None = None, paid: float | None = None):
        """Sell ``row`` on credit, due ``due_in`` days after; pay ``paid`` of it (share)."""
        rnd = self.rng.random
        ago, amount = row[0], row[4]
        if due_in is None:
            due_in = (7, 15, 30, 30, 45)[int(rnd() * 5)]
        due = ago - due_in  # negative: in the future
        row[6] = True
        row[7] = due
        row[8] = CREDIT_NOTES[int(rnd() * len(CREDIT_NOTES))]
        if paid is None:
            r = rnd()
            if due > 10:  # long past due: mostly settled
                paid = 1.0 if r < 0.85 else (0.5 if r < 0.93 else 0.0)
            elif due >= 0:  # just fell due
                paid = 1.0 if r < 0.5 else (0.0 if r < 0.8 else 0.5)
            else:  # not due yet
                paid = 0.0 if r < 0.6 else 0.3
        row[9] = []
        if paid <= 0:
            return
        due_day = max(due, 0)
        total = amount if paid >= 1 else int(amount * paid) // 100 * 100
        if total <= 0:
            return
        if paid >= 1 and total >= 20000 and rnd() < 0.4:
            # paid in two parts
            first = total // 2 // 100 * 100
            d1 = ago - int(rnd() * max(1, (ago - due_day) // 2 + 1))
            d2 = max(due_day, min(d1, ago) - 1 - int(rnd() * 5))
            row[9] = [(min(d1, ago), first), (max(0, d2), total - first)]
        else:
            span = max(0, ago - due_day)
            row[9] = [(ago - int(rnd() * (span + 1)), total)]

    def _add_return(self, c: _C, row: list) -> None:
        ago, p, item, qty, amount, cost = row[:6]
        when = max(0, ago - 2 - int(self.rng.random() * 8))
        unit = amount // qty
        reason = RETURN_REASONS[int(self.rng.random() * len(RETURN_REASONS))]
        unit_cost = -(cost // qty) if cost is not None else None
        c.purchases.append([when, p, item, 1, -unit, unit_cost, False, None, f"退货: {reason}", []])

    def _purchase_scenarios(self) -> None:
        """Make sure the follow-up screens have something at any size >= 100."""
        if self.size < HOSTILE_MIN_SIZE:
            return
        rng = self.rng
        active = [
            c
            for c in self.buyers
            if not c.dormant and not c.agent and len({p[0] for p in c.purchases}) >= 2
        ]
        by_line = {
            line: [i for i, p in enumerate(PRODUCTS) if p[4] == line and p[5]]
            for line in ("skin", "slim", "health")
        }
        n = max(3, self.size // 300)
        # owed money: overdue, due today, due soon
        for k, c in enumerate(self._pick_free(active, 2 * n)):
            ago = 20 + int(rng.random() * 40) if k % 3 == 0 else int(rng.random() * 10) + 5
            row = self._add_purchase(c, ago, by_line[c.line][0], 1 + k % 3, 1.0)
            if k % 3 == 0:
                self._make_credit(row, due_in=ago - 3 - k % 7, paid=0.3 if k % 2 else 0.0)
            elif k % 3 == 1:
                self._make_credit(row, due_in=ago, paid=0.0)
            else:
                self._make_credit(row, due_in=ago + 1 + k % 6, paid=0.5 if k % 2 else 0.0)
        # bought in the last three days: the after-sale check is due
        for k, c in enumerate(self._pick_free(active, n)):
            self._add_purchase(c, k % 3, by_line[c.line][k % len(by_line[c.line])], 1, 1.0)
        # the product's use cycle has just passed: a repurchase is due
        for k, c in enumerate(self._pick_free(active, n)):
            c.purchases = [p for p in c.purchases if p[0] > 40]
            p = (2, 0, 9, 6)[k % 4]  # 面膜 15, 精华 30, 益生菌 30, 代餐 20 days
            cycle = PRODUCTS[p][1]
            self._add_purchase(c, cycle + k % 3, p, 1, 1.0)
        # returns
        returns = sum(1 for c in self.buyers for p in c.purchases if p[4] < 0)
        for c in self._pick_free(active, max(0, 3 - returns)):
            row = next((p for p in c.purchases if p[1] >= 0 and p[4] > 0 and not p[6]), None)
            if row is not None:
                self._add_return(c, row)
        # dormant buyers: long gone past their own interval
        dormant = sum(1 for c in self.buyers if c.dormant)
        for c in self._pick_free(active, max(0, 3 - dormant)):
            c.dormant = True
            c.purchases = [p for p in c.purchases if p[0] > 2 * c.gap] or c.purchases[:1]

    # -- activity -----------------------------------------------------------

    def make_activity(self) -> None:
        self._make_referrals()
        self._make_interactions()
        self._make_snippets()
        self._make_satisfaction()
        self._make_favourites()
        self._make_birthdays()
        self._make_moments()
        self._make_tags()
        self._make_remarks()
        self._make_hostile()
        self._make_reminders()

    def _make_referrals(self) -> None:
        rng = self.rng
        contacts = self.contacts
        referrals = []
        for c in contacts:
            if c.source != REFERRAL_SOURCE or c.kind == "dup":
                continue
            ref = None
            for attempt in range(8):
                cand = contacts[int(rng.random() * (c.id - 1))]
                if cand.kind == "plain" and (cand.buyer or attempt >= 4):
                    ref = cand
                    break
            if ref is None:
                c.source = "朋友圈"
                continue
            referrals.append((ref, c))
        self.referrals = referrals

    def _make_interactions(self) -> None:
        rng = self.rng
        rnd = rng.random
        kinds = _Weighted(
            (("chat", 50), ("moments", 25), ("call", 8), ("gift", 5), ("meeting", 4), ("survey", 3))
        )
        texts = INTERACTION_TEXT
        n_text = {k: len(v) for k, v in texts.items()}

        def summary(kind: str) -> str:
            return texts[kind][int(rnd() * n_text[kind])]

        for c in self.contacts:
            out = c.interactions
            if c.buyer:
                for p in c.purchases:
                    if p[4] < 0:
                        continue
                    d = p[0]
                    if rnd() < 0.55:
                        out.append((d, "chat", summary("chat"), False, None))
                    if d >= 3 and rnd() < 0.3:
                        v = d - 3 - int(rnd() * min(5, d - 3))
                        out.append((v, "visit", summary("visit"), False, None))
                last = min(p[0] for p in c.purchases)
                first = min(c.added, WINDOW)
                lo = min(last, first) if c.dormant else 0
                extra = int(rnd() * 3) + (2 if c.rev365 > 100_000 else 0)
                for _ in range(extra):
                    d = lo + int(rnd() * (first - lo + 1))
                    k = kinds.pick(rnd())
                    out.append((d, k, summary(k), False, None))
                if rnd() < 0.012:
                    self._add_complaint(c, last, open_=rnd() < 0.35)
            elif c.intent:
                for _ in range(1 + int(rnd() * 3)):
                    span = min(c.added, 60) if rnd() < 0.5 else c.added
                    k = kinds.pick(rnd())
                    out.append((int(rnd() * (span + 1)), k, summary(k), False, None))
            elif c.kind == "plain" and rnd() < 0.4:
                for _ in range(1 + int(rnd() * 2)):
                    k = "moments" if rnd() < 0.6 else "chat"
                    out.append((int(rnd() * (c.added + 1)), k, summary(k), False, None))
        if self.size >= HOSTILE_MIN_SIZE:
            open_now = sum(1 for c in self.buyers for i in c.interactions if i[3])
            pool = [c for c in self.buyers if min(p[0] for p in c.purchases) < 60]
            for c in self._pick_free(pool, max(0, 3 - open_now)):
                self._add_complaint(c, min(p[0] for p in c.purchases), open_=True)
            resolved = sum(
                1 for c in self.buyers for i in c.interactions if i[1] == "complaint" and not i[3]
            )
            for c in self._pick_free(pool, max(0, 2 - resolved)):
                self._add_complaint(c, min(p[0] for p in c.purchases), open_=False)
            c = self._pick_free(self.buyers, 1)
            if c:
                c[0].interactions.append((c[0].last_touch, "chat", HOSTILE_SUMMARY, False, None))
        for c in self.contacts:
            if c.interactions:
                low = min(i[0] for i in c.interactions)
                if c.last_touch is None or low < c.last_touch:
                    c.last_touch = low

    def _add_complaint(self, c: _C, after: int, *, open_: bool) -> None:
        rnd = self.rng.random
        d = max(0, after - 1 - int(rnd() * 4))
        text = INTERACTION_TEXT["complaint"][int(rnd() * len(INTERACTION_TEXT["complaint"]))]
        if open_:
            c.interactions.append((d, "complaint", text, True, None))
        else:
            resolved = max(0, d - 1 - int(rnd() * 6))
            c.interactions.append((d, "complaint", text, False, resolved))
            c.satisfaction.append((resolved, 2 + int(rnd() * 2), "投诉处理后"))

    def _make_snippets(self) -> None:
        rng = self.rng
        rnd = rng.random
        kinds = ("hobby", "job", "need", "worry")
        for c in self.contacts:
            if c.kind in ("ad", "blocked", "dup"):
                continue
            if c.buyer:
                p = 0.35
            elif c.intent:
                p = 0.75
            else:
                p = 0.1
            if rnd() >= p:
                continue
            out = c.snippets
            for _ in range(1 + int(rnd() * 3)):
                kind = kinds[int(rnd() * 4)]
                text = SNIPPETS[kind][int(rnd() * len(SNIPPETS[kind]))]
                closed = kind == "need" and c.buyer and rnd() < 0.7
                out.append((int(rnd() * (c.added + 1)), kind, text, closed))
            if c.intent and not any(s[1] == "need" for s in out) and rnd() < 0.6:
                text = SNIPPETS["need"][int(rnd() * len(SNIPPETS["need"]))]
                out.append((int(rnd() * (min(c.added, 30) + 1)), "need", text, False))
        if self.size >= HOSTILE_MIN_SIZE:
            c = self._pick_free([c for c in self.contacts if c.kind == "plain"], 1)
            if c:
                c[0].snippets.append((0, "need", HOSTILE_SNIPPET, False))

    def _make_satisfaction(self) -> None:
        rnd = self.rng.random
        levels = _Weighted(((5, 45), (4, 33), (3, 14), (2, 5), (1, 3)))
        notes = {5: "很满意，还会回购", 4: "挺好的", 3: "一般", 2: "有点失望", 1: "很不满意"}
        for c in self.buyers:
            if rnd() < 0.22:
                for _ in range(1 + int(rnd() * 2)):
                    p = c.purchases[int(rnd() * len(c.purchases))]
                    lvl = levels.pick(rnd())
                    note = notes[lvl] if rnd() < 0.5 else ""
                    c.satisfaction.append((max(0, p[0] - 5), lvl, note))

    def _make_favourites(self) -> None:
        n = max(1, round(self.size * 0.02))
        ranked = sorted(
            (c for c in self.buyers if c.rev365 > 0 and c.kind == "plain"), key=lambda c: -c.rev365
        )
        top = ranked[: max(1, len(ranked) // 20)]
        rng = self.rng
        chosen = [c for c in top if rng.random() < 0.75][: round(n * 0.7)]
        prospects = [c for c in self.contacts if c.intent and c.potential >= 4]
        rng.shuffle(prospects)
        chosen += prospects[: n - len(chosen)]
        for c in chosen:
            c.favourite = True

    def _make_birthdays(self) -> None:
        """Birthdays in the coming week (one today, some lunar), Feb 29 and leap-month ones."""
        if self.size < 20:
            return
        rng = self.rng
        today = self.today
        pool = [c for c in self.contacts if c.kind == "plain" and c.id not in self.special]
        pool.sort(key=lambda c: (not c.buyer, c.id))
        pool = pool[: max(40, len(pool) // 3)]
        picked = self._pick_free(pool, 12)
        if len(picked) < 12:
            return

        def year() -> int:
            return 1970 + int(rng.random() * 35)

        # solar: today, and 2, 4, 6 days ahead (one without a year)
        solar = ((0, True), (2, True), (4, False), (6, True))
        for c, (ahead, with_year) in zip(picked[:4], solar, strict=True):
            d = today + timedelta(days=ahead)
            y = year()
            if d.month == 2 and d.day == 29:
                y = 1992
            c.birth = (y if with_year else None, d.month, d.day, False, False)
        # lunar: the lunar date of a day in the coming week
        for c, ahead in zip(picked[4:7], (1, 3, 5), strict=True):
            d = today + timedelta(days=ahead)
            ld = _lunar_of(d)
            y = None
            if not _is_leap(ld):
                for _ in range(10):
                    cand = year()
                    try:
                        back = _solar_of(cand, ld.month, ld.day)
                    except ValueError:
                        continue
                    again = _lunar_of(back)
                    if (again.month, again.day, _is_leap(again)) == (ld.month, ld.day, False):
                        y = cand
                        break
            c.birth = (y, ld.month, ld.day, True, _is_leap(ld))
        # Feb 29 (two with a leap year, one without a year)
        for c, y in zip(picked[7:10], (1988, 1996, None), strict=True):
            c.birth = (y, 2, 29, False, False)
        # lunar leap months (闰月)
        # 1990 had a leap 5th month, 2001 a leap 4th month
        for c, (y, m, d) in zip(picked[10:12], ((1990, 5, 12), (2001, 4, 8)), strict=True):
            c.birth = (y, m, d, True, True)

    def _make_moments(self) -> None:
        """Last Moments post seen: recent for active friends, old or never for dead ones."""
        rnd = self.rng.random
        for c in self.contacts:
            kind = c.kind
            if kind == "ad":
                c.moment = int(rnd() * 3)
            elif kind == "blocked":
                c.moment = None if rnd() < 0.7 else 61 + int(rnd() * 400)
            elif kind == "dead":
                c.moment = None if rnd() < 0.3 else 61 + int(rnd() * 700)
            elif c.buyer or c.favourite:
                c.moment = int(25 * rnd() ** 2.5)
            elif c.intent:
                c.moment = int(40 * rnd() ** 2)
            elif kind == "dup":
                c.moment = None
            else:
                c.moment = int(59 * rnd() ** 1.5)
        for a, b in getattr(self, "dup_pairs", ()):
            b.moment = a.moment

    def _make_tags(self) -> None:
        rnd = self.rng.random
        ranked = sorted((c for c in self.buyers if c.rev365 > 0), key=lambda c: -c.rev365)
        vip = {c.id for c in ranked[: max(1, len(ranked) // 10)]}
        for c in self.contacts:
            tags = c.tags
            if c.kind in ("ad", "blocked", "dup"):
                continue
            if c.id in vip:
                tags.add(_TAG["VIP"])
            job = c.occupation
            if (job == "宝妈" or c.nickname.endswith(("妈妈", "妈", "-宝妈"))) and rnd() < 0.85:
                tags.add(_TAG["宝妈"])
            if job in ("美容师", "美容院老板") and rnd() < 0.9:
                tags.add(_TAG["美容院"])
            if job == "学生" and rnd() < 0.8:
                tags.add(_TAG["学生党"])
            if c.city == HOME_CITY and rnd() < 0.7:
                tags.add(_TAG["同城"])
            if c.added <= 30 and rnd() < 0.7:
                tags.add(_TAG["新客"])
            if c.buyer:
                if len({p[0] for p in c.purchases}) >= 2 and c.added >= 365:
                    tags.add(_TAG["老客户"])
                if c.agent:
                    tags.add(_TAG["代理"])
                if rnd() < 0.8:
                    tags.add(_TAG[LINE_TAG[c.line]])
                if c.dormant and rnd() < 0.6:
                    tags.add(_TAG["已流失"])
                if c.source == "社群" and rnd() < 0.3:
                    tags.add(_TAG["团购"])
            elif c.intent:
                if rnd() < 0.5:
                    tags.add(_TAG["待跟进"])
                if c.potential >= 4:
                    tags.add(_TAG["高意向"])
            if any(s[2] == SENSITIVE_WORRY for s in c.snippets) or (
                c.line == "skin" and rnd() < 0.05
            ):
                tags.add(_TAG["敏感肌"])

    def _make_remarks(self) -> None:
        """Remark names in sellers' style: 张三-广州-宝妈, A李姐-深圳-美容院, …"""
        rnd = self.rng.random
        referrer_of = {b.id: a for a, b in self.referrals}
        dups = {}
        for k, (a, b) in enumerate(getattr(self, "dup_pairs", ())):
            dups[b.id] = (a, k % 3)
        for c in self.contacts:
            if c.id in dups:
                continue
            if c.kind == "ad":
                c.remark = ("广告", "货源", "代购", "")[int(rnd() * 4)]
                continue
            name, city, job = c.name, c.city, c.occupation
            r = rnd()
            if r < 0.14:
                c.remark = ""
            elif r < 0.40:
                c.remark = "-".join(x for x in (name, city, job) if x)
            elif r < 0.52 and c.buyer:
                grade = "A" if c.rev365 > 100_000 else "B"
                sis = c.surname + ("姐" if c.gender != "m" else "哥")
                c.remark = "-".join(x for x in (grade + sis, city, job) if x)
            elif r < 0.62 and c.source:
                c.remark = f"{name} {c.source}"
            elif r < 0.70 and job:
                c.remark = f"{c.surname}{'哥' if c.gender == 'm' else '姐'}-{job}"
            else:
                c.remark = name
            ref = referrer_of.get(c.id)
            if ref is not None and rnd() < 0.5:
                title = "哥" if ref.gender == "m" else "姐"
                c.remark = f"{c.remark or name}({ref.surname}{title}介绍)"
        suffixes = (".", "。", "1", "_", "~")
        for b_id, (a, how) in dups.items():
            b = self.contacts[b_id - 1]
            if how == 2:
                base = a.remark or a.name
                if not a.remark:
                    a.remark = base
                b.remark = base + suffixes[b_id % len(suffixes)]
            elif how == 1:
                b.remark = a.name if a.remark != a.name else f"{a.name}-{a.city or '新'}"
            else:
                b.remark = a.remark

    def _make_hostile(self) -> None:
        if self.size < HOSTILE_MIN_SIZE:
            return
        pool = [c for c in self.contacts if c.kind == "plain"]
        for c, (field, value) in zip(self._pick_free(pool, len(HOSTILE)), HOSTILE, strict=False):
            setattr(c, field, value)

    def _make_reminders(self) -> None:
        """A handful of manual reminders, repeat rules stored as the reminders service would."""
        from kamtui.repeat import parse_repeat, pin_rule

        rnd = self.rng.random
        n = min(300, 6 + self.size // 200)
        pool = [c for c in self.contacts if c.favourite or c.buyer or c.intent]
        if not pool:
            pool = [c for c in self.contacts if c.kind == "plain"] or self.contacts
        self.reminders = []
        for k in range(n):
            c = pool[int(rnd() * len(pool))]
            note, rrule = REMINDER_NOTES[k % len(REMINDER_NOTES)]
            if k % 4 == 0:
                due = 1 + int(rnd() * 10)  # overdue
            elif k % 4 == 1:
                due = 0
            else:
                due = -1 - int(rnd() * 20)
            created = min(c.added, max(due, 0) + 3 + int(rnd() * 20))
            if rrule:
                due_day = self.today - timedelta(days=due)
                rrule = pin_rule(parse_repeat(rrule), due_day)
            self.reminders.append((c, due, note, rrule, created))

    # -- search keys ----------------------------------------------------------

    def make_search_keys(self) -> None:
        names, order = TAGS, _TAG_ORDER
        for c in self.contacts:
            c.search_key = build_search_key(
                remark=c.remark,
                nickname=c.nickname,
                wechat_id=c.wechat,
                phone=c.phone,
                tags=[names[i] for i in sorted(c.tags, key=order.get)],
                country=c.country,
                province=c.province,
                city=c.city,
                occupation=c.occupation,
                description=c.description,
            )

    # -- writing ----------------------------------------------------------------

    def save(self, book) -> DemoSummary:
        """Write everything; each table's rows are built just before they are inserted."""
        summary = self._summary()
        written = _bulk_insert(
            book,
            (
                ("account", lambda: self.accounts),
                ("product", self._product_rows),
                ("tag", self._tag_rows),
                ("contact", self._contact_rows),
                ("contact_tag", self._contact_tag_rows),
                ("purchase", self._purchase_rows),  # also lines up the payments
                ("payment", self._payment_rows),
                ("interaction", lambda: self._dated_rows("interactions", _interaction_row)),
                ("snippet", lambda: self._dated_rows("snippets", _snippet_row)),
                ("satisfaction", lambda: self._dated_rows("satisfaction", _satisfaction_row)),
                ("referral", self._referral_rows),
                ("reminder", self._reminder_rows),
            ),
        )
        return DemoSummary(
            accounts=written["account"],
            contacts=written["contact"],
            tags=written["tag"],
            contact_tags=written["contact_tag"],
            products=written["product"],
            purchases=written["purchase"],
            payments=written["payment"],
            interactions=written["interaction"],
            snippets=written["snippet"],
            referrals=written["referral"],
            reminders=written["reminder"],
            satisfaction=written["satisfaction"],
            **summary,
        )

    def _summary(self) -> dict:
        buyers = self.buyers
        revenue = sorted((c.rev365 for c in buyers if c.rev365 > 0), reverse=True)
        total = sum(revenue)
        top = revenue[: max(1, round(len(revenue) * 0.2))]
        return {
            "buyers": len(buyers),
            "repeat_buyers": sum(1 for c in buyers if len({p[0] for p in c.purchases}) >= 2),
            "buyers_365": len(revenue),
            "revenue_365_fen": total,
            "top20_share": round(sum(top) / total, 4) if total else 0.0,
            "owed_fen": sum(
                p[4] - sum(x[1] for x in p[9]) for c in buyers for p in c.purchases if p[6]
            ),
            "favourites": sum(1 for c in self.contacts if c.favourite),
        }

    def _product_rows(self) -> list[tuple]:
        ts = self.ts
        return [
            (i + 1, p[0], p[1], p[2], p[3], int(p[6]), ts(1150 - 3 * i, i))
            for i, p in enumerate(PRODUCTS)
        ]

    def _tag_rows(self) -> list[tuple]:
        return [(i + 1, name, self.ts(1100 - 5 * i, i)) for i, name in enumerate(TAGS)]

    def _contact_rows(self) -> list[tuple]:
        ts, days, base = self.ts, self._days, _PAST
        no_birth = (None, None, None, False, False)
        out = []
        for c in self.contacts:
            birth = c.birth or no_birth
            cid = c.id
            created = ts(c.added, cid)
            updated = ts(c.last_touch, cid + 3) if c.last_touch is not None else created
            out.append(
                (
                    cid, c.account, c.nickname, c.remark, c.wechat, c.phone, c.country,
                    c.province, c.city, c.occupation, c.gender, birth[0], birth[1], birth[2],
                    int(birth[3]), int(birth[4]), c.source, days[base - c.added], c.description,
                    int(c.favourite), int(c.intent), c.potential, int(c.is_ad), int(c.blocked),
                    None if c.moment is None else days[base - c.moment], c.search_key, created,
                    updated,
                )
            )  # fmt: skip
        return out

    def _contact_tag_rows(self) -> list[tuple]:
        return [(c.id, t + 1) for c in self.contacts for t in sorted(c.tags)]

    def _dated(self, attr: str) -> list[tuple]:
        """(ago, contact id, item) for every item of every contact, oldest first.

        Rows go in the order a seller would have recorded them: by day, then by
        contact (a stable sort on the day keeps contact and entry order).
        """
        out = [(p[0], c.id, p) for c in self.contacts for p in getattr(c, attr)]
        out.sort(key=_BY_DAY, reverse=True)
        return out

    def _dated_rows(self, attr: str, make: Callable) -> list[tuple]:
        days = self._days
        return [
            make(k, cid, item, days) for k, (_ago, cid, item) in enumerate(self._dated(attr), 1)
        ]

    def _purchase_rows(self) -> list[tuple]:
        days, base, times, n_times = self._days, _PAST, _TIMES, len(_TIMES)
        out = []
        payments = []
        for pid, (ago, cid, p) in enumerate(self._dated("purchases"), start=1):
            _ago, prod, item, qty, amount, cost, credit, due, note, paid = p
            out.append(
                (
                    pid, cid, None if prod < 0 else prod + 1, item, qty, amount, cost,
                    days[base - ago], int(credit), None if due is None else days[base - due],
                    note, days[base - ago] + times[pid * 7 % n_times],
                )
            )  # fmt: skip
            for paid_ago, fen in paid:
                payments.append((paid_ago, pid, cid, fen))
        payments.sort(key=_BY_DAY, reverse=True)
        self._payments = payments
        return out

    def _payment_rows(self) -> list[tuple]:
        day, ts = self.day, self.ts
        rows = [
            (k, pid, cid, day(ago), fen, "", ts(ago, k))
            for k, (ago, pid, cid, fen) in enumerate(self._payments, start=1)
        ]
        self._payments = []
        return rows

    def _referral_rows(self) -> list[tuple]:
        day, ts = self.day, self.ts
        ordered = sorted(self.referrals, key=lambda x: x[1].id)
        return [
            (k, a.id, b.id, day(b.added), "", ts(b.added, k))
            for k, (a, b) in enumerate(ordered, start=1)
        ]

    def _reminder_rows(self) -> list[tuple]:
        day, ts = self.day, self.ts
        return [
            (k, c.id, "manual", day(due), note, rrule, "open", ts(created, k), ts(created, k))
            for k, (c, due, note, rrule, created) in enumerate(self.reminders, start=1)
        ]


_BY_DAY = itemgetter(0)


def _stamp(days: list[str], ago: int, k: int) -> str:
    return days[_PAST - ago] + _TIMES[k * 7 % len(_TIMES)]


def _interaction_row(k: int, cid: int, i: tuple, days: list[str]) -> tuple:
    ago, kind, summary, is_open, resolved = i
    return (
        k, cid, kind, days[_PAST - ago], summary, int(is_open),
        None if resolved is None else days[_PAST - resolved], _stamp(days, ago, k),
    )  # fmt: skip


def _snippet_row(k: int, cid: int, s: tuple, days: list[str]) -> tuple:
    ago, kind, text, closed = s
    return (k, cid, kind, days[_PAST - ago], text, int(closed), _stamp(days, ago, k))


def _satisfaction_row(k: int, cid: int, s: tuple, days: list[str]) -> tuple:
    ago, level, note = s
    return (k, cid, days[_PAST - ago], level, note, _stamp(days, ago, k))


# Columns written per table, in the order of the generated tuples.
_COLS = {
    "account": ("id", "name", "wechat_id", "friend_cap", "note", "created_at"),
    "product": ("id", "name", "cycle_days", "price_fen", "cost_fen", "archived", "created_at"),
    "tag": ("id", "name", "created_at"),
    "contact": (
        "id", "account_id", "nickname", "remark", "wechat_id", "phone", "country", "province",
        "city", "occupation", "gender", "birth_year", "birth_month", "birth_day", "birth_lunar",
        "birth_leap", "source", "added_on", "description", "favourite", "intent", "potential",
        "is_ad", "blocked_me", "last_moment_on", "search_key", "created_at", "updated_at",
    ),
    "contact_tag": ("contact_id", "tag_id"),
    "purchase": (
        "id", "contact_id", "product_id", "item", "quantity", "amount_fen", "cost_fen",
        "bought_on", "credit", "due_on", "note", "created_at",
    ),
    "payment": ("id", "purchase_id", "contact_id", "paid_on", "amount_fen", "note", "created_at"),
    "interaction": (
        "id", "contact_id", "kind", "occurred_on", "summary", "is_open", "resolved_on",
        "created_at",
    ),
    "snippet": ("id", "contact_id", "kind", "saved_on", "text", "closed", "created_at"),
    "satisfaction": ("id", "contact_id", "rated_on", "level", "note", "created_at"),
    "referral": ("id", "referrer_id", "referred_id", "referred_on", "note", "created_at"),
    "reminder": (
        "id", "contact_id", "kind", "due_on", "note", "rrule", "status", "created_at",
        "updated_at",
    ),
}  # fmt: skip


@contextmanager
def _bulk_transaction(book, tables: Sequence[str], *, drop_indexes: bool) -> Iterator:
    """A write transaction tuned for writing or deleting whole tables at once.

    Inside it the undo triggers of ``tables`` (and with ``drop_indexes`` their
    secondary indexes) are dropped, and re-created from their own SQL before
    the commit, so the schema ends exactly as it was: building an index once is
    much faster than updating it row by row, and the undo triggers cost more
    than the writes themselves even while recording is off (without triggers a
    whole-table DELETE is a truncation). Foreign keys are not checked row by
    row either: the demo's rows reference each other by construction (the
    tests run ``PRAGMA foreign_key_check`` on demo books), and clearing deletes
    every table. Other triggers are left in place. When an undo action is being
    recorded (an outer transaction), its triggers are kept.
    """
    marks = ", ".join("?" for _ in tables)
    con = book.conn
    fk_on = con.execute("PRAGMA foreign_keys").fetchone()[0]
    if not con.in_transaction:
        con.execute("PRAGMA foreign_keys = OFF")  # a no-op inside a transaction
    try:
        with book.transaction() as tx:
            recording = tx.execute("SELECT action_id FROM undo_control WHERE id = 1").fetchone()
            keep_triggers = recording is not None and recording[0] is not None
            saved = [
                (kind, name, sql)
                for kind, name, sql in tx.execute(
                    "SELECT type, name, sql FROM sqlite_master"
                    f" WHERE tbl_name IN ({marks}) AND sql IS NOT NULL"
                    " AND type IN ('index', 'trigger') ORDER BY type, name",
                    list(tables),
                ).fetchall()
                if (kind == "index" and drop_indexes)
                or (kind == "trigger" and name.startswith("undo_") and not keep_triggers)
            ]
            for kind, name, _sql in saved:
                tx.execute(f'DROP {kind.upper()} "{name}"')
            yield tx
            for _kind, _name, sql in saved:
                tx.execute(sql)
    finally:
        if fk_on and not con.in_transaction:
            con.execute("PRAGMA foreign_keys = ON")


def _bulk_insert(book, batches: Sequence[tuple[str, Callable[[], list]]]) -> dict[str, int]:
    """Insert every batch in one transaction (see :func:`_bulk_transaction`).

    Each batch is (table, a function building its rows); the rows are built
    just before they are inserted, so one table's rows are in memory at a time.
    """
    written: dict[str, int] = {}
    with _bulk_transaction(book, [b[0] for b in batches], drop_indexes=True) as tx:
        for table, make_rows in batches:
            rows = make_rows()
            written[table] = len(rows)
            if rows:
                cols = _COLS[table]
                tx.executemany(
                    f"INSERT INTO {table} ({', '.join(cols)})"
                    f" VALUES ({', '.join('?' for _ in cols)})",
                    rows,
                )
            del rows
    return written


def _lunar_of(day: date):
    """The lunar date of a solar day (lunardate 0.2 and 0.3 spell the API differently)."""
    from lunardate import LunarDate

    convert = getattr(LunarDate, "from_solar_date", None) or LunarDate.fromSolarDate
    return convert(day.year, day.month, day.day)


def _solar_of(year: int, month: int, day: int) -> date:
    from lunardate import LunarDate

    ld = LunarDate(year, month, day)
    return ld.to_solar_date() if hasattr(ld, "to_solar_date") else ld.toSolarDate()


def _is_leap(ld) -> bool:
    value = getattr(ld, "is_leap_month", None)
    return bool(ld.isLeapMonth if value is None else value)


def _month_days() -> tuple[tuple[int, int], ...]:
    start = date(2001, 1, 1)  # not a leap year
    return tuple(
        ((start + timedelta(days=k)).month, (start + timedelta(days=k)).day) for k in range(365)
    )


_MONTH_DAY = _month_days()

"""Messages of the contact search (kamtui.search): query notes, counts, help."""

MESSAGES = {
    # notes about a query (kamtui.search.Note.message(); {token} is what was typed)
    "search.unknown_filter": (
        "不认识的筛选 “{token}”, 已当作文字搜索",
        "Unknown filter “{token}”: searched as text",
    ),
    "search.bad_stage": (
        "没有这个阶段: “{token}” (可用: 转介绍 复购 已购 潜在 好友 / referrer repeat buyer prospect friend)",
        "No such stage: “{token}” (use referrer, repeat, buyer, prospect or friend)",
    ),
    "search.bad_tier": (
        "没有这个等级: “{token}” (可用: 白金 黄金 铁 铅 / platinum gold iron lead)",
        "No such tier: “{token}” (use platinum, gold, iron or lead)",
    ),
    "search.no_tag": ("没有标签 “{token}”", "No tag “{token}”"),
    "search.no_account": ("没有账号 “{token}”", "No account “{token}”"),
    # the status line
    "search.count": ("{count} 位客户", "{count} contacts"),
    "search.count_similar": (
        "{count} 位客户 (其中 {similar} 位为近似匹配)",
        "{count} contacts ({similar} similar matches)",
    ),
    "search.help": (
        "输入姓名、拼音 (zhangsan / zs)、微信号、手机号或任意文字; "
        "筛选: #标签 阶段:已购 等级:黄金 账号:主号 置顶 到期 欠款 归档; 前加 - 表示排除",
        "Type a name, pinyin (zhangsan / zs), WeChat ID, phone or any text; "
        "filters: #tag stage:buyer tier:gold acct:NAME fav due owed archived; prefix - to exclude",
    ),
}

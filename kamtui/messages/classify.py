"""Messages of classification (stages, tiers, churn), insights and ``kamtui stats``."""

MESSAGES = {
    # lifecycle stages (004 §1.3)
    "classify.stage.referrer": ("转介绍客户", "referrer"),
    "classify.stage.repeat": ("复购客户", "repeat buyer"),
    "classify.stage.buyer": ("已购客户", "buyer"),
    "classify.stage.prospect": ("潜在客户", "prospect"),
    "classify.stage.friend": ("单纯好友", "friend"),
    # other words a seller may type for them (search filters): "|"-separated
    "classify.stage.referrer.aka": ("转介绍|推荐人|介绍人", "referral|introducer"),
    "classify.stage.repeat.aka": ("复购|回头客|老客户", "repeat|repeat customer|returning"),
    "classify.stage.buyer.aka": ("已购|已购买|新客户", "one-time buyer|customer"),
    "classify.stage.prospect.aka": ("潜在|潜客|意向客户", "lead|potential customer"),
    "classify.stage.friend.aka": ("好友|普通好友|纯好友", "plain friend|contact"),
    # value tiers (002, 003)
    "classify.tier.platinum": ("白金", "platinum"),
    "classify.tier.gold": ("黄金", "gold"),
    "classify.tier.iron": ("铁", "iron"),
    "classify.tier.lead": ("铅", "lead"),
    "classify.tier.platinum.aka": ("白金客户|铂金|铂金客户", "plat|platinum customer"),
    "classify.tier.gold.aka": ("黄金客户|金", "gold customer"),
    "classify.tier.iron.aka": ("铁客户|铁质|铁质客户", "iron customer"),
    "classify.tier.lead.aka": ("铅客户|铅质|铅质客户", "lead customer"),
    # churn risk
    "classify.churn.active": ("活跃", "active"),
    "classify.churn.at_risk": ("有流失风险", "at risk"),
    "classify.churn.lost": ("已流失", "lost"),
    "classify.churn.active.aka": ("正常", "ok"),
    "classify.churn.at_risk.aka": ("流失风险|风险|沉睡", "risk|dormant"),
    "classify.churn.lost.aka": ("流失", "churned|gone"),
    "classify.churn_usual": (
        "通常每 {gap} 天买一次; 已 {days} 天没买",
        "usually buys every {gap} days; {days} days since the last purchase",
    ),
    "classify.churn_default": (
        "只买过一次 (按每 {gap} 天算); 已 {days} 天没买",
        "bought once (counted as every {gap} days); {days} days since the purchase",
    ),
    "classify.err_unknown": (
        "无法识别 “{value}”: 可选 {choices}",
        "“{value}” is not known: choose from {choices}",
    ),
    "classify.none": ("无", "none"),
    "classify.review_unknown": ("没有编号为 {value} 的客户分析", "No review #{value}"),
    # why a contact moved since a review
    "classify.why.new_buyer_tier": (
        "新客户, 近一年消费 {value}",
        "new buyer, {value} in the last year",
    ),
    "classify.why.no_purchases": ("已没有购买记录", "no purchases on record any more"),
    "classify.why.value_up": (
        "近 {days} 天价值 {value} (原 {was}), 进入前 {share}",
        "value over {days} days {value} (was {was}): now in the top {share}",
    ),
    "classify.why.value_down": (
        "近 {days} 天价值 {value} (原 {was}), 低于前 {share} 的门槛 {line}",
        "value over {days} days {value} (was {was}): below the top-{share} line {line}",
    ),
    "classify.why.potential": ("潜力评分 {now} (原 {was})", "potential rated {now} (was {was})"),
    "classify.why.join": ("; ", "; and "),
    "classify.why.changed": ("数据有变动", "the data changed"),
    "classify.why.bought_again": ("{day} 又买了", "bought again on {day}"),
    "classify.why.bought_again_days": (
        "{day} 又买了 (共 {n} 天有购买)",
        "bought again on {day} ({n} purchase days)",
    ),
    "classify.why.first_purchase": ("{day} 首次购买", "first purchase on {day}"),
    "classify.why.referral_bought": (
        "介绍来的 {name} 已购买",
        "{name}, whom they introduced, has bought",
    ),
    "classify.why.intent": ("标记了购买意向", "marked as intending to buy"),
    "classify.why.need": ("收藏了一条需求", "a need was saved"),
    "classify.why.no_longer_prospect": (
        "购买意向已取消, 需求已关闭",
        "no intent flag or open need any more",
    ),
    # kamtui stats
    "cmd.stats.help": (
        "客户分析: 阶段、价值等级、二八占比、复购率、流失风险、欠款",
        "customer analysis: stages, tiers, 80/20 share, repeat rate, churn risk, money owed",
    ),
    "cmd.stats.opt_account": ("只看这个微信号的联系人", "only contacts on this WeChat account"),
    "cmd.stats.opt_tag": ("只看带这个标签的联系人", "only contacts with this tag"),
    "cmd.stats.opt_limit": ("名单最多显示几行", "rows shown in each list"),
    "cmd.stats.review_help": (
        "保存一次客户分析 (每位联系人当前的阶段与等级)",
        "save a review: every contact's stage and tier today",
    ),
    "cmd.stats.opt_note": ("备注", "a note"),
    "cmd.stats.moves_help": (
        "自上次客户分析以来谁的等级、阶段或流失状态变了",
        "who moved (tier, stage, churn) since the last review",
    ),
    "cmd.stats.opt_review": (
        "与这次客户分析比较 (默认最近一次)",
        "compare with this review (default: the last)",
    ),
    "cmd.stats.reviews_help": ("列出保存过的客户分析", "list the saved reviews"),
    "cmd.stats.header": (
        "客户分析 {day} · 近 {days} 天 · 按{basis}计算价值",
        "Customer analysis {day} · last {days} days · value by {basis}",
    ),
    "cmd.stats.basis.revenue": ("营收", "revenue"),
    "cmd.stats.basis.profit": ("毛利", "gross profit"),
    "cmd.stats.filter_account": ("微信号: {name}", "Account: {name}"),
    "cmd.stats.filter_tag": ("标签: {name}", "Tag: {name}"),
    "cmd.stats.totals": (
        "联系人 {contacts} · 已购客户 {buyers}",
        "Contacts {contacts} · buyers {buyers}",
    ),
    "cmd.stats.stages": ("客户阶段", "Stages"),
    "cmd.stats.tiers": ("价值等级 (已购客户)", "Tiers (buyers)"),
    "cmd.stats.pareto": (
        "前 {share} 的客户 ({n} 位) 贡献了 {value_share} 的{basis}",
        "The top {share} of buyers ({n}) bring {value_share} of the {basis}",
    ),
    "cmd.stats.line": (
        "高当前价值门槛: 近 {days} 天 {value} 及以上",
        "High current value: {value} or more over {days} days",
    ),
    "cmd.stats.repeat_rate": ("复购率 {rate}", "Repeat rate {rate}"),
    "cmd.stats.referrals": (
        "转介绍: {referred} 位中 {bought} 位已购买 ({rate})",
        "Referrals: {bought} of {referred} bought ({rate})",
    ),
    "cmd.stats.orders": (
        "近 {days} 天营收 {revenue}, {orders} 笔订单, 客单价 {aov}",
        "Revenue over {days} days {revenue}, {orders} orders, average order {aov}",
    ),
    "cmd.stats.owed_total": ("欠款合计 {value}", "Owed in total {value}"),
    "cmd.stats.months": ("近 12 个月", "Last 12 months"),
    "cmd.stats.month": ("月份", "month"),
    "cmd.stats.revenue": ("营收", "revenue"),
    "cmd.stats.new_buyers": ("新客户", "new buyers"),
    "cmd.stats.churn": (
        "流失风险: {at_risk} 位有风险, {lost} 位已流失, {active} 位活跃",
        "Churn: {at_risk} at risk, {lost} lost, {active} active",
    ),
    "cmd.stats.more": ("  …还有 {n} 位", "  … and {n} more"),
    "cmd.stats.owed": ("欠款名单 ({n})", "Money owed ({n})"),
    "cmd.stats.overdue": ("逾期 {days} 天", "{days} days overdue"),
    "cmd.stats.archived": ("已归档", "archived"),
    "cmd.stats.accounts": ("微信号容量", "Account capacity"),
    "cmd.stats.account": ("微信号", "account"),
    "cmd.stats.friends": ("好友/上限", "friends/cap"),
    "cmd.stats.used": ("已用", "used"),
    "cmd.stats.free": ("剩余", "free"),
    "cmd.stats.review_saved": (
        "已保存客户分析 #{id} ({day}): {contacts} 位联系人, {buyers} 位已购客户",
        "Saved review #{id} ({day}): {contacts} contacts, {buyers} buyers",
    ),
    "cmd.stats.no_review": (
        "还没有保存过客户分析: 先运行 kamtui stats review",
        "No review saved yet: run kamtui stats review first",
    ),
    "cmd.stats.day": ("日期", "day"),
    "cmd.stats.contacts": ("联系人", "contacts"),
    "cmd.stats.buyers": ("已购", "buyers"),
    "cmd.stats.note": ("备注", "note"),
    "cmd.stats.moves_header": (
        "与客户分析 #{id} ({day}, {ago} 天前) 相比: {n} 项变动",
        "Since review #{id} ({day}, {ago} days ago): {n} moves",
    ),
    "cmd.stats.aspect.tier": ("价值等级 ({n})", "Tier ({n})"),
    "cmd.stats.aspect.churn": ("流失状态 ({n})", "Churn ({n})"),
    "cmd.stats.aspect.stage": ("客户阶段 ({n})", "Stage ({n})"),
}

"""Messages of the Insights screen (section 4): panels, charts, lists, filters, reviews."""

MESSAGES = {
    # keys
    "insights.key.refresh": ("刷新", "Refresh"),
    "insights.key.review": ("保存客户分析", "Save a review"),
    "insights.key.account": ("按微信号筛选", "Filter by account"),
    "insights.key.tag": ("按标签筛选", "Filter by tag"),
    "insights.key.clear": ("清除筛选", "Clear filters"),
    "insights.key.next": ("下一块", "Next panel"),
    "insights.key.previous": ("上一块", "Previous panel"),
    # header and state
    "insights.header": (
        "客户分析 {day} · 近 {days} 天 · 按{basis}计算价值",
        "Insights {day} · last {days} days · value by {basis}",
    ),
    "insights.filter_account": ("微信号: ", "account: "),
    "insights.filter_tag": ("标签: ", "tag: "),
    "insights.filters": ("筛选 ", "filter "),
    "insights.clear_hint": (" (c 清除)", " (c clears)"),
    "insights.computing": ("计算中…", "computing…"),
    "insights.no_filters": ("没有筛选条件", "No filters to clear"),
    "insights.filters_cleared": ("已清除筛选", "Filters cleared"),
    "insights.filter_failed": (
        "筛选条件已失效, 已清除: {error}",
        "The filter no longer applies and was cleared: {error}",
    ),
    # filter choices
    "insights.filter.account_title": ("只看哪个微信号的联系人?", "Contacts on which account?"),
    "insights.filter.all_accounts": ("全部微信号", "All accounts"),
    "insights.filter.tag_title": ("只看带哪个标签的联系人?", "Contacts with which tag?"),
    "insights.filter.all_tags": ("全部标签", "All tags"),
    "insights.filter.option": ("{name} ({n} 位)", "{name} ({n})"),
    "insights.filter.no_accounts": ("还没有微信号", "No accounts yet"),
    "insights.filter.no_tags": ("还没有标签", "No tags yet"),
    # panels
    "insights.panel.headline": ("二八法则与关键数字", "80/20 and key figures"),
    "insights.panel.funnel": ("客户阶段漏斗", "Stage funnel"),
    "insights.panel.tiers": (
        "价值等级 (当前价值 × 潜力)",
        "Value tiers (current value × potential)",
    ),
    "insights.panel.pareto": ("二八曲线", "Pareto curve"),
    "insights.panel.months": ("近 12 个月", "Last 12 months"),
    "insights.panel.risk": ("流失风险", "Churn risk"),
    "insights.panel.moves": ("自上次客户分析以来的变动", "Moves since the last review"),
    "insights.panel.owed": ("欠款", "Money owed"),
    "insights.panel.accounts": ("微信号容量", "Account capacity"),
    # headline and key figures
    "insights.headline": (
        "前 {share} 的客户 ({n} 位) 贡献了 {value_share} 的{basis}",
        "The top {share} of buyers ({n}) bring {value_share} of the {basis}",
    ),
    "insights.headline_none": (
        "还没有近期的购买: 记下购买后这里会显示二八占比",
        "No purchases in the window yet: the 80/20 share shows once purchases are recorded",
    ),
    "insights.kpi.contacts": ("联系人 {n}", "Contacts {n}"),
    "insights.kpi.buyers": ("已购客户 {n}", "Buyers {n}"),
    "insights.kpi.repeat": ("复购率 {rate}", "Repeat rate {rate}"),
    "insights.kpi.referrals": (
        "转介绍成交 {bought}/{referred} ({rate})",
        "Referrals bought {bought}/{referred} ({rate})",
    ),
    "insights.kpi.revenue": (
        "近 {days} 天营收 {revenue} ({orders} 笔)",
        "Revenue over {days} days {revenue} ({orders} orders)",
    ),
    "insights.kpi.aov": ("客单价 {aov}", "Average order {aov}"),
    "insights.kpi.owed": ("欠款 {value} ({n} 位)", "Owed {value} ({n})"),
    "insights.kpi.line": (
        "高价值门槛: 近 {days} 天 {value} 及以上",
        "High current value: {value} or more over {days} days",
    ),
    "insights.kpi.churn": (
        "流失风险 {at_risk} · 已流失 {lost} · 活跃 {active}",
        "At risk {at_risk} · lost {lost} · active {active}",
    ),
    "insights.kpi.why": (
        "新客户的成本约是老客户的 5 倍; 流失率降低 5% 利润可增 25%–85%",
        "A new customer costs about 5× an old one; 5% less churn can raise profit 25–85%",
    ),
    # funnel
    "insights.funnel.reached": ("达到", "reached"),
    "insights.funnel.conversion": ("转化", "conv."),
    "insights.funnel.at_stage": ("当前", "now"),
    "insights.funnel.note": (
        "达到: 处于该阶段或更后阶段的人数; 转化: 相对上一步",
        "reached: at this stage or a later one; conv.: of the step before",
    ),
    # tiers
    "insights.tiers.high_potential": ("高潜力 (评分 ≥{n})", "High potential (rated ≥{n})"),
    "insights.tiers.low_potential": ("低潜力", "Low potential"),
    "insights.tiers.high_value": ("高价值\n(前 {share})", "High value\n(top {share})"),
    "insights.tiers.low_value": ("低价值", "Low value"),
    "insights.tiers.count": ("{n} 位 · 占已购 {share}", "{n} · {share} of buyers"),
    "insights.tiers.value": ("{basis}占比", "share of {basis}"),
    "insights.tiers.advice.platinum": (
        "重点经营: 个人化、战略性的关注, 优先供货",
        "Personal, strategic attention; priority supply",
    ),
    "insights.tiers.advice.gold": (
        "多给优惠, 提高在他钱包中的份额",
        "Frequent offers to raise your share of their wallet",
    ),
    "insights.tiers.advice.iron": (
        "培养: 生日祝福、保持联系, 等他成长",
        "Nurture: birthday greetings, keep in touch until they grow",
    ),
    "insights.tiers.advice.lead": (
        "看看原因: 继续培养, 或者放手",
        "Review why: nurture, or let go",
    ),
    # pareto
    "insights.pareto.top": ("前 {share}", "top {share}"),
    "insights.pareto.buyers": ("客户", "buyers"),
    "insights.pareto.value": ("占{basis}", "of {basis}"),
    "insights.pareto.mark": ("◀ 前 {share}", "◀ top {share}"),
    "insights.pareto.note": (
        "按近 {days} 天价值排序; 条形: 这些客户贡献的{basis}占比",
        "Buyers ranked by value over {days} days; bar: their share of the {basis}",
    ),
    "insights.pareto.none": ("还没有已购客户", "No buyers yet"),
    # months
    "insights.months.revenue": ("营收", "revenue"),
    "insights.months.new_buyers": ("新客户", "new"),
    "insights.months.summary": (
        "{first} 至 {last}: 营收 {revenue} · 新客户 {new} · 最高 {best_month} {best} · "
        "本月截至今天 (高亮)",
        "{first} to {last}: revenue {revenue} · new buyers {new} · best {best_month} {best} · "
        "this month so far (highlighted)",
    ),
    "insights.months.new_n": ("新客户 {n}", "{n} new"),
    "insights.month.1": ("1月", "Jan"),
    "insights.month.2": ("2月", "Feb"),
    "insights.month.3": ("3月", "Mar"),
    "insights.month.4": ("4月", "Apr"),
    "insights.month.5": ("5月", "May"),
    "insights.month.6": ("6月", "Jun"),
    "insights.month.7": ("7月", "Jul"),
    "insights.month.8": ("8月", "Aug"),
    "insights.month.9": ("9月", "Sep"),
    "insights.month.10": ("10月", "Oct"),
    "insights.month.11": ("11月", "Nov"),
    "insights.month.12": ("12月", "Dec"),
    # churn-risk list
    "insights.risk.summary": (
        "{n} 位有流失风险 (按价值排序{shown}) · {lost} 位已流失 · 距上次购买超过平时间隔的 {factor} 倍",
        "{n} at risk (most valuable first{shown}) · {lost} lost · over {factor}× their usual gap "
        "since the last purchase",
    ),
    "insights.shown": (", 显示前 {n} 位", ", first {n} shown"),
    "insights.risk.none": ("没有流失风险的客户", "Nobody is at risk"),
    "insights.col.name": ("客户", "Customer"),
    "insights.col.tier": ("等级", "Tier"),
    "insights.col.value": ("近一年价值", "Year value"),
    "insights.col.gap": ("平时间隔", "Usual gap"),
    "insights.col.since": ("已隔", "Since"),
    "insights.col.ratio": ("倍数", "Ratio"),
    "insights.col.last": ("上次购买", "Last buy"),
    "insights.days": ("{n} 天", "{n} d"),
    "insights.days_default": ("{n} 天*", "{n} d*"),
    "insights.risk.note": (
        "* 只买过一次, 按默认间隔计算",
        "* bought once: the default interval is used",
    ),
    # moves
    "insights.moves.none_yet": (
        "还没有保存过客户分析。按 S 保存一次, 以后这里会列出谁升级、谁降级、谁有流失风险, 以及原因。",
        "No review saved yet. Press S to save one; from then on this lists who moved up or "
        "down and who is slipping away, with the reason.",
    ),
    "insights.moves.since": (
        "与客户分析 #{id} ({day}, {ago} 天前) 相比: 等级 {tier} · 流失 {churn} · 阶段 {stage} 项变动",
        "Since review #{id} ({day}, {ago} days ago): tier {tier} · churn {churn} · stage {stage} "
        "moves",
    ),
    "insights.moves.empty": ("自上次客户分析以来没有变动", "Nobody moved since the last review"),
    "insights.col.aspect": ("方面", "Aspect"),
    "insights.col.move": ("变动", "Move"),
    "insights.col.reason": ("原因", "Reason"),
    "insights.col.tier_now": ("现在", "Now"),
    "insights.aspect.tier": ("等级", "tier"),
    "insights.aspect.churn": ("流失", "churn"),
    "insights.aspect.stage": ("阶段", "stage"),
    "insights.review.question": (
        "现在保存一次客户分析? 记下每位联系人今天的阶段和等级, 之后的变动都和今天比较。{last}",
        "Save a review now? It records every contact's stage and tier today; moves are then "
        "counted from today.{last}",
    ),
    "insights.review.last": (" (上次: {day})", " (last one: {day})"),
    "insights.review.saving": ("正在保存客户分析…", "Saving the review…"),
    "insights.review.saved": (
        "已保存客户分析 #{id}: {contacts} 位联系人, {buyers} 位已购客户",
        "Saved review #{id}: {contacts} contacts, {buyers} buyers",
    ),
    # owed
    "insights.owed.summary": (
        "合计 {total} · {n} 位欠款{shown} · 最早到期的在前",
        "{total} in total · {n} owe{shown} · earliest due first",
    ),
    "insights.owed.none": ("没有欠款", "Nobody owes money"),
    "insights.col.owed": ("欠款", "Owed"),
    "insights.col.due": ("到期", "Due"),
    "insights.col.owed_since": ("赊账日", "Since"),
    "insights.owed.since": ("{day} 起赊账", "owed since {day}"),
    "insights.owed.due": ("{day} 到期", "due {day}"),
    "insights.col.state": ("状态", "State"),
    "insights.owed.overdue": ("逾期 {n} 天", "{n} d overdue"),
    "insights.owed.not_due": ("未到期", "not due"),
    "insights.owed.no_due": ("未定", "no date"),
    "insights.owed.archived": ("已归档", "archived"),
    # accounts
    "insights.accounts.free": ("剩 {n}", "{n} free"),
    "insights.accounts.over": ("超出 {n}", "{n} over"),
    "insights.accounts.none": ("还没有微信号", "No accounts yet"),
    "insights.accounts.note": (
        "好友数/上限 (微信每个号默认 5,000 人); 快满的号标 ⚠",
        "friends/cap (WeChat allows 5,000 by default); nearly full accounts marked ⚠",
    ),
    # status line hints
    "insights.status.panel": (
        "Tab 下一块 · ↑↓ 滚动 · r 刷新 · S 保存客户分析 · a/t 筛选 · ? 帮助",
        "Tab next panel · ↑↓ scroll · r refresh · S save a review · a/t filter · ? help",
    ),
    "insights.status.list": (
        "Enter 打开联系人 · Tab 下一块",
        "Enter opens the contact · Tab next panel",
    ),
}

"""Descriptions of every setting (``setting.<key>``)."""

MESSAGES = {
    "setting.agenda.days_ahead": ("今日待办显示未来几天", "Days ahead shown on Today"),
    "setting.reminder.aftersale_days": (
        "购买后几天回访",
        "Days after a purchase for the after-sale check",
    ),
    "setting.reminder.repurchase_default_cycle": (
        "商品未设周期时的默认复购周期(天)",
        "Repurchase cycle (days) for products without one",
    ),
    "setting.reminder.birthday_days_before": (
        "生日提前几天提醒",
        "Days before a birthday to remind",
    ),
    "setting.reminder.prospect_idle_days": (
        "潜在客户多少天未互动就提醒",
        "Days without interaction before warming a prospect",
    ),
    "setting.reminder.no_contact_days": (
        "已购客户多少天未联系就提醒",
        "Days without contact before a buyer is flagged",
    ),
    "setting.reminder.lookback_days": (
        "自动提醒最多补回多少天前的 (避免导入旧数据后提醒泛滥)",
        "How many days back automatic reminders are raised (so old history does not flood the agenda)",
    ),
    "setting.tier.top_share": (
        "高价值客户占比(二八法则)",
        "Share of buyers counted as high value (80/20)",
    ),
    "setting.tier.window_days": ("计算当前价值的天数", "Days of history for current value"),
    "setting.tier.high_potential": (
        "潜力评分达到多少算高潜力",
        "Potential rating that counts as high",
    ),
    "setting.tier.value_basis": (
        "当前价值按: auto(有成本时用毛利)/revenue/profit",
        "Current value by: auto (profit where costs are known) / revenue / profit",
    ),
    "setting.churn.at_risk_factor": (
        "超过购买间隔多少倍算有流失风险",
        "Interval multiple for at risk",
    ),
    "setting.churn.lost_factor": ("超过购买间隔多少倍算已流失", "Interval multiple for lost"),
    "setting.churn.default_interval": (
        "只买过一次的客户默认购买间隔(天)",
        "Usual interval (days) assumed for one-time buyers",
    ),
    "setting.cleanup.dead_days": (
        "多少天没发朋友圈算死号",
        "Days without a Moments post for a dead account",
    ),
    "setting.cleanup.cold_days": (
        "添加多少天从未互动算冷淡",
        "Days since added, never engaged, for cold",
    ),
    "setting.cleanup.duplicate_score": (
        "名字相似度达到多少算重复",
        "Name similarity that counts as duplicate",
    ),
    "setting.account.default_cap": ("新微信号默认好友上限", "Default friend cap of a new account"),
    "setting.remark.template": ("建议备注名模板", "Template of the suggested remark name"),
    "setting.backup.keep_daily": ("保留每日备份数", "Daily backups kept"),
    "setting.backup.keep_weekly": ("保留每周备份数", "Weekly backups kept"),
    "setting.backup.keep_monthly": ("保留每月备份数", "Monthly backups kept"),
    "setting.ui.language": ("界面语言", "Interface language"),
    "setting.ui.theme": ("界面主题", "Interface theme"),
    "setting.ui.start_section": (
        "打开时显示的页面 (today 今日、contacts 联系人、cleanup 清理、insights 分析)",
        "Section shown when kamtui opens (today, contacts, cleanup, insights)",
    ),
}

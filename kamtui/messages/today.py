"""Messages of the follow-up rules, the agenda and the Today screen."""

MESSAGES = {
    # reasons
    "followup.manual_no_note": ("跟进", "Follow up"),
    "followup.aftersale": (
        "回访: {items} {days} 天前购买",
        "After-sale check: {items} bought {days} days ago",
    ),
    "followup.repurchase": (
        "复购: {item} {days} 天前购买",
        "Repurchase: {item} bought {days} days ago",
    ),
    "followup.birthday_in": ("生日: {days} 天后", "Birthday in {days} days"),
    "followup.birthday_today": ("生日: 就是今天", "Birthday today"),
    "followup.birthday_past": (
        "生日: {days} 天前 (补个祝福)",
        "Birthday {days} days ago (belated wishes)",
    ),
    "followup.age": (", {age} 岁", ", turns {age}"),
    "followup.prospect": ("潜在客户: {days} 天没联系了", "Prospect: {days} days without contact"),
    "followup.dormant_gap": (
        "沉睡: 平时每 {gap} 天买一次, 已 {days} 天没买",
        "Dormant: usually buys every {gap} days; {days} days since the last purchase",
    ),
    "followup.dormant_one_time": (
        "沉睡: 只买过一次, 已 {days} 天没买 (按 {gap} 天估算)",
        "Dormant: bought once, {days} days ago (expected every {gap} days)",
    ),
    "followup.dormant_silence": ("沉睡: {days} 天没联系了", "Dormant: {days} days without contact"),
    "followup.owed_overdue": (
        "欠款 {amount} ({item}) 已逾期 {days} 天",
        "Owes {amount} ({item}), {days} days overdue",
    ),
    "followup.owed_today": ("欠款 {amount} ({item}) 今天到期", "Owes {amount} ({item}), due today"),
    "followup.owed_due": (
        "欠款 {amount} ({item}) {days} 天后到期",
        "Owes {amount} ({item}), due in {days} days",
    ),
    "followup.thanks": (
        "感谢转介绍: {name} 下单了",
        "Thank them: {name}, whom they introduced, bought",
    ),
    # kinds
    "kind.manual": ("手动", "manual"),
    "kind.aftersale": ("回访", "after-sale"),
    "kind.repurchase": ("复购", "repurchase"),
    "kind.birthday_soon": ("生日", "birthday"),
    "kind.birthday": ("生日", "birthday"),
    "kind.prospect": ("潜客", "prospect"),
    "kind.dormant": ("沉睡", "dormant"),
    "kind.owed": ("欠款", "owed"),
    "kind.thanks": ("感谢", "thanks"),
    # groups
    "group.overdue": ("逾期", "Overdue"),
    "group.today": ("今天", "Today"),
    "group.upcoming": ("未来 {days} 天", "Next {days} days"),
    # kamtui today
    "cmd.today.help": (
        "今天要跟进的人 (逾期、今天、未来几天)",
        "the day's follow-ups (overdue, today, the days ahead)",
    ),
    "cmd.today.opt_days": ("显示未来几天 (默认 7)", "days ahead to show (default 7)"),
    "cmd.today.bad_days": (
        "天数 {days} 无效: 请给 0 到 366",
        "Days {days} is not valid: give 0 to 366",
    ),
    "cmd.today.header": (
        "{day}: 逾期 {overdue}, 今天 {today}, 未来 {upcoming}",
        "{day}: {overdue} overdue, {today} today, {upcoming} upcoming",
    ),
    "cmd.today.overdue": ("逾期 {days} 天", "{days} days overdue"),
    "cmd.today.empty": ("今天没有要跟进的人。", "Nothing to follow up today."),
}

"""Messages of date input, birthdays and repeat rules (kamtui.dates, kamtui.repeat)."""

MESSAGES = {
    # date input
    "dates.err.input": (
        "日期 “{value}” 无法识别。可以写: 2026-12-01、12-01、12月1日、15号、今天、明天、后天、周五、下周一、+3d、3天后、2周、1个月",
        "Date “{value}” not understood. Try: 2026-12-01, 12-01, 12/1, today, tomorrow, fri, next mon, +3d, 2w, 1m, 3 days, 明天, 下周一",
    ),
    "dates.err.value": (
        "日期 “{value}” 无法识别: 请写成 2026-03-05、2026/3/5、2026年3月5日 或 20260305",
        "Date “{value}” not understood: write 2026-03-05, 2026/3/5, 2026年3月5日 or 20260305",
    ),
    "dates.err.not_in_year": (
        "日期 “{value}” 在 {year} 年不存在",
        "Date “{value}” does not exist in {year}",
    ),
    # birthdays
    "dates.err.birthday": (
        "生日 “{value}” 无法识别。可以写: 1990-05-01、05-01、5月1日、1990年5月1日、农历三月初五、农历1990年三月初五、农历闰四月初八、L3-5",
        "Birthday “{value}” not understood. Try: 1990-05-01, 05-01, 5/1, --05-01, 农历三月初五 (lunar), lunar 3/5, L3-5, 农历闰四月初八 (lunar leap month)",
    ),
    "dates.err.birthday_impossible": (
        "生日 “{value}” 不存在",
        "Birthday “{value}” does not exist",
    ),
    "dates.err.birthday_year": (
        "生日 “{value}” 的年份不对: 应在 1900 到 2100 之间",
        "Birthday “{value}” has an unlikely year: it should be between 1900 and 2100",
    ),
    "dates.err.lunar_range": (
        "农历日期 “{value}” 超出范围: 只支持农历 1900 到 2099 年",
        "Lunar date “{value}” is out of range: only lunar years 1900 to 2099 are supported",
    ),
    "dates.err.leap_missing": (
        "生日 “{value}” 不存在: 农历 {year} 年没有{month}",
        "Birthday “{value}” does not exist: the lunar year {year} has no {month} (leap month)",
    ),
    "dates.err.leap_never": (
        "生日 “{value}” 不存在: 农历没有{month}",
        "Birthday “{value}” does not exist: the lunar calendar has no {month} (leap month)",
    ),
    "dates.lunar_birthday": (
        "农历{name} ({md})",
        "lunar {md} (农历{name})",
    ),
    # relative days (agenda)
    "dates.rel.today": ("今天", "today"),
    "dates.rel.tomorrow": ("明天", "tomorrow"),
    "dates.rel.day_after": ("后天", "in 2 days"),
    "dates.rel.in_days": ("{n}天后", "in {n} days"),
    "dates.rel.overdue_one": ("逾期1天", "1 day overdue"),
    "dates.rel.overdue": ("逾期{n}天", "{n} days overdue"),
    # repeat rules
    "dates.err.repeat": (
        "重复规则 “{value}” 无法识别。可以写: 每天、每3天、每2周、每周一、每周一三五、每个工作日、每月、每月15号、每月最后一天、每年, 或 3d、2w、1m",
        "Repeat rule “{value}” not understood. Try: daily, every 3 days, every 2 weeks, every monday, every mon, wed and fri, monthly, monthly on 15, yearly, 3d, 2w, 1m",
    ),
    "dates.err.repeat_freq": (
        "重复规则 “{value}” 不支持: 提醒只能按天、周、月或年重复",
        "Repeat rule “{value}” is not supported: reminders repeat by days, weeks, months or years",
    ),
    "dates.err.repeat_interval": (
        "重复规则 “{value}” 的间隔必须在 1 到 {high} 之间",
        "Repeat rule “{value}”: the interval must be between 1 and {high}",
    ),
    "dates.err.repeat_never": (
        "重复规则 “{value}” 永远不会到期",
        "Repeat rule “{value}” never comes due",
    ),
    "dates.repeat.daily": ("每天", "every day"),
    "dates.repeat.daily_n": ("每 {n} 天", "every {n} days"),
    "dates.repeat.weekly": ("每周", "every week"),
    "dates.repeat.weekly_n": ("每 {n} 周", "every {n} weeks"),
    "dates.repeat.weekly_on": ("每周{days}", "every {days}"),
    "dates.repeat.weekly_on_n": ("每 {n} 周的周{days}", "every {n} weeks on {days}"),
    "dates.repeat.workdays": ("每个工作日", "every weekday"),
    "dates.repeat.monthly": ("每月", "every month"),
    "dates.repeat.monthly_n": ("每 {n} 个月", "every {n} months"),
    "dates.repeat.monthly_on": ("每月{day}号", "monthly on day {day}"),
    "dates.repeat.monthly_on_n": ("每 {n} 个月的{day}号", "every {n} months on day {day}"),
    "dates.repeat.monthly_clamped": (
        "每月{day}号 (小月为当月最后一天)",
        "monthly on day {day} (or the last day of shorter months)",
    ),
    "dates.repeat.monthly_clamped_n": (
        "每 {n} 个月的{day}号 (小月为当月最后一天)",
        "every {n} months on day {day} (or the last day of shorter months)",
    ),
    "dates.repeat.monthly_last": ("每月最后一天", "monthly on the last day"),
    "dates.repeat.monthly_last_n": ("每 {n} 个月的最后一天", "every {n} months on the last day"),
    "dates.repeat.yearly": ("每年", "every year"),
    "dates.repeat.yearly_n": ("每 {n} 年", "every {n} years"),
    "dates.repeat.yearly_on": ("每年{month}月{day}日", "every year on {month}/{day}"),
    "dates.repeat.yearly_on_n": ("每 {n} 年的{month}月{day}日", "every {n} years on {month}/{day}"),
    "dates.repeat.yearly_feb29": (
        "每年2月29日 (平年为2月28日)",
        "every year on 2/29 (2/28 in common years)",
    ),
    "dates.repeat.yearly_feb29_n": (
        "每 {n} 年的2月29日 (平年为2月28日)",
        "every {n} years on 2/29 (2/28 in common years)",
    ),
    "dates.repeat.custom": ("自定义重复: {rule}", "custom repeat: {rule}"),
    "dates.repeat.count": (", 共 {n} 次", ", {n} times"),
    "dates.repeat.until": (", 到 {date} 为止", ", until {date}"),
    # weekday names
    "dates.wd.short.0": ("一", "Mon"),
    "dates.wd.short.1": ("二", "Tue"),
    "dates.wd.short.2": ("三", "Wed"),
    "dates.wd.short.3": ("四", "Thu"),
    "dates.wd.short.4": ("五", "Fri"),
    "dates.wd.short.5": ("六", "Sat"),
    "dates.wd.short.6": ("日", "Sun"),
    "dates.wd.long.0": ("周一", "Monday"),
    "dates.wd.long.1": ("周二", "Tuesday"),
    "dates.wd.long.2": ("周三", "Wednesday"),
    "dates.wd.long.3": ("周四", "Thursday"),
    "dates.wd.long.4": ("周五", "Friday"),
    "dates.wd.long.5": ("周六", "Saturday"),
    "dates.wd.long.6": ("周日", "Sunday"),
}

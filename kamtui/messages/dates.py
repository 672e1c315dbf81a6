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
}

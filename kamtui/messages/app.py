"""Messages of the app shell: sections, help, palette, errors."""

MESSAGES = {
    "section.today": ("今日", "Today"),
    "section.contacts": ("联系人", "Contacts"),
    "section.cleanup": ("清理", "Clean-up"),
    "section.insights": ("分析", "Insights"),
    "key.help": ("帮助", "Help"),
    "key.quit": ("退出", "Quit"),
    "key.close": ("关闭", "Close"),
    "key.back": ("返回", "Back"),
    "key.cancel": ("取消", "Cancel"),
    "key.save": ("保存", "Save"),
    "key.confirm": ("确定", "OK"),
    "help.title": ("本页按键", "Keys on this screen"),
    "help.footer": (
        "Ctrl+P 打开命令面板, 可搜索所有操作。Esc 关闭本窗口。",
        "Ctrl+P opens the command palette to search every action. Esc closes this window.",
    ),
    "palette.key": ("按键: {key}", "Key: {key}"),
    "palette.language_zh": ("语言: 中文", "Language: 中文 (Chinese)"),
    "palette.language_en": ("语言: English (英文)", "Language: English"),
    "palette.language_help": (
        "切换界面语言 (会记住)",
        "Switch the interface language (remembered)",
    ),
    "palette.theme": ("主题", "Theme"),
    "palette.theme_help": ("更换配色主题 (会记住)", "Change the colour theme (remembered)"),
    "palette.quit": ("退出", "Quit"),
    "palette.quit_help": ("退出 kamtui", "Quit kamtui"),
    "app.demo_badge": ("演示数据", "demo book"),
    "app.unexpected": (
        "抱歉, 出了点问题 ({error})。没有保存一半的改动。详情: {log}",
        "Sorry, something went wrong ({error}). Nothing was half-saved. Details: {log}",
    ),
    "app.crashed": (
        "抱歉, kamtui 意外退出 ({error})。你的数据是安全的 (每次写入都是完整的)。详情已写入 {log}",
        "Sorry, kamtui stopped unexpectedly ({error}). Your data is safe (every write is "
        "all or nothing). Details are in {log}",
    ),
    "form.help": (
        "Enter 下一项 / 保存, Ctrl+S 保存, Esc 取消",
        "Enter: next field / save, Ctrl+S: save, Esc: cancel",
    ),
    "form.hint_not_understood": ("(还看不懂, 继续输入…)", "(not understood yet…)"),
    "confirm.yes": ("确定", "Yes"),
    "confirm.no": ("取消", "No"),
    "confirm.help": ("y / Enter 确定, n / Esc 取消", "y / Enter: yes, n / Esc: no"),
    "picker.placeholder": (
        "输入名字、拼音、首字母、微信号或手机号",
        "Type a name, pinyin, initials, WeChat ID or phone",
    ),
    "picker.col.name": ("联系人", "Contact"),
    "picker.col.account": ("微信号", "Account"),
    "picker.col.tags": ("标签", "Tags"),
    "picker.loading": ("正在载入联系人…", "Loading contacts…"),
    "picker.none": ("没有匹配的联系人", "No contact matches"),
    "picker.count": (
        "{n} 位匹配 · Enter 选择 · ↓ 进入列表 · Esc 取消",
        "{n} match · Enter picks · ↓ to the list · Esc cancels",
    ),
    "picker.key.list": ("到列表", "To the list"),
}

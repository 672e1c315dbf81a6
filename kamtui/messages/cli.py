"""Messages of the ``kamtui`` command line."""

MESSAGES = {
    "cli.description": (
        "kamtui: 微商与个人卖家的终端客户管理工具。不带命令时打开客户簿界面。",
        "kamtui: a keyboard-driven terminal CRM for solo sellers and WeChat micro-merchants. "
        "Without a command it opens the app on your book.",
    ),
    "cli.epilog": (
        "客户簿位置: --db PATH, 或环境变量 KAMTUI_DB, 否则为用户数据目录中的 book.db。\n"
        "每个输出数据的命令都支持 --json。",
        "The book: --db PATH, or the KAMTUI_DB environment variable, else book.db in your "
        "user data directory.\nEvery command that prints data also takes --json.",
    ),
    "cli.command_metavar": ("命令", "COMMAND"),
    "cli.opt_db": ("客户簿文件 (也可用环境变量 KAMTUI_DB)", "the book file (or set KAMTUI_DB)"),
    "cli.opt_lang": (
        "界面语言: zh 或 en (默认跟随 LANG)",
        "language: zh or en (default: from LANG)",
    ),
    "cli.opt_open": (
        "打开时显示的页面: today 今日、contacts 联系人、cleanup 清理、insights 分析"
        " (默认: 设置 ui.start_section, 即今日)",
        "the section to open on: today, contacts, cleanup or insights "
        "(default: the ui.start_section setting, today)",
    ),
    "cli.opt_demo": (
        "在演示客户簿上打开 (不会动你自己的数据)",
        "open on the demo book (never touches your own data)",
    ),
    "cli.opt_json": ("以 JSON 输出, 方便脚本处理", "print JSON for scripts"),
    "cli.usage_error": ("{prog}: 错误: {message}", "{prog}: error: {message}"),
    "cli.bad_lang": (
        "不支持的语言 “{value}”: 请用 zh 或 en",
        "Unknown language “{value}”: use zh or en",
    ),
    "cli.error": ("错误: {message}", "Error: {message}"),
    "cli.needs_terminal": (
        "kamtui 界面需要在终端里运行。在脚本中请使用命令, 如 kamtui today --json",
        "The kamtui app needs a terminal. From scripts, use a command such as kamtui today --json",
    ),
    "cli.offer_restore": (
        "现在用这份备份恢复客户簿吗? [y/N]",
        "Restore the book from that backup now? [y/N]",
    ),
    "cli.restored": (
        "已从 {when} 的备份恢复, 正在打开…",
        "Restored from the backup of {when}; opening…",
    ),
    "cli.interrupted": ("已中断, 没有保存未完成的改动", "Interrupted; nothing half-done was saved"),
    "cli.internal_error": (
        "抱歉, kamtui 出现内部错误 ({error})。你的数据没有被改动一半。详情已写入 {log}",
        "Sorry, kamtui hit an internal error ({error}). Nothing was half-saved. "
        "Details are in {log}",
    ),
    # demo
    "cmd.demo.help": (
        "生成一个演示客户簿 (默认 600 位联系人)",
        "fill the book with a demo business (600 contacts by default)",
    ),
    "cmd.demo.opt_size": ("联系人数量", "number of contacts"),
    "cmd.demo.opt_seed": (
        "随机种子 (相同种子生成相同数据)",
        "random seed (the same seed gives the same book)",
    ),
    "cmd.demo.opt_force": (
        "清空已有数据后再生成 (会先备份)",
        "empty a non-empty book first (after a backup)",
    ),
    "cmd.demo.bad_size": (
        "数量 {size} 无效: 请给 1 到 1000000",
        "Size {size} is not valid: give 1 to 1000000",
    ),
    "cmd.demo.not_empty": (
        "客户簿 {path} 已有 {count} 位联系人; 如要覆盖请加 --force (会先备份)",
        "The book {path} already holds {count} contacts; add --force to replace them "
        "(a backup is made first)",
    ),
    "demo.not_empty": (
        "客户簿 {path} 里已有微信号、标签或商品: 演示数据只能写入空的客户簿 (可加 --force)",
        "The book {path} already holds accounts, tags or products: the demo only fills "
        "an empty book (add --force to replace them)",
    ),
    "cmd.demo.step.accounts": ("微信号", "accounts"),
    "cmd.demo.step.contacts": ("联系人", "contacts"),
    "cmd.demo.step.purchases": ("订单", "purchases"),
    "cmd.demo.step.activity": ("互动与收藏", "activity"),
    "cmd.demo.step.search_keys": ("搜索索引", "search keys"),
    "cmd.demo.step.saving": ("保存", "saving"),
    "cmd.demo.step.duplicates": ("查找重复好友", "finding duplicate friends"),
    "cmd.demo.step.done": ("完成", "done"),
    "cmd.demo.done": ("演示客户簿已生成: {path}", "Demo book ready: {path}"),
    "cmd.demo.summary": (
        "{contacts} 位联系人, {accounts} 个微信号, {buyers} 位已购客户, {purchases} 笔订单; "
        "近一年收入 {revenue}, 前 20% 客户贡献 {share}%",
        "{contacts} contacts, {accounts} accounts, {buyers} buyers, {purchases} purchases; "
        "revenue over the last year {revenue}, top 20% of buyers bring {share}%",
    ),
    # info
    "cmd.info.help": (
        "显示客户簿位置、版本和数据量",
        "show where the book is, its version and what it holds",
    ),
    "cmd.info.book": (
        "客户簿: {path} (结构版本 {version}, {size} KB)",
        "Book: {path} (schema {version}, {size} KB)",
    ),
    "cmd.info.contacts": (
        "联系人: {n} (另有 {archived} 位已归档)",
        "Contacts: {n} ({archived} of them archived)",
    ),
    "cmd.info.account": (
        "微信号 {name}: 好友 {friends}/{cap}, 还可加 {free}",
        "Account {name}: {friends}/{cap} friends, {free} free",
    ),
    "cmd.info.backups": ("备份目录: {folder} ({n} 份)", "Backups: {folder} ({n})"),
    "table.account": ("微信号", "accounts"),
    "table.contact": ("联系人", "contacts"),
    "table.tag": ("标签", "tags"),
    "table.snippet": ("收藏", "snippets"),
    "table.interaction": ("互动记录", "interactions"),
    "table.product": ("商品", "products"),
    "table.purchase": ("订单", "purchases"),
    "table.payment": ("收款", "payments"),
    "table.referral": ("转介绍", "referrals"),
    "table.reminder": ("提醒", "reminders"),
    "table.satisfaction": ("满意度", "satisfaction ratings"),
    "table.merged_contacts": ("合并进来的旧联系人", "contacts merged into them"),
    # accounts
    "cmd.accounts.help": (
        "查看和管理你的微信号 (好友上限与已用)",
        "list and manage your WeChat accounts (caps and friends used)",
    ),
    "cmd.accounts.add_help": ("添加微信号", "add an account"),
    "cmd.accounts.set_help": ("修改微信号", "change an account"),
    "cmd.accounts.opt_cap": ("好友上限 (默认 5000)", "friend cap (default 5000)"),
    "cmd.accounts.added": ("已添加微信号 {name}", "Account {name} added"),
    "cmd.accounts.updated": ("已更新微信号 {name}", "Account {name} updated"),
    "cmd.accounts.none": (
        "还没有微信号。用 kamtui accounts add 名称 添加",
        "No accounts yet. Add one with: kamtui accounts add NAME",
    ),
    # settings
    "cmd.settings.help": (
        "查看和修改设置 (所有默认值都可改)",
        "show and change settings (every default is one)",
    ),
    "cmd.settings.get_help": ("显示一个设置", "show one setting"),
    "cmd.settings.set_help": ("修改一个设置", "change one setting"),
    "cmd.settings.reset_help": ("恢复默认值", "back to the default"),
    "cmd.settings.saved": ("已保存 {key} = {value}", "Saved {key} = {value}"),
    "cmd.settings.reset": ("{key} 已恢复默认值 {value}", "{key} is back to its default {value}"),
}

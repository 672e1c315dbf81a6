"""Messages of data safety: backups, restore, check, undo, forget, damaged books."""

MESSAGES = {
    # backups
    "safety.backup_failed": (
        "无法写入备份 ({error}), 操作已取消, 客户簿没有改动",
        "Could not write a backup ({error}); the action was not done and the book is unchanged",
    ),
    "safety.reason.daily": ("每日", "daily"),
    "safety.reason.manual": ("手动", "manual"),
    # damaged books
    "safety.damaged": (
        "客户簿 {path} 已损坏或不是数据库 ({detail})。请不要继续写入。",
        "The book {path} is damaged or not a database ({detail}). Do not write to it.",
    ),
    "safety.damaged_backup": (
        "最近一份完好的备份是 {when} 的, 恢复命令:\n  {command}",
        "The newest good backup is from {when}; restore it with:\n  {command}",
    ),
    "safety.damaged_no_backup": (
        "没有找到完好的备份 (备份目录 {folder})。请先把客户簿文件复制到安全的地方, 再寻求帮助。",
        "No good backup was found (backup folder {folder}). Copy the book file somewhere "
        "safe before anything else, then ask for help.",
    ),
    "safety.bad_header": ("文件头不是 SQLite 数据库", "the file header is not an SQLite database"),
    "safety.empty_file": ("文件是空的", "the file is empty"),
    # kamtui backup
    "cmd.backup.help": (
        "立即备份客户簿 (一致的副本, 可在打开时进行)",
        "back up the book now (a consistent copy, safe while it is open)",
    ),
    "cmd.backup.opt_output": (
        "备份到这个文件 (默认: 客户簿旁的备份目录)",
        "write the backup to FILE (default: the backup folder beside the book)",
    ),
    "cmd.backup.opt_list": ("列出已有备份", "list the existing backups"),
    "cmd.backup.exists": (
        "{path} 已存在, 不会覆盖; 请换一个文件名",
        "{path} already exists and will not be overwritten; choose another name",
    ),
    "cmd.backup.done": (
        "已备份到 {path} ({size} KB, {seconds} 秒)",
        "Backed up to {path} ({size} KB, {seconds} s)",
    ),
    "cmd.backup.none": ("还没有备份 (备份目录 {folder})", "No backups yet (folder {folder})"),
    "cmd.backup.folder": ("备份目录: {folder}", "Backup folder: {folder}"),
    "cmd.backup.row": (
        "{when}  {reason:<22} 大小 {size:>8} KB  {path}",
        "{when}  {reason:<22} {size:>8} KB  {path}",
    ),
    # kamtui restore
    "cmd.restore.help": (
        "从备份恢复客户簿 (会先备份当前的客户簿)",
        "restore the book from a backup (the current book is backed up first)",
    ),
    "cmd.restore.opt_file": ("备份文件", "the backup file"),
    "safety.restore_missing": ("找不到备份文件 {path}", "No backup file at {path}"),
    "safety.restore_same": (
        "{path} 就是客户簿本身, 不能用它恢复自己",
        "{path} is the book itself; it cannot be restored from itself",
    ),
    "safety.restore_not_book": (
        "{path} 不是 kamtui 客户簿, 未作任何改动",
        "{path} is not a kamtui book; nothing was changed",
    ),
    "safety.restore_too_new": (
        "{path} 由更新版本的 kamtui 创建 (结构版本 {version}), 请先升级 kamtui; 未作任何改动",
        "{path} was made by a newer kamtui (schema {version}); upgrade kamtui first. "
        "Nothing was changed",
    ),
    "safety.restore_damaged": (
        "备份 {path} 本身已损坏 ({detail}), 未作任何改动; 请换一份较早的备份",
        "The backup {path} is itself damaged ({detail}); nothing was changed. Try an older backup",
    ),
    "safety.restore_target_not_book": (
        "{path} 不是 kamtui 客户簿, 不会用备份覆盖它; 请检查 --db",
        "{path} is not a kamtui book, so it will not be overwritten; check --db",
    ),
    "safety.restore_saved_current": (
        "恢复前的客户簿已备份到 {path}",
        "The book as it was before the restore is saved as {path}",
    ),
    "safety.restore_preserved_damaged": (
        "损坏的客户簿原样保存在 {path}",
        "The damaged book is kept as it was in {path}",
    ),
    "safety.restore_done": (
        "已从 {source} ({when}) 恢复客户簿: {contacts} 位联系人",
        "Restored the book from {source} ({when}): {contacts} contacts",
    ),
    "safety.restore_migrated": (
        "备份的结构版本 {old} 已升级到 {new}",
        "The backup's schema {old} was brought up to {new}",
    ),
    # kamtui check
    "cmd.check.help": (
        "检查客户簿是否完好 (完整性、关联、结构版本)",
        "check that the book is sound (integrity, links, schema version)",
    ),
    "check.book": ("客户簿: {path}", "Book: {path}"),
    "check.integrity_ok": ("完整性检查: 正常", "Integrity check: ok"),
    "check.integrity_bad": ("完整性检查: 发现 {n} 个问题", "Integrity check: {n} problems"),
    "check.fk_ok": ("关联检查: 正常", "Foreign key check: ok"),
    "check.fk_bad": (
        "关联检查: {n} 行指向不存在的记录",
        "Foreign key check: {n} rows point at missing records",
    ),
    "check.fk_row": ("  {table} 第 {rowid} 行 → {parent}", "  {table} row {rowid} → {parent}"),
    "check.schema": (
        "结构版本: {version} (当前程序: {latest})",
        "Schema version: {version} (this kamtui: {latest})",
    ),
    "check.schema_old": (
        "结构版本: {version}, 打开时会升级到 {latest}",
        "Schema version: {version}; it will be brought up to {latest} when opened",
    ),
    "check.schema_new": (
        "结构版本: {version}, 比当前程序 ({latest}) 新, 请升级 kamtui",
        "Schema version: {version}, newer than this kamtui ({latest}); upgrade kamtui",
    ),
    "check.not_book": ("这不是 kamtui 客户簿", "This is not a kamtui book"),
    "check.unreadable": ("无法读取: {error}", "Cannot read it: {error}"),
    "check.verdict_ok": (
        "结论: 客户簿完好 ({seconds} 秒)",
        "Verdict: the book is sound ({seconds} s)",
    ),
    "check.verdict_bad": ("结论: 客户簿已损坏", "Verdict: the book is DAMAGED"),
    # kamtui undo
    "cmd.undo.help": (
        "撤销最近一次批量操作 (归档、批量修改、合并、导入)",
        "undo the last destructive action (archive, bulk change, merge, import)",
    ),
    "cmd.undo.opt_list": ("列出可撤销的操作", "list the actions that can be undone"),
    "cmd.undo.none": ("没有可以撤销的操作", "Nothing to undo"),
    "cmd.undo.row": (
        "#{id}  {when}  {label} ({rows} 行)",
        "#{id}  {when}  {label} ({rows} rows)",
    ),
    "cmd.undo.next": ("kamtui undo 会撤销第一项", "kamtui undo undoes the first one"),
    "cmd.undo.done": (
        "已撤销: {label} ({when}, 恢复 {rows} 行)",
        "Undone: {label} (from {when}, {rows} rows restored)",
    ),
    "safety.undo_changed_since": (
        "无法撤销「{label}」: 其中的联系人之后又被修改过, 撤销会丢掉那些修改。没有做任何改动。",
        "Cannot undo “{label}”: some of its records were changed again since, and undoing "
        "would lose that work. Nothing was changed.",
    ),
    "safety.undo_conflict": (
        "无法撤销 “{label}”: 之后的改动依赖于它 ({error})。客户簿没有改动",
        "Cannot undo “{label}”: later changes depend on it ({error}). The book is unchanged",
    ),
    # kamtui forget
    "cmd.forget.help": (
        "应本人要求永久删除一位联系人及其全部记录 (不可撤销)",
        "permanently erase a person and everything about them, on their request (no undo)",
    ),
    "cmd.forget.opt_contact": (
        "联系人编号, 或准确的名字/备注/微信ID",
        "the contact's id, or their exact name, remark name or WeChat ID",
    ),
    "cmd.forget.opt_yes": ("不再询问, 直接删除", "do not ask for confirmation"),
    "safety.forget_none": (
        "找不到联系人 “{query}” (请用编号或准确的名字/微信ID)",
        "No contact “{query}” (give the id or the exact name or WeChat ID)",
    ),
    "safety.forget_ambiguous": (
        "有 {n} 位联系人符合 “{query}”:",
        "{n} contacts match “{query}”:",
    ),
    "safety.forget_candidate": (
        "  #{id}  {name}  微信ID {wechat_id}  添加于 {added_on}{archived}",
        "  #{id}  {name}  WeChat ID {wechat_id}  added {added_on}{archived}",
    ),
    "safety.forget_archived_mark": (" (已归档)", " (archived)"),
    "safety.forget_pick": (
        "请输入要删除的联系人编号 (直接回车取消): ",
        "Type the id of the contact to erase (Enter to cancel): ",
    ),
    "safety.forget_give_id": (
        "有多位联系人符合 “{query}”, 请用编号再试一次: kamtui forget 编号",
        "Several contacts match “{query}”; run it again with the id: kamtui forget ID",
    ),
    "safety.forget_preview": (
        "将永久删除 #{id} {name} 及其: {rows}",
        "This permanently erases #{id} {name} and their: {rows}",
    ),
    "safety.forget_no_undo": (
        "此操作无法撤销, 撤销记录中有关此人的内容也会一并清除。",
        "This cannot be undone; what the undo history holds about them is erased too.",
    ),
    "safety.forget_confirm": ("确定删除吗? 输入 yes 确认: ", "Erase them? Type yes to confirm: "),
    "safety.forget_needs_yes": (
        "永久删除需要确认: 请在终端中运行, 或加上 --yes",
        "Erasing for good needs a confirmation: run it in a terminal, or add --yes",
    ),
    "safety.forget_cancelled": ("已取消, 没有删除任何内容", "Cancelled; nothing was erased"),
    "safety.forget_done": (
        "已永久删除 #{id} {name}: {rows}",
        "Erased #{id} {name} for good: {rows}",
    ),
    "safety.forget_undo_scrubbed": (
        "撤销记录中有关此人的 {n} 行已清除",
        "{n} rows about them were erased from the undo history",
    ),
    "safety.forget_wiped": (
        "客户簿文件已重整, 删除的内容已不在文件中",
        "The book file was rewritten: the erased data is no longer in it",
    ),
    "safety.forget_not_wiped": (
        "另一个 kamtui 窗口正在读取客户簿: 关闭它之后, 删除的内容才会从文件中彻底消失",
        "Another kamtui window is reading the book: the erased data leaves the file for "
        "good once it is closed",
    ),
    "safety.forget_backups": (
        "注意: {n} 份较早的备份仍含有此人的资料 (最早的是 {oldest} 的)。"
        "它们会随备份轮换自动删除: 最早那份约在 {oldest_gone} 删除, 全部约在 {all_gone} 前删除 "
        "(假设每天打开 kamtui)。",
        "Note: {n} older backups still hold them (the oldest from {oldest}). They are "
        "deleted as backups are thinned: the oldest around {oldest_gone}, all of them by "
        "about {all_gone} (if kamtui is opened daily).",
    ),
    "safety.forget_backups_manual": (
        "另有 {n} 份手动备份也含有此人的资料, 它们不会自动删除; 如有需要请自行删除: {paths}",
        "{n} manual backups also hold them and are never deleted automatically; delete "
        "them yourself if needed: {paths}",
    ),
    "safety.forget_damaged_copies": (
        "另有 {n} 份损坏客户簿的原样副本 (恢复时保留) 可能也含有此人的资料, 不会自动删除: {paths}",
        "{n} copies of a damaged book (kept by a restore) may hold them too and are never "
        "deleted automatically: {paths}",
    ),
    "safety.forget_elsewhere": (
        "你自己另存的副本 (kamtui backup -o、导出文件) 不在统计之内, 请自行删除。",
        "Copies you saved elsewhere (kamtui backup -o, exports) are not tracked here: "
        "delete them yourself.",
    ),
    "safety.forget_no_backups": (
        "没有备份含有此人的资料。",
        "No backup holds them.",
    ),
    "safety.erased_label": ("(涉及一位已删除的联系人)", "(involving an erased contact)"),
    "safety.unknown_date": ("未知", "unknown"),
}

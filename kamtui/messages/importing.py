"""Messages of reading contact files for import (``import.*``)."""

MESSAGES = {
    # whole-file failures
    "import.file_missing": ("找不到文件 {file}", "File {file} not found"),
    "import.file_unreadable": (
        "无法读取文件 {file}: {error}",
        "Cannot read the file {file}: {error}",
    ),
    "import.file_too_big": (
        "文件 {file} 太大 ({size} MB, 最多 {max} MB)",
        "The file {file} is too big ({size} MB, at most {max} MB)",
    ),
    "import.empty": ("文件 {file} 是空的", "The file {file} is empty"),
    "import.header_only": (
        "文件 {file} 只有表头, 没有联系人数据",
        "The file {file} has a header row but no contacts",
    ),
    "import.no_header": (
        "文件 {file} 第 1 行不是表头: 请让第一行写列名 (如 昵称、微信号、手机)",
        "The first row of {file} is not a header: put column names (nickname, WeChat ID, phone…) in row 1",
    ),
    "import.binary": (
        "文件 {file} 不是文本表格、Excel、vCard 或 JSON 文件, 无法导入",
        "The file {file} is not a text table, Excel workbook, vCard or JSON file; it cannot be imported",
    ),
    "import.nul_bytes": (
        "文件 {file} 第 {row} 行含有空字节 (NUL): 文件已损坏或不是文本文件",
        "Row {row} of {file} holds NUL bytes: the file is damaged or not text",
    ),
    "import.encoding_unknown": (
        "文件 {file} 的编码无法识别 (不是 UTF-8、GB18030 或 UTF-16), 第 {row} 行出错: 请用 Excel “另存为 CSV UTF-8”",
        "Cannot tell the encoding of {file} (not UTF-8, GB18030 or UTF-16), first bad row {row}: save it from Excel as “CSV UTF-8”",
    ),
    "import.encoding_mixed": (
        "文件 {file} 混用了两种编码 (UTF-8 与 GBK): 第 {row} 行与前面的行编码不同。请用同一种编码重新保存",
        "The file {file} mixes two encodings (UTF-8 and GBK): row {row} differs from the rows before it. Save it again in one encoding",
    ),
    "import.truncated_quote": (
        "文件 {file} 不完整: 第 {row} 行的引号没有结束 (文件可能被截断)",
        "The file {file} is incomplete: the quote opened in row {row} never closes (the file may be cut short)",
    ),
    "import.csv_error": (
        "文件 {file} 第 {row} 行格式错误: {error}",
        "Row {row} of {file} is malformed: {error}",
    ),
    "import.cell_too_big": (
        "文件 {file} 第 {row} 行有一格超过 {max} 个字符: 文件可能损坏 (引号未闭合?)",
        "Row {row} of {file} has a cell over {max} characters: the file may be damaged (an unclosed quote?)",
    ),
    "import.too_many_rows": (
        "文件 {file} 超过 {max} 行, 请拆分后导入",
        "The file {file} has more than {max} rows; split it before importing",
    ),
    "import.xlsx_damaged": (
        "Excel 文件 {file} 已损坏或不完整, 无法打开",
        "The Excel file {file} is damaged or incomplete and cannot be opened",
    ),
    "import.xlsx_disguised": (
        "文件 {file} 其实是 Excel 工作簿 (扩展名不对), 已按 Excel 读取",
        "The file {file} is really an Excel workbook (wrong extension); it was read as Excel",
    ),
    "import.zip_not_xlsx": (
        "文件 {file} 是压缩包, 但不是 Excel 工作簿 (.xlsx)",
        "The file {file} is a zip archive but not an Excel workbook (.xlsx)",
    ),
    "import.xls_old": (
        "文件 {file} 是旧版 Excel (.xls) 或加了密码的工作簿: 请在 Excel 中去掉密码并“另存为” .xlsx 或 CSV UTF-8",
        "The file {file} is an old Excel (.xls) or password-protected workbook: remove the password and “Save As” .xlsx or CSV UTF-8 in Excel",
    ),
    "import.xlsx_empty": (
        "Excel 文件 {file} 里没有数据",
        "The Excel file {file} holds no data",
    ),
    "import.json_invalid": (
        "JSON 文件 {file} 格式错误 (第 {row} 行): {error}",
        "The JSON file {file} is malformed (line {row}): {error}",
    ),
    "import.json_not_contacts": (
        "JSON 文件 {file} 不是联系人列表 (应为联系人对象的列表, 或以 wxid 为键的对象)",
        "The JSON file {file} is not a contact list (expected a list of contact objects, or an object keyed by wxid)",
    ),
    "import.vcard_truncated": (
        "vCard 文件 {file} 不完整: 第 {row} 行开始的名片没有 END:VCARD",
        "The vCard file {file} is incomplete: the card starting on line {row} has no END:VCARD",
    ),
    "import.vcard_empty": (
        "vCard 文件 {file} 里没有名片",
        "The vCard file {file} holds no cards",
    ),
    "import.no_columns": (
        "文件 {file} 的列名一个也认不出 ({headers}): 请手动指定每列对应的字段",
        "None of the columns of {file} is recognised ({headers}): map the columns by hand",
    ),
    "import.mapping_invalid": (
        "导入方案无效: {error}",
        "The import mapping is not valid: {error}",
    ),
    # per-row problems
    "import.row_empty_identity": (
        "没有名字、微信号或手机号, 无法识别此联系人",
        "No name, WeChat ID or phone: this contact cannot be identified",
    ),
    "import.row_too_many_cells": (
        "此行有 {cells} 格, 表头只有 {headers} 列 (可能有未加引号的逗号), 已跳过",
        "This row has {cells} cells but the header has {headers} columns (an unquoted comma?); skipped",
    ),
    "import.phone_damaged": (
        "号码 “{value}” 已被表格软件改坏 (科学计数法或丢了开头的 0), 未导入, 请核对原始号码",
        "Number “{value}” was damaged by a spreadsheet (scientific notation or a lost leading zero); not imported, check the original",
    ),
    "import.phone_invalid": (
        "号码 “{value}” 无效, 未导入",
        "Number “{value}” is not valid; not imported",
    ),
    "import.date_ambiguous": (
        "日期 “{value}” 不确定是 月/日 还是 日/月: 请写成 2026-03-05",
        "Date “{value}” could be month/day or day/month: write 2026-03-05",
    ),
    "import.birthday_impossible": (
        "生日 “{value}” 不存在 (在今天之后)",
        "Birthday “{value}” does not exist (it is after today)",
    ),
    "import.gender_unknown": (
        "性别 “{value}” 无法识别, 未导入",
        "Gender “{value}” not understood; not imported",
    ),
    "import.money_invalid": (
        "金额 “{value}” 无效",
        "Amount “{value}” is not valid",
    ),
    "import.money_negative": (
        "金额 “{value}” 是负数: 按退款多于消费导入",
        "Amount “{value}” is negative: imported as more returned than bought",
    ),
    "import.too_long": (
        "{field}太长 (最多 {max} 个字), 未导入",
        "{field} is too long (at most {max} characters); not imported",
    ),
    "import.photo_invalid": (
        "照片数据损坏或不是图片, 未导入",
        "The photo data is damaged or not an image; not imported",
    ),
    "import.photo_too_big": (
        "照片太大 ({size} KB, 最多 {max} KB), 未导入",
        "The photo is too big ({size} KB, at most {max} KB); not imported",
    ),
    "import.label_ids": (
        "标签只有编号 ({value}) 没有名称, 未作为标签导入",
        "Tags are ids only ({value}), without names; not imported as tags",
    ),
    # applying (plan, conflicts, report)
    "import.account_unknown_option": (
        "账号 “{value}” 不存在: 先用 kamtui accounts add {value} 创建, 或加上 --create-accounts",
        "Account “{value}” does not exist: create it with kamtui accounts add {value}, "
        "or add --create-accounts",
    ),
    "import.account_unknown": (
        "账号 “{value}” 不存在 (加上 --create-accounts 可自动创建)",
        "Unknown account “{value}” (add --create-accounts to create it)",
    ),
    "import.name_ambiguous": (
        "客户簿中有多位联系人叫 “{name}”, 无法确定是谁: 作为新联系人导入",
        "Several contacts in the book are named “{name}”: imported as a new contact",
    ),
    "import.same_name_row": (
        "与第 {row} 行同名 (“{name}”), 但没有相同的微信号或手机: 作为另一位联系人导入",
        "Same name (“{name}”) as row {row} but no shared WeChat ID or phone: "
        "imported as another contact",
    ),
    "import.dup_row_differs": (
        "与第 {row} 行是同一个人: 保留 “{kept}”, 未导入 “{value}”",
        "Same person as row {row}: kept “{kept}”, left out “{value}”",
    ),
    "import.row_no_name": (
        "没有名字 (备注名或昵称): 新联系人需要一个名字",
        "No name (remark or nickname): a new contact needs one",
    ),
    "import.note_total": (
        "导入的累计消费: {value} (无日期)",
        "Imported total spent: {value} (no date)",
    ),
    "import.history_item": ("导入的历史消费", "imported purchase history"),
    "import.history_note": ("从 {file} 导入", "imported from {file}"),
    "import.purchases_stored": (
        "已有 {n} 笔消费, 共 {total}, 最近 {last}",
        "{n} purchases, {total} in all, last on {last}",
    ),
    "import.purchase_incoming": ("{date} 累计 {amount}", "{amount} by {date}"),
    "import.picture_in_file": (
        "文件中的照片 ({ext}, {size} KB)",
        "picture in the file ({ext}, {size} KB)",
    ),
    "import.choice_invalid": (
        "“{value}” 不是有效选择: 请用 keep (保留现有) 或 take (采用文件)",
        "“{value}” is not a choice: use keep (the book's value) or take (the file's)",
    ),
    "import.conflict_unknown": (
        "本次导入没有第 {value} 号冲突",
        "No conflict #{value} in this import",
    ),
    "import.undo_label": ("导入 {file}", "import {file}"),
    "import.stale": (
        "预览之后客户簿有了变化: 请重新预览再导入",
        "The book changed since this preview: preview the import again",
    ),
    # mapping profiles
    "import.profile_name_invalid": (
        "导入方案名 “{value}” 无效: 1 到 {max} 个字, 不含控制字符",
        "The mapping profile name “{value}” is not valid: 1 to {max} characters, no control characters",
    ),
    "import.profile_unknown": (
        "没有名为 “{value}” 的导入方案 (已保存: {known})",
        "No mapping profile named “{value}” (saved: {known})",
    ),
    # the import command
    "cmd.import.help": (
        "导入联系人文件 (CSV、Excel、vCard、JSON): 先预览, 确认后一次写入, 可撤销",
        "import a contacts file (CSV, Excel, vCard, JSON): preview, then one undoable write",
    ),
    "cmd.import.opt_file": ("要导入的文件", "the file to import"),
    "cmd.import.opt_account": (
        "整个文件的联系人都属于这个微信号 (优先于文件中的账号列)",
        "put every contact of the file on this account (wins over the file's account column)",
    ),
    "cmd.import.opt_create_accounts": (
        "自动创建不存在的微信号 (否则这些行不导入)",
        "create accounts the book does not have yet (otherwise their rows are rejected)",
    ),
    "cmd.import.opt_map": (
        "使用保存过的导入方案 (按列名对应)",
        "use a saved mapping profile (matched to this file by column name)",
    ),
    "cmd.import.opt_save_map": (
        "导入后把本次的列对应保存为方案",
        "save this file's mapping as a profile after the import",
    ),
    "cmd.import.opt_dry_run": (
        "只预览, 不写入任何东西 (也不备份)",
        "preview only: write nothing (not even a backup)",
    ),
    "cmd.import.opt_on_conflict": (
        "客户簿与文件不一致时: keep 保留客户簿 (默认), take 采用文件",
        "when the book and the file differ: keep the book's value (default) or take the file's",
    ),
    "cmd.import.opt_yes": ("不询问, 直接导入", "import without asking"),
    "cmd.import.stage.read": ("读取", "Reading"),
    "cmd.import.stage.plan": ("比对", "Matching"),
    "cmd.import.stage.write": ("写入", "Writing"),
    "cmd.import.stage.check": ("查找重复好友", "Finding duplicate friends"),
    "cmd.import.needs_yes": (
        "没有在终端中运行, 无法询问确认: 请加 --yes 直接导入, 或加 --dry-run 只预览",
        "Not running in a terminal, so kamtui cannot ask: add --yes to import, "
        "or --dry-run to preview",
    ),
    "cmd.import.vcard_no_map": (
        "{file} 是 vCard 文件, 没有列可保存为导入方案",
        "{file} is a vCard file: it has no columns to save as a mapping profile",
    ),
    "cmd.import.file": (
        "文件: {file} ({format}, {encoding}, {layout})",
        "File: {file} ({format}, {encoding}, {layout})",
    ),
    "cmd.import.columns": ("列对应: {columns}", "Columns: {columns}"),
    "cmd.import.unmapped": ("未导入的列: {columns}", "Columns not imported: {columns}"),
    "cmd.import.counts": (
        "共 {rows} 行: 新增 {new}, 更新 {updated}, 有冲突 {conflicting}, 无变化 {unchanged}, "
        "不导入 {rejected}, 跳过 {skipped}",
        "{rows} rows: {new} new, {updated} updated, {conflicting} conflicting, "
        "{unchanged} unchanged, {rejected} rejected, {skipped} skipped",
    ),
    "cmd.import.skipped": ("跳过: {detail}", "Skipped: {detail}"),
    "cmd.import.merged": (
        "{n} 行与前面的行是同一个人, 已合并",
        "{n} rows are the same person as an earlier row and were merged into it",
    ),
    "cmd.import.extras": (
        "另外: {purchases} 笔历史消费, {pictures} 张照片, {tags} 个新标签, 新微信号: {accounts}",
        "Also: {purchases} purchase histories, {pictures} pictures, {tags} new tags, "
        "new accounts: {accounts}",
    ),
    "cmd.import.account_rows": ("{name} ({n} 行)", "{name} ({n} rows)"),
    "cmd.import.unknown_accounts": (
        "客户簿中没有这些微信号, 这些行不导入: {names}。加上 --create-accounts 可自动创建",
        "The book has no such accounts, so these rows are rejected: {names}. "
        "Add --create-accounts to create them",
    ),
    "cmd.import.conflicts_keep": (
        "{n} 处客户簿与文件不一致 (将保留客户簿的值; 用 --on-conflict take 采用文件):",
        "{n} conflicts between the book and the file (the book's values are kept; "
        "--on-conflict take uses the file's):",
    ),
    "cmd.import.conflicts_take": (
        "{n} 处客户簿与文件不一致 (将采用文件的值; 备注只会追加):",
        "{n} conflicts between the book and the file (the file's values are taken; "
        "a description is only added to):",
    ),
    "cmd.import.conflict": (
        "#{id} 第 {row} 行, {contact} (#{contact_id}) 的{field}: 客户簿 “{stored}” / 文件 “{incoming}”",
        "#{id} row {row}, {contact} (#{contact_id}), {field}: book “{stored}” / file “{incoming}”",
    ),
    "cmd.import.rejected": ("{n} 行不导入:", "{n} rows rejected:"),
    "cmd.import.warnings": (
        "{n} 行有部分内容未导入:",
        "{n} rows with values left out:",
    ),
    "cmd.import.problem": ("第 {row} 行, {field}: {reason}", "row {row}, {field}: {reason}"),
    "cmd.import.whole_row": ("整行", "whole row"),
    "cmd.import.more": (
        "…… 另有 {n} 条 (用 --json 查看全部)",
        "… {n} more (--json lists them all)",
    ),
    "cmd.import.dry_run": ("预览结束: 没有写入任何东西", "Dry run: nothing was written"),
    "cmd.import.nothing": ("没有需要导入的内容", "Nothing to import"),
    "cmd.import.confirm": (
        "导入? 新增 {new} 位, 更新 {updated} 位 [y/N] ",
        "Import? {new} new, {updated} updated [y/N] ",
    ),
    "cmd.import.cancelled": ("已取消, 没有写入任何东西", "Cancelled: nothing was written"),
    "cmd.import.done": (
        "已导入: 新增 {created}, 更新 {updated}, 无变化 {unchanged}; 冲突保留 {kept}, 采用文件 {taken}",
        "Imported: {created} new, {updated} updated, {unchanged} unchanged; "
        "conflicts: {kept} kept, {taken} taken",
    ),
    "cmd.import.done_extras": (
        "历史消费 {purchases} 笔, 照片 {pictures} 张, 新标签 {tags} 个, 新微信号: {accounts}",
        "{purchases} purchase histories, {pictures} pictures, {tags} new tags, "
        "new accounts: {accounts}",
    ),
    "cmd.import.backup": ("导入前的备份: {path}", "Backup before the import: {path}"),
    "cmd.import.undo": (
        "整个导入可以一步撤销 (“{label}”)",
        "The whole import can be undone in one step (“{label}”)",
    ),
    "cmd.import.profile_saved": ("已保存导入方案 “{name}”", "Mapping profile “{name}” saved"),
    # labels of import-only fields (kamtui.validate.label)
    "field.last_order_on": ("最近下单", "Last order"),
    "field.total_amount": ("累计金额", "Total spent"),
    "field.wxid": ("原始微信 ID", "WeChat internal ID"),
    "field.picture": ("照片", "Picture"),
    "field.purchases": ("消费记录", "Purchases"),
    "field.email": ("邮箱", "E-mail"),
    "field.picture_url": ("头像链接 (不下载)", "Avatar URL (not downloaded)"),
    "field.signature": ("个性签名", "Signature"),
    "field.first_name": ("名", "First name"),
    "field.middle_name": ("中间名", "Middle name"),
    "field.last_name": ("姓", "Last name"),
    "field.address": ("地址", "Address"),
    "field.company": ("公司", "Company"),
    "field.title": ("职位", "Job title"),
    "field.birth_year": ("出生年", "Birth year"),
    "field.birth_month": ("出生月", "Birth month"),
    "field.birth_day": ("出生日", "Birth day"),
    # lines added to the description
    "import.note_other_phones": ("其他电话: {value}", "Other phones: {value}"),
    "import.note_email": ("邮箱: {value}", "E-mail: {value}"),
    "import.note_address": ("地址: {value}", "Address: {value}"),
    # layouts (shown in the mapping preview)
    "import.layout.memotrace": ("留痕 (MemoTrace) 联系人导出", "MemoTrace (留痕) contact export"),
    "import.layout.group_members": ("微信群成员导出", "WeChat group-member export"),
    "import.layout.scraper": ("微信好友采集工具导出", "WeChat friend scraper export"),
    "import.layout.ios_backup": ("iOS 备份导出的微信联系人", "WeChat contacts from an iOS backup"),
    "import.layout.pywxdump": ("PyWxDump 联系人 (users.json)", "PyWxDump contacts (users.json)"),
    "import.layout.google": ("Google 通讯录 CSV", "Google Contacts CSV"),
    "import.layout.outlook": ("Outlook 联系人 CSV", "Outlook contacts CSV"),
    "import.layout.thunderbird": ("Thunderbird 通讯录 CSV", "Thunderbird address book CSV"),
    "import.layout.seller": ("卖家自己的表格", "A seller's own spreadsheet"),
    "import.layout.vcard": ("手机通讯录 (vCard)", "Phone contacts (vCard)"),
    "import.layout.custom": ("手动指定的列", "Columns mapped by hand"),
    "import.layout.unknown": ("无法识别的表格", "Unrecognised table"),
    # skip reasons (counters)
    "import.skipped.chatroom": ("群聊", "group chats"),
    "import.skipped.official": ("公众号", "official accounts"),
    "import.skipped.system": ("微信系统账号", "WeChat system accounts"),
    "import.skipped.empty": ("空行", "empty rows"),
    "import.field.skip": ("(不导入)", "(skip)"),
}

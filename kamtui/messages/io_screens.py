"""Messages of the import screens, the export dialog and the file chooser."""

MESSAGES = {
    # the file chooser
    "filepick.placeholder": (
        "文件路径, 如 ~/Downloads/客户.csv",
        "File path, e.g. ~/Downloads/contacts.csv",
    ),
    "filepick.key.complete": ("补全路径", "Complete the path"),
    "filepick.key.list": ("到文件列表", "To the file list"),
    "filepick.count": ("{folder}: {n} 项", "{folder}: {n} entries"),
    "filepick.count_more": (
        "共 {n} 项, 只列出前 {shown} 项: 多输入几个字",
        "{n} entries, the first {shown} listed: type more",
    ),
    # the import flow
    "ioscreen.title": ("导入联系人", "Import contacts"),
    "ioscreen.step1": (
        "导入 · 第 1 步 (共 3 步): 选择文件",
        "Import · step 1 of 3: choose the file",
    ),
    "ioscreen.step2": ("导入 · 第 2 步 (共 3 步): 列对应", "Import · step 2 of 3: map the columns"),
    "ioscreen.step3": (
        "导入 · 第 3 步 (共 3 步): 预览与导入",
        "Import · step 3 of 3: preview and import",
    ),
    "ioscreen.file_hint": (
        "输入路径 (Tab 补全, ↓ 到列表选择), Enter 下一步, Esc 关闭。支持 CSV、Excel (.xlsx)、vCard (.vcf)、JSON",
        "Type a path (Tab completes, ↓ picks from the list), Enter goes on, Esc closes. "
        "CSV, Excel (.xlsx), vCard (.vcf) and JSON files",
    ),
    "ioscreen.reading": ("正在读取 {file}…", "Reading {file}…"),
    "ioscreen.file_info": (
        "{file} · {format} · {encoding} · {columns} 列 · {layout} (认出 {known} 列)",
        "{file} · {format} · {encoding} · {columns} columns · {layout} ({known} recognised)",
    ),
    "ioscreen.file_vcard": (
        "{file} · 手机通讯录 (vCard): 字段从每张名片读取",
        "{file} · phone contacts (vCard): the fields come from each card",
    ),
    "ioscreen.file_next": ("Enter: 下一步, 核对列对应", "Enter: next, check the columns"),
    "ioscreen.file_unexpected": (
        "无法读取 {file} ({error}), 没有导入任何东西",
        "Cannot read {file} ({error}); nothing was imported",
    ),
    "ioscreen.key.close": ("关闭", "Close"),
    "ioscreen.key.skip": ("不导入此列", "Skip column"),
    "ioscreen.key.save_profile": ("保存方案", "Save mapping"),
    "ioscreen.key.load_profile": ("套用方案", "Apply mapping"),
    "ioscreen.key.account": ("归属微信号", "Account"),
    "ioscreen.key.create": ("自动建号", "Create accounts"),
    "ioscreen.key.plan": ("预览导入", "Preview import"),
    "ioscreen.key.apply": ("导入", "Import"),
    "ioscreen.key.toggle": ("保留/采用", "Keep/take"),
    "ioscreen.key.keep_all": ("全部保留客户簿", "Keep all (book)"),
    "ioscreen.key.take_all": ("全部采用文件", "Take all (file)"),
    "ioscreen.key.finish": ("完成", "Done"),
    "ioscreen.col.header": ("文件中的列", "File column"),
    "ioscreen.col.field": ("导入到", "Imported as"),
    "ioscreen.col.sample": ("示例", "Samples"),
    "ioscreen.no_header": ("(无列名)", "(no name)"),
    "ioscreen.field_account": ("所属微信 (自己的号)", "Account (your own WeChat)"),
    "ioscreen.unrecognised": ("未识别, 不导入", "not recognised, skipped"),
    "ioscreen.vcard_no_columns": (
        "vCard 文件没有列需要对应: 按 p 预览导入",
        "A vCard file has no columns to map: press p to preview the import",
    ),
    "ioscreen.map_counts": (
        "{n} 列: 导入 {used} 列, 不导入 {skipped} 列 (其中 {unknown} 列未识别)。"
        "Enter 选择字段, x 不导入, p 预览导入",
        "{n} columns: {used} imported, {skipped} skipped ({unknown} not recognised). "
        "Enter picks a field, x skips, p previews the import",
    ),
    "ioscreen.mapping_layout": ("方案: {layout}", "mapping: {layout}"),
    "ioscreen.column_detail": ("第 {n} 列 “{header}”:", "Column {n} “{header}”:"),
    "ioscreen.choose_field": ("“{header}” 列导入到", "Import the column “{header}” as"),
    "ioscreen.account_from_file": (
        "(按文件中的微信号列, 没有则不归属)",
        "(the file's account column, if any)",
    ),
    "ioscreen.account_line": (
        "归属微信号 (a): {account} · 自动创建不存在的微信号 (c): {create}",
        "Account (a): {account} · create unknown accounts (c): {create}",
    ),
    "ioscreen.account_title": ("整个文件的联系人归属", "Put every contact of the file on"),
    "ioscreen.yes": ("是", "yes"),
    "ioscreen.no": ("否", "no"),
    "ioscreen.save_profile_title": ("保存列对应方案", "Save the column mapping"),
    "ioscreen.profile_name": ("方案名称", "Mapping name"),
    "ioscreen.profile_placeholder": ("如: 留痕导出", "e.g. MemoTrace export"),
    "ioscreen.load_profile_title": (
        "套用已保存的方案 (按列名对应)",
        "Apply a saved mapping (by column name)",
    ),
    "ioscreen.no_profiles": (
        "还没有保存过方案: 对好列后按 s 保存",
        "No saved mappings yet: map the columns, then press s to save one",
    ),
    "ioscreen.profile_applied": (
        "已套用方案 “{name}”: 导入 {used} 列, {unknown} 列不在方案中",
        "Applied the mapping “{name}”: {used} columns imported, {unknown} not in the mapping",
    ),
    "ioscreen.nothing_mapped": (
        "还没有任何列要导入: 在列上按 Enter 选择字段",
        "No column is imported yet: press Enter on a column to pick its field",
    ),
    "ioscreen.col.choice": ("处理", "Choice"),
    "ioscreen.col.row": ("行", "Row"),
    "ioscreen.col.contact": ("联系人", "Contact"),
    "ioscreen.col.conflict_field": ("字段", "Field"),
    "ioscreen.col.stored": ("客户簿", "Book"),
    "ioscreen.col.incoming": ("文件", "File"),
    "ioscreen.col.problem_field": ("字段", "Field"),
    "ioscreen.col.reason": ("原因", "Reason"),
    "ioscreen.keep": ("保留", "keep"),
    "ioscreen.take": ("采用文件", "take"),
    "ioscreen.no_conflicts": ("没有冲突", "No conflicts"),
    "ioscreen.no_problems": ("没有不导入的行, 也没有警告", "No rejected rows and no warnings"),
    "ioscreen.conflicts_title": (
        "冲突 {n} 处: 保留客户簿 {kept}, 采用文件 {taken} (Enter/空格 切换, b 全部保留, f 全部采用)",
        "{n} conflicts: {kept} keep the book, {taken} take the file "
        "(Enter/space toggles, b keeps all, f takes all)",
    ),
    "ioscreen.problems_title": (
        "不导入 {rejected} 行, 有警告 {warnings} 行",
        "{rejected} rows rejected, {warnings} rows with warnings",
    ),
    "ioscreen.rejected_group": ("不导入的行 ({n})", "Rejected rows ({n})"),
    "ioscreen.warnings_group": ("部分内容未导入 ({n})", "Values left out ({n})"),
    "ioscreen.plan_account": ("所有联系人归属: {account}", "Every contact goes on: {account}"),
    "ioscreen.unknown_accounts": (
        "客户簿中没有这些微信号, 这些行不导入: {names}。按 Esc 返回上一步, 再按 c 可自动创建",
        "The book has no such accounts, so these rows are rejected: {names}. "
        "Press Esc, then c to create them",
    ),
    "ioscreen.failed_help": (
        "没有写入任何东西。Esc 返回上一步",
        "Nothing was written. Esc goes back",
    ),
    "ioscreen.failed_unexpected": (
        "抱歉, 出了点问题 ({error})。没有写入任何东西",
        "Sorry, something went wrong ({error}). Nothing was written",
    ),
    "ioscreen.confirm": (
        "导入 {file}? 新增 {new} 位, 更新 {updated} 位, 有冲突 {conflicting} 位 "
        "(采用文件 {taken} 处, 保留 {kept} 处), 不导入 {rejected} 行。"
        "导入前会先备份, 之后可一步撤销",
        "Import {file}? {new} new, {updated} updated, {conflicting} with conflicts "
        "({taken} taken from the file, {kept} kept), {rejected} rows rejected. "
        "A backup is made first; the import can be undone in one step",
    ),
    "ioscreen.replanning": ("正在重新预览…", "Previewing again…"),
    "ioscreen.wait_apply": ("正在导入, 请稍候…", "Importing, please wait…"),
    "ioscreen.undo_hint": (
        "要撤销这次导入: 在联系人页按 u, 或运行 kamtui undo (“{label}”)",
        "To undo this import: press u on the Contacts screen, or run `kamtui undo` (“{label}”)",
    ),
    "ioscreen.nothing_written": ("没有写入任何东西", "Nothing was written"),
    "ioscreen.done_help": ("Enter 或 Esc: 完成", "Enter or Esc: done"),
    # the export dialog
    "exportui.title_all": ("导出所有联系人", "Export every contact"),
    "exportui.none": ("没有选中任何联系人, 无可导出", "No contact is selected: nothing to export"),
    "exportui.title_some": ("导出 {n} 位联系人", "Export {n} contacts"),
    "exportui.format": ("格式", "Format"),
    "exportui.format.csv": ("CSV (Excel 可打开)", "CSV (opens in Excel)"),
    "exportui.format.xlsx": ("Excel 工作簿 (.xlsx)", "Excel workbook (.xlsx)"),
    "exportui.format.vcf": ("手机通讯录 (.vcf)", "Phone contacts (.vcf)"),
    "exportui.format.json": ("完整数据 (JSON)", "Everything (JSON)"),
    "exportui.path": ("保存到", "Save to"),
    "exportui.path_required": ("请给出文件名", "Give a file name"),
    "exportui.columns": ("列", "Columns"),
    "exportui.columns_placeholder": (
        "默认列 (仅 CSV 和 Excel; Ctrl+L 勾选)",
        "default columns (CSV and Excel only; Ctrl+L to tick)",
    ),
    "exportui.columns_hint": ("可用的列: {columns}", "Columns: {columns}"),
    "exportui.columns_title": ("要导出的列 (空格勾选)", "Columns to export (space ticks)"),
    "exportui.columns_help": (
        "空格 勾选/取消, Ctrl+S 确定, Esc 取消",
        "Space ticks, Ctrl+S confirms, Esc cancels",
    ),
    "exportui.headers": ("表头语言", "Header language"),
    "exportui.encoding": ("CSV 编码", "CSV encoding"),
    "exportui.encoding.utf8": ("UTF-8 (带 BOM, Excel 直接打开)", "UTF-8 with BOM (opens in Excel)"),
    "exportui.encoding.gb18030": ("GB18030 (旧版 Excel、WPS)", "GB18030 (old Excel, WPS)"),
    "exportui.include_archived": ("也导出已归档的联系人", "Include archived contacts"),
    "exportui.writing": ("正在导出…", "Exporting…"),
    "exportui.help": (
        "Tab 下一项, Enter 或 Ctrl+S 导出, Esc 取消。文件只有你能读 (0600)",
        "Tab: next field, Enter or Ctrl+S: export, Esc: cancel. Only you can read the file (0600)",
    ),
    "exportui.key.export": ("导出", "Export"),
    "exportui.key.columns": ("勾选列", "Tick columns"),
    "exportui.overwrite": ("{path} 已存在, 替换它?", "{path} exists. Replace it?"),
    "exportui.wait": ("正在导出, 请稍候…", "Exporting, please wait…"),
    "exportui.failed_unexpected": (
        "抱歉, 出了点问题 ({error})。没有留下不完整的文件",
        "Sorry, something went wrong ({error}). No partial file was left",
    ),
    # the app
    "key.import": ("导入文件…", "Import a file…"),
    "palette.export": ("导出联系人…", "Export contacts…"),
    "palette.export_help": (
        "把联系人导出为 CSV、Excel、手机通讯录或 JSON",
        "Contacts to CSV, Excel, a phone address book or JSON",
    ),
}

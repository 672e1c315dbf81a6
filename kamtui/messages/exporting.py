"""Messages of exporting (``kamtui export`` and the export engine)."""

MESSAGES = {
    # engine
    "export.unknown_column": (
        "未知的列 “{value}”。可选: {choices}",
        "Unknown column “{value}”. Choose from: {choices}",
    ),
    "export.bad_format": (
        "不支持的导出格式 “{value}”。可选: {choices}",
        "Unknown export format “{value}”. Choose from: {choices}",
    ),
    "export.bad_encoding": (
        "不支持的编码 “{value}”。可选: {choices}",
        "Unknown encoding “{value}”. Choose from: {choices}",
    ),
    "export.bad_choice": ("“{value}” 无效。可选: {choices}", "“{value}” is not one of: {choices}"),
    "export.bad_headers": (
        "表头语言 “{value}” 无效: 请用 zh 或 en",
        "Header language “{value}” is not valid: use zh or en",
    ),
    "export.target_is_dir": (
        "{path} 是一个文件夹, 请给出文件名",
        "{path} is a folder; give a file name",
    ),
    "export.no_folder": ("文件夹 {path} 不存在", "The folder {path} does not exist"),
    "export.cannot_write": (
        "无法写入 {path}: {error}。没有留下不完整的文件",
        "Cannot write {path}: {error}. No partial file was left",
    ),
    "export.needs_openpyxl": (
        "导出 Excel 需要 openpyxl: pip install openpyxl; 也可以导出 CSV",
        "Excel export needs openpyxl: pip install openpyxl (or export CSV instead)",
    ),
    "export.sheet_title": ("联系人", "Contacts"),
    "export.vcard_wechat": ("微信号", "WeChat ID"),
    "export.vcard_account": ("所属微信", "Account"),
    "export.vcard_birthday": ("生日", "Birthday"),
    # command
    "cmd.export.help": (
        "导出联系人: CSV、Excel (xlsx)、手机通讯录 (vcf) 或完整 JSON",
        "export contacts: CSV, Excel (xlsx), phone address book (vcf) or full JSON",
    ),
    "cmd.export.opt_format": (
        "格式: csv、xlsx、vcf 或 json (默认按 -o 的扩展名, 否则 csv)",
        "format: csv, xlsx, vcf or json (default: from the -o file name, else csv)",
    ),
    "cmd.export.opt_output": (
        "写入的文件 (权限 0600); 不给时写到标准输出 (xlsx 必须给)",
        "file to write (mode 0600); without it, standard output (xlsx needs a file)",
    ),
    "cmd.export.opt_columns": (
        "要导出的列及顺序, 用逗号分隔 (--list-columns 查看全部)",
        "columns to export, in order, comma-separated (see --list-columns)",
    ),
    "cmd.export.opt_headers": (
        "表头语言: zh 或 en (默认跟随界面语言)",
        "header language: zh or en (default: the interface language)",
    ),
    "cmd.export.opt_encoding": (
        "CSV 编码: utf-8-sig (默认, Excel 可直接打开) 或 gb18030",
        "CSV encoding: utf-8-sig (default, opens in Excel) or gb18030",
    ),
    "cmd.export.opt_archived": ("也导出已归档的联系人", "include archived contacts"),
    "cmd.export.opt_vcard_birthday": (
        "vCard 中无年份生日的写法: apple (默认, iPhone 识别)、rfc (--MM-DD, 安卓) 或 omit",
        "yearless birthdays in vCard: apple (default, for iPhone), rfc (--MM-DD, Android) or omit",
    ),
    "cmd.export.opt_list_columns": ("列出所有可导出的列", "list the columns you can export"),
    "cmd.export.opt_query": (
        "筛选条件, 如 #VIP acct:主号 fav archived",
        "filter, e.g. #VIP acct:main fav archived",
    ),
    "cmd.export.done": (
        "已导出 {n} 位联系人到 {path}",
        "Exported {n} contacts to {path}",
    ),
    "cmd.export.xlsx_needs_file": (
        "xlsx 需要用 -o 指定文件, 如: kamtui export -o 客户.xlsx",
        "xlsx needs a file: kamtui export -o contacts.xlsx",
    ),
    "cmd.export.encoding_csv_only": (
        "--encoding 只适用于 CSV",
        "--encoding applies to CSV only",
    ),
    "cmd.export.query_unsupported": (
        "暂不支持的筛选条件 “{value}”: 目前可用 #标签、acct:微信号名称、fav、archived",
        "Filter “{value}” is not supported yet: use #tag, acct:NAME, fav or archived",
    ),
    "cmd.export.columns_title": ("可导出的列 (默认列带 *):", "Columns (* = exported by default):"),
}

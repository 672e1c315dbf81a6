"""Messages of the shared widgets (the virtual table's keys and empty state).

Binding descriptions are message keys (``vtable.key.<name>`` for the binding
with id ``vtable.<name>``), translated when a widget is created
(``kamtui.screens.base.translate_bindings``).
"""

MESSAGES = {
    "vtable.empty": ("没有内容", "Nothing to show"),
    "vtable.key.cursor_up": ("上移", "Up"),
    "vtable.key.cursor_down": ("下移", "Down"),
    "vtable.key.page_up": ("上一页", "Page up"),
    "vtable.key.page_down": ("下一页", "Page down"),
    "vtable.key.first": ("到顶部", "First row"),
    "vtable.key.last": ("到底部", "Last row"),
    "vtable.key.select": ("打开", "Open"),
    "vtable.key.toggle": ("选择", "Select"),
    "vtable.key.range": ("连选", "Select range"),
    "vtable.key.extend_up": ("向上连选", "Extend selection up"),
    "vtable.key.extend_down": ("向下连选", "Extend selection down"),
    "vtable.key.select_all": ("全选", "Select all"),
    "vtable.key.clear_selection": ("取消选择", "Clear selection"),
}

"""Messages of the shared widgets (the virtual table's keys and empty state).

Binding descriptions are keyed ``binding.<binding id>`` so that a help screen
can translate a binding at display time from its id alone.
"""

MESSAGES = {
    "vtable.empty": ("没有内容", "Nothing to show"),
    "binding.vtable.cursor_up": ("上移", "Up"),
    "binding.vtable.cursor_down": ("下移", "Down"),
    "binding.vtable.page_up": ("上一页", "Page up"),
    "binding.vtable.page_down": ("下一页", "Page down"),
    "binding.vtable.first": ("到顶部", "First row"),
    "binding.vtable.last": ("到底部", "Last row"),
    "binding.vtable.select": ("打开", "Open"),
    "binding.vtable.toggle": ("选择", "Select"),
    "binding.vtable.range": ("连选", "Select range"),
    "binding.vtable.extend_up": ("向上连选", "Extend selection up"),
    "binding.vtable.extend_down": ("向下连选", "Extend selection down"),
    "binding.vtable.select_all": ("全选", "Select all"),
    "binding.vtable.clear_selection": ("取消选择", "Clear selection"),
}

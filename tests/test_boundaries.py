"""The architecture's boundaries: only the UI imports textual; screens never run SQL."""

import ast
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
PKG = ROOT / "kamtui"
UI = ("kamtui/screens/", "kamtui/app.py")


def _runtime_nodes(tree):
    """Every node except those under ``if TYPE_CHECKING:`` (not imported at run time)."""
    skip = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip.update(id(n) for child in node.body for n in ast.walk(child))
    return [n for n in ast.walk(tree) if id(n) not in skip]


def _imports(path: pathlib.Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in _runtime_nodes(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def _modules():
    for path in sorted(PKG.rglob("*.py")):
        yield path, path.relative_to(ROOT).as_posix()


def test_only_the_ui_imports_textual():
    offenders = [
        rel
        for path, rel in _modules()
        if not rel.startswith(UI)
        and any(m == "textual" or m.startswith("textual.") for m in _imports(path))
    ]
    assert offenders == []


def test_screens_do_not_touch_the_store_or_sql():
    offenders = []
    for path, rel in _modules():
        if not rel.startswith(UI):
            continue
        text = path.read_text(encoding="utf-8")
        imports = _imports(path)
        if (
            any(
                m.startswith(("kamtui.store", "sqlite3", "sqlmodel", "sqlalchemy")) for m in imports
            )
            or ".execute(" in text
            or "book.query(" in text
            or "book.scalar(" in text
        ):
            offenders.append(rel)
    assert offenders == []


def test_domain_import_does_not_load_textual():
    code = (
        "import sys, pkgutil, importlib, kamtui\n"
        "for m in pkgutil.walk_packages(kamtui.__path__, 'kamtui.'):\n"
        "    ui = m.name.startswith(('kamtui.screens', 'kamtui.app'))\n"
        "    if ui or m.name == 'kamtui.__main__':\n"
        "        continue\n"
        "    importlib.import_module(m.name)\n"
        "assert 'textual' not in sys.modules, 'textual was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)

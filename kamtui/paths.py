"""Where the book lives: ``--db``, then ``KAMTUI_DB``, then the user data directory."""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "kamtui"
BOOK_NAME = "book.db"


def data_dir() -> Path:
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


def book_path(cli_value: str | os.PathLike | None = None) -> Path:
    """The book's path from the CLI option, the environment, or the default."""
    if cli_value:
        return Path(cli_value).expanduser()
    env = os.environ.get("KAMTUI_DB")
    if env:
        return Path(env).expanduser()
    return data_dir() / BOOK_NAME


def demo_book_path() -> Path:
    """The demo book used by ``kamtui --demo``: never the user's own book."""
    env = os.environ.get("KAMTUI_DEMO_DB")
    if env:
        return Path(env).expanduser()
    return data_dir() / "demo.db"


def ensure_private_dir(path: Path) -> None:
    """Create ``path`` (and parents) with mode 0700; leave existing directories alone."""
    missing = []
    p = path
    while not p.exists():
        missing.append(p)
        p = p.parent
    for d in reversed(missing):
        try:
            d.mkdir(mode=0o700)
        except FileExistsError:  # another process made it meanwhile
            continue
        os.chmod(d, 0o700)

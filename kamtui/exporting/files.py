"""Writing an export file: private (0600) and all or nothing.

The data goes to a temporary file created 0600 in the target's directory; only
when everything is written and flushed to disk is it renamed over the target.
A failure (or Ctrl-C) removes the temporary file: no half export is left, and
an existing file of the same name stays as it was.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import BinaryIO

from kamtui.errors import KamtuiError
from kamtui.i18n import t


@contextmanager
def private_output(path: str | os.PathLike) -> Iterator[BinaryIO]:
    """A binary file to write; it becomes ``path`` (mode 0600) when the block succeeds."""
    target = Path(path).expanduser()
    folder = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        raise KamtuiError(t("export.target_is_dir", path=target))
    if not folder.is_dir():
        raise KamtuiError(t("export.no_folder", path=folder))
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    flags |= getattr(os, "O_BINARY", 0)
    tmp = folder / f".{target.name}.{secrets.token_hex(4)}.part"
    try:
        fd = os.open(tmp, flags, 0o600)
    except OSError as exc:
        raise KamtuiError(t("export.cannot_write", path=target, error=exc.strerror)) from exc
    done = False
    try:
        with os.fdopen(fd, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o600)  # whatever the umask did
        os.replace(tmp, target)
        done = True
    except OSError as exc:
        raise KamtuiError(t("export.cannot_write", path=target, error=exc.strerror)) from exc
    finally:
        if not done:
            with suppress(OSError):
                os.unlink(tmp)
    _sync_dir(folder)


def _sync_dir(folder: Path) -> None:
    """Make the rename durable (POSIX); harmless where directories cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)

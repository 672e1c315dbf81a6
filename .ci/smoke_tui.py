"""Open the app like a seller would (in a pseudo-terminal) and quit once Today is painted.

Usage: python .ci/smoke_tui.py KAMTUI_EXECUTABLE [args…]
Exit 0 when the first screen showed its header within the time limit and the
app quit cleanly on ctrl+q.
"""

import os
import pty
import select
import sys
import time

LIMIT = 60.0
MARKERS = (b"Today ", "今日 ".encode())


def main() -> int:
    argv = sys.argv[1:]
    pid, fd = pty.fork()
    if pid == 0:
        os.environ.setdefault("TERM", "xterm-256color")
        os.environ["COLUMNS"], os.environ["LINES"] = "120", "40"
        os.execvp(argv[0], argv)
    seen = b""
    start = time.monotonic()
    painted = False
    while time.monotonic() - start < LIMIT:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
        if any(m in seen for m in MARKERS):
            painted = True
            break
    if not painted:
        os.kill(pid, 9)
        sys.stderr.write("the app did not paint its first screen in time\n")
        sys.stderr.write(seen[-2000:].decode("utf-8", "replace") + "\n")
        return 1
    time.sleep(0.5)
    os.write(fd, b"\x11")  # ctrl+q
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            code = os.waitstatus_to_exitcode(status)
            print(f"app painted in {time.monotonic() - start:.1f}s and quit with {code}")
            return 0 if code == 0 else 1
        try:
            if select.select([fd], [], [], 0.2)[0]:
                os.read(fd, 65536)
        except OSError:
            pass
    os.kill(pid, 9)
    sys.stderr.write("the app did not quit on ctrl+q\n")
    return 1


if __name__ == "__main__":
    sys.exit(main())

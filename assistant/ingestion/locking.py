"""One ingest at a time per store: an advisory file lock beside the embedded store.

The lock file (``data_dir/ingest.lock``) holds the pid of the process ingesting. A second
ingest waits for it (saying so through ``on_wait``) up to ``timeout`` seconds, then fails with
:class:`StoreBusyError`. Readers (questions) never take the lock: they only see complete
articles, so they keep working during an ingest.

``data_dir/ingest.incomplete`` marks an ingest in progress; if it is still there when the next
ingest takes the lock, the last one was killed, and its unfinished chunks are swept first.
The lock is POSIX ``flock``; where that is missing (Windows) ingests are not serialised.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

from ..errors import StoreBusyError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None


class IngestLock:
    def __init__(self, folder: Path, timeout: float = 600.0, on_wait: Callable[[str], None] | None = None) -> None:
        self.path = folder / "ingest.lock"
        self.marker = folder / "ingest.incomplete"
        self.timeout = timeout
        self.on_wait = on_wait
        self._fh = None

    def _holder(self) -> str:
        try:
            pid = self.path.read_text().strip()
        except OSError:
            pid = ""
        return f"pid {pid}" if pid else "another process"

    def __enter__(self) -> "IngestLock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(self.path, "a+")
        if fcntl is not None:
            deadline = time.monotonic() + self.timeout
            told = False
            while True:
                try:
                    fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    holder = self._holder()
                    if time.monotonic() >= deadline:
                        fh.close()
                        raise StoreBusyError(
                            f"Another ingest ({holder}) is writing to the store in {self.path.parent}.",
                            hint="wait for it to finish, or raise ASSISTANT_LOCK_TIMEOUT to wait longer",
                        ) from None
                    if not told and self.on_wait:
                        self.on_wait(f"Another ingest ({holder}) is writing to this store; waiting for it "
                                     f"(up to {self.timeout:g} s)…")
                        told = True
                    time.sleep(0.2)
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        self._fh = fh
        return self

    @property
    def interrupted_before(self) -> bool:
        """True when the previous ingest of this store did not finish."""
        return self.marker.exists()

    def begin(self) -> None:
        self.marker.write_text(str(os.getpid()))

    def done(self) -> None:
        try:
            self.marker.unlink()
        except FileNotFoundError:
            pass

    def __exit__(self, *exc) -> None:
        if self._fh is not None:
            if fcntl is not None:
                fcntl.flock(self._fh.fileno(), fcntl.LOCK_UN)
            self._fh.close()
            self._fh = None

"""Progress of long work (register imports, exports, retention, the demo) as log records.

PROGRESS is a level between DEBUG and INFO: management commands show it from `--verbosity 2`
(programs.management.base), a server's log configuration at INFO leaves it out.
"""

import logging
import time
from collections.abc import Iterable, Iterator

PROGRESS = 15
logging.addLevelName(PROGRESS, "PROGRESS")


def counted(items: Iterable, logger: logging.Logger, label: str, *, every: int = 10_000,
            seconds: float = 5.0) -> Iterator:
    """`items`, logging "label: n" every `every` items or `seconds`, whichever comes first, and at the end."""
    count, last = 0, time.monotonic()
    for item in items:
        yield item
        count += 1
        if count % every == 0 or time.monotonic() - last >= seconds:
            logger.log(PROGRESS, "%s: %d", label, count)
            last = time.monotonic()
    logger.log(PROGRESS, "%s: %d, done", label, count)


class LogWriter:
    """A `.write(text)` target (what the demo generators take as `stdout`) that logs each line instead."""

    def __init__(self, logger: logging.Logger, level: int = PROGRESS):
        self.logger, self.level = logger, level

    def write(self, text: str) -> None:
        for line in text.splitlines():
            if line.strip():
                self.logger.log(self.level, "%s", line)

"""A race between threads needs a database every thread can open: the migrated in-memory SQLite test
database copied into a file, with new connections pointed at it."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from django.db import connection, connections


def point_connections_at_file_copy(folder: Path) -> tuple[Path, Callable[[], None]]:
    """Copy the test database into `folder` and send new connections there; returns the file and the
    function that points them back."""
    path = folder / "race.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    # WAL before the threads connect: two connections switching the copy's journal mode at the same
    # instant can be refused with "database is locked" without waiting for the busy timeout.
    target.execute("PRAGMA journal_mode=WAL")
    target.close()
    settings_dict = connections.settings["default"]
    old_name = settings_dict["NAME"]
    settings_dict["NAME"] = str(path)

    def restore() -> None:
        settings_dict["NAME"] = old_name

    return path, restore

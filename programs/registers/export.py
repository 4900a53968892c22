"""Running an export: write the xlsx for a RegisterQuery and record it in Wagtail's audit log.

The audit entry is logged against the exporting user (a ModelLogEntry for the user model), with the
register, the filters in words, the search, the sort, the file name and the row count in its data:
an export concerns many rows, not one object, and Wagtail's "Site history" report lists and filters
these entries by action ("sigap.register_export") and user.
"""

from typing import IO

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.translation import gettext
from wagtail.log_actions import log

from .query import RegisterQuery
from .xlsx import iter_chunks, jakarta_now_text, write_register_xlsx

EXPORT_ACTION = "sigap.register_export"


def export_info(query: RegisterQuery, user) -> list[tuple[str, str]]:
    who = (user.get_full_name() or user.get_username()) if user is not None else gettext("system (command line)")
    return [*query.info_lines(), (gettext("Exported by"), who), (gettext("Export time"), jakarta_now_text())]


def write_export(
    query: RegisterQuery, fileobj: IO[bytes], user=None, chunk_size: int = 2000, progress=None
) -> int:
    """Write the whole filtered/searched/sorted set (all pages) and return the row count.

    `progress` optionally wraps the row iterator (background jobs count rows with it).
    """
    register = query.register
    columns = register.bound_export_columns()
    rows = iter_chunks(query.queryset, [column.path for column in columns], chunk_size=chunk_size)
    if progress is not None:
        rows = progress(rows)
    return write_register_xlsx(
        fileobj,
        columns=columns,
        rows=rows,
        sheet_title=str(register.register_name),
        info=export_info(query, user),
        mask=register.identity_mask(user),
        birth_date_mask=register.birth_date_mask(user),
    )


def log_export(query: RegisterQuery, user, rows: int, file_name: str, channel: str) -> None:
    """One audit entry per export. Without a user (command line) it is logged without an actor."""
    data = {
        "register": query.register.register_key,
        "register_name": str(query.register.register_name),
        "filters": [{"label": label, "value": value} for label, value in query.describe_filters()],
        "params": query.loggable_params(),
        "search": query.loggable_search_term(),
        "sort": query.sort,
        "rows": rows,
        "file_name": file_name,
        "channel": channel,
        "exported_at": timezone.now().isoformat(),
    }
    target = user if user is not None else _command_line_target(query)
    log(target, EXPORT_ACTION, user=user, data=data)


def _command_line_target(query: RegisterQuery):
    """Command-line exports have no user: log against the register's content type instead."""
    return ContentType.objects.get_for_model(query.register.model)

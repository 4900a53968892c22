"""The base of the project's management commands: `--verbosity` is a log level, and what a command
says goes through `logging` (the command's own module logger and the services' loggers) rather than
bare writes.

--verbosity 0: errors only; 1 (default): warnings and the summary (INFO); 2: progress of long work
(PROGRESS); 3: debug. With the text log format (development, cron mail) the records are written as
plain lines to the command's stdout, warnings and errors to its stderr, so `call_command(stdout=...)`
and shell redirection see them as they see any Django command's output; with LOG_FORMAT=json they go
to the configured handlers (one JSON object per line) like every other log line. Either way they pass
the configured filters (identity numbers masked, portal.jsonlog).
"""

import logging
from contextlib import contextmanager

from django.conf import settings
from django.core.management.base import BaseCommand, OutputWrapper

from programs.progress import PROGRESS

LEVELS = {0: logging.ERROR, 1: logging.INFO, 2: PROGRESS, 3: logging.DEBUG}
# Commands and the services they call log under these names.
PROJECT_LOGGERS = ("applicants", "programs", "public_pages")


class CommandOutputHandler(logging.Handler):
    """Writes each record's message to the running command's stdout, or stderr from WARNING up."""

    def __init__(self, command: BaseCommand):
        super().__init__()
        self.command = command
        self.setFormatter(logging.Formatter("%(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = self.format(record)
            stream = self.command.stderr if record.levelno >= logging.WARNING else self.command.stdout
            stream.write(message)
        except Exception:  # logging never breaks the work it reports on (logging.Handler.handleError)
            self.handleError(record)


def _console_handler() -> logging.Handler | None:
    return next((handler for handler in logging.getLogger().handlers if handler.get_name() == "console"), None)


def _json_logs() -> bool:
    return settings.LOGGING.get("handlers", {}).get("console", {}).get("formatter") == "json"


class LoggingCommand(BaseCommand):
    """A BaseCommand whose output is log records at the level `--verbosity` asks for."""

    def execute(self, *args, **options):
        with self.logging_at(LEVELS.get(options.get("verbosity", 1), logging.DEBUG)):
            if options.get("stdout"):  # as BaseCommand.execute does, so this first line reaches it too
                self.stdout = OutputWrapper(options["stdout"])
            shown = {key: value for key, value in options.items() if key not in {"stdout", "stderr"}}
            logging.getLogger(type(self).__module__).debug("arguments %s, options %s", args, shown)
            return super().execute(*args, **options)

    @contextmanager
    def logging_at(self, level: int):
        loggers = [logging.getLogger(name) for name in PROJECT_LOGGERS]
        saved = [(logger, logger.level, logger.propagate) for logger in loggers]
        handler = None
        if not _json_logs():
            handler = CommandOutputHandler(self)
            console = _console_handler()
            for log_filter in console.filters if console else ():
                handler.addFilter(log_filter)
        try:
            for logger in loggers:
                logger.setLevel(level)
                if handler is not None:
                    logger.addHandler(handler)
                    logger.propagate = False  # the console handler would print every line a second time
            yield
        finally:
            for logger, old_level, old_propagate in saved:
                logger.setLevel(old_level)
                logger.propagate = old_propagate
                if handler is not None:
                    logger.removeHandler(handler)

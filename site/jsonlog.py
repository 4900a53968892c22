"""Log output for production log collectors, with identity numbers masked.

- `JsonFormatter`: one JSON object per line on stdout (journald, Docker, Loki...). Plain
  `logging.Formatter` output splits tracebacks over many lines and cannot be queried by field.
- `MaskIdentityFilter`: on every handler (Django's LOGGING and gunicorn's logconfig_dict). Register
  searches put a NIK or KK in the query string, and gunicorn's access log, Django's request logging and
  tracebacks would keep it; any run of 16 digits (ASCII or any other Unicode digit set, with spaces,
  dots or hyphens between, percent-encoded or not) keeps its first 4 digits and loses the rest.
"""

import json
import logging
import re
from datetime import UTC, datetime
from urllib.parse import unquote_plus

# Attributes every LogRecord has; anything else was passed via `extra=` and is included as a field.
_STANDARD_ATTRS = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}

# 16 digits, each but the last optionally followed by one separator the register search accepts.
_IDENTITY_RUN = re.compile(r"(?:\d[ .\-]?){15}\d")
_KEPT_DIGITS = 4


def _mask_match(match: re.Match) -> str:
    digits = [ch for ch in match.group(0) if ch.isdigit()]
    return "".join(digits[:_KEPT_DIGITS]) + "*" * (len(digits) - _KEPT_DIGITS)


def mask_identity_numbers(text: str) -> str:
    """`text` with every NIK/KK-like run masked. Percent-encoded text (a request line) is decoded first
    when the decoded form holds such a run, so `q=3671%200101...` cannot slip through."""
    if not text:
        return text
    if "%" in text or "+" in text:
        decoded = unquote_plus(text)
        if decoded != text and _IDENTITY_RUN.search(decoded):
            text = decoded
    return _IDENTITY_RUN.sub(_mask_match, text)


def _mask_value(value):
    if isinstance(value, str):
        return mask_identity_numbers(value)
    if isinstance(value, dict):
        return {key: _mask_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_mask_value(item) for item in value]
    return value


class MaskIdentityFilter(logging.Filter):
    """Rewrites the record in place (message, string extras, traceback) before any formatter sees it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a broken %-format: log the raw template rather than nothing
            message = str(record.msg)
        record.msg, record.args = mask_identity_numbers(message), ()
        for key, value in list(record.__dict__.items()):
            if key not in _STANDARD_ATTRS and not key.startswith("_") and key != "request":
                setattr(record, key, _mask_value(value))
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_identity_numbers(record.exc_text)
        return True


class JsonFormatter(logging.Formatter):
    """Format a record as a JSON object: time (UTC, ISO 8601), level, logger, message, extras, exc."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key in _STANDARD_ATTRS or key.startswith("_"):
                continue
            if key == "request":  # Django passes the HttpRequest: log what identifies it, not the object
                entry["method"] = getattr(value, "method", None)
                entry["path"] = mask_identity_numbers(getattr(value, "path", "") or "")
                continue
            entry[key] = value
        if record.exc_text:
            entry["exc"] = record.exc_text
        elif record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str, ensure_ascii=False)

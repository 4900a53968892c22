"""Gunicorn settings for `make serve` (scripts/serve.sh), all from the environment.

WEB_CONCURRENCY  worker processes (default 2; about 2 x cores + 1 on a dedicated server)
BIND             address to listen on (default 127.0.0.1:8000; a proxy in front terminates TLS)
GUNICORN_TIMEOUT seconds before a silent worker is restarted (default 60; xlsx exports stream)
LOG_FORMAT       json (default) or text: gunicorn's own and access logs, like Django's (portal.jsonlog)
"""

import os

wsgi_app = "portal.wsgi:application"
bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
# Only the proxy may set X-Forwarded-*; list its address when it is not on this machine.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'

_format = os.environ.get("LOG_FORMAT", "json")
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "portal.jsonlog.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    # The request line carries register searches (a NIK or KK in `?q=`): masked before it is written.
    "filters": {"mask_identity": {"()": "portal.jsonlog.MaskIdentityFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": _format,
            "filters": ["mask_identity"],
        },
        "error_console": {
            "class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": _format,
            "filters": ["mask_identity"],
        },
    },
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["console"], "propagate": False},
    },
}

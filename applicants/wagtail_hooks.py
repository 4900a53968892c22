from . import privacy_hooks  # noqa: F401

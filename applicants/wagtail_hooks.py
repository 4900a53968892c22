from . import welfare_hooks  # noqa: F401

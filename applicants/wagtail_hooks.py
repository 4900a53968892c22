from . import delivery_hooks  # noqa: F401

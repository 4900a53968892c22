from . import interview_hooks  # noqa: F401

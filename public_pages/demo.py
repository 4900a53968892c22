"""Demo pages (filled in by the public-site work)."""


def seed() -> None:
    return None

"""Demo programs and intakes (filled in by the public-site work)."""


def seed() -> None:
    return None

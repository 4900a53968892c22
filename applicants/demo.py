"""Synthetic applicants (filled in by the intake work)."""


def seed_applicants(count: int, stdout=None) -> int:
    return 0

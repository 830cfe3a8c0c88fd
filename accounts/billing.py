"""What an account owes for a month: its plan's price plus any overage.

`accounts` cannot import `usage` (imports point down), so the usage app registers
the function that counts an account's operations in a month; without one, there
is no overage.
"""

from collections.abc import Callable

UsageSource = Callable[[int, int, int], int]
_usage_sources: list[UsageSource] = []


def register_usage_source(source: UsageSource) -> UsageSource:
    """Register `source(account_id, year, month) -> operations that month`."""
    if source not in _usage_sources:
        _usage_sources.append(source)
    return source


def unregister_usage_source(source: UsageSource) -> None:
    if source in _usage_sources:
        _usage_sources.remove(source)


def operations_in_month(*, account_id: int, year: int, month: int) -> int:
    return sum(source(account_id, year, month) for source in _usage_sources)

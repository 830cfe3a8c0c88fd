"""What `GET /api/me/stats` reports of the apps above `apikeys`, through a registry.

A source is a function of the account returning some of the CurrentUserStats fields
(`storedMessages`, `inboxBytes`, ...); capture registers the stored messages'.
"""

from collections.abc import Callable

from accounts.models import Account

StatsSource = Callable[[Account], dict]
_sources: list[StatsSource] = []


def register_stats_source(source: StatsSource) -> StatsSource:
    if source not in _sources:
        _sources.append(source)
    return source


def stats_from_sources(account: Account) -> dict:
    stats = {}
    for source in _sources:
        stats.update(source(account))
    return stats

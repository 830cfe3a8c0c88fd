"""UTC calendar months and hours, the units usage is counted in."""

import math
from datetime import UTC, date, datetime, timedelta


def month_of(moment: datetime) -> date:
    """The first day of the UTC month that `moment` falls in."""
    moment = moment.astimezone(UTC)
    return date(moment.year, moment.month, 1)


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def previous_month(month: date) -> date:
    return date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)


def months_back(month: date, n: int) -> date:
    """The month `n` months before `month`."""
    index = month.year * 12 + month.month - 1 - n
    return date(index // 12, index % 12 + 1, 1)


def month_start(month: date) -> datetime:
    return datetime(month.year, month.month, 1, tzinfo=UTC)


def hour_of(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def months_between(first: date, last: date) -> list[date]:
    """Every month from `first` to `last`, both included, oldest first."""
    months, month = [], date(first.year, first.month, 1)
    while month <= last:
        months.append(month)
        month = next_month(month)
    return months


def seconds_to_next_month(moment: datetime) -> int:
    """Whole seconds (rounded up, at least 1) until the next UTC month begins."""
    remaining = (month_start(next_month(month_of(moment))) - moment).total_seconds()
    return max(1, math.ceil(remaining))


def parse_month(text: str) -> date:
    """`YYYY-MM` to the first day of that month; ValueError for anything else."""
    try:
        parsed = datetime.strptime(text.strip(), "%Y-%m")
    except (ValueError, AttributeError):
        raise ValueError("A month is written YYYY-MM, for example 2026-01.") from None
    if len(text.strip()) != 7:
        raise ValueError("A month is written YYYY-MM, for example 2026-01.")
    return parsed.date()


def month_label(month: date) -> str:
    return f"{month:%Y-%m}"


HOUR = timedelta(hours=1)

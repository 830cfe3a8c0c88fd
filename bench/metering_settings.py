"""bench/metering.py: the benchmark settings, with an unmetered copy of GET /api/me mounted."""

from bench.settings import *  # noqa: F403

ROOT_URLCONF = "bench.metering_urls"

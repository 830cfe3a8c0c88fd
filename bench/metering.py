"""GET /api/me with metering and the quota check, against the same endpoint without them.

Run: .venv/bin/python bench/metering.py   (PostgreSQL and Redis on loopback; wrk)

One gunicorn (2 workers) serves three URLs in the same run: a plain JsonResponse
view, GET /bench/unmetered/me (the key check, no metering) and GET /api/me (key
check + one Redis round trip that meters the call and returns the month total).
Prints requests/s of each and two ratios: metered / unmetered (goal >= 0.85) and
metered / plain (goal >= 0.5).
"""

import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import PYTHON, ROOT, bench_env, gunicorn, prepare_database, wrk

MAKE_KEY = """
from accounts.models import Account
from apikeys.models import ApiKey
from apikeys.services import api_key_create
account, _ = Account.objects.get_or_create(username="bench-metering", defaults={"email": "m@example.com"})
Account.objects.filter(pk=account.pk).update(plan="enterprise", overage_allowed=True)
ApiKey.objects.filter(account=account).delete()
print(api_key_create(account=account, name="bench")[1])
"""


def main():
    env = bench_env(DJANGO_SETTINGS_MODULE="bench.metering_settings")
    prepare_database(env)
    made = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", MAKE_KEY], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    secret = made.stdout.strip().splitlines()[-1]
    key = {"Mailsac-Key": secret}
    seconds = int(os.environ.get("BENCH_SECONDS", "5"))
    with gunicorn(env) as base:
        for url, headers in (
            (f"{base}/bench/plain", None),
            (f"{base}/bench/unmetered/me", key),
            (f"{base}/api/me", key),
        ):
            wrk(url, seconds=1, headers=headers)
        rounds = {"plain": [], "unmetered": [], "metered": []}
        # Interleaved rounds, so that a slow moment of the machine hits all three alike.
        for _ in range(3):
            rounds["plain"].append(wrk(f"{base}/bench/plain", seconds=seconds))
            rounds["unmetered"].append(wrk(f"{base}/bench/unmetered/me", seconds=seconds, headers=key))
            rounds["metered"].append(wrk(f"{base}/api/me", seconds=seconds, headers=key))
    plain, unmetered, metered = (max(rounds[name]) for name in ("plain", "unmetered", "metered"))
    print(f"plain JsonResponse view        : {plain:8.0f} requests/s")
    print(f"GET /api/me without metering   : {unmetered:8.0f} requests/s")
    print(f"GET /api/me metered + quota    : {metered:8.0f} requests/s")
    print(f"ratio metered / unmetered      : {metered / unmetered:8.2f}  (goal >= 0.85)")
    print(f"ratio metered / plain          : {metered / plain:8.2f}  (goal >= 0.50)")


if __name__ == "__main__":
    main()

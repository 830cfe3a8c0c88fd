"""GET /api/me with a valid key against a plain JsonResponse view, in one gunicorn (2 workers).

Run: .venv/bin/python bench/api_auth.py   (PostgreSQL and Redis on loopback)
Prints requests/s of each and the ratio; the goal is a ratio of at least 0.5.
"""

import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import PYTHON, ROOT, bench_env, best_of, gunicorn, prepare_database, wrk

MAKE_KEY = """
from accounts.models import Account
from apikeys.models import ApiKey
from apikeys.services import api_key_create
account, _ = Account.objects.get_or_create(username="bench", defaults={"email": "bench@example.com"})
Account.objects.filter(pk=account.pk).update(plan="enterprise")
ApiKey.objects.filter(account=account).delete()
print(api_key_create(account=account, name="bench")[1])
"""


def main():
    env = bench_env()
    prepare_database(env)
    secret = (
        subprocess.run(
            [PYTHON, "manage.py", "shell", "-c", MAKE_KEY],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    seconds = int(os.environ.get("BENCH_SECONDS", "5"))
    with gunicorn(env) as base:
        wrk(f"{base}/bench/plain", seconds=1)
        wrk(f"{base}/api/me", seconds=1, headers={"Mailsac-Key": secret})
        plain = best_of(3, lambda: wrk(f"{base}/bench/plain", seconds=seconds))
        me = best_of(3, lambda: wrk(f"{base}/api/me", seconds=seconds, headers={"Mailsac-Key": secret}))
    print(f"plain JsonResponse view : {plain:8.0f} requests/s")
    print(f"GET /api/me (key check) : {me:8.0f} requests/s")
    print(f"ratio                   : {me / plain:8.2f}  (goal >= 0.50)")


if __name__ == "__main__":
    main()

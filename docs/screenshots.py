"""The README's screenshots, from the demo data: `.venv/bin/python docs/screenshots.py`.

Runs the site embedded on a throwaway SQLite database (a temporary VAR_DIR), loads
`seed_demo`, signs in as the demo team account in Debian's Chromium and saves
three 1280-pixel-wide PNGs into docs/screenshots/: the dashboard, the API keys
page right after generating a key (a throwaway key of a throwaway database),
and the usage page. Nothing of the developer's own database is touched.
"""

import io
import os
import shutil
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
WIDTH = 1280
# Above this a PNG is worth shrinking with optipng, when Debian's optipng is installed.
MAX_BYTES = 150_000


def embedded_site() -> str:
    """Migrate and seed a fresh embedded database, serve it on a free port; return the base URL."""
    for name in ("DATABASE_URL", "REDIS_URL", "SQLITE_PATH", "SECRET_KEY", "API_KEY_PEPPER", "DEBUG"):
        os.environ.pop(name, None)
    os.environ.update(VAR_DIR=tempfile.mkdtemp(prefix="mailsac-shots-"), HTTPS_ONLY="0")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mailsac_accounts.settings")
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()
    from django.core.management import call_command
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application

    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=io.StringIO())

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    server = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler)
    server.set_app(get_wsgi_application())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}"


def shoot(page, name: str, height: int) -> Path:
    path = OUT / f"{name}.png"
    page.screenshot(path=str(path), full_page=True, clip={"x": 0, "y": 0, "width": WIDTH, "height": height})
    if path.stat().st_size > MAX_BYTES and shutil.which("optipng"):
        os.system(f"optipng -quiet -o2 {path}")  # noqa: S605 (our own path)
    print(f"{path.relative_to(ROOT)}: {path.stat().st_size // 1024} KB")
    return path


def main() -> None:
    from playwright.sync_api import sync_playwright

    base_url = embedded_site()
    from accounts.demo import DEMO_ACCOUNTS

    team = DEMO_ACCOUNTS["team"]
    OUT.mkdir(parents=True, exist_ok=True)
    executable = shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(base_url=base_url, viewport={"width": WIDTH, "height": 800})
        page.goto("/accounts/login/")
        page.get_by_label("Account ID or email").fill(team["username"])
        page.get_by_label("Password").fill(team["password"])
        page.get_by_role("button", name="Sign In").click()
        page.wait_for_url("**/dashboard/")
        page.goto("/dashboard/")
        shoot(page, "dashboard", 700)

        page.goto("/api-keys/")
        page.get_by_label("Key name").fill("readme-example")
        page.get_by_role("button", name="Generate new API key").click()
        page.get_by_test_id("new-api-key").wait_for()
        shoot(page, "api-key-created", 500)

        page.goto("/usage/")
        shoot(page, "usage", 1330)
        browser.close()


if __name__ == "__main__":
    main()

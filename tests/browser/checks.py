"""What every browser test may ask of a page: accessibility by axe-core, CSP violations, a session."""

from axe_playwright_python.sync_playwright import Axe

# Recorded before any script of the page runs, so nothing the page does escapes it.
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"} at ${event.sourceFile}:${event.lineNumber}`
  );
});
"""
AXE = Axe()
# No CSSOM preload: it re-creates stylesheets as inline <style> elements, which the policy blocks.
AXE_OPTIONS = {"resultTypes": ["violations"], "preload": False}
BLOCKING_IMPACTS = {"serious", "critical"}


def axe_problems(page, ignore: frozenset = frozenset()) -> list[tuple[str, str]]:
    """(impact, description) of each serious or critical axe violation on the page."""
    found = []
    for violation in AXE.run(page, options=AXE_OPTIONS).response["violations"]:
        if violation["impact"] not in BLOCKING_IMPACTS or violation["id"] in ignore:
            continue
        targets = "; ".join(", ".join(node["target"]) for node in violation["nodes"][:5])
        found.append((violation["impact"], f"{violation['id']}: {violation['help']} [{targets}]"))
    return found


def csp_violations(page) -> list[str]:
    return page.evaluate("window.__cspViolations || []")


def signed_in_context(browser, live_server, client, **options):
    """A browser context sharing the session of a Django test client (signed in by `sign_in`)."""
    context = browser.new_context(base_url=live_server.url, **options)
    context.add_init_script(CSP_LISTENER)
    if "sessionid" in client.cookies:
        context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    return context

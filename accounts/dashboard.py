"""Summary panels that the apps above `accounts` put on the dashboard.

A panel is a function of the request returning the context of one stat tile
(`label`, `value`, optional `detail` and `url`), or None to show nothing.
"""

from collections.abc import Callable

from django.http import HttpRequest

Panel = Callable[[HttpRequest], dict | None]
_panels: list[Panel] = []


def register_dashboard_panel(panel: Panel) -> Panel:
    if panel not in _panels:
        _panels.append(panel)
    return panel


def dashboard_panels(request: HttpRequest) -> list[dict]:
    return [tile for panel in _panels if (tile := panel(request))]

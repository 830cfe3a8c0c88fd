"""Marks views that a restricted (API Key Login) session may reach.

Everything else is denied to such a session by default; the middleware that
enforces it lives in `apikeys`. The marker lives here so any app can use it.
"""

from collections.abc import Callable


def key_session_allowed(view: Callable) -> Callable:
    """Allow a restricted key session to reach this view."""
    view.key_session_allowed = True
    return view


def allows_key_session(view: Callable) -> bool:
    view_class = getattr(view, "view_class", None)
    return bool(getattr(view, "key_session_allowed", False) or getattr(view_class, "key_session_allowed", False))


def is_key_session(request) -> bool:
    """True for a session opened by API Key Login (set by the apikeys middleware)."""
    return getattr(request, "api_key_session", None) is not None

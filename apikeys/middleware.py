"""The restricted session of API Key Login: deny by default.

A session opened by API Key Login carries the key's id. On every request the key is
looked up again, so deleting it, switching its website login off or moving the account
to an individual plan ends the session on its next request (a password change ends it
through Django's session hash). Such a session reaches only views marked with
`accounts.access.key_session_allowed`; everything else answers 403.
"""

from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect, render

from accounts.access import allows_key_session

from .models import ApiKey

KEY_SESSION_KEY = "api_key_session_id"
# The REST API authenticates by key on every call and never reads the session.
SESSIONLESS_PREFIXES = ("/api/",)

RESTRICTIONS = [
    "view or modify payment information",
    "add or remove API keys, or switch their website login",
    "manage account features or change the plan",
    "add or remove custom domains",
    "change account details, email or password, or delete the account",
]


def start_key_session(request, key: ApiKey) -> None:
    from django.contrib.auth import login

    request.session.flush()
    login(request, key.account, backend="django.contrib.auth.backends.ModelBackend")
    request.session[KEY_SESSION_KEY] = key.pk


class RestrictedSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.api_key_session = None
        key_id = request.session.get(KEY_SESSION_KEY) if request.user.is_authenticated else None
        if key_id is not None:
            key = self.current_key(request, key_id)
            if key is None:
                logout(request)
                messages.info(request, "Your API key session has ended: the key was deleted or can no longer sign in.")
                return redirect("api_key_login")
            request.api_key_session = key
        return self.get_response(request)

    @staticmethod
    def current_key(request, key_id) -> ApiKey | None:
        if not request.user.is_team_plan:
            return None
        return ApiKey.objects.filter(pk=key_id, account=request.user, website_login=True).first()

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.api_key_session is None or request.path.startswith(SESSIONLESS_PREFIXES):
            return None
        if allows_key_session(view_func):
            return None
        return render(
            request,
            "403.html",
            {
                "reason": (
                    f"You are signed in with the API key “{request.api_key_session.name}”. "
                    "A key session cannot open this page."
                ),
                "restrictions": RESTRICTIONS,
            },
            status=403,
        )

"""The ASGI application: the site over HTTP and the WebSocket endpoint `/incoming-messages`.

Serve it with `uvicorn mailsac_accounts.asgi:application` (production: next to or instead
of gunicorn). Embedded, `python manage.py capture_smtp` serves the WebSocket part itself.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mailsac_accounts.settings")

# Django must be set up before the consumers, which import models, are imported.
django_application = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from capture.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_application,
        "websocket": URLRouter(websocket_urlpatterns),
    }
)

"""WebSocket forwarding through the channel layer: one group per account.

Production uses the Redis channel layer, so a Celery worker's publish reaches
subscribers on any ASGI server. Embedded mode uses the in-memory layer: the
subscribers must then be connected to the process that publishes, which is why
`capture_smtp` serves the WebSocket endpoint itself there (settings.CAPTURE_WS_PORT).
"""

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

EVENT_TYPE = "email.forward"


def account_group(account_id: int) -> str:
    return f"capture.account.{account_id}"


def publish(*, account_id: int, frame: dict) -> None:
    """Hand a frame to every subscriber of the account; raises if the layer cannot take it."""
    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError("No channel layer is configured (settings.CHANNEL_LAYERS).")
    async_to_sync(layer.group_send)(account_group(account_id), {"type": EVENT_TYPE, "frame": frame})

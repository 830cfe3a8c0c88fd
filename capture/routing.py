from django.urls import path

from .consumers import IncomingMessagesConsumer

websocket_urlpatterns = [
    path("incoming-messages", IncomingMessagesConsumer.as_asgi()),
]

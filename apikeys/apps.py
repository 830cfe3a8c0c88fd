from django.apps import AppConfig


class ApiKeysConfig(AppConfig):
    name = "apikeys"

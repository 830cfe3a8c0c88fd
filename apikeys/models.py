from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

# last_used is written at most once per key per this interval, never per request.
LAST_USED_RESOLUTION = timedelta(seconds=60)


class ApiKey(models.Model):
    """A named API key. Only its lookup identifier and keyed digest are stored."""

    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=64)
    lookup = models.CharField("identifier", max_length=16, unique=True)
    digest = models.CharField(max_length=64)
    website_login = models.BooleanField("website login", default=False)
    created = models.DateTimeField(default=timezone.now)
    last_used = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "API key"
        ordering = ["created", "pk"]
        constraints = [
            models.UniqueConstraint("account", Lower("name"), name="api_key_name_unique_per_account"),
        ]

    def __str__(self):
        return f"{self.name} ({self.lookup}…)"

    @property
    def identifier(self) -> str:
        """The non-secret part shown in lists: enough to tell keys apart."""
        return f"k_{self.lookup}…"

    def touch(self, now=None) -> bool:
        """Record use, with at most one conditional UPDATE per key per minute; True when it wrote."""
        now = now or timezone.now()
        if self.last_used and now - self.last_used < LAST_USED_RESOLUTION:
            return False
        stale = Q(last_used__isnull=True) | Q(last_used__lt=now - LAST_USED_RESOLUTION)
        ApiKey.objects.filter(stale, pk=self.pk).update(last_used=now)
        self.last_used = now
        return True

"""Endpoints other tools registered, the events Lexhub announces, and each event's delivery per endpoint."""

import uuid
from fnmatch import fnmatchcase

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from connections import crypto


class Endpoint(models.Model):
    """A URL of another tool that receives a connection's events, signed with its own secret.

    The secret is stored encrypted (like API keys) and shown once, at creation or rotation. During a
    rotation the previous secret keeps signing too (two signatures in `webhook-signature`) until
    `previous_secret_expires_at`, so the receiver can switch over without dropping a delivery.
    """

    connection = models.ForeignKey("connections.Connection", on_delete=models.CASCADE, related_name="+")
    url = models.URLField(max_length=500)
    description = models.CharField(max_length=200, blank=True)
    event_types = models.JSONField(default=list, help_text="Patterns like contact.* or invoice.created; * is all.")
    secret_encrypted = models.TextField(editable=False)
    previous_secret_encrypted = models.TextField(editable=False, blank=True)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    enabled = models.BooleanField(default=True)
    disabled_reason = models.CharField(max_length=255, blank=True)
    failing_since = models.DateTimeField(null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)  # the lease of the worker draining it
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.url

    def wants(self, event_type: str) -> bool:
        return any(fnmatchcase(event_type, pattern) for pattern in self.event_types)

    def signing_secrets(self) -> list[str]:
        secrets = [crypto.decrypt(self.secret_encrypted)]
        if self.previous_secret_encrypted and (
            self.previous_secret_expires_at is None or self.previous_secret_expires_at > timezone.now()
        ):
            secrets.append(crypto.decrypt(self.previous_secret_encrypted))
        return secrets


class Event(models.Model):
    """One announced change. The primary key is the sequence: it grows with every event, and two
    changes of one record are stored in the order the mirror stored them (the mirror row's lock orders
    them), so a receiver keeps the highest sequence per record and drops older deliveries."""

    connection = models.ForeignKey("connections.Connection", on_delete=models.CASCADE, related_name="+")
    message_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event_type = models.CharField(max_length=60)
    lexoffice_id = models.UUIDField(null=True, blank=True)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["connection", "id"], name="outgoing_event_conn_seq")]

    def __str__(self) -> str:
        return f"{self.event_type} #{self.pk}"

    @property
    def webhook_id(self) -> str:
        return f"msg_{self.message_id.hex}"


class Delivery(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_status = models.IntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["event", "endpoint"], name="outgoing_delivery_once")]
        indexes = [models.Index(fields=["endpoint", "state", "next_attempt_at"], name="outgoing_delivery_due")]

    def __str__(self) -> str:
        return f"{self.event_id} -> {self.endpoint_id}: {self.state}"


class Attempt(models.Model):
    """One try to deliver: what the receiver answered (status, a short excerpt) or why nothing came back."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    started_at = models.DateTimeField(default=timezone.now)
    duration_ms = models.PositiveIntegerField(default=0)
    status = models.IntegerField(null=True, blank=True)
    response_excerpt = models.CharField(max_length=500, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.delivery_id} at {self.started_at:%Y-%m-%d %H:%M:%S}: {self.status or self.error}"

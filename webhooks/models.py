from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class WebhookEventQuerySet(models.QuerySet):
    def visible_to(self, user) -> "WebhookEventQuerySet":
        from connections.models import Connection

        return self.filter(connection__in=Connection.objects.visible_to(user))

    def pending(self) -> "WebhookEventQuerySet":
        return self.filter(state=WebhookEvent.State.PENDING)


class WebhookEvent(models.Model):
    """The inbox: every verified delivery, stored before it is acknowledged."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        PROCESSED = "processed", _("Processed")
        IGNORED = "ignored", _("Ignored")
        DEAD = "dead", _("Dead")

    connection = models.ForeignKey("connections.Connection", on_delete=models.CASCADE, related_name="webhook_events")
    organization_id = models.UUIDField(null=True)
    event_type = models.CharField(max_length=60, db_index=True)
    resource_id = models.CharField(max_length=64)
    event_date = models.CharField(max_length=40, help_text="As sent; part of the de-duplication key.")
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    objects = WebhookEventQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "event_type", "resource_id", "event_date"], name="webhookevent_unique_delivery"
            )
        ]
        indexes = [
            models.Index(fields=["state", "received_at"], name="webhookevent_pending", condition=Q(state="pending")),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.resource_id}"


class EventSubscription(models.Model):
    """An event subscription we registered at Lexoffice for a connection."""

    connection = models.ForeignKey(
        "connections.Connection", on_delete=models.CASCADE, related_name="event_subscriptions"
    )
    subscription_id = models.UUIDField()
    event_type = models.CharField(max_length=60)
    callback_url = models.URLField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["connection", "event_type"], name="eventsubscription_one_per_type")
        ]

    def __str__(self) -> str:
        return self.event_type

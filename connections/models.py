import secrets
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from connections import crypto
from lexoffice.client import Lexoffice
from lexoffice.hosts import resolved_base_url

KEY_LIFETIME = timedelta(days=730)  # Lexoffice API keys live 24 months
KEY_EXPIRY_WARNING = timedelta(days=30)


def new_webhook_token() -> str:
    return secrets.token_urlsafe(32)


class ConnectionQuerySet(models.QuerySet):
    def visible_to(self, user: "AbstractBaseUser | AnonymousUser") -> "ConnectionQuerySet":
        if not user.is_authenticated:
            return self.none()
        member_of = Connection.members.through.objects.filter(user_id=user.pk).values("connection_id")
        return self.filter(Q(owner_id=user.pk) | Q(pk__in=member_of))

    def owned_by(self, user: "AbstractBaseUser | AnonymousUser") -> "ConnectionQuerySet":
        if not user.is_authenticated:
            return self.none()
        return self.filter(owner_id=user.pk)

    def active(self) -> "ConnectionQuerySet":
        return self.filter(status=Connection.Status.ACTIVE)


class Connection(models.Model):
    """One Lexoffice account reached with one API key. The key is write-only: encrypted at rest."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        INVALID_KEY = "invalid_key", _("Invalid key")
        REVOKED = "revoked", _("Revoked")

    name = models.CharField(max_length=100)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="owned_connections")
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="connections", db_table="lexhub_connection_members"
    )
    api_key_encrypted = models.TextField(editable=False)
    base_url = models.URLField(blank=True, help_text="Host root; empty means LEXOFFICE_API_BASE_URL.")
    organization_id = models.UUIDField(null=True, blank=True, db_index=True)
    company_name = models.CharField(max_length=255, blank=True)
    profile = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    status_detail = models.CharField(max_length=255, blank=True)
    key_created_on = models.DateField(default=date.today)
    key_expires_on = models.DateField(null=True, blank=True)
    webhook_token = models.CharField(max_length=64, unique=True, default=new_webhook_token, editable=False)
    rate_limit = models.FloatField(default=2.0, help_text="Requests per second allowed for this key.")
    fetch_files_eagerly = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ConnectionQuerySet.as_manager()

    class Meta:
        db_table = "lexhub_connection"  # moved from the lexhub app; the table kept its name
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="connection_unique_name_per_owner")]

    def __str__(self) -> str:
        return self.name

    @property
    def api_key(self) -> str:
        return crypto.decrypt(self.api_key_encrypted)

    def set_api_key(self, api_key: str) -> None:
        self.api_key_encrypted = crypto.encrypt(api_key)
        self.key_created_on = timezone.localdate()
        self.key_expires_on = self.key_created_on + KEY_LIFETIME

    @property
    def effective_base_url(self) -> str:
        """Where this connection's key goes; raises BaseUrlNotAllowed when the deployment no longer allows it."""
        return resolved_base_url(self.base_url)

    @property
    def key_expires_soon(self) -> bool:
        return bool(self.key_expires_on and self.key_expires_on - timezone.localdate() <= KEY_EXPIRY_WARNING)

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    def client(self, lane: str = "interactive") -> Lexoffice:
        return Lexoffice(self.api_key, self.base_url, lane=lane, rate=self.rate_limit)


class SyncRunQuerySet(models.QuerySet):
    def unfinished(self) -> "SyncRunQuerySet":
        return self.filter(state__in=[SyncRun.State.QUEUED, SyncRun.State.RUNNING])


class SyncRun(models.Model):
    """One sync of one connection: its progress is what the UI and API show live."""

    class Kind(models.TextChoices):
        FULL = "full", _("Full")
        INCREMENTAL = "incremental", _("Incremental")
        RECONCILE = "reconcile", _("Reconcile")

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="sync_runs")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    state = models.CharField(max_length=20, choices=State.choices, default=State.QUEUED, db_index=True)
    phase = models.CharField(max_length=40, blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True)
    requests = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    checkpoint = models.JSONField(default=dict, blank=True)
    since = models.DateTimeField(null=True, blank=True, help_text="Incremental: changes since this time.")
    lease_until = models.DateTimeField(null=True, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = SyncRunQuerySet.as_manager()

    class Meta:
        db_table = "lexhub_syncrun"  # moved from the lexhub app; the table kept its name
        ordering = ["-created_at"]
        constraints = [
            # The database, not a cache lock, guarantees one unfinished sync per connection.
            models.UniqueConstraint(
                fields=["connection"],
                condition=Q(state__in=["queued", "running"]),
                name="syncrun_one_unfinished_per_connection",
            )
        ]
        # A connection's latest runs (the dashboard, next_sync): runs pile up at ~96 a day and are kept.
        indexes = [models.Index(fields=["connection", "-created_at"], name="syncrun_latest_per_connection")]

    def __str__(self) -> str:
        return f"{self.kind} sync of {self.connection_id} ({self.state})"

    @property
    def percent(self) -> int:
        if self.state == self.State.SUCCEEDED:
            return 100
        if not self.total:
            return 0
        return min(99, int(100 * self.done / self.total))

    @property
    def is_finished(self) -> bool:
        return self.state in (self.State.SUCCEEDED, self.State.FAILED)


class AuditLog(models.Model):
    """Every write sent to Lexoffice (and every passthrough call): who, when, what, result."""

    connection = models.ForeignKey(Connection, null=True, on_delete=models.SET_NULL, related_name="audit_entries")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    action = models.CharField(max_length=60)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    payload_sha256 = models.CharField(max_length=64, blank=True)
    status = models.PositiveSmallIntegerField(null=True)
    result = models.CharField(max_length=20)
    lexoffice_id = models.CharField(max_length=64, blank=True)
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        db_table = "lexhub_auditlog"  # moved from the lexhub app; the table kept its name
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.action} {self.result}"


class OutboxQuerySet(models.QuerySet):
    def pending(self) -> "OutboxQuerySet":
        return self.filter(state=OutboxEntry.State.PENDING)


class OutboxEntry(models.Model):
    """A write accepted locally that Lexoffice has not confirmed yet; pushed by a task, exactly once."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="outbox")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    operation = models.CharField(max_length=40, help_text="e.g. create_contact, update_contact, create_voucher")
    target_id = models.CharField(max_length=64, blank=True, help_text="Lexoffice id for updates")
    payload = models.JSONField()
    idempotency_key = models.UUIDField(unique=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    lexoffice_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = OutboxQuerySet.as_manager()

    class Meta:
        db_table = "lexhub_outboxentry"  # moved from the lexhub app; the table kept its name
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.operation} ({self.state})"

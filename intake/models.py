"""The intake doors of a connection and the record of every part that came through them."""

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from connections import crypto

if TYPE_CHECKING:
    from vouchers.models import Voucher


class DoorState(models.TextChoices):
    NEW = "new", _("Not checked yet")
    OK = "ok", _("Working")
    AUTH_FAILED = "auth_failed", _("The server refused the user name or password")
    UNREACHABLE = "unreachable", _("The server cannot be reached")
    MISSING = "missing", _("The folder does not exist")
    ERROR = "error", _("Error")


class Door(models.Model):
    """What both doors share: on/off, reachability state with backoff, and the lease of the worker polling it."""

    connection = models.OneToOneField("connections.Connection", on_delete=models.CASCADE, related_name="+")
    enabled = models.BooleanField(default=True)
    state = models.CharField(max_length=20, choices=DoorState.choices, default=DoorState.NEW)
    state_detail = models.CharField(max_length=255, blank=True)
    failures = models.PositiveIntegerField(default=0)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    next_poll_at = models.DateTimeField(null=True, blank=True, db_index=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Mailbox(Door):
    class Security(models.TextChoices):
        TLS = "tls", _("TLS (port 993)")
        STARTTLS = "starttls", _("STARTTLS (port 143)")
        NONE = "none", _("Unencrypted (local servers only)")

    connection = models.OneToOneField("connections.Connection", on_delete=models.CASCADE, related_name="intake_mailbox")
    host = models.CharField(_("server"), max_length=255)
    port = models.PositiveIntegerField(_("port"), default=993)
    security = models.CharField(_("encryption"), max_length=10, choices=Security.choices, default=Security.TLS)
    username = models.CharField(_("user name"), max_length=255)
    password_encrypted = models.TextField(editable=False)
    folder = models.CharField(_("folder to read"), max_length=255, default="INBOX")
    processed_folder = models.CharField(_("folder for processed mail"), max_length=255, default="Lexhub-processed")
    failed_folder = models.CharField(_("folder for failed mail"), max_length=255, default="Lexhub-failed")
    allowed_senders = models.TextField(
        _("allowed senders"), blank=True, help_text=_("One address or @domain per line; empty: everyone.")
    )

    def __str__(self) -> str:
        return f"{self.username}@{self.host}"

    @property
    def password(self) -> str:
        return crypto.decrypt(self.password_encrypted)

    def set_password(self, password: str) -> None:
        self.password_encrypted = crypto.encrypt(password)

    def sender_allowed(self, sender: str) -> bool:
        allowed = [line.strip().lower() for line in self.allowed_senders.splitlines() if line.strip()]
        sender = sender.strip().lower()
        return not allowed or any(sender == a or (a.startswith("@") and sender.endswith(a)) for a in allowed)


class WatchedFolder(Door):
    connection = models.OneToOneField("connections.Connection", on_delete=models.CASCADE, related_name="intake_folder")
    path = models.CharField(_("folder"), max_length=500, help_text=_("Relative to the intake root of the server."))

    def __str__(self) -> str:
        return self.path


class IntakeItem(models.Model):
    """One mail part or one file: recorded before anything is sent, settled exactly once."""

    class Source(models.TextChoices):
        MAIL = "mail", _("Mail")
        FOLDER = "folder", _("Folder")

    class State(models.TextChoices):
        RECEIVED = "received", _("Received")
        QUEUED = "queued", _("Being uploaded")
        UPLOADED = "uploaded", _("Uploaded")
        DUPLICATE = "duplicate", _("Duplicate")
        REFUSED = "refused", _("Refused")
        SKIPPED = "skipped", _("Not a receipt")
        FAILED = "failed", _("Failed")

    OPEN = (State.RECEIVED, State.QUEUED)

    connection = models.ForeignKey("connections.Connection", on_delete=models.CASCADE, related_name="intake_items")
    source = models.CharField(max_length=10, choices=Source.choices)
    source_key = models.CharField(max_length=255, help_text="mail: uidvalidity:uid:part; folder: name:size:mtime")
    message_key = models.CharField(max_length=255, db_index=True, help_text="mail: uidvalidity:uid; folder: name")
    part_index = models.PositiveIntegerField(default=0)
    filename = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    content = models.FileField(upload_to="intake/%Y/%m/", max_length=255, blank=True)
    sender = models.CharField(max_length=255, blank=True)
    subject = models.CharField(max_length=500, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    message_id = models.CharField(max_length=255, blank=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.RECEIVED, db_index=True)
    reason = models.TextField(blank=True)
    upload = models.ForeignKey("vouchers.Upload", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    duplicate_of = models.ForeignKey(
        "vouchers.Voucher", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    lease_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["connection", "source", "source_key"], name="intake_item_once"),
            # Two doors racing with the same bytes: only one of them gets to create an upload.
            models.UniqueConstraint(
                fields=["connection", "sha256"],
                condition=Q(upload__isnull=False) & ~Q(state="failed"),
                name="intake_one_upload_per_hash",
            ),
        ]

    def __str__(self) -> str:
        return self.filename or self.source_key

    @property
    def settled(self) -> bool:
        return self.state not in self.OPEN

    @property
    def voucher(self) -> "Voucher | None":
        """The voucher this item became, or the one it is a duplicate of."""
        if self.upload is not None and self.upload.voucher_id:
            return self.upload.voucher
        return self.duplicate_of

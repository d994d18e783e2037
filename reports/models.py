from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AccountMapping(models.Model):
    """A Lexoffice posting category (or an invoice tax type, `sales:<taxType>`) booked to this DATEV account."""

    connection = models.ForeignKey("connections.Connection", on_delete=models.CASCADE, related_name="+")
    chart = models.CharField(max_length=5, choices=[("SKR03", "SKR03"), ("SKR04", "SKR04")])
    category_id = models.CharField(max_length=64)
    category_name = models.CharField(max_length=255, blank=True)
    account = models.CharField(max_length=9)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["connection", "chart", "category_id"], name="account_mapping_unique")
        ]

    def __str__(self) -> str:
        return f"{self.chart} {self.category_name or self.category_id} -> {self.account}"


class PeriodExport(models.Model):
    """One period export for the tax advisor: who asked, what for, its progress, and the ZIP's SHA-256 (audit)."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    connection = models.ForeignKey("connections.Connection", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    start = models.DateField()
    end = models.DateField()
    chart = models.CharField(max_length=5, default="SKR03")
    consultant_number = models.PositiveIntegerField(default=1001)
    client_number = models.PositiveIntegerField(default=1)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED, db_index=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    documents = models.PositiveIntegerField(default=0)
    files = models.PositiveIntegerField(default=0)
    bookings = models.PositiveIntegerField(default=0)
    problems = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    path = models.CharField(max_length=500, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.connection_id} {self.start}..{self.end}"

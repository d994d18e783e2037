"""An e-invoice Lexhub received: the XML exactly as it came (bytes, SHA-256), what it says, what was found."""

from typing import TYPE_CHECKING, Any

from django.db import models

from einvoices.document import Finding

if TYPE_CHECKING:
    from vouchers.models import Voucher


class EInvoiceQuerySet(models.QuerySet["EInvoice"]):
    def visible_to(self, user: Any) -> "EInvoiceQuerySet":
        from connections.models import Connection

        return self.filter(connection__in=Connection.objects.visible_to(user))


class EInvoice(models.Model):
    """One received e-invoice. `xml` is never rewritten: it is the attachment of a ZUGFeRD PDF or the uploaded
    XML file byte for byte; `xml_sha256` is taken when it is stored and shown beside the download."""

    class Container(models.TextChoices):
        XML = "xml", "XML"
        PDF = "pdf", "PDF/A-3"

    connection = models.ForeignKey("connections.Connection", on_delete=models.CASCADE, related_name="+")
    upload = models.OneToOneField(
        "vouchers.Upload", null=True, blank=True, on_delete=models.SET_NULL, related_name="einvoice"
    )
    file = models.OneToOneField(
        "vouchers.File",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="einvoice",
        help_text="Set for an e-invoice found among the files mirrored from Lexoffice.",
    )
    container = models.CharField(max_length=3, choices=Container.choices)
    xml = models.FileField(upload_to="einvoices/%Y/%m/", max_length=255)
    xml_name = models.CharField(max_length=100, blank=True, help_text="Name of the attachment inside a PDF.")
    xml_sha256 = models.CharField(max_length=64, db_index=True)
    xml_size = models.PositiveIntegerField()
    syntax = models.CharField(max_length=3)
    profile = models.CharField(max_length=20, blank=True)
    number = models.CharField(max_length=200, db_index=True)
    type_code = models.CharField(max_length=10, blank=True)
    seller_name = models.CharField(max_length=255, blank=True)
    seller_vat_id = models.CharField(max_length=50, blank=True)
    issue_date = models.DateField(null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    gross = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    data = models.JSONField(help_text="The normalised invoice (einvoices.document.EInvoice.to_json).")
    findings = models.JSONField(default=list)
    error_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EInvoiceQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["connection", "number"], name="einvoice_conn_number")]

    def __str__(self) -> str:
        return f"{self.seller_name} {self.number}".strip()

    @property
    def voucher(self) -> "Voucher | None":
        if self.upload is not None and self.upload.voucher is not None:
            return self.upload.voucher
        return self.file.voucher if self.file is not None else None

    @property
    def seller_key(self) -> str:
        return seller_key(self.seller_vat_id, self.seller_name)

    def finding_objects(self) -> list[Finding]:
        return [Finding(**item) for item in self.findings]


def seller_key(vat_id: str, name: str) -> str:
    """What makes two invoices come from the same seller: the VAT id, else the name (case and spaces ignored)."""
    return vat_id.replace(" ", "").upper() or " ".join(name.split()).casefold()

from django.db import models

from connections.mirror import MirroredModel
from lexoffice.kinds import BY_VOUCHER_TYPE

# voucherlist type -> its SalesKind (API path, webhook resource); SalesDocument.kind is one of its keys.
KINDS = BY_VOUCHER_TYPE


class SalesDocument(MirroredModel):
    """Full detail of a sales document (invoice, credit note, ...): line items, totals, document file.

    Its list entry lives in vouchers.Voucher (same Lexoffice id); this row is fetched where the
    product needs the detail (invoices during sync; the others on demand).
    """

    voucher = models.OneToOneField(
        "vouchers.Voucher", null=True, blank=True, on_delete=models.SET_NULL, related_name="sales_document"
    )
    kind = models.CharField(max_length=30, db_index=True, help_text="voucherlist type, e.g. invoice")
    voucher_number = models.CharField(max_length=100, blank=True, db_index=True)
    voucher_status = models.CharField(max_length=30, blank=True)
    voucher_date = models.DateTimeField(null=True, blank=True)
    address_name = models.CharField(max_length=255, blank=True)
    contact_lexoffice_id = models.UUIDField(null=True, blank=True)
    total_net_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    total_gross_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    total_tax_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, default="EUR")
    electronic_document_profile = models.CharField(max_length=20, blank=True)
    document_file = models.ForeignKey(
        "vouchers.File", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    xml_file = models.ForeignKey("vouchers.File", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-voucher_date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["connection", "lexoffice_id"], name="salesdocument_unique_per_connection")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.voucher_number}"

    @property
    def path(self) -> str:
        return KINDS[self.kind].path

    @property
    def is_xrechnung(self) -> bool:
        return self.electronic_document_profile == "XRechnung"

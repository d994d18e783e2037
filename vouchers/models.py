from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from connections.mirror import MirroredModel
from vouchers.labels import STATUS_TONES, status_label, type_label

BOOKKEEPING_TYPES = ("salesinvoice", "salescreditnote", "purchaseinvoice", "purchasecreditnote")
SALES_TYPES = (
    "invoice",
    "downpaymentinvoice",
    "creditnote",
    "orderconfirmation",
    "quotation",
    "deliverynote",
    "dunning",
)
# voucherlist type -> path of its detail endpoint
DETAIL_PATHS = {
    **dict.fromkeys(BOOKKEEPING_TYPES, "vouchers"),
    "invoice": "invoices",
    "downpaymentinvoice": "down-payment-invoices",
    "creditnote": "credit-notes",
    "orderconfirmation": "order-confirmations",
    "quotation": "quotations",
    "deliverynote": "delivery-notes",
    "dunning": "dunnings",
}
# voucherlist type -> Lexoffice web app permalink resource
PERMALINK_RESOURCES = {
    **dict.fromkeys(BOOKKEEPING_TYPES, "vouchers"),
    **{kind: path for kind, path in DETAIL_PATHS.items() if kind not in BOOKKEEPING_TYPES},
    "downpaymentinvoice": "invoices",
}


FEW_DOCUMENTS = 1000


def matching(term: str) -> models.Q:
    """Vouchers whose number or contact name contains `term`, in any case, or one of whose files has it in
    its text (vouchers.documents.text: the PDF's text layer or OCR; stored upper-cased, so a plain LIKE that
    PostgreSQL's trigram index serves)."""
    own = models.Q(voucher_number__icontains=term) | models.Q(contact_name__icontains=term)
    texts = DocumentText.objects.filter(search_text__contains=term.upper(), file__voucher__isnull=False)
    # A distinctive word is on few documents: their vouchers' ids, found first through the text's (trigram)
    # index, join the number and name lookups as one more indexed condition. A common word is on so many
    # that walking the list until the page is full, checking each voucher's files, is quicker.
    found = list(texts.values_list("file__voucher_id", flat=True)[: FEW_DOCUMENTS + 1])
    if len(found) <= FEW_DOCUMENTS:
        return own | models.Q(pk__in=found) if found else own
    return own | models.Q(models.Exists(texts.filter(file__voucher=models.OuterRef("pk"))))


def dated_between(start: date | None, end: date | None) -> models.Q:
    """Vouchers dated on these local days (both inclusive). Bounds on the column itself, not a cast of it
    to a date, so the (connection, voucher_date, id) index serves the range."""
    bounds = models.Q()
    if start is not None:
        bounds &= models.Q(voucher_date__gte=day_start(start))
    if end is not None:
        bounds &= models.Q(voucher_date__lt=day_start(end) + timedelta(days=1))
    return bounds


def day_start(value: date) -> datetime:
    return timezone.make_aware(datetime.combine(value, time.min))


# Every voucherStatus the voucher list knows (see shared/lexoffice-api.md, voucher list).
STATUSES = (
    "draft",
    "open",
    "overdue",
    "paid",
    "paidoff",
    "voided",
    "transferred",
    "sepadebit",
    "accepted",
    "rejected",
    "unchecked",
)


class Voucher(MirroredModel):
    """One entry of Lexoffice's voucher list (bookkeeping vouchers and sales documents alike).

    `raw` holds the voucherlist entry; `details` the full record from the type's own endpoint
    where the product fetches it (bookkeeping vouchers, invoices).
    """

    voucher_type = models.CharField(max_length=30, db_index=True)
    voucher_status = models.CharField(max_length=30, db_index=True)
    voucher_number = models.CharField(max_length=100, blank=True, db_index=True)
    voucher_date = models.DateTimeField(null=True, blank=True, db_index=True)
    due_date = models.DateTimeField(null=True, blank=True)
    contact = models.ForeignKey(
        "contacts.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="vouchers"
    )
    contact_lexoffice_id = models.UUIDField(null=True, blank=True)
    contact_name = models.CharField(max_length=255, blank=True)
    total_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    open_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, default="EUR")
    details = models.JSONField(null=True, blank=True)
    details_version = models.IntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-voucher_date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["connection", "lexoffice_id"], name="voucher_unique_per_connection")
        ]
        indexes = [
            models.Index(fields=["connection", "-voucher_date", "-id"], name="voucher_conn_date"),
            models.Index(fields=["connection", "voucher_type", "voucher_status"], name="voucher_conn_type_status"),
            # the other sort orders of the voucher and invoice lists (keyset paging by (field, id))
            # Numbers start with a per-type prefix (RE, GS, AG, ER...): one index per list, and type and
            # status as trailing keys, so a filter skips other types in the index instead of in the table.
            models.Index(
                fields=["connection", "voucher_number", "id", "voucher_type", "voucher_status"],
                condition=models.Q(voucher_type__in=BOOKKEEPING_TYPES),
                name="voucher_conn_number_books",
            ),
            models.Index(
                fields=["connection", "voucher_number", "id", "voucher_type", "voucher_status"],
                condition=models.Q(voucher_type__in=SALES_TYPES),
                name="voucher_conn_number_sales",
            ),
            models.Index(fields=["connection", "total_amount", "id"], name="voucher_conn_amount"),
            models.Index(fields=["connection", "contact_name", "id"], name="voucher_conn_contact_name"),
        ]

    def __str__(self) -> str:
        return f"{self.voucher_type} {self.voucher_number}"

    @property
    def type_label(self) -> str:
        return type_label(self.voucher_type)

    @property
    def status_label(self) -> str:
        return status_label(self.voucher_status)

    @property
    def status_tone(self) -> str:
        return STATUS_TONES.get(self.voucher_status, "")

    @property
    def is_bookkeeping(self) -> bool:
        return self.voucher_type in BOOKKEEPING_TYPES

    @property
    def detail_path(self) -> str:
        return DETAIL_PATHS.get(self.voucher_type, "")

    @property
    def file_ids(self) -> list[str]:
        return list((self.details or {}).get("files") or [])


def file_upload_to(instance: "File", filename: str) -> str:
    return f"files/{instance.connection_id}/{instance.lexoffice_id}"


class File(models.Model):
    """A file in Lexoffice (a receipt of a voucher, or a rendered sales document), and our local copy."""

    connection = models.ForeignKey("connections.Connection", on_delete=models.CASCADE, related_name="+")
    lexoffice_id = models.UUIDField()
    voucher = models.ForeignKey(Voucher, null=True, blank=True, on_delete=models.SET_NULL, related_name="files")
    filename = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    content = models.FileField(upload_to=file_upload_to, blank=True, max_length=255)
    fetched_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["connection", "lexoffice_id"], name="file_unique_per_connection")
        ]

    def __str__(self) -> str:
        return self.filename or str(self.lexoffice_id)

    @property
    def is_local(self) -> bool:
        return bool(self.content)


class UploadQuerySet(models.QuerySet):
    def visible_to(self, user) -> "UploadQuerySet":
        from connections.models import Connection

        return self.filter(connection__in=Connection.objects.visible_to(user))


class Upload(models.Model):
    """A receipt a user uploaded for bookkeeping, tracked until its voucher appears in the mirror."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting to upload")
        UPLOADED = "uploaded", _("Uploaded, waiting for the voucher")
        LINKED = "linked", _("Voucher created")
        FAILED = "failed", _("Failed")

    connection = models.ForeignKey("connections.Connection", on_delete=models.CASCADE, related_name="uploads")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    content = models.FileField(upload_to="uploads/%Y/%m/", max_length=255)
    # What was received, when it had to be converted to be sent (HEIC, rotated, trimmed, made smaller)
    original = models.FileField(upload_to="uploads/originals/%Y/%m/", max_length=255, blank=True)
    original_content_type = models.CharField(max_length=100, blank=True)
    original_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    original_size = models.PositiveBigIntegerField(null=True, blank=True)
    changes = models.CharField(max_length=100, blank=True, help_text="Comma-separated: what was done to send it.")
    target_voucher = models.ForeignKey(
        Voucher,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="pending_uploads",
        help_text="Set for a file added to a voucher.",
    )
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING, db_index=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    file = models.ForeignKey(File, null=True, blank=True, on_delete=models.SET_NULL, related_name="uploads")
    voucher = models.ForeignKey(Voucher, null=True, blank=True, on_delete=models.SET_NULL, related_name="uploads")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = UploadQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.original_name


class DocumentPreview(models.Model):
    """Rendered page images of a stored file (vouchers.previews): state, how many pages, where they are."""

    class State(models.TextChoices):
        READY = "ready", "Ready"
        FAILED = "failed", "Cannot be previewed"

    file = models.OneToOneField(File, on_delete=models.CASCADE, related_name="preview")
    state = models.CharField(max_length=10, choices=State.choices)
    page_count = models.PositiveIntegerField(default=0, help_text="Pages of the document.")
    rendered_pages = models.PositiveIntegerField(default=0, help_text="Pages with a stored image (the first few).")
    error = models.CharField(max_length=255, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"preview of file {self.file_id} ({self.state})"


class DocumentText(models.Model):
    """The text of a stored file, for search: its PDF text layer, or what OCR read from its pixels."""

    class Source(models.TextChoices):
        TEXT_LAYER = "pdf", "PDF text layer"
        OCR = "ocr", "OCR"
        NONE = "none", "No text found"

    file = models.OneToOneField(File, on_delete=models.CASCADE, related_name="text")
    source = models.CharField(max_length=10, choices=Source.choices)
    text = models.TextField(blank=True)
    search_text = models.TextField(blank=True, help_text="`text` upper-cased once, on write, for LIKE searches.")
    ocr_available = models.BooleanField(default=False, help_text="Whether Tesseract was there to read images.")
    extracted_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"text of file {self.file_id} ({self.source})"

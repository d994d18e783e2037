"""Previews in media (previews/<file id>/thumb-1.jpg, page-N.jpg): made by the Celery task after a file is
stored, asked for (never waited for) by pages, and refreshed whenever the task runs again."""

import contextlib
import logging

from celery import current_app
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse

from vouchers.documents.text import extract, ocr_languages
from vouchers.models import DocumentPreview, DocumentText, File
from vouchers.previews.render import NotPreviewable, jpeg_bytes, page_count, pages

log = logging.getLogger(__name__)
THUMBNAIL_BOX = 240
PAGE_BOX = 1100
MAX_PAGES = 10  # page images kept per document; the file itself has them all
TASK = "vouchers.tasks.render_preview_task"
KINDS = ("thumb", "page")


def storage_name(*, file_id: int, kind: str, page: int) -> str:
    return f"previews/{file_id}/{kind}-{page}.jpg"


def make_previews(*, file_id: int) -> DocumentPreview | None:
    """Render and store the thumbnail and page images of a file Lexhub holds; None if it holds none."""
    file = File.objects.filter(pk=file_id).first()
    if file is None or not file.is_local:
        return None
    with file.content.open("rb") as handle:
        data = handle.read()
    try:
        total = page_count(data)
        images = list(pages(data, box=PAGE_BOX, max_pages=MAX_PAGES))
    except NotPreviewable as exc:
        preview, _ = DocumentPreview.objects.update_or_create(
            file=file,
            defaults={"state": DocumentPreview.State.FAILED, "error": str(exc)[:255], "rendered_pages": 0},
        )
        return preview
    for number, image in enumerate(images, start=1):
        save(storage_name(file_id=file.pk, kind="page", page=number), jpeg_bytes(image))
    first = images[0].copy()
    first.thumbnail((THUMBNAIL_BOX, THUMBNAIL_BOX))
    save(storage_name(file_id=file.pk, kind="thumb", page=1), jpeg_bytes(first, quality=75))
    preview, _ = DocumentPreview.objects.update_or_create(
        file=file,
        defaults={
            "state": DocumentPreview.State.READY,
            "page_count": total,
            "rendered_pages": len(images),
            "error": "",
        },
    )
    return preview


def extract_text(*, file_id: int) -> DocumentText | None:
    """Store the searchable text of a file Lexhub holds (text layer or OCR); None if it holds none."""
    file = File.objects.filter(pk=file_id).first()
    if file is None or not file.is_local:
        return None
    with file.content.open("rb") as handle:
        text, source = extract(handle.read())
    text = text.replace("\x00", "")[:200_000]
    row, _ = DocumentText.objects.update_or_create(
        file=file,
        defaults={"text": text, "search_text": text.upper(), "source": source, "ocr_available": bool(ocr_languages())},
    )
    return row


def save(name: str, content: bytes) -> None:
    if default_storage.exists(name):
        default_storage.delete(name)
    stored = default_storage.save(name, ContentFile(content))
    if stored != name:  # another worker wrote it between the two calls; ours is the same picture
        default_storage.delete(stored)


def request_preview(file: File) -> None:
    """Ask the worker for a file's previews once in a while; never blocks, never fails the caller."""
    if not file.is_local or not cache.add(f"preview-requested:{file.lexoffice_id}", 1, timeout=600):
        return
    transaction.on_commit(lambda: _send(file.pk))


def _send(file_id: int) -> None:
    with contextlib.suppress(Exception):  # broker down: the next page view asks again after the cache entry
        current_app.send_task(TASK, args=(file_id,))


def preview_of(file: File) -> DocumentPreview | None:
    try:
        return file.preview
    except DocumentPreview.DoesNotExist:
        return None


def thumbnail_url(file: File) -> str:
    """The thumbnail's URL if it is ready (asking for it otherwise), else ""."""
    preview = preview_of(file)
    if preview is None:
        request_preview(file)
        return ""
    if preview.state != DocumentPreview.State.READY:
        return ""
    return reverse("vouchers:preview", args=[file.pk, "thumb", 1])


def page_url(file: File, page: int) -> str:
    return reverse("vouchers:preview", args=[file.pk, "page", page])


def document_view(file: File, *, page: int) -> dict[str, object]:
    """What the large preview of `file` shows: the page image, or why there is none, and page navigation."""
    preview = preview_of(file)
    if preview is None:
        request_preview(file)
    ready = preview is not None and preview.state == DocumentPreview.State.READY
    shown = max(1, min(page, preview.rendered_pages if preview and ready else 1))
    return {
        "file": file,
        "mirrored": file.is_local,
        "ready": ready,
        "failed": preview is not None and preview.state == DocumentPreview.State.FAILED,
        "page": shown,
        "page_count": preview.page_count if preview and ready else 0,
        "rendered_pages": preview.rendered_pages if preview and ready else 0,
        "image_url": page_url(file, shown) if ready else "",
        "previous": shown - 1 if ready and shown > 1 else None,
        "next": shown + 1 if ready and preview and shown < preview.rendered_pages else None,
    }

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from vouchers.models import Upload
from vouchers.receipts.sync import push_upload


@shared_task
def push_upload_task(upload_id: int) -> None:
    push_upload(upload_id=upload_id)


@shared_task
def sweep_uploads_task() -> int:
    """Re-send uploads left pending (Lexoffice was unreachable, or the broker lost the message)."""
    stale = Upload.objects.filter(state=Upload.State.PENDING, updated_at__lt=timezone.now() - timedelta(seconds=30))
    ids = list(stale.values_list("pk", flat=True)[:200])
    for upload_id in ids:
        push_upload_task.delay(upload_id)
    return len(ids)


@shared_task
def render_preview_task(file_id: int) -> None:
    """Thumbnail, page images and searchable text of a stored file (vouchers.previews); sent by name after a
    file is stored. Each part is stored when done, so a crash loses only the part under way."""
    from vouchers.previews.service import extract_text, make_previews

    make_previews(file_id=file_id)
    extract_text(file_id=file_id)

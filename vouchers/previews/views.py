"""A stored preview image, for users who may see its file, under the serving rules of the files themselves."""

from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_GET

from connections.models import Connection
from vouchers.models import File
from vouchers.previews.service import KINDS, storage_name
from vouchers.serving import stored_response


@login_required
@require_GET
def preview(request: HttpRequest, pk: int, kind: str, page: int) -> FileResponse:
    visible = File.objects.filter(connection__in=Connection.objects.visible_to(request.user), pk=pk).exists()
    name = storage_name(file_id=pk, kind=kind, page=page)
    if not visible or kind not in KINDS or not default_storage.exists(name):
        raise Http404("No such preview")
    response = stored_response(default_storage.open(name, "rb"), filename=f"{kind}-{page}.jpg", inline=True)
    response["Cache-Control"] = "private, max-age=3600"
    return response

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from invoices.models import SalesDocument
from invoices.sync import ensure_document_file
from lexhub.writes import WriteError
from vouchers.views import sales_list  # the list is the voucher list, restricted to sales documents

__all__ = ["document_download", "sales_list"]


@login_required
@require_GET
def document_download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    document = SalesDocument.objects.visible_to(request.user).filter(pk=pk).first()
    if document is None:
        raise Http404("No such document")
    try:
        file = ensure_document_file(document=document, fmt=fmt)
    except WriteError as exc:
        return HttpResponse(exc.message, status=exc.status, content_type="text/plain")
    response = FileResponse(file.content.open("rb"), as_attachment=request.GET.get("inline") != "1",
                            filename=file.filename)
    response["Content-Type"] = file.content_type
    response["X-Content-Type-Options"] = "nosniff"
    if request.GET.get("inline") == "1":
        response["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'self'"
        response["X-Frame-Options"] = "SAMEORIGIN"
    return response

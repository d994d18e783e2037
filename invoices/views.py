"""Invoice pages: the list of sales documents, and their PDF/XML (a document shows on its voucher's page)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from connections.writes import WriteError
from invoices.models import SalesDocument
from invoices.sync import ensure_document_file, sales_document_of
from vouchers.listing import list_page
from vouchers.models import SALES_TYPES, Voucher
from vouchers.serving import file_response


@login_required
@require_GET
def sales_list(request: HttpRequest) -> HttpResponse:
    # Sales documents are entries of Lexoffice's voucher list: the same page, restricted to their types.
    return list_page(request, types=SALES_TYPES, title=_("Invoices and sales documents"), url_name="invoices:list")


@login_required
@require_GET
def document_download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    document = SalesDocument.objects.visible_to(request.user).filter(pk=pk).first()
    if document is None:
        raise Http404("No such document")
    return _serve(request, document, fmt)


@login_required
@require_GET
def voucher_document(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """A sales document's PDF/XML by its list entry: the detail is fetched first for kinds the sync
    does not fetch (credit notes, quotations, ...), on this explicit request only."""
    voucher = get_object_or_404(
        Voucher.objects.visible_to(request.user).select_related("connection"), pk=pk, voucher_type__in=SALES_TYPES
    )
    try:
        document = sales_document_of(voucher=voucher)
    except WriteError as exc:
        return HttpResponse(exc.message, status=exc.status, content_type="text/plain; charset=utf-8")
    if document is None:
        raise Http404("The document no longer exists in Lexoffice.")
    return _serve(request, document, fmt)


def _serve(request: HttpRequest, document: SalesDocument, fmt: str) -> HttpResponse:
    try:
        file = ensure_document_file(document=document, fmt=fmt)
    except WriteError as exc:
        return HttpResponse(exc.message, status=exc.status, content_type="text/plain; charset=utf-8")
    return file_response(file, inline=request.GET.get("inline") == "1")

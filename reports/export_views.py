"""Downloads: any list as CSV or XLSX with the page's filters, streamed."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from reports.lists import TABLES
from reports.tabular import CONTENT_TYPES, EXTENSIONS, FORMATS, chunks


@login_required
@require_GET
def export_list(request: HttpRequest, name: str) -> HttpResponse | StreamingHttpResponse:
    fmt = request.GET.get("format", "")
    if name not in TABLES:
        raise Http404("No such list")
    if fmt not in FORMATS:
        message = _("Choose a format: csv, csv-de or xlsx.")
        return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
    table = TABLES[name](request)
    response = StreamingHttpResponse(
        chunks(fmt, title=table.title, header=table.header, rows=table.rows), content_type=CONTENT_TYPES[fmt]
    )
    filename = f"{name}-{timezone.localdate().isoformat()}.{EXTENSIONS[fmt]}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response

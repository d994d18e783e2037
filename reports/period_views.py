"""Pages of the period export: start one, watch its progress, download the ZIP, edit the account mapping."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from connections.models import Connection
from reports import datev, package, period
from reports.models import AccountMapping, PeriodExport
from vouchers.forms import KNOWN_CATEGORIES
from vouchers.models import Voucher


def _int(value: str, default: int) -> int:
    return int(value) if value.isdigit() and len(value) < 9 else default


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def runs_of(user: AbstractBaseUser | AnonymousUser) -> QuerySet[PeriodExport]:
    return PeriodExport.objects.filter(connection__in=Connection.objects.visible_to(user)).select_related(
        "connection", "user"
    )


def requested_range(data: QueryDict) -> tuple[date, date]:
    today = timezone.localdate()
    return period.period_range(
        kind=data.get("kind", ""),
        year=_int(data.get("year", ""), today.year),
        number=_int(data.get("number", ""), 0),
        start=_date(data.get("start", "")),
        end=_date(data.get("end", "")),
    )


@login_required
@require_http_methods(["GET", "POST"])
def period_exports(request: HttpRequest) -> HttpResponse:
    connections = Connection.objects.visible_to(request.user).order_by("name")
    error = ""
    if request.method == "POST":
        connection = connections.filter(pk=_int(request.POST.get("connection", ""), 0)).first()
        try:
            if connection is None:
                raise period.ExportRefused(_("Choose a connection."))
            start, end = requested_range(request.POST)
            with transaction.atomic():
                run = package.start_export(
                    connection=connection, user=request.user, start=start, end=end,
                    chart=request.POST.get("chart", "SKR03"),
                    consultant=_int(request.POST.get("consultant", ""), 0),
                    client=_int(request.POST.get("client", ""), 0),
                )  # fmt: skip
                transaction.on_commit(lambda: _enqueue(run.pk))
        except period.ExportRefused as exc:
            error = exc.message
        else:
            return redirect("reports:period-export", run.pk)
    return render(
        request,
        "reports/period_exports.html",
        {"connections": connections, "runs": runs_of(request.user)[:50], "error": error, "form": request.POST,
         "charts": datev.CHARTS, "today": timezone.localdate()},
        status=400 if error else 200,
    )  # fmt: skip


def _enqueue(run_id: int) -> None:
    from reports.tasks import period_export_task

    period_export_task.delay(run_id)


@login_required
@require_GET
def period_export(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(runs_of(request.user), pk=pk)
    return render(request, "reports/period_export.html", {"run": run})


@login_required
@require_GET
def period_export_zip(request: HttpRequest, pk: int) -> FileResponse:
    run = get_object_or_404(runs_of(request.user), pk=pk, state=PeriodExport.State.DONE)
    path = package.export_dir() / f"{run.pk}.zip"
    if not path.exists():
        raise Http404("The ZIP was removed.")
    name = f"lexhub-{period.safe_part(run.connection.name)}-{run.start:%Y%m%d}-{run.end:%Y%m%d}.zip"
    return FileResponse(path.open("rb"), as_attachment=True, filename=name, content_type="application/zip")


def seen_categories(connection: Connection) -> dict[str, str]:
    """Categories on the connection's vouchers, with the names known here (no request on a page view)."""
    found = dict(KNOWN_CATEGORIES) | datev.SALES_CATEGORIES
    for details in Voucher.objects.filter(connection=connection, details__isnull=False).values_list(
        "details", flat=True
    )[:2000]:
        for item in (details or {}).get("voucherItems") or []:
            found.setdefault(item.get("categoryId") or "", "")
    found.pop("", None)
    return found


@login_required
@require_http_methods(["GET", "POST"])
def account_mapping(request: HttpRequest, pk: int) -> HttpResponse:
    connection = get_object_or_404(Connection.objects.visible_to(request.user), pk=pk)
    chart = request.GET.get("chart", request.POST.get("chart", "SKR03"))
    if chart not in datev.CHARTS:
        chart = "SKR03"
    categories = seen_categories(connection)
    stored = {m.category_id: m for m in AccountMapping.objects.filter(connection=connection, chart=chart)}
    errors: dict[str, str] = {}
    if request.method == "POST":
        wanted = {cid: request.POST.get(f"account-{cid}", "").strip() for cid in categories}
        errors = {
            cid: _("Not a %(n)s-digit G/L account.") % {"n": datev.ACCOUNT_LENGTH}
            for cid, acc in wanted.items()
            if acc and not datev.valid_ledger_account(acc)
        }
        if not errors:
            with transaction.atomic():
                for cid, account in wanted.items():
                    if account:
                        AccountMapping.objects.update_or_create(
                            connection=connection, chart=chart, category_id=cid,
                            defaults={"account": account, "category_name": categories[cid][:255]},
                        )  # fmt: skip
                    else:
                        AccountMapping.objects.filter(connection=connection, chart=chart, category_id=cid).delete()
            messages.success(request, _("Account mapping saved."))
            return redirect(f"{request.path}?chart={chart}")
    accounts = period.Accounts(chart, {}, {cid: name for cid, name in categories.items()})
    rows = [
        {
            "id": cid,
            "name": accounts.name(cid),
            "account": request.POST.get(f"account-{cid}", stored[cid].account if cid in stored else ""),
            "default": accounts.account(cid) or "",
            "error": errors.get(cid, ""),
        }
        for cid in categories
    ]
    return render(
        request,
        "reports/account_mapping.html",
        {"connection": connection, "chart": chart, "charts": datev.CHARTS, "rows": rows},
        status=400 if errors else 200,
    )

"""The dashboard and /healthz. Reads come from the mirror."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from lexhub.dashboard import summaries_for
from lexhub.health import service_status


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    services = service_status()
    healthy = all(service["ok"] for service in services.values())
    return JsonResponse(
        {"status": "ok" if healthy else "degraded", "services": services}, status=200 if healthy else 503
    )


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html", {"summaries": summaries_for(request.user)})

"""The browsable API docs: Swagger UI served from our own static files, within the site's CSP."""

import base64
import hashlib
import re
from functools import cache
from pathlib import Path

import drf_spectacular
from django.http import HttpRequest, HttpResponse
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularSwaggerSplitView

from web.csp import CONTENT_SECURITY_POLICY


@cache
def inline_style_hash() -> str:
    """The CSP hash of the few layout rules drf-spectacular's page writes inline (the only inline part)."""
    template = Path(drf_spectacular.__file__).parent / "templates" / "drf_spectacular" / "swagger_ui.html"
    match = re.search(r"<style>(.*?)</style>", template.read_text(), re.DOTALL)
    if match is None:
        return ""
    return "'sha256-" + base64.b64encode(hashlib.sha256(match.group(1).encode()).digest()).decode() + "'"


class SwaggerDocsView(SpectacularSwaggerSplitView):
    """Swagger UI with its init script as a separate same-origin request (no inline script needed)."""

    @extend_schema(exclude=True)
    def get(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        response = super().get(request, *args, **kwargs)
        if request.GET.get("script") is None and (digest := inline_style_hash()):
            response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace(
                "style-src 'self'", f"style-src 'self' {digest}"
            )
        return response

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import translation

from web.csp import CONTENT_SECURITY_POLICY

log = logging.getLogger(__name__)


class SecurityHeadersMiddleware:
    """Adds the headers Django's SecurityMiddleware does not set (CSP)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response


class ApiLanguageMiddleware:
    """The REST API answers tools, not people: English (its documented messages and input formats) unless the
    client asks for a language with Accept-Language. Runs after LocaleMiddleware, which picked German."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/") and "HTTP_ACCEPT_LANGUAGE" not in request.META:
            translation.activate("en")
            request.LANGUAGE_CODE = "en"
        return self.get_response(request)


class DatabaseUnavailableMiddleware:
    """While the database is unreachable, answer 503 with a message instead of a 500: pages say so, the API
    keeps its error shape, and Lexoffice retries a webhook delivery it sees refused."""

    MESSAGE = "Lexhub's database is not reachable right now. Please try again in a minute."

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from django.db import InterfaceError, OperationalError

        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        log.warning("database unavailable during %s %s: %s", request.method, request.path, type(exception).__name__)
        if request.path.startswith(("/api/", "/webhooks/")):
            response: HttpResponse = JsonResponse({"code": "database_unavailable", "message": self.MESSAGE}, status=503)
        else:
            response = HttpResponse(
                f'<!doctype html><html lang="en"><head><title>Temporarily unavailable</title></head>'
                f"<body><h1>Temporarily unavailable</h1><p>{self.MESSAGE}</p></body></html>",
                status=503,
            )
        response["Retry-After"] = "30"
        return response

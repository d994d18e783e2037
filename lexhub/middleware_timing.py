"""Server-Timing header with the time Django spent on a request (on only when LEXHUB_SERVER_TIMING is set).

`make bench` reads it to report server time apart from the load generator's own cost; production
leaves it off, so responses do not carry timing details.
"""

import time
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.http import HttpRequest, HttpResponse


class ServerTimingMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        if not settings.LEXHUB_SERVER_TIMING:
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        # Streamed bodies (file downloads) are counted up to the response object, not the last byte.
        response["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.2f}"
        return response

"""Login with a brake: repeated failures from one address or for one username are slowed to a stop."""

import hashlib

from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

MAX_FAILURES = 10
WINDOW_SECONDS = 300


def _keys(request: HttpRequest) -> list[str]:
    address = request.META.get("REMOTE_ADDR", "")
    username = (request.POST.get("username") or "").strip().lower()
    return [f"login-failures:ip:{address}",
            f"login-failures:user:{hashlib.sha256(username.encode()).hexdigest()[:32]}"]


def _blocked(request: HttpRequest) -> bool:
    return any((cache.get(key) or 0) >= MAX_FAILURES for key in _keys(request))


def _record_failure(request: HttpRequest) -> None:
    for key in _keys(request):
        if cache.add(key, 1, WINDOW_SECONDS):
            continue
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, WINDOW_SECONDS)


class RateLimitedLoginView(auth_views.LoginView):
    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if _blocked(request):
            response = self.render_to_response(self.get_context_data(
                form=self.get_form(), too_many_attempts=True))
            response.status_code = 429
            return response
        response = super().post(request, *args, **kwargs)
        if response.status_code != 302:
            _record_failure(request)
        return response

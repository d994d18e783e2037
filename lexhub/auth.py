"""Sign-in pages: login with django-axes' brake, logout, password change, and password reset by mail.

Login failures are counted by django-axes (settings AXES_*) per username and client address together,
so an attacker guessing at a name slows only themselves, never its owner elsewhere. LoginAttemptHandler
adds a ceiling per address across all usernames. A lockout answers 429 with the login page and a message.

Password reset is offered only when outgoing mail is configured (EMAIL_HOST, from EMAIL_URL): without it
its pages are 404 and the login page shows no link to it. Its form is throttled per client address, and
its mail is sent by a worker.
"""

import logging
from functools import wraps

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.cache import cache
from django.db.models import Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from lexhub.client_address import throttle_address

log = logging.getLogger(__name__)


def password_reset_available() -> bool:
    """Reset links go out by mail: without a mail server there is nothing to offer."""
    return bool(settings.EMAIL_HOST)


class LoginView(auth_views.LoginView):
    def get_context_data(self, **kwargs: object) -> dict:
        return {**super().get_context_data(**kwargs), "password_reset_available": password_reset_available()}


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the login page again, with the lockout message, as 429 Too Many Requests."""
    view = LoginView()
    view.setup(request)
    username = (credentials or {}).get("username") or ""
    form = AuthenticationForm(request, initial={"username": username})
    response = view.render_to_response(view.get_context_data(form=form, too_many_attempts=True))
    response.status_code = 429
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response.render()  # returned by middleware, past the point where Django renders responses


class LoginAttemptHandler(AxesDatabaseHandler):
    """Axes' database handler (its table works on SQLite and PostgreSQL and is shared by every process),
    plus a ceiling per client address over all usernames: AXES_LOCKOUT_PARAMETERS counts per username
    and address together, which alone would let one address try 9 passwords for each of any number of
    names. The ceiling sums the same attempt rows axes keeps, so it needs no storage of its own."""

    def is_locked(self, request: HttpRequest, credentials: dict | None = None) -> bool:
        return super().is_locked(request, credentials) or self.address_over_ceiling(request)

    def user_login_failed(
        self, sender: object, credentials: dict, request: HttpRequest | None = None, **kwargs: object
    ) -> None:
        super().user_login_failed(sender, credentials, request, **kwargs)
        # The failure that reaches the ceiling is refused with the lockout page too, as axes does for its limit.
        if request is not None and not request.axes_locked_out and self.address_over_ceiling(request):
            request.axes_locked_out = True
            request.axes_credentials = credentials
            user_locked_out.send(
                "axes",
                request=request,
                username=(credentials or {}).get("username"),
                ip_address=request.axes_ip_address,
            )

    def address_over_ceiling(self, request: HttpRequest) -> bool:
        return self.address_failures(request) >= settings.LEXHUB_LOGIN_ADDRESS_FAILURE_LIMIT

    def address_failures(self, request: HttpRequest) -> int:
        """Failures from the request's address within the cool-off time, whatever the username."""
        attempts = AccessAttempt.objects.filter(
            ip_address=request.axes_ip_address, attempt_time__gte=get_cool_off_threshold(request)
        )
        return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


# --- password reset --------------------------------------------------------------------------


def mail_required(view: object) -> object:
    """404 unless outgoing mail is configured: checked per request, so settings overrides apply."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not password_reset_available():
            raise Http404(_("Password reset is not available."))
        return view(request, *args, **kwargs)

    return wrapped


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's reset form with the mail handed to a worker (lexhub/tasks.py): the page answers as fast for
    an unknown address as for a known one (a mail server's delay would tell them apart), and a slow mail
    server holds up no request. The link in the mail is built from PUBLIC_BASE_URL, not the Host header."""

    def save(self, *args: object, **kwargs: object) -> None:  # Django's arguments; the worker builds the mail
        from lexhub.tasks import send_password_reset_mail_task

        language = translation.get_language() or settings.LANGUAGE_CODE
        for user in self.get_users(self.cleaned_data["email"]):
            try:
                send_password_reset_mail_task.delay(user.pk, language)
            except Exception as exc:  # broker unreachable: send it from here rather than not at all
                log.warning("password reset mail not queued (%s); sending it now", type(exc).__name__)
                send_password_reset_mail_task.apply(args=(user.pk, language))


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset view with the queued form, throttled per client address (each request may send a mail)."""

    form_class = QueuedPasswordResetForm

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not reset_request_allowed(request):
            response = self.render_to_response(self.get_context_data(form=self.get_form(), too_many_requests=True))
            response.status_code = 429
            response["Retry-After"] = str(settings.LEXHUB_PASSWORD_RESET_RATE[1])
            return response
        return super().post(request, *args, **kwargs)


def reset_request_allowed(request: HttpRequest) -> bool:
    """Count this request against its address's budget (LEXHUB_PASSWORD_RESET_RATE: requests per window
    of seconds, fixed windows) and say whether it fits."""
    limit, window = settings.LEXHUB_PASSWORD_RESET_RATE
    key = f"password-reset:{throttle_address(request) or 'unknown'}"
    if cache.add(key, 1, window):
        return limit >= 1
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr: a new window
        cache.set(key, count := 1, window)
    return count <= limit


urlpatterns = [
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password_change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password_change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("password_reset/", mail_required(PasswordResetView.as_view()), name="password_reset"),
    path("password_reset/done/", mail_required(auth_views.PasswordResetDoneView.as_view()), name="password_reset_done"),
    path(
        "reset/<uidb64>/<token>/",
        mail_required(auth_views.PasswordResetConfirmView.as_view()),
        name="password_reset_confirm",
    ),
    path("reset/done/", mail_required(auth_views.PasswordResetCompleteView.as_view()), name="password_reset_complete"),
]

"""Tasks of the project itself: the password-reset mail and the expiry of the sign-in log."""

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

log = logging.getLogger(__name__)


@shared_task(autoretry_for=(OSError,), retry_backoff=10, max_retries=5)  # smtplib's errors are OSErrors
def send_password_reset_mail_task(user_id: int, language: str) -> None:
    """The reset link is made here, in the worker, so it never travels through the broker; it is valid only
    while the user's password and last login are what they were when it was made."""
    user = get_user_model()._default_manager.filter(pk=user_id, is_active=True).first()
    if user is None or not user.has_usable_password() or not user.email:
        return
    context = {
        "user": user,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
        "base_url": settings.PUBLIC_BASE_URL,
    }
    with translation.override(language):
        PasswordResetForm().send_mail(
            "registration/password_reset_subject.txt",
            "registration/password_reset_email.html",
            context,
            None,  # DEFAULT_FROM_EMAIL
            user.email,
        )
    log.info("password reset mail sent to user %s", user.pk)


@shared_task
def expire_login_log_task() -> int:
    """django-axes records every sign-in and failed attempt (address, browser, time) and never forgets them.
    They are kept LEXHUB_LOGIN_LOG_DAYS days: long enough to look into a break-in, without a lasting record
    of everyone's comings and goings."""
    from axes.models import AccessFailureLog, AccessLog

    cutoff = timezone.now() - timedelta(days=settings.LEXHUB_LOGIN_LOG_DAYS)
    deleted = AccessLog.objects.filter(attempt_time__lt=cutoff).delete()[0]
    deleted += AccessFailureLog.objects.filter(attempt_time__lt=cutoff).delete()[0]
    if deleted:
        log.info("sign-in log: %s records older than %s days removed", deleted, settings.LEXHUB_LOGIN_LOG_DAYS)
    return deleted

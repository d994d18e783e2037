"""Error reports and log lines that cannot show a secret.

Django's filter masks settings, request headers and variables marked with @sensitive_variables. An
API key also lives, briefly, where it does not look: in requests' and urllib3's header mappings, in
http.client's byte buffers, in a form's POST data and in a serializer's dicts. Three layers cover it:
frame variables are masked by name and inside mappings; every value whose text carries an
Authorization credential is masked; and the finished report (HTML and text) is scrubbed once more,
so a credential in an exception's message cannot slip through either. Log records get the last pass.
"""

import logging
import re
from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest
from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

# `Bearer <key>` (Lexoffice) and `Token <token>` (our API), also percent- or HTML-encoded around them.
CREDENTIAL = re.compile(r"\b(Bearer|Token)(\s+|%20|\+)[^\s'\"&<>,;)\\]+")
MASK = "********************"


# Outgoing webhooks' signing secrets (Standard Webhooks' `whsec_<base64>`), wherever they appear.
SIGNING_SECRET = re.compile(r"whsec_[A-Za-z0-9+/=_-]+")


def scrub(text: str) -> str:
    text = SIGNING_SECRET.sub(f"whsec_{MASK}", text)
    return CREDENTIAL.sub(lambda match: f"{match.group(1)} {MASK}", text)


class _Masked:
    """Stands in for a value in a report; its repr is what the page shows."""

    def __init__(self, text: str) -> None:
        self._text = text

    def __repr__(self) -> str:
        return self._text


class SecretFilter(SafeExceptionReporterFilter):
    def is_active(self, request: HttpRequest | None) -> bool:
        return True  # mask with DEBUG on too: `make run` users see these pages

    def get_post_parameters(self, request: HttpRequest | None) -> Any:
        parameters = super().get_post_parameters(request)
        if not parameters:
            return parameters
        cleansed = parameters.copy()
        for name in cleansed:
            if self.hidden_settings.search(name):
                cleansed[name] = self.cleansed_substitute
        return cleansed

    def get_traceback_frame_variables(self, request: HttpRequest | None, tb_frame: Any) -> list[tuple[str, Any]]:
        return [
            (name, self._mask(name, value)) for name, value in super().get_traceback_frame_variables(request, tb_frame)
        ]

    def _mask(self, name: str, value: Any) -> Any:
        if isinstance(value, str) and value == self.cleansed_substitute:
            return value
        if self.hidden_settings.search(name) and name != "self":
            return self.cleansed_substitute
        if isinstance(value, Mapping) and not isinstance(value, dict):
            value = dict(value)  # requests' and urllib3's header mappings are no dicts; cleanse them as one
        if isinstance(value, dict | list | tuple):
            value = self.cleanse_setting(name, value)
        try:
            text = repr(value)
        except Exception:  # a broken repr is the report's problem, not a leak
            return value
        scrubbed = scrub(text)
        return _Masked(scrubbed) if scrubbed != text else value


class SecretScrubbingReporter(ExceptionReporter):
    def get_traceback_html(self) -> str:
        return scrub(super().get_traceback_html())

    def get_traceback_text(self) -> str:
        return scrub(super().get_traceback_text())


class ScrubSecrets(logging.Filter):
    """Masks credentials in a record's message and traceback before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        scrubbed = scrub(message)
        if scrubbed != message:
            record.msg, record.args = scrubbed, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        return True

"""The Content-Security-Policy of our pages, and the wider one for a page that frames our own documents."""

import functools
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

# Pages use only our own static scripts and styles, embed no plugins or frames, and nothing may frame them.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-src 'none'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
# Pages that show one of our own documents in an <iframe> (the invoice PDF preview); plugins stay off.
FRAMING_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace("frame-src 'none'", "frame-src 'self'")


def frames_own_documents(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For a view whose page frames same-origin documents: its responses get FRAMING_CONTENT_SECURITY_POLICY
    (SecurityHeadersMiddleware keeps a policy a response already has)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response.headers.setdefault("Content-Security-Policy", FRAMING_CONTENT_SECURITY_POLICY)
        return response

    return wrapped

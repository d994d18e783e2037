"""What the HTML upload doors share: the guard that answers oversized or broken bodies readably, and each file's
outcome, shown as messages and a redirect (plain form) or as JSON (the page script, one request per file).

`guarded_upload` installs the 5 MiB limit before the body is read, turns broken multipart into a readable 400,
and checks CSRF after the handlers are in place (Django's own middleware would read the body first).
"""

import unicodedata
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import wraps

from django.contrib import messages
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from connections.writes import WriteError
from vouchers.documents.prepare import change_labels
from vouchers.models import Upload
from vouchers.previews.service import thumbnail_url
from vouchers.receipts.checks import DuplicateUpload, install_size_limit

NO_FILE = "No complete file was received. Choose at least one file (PDF, PNG or JPEG, up to 5 MB)."
TOO_LARGE = "is larger than 20 MB, the most Lexhub accepts."
STATE_LABELS = {
    "uploading": gettext_lazy("Uploading…"),
    "pending": gettext_lazy("Waiting to upload"),
    "uploaded": gettext_lazy("Uploaded, waiting for the voucher"),
    "linked": gettext_lazy("Voucher created"),
    "failed": gettext_lazy("Failed"),
    "rejected": gettext_lazy("Rejected"),
    "duplicate": gettext_lazy("Duplicate"),
}
UPLOAD_STATUS = {
    Upload.State.PENDING: 202,
    Upload.State.UPLOADED: 201,
    Upload.State.LINKED: 201,
    Upload.State.FAILED: 422,
}


@dataclass
class Outcome:
    """One file's result, as the page script and the JSON answer show it."""

    name: str
    state: str  # pending/uploaded/linked/failed (stored) or rejected/duplicate (nothing stored)
    status: int
    error: str = ""
    id: int | None = None
    voucher_url: str = ""
    voucher_label: str = ""
    existing_url: str = ""
    label: str = ""
    thumbnail_url: str = ""
    note: str = ""  # what was done to the file to send it (converted, rotated...), in the user's language

    def __post_init__(self) -> None:
        self.label = str(STATE_LABELS.get(self.state, self.state))
        # Errors of the checks are English msgids (the API answers them as they are); pages show them translated.
        self.error = _(self.error) if self.error else ""


def wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def guarded_upload(view: Callable) -> Callable:
    """Size limit before the body is read; unreadable bodies answered 400/413; then CSRF."""
    protected = csrf_protect(view)

    @csrf_exempt
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        install_size_limit(request)
        try:
            request.POST  # noqa: B018 - parse now, under our handler, to answer errors readably
            request.FILES  # noqa: B018
        except RequestDataTooBig:
            return refuse(request, "The request is too large; send files as multipart uploads of up to 5 MB.", 413)
        except TooManyFieldsSent:
            return refuse(request, "The request has too many fields.", 400)
        except TooManyFilesSent:
            return refuse(request, "Too many files in one request; send at most 100.", 400)
        except (MultiPartParserError, UnicodeDecodeError, ValueError) as exc:
            return refuse(request, f"The upload could not be read (broken multipart body: {str(exc)[:120]}).", 400)
        return protected(request, *args, **kwargs)

    return wrapper


def refuse(request: HttpRequest, message: str, status: int) -> HttpResponse:
    if wants_json(request):
        return JsonResponse({"error": message, "uploads": []}, status=status)
    back = request.headers.get("Referer", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("receipts:inbox")
    return render(request, "vouchers/receipts/refused.html", {"message": message, "back": back}, status=status)


def stopped_at(request: HttpRequest) -> str | None:
    """The name of the file that passed the size limit, if the handler stopped the upload."""
    if not getattr(request, "upload_too_large", False):
        return None
    handler = request.upload_handlers[0]
    return display_name(getattr(handler, "file_name", "") or "")


def display_name(name: str) -> str:
    """A received file name fit to show: no path, no control characters, not too long."""
    name = unicodedata.normalize("NFKC", name).replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(ch for ch in name if ch.isprintable())[:100] or "file"


def outcome_for(upload: Upload) -> Outcome:
    voucher = upload.voucher or upload.target_voucher
    outcome = Outcome(
        name=upload.original_name,
        state=upload.state,
        status=UPLOAD_STATUS[upload.state],
        error=upload.error,
        id=upload.pk,
        voucher_url=reverse("vouchers:detail", args=[voucher.pk]) if voucher else "",
        voucher_label=(voucher.voucher_number or _("Voucher")) if voucher else "",
        note=changes_note(upload.changes),
        thumbnail_url=thumbnail_url(upload.file) if upload.file else "",
    )
    if upload.target_voucher_id and upload.state == Upload.State.LINKED:
        outcome.label = _("Attached to the voucher")
    return outcome


def changes_note(changes: str) -> str:
    labels = change_labels()
    return ", ".join(labels[change] for change in changes.split(",") if change in labels)


def outcome_of_error(name: str, exc: WriteError) -> Outcome:
    if isinstance(exc, DuplicateUpload):
        voucher = exc.voucher
        url = reverse("vouchers:detail", args=[voucher.pk]) if voucher else reverse("receipts:inbox")
        label = (
            f"{_('Voucher')} {voucher.voucher_number}".strip()
            if voucher
            else _("an upload still waiting for its voucher")
        )
        return Outcome(
            name=name,
            state="duplicate",
            status=409,
            error=_("Already uploaded: %(label)s.") % {"label": label},
            existing_url=url,
            voucher_label=label,
        )
    return Outcome(
        name=name, state="rejected", status=exc.status if 400 <= exc.status < 500 else 400, error=exc.message
    )


def too_large(name: str) -> Outcome:
    return Outcome(name=name or "file", state="rejected", status=413, error=f"The file {TOO_LARGE}")


def answer(request: HttpRequest, outcomes: list[Outcome], *, back: str) -> HttpResponse:
    """JSON for the page script (status of the first refused file, else of the last one); otherwise
    messages and a redirect back, so the plain form works without JavaScript."""
    if wants_json(request):
        refused = [o for o in outcomes if o.status >= 400]
        status = refused[0].status if refused else (outcomes[-1].status if outcomes else 400)
        return JsonResponse({"uploads": [asdict(o) for o in outcomes]}, status=status)
    for outcome in outcomes:
        if outcome.status >= 400:
            messages.error(request, f"{outcome.name}: {outcome.error}")
        elif outcome.state == Upload.State.PENDING:
            messages.warning(
                request, _("%(name)s: Lexoffice is not reachable now; it will be sent later.") % {"name": outcome.name}
            )
        else:
            messages.success(request, _("%(name)s: uploaded to Lexoffice.") % {"name": outcome.name})
    return redirect(back)

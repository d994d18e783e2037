"""The intake page of a connection: its mailbox and watched folder (settings and state) and the log of every
part that came in. Everyone who sees the connection sees the page; only its owner changes the settings."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from connections.models import Connection
from connections.views import visible_connection
from intake import doors
from intake.forms import MailboxForm, WatchedFolderForm
from intake.imap import MailboxProblem, check
from intake.models import IntakeItem, Mailbox, WatchedFolder

PAGE_SIZE = 200


@login_required
@require_GET
def intake_page(request: HttpRequest, pk: int) -> HttpResponse:
    connection = visible_connection(request, pk)
    is_owner = connection.owner_id == request.user.pk
    mailbox = Mailbox.objects.filter(connection=connection).first()
    folder = WatchedFolder.objects.filter(connection=connection).first()
    items = IntakeItem.objects.filter(connection=connection).select_related("upload__voucher", "duplicate_of")
    state, source = request.GET.get("state", ""), request.GET.get("source", "")
    if state in IntakeItem.State.values:
        items = items.filter(state=state)
    if source in IntakeItem.Source.values:
        items = items.filter(source=source)
    context = {
        "connection": connection,
        "is_owner": is_owner,
        "mailbox": mailbox,
        "folder": folder,
        "mailbox_form": MailboxForm(instance=mailbox) if is_owner else None,
        "folder_form": WatchedFolderForm(instance=folder) if is_owner else None,
        "items": items[:PAGE_SIZE],
        "states": IntakeItem.State.choices,
        "sources": IntakeItem.Source.choices,
        "chosen_state": state,
        "chosen_source": source,
    }
    return render(request, "intake/page.html", context)


@login_required
@require_POST
def save_mailbox(request: HttpRequest, pk: int) -> HttpResponse:
    connection = visible_connection(request, pk, owner_only=True)
    instance = Mailbox.objects.filter(connection=connection).first() or Mailbox(connection=connection)
    form = MailboxForm(request.POST, instance=instance)
    if form.is_valid():
        form.save()
        messages.success(request, _("Mailbox saved. It is read within a few minutes."))
        return redirect(reverse("intake:page", args=[pk]))
    return _page_with_errors(request, connection, mailbox_form=form)


@login_required
@require_POST
def test_mailbox(request: HttpRequest, pk: int) -> HttpResponse:
    connection = visible_connection(request, pk, owner_only=True)
    mailbox = Mailbox.objects.filter(connection=connection).first()
    if mailbox is None:
        messages.error(request, _("Save the mailbox first."))
    else:
        try:
            check(mailbox)
        except MailboxProblem as exc:
            messages.error(request, _("The mailbox cannot be read: %(reason)s") % {"reason": _(exc.detail)})
        else:
            messages.success(request, _("The mailbox can be read."))
    return redirect(reverse("intake:page", args=[pk]))


@login_required
@require_POST
def save_folder(request: HttpRequest, pk: int) -> HttpResponse:
    connection = visible_connection(request, pk, owner_only=True)
    instance = WatchedFolder.objects.filter(connection=connection).first() or WatchedFolder(connection=connection)
    form = WatchedFolderForm(request.POST, instance=instance)
    if form.is_valid():
        form.save()
        messages.success(request, _("Watched folder saved."))
        return redirect(reverse("intake:page", args=[pk]))
    return _page_with_errors(request, connection, folder_form=form)


@login_required
@require_POST
def poll_now(request: HttpRequest, pk: int) -> HttpResponse:
    connection = visible_connection(request, pk, owner_only=True)
    for door in (*Mailbox.objects.filter(connection=connection), *WatchedFolder.objects.filter(connection=connection)):
        doors.poll_now(door)
    messages.success(request, _("Checking for new receipts now."))
    return redirect(reverse("intake:page", args=[pk]))


def _page_with_errors(
    request: HttpRequest,
    connection: Connection,
    *,
    mailbox_form: MailboxForm | None = None,
    folder_form: WatchedFolderForm | None = None,
) -> HttpResponse:
    mailbox = Mailbox.objects.filter(connection=connection).first()
    folder = WatchedFolder.objects.filter(connection=connection).first()
    context = {
        "connection": connection,
        "is_owner": True,
        "mailbox": mailbox,
        "folder": folder,
        "mailbox_form": mailbox_form or MailboxForm(instance=mailbox),
        "folder_form": folder_form or WatchedFolderForm(instance=folder),
        "items": IntakeItem.objects.filter(connection=connection)[:PAGE_SIZE],
        "states": IntakeItem.State.choices,
        "sources": IntakeItem.Source.choices,
    }
    return render(request, "intake/page.html", context, status=400)

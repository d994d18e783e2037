"""One poll of a connection's mailbox: new mails recorded part by part, their items settled, settled mails
moved to the processed folder (or the failed folder when Lexoffice refused a part). A mail stays where it is
until every part is settled; a mail moved away is never read again, a mail read twice is recorded once
(its items are keyed by folder, UIDVALIDITY, UID and part)."""

import imaplib
import logging
import socket
import ssl
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext_noop
from imap_tools import AND, BaseMailBox, H, MailMessage
from imap_tools.errors import MailboxFolderSelectError, MailboxFolderStatusError, MailboxLoginError

from intake import doors, mime
from intake.hosts import HostRefused, checked_address
from intake.items import Received, record, settle_open
from intake.models import DoorState, IntakeItem, Mailbox

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 20
BATCH = 500  # mails per poll; the rest waits for the next one, which is due at once

AUTH_FAILED = gettext_noop("The server refused the user name or password.")
UNREACHABLE = gettext_noop("The server cannot be reached.")
MISSING = gettext_noop("The folder to read does not exist on the server.")


class MailboxProblem(Exception):
    """Why a mailbox cannot be read now, as a state and a message fit to show (never the password)."""

    def __init__(self, state: str, detail: str) -> None:
        super().__init__(detail)
        self.state, self.detail = state, detail


def open_mailbox(mailbox: Mailbox) -> BaseMailBox:
    """Logged in, no folder selected yet. Raises MailboxProblem."""
    try:
        address = str(checked_address(mailbox.host, mailbox.port))
    except HostRefused as refused:
        raise MailboxProblem(DoorState.ERROR, refused.message) from None
    box: BaseMailBox
    try:
        if mailbox.security == Mailbox.Security.TLS:
            box = PinnedMailBox(address, mailbox.host, mailbox.port, ssl.create_default_context())
        elif mailbox.security == Mailbox.Security.STARTTLS:
            box = PinnedMailBoxStartTls(address, mailbox.host, mailbox.port, ssl.create_default_context())
        else:
            box = PinnedMailBoxUnencrypted(address, mailbox.host, mailbox.port)
        return box.login(mailbox.username, mailbox.password, initial_folder=None)
    except Exception as exc:
        raise problem(exc, mailbox) from None


# The clients connect to the address checked (intake/hosts.py) while keeping the host name for TLS: the
# certificate is verified against the name, and the name is not resolved a second time.


def _connect(address: str, port: int) -> socket.socket:
    return socket.create_connection((address, port), TIMEOUT_SECONDS)


class PinnedIMAP4(imaplib.IMAP4):
    def __init__(self, address: str, host: str, port: int) -> None:
        self.address = address
        super().__init__(host, port, timeout=TIMEOUT_SECONDS)

    def _create_socket(self, timeout: float | None = None) -> socket.socket:
        return _connect(self.address, self.port)


class PinnedIMAP4SSL(imaplib.IMAP4_SSL):
    def __init__(self, address: str, host: str, port: int, context: ssl.SSLContext) -> None:
        self.address = address
        super().__init__(host, port, ssl_context=context, timeout=TIMEOUT_SECONDS)

    def _create_socket(self, timeout: float | None = None) -> socket.socket:
        return self.ssl_context.wrap_socket(_connect(self.address, self.port), server_hostname=self.host)


class PinnedMailBox(BaseMailBox):
    def __init__(self, address: str, host: str, port: int, context: ssl.SSLContext) -> None:
        self._pinned = (address, host, port, context)
        super().__init__()

    def _get_mailbox_client(self) -> imaplib.IMAP4:
        return PinnedIMAP4SSL(*self._pinned)


class PinnedMailBoxStartTls(BaseMailBox):
    def __init__(self, address: str, host: str, port: int, context: ssl.SSLContext) -> None:
        self._pinned, self._context = (address, host, port), context
        super().__init__()

    def _get_mailbox_client(self) -> imaplib.IMAP4:
        client = PinnedIMAP4(*self._pinned)
        client.starttls(self._context)  # raises when the server offers no STARTTLS: never sent in the clear
        return client


class PinnedMailBoxUnencrypted(BaseMailBox):
    def __init__(self, address: str, host: str, port: int) -> None:
        self._pinned = (address, host, port)
        super().__init__()

    def _get_mailbox_client(self) -> imaplib.IMAP4:
        return PinnedIMAP4(*self._pinned)


def problem(exc: Exception, mailbox: Mailbox) -> MailboxProblem:
    if isinstance(exc, MailboxProblem):
        return exc
    if isinstance(exc, MailboxLoginError):
        return MailboxProblem(DoorState.AUTH_FAILED, AUTH_FAILED)
    if isinstance(exc, (MailboxFolderSelectError, MailboxFolderStatusError)):
        return MailboxProblem(DoorState.MISSING, MISSING)
    if isinstance(exc, (OSError, imaplib.IMAP4.abort, EOFError)):
        log.info("mailbox %s unreachable: %s", mailbox.pk, type(exc).__name__)
        return MailboxProblem(DoorState.UNREACHABLE, UNREACHABLE)
    detail = str(exc).replace(mailbox.password, "***") if mailbox.password else str(exc)
    return MailboxProblem(DoorState.ERROR, detail[:200])


def check(mailbox: Mailbox) -> None:
    """The page's "test connection": log in and open the folder to read. Raises MailboxProblem."""
    try:
        with open_mailbox(mailbox) as box:
            box.folder.set(mailbox.folder)
    except Exception as exc:
        raise problem(exc, mailbox) from None


def poll_mailbox(*, mailbox_id: int) -> None:
    if not doors.take(Mailbox, mailbox_id):
        return
    mailbox = Mailbox.objects.select_related("connection").get(pk=mailbox_id)
    try:
        more = _poll(mailbox)
    except Exception as exc:
        found = problem(exc, mailbox)
        if found.state == DoorState.ERROR:
            log.warning("mailbox %s: %s", mailbox_id, found.detail)
        doors.failed(Mailbox, mailbox_id, state=found.state, detail=found.detail)
    else:
        doors.succeeded(Mailbox, mailbox_id, more=more)


def _poll(mailbox: Mailbox) -> bool:
    with open_mailbox(mailbox) as box:
        box.folder.set(mailbox.folder)
        uidvalidity = box.folder.status(mailbox.folder, ["UIDVALIDITY"])["UIDVALIDITY"]
        for folder in (mailbox.processed_folder, mailbox.failed_folder):
            if not box.folder.exists(folder):
                box.folder.create(folder)
        uids = box.uids("ALL")
        for uid in uids[:BATCH]:
            _take_mail(box, mailbox, f"{mailbox.folder}:{uidvalidity}:{uid}", uid)
            doors.renew(Mailbox, mailbox.pk)
        return len(uids) > BATCH


def _take_mail(box: BaseMailBox, mailbox: Mailbox, message_key: str, uid: str) -> None:
    connection = mailbox.connection
    mail_items = IntakeItem.objects.filter(
        connection=connection, source=IntakeItem.Source.MAIL, message_key=message_key
    )
    seen_before = mail_items.exists()
    if not seen_before:
        message = next(iter(box.fetch(AND(uid=uid), mark_seen=False, bulk=False)), None)
        if message is None:  # moved or deleted since the search
            return
        record(
            connection=connection, source=IntakeItem.Source.MAIL, received=received_parts(mailbox, message_key, message)
        )
    if not settle_open(connection=connection, message_key=message_key, source=IntakeItem.Source.MAIL):
        return  # a part waits for Lexoffice: the mail stays until the next poll
    failed = mail_items.filter(state=IntakeItem.State.FAILED).exists()
    destination = mailbox.failed_folder if failed else mailbox.processed_folder
    message_id = mail_items.values_list("message_id", flat=True).first() or ""
    if seen_before and message_id and _already_in(box, destination, message_id, back_to=mailbox.folder):
        box.delete(uid)  # an interrupted MOVE copied it already; a second MOVE would leave two copies
    else:
        box.move(uid, destination)


def _already_in(box: BaseMailBox, folder: str, message_id: str, *, back_to: str) -> bool:
    box.folder.set(folder)
    try:
        return bool(box.uids(AND(header=H("Message-ID", message_id))))
    finally:
        box.folder.set(back_to)


def received_parts(mailbox: Mailbox, message_key: str, message: MailMessage) -> list[Received]:
    sender = message.from_ or ""
    message_id = str(message.obj.get("Message-ID", "")).strip()
    allowed = mailbox.sender_allowed(sender)
    found = [(p.index, p.filename, p.content_type, p.payload, p.skip_reason) for p in mime.parts(message.obj)]
    if not found:
        found = [(0, "", "", b"", mime.NO_ATTACHMENT)]
    return [
        Received(
            source_key=f"{message_key}:{index}",
            message_key=message_key,
            part_index=index,
            filename=filename,
            content_type=content_type,
            payload=payload,
            skip_reason=skip or ("" if allowed else mime.SENDER_NOT_ALLOWED),
            sender=sender,
            subject=message.subject or "",
            sent_at=_sent_at(message.date),
            message_id=message_id,
        )
        for index, filename, content_type, payload, skip in found
    ]


def _sent_at(value: datetime) -> datetime | None:
    if value.year < 1971:  # imap-tools' stand-in for a missing or unreadable Date header
        return None
    return value if timezone.is_aware(value) else timezone.make_aware(value, timezone.get_current_timezone())

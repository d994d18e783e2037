"""Where an intake mailbox may connect: the server its owner typed, resolved once, at a public address unless
LEXHUB_INTAKE_ALLOWED_NETWORKS allows it (empty by default; `make run` and the tests allow loopback, where
their mail server runs). Checked when the mailbox is saved and again at every connection, which then goes
to the address checked (intake/imap.py), so a name that later resolves inside cannot lead there."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, gettext_noop

from web import addresses

MALFORMED = gettext_noop("Enter the mail server's name or IP address.")
UNRESOLVABLE = gettext_noop("The mail server's name cannot be resolved.")
INTERNAL = gettext_noop(
    "The mail server is at a private, loopback or otherwise internal address, which this installation does not allow."
)


class HostRefused(Exception):
    """`message` is an untranslated text (stored as a door's state detail, translated where it is shown)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def checked_address(host: str, port: int) -> addresses.IPAddress:
    """The address to connect to for `host`, or HostRefused."""
    host = host.strip().lower()
    if not host or not addresses.well_formed_host(host):
        raise HostRefused(MALFORMED)
    try:
        return addresses.resolve(host, port, addresses.networks(settings.LEXHUB_INTAKE_ALLOWED_NETWORKS))
    except addresses.Unresolvable:
        raise HostRefused(UNRESOLVABLE) from None
    except addresses.Internal:
        raise HostRefused(INTERNAL) from None


def clean_host(host: str, port: int) -> str:
    """For a form or serializer: the host as entered, or ValidationError with the reason."""
    try:
        checked_address(host, port)
    except HostRefused as refused:
        raise ValidationError(gettext(refused.message)) from None
    return host.strip()

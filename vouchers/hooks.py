"""Extension points of vouchers/, filled by the apps above it (invoices) in their AppConfig.ready."""

from collections.abc import Callable

# Called after each page of the voucher list is mirrored, with connection, client, progress and the page's
# Lexoffice ids (invoices fetches the details of the sales documents among them).
after_voucherlist_page: list[Callable[..., None]] = []


def on_voucherlist_page(hook: Callable[..., None]) -> None:
    if hook not in after_voucherlist_page:
        after_voucherlist_page.append(hook)


# Asked about each file a receipt upload received, before it is stored: called with connection, content (bytes),
# content_type (sniffed) and force; returns a callable to run with the stored Upload (inside the same transaction),
# or None when the file is nothing it knows. It may raise connections.writes.WriteError to refuse the file, which
# is then not stored. XML is accepted as a receipt only when a recogniser claims it (einvoices fills this).
file_recognisers: list[Callable[..., Callable[..., None] | None]] = []


def on_file_received(hook: Callable[..., Callable[..., None] | None]) -> None:
    if hook not in file_recognisers:
        file_recognisers.append(hook)


# Called with file= and content= (bytes) after a file's bytes were fetched from Lexoffice (a mirrored receipt),
# outside the transaction that stored them; a hook must not raise for a file it cannot read (einvoices fills this).
after_file_fetched: list[Callable[..., object]] = []


def on_file_fetched(hook: Callable[..., object]) -> None:
    if hook not in after_file_fetched:
        after_file_fetched.append(hook)

"""Extension points of vouchers/, filled by the apps above it (invoices) in their AppConfig.ready."""

from collections.abc import Callable

# Called after each page of the voucher list is mirrored, with connection, client, progress and the page's
# Lexoffice ids (invoices fetches the details of the sales documents among them).
after_voucherlist_page: list[Callable[..., None]] = []


def on_voucherlist_page(hook: Callable[..., None]) -> None:
    if hook not in after_voucherlist_page:
        after_voucherlist_page.append(hook)

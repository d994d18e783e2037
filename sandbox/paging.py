"""Spring-style pages (§7): page/size/sort, the full envelope, and the 10,000-entry search window."""

from werkzeug.datastructures import MultiDict

from sandbox.errors import invalid, legacy, regular

MAX_SIZE = 250
SEARCH_WINDOW = 10_000


def sort_of(args: dict, path: str, *, sortable: object, default: tuple[str, str]) -> tuple[str, str]:
    """(property, direction) from `sort=property[,ASC|DESC]`; ascending when only the property is named."""
    if not args.get("sort"):
        return default
    parts = args["sort"].split(",")
    if parts[0] not in sortable or (len(parts) > 1 and parts[1].upper() not in ("ASC", "DESC")):
        raise regular(400, path, "parameter 'sort' is invalid")
    return parts[0], parts[1].upper() if len(parts) > 1 else "ASC"


def page_of(
    items: list, args: dict, *, default_sort: list[dict] | None, legacy_errors: bool = False, path: str = ""
) -> dict:
    page = _int(args.get("page"), 0)
    size = _int(args.get("size"), 25)
    if legacy_errors:
        # Contacts fall back to defaults for nonsense values and refuse only oversized pages.
        page, size = max(page, 0), size if size > 0 else 25
        if size > MAX_SIZE:
            raise invalid(400, "size", "bad_request_error")
    else:
        if page < 0 or size < 1:
            raise regular(400, path, "parameter 'page' or 'size' is invalid")
        if size > MAX_SIZE:
            raise regular(400, path, f"parameter 'size' must be equal or lower than {MAX_SIZE}")
    if page * size >= SEARCH_WINDOW:
        raise regular(400, path, "Maximum search window size exceeded")
    total = min(len(items), SEARCH_WINDOW)
    content = items[page * size : (page + 1) * size]
    total_pages = (total + size - 1) // size if total else 0
    sort = [
        {
            "property": s["property"],
            "direction": s["direction"],
            "ignoreCase": False,
            "nullHandling": "NATIVE",
            "ascending": s["direction"] == "ASC",
        }
        for s in (default_sort or [])
    ]
    return {
        "content": content,
        "first": page == 0,
        "last": (page + 1) >= total_pages,
        "totalPages": total_pages,
        "totalElements": total,
        "numberOfElements": len(content),
        "size": size,
        "number": page,
        "sort": sort,
    }


# Filters per list endpoint (§5: "a filter must not repeat"); other parameters are ignored when unknown.
FILTERS = {
    "contacts": ("email", "name", "number", "customer", "vendor"),
    "vouchers": ("voucherNumber",),
    "voucherlist": (
        "voucherType",
        "voucherStatus",
        "archived",
        "contactId",
        "voucherDateFrom",
        "voucherDateTo",
        "createdDateFrom",
        "createdDateTo",
        "updatedDateFrom",
        "updatedDateTo",
        "voucherNumber",
    ),
    "articles": ("articleNumber", "gtin", "type"),
    "recurring_templates": (),
}
LEGACY_LISTS = ("contacts", "vouchers")


def check_repeats(endpoint: str, args: MultiDict, path: str) -> None:
    """A filter, page, size or sort given twice is refused (400) rather than one of them silently used."""
    for name in (*FILTERS[endpoint], "page", "size", "sort"):
        if len(args.getlist(name)) > 1:
            if endpoint in LEGACY_LISTS:
                raise legacy(400, (name, "bad_request_error", "bad_request_error"))
            raise regular(400, path, f"Request parameter '{name}' must not be repeated")


def _int(value: str | None, default: int) -> int:
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        return -1

"""The voucher list (§10): required parameters, `any`, comma lists, Berlin-day date filters, sort."""

from datetime import datetime, time

from sandbox import sales, vouchers
from sandbox.clock import BERLIN, parse_any, parse_day
from sandbox.errors import regular
from sandbox.paging import page_of, sort_of
from sandbox.store import Organization

TYPES = (
    "salesinvoice",
    "salescreditnote",
    "purchaseinvoice",
    "purchasecreditnote",
    "invoice",
    "downpaymentinvoice",
    "creditnote",
    "orderconfirmation",
    "quotation",
    "deliverynote",
)
STATUSES = (
    "draft",
    "open",
    "overdue",
    "paid",
    "paidoff",
    "voided",
    "transferred",
    "sepadebit",
    "accepted",
    "rejected",
    "unchecked",
    "blank",
)
SORTABLE = {
    "voucherDate": "voucherDate",
    "voucherNumber": "voucherNumber",
    "createdDate": "createdDate",
    "updatedDate": "updatedDate",
}
DATE_FILTERS = {"voucherDate": "voucherDate", "createdDate": "createdDate", "updatedDate": "updatedDate"}


def _values(args: dict, name: str, allowed: tuple[str, ...], path: str) -> set[str] | None:
    raw = args[name]
    if raw == "any":
        return None
    values = {v.strip() for v in raw.split(",") if v.strip()}
    for value in values:
        if value not in allowed:
            raise regular(400, path, f"Invalid value '{value}' received for request parameter '{name}'")
    return values


def _day_bound(value: str, name: str, path: str, *, end: bool, datetimes: bool):
    day = parse_day(value)
    if day is None:
        try:
            if not datetimes:  # documented: yyyy-MM-dd; that datetimes work is one client's observation
                raise ValueError(value)
            day = parse_any(value).astimezone(BERLIN).date()
        except ValueError:
            raise regular(400, path, f"Invalid value '{value}' received for request parameter '{name}'") from None
    return datetime.combine(day, time.max if end else time.min, tzinfo=BERLIN)


def voucherlist(org: Organization, args: dict, path: str) -> dict:
    if "voucherType" not in args or "voucherStatus" not in args:
        raise regular(400, path, "Missing required request parameters")
    types = _values(args, "voucherType", TYPES, path)
    statuses = _values(args, "voucherStatus", STATUSES, path)
    if statuses and "overdue" in statuses and len(statuses) > 1:
        raise regular(400, path, "voucherStatus 'overdue' cannot be combined with other statuses")
    bounds = []
    for name, field in DATE_FILTERS.items():
        for suffix, end in (("From", False), ("To", True)):
            if args.get(name + suffix):
                bounds.append(
                    (
                        field,
                        end,
                        _day_bound(
                            args[name + suffix], name + suffix, path, end=end, datetimes=org.date_filter_datetimes
                        ),
                    )
                )
    archived = args.get("archived")
    sort_property, direction = sort_of(args, path, sortable=org.voucherlist_sorts, default=("voucherDate", "DESC"))
    entries = [vouchers.list_entry(v, org) for v in org.vouchers.values()]
    entries += [sales.list_entry(d, org) for d in org.sales.values() if d["_kind"] != "dunning"]
    selected = []
    for entry in entries:
        if types is not None and entry["voucherType"] not in types:
            continue
        if (
            statuses is not None
            and entry["voucherStatus"] not in statuses
            and not (entry["voucherStatus"] == "overdue" and statuses & {"open", "sepadebit"})
        ):
            continue
        if archived is not None and entry["archived"] != (archived.lower() == "true"):
            continue
        if args.get("contactId") and entry["contactId"] != args["contactId"]:
            continue
        if args.get("voucherNumber") and entry["voucherNumber"] != args["voucherNumber"]:
            continue
        if not all(_within(entry.get(field), end, bound) for field, end, bound in bounds):
            continue
        selected.append(entry)
    selected.sort(key=lambda e: (e.get(SORTABLE[sort_property]) or "", e["id"]), reverse=direction == "DESC")
    return page_of(
        selected, args, path=path, default_sort=[{"property": sort_property.lower(), "direction": direction}]
    )


def _within(value: str | None, end: bool, bound: datetime) -> bool:
    if not value:
        return False
    moment = parse_any(value)
    return moment <= bound if end else moment >= bound

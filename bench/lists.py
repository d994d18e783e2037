"""List and search latency at 1,000,000 vouchers and 100,000 contacts (PostgreSQL), UI and REST API.

gunicorn serves the app; load comes from a separate process with 8 concurrent keep-alive clients.
Server time is the app's own Server-Timing header (Django and its middleware, not the queue in front).
The last page is reached by a cursor built from the database (the row before the last 50), the
same position walking the pages would end at.
"""

import itertools
import re
from datetime import UTC, datetime
from urllib.parse import urlencode

import requests
from django.contrib.auth import get_user_model

from bench import anchors, dataset, env, lists_api
from bench.load import load
from bench.rows import Row
from bench.server import gunicorn, session_cookie
from contacts.models import Contact
from vouchers.models import BOOKKEEPING_TYPES, SALES_TYPES, Voucher
from web.listing import encode_cursor

CLIENTS = 8
PAGE = 50
WORKERS = 2


def ui_variants(data: dataset.Dataset) -> dict[str, list[str]]:
    """Per page, the filter and sort combinations a person uses (each answered with 50 rows or fewer)."""
    vouchers = [
        "",
        "type=purchaseinvoice",
        "status=open",
        "archived=no",
        "min=100&max=500",
        "type=salesinvoice&status=paid",
        "status=open&archived=no",
        "sort=number",
        "sort=-amount",
        "sort=contact&status=open",
        "after=" + encode_cursor(["-voucher_date", datetime(2021, 6, 1, tzinfo=UTC), 0]),
    ]
    invoices = [
        "",
        "type=invoice",
        "status=overdue",
        "archived=no",
        "min=1000&max=2000",
        "type=quotation&status=open",
        "type=invoice&status=paid&archived=no",
        "sort=-number",
        "sort=amount&type=invoice",
        "after=" + encode_cursor(["-voucher_date", datetime(2019, 3, 1, tzinfo=UTC), 0]),
    ]
    contacts = [
        "",
        "role=customer",
        "role=vendor",
        "archived=no",
        "role=vendor&archived=no",
        "sort=-name",
        "sort=customer",
        "sort=-vendor&role=vendor",
        f"after={encode_cursor(['name', 'M', 0])}",
        f"role=customer&after={encode_cursor(['name', 'S', 0])}",
    ]
    return {"/contacts/": contacts, "/vouchers/": vouchers, "/invoices/": invoices}


def search_terms(data: dataset.Dataset) -> tuple[list[str], list[str]]:
    """Contact-name and voucher-number fragments, common to rare (seeded data, so they exist)."""
    n = data.vouchers
    numbers = [
        f"{n // 3:07d}",
        f"{n // 7:07d}"[:-2],
        f"-{(n // 2):07d}"[:-1],
        "Bäckerei Koch",
        "Müller",
        f"{n - 5:07d}",
    ]
    names = ["Koch", "Brauerei Vogel", "Hotel Frank", f"info{data.contacts // 2}@", "Lena W", "gmbh & co"]
    return names, numbers


def last_cursors(data: dataset.Dataset) -> dict[str, str]:
    present = {"connection_id": data.connection_id, "deleted_upstream_at__isnull": True}
    cursors = {}
    for path, types in (("/vouchers/", BOOKKEEPING_TYPES), ("/invoices/", SALES_TYPES)):
        before_last = Voucher.objects.filter(**present, voucher_type__in=types).order_by("voucher_date", "id")[PAGE]
        cursors[path] = encode_cursor(["-voucher_date", before_last.voucher_date, before_last.pk])
    before_last = Contact.objects.filter(**present).order_by("-name", "-id")[PAGE]
    cursors["/contacts/"] = encode_cursor(["name", before_last.name, before_last.pk])
    return cursors


def measure(base_url: str, paths: list[str], headers: dict, count: int) -> dict:
    spec = {
        "rate": 0,
        "concurrency": CLIENTS,
        "requests": [
            {"method": "GET", "url": f"{base_url}{path}", "headers": headers}
            for path in itertools.islice(itertools.cycle(paths), count)
        ],
    }
    return load(spec)


def sum_totals(base_url: str, headers: dict, data: dataset.Dataset) -> None:
    """What a browser does once per filter and mirror state: a page whose totals outran its budget comes
    without them and static/lexhub/totals.js asks for them (`totals=wait`); after that every page of that
    filter shows them at once. Prints what that first sum costs (server time), the one cost the measured
    pages do not include."""
    _names, numbers = search_terms(data)
    variants = ui_variants(data)
    pages = [f"{path}?{query}" for path in ("/vouchers/", "/invoices/") for query in variants[path]]
    pages += [f"/vouchers/?{urlencode({'q': term})}" for term in numbers]
    pages += ["/vouchers/?from=2020-01-01&to=2020-12-31", "/invoices/?from=2024-01-01&to=2024-03-31"]
    pages += ["/vouchers/?from=2017-05-01&to=2017-05-31"]
    waited = []
    for page in pages:
        if "data-totals-url" not in requests.get(f"{base_url}{page}", headers=headers, timeout=120).text:
            continue
        response = requests.get(f"{base_url}{page}&totals=wait", headers=headers, timeout=120)
        timing = re.search(r"app;dur=([0-9.]+)", response.headers.get("Server-Timing", ""))
        waited.append(float(timing.group(1)) if timing else response.elapsed.total_seconds() * 1000)
    if waited:
        waited.sort()
        print(
            f"   totals over the page budget: {len(waited)} of {len(pages)} filters; summed afterwards in "
            f"{waited[len(waited) // 2]:.0f} ms (median), {waited[-1]:.0f} ms (slowest), server time",
            flush=True,
        )
    else:
        print(f"   totals over the page budget: none of {len(pages)} filters", flush=True)


def check_pages(base_url: str, headers: dict, cursors: dict[str, str]) -> None:
    """The pages measured are real: 50 rows on the first page, no next link on the last."""
    for path, cursor in cursors.items():
        first = requests.get(f"{base_url}{path}", headers=headers, timeout=60)
        last = requests.get(f"{base_url}{path}?after={cursor}", headers=headers, timeout=60)
        link = f'href="/{"contacts" if path == "/contacts/" else "vouchers"}/'
        if first.status_code != 200 or first.text.count(link) < PAGE or 'rel="next"' not in first.text:
            raise RuntimeError(f"{path}: first page is not a full page ({first.status_code})")
        if last.status_code != 200 or last.text.count(link) < 1 or 'rel="next"' in last.text:
            raise RuntimeError(f"{path}: the constructed last cursor is not the last page ({last.status_code})")


OFFSET = "the same page with Django's offset Paginator (COUNT + OFFSET) and icontains search, same template"
# The last page is where keyset paging pays: at 1,000,000 rows at most 0.2 x the offset page. Other pages at
# most 1.0 x it at full size; on the quick set (COUNT and OFFSET of 20,000 rows are cheap) both cost about
# the same, so "not slower" within the noise of interleaved requests (lists_api.QUICK_EVEN).
LAST_PAGE_TARGET = {True: 1.0, False: 0.2}
EVEN = {True: lists_api.QUICK_EVEN, False: 1.0}


def offset_path(path: str, query: str = "") -> str:
    """The offset anchor's URL for a list page and query (a keyset `after=` means nothing to it: dropped)."""
    kept = "&".join(part for part in query.split("&") if part and not part.startswith("after="))
    return f"/_anchor/ui{path}" + (f"?{kept}" if kept else "")


def versus(name: str, target: float, result: dict, key: str, unit: str = "ms") -> Row:
    """Lexhub's figure against the offset anchor's, requested alternately in one run."""
    return Row(
        name,
        target,
        result["by_tag"]["Lexhub"][key],
        unit,
        anchor=OFFSET,
        anchor_measured=result["by_tag"]["offset"][key],
    )


def ui_rows(base_url: str, data: dataset.Dataset, cookie: str, count: int, *, quick: bool) -> list[Row]:
    headers = {"Cookie": cookie}
    cursors = last_cursors(data)
    check_pages(base_url, headers, cursors)
    size = f"{data.vouchers:,}v/{data.contacts:,}c"
    rows, errors = [], 0
    measure(base_url, [p for p in ui_variants(data)], headers, 60)  # warm-up: connections, caches, plans
    measure(base_url, [offset_path(p) for p in ui_variants(data)], headers, 30)
    sum_totals(base_url, headers, data)

    def both(lexhub: list[str], offset: list[str], requests_per_side: int) -> dict:
        nonlocal errors
        result = lists_api.interleaved(base_url, {"Lexhub": lexhub, "offset": offset}, headers, requests_per_side)
        errors += anchors.not_ok([result])
        return result

    for path, variants in ui_variants(data).items():
        result = both([f"{path}?{q}" for q in variants], [offset_path(path, q) for q in variants], count)
        print(f"   UI {path} ({len(variants)} filter combinations), Lexhub and offset in turn: {result}", flush=True)
        name = f"lists UI {path} 50 rows, filters, server p95 ({size})"
        rows.append(versus(name, EVEN[quick], result, "server_p95_ms"))
        pages = lists_api.interleaved(
            base_url,
            {
                "first": [path],
                "last": [f"{path}?after={cursors[path]}"],
                "offset first": [offset_path(path)],
                "offset last": [offset_path(path, "page=last")],
            },
            headers,
            count // 3,
        )
        errors += anchors.not_ok([pages])
        tags = pages["by_tag"]
        print(f"   UI {path} first, last, offset first, offset last alternately: {tags}", flush=True)
        rows.append(
            Row(
                f"lists UI {path} last page / first page, server p50",
                1.5,
                tags["last"]["server_p50_ms"],
                "ms",
                anchor="Lexhub's first page, requested alternately with the last",
                anchor_measured=tags["first"]["server_p50_ms"],
            )
        )
        for which, target in (("first", EVEN[quick]), ("last", LAST_PAGE_TARGET[quick])):
            rows.append(
                Row(
                    f"lists UI {path} {which} page, server p50 ({size})",
                    target,
                    tags[which]["server_p50_ms"],
                    "ms",
                    anchor=OFFSET,
                    anchor_measured=tags[f"offset {which}"]["server_p50_ms"],
                )
            )
    dated = [
        "/vouchers/?from=2020-01-01&to=2020-12-31",
        "/invoices/?from=2024-01-01&to=2024-03-31",
        "/vouchers/?from=2017-05-01&to=2017-05-31",
    ]
    result = both(dated, [offset_path(*d.split("?")) for d in dated], count // 10)
    print(f"   UI date range filters, Lexhub and offset alternately: {result}", flush=True)
    name = f"lists UI /vouchers/ /invoices/ date-range filter, server p95 ({size})"
    rows.append(versus(name, EVEN[quick], result, "server_p95_ms"))
    names, numbers = search_terms(data)
    for label, path, terms in (("contact name", "/contacts/", names), ("voucher number", "/vouchers/", numbers)):
        queries = [urlencode({"q": term}) for term in terms]
        result = both([f"{path}?{q}" for q in queries], [offset_path(path, q) for q in queries], count // 2)
        print(f"   UI search {label} {terms}, Lexhub and offset + icontains alternately: {result}", flush=True)
        rows.append(
            versus(
                f"lists UI search {label} (substring), server p95 ({size})",
                lists_api.SEARCH_TARGET[quick],
                result,
                "server_p95_ms",
            )
        )
    rows.append(Row("lists UI responses other than 200", 0, errors, "count"))
    return rows


def run(quick: bool) -> list[Row]:
    if not env.is_postgresql():
        print("   lists: needs PostgreSQL (COPY); set DATABASE_URL or start it on 127.0.0.1:5432")
        return [Row("lists: PostgreSQL available", 1, 0, "bool", higher_is_better=True)]
    contacts, vouchers = (2_000, 20_000) if quick else (100_000, 1_000_000)
    data = dataset.ensure(contacts=contacts, vouchers=vouchers)
    user = get_user_model().objects.get(pk=data.owner_id)
    # At full size an offset anchor request costs up to a second (COUNT, OFFSET and its totals over 1,000,000
    # rows): 400 requests a side keep the section near 20 minutes and still give a p95 of 20 requests.
    count = 240 if quick else 400
    # 2 sync workers (one per core) gave the lowest server time and the most requests/s of 2/3/4 workers,
    # sync or threaded, tried side by side; the throttle is lifted so the server, not the budget, is measured.
    with gunicorn(workers=WORKERS, env_extra={"LEXHUB_API_THROTTLE": "100000000/hour"}) as server:
        rows = ui_rows(server.base_url, data, session_cookie(user), count, quick=quick)
        rows += lists_api.api_rows(server, data, user, count, quick=quick)
    return rows

"""Articles (§16): exact-match filters, create/update with Lexoffice's checks (regular error format),
GTIN check digits, unique article numbers, version 0 on create, real DELETE."""

import copy
import uuid

from sandbox.errors import regular
from sandbox.paging import page_of, sort_of
from sandbox.store import Organization, stamp

TYPES = ("PRODUCT", "SERVICE")
RATES = (0, 7, 19)
LEADING = ("NET", "GROSS")
SORTABLE = ("title", "articleNumber", "createdDate", "updatedDate")
WRITABLE = ("title", "description", "type", "articleNumber", "gtin", "note", "unitName", "price")
GENERIC = "Validation failed for request. Please see details list for specific causes."


def search(org: Organization, args: dict, path: str) -> dict:
    if args.get("type") is not None and args["type"] not in TYPES:
        raise regular(400, path, f"Invalid value '{args['type']}' received for request parameter 'type'")
    found = [
        a
        for a in org.articles.values()
        if all(args.get(name) is None or a.get(name) == args[name] for name in ("articleNumber", "gtin", "type"))
    ]
    prop, direction = sort_of(args, path, sortable=SORTABLE, default=("title", "ASC"))
    found.sort(key=lambda a: (str(a.get(prop) or "").lower(), a["id"]), reverse=direction == "DESC")
    return page_of(found, args, path=path, default_sort=[{"property": prop, "direction": direction}])


def get(org: Organization, article_id: str, path: str) -> dict:
    article = org.articles.get(article_id)
    if article is None:
        raise regular(404, path, "Resource not found")
    return article


def valid_gtin(value: str) -> bool:
    """GTIN-8/12/13/14 with a correct mod-10 check digit."""
    if not value.isdigit() or len(value) not in (8, 12, 13, 14):
        return False
    digits = [int(d) for d in value]
    weighted = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits[:-1])))
    return (10 - weighted % 10) % 10 == digits[-1]


def _check(org: Organization, body: dict, path: str, article_id: str | None = None) -> None:
    details: list[dict] = []

    def add(field: str, violation: str, message: str) -> None:
        details.append({"violation": violation, "field": field, "message": message})

    if not str(body.get("title") or "").strip():
        add("title", "NOTBLANK", "darf nicht leer sein")
    if body.get("type") is None:
        add("type", "NOTNULL", "darf nicht leer sein")
    elif body["type"] not in TYPES:  # lowercase `product` is refused too
        add("type", "INVALID", "erlaubt: PRODUCT, SERVICE")
    if not str(body.get("unitName") or "").strip():
        add("unitName", "NOTEMPTY", "darf nicht leer sein")
    _check_price(body.get("price"), add)
    gtin = body.get("gtin")
    if gtin not in (None, "") and not (isinstance(gtin, str) and valid_gtin(gtin)):
        add("gtin", "VALIDGTIN", "ungültige GTIN")
    number = body.get("articleNumber")
    if number and any(a.get("articleNumber") == number and a["id"] != article_id for a in org.articles.values()):
        add("materialNumber", "MATERIAL_NUMBER_ALREADY_EXISTS", "Artikelnummer ist bereits vergeben")
    if details:
        raise regular(406, path, GENERIC, details)


def _check_price(price: object, add) -> None:
    if not isinstance(price, dict):
        add("price", "NOTNULL", "darf nicht leer sein")
        return
    leading = price.get("leadingPrice")
    if leading not in LEADING:
        add("price.leadingPrice", "NOTNULL" if leading is None else "INVALID", "erlaubt: NET, GROSS")
    if price.get("taxRate") is None:
        add("price.taxRate", "NOTNULL", "darf nicht leer sein")
    elif price["taxRate"] not in RATES:
        add("price.taxRate", "INVALID", "erlaubt: 0, 7, 19")
    wanted = {"NET": "netPrice", "GROSS": "grossPrice"}.get(leading)
    value = price.get(wanted) if wanted else None
    if wanted and (isinstance(value, bool) or not isinstance(value, int | float) or value < 0):
        add(f"price.{wanted}", "NOTNULL" if value is None else "INVALID", "darf nicht leer sein")


def _fields(body: dict) -> dict:
    article = {name: copy.deepcopy(body[name]) for name in WRITABLE if body.get(name) is not None}
    price = article["price"]
    rate = float(price["taxRate"]) / 100
    if price["leadingPrice"] == "NET":
        price["grossPrice"] = round(float(price["netPrice"]) * (1 + rate), 2)
    else:
        price["netPrice"] = round(float(price["grossPrice"]) / (1 + rate), 2)
    return article


def create(org: Organization, body: dict, path: str) -> dict:
    _check(org, body, path)
    article = {"id": str(uuid.uuid4()), "organizationId": org.id, "archived": False, **_fields(body)}
    stamp(article, created=True)
    article["version"] = 0  # articles start at 0 (§6), unlike contacts and vouchers
    org.articles[article["id"]] = article
    return article


def update(org: Organization, article_id: str, body: dict, path: str) -> dict:
    current = get(org, article_id, path)
    if body.get("version") is None:
        raise regular(
            406, path, GENERIC, [{"violation": "NOTNULL", "field": "version", "message": "darf nicht leer sein"}]
        )
    if body["version"] != current["version"]:
        raise regular(409, path, f"The version {body['version']} of the article is outdated")
    _check(org, body, path, article_id)
    replaced = {
        "id": article_id,
        "organizationId": org.id,
        "archived": current.get("archived", False),
        "createdDate": current["createdDate"],
        "version": current["version"],
        **_fields(body),
    }
    org.articles[article_id] = stamp(replaced)
    return replaced


def delete(org: Organization, article_id: str, path: str) -> None:
    get(org, article_id, path)
    del org.articles[article_id]

"""Request bodies for sales documents and articles, each valid as it stands; tests change one thing."""

import copy

DAY = "2026-03-02T00:00:00.000+01:00"
LATER = "2026-03-31T00:00:00.000+02:00"
ONE_TIME = {"name": "Café Morgenrot", "street": "Lindenstr. 9", "zip": "50667", "city": "Köln", "countryCode": "DE"}


def item(name: str = "Beratung", quantity: float = 2.5, net: float = 80.0, rate: float = 19, **extra: object) -> dict:
    return {
        "type": "custom",
        "name": name,
        "quantity": quantity,
        "unitName": "Stunde",
        "unitPrice": {"currency": "EUR", "netAmount": net, "taxRatePercentage": rate},
        **extra,
    }


def sales(kind: str, **changes: object) -> dict:
    """A minimal valid create body for `kind` (invoices, credit-notes, quotations, order-confirmations,
    delivery-notes, dunnings)."""
    body = {
        "voucherDate": DAY,
        "address": copy.deepcopy(ONE_TIME),
        "lineItems": [item(), {"type": "text", "name": "Hinweis", "description": "Leistungszeitraum März"}],
        "totalPrice": {"currency": "EUR"},
        "taxConditions": {"taxType": "net"},
    }
    if kind in ("invoices", "order-confirmations", "delivery-notes", "dunnings"):
        body["shippingConditions"] = {"shippingType": "serviceperiod", "shippingDate": DAY, "shippingEndDate": LATER}
    if kind == "quotations":
        body["expirationDate"] = LATER
    body.update(copy.deepcopy(changes))
    return body


def article(**changes: object) -> dict:
    body = {
        "title": "Beratungsstunde",
        "type": "SERVICE",
        "unitName": "Stunde",
        "articleNumber": "B-100",
        "price": {"netPrice": 100.0, "leadingPrice": "NET", "taxRate": 19},
    }
    body.update(copy.deepcopy(changes))
    return body


def create(org, kind: str, body: dict | None = None, **params: str) -> dict:
    """POST a sales document that must succeed; returns it as GET shows it."""
    response = org.api("POST", f"/v1/{kind}", json=body if body is not None else sales(kind), params=params)
    assert response.status_code == 201, response.text
    return org.api("GET", f"/v1/{kind}/{response.json()['id']}").json()


def details(response) -> set[tuple[str, str]]:
    """(field, violation) pairs of a regular-format 406."""
    return {(d["field"], d["violation"]) for d in response.json().get("details") or []}


REGULAR = {"timestamp", "status", "error", "path", "traceId", "message"}


def assert_regular(response, status: int, path: str) -> dict:
    body = response.json()
    assert response.status_code == status, response.text
    assert set(body) >= REGULAR
    assert (body["status"], body["path"]) == (status, path)
    return body

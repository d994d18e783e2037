"""Compare the local mirror with the sandbox record by record (normalised JSON, file hashes)."""

import hashlib

from connections.models import Connection
from contacts.models import Contact
from invoices.models import SalesDocument
from vouchers.models import BOOKKEEPING_TYPES, File, Voucher


def remote_pages(org, path: str, params: dict) -> list[dict]:
    items, page = [], 0
    while True:
        response = org.api("GET", path, params={**params, "page": page, "size": 250})
        response.raise_for_status()
        body = response.json()
        items += body["content"]
        if body["last"]:
            return items
        page += 1


LIST_TYPES = (
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


def mirror_differences(connection: Connection, org, *, files: bool = False) -> list[str]:
    """Every way the mirror differs from the sandbox; empty when they are equal."""
    problems: list[str] = []
    remote_contacts = {c["id"]: c for c in remote_pages(org, "/v1/contacts", {})}
    local_contacts = {str(c.lexoffice_id): c.raw for c in Contact.objects.present().filter(connection=connection)}
    problems += _diff("contact", remote_contacts, local_contacts)

    entries = []
    for voucher_type in LIST_TYPES:  # one type at a time keeps each listing under the 10,000 search window
        first = org.api(
            "GET", "/v1/voucherlist", params={"voucherType": voucher_type, "voucherStatus": "any", "size": 1}
        ).json()
        if first["totalElements"] >= 10_000:  # an exception, not an assert: bench and chaos may run with -O
            raise ValueError(f"too many {voucher_type} entries to compare this way")
        entries += remote_pages(org, "/v1/voucherlist", {"voucherType": voucher_type, "voucherStatus": "any"})
    remote_entries = {e["id"]: e for e in entries}
    local_vouchers = {str(v.lexoffice_id): v for v in Voucher.objects.present().filter(connection=connection)}
    problems += _diff("voucherlist entry", remote_entries, {k: v.raw for k, v in local_vouchers.items()})

    for entry in entries:
        local = local_vouchers.get(entry["id"])
        if local is None:
            continue
        if entry["voucherType"] in BOOKKEEPING_TYPES:
            remote = org.api("GET", f"/v1/vouchers/{entry['id']}").json()
            if remote != local.details:
                problems.append(f"voucher {entry['id']}: details differ")
            if files:
                problems += _file_differences(connection, org, remote.get("files") or [])
        elif entry["voucherType"] == "invoice":
            remote = org.api("GET", f"/v1/invoices/{entry['id']}").json()
            document = SalesDocument.objects.filter(connection=connection, lexoffice_id=entry["id"]).first()
            if document is None or document.raw != remote:
                problems.append(f"invoice {entry['id']}: details differ")
    return problems


def _file_differences(connection: Connection, org, file_ids: list[str]) -> list[str]:
    problems = []
    for file_id in file_ids:
        local = File.objects.filter(connection=connection, lexoffice_id=file_id).first()
        if local is None or not local.content:
            problems.append(f"file {file_id}: not stored locally")
            continue
        remote = org.api("GET", f"/v1/files/{file_id}", headers={"Accept": "*/*"}).content
        with local.content.open("rb") as stored:
            if hashlib.sha256(stored.read()).hexdigest() != hashlib.sha256(remote).hexdigest():
                problems.append(f"file {file_id}: content differs")
    return problems


def _diff(kind: str, remote: dict[str, dict], local: dict[str, dict]) -> list[str]:
    problems = [f"{kind} {key}: missing locally" for key in remote.keys() - local.keys()]
    problems += [f"{kind} {key}: only local" for key in local.keys() - remote.keys()]
    problems += [f"{kind} {key}: differs" for key in remote.keys() & local.keys() if remote[key] != local[key]]
    return problems


def row_fingerprint(connection: Connection) -> list[tuple]:
    """Every mirrored row with its write time: equal before and after means nothing was written."""
    rows = []
    for model in (Contact, Voucher, SalesDocument):
        rows += list(model.objects.filter(connection=connection).order_by("pk").values_list("pk", "synced_at"))
    return rows

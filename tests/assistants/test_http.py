"""The MCP server over streamable HTTP, driven by the SDK's own client: every read tool answers from the
mirror (0 requests to the sandbox), scoped to the token's user, audited; read-only tokens cannot write."""

import asyncio
import base64
import json

import pytest
import requests
from django.utils.translation import gettext
from mcp.shared.exceptions import MCPError

from connections.models import AuditLog
from contacts.models import Contact
from harness.assistants import http_client
from invoices.models import SalesDocument
from tests.writes import files
from vouchers.models import Upload, Voucher

pytestmark = pytest.mark.django_db(transaction=True)

READ_TOOLS = {
    "search_contacts",
    "get_contact",
    "search_vouchers",
    "search_invoices",
    "get_voucher",
    "open_items",
    "connection_state",
}
WRITE_TOOLS = {"create_contact", "update_contact", "create_voucher", "upload_receipt"}


async def calls(url: str, token: str | None, *requests_: tuple[str, dict]) -> list:
    async with http_client(url, token) as client:
        return [await client.call_tool(name, arguments) for name, arguments in requests_]


def answer(result) -> dict:
    assert not result.is_error, result.content[0].text
    return json.loads(result.content[0].text)


def test_every_read_tool_answers_from_the_mirror_without_a_lexoffice_request(
    synced, sandbox, alice, alice_token, mcp_http
) -> None:
    contact = Contact.objects.filter(connection=synced).order_by("name").first()
    invoice = SalesDocument.objects.filter(connection=synced, kind="invoice").exclude(voucher=None).first().voucher
    before = sandbox.counters()["requests"]

    async def run() -> tuple[list, list]:
        async with http_client(mcp_http.url, alice_token) as client:
            tools = (await client.list_tools()).tools
            results = [
                await client.call_tool("search_contacts", {"text": contact.name[:4]}),
                await client.call_tool("search_contacts", {"limit": 2}),
                await client.call_tool("get_contact", {"contact_id": contact.pk}),
                await client.call_tool("search_vouchers", {"limit": 50}),
                await client.call_tool("search_invoices", {"type": "invoice"}),
                await client.call_tool("get_voucher", {"voucher_id": invoice.pk}),
                await client.call_tool("open_items", {}),
                await client.call_tool("connection_state", {}),
            ]
            resource = await client.read_resource(f"lexhub://vouchers/{invoice.pk}")
            return tools, [*results, resource]

    tools, results = asyncio.run(run())
    *results, resource = results
    found, first_two, one_contact, vouchers, invoices, one_invoice, totals, state = map(answer, results)

    assert {tool.name for tool in tools} == READ_TOOLS | WRITE_TOOLS
    assert all(tool.description for tool in tools)
    assert contact.pk in [row["id"] for row in found["results"]]
    assert len(first_two["results"]) == 2 and first_two["nextCursor"]
    assert one_contact["name"] == contact.name and one_contact["version"] == contact.version
    assert one_contact["connection"] == "Sandbox" and one_contact["url"].endswith(f"/contacts/{contact.pk}/")
    assert {row["id"] for row in vouchers["results"]} == set(
        Voucher.objects.filter(connection=synced, deleted_upstream_at=None).values_list("pk", flat=True)
    )
    assert invoice.pk in {row["id"] for row in invoices["results"]}
    assert {row["type"] for row in invoices["results"]} == {"invoice"}
    assert one_invoice["number"] == invoice.voucher_number and one_invoice["lines"]
    assert totals["connections"][0]["connection"] == "Sandbox"
    assert state["connections"][0]["lastSync"]["state"] == "succeeded" and state["connections"][0]["id"] == synced.pk
    assert json.loads(resource.contents[0].text) == one_invoice
    assert sandbox.counters()["requests"] == before  # the mirror answered: no request reached Lexoffice
    audited = AuditLog.objects.filter(user=alice, method="MCP")
    assert audited.count() == 9
    assert set(audited.values_list("action", flat=True)) == {f"mcp:{name}" for name in READ_TOOLS} | {
        "mcp:resource:voucher"
    }
    assert not any(alice_token in row.message for row in audited)  # the key names it, never the token


def test_pages_follow_the_cursor_to_the_end_without_repeats(synced, alice_token, mcp_http) -> None:
    async def walk() -> list[int]:
        seen, cursor = [], None
        async with http_client(mcp_http.url, alice_token) as client:
            while True:
                page = answer(await client.call_tool("search_vouchers", {"limit": 5, "cursor": cursor}))
                seen += [row["id"] for row in page["results"]]
                if not (cursor := page["nextCursor"]):
                    return seen

    seen = asyncio.run(walk())

    assert len(seen) == len(set(seen)) == Voucher.objects.filter(connection=synced, deleted_upstream_at=None).count()


def test_another_users_token_sees_none_of_the_records(synced, bob_token, mcp_http) -> None:
    voucher = Voucher.objects.filter(connection=synced).first()
    contact = Contact.objects.filter(connection=synced).first()

    contacts, vouchers, one_voucher, one_contact, totals = asyncio.run(
        calls(
            mcp_http.url,
            bob_token,
            ("search_contacts", {}),
            ("search_vouchers", {}),
            ("get_voucher", {"voucher_id": voucher.pk}),
            ("get_contact", {"contact_id": contact.pk}),
            ("open_items", {}),
        )
    )

    assert answer(contacts)["results"] == [] and answer(vouchers)["results"] == []
    assert one_voucher.is_error and one_voucher.content[0].text == f"No voucher {voucher.pk} in your connections."
    assert one_contact.is_error
    assert answer(totals)["connections"] == []
    assert f"No voucher {voucher.pk}" in asyncio.run(
        refusal_of_resource(mcp_http.url, bob_token, f"lexhub://vouchers/{voucher.pk}")
    )


async def refusal_of_resource(url: str, token: str, uri: str) -> str:
    async with http_client(url, token) as client:
        try:
            await client.read_resource(uri)
        except MCPError as refused:
            return str(refused)
    raise AssertionError(f"{uri} was read")


def test_a_read_only_token_cannot_write(synced, sandbox, alice, alice_read_only_token, mcp_http) -> None:
    contact = Contact.objects.filter(connection=synced).first()
    before = sandbox.counters()["requests"]

    (refused,) = asyncio.run(
        calls(
            mcp_http.url,
            alice_read_only_token,
            ("update_contact", {"contact_id": contact.pk, "version": contact.version, "changes": {"note": "x"}}),
        )
    )

    read_only = gettext("This API token is read-only: it cannot change anything. Create a read-write token.")
    assert refused.is_error and read_only in refused.content[0].text  # in the server's language
    assert sandbox.counters()["requests"] == before
    assert AuditLog.objects.get(action="mcp:update_contact").result == "refused"


def test_a_request_without_a_valid_token_is_refused_with_401(mcp_http) -> None:
    for headers in ({}, {"Authorization": "Bearer not-a-token"}):
        response = requests.post(mcp_http.url, json={}, headers=headers, timeout=10)
        assert response.status_code == 401
        assert response.json()["code"] == "authentication_failed"


def test_a_receipt_uploaded_by_an_assistant_reaches_lexoffice_once(connection, sandbox, alice, alice_token, mcp_http):
    content = base64.b64encode(files.pdf("Bahnticket März")).decode()
    receipt = {"filename": "Bahnticket.pdf", "content_base64": content}

    sent, again = asyncio.run(
        calls(mcp_http.url, alice_token, ("upload_receipt", receipt), ("upload_receipt", receipt))
    )

    assert answer(sent)["done"] is True
    upload = Upload.objects.get(pk=answer(sent)["record"]["upload"])
    assert upload.user == alice and upload.state in (Upload.State.UPLOADED, Upload.State.LINKED)
    posted = [r for r in sandbox.requests_log() if r["method"] == "POST" and r["path"].rstrip("/") == "/v1/files"]
    assert len(posted) == 1
    assert again.is_error and "uploaded before" in again.content[0].text
    assert AuditLog.objects.filter(action="mcp:upload_receipt", user=alice).count() == 2


def test_a_change_upstream_in_the_same_field_is_answered_as_a_conflict(synced, sandbox, alice_token, mcp_http) -> None:
    contact = Contact.objects.filter(connection=synced, is_company=True).order_by("pk").first()
    sandbox.mutate("contact", "change", str(contact.lexoffice_id), {"note": "their note"})
    change = {"contact_id": contact.pk, "version": contact.version, "changes": {"note": "my note"}}

    (conflict,) = asyncio.run(calls(mcp_http.url, alice_token, ("update_contact", change)))

    assert conflict.is_error
    body = json.loads(conflict.content[0].text)
    assert body["conflict"] is True and "note" in body["fields"] and body["theirs"]["note"] == "their note"
    assert sandbox.api("GET", f"/v1/contacts/{contact.lexoffice_id}").json()["note"] == "their note"


def test_a_tokens_budget_is_one_for_its_mcp_and_its_rest_requests(alice, alice_token, settings, tmp_path) -> None:
    from django.test import Client

    from harness.processes import free_port, manage_py_server
    from lexhub.tokens import issue_token
    from tests.assistants.conftest import server_env

    port = free_port()
    url = f"http://127.0.0.1:{port}/mcp"
    environment = {**server_env(), "LEXHUB_API_THROTTLE": "5/hour", "MEDIA_ROOT": str(tmp_path / "media")}
    auth = {"Authorization": f"Bearer {alice_token}"}
    with manage_py_server(
        ["mcp", "--http", "--host", "127.0.0.1", "--port", str(port)],
        ready_url=url,
        env=environment,
        log_path=tmp_path / "mcp.log",
    ):
        statuses = [requests.post(url, json={}, headers=auth, timeout=10).status_code for _ in range(5)]
        refused = requests.post(url, json={}, headers=auth, timeout=10)

    assert 429 not in statuses  # five requests fit (the SDK answers the empty body as it will)
    assert refused.status_code == 429 and refused.json()["code"] == "throttled"
    assert int(refused.headers["Retry-After"]) > 0
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"user": "5/hour"}}
    # The server's cache keys have no test prefix; the token is this test's own, so no other test shares them.
    settings.CACHES = {name: {**config, "KEY_PREFIX": ""} for name, config in settings.CACHES.items()}
    spent = Client().get("/api/v1/connections/", HTTP_AUTHORIZATION=f"Token {alice_token}")
    fresh = Client().get("/api/v1/connections/", HTTP_AUTHORIZATION=f"Token {issue_token(alice, read_only=True)[1]}")
    assert spent.status_code == 429  # the same budget, spent over MCP
    assert fresh.status_code == 200  # another token has its own

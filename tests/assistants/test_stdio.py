"""The MCP server over stdio (`manage.py mcp` as the SDK client's subprocess, the token in its environment):
tools listed, a read answered, and a write that reaches Lexoffice through the outbox and is audited."""

import asyncio
import json
import subprocess
import sys

import pytest
from django.utils.translation import gettext

from connections.models import AuditLog, OutboxEntry
from contacts.models import Contact
from harness.assistants import stdio_client
from harness.processes import ROOT
from tests.assistants.conftest import server_env

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_write_over_stdio_changes_the_contact_in_lexoffice(synced, sandbox, alice, alice_token) -> None:
    contact = Contact.objects.filter(connection=synced, is_company=True).order_by("pk").first()
    env = {**server_env(), "LEXHUB_MCP_TOKEN": alice_token}

    async def run() -> tuple[list[str], dict, dict]:
        async with stdio_client(env) as client:
            tools = [tool.name for tool in (await client.list_tools()).tools]
            found = await client.call_tool("search_contacts", {"text": contact.name})
            changed = await client.call_tool(
                "update_contact",
                {"contact_id": contact.pk, "version": contact.version, "changes": {"note": "Called on Monday"}},
            )
            assert not changed.is_error, changed.content[0].text
            return tools, json.loads(found.content[0].text), json.loads(changed.content[0].text)

    tools, found, changed = asyncio.run(run())

    assert "update_contact" in tools and "search_contacts" in tools
    assert contact.pk in [row["id"] for row in found["results"]]
    assert changed["done"] is True and changed["record"]["note"] == "Called on Monday"
    remote = sandbox.api("GET", f"/v1/contacts/{contact.lexoffice_id}").json()
    assert remote["note"] == "Called on Monday"
    contact.refresh_from_db()
    assert contact.raw["note"] == "Called on Monday" and contact.version == remote["version"]
    entry = OutboxEntry.objects.get(operation="update_contact")
    assert entry.state == OutboxEntry.State.SENT and entry.user == alice
    assert AuditLog.objects.filter(action="update_contact", user=alice, result="sent").exists()  # the push
    assert AuditLog.objects.filter(action="mcp:update_contact", user=alice, result="ok").exists()  # the call


def test_the_command_refuses_to_start_without_a_valid_token(transactional_db) -> None:
    env = {**server_env(), "LEXHUB_MCP_TOKEN": "not-a-token"}

    finished = subprocess.run(
        [sys.executable, "manage.py", "mcp"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )

    assert finished.returncode != 0
    assert gettext("Invalid token.") in finished.stderr and "LEXHUB_MCP_TOKEN" in finished.stderr

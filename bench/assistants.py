"""The MCP server's read tools over streamable HTTP, beside the same lists from the REST API, in one run.

The lists data set (1,000,000 vouchers, 100,000 contacts; --quick 20,000 and 2,000) on PostgreSQL.
gunicorn (2 workers) serves the REST API as in the lists section; `manage.py mcp --http --workers 2` the
MCP server. Each MCP call is the POST the SDK's client sends for `tools/call` (protocol 2026-07-28: one
self-contained request, answered with JSON). Two load processes run at the same time, 4 clients each, one
calling the MCP server and one the REST API (a load client keeps one connection, to one server), so both
meet the same machine. Before measuring, the SDK's own client calls each tool once and
each answer is checked (rows found, no tool error), so the figures are of real answers.
"""

import asyncio
import json
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from urllib.parse import urlencode

import requests
from django.contrib.auth import get_user_model

from bench import anchors, dataset, env
from bench.load import load
from bench.rows import Row
from bench.server import gunicorn
from harness.assistants import http_client
from harness.processes import free_port
from lexhub.tokens import issue_token

CLIENTS = 4  # per server: 8 in all
ROUNDS = 3
PROTOCOL = "2026-07-28"


def pairs(data: dataset.Dataset) -> dict[str, tuple[str, dict, str]]:
    """figure -> (tool, arguments, the REST API's path for the same list)."""
    number = f"{data.vouchers // 3:07d}"
    return {
        "50 newest vouchers": ("search_vouchers", {"limit": 50}, "/api/v1/vouchers/?pageSize=50"),
        "open invoices": (
            "search_invoices",
            {"type": "invoice", "status": "open", "limit": 50},
            "/api/v1/vouchers/?type=invoice&status=open&pageSize=50",
        ),
        "voucher number search": (
            "search_vouchers",
            {"text": number, "limit": 50},
            f"/api/v1/vouchers/?{urlencode({'search': number})}&pageSize=50",
        ),
        "contact name search": (
            "search_contacts",
            {"text": "Koch", "limit": 50},
            "/api/v1/contacts/?search=Koch&pageSize=50",
        ),
    }


def tool_call(url: str, token: str, tool: str, arguments: dict) -> dict:
    body = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "tools/call",
        "params": {
            "name": tool,
            "arguments": arguments,
            "_meta": {  # the envelope the SDK's client puts on every request
                "io.modelcontextprotocol/protocolVersion": PROTOCOL,
                "io.modelcontextprotocol/clientInfo": {"name": "lexhub-bench", "version": "1"},
                "io.modelcontextprotocol/clientCapabilities": {},
            },
        },
    }
    headers = {
        "Authorization": f"Bearer {token}",
        "Accept": "application/json, text/event-stream",
        "Content-Type": "application/json",
        "MCP-Protocol-Version": PROTOCOL,
        "Mcp-Method": "tools/call",
        "Mcp-Name": tool,
    }
    return {"method": "POST", "url": url, "headers": headers, "body": json.dumps(body)}


def side_by_side(mcp: dict, rest: dict, count: int) -> dict[str, dict]:
    """`count` requests of each, from two load processes running at once."""
    with ThreadPoolExecutor(2) as pool:
        futures = {
            tag: pool.submit(load, {"rate": 0, "concurrency": CLIENTS, "requests": [request] * count})
            for tag, request in (("mcp", mcp), ("rest", rest))
        }
        return {tag: future.result() for tag, future in futures.items()}


@contextmanager
def mcp_server() -> Iterator[str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}/mcp"
    args = [sys.executable, "manage.py", "mcp", "--http", "--port", str(port), "--workers", "2"]
    with env.process(args, ready_url=url, name="mcp", env={"ALLOWED_HOSTS": "127.0.0.1,localhost"}):
        yield url


def check_answers(url: str, token: str, calls: dict[str, tuple[str, dict, str]]) -> dict[str, int]:
    """Each tool once through the SDK's client: the rows it found (a tool error stops the bench)."""

    async def run() -> dict[str, int]:
        found = {}
        async with http_client(url, token) as client:
            for label, (tool, arguments, _path) in calls.items():
                result = await client.call_tool(tool, arguments)
                if result.is_error:
                    raise RuntimeError(f"{tool} {arguments}: {result.content[0].text}")
                found[label] = len(json.loads(result.content[0].text)["results"])
        return found

    return asyncio.run(run())


def check_raw(call: dict) -> None:
    """The replayed POST is answered like the SDK's: a result, not a protocol or tool error."""
    answer = requests.post(call["url"], data=call["body"], headers=call["headers"], timeout=60)
    body = answer.json() if answer.headers.get("content-type", "").startswith("application/json") else {}
    if answer.status_code != 200 or "result" not in body or body["result"].get("isError"):
        raise RuntimeError(f"replayed tools/call answered {answer.status_code}: {answer.text[:300]}")


def run(quick: bool) -> list[Row]:
    if not env.is_postgresql():
        print("   assistants: needs PostgreSQL (the lists data set); set DATABASE_URL or start it on 127.0.0.1:5432")
        return [Row("assistants: PostgreSQL available", 1, 0, "bool", higher_is_better=True)]
    contacts, vouchers = (2_000, 20_000) if quick else (100_000, 1_000_000)
    data = dataset.ensure(contacts=contacts, vouchers=vouchers)
    user = get_user_model().objects.get(pk=data.owner_id)
    count = 160 if quick else 800  # per figure, half MCP and half REST
    size = f"{data.vouchers:,}v/{data.contacts:,}c"
    token = issue_token(user, read_only=True)[1]
    calls = pairs(data)
    rows, errors = [], 0
    with gunicorn(workers=2, env_extra={"LEXHUB_API_THROTTLE": "100000000/hour"}) as api, mcp_server() as url:
        print(f"   rows found by each tool: {check_answers(url, token, calls)}", flush=True)
        rest_headers = {"Authorization": f"Token {token}", "Accept": "application/json"}
        for label, (tool, arguments, path) in calls.items():
            mcp = tool_call(url, token, tool, arguments)
            check_raw(mcp)
            rest = {"method": "GET", "url": f"{api.base_url}{path}", "headers": rest_headers}
            side_by_side(mcp, rest, 20)  # warm-up
            # Three runs, each side's p95 the median of its three: one run's p95 over 80 requests is its
            # fifth-worst, and one scheduler hiccup on the shared machine decided the row.
            runs = [side_by_side(mcp, rest, count // 2) for _ in range(ROUNDS)]
            by_tag = {tag: [run[tag] for run in runs] for tag in ("mcp", "rest")}
            errors += sum(anchors.not_ok(results) for results in by_tag.values())
            print(f"   {label}: MCP {by_tag['mcp']}\n   {label}: REST {by_tag['rest']}", flush=True)
            # Judged against the REST API's answer to the same question in the same run; the absolute
            # figures move with the machine and are information.
            rows.append(
                Row(
                    f"assistants MCP {label}, p95 over HTTP ({size})",
                    1.5,
                    anchors.median(by_tag["mcp"], "p95_ms"),
                    "ms",
                    anchor="the REST API's request for the same rows, interleaved in the same run",
                    anchor_measured=anchors.median(by_tag["rest"], "p95_ms"),
                )
            )
    rows.append(Row("assistants responses other than 200", 0, errors, "count"))
    return rows

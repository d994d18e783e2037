"""Clients of Lexhub's MCP server (assistants/) for tests and the bench: the SDK's own client over
streamable HTTP (with an API token as bearer) or over stdio (`manage.py mcp` as a subprocess)."""

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx2
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

from harness.processes import ROOT


@asynccontextmanager
async def http_client(url: str, token: str | None) -> AsyncIterator[Client]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with (
        httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(30.0, read=120.0)) as http,
        Client(streamable_http_client(url, http_client=http), cache=None) as client,
    ):
        yield client


def stdio_client(env: dict[str, str]) -> Client:
    """`manage.py mcp` in this checkout as the client's subprocess; `env` names its database and token."""
    return Client(
        StdioServerParameters(command=sys.executable, args=["manage.py", "mcp"], cwd=ROOT, env=env), cache=None
    )

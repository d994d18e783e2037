"""Lexhub's MCP server as an assistant reaches it: `manage.py mcp --http` on a free loopback port, or
`manage.py mcp` over stdio, both processes of their own against the test database (so the tests that
use them need committed rows: transactional_db)."""

import os
from dataclasses import dataclass

import pytest

from harness.processes import free_port, manage_py_server
from lexhub.tokens import issue_token
from tests.fixtures.app import worker_database_url


@dataclass
class McpServer:
    url: str


def server_env() -> dict[str, str]:
    """What `manage.py mcp` needs to see this test's database, keys and sandbox."""
    return {**os.environ, "DATABASE_URL": worker_database_url()}


@pytest.fixture(scope="session")
def mcp_http_server(django_db_setup, tmp_path_factory) -> McpServer:
    """One server for the session: it keeps no state between requests, and reads the test database anew."""
    workdir = tmp_path_factory.mktemp("mcp")
    port = free_port()
    url = f"http://127.0.0.1:{port}/mcp"
    with manage_py_server(
        ["mcp", "--http", "--host", "127.0.0.1", "--port", str(port)],
        ready_url=url,
        env={**server_env(), "MEDIA_ROOT": str(workdir / "media")},
        log_path=workdir / "mcp.log",
    ):
        yield McpServer(url)


@pytest.fixture
def mcp_http(transactional_db, mcp_http_server) -> McpServer:
    return mcp_http_server


@pytest.fixture
def alice_token(alice) -> str:
    return issue_token(alice, read_only=False)[1]


@pytest.fixture
def alice_read_only_token(alice) -> str:
    return issue_token(alice, read_only=True)[1]


@pytest.fixture
def bob_token(bob) -> str:
    return issue_token(bob, read_only=False)[1]

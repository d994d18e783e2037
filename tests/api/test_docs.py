"""/api/docs/ serves Swagger UI from our own static files, and it runs under the site's CSP."""

import re

import pytest
from django.test import Client

from tests.browser import chromium

pytestmark = pytest.mark.django_db


def test_the_docs_page_loads_nothing_from_other_hosts(client: Client) -> None:
    page = client.get("/api/docs/")
    html = page.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)

    assert page.status_code == 200
    assert sources and all(source.startswith("/") for source in sources), sources
    assert "script-src 'self'" in page["Content-Security-Policy"]
    assert "'sha256-" in page["Content-Security-Policy"]
    for source in sources:
        asset = client.get(source)
        assert asset.status_code == 200, source
    script = client.get(next(s for s in sources if "script=" in s))
    assert script["Content-Type"].startswith("application/javascript")
    assert b"/api/schema/" in script.content


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


@pytest.mark.django_db(transaction=True)
def test_swagger_ui_renders_every_operation_without_csp_violations(browser, live_server, alice) -> None:
    client = Client()
    client.force_login(alice)
    context = browser.new_context(base_url=live_server.url)
    cookie = client.cookies["sessionid"]
    context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])
    page = context.new_page()
    problems, foreign = [], []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on(
        "request",
        lambda request: foreign.append(request.url) if not request.url.startswith((live_server.url, "data:")) else None,
    )

    page.goto("/api/docs/")
    page.locator(".opblock").first.wait_for(timeout=15_000)

    assert page.locator(".opblock").count() >= 30
    assert page.locator(".information-container .title").inner_text().startswith("Lexhub API")
    assert [text for text in problems if "Content Security Policy" in text] == []
    assert foreign == []
    context.close()


def test_the_schema_generates_without_warnings_and_validates(tmp_path) -> None:
    from django.core.management import call_command

    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(target))  # raises on a warning

    text = target.read_text()
    assert "tokenAuth" in text and "/api/v1/vouchers/{id}/files/" in text


def test_every_operation_is_documented_with_a_summary_and_its_errors(client: Client) -> None:
    schema = client.get("/api/schema/?format=json").json()
    missing = []
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            responses = set(operation["responses"])
            success = {code for code in responses if code.startswith("2")}
            if not operation.get("summary") or not success or not {"401", "429"} <= responses:
                missing.append(f"{method.upper()} {path}")
            if "{id}" in path and "404" not in responses:
                missing.append(f"{method.upper()} {path}: 404")
            for code in responses - success:
                content = operation["responses"][code].get("content", {})
                if "application/json" not in content:
                    missing.append(f"{method.upper()} {path}: {code} body")
    assert missing == []

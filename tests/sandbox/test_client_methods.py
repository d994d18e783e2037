"""The client methods added for the new sandbox endpoints, against the sandbox over HTTP."""

import pytest
import requests

from lexoffice.client import Conflict, Lexoffice, NotFound, ValidationFailed
from tests.sandbox.bodies import article, sales


@pytest.fixture
def client(sandbox_empty) -> Lexoffice:
    return Lexoffice(sandbox_empty.api_key, sandbox_empty.base_url, rate=0, max_retry_seconds=10)


def test_sales_documents_are_created_and_pursued(client) -> None:
    quotation = client.create_sales_document("quotations", sales("quotations"), finalize=True)
    invoice = client.create_invoice(sales("invoices"), finalize=True, preceding_id=quotation["id"])
    stored = client.invoice(invoice["id"])

    assert (stored["voucherStatus"], stored["relatedVouchers"][0]["id"]) == ("open", quotation["id"])
    with pytest.raises(ValidationFailed):
        client.create_invoice(sales("invoices", voucherDate="2026-03-02"))
    with pytest.raises(ValueError, match="unknown sales document kind"):
        client.create_sales_document("invoices; drop", sales("invoices"))


def test_articles_round_trip(client) -> None:
    created = client.create_article(article())
    assert client.articles(article_number="B-100")["content"][0]["id"] == created["id"]
    assert client.articles(article_type="PRODUCT")["content"] == []
    updated = client.update_article(created["id"], {**article(title="Neu"), "version": created["version"]})
    assert client.article(created["id"])["version"] == updated["version"] == 1
    with pytest.raises(Conflict):
        client.update_article(created["id"], {**article(), "version": 0})
    client.delete_article(created["id"])
    with pytest.raises(NotFound):
        client.article(created["id"])


def test_recurring_templates_are_read(sandbox_server) -> None:
    created = requests.post(
        f"{sandbox_server.base_url}/_sandbox/organizations",
        timeout=60,
        json={"contacts": 4, "recurringTemplates": 2, "rateLimit": 0},
    ).json()
    client = Lexoffice(created["apiKey"], sandbox_server.base_url, rate=0, max_retry_seconds=10)
    page = client.recurring_templates(sort="nextExecutionDate,ASC", size=5)

    assert page["totalElements"] == 2
    assert client.recurring_template(page["content"][0]["id"])["lineItems"]

"""A CSP per page type: only the pages that frame documents may frame anything, and Chromium still previews the
sandboxed PDF in them."""

import re

import pytest
from django.test import Client

from connections.models import SyncRun
from connections.sync import run_sync
from harness.processes import ROOT
from web.csp import CONTENT_SECURITY_POLICY, FRAMING_CONTENT_SECURITY_POLICY


@pytest.mark.django_db
def test_pages_that_frame_nothing_allow_no_frames_or_plugins(alice_client: Client, synced) -> None:
    from vouchers.models import Voucher

    receipt = Voucher.objects.filter(connection=synced, sales_document__isnull=True).first()
    paths = [
        "/",
        "/contacts/",
        "/vouchers/",
        "/invoices/",
        "/receipts/",
        "/connections/",
        "/audit/",
        "/events/",
        f"/vouchers/{receipt.pk}/" if receipt else "/",
    ]
    for path in paths:
        response = alice_client.get(path)
        assert response.status_code == 200, path
        policy = response["Content-Security-Policy"]
        if path.startswith("/vouchers/") and path != "/vouchers/":
            assert policy == FRAMING_CONTENT_SECURITY_POLICY, path  # the detail page may preview a document
        else:
            assert policy == CONTENT_SECURITY_POLICY, path
        assert "object-src 'none'" in policy and "frame-ancestors 'none'" in policy, path
    login = Client().get("/accounts/login/")
    assert "frame-src 'none'" in login["Content-Security-Policy"]
    assert "object-src 'none'" in login["Content-Security-Policy"]


def test_the_policies_differ_only_in_frame_src() -> None:
    directives = dict(part.strip().split(" ", 1) for part in CONTENT_SECURITY_POLICY.split(";"))
    framing = dict(part.strip().split(" ", 1) for part in FRAMING_CONTENT_SECURITY_POLICY.split(";"))

    assert (directives["frame-src"], directives["object-src"]) == ("'none'", "'none'")
    assert (framing["frame-src"], framing["object-src"]) == ("'self'", "'none'")
    assert {k: v for k, v in framing.items() if k != "frame-src"} == {
        k: v for k, v in directives.items() if k != "frame-src"
    }


@pytest.mark.django_db
def test_the_api_docs_keep_their_style_hash_and_allow_no_frames(client: Client) -> None:
    policy = client.get("/api/docs/")["Content-Security-Policy"]

    assert "'sha256-" in policy
    assert "frame-src 'none'" in policy and "object-src 'none'" in policy


def test_only_the_voucher_page_embeds_frames_or_plugins() -> None:
    """A template that gains an <iframe>, <object> or <embed> needs its view wrapped in frames_own_documents
    (or a wider policy of its own); this list says which ones do."""
    templates = [*ROOT.glob("templates/**/*.html"), *ROOT.glob("*/templates/**/*.html")]  # project's, apps'
    embedding = sorted(
        str(path.relative_to(ROOT))
        for path in templates
        if re.search(r"<(iframe|object|embed)\b", path.read_text(), re.IGNORECASE)
    )

    assert embedding == ["templates/vouchers/detail.html"]


PDF_VIEWER_TOOLBAR = """() => {
    const viewer = document.querySelector('pdf-viewer');
    const toolbar = viewer && viewer.shadowRoot && viewer.shadowRoot.querySelector('viewer-toolbar');
    return toolbar && toolbar.shadowRoot ? toolbar.shadowRoot.textContent : '';
}"""


@pytest.mark.django_db(transaction=True)
def test_chromium_still_previews_the_sandboxed_pdf_in_the_voucher_page(
    live_server, alice, connection, sandbox, media
) -> None:
    from invoices.models import SalesDocument
    from tests.browser import chromium

    created = sandbox.mutate("invoice", "create", fields={})
    run_sync(run_id=SyncRun.objects.create(connection=connection, kind=SyncRun.Kind.FULL).pk)
    document = SalesDocument.objects.get(connection=connection, lexoffice_id=created["id"])
    client = Client()
    client.force_login(alice)
    with chromium() as browser:
        context = browser.new_context(base_url=live_server.url)
        context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
        page = context.new_page()
        console: list[str] = []
        page.on("console", lambda message: console.append(message.text))
        page.goto(f"/vouchers/{document.voucher.pk}/")

        toolbar = ""
        for _ in range(100):  # Chromium's viewer runs in an extension frame inside the preview's frame
            viewers = [frame for frame in page.frames if frame.url.startswith("chrome-extension://")]
            toolbar = viewers[0].evaluate(PDF_VIEWER_TOOLBAR) if viewers else ""
            if ".pdf" in toolbar:
                break
            page.wait_for_timeout(150)
        context.close()

    assert ".pdf" in toolbar  # the viewer opened the document (it names the file in its toolbar)
    assert [text for text in console if "Content Security Policy" in text or "blocked" in text.lower()] == []

"""The browser's session works for the API too, with CSRF protection on writes."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.middleware.csrf import _get_new_csrf_string, _mask_cipher_secret
from django.test import Client

from vouchers.models import Upload
from vouchers.receipts.api import TOO_LARGE
from vouchers.receipts.checks import MAX_RECEIVED_BYTES

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(alice) -> tuple[Client, str]:
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    secret = _get_new_csrf_string()
    client.cookies["csrftoken"] = secret
    return client, _mask_cipher_secret(secret)


def test_a_session_reads_and_needs_the_csrf_token_to_write(connection, browser) -> None:
    client, token = browser

    listed = client.get("/api/v1/contacts/")
    refused = client.post("/api/v1/contacts/", {"connection": connection.pk}, content_type="application/json")
    accepted = client.post(
        "/api/v1/contacts/", {"connection": connection.pk}, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )

    assert listed.status_code == 200
    assert (refused.status_code, refused.json()["code"]) == (403, "permission_denied")
    assert accepted.status_code == 400  # past CSRF: the (empty) contact itself is refused


def test_the_size_limit_applies_before_the_csrf_check_reads_the_body(connection, browser, media) -> None:
    # Django's CSRF check parses a multipart POST looking for the token: the limit must already be in place.
    client, token = browser
    huge = SimpleUploadedFile("huge.pdf", b"%PDF-1.4\n" + b"0" * (MAX_RECEIVED_BYTES + 2**20))

    response = client.post("/api/v1/uploads/", {"connection": connection.pk, "file": huge}, HTTP_X_CSRFTOKEN=token)

    assert response.status_code == 413
    assert response.json()["message"] == TOO_LARGE
    assert Upload.objects.count() == 0

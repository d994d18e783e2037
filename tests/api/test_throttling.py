import pytest

from tests.api.conftest import token_client

pytestmark = pytest.mark.django_db


def test_each_token_has_its_own_budget_and_hears_when_to_retry(alice, settings) -> None:
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"user": "3/minute"}}
    first, second = token_client(alice), token_client(alice)

    answers = [first.get("/api/v1/contacts/").status_code for _ in range(4)]
    refused = first.get("/api/v1/vouchers/")

    assert answers == [200, 200, 200, 429]
    assert refused.status_code == 429
    assert refused.json()["code"] == "throttled"
    assert int(refused["Retry-After"]) > 0
    assert second.get("/api/v1/contacts/").status_code == 200  # same user, another token


def test_a_broken_multipart_body_is_a_400(connection, owner, media) -> None:
    body = b'--x\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n%PDF-1.4'  # no end

    response = owner.generic("POST", "/api/v1/uploads/", body, content_type="multipart/form-data; boundary=x")

    assert response.status_code == 400
    assert response.json()["fieldErrors"]

import pytest
from django.test import Client


@pytest.mark.django_db
def test_healthz_reports_every_service_up(client: Client) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["services"]) == {"database", "broker", "cache"}
    assert all(service["ok"] for service in body["services"].values())


@pytest.mark.django_db
def test_healthz_answers_503_when_the_cache_is_down(client: Client, settings) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        }
    }
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["services"]["cache"]["ok"] is False


def test_login_page_renders_with_security_headers(client: Client) -> None:
    response = client.get("/accounts/login/")

    assert response.status_code == 200
    # German unless the browser asks for English (LANGUAGE_CODE "de")
    assert '<html lang="de">' in response.text and "Bei Lexhub anmelden" in response.text
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"

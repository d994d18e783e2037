"""Security baseline: headers, cookies, CSRF on every unsafe method, one CSRF-exempt view (the login brake:
test_login_throttle.py)."""

import os
import re
import subprocess
import sys
import uuid

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from harness.processes import ROOT

pytestmark = pytest.mark.django_db

SAMPLE_VALUES = {"int": "1", "str": "x", "slug": "x", "uuid": str(uuid.uuid4()), "path": "x"}


def concrete_paths() -> list[str]:
    """Every URL pattern of the project with sample values for its parameters."""
    paths: list[str] = []

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern):
                paths.append(route)

    walk(get_resolver().url_patterns, "")
    concrete = set()
    for route in paths:
        if route.startswith("^") or "(?P" in route:  # regex routes (admin, DRF formats): fill groups
            route = re.sub(r"\(\?P<(\w+)>[^)]*\)", "1", route).strip("^$").replace("\\", "")
            route = re.sub(r"[\^$?]", "", route)
        route = re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLE_VALUES.get(m.group(1) or "str", "x"), route)
        concrete.add("/" + route.lstrip("/"))
    return sorted(concrete)


def test_pages_carry_the_security_headers(client: Client, alice) -> None:
    client.force_login(alice)
    for path in ("/", "/accounts/login/", "/healthz"):
        response = client.get(path, secure=True)
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"], path
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
        assert response.headers["Referrer-Policy"], path
        assert response.headers["X-Frame-Options"] == "DENY", path
        assert "max-age=" in response.headers.get("Strict-Transport-Security", ""), path


def test_session_and_csrf_cookies_are_secure(alice) -> None:
    client = Client(enforce_csrf_checks=True)
    page = client.get("/accounts/login/", secure=True)
    csrf = page.cookies["csrftoken"]
    response = client.post(
        "/accounts/login/",
        {"username": "alice", "password": "alice-password-1", "csrfmiddlewaretoken": csrf.value},
        secure=True,
        HTTP_REFERER="https://testserver/accounts/login/",
    )

    assert response.status_code == 302
    session = response.cookies["sessionid"]
    for cookie in (csrf, session):
        assert cookie["secure"], cookie.key
        assert cookie["httponly"], cookie.key
        assert cookie["samesite"] == "Lax", cookie.key


def test_every_unsafe_method_without_a_csrf_token_is_refused(alice) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    exempt, checked = [], 0
    for path in concrete_paths():
        for method in ("post", "put", "patch", "delete"):
            response = getattr(client, method)(path, secure=True, HTTP_REFERER="https://testserver/")
            checked += 1
            if response.status_code != 403:
                exempt.append(f"{method.upper()} {path} -> {response.status_code}")

    receiver = [entry for entry in exempt if entry.split(" ")[1].startswith("/webhooks/lexoffice/")]
    others = [entry for entry in exempt if entry not in receiver]
    # 405: the view refuses the method before anything happens; 404: the sample path matches no view.
    assert [entry for entry in others if not entry.endswith(("404", "405"))] == []
    assert receiver  # the receiver is exempt: it authenticates deliveries by signature
    assert checked > 20


def test_production_settings_pass_the_deploy_check(tmp_path) -> None:
    from cryptography.fernet import Fernet
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    pem = tmp_path / "lexoffice.pem"
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem.write_bytes(
        key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    env = {
        **os.environ,
        "DJANGO_DEBUG": "false",
        "SECRET_KEY": "x" * 30 + uuid.uuid4().hex * 2,
        "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "ALLOWED_HOSTS": "lexhub.example.com",
        "CSRF_TRUSTED_ORIGINS": "https://lexhub.example.com",
        "PUBLIC_BASE_URL": "https://lexhub.example.com",
        "SECURE_SSL_REDIRECT": "true",
        "USE_X_FORWARDED_PROTO": "true",
        "LEXOFFICE_WEBHOOK_PUBLIC_KEYS": str(pem),
        "LEXHUB_VAR_DIR": str(tmp_path / "var"),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNINGS" not in result.stdout + result.stderr

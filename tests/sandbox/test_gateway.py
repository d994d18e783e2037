"""The sandbox's gateway behaviour: auth, rate limit, routes, content types, error shapes, faults."""

import time

import pytest
import requests


def test_a_missing_or_unknown_key_is_401_with_the_gateway_body(sandbox) -> None:
    anonymous = requests.get(f"{sandbox.base_url}/v1/profile", timeout=5)
    wrong = requests.get(f"{sandbox.base_url}/v1/profile", headers={"Authorization": "Bearer nope"}, timeout=5)

    assert (anonymous.status_code, anonymous.json()) == (401, {"message": "Unauthorized"})
    assert (wrong.status_code, wrong.json()) == (401, {"message": "Unauthorized"})


@pytest.mark.parametrize(("status", "key_status"), [(402, "no_plan"), (403, "forbidden"), (401, "revoked")])
def test_key_states_answer_like_lexoffice(sandbox, status, key_status) -> None:
    sandbox.configure(keyStatus=key_status)
    assert sandbox.api("GET", "/v1/profile").status_code == status


def test_unknown_routes_are_404_and_trailing_slashes_are_accepted(sandbox) -> None:
    assert sandbox.api("GET", "/v1/nothing-here").status_code == 404
    assert sandbox.api("GET", "/v1/contacts/").status_code == 200
    assert (
        sandbox.api(
            "DELETE", "/v1/contacts/" + sandbox.api("GET", "/v1/contacts").json()["content"][0]["id"]
        ).status_code
        == 404
    )


def test_writes_need_a_json_content_type(sandbox) -> None:
    response = sandbox.api("POST", "/v1/contacts", data="{}", headers={"Content-Type": "text/plain"})
    assert response.status_code == 415
    assert set(response.json()) >= {"timestamp", "status", "error", "path", "traceId", "message"}


def test_the_rate_limit_refuses_without_executing(sandbox_server) -> None:
    org = sandbox_server.new_org(rate_limit=2, burst=2)
    statuses = [
        org.api(
            "POST", "/v1/contacts", json={"version": 0, "roles": {"customer": {}}, "company": {"name": f"Burst {i}"}}
        ).status_code
        for i in range(6)
    ]
    created = (
        org.api("GET", "/v1/contacts").json()["totalElements"]
        if 200 in [org.api("GET", "/v1/profile").status_code]
        else None
    )

    assert statuses[:2] == [201, 201]
    assert 429 in statuses
    refused = [r for r in org.requests_log() if r["status"] == 429]
    assert refused
    assert org.counters()["429"] == len(refused)
    if created is not None:
        assert created == statuses.count(201)


def test_the_429_body_and_the_500_disguise(sandbox_server) -> None:
    org = sandbox_server.new_org(rate_limit=0.01, burst=1)
    org.api("GET", "/v1/profile")
    limited = org.api("GET", "/v1/profile")
    org.configure(rateLimitMode="500")
    disguised = org.api("GET", "/v1/profile")

    assert (limited.status_code, limited.json()) == (429, {"message": "Too Many Requests"})
    assert "Retry-After" not in limited.headers
    assert (disguised.status_code, disguised.json()["message"]) == (500, "Internal server error or rate limit exceeded")


def test_faults_can_be_injected_by_rule(sandbox) -> None:
    sandbox.set_faults(
        [
            {"path": "^/v1/profile$", "kind": "status", "status": 503, "count": 1},
            {"path": "^/v1/countries", "kind": "status", "status": 429, "retryAfter": 3},
        ]
    )
    assert sandbox.api("GET", "/v1/profile").status_code == 503
    assert sandbox.api("GET", "/v1/profile").status_code == 200
    limited = sandbox.api("GET", "/v1/countries")
    assert (limited.status_code, limited.headers["Retry-After"]) == (429, "3")
    sandbox.set_faults([{"path": "^/v1/profile$", "kind": "drop"}])
    with pytest.raises(requests.exceptions.RequestException):
        sandbox.api("GET", "/v1/profile")
    sandbox.clear_faults()
    assert sandbox.api("GET", "/v1/profile").status_code == 200


def test_a_504_after_applying_the_write_applies_it(sandbox) -> None:
    sandbox.set_faults(
        [{"path": "^/v1/contacts$", "method": "POST", "kind": "status", "status": 504, "applyWrite": True, "count": 1}]
    )
    response = sandbox.api(
        "POST",
        "/v1/contacts",
        json={"version": 0, "roles": {"vendor": {}}, "company": {"name": "Zeitüberschreitung AG"}},
    )

    assert (response.status_code, response.json()) == (504, {"message": "Endpoint request timed out"})
    found = sandbox.api("GET", "/v1/contacts", params={"name": "Zeitüberschreitung"}).json()["content"]
    assert len(found) == 1


def test_the_control_api_counts_requests_per_key(sandbox, sandbox_empty) -> None:
    sandbox.api("GET", "/v1/profile")
    sandbox_empty.api("GET", "/v1/profile")
    sandbox_empty.api("GET", "/v1/profile")

    assert sandbox.counters()["requests"] == 1
    assert sandbox_empty.counters()["requests"] == 2
    assert sandbox.api_key not in str(sandbox.requests_log())


def test_master_data_are_bare_arrays(sandbox) -> None:
    for path in ("/v1/countries", "/v1/posting-categories", "/v1/payment-conditions", "/v1/print-layouts"):
        body = sandbox.api("GET", path).json()
        assert isinstance(body, list)
        assert body, path


def test_the_legacy_gateway_answers_unknown_routes_with_its_403(sandbox) -> None:
    sandbox.configure(legacyGateway=True)
    response = sandbox.api("GET", "/v1/nothing-here")

    assert response.status_code == 403
    assert response.json() == {
        "message": f"'{sandbox.api_key}' not a valid key=value pair (missing equal-sign) in "
        f"Authorization header: 'Bearer {sandbox.api_key}'."
    }
    assert sandbox.api_key not in str(sandbox.requests_log())


def test_a_late_504_arrives_after_its_latency(sandbox) -> None:
    sandbox.set_faults([{"path": "^/v1/profile$", "kind": "status", "status": 504, "latencyMs": 300, "count": 1}])
    started = time.monotonic()
    response = sandbox.api("GET", "/v1/profile")

    assert (response.status_code, response.json()) == (504, {"message": "Endpoint request timed out"})
    assert time.monotonic() - started >= 0.3


def test_the_429_message_is_configurable(sandbox_server) -> None:
    org = sandbox_server.new_org(rate_limit=0.01, burst=1)
    org.configure(rateLimitMessage=None)
    org.api("GET", "/v1/profile")
    limited = org.api("GET", "/v1/profile")

    assert (limited.status_code, limited.json()) == (429, {"message": None})

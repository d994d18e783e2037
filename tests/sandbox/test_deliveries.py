"""Webhook delivery (§17.3): success, retries on the documented schedule, removal on 410 and after
exhausted 404s, no retry for other 4xx, at most three redirects; events for articles and templates."""

import json
import time

import pytest

from tests.sandbox.bodies import article
from tests.sandbox.receiver import Receiver

ATTEMPTS = 1 + 5 + 20  # the first try, five quick retries, twenty after the pause


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


def subscribe(org, receiver: Receiver, path: str, event: str = "contact.changed") -> str:
    response = org.api("POST", "/v1/event-subscriptions", json={"eventType": event, "callbackUrl": receiver.url(path)})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def settle(org, *, count: int = 1, timeout: float = 20) -> list[dict]:
    """The delivery log once `count` deliveries have left the `pending` state."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = [d for d in org.deliveries() if d["state"] != "pending"]
        if len(done) >= count:
            return done
        time.sleep(0.05)
    raise AssertionError(f"deliveries still pending: {org.deliveries()}")


def change_a_contact(org) -> None:
    contact = org.api("GET", "/v1/contacts").json()["content"][0]
    org.mutate("contact", "change", contact["id"], {"note": "geändert"})


def subscription_exists(org, subscription_id: str) -> bool:
    return org.api("GET", f"/v1/event-subscriptions/{subscription_id}").status_code == 200


def test_410_removes_the_subscription_at_once(sandbox, receiver) -> None:
    subscription = subscribe(sandbox, receiver, "/status/410")
    change_a_contact(sandbox)

    assert settle(sandbox)[0]["state"] == "gone"
    assert receiver.hits["/status/410"] == 1
    assert not subscription_exists(sandbox, subscription)


def test_404_is_retried_on_the_schedule_then_the_subscription_is_removed(sandbox, receiver) -> None:
    sandbox.configure(retryTimeScale=0.00001)
    subscription = subscribe(sandbox, receiver, "/status/404")
    change_a_contact(sandbox)

    delivery = settle(sandbox)[0]
    assert (delivery["state"], delivery["attempts"], receiver.hits["/status/404"]) == ("failed", ATTEMPTS, ATTEMPTS)
    assert not subscription_exists(sandbox, subscription)


@pytest.mark.parametrize("status", [429, 503])
def test_throttling_and_server_errors_are_retried_and_keep_the_subscription(sandbox, receiver, status) -> None:
    sandbox.configure(retryTimeScale=0.00001)
    subscription = subscribe(sandbox, receiver, f"/status/{status}")
    change_a_contact(sandbox)

    delivery = settle(sandbox)[0]
    assert (delivery["state"], delivery["attempts"]) == ("failed", ATTEMPTS)
    assert subscription_exists(sandbox, subscription)


def test_a_flaky_receiver_gets_the_event_on_a_retry(sandbox, receiver) -> None:
    sandbox.configure(retryTimeScale=0.001)
    subscribe(sandbox, receiver, "/flaky/2")
    change_a_contact(sandbox)

    delivery = settle(sandbox)[0]
    assert (delivery["state"], delivery["attempts"], delivery["status"]) == ("delivered", 3, 200)
    bodies = {body for _path, body in receiver.posts}
    assert len(bodies) == 1  # every retry carries the same bytes


def test_other_4xx_are_not_retried(sandbox, receiver) -> None:
    subscription = subscribe(sandbox, receiver, "/status/400")
    change_a_contact(sandbox)

    delivery = settle(sandbox)[0]
    assert (delivery["state"], delivery["attempts"], delivery["status"]) == ("failed", 1, 400)
    assert receiver.hits["/status/400"] == 1
    assert subscription_exists(sandbox, subscription)


def test_three_redirects_are_followed_and_a_fourth_is_a_failure_without_retry(sandbox, receiver) -> None:
    subscribe(sandbox, receiver, "/redirect/3")
    subscribe(sandbox, receiver, "/redirect/4")
    change_a_contact(sandbox)

    states = {d["url"].rsplit("/", 1)[-1]: d for d in settle(sandbox, count=2)}
    assert (states["3"]["state"], states["4"]["state"], states["4"]["attempts"]) == ("delivered", "failed", 1)
    assert receiver.hits["/redirect/0"] == 1
    assert receiver.hits["/redirect/4"] == 1


def test_an_invalidated_key_loses_its_subscriptions(sandbox, receiver) -> None:
    subscribe(sandbox, receiver, "/ok")
    sandbox.configure(keyStatus="revoked")
    sandbox.configure(keyStatus="active")

    assert sandbox.api("GET", "/v1/event-subscriptions").json() == {"content": []}


def test_articles_and_templates_send_their_events(sandbox_empty, receiver) -> None:
    for event in ("article.created", "article.changed", "article.deleted", "recurring-template.created"):
        subscribe(sandbox_empty, receiver, f"/ok/{event}", event)
    article_id = sandbox_empty.api("POST", "/v1/articles", json=article()).json()["id"]
    sandbox_empty.api("PUT", f"/v1/articles/{article_id}", json={**article(title="Neu"), "version": 0})
    sandbox_empty.api("DELETE", f"/v1/articles/{article_id}")
    template = sandbox_empty.mutate("recurring-template", "create")

    settle(sandbox_empty, count=4)
    got = {(json.loads(body)["eventType"], json.loads(body)["resourceId"]) for _path, body in receiver.posts}
    assert got == {
        ("article.created", article_id),
        ("article.changed", article_id),
        ("article.deleted", article_id),
        ("recurring-template.created", template["id"]),
    }


def test_revoking_the_connection_sends_token_revoked_then_the_key_is_dead(sandbox, receiver) -> None:
    subscribe(sandbox, receiver, "/ok", "token.revoked")
    connection_id = sandbox.api("GET", "/v1/profile").json()["connectionId"]
    sandbox.mutate("token", "revoke")

    settle(sandbox)
    assert json.loads(receiver.posts[0][1])["resourceId"] == connection_id
    assert sandbox.api("GET", "/v1/profile").status_code == 401


def test_a_receiver_slower_than_the_timeout_is_a_failed_attempt_and_is_retried(sandbox, receiver) -> None:
    sandbox.configure(webhookTimeoutMs=200, retryTimeScale=0.001)  # Lexoffice waits 5000 ms
    subscribe(sandbox, receiver, "/slow-once/1500")
    change_a_contact(sandbox)

    delivery = settle(sandbox)[0]
    assert (delivery["state"], delivery["attempts"], delivery["status"]) == ("delivered", 2, 200)
    assert receiver.hits["/slow-once/1500"] == 2  # the slow answer did not count, the retry did


def test_a_receiver_that_is_always_too_slow_fails_but_keeps_its_subscription(sandbox, receiver) -> None:
    sandbox.configure(webhookTimeoutMs=50, retryTimeScale=0.00001)
    subscription = subscribe(sandbox, receiver, "/slow/300")
    change_a_contact(sandbox)

    delivery = settle(sandbox, timeout=30)[0]
    assert (delivery["state"], delivery["attempts"], delivery["status"], delivery["error"]) == (
        "failed",
        ATTEMPTS,
        None,
        "timeout",
    )
    assert subscription_exists(sandbox, subscription)  # only 404s and unreachable hosts lose it


def test_a_receiver_within_the_timeout_is_delivered_at_once(sandbox, receiver) -> None:
    sandbox.configure(webhookTimeoutMs=1000)
    subscribe(sandbox, receiver, "/slow/100")
    change_a_contact(sandbox)

    delivery = settle(sandbox)[0]
    assert (delivery["state"], delivery["attempts"], delivery["error"]) == ("delivered", 1, None)

"""While the database is unreachable, requests get a 503 with a message, never a 500 or a traceback
(the database campaign proves it against a crashed PostgreSQL; these pin the shape of the answer)."""

import json

import pytest
from django.db import OperationalError
from django.test import RequestFactory

from lexhub.middleware import DatabaseUnavailableMiddleware


def answer(path: str, exception: Exception):
    middleware = DatabaseUnavailableMiddleware(lambda request: None)
    return middleware.process_exception(RequestFactory().get(path), exception)


def test_a_page_says_the_database_is_unreachable() -> None:
    response = answer("/contacts/", OperationalError("connection refused"))
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert b"database is not reachable" in response.content and b"Traceback" not in response.content


@pytest.mark.parametrize("path", ["/api/v1/connections/", "/webhooks/lexoffice/token/"])
def test_the_api_and_the_receiver_keep_their_error_shape(path: str) -> None:
    response = answer(path, OperationalError("the connection is closed"))
    assert response.status_code == 503
    assert json.loads(response.content)["code"] == "database_unavailable"


def test_other_errors_are_left_to_django() -> None:
    assert answer("/contacts/", ValueError("a bug")) is None

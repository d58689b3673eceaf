"""A backing service down (PostgreSQL restarting, Redis gone) is 503 SERVICE_UNAVAILABLE in
the envelope with Retry-After, not 500 (issue 19's PostgreSQL-restart fault): from an API view
through the DRF handler, and from outside the views through handler500."""

from __future__ import annotations

import sys
from unittest import mock

import pytest
import redis
from django.db import InterfaceError, OperationalError
from django.test import RequestFactory

from catalog.api import views as catalog_views
from config.api.exceptions import server_error
from tests.config.test_conventions import assert_error


@pytest.mark.django_db
@pytest.mark.parametrize(
    "exc",
    [
        OperationalError("connection to server at 127.0.0.1 failed: Connection refused"),
        InterfaceError("connection already closed"),
        redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6379"),
    ],
    ids=["db-operational", "db-interface", "redis-connection"],
)
def test_an_api_request_during_an_outage_gets_503_in_the_envelope(api, exc):
    with mock.patch.object(catalog_views.TopicListView, "get", side_effect=exc):
        response = api.get("/api/v1/topics")
    assert response.status_code == 503
    assert_error(response, 503, "SERVICE_UNAVAILABLE")
    assert response["Retry-After"] == "5"
    assert "unavailable" in response.json()["error"]["message"]


@pytest.mark.django_db
def test_any_other_error_is_still_500(api):
    with mock.patch.object(catalog_views.TopicListView, "get", side_effect=RuntimeError("bug")):
        response = api.get("/api/v1/topics")
    assert_error(response, 500, "INTERNAL_ERROR")


def test_handler500_answers_503_for_an_outage_outside_the_views_and_500_otherwise():
    request = RequestFactory().get("/anything")
    try:
        raise OperationalError("the database system is starting up")
    except OperationalError:
        assert sys.exc_info()[0] is OperationalError
        outage = server_error(request)
    try:
        raise ValueError("a bug")
    except ValueError:
        bug = server_error(request)
    assert outage.status_code == 503 and outage["Retry-After"] == "5"
    assert b'"SERVICE_UNAVAILABLE"' in outage.content
    assert bug.status_code == 500 and b'"INTERNAL_ERROR"' in bug.content

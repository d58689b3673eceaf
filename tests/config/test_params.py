"""config.api.params: one reading of integer and boolean query parameters for every view."""

from __future__ import annotations

import pytest
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from config.api.errors import ValidationFailed
from config.api.params import boolean, bounded_int


def request(**query: str) -> Request:
    """A request whose query arrives as the camelCase middleware hands it on (snake_case)."""
    return Request(APIRequestFactory().get("/", query))


def test_a_camel_case_parameter_is_read_from_its_snake_case_form():
    assert bounded_int(request(segment_limit="7"), "segmentLimit", default=1, maximum=10) == 7
    assert bounded_int(request(), "segmentLimit", default=3, maximum=10) == 3
    assert boolean(request(include_segments="false"), "includeSegments", default=True) is False
    assert boolean(request(), "includeSegments", default=True) is True


@pytest.mark.parametrize(
    ("raw", "maximum", "message"),
    [
        ("x", 10, "Must be an integer."),
        ("0", 10, "Must be between 1 and 10."),
        ("11", 10, "Must be between 1 and 10."),
        ("0", None, "Must be between 1 and 2147483647."),
        # Beyond any integer column: refused here, not overflowed in the database (a 500).
        ("1" + "0" * 28, None, "Must be between 1 and 2147483647."),
    ],
)
def test_a_bad_integer_is_refused_naming_the_camel_case_field(raw, maximum, message):
    with pytest.raises(ValidationFailed) as refused:
        bounded_int(request(segment_limit=raw), "segmentLimit", default=1, maximum=maximum)

    assert refused.value.details == [{"field": "segmentLimit", "message": message}]


def test_a_bad_boolean_is_refused_naming_the_camel_case_field():
    with pytest.raises(ValidationFailed) as refused:
        boolean(request(include_segments="maybe"), "includeSegments", default=True)

    assert refused.value.details == [
        {"field": "includeSegments", "message": "Must be true or false."}
    ]

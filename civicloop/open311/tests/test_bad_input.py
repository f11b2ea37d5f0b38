"""GET requests: values that used to end in a 500 are a 400 in the error format."""

import json

import pytest

from .schema import check_errors


@pytest.mark.parametrize(
    "query",
    [
        "start_date=9999-12-31",  # + 90 days overflows
        "end_date=0001-01-01",  # - 90 days overflows
        "start_date=0001-01-01T00:00:00",  # to UTC overflows
        "page=99999999999999999999999",  # an offset no database holds
        "page=1000001",
        "page_size=%C2%B2",  # "²" is a digit to str.isdigit, not to int()
        "page=%D9%A3",  # Arabic-Indic 3
    ],
)
def test_bad_values_are_400(client, loop, query):
    client.raise_request_exception = False
    response = client.get(f"/open311/v2/requests.json?{query}")
    assert response.status_code == 400, response.content[:300]
    check_errors(json.loads(response.content))


def test_large_page_size_is_clamped(client, loop):
    # 5,000 digits: more than int() converts (4,300).
    response = client.get("/open311/v2/requests.json?page_size=" + "9" * 5000)
    assert response.status_code == 200 and json.loads(response.content) == []

"""Too many requests from one address: 429 with Retry-After, in the error format."""

import json

from .xmlcheck import parse


def test_rate_limit(client, loop, settings):
    settings.OPEN311_RATE_LIMIT = "3/m"
    for _i in range(3):
        assert client.get("/open311/v2/services.json").status_code == 200
    response = client.get("/open311/v2/services.json")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert json.loads(response.content)[0]["code"] == 429
    response = client.get("/open311/v2/requests.xml")
    assert response.status_code == 429
    parse(response, "errors")
    # Another address is not affected.
    assert client.get("/open311/v2/services.json", REMOTE_ADDR="10.0.0.2").status_code == 200


def test_posts_count_too(post_request, settings):
    settings.OPEN311_RATE_LIMIT = "2/m"
    assert post_request().status_code == 200
    assert post_request().status_code == 200
    response = post_request()
    assert response.status_code == 429
    assert response["Retry-After"]

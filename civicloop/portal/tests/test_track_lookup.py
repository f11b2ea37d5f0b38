"""Tracking-code lookups: malformed codes are a clear 404, and unknown codes cannot be
enumerated (too many misses from one address: 429 for every lookup, even a right one)."""


def test_malformed_codes_are_not_found(client, db):
    for code in ("a/b", "../x", "<script>", "x" * 40):
        response = client.get("/track/", {"code": code})
        assert response.status_code == 404, code
        assert "<script>" not in response.content.decode()
    assert client.get("/track/", {"code": " ab23cd45ef "})["Location"] == "/track/AB23CD45EF/"


def test_too_many_unknown_codes_are_refused(client, loop, public_report, settings):
    settings.PORTAL_TRACK_RATE_LIMIT = "3/m"
    case = public_report()
    assert client.get(f"/track/{case.tracking_code}/").status_code == 200  # hits do not count
    for guess in ("AAAAAAAAAA", "BBBBBBBBBB", "CCCCCCCCCC"):
        assert client.get(f"/track/{guess}/").status_code == 404
    refused = client.get(f"/track/{case.tracking_code}/")
    assert refused.status_code == 429 and 1 <= int(refused["Retry-After"]) <= 60
    assert case.number not in refused.content.decode()
    assert "unknown tracking codes" in refused.content.decode()
    rating = client.post(f"/track/{case.tracking_code}/rate/", {"level": 1})
    assert rating.status_code == 429
    # Another address is not affected.
    assert client.get(f"/track/{case.tracking_code}/", REMOTE_ADDR="10.9.9.9").status_code == 200


def test_follower_code_cannot_rate(client, loop, public_report):
    from civicloop.cases import actions

    case = public_report()
    follower = actions.follow_case(case)
    assert client.post(f"/track/{follower.tracking_code}/rate/", {"level": 1}).status_code == 404

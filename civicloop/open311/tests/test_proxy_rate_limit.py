"""Behind a trusted reverse proxy Open311 counts each client, not the proxy."""


def test_clients_behind_a_proxy_are_counted_apart(client, loop, settings):
    settings.CIVICLOOP_TRUSTED_PROXIES = 1
    settings.OPEN311_RATE_LIMIT = "1/m"
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    url = "/open311/v2/services.json"
    assert client.get(url, HTTP_X_FORWARDED_FOR="198.51.100.1", **proxy).status_code == 200
    assert client.get(url, HTTP_X_FORWARDED_FOR="198.51.100.1", **proxy).status_code == 429
    assert client.get(url, HTTP_X_FORWARDED_FOR="1.1.1.1, 198.51.100.1", **proxy).status_code == 429
    assert client.get(url, HTTP_X_FORWARDED_FOR="198.51.100.2", **proxy).status_code == 200

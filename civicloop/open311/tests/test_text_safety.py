"""Descriptions are plain text: HTML is shown as text, XML stays well formed."""

import json

from civicloop.cases.models import Case

from .xmlcheck import parse

NASTY = '<script>alert("x")</script> & <b>bold</b>\x0b'


def test_html_in_description(client, post_request):
    answer = json.loads(post_request(description=NASTY).content)[0]
    case = Case.objects.get(number=answer["service_request_id"])
    # The JSON carries the text as it was sent.
    (item,) = json.loads(client.get(f"/open311/v2/requests/{case.number}.json").content)
    assert item["description"] == NASTY.strip()
    # The XML escapes it and drops the character XML cannot carry.
    root = parse(client.get(f"/open311/v2/requests/{case.number}.xml"), "service_requests")
    assert root.findtext("request/description") == NASTY.replace("\x0b", "").strip()
    # The tracking page shows it as text.
    page = client.get(f"/track/{case.tracking_code}/").content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in page

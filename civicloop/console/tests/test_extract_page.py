"""The office's page from a meeting report to registered items: drafts, edits, one transaction."""
# ruff: noqa: F811  (the supervision fixtures are imported as fixtures)

import io
import re

import pytest
from django.utils import timezone

from civicloop.supervision.models import Item
from civicloop.supervision.tests.conftest import sup  # noqa: F401

pytestmark = pytest.mark.django_db

URL = "/console/supervision/extract/"
TEXT = (
    "10月底前，每个街道要建成2个以上的垃圾分类示范小区。"
    "西街道要在明年3月底前完成辖区背街小巷<b>整治</b>。"
)


@pytest.fixture
def client_for(sup):
    """Signed in through the login page (``force_login`` gives axes no IP: PostgreSQL refuses it)."""
    from django.test import Client

    def make(username, language="en"):
        client = Client(headers={"accept-language": language})
        response = client.post("/console/login/", {"username": username, "password": "pw"})
        assert response.status_code == 302, username
        return client

    return make


@pytest.fixture
def office(client_for):
    return client_for("supervisor")


def _today():
    return timezone.localdate()


def _drafts(response):
    return re.findall(r'id="draft-(\d+)"', response.content.decode())


def _form(response):
    """The posted form of a page of drafts, as the browser would send it (all ticked)."""
    ctx = response.context
    data = {"title": ctx["meeting"]["title"], "date": ctx["meeting"]["raw_date"],
            "text": ctx["meeting"]["text"], "digest": ctx["digest"]}  # fmt: skip
    for d in ctx["drafts"]:
        p = f"d{d['n']}-"
        data.update({p + k: d[k] for k in ("title", "requirement", "deadline", "target_quantity",
                                           "target_noun", "lead_unit", "person", "post",
                                           "responsibility")})  # fmt: skip
        if d["at_least"]:
            data[p + "at_least"] = "1"
        if d["checked"]:
            data[p + "pick"] = "1"
        data[p + "cooperating_units"] = d["cooperating"]
        data[p + "people_of"] = d["lead_unit"]
    return data


def _read(client, text=TEXT, **extra):
    return client.post(URL, {"text": text, "title": "区城市管理工作推进会",
                             "date": _today().isoformat(), "action": "extract", **extra})  # fmt: skip


def test_paste_gives_drafts_one_per_street_with_the_sentence_highlighted(office, sup):
    response = _read(office)
    assert response.status_code == 200
    drafts = response.context["drafts"]
    assert len(drafts) == 3  # 每个街道 → 西街道, 东街道; then 西街道's own item
    assert [d["target"] for d in drafts] == ["西街道", "东街道", ""]
    assert drafts[0]["lead_unit"] == str(sup["west"].pk)
    assert drafts[1]["lead_unit"] == str(sup["east"].pk)
    assert drafts[2]["lead_unit"] == str(sup["west"].pk)
    assert drafts[2]["matched"].confidence == pytest.approx(0.95)
    assert drafts[0]["target_quantity"] == "2" and drafts[0]["at_least"]
    assert drafts[0]["target_noun"] == "垃圾分类示范小区"
    assert drafts[0]["person"] == str(sup["responsible"].pk)  # the unit's leader first
    html = response.content.decode()
    assert '<mark class="hl-req hl-deadline">10月底前</mark>' in html
    assert "&lt;b&gt;整治&lt;/b&gt;" in html  # the text is escaped inside the highlight
    assert "<b>整治</b>" not in html
    assert "confidence 0.95" in html
    assert Item.objects.count() == 0  # reading registers nothing


def test_highlight_marks_exactly_the_fields_characters(office):
    response = _read(office)
    sentence = str(response.context["drafts"][0]["sentence"])
    assert sentence == (
        '<mark class="hl-req hl-deadline">10月底前</mark><mark class="hl-req">，</mark>'
        '<mark class="hl-req hl-per">每个街道</mark><mark class="hl-req">要建成</mark>'
        '<mark class="hl-req hl-quantity">2个以上的</mark><mark class="hl-req">垃圾分类示范小区</mark>'
    )
    unit = str(response.context["drafts"][2]["sentence"])
    assert '<mark class="hl-req hl-unit">西街道</mark>' in unit


def test_confirm_some_registers_exactly_those_with_the_meeting_as_source(office, sup):
    page = _read(office)
    data = _form(page)
    del data["d1-pick"]  # not the east street
    data["d2-deadline"] = _today().replace(year=_today().year + 1).isoformat()
    data["action"] = "confirm"
    response = office.post(URL, data)
    assert response.status_code == 302
    items = list(Item.objects.order_by("id"))
    assert len(items) == 2
    assert response["Location"] == f"/console/supervision/items/?ids={items[0].pk},{items[1].pk}"
    assert [i.lead_unit_id for i in items] == [sup["west"].pk, sup["west"].pk]
    for item in items:
        assert item.source == "meeting"
        assert item.source_title == "区城市管理工作推进会"
        assert item.source_date == _today()
        assert item.minutes == TEXT
        assert item.person_id == sup["responsible"].pk
    assert items[0].title.startswith("西街道：")
    assert items[0].target_quantity == 2 and items[0].target_at_least
    assert items[1].deadline == _today().replace(year=_today().year + 1)
    listing = office.get(response["Location"])
    assert [i.pk for i in listing.context["page"]] == [i.pk for i in items]


def test_one_bad_draft_registers_nothing_and_shows_the_error_at_its_field(office):
    data = _form(_read(office))
    data["d1-deadline"] = "2001-01-01"  # before the start
    data["d2-post"] = ""
    data["action"] = "confirm"
    response = office.post(URL, data)
    assert response.status_code == 400
    assert Item.objects.count() == 0
    drafts = response.context["drafts"]
    assert set(drafts[1]["errors"]) == {"deadline"}
    assert set(drafts[2]["errors"]) == {"post"}
    assert drafts[0]["errors"] == {}
    html = response.content.decode()
    block = html.split('id="draft-1"')[1].split("</fieldset>")[0]
    assert 'data-field="deadline"' in block and "2001-01-01" in block
    assert 'name="d1-deadline" value="2001-01-01"' in block  # the edit is kept


def test_a_unit_chosen_without_people_is_an_error_at_the_person(office, sup):
    data = _form(_read(office))
    data["d0-lead_unit"] = str(sup["supervision"].pk)  # the office itself: no handler or leader
    data["action"] = "confirm"
    response = office.post(URL, data)
    assert response.status_code == 400 and Item.objects.count() == 0
    assert "person" in response.context["drafts"][0]["errors"]


@pytest.mark.parametrize("value", ["9" * 30, "abc", "١٢", "-1", ""])
def test_a_malformed_unit_is_an_error_at_the_lead_unit(office, value):
    data = _form(_read(office))
    data.update({"d0-lead_unit": value, "action": "confirm"})
    response = office.post(URL, data)
    assert response.status_code == 400 and Item.objects.count() == 0
    assert "lead_unit" in response.context["drafts"][0]["errors"]


def test_refresh_offers_the_new_units_people(office, sup):
    data = _form(_read(office))
    data["d0-lead_unit"] = str(sup["east"].pk)
    data["action"] = "refresh"
    response = office.post(URL, data)
    draft = response.context["drafts"][0]
    assert [p["name"] for p in draft["people"]] == ["handler_east"]
    assert draft["person"] == str(sup["users"]["handler_east"].person.pk)
    assert draft["post"] == "handler"  # the new person's role, not the old one's
    assert Item.objects.count() == 0


def test_nothing_ticked_or_no_title_registers_nothing(office):
    data = _form(_read(office))
    for key in [k for k in data if k.endswith("-pick")]:
        del data[key]
    data["action"] = "confirm"
    response = office.post(URL, data)
    assert response.status_code == 400 and "error-drafts" in response.content.decode()
    data = _form(_read(office))
    data.update(title="", action="confirm")
    response = office.post(URL, data)
    assert response.status_code == 400 and "error-title" in response.content.decode()
    assert Item.objects.count() == 0


def test_changed_text_reads_the_drafts_again_and_registers_nothing(office):
    data = _form(_read(office))
    data.update(text=TEXT + "东街道要在年底前完成公厕改造。", action="confirm")
    response = office.post(URL, data)
    assert response.status_code == 200
    assert "extract-notice" in response.content.decode()
    assert Item.objects.count() == 0


def test_docx_upload_gives_drafts(office):
    import docx

    document = docx.Document()
    document.add_paragraph("会议要求：")
    document.add_paragraph("西街道要在明年3月底前完成辖区背街小巷整治。")
    buffer = io.BytesIO()
    document.save(buffer)
    buffer.seek(0)
    buffer.name = "纪要.docx"
    response = _read(office, text="", file=buffer)
    assert response.status_code == 200
    assert [d["target"] for d in response.context["drafts"]] == [""]
    assert (
        "背街小巷整治" in response.context["meeting"]["text"]
    )  # the file's text, kept for confirm


def test_pdf_upload_gives_drafts(office):
    from weasyprint import HTML

    data = HTML(string=f"<p>{TEXT}</p>").write_pdf()
    upload = io.BytesIO(data)
    upload.name = "minutes.pdf"
    response = _read(office, text="", file=upload)
    assert response.status_code == 200
    assert len(response.context["drafts"]) == 3


@pytest.mark.parametrize(
    "extra, field, words",
    [
        ({"text": "   "}, "text", "Paste the text"),
        ({"text": "区" * 100_001}, "text", "the limit is 100,000"),
        ({"text": "The district shall finish all the works before October."}, "text", "not in Chinese"),
        ({"date": "2020-02-30"}, "date", "not a date"),
        ({"date": "tomorrow"}, "date", "not a date"),
    ],
)  # fmt: skip
def test_bad_input_is_a_clear_message(office, extra, field, words):
    response = _read(office, **extra)
    assert response.status_code == 400
    assert words in response.context["errors"][field]
    assert f'id="error-{field}"' in response.content.decode()
    assert Item.objects.count() == 0


@pytest.mark.parametrize(
    "name, data, words",
    [
        ("scan.pdf", None, "text layer"),
        ("photo.pdf", b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "PDF"),
        ("table.xlsx", b"PK\x03\x04" + b"\0" * 100, ".xlsx"),
        ("notes.txt", b"\0\1\2\3\xff\xfe\0\0" * 50, "text"),
        ("empty.txt", b"", "empty"),
    ],
)  # fmt: skip
def test_bad_files_are_a_clear_message(office, name, data, words):
    if data is None:  # a PDF with no text layer: only a drawn box
        from weasyprint import HTML

        data = HTML(
            string='<div style="width:200px;height:100px;background:#000"></div>'
        ).write_pdf()
    upload = io.BytesIO(data)
    upload.name = name
    response = _read(office, text="", file=upload)
    assert response.status_code == 400
    assert words in response.context["errors"].get("file", "") + response.context["errors"].get(
        "text", ""
    )
    assert Item.objects.count() == 0


def test_no_commitments_says_no_items_found(office):
    response = _read(office, text="截至目前，全区已完成公厕改造56座，共出动人员1200人次。")
    assert response.status_code == 200
    assert response.context["drafts"] == []
    assert "No items found" in response.content.decode()


@pytest.mark.parametrize("username", ["handler_west", "leader_west", "inspector", "dispatcher"])
def test_out_of_role_is_404(client_for, sup, username):
    client = client_for(username)
    assert client.get(URL).status_code == 404
    assert client.post(URL, {"text": TEXT, "action": "extract"}).status_code == 404


@pytest.mark.parametrize("username", ["supervisor", "admin_role", "district_leader"])
def test_the_register_row_decides_who_may(client_for, sup, username):
    from civicloop.supervision.rules import TABLE

    assert TABLE.allows("register", sup["actors"][username], None)
    assert client_for(username).get(URL).status_code == 200


def test_the_desk_links_to_the_page(office):
    assert URL in office.get("/console/supervision/items/").content.decode()


def test_posts_need_the_csrf_token(sup):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.get("/console/login/")
    token = client.cookies["csrftoken"].value
    client.post("/console/login/", {"username": "supervisor", "password": "pw",
                                    "csrfmiddlewaretoken": token})  # fmt: skip
    assert client.get(URL).status_code == 200
    assert client.post(URL, {"text": TEXT, "action": "extract"}).status_code == 403


def test_no_inline_script_or_style(office):
    html = _read(office).content.decode()
    assert "extract.js" in html
    body = html.split('id="extract-form"')[1]
    assert "<script>" not in body and "style=" not in body and " on" + "change=" not in body


def test_query_counts_are_bounded(office, sup, django_assert_max_num_queries):
    """The same few queries for 3 drafts or 30 (session, registry, units, people)."""
    for copies in (1, 10):
        with django_assert_max_num_queries(10):
            response = _read(office, text=TEXT * copies)
        assert len(response.context["drafts"]) == 3 * copies
    data = _form(response)
    data["action"] = "refresh"
    with django_assert_max_num_queries(10):
        assert len(office.post(URL, data).context["drafts"]) == 30


def test_the_page_is_in_chinese_first(client_for):
    client = client_for("supervisor", language="zh-hans")
    html = _read(client).content.decode()
    for words in (
        "从会议材料生成督办事项",
        "识别草稿",
        "确认所选",
        "3 条草稿",
        "立项此草稿",
        "识别为“西街道办事处”，置信度 0.95",
    ):
        assert words in html
    for english in ("Confirm selected", "Read the drafts", "Register this draft", "confidence 0"):
        assert english not in html

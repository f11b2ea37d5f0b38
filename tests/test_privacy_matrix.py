"""Privacy as promised: who sees a reporter's phone, e-mail and tracking code, per output.

The rule is two rows of the case rule table (``see_reporter_contact``,
``see_tracking_code``; docs/privacy.md) and the words of the portal's privacy
notice. Each test below builds the same small world once and asks one output
for every role, so a failure lists every (role, case) that is wrong at once:

* case G: a hotline report of exposed garbage in the west street, dispatched to
  the street-cleaning company (the west street office and the road chief see it,
  but do not handle it);
* case N: a hotline report in the west street with no unit yet;
* case W: a hotline report dispatched to the west street office.

This file lives outside the ``civicloop`` package: it reads every face (console,
API, Open311, portal, admin) and the layers below, which no app's tests may.
"""

from __future__ import annotations

import io
import json
import logging
import subprocess

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client
from openpyxl import load_workbook

from civicloop.api.actions import issue_token
from civicloop.cases import actions
from civicloop.cases.models import Case
from civicloop.cases.permissions import actor_for
from civicloop.cases.tests.loop_helpers import advance
from civicloop.core.logredact import RedactFilter
from civicloop.notify.models import Channel, OutboxMessage
from civicloop.org.models import Membership, Person, Role

pytestmark = pytest.mark.django_db

#: Every role of the matrix ("anonymous" is a resident, signed in as nobody).
ROLES = [
    "inspector", "acceptor", "shift_leader", "dispatcher", "handler_clean", "handler_east",
    "handler_west", "leader_west", "road_chief", "supervisor", "district_leader", "admin_role",
    "anonymous",
]  # fmt: skip
CENTRE = {"acceptor", "shift_leader", "dispatcher", "admin_role"}
#: The rule, written out by hand (not computed by the code under test).
CONTACTS = {
    "G": CENTRE | {"handler_clean"},
    "N": CENTRE,  # no unit yet: no unit's staff, however many see the case
    "W": CENTRE | {"handler_west", "leader_west"},
}
CODES = {"acceptor", "shift_leader", "admin_role"}  # the call desk (and administrators)
CASES = ("G", "N", "W")


def secrets(name: str) -> tuple[str, str, str]:
    """Case ``name``'s reporter: phone, e-mail and name (all three follow the contact rule)."""
    n = CASES.index(name) + 1
    return f"1391111000{n}", f"resident{n}@example.com", f"王{'一二三'[n - 1]}先生"


@pytest.fixture
def world(loop, settings):
    settings.CIVICLOOP_BASE_URL = "https://cg.example.gov.cn"
    a = loop["actors"]
    user = get_user_model().objects.create_user("district_leader", password="pw")
    person = Person.objects.create(name="district_leader", user=user)
    Membership.objects.create(person=person, unit=loop["centre"], role=Role.LEADER)
    loop["users"]["district_leader"] = user
    for unit in (loop["cleaning"], loop["offices"]["west"], loop["offices"]["east"]):
        Channel.objects.create(unit=unit, kind=Channel.Kind.EMAIL, target=f"u{unit.pk}@x.cn")
    lon, lat = loop["west_point"]
    cases = {}
    for name, category, to in (("G", "E0102", "dispatched"), ("N", "E0101", "reported"),
                               ("W", "E0101", "dispatched")):  # fmt: skip
        phone, email, reporter = secrets(name)
        case = actions.report_case(
            a["acceptor"], source="hotline", category=category, lon=lon, lat=lat,
            description=f"case {name}", reporter_name=reporter, reporter_phone=phone,
            reporter_email=email,
        )  # fmt: skip
        cases[name] = advance(loop, case, to)
    assert cases["G"].unit == loop["cleaning"] and cases["W"].unit == loop["offices"]["west"]
    assert cases["N"].unit_id is None
    # More of the loop's messages: a sign, a failed check (rework), a supervision order.
    actions.sign_case(a["handler_clean"], cases["G"])
    actions.issue_supervision(a["supervisor"], cases["W"], opinion="hurry")
    cases = {k: Case.objects.get(pk=v.pk) for k, v in cases.items()}
    return {**loop, "cases": cases}


def client_of(world, role: str) -> Client:
    client = Client(headers={"accept-language": "zh-hans"})
    if role != "anonymous":
        client.force_login(world["users"][role])
    return client


def api_of(world, role: str) -> Client:
    if role == "anonymous":
        return Client()
    _token, key = issue_token(world["users"][role], "t")
    return Client(headers={"authorization": f"Bearer {key}"})


def check(world, text_of, *, contacts=True, codes=True) -> None:
    """For every role and case: ``text_of(role, case)`` (None: the output does not show
    the case to that role) has the case's phone and e-mail exactly where the rule allows
    (never, if not ``contacts``) and its tracking code likewise."""
    wrong = []
    for role in ROLES:
        for name in CASES:
            case = world["cases"][name]
            text = text_of(role, case)
            if text is None:
                continue
            phone, email, reporter = secrets(name)
            want_contact = contacts and role in CONTACTS[name]
            want_code = codes and role in CODES
            for label, value, want in (("phone", phone, want_contact),
                                       ("e-mail", email, want_contact),
                                       ("name", reporter, want_contact),
                                       ("code", case.tracking_code, want_code)):  # fmt: skip
                if (value in text) is not want:
                    wrong.append(f"{role} / case {name}: {label} {'missing' if want else 'shown'}")
    assert not wrong, "\n".join(wrong)


def visible_to(world, role: str, case: Case) -> bool:
    if role == "anonymous":
        return False
    from civicloop.cases.permissions import can_see

    return can_see(actor_for(world["users"][role]), case)


# --- the console ---------------------------------------------------------------------------


def test_console_case_page(world):
    clients = {role: client_of(world, role) for role in ROLES}

    def page(role, case):
        response = clients[role].get(f"/console/cases/{case.pk}/")
        if role == "anonymous":
            assert response.status_code == 302  # to the login page
            return None
        assert response.status_code == (200 if visible_to(world, role, case) else 404), role
        return response.content.decode() if response.status_code == 200 else None

    check(world, page)


def test_console_case_list_and_its_search(world):
    """The list never shows contacts or codes, and searching by one finds nothing (so
    nobody can learn whose phone it is by trying numbers)."""
    clients = {role: client_of(world, role) for role in ROLES if role != "anonymous"}
    bodies = {role: c.get("/console/cases/").content.decode() for role, c in clients.items()}
    check(world, lambda role, case: bodies.get(role), contacts=False, codes=False)
    for role, client in clients.items():
        for name, case in world["cases"].items():
            for probe in (*secrets(name), case.tracking_code):
                body = client.get("/console/cases/", {"q": probe}).content.decode()
                assert case.number not in body, (role, name, probe)


def test_console_export(world):
    def load(role):
        if role == "anonymous":
            return None
        response = client_of(world, role).get("/console/cases/export.xlsx")
        assert response.status_code == 200
        book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        return {
            row[0]: " ".join(str(v) for v in row if v is not None)
            for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)
        }

    rows = {role: load(role) for role in ROLES}
    check(world, lambda role, case: (rows[role] or {}).get(case.number))


def test_console_case_sheet(world, monkeypatch, tmp_path):
    """The case sheet (PDF): read back with pdftotext for two roles; the HTML it is made
    from for every role (one PDF per role would be slow)."""
    from civicloop.console import exports

    made = []

    class Capture:
        def __init__(self, string, base_url=None):
            made.append(string)

        def write_pdf(self):
            return b"%PDF-1.7 captured"

    clients = {role: client_of(world, role) for role in ROLES}

    def html(role, case):
        made.clear()
        response = clients[role].get(f"/console/cases/{case.pk}/sheet.pdf")
        if response.status_code != 200:
            return None
        return made[0]

    if not exports.missing_pdf_parts():  # real PDFs first, where fonts exist
        case = world["cases"]["W"]
        for role, sees in (("handler_west", True), ("supervisor", False)):
            data = clients[role].get(f"/console/cases/{case.pk}/sheet.pdf").content
            path = tmp_path / f"{role}.pdf"
            path.write_bytes(data)
            text = subprocess.run(["pdftotext", str(path), "-"], check=True,
                                  capture_output=True, text=True).stdout  # fmt: skip
            assert (secrets("W")[0] in "".join(text.split())) is sees, role
    import weasyprint

    monkeypatch.setattr(weasyprint, "HTML", Capture)
    monkeypatch.setattr(exports, "missing_pdf_parts", lambda: [])
    check(world, html, codes=False)


def test_evaluation_ledger_and_bulletin(world):
    """The ledger and the bulletin go round the centre and the supervision office:
    neither carries any reporter's contact or any tracking code, for anyone."""
    from civicloop.evaluation import bulletin, periods
    from civicloop.evaluation.ledger import build_ledger

    period = periods.current("month")
    book = load_workbook(io.BytesIO(build_ledger(period)), read_only=True)
    ledger = " ".join(
        str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
        for v in row if v is not None
    )  # fmt: skip
    assert all(world["cases"][n].number in ledger for n in CASES)  # the cases are there
    html = bulletin.render_html(period)
    downloads = {}
    for role in ("dispatcher", "supervisor", "handler_west"):
        response = client_of(world, role).get(
            f"/console/evaluation/ledger.xlsx?period={period.key}"
        )
        downloads[role] = response.content if response.status_code == 200 else b""
    assert downloads["supervisor"], "the supervision office downloads the ledger"
    for name, case in world["cases"].items():
        for value in (*secrets(name), case.tracking_code):
            assert value not in ledger and value not in html, (name, value)
            for role, data in downloads.items():
                if data:
                    text = " ".join(
                        str(v)
                        for sheet in load_workbook(io.BytesIO(data), read_only=True).worksheets
                        for row in sheet.iter_rows(values_only=True) for v in row if v
                    )  # fmt: skip
                    assert value not in text, (role, name, value)


# --- the API -------------------------------------------------------------------------------


def test_api_detail_list_and_work(world):
    clients = {role: api_of(world, role) for role in ROLES}

    def detail(role, case):
        response = clients[role].get(f"/api/cases/{case.pk}")
        if response.status_code != 200:
            assert response.status_code in (401, 404), (role, response.status_code)
            assert not visible_to(world, role, case)
            return None
        data = response.json()
        # Each field holds exactly its value (not merely somewhere in the text).
        phone, email, reporter = secrets(
            next(n for n, c in world["cases"].items() if c.pk == case.pk)
        )
        assert data["reporter_phone"] in (None, phone) and data["reporter_email"] in (None, email)
        assert data["reporter"] == "acceptor"  # the staff user who took the call, not the caller
        assert data["tracking_code"] in (None, case.tracking_code)
        return json.dumps(data, ensure_ascii=False)  # the JSON escapes Chinese names

    check(world, detail)
    # Lists and the work queue carry no contacts and no codes for anyone.
    for path in ("/api/cases", "/api/my-work"):
        bodies = {}
        for role in ROLES:
            response = clients[role].get(path)
            ok = response.status_code == 200
            bodies[role] = json.dumps(response.json(), ensure_ascii=False) if ok else None
        check(world, lambda role, case, b=bodies: b[role], contacts=False, codes=False)


def test_api_report_answer_gives_the_code_to_the_call_desk_only(world, photo):
    lon, lat = world["west_point"]
    answers = {}
    for role, source in (("acceptor", "hotline"), ("shift_leader", "hotline"),
                         ("inspector", "inspector"), ("road_chief", "road_chief"),
                         ("supervisor", "supervision")):  # fmt: skip
        response = api_of(world, role).post(
            "/api/cases", {"source": source, "category": "E0101", "lon": lon, "lat": lat,
                           "description": "x"})  # fmt: skip
        assert response.status_code == 201, (role, response.content)
        data = response.json()
        code = Case.objects.get(pk=data["id"]).tracking_code
        answers[role] = data["tracking_code"] == code
        assert (code in json.dumps(data)) is answers[role]
    assert answers == {"acceptor": True, "shift_leader": True, "inspector": False,
                       "road_chief": False, "supervisor": False}  # fmt: skip


def test_supervision_item_escalated_from_a_case(world):
    """A supervision item made from a case copies its number, class and description, never
    who reported it: its console page and API detail show no contacts and no code."""
    from civicloop.supervision import actions as sv

    case = world["cases"]["G"]
    item = sv.escalate_case(
        actor_for(world["users"]["supervisor"]), case, lead_unit=world["offices"]["west"].pk,
        person=Person.objects.get(name="leader_west").pk, post="主任", responsibility="清理",
        deadline="2030-03-14",
    )  # fmt: skip
    bodies = []
    for role in ROLES:
        for response in (client_of(world, role).get(f"/console/supervision/items/{item.pk}/"),
                         api_of(world, role).get(f"/api/supervision/items/{item.pk}")):  # fmt: skip
            if response.status_code == 200:
                if response["Content-Type"].startswith("application/json"):
                    bodies.append(json.dumps(response.json(), ensure_ascii=False))
                else:
                    bodies.append(response.content.decode())
    assert bodies and any(case.number in b for b in bodies)
    for body in bodies:
        for value in (*secrets("G"), case.tracking_code):
            assert value not in body, value


# --- the public faces ----------------------------------------------------------------------


def test_open311_never_shows_contacts_or_codes(world):
    client = Client()
    bodies = []

    def text_of(response, fmt):
        assert response.status_code == 200, response.content
        if fmt == "json":  # the JSON may escape Chinese names
            return json.dumps(response.json(), ensure_ascii=False)
        return response.content.decode()

    for fmt in ("json", "xml"):
        bodies.append(text_of(client.get(f"/open311/v2/requests.{fmt}"), fmt))
        for case in world["cases"].values():
            bodies.append(text_of(client.get(f"/open311/v2/requests/{case.number}.{fmt}"), fmt))
    text = "\n".join(bodies)
    assert all(case.number in text for case in world["cases"].values())
    for name, case in world["cases"].items():
        for value in (*secrets(name), case.tracking_code):
            assert value not in text, (name, value)


def test_portal_tracking_page_shows_the_code_but_never_contacts(world):
    client = Client(headers={"accept-language": "zh-hans"})
    for name, case in world["cases"].items():
        body = client.get(f"/track/{case.tracking_code}/").content.decode()
        assert case.tracking_code in body  # the resident's own key, on their own page
        assert not any(value in body for value in secrets(name)), name
    privacy = client.get("/privacy/").content.decode()
    assert "受理员、值班长、派遣员" in privacy and "处置单位永远看不到您的查询码" in privacy


def test_admin_case_pages(world):
    """Superusers and administrators see everything in the admin; a staff user with the
    view permission alone sees no contacts, no code, and cannot search by a code."""
    User = get_user_model()
    root = User.objects.create_superuser("root", password="pw")
    viewer = User.objects.create_user("viewer", password="pw", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_case"))
    for user, sees in ((root, True), (viewer, False)):
        client = Client()
        client.force_login(user)
        for name, case in world["cases"].items():
            body = client.get(f"/admin/cases/case/{case.pk}/change/").content.decode()
            assert case.number in body
            for value in (*secrets(name), case.tracking_code):
                assert (value in body) is sees, (user.username, name, value)
        found = client.get("/admin/cases/case/", {"q": world["cases"]["G"].tracking_code})
        assert (world["cases"]["G"].number in found.content.decode()) is sees


# --- messages and logs ---------------------------------------------------------------------


def test_notifications_never_carry_contacts_or_codes(world, loop, photo):
    """Outbox messages go to unit group chats (WeCom, DingTalk) and mailboxes: whoever is in
    the chat reads them, so they never name the reporter's contacts or the code."""
    a = loop["actors"]
    g, w = world["cases"]["G"], world["cases"]["W"]
    actions.submit_result(a["handler_clean"], g, photos=[photo()])
    actions.check_case(a["inspector"], Case.objects.get(pk=g.pk), passed=False, note="again")
    actions.request_extension(a["handler_west"], w, hours=4, reason="rain")
    messages = list(OutboxMessage.objects.all())
    assert len(messages) >= 4  # two dispatches, a supervision order, a rework
    text = "\n".join(f"{m.subject}\n{m.body}\n{m.link}" for m in messages)
    for name, case in world["cases"].items():
        for value in (*secrets(name), case.tracking_code):
            assert value not in text, (name, value)


def test_logs_never_carry_contacts_or_codes(world, caplog):
    """No logger of ours writes them; what Django writes (the path of a 4xx answer, e.g. a
    bad rating on /track/<code>/rate/) is redacted by the console handler's filter."""
    handler = next(
        h for h in logging.getLogger().handlers
        if any(isinstance(f, RedactFilter) for f in h.filters)
    )  # fmt: skip
    stream = io.StringIO()
    old = handler.setStream(stream)
    try:
        with caplog.at_level(logging.DEBUG):
            client = Client()
            for case in world["cases"].values():
                client.post(f"/track/{case.tracking_code}/rate/", {"level": "9"})
                client.get(f"/track/?code={case.tracking_code}x")
            logging.getLogger("civicloop.test").warning(
                "a line quoting %s and %s", *secrets("G")[:2]
            )
            try:
                raise ValueError(f"boom /track/{world['cases']['G'].tracking_code}/")
            except ValueError:
                logging.getLogger("civicloop.test").exception("failed")
    finally:
        handler.setStream(old)
    written = stream.getvalue()
    assert "Bad Request" in written or "Not Found" in written  # Django did log the paths
    assert "[phone]" in written and "[e-mail]" in written and "/track/…/" in written
    for name, case in world["cases"].items():
        for value in (*secrets(name), case.tracking_code):
            assert value not in written, (name, value)
    # What reached the root logger from our own code, before any filter: nothing private
    # except the two test lines above.
    ours = [
        r for r in caplog.records if r.name.startswith("civicloop") and r.name != "civicloop.test"
    ]
    raw = "\n".join(r.getMessage() for r in ours)
    for name, case in world["cases"].items():
        for value in (*secrets(name), case.tracking_code):
            assert value not in raw, (name, value)

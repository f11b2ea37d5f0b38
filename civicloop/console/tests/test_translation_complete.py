"""Every page in both languages: no untranslated message in Chinese, no Chinese in English.

One walk renders every page of the console (each role's home, the case loop,
the evaluation, supervision and renovation desks), the resident portal and the
admin changelists, in zh-hans and in en, from one fixture database. It fails on

- a message id looked up in the Chinese catalogue without a translation (the
  lookups are recorded while the pages render: exact, whatever the template or
  code path), and on English words left in a Chinese page outside the data;
- a Chinese message id looked up in English, and Chinese text left in an
  English page outside the data (names, addresses, descriptions: every text
  value of the database is data).

A second test makes sure the walk covers every URL name of the console and the
portal (or says why a name is left out: JSON, files, POST-only actions).
"""

from __future__ import annotations

import datetime
import re
from contextlib import contextmanager
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import models
from django.test import Client
from django.urls import get_resolver, reverse
from django.utils import timezone
from django.utils.translation import trans_real

from civicloop.supervision.tests.conftest import sup  # noqa: F401  (a fixture)

from .conftest import make_cases

CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
CJK_RUN = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]+")
WORD = re.compile(r"[A-Za-z][A-Za-z'’]*[A-Za-z]")
#: django-axes' object names (not translatable from here); the masked hash of a password.
FOREIGN = re.compile(r"Access (Log|Attempt|Failure Log) for |\w+\*{8,}")
#: English words a Chinese page may carry: names of formats, standards and products.
ALLOWED_WORDS = {
    "PDF", "Excel", "xlsx", "CSV", "Open311", "GeoReport", "API", "GeoJSON", "JSON", "WGS",
    "GCJ", "OpenStreetMap", "OSM", "Leaflet", "ECharts", "Civicloop", "CIVICLOOP", "km", "GPS",
    "Django", "ID", "URL", "https", "http", "www", "QR", "webhook", "Webhook", "SMS", "DingTalk",
    "WeCom", "ok", "OK", "vs", "GB", "GBT", "CJJ", "DEBUG", "English",
    # Django's own admin: its keyboard hint; django-axes
    "Control", "Mac", "Command", "Axes",
    # placeholders that show a format; file types; units
    "YYYY", "MM", "DD", "HH", "XXXX", "txt", "md", "docx", "MB", "IP", "LDAP", "SEC",
    # JSON shown as JSON in the admin
    "true", "false", "null",
}  # fmt: skip
#: Whole texts that may stay: a help text that shows the codes to type, the language
#: menu's own names.
ALLOWED_TEXTS = {"以逗号分隔的来源，例如 inspector,road_chief。", "中文", "English"}
#: Lookups that may stay as they are: the language menu names English in English.
ALLOWED_MSGIDS = {("zh-hans", "English")}
#: Elements whose text is not read by anyone (code, data for scripts).
SKIP_ELEMENTS = {"script", "style", "code", "pre", "textarea", "option"}
#: Attributes a person reads.
READ_ATTRIBUTES = {"title", "placeholder", "alt", "aria-label", "label"}

#: URL names the walk leaves out, and why.
NOT_PAGES = {
    # JSON without words, photos, the icon
    "console:map_wgs84", "console:evidence", "portal:map_point", "portal:photo",
    "portal:boundaries", "portal:renovation_photo", "portal:favicon",
    # POST-only actions (their forms are on the pages walked; errors come back as messages)
    "console:logout", "console:case_act", "console:decide_request", "console:supervision_reply",
    "console:sv_bulk", "console:sv_item_act", "console:sv_row", "console:sv_campaign_import",
    "console:renovation_act", "console:renovation_import", "portal:follow", "portal:rate",
    "console:hotline_follow", "console:case_batch",
}  # fmt: skip


class _Text(HTMLParser):
    """The text a person reads on a page: text nodes and a few attributes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in SKIP_ELEMENTS:
            self.skip += 1
        if tag == "img" and "/admin/img/" in (dict(attrs).get("src") or ""):
            return  # Django's admin icons: alt text hard-coded in Django ("True", "Search")
        for name, value in attrs:
            if name in READ_ATTRIBUTES and value:
                self.parts.append(value)
            if tag == "input" and name == "value" and value and ("type", "submit") in attrs:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in SKIP_ELEMENTS and self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip and data.strip():
            self.parts.append(data.strip())


def page_text(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return parser.parts


@contextmanager
def recorded_lookups():
    """Record (language, msgid) of every lookup without a translation while pages render."""
    missing: set[tuple[str, str]] = set()
    cls = trans_real.DjangoTranslation
    original_gettext, original_ngettext = cls.gettext, cls.ngettext

    def note(self, message, result):
        language = self.language()
        if language == "zh-hans":
            if (result == message or trans_real.CONTEXT_SEPARATOR in result) and WORD.search(
                message.split(trans_real.CONTEXT_SEPARATOR)[-1]
            ):
                missing.add((language, message.replace(trans_real.CONTEXT_SEPARATOR, " | ")))
        elif language == "en" and CJK.search(result):
            missing.add((language, message))

    def gettext(self, message):
        result = original_gettext(self, message)
        note(self, message, result)
        return result

    def ngettext(self, singular, plural, n):
        result = original_ngettext(self, singular, plural, n)
        note(self, singular if n == 1 else plural, result)
        return result

    cls.gettext, cls.ngettext = gettext, ngettext
    try:
        yield missing
    finally:
        cls.gettext, cls.ngettext = original_gettext, original_ngettext


def data_values() -> tuple[str, set[str]]:
    """What the database holds as text: (its Chinese strings joined; its English words).

    Names, descriptions, addresses, codes and JSON labels are data; fields with
    choices are not (their codes must be shown by their translated labels).
    """
    found: set[str] = set()

    def walk(value):
        if isinstance(value, str):
            found.add(value)
            found.update(line.strip() for line in value.splitlines())
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(key)
                walk(item)
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item)

    for model in apps.get_models():
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
            and not f.choices
            and f.name != "role"  # role codes in histories: shown by their names
        ]
        if fields:
            for row in model._default_manager.values_list(*fields):
                walk(list(row))
    chinese = "\x00".join(s for s in found if CJK.search(s))
    words = {w for s in found for w in WORD.findall(s)}
    return chinese, words


def chinese_outside_data(text: str, chinese: str) -> list[str]:
    """The runs of Chinese in ``text`` that are not part of a value in the database."""
    return [run for run in CJK_RUN.findall(text) if run not in chinese]


# --- the fixture database ------------------------------------------------------------


def build_world(loop, sup, reno, photo):  # noqa: F811
    """Cases at several stages, supervision items, a campaign, an inspection, renovation."""
    from django.contrib.auth import get_user_model

    from civicloop.cases import actions
    from civicloop.org.actors import actor_for
    from civicloop.org.models import Person
    from civicloop.renovation import actions as reno_actions
    from civicloop.supervision.actions.inspections import record_inspection
    from civicloop.supervision.tests.conftest import T0, make_campaign, new_item

    # Usernames and people's names must not look like role codes (data is never checked).
    for n, person in enumerate(Person.objects.order_by("pk"), start=1):
        person.name = f"人员{n}"
        person.save(update_fields=["name"])
    for n, user in enumerate(get_user_model().objects.order_by("pk"), start=1):
        user.username = f"u{n}"
        user.save(update_fields=["username"])
    for actors in (loop["actors"], sup["actors"], reno["actors"]):
        for key, actor in actors.items():
            actors[key] = actor_for(get_user_model().objects.get(pk=actor.user.pk))
    a = loop["actors"]
    lon, lat = loop["west_point"]
    case = actions.report_case(
        a["inspector"], source="inspector", category="E0102", lon=lon, lat=lat,
        description="垃圾堆在路边", address="西街 1 号", photos=[photo()],
    )  # fmt: skip
    actions.accept_case(a["acceptor"], case)
    actions.file_case(a["shift_leader"], case)
    actions.dispatch_case(a["dispatcher"], case)
    make_cases(loop, 2)
    # A resident's case taken through to closure and an unsatisfied rating.
    from civicloop.cases.permissions import public_actor

    public = actions.report_case(
        public_actor(), source="public", category="E0102", lon=lon, lat=lat,
        description="路边垃圾", address="西街 2 号", photos=[photo()],
    )  # fmt: skip
    loop["config"].require_result_photo = False
    loop["config"].save()
    actions.accept_case(a["acceptor"], public)
    actions.file_case(a["shift_leader"], public)
    actions.dispatch_case(a["dispatcher"], public)
    public.refresh_from_db()
    actions.sign_case(a["handler_clean"], public)
    actions.submit_result(a["handler_clean"], public, note="已清理")
    actions.check_case(a["inspector"], public, passed=True)
    actions.close_case(a["shift_leader"], public)
    public.refresh_from_db()
    rated = actions.report_case(
        public_actor(), source="public", category="E0102", lon=lon, lat=lat,
        description="又有垃圾", address="西街 3 号",
    )  # fmt: skip
    for step, who in ((actions.accept_case, "acceptor"), (actions.file_case, "shift_leader"),
                      (actions.dispatch_case, "dispatcher"), (actions.sign_case, "handler_clean")):  # fmt: skip
        step(a[who], rated)
    actions.submit_result(a["handler_clean"], rated, note="已清理")
    actions.check_case(a["inspector"], rated, passed=True)
    actions.close_case(a["shift_leader"], rated)
    rated.refresh_from_db()
    actions.rate_case(rated, level=1, reason="没有清理干净")

    # The staff's case goes back and forth: its public page says so in residents' words.
    returned = actions.request_return(a["handler_clean"], case, reason="不属于本单位")
    actions.approve_return(a["dispatcher"], returned)
    actions.dispatch_case(a["dispatcher"], case, unit=loop["cleaning"])
    actions.issue_supervision(a["supervisor"], case, opinion="尽快处置")
    case.refresh_from_db()

    # Supervision: the office, a leader, an item, a campaign, an inspection.
    s = sup
    item = new_item(s)
    campaign = make_campaign(s)
    inspection = record_inspection(
        s["actors"]["district_leader"], title="陇海路沿线督查", on="2025-03-10", at=T0,
        problems=[{"text": "街角游园绿化缺失", "lon": 113.612, "lat": 34.703,
                   "unit": s["east"].code, "deadline": "2025-03-31", "outcome": "item"}],
    )  # fmt: skip

    # Renovation: an order, an open vote, an adopted item.
    west = reno["west"]
    order = reno_actions.place_order(reno["residents"][0], west, title="加装电梯")
    reno_actions.accept_order(reno["actors"]["worker"], order)
    vote = reno_actions.create_vote(
        reno["actors"]["worker"], west, title="表决", orders=[order],
        opens_at=timezone.now() - datetime.timedelta(minutes=5),
        closes_at=timezone.now() + datetime.timedelta(days=1),
    )  # fmt: skip
    reno_actions.open_vote(reno["actors"]["worker"], vote)
    reno_item = reno_actions.add_item(reno["actors"]["officer"], west, title="路灯", budget="1")
    reno_actions.adopt_item(reno["actors"]["adopter"], reno_item, kind="civilized", money="1")
    reno_actions.deliver_item(reno["actors"]["adopter"], reno_item, photos=[photo()])
    superuser = get_user_model().objects.create_superuser("root", password="pw")
    return {
        "case": case, "public": public, "rated": rated, "item": item, "campaign": campaign,
        "inspection": inspection, "compound": west.compound_id, "vote": vote,
        "reno_item": reno_item, "superuser": superuser, "sup": s,
    }  # fmt: skip


def pages(loop, reno, w):
    """(who, method, url, data) of every page walked; who is a username or None."""
    case, compound = w["case"], w["compound"]
    lon, lat = loop["west_point"]
    homes = [
        "inspector", "acceptor", "shift_leader", "dispatcher", "handler_clean", "road_chief",
        "leader_west", "supervisor", "admin_role", "district_leader",
    ]  # fmt: skip
    out = [(who, "get", reverse("console:home"), None) for who in homes]
    out += [(None, "get", reverse("console:login"), None)]
    for who, name, args in [
        ("dispatcher", "console:dashboard", []),
        ("dispatcher", "console:cases", []),
        ("dispatcher", "console:case", [case.pk]),
        ("handler_clean", "console:case", [case.pk]),
        ("shift_leader", "console:case", [w["rated"].pk]),
        ("shift_leader", "console:requests", []),
        ("dispatcher", "console:supervision", []),
        ("inspector", "console:report", []),
        ("acceptor", "console:hotline", []),
        ("supervisor", "console:evaluation", []),
        ("supervisor", "console:sv_desk", []),
        ("supervisor", "console:sv_items", []),
        ("supervisor", "console:sv_register", []),
        ("supervisor", "console:sv_item", [w["item"].pk]),
        ("leader_west", "console:sv_mine", []),
        ("supervisor", "console:sv_late", []),
        ("supervisor", "console:sv_campaigns", []),
        ("supervisor", "console:sv_campaign", [w["campaign"].pk]),
        ("district_leader", "console:sv_inspections", []),
        ("district_leader", "console:sv_inspection_new", []),
        ("district_leader", "console:sv_inspection", [w["inspection"].pk]),
        ("supervisor", "console:sv_rankings", []),
        ("supervisor", "console:sv_extract", []),
        ("reno:officer", "console:renovation", []),
        ("reno:adopter", "console:renovation_adopter", []),
        ("reno:worker", "console:renovation_desk", [compound]),
        ("reno:worker", "console:renovation_codes", [compound]),
        (None, "portal:home", []),
        (None, "portal:report", []),
        (None, "portal:track_lookup", []),
        (None, "portal:track", [w["public"].tracking_code]),
        (None, "portal:track", [w["rated"].tracking_code]),
        (None, "portal:track", [case.tracking_code]),
        (None, "portal:privacy", []),
        (None, "portal:renovation_compounds", []),
        (None, "portal:renovation_compound", [compound]),
    ]:  # fmt: skip
        out.append((who, "get", reverse(name, args=args), None))
    west = loop["offices"]["west"].pk
    out.append(("supervisor", "get", reverse("console:evaluation_cases")
                + f"?indicator=due&scope=unit&id={west}", None))  # fmt: skip
    # Files and JSON: only their catalogue lookups are checked (their text is not HTML).
    for who, name, args, query in [
        ("dispatcher", "console:map_cases", [], ""),
        ("dispatcher", "console:map_streets", [], ""),
        ("dispatcher", "console:map_cells", [], ""),
        ("dispatcher", "console:map_layer", ["roads"], ""),
        ("dispatcher", "console:places_search", [], "?q=测试"),
        ("shift_leader", "console:desk_standards", [], f"?category={case.small_class_id}&case={case.pk}"),
        ("acceptor", "console:hotline_duplicates", [], f"?category={case.small_class_id}&lon={lon}&lat={lat}"),
        ("dispatcher", "console:case_export", [], ""),
        ("dispatcher", "console:case_sheet", [case.pk], ""),
        ("supervisor", "console:evaluation_ledger", [], ""),
        ("supervisor", "console:evaluation_bulletin", [], ""),
        ("reno:officer", "console:renovation_export", [], ""),
        ("supervisor", "console:sv_campaign_export", [w["campaign"].pk], ""),
        (None, "portal:nearby", [], f"?category=E0102&lon={lon}&lat={lat}"),
        (None, "portal:places", [], "?q=测试"),
    ]:  # fmt: skip
        out.append((who, "get", reverse(name, args=args) + query, None))
    code = reno["codes"][0]
    for name, args in [
        ("portal:renovation_order", [compound]),
        ("portal:renovation_mine", [compound]),
        ("portal:renovation_ballot", [compound, w["vote"].pk]),
        ("portal:renovation_rate", [compound, w["reno_item"].pk]),
    ]:
        out.append((None, "get", reverse(name, args=args), None))
        out.append((None, "post", reverse(name, args=args), {"code": code}))
    # The admin: its index, every changelist, and each model's add and change form.
    # Settings made on first use (the evaluation's) exist already, as pages walked
    # before the admin make them: their add form is then refused, so not walked.
    from civicloop.evaluation.models import EvaluationConfig

    EvaluationConfig.get()
    out.append(("root", "get", reverse("admin:index"), None))
    for model, model_admin in admin.site._registry.items():
        info = f"{model._meta.app_label}_{model._meta.model_name}"
        out.append(("root", "get", reverse(f"admin:{info}_changelist"), None))
        if model_admin.has_add_permission(_Request(w["superuser"])):
            out.append(("root", "get", reverse(f"admin:{info}_add"), None))
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            out.append(("root", "get", reverse(f"admin:{info}_change", args=[first.pk]), None))
    return out


class _Request:
    def __init__(self, user):
        self.user = user


def _client(who, loop, reno, w, language, cache):
    key = (who, language)
    if key not in cache:
        c = Client(headers={"accept-language": language})
        if who == "root":
            user = w["superuser"]
        elif who and who.startswith("reno:"):
            user = reno["users"][who[5:]]
        elif who:
            user = w["sup"]["users"][who]
        if who:  # the user as renamed by build_world
            c.force_login(get_user_model().objects.get(pk=user.pk))
        c.cookies["django_language"] = language
        cache[key] = c
    return cache[key]


@pytest.mark.django_db
def test_every_page_is_translated_both_ways(loop, sup, reno, photo, settings):  # noqa: F811
    w = build_world(loop, sup, reno, photo)
    walk = pages(loop, reno, w)
    clients: dict = {}
    problems: list[str] = []
    texts: list[tuple[str, str, str]] = []
    with recorded_lookups() as missing:
        for language in ("zh-hans", "en"):
            for who, method, url, body in walk:
                c = _client(who, loop, reno, w, language, clients)
                response = getattr(c, method)(url, body) if body else getattr(c, method)(url)
                if response.status_code >= 500 or response.status_code in (403, 404, 405):
                    problems.append(f"{language} {who} {method} {url}: {response.status_code}")
                    continue
                for lang, msgid in sorted(missing - ALLOWED_MSGIDS):
                    problems.append(f"{lang} {url}: untranslated {msgid!r}")
                missing.clear()
                if "html" in response.get("Content-Type", ""):
                    texts += [(language, url, t) for t in page_text(response.content.decode())]
    # The data as it is after the walk (sign-ins and renders write some).
    chinese, data_words = data_values()
    for language, url, text in texts:
        if text in ALLOWED_TEXTS:
            continue
        if language == "en":
            runs = chinese_outside_data(text, chinese)
            if runs:
                problems.append(f"en {url}: Chinese {runs} in {text[:80]!r}")
        else:
            words = [w for w in WORD.findall(FOREIGN.sub(" ", text))
                     if w not in ALLOWED_WORDS and w not in data_words]  # fmt: skip
            if words:
                problems.append(f"zh-hans {url}: English {words} in {text[:80]!r}")
    unique = list(dict.fromkeys(problems))
    assert unique == [], "\n".join(unique)


def _names(resolver, prefix=""):
    for pattern in resolver.url_patterns:
        if hasattr(pattern, "url_patterns"):
            namespace = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            yield from _names(pattern, namespace)
        elif pattern.name:
            yield f"{prefix}{pattern.name}"


def test_the_walk_covers_every_page_name():
    """Every URL name of the console and the portal is walked or listed in NOT_PAGES."""
    import inspect

    source = inspect.getsource(pages)
    names = {n for n in _names(get_resolver()) if n.startswith(("console:", "portal:"))}
    not_walked = sorted(n for n in names - NOT_PAGES if f'"{n}"' not in source)
    assert not_walked == []

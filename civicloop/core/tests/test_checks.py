"""The system checks of core/checks.py: production refuses the development secret key
(an Error) and is warned about a base URL on this machine; development (DEBUG on) is silent."""

import pytest
from django.core.checks import ERROR, WARNING, run_checks
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from civicloop.core.checks import (
    TAG,
    check_base_url,
    check_secret_key,
    is_local_url,
    refuse_serious_problems,
)

PUBLIC = "https://cg.erqi.gov.cn"
STRONG_KEY = "x9-0QbN4k2y5r_LmTq8ZcV3wXj7Hs1dPfGa6uEo"


@pytest.fixture
def production(settings):
    settings.DEBUG = False
    settings.SECRET_KEY = STRONG_KEY
    settings.CIVICLOOP_BASE_URL = PUBLIC
    return settings


def ids(messages):
    return [m.id for m in messages]


def test_the_checks_are_registered_under_the_civicloop_tag(production):
    production.SECRET_KEY = production.DEVELOPMENT_SECRET_KEY
    production.CIVICLOOP_BASE_URL = "http://127.0.0.1:8000"
    assert sorted(ids(run_checks(tags=[TAG]))) == ["civicloop.E001", "civicloop.W001"]


def test_a_configured_production_passes(production):
    assert check_secret_key() == []
    assert check_base_url() == []
    refuse_serious_problems()  # no exception


def test_production_with_the_fallback_secret_is_an_error(production):
    production.SECRET_KEY = production.DEVELOPMENT_SECRET_KEY
    [message] = check_secret_key()
    assert message.id == "civicloop.E001" and message.level == ERROR
    assert "SECRET_KEY" in message.msg and "SECRET_KEY" in message.hint


def test_production_with_an_empty_secret_is_an_error(production):
    production.SECRET_KEY = ""
    assert ids(check_secret_key()) == ["civicloop.E001"]


def test_production_refuses_to_start_with_the_fallback_secret(production):
    production.SECRET_KEY = production.DEVELOPMENT_SECRET_KEY
    with pytest.raises(SystemCheckError, match="civicloop.E001"):
        call_command("check")  # what runserver, migrate and the worker run first
    with pytest.raises(ImproperlyConfigured, match="civicloop.E001"):
        refuse_serious_problems()  # what civicloop.wsgi runs before it serves


def test_development_may_use_the_fallback_secret(production):
    production.DEBUG = True
    production.SECRET_KEY = production.DEVELOPMENT_SECRET_KEY
    production.CIVICLOOP_BASE_URL = "http://127.0.0.1:8000"
    assert check_secret_key() == [] and check_base_url() == []
    refuse_serious_problems()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000",
        "http://localhost:8000/",
        "https://LOCALHOST",
        "http://127.1.2.3",
        "http://[::1]:8000",
        "http://0.0.0.0:8000",
        "http://console.localhost",
        "",
    ],
)
def test_a_local_base_url_in_production_is_warned_about(production, url):
    production.CIVICLOOP_BASE_URL = url
    [message] = check_base_url()
    assert message.id == "civicloop.W001" and message.level == WARNING
    assert not message.is_serious()  # a warning: the server still starts
    refuse_serious_problems()


@pytest.mark.parametrize(
    "url",
    [PUBLIC, "http://10.20.30.40:8080", "https://cg.example.cn/civicloop/", "http://[2001:db8::1]"],
)
def test_a_reachable_base_url_is_not_local(url):
    assert not is_local_url(url)

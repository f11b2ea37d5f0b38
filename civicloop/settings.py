"""Civicloop settings: one module, driven by environment variables.

Every value that differs between a laptop, CI and production comes from the
environment; the defaults give a working SQLite demo under ``var/``.
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("CIVICLOOP_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


DEBUG = env_bool("DEBUG", False)
# The fallback key is only for local runs; production must set SECRET_KEY.
SECRET_KEY = os.environ.get("SECRET_KEY") or "insecure-development-key-set-SECRET_KEY-in-production"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "civicloop.core",
    "civicloop.geo",
    "civicloop.worktime",
    "civicloop.org",
    "civicloop.notify",
    "civicloop.cases",
    "civicloop.evaluation",
    "civicloop.api",
    "civicloop.console",
    "civicloop.portal",
    "civicloop.open311",
    "civicloop.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "civicloop.urls"
WSGI_APPLICATION = "civicloop.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "civicloop" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'civicloop.sqlite3'}",
        conn_max_age=env_int("CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL and a busy timeout let the server and the worker share the file.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "zh-hans")
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "civicloop" / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
# Vendored front-end libraries (frontend/vendor.sh) and project-wide assets.
STATICFILES_DIRS = [BASE_DIR / "civicloop" / "static"]
LOGIN_URL = "console:login"
LOGIN_REDIRECT_URL = "console:home"
LOGOUT_REDIRECT_URL = "console:login"

# One process's memory by default; production with several processes sets
# CACHE_URL-style settings here (e.g. Redis) so rate limits are shared.
CACHES = {
    "default": {
        "BACKEND": os.environ.get("CACHE_BACKEND", "django.core.cache.backends.locmem.LocMemCache"),
        "LOCATION": os.environ.get("CACHE_LOCATION", "civicloop"),
    }
}
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# --- Civicloop domain settings -------------------------------------------
# The 6-digit county code of the district this installation serves (Erqi).
CIVICLOOP_DISTRICT_CODE = os.environ.get("CIVICLOOP_DISTRICT_CODE", "410103")
# Digits of a grid cell's sequence after the 12-digit community code: 2
# nationally, 3 in Beijing.
GEO_CELL_SEQUENCE_DIGITS = env_int("GEO_CELL_SEQUENCE_DIGITS", 2)
# How far (metres) a point may lie from a road section and still be on it.
GEO_ROAD_TOLERANCE_M = float(os.environ.get("GEO_ROAD_TOLERANCE_M", "30"))
# How often (seconds) a process checks whether another process changed the
# geometry and its in-memory index must be rebuilt.
GEO_INDEX_CHECK_SECONDS = float(os.environ.get("GEO_INDEX_CHECK_SECONDS", "5"))
# How often (seconds) a process reloads work calendars changed by another process.
WORKTIME_CACHE_SECONDS = float(os.environ.get("WORKTIME_CACHE_SECONDS", "60"))

# --- The case loop ---------------------------------------------------------
# Largest photo accepted (bytes); JPEG, PNG and WebP only, checked by content.
CASES_MAX_UPLOAD_BYTES = env_int("CASES_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
# Longest edge of a thumbnail (pixels).
CASES_THUMBNAIL_PX = env_int("CASES_THUMBNAIL_PX", 320)
# Address of the console used in notification links.
CIVICLOOP_BASE_URL = os.environ.get("CIVICLOOP_BASE_URL", "http://127.0.0.1:8000")
# E-mail for notifications (the outbox delivers through Django's mail backend).
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "civicloop@localhost")

# --- Maps ------------------------------------------------------------------
# A tile URL template for production (天地图 or an internal server), e.g.
# "https://t{s}.tianditu.gov.cn/vec_w/wmts?...&tk=KEY". Empty: the maps draw
# the boundaries on a plain background and load nothing from the internet.
MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "")
MAP_TILE_ATTRIBUTION = os.environ.get("MAP_TILE_ATTRIBUTION", "")
MAP_TILE_SUBDOMAINS = os.environ.get("MAP_TILE_SUBDOMAINS", "")
# The tiles' coordinate system: "wgs84" (天地图, OpenStreetMap) or "gcj02"
# (高德 AMap, Tencent): points and layers are shifted for display (docs/maps.md).
MAP_TILE_CRS = os.environ.get("MAP_TILE_CRS", "wgs84")

# --- Public side -------------------------------------------------------------
# Rate limits per client address (django-ratelimit syntax: "count/period").
PORTAL_RATE_LIMIT = os.environ.get("PORTAL_RATE_LIMIT", "10/m")
OPEN311_RATE_LIMIT = os.environ.get("OPEN311_RATE_LIMIT", "60/m")
# The key of the Open311 client the demo creates.
OPEN311_DEMO_KEY = os.environ.get("OPEN311_DEMO_KEY", "demo-open311-key")

# --- Notifications (outbox delivery) ------------------------------------------
NOTIFY_MAX_ATTEMPTS = env_int("NOTIFY_MAX_ATTEMPTS", 8)
NOTIFY_HTTP_TIMEOUT = float(os.environ.get("NOTIFY_HTTP_TIMEOUT", "10"))
# A claimed message is due again after this, should its worker die mid-send.
NOTIFY_LEASE_SECONDS = env_int("NOTIFY_LEASE_SECONDS", 300)
NOTIFY_BACKOFF_SECONDS = env_int("NOTIFY_BACKOFF_SECONDS", 60)
NOTIFY_BACKOFF_MAX_SECONDS = env_int("NOTIFY_BACKOFF_MAX_SECONDS", 3600)
# How long (seconds) a process keeps the loop settings (LoopConfig) before re-reading them.
CASES_CONFIG_CACHE_SECONDS = float(os.environ.get("CASES_CONFIG_CACHE_SECONDS", "5"))

# --- Behind a reverse proxy -------------------------------------------------------
# How many reverse proxies append to X-Forwarded-For in front of Civicloop (0:
# none; the client address for rate limits is then REMOTE_ADDR).
CIVICLOOP_TRUSTED_PROXIES = env_int("CIVICLOOP_TRUSTED_PROXIES", 0)
# Set BEHIND_TLS_PROXY=1 when a proxy terminates HTTPS and sends
# X-Forwarded-Proto, so absolute links (Open311, notifications) say https.
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

"""Civicloop settings: one module, driven by environment variables.

Every value that differs between a laptop, CI and production comes from the
environment; the defaults give a working SQLite demo under ``var/``. Every
setting read here is listed once, with its default and meaning, in
docs/settings.md (a test keeps the two in step); code reads ``settings.X``,
never ``getattr(settings, "X", default)``. The system checks in
civicloop/core/checks.py refuse production (DEBUG off) with the development
secret key.
"""

import datetime
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
# The fallback key is for development only (DEBUG on, as `make demo` runs):
# with DEBUG off, core's system check (civicloop.E001) refuses to start with it.
DEVELOPMENT_SECRET_KEY = "insecure-development-key-set-SECRET_KEY-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY") or DEVELOPMENT_SECRET_KEY
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "civicloop.core",
    "civicloop.geo",
    "civicloop.worktime",
    "civicloop.org",
    "civicloop.notify",
    "civicloop.cases",
    "civicloop.evaluation",
    "civicloop.supervision",
    "civicloop.renovation",
    "civicloop.api",
    "civicloop.console",
    "civicloop.portal",
    "civicloop.open311",
    "civicloop.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "civicloop.core.db.ReplicaStickinessMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last: turns a locked-out sign-in into 429 (civicloop.core.lockout).
    "axes.middleware.AxesMiddleware",
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
        # A kept connection is tested before a request reuses it, so a database
        # restart costs no 500 on each process's stale connection (bench/faults.py).
        conn_health_checks=env_bool("CONN_HEALTH_CHECKS", True),
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
# PostgreSQL: bind parameters on the server (psycopg 3), so that a compiled
# query (civicloop.core.compiled: the API's case detail and lists, Open311,
# intake's inserts) run DATABASE_PREPARE_THRESHOLD times on a connection
# becomes a prepared statement whose plan PostgreSQL keeps: they join many
# small tables and cost more to plan than to run (docs/performance.md). Other
# ORM queries are never prepared: planned with their values every time.
DATABASE_SERVER_SIDE_BINDING = env_bool("DATABASE_SERVER_SIDE_BINDING", True)
DATABASE_PREPARE_THRESHOLD = env_int("DATABASE_PREPARE_THRESHOLD", 2)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and (
    DATABASE_SERVER_SIDE_BINDING
):
    DATABASES["default"].setdefault("OPTIONS", {}).update(server_side_binding=True)
# A PostgreSQL streaming read replica for dashboards, evaluation, exports and
# long lists (civicloop.core.db): never for writes or a user's own fresh writes.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"],
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=env_bool("CONN_HEALTH_CHECKS", True),
    )
    # Tests: the alias mirrors the test database; the replica tests point it at
    # the real standby, which replicates the test database the primary holds.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["civicloop.core.db.ReplicaRouter"]
REPLICA_READS = env_bool("REPLICA_READS", True)
# Reads stay on the primary when the replica's replay is further behind than this.
REPLICA_MAX_LAG_SECONDS = float(os.environ.get("REPLICA_MAX_LAG_SECONDS", "5"))
# How often a process asks the replica for its lag; how long an unreachable one rests.
REPLICA_CHECK_SECONDS = float(os.environ.get("REPLICA_CHECK_SECONDS", "2"))
REPLICA_RETRY_SECONDS = float(os.environ.get("REPLICA_RETRY_SECONDS", "30"))
# After a write, the same browser reads from the primary for this long.
REPLICA_STICKY_SECONDS = env_int("REPLICA_STICKY_SECONDS", 15)
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

# The cache: one process's memory by default. Several app processes and workers
# share rate limits, sign-in throttling and invalidations through Redis:
# CACHE_URL=redis://127.0.0.1:6379/0 (rediss:// for TLS). CACHE_BACKEND and
# CACHE_LOCATION name any other Django cache backend.
CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "civicloop"),
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": os.environ.get(
                "CACHE_BACKEND", "django.core.cache.backends.locmem.LocMemCache"
            ),
            "LOCATION": os.environ.get("CACHE_LOCATION", "civicloop"),
        }
    }
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))

# One console handler; its filter takes tracking codes, mobile numbers and e-mails out
# of every line (Django names the path of each 4xx answer: docs/privacy.md). Django's
# own loggers write through it too instead of their unfiltered DEBUG console.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "civicloop.core.logredact.RedactFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # WeasyPrint logs each step of every PDF at INFO ("Step 5 - Creating layout").
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
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
# How often a process reads the version counters of its in-memory copies of the
# catalogue, responsibility rules, API tokens and Open311 clients (civicloop.core.memo).
MEMO_CHECK_SECONDS = float(os.environ.get("MEMO_CHECK_SECONDS", "1"))
# The evaluation page's six-month trend is computed at most this often per
# period (shared cache); 0 computes it on every request.
EVALUATION_TREND_SECONDS = env_int("EVALUATION_TREND_SECONDS", 300)
# How often (seconds) a process reloads work calendars changed by another process.
WORKTIME_CACHE_SECONDS = float(os.environ.get("WORKTIME_CACHE_SECONDS", "60"))

# --- The case loop ---------------------------------------------------------
# Largest photo accepted (bytes); JPEG, PNG and WebP only, checked by content.
CASES_MAX_UPLOAD_BYTES = env_int("CASES_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
# Longest edge of a thumbnail (pixels).
CASES_THUMBNAIL_PX = env_int("CASES_THUMBNAIL_PX", 320)
# Address of the console used in notification links (a localhost address with
# DEBUG off is warned about by civicloop.W001).
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
# An Open311 client's last_used_at is written at most this often (per process).
OPEN311_CLIENT_TOUCH_SECONDS = env_int("OPEN311_CLIENT_TOUCH_SECONDS", 60)
# Failed tracking-code look-ups on the portal, per client address.
PORTAL_TRACK_RATE_LIMIT = os.environ.get("PORTAL_TRACK_RATE_LIMIT", "20/m")
# Open311 discovery and jurisdictions: a second accepted jurisdiction_id
# besides CIVICLOOP_DISTRICT_CODE (e.g. a domain), the discovery changeset, and
# the contact and key-service texts (empty: a translated default text).
OPEN311_JURISDICTION_ID = os.environ.get("OPEN311_JURISDICTION_ID", "")
OPEN311_CHANGESET = os.environ.get("OPEN311_CHANGESET", "2025-01-01 00:00")
OPEN311_CONTACT = os.environ.get("OPEN311_CONTACT", "")
OPEN311_KEY_SERVICE = os.environ.get("OPEN311_KEY_SERVICE", "")

# --- Field API (civicloop.api) ---------------------------------------------------
# Failed sign-ins (POST /api/auth/token) per client address.
API_TOKEN_RATE_LIMIT = os.environ.get("API_TOKEN_RATE_LIMIT", "10/m")
# A token's last_used_at is written at most this often (seconds).
API_TOKEN_TOUCH_SECONDS = env_int("API_TOKEN_TOUCH_SECONDS", 60)

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

# --- Health and production serving ---------------------------------------------
# /healthz reports the worker down when its last heartbeat is older than this.
HEALTHZ_WORKER_MAX_AGE = env_int("HEALTHZ_WORKER_MAX_AGE", 300)
# Static files are served by WhiteNoise, compressed (gzip and Brotli). With
# STATIC_MANIFEST=1 (what `make serve` sets) names carry a content hash and are
# served with far-future cache headers; that needs `collectstatic` first.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "civicloop.core.staticfiles.ManifestStaticFilesStorage"
        if env_bool("STATIC_MANIFEST", False)
        else "whitenoise.storage.CompressedStaticFilesStorage"
    },
}
# Without the manifest (demo, tests), WhiteNoise serves straight from the apps'
# static folders, so no collectstatic is needed and STATIC_ROOT may not exist.
WHITENOISE_USE_FINDERS = not env_bool("STATIC_MANIFEST", False)
if WHITENOISE_USE_FINDERS:
    import warnings

    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)

# --- Sign-ins: throttling and lockout (django-axes) ------------------------------
# Failed sign-ins are counted per username and client address on every login
# form and the API token endpoint; past the limit the pair is locked for the
# cool-off time (429 with Retry-After). A success resets the count.
AUTHENTICATION_BACKENDS = [
    "civicloop.core.auth_backends.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "civicloop.core.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "civicloop.core.clientip.axes_client_ip"
AXES_USERNAME_FORM_FIELD = "username"
# Sessions end after this many hours (and when the browser closes if SESSION_EXPIRE_AT_BROWSER_CLOSE=1).
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE_HOURS", 12) * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", False)

# --- HTTPS, HSTS and cookies: on by default in production (DEBUG off) ------------
# Each can be switched by an environment variable of the same name, e.g.
# SECURE_SSL_REDIRECT=0 when a TLS proxy already redirects, or for a trial on
# plain HTTP (then also SESSION_COOKIE_SECURE=0 and CSRF_COOKIE_SECURE=0).
# /healthz is never redirected, so load balancers can probe over HTTP.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
# HSTS preloading is a promise to browsers that is slow to take back; a district
# opts in (SECURE_HSTS_PRELOAD=1) when it submits its domain, so the reminder is
# silenced until then.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
# --- The demo (civicloop.demo: ``manage.py demo``, ``make demo``) ---------------
# The key of the Open311 client the demo creates (OPEN311_DEMO_KEY, its former
# name, is still read).
DEMO_OPEN311_KEY = (
    os.environ.get("DEMO_OPEN311_KEY") or os.environ.get("OPEN311_DEMO_KEY") or "demo-open311-key"
)
# The password of every demo login.
DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "erqi-demo")
# The synthetic history `manage.py demo` writes: days back, cases per day
# (the command's --days and --per-day options override them).
DEMO_HISTORY_DAYS = env_int("DEMO_HISTORY_DAYS", 365)
DEMO_HISTORY_PER_DAY = env_int("DEMO_HISTORY_PER_DAY", 250)
# The port `make demo` serves on (its PORT variable), for the addresses the demo prints.
DEMO_PORT = env_int("PORT", 8000)
# --- Renovation (老旧小区改造) votes and lights ---------------------------------------
# A vote counts when at least this share of the compound's households voted
# (two thirds, as the Civil Code asks of owners' decisions), and a question
# passes when more than this share of the households that voted said "for".
RENOVATION_VOTE_QUORUM = float(os.environ.get("RENOVATION_VOTE_QUORUM", "0.667"))
RENOVATION_VOTE_MAJORITY = float(os.environ.get("RENOVATION_VOTE_MAJORITY", "0.5"))
# A project is yellow this many days before its batch deadline if not complete.
RENOVATION_YELLOW_DAYS = env_int("RENOVATION_YELLOW_DAYS", 30)
# A delivered item rated at or below this (1-5 stars, mean) goes back to its adopter.
RENOVATION_LOW_RATING = float(os.environ.get("RENOVATION_LOW_RATING", "2.5"))
# A work item late against its batch becomes a supervision item due in this many working days.
RENOVATION_LATE_ITEM_DAYS = env_int("RENOVATION_LATE_ITEM_DAYS", 10)


# --- Content-Security-Policy (django-csp) ----------------------------------------
# No inline script or style anywhere: scripts and styles come from our own static
# files, data from JSON endpoints or json_script blocks. Map tiles may come from
# the host of MAP_TILE_URL (a {s} subdomain becomes a wildcard).
def _tile_sources(url: str) -> list[str]:
    from urllib.parse import urlsplit

    parts = urlsplit(url.replace("{s}", "s"))
    if not parts.scheme or not parts.netloc:
        return []
    host = parts.netloc
    if "{s}" in url.split("//", 1)[-1].split("/", 1)[0]:
        host = "*." + host.split(".", 1)[1] if "." in host else host
    return [f"{parts.scheme}://{host}"]


CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:", *_tile_sources(MAP_TILE_URL)],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

"""Django settings, driven by environment variables (see the README's configuration table and
djproject/environment.py, which declares and checks every one of them).

Defaults are the production-safe ones: DEBUG off, secure cookies, HSTS, HTTPS redirects, and a
real secret key required. Development sets ``DJANGO_DEBUG=true`` explicitly (``make demo`` and
the test settings do), which also allows the development key. A missing or wrong variable stops
the process with one line naming it, before anything runs on a bad configuration.
"""

import os

import dj_database_url
from django.utils.translation import gettext_lazy as _

from djproject.environment import SettingsError, load_environment, secret_key
from djproject.paths import LOCALES_DIR, TEMPLATES_DIR, data_dir

try:
    ENV = load_environment()
    SECRET_KEY = secret_key(ENV)
except SettingsError as error:
    # One line, whoever imports the settings (manage.py, gunicorn, the bot): not a traceback.
    raise SystemExit(f"Configuration error: {error}") from None

# Runtime files (the SQLite database, collected static files); never inside site-packages.
BASE_DIR = data_dir(ENV.salon_data_dir)
DEBUG = ENV.django_debug
ALLOWED_HOSTS = ENV.django_allowed_hosts
CSRF_TRUSTED_ORIGINS = ENV.django_csrf_trusted_origins

# --- HTTPS (Django's deployment checklist; `manage.py check --deploy` is clean without DEBUG) -
# The admin is served behind a TLS reverse proxy (see docker-compose.yml). The proxy tells the
# scheme in a header that is trusted only when DJANGO_SECURE_PROXY_SSL_HEADER names it; the
# health endpoint (djproject.health) answers before any of this, on plain HTTP.
SECURE_PROXY_SSL_HEADER = ENV.proxy_ssl_header
SECURE_SSL_REDIRECT = not DEBUG if ENV.django_secure_ssl_redirect is None else ENV.django_secure_ssl_redirect
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = 0 if DEBUG else ENV.django_hsts_seconds
SECURE_HSTS_INCLUDE_SUBDOMAINS = ENV.django_hsts_include_subdomains
SECURE_HSTS_PRELOAD = ENV.django_hsts_preload

INSTALLED_APPS = [
    # Before the admin: it patches the admin's forms with one field per language.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "booking",
    "djproject.salon",
]

# The booking app's contract (booking/app_settings.py): which salon models play which part.
BOOKING = {
    "MASTER_MODEL": "salon.Master",
    "SERVICE_MODEL": "salon.Service",
    "APPOINTMENT_MODEL": "salon.Appointment",
    "WORKING_DAY_MODEL": "salon.WorkingDay",
    "DAY_OFF_MODEL": "salon.DayOff",
    "BOOKING_SETTINGS_MODEL": "salon.BookingSettings",
    "SITE_SETTINGS_MODEL": "salon.SiteSettings",
    "TIME_BLOCK_MODEL": "salon.TimeBlock",
}

MIDDLEWARE = [
    # First: the container's probe is answered before the Host header or HTTPS is checked.
    "djproject.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "djproject.salon.middleware.SalonTimezoneMiddleware",
]

ROOT_URLCONF = "djproject.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [TEMPLATES_DIR],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "djproject.wsgi.application"
ASGI_APPLICATION = "djproject.asgi.application"

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = ENV.database_url or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
# CONN_HEALTH_CHECKS: a connection kept for reuse (CONN_MAX_AGE) is checked once per request
# (per ORM call in the bot, see bot.orm_threads) before it is used, so one that
# the server dropped meanwhile is replaced instead of failing the request.
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # BEGIN IMMEDIATE takes the write lock when a transaction starts, so two bookings can
    # never read the same free slot and both write it; the timeout makes the loser wait.
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # A file, not ":memory:": concurrency tests need real connections from several threads.
    # One file per test process, so that two test runs in one checkout do not collide.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / f".test-db-{os.getpid()}.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------------
REDIS_URL = ENV.redis_url
# The local cache (no REDIS_URL) must hold a real month: busy intervals are cached per master
# and date, 40 masters x 31 days = 1240 entries, where LocMemCache's default keeps only 300.
LOCAL_CACHE = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "salon",
    "KEY_PREFIX": ENV.cache_key_prefix,
    "OPTIONS": {"MAX_ENTRIES": 20_000},
}
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": ENV.cache_key_prefix,
            "OPTIONS": {
                "serializer": "booking.cache.JSONSerializer",
                # Fail fast when Redis is down: the booking core falls back to the database.
                "socket_connect_timeout": 0.5,
                "socket_timeout": 0.5,
            },
        }
    }
else:
    CACHES = {"default": LOCAL_CACHE}
BOOKING_CACHE_ALIAS = "default"
# How long a cached answer (calendar, times, menus; booking.freshness) and a settings row held
# in a process may live. Writes replace the tokens that keep them, so the TTL matters only for
# writes a process does not see: with the local cache, those of another process (the admin).
BOOKING_ANSWER_TTL = 300 if REDIS_URL else 30

# --- Auth -----------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "admin:login"

# --- Internationalisation and time ----------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ru", _("Russian")), ("de", _("German"))]
LOCALE_PATHS = [LOCALES_DIR]
USE_I18N = True
# The catalogue (names and descriptions of categories, services and masters) is translated with
# django-modeltranslation: one column per language on the same row (name_en, name_ru, name_de),
# so translated lists cost no extra query. An empty translation falls back to English.
MODELTRANSLATION_DEFAULT_LANGUAGE = LANGUAGE_CODE
MODELTRANSLATION_FALLBACK_LANGUAGES = (LANGUAGE_CODE,)
USE_TZ = True
TIME_ZONE = ENV.time_zone

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# WhiteNoise serves the admin's static files from the app itself (no nginx needed); the
# non-manifest storage works with or without collectstatic, so tests need no build step.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# --- Uploads (masters' photos) ----------------------------------------------------------------
# In the data directory, never in site-packages; Django serves them itself only with DEBUG (see
# djproject/urls.py): in production the reverse proxy serves MEDIA_ROOT under MEDIA_URL.
MEDIA_URL = "media/"
MEDIA_ROOT = BASE_DIR / "media"

# --- Telegram -------------------------------------------------------------------------------
BOT_TOKEN = ENV.bot_token
BOT_API_URL = ENV.bot_api_url
WEBHOOK_URL = ENV.webhook_url
WEBHOOK_SECRET = ENV.webhook_secret
STAFF_CHAT_ID = ENV.staff_chat_id
BOT_DB_THREADS = ENV.bot_db_threads

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": ENV.log_level},
}

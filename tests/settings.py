"""Settings for the test run: the development values, set here rather than taken from the
developer's shell or .env, so every machine runs the suite with the same configuration.

They are put into the environment (not only into Django's settings) because some tests start
the project in a subprocess (``python -m bot``, ``manage.py``) that must see them too. The
database and Redis still come from DATABASE_URL / REDIS_URL: choosing them is the point.
"""

import os

DEVELOPMENT = {
    "DJANGO_DEBUG": "true",
    "DJANGO_SECRET_KEY": "tests-only-key-not-secret-and-never-used-in-production",
    "SALON_ENV_FILE": "",  # a developer's .env is not read
    "LOG_LEVEL": "INFO",
}
# Set in a developer's shell, these would change what the tests see.
NOT_FROM_THE_SHELL = (
    "BOT_TOKEN", "BOT_API_URL", "WEBHOOK_URL", "WEBHOOK_SECRET", "STAFF_CHAT_ID", "SALON_DATA_DIR",
    "DJANGO_ALLOWED_HOSTS", "DJANGO_CSRF_TRUSTED_ORIGINS", "DJANGO_SECURE_PROXY_SSL_HEADER",
    "DJANGO_SECURE_SSL_REDIRECT", "TIME_ZONE",
)  # fmt: skip

for _name in NOT_FROM_THE_SHELL:
    os.environ.pop(_name, None)
os.environ.update(DEVELOPMENT)

from djproject.settings import *  # noqa: E402, F403

# A second project's app built from booking's mixins (tests/thirdparty): installed so that its
# tables exist; its tests point ``BOOKING`` at it, every other test uses the salon's.
INSTALLED_APPS = [*INSTALLED_APPS, "tests.thirdparty.studio"]  # noqa: F405

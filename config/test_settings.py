"""Settings for the test suite: the real settings, with the edges of the system made local."""

import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-used-only-by-the-test-suite")

from config.settings import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tasks run in-process, except in tests that start a real worker: those switch eager mode off, and
# find the broker already configured here (Celery caches its connection pool on first use).
# `make test` runs the suite in several processes (pytest-xdist): each has its own test database
# (pytest-django names it after the process) and its own Redis databases, counted down from 15, so
# that real workers started by one process never take another's tasks.
XDIST_INDEX = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
CELERY_BROKER_URL = os.environ.get("TEST_CELERY_BROKER_URL", f"redis://127.0.0.1:6379/{15 - XDIST_INDEX}")
# Where a test needs a shared Redis cache of its own (tests/workspace/test_kept_counts.py).
TEST_REDIS_CACHE_URL = f"redis://127.0.0.1:6379/{9 - XDIST_INDEX}"
CELERY_TASK_ALWAYS_EAGER = True
HAS_BROKER = False
EMBEDDED_BROKER = False
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
# As before a broker was embedded: tests that want answers processed on arrival say so.
ANALYSE_ON_ARRIVAL = False
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
# Serve static files from their sources, as the development server does; no collectstatic needed.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True

"""Settings for `make bench-web`: the project's own settings as production runs them (DEBUG off),
with only what a load test from one address on this machine needs changed. Each change is listed
in the results (`bench.web.__main__.SETTINGS_NOTES`).
"""

import os

# The project refuses to start without a secret key when DEBUG is off; the benchmark's database
# holds only generated data, so a fixed key is fine here and keeps response links stable.
os.environ.setdefault("SECRET_KEY", "bench-web-only-not-a-secret-0f3c9a7e51d24b8c")

from config.settings import *  # noqa: F403
from config.settings import BASE_DIR

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
ROOT_URLCONF = "bench.web.urls"

# One client address sends every request, so the per-address limit on saving answers (60 a
# minute) would turn most of the load into 429 pages. The decorator still runs and counts, with a
# limit no run reaches, so its cost stays in the measurement.
RESPONSE_RATE_LIMIT = "1000000/m"

# Tasks run in-process (TASKS_IN_PROCESS), as they did by default when the recorded figures were
# measured: the benchmark starts no worker, and the embedded broker's queue would only fill up.
# Processing each response on arrival is a worker's job in production, not the web step this
# benchmark measures: off, as it is with tasks in-process.
CELERY_TASK_ALWAYS_EAGER = True
HAS_BROKER = False
ANALYSE_ON_ARRIVAL = False

# Each process keeps its own cache (the dashboards keep their counts there for a minute), as the
# project does without REDIS_URL; never a Redis named in the environment, which the benchmark's
# cache clearing would empty.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]

# Static files as production serves them (hashed names from a manifest), collected once into the
# benchmark's own folder so the repository's staticfiles/ is left alone. WhiteNoise's compressed
# variant is skipped: it only changes how files are served, which this benchmark does not request.
STATIC_ROOT = BASE_DIR / ".cache" / "bench-web" / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}

# Quiet logs: a line per request on the console would cost more than some of the views measured.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

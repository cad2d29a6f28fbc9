"""Settings for consult, driven entirely by environment variables.

Every variable read here is listed, with its default, in `.env.example` and the README.
The defaults run the demo on one machine: SQLite, tasks in-process, email to the console.
"""

from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

# --- Core -------------------------------------------------------------------------------------

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY to a long random string (or DEBUG=true for local development only)."
        )
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105 (DEBUG only)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
CSRF_FAILURE_VIEW = "consult.views.errors.csrf_failure"
# The public address of the site, used for links in emails sent by workers (no request there).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = env_str("SITE_NAME", "Consult")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "csp",
    "corsheaders",
    "django_ratelimit",
    "consult",
]

MIDDLEWARE = [
    # First, as django-cors-headers asks: before WhiteNoise, CommonMiddleware or anything else that
    # can answer, so their responses get CORS headers too (only on CORS_URLS_REGEX's paths).
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "consult.middleware.GovukAssetsMiddleware",
    "consult.middleware.RefuseNulCharactersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After sessions and before CommonMiddleware, as Django asks: picks the language from /cy/.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # After authentication and messages: the admin asks for two-factor authentication too.
    "consult.middleware.AdminTwoFactorMiddleware",
    # Personal pages are never stored by a cache or kept in history.
    "consult.middleware.NoStoreForPersonalPagesMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
    # Innermost, so that the page it gives passes through the others (CSP, no-store) on its way out.
    "consult.middleware.OwnNotFoundPageMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "consult.context_processors.site",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The web's queries are short; PostgreSQL's JIT compiler spends more time compiling the
    # dashboards' counts than it saves (1.7 s against 0.6 s without it, in bench-web).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded setup has two processes writing, the web server and its worker: write-ahead
    # logging lets pages read while the worker writes, a write transaction takes its lock when it
    # begins (so it waits rather than fails half-way), and a writer waits up to 30 s for the other.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (also holds rate-limit counters) ---------------------------------------------------

REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    # Django's Redis cache, degrading to an empty cache (and rate limits to allowing) while Redis
    # is down rather than failing every request that counts; short timeouts so a dead Redis costs
    # a request half a second at most.
    CACHES = {
        "default": {
            "BACKEND": "consult.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
        }
    }
    # Django's own Redis cache increments atomically; django-ratelimit merely has not listed it.
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # Per-process counters are right for the single-process demo server; production sets REDIS_URL
    # so that every web process shares one count per client address.
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]

# --- Tasks ------------------------------------------------------------------------------------

CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "")
# Without CELERY_BROKER_URL the broker is embedded: kombu's filesystem transport keeps the queues as
# files in BROKER_FOLDER, and `manage.py serve` (`make demo`, `make serve`) starts a real Celery
# worker beside the web server, so the demo behaves as production does: pages answer at once,
# progress moves, answers are processed on arrival. Production sets a Redis broker instead.
EMBEDDED_BROKER = not CELERY_BROKER_URL
BROKER_FOLDER = Path(env_str("BROKER_FOLDER", str(BASE_DIR / ".broker")))
if EMBEDDED_BROKER:
    CELERY_BROKER_URL = "filesystem://localhost//"  # (a host named, or kombu warns of its absence)
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", "") or None
# TASKS_IN_PROCESS=true runs each task inside the process that queues it, once its transaction
# commits: no broker, no worker (one-off scripts; the tests do the same).
CELERY_TASK_ALWAYS_EAGER = env_bool("TASKS_IN_PROCESS", False)
HAS_BROKER = not CELERY_TASK_ALWAYS_EAGER  # tasks go to a broker, and workers do them
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TIMEZONE = "Europe/London"
# Four queues, so that nothing urgent waits behind bulk work: `default` holds emails (receipts,
# resume links, notifications) and recovery; `arrivals` the per-response work (redact, screen,
# place in themes, map) and counting, which a burst of responses fills; `embedding` the answers to
# embed, in batches (after an import, on arrival, before a run), which a worker on a GPU can take
# alone; `analysis` the long runs. Workers that take `default` alone keep receipts flowing during
# any burst.
CELERY_TASK_ROUTES = {
    "consult.tasks.run_analysis": {"queue": "analysis"},
    "consult.tasks.run_piece": {"queue": "analysis"},
    "consult.tasks.map_theme_set": {"queue": "analysis"},
    "consult.tasks.map_chunk": {"queue": "analysis"},
    "consult.tasks.finish_mapping": {"queue": "analysis"},
    "consult.tasks.process_response": {"queue": "arrivals"},
    "consult.tasks.count_analysis": {"queue": "arrivals"},
    "consult.tasks.embed_answers": {"queue": "embedding"},
}
OUTBOX_SWEEP_SECONDS = env_int("OUTBOX_SWEEP_SECONDS", 60)
# How often beat looks for analysis runs whose task message was lost.
ANALYSIS_REQUEUE_SECONDS = env_int("ANALYSIS_REQUEUE_SECONDS", 300)
# Celery beat (`make beat`): every few minutes, send again any run or queued work whose message was lost.
CELERY_BEAT_SCHEDULE = {
    "requeue-lost-analysis-runs": {
        "task": "consult.tasks.requeue_lost_runs",
        "schedule": float(ANALYSIS_REQUEUE_SECONDS),
    },
    # Queued work whose message was lost (consult.services.outbox) is sent again.
    "resend-queued-work": {"task": "consult.tasks.resend_queued_work", "schedule": float(OUTBOX_SWEEP_SECONDS)},
    # Daily, at a quiet hour: purge respondents' personal data once an outcome has been public long enough.
    "purge-personal-data": {"task": "consult.tasks.purge_personal_data", "schedule": crontab(hour=3, minute=30)},
    # Followers' emails: events are looked for every five minutes; the daily digest goes at 7am.
    "send-due-notifications": {"task": "consult.tasks.send_due_notifications", "schedule": 300.0},
    "send-daily-digests": {"task": "consult.tasks.send_daily_digests", "schedule": crontab(hour=7, minute=0)},
}
# The outbox (docs/decisions/0016-transactional-outbox.md): queued work not done this long after
# it was sent is sent again, waiting twice as long each time, at most OUTBOX_MAX_SENDS times;
# work done is forgotten after OUTBOX_KEEP_DAYS.
OUTBOX_RESEND_AFTER_SECONDS = env_int("OUTBOX_RESEND_AFTER_SECONDS", 300)
OUTBOX_MAX_SENDS = env_int("OUTBOX_MAX_SENDS", 10)
OUTBOX_KEEP_DAYS = env_int("OUTBOX_KEEP_DAYS", 7)
OUTBOX_SWEEP_LIMIT = 5000
# With acks_late, a task whose worker dies is handed out again after this many seconds.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600)}
if EMBEDDED_BROKER:
    # One folder of messages read and written by every process on this machine; the control
    # folder carries the worker's broadcasts (ping, inspect). Looked at five times a second.
    CELERY_BROKER_TRANSPORT_OPTIONS |= {
        "data_folder_in": str(BROKER_FOLDER / "messages"),
        "data_folder_out": str(BROKER_FOLDER / "messages"),
        "control_folder": str(BROKER_FOLDER / "control"),
        "polling_interval": 0.2,
    }
    # The folders exist before any process sends or reads (kombu does not make them).
    for _folder in ("messages", "control"):
        (BROKER_FOLDER / _folder).mkdir(parents=True, exist_ok=True)

# --- Analysis ---------------------------------------------------------------------------------

# Any sentence-transformers model name or path; empty means the packaged all-MiniLM-L6-v2.
EMBEDDING_MODEL = env_str("EMBEDDING_MODEL", "")
# Where the model runs: cpu, cuda (or cuda:N), or auto (the GPU where torch sees one). A worker on
# the `embedding` queue of a GPU machine sets cuda; checked at startup (consult/checks.py).
EMBEDDING_DEVICE = env_str("EMBEDDING_DEVICE", "cpu").strip().lower()
# Texts the model encodes at once: 64 suits a small CPU; a GPU wants several hundred.
EMBEDDING_BATCH_SIZE = env_int("EMBEDDING_BATCH_SIZE", 64)
# Answers per task on the `embedding` queue: small enough to spread over workers, large enough
# that a GPU is kept busy between messages.
EMBEDDING_TASK_SIZE = env_int("EMBEDDING_TASK_SIZE", 2000)
# A run waiting for vectors that no worker has moved on this long embeds the rest itself (no
# worker on the `embedding` queue); 0 never waits.
EMBEDDING_WAIT_SECONDS = env_int("EMBEDDING_WAIT_SECONDS", 60)
# A mapping of answers to signed-off themes is split into chunks of about this many answers, each
# mapped by one task on the analysis queue, so that several workers share a large question.
MAPPING_CHUNK_SIZE = env_int("MAPPING_CHUNK_SIZE", 20_000)
# A ceiling on the themes per question: below it the answers decide how many there are.
ANALYSIS_MAX_THEMES = env_int("ANALYSIS_MAX_THEMES", 100)
ANALYSIS_SEED = env_int("ANALYSIS_SEED", 42)
# How often a running analysis tells the database its worker is alive.
ANALYSIS_HEARTBEAT_SECONDS = env_int("ANALYSIS_HEARTBEAT_SECONDS", 15)
# A running analysis whose worker has been silent this long is taken over by the next worker.
ANALYSIS_STALE_SECONDS = env_int("ANALYSIS_STALE_SECONDS", 120)
# Answers in one piece of a run's work (placing them in themes, raising their flags), shared out
# over the analysis workers.
ANALYSIS_CHUNK_SIZE = env_int("ANALYSIS_CHUNK_SIZE", 20_000)
# A run whose pieces are out with the workers may wait this long for one to start (the workers
# busy with other runs) before it is taken for lost and started again.
ANALYSIS_PIECES_STALE_SECONDS = env_int("ANALYSIS_PIECES_STALE_SECONDS", 1800)
# Redact, embed and place each response in the current themes as it arrives. Off by default only
# with tasks in-process: the task would embed answers inside the respondent's web request.
ANALYSE_ON_ARRIVAL = env_bool("ANALYSE_ON_ARRIVAL", not CELERY_TASK_ALWAYS_EAGER)
# Language model (none: offline extractive labels and summaries, marked as not written by AI).
OPENAI_API_KEY = env_str("OPENAI_API_KEY", "")
OPENAI_BASE_URL = env_str("OPENAI_BASE_URL", "")
OPENAI_MODEL = env_str("OPENAI_MODEL", "")
AZURE_OPENAI_ENDPOINT = env_str("AZURE_OPENAI_ENDPOINT", "")
AZURE_OPENAI_API_KEY = env_str("AZURE_OPENAI_API_KEY", "")
AZURE_OPENAI_API_VERSION = env_str("AZURE_OPENAI_API_VERSION", "")
AZURE_OPENAI_DEPLOYMENT = env_str("AZURE_OPENAI_DEPLOYMENT", "")
LLM_TIMEOUT_SECONDS = env_str("LLM_TIMEOUT_SECONDS", "")
LLM_MAX_RETRIES = env_str("LLM_MAX_RETRIES", "")
LLM_PRICE_INPUT_PER_MILLION = env_str("LLM_PRICE_INPUT_PER_MILLION", "")
LLM_PRICE_OUTPUT_PER_MILLION = env_str("LLM_PRICE_OUTPUT_PER_MILLION", "")

# --- Retention --------------------------------------------------------------------------------

# Days after a consultation's outcome is published before respondents' personal data is purged
# (`manage.py purge_personal_data`, run daily by Celery beat); the anonymised answers stay.
RETENTION_DAYS_AFTER_OUTCOME = env_int("RETENTION_DAYS_AFTER_OUTCOME", 365)

# --- Accounts ---------------------------------------------------------------------------------

AUTH_USER_MODEL = "consult.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "consultation_list"
# URL names, not paths, so that a person signing in or out in Welsh stays on the Welsh pages.
LOGOUT_REDIRECT_URL = "consultation_list"
ACCOUNT_ADAPTER = "consult.adapters.AccountAdapter"  # officials land in the workspace
# Two-factor secrets (TOTP keys, recovery-code seeds) are stored encrypted with these Fernet keys,
# newest first (comma-separated, so a key can be rotated); unset, a key derived from SECRET_KEY,
# which `check --deploy` warns about. `manage.py shell -c "from consult.two_factor import new_key;
# print(new_key())"` makes one.
MFA_ADAPTER = "consult.adapters.MFAAdapter"
MFA_ENCRYPTION_KEYS = env_list("MFA_ENCRYPTION_KEYS", [])
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if not DEBUG else "http"
ACCOUNT_RATE_LIMITS = {
    # Per account, tight; per address, loose: officials behind one proxy share an address.
    "login_failed": env_str("LOGIN_FAILED_RATE", "100/10m/ip,5/5m/key"),
}
ACCOUNT_FORMS = {
    name: f"consult.forms.accounts.{cls}"
    for name, cls in [
        ("login", "LoginForm"),
        ("signup", "SignupForm"),
        ("reset_password", "ResetPasswordForm"),
        ("reset_password_from_key", "ResetPasswordKeyForm"),
        ("change_password", "ChangePasswordForm"),
        ("set_password", "SetPasswordForm"),
        ("add_email", "AddEmailForm"),
        ("reauthenticate", "ReauthenticateForm"),
    ]
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = SITE_NAME

# --- Email ------------------------------------------------------------------------------------

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# Where the file-based backend (django.core.mail.backends.filebased.EmailBackend) writes messages.
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(BASE_DIR / "sent-emails"))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "consult <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Responses --------------------------------------------------------------------------------

# Saves of a respondent's answers allowed per client address; beyond it a friendly 429 page.
RESPONSE_RATE_LIMIT = env_str("RESPONSE_RATE_LIMIT", "60/m")
# A response's link opens it while the consultation is open and for this many days after the later
# of its close and the last email that carried a link (docs/decisions/0015).
RESPONSE_LINK_DAYS_AFTER_CLOSE = env_int("RESPONSE_LINK_DAYS_AFTER_CLOSE", 28)
# Behind a proxy, the header holding the client address (for example HTTP_X_REAL_IP).
RATELIMIT_IP_META_KEY = env_str("RATELIMIT_IP_META_KEY", "") or None
RATELIMIT_VIEW = "consult.views.errors.rate_limited"
# With the cache unreachable, a count is unknown: let the request through (consult.cache logs it).
RATELIMIT_FAIL_OPEN = True
# Requests to the open data API and bulk downloads allowed per client address (django-ratelimit).
API_RATE_LIMIT = env_str("API_RATE_LIMIT", "120/m")

# --- Open data: cross-origin reads (docs/decisions/0009) --------------------------------------

# Other websites' browser code may read the open data (the API, the feeds and an outcome's bulk
# downloads): it is public, read-only and the same for everyone, so any origin may, but never with
# credentials (hence "*", which browsers refuse for requests that carry cookies). Nothing else sends
# CORS headers: never a page with a session, a form or the officials' workspace, nor the API's
# reference page (/api/docs), which is one of the site's pages. The middleware answers a
# preflight itself, so it reaches no view and counts against no rate limit.
CORS_URLS_REGEX = (
    r"^/(?:api/(?!docs$)"
    r"|(?:cy/)?feeds/(?:consultations\.atom|outcomes\.atom|closing-dates\.ics)$"
    r"|(?:cy/)?consultations/[-a-zA-Z0-9_]+/outcome/(?:download\.json|themes\.csv|responses\.csv)$)"
)
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]

# --- Internationalisation ---------------------------------------------------------------------

LANGUAGE_CODE = "en-gb"
# The public site, its account pages included, is in English at its plain address and in Welsh
# under /cy/ (config/urls.py); the workspace and the admin stay English (docs/decisions/0011-welsh.md).
LANGUAGES = [("en-gb", "English"), ("cy", "Cymraeg")]
TIME_ZONE = "Europe/London"
USE_I18N = True
# British English wording for the libraries' interface text (locale/en_GB), the Welsh catalogue of
# the public site (locale/cy, which `make messages` extracts from our sources) and Welsh for the
# account pages' strings that django-allauth and Django ship without (locale/allauth/cy, kept
# apart so that extracting ours never drops them).
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale" / "allauth"]
USE_TZ = True

# --- Static files (GOV.UK Frontend comes from npm: see docs/decisions/0002) -------------------

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
GOVUK_FRONTEND_DIR = BASE_DIR / "node_modules" / "govuk-frontend" / "dist" / "govuk"
STATICFILES_DIRS = [BASE_DIR / "static", ("govuk", GOVUK_FRONTEND_DIR)]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Security ---------------------------------------------------------------------------------

SECURE_COOKIES = env_bool("SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
# A year of HSTS in production (sent only on HTTPS responses); none in development.
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
# No page uses the browser's sensors, devices or payment features: none may.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "ambient-light-sensor",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "sync-xhr",
        "usb",
        "xr-spatial-tracking",
    )
}
# Officials' sessions end after this many hours (citizens keep Django's two weeks, which keeps their
# drafts within reach); signing in again asks for the second factor again.
OFFICIAL_SESSION_HOURS = env_int("OFFICIAL_SESSION_HOURS", 8)
SECURE_CONTENT_TYPE_NOSNIFF = True
# Response links carry a capability token in their path: never send it to another site.
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "object-src": [NONE],
        "base-uri": [SELF],
    }
}

# --- Logging ----------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Response links, invitation and unsubscribe keys and references never reach the logs.
    "filters": {"scrub_secrets": {"()": "config.log_scrubbing.ScrubSecretsFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["scrub_secrets"]}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

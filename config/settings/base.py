"""Settings shared by every environment; each value an operator may change comes from the environment."""

import json
from datetime import timedelta
from pathlib import Path

import environ
from corsheaders.defaults import default_headers
from environ.fileaware_mapping import FileAwareMapping
from kombu import Exchange, Queue

from apps.common.rates import rate_overrides

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"


class _SecretFiles(FileAwareMapping):
    """Every variable NAME may instead be read from the file NAME_FILE names (Docker/Kubernetes secrets), with
    the file's trailing newline dropped."""

    def __getitem__(self, key):
        value = super().__getitem__(key)
        return value.rstrip("\r\n") if self.env.get(key + "_FILE") else value


class _Env(environ.Env):
    ENVIRON = _SecretFiles()


env = _Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="insecure-dev-key-only-for-local-development-do-not-deploy")
# Previous keys, still accepted for signatures and emailed links while a rotation settles (docs/DEPLOY.md).
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])

# Number of reverse proxies in front of the app that append to X-Forwarded-For. 0 ignores the header.
NUM_TRUSTED_PROXIES = env.int("NUM_TRUSTED_PROXIES", default=0)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt",
    "rest_framework_simplejwt.token_blacklist",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "apps.common",
    "apps.audit",
    "apps.users",
    "apps.households",
    "apps.notifications",
    "apps.bills",
    "apps.goals",
    "apps.reports",
]

MIDDLEWARE = [
    # Outermost: every request gets an id and one log line, whatever answers it.
    "apps.common.middleware.RequestLogMiddleware",
    # Health probes come from load balancers and Docker by IP address and over plain HTTP: answer them before
    # the host check and the HTTPS redirect.
    "apps.common.middleware.HealthProbeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Serves collected static files (admin, API docs) from the app itself: no separate web server needed.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Before CommonMiddleware's APPEND_SLASH: /api/... without the slash is served, never redirected.
    "apps.common.middleware.ApiTrailingSlashMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'kinwise.sqlite3'}"),
}
# Off on purpose: services open their own transactions, and some commit a row (a failure's audit row, a
# revocation) before raising the error that answers the request (docs/TRANSACTIONS.md).
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the worker read while the web process writes; the timeout rides out short write locks.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE"}
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "users.User"

REDIS_URL = env("REDIS_URL", default="")
# `sessions` holds the revoked-session markers that access tokens are checked against
# (apps/users/auth/revocation.py); it must be shared by every web process.
if REDIS_URL:
    _redis_cache = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
    CACHES = {"default": _redis_cache, "sessions": {**_redis_cache, "KEY_PREFIX": "sessions"}}
else:
    # A file cache is shared by every local process, so rate limits hold across web workers.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        },
        # Its own folder, emptied whole when full (CULL_FREQUENCY 0) rather than losing random markers: the
        # lost sentinel then makes the next check republish the markers from the database.
        "sessions": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache-sessions"),
            "OPTIONS": {"MAX_ENTRIES": 50_000, "CULL_FREQUENCY": 0},
        },
    }

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "apps.users.validators.CharacterClassValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Where collectstatic puts files and WhiteNoise serves them from (the image collects them at build time).
STATIC_ROOT = env("STATIC_ROOT", default=str(VAR_DIR / "static"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# The web app (web/): `make run` / `make test` bundle it into var/web/assets/, served at /assets/.
WEB_BUILD_DIR = VAR_DIR / "web"
WEB_BUILD_DIR.mkdir(parents=True, exist_ok=True)
WHITENOISE_ROOT = str(WEB_BUILD_DIR)

# Request size limits: bodies over this get 413, never a 500.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=256 * 1024)

# A failed CSRF check (only plain Django views: the API authenticates by bearer token) answers JSON.
CSRF_FAILURE_VIEW = "apps.common.views.json_forbidden"
# The web app's address: by default the one `make run` serves (web/, at the root of this server).
FRONTEND_URL = env("FRONTEND_URL", default="http://127.0.0.1:8000").rstrip("/")
# The web app's page for each emailed link (FRONTEND_URL + path + "?token=..."); docs/INTEGRATING.md.
FRONTEND_PATHS = {
    "verify_email": env("FRONTEND_VERIFY_EMAIL_PATH", default="/verify-email"),
    "reset_password": env("FRONTEND_RESET_PASSWORD_PATH", default="/reset-password"),
    "confirm_email_change": env("FRONTEND_EMAIL_CHANGE_PATH", default="/confirm-email-change"),
    "cancel_email_change": env("FRONTEND_EMAIL_CHANGE_CANCEL_PATH", default="/cancel-email-change"),
    "accept_invite": env("FRONTEND_INVITE_PATH", default="/invites/accept"),
    "login": env("FRONTEND_LOGIN_PATH", default="/login"),
}
CORS_ALLOWED_ORIGINS = sorted({FRONTEND_URL, *env.list("CORS_ALLOWED_ORIGINS", default=[])})
# Browser code may read these response headers (rate limits, the request id to quote, the CSV's file name)
# and send X-Request-ID with its requests. Auth is a bearer token, never a cookie: no credentials mode.
CORS_EXPOSE_HEADERS = ["Retry-After", "X-Request-ID", "Content-Disposition", "Location"]
CORS_ALLOW_HEADERS = [*default_headers, "x-request-id"]

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["apps.users.auth.authentication.SessionJWTAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["apps.common.parsers.SafeJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "apps.common.schema.KinwiseAutoSchema",
    "EXCEPTION_HANDLER": "apps.common.exception_handler.api_exception_handler",
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "apps.common.problems.ProblemAwareNegotiation",
    # No OPTIONS metadata (it is no contract of ours, and failed on views without a serializer_class):
    # OPTIONS answers 405; CORS preflights are answered by django-cors-headers before any view.
    "DEFAULT_METADATA_CLASS": None,
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "NUM_PROXIES": NUM_TRUSTED_PROXIES,
}

# Rate limits, in the plan's notation ("3/h", "3/10m"). Read at request time, so tests and the benchmark
# settings can change them without touching code. RATE_LIMITS in the environment overrides some of them
# ("register_ip=100/h,otp_request_ip=30/10m"); production refuses looser values than these unless
# RATE_LIMITS_ALLOW_LOOSER is on (config/settings/production.py).
RATE_LIMIT_DEFAULTS = {
    "login_ip": "20/10m",
    "login_email": "10/10m",
    "token_refresh_ip": "60/m",
    "password_change_ip": "10/h",
    "household_invite_user": "30/h",
    "invite_accept_user": "20/10m",
    "report_request_user": "30/h",
    "register_ip": "3/h",
    "verify_email_ip": "30/10m",
    "verify_email_email": "10/h",
    "resend_verification_ip": "10/h",
    "resend_verification_email": "3/h",
    "otp_request_ip": "3/10m",
    "otp_request_email": "3/10m",
    "otp_verify_ip": "5/10m",
    "otp_verify_email": "5/10m",
    "mfa_verify_ip": "10/10m",
    "mfa_manage_user": "20/10m",
    "reauthenticate_user": "10/10m",
    "reauthentication_code_user": "3/10m",
    "password_reset_ip": "10/h",
    "password_reset_email": "3/h",
    "password_reset_confirm_ip": "20/10m",
    "password_reset_confirm_email": "10/10m",
    "email_change_user": "5/h",
    "email_change_confirm_ip": "20/10m",
    "email_change_cancel_ip": "20/10m",
    "account_delete_user": "5/h",
    "admin_login_ip": "20/10m",
    "admin_login_account": "10/10m",
}
RATE_LIMITS_FROM_ENV = env.dict("RATE_LIMITS", default={})
RATE_LIMITS_ALLOW_LOOSER = env.bool("RATE_LIMITS_ALLOW_LOOSER", default=False)
RATE_LIMITS = rate_overrides(
    RATE_LIMIT_DEFAULTS, RATE_LIMITS_FROM_ENV, allow_looser=True
)  # ValueError if bad

# Off (the plan's behaviour): registering a taken address answers 400 on `email`. On: it answers the same 201
# as a new registration and the address's owner gets an "someone tried to sign up" email instead.
ACCOUNT_PREVENT_ENUMERATION = env.bool("ACCOUNT_PREVENT_ENUMERATION", default=False)

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=5)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=1)),
    "ROTATE_REFRESH_TOKENS": True,
    # Rotation is ours (apps/users/auth/services/sessions.py): a rotated-out token no longer matches its
    # session's current jti and is refused by it; simplejwt's blacklist records revoked sessions' tokens only.
    "BLACKLIST_AFTER_ROTATION": False,
    "UPDATE_LAST_LOGIN": False,
    "SIGNING_KEY": env("JWT_SIGNING_KEY", default=SECRET_KEY),
    "AUTH_HEADER_TYPES": ("Bearer",),
}

SPECTACULAR_SETTINGS = {
    "TITLE": "KinWise API",
    "DESCRIPTION": "Household finance: accounts, households, bills, goals, notifications.",
    "VERSION": "2.8.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "PATH_CONVERTER_OVERRIDES": {"id": int},
    "ENUM_NAME_OVERRIDES": {
        "UserRoleEnum": "apps.users.models.User.Role",
        "HouseholdRoleEnum": "apps.households.models.Role",
        "InviteRoleEnum": "apps.households.models.INVITE_ROLE_CHOICES",
        "NotificationKindEnum": "apps.notifications.models.NotificationKind",
        "ReportKindEnum": "apps.reports.models.ReportKind",
        "ReportStatusEnum": "apps.reports.models.ReportStatus",
        "ReauthenticationMethodEnum": "apps.users.auth.permissions.METHODS",
        "ReauthenticationRequiredCodeEnum": "apps.users.auth.permissions.REQUIRED_CODE",
    },
    # Swagger UI's JS and CSS are served from our own static files, not a CDN.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "apps.common.schema_hooks.postprocess",
    ],
    "TAGS": [
        {
            "name": "auth",
            "description": "Registration, email verification, login (password or emailed code, "
            "then MFA if on), tokens, your account. docs/INTEGRATING.md has the login state machine.",
        },
        {"name": "mfa", "description": "TOTP second factor: enrol, confirm, disable, recovery codes."},
        {"name": "sessions", "description": "Your signed-in devices: list, revoke one, revoke all others."},
        {"name": "households", "description": "Households, their members and roles, emailed invitations."},
        {"name": "bills", "description": "A household's bills, recurring or one-off, and their payments."},
        {"name": "goals", "description": "A household's savings goals and contributions."},
        {"name": "notifications", "description": "In-app notifications and per-kind delivery preferences."},
        {"name": "reports", "description": "CSV reports built in the background, then downloaded."},
    ],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

EMAIL_HOST = env("EMAIL_HOST", default="")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="KinWise <noreply@kinwise.app>")
# Default: SMTP when EMAIL_HOST is set, else files under var/mail/. An HTTP email API through django-anymail:
# EMAIL_BACKEND=anymail.backends.postmark.EmailBackend with its settings in ANYMAIL (JSON, docs/DEPLOY.md).
EMAIL_BACKEND = env("EMAIL_BACKEND", default="") or (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.filebased.EmailBackend"
)
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
ANYMAIL = json.loads(env("ANYMAIL", default="") or "{}")

LOG_LEVEL = env("LOG_LEVEL", default="INFO")
# "plain" (human-readable) or "json" (one JSON object per line). Production defaults to json.
LOG_FORMAT = env("LOG_FORMAT", default="plain")


def logging_config(log_format: str, level: str) -> dict:
    """Everything goes to stdout, stamped with the request id or the task id/name (apps.common.logging).

    Web processes and Celery workers share this (config/celery.py hands Celery's logging to it).
    """
    formatters = {
        "plain": {
            "()": "apps.common.logging.PlainFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        },
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(levelname)s %(name)s %(message)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": "time",
        },
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": "apps.common.logging.ContextFilter"}},
        "formatters": {log_format: formatters[log_format]},
        "handlers": {
            "stdout": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": log_format,
                "filters": ["context"],
            }
        },
        "root": {"handlers": ["stdout"], "level": level},
        # django.request would log every 4xx a second time (RequestLogMiddleware has its line); 5xx stay, with
        # their traceback.
        "loggers": {"django.server": {"level": "WARNING"}, "django.request": {"level": "ERROR"}},
    }


LOGGING = logging_config(LOG_FORMAT, LOG_LEVEL)

# ---------------------------------------------------------------------------------------------------------
# Operations: error reporting and metrics (docs/DEPLOY.md#monitoring).
# Sentry is on only with a DSN; events are scrubbed of codes, tokens, passwords, cookies (apps.common.sentry).
SENTRY_DSN = env("SENTRY_DSN", default="")
SENTRY_ENVIRONMENT = env("SENTRY_ENVIRONMENT", default="production")
SENTRY_TRACES_SAMPLE_RATE = env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0)
# Bearer token a Prometheus scraper sends to /metrics; empty = /metrics answers 404.
METRICS_TOKEN = env("METRICS_TOKEN", default="")
# The Celery worker's own metrics endpoint (no token: bind it to an internal address only). Empty = off.
CELERY_METRICS_PORT = env.int("CELERY_METRICS_PORT", default=0)
CELERY_METRICS_ADDRESS = env("CELERY_METRICS_ADDRESS", default="127.0.0.1")
# The admin's address (keep it unguessable if you like, it is also rate limited), and whether staff must have
# TOTP MFA on to sign in there.
DJANGO_ADMIN_URL = env("DJANGO_ADMIN_URL", default="admin/")
ADMIN_MFA_REQUIRED = env.bool("ADMIN_MFA_REQUIRED", default=False)

if SENTRY_DSN:
    from apps.common.sentry import sentry_init

    sentry_init(dsn=SENTRY_DSN, environment=SENTRY_ENVIRONMENT, traces_sample_rate=SENTRY_TRACES_SAMPLE_RATE)

# Households: how long an emailed invitation stays valid.
HOUSEHOLD_INVITE_TTL_DAYS = env.int("HOUSEHOLD_INVITE_TTL_DAYS", default=7)
# Daily jobs: rows per chunk (one chunk runs inline; more fan out as one task per chunk). See docs/SCALING.md.
BILL_REMINDER_CHUNK_SIZE = env.int("BILL_REMINDER_CHUNK_SIZE", default=500)
GOAL_MILESTONE_CHUNK_SIZE = env.int("GOAL_MILESTONE_CHUNK_SIZE", default=500)
# Reports: longest period one report may cover, and the most CSV rows before it fails as too large.
REPORT_MAX_DAYS = env.int("REPORT_MAX_DAYS", default=1830)
REPORT_MAX_ROWS = env.int("REPORT_MAX_ROWS", default=100_000)

# ---------------------------------------------------------------------------------------------------------
# Celery. Reasons for each reliability choice: docs/TASKS.md.
INSTALLED_APPS += ["django_celery_beat", "django_celery_results", "apps.emails", "apps.ops"]

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="") or REDIS_URL or "filesystem://localhost/"
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default="") or "django-db"
# Seconds a message a worker took but never acknowledged stays invisible before Redis hands it out again.
# Longer than any countdown/ETA we use (email retries top out at EMAIL_OUTBOX_RETRY_MAX_SECONDS), so a
# reserved message is redelivered only when its worker really died.
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=2 * 3600)
# Folder of the embedded file broker (kombu's filesystem transport), used when no broker URL is set.
BROKER_DIR = Path(env("CELERY_BROKER_DIR", default=str(VAR_DIR / "broker")))
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        # broadcast/pidbox exchanges: kombu would otherwise create ./control in the working directory
        "control_folder": str(BROKER_DIR / "control"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "store_processed": False,
        # How often an idle worker looks for new files; also how soon it notices a shutdown (make run's
        # Ctrl-C), kombu's default of 1 s made it miss honcho's 5 s before SIGKILL.
        "polling_interval": 0.2,
    }
    for _folder in ("queue", "processed", "control"):
        (BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
        "socket_connect_timeout": 1,
        "socket_timeout": 3,
        # Publishing tries the broker once: a request never waits on a dead broker, the outbox sweeper
        # enqueues later. (The worker's consumer reconnects on its own schedule, see below.)
        "max_retries": 0,
    }
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A worker waits for a lost broker for as long as it takes instead of exiting after 100 attempts.
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# Publishing must not hang a web request when the broker is down: the outbox sweeper re-enqueues later.
CELERY_TASK_PUBLISH_RETRY = False
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
# Results keep status and return value only; task arguments and kwargs are not copied into the result row.
CELERY_RESULT_EXTENDED = False
CELERY_RESULT_EXPIRES = 3600
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TRACK_STARTED = True
# Task events (as `worker -E`), so Flower and `celery events` see tasks start, succeed and fail; except email
# deliveries (apps.emails.tasks.deliver_email: the outbox row is their record). No "task-sent" event: it was
# one more publish in every request that queues a task, and Flower shows a task from its "received" event.
CELERY_WORKER_SEND_TASK_EVENTS = True
CELERY_TASK_SEND_SENT_EVENT = False
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# A task that is running when the broker connection drops finishes (our tasks are idempotent); its
# redelivered copy is then a no-op. Cancelling it instead could cut an SMTP exchange in half.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_MAX_TASKS_PER_CHILD = 1000
# Celery's Django fixup closes every database connection before and after each task, whatever CONN_MAX_AGE
# says, unless this count is set: then it closes them only every DB_REUSE_MAX tasks. As high as a child's
# life, so the fixup never closes; config/celery.py instead applies CONN_MAX_AGE and CONN_HEALTH_CHECKS
# around each task as Django does around each request (docs/TASKS.md, "Database connections").
CELERY_DB_REUSE_MAX = CELERY_WORKER_MAX_TASKS_PER_CHILD
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = {
    "apps.users.tasks.*": {"queue": "users"},
    "apps.notifications.tasks.*": {"queue": "notifications"},
    "apps.bills.tasks.*": {"queue": "bills"},
    "apps.goals.tasks.*": {"queue": "goals"},
    "apps.emails.tasks.*": {"queue": "emails"},
    "apps.reports.tasks.*": {"queue": "reports"},
}
# Declared so that a bare `celery -A config worker` consumes every routed queue, not only the default one.
# Each queue gets its own exchange and routing key, so bindings are unambiguous on any broker (by default
# every declared queue would be bound to exchange "celery" with key "celery").
CELERY_TASK_QUEUES = [
    Queue(name, Exchange(name, type="direct"), routing_key=name)
    for name in ("celery", *sorted({route["queue"] for route in CELERY_TASK_ROUTES.values()}))
]

# Email outbox (apps.emails). Delivery attempts before a row is marked failed.
EMAIL_OUTBOX_MAX_ATTEMPTS = env.int("EMAIL_OUTBOX_MAX_ATTEMPTS", default=8)
# Retry n waits between half and all of min(BASE * 2**(n-1), MAX) seconds (exponential, jittered).
EMAIL_OUTBOX_RETRY_BASE_SECONDS = env.float("EMAIL_OUTBOX_RETRY_BASE_SECONDS", default=30)
EMAIL_OUTBOX_RETRY_MAX_SECONDS = env.float("EMAIL_OUTBOX_RETRY_MAX_SECONDS", default=3600)
# How long a pending row may be overdue before the sweeper re-enqueues it (a broker that was down at commit
# time, a lost message), and how often beat runs the sweeper.
EMAIL_OUTBOX_GRACE_SECONDS = env.int("EMAIL_OUTBOX_GRACE_SECONDS", default=60)
EMAIL_OUTBOX_SWEEP_SECONDS = env.int("EMAIL_OUTBOX_SWEEP_SECONDS", default=60)
# A row left "sending" this long is taken to belong to a dead worker and is offered again. Must exceed the
# delivery task's hard time limit (EMAIL_DELIVERY_TIME_LIMIT), so a live delivery is never duplicated.
EMAIL_DELIVERY_TIME_LIMIT = env.int("EMAIL_DELIVERY_TIME_LIMIT", default=120)
EMAIL_OUTBOX_STALE_SECONDS = env.int("EMAIL_OUTBOX_STALE_SECONDS", default=300)
# Sent and failed rows are deleted after this many days.
EMAIL_OUTBOX_RETENTION_DAYS = env.int("EMAIL_OUTBOX_RETENTION_DAYS", default=30)
# Keys that encrypt secret email context (codes, tokens) at rest, comma-separated: the first encrypts, all
# decrypt (rotation: docs/DEPLOY.md). Default: derived from SECRET_KEY and SECRET_KEY_FALLBACKS.
EMAIL_CONTEXT_KEY = env.list("EMAIL_CONTEXT_KEY", default=[])

# ---------------------------------------------------------------------------------------------------------
# Email OTP login and TOTP MFA. The numbers and the guessing bound they give: docs/SECURITY.md.
OTP_CODE_TTL_SECONDS = 600
OTP_MAX_ATTEMPTS = 5  # wrong tries that kill one code
# Wrong codes per account per AUTH_FAILURE_WINDOW_HOURS before OTP login pauses for that account.
OTP_FAILURE_BUDGET = env.int("OTP_FAILURE_BUDGET", default=45)
# Wrong TOTP codes per account per window before TOTP verification pauses (recovery codes still work).
MFA_FAILURE_BUDGET = env.int("MFA_FAILURE_BUDGET", default=10)
# Wrong email-change codes (either address) and wrong current passwords (password change, email change) per
# account per window before that step pauses for the account.
EMAIL_CHANGE_FAILURE_BUDGET = env.int("EMAIL_CHANGE_FAILURE_BUDGET", default=10)
PASSWORD_FAILURE_BUDGET = env.int("PASSWORD_FAILURE_BUDGET", default=10)
# Wrong email-verification codes per account per window, across its verifications; the link still works.
EMAIL_VERIFICATION_FAILURE_BUDGET = env.int("EMAIL_VERIFICATION_FAILURE_BUDGET", default=15)
AUTH_FAILURE_WINDOW_HOURS = 24
# On (default): an email change applies only once BOTH the new and the current address confirm ("secure email
# change"). Off: the new address alone confirms; the current one is still told, with a link that cancels.
EMAIL_CHANGE_CONFIRM_OLD_ADDRESS = env.bool("EMAIL_CHANGE_CONFIRM_OLD_ADDRESS", default=True)
MFA_CHALLENGE_TTL_SECONDS = 300
MFA_CHALLENGE_MAX_ATTEMPTS = 5
MFA_RECOVERY_CODES = 10
# How long a proof of identity given on a login session (its login, or a reauthentication) lets that session
# make sensitive changes: MFA, recovery codes, email change, signing out other sessions, account deletion.
REAUTHENTICATION_MINUTES = env.int("REAUTHENTICATION_MINUTES", default=5)
MFA_ISSUER = env("MFA_ISSUER", default="KinWise")
# Keys that encrypt TOTP seeds at rest, comma-separated: the first encrypts, all decrypt. Default: derived
# from SECRET_KEY and SECRET_KEY_FALLBACKS.
MFA_ENCRYPTION_KEY = env.list("MFA_ENCRYPTION_KEY", default=[])

"""The one settings module, driven by environment variables (README: "Configuration").

Two ways to run, one code base:
- embedded (default): SQLite in DATA_DIR, local files, in-memory channel layer, local-memory
  cache and a Celery worker inside the web process, fed through a broker folder on disk;
- production (DJANGO_ENV=production, REDIS_URL and DATABASE_URL set): PostgreSQL, Redis as
  Celery broker, channel layer and cache, S3-compatible storage, separate workers.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from config.env import (
    env_bool,
    env_database,
    env_decimal,
    env_int,
    env_list,
    env_networks,
    env_optional,
    env_str,
    env_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent
DJANGO_ENV = env_str("DJANGO_ENV", "development", choices=("development", "production", "test"))
PRODUCTION = DJANGO_ENV == "production"
DATA_DIR = Path(env_str("DATA_DIR", str(BASE_DIR / "var"))).resolve()
VERSION = "0.1.0"


def _embedded_secret_key() -> str:
    """Generate the secret key once and keep it in the data directory."""
    key_file = DATA_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(64)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


SECRET_KEY = env_optional("SECRET_KEY") or (
    env_str("SECRET_KEY") if PRODUCTION else _embedded_secret_key()
)
if PRODUCTION and len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("Environment variable SECRET_KEY must be at least 50 characters.")

DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", () if PRODUCTION else ("localhost", "127.0.0.1", "[::1]"))
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Environment variable ALLOWED_HOSTS is required in production.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# The address that links in e-mails point at (password reset, invitations).
PUBLIC_BASE_URL = env_str(
    "PUBLIC_BASE_URL", f"http://127.0.0.1:{env_int('PORT', 8000, minimum=1)}"
).rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "channels",
    "axes",
    "django_guid",
    "accounts",
    "catalog",
    "scenes",
    "jobs",
    "moderation",
    "media_pipeline",
    "projects",
    "studio",
    "assets",
    "web",
    "ops",
    "chat",
]

MIDDLEWARE = [
    "django_guid.middleware.guid_middleware",
    # Times and records every API request (GET /logs, GET /metrics, Prometheus).
    "ops.middleware.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "config.files.RequestBaseMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "djangorestframework_camel_case.middleware.CamelCaseMiddleWare",
    "accounts.middleware.RateLimitMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"
APPEND_SLASH = False

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
                "web.context.navigation",
            ],
        },
    },
]

# --- Database ------------------------------------------------------------------------------
DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{DATA_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the embedded worker thread write while requests read.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # Tests use a file too, so that they see the locking the embedded mode really has.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test-db.sqlite3")}
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache, channel layer, Celery broker --------------------------------------------
REDIS_URL = env_url("REDIS_URL", schemes=("redis", "rediss"))
CACHE_KEY_PREFIX = env_str("CACHE_KEY_PREFIX", "sp")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "config.channel_layers.RedisChannelLayer",
            "CONFIG": {
                # A read timeout above channels_redis's 5 s blocking pop: at redis-py's default
                # (5 s) an idle receive raised TimeoutError and dropped its consumer. The layer
                # class makes a cancelled receive end (config/channel_layers.py), so a longer
                # timeout holds no shutdown. The pool is large enough for a mass disconnect.
                "hosts": [{"address": REDIS_URL, "socket_timeout": 10, "max_connections": 2000}],
                "prefix": f"{CACHE_KEY_PREFIX}:asgi",
                # One hub channel per process carries every event of every group it follows.
                "capacity": 1000,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels.layers.InMemoryChannelLayer", "CONFIG": {"capacity": 1000}}
    }

# --- Celery --------------------------------------------------------------------------------
# Without Redis the broker is a folder on disk, so that tasks sent from `manage.py` commands
# reach the worker that runs inside the web process (see config/worker.py).
EMBEDDED_WORKER = env_bool("EMBEDDED_WORKER", REDIS_URL is None)
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL or "filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = DATA_DIR / "broker"
    (_broker_dir / "control").mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
# The folder transport has no broadcast exchange, so the embedded worker takes no remote control.
CELERY_WORKER_ENABLE_REMOTE_CONTROL = not CELERY_BROKER_URL.startswith("filesystem://")
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_DEFAULT_QUEUE = "cpu"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Task events for the Celery monitor (Flower, docker-compose.yml); they need a broadcast
# exchange, which the folder broker of embedded mode does not have.
CELERY_WORKER_SEND_TASK_EVENTS = env_bool(
    "CELERY_WORKER_SEND_TASK_EVENTS", CELERY_BROKER_URL.startswith("redis")
)
CELERY_TASK_SEND_SENT_EVENT = CELERY_WORKER_SEND_TASK_EVENTS
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Long GPU tasks must survive their workers: a task is acknowledged only when it is done, goes
# back to the queue when its worker dies, and each worker takes one task at a time.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Recycling a child costs a second or more (a fresh Django): often enough to contain leaks.
CELERY_WORKER_MAX_TASKS_PER_CHILD = env_int("CELERY_WORKER_MAX_TASKS_PER_CHILD", 500, minimum=1)
CELERY_TASK_TIME_LIMIT = env_int("JOB_MAX_RUNTIME_SECONDS", 4 * 3600, minimum=60) + 60
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 60
if REDIS_URL and CELERY_BROKER_URL.startswith("redis"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # Longer than the longest job, or a running job's message is handed out twice.
        "visibility_timeout": env_int(
            "CELERY_VISIBILITY_TIMEOUT", 2 * CELERY_TASK_TIME_LIMIT, minimum=10
        ),
        "queue_order_strategy": "priority",
        "priority_steps": [0, 1, 2, 3],
    }
CELERY_BEAT_SCHEDULE = {
    "sweep-jobs": {
        "task": "jobs.tasks.sweep_jobs_task",
        "schedule": env_int("JOB_SWEEP_SECONDS", 30, minimum=1),
    },
    # Idea views are buffered in the cache and written to the database this often.
    # API requests and logged warnings wait in the cache; this writes them to the log store.
    "flush-ops-logs": {
        "task": "ops.tasks.flush_logs_task",
        "schedule": env_int("OPS_LOG_FLUSH_SECONDS", 5, minimum=1),
    },
    "prune-logs": {
        "task": "ops.tasks.prune_logs_task",
        "schedule": env_int("OPS_LOG_PRUNE_SECONDS", 3600, minimum=60),
    },
    "flush-catalog-views": {
        "task": "catalog.tasks.flush_views_task",
        "schedule": env_int("CATALOG_VIEW_FLUSH_SECONDS", 15, minimum=1),
    },
}
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")

# --- Jobs ----------------------------------------------------------------------------------
JOB_WORKDIR = Path(env_str("JOB_WORKDIR", str(DATA_DIR / "jobs")))
# A running job's worker beats every JOB_HEARTBEAT_SECONDS; after JOB_LEASE_SECONDS without a
# beat the sweep requeues the job (at most JOB_MAX_ATTEMPTS runs in all, then it fails).
JOB_HEARTBEAT_SECONDS = env_int("JOB_HEARTBEAT_SECONDS", 10, minimum=1)
JOB_LEASE_SECONDS = env_int("JOB_LEASE_SECONDS", 60, minimum=2)
JOB_MAX_ATTEMPTS = env_int("JOB_MAX_ATTEMPTS", 3, minimum=1)
JOB_RESEND_AFTER_SECONDS = env_int("JOB_RESEND_AFTER_SECONDS", 600, minimum=10)
JOB_CANCEL_CHECK_INTERVAL = 0.25  # seconds between cancellation checks inside a stage
JOB_PROGRESS_EVENT_INTERVAL = 0.2  # progress events are coalesced to at most 5 a second
JOB_COST_LIMIT_PER_JOB = env_decimal("JOB_COST_LIMIT_PER_JOB", "100", minimum=Decimal(0))
JOB_COST_LIMIT_PER_DAY = env_decimal("JOB_COST_LIMIT_PER_DAY", "500", minimum=Decimal(0))

# --- Media pipeline ------------------------------------------------------------------------
# The video backend per job type: `animatic` (CPU, the embedded default) or `diffusers` (GPU
# workers). MEDIA_VIDEO_BACKEND is the default; MEDIA_BACKENDS overrides it per job type, as
# comma-separated `job_type=backend` pairs, e.g. `scene_continuation=diffusers`.
MEDIA_VIDEO_BACKEND = env_str("MEDIA_VIDEO_BACKEND", "animatic", choices=("animatic", "diffusers"))
# Still images (keyframes, POST /ai/image): `animatic` draws a storyboard frame on the CPU,
# `diffusers` runs the text-to-image model on a GPU worker.
MEDIA_IMAGE_BACKEND = env_str("MEDIA_IMAGE_BACKEND", "animatic", choices=("animatic", "diffusers"))
MEDIA_BACKENDS = dict(pair.split("=", 1) for pair in env_list("MEDIA_BACKENDS") if "=" in pair)
MEDIA_LIMITS = {
    "max_shots": env_int("MEDIA_MAX_SHOTS", 48, minimum=1),
    "max_prompt_chars": 2000,
    "max_shot_seconds": env_int("MEDIA_MAX_SHOT_SECONDS", 30, minimum=1),
    "max_seconds": env_int("MEDIA_MAX_SECONDS", 600, minimum=1),
    "min_side": 128,
    "max_width": 1920,
    "max_height": 1920,
}
# --- Scenes (StoryForge) -------------------------------------------------------------------
# How a scene's segments are rendered (tests shrink it), and the longest text one takes.
SCENE_RENDER = {
    "width": env_int("SCENE_RENDER_WIDTH", 1280, minimum=128, maximum=1920),
    "height": env_int("SCENE_RENDER_HEIGHT", 720, minimum=128, maximum=1920),
    # The media pipeline renders 8 to 60 frames a second: a value outside fails at start-up,
    # not every scene job at render time.
    "fps": env_int("SCENE_RENDER_FPS", 24, minimum=8, maximum=60),
}
SCENE_MAX_TEXT_CHARS = env_int("SCENE_MAX_TEXT_CHARS", 5000, minimum=100)
# diffusers on GPU workers: a Hugging Face model id or a local path for each task. The video
# pipeline class (ltx, cogvideox, wan) and the image one (sd, sdxl, flux) are read from the
# model's model_index.json when not given.
DIFFUSERS_VIDEO_MODEL = env_str("DIFFUSERS_VIDEO_MODEL", "Lightricks/LTX-Video")
DIFFUSERS_VIDEO_PIPELINE = env_str(
    "DIFFUSERS_VIDEO_PIPELINE", "", choices=("", "ltx", "cogvideox", "wan")
)
DIFFUSERS_VIDEO_REVISION = env_str("DIFFUSERS_VIDEO_REVISION", "")
DIFFUSERS_IMAGE_MODEL = env_str("DIFFUSERS_IMAGE_MODEL", "stabilityai/stable-diffusion-xl-base-1.0")
DIFFUSERS_IMAGE_PIPELINE = env_str(
    "DIFFUSERS_IMAGE_PIPELINE", "", choices=("", "sd", "sdxl", "flux")
)
DIFFUSERS_IMAGE_REVISION = env_str("DIFFUSERS_IMAGE_REVISION", "")
DIFFUSERS_DEVICE = env_str("DIFFUSERS_DEVICE", "auto")  # auto: cuda when available
DIFFUSERS_DTYPE = env_str("DIFFUSERS_DTYPE", "bfloat16", choices=("bfloat16", "float16", "float32"))
DIFFUSERS_CPU_OFFLOAD = env_bool("DIFFUSERS_CPU_OFFLOAD", False)
DIFFUSERS_VAE_TILING = env_bool("DIFFUSERS_VAE_TILING", True)
DIFFUSERS_COMPILE = env_bool("DIFFUSERS_COMPILE", False)
DIFFUSERS_STEPS = env_int("DIFFUSERS_STEPS", 30, minimum=1)
DIFFUSERS_LOCAL_FILES_ONLY = env_bool("DIFFUSERS_LOCAL_FILES_ONLY", False)
# Narration: espeak-ng when it is installed, a Piper voice model (.onnx) when a path is given.
TTS_ENGINE = env_str("TTS_ENGINE", "auto", choices=("auto", "espeak", "piper", "none"))
PIPER_MODEL = env_str("PIPER_MODEL", "")
# Text generation: a local rule-based writer, or any OpenAI-compatible server.
LLM_BASE_URL = env_optional("LLM_BASE_URL")
LLM_MODEL = env_str("LLM_MODEL", "default")
LLM_API_KEY = env_str("LLM_API_KEY", "")
LLM_TIMEOUT_SECONDS = env_int("LLM_TIMEOUT_SECONDS", 60, minimum=1)
# Transcription for POST /ai/audio: a local faster-whisper / whisper model path (none by default).
SPEECH_MODEL = env_str("SPEECH_MODEL", "")

# --- Content screening (moderation) ----------------------------------------------------------
# `rules`: offline term lists and context rules; `openai`: an OpenAI-compatible endpoint,
# POST {MODERATION_BASE_URL}/moderations. Scores 0-1: at MODERATION_THRESHOLD content is
# rejected (moderation_failed), at MODERATION_REVIEW_THRESHOLD it is flagged for review.
MODERATION_BACKEND = env_str("MODERATION_BACKEND", "rules", choices=("rules", "openai"))
MODERATION_THRESHOLD = float(env_decimal("MODERATION_THRESHOLD", "0.7", minimum=Decimal("0.01")))
MODERATION_REVIEW_THRESHOLD = float(
    env_decimal("MODERATION_REVIEW_THRESHOLD", "0.4", minimum=Decimal("0.01"))
)
if not MODERATION_REVIEW_THRESHOLD <= MODERATION_THRESHOLD <= 1:
    raise ImproperlyConfigured(
        "MODERATION_REVIEW_THRESHOLD <= MODERATION_THRESHOLD <= 1 must hold."
    )
MODERATION_BASE_URL = env_url("MODERATION_BASE_URL", schemes=("http", "https"))
MODERATION_API_KEY = env_str("MODERATION_API_KEY", "")
MODERATION_MODEL = env_str("MODERATION_MODEL", "omni-moderation-latest")
MODERATION_TIMEOUT_SECONDS = env_int("MODERATION_TIMEOUT_SECONDS", 10, minimum=1)
if MODERATION_BACKEND == "openai" and not MODERATION_BASE_URL:
    raise ImproperlyConfigured(
        "Environment variable MODERATION_BASE_URL is required when MODERATION_BACKEND=openai."
    )

# --- Webhooks ------------------------------------------------------------------------------
WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", 8, minimum=1)
WEBHOOK_RETRY_BASE_SECONDS = env_int("WEBHOOK_RETRY_BASE_SECONDS", 2, minimum=0)
WEBHOOK_ALLOW_PRIVATE_TARGETS = env_bool("WEBHOOK_ALLOW_PRIVATE_TARGETS", False)
WEBHOOK_ALLOW_LOOPBACK = env_bool("WEBHOOK_ALLOW_LOOPBACK", False)

# --- Storage -------------------------------------------------------------------------------
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(DATA_DIR / "media"))).resolve()
MEDIA_URL = "/media/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(DATA_DIR / "static"))).resolve()
STATIC_URL = "/static/"
AWS_STORAGE_BUCKET_NAME = env_optional("AWS_STORAGE_BUCKET_NAME")
if AWS_STORAGE_BUCKET_NAME:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env_optional("AWS_S3_ENDPOINT_URL"),
            "region_name": env_optional("AWS_S3_REGION_NAME"),
            "access_key": env_optional("AWS_ACCESS_KEY_ID"),
            "secret_key": env_optional("AWS_SECRET_ACCESS_KEY"),
            "custom_domain": env_optional("AWS_S3_CUSTOM_DOMAIN"),
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": env_int("SIGNED_URL_TTL", 3600, minimum=60),
            "file_overwrite": False,
        },
    }
else:
    # No location of its own: the storage follows MEDIA_ROOT and MEDIA_URL, also where they
    # are overridden (each test's own folder, tests/conftest.py).
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Embedded mode serves static files straight from the apps: no collectstatic step.
WHITENOISE_USE_FINDERS = not PRODUCTION
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
SIGNED_URL_TTL = env_int("SIGNED_URL_TTL", 3600, minimum=60)

# --- Assets (uploads) -------------------------------------------------------------------------
# Pillow's own decompression-bomb limit: an image claiming more pixels is refused undecoded.
ASSET_MAX_IMAGE_PIXELS = env_int("ASSET_MAX_IMAGE_PIXELS", 89_478_485, minimum=1)
# How many files one POST /media/upload may carry.
ASSET_MAX_FILES_PER_UPLOAD = env_int("ASSET_MAX_FILES_PER_UPLOAD", 20, minimum=1)
# Where uploads stream to while they are checked (the system's temporary folder by default).
FILE_UPLOAD_TEMP_DIR = env_optional("FILE_UPLOAD_TEMP_DIR")
# How long the bytes of a user's job outputs are cached for the storage quota (seconds).
ASSET_OUTPUT_USAGE_CACHE_SECONDS = env_int("ASSET_OUTPUT_USAGE_CACHE_SECONDS", 30, minimum=0)

# --- E-mail --------------------------------------------------------------------------------
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(DATA_DIR / "emails"))
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1, maximum=65535)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "StoryForge <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Accounts and authentication -----------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 3600
# The browser pages' own sign-in (the admin keeps its login page).
LOGIN_URL = "web:signin"
# A refused CSRF check is a page in the platform's look, not Django's debug page.
CSRF_FAILURE_VIEW = "web.errors.csrf_failure"

# Repeated failed logins for one account lock it for a while (API and admin alike).
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username"]
# authenticate() gets the e-mail as `username`, as the admin's login form sends it.
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_VERBOSE = False

# Two-factor sign-in (accounts.two_factor): the issuer authenticator apps show, and how long
# a password sign-in's challenge token waits for its code.
TWO_FACTOR_ISSUER = env_str("TWO_FACTOR_ISSUER", "StoryForge")
TWO_FACTOR_CHALLENGE_SECONDS = env_int(
    "TWO_FACTOR_CHALLENGE_SECONDS", 300, minimum=30, maximum=3600
)

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(hours=24),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env_int("REFRESH_TOKEN_DAYS", 30, minimum=1)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": False,
    "SIGNING_KEY": SECRET_KEY,
    "AUTH_TOKEN_CLASSES": ("accounts.tokens.AccessToken",),
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "sub",
    # Tokens carry a hash of the password: changing it revokes every earlier token.
    "CHECK_REVOKE_TOKEN": True,
}

# --- REST API ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["config.api.renderers.EnvelopeJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "config.api.parsers.BoundedCamelCaseJSONParser",
        "djangorestframework_camel_case.parser.CamelCaseFormParser",
        "djangorestframework_camel_case.parser.CamelCaseMultiPartParser",
    ],
    "DEFAULT_AUTHENTICATION_CLASSES": ["accounts.authentication.JWTAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "config.api.pagination.PagePagination",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "config.api.filters.SortOrderFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "config.api.schema.EnvelopeAutoSchema",
    "DEFAULT_METADATA_CLASS": "config.api.metadata.EnvelopeMetadata",
    "EXCEPTION_HANDLER": "config.api.exceptions.exception_handler",
    "DATETIME_FORMAT": "%Y-%m-%dT%H:%M:%SZ",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# camelCase out, camelCase or snake_case in (query strings included).
JSON_CAMEL_CASE = {"JSON_UNDERSCOREIZE": {"no_underscore_before_number": True}}
SPECTACULAR_SETTINGS = {
    "TITLE": "StoryForge platform API",
    "DESCRIPTION": (
        "One API for stories, scenes, projects and video generation. Every response uses the "
        "envelope `{success, data, meta?, message?}`; errors use `{success: false, error: "
        "{code, message, details}, requestId, timestamp}`."
    ),
    "VERSION": VERSION,
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "CAMELIZE_NAMES": False,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.contrib.djangorestframework_camel_case.camelize_serializer_fields",
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.api.schema.strip_trailing_slashes",
    ],
    "ENUM_NAME_OVERRIDES": {
        "UserRoleEnum": "accounts.models.Role",
        "OrganizationRoleEnum": "accounts.models.OrganizationRole",
        "AccountStatusEnum": "accounts.models.AccountStatus",
        "PlanEnum": "accounts.plans.Plan",
        "HealthStatusEnum": ["healthy", "unhealthy"],
        "JobStatusEnum": "jobs.models.JobStatus",
        "ChatSessionStatusEnum": "chat.choices.SessionStatus",
        "ChatStepEnum": "chat.choices.STEPS",
        "WorkflowStepStatusEnum": ["completed", "current", "pending"],
        "AssetKindEnum": "assets.choices.AssetKind",
        "AssetStatusEnum": "assets.choices.AssetStatus",
    },
}

CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS")
CORS_EXPOSE_HEADERS = [
    "X-Request-Id",
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
    "X-RateLimit-Tier",
    "Retry-After",
]
CORS_ALLOW_HEADERS = ["authorization", "content-type", "idempotency-key", "x-request-id"]

DJANGO_GUID = {
    "GUID_HEADER_NAME": "X-Request-Id",
    "VALIDATE_GUID": False,
    "RETURN_HEADER": True,
    "EXPOSE_HEADER": True,
    "UUID_LENGTH": 32,
}

# Rate limits are counted in the shared cache, so that every server process shares one count.
RATELIMIT_ENABLE = env_bool("RATELIMIT_ENABLE", True)
RATELIMIT_USE_CACHE = "default"
# The film job API's "100 requests per minute per user", on top of the plan's hourly limit
# (0: off).
RATELIMIT_PER_MINUTE = env_int("RATELIMIT_PER_MINUTE", 100, minimum=0)
# Behind a proxy, set to the header that carries the client's address (e.g. X-Forwarded-For).
RATELIMIT_IP_HEADER = env_optional("RATELIMIT_IP_HEADER")
SILENCED_SYSTEM_CHECKS = [
    "django_ratelimit.E003",
    "django_ratelimit.W001",
    # Sign-in failures lock the account whatever the address they come from; addresses are
    # limited separately by the per-IP rate limit of anonymous clients.
    "axes.W006",
]

# --- Security ------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^api/v1/health/?$"]
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# --- Internationalisation ------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Logging ---------------------------------------------------------------------------------
# Structured logs (structlog): JSON lines on stdout in production, readable lines otherwise.
# Every line carries the request id (django-guid), also in Celery tasks a request sent.
# WARNING and worse also go to the log store that GET /logs reads (ops.logs).
LOG_LEVEL = env_str("LOG_LEVEL", "INFO", choices=("DEBUG", "INFO", "WARNING", "ERROR"))
LOG_FORMAT = env_str("LOG_FORMAT", "json" if PRODUCTION else "console", choices=("json", "console"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "django_guid.log_filters.CorrelationId"}},
    "formatters": {"structured": {"()": "ops.logs.formatter", "json": LOG_FORMAT == "json"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "structured",
            "filters": ["request_id"],
        },
        "store": {
            "class": "ops.logs.DatabaseLogHandler",
            "level": "WARNING",
            "filters": ["request_id"],
        },
    },
    "root": {"handlers": ["console", "store"], "level": LOG_LEVEL},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "django_guid": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

# --- Operations (GET /health, /metrics, /logs; Prometheus) -------------------------------------
# Every API request is one row of the log store (GET /logs finds it, GET /metrics counts it),
# buffered in the cache and written in bulk by beat (ops.buffer).
OPS_REQUEST_LOG = env_bool("OPS_REQUEST_LOG", True)
OPS_LOG_RETENTION_DAYS = env_int("OPS_LOG_RETENTION_DAYS", 30, minimum=1)
OPS_STORAGE_CACHE_SECONDS = env_int("OPS_STORAGE_CACHE_SECONDS", 60, minimum=0)
OPS_HEALTH_WORKER_CACHE_SECONDS = env_int("OPS_HEALTH_WORKER_CACHE_SECONDS", 15, minimum=0)
# The GPU worker pool is required (503 without it) when a diffusers backend is configured, or
# when this says so.
HEALTH_REQUIRE_GPU_WORKERS = env_bool("HEALTH_REQUIRE_GPU_WORKERS", False)
# Without an admin's token, /api/v1/metrics/prometheus answers loopback and these networks
# (comma-separated CIDRs, e.g. the Prometheus server's `10.0.5.0/24`).
METRICS_ALLOWED_NETWORKS = env_networks("METRICS_ALLOWED_NETWORKS")

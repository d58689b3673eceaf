# One production image for every role: web (gunicorn, WSGI), ws (uvicorn, ASGI/WebSockets),
# the Celery workers and beat, and one-shot management commands. docker-compose.yml picks
# the role through `command`; the default CMD below serves the HTTP API.
#
#   CPU image (web, ws, cpu worker, beat):  docker build -t storyplatform .
#   GPU worker image (torch + diffusers):   docker build --build-arg EXTRAS=gpu -t storyplatform-gpu .
#
# The code runs from /app (PYTHONPATH=/app): config/settings.py finds templates/ next to it,
# and manage.py, gunicorn, uvicorn and celery all import the same copy.
FROM python:3.11-slim-bookworm

# Optional dependency groups of pyproject.toml to install, comma-separated ("gpu"); empty: none.
ARG EXTRAS=""

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_ROOT_USER_ACTION=ignore \
    PYTHONPATH=/app \
    DJANGO_ENV=production \
    DATA_DIR=/data \
    STATIC_ROOT=/app/staticfiles \
    HF_HOME=/cache/huggingface

# espeak-ng: speech synthesis for narration; libpq5: PostgreSQL client library (psycopg ships
# its own in the binary wheel, so this is only a fallback).
RUN apt-get update \
    && apt-get install -y --no-install-recommends espeak-ng libpq5 \
    && rm -rf /var/lib/apt/lists/*

# A fixed, non-root user. /data (DATA_DIR) and the Hugging Face cache belong to it, so that named
# volumes mounted there start out writable; the code in /app stays root-owned and read-only.
RUN groupadd --system --gid 1000 app \
    && useradd --system --uid 1000 --gid app --home-dir /home/app --create-home \
        --shell /usr/sbin/nologin app \
    && mkdir -p /data /cache/huggingface /prometheus \
    && chown app:app /data /cache/huggingface /prometheus

WORKDIR /app

# Dependencies first, from pyproject.toml alone, so that this (large, for the GPU image) layer is
# rebuilt only when the dependencies change, not on every source change.
COPY pyproject.toml ./
RUN python -c 'import os, tomllib; \
p = tomllib.load(open("pyproject.toml", "rb"))["project"]; \
extras = [e.strip() for e in os.environ.get("EXTRAS", "").split(",") if e.strip()]; \
print("\n".join(p["dependencies"] + [d for e in extras for d in p["optional-dependencies"][e]]))' \
        > /tmp/requirements.txt \
    && pip install --no-cache-dir -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# Then the project itself ("." or ".[gpu]"); its dependencies are already satisfied above.
COPY . .
RUN if [ -n "$EXTRAS" ]; then target=".[$EXTRAS]"; else target="."; fi \
    && pip install --no-cache-dir "$target" \
    && rm -rf build ./*.egg-info \
    && python -m compileall -q /app

# Static files are collected into the image (STATIC_ROOT=/app/staticfiles, served by WhiteNoise),
# never into the /data volume, where an older copy would outlive a rebuild. The settings need a
# secret key and allowed hosts to load: these dummies exist only for this one command.
RUN SECRET_KEY="collectstatic-build-only-dummy-secret-key-never-used-at-runtime-0000" \
    ALLOWED_HOSTS=build \
    DATA_DIR=/tmp/build-data \
    python manage.py collectstatic --noinput \
    && rm -rf /tmp/build-data

# Numeric, so that runtimes enforcing runAsNonRoot can check it.
USER 1000:1000

EXPOSE 8000

# Gunicorn reads the number of workers from WEB_CONCURRENCY itself (1 when unset).
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--timeout", "60"]

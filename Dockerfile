# syntax=docker/dockerfile:1.7
# One image for web, worker and beat; the command differs (see docker-compose.yml and the Procfile).
#   docker build -t kinwise .
#   docker run --env-file .env kinwise                         # web (gunicorn)
#   docker run --env-file .env kinwise celery -A config worker --queues ...
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# --- web: bundle the web app (web/, over the typed client in clients/typescript/) with the committed npm locks --
FROM node:20-bookworm-slim AS web
WORKDIR /src
COPY clients/typescript/package.json clients/typescript/package-lock.json clients/typescript/
COPY web/package.json web/package-lock.json web/
RUN cd clients/typescript && npm ci --omit=dev --no-audit --no-fund --loglevel=error \
 && cd ../../web && npm ci --no-audit --no-fund --loglevel=error
COPY clients/typescript/src clients/typescript/src
COPY web web
RUN cd web && npm run -s build  # writes /src/var/web/assets/

# --- build: resolve dependencies from uv.lock into /app/.venv, collect static files -------------------------
FROM ${PYTHON_IMAGE} AS build
ARG UV_VERSION=0.13.9
RUN pip install --no-cache-dir "uv==${UV_VERSION}"
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv
WORKDIR /app
# Dependencies first, in their own layer: it is rebuilt only when the lock file changes. With the optional
# groups: Flower (the compose `flower` service runs this image) and django-anymail (HTTP email APIs).
RUN --mount=type=cache,target=/root/.cache/uv \
    --mount=type=bind,source=uv.lock,target=uv.lock \
    --mount=type=bind,source=pyproject.toml,target=pyproject.toml \
    uv sync --frozen --no-dev --group flower --group anymail --no-install-project
COPY . /app
# collectstatic needs settings, not secrets: a throwaway key generated here never leaves this RUN.
RUN SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(64))')" \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    CELERY_BROKER_URL=redis://build.invalid:6379/0 \
    /app/.venv/bin/python manage.py collectstatic --noinput \
 && rm -rf /app/var/broker /app/var/cache

# --- runtime: the interpreter, the virtualenv and the code; no uv, no compiler, no secrets ------------------
FROM ${PYTHON_IMAGE} AS runtime
RUN groupadd --system --gid 10001 kinwise \
 && useradd --system --uid 10001 --gid kinwise --home-dir /app --no-create-home --shell /usr/sbin/nologin kinwise
WORKDIR /app
# Code and dependencies stay root-owned (read-only to the app); only var/ is writable.
COPY --from=build /app /app
COPY --from=web /src/var/web /app/var/web
RUN mkdir -p /app/var && chown kinwise:kinwise /app/var
ENV PATH="/app/.venv/bin:$PATH" \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    PORT=8000 \
    CELERY_QUIET=1
USER kinwise:kinwise
EXPOSE 8000
# The web process's liveness. Worker and beat containers override or disable it (docker-compose.yml).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'), timeout=4).status != 200)"]
CMD ["gunicorn", "config.wsgi"]

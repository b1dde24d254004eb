# KinWise developer commands. Every target bootstraps uv (into var/uv) if it is not installed.
SHELL := /bin/bash
UV := $(shell command -v uv 2>/dev/null || echo var/uv/bin/uv)
PY := .venv/bin/python

.PHONY: run test lint typecheck format migrate worker beat bench smoke venv clean client web screenshots

$(UV):
	python3 -m venv var/uv && var/uv/bin/pip install -q uv

venv: $(UV)
	$(UV) sync --frozen --quiet

## run: serve web + worker + beat on the embedded default (SQLite, file broker, mail to var/mail/), with the
## Procfile's production commands (gunicorn, celery); its `release` step (migrate) runs first. Ctrl-C stops
## all three and exits 0 (scripts/procfile.py)
run: venv web
	mkdir -p var/mail var/broker
	$(PY) manage.py migrate --noinput
	PATH="$(CURDIR)/.venv/bin:$$PATH" CELERY_WORKER_CONCURRENCY=$${CELERY_WORKER_CONCURRENCY:-2} \
	  $(PY) scripts/procfile.py -f Procfile web worker beat

## worker / beat: run one Procfile process on its own (e.g. next to a web server you run yourself)
worker beat: venv
	PATH="$(CURDIR)/.venv/bin:$$PATH" CELERY_WORKER_CONCURRENCY=$${CELERY_WORKER_CONCURRENCY:-2} \
	  $(PY) scripts/procfile.py -f Procfile $@

## test: the whole test suite (against whatever DATABASE_URL / REDIS_URL say; SQLite by default)
test: venv web
	$(PY) -m pytest $(PYTEST_ARGS)

## smoke: the production topology on this machine (Postgres + Redis, gunicorn, 2 workers, beat, SMTP sink)
## through register -> verify -> OTP login -> /auth/me; exit status tells (scripts/smoke.py)
smoke: venv
	scripts/smoke

## lint: ruff (rules in pyproject.toml) and the type checker
lint: venv typecheck
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

## typecheck: mypy with the Django and DRF plugins; strict on services and selectors (pyproject.toml). It reads
## the test settings and opens no database.
typecheck: venv
	.venv/bin/mypy

format: venv
	.venv/bin/ruff check --fix .
	.venv/bin/ruff format .

## bench: start the service as in production (gunicorn, Postgres, own Redis, worker, SMTP sink) and measure it;
## prints one table, saves JSON under bench/results/ (docs/PERFORMANCE.md). BENCH_ARGS="--quick" for a check.
bench: venv
	$(PY) -m bench.run $(BENCH_ARGS)

## client: regenerate the typed TypeScript client (clients/typescript/src/schema.d.ts) from today's schema;
## the test suite fails while the committed one is stale
NPM_CI := npm ci --no-audit --no-fund --loglevel=error
clients/typescript/node_modules/.package-lock.json: clients/typescript/package-lock.json
	cd clients/typescript && $(NPM_CI)

client: venv clients/typescript/node_modules/.package-lock.json
	mkdir -p var
	DEBUG=False $(PY) manage.py spectacular --format openapi-json --file var/openapi.json
	cd clients/typescript && npm run -s generate

## web: bundle the web app (web/) into var/web/assets/ with esbuild, npm packages from the committed lock files
web/node_modules/.package-lock.json: web/package-lock.json
	cd web && $(NPM_CI)

web:
	@if command -v npm >/dev/null 2>&1; then \
	  $(MAKE) --no-print-directory web/node_modules/.package-lock.json clients/typescript/node_modules/.package-lock.json \
	  && cd web && npm run -s build; \
	else echo "npm not found: the web app is not built (it needs Node 20 and npm); the API works without it"; fi

## screenshots: the web app's main pages at desktop and phone width, into docs/web/ (a browser test; needs
## Redis for its worker: TEST_BROKER_URL)
screenshots: venv web
	SCREENSHOTS_DIR=docs/web $(PY) -m pytest -q tests/browser/test_screenshots.py

migrate: venv
	$(PY) manage.py migrate --noinput

clean:
	rm -rf .venv var/uv

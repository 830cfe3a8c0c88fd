# The two set-up commands are `make run` and `make test`; everything else is tooling.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run test install browser worker beat lint format bench migrate cert capture

$(BIN)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

install: $(BIN)/.installed

# Debian's Chromium for the browser tests; Playwright never downloads a browser here.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

migrate: install
	$(BIN)/python manage.py migrate --noinput

# A self-signed certificate for the SMTP service's STARTTLS (SMTP_TLS_CERT, SMTP_TLS_KEY).
cert: var/smtp-cert.pem

var/smtp-cert.pem:
	mkdir -p var
	openssl req -x509 -newkey rsa:2048 -nodes -days 825 -subj "/CN=localhost" \
	  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -keyout var/smtp-key.pem -out $@ 2>/dev/null
	chmod 600 var/smtp-key.pem

run: install cert
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py seed_demo
	DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Tests serve plain HTTP, so HTTPS-only settings are off for them.
test: install browser
	HTTPS_ONLY=0 $(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The Email Capture SMTP service (and, embedded, the WebSocket endpoint); beside `make run`.
capture: install cert
	DEBUG=1 $(BIN)/python manage.py capture_smtp

worker: install
	$(BIN)/celery -A mailsac_accounts worker --loglevel=INFO

beat: install
	$(BIN)/celery -A mailsac_accounts beat --loglevel=INFO --schedule=var/celerybeat-schedule

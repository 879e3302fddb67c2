# Two commands for a fresh machine: `make run` and `make test`. Both set themselves up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# `make run` serves with DEBUG off, as in production: the key comes from a file in the
# git-ignored data folder, made once. Emails (reminders) are printed in the terminal.
RUN_ENV := DEBUG=False SECRET_KEY_FILE=data/secret-key WAYMARK_FIELD_KEYS_FILE=data/field-keys \
	WAYMARK_AUDIT_KEYS_FILE=data/audit-keys WAYMARK_VAPID_PRIVATE_KEY_FILE=data/vapid-key \
	ALLOWED_HOSTS=127.0.0.1,localhost EMAIL_BACKEND=django.core.mail.backends.console.EmailBackend \
	WAYMARK_SITE_URL=http://localhost:$(PORT)

.PHONY: run test lint typecheck migrations-check pytest messages docs bench clean lock

run: $(VENV)/.installed data/secret-key data/field-keys data/audit-keys data/vapid-key
	$(RUN_ENV) $(BIN)/waymark migrate --noinput
	$(RUN_ENV) $(BIN)/waymark collectstatic --noinput --verbosity 0
	$(RUN_ENV) $(BIN)/waymark demo
	@# A worker beside the server sends reminders; it stops when the server does (Ctrl+C).
	$(RUN_ENV) $(BIN)/waymark worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(RUN_ENV) PORT=$(PORT) $(BIN)/waymark serve

test: $(VENV)/.installed-dev node_modules/.installed lint typecheck migrations-check pytest

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy waymark tests bench

migrations-check: $(VENV)/.installed-dev
	DEBUG=True $(BIN)/waymark makemigrations --check --dry-run

# Two processes (pytest-xdist), each with its own test database and browser; a file's tests stay
# in one process, so what a module sets up once is set up once. One process: PYTEST_ARGS=-n0.
PYTEST_ARGS ?= -n 2 --dist loadfile
pytest: $(VENV)/.installed-dev node_modules/.installed
	$(BIN)/pytest $(PYTEST_ARGS)

# Benchmarks: medians against a baseline measured in the same run (docs/performance.md).
bench: $(VENV)/.installed-dev node_modules/.installed
	$(BIN)/python -m bench.run $(BENCH_ARGS)

# Translations: collect the strings (N_ marks those of the clinical core), then compile.
messages: $(VENV)/.installed-dev
	DEBUG=True $(BIN)/waymark datamessages
	$(BIN)/ruff format --quiet waymark/data_messages.py
	cd waymark && DEBUG=True ../$(BIN)/waymark makemessages -l es --no-obsolete
	cd waymark && DEBUG=True ../$(BIN)/waymark compilemessages

# The command-line reference, generated from the parsers' help.
docs: $(VENV)/.installed
	$(BIN)/python -c "from waymark.cli import reference_markdown as r; print(r(), end='')" > docs/cli.md

# Installs come from the lock files (exact versions, checked by hash); pyproject.toml keeps the
# open ranges. After changing a dependency there, run `make lock` and commit both files.
$(VENV)/.installed: pyproject.toml requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(VENV)/.installed $@

LOCK := --quiet --generate-hashes --strip-extras --allow-unsafe --no-emit-find-links \
	--no-emit-index-url
lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet "pip-tools>=7.4"
	$(BIN)/pip-compile $(LOCK) -o requirements.txt pyproject.toml
	$(BIN)/pip-compile $(LOCK) --extra dev -o requirements-dev.txt pyproject.toml

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

data/secret-key:
	mkdir -p data
	umask 077 && $(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > $@

# The key that signs the audit trail (kept outside the database); see docs/operations.md.
data/audit-keys:
	mkdir -p data
	umask 077 && $(PYTHON) -c "import base64, secrets; print(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())" > $@

# The key for what people write (encrypted at rest); see docs/configuration.md to rotate it.
data/field-keys:
	mkdir -p data
	umask 077 && $(PYTHON) -c "import base64, secrets; print(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())" > $@

# The key that signs push reminders (VAPID): a P-256 private key, any number from 1 to the
# curve's order - 1, in url-safe base64; see docs/configuration.md.
data/vapid-key:
	mkdir -p data
	umask 077 && $(PYTHON) -c "import base64, secrets; n = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551; print(base64.urlsafe_b64encode((secrets.randbelow(n - 1) + 1).to_bytes(32, 'big')).decode())" > $@

clean:
	rm -rf $(VENV) node_modules data/static

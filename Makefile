# Two commands for a fresh machine (Python 3.11 and make): `make run` and `make test`.
# Everything else (the virtualenv, the letters, the database, a browser for the tests) is
# made here or in .ci/run.

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
export JTAI_DATA_DIR ?= $(CURDIR)/data
LETTERS_DIR ?=
PORT ?= 8501

.PHONY: run test letters build app lint bench audit browser clean

$(VENV)/.runtime: requirements.txt
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found (set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

# Letters from a folder (LETTERS_DIR=...) or, by default, from Ofsted's reports website.
letters: $(VENV)/.runtime
ifneq ($(strip $(LETTERS_DIR)),)
	$(PY) -m scrapers ingest "$(LETTERS_DIR)"
else
	@$(PY) -m scrapers fetch || { \
	  echo ""; \
	  echo "Could not get the letters from Ofsted's reports website (no network?)."; \
	  echo "If you already hold the letters as PDFs, point make at the folder:"; \
	  echo "    LETTERS_DIR=../shared/jtai-letters make run"; \
	  exit 1; }
endif

# The evaluation (about a minute) gives the About page the classifier's figures on the gold
# set's frozen test letters; `python -m analysis evaluate` alone adds leave-one-letter-out.
build: $(VENV)/.runtime
	$(PY) -m analysis build
	$(PY) -m analysis evaluate --no-lolo

app: $(VENV)/.runtime
	@if [ -f app.py ]; then \
	  echo "Dashboard on http://localhost:$(PORT) (Ctrl+C to stop)"; \
	  $(VENV)/bin/streamlit run app.py --server.port $(PORT) --server.headless true \
	    --browser.gatherUsageStats false; \
	else echo "Corpus built in $(JTAI_DATA_DIR); no dashboard in this version yet."; fi

run: letters build app

# A real browser for the dashboard's tests: Debian's Chromium (Playwright cannot download
# its own here). Without root or apt the browser tests skip and say why.
browser:
	@if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	fi

test: $(VENV)/.dev browser
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m pytest

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Known vulnerabilities in the pinned runtime set (CI runs it too); exceptions, with reasons, in
# .ci/audit-exceptions.txt.
audit: $(VENV)/.dev
	$(PY) .ci/audit.py

bench: $(VENV)/.dev
	@for b in bench/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

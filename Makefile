# The two commands a new user runs: `make demo` and `make test`. Both set everything up first: the system
# packages (apt-get when run as root, otherwise a message naming them) and the virtual environment at .venv/
# with the project installed into it (.venv/bin/beasiswa).

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Letters: a Times-metric serif, HarfBuzz subsetting (PDF writing ~7x faster), pdftoppm for looking at pages.
SYSTEM_PACKAGES := fonts-liberation2 libharfbuzz-subset0 poppler-utils

.PHONY: setup system-packages demo test bench clean

setup: system-packages $(STAMP)

system-packages:
	@missing=""; \
	for p in $(SYSTEM_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing system packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else \
	    echo "Missing system packages:$$missing -- install them as root: apt-get install$$missing"; \
	  fi; \
	fi

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[test]'
	@touch $@

demo: setup
	@for case in fixtures/cases/*.json; do $(BIN)/beasiswa decide "$$case" || exit $$?; echo; done
	@# The ledger: the same cases recorded into a fresh out/beasiswa.db, reported, then the hash chain verified.
	@mkdir -p out && rm -f out/beasiswa.db out/beasiswa.db-wal out/beasiswa.db-shm
	@$(BIN)/beasiswa db upgrade --db out/beasiswa.db
	@$(BIN)/beasiswa ledger record fixtures/cases/*.json --maker demo.pembuat --approver demo.pemeriksa --db out/beasiswa.db
	@$(BIN)/beasiswa ledger report --by level_group,office --db out/beasiswa.db
	@$(BIN)/beasiswa ledger verify --db out/beasiswa.db

test: setup
	$(BIN)/python -m pytest -q

bench: setup
	$(BIN)/python bench/decide.py

clean:
	rm -rf $(VENV) out build *.egg-info .pytest_cache .hypothesis

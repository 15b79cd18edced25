# The two commands a new user runs: `make demo` and `make test`. Both set everything up first: the system
# packages (apt-get when run as root, otherwise a message naming them) and the virtual environment at .venv/
# with the project installed into it (.venv/bin/beasiswa).

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Letters: a Times-metric serif, HarfBuzz subsetting (PDF writing ~7x faster), pdftoppm for looking at pages;
# redis-server: the task queue's broker, which its tests start (README "Letters on a task queue");
# the browser tests: Debian's chromium (/usr/bin/chromium), driven by Playwright.
SYSTEM_PACKAGES := fonts-liberation2 libharfbuzz-subset0 poppler-utils redis-server chromium

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

# The demo's staff: an admin, and an officer (petugas) and a supervisor (pengawas) for each sample office.
DEMO_DB := sqlite:///out/beasiswa.db
# The README's day in the browser starts from an empty office: only the admin.
DAY_DB := sqlite:///out/hari.db
DEMO_OFFICES := plg sby mdn bdg mks
DEMO_USERS := $(foreach o,$(DEMO_OFFICES),$(o).petugas $(o).pengawas)
DEMO_STAFF := $(foreach o,$(DEMO_OFFICES),--verify-as $(o).petugas --approve-as $(o).pengawas)
# The demo users' one-time password for the web application (each changes it at the first sign-in). A demo only:
# a real office's admin sets each user's with `beasiswa users password NAME --as ADMIN`, typed at the prompt.
DEMO_PASSWORD := beasiswa-demo-2025
# The password the staff choose when they sign in on the command line for the batch (replaced again at the end).
DEMO_CLI_PASSWORD := beasiswa-demo-cli-2025
# The demo's command line, signing in with a token file of its own (not the one in ~/.config).
DEMO_CLI := BEASISWA_TOKEN_FILE=$(CURDIR)/out/beasiswa-tokens $(BIN)/beasiswa
# The tables of the week at the bank as columns (not one block a row) when make's output is no terminal.
DEMO_WIDE := COLUMNS=150 $(DEMO_CLI)
# The bank's statement of KC-PLG's account for the demo's transfers (fixtures/README.md: how it was made).
DEMO_STATEMENT := fixtures/payments/pernyataan-KC-PLG-20250814.xml

demo: setup
	@# 1. The rules alone: every sample case decided and explained, as an officer reads it to a family.
	@for case in fixtures/cases/*.json; do $(BIN)/beasiswa decide "$$case" || exit $$?; echo; done
	@# 2. The main job on a fresh out/beasiswa.db: intake of the sample cases and the KC-PLG sheet, verification
	@#    and approval by two different people, payouts, letters in out/letters/ (each office's issued by its
	@#    supervisor, the --approve-as), the ledger report. Who acts signs in first: the admin (her password set
	@#    at bootstrap) adds the staff with a one-time password; each signs in, choosing their own.
	@rm -rf out/beasiswa.db out/beasiswa.db-wal out/beasiswa.db-shm out/letters out/beasiswa-tokens && mkdir -p out
	@$(BIN)/beasiswa db upgrade --db $(DEMO_DB)
	@echo "$(DEMO_PASSWORD)" | $(DEMO_CLI) users bootstrap admin --password-stdin --db $(DEMO_DB) >/dev/null
	@echo "$(DEMO_PASSWORD)" | $(DEMO_CLI) login admin --password-stdin --db $(DEMO_DB) >/dev/null
	@for o in $(DEMO_OFFICES); do \
	  office=KC-$$(echo $$o | tr a-z A-Z); \
	  $(DEMO_CLI) users add $$o.petugas --role officer --office $$office --as admin --db $(DEMO_DB) >/dev/null || exit $$?; \
	  $(DEMO_CLI) users add $$o.pengawas --role supervisor --office $$office --as admin --db $(DEMO_DB) >/dev/null || exit $$?; \
	done
	@for u in $(DEMO_USERS); do \
	  echo "$(DEMO_PASSWORD)" | $(DEMO_CLI) users password $$u --password-stdin --as admin --db $(DEMO_DB) >/dev/null || exit $$?; \
	  printf '%s\n%s\n' "$(DEMO_PASSWORD)" "$(DEMO_CLI_PASSWORD)" | \
	    $(DEMO_CLI) login $$u --password-stdin --db $(DEMO_DB) >/dev/null || exit $$?; \
	done
	@$(DEMO_CLI) process fixtures/cases/*.json fixtures/intake/kc-plg-2025-07.csv --out out/letters \
	  $(DEMO_STAFF) --date 2025-08-11 --db $(DEMO_DB)
	@# 3. The first page of a letter of each kind as a PNG, to look at; then the auditor's check of the chain.
	@$(BIN)/beasiswa letters samples --letters out/letters --out out --db $(DEMO_DB)
	@$(BIN)/beasiswa ledger verify --db $(DEMO_DB)
	@# 4. KC-PLG's week at the bank (README "An office's week"): Monday the supervisor exports the office's transfer
	@#    files to out/transfers/; Thursday the bank's statement of the office's account (a sample made once from
	@#    these payouts: fixtures/README.md) is reconciled: settled, one returned (AC04, account closed), one booked
	@#    twice, one line of no transfer. The returned claim is back in the officer's queue; she corrects its
	@#    account, it is verified, approved and paid again, and the next Monday's export puts it in a new batch.
	@rm -rf out/transfers && mkdir -p out/transfers
	@echo; echo "== Senin 11 Agustus 2025: berkas transfer KC-PLG =="
	@$(DEMO_WIDE) payments export --office KC-PLG --date 2025-08-11 --out out/transfers --as plg.pengawas --db $(DEMO_DB)
	@cd out/transfers && sha256sum TRF-KC-PLG-20250811-* && cat TRF-KC-PLG-20250811-001.csv
	@$(DEMO_CLI) payments verify --file out/transfers/TRF-KC-PLG-20250811-001.csv \
	  --file out/transfers/TRF-KC-PLG-20250811-002.xml --as plg.pengawas --db $(DEMO_DB)
	@echo; echo "== Kamis 14 Agustus 2025: pernyataan bank $(DEMO_STATEMENT) =="
	@$(DEMO_WIDE) payments reconcile $(DEMO_STATEMENT) --as plg.pengawas --db $(DEMO_DB)
	@$(DEMO_WIDE) payments exceptions --as plg.pengawas --db $(DEMO_DB)
	@$(DEMO_WIDE) queue --mine --as plg.petugas --db $(DEMO_DB)
	@$(DEMO_CLI) claims account KC-PLG-2025-000123 klaim-2 --bank BRI --number 014201012345708 \
	  --holder "Andi Saputra" --reason "transfer dikembalikan bank (AC04 rekening ditutup): rekening baru dari wali" \
	  --as plg.petugas --db $(DEMO_DB)
	@$(DEMO_CLI) verify KC-PLG-2025-000123/klaim-2 --as plg.petugas --db $(DEMO_DB)
	@$(DEMO_CLI) approve KC-PLG-2025-000123/klaim-2 --as plg.pengawas --db $(DEMO_DB)
	@$(DEMO_CLI) pay KC-PLG-2025-000123/klaim-2 --as plg.pengawas --db $(DEMO_DB)
	@echo; echo "== Senin 18 Agustus 2025: kelompok berikutnya =="
	@$(DEMO_WIDE) payments export --office KC-PLG --date 2025-08-18 --out out/transfers --as plg.pengawas --db $(DEMO_DB)
	@$(DEMO_WIDE) ledger report --by office --payments --db $(DEMO_DB)
	@# 5. The same database in the browser: everyone's one-time demo password again (which ends their command
	@#    line tokens; the admin's own last), to be changed at the first sign-in there.
	@for u in $(DEMO_USERS) admin; do \
	  echo "$(DEMO_PASSWORD)" | $(DEMO_CLI) users password $$u --password-stdin --as admin --db $(DEMO_DB) >/dev/null || exit $$?; \
	done
	@echo
	@echo "The web application on the demo database:  $(BIN)/beasiswa web --db $(DEMO_DB)"
	@echo "then open http://127.0.0.1:8000 and sign in as plg.petugas (officer), plg.pengawas (supervisor) or admin,"
	@echo "with the demo's one-time password $(DEMO_PASSWORD) (you choose a new one at the first sign-in)."
	@echo "On the command line: $(BIN)/beasiswa login NAME --db $(DEMO_DB), then act with --as NAME."
	@# 6. An empty database with only the admin, for the README's day in the browser from its first step.
	@rm -f out/hari.db out/hari.db-wal out/hari.db-shm
	@$(BIN)/beasiswa db upgrade --db $(DAY_DB) >/dev/null
	@echo "$(DEMO_PASSWORD)" | $(DEMO_CLI) users bootstrap admin --password-stdin --db $(DAY_DB) >/dev/null
	@echo
	@echo "The README's day in the browser, from its first step (an empty office, the admin only):"
	@echo "  $(BIN)/beasiswa web --db $(DAY_DB)   then sign in as admin with $(DEMO_PASSWORD);"
	@echo "  the sheet to upload as the officer: fixtures/intake/kc-plg-2025-07.csv"

# Both cores: the independent tests in parallel (pytest-xdist), each file's tests on one worker.
test: setup
	$(BIN)/python -m pytest -q -n auto --dist loadfile

bench: setup
	$(BIN)/python bench/decide.py

clean:
	rm -rf $(VENV) out build *.egg-info .pytest_cache .hypothesis

# hallrate: `make demo` runs the product on its embedded defaults, `make test` runs every test,
# `make check` is the quick lane before each commit. Each first installs the Debian packages
# that are missing (scripts/system-packages), then creates .venv and installs what it needs;
# nothing is reinstalled when nothing changed.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DIST_STAMP := $(VENV)/.dist-stamp
TS := $(wildcard assets/translations/*.ts)
QM := $(TS:.ts=.qm)


.PHONY: system demo test check lint bench screenshots translations vendor dist dist-check clean \
	console-messages

# Before anything else: the Debian packages (stops at once, with the apt-get line, when they
# are missing and cannot be installed by this user).
system:
	@scripts/system-packages

$(STAMP): pyproject.toml | system
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[kiosk,server,dev]'
	@touch $(STAMP)

# PyInstaller only for `make dist`: the tests never need it.
$(DIST_STAMP): $(STAMP) pyproject.toml
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[kiosk,server,dev,dist]'
	@touch $(DIST_STAMP)

assets/translations/%.qm: assets/translations/%.ts $(STAMP)
	$(BIN)/pyside6-lrelease -silent $< -qm $@

translations: $(QM)

demo: system $(STAMP) translations
	$(BIN)/python -m demo $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check sync kiosk server demo bench tests freeze
	$(BIN)/ruff format --check sync kiosk server demo bench tests freeze
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

# One pytest worker per core (pytest-xdist); worksteal keeps both busy to the end.
PYTEST_PARALLEL := -n auto --dist worksteal

test: system $(STAMP) translations lint
	QT_QPA_PLATFORM=offscreen $(BIN)/pytest $(PYTEST_PARALLEL)

# The quick lane before each commit: lint and the tests that give fast confidence. Left to
# `make test`: the slow ones (crash loops, the self-test), the PostgreSQL variants, the
# pages in Chromium, and the whole-system and deployment tests (tests/e2e, tests/deploy).
CHECK_TESTS := tests/sync tests/kiosk tests/receipts tests/server

check: system $(STAMP) translations lint
	QT_QPA_PLATFORM=offscreen $(BIN)/pytest $(PYTEST_PARALLEL) -q \
		-m "not slow and not postgres and not browser" $(CHECK_TESTS)

bench: $(STAMP) translations
	$(BIN)/python -m bench all

screenshots: $(STAMP) translations
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m kiosk.screenshots screenshots
	$(BIN)/python -m tests.support.console_screenshots

# The frozen kiosk, one folder: dist/hallrate-kiosk/hallrate-kiosk (kiosk.spec says what goes in).
dist: $(DIST_STAMP) translations
	$(BIN)/pyinstaller --noconfirm --log-level WARN --distpath dist --workpath build kiosk.spec

# The bundle's self-test against a real server (what .ci/run does after make dist).
dist-check: dist
	$(BIN)/python freeze/check_frozen.py dist/hallrate-kiosk/hallrate-kiosk

# The vendored front-end files, refreshed from the npm registry at the versions pinned in
# the scripts, with their licences and versions: the console's htmx and ECharts (and
# axe-core for the tests), the API docs' Swagger UI and ReDoc. They are committed.
vendor:
	scripts/vendor_console.sh
	scripts/vendor-apidocs

# The console's gettext catalogs: extract the messages, merge them into the .po files
# (translate the new ones there). The server compiles the .po files itself when it starts.
CONSOLE_I18N := server/console/translations
# Calls whose first argument is a message the console translates: the console's marker,
# and the refusals services raise (server/problems.py).
PROBLEM_CALLS := N_ phrase Problem HallError PhotoError UserError ContentError ChannelError \
	ProfileError _Unreadable

console-messages: $(STAMP)
	$(BIN)/pybabel extract -F server/console/babel.cfg $(addprefix -k ,$(PROBLEM_CALLS)) \
		--no-location --omit-header -o $(CONSOLE_I18N)/messages.pot server/console \
		server/halls server/users server/content server/notify server/alerts
	$(BIN)/pybabel update -i $(CONSOLE_I18N)/messages.pot -d $(CONSOLE_I18N) \
		--omit-header --no-fuzzy-matching

clean:
	rm -rf $(VENV) screenshots .pytest_cache .mypy_cache .ruff_cache build dist

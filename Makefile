# hallrate: `make demo` runs the product on its embedded defaults, `make test` runs every test.
# Both create .venv and install what they need; nothing is reinstalled when nothing changed.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DIST_STAMP := $(VENV)/.dist-stamp
TS := $(wildcard assets/translations/*.ts)
QM := $(TS:.ts=.qm)


.PHONY: demo test lint bench screenshots translations dist dist-check clean vendor console-messages

$(STAMP): pyproject.toml
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

demo: $(STAMP) translations
	$(BIN)/python -m kiosk.demo

lint: $(STAMP)
	$(BIN)/ruff check sync kiosk server bench tests freeze
	$(BIN)/ruff format --check sync kiosk server bench tests freeze
	$(BIN)/mypy
	$(BIN)/mypy --follow-imports=silent freeze/launcher.py freeze/check_frozen.py

test: $(STAMP) translations lint
	QT_QPA_PLATFORM=offscreen $(BIN)/pytest

bench: $(STAMP) translations
	$(BIN)/python -m bench all

screenshots: $(STAMP) translations
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m kiosk.ui.screenshots screenshots
	$(BIN)/python -m tests.support.console_screenshots

# The frozen kiosk, one folder: dist/hallrate-kiosk/hallrate-kiosk (kiosk.spec says what goes in).
dist: $(DIST_STAMP) translations
	$(BIN)/pyinstaller --noconfirm --log-level WARN --distpath dist --workpath build kiosk.spec

# The bundle's self-test against a real server (what .ci/run does after make dist).
dist-check: dist
	$(BIN)/python freeze/check_frozen.py dist/hallrate-kiosk/hallrate-kiosk

# The console's htmx and ECharts (and axe-core for the tests), refreshed from the npm
# registry at the versions pinned in the script; their licences and versions go with them.
vendor:
	scripts/vendor_console.sh

# The console's gettext catalogs: extract the messages, merge them into the .po files
# (translate the new ones there). The server compiles the .po files itself when it starts.
CONSOLE_I18N := server/console/translations
console-messages: $(STAMP)
	$(BIN)/pybabel extract -F server/console/babel.cfg -k N_ --no-location --omit-header \
		-o $(CONSOLE_I18N)/messages.pot server/console
	$(BIN)/pybabel update -i $(CONSOLE_I18N)/messages.pot -d $(CONSOLE_I18N) --no-location \
		--omit-header --no-fuzzy-matching

clean:
	rm -rf $(VENV) screenshots .pytest_cache .mypy_cache .ruff_cache build dist

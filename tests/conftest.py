"""Settings every test needs before anything imports Qt."""

import os

# Widgets render offscreen: tests run on machines without a display (CI, SSH sessions).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# The kiosk fixtures (a real kiosk on a real store, a finger that taps) serve the kiosk
# tests and the whole-system tests alike.
pytest_plugins = ("tests.kiosk.fixtures",)

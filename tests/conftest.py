"""Settings every test needs before anything imports Qt."""

import os

# Widgets render offscreen: tests run on machines without a display (CI, SSH sessions).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

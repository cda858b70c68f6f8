"""Entry point of the frozen kiosk (kiosk.spec). It lives outside the `kiosk` package so
that PyInstaller runs it as a plain script while `kiosk` stays an ordinary package inside
the bundle, imported exactly as in a source checkout."""

import sys

from kiosk.__main__ import main

if __name__ == "__main__":
    sys.exit(main())

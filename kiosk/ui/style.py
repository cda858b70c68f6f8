"""The kiosk's stylesheet: one QSS file under assets/, applied once to the application.

Widgets are selected by objectName and dynamic properties. The root window's `scale`
property (size class, plus "-xl" in large-text mode) picks font sizes and touch-target
sizes; changing it only re-polishes, it does not re-apply the sheet.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication, QWidget

STYLESHEET = Path(__file__).resolve().parents[2] / "assets" / "kiosk.qss"


def apply_stylesheet(app: QApplication, path: Path = STYLESHEET) -> None:
    app.setStyleSheet(path.read_text(encoding="utf-8"))


def repolish(root: QWidget) -> None:
    """Re-evaluate the stylesheet for `root` and everything under it after a property change."""
    style = root.style()
    for widget in (root, *root.findChildren(QWidget)):
        style.unpolish(widget)
        style.polish(widget)
        widget.updateGeometry()
    root.update()


def set_flag(widget: QWidget, name: str, on: bool) -> None:
    """Set a boolean dynamic property the stylesheet selects on; re-polish only on change
    (a re-polish costs milliseconds, too much for every tap)."""
    if widget.property(name) == on:
        return
    widget.setProperty(name, on)
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)
    widget.update()

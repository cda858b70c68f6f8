"""Reusable kiosk widgets; each draws through a plain painter object and emits intent signals."""

"""The kiosk's touchscreen UI: screens, widgets, the flow controller that moves between them."""

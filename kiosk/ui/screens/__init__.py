"""The kiosk's screens. A screen shows state and emits intent signals; it never switches
screens, opens the store or calls the network (the flow controller does)."""

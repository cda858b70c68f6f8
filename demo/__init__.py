"""`make demo`: the whole product on its embedded defaults, on one machine.

Not part of any installed package: the kiosk and the server ship apart, and only this
development entry point runs both.
"""

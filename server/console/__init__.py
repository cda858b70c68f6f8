"""console domain: the web console the hall's people sign in to (server-rendered pages,
htmx for live parts, served with its own scripts and styles)."""

"""Service sessions: the matter catalog, the counter's roster check, session figures."""

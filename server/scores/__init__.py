"""scores domain."""

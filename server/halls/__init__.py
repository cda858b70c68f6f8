"""halls domain."""

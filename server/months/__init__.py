"""The month: figures and points per counter and staff member, closed into a snapshot."""

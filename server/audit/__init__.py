"""audit domain: the log of every state change a person made."""

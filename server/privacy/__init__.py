"""Citizens' personal data as the Personal Information Protection Law asks: call-back
contacts encrypted and deleted after use, numbers masked in comments, a person's data
exported or deleted on request."""

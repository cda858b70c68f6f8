"""Encryption of citizens' phone numbers at rest (Fernet: AES-128-CBC with HMAC-SHA256).

The key lives outside the database (a file or `HALLRATE_CONTACT_KEY`): a copy of the
database alone does not give the numbers away.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken


class ContactKeyError(Exception):
    """No key, a malformed key, or a key that does not open the stored data."""


class ContactCipher:
    def __init__(self, key: bytes) -> None:
        try:
            self._fernet = Fernet(key)
        except (ValueError, TypeError):
            raise ContactKeyError(
                "the contact key is not a Fernet key (make one: hallrate-server privacy keygen)"
            ) from None

    def encrypt(self, plain: str) -> str:
        return self._fernet.encrypt(plain.encode()).decode("ascii")

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode()
        except InvalidToken:
            raise ContactKeyError("the contact key does not open this data (wrong key?)") from None


def new_key() -> str:
    return Fernet.generate_key().decode("ascii")

"""Password hashing with scrypt (hashlib, no extra dependency).

A hash reads `scrypt$<log2 N>$<r>$<p>$<salt b64>$<key b64>`, so the cost can be raised later and old
hashes still verify; `needs_rehash` tells when a login should store a stronger one.
"""

import base64
import hashlib
import hmac
import secrets

R, P, KEY_LEN = 8, 1, 32
MIN_LENGTH, MAX_LENGTH = 10, 1024


def _b64(data):
    return base64.b64encode(data).decode("ascii")


def _derive(password, salt, log_n, r, p):
    n = 1 << log_n
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=KEY_LEN,
                          maxmem=n * r * 128 * 2 + 1024 * 1024)


def hash_password(password, cost=15):
    salt = secrets.token_bytes(16)
    key = _derive(password, salt, cost, R, P)
    return f"scrypt${cost}${R}${P}${_b64(salt)}${_b64(key)}"


def verify_password(password, stored):
    try:
        scheme, log_n, r, p, salt, key = stored.split("$")
        if scheme != "scrypt":
            return False
        derived = _derive(password, base64.b64decode(salt), int(log_n), int(r), int(p))
    except (ValueError, TypeError, OverflowError, MemoryError):
        return False
    return hmac.compare_digest(derived, base64.b64decode(key))


def needs_rehash(stored, cost):
    parts = stored.split("$")
    return len(parts) != 6 or parts[0] != "scrypt" or int(parts[1]) < cost


def password_problem(password):
    """A sentence saying why a new password is not acceptable, or None."""
    if not isinstance(password, str):
        return "The password must be text."
    if len(password) < MIN_LENGTH:
        return f"The password must have at least {MIN_LENGTH} characters."
    if len(password) > MAX_LENGTH:
        return f"The password must have at most {MAX_LENGTH} characters."
    if "\x00" in password:
        return "The password must not contain NUL characters."
    return None


def generate_password():
    """A readable random password for first starts and resets (about 100 bits)."""
    return secrets.token_urlsafe(16)

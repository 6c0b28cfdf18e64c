"""Receipt codes: the one way to edit or delete an anonymous report.

A code is 20 characters of Crockford's base32 (100 random bits from :mod:`secrets`), shown once,
privately, in groups of four: ``7K3M-Q9TX-2HWD-PZ4N-C8RF``. Only its SHA-256 is stored; with
100 random bits there is nothing to guess, so a plain hash is enough (a keyed one would need the
very key whose holder anonymity protects against). Reading a code forgives what people do when
they copy one by hand: any case, dashes or spaces anywhere, O for 0, I and L for 1.
"""

from __future__ import annotations

import hashlib
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
LENGTH = 20
GROUP = 4
BITS = LENGTH * 5
_DOMAIN = b"walkout-bot receipt v1:"
_READ = str.maketrans({"O": "0", "I": "1", "L": "1"})

assert len(ALPHABET) == 32 and BITS >= 80


def new_code() -> str:
    """A fresh code in its display form."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return display(raw)


def display(raw: str) -> str:
    return "-".join(raw[i : i + GROUP] for i in range(0, len(raw), GROUP))


def canonical(text: str) -> str | None:
    """The code's 20 characters as stored before hashing, or None if ``text`` is not a code."""
    raw = "".join(text.split()).replace("-", "").upper().translate(_READ)
    if len(raw) != LENGTH or any(char not in ALPHABET for char in raw):
        return None
    return raw


def receipt_hash(text: str) -> str | None:
    """The stored hash of a code (64 hex characters), or None if ``text`` is not a code."""
    raw = canonical(text)
    if raw is None:
        return None
    return hashlib.sha256(_DOMAIN + raw.encode()).hexdigest()

"""Who may reach whose work in a hosted class: access codes, trainer credentials, wrong attempts slowed.

- **Access codes** are issued by the trainer, one per participant: 10 characters from Crockford's base 32
  (digits and capitals without I, L, O, U — nothing to misread), shown as ``K7QF2-M2XD9`` (50 random bits from
  :mod:`secrets`). Typing is forgiving: case, spaces and hyphens do not matter, and ``O``/``I``/``L`` are read
  as ``0``/``1``/``1``.
- **Stored hashed** with scrypt (:func:`hashlib.scrypt`, standard library; n=2^14, r=8, p=1, a random 16-byte
  salt per code — about 16 MB and tens of milliseconds per check), compared in constant time
  (:func:`hmac.compare_digest`). The database never holds a code, only ``scrypt$14$8$1$salt$hash``.
- **Wrong attempts slowed**: after ``free`` wrong attempts in a row, each further one waits twice as long as
  the one before (2 s, 4 s, 8 s … at most 15 minutes) — counted per participant (3 free) and per client
  (10 free: a classroom may share one address), kept in the store so every app process sees them. A
  success clears the participant's count; counts older than 15 minutes start again.

>>> code = new_code()
>>> len(code), code[5]
(11, '-')
>>> normalise_code(code.lower().replace("-", " ")) == code.replace("-", "")
True
>>> stored = hash_secret(code)
>>> stored.startswith("scrypt$14$8$1$"), verify_secret(code, stored), verify_secret("K7QF2-M2XD9", stored)
(True, True, False)
>>> [wait_after(n, free=3) for n in (1, 2, 3, 4, 5, 20)]
[0.0, 0.0, 2.0, 4.0, 8.0, 900.0]
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base 32
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
CODE_LENGTH = 10
PARTICIPANT_FREE = 3     # wrong attempts in a row before waits start, per participant (or trainer)
CLIENT_FREE = 10         # … per client address (a classroom may share one)
MAX_WAIT = 900.0         # seconds: the longest wait
FORGET_AFTER = 900.0     # seconds without a wrong attempt after which the count starts again
SCRYPT = (14, 8, 1)      # log2(n), r, p
_DUMMY: str | None = None


def new_code(length: int = CODE_LENGTH) -> str:
    """A new random access code, in groups of five: ``K7QF2-M2XD9``."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(length))
    return "-".join(raw[i:i + 5] for i in range(0, length, 5))


def normalise_code(text: object) -> str | None:
    """A typed code in its stored form (capitals, no separators; O->0, I/L->1), or None when it cannot be one."""
    if not isinstance(text, str):
        return None
    raw = re.sub(r"[\s\-_.]", "", text).upper().translate(_READ_AS)
    if not raw or len(raw) > 64 or any(c not in ALPHABET for c in raw):
        return None
    return raw


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_secret(secret: str, *, salt: bytes | None = None) -> str:
    """``scrypt$<log2 n>$<r>$<p>$<salt>$<hash>`` of a code (normalised first) or a trainer's passphrase."""
    logn, r, p = SCRYPT
    salt = salt if salt is not None else secrets.token_bytes(16)
    key = hashlib.scrypt(_material(secret), salt=salt, n=2 ** logn, r=r, p=p, maxmem=2 ** 26, dklen=32)
    return f"scrypt${logn}${r}${p}${_b64(salt)}${_b64(key)}"


def _material(secret: str) -> bytes:
    code = normalise_code(secret)
    return (code if code is not None else secret).encode("utf-8")


def verify_secret(secret: object, stored: str | None) -> bool:
    """True when ``secret`` matches the hash ``stored`` (constant-time compare). With no ``stored`` hash the
    same work is done on a dummy, so a wrong participant id takes as long as a wrong code."""
    global _DUMMY
    if _DUMMY is None:
        _DUMMY = hash_secret(secrets.token_hex(8))
    text = secret if isinstance(secret, str) and len(secret) <= 256 else ""
    try:
        _, logn, r, p, salt, key = (stored or _DUMMY).split("$")
        got = hashlib.scrypt(_material(text), salt=base64.b64decode(salt), n=2 ** int(logn), r=int(r), p=int(p),
                             maxmem=2 ** 26, dklen=32)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, base64.b64decode(key)) and stored is not None and bool(text)


def wait_after(failures: int, *, free: int) -> float:
    """Seconds to wait after ``failures`` wrong attempts in a row: none for the first ``free - 1``, then 2, 4,
    8 … seconds, at most :data:`MAX_WAIT`."""
    if failures < free:
        return 0.0
    return float(min(2 ** (failures - free + 1), MAX_WAIT))


def in_words(seconds: float) -> str:
    """'8 seconds', '2 minutes' (rounded up) for a wait.

    >>> in_words(1.2), in_words(130), in_words(900)
    ('2 seconds', '3 minutes', '15 minutes')
    """
    s = max(1, int(-(-seconds // 1)))
    if s < 90:
        return f"{s} second{'s' if s != 1 else ''}"
    m = int(-(-s // 60))
    return f"{m} minutes"

"""Text a participant types, made safe to keep and to print: Unicode normalised (NFC), control and invisible
formatting characters (bidirectional overrides, zero-width characters) removed, length limited.

>>> clean_text("  Nguye\\u0302\\u0303n\\u202e Thi\\u200b  Anh \\n", limit=50, what="name", one_line=True)
'Nguyễn Thi Anh'
>>> clean_text("x" * 60, limit=50, what="name")
Traceback (most recent call last):
...
evidencekit.journey.errors.JourneyError: Saving your name: it is 60 characters long. What to do: write at most 50 characters.
"""
from __future__ import annotations

import re
import unicodedata

from evidencekit.journey.errors import JourneyError


def clean_text(text: object, *, limit: int, what: str, one_line: bool = False) -> str:
    """``text`` normalised and stripped of control and format characters (line breaks kept unless
    ``one_line``); refused when it is not text or longer than ``limit`` characters."""
    if not isinstance(text, str):
        raise JourneyError(f"Saving your {what}", "it is not text", "type it again")
    text = unicodedata.normalize("NFC", text)
    keep = []
    for ch in text:
        cat = unicodedata.category(ch)
        if ch in "\n\t" and not one_line:
            keep.append(ch)
        elif cat in ("Cc", "Cf", "Cs", "Co", "Cn") or cat in ("Zl", "Zp"):
            keep.append(" " if ch in "\n\t\r\u2028\u2029" else "")
        else:
            keep.append(ch)
    out = "".join(keep)
    out = re.sub(r"[ \u00a0]+", " ", out) if not one_line else " ".join(out.split())
    out = "\n".join(line.strip() for line in out.strip().splitlines()) if not one_line else out.strip()
    if len(out) > limit:
        raise JourneyError(f"Saving your {what}", f"it is {len(out)} characters long", f"write at most {limit} characters")
    return out

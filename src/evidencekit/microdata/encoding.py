"""Text encodings of survey files: detect them from the bytes, name them as Python does.

Used by the readers (CSV, Stata, SPSS) and by mapping files (YAML); it imports nothing from evidencekit.

>>> codec_name("latin-1"), codec_name("klingon")
('iso8859-1', '')
"""
from __future__ import annotations

import codecs


def detect_encoding(raw: bytes) -> tuple[str, str]:
    """The encoding of a text file's bytes and a sentence saying why.

    UTF-8 with a BOM -> ``utf-8-sig``; UTF-16 with a BOM -> ``utf-16``; valid UTF-8 -> ``utf-8``;
    otherwise ``cp1252`` (Windows
    Western European, what Excel and most national offices' Windows tools write), or ``latin-1``
    when the bytes are not valid cp1252.

    >>> detect_encoding("Île".encode("utf-8"))[0], detect_encoding("Île".encode("cp1252"))[0]
    ('utf-8', 'cp1252')
    >>> detect_encoding(b"\\xef\\xbb\\xbfa,b")[0]
    'utf-8-sig'
    """
    if raw.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig", "Encoding: UTF-8 with a byte-order mark (BOM)."
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16", "Encoding: UTF-16 with a byte-order mark (what Excel's 'Unicode text' export writes)."
    head = raw[:4096]
    half = len(head) // 2
    if half and head.count(0) > half // 2:  # mostly ASCII text in UTF-16: every other byte is zero
        even, odd = head[0::2].count(0), head[1::2].count(0)
        if odd > 0.6 * half and even < 0.1 * half:
            return "utf-16-le", "Encoding: UTF-16 little-endian, without a byte-order mark (detected from its zero bytes)."
        if even > 0.6 * half and odd < 0.1 * half:
            return "utf-16-be", "Encoding: UTF-16 big-endian, without a byte-order mark (detected from its zero bytes)."
    if raw.isascii() or first_invalid(raw, "utf-8") is None:
        return "utf-8", "Encoding: UTF-8."
    if first_invalid(raw, "cp1252") is None:
        return "cp1252", ("Encoding: not UTF-8; read as 'cp1252' (Windows Western European; a superset of latin-1). "
                          "If accented letters look wrong, pass encoding= (e.g. 'cp1250' Central European, 'mac_roman').")
    return "latin-1", "Encoding: neither UTF-8 nor cp1252; read as 'latin-1'."


def first_invalid(raw: bytes, encoding: str, chunk: int = 1 << 22) -> int | None:
    """The offset of the first byte ``raw`` cannot be decoded from in ``encoding`` (None when it all decodes).
    Decodes in chunks, so a large file is never held twice (as bytes and as text).

    >>> first_invalid(b"ab\\xffc", "utf-8"), first_invalid("Île".encode("utf-8"), "utf-8")
    (2, None)
    """
    decoder = codecs.getincrementaldecoder(encoding)()
    view = memoryview(raw)
    for start in range(0, len(raw), chunk):
        held = len(decoder.getstate()[0])   # bytes of a character cut by the previous chunk
        try:
            decoder.decode(bytes(view[start:start + chunk]), final=start + chunk >= len(raw))
        except UnicodeDecodeError as err:
            return start - held + err.start
    return None


def codec_name(encoding: str) -> str:
    """Python's own name of an encoding ('latin-1' -> 'iso8859-1'); '' when Python does not know it."""
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        return ""

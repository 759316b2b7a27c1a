"""Errors of the microdata room: every one is an :class:`~evidencekit.errors.InputError`.

Each message names the file (and the column, item or code) and says what to do.

>>> try:
...     raise ColumnError("Reading 'lfs.csv'", "there is no column 'wgt'", "use 'ilo_wgt' instead")
... except InputError as err:
...     print(err)
Reading 'lfs.csv': there is no column 'wgt'. What to do: use 'ilo_wgt' instead.
"""
from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from evidencekit.errors import InputError


class FileFormatError(InputError):
    """The file cannot be read: missing, unsupported extension, empty, wrong encoding, malformed rows."""


class MissingFileError(FileFormatError, FileNotFoundError):
    """The file (or its companion data file) does not exist."""


class ColumnError(InputError):
    """A column named by the caller or a mapping is not in the data."""


class DataTypeError(InputError):
    """A value does not fit its declared type (e.g. text in a numeric CSPro item)."""


class DictionaryMismatchError(FileFormatError):
    """A CSPro data file does not match its dictionary (record length, record type, item positions)."""


class MappingError(InputError):
    """A harmonisation mapping is malformed, or cannot be applied to this data."""


def close_matches(name: object, choices: Iterable[object], cutoff: float = 0.7) -> list[str]:
    """The choices close to ``name`` (case-insensitive ``difflib`` ratio of at least ``cutoff``, and within 0.1 of
    the best), best first; an empty list when none is close.

    >>> close_matches("PUFPWGT", ["PUFPWGTPRV", "PUFREG", "PUFPSU"]), close_matches("nowhere", ["notes", "lfs"])
    (['PUFPWGTPRV'], [])
    """
    names = [str(c) for c in choices]
    text = str(name).lower()
    scored = sorted(((difflib.SequenceMatcher(None, text, n.lower()).ratio(), n) for n in names), reverse=True)
    return [n for r, n in scored[:3] if r >= cutoff and r >= scored[0][0] - 0.1]


def suggest(name: object, choices: Iterable[object], *, limit: int = 30) -> str:
    """A 'what to do' hint: the closest names (only close ones: :func:`close_matches`), or else the first
    ``limit`` choices to choose from.

    >>> suggest("PUFPWGT", ["PUFPWGTPRV", "PUFREG", "PUFPSU"])
    "use 'PUFPWGTPRV' instead"
    >>> suggest("zzz", ["a", "b"])
    'choose one of: a, b'
    """
    names = [str(c) for c in choices]
    close = close_matches(name, names)
    if close:
        return f"use {close[0]!r} instead" if len(close) == 1 else "use one of " + ", ".join(repr(c) for c in close)
    more = f" (and {len(names) - limit} more)" if len(names) > limit else ""
    return "choose one of: " + ", ".join(names[:limit]) + more


def decimal_comma_hint(values: Iterable[object]) -> str | None:
    """A 'what to do' for text such as '1,5' (numbers written with a decimal comma), else None.

    >>> decimal_comma_hint(["1,5", "x"]) is not None, decimal_comma_hint(["n/a"])
    (True, None)
    """
    if any(re.fullmatch(r"\s*[+-]?\d+,\d+\s*", str(v)) for v in list(values)[:20]):
        return ("the numbers are written with a comma: if it is a decimal comma ('1,5'), save the file with '.' as "
                "the decimal mark or as a semicolon-separated CSV (read() converts decimal commas there); if it "
                "separates thousands ('1,234'), save the numbers without separators")
    return None

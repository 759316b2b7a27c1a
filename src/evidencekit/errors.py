"""One error family for the whole library.

Every error a participant can meet is an :class:`EvidenceKitError`. Its message
says three things: what was asked, what went wrong, and what to do next. The
app and the CLI catch this one class and show the message, never a traceback.

>>> try:
...     raise EvidenceKitError("Reading 'lfs.csv'", "column 'wgt' is missing", "pass weight='ilo_wgt'")
... except EvidenceKitError as err:
...     print(err)
Reading 'lfs.csv': column 'wgt' is missing. What to do: pass weight='ilo_wgt'.
"""
from __future__ import annotations


class EvidenceKitError(Exception):
    """Base of every evidencekit error: ``what`` was asked, ``why`` it failed, ``fix`` to try."""

    def __init__(self, what: str, why: str = "", fix: str = "") -> None:
        self.what, self.why, self.fix = what, why, fix
        super().__init__(self._message())

    def _message(self) -> str:
        text = self.what
        if self.why:
            text += f": {self.why}"
        text = text.rstrip(".") + "."
        if self.fix:
            text += f" What to do: {self.fix.rstrip('.')}."
        return text


class InputError(EvidenceKitError, ValueError):
    """A user-supplied value (argument, file, column, code) is not usable."""


class DataSourceError(EvidenceKitError):
    """A data source (ILOSTAT, cache, snapshot, file) could not give an answer."""

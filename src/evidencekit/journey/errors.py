"""Errors of the course journey: a step taken out of turn (a certificate before every module is complete, a
second pre-course assessment), an answer or a name that cannot be used.

>>> str(JourneyError("Issuing your certificate", "module 3 is not complete yet", "finish module 3"))
'Issuing your certificate: module 3 is not complete yet. What to do: finish module 3.'
"""
from __future__ import annotations

from evidencekit.errors import InputError


class JourneyError(InputError):
    """A step of the course journey cannot be taken now, or with these answers (nothing was saved)."""

"""Errors of the course room: a module file that does not validate, a deep link that points nowhere, an answer
that cannot be computed.

Every message names the file, the place (module -> step -> field, with the line when the YAML reader knows it)
and what is expected, so a trainer can fix the file without reading Python.

>>> p = Problem("exercises/module-2.yaml", "learning step 3 (`compare youth rates`), field `indicator`",
...             "'SDG_0852_SEX_AGE_RT' lacks its frequency suffix",
...             "an ILOSTAT id such as SDG_0852_SEX_AGE_RT_A", line=41)
>>> str(p)
"exercises/module-2.yaml, line 41, learning step 3 (`compare youth rates`), field `indicator`: 'SDG_0852_SEX_AGE_RT' lacks its frequency suffix; expected an ILOSTAT id such as SDG_0852_SEX_AGE_RT_A"
"""
from __future__ import annotations

from dataclasses import dataclass

from evidencekit.errors import DataSourceError, InputError


@dataclass(frozen=True)
class Problem:
    """One thing wrong in an exercise file: where it is, what is wrong, what is expected."""

    file: str
    place: str
    message: str
    expected: str = ""
    line: int | None = None

    def __str__(self) -> str:
        where = self.file + (f", line {self.line}" if self.line else "") + (f", {self.place}" if self.place else "")
        return f"{where}: {self.message}" + (f"; expected {self.expected}" if self.expected else "")


class ExerciseError(InputError):
    """An exercise file (or the course folder) is not valid; ``problems`` lists every problem found."""

    def __init__(self, problems: list[Problem] | Problem, fix: str = "") -> None:
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        first = str(self.problems[0]) if self.problems else "no problem given"
        more = len(self.problems) - 1
        why = f"and {more} more problem{'s' if more > 1 else ''} (`evidencekit course check` lists them all)" \
            if more > 0 else ""
        super().__init__(first, why, fix or "correct the file and check it again with `evidencekit course check`")


class LocationError(InputError):
    """A module or step asked for (a deep link such as ``?module=2&step=3``) does not exist."""


class AnswerError(DataSourceError):
    """A data-dependent answer could not be computed (no data, several sources, an unclear query)."""

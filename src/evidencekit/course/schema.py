"""Reading and validating exercise files: YAML with line numbers, and a small declarative schema.

A module file is read with PyYAML's safe loader only (``yaml.SafeLoader``: plain data, no Python objects, no
custom tags). The same safe loader composes the node tree once more to learn the line of every key, so a
problem can say "line 41". Duplicate keys (which YAML would silently collapse to the last one) are refused.

The schema is written as data (:class:`Field`, :class:`Map`, :class:`ListOf`, ...), so every field carries the
sentence that says what it expects; validation collects every problem of a file, not only the first.
Unknown fields are refused with the closest known name ("did you mean `indicator`?").

>>> r = Reader("m.yaml", "title: Youth\\nlearnin: []\\n")
>>> spec = Map({"title": Field(Text(), required=True, doc="the title"),
...             "learning": Field(ListOf(Text()), doc="the steps")})
>>> spec.check(r.data, (), r)
{'title': 'Youth'}
>>> print(r.problems[0])
m.yaml, line 2, field `learnin`: unknown field `learnin` (did you mean `learning`?); expected one of: title, learning
"""
from __future__ import annotations

import difflib
import re
import string
from dataclasses import dataclass, field
from typing import Any, Callable

import yaml

from evidencekit.course.errors import Problem
from evidencekit.ilostat.groups import group_of

Path = tuple  # a place in the document: keys and list positions, e.g. ("learning", 2, "indicator")


class Bad(Exception):
    """Raised by a value check: ``message`` says what is wrong, ``expected`` what would be right."""

    def __init__(self, message: str, expected: str = "") -> None:
        super().__init__(message)
        self.message, self.expected = message, expected


# -- reading YAML with lines ----------------------------------------------------------------------------
class Reader:
    """One exercise file: its data (``yaml.safe_load``), the line of every place, and the problems found."""

    def __init__(self, file: str, text: str) -> None:
        self.file, self.text = file, text
        self.problems: list[Problem] = []
        self.lines: dict[Path, int] = {}
        self.data: Any = None
        try:
            node = yaml.compose(text, Loader=yaml.SafeLoader)
            self.data = yaml.safe_load(text)
        except yaml.YAMLError as err:
            mark = getattr(err, "problem_mark", None)
            what = getattr(err, "problem", None) or str(err).splitlines()[0]
            self.problems.append(Problem(file, "", f"the file is not valid YAML ({what})",
                                         "YAML as in docs/course-authoring.md: `key: value`, lists with `- `, "
                                         "spaces (not tabs) for indentation",
                                         line=mark.line + 1 if mark else None))
            return
        if node is not None:
            self._walk(node, ())

    def _walk(self, node: yaml.Node, path: Path) -> None:
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, int] = {}
            for key_node, value_node in node.value:
                key = key_node.value
                line = key_node.start_mark.line + 1
                if key in seen:
                    self.problems.append(Problem(self.file, self.place(path), f"field `{key}` is written twice "
                                                 f"(lines {seen[key]} and {line}); YAML would keep only the second",
                                                 "each field once", line=line))
                seen[key] = line
                self.lines[path + (key,)] = line
                self._walk(value_node, path + (key,))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                self.lines[path + (i,)] = item.start_mark.line + 1
                self._walk(item, path + (i,))

    def line(self, path: Path) -> int | None:
        """The line of ``path``, or of its nearest parent the reader knows."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return None

    def get(self, path: Path) -> Any:
        node = self.data
        for part in path:
            try:
                node = node[part]
            except (KeyError, IndexError, TypeError):
                return None
        return node

    def place(self, path: Path) -> str:
        """``("learning", 2, "indicator")`` -> "learning step 3 (`compare youth rates`), field `indicator`"."""
        words, rest = [], list(path)
        if len(rest) >= 2 and rest[0] in ("learning", "review") and isinstance(rest[1], int):
            item = self.get(tuple(rest[:2]))
            name = item.get("title") or item.get("id") if isinstance(item, dict) else None
            noun = "learning step" if rest[0] == "learning" else "review question"
            words.append(f"{noun} {rest[1] + 1}" + (f" (`{name}`)" if isinstance(name, str) and name else ""))
            rest = rest[2:]
        elif rest and rest[0] == "introduction":
            words.append("introduction")
            rest = rest[1:]
        if rest:
            text = ""
            for i, part in enumerate(rest):
                if isinstance(part, int):
                    text += f" item {part + 1}"
                else:
                    text += (" → " if i else "") + f"`{part}`"
            words.append("field " + text.strip())
        return ", ".join(words)

    def problem(self, path: Path, message: str, expected: str = "") -> None:
        self.problems.append(Problem(self.file, self.place(path), message, expected, line=self.line(path)))


# -- the schema ----------------------------------------------------------------------------------------
class Spec:
    """A value's rule. ``check`` returns the value made tidy, or reports a problem and returns None."""

    doc = "a value"

    def check(self, value: Any, path: Path, r: Reader) -> Any:
        try:
            return self.tidy(value, path, r)
        except Bad as bad:
            r.problem(path, bad.message, bad.expected or self.doc)
            return None

    def tidy(self, value: Any, path: Path, r: Reader) -> Any:  # pragma: no cover - overridden
        return value


def _shown(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else f"'{value}'"
    return text if len(text) < 80 else text[:77] + "..."


class Text(Spec):
    """A non-empty string (Markdown allowed where the field says so)."""

    def __init__(self, doc: str = "text", *, max_length: int | None = None, pattern: str | None = None,
                 pattern_doc: str = "") -> None:
        self.doc, self.max_length = doc, max_length
        self.pattern = re.compile(pattern) if pattern else None
        self.pattern_doc = pattern_doc

    def tidy(self, value, path, r):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            raise Bad(f"{_shown(value)} is not text")
        value = value.strip()
        if not value:
            raise Bad("is empty")
        if self.max_length and len(value) > self.max_length:
            raise Bad(f"is {len(value)} characters long", f"at most {self.max_length} characters")
        if self.pattern and not self.pattern.fullmatch(value):
            raise Bad(f"{_shown(value)} is not allowed here", self.pattern_doc or self.doc)
        return value


class Slug(Text):
    """A stable identifier: lower-case letters, digits and hyphens (used in links and in saved progress)."""

    def __init__(self, doc: str = "an id of lower-case letters, digits and hyphens, such as `youth-gap`") -> None:
        super().__init__(doc, max_length=60, pattern=r"[a-z0-9]+(?:-[a-z0-9]+)*", pattern_doc=doc)


class Template(Text):
    """Markdown that may quote the computed answer: ``{value}``, ``{area_name}``... (names listed in ``names``)."""

    def __init__(self, doc: str, names: tuple[str, ...]) -> None:
        super().__init__(doc)
        self.names = names

    def tidy(self, value, path, r):
        value = super().tidy(value, path, r)
        try:
            parts = list(string.Formatter().parse(value))
        except ValueError as err:
            raise Bad(f"has a brace that is not closed ({err})",
                      "placeholders written as {value}; write {{ and }} for literal braces") from None
        for _, name, spec, conv in parts:
            if name is None:
                continue
            if name not in self.names or conv:
                raise Bad(f"uses the placeholder {{{name}}}", "one of " + ", ".join("{%s}" % n for n in self.names))
            if spec and not re.fullmatch(r"[,.]?\.?\d*[fd%]?", spec):
                raise Bad(f"formats {{{name}:{spec}}} in a way that is not supported",
                          "a number format such as {value:.1f}")
        return value


class Int(Spec):
    def __init__(self, doc: str = "a whole number", *, low: int | None = None, high: int | None = None) -> None:
        self.doc, self.low, self.high = doc, low, high

    def tidy(self, value, path, r):
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, str) and re.fullmatch(r"\d+", value.strip()):
                value = int(value)
            else:
                raise Bad(f"{_shown(value)} is not a whole number")
        if (self.low is not None and value < self.low) or (self.high is not None and value > self.high):
            raise Bad(f"{value} is out of range", f"a whole number from {self.low} to {self.high}")
        return value


class Number(Spec):
    def __init__(self, doc: str = "a number", *, low: float | None = None, high: float | None = None) -> None:
        self.doc, self.low, self.high = doc, low, high

    def tidy(self, value, path, r):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise Bad(f"{_shown(value)} is not a number", self.doc + " (without quotes or %)")
        if (self.low is not None and value < self.low) or (self.high is not None and value > self.high):
            raise Bad(f"{value} is out of range", f"a number from {self.low} to {self.high}")
        return float(value)


class Bool(Spec):
    doc = "true or false"

    def __init__(self, doc: str = "true or false") -> None:
        self.doc = doc

    def tidy(self, value, path, r):
        if not isinstance(value, bool):
            raise Bad(f"{_shown(value)} is not true or false")
        return value


class Choice(Spec):
    def __init__(self, options: tuple[str, ...], doc: str = "") -> None:
        self.options = options
        self.doc = doc or "one of: " + ", ".join(options)

    def tidy(self, value, path, r):
        if value not in self.options:
            near = difflib.get_close_matches(str(value), self.options, n=1)
            hint = f" (did you mean `{near[0]}`?)" if near else ""
            raise Bad(f"{_shown(value)} is not a known choice{hint}", "one of: " + ", ".join(self.options))
        return value


class OneOrMany(Spec):
    """One value or a list of them -> always a list."""

    def __init__(self, item: Spec, doc: str = "") -> None:
        self.item = item
        self.doc = doc or f"{item.doc}, or a list of them"

    def check(self, value, path, r):
        values = value if isinstance(value, list) else [value]
        if not values:
            r.problem(path, "is an empty list", self.doc)
            return None
        out = [self.item.check(v, path + (i,) if isinstance(value, list) else path, r) for i, v in enumerate(values)]
        return None if any(v is None for v in out) else out


class ListOf(Spec):
    def __init__(self, item: Spec, doc: str = "", *, min_items: int = 0, unique_by: str | None = None) -> None:
        self.item, self.min_items, self.unique_by = item, min_items, unique_by
        self.doc = doc or f"a list of {item.doc}"

    def check(self, value, path, r):
        if not isinstance(value, list):
            r.problem(path, f"{_shown(value)} is not a list", self.doc + " (each item on its own line after `- `)")
            return None
        if len(value) < self.min_items:
            r.problem(path, f"has {len(value)} item{'s' if len(value) != 1 else ''}",
                      f"at least {self.min_items} ({self.doc})")
        out = [self.item.check(v, path + (i,), r) for i, v in enumerate(value)]
        if self.unique_by:
            seen: dict[Any, int] = {}
            for i, v in enumerate(out):
                key = v.get(self.unique_by) if isinstance(v, dict) else None
                if key is None:
                    continue
                if key in seen:
                    r.problem(path + (i, self.unique_by), f"`{key}` is already used by item {seen[key] + 1}",
                              f"a `{self.unique_by}` that no other item of this list has")
                seen.setdefault(key, i)
        return out


@dataclass
class Field:
    """A field of a :class:`Map`: its rule, whether it is required, its default and what it means."""

    spec: Spec
    required: bool = False
    default: Any = None
    doc: str = ""


class Map(Spec):
    """A mapping with known fields. ``rules`` check fields together (e.g. "a figure has `ilostat` or `published`")."""

    def __init__(self, fields: dict[str, Field], doc: str = "", *,
                 rules: tuple[Callable[[dict, Path, Reader], None], ...] = ()) -> None:
        self.fields, self.rules = fields, rules
        self.doc = doc or "fields: " + ", ".join(fields)

    def check(self, value, path, r):
        if not isinstance(value, dict):
            r.problem(path, f"{_shown(value)} is not a set of fields", self.doc + " (written `name: value`)")
            return None
        out: dict[str, Any] = {}
        before = len(r.problems)
        for key in value:
            if key not in self.fields:
                names = [str(k) for k in self.fields]
                near = difflib.get_close_matches(str(key), names, n=1, cutoff=0.6)
                hint = f" (did you mean `{near[0]}`?)" if near else ""
                r.problem(path + (key,), f"unknown field `{key}`{hint}", "one of: " + ", ".join(names))
        for name, f in self.fields.items():
            if name not in value or value[name] is None:
                if f.required:
                    r.problem(path, f"field `{name}` is missing", f.doc or f.spec.doc)
                elif f.default is not None:
                    out[name] = f.default
                continue
            checked = f.spec.check(value[name], path + (name,), r)
            if checked is not None:
                out[name] = checked
        if len(r.problems) == before:
            for rule in self.rules:
                rule(out, path, r)
        return out


class Kinds(Spec):
    """A mapping whose ``kind`` chooses its fields: ``common`` fields plus those of the kind."""

    def __init__(self, common: dict[str, Field], kinds: dict[str, tuple[str, dict[str, Field]]], doc: str,
                 *, rules: dict[str, tuple[Callable, ...]] | None = None) -> None:
        self.common, self.kinds, self.doc = common, kinds, doc
        self.rules = rules or {}

    def check(self, value, path, r):
        if not isinstance(value, dict):
            r.problem(path, f"{_shown(value)} is not a set of fields", self.doc)
            return None
        kind = value.get("kind")
        if kind not in self.kinds:
            names = tuple(self.kinds)
            if kind is None:
                r.problem(path, "field `kind` is missing", "one of: " + ", ".join(names))
            else:
                near = difflib.get_close_matches(str(kind), names, n=1)
                hint = f" (did you mean `{near[0]}`?)" if near else ""
                r.problem(path + ("kind",), f"{_shown(kind)} is not a known kind{hint}", "one of: " + ", ".join(names))
            return None
        fields = {**self.common, "kind": Field(Choice(tuple(self.kinds)), required=True, doc="the kind"),
                  **self.kinds[kind][1]}
        return Map(fields, rules=self.rules.get(kind, ())).check(value, path, r)


# -- values particular to evidencekit ---------------------------------------------------------------------
# ASEAN is not an ILO region: a named group lists its members (Timor-Leste joined in October 2025). The groups
# are the ILOSTAT client's (evidencekit.ilostat.groups); exercises spell them as the course does.
GROUPS: dict[str, tuple[str, ...]] = {name: group_of(name).members for name in ("ASEAN-10", "ASEAN-11")}


class IlostatId(Spec):
    doc = "an ILOSTAT indicator id with its frequency suffix, such as SDG_0852_SEX_AGE_RT_A"

    def tidy(self, value, path, r):
        if not isinstance(value, str) or not value.strip():
            raise Bad(f"{_shown(value)} is not an ILOSTAT id")
        v = value.strip()
        if v != v.upper():
            raise Bad(f"'{v}' is not in capitals", f"ILOSTAT ids are written in capitals, such as {v.upper()}")
        if not re.fullmatch(r"[A-Z0-9]+(?:_[A-Z0-9]+)+", v):
            raise Bad(f"'{v}' is not written like an ILOSTAT id", self.doc)
        if v.rsplit("_", 1)[1] not in ("A", "Q", "M"):
            raise Bad(f"'{v}' lacks its frequency suffix", f"an ILOSTAT id such as {v}_A")
        return v


class AreaCodes(Spec):
    """Reference areas: ISO3 codes (PHL), ILOSTAT aggregates (X86) or a named group (ASEAN-10, ASEAN-11)."""

    doc = ("reference-area codes such as [PHL, IDN] (ISO3, or ILOSTAT's X.. aggregates), "
           "or a group: " + ", ".join(GROUPS))

    def check(self, value, path, r):
        values = value if isinstance(value, list) else [value]
        codes: list[str] = []
        ok = bool(values)
        for i, v in enumerate(values):
            where = path + (i,) if isinstance(value, list) else path
            if isinstance(v, str) and group_of(v) is not None:
                codes.extend(group_of(v).members)
            elif isinstance(v, str) and re.fullmatch(r"[A-Z][A-Z0-9]{2}", v.strip()):
                codes.append(v.strip())
            else:
                near = difflib.get_close_matches(str(v).upper(), list(GROUPS), n=1)
                hint = f" (did you mean `{near[0]}`?)" if near else ""
                r.problem(where, f"{_shown(v)} is not a reference-area code or a known group{hint}", self.doc)
                ok = False
        if not values:
            r.problem(path, "is an empty list", self.doc)
        return list(dict.fromkeys(codes)) if ok else None


class Code(Text):
    """An ILOSTAT classification code such as SEX_F or AGE_YTHADULT_Y15-24."""

    def __init__(self, prefix: str = "", doc: str = "") -> None:
        example = {"SEX_": "SEX_T, SEX_M or SEX_F"}.get(prefix, "AGE_YTHADULT_Y15-24")
        super().__init__(doc or f"an ILOSTAT code such as {example}", pattern=rf"{prefix}[A-Z0-9][A-Z0-9_.+\-]*",
                         pattern_doc=doc or f"an ILOSTAT code such as {example}")


class Year(Int):
    def __init__(self, doc: str = "a year such as 2021") -> None:
        super().__init__(doc, low=1946, high=2100)


class Years(Spec):
    doc = "a period written [first year, last year], such as [2015, 2023]"

    def tidy(self, value, path, r):
        if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) and not isinstance(v, bool)
                                                                    for v in value)):
            raise Bad(f"{_shown(value)} is not a period")
        if value[0] > value[1]:
            raise Bad(f"the period {value[0]}–{value[1]} ends before it starts", f"[{value[1]}, {value[0]}]")
        if value[0] < 1946 or value[1] > 2100:
            raise Bad(f"{value} is out of range", "years from 1946 to 2100")
        return list(value)


class YearOrLatest(Spec):
    doc = "a year such as 2021, or `latest` (each area's latest year with data)"

    def tidy(self, value, path, r):
        if value == "latest":
            return value
        return Year().tidy(value, path, r)


def survey_indicator_names() -> tuple[str, ...]:
    """Names of the indicators :func:`evidencekit.indicators.estimate` computes from microdata."""
    from evidencekit.indicators.definitions import INDICATORS
    return tuple(INDICATORS)


class SurveyIndicator(Spec):
    doc = "a microdata indicator name from evidencekit.indicators.catalogue(), such as informal_employment_rate"

    def tidy(self, value, path, r):
        names = survey_indicator_names()
        if value not in names:
            near = difflib.get_close_matches(str(value), names, n=1)
            hint = f" (did you mean `{near[0]}`?)" if near else ""
            raise Bad(f"{_shown(value)} is not an indicator evidencekit estimates from microdata{hint}")
        return value


class Column(Text):
    def __init__(self, doc: str = "a survey column such as ilo_sex (ILO harmonised names)") -> None:
        super().__init__(doc, pattern=r"[a-z][a-z0-9_]*", pattern_doc=doc)


@dataclass
class Vocabulary:
    """What a trainer may write: every step kind with its fields, every question kind, every answer operation."""

    steps: dict[str, tuple[str, dict[str, Field]]] = field(default_factory=dict)
    step_common: dict[str, Field] = field(default_factory=dict)
    operations: dict[str, tuple[str, dict[str, Field]]] = field(default_factory=dict)

"""The vocabulary of a module file: its parts, the kinds of learning step, the kinds of question, and the
answers computed from data. ``docs/course-authoring.md`` documents the same names; a test keeps the two equal.

>>> sorted(STEP_KINDS)[:3]
['change_over_time', 'code_passages', 'compare_countries']
"""
from __future__ import annotations

from evidencekit.course.answers import OPERATION_PARAMS, OPERATIONS, PLACEHOLDERS
from evidencekit.course.schema import (
    AreaCodes, Bad, Bool, Choice, Code, Column, Field, IlostatId, Int, Kinds, ListOf, Map, Number, OneOrMany, Reader,
    Slug, Spec, SurveyIndicator, Template, Text, Year, YearOrLatest, Years,
)

MD = "Markdown text"
CHARTS = ("line", "bar", "dot", "table")
CHOICES = ("areas", "years", "year", "sex", "classif1", "indicators", "by", "level", "benchmark")
BOARD_ITEMS = ("chart", "table", "estimate", "quote", "note")
REASONS = ("definition", "source", "coverage", "timing", "icls", "method", "revision", "rounding")


# -- shared pieces --------------------------------------------------------------------------------------
def _series() -> dict[str, Field]:
    """The ILOSTAT series a data step starts from (the participant may change what `choose` opens)."""
    return {
        "indicator": Field(IlostatId(), required=True, doc="the ILOSTAT indicator id, such as SDG_0852_SEX_AGE_RT_A"),
        "areas": Field(AreaCodes(), required=True, doc="the areas shown first: codes or a group (ASEAN-10, ASEAN-11)"),
        "sex": Field(OneOrMany(Code("SEX_")), doc="sex code(s): SEX_T, SEX_M, SEX_F"),
        "classif1": Field(OneOrMany(Code()), doc="classification code(s), e.g. AGE_YTHADULT_Y15-24"),
        "classif2": Field(OneOrMany(Code()), doc="second classification code(s)"),
        "source": Field(OneOrMany(Text("an ILOSTAT source code such as BA:629")), doc="ILOSTAT source code(s)"),
        "choose": Field(ListOf(Choice(CHOICES)), doc="what the participant may change: " + ", ".join(CHOICES)),
    }


BOARD = Map({
    "item": Field(Choice(BOARD_ITEMS), required=True, doc="what is saved: " + ", ".join(BOARD_ITEMS)),
    "caption": Field(Text("a suggested caption"), doc="a caption the participant can edit"),
}, doc="what the participant can save to the evidence board from this step")

FIGURE_ILOSTAT = Map({
    "indicator": Field(IlostatId(), required=True),
    "ref_area": Field(AreaCodes(), required=True, doc="one area code"),
    "sex": Field(OneOrMany(Code("SEX_"))), "classif1": Field(OneOrMany(Code())),
    "source": Field(OneOrMany(Text("an ILOSTAT source code such as BA:629"))),
    "year": Field(Year(), required=True),
}, doc="an ILOSTAT figure: indicator, ref_area, year (and sex, classif1, source)")

FIGURE_PUBLISHED = Map({
    "value": Field(Number(), required=True, doc="the published number"),
    "unit": Field(Text(), required=True, doc="its unit, such as %"),
    "period": Field(Text(), required=True, doc="the period it refers to, such as 2021 (annual average)"),
    "publisher": Field(Text(), required=True, doc="who published it, such as Philippine Statistics Authority"),
    "citation": Field(Text(), required=True, doc="where it was published, ready to quote"),
    "definition": Field(Text(MD), doc="the definition the publisher uses"),
    "verified": Field(Text(), doc="how and when the trainer checked the figure against the publisher's release"),
}, doc="a published figure typed in by the trainer, with its source")

FIGURE_SURVEY = Map({
    "survey": Field(Choice(("synthetic",)), required=True, doc="synthetic (the SYNTHETIC training survey)"),
    "indicator": Field(SurveyIndicator(), required=True),
    "by": Field(OneOrMany(Column())), "select": Field(Map({}, doc="column: label")),
}, doc="an estimate from microdata")


def _figure_rule(out: dict, path, r: Reader) -> None:
    kinds = [k for k in ("ilostat", "published", "survey") if k in out]
    if len(kinds) != 1:
        r.problem(path, "a figure needs exactly one of `ilostat`, `published`, `survey`"
                  + (f" (it has {', '.join(kinds)})" if kinds else ""), "one of them")


FIGURE = Map({
    "label": Field(Text(), required=True, doc="how the figure is named on screen"),
    "ilostat": Field(FIGURE_ILOSTAT), "published": Field(FIGURE_PUBLISHED), "survey": Field(FIGURE_SURVEY),
}, doc="a figure to reconcile: label plus one of ilostat, published, survey", rules=(_figure_rule,))

PASSAGE = Map({
    "id": Field(Slug(), required=True), "speaker": Field(Text(), required=True, doc="who speaks, e.g. P3 (woman, street vendor)"),
    "group": Field(Text(), doc="which focus group"), "text": Field(Text(MD), required=True, doc="what was said"),
}, doc="a passage of focus-group notes")

CODE = Map({
    "code": Field(Slug("a code id such as no-contract"), required=True),
    "label": Field(Text(), required=True), "definition": Field(Text(MD), required=True, doc="when to use the code"),
    "example": Field(Text(), doc="a typical phrase"),
}, doc="a code of the codebook")

SECTION = Map({
    "id": Field(Slug(), required=True), "title": Field(Text(), required=True),
    "prompt": Field(Text(MD), required=True, doc="what to write"),
    "words": Field(Int(low=20, high=2000), doc="the suggested maximum number of words"),
}, doc="a section of the brief")

EVENT = Map({"year": Field(Year(), required=True), "label": Field(Text(), required=True)},
            doc="a year to mark on the chart, with a label")


def _between() -> Spec:
    class Between(Spec):
        doc = "one dimension and two of its members, such as {sex: [SEX_F, SEX_M]}"

        def tidy(self, value, path, r):
            if not (isinstance(value, dict) and len(value) == 1):
                raise Bad(f"{value!r} is not one dimension with two members")
            (dim, pair), = value.items()
            if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, (str, int)) for p in pair)
                    and pair[0] != pair[1]):
                raise Bad(f"`{dim}` needs two different members, such as [SEX_F, SEX_M]")
            return {str(dim): [p if isinstance(p, int) else str(p) for p in pair]}
    return Between()


def _gap_rule(out: dict, path, r: Reader) -> None:
    dim = next(iter(out["between"]))
    if dim not in ("sex", "classif1", "classif2", "ref_area"):
        r.problem(path + ("between",), f"`{dim}` is not a dimension a gap can be taken along",
                  "sex, classif1, classif2 or ref_area")


def _choose_rule(allowed: tuple[str, ...]):
    def rule(out: dict, path, r: Reader) -> None:
        for i, c in enumerate(out.get("choose", [])):
            if c not in allowed:
                r.problem(path + ("choose", i), f"`{c}` cannot be chosen in this kind of step",
                          "one of: " + ", ".join(allowed))
    return rule


# -- learning steps ---------------------------------------------------------------------------------------
STEP_COMMON: dict[str, Field] = {
    "id": Field(Slug(), required=True, doc="a stable id (lower-case, hyphens): saved progress and links use it"),
    "title": Field(Text(max_length=90), required=True, doc="a short title"),
    "text": Field(Text(MD), required=True, doc="the explanation shown first (Markdown)"),
    "task": Field(Text(MD), required=True, doc="what the participant does (Markdown)"),
    "hints": Field(ListOf(Text(MD), min_items=1), doc="hints shown one at a time, the gentlest first"),
    "key_points": Field(ListOf(Text(MD), min_items=1), doc="points to keep (memory aids)"),
    "board": Field(BOARD),
}

STEP_KINDS: dict[str, tuple[str, dict[str, Field]]] = {
    "explore": ("look at one ILOSTAT indicator for a few areas over time, as a chart or a table", {
        **_series(),
        "years": Field(Years(), doc="the period shown first, [first, last]"),
        "chart": Field(Choice(CHARTS), default="line", doc="line (default), bar, dot or table"),
    }),
    "compare_countries": ("compare areas on one indicator in one year, optionally against a benchmark", {
        **_series(),
        "year": Field(YearOrLatest(), required=True),
        "benchmark": Field(AreaCodes(), doc="area(s) to compare against, e.g. an ILOSTAT regional aggregate"),
        "chart": Field(Choice(CHARTS), default="bar"),
    }),
    "change_over_time": ("follow a series over a period: a shock and a recovery", {
        **_series(),
        "years": Field(Years(), required=True),
        "base_year": Field(Year(), doc="a year to compare every other year with (e.g. 2019, before COVID-19)"),
        "events": Field(ListOf(EVENT), doc="years to mark on the chart"),
        "chart": Field(Choice(CHARTS), default="line"),
    }),
    "gap": ("the gap between two groups (women and men, youth and adults) for a few areas", {
        **_series(),
        "between": Field(_between(), required=True, doc="the two groups, such as {sex: [SEX_F, SEX_M]}"),
        "years": Field(Years()), "year": Field(YearOrLatest()),
        "chart": Field(Choice(CHARTS), default="bar"),
    }),
    "read_notes": ("read the sources, notes and flags (breaks in series, estimates) behind the figures", {
        **_series(),
        "years": Field(Years()),
        "look_for": Field(ListOf(Choice(("sources", "notes", "flags", "breaks", "vintage", "coverage")), min_items=1),
                          required=True, doc="what to look for: sources, notes, flags, breaks, vintage, coverage"),
    }),
    "estimate": ("estimate indicators from survey microdata with confidence intervals and small-cell warnings", {
        "survey": Field(Choice(("synthetic", "own")), default="synthetic",
                        doc="synthetic (the SYNTHETIC training survey) or own (the participant's file)"),
        "indicators": Field(ListOf(SurveyIndicator(), min_items=1), doc="indicators to estimate"),
        "distribution": Field(Column(), doc="a column whose answers are shown as shares (%) with confidence "
                                            "intervals, e.g. olf_reason_detail"),
        "by": Field(OneOrMany(Column()), doc="break down by these columns, e.g. ilo_sex"),
        "level": Field(Number(low=0.5, high=0.999), default=0.95, doc="confidence level"),
        "min_n": Field(Int(low=1, high=10000), doc="flag cells with fewer unweighted records"),
        "choose": Field(ListOf(Choice(CHOICES))),
        "compare_with": Field(FIGURE_ILOSTAT, doc="a published ILOSTAT figure to set beside the estimate"),
    }),
    "reconcile": ("set two or more figures for the same thing side by side and explain why they differ", {
        "figures": Field(ListOf(FIGURE, min_items=2), required=True, doc="the figures (two or more)"),
        "reasons": Field(ListOf(Choice(REASONS), min_items=1), required=True,
                         doc="the reasons offered to the participant: " + ", ".join(REASONS)),
    }),
    "code_passages": ("tag focus-group passages with a codebook, count themes, quote to the board", {
        "illustrative": Field(Bool(), required=True,
                              doc="true: the notes were written for the course (shown labelled as illustrative)"),
        "context": Field(Text(MD), required=True, doc="who took part, where, when (as written for the exercise)"),
        "codebook": Field(ListOf(CODE, min_items=2, unique_by="code"), required=True),
        "passages": Field(ListOf(PASSAGE, min_items=3, unique_by="id"), required=True),
    }),
    "write": ("write sections of the policy brief, drawing on the evidence board", {
        "sections": Field(ListOf(SECTION, min_items=1, unique_by="id"), required=True),
        "use_board": Field(Bool(), default=True, doc="offer the evidence board's items to cite"),
        "export": Field(ListOf(Choice(("docx", "md", "html"))), doc="export formats offered"),
    }),
}

def _estimate_rule(out: dict, path, r: Reader) -> None:
    if "indicators" not in out and "distribution" not in out:
        r.problem(path, "an estimate step needs `indicators` or `distribution` (or both)",
                  "indicators: [informal_employment_rate], say")


SERIES_KINDS = ("explore", "compare_countries", "change_over_time", "gap", "read_notes")  # steps on an ILOSTAT series

STEP_RULES = {
    "explore": (_choose_rule(("areas", "years", "sex", "classif1")),),
    "compare_countries": (_choose_rule(("areas", "year", "sex", "classif1", "benchmark")),),
    "change_over_time": (_choose_rule(("areas", "years", "sex", "classif1")),),
    "gap": (_gap_rule, _choose_rule(("areas", "years", "year", "classif1", "sex"))),
    "read_notes": (_choose_rule(("areas", "years", "sex", "classif1")),),
    "estimate": (_choose_rule(("indicators", "by", "level")), _estimate_rule),
}

STEP = Kinds(STEP_COMMON, STEP_KINDS, "a learning step: id, title, kind, text, task and the kind's fields",
             rules=STEP_RULES)


# -- answers computed from data ----------------------------------------------------------------------------
ILOSTAT_QUERY = {
    "indicator": Field(IlostatId(), required=True),
    "ref_area": Field(AreaCodes(), required=True),
    "sex": Field(OneOrMany(Code("SEX_"))), "classif1": Field(OneOrMany(Code())), "classif2": Field(OneOrMany(Code())),
    "source": Field(OneOrMany(Text("an ILOSTAT source code such as BA:629"))),
    "year": Field(Year()), "years": Field(Years()),
}
SURVEY_QUERY = {
    "survey": Field(Choice(("synthetic",)), required=True),
    "indicator": Field(SurveyIndicator()),
    "share": Field(Map({"column": Field(Column(), required=True),
                        "value": Field(Text("a value label or code"), required=True)},
                       doc="the share (%) of records with this value of the column, among those where it is known")),
    "by": Field(OneOrMany(Column())),
    "select": Field(Map({}, doc="column: label")),
    "field": Field(Choice(("estimate", "ci_low", "ci_high", "se", "n_obs")), default="estimate"),
    "level": Field(Number(low=0.5, high=0.999), default=0.95),
}


class Query(Spec):
    doc = ("a query: ILOSTAT (indicator, ref_area, sex, classif1, year...) or a survey "
           "(survey: synthetic, indicator or share, by, select, field)")

    def check(self, value, path, r):
        if isinstance(value, dict) and "survey" in value:
            select = value.get("select")
            fields = dict(SURVEY_QUERY)
            if isinstance(select, dict):  # select takes any by-column
                fields["select"] = Field(Map({k: Field(Text()) for k in select}))
            out = Map(fields).check(value, path, r)
            if out is not None and ("indicator" in out) == ("share" in out):
                r.problem(path, "a survey query needs exactly one of `indicator` and `share`", "one of them")
            if out is not None and "by" not in out and out.get("select"):
                r.problem(path + ("select",), "`select` needs `by`", "the by-columns to select from")
            return out
        out = Map(ILOSTAT_QUERY).check(value, path, r)
        if out is not None and "year" in out and "years" in out:
            r.problem(path, "the query has both `year` and `years`", "one of them")
        return out


def _answer_rule(out: dict, path, r: Reader) -> None:
    op = out["operation"]
    allowed = set(OPERATION_PARAMS[op])
    for name in ("over", "of", "order", "from", "to", "between"):
        if name in out and name not in allowed:
            r.problem(path + (name,), f"`{name}` is not used by the operation `{op}`",
                      f"for `{op}`: " + (", ".join(sorted(allowed)) or "no parameter"))
    for name in {"change": ("from", "to"), "percent_change": ("from", "to"), "gap": ("between",),
                 "rank": ("of",)}.get(op, ()):
        if name not in out:
            r.problem(path, f"the operation `{op}` needs `{name}`", OPERATIONS[op])
    q = out["query"]
    if "survey" not in q:
        if op in ("value", "max", "min", "rank", "gap") and "year" not in q:
            r.problem(path + ("query",), f"the operation `{op}` needs one `year` in the query", "year: 2021, say")
        if op in ("value", "latest", "change", "percent_change", "gap") and len(q.get("ref_area", [])) != 1 \
                and out.get("over", "") != "ref_area" and not (op == "gap" and "ref_area" in out.get("between", {})):
            r.problem(path + ("query", "ref_area"), f"the operation `{op}` needs one area", "one area code")
        if op in ("max", "min", "rank") and out.get("over", "ref_area") == "ref_area" and len(q.get("ref_area", [])) < 2:
            r.problem(path + ("query", "ref_area"), f"the operation `{op}` compares areas but the query has one",
                      "two or more areas, or a group such as ASEAN-10")
    else:
        if op in ("latest", "change", "percent_change"):
            r.problem(path + ("operation",), f"`{op}` looks along years; a survey has one period", "value, max, min, rank or gap")
        if op == "gap":
            dim = next(iter(out["between"]))
            if dim not in q.get("by", []):
                r.problem(path + ("between",), f"`{dim}` is not one of the query's `by` columns", f"add by: {dim}")
    if op == "rank" and "survey" not in q and out.get("over", "ref_area") == "ref_area" \
            and out["of"] not in q.get("ref_area", []):
        r.problem(path + ("of",), f"`{out['of']}` is not among the query's areas", "one of " + ", ".join(q["ref_area"]))


ANSWER = Map({
    "query": Field(Query(), required=True, doc="which figures"),
    "operation": Field(Choice(tuple(OPERATIONS)), required=True, doc="what to compute: " + ", ".join(OPERATIONS)),
    "over": Field(Text("a dimension such as ref_area, time, sex, or a by-column")),
    "of": Field(Text("the member whose rank is asked, such as PHL")),
    "order": Field(Choice(("descending", "ascending")), doc="descending (1 = highest, default) or ascending"),
    "from": Field(Year()), "to": Field(Year()),
    "between": Field(_between(), doc="two members, such as {sex: [SEX_F, SEX_M]}"),
}, doc="an answer computed from data: query, operation and its parameters", rules=(_answer_rule,))


class Answer(Spec):
    """A number typed by the trainer (not data-dependent) or an answer computed from data."""

    doc = "a number, or a computed answer (query + operation)"

    def check(self, value, path, r):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return {"value": float(value)}
        if isinstance(value, dict):
            return ANSWER.check(value, path, r)
        r.problem(path, f"{value!r} is not an answer", self.doc)
        return None


# -- review questions --------------------------------------------------------------------------------------
OPTION = Map({
    "id": Field(Slug("an option id such as a, b, phl"), required=True),
    "text": Field(Text(MD), required=True),
    "correct": Field(Bool(), doc="true for a right option (not with a computed answer)"),
    "value": Field(Text("the area code or group this option stands for, e.g. PHL"),
                   doc="for a computed answer: the value that makes this option right"),
    "feedback": Field(Text(MD), doc="said when this option is chosen"),
}, doc="an option: id, text, correct or value, feedback")

EXPLAIN = Template("the explanation (Markdown; may quote the computed answer as {value}, {area_name}, {year}...)",
                   PLACEHOLDERS)


def _question_rule(out: dict, path, r: Reader) -> None:
    kind, options, answer = out["kind"], out.get("options", []), out.get("answer")
    computed = isinstance(answer, dict) and "operation" in answer
    if kind in ("single", "multiple"):
        if len(options) < 2:
            r.problem(path + ("options",), "a choice question needs options", "two or more options")
            return
        if computed:
            if kind == "multiple":
                r.problem(path + ("answer",), "a multiple-choice question cannot have a computed answer",
                          "a single-choice question, or options marked `correct: true`")
            if answer and answer.get("operation") not in ("max", "min"):
                r.problem(path + ("answer", "operation"), "a choice answer must name a member (max or min)",
                          "max or min; for a number use kind: numeric")
            for i, o in enumerate(options):
                if "value" not in o:
                    r.problem(path + ("options", i), "an option of a computed question needs `value`",
                              "the code that makes it right, such as PHL")
                if "correct" in o:
                    r.problem(path + ("options", i, "correct"), "`correct` is computed from the data here",
                              "no `correct`; give `value` instead")
        else:
            if answer is not None:
                r.problem(path + ("answer",), "a choice question gives its answer with `correct: true` on options",
                          "no `answer`, or a computed answer (query + operation)")
            right = [o for o in options if o.get("correct")]
            if kind == "single" and len(right) != 1:
                r.problem(path + ("options",), f"{len(right)} options are marked correct",
                          "exactly one `correct: true`")
            if kind == "multiple" and not right:
                r.problem(path + ("options",), "no option is marked correct", "at least one `correct: true`")
            for i, o in enumerate(options):
                if "value" in o:
                    r.problem(path + ("options", i, "value"), "`value` is only for computed answers", "no `value`")
    else:  # numeric
        if options:
            r.problem(path + ("options",), "a numeric question has no options", "no `options`")
        if answer is None:
            r.problem(path, "field `answer` is missing", "a number, or a computed answer (query + operation)")
        elif computed and answer.get("operation") in ("max", "min"):
            r.problem(path + ("answer", "operation"), f"`{answer['operation']}` gives a member, not a number",
                      "value, latest, rank, change, percent_change or gap; for max/min use kind: single")


QUESTION = Map({
    "id": Field(Slug(), required=True, doc="a stable id (answers are saved under it)"),
    "kind": Field(Choice(("single", "multiple", "numeric")), required=True,
                  doc="single (one right option), multiple (every right option), numeric (a number)"),
    "prompt": Field(Text(MD), required=True, doc="the question (Markdown)"),
    "options": Field(ListOf(OPTION, unique_by="id")),
    "answer": Field(Answer()),
    "unit": Field(Text(), doc="the unit of a numeric answer, such as % or percentage points"),
    "decimals": Field(Int(low=0, high=4), default=1, doc="decimals shown (default 1)"),
    "tolerance": Field(Number(low=0), doc="how far a numeric answer may be (default: half of the last decimal)"),
    "explanation": Field(EXPLAIN, required=True),
    "allow_retry": Field(Bool(), default=True, doc="may the participant try again (default true)"),
}, doc="a review question", rules=(_question_rule,))


# -- the module file ---------------------------------------------------------------------------------------
INTRODUCTION = Map({
    "purpose": Field(Text(MD), required=True, doc="why this module matters"),
    "objectives": Field(ListOf(Text(MD), min_items=2), required=True, doc="what the participant will be able to do"),
    "at_work": Field(Text(MD), required=True, doc="how it applies at work"),
    "policy_question": Field(Text(MD), doc="the policy question of the case study"),
    "produce": Field(Text(MD), doc="what the participant will produce for the brief"),
    "data": Field(ListOf(Text()), doc="the data used, one line each"),
}, doc="purpose, objectives, at_work (and policy_question, produce, data)")


def _module_rule(out: dict, path, r: Reader) -> None:
    steps = out.get("learning", [])
    questions = out.get("review", [])
    if steps:
        ids = [s.get("id") for s in steps if s]
        for i, sid in enumerate(ids):
            if sid in ids[:i]:
                r.problem(("learning", i, "id"), f"the id `{sid}` is used by another step", "a unique id")
        hands_on = [s for s in steps if s and s.get("kind") not in ("write",)]
        if len(hands_on) < 3:
            r.problem(("learning",), f"{len(hands_on)} hands-on steps", "at least 3 steps on data")
    if questions:
        ids = [q.get("id") for q in questions if q]
        for i, qid in enumerate(ids):
            if qid in ids[:i]:
                r.problem(("review", i, "id"), f"the id `{qid}` is used by another question", "a unique id")
        if not any(isinstance(q.get("answer"), dict) and "operation" in q["answer"] for q in questions if q):
            r.problem(("review",), "no question has an answer computed from data",
                      "at least one question with `answer: {query: ..., operation: ...}`")


MODULE = Map({
    "module": Field(Int(low=1, high=99), required=True, doc="the module number (1 to 6): links use it"),
    "title": Field(Text(max_length=90), required=True),
    "case_study": Field(Text(max_length=120), required=True),
    "time": Field(Text(), doc="estimated time, such as about 3 hours"),
    "introduction": Field(INTRODUCTION, required=True),
    "learning": Field(ListOf(STEP, min_items=3), required=True, doc="the learning steps (three or more)"),
    "key_points": Field(ListOf(Text(MD), min_items=2), required=True, doc="the module's points to keep"),
    "review": Field(ListOf(QUESTION, min_items=4), required=True, doc="the review questions (four or more)"),
    "next": Field(Text(MD), doc="what comes next"),
}, doc="a module file: module, title, case_study, introduction, learning, key_points, review", rules=(_module_rule,))

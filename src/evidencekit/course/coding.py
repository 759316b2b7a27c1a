"""Coding focus-group passages (the ``code_passages`` step): check a participant's tags, count themes, and turn
a passage into an evidence-board quotation with its citation.

Tags are what the participant chose, kept by the store as the step's work: ``{passage id: [code, ...]}``.
Counting is done here (pure), so the app only draws the table.

>>> from evidencekit.course.model import load_course
>>> step = next(s for s in load_course().module(3).steps if s.kind == "code_passages")
>>> tags = {"p1": ["care-duties"], "p8": ["care-duties", "income-insecurity"], "p5": ["income-insecurity"]}
>>> theme_counts(step, tags)[["code", "passages"]].head(2).values.tolist()
[['care-duties', 2], ['income-insecurity', 2]]
>>> quotation(step, "p1")["citation"].startswith("Illustrative focus-group notes written for the course")
True
"""
from __future__ import annotations

import pandas as pd

from evidencekit.course.errors import LocationError
from evidencekit.course.model import Step


def _check_step(step: Step) -> None:
    if step.kind != "code_passages":
        raise LocationError(f"Step {step.number} ({step.title})", "is not a coding step", "use a code_passages step")


def check_tags(step: Step, tags: dict) -> dict[str, list[str]]:
    """The participant's tags made tidy: known passages and codes only, each code once, in codebook order.
    Unknown passage ids or codes are refused with :class:`LocationError` (a stale page after the file changed)."""
    _check_step(step)
    passages = {p["id"] for p in step.params["passages"]}
    codes = [c["code"] for c in step.params["codebook"]]
    out: dict[str, list[str]] = {}
    for pid, chosen in (tags or {}).items():
        if pid not in passages:
            raise LocationError(f"The passage {pid!r}", "is not in this step", "reload the page")
        chosen = [chosen] if isinstance(chosen, str) else list(chosen or [])
        unknown = [c for c in chosen if c not in codes]
        if unknown:
            raise LocationError(f"The code(s) {', '.join(map(repr, unknown))}", "are not in the codebook",
                                "choose codes from the codebook: " + ", ".join(codes))
        if chosen:
            out[pid] = [c for c in codes if c in chosen]
    return out


def theme_counts(step: Step, tags: dict) -> pd.DataFrame:
    """How many passages carry each code, in total and per group (one column per group), most frequent first;
    codes never used are listed with 0 — an absent theme is a finding too."""
    tidy = check_tags(step, tags)
    groups = list(dict.fromkeys(p.get("group") or "all" for p in step.params["passages"]))
    group_of = {p["id"]: p.get("group") or "all" for p in step.params["passages"]}
    rows = []
    for c in step.params["codebook"]:
        tagged = [pid for pid, codes in tidy.items() if c["code"] in codes]
        row = {"code": c["code"], "label": c["label"], "passages": len(tagged)}
        for g in groups:
            row[g] = sum(group_of[pid] == g for pid in tagged)
        rows.append(row)
    out = pd.DataFrame(rows, columns=["code", "label", "passages", *groups])
    out = out.sort_values("passages", ascending=False, kind="stable").reset_index(drop=True)
    out.attrs["provenance"] = _provenance(step)
    out.attrs["tagged_passages"] = len(tidy)
    out.attrs["total_passages"] = len(step.params["passages"])
    return out


def quotation(step: Step, passage_id: str) -> dict:
    """An evidence-board item (``kind="quote"``) for one passage: exact words, speaker code, group, citation."""
    _check_step(step)
    p = next((p for p in step.params["passages"] if p["id"] == passage_id), None)
    if p is None:
        raise LocationError(f"The passage {passage_id!r}", "is not in this step", "reload the page")
    prov = _provenance(step)
    return {"kind": "quote", "title": f"{p['speaker']}: “{p['text'][:60]}{'…' if len(p['text']) > 60 else ''}”",
            "payload": {"text": p["text"], "speaker": p["speaker"], "group": p.get("group"), "passage": p["id"],
                        "illustrative": step.params["illustrative"], "provenance": prov},
            "citation": prov["citation"], "module": step.module, "step": step.id}


def _provenance(step: Step) -> dict:
    if step.params["illustrative"]:
        citation = (f"Illustrative focus-group notes written for the course (module {step.module}, step "
                    f"'{step.title}'); not a record of real people")
    else:
        citation = f"Focus-group notes (module {step.module}, step '{step.title}')"
    return {"kind": "user", "citation": citation, "publisher": None, "licence": None, "dataset": step.key,
            "vintage": None, "retrieved_at": None, "illustrative": step.params["illustrative"]}

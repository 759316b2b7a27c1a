"""The brief editor: the participant's policy brief built on their evidence board, checked and exported by
:class:`evidencekit.brief.PolicyBrief` (DOCX, Markdown, HTML). The draft is kept in the store (journey record
``brief_topic`` / ``draft``), so the Brief builder page and module 6 edit the same brief."""
from __future__ import annotations

import functools
import json

import streamlit as st

from ui import board, context, data, files, words

DRAFT = ("brief_topic", "draft")
SAVE_FIRST = ("**Save before you leave the page:** what you type is kept when you press *Save and check my brief*; "
              "text not saved yet is lost if you open another page first.")  # a form's text reaches us on saving
FIELDS = ("title", "audience", "author", "problem", "key_messages", "policy_options", "recommendations", "evidence")


def draft() -> dict:
    rec = [r for r in context.participant().records(DRAFT[0]) if r["key"] == DRAFT[1]]
    return dict(rec[0]["payload"]) if rec else {}


def lines(text: str) -> list[str]:
    """Non-empty lines of a text box, a leading '-' or '•' dropped.

    >>> lines("- Act now [E1]\\n\\n• Fund it [E1, E2]")
    ['Act now [E1]', 'Fund it [E1, E2]']
    """
    out = []
    for line in str(text or "").splitlines():
        line = line.strip().lstrip("-•*").strip()
        if line:
            out.append(line)
    return out


def build(d: dict, rows: list[dict]):
    """The :class:`evidencekit.brief.PolicyBrief` of a draft on the participant's board rows."""
    from evidencekit.brief import PolicyBrief

    ev_board = board.as_evidence_board(rows)
    have = [i.id for i in ev_board.items]
    chosen = d.get("evidence")
    evidence = [e for e in chosen if e in have] if isinstance(chosen, list) else None
    return PolicyBrief(title=d.get("title") or "My policy brief", audience=d.get("audience") or "",
                       problem=d.get("problem") or "", key_messages=lines(d.get("key_messages", "")),
                       policy_options=lines(d.get("policy_options", "")),
                       recommendations=lines(d.get("recommendations", "")), author=d.get("author") or "",
                       board=ev_board, evidence=evidence)


def _summary(d: dict, rows: list[dict]) -> tuple:
    """The brief's checklist, length in pages and counts of items and references."""
    brief = build(d, rows)
    return brief.check(), brief.pages(), len(brief.items()), len(brief.references())


def _summary_key(d: dict, rows: list[dict]) -> tuple:
    """What the summary depends on: the draft, and each board item as stored (id, last change, caption)."""
    return ("summary", json.dumps(d, sort_keys=True, default=str),
            tuple((r.get("item_id"), str(r.get("updated_at")), r.get("title")) for r in rows))


def _bytes(d: dict, rows: list[dict], suffix: str) -> bytes:
    return files.brief_bytes(build(d, rows), suffix)


def editor(prefix: str = "brief") -> None:
    """The brief's form, its checklist and its downloads."""
    me = context.participant()
    d = draft()
    rows = board.evidence_rows(me.board())
    ids = [r["payload"]["evidence"]["id"] for r in rows]
    titles = {r["payload"]["evidence"]["id"]: r["title"] for r in rows}
    if not rows:
        st.info("Your evidence board is empty. Save charts, tables, estimates or quotations from the modules, the "
                "Data explorer or the Microdata workbench; they appear here with their citations.",
                icon=":material/dashboard:")
    with st.form(f"{prefix}-form"):
        title = st.text_input("Title", value=d.get("title", ""), key=f"{prefix}-title",
                              placeholder="e.g. Young people out of work in four ASEAN countries")
        with st.container(horizontal=True):  # side by side: one block, where two columns were three
            audience = st.text_input("Audience (who will read it)", value=d.get("audience", ""), key=f"{prefix}-aud",
                                     placeholder="e.g. Adviser to the Minister of Labour")
            author = st.text_input("Author", value=d.get("author", ""), key=f"{prefix}-author")
        problem = st.text_area("The problem", value=d.get("problem", ""), key=f"{prefix}-problem",
                               placeholder="What is wrong, for whom, how big — with your headline figure.")
        messages = st.text_area("Key messages (one per line)", value=d.get("key_messages", ""), key=f"{prefix}-msg")
        options = st.text_area("Policy options (one per line; cite evidence as [E1])",
                               value=d.get("policy_options", ""), key=f"{prefix}-opt")
        recs = st.text_area("Recommendations (one per line; each ends with its evidence, e.g. [E1, E2])",
                            value=d.get("recommendations", ""), key=f"{prefix}-rec")
        chosen = d.get("evidence")
        evidence = st.multiselect("Evidence in the brief, in this order", ids,
                                  default=[e for e in chosen if e in ids] if isinstance(chosen, list) else ids,
                                  format_func=lambda e: f"{e} · {titles.get(e, '')}", key=f"{prefix}-ev")
        saved = st.form_submit_button("Save and check my brief", type="primary", icon=":material/fact_check:")
    if saved:
        d = {"title": title, "audience": audience, "author": author, "problem": problem, "key_messages": messages,
             "policy_options": options, "recommendations": recs, "evidence": evidence}
        me.put_record(*DRAFT, d)
        st.success("Your brief is saved.", icon=":material/check:")
    if not d:
        st.caption("Write the parts of your brief above and save it: the checklist and the downloads appear here.")
        return
    checks, pages, items, refs = data.kept(f"{prefix}-memo", _summary_key(d, rows), lambda: _summary(d, rows))
    st.markdown(checklist(checks) + f"\n\n:small[:gray[About {pages:g} pages · {items} evidence items · "
                                    f"{refs} references]]")
    name = files.safe_name(d.get("title") or "policy brief", "")

    def download(suffix: str, label: str, **how) -> None:
        st.download_button(label, functools.partial(_bytes, dict(d), list(rows), suffix), file_name=name + suffix,
                           mime=files.MIME[suffix], on_click="ignore", key=f"{prefix}-dl{suffix}",
                           icon=":material/download:", **how)

    with st.container(horizontal=True):  # Word at hand; the other formats in a menu drawn when it is opened
        download(".docx", "Download the brief (Word)", type="primary")
        menu = st.popover("Other formats", key=f"{prefix}-formats", on_change="rerun")
        if menu.open:
            with menu:
                download(".md", "Markdown", width="stretch")
                download(".html", "Web page (HTML)", width="stretch")


def checklist(checks) -> str:
    """The brief checklist as one Markdown text (one element: a save redraws it whole): a line a check with its
    mark, and under a check not met yet the first five places it names (the participant's words as typed).

    >>> from evidencekit.brief.checks import Check
    >>> text = checklist([Check("audience", True, "A reader"), Check("cited", False, "Cite", ["R1: [E9"])])
    >>> for part in text.split("\\n\\n"):
    ...     print(repr(part))
    '**Checklist**'
    ':material/check_circle: A reader'
    ':material/radio_button_unchecked: Cite  \\n:small[:gray[— R1\\\\: \\\\[E9]]'
    """
    parts = ["**Checklist**"]
    for c in checks:  # the participant's words in them shown as typed (words.literal), never read as markup
        mark = ":material/check_circle:" if c.ok else ":material/radio_button_unchecked:"
        parts.append("  \n".join([f"{mark} {words.literal(c.message)}"] + [
            f":small[:gray[— {words.literal(detail)}]]" for detail in ((c.details or [])[:5] if not c.ok else [])]))
    return "\n\n".join(parts)

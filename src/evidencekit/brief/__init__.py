"""The policy brief: an evidence board of cited items, and a brief built on it, exported to Word, Markdown, HTML.

- :class:`EvidenceBoard` — charts, tables, estimates with CIs, reconciliations and quotations, each with its
  citation and caption; saved and restored as JSON (``docs/brief.md`` has the schema).
- :class:`PolicyBrief` — title, audience, problem, key messages, evidence, policy options, recommendations;
  ``to_docx``, ``to_markdown``, ``to_html``; references from every item's provenance, deduplicated; a length
  estimate against the usual 2–4 pages and a checklist (:meth:`PolicyBrief.check`).

>>> board = EvidenceBoard()
>>> q = board.add_quote("We work, but nothing is written down.", "Focus group, market vendors, 2026 (own notes)")
>>> brief = PolicyBrief(title="Informal work", audience="Adviser to the Minister", board=board,
...                     recommendations=["Register small traders [E1]"])
>>> brief.references()
['Focus group, market vendors, 2026 (own notes). Typed in by the user.']
"""
from __future__ import annotations

from evidencekit.brief.board import EvidenceBoard, Item
from evidencekit.brief.checks import Check
from evidencekit.brief.policy import Option, Point, PolicyBrief, Recommendation

__all__ = ["EvidenceBoard", "Item", "PolicyBrief", "Point", "Option", "Recommendation", "Check"]

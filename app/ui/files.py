"""Bytes for downloads, written by the library's own writers (no Streamlit here).

``evidencekit.export.write`` (CSV/XLSX, formula-safe, with the citation), ``evidencekit.charts.save``
(PNG/SVG with the alt text and source in the file) and ``PolicyBrief.to_docx`` / ``write`` write files; the
app hands their bytes to the browser. Each writes into a private temporary folder that is removed at once.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

MIME = {
    ".csv": "text/csv",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".md": "text/markdown",
    ".html": "text/html",
    ".json": "application/json",
}


def _written(write, name: str) -> bytes:
    with tempfile.TemporaryDirectory(prefix="evidencekit-download-") as tmp:
        path = Path(tmp) / name
        write(path)
        return path.read_bytes()


def frame_bytes(df, suffix: str) -> bytes:
    """``df`` as CSV or XLSX, written by :func:`evidencekit.export.write` (formula-safe, cited)."""
    from evidencekit import export

    return _written(lambda p: export.write(df, p), f"figures{suffix}")


def figure_bytes(fig, suffix: str) -> bytes:
    """A chart as PNG or SVG, written by :func:`evidencekit.charts.save` (alt text and source inside)."""
    from evidencekit import charts

    return _written(lambda p: charts.save(fig, p), f"chart{suffix}")


def brief_bytes(brief, suffix: str) -> bytes:
    """A :class:`evidencekit.brief.PolicyBrief` as DOCX, Markdown or HTML."""
    if suffix == ".docx":
        return _written(brief.to_docx, "brief.docx")
    if suffix == ".html":
        return brief.to_html().encode("utf-8")
    return brief.to_markdown().encode("utf-8")


def safe_name(text: str, suffix: str) -> str:
    """A file name from a title: letters, digits and hyphens, at most 60 characters.

    >>> safe_name("Youth unemployment, ASEAN (2019)!", ".png")
    'youth-unemployment-asean-2019.png'
    """
    import re

    stem = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60].strip("-") or "evidencekit"
    return stem + suffix

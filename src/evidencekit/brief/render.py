"""The brief's blocks (:meth:`PolicyBrief.blocks`) as Word (python-docx), Markdown and HTML.

Text from users and data (titles, labels, quotations) is escaped in HTML and Markdown, so a label such as
``<script>`` is shown, never run. Charts keep their alt text in every format (Word: the picture's description).
"""
from __future__ import annotations

import base64
import html as _html
import io
import math
from pathlib import Path

from evidencekit.brief.board import Item
from evidencekit.errors import InputError

CSS = """body{font-family:Calibri,Arial,sans-serif;max-width:46em;margin:2em auto;padding:0 1em;color:#1a1a1a;
line-height:1.45}h1{font-size:1.8em;margin-bottom:.2em}h2{border-bottom:2px solid #0072B2;padding-bottom:.15em;
margin-top:1.6em}.meta{color:#555;font-style:italic}.note{background:#fff4e5;border-left:4px solid #E69F00;
padding:.5em .8em}figure{margin:1.2em 0}figure img{max-width:100%}figcaption,.caption{font-weight:bold}
.source{font-size:.85em;color:#444;font-style:italic}table{border-collapse:collapse;margin:.6em 0;font-size:.9em}
th,td{border:1px solid #bbb;padding:.25em .5em;text-align:left}th{background:#eef4fa}blockquote{font-style:italic;
border-left:4px solid #56B4E9;margin:1em 0;padding:.2em 1em}"""


def cell(value: object, decimals: int = 1) -> str:
    """A table cell as text: numbers to ``decimals`` places (small ones to two), missing as '–', True as 'yes'."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, int):
        return f"{value:,}" if abs(value) >= 10000 else str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) >= 1000:
            return f"{value:,.0f}"
        return f"{value:,.{places(value, decimals)}f}"
    return str(value)


def places(value: float, decimals: int = 1) -> int:
    """The decimals :func:`cell` writes ``value`` with: ``decimals``, or two for a value under 1 (0.05, not 0.1)."""
    return decimals if abs(value) >= 1 or value == 0 else max(decimals, 2)


def cells(rows: list[list[object]], decimals: int = 1, together: list[int] | None = None) -> list[list[str]]:
    """A table's cells as text (:func:`cell`), one rule per column for whole numbers: a column with a count of
    10,000 or more writes each of its counts of 1,000 or more with a separator too ('12,481' above '9,437', not
    '9437'); a column of years (all under 10,000) keeps them as years. The columns ``together`` (an estimate
    and its interval's ends) are written with the first one's decimals in each row: '-0.25 (-1.00 to 0.51)',
    not '-0.25, -1.0, 0.51'.

    >>> cells([[2022, 12481], [2023, 9437]])
    [['2022', '12,481'], ['2023', '9,437']]
    >>> cells([["Gap", -0.25, -1.0, 0.51]], together=[1, 2, 3])
    [['Gap', '-0.25', '-1.00', '0.51']]
    """
    def whole(v: object) -> bool:
        return isinstance(v, int) and not isinstance(v, bool)

    big = {i for row in rows for i, v in enumerate(row) if whole(v) and abs(v) >= 10000}
    out = []
    for row in rows:
        text = [f"{v:,}" if i in big and whole(v) else cell(v, decimals) for i, v in enumerate(row)]
        first = row[together[0]] if together else None
        if isinstance(first, (int, float)) and not isinstance(first, bool) and math.isfinite(first):
            d = places(first, decimals)
            for i in together[1:]:
                if isinstance(row[i], float) and math.isfinite(row[i]):
                    text[i] = f"{row[i]:,.{d}f}"
        out.append(text)
    return out


TABLE_WIDTH_IN = 6.3
CHARS_PER_IN = 13.0  # 9.5 pt text in a table cell


def column_widths(cols: list[str], rows: list[list[str]], total: float = TABLE_WIDTH_IN) -> list[float]:
    """Column widths (inches) in proportion to the longest word and the typical length of each column."""
    widths = []
    for j, name in enumerate(cols):
        texts = [name] + [r[j] for r in rows]
        longest_word = max(len(w) for t in texts for w in (str(t).split() or [""]))
        typical = sorted(len(str(t)) for t in texts)[int(0.8 * (len(texts) - 1))]
        widths.append(max(longest_word + 1.5, min(typical, 40) * 0.8, 4))
    scale = total / sum(widths)
    return [w * scale for w in widths]


def table_lines(cols: list[str], rows: list[list[str]]) -> int:
    """Printed lines a table takes (header and rows, wrapped at the widths :func:`column_widths` gives)."""
    widths = column_widths(cols, rows)
    n = 0
    for row in [cols] + rows:
        n += max(max(1, -(-len(str(v)) // max(1, int(w * CHARS_PER_IN - 1)))) for v, w in zip(row, widths))
    return n


def _rows(item: Item) -> tuple[list[str], list[list[str]]]:
    t = item.content["table"]
    d = int(item.content.get("decimals", 1))
    return [str(c) for c in t["columns"]], cells(t["rows"], d, t.get("together"))


def _caption(item: Item, label: str) -> str:
    return f"{label}. {item.caption}" if item.caption else label


def _extra_lines(item: Item) -> list[str]:
    """Lines printed under an item: notes, a reconciliation's differences, rule and choice."""
    c = item.content
    lines: list[str] = []
    if item.type == "table":
        lines += [str(n) for n in c.get("notes") or []]
    if item.type == "estimate":
        lines.append(f"CI: {round(100 * float(c.get('level', 0.95)))}% confidence interval (design-based: weights, "
                     "strata and PSUs).")
        lines += [str(n) for n in c.get("notes") or []]
    if item.type == "reconcile":
        ci = any("–" in str(v) and "(" in str(v) for row in c["table"]["rows"] for v in row)
        if ci:
            lines.append("Values in brackets: the survey estimate's confidence interval.")
        for sr in c.get("series") or []:
            lines.append(f"{sr['series']}: {sr['definition']}; computed by {sr['computed_by']}"
                         + (f"; release {sr['vintage']}" if sr.get("vintage") not in (None, "", "unknown",
                                                                                      "not stated", "not applicable")
                            else "") + ".")
        for d in c.get("differences") or []:
            lines.append(f"{d['aspect'].capitalize()} ({d['years']}): {d['detail']} {d['explanation']}".strip())
        rule = c.get("rule") or {}
        if rule:
            lines.append(f"Rule: {rule.get('label')}. {rule.get('why')}")
        ch = c.get("choice") or {}
        by_choice: dict[tuple, list[str]] = {}
        for row in ch.get("rows", []):
            t, fig, val, why = row
            by_choice.setdefault((fig, why), []).append(f"{t}" + (f" ({cell(val)})" if val is not None else ""))
        for (fig, why), years in by_choice.items():
            lines.append((f"Chosen: {fig} — " if fig != "none" else "Left empty: ") + f"{', '.join(years)}. {why}")
        lines += [str(n) for n in c.get("notes") or []]
    return lines


# -- Word ------------------------------------------------------------------------------------------------------

def docx(brief, path: Path, *, image_width_in: float = 6.0) -> Path:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Inches, Pt, RGBColor

    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.size = Pt(11)
    styles = {s.name for s in doc.styles}
    table_style = "Light Grid Accent 1" if "Light Grid Accent 1" in styles else "Table Grid"

    def small(text: str, italic: bool = True, size: float = 9) -> None:
        p = doc.add_paragraph()
        r = p.add_run(text)
        r.italic, r.font.size = italic, Pt(size)
        r.font.color.rgb = RGBColor(0x44, 0x44, 0x44)

    for block in brief.blocks():
        kind = block[0]
        if kind == "title":
            doc.add_heading(block[1], level=0)
        elif kind == "meta":
            p = doc.add_paragraph()
            p.add_run(block[1]).italic = True
        elif kind == "note":
            p = doc.add_paragraph()
            r = p.add_run("Note: ")
            r.bold = True
            p.add_run(block[1]).bold = True
        elif kind == "heading":
            doc.add_heading(block[1], level=1)
        elif kind == "para":
            doc.add_paragraph(block[1])
        elif kind == "bullets":
            for text in block[1]:
                doc.add_paragraph(text, style="List Bullet")
        elif kind == "numbered":  # numbered by hand: Word's list numbering would run on from one list to the next
            for n, text in enumerate(block[1], start=1):
                p = doc.add_paragraph(f"{n}. {text}")
                p.paragraph_format.left_indent = Inches(0.3)
                p.paragraph_format.first_line_indent = Inches(-0.25)
        elif kind == "references":
            for n, text in enumerate(block[1], start=1):
                p = doc.add_paragraph()
                p.paragraph_format.left_indent = Inches(0.35)
                p.paragraph_format.first_line_indent = Inches(-0.35)
                r = p.add_run(f"[{n}] {text}")
                r.font.size = Pt(9.5)
        elif kind == "item":
            item, label = block[1], block[2]
            if item.type == "chart":
                p = doc.add_paragraph()
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
                run = p.add_run()
                run.add_picture(io.BytesIO(item.png), width=Inches(image_width_in))
                for doc_pr in run._r.xpath(".//wp:docPr"):
                    doc_pr.set("descr", item.content.get("alt_text", ""))
                    doc_pr.set("title", item.content.get("title", ""))
                doc.add_paragraph(_caption(item, label), style="Caption")
                small(item.source_line)
            elif item.type == "quote":
                c = item.content
                p = doc.add_paragraph(style="Quote" if "Quote" in styles else None)
                p.add_run(f"“{c['text']}”").italic = True
                who = ", ".join(x for x in (c.get("speaker"), c.get("context")) if x)
                if who:
                    p.add_run(f" — {who}")
                if item.caption:
                    doc.add_paragraph(_caption(item, label), style="Caption")
                small(item.source_line)
            else:
                doc.add_paragraph(_caption(item, label), style="Caption")
                cols, rows = _rows(item)
                table = doc.add_table(rows=1 + len(rows), cols=len(cols))
                table.style = table_style
                table.autofit = False
                for j, w in enumerate(column_widths(cols, rows)):
                    table.columns[j].width = Inches(w)
                    for row_ in table.rows:
                        row_.cells[j].width = Inches(w)
                for j, name in enumerate(cols):
                    cell_ = table.rows[0].cells[j]
                    cell_.text = name
                    for r in cell_.paragraphs[0].runs:
                        r.bold, r.font.size = True, Pt(9.5)
                for i, row in enumerate(rows, start=1):
                    for j, value in enumerate(row):
                        cell_ = table.rows[i].cells[j]
                        cell_.text = value
                        for r in cell_.paragraphs[0].runs:
                            r.font.size = Pt(9.5)
                for line in _extra_lines(item):
                    small(line, italic=False, size=9.5)
                small(item.source_line)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.part")
        doc.save(str(tmp))
        tmp.replace(path)
    except OSError as err:
        raise InputError(f"Writing {path}", str(err), "choose a folder you can write to (and close the file in "
                         "Word if it is open)") from None
    return path


# -- Markdown --------------------------------------------------------------------------------------------------

def _md(text: object) -> str:
    """Text safe in Markdown: HTML characters escaped (so no tag runs), line breaks kept as spaces."""
    return _html.escape(" ".join(str(text).split()), quote=False)


def _md_cell(text: str) -> str:
    return _md(text).replace("|", "\\|")


def markdown(brief, image_dir: Path | None) -> str:
    out: list[str] = []
    for block in brief.blocks():
        kind = block[0]
        if kind == "title":
            out += [f"# {_md(block[1])}", ""]
        elif kind == "meta":
            out += [f"*{_md(block[1])}*", ""]
        elif kind == "note":
            out += [f"> **Note:** {_md(block[1])}", ""]
        elif kind == "heading":
            out += [f"## {_md(block[1])}", ""]
        elif kind == "para":
            out += [_md(block[1]), ""]
        elif kind == "bullets":
            out += [f"- {_md(t)}" for t in block[1]] + [""]
        elif kind == "numbered":
            out += [f"{n}. {_md(t)}" for n, t in enumerate(block[1], start=1)] + [""]
        elif kind == "references":
            out += [f"{n}. {_md(t)}" for n, t in enumerate(block[1], start=1)] + [""]
        elif kind == "item":
            item, label = block[1], block[2]
            if item.type == "chart":
                alt = _md(item.content.get("alt_text", "")).replace("]", "\\]").replace("[", "\\[")
                if image_dir is not None:
                    image_dir.mkdir(parents=True, exist_ok=True)
                    name = f"{label.lower().replace(' ', '-')}.png"
                    (image_dir / name).write_bytes(item.png)
                    src = f"{image_dir.name}/{name}"
                else:
                    src = "data:image/png;base64," + item.content["png"]
                out += [f"![{alt}]({src})", "", f"**{_md(_caption(item, label))}**", "",
                        f"*{_md(item.source_line)}*", ""]
            elif item.type == "quote":
                c = item.content
                who = ", ".join(x for x in (c.get("speaker"), c.get("context")) if x)
                out += [f"> *“{_md(c['text'])}”*" + (f" — {_md(who)}" if who else ""), ""]
                if item.caption:
                    out += [f"**{_md(_caption(item, label))}**", ""]
                out += [f"*{_md(item.source_line)}*", ""]
            else:
                cols, rows = _rows(item)
                out += [f"**{_md(_caption(item, label))}**", "",
                        "| " + " | ".join(_md_cell(c) for c in cols) + " |",
                        "|" + "|".join("---" for _ in cols) + "|"]
                out += ["| " + " | ".join(_md_cell(v) for v in row) + " |" for row in rows]
                out.append("")
                out += [f"{_md(line)}" + "  " for line in _extra_lines(item)]
                out += ["", f"*{_md(item.source_line)}*", ""]
    return "\n".join(out).rstrip() + "\n"


# -- HTML ------------------------------------------------------------------------------------------------------

def _e(text: object) -> str:
    return _html.escape(str(text), quote=True)


def html(brief) -> str:
    body: list[str] = []
    for block in brief.blocks():
        kind = block[0]
        if kind == "title":
            body.append(f"<h1>{_e(block[1])}</h1>")
        elif kind == "meta":
            body.append(f'<p class="meta">{_e(block[1])}</p>')
        elif kind == "note":
            body.append(f'<p class="note"><strong>Note:</strong> {_e(block[1])}</p>')
        elif kind == "heading":
            body.append(f"<h2>{_e(block[1])}</h2>")
        elif kind == "para":
            body.append(f"<p>{_e(block[1])}</p>")
        elif kind == "bullets":
            body.append("<ul>" + "".join(f"<li>{_e(t)}</li>" for t in block[1]) + "</ul>")
        elif kind in ("numbered", "references"):
            body.append("<ol>" + "".join(f"<li>{_e(t)}</li>" for t in block[1]) + "</ol>")
        elif kind == "item":
            item, label = block[1], block[2]
            source = f'<p class="source">{_e(item.source_line)}</p>'
            if item.type == "chart":
                png = base64.b64encode(item.png).decode("ascii")
                alt = _e(item.content.get("alt_text", ""))
                body.append(f'<figure><img src="data:image/png;base64,{png}" alt="{alt}">'
                            f"<figcaption>{_e(_caption(item, label))}</figcaption>{source}</figure>")
            elif item.type == "quote":
                c = item.content
                who = ", ".join(x for x in (c.get("speaker"), c.get("context")) if x)
                cap = f'<p class="caption">{_e(_caption(item, label))}</p>' if item.caption else ""
                body.append(f"<blockquote>“{_e(c['text'])}”" + (f" — {_e(who)}" if who else "") + "</blockquote>"
                            + cap + source)
            else:
                cols, rows = _rows(item)
                head = "".join(f"<th>{_e(c)}</th>" for c in cols)
                trs = "".join("<tr>" + "".join(f"<td>{_e(v)}</td>" for v in row) + "</tr>" for row in rows)
                extra = "".join(f'<p class="source">{_e(line)}</p>' for line in _extra_lines(item))
                body.append(f'<p class="caption">{_e(_caption(item, label))}</p><table><thead><tr>{head}</tr></thead>'
                            f"<tbody>{trs}</tbody></table>{extra}{source}")
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{_e(brief.title)}</title><style>{CSS}</style></head><body>\n" + "\n".join(body)
            + "\n</body></html>\n")

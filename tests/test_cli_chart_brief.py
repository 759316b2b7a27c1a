"""`evidencekit chart` and `evidencekit brief`: from ILOSTAT figures to a DOCX brief on the command line."""
from __future__ import annotations

from docx import Document

from evidencekit import charts
from evidencekit.brief import PolicyBrief
from evidencekit.cli import main

YOUTH = ["SDG_0852_SEX_AGE_RT_A", "--sex", "T", "--classif1", "AGE_YTHADULT_Y15-24", "--offline"]


def test_chart_brief_round_trip_offline(tmp_path, capsys):
    brief = str(tmp_path / "brief.json")
    assert main(["brief", "new", brief, "--title", "Youth jobs", "--audience", "Adviser to the Minister"]) == 0
    png = tmp_path / "youth.png"
    assert main(["chart", "line", *YOUTH, "--ref-area", "IDN", "PHL", "--start", "2015", "--out", str(png),
                 "--format", "png", "svg", "--dpi", "40", "--add", brief, "--caption", "Youth unemployment"]) == 0
    out = capsys.readouterr().out
    assert "Source: ILOSTAT, ILO (CC BY 4.0), SDG_0852_SEX_AGE_RT_A" in out and "Alt text: Line chart:" in out
    assert png.exists() and (tmp_path / "youth.svg").exists()
    assert charts.read_png_info(png)["title"].startswith("Unemployment rate, ages 15-24")
    ranked, table = tmp_path / "ranked.png", tmp_path / "ranked.csv"
    assert main(["chart", "bars", *YOUTH, "--ref-area", "IDN", "PHL", "THA", "X40", "--benchmark", "X40",
                 "--out", str(ranked), "--dpi", "40", "--data", str(table)]) == 0
    assert main(["brief", "add", brief, "--chart", str(ranked), "--caption", "Ranked"]) == 0
    assert main(["brief", "add", brief, "--table", str(table), "--caption", "Ranked table"]) == 0
    assert main(["brief", "add", brief, "--quote", "We look every day.", "--source", "Focus group, 2026"]) == 0
    assert main(["brief", "set", brief, "--problem", "Youth unemployment is high.", "--message", "Act now.",
                 "--option", "Apprenticeships [E1]", "--recommend", "Fund apprenticeships [E1, E3]"]) == 0
    capsys.readouterr()
    docx = tmp_path / "brief.docx"
    assert main(["brief", "build", brief, "--out", str(docx)]) == 0
    assert "4 evidence items, 2 references" in capsys.readouterr().out
    doc = Document(str(docx))
    assert len(doc.inline_shapes) == 2 and len(doc.tables) == 1
    b = PolicyBrief.load(brief)
    assert [i.type for i in b.board] == ["chart", "chart", "table", "quote"]
    assert b.recommendations[0].evidence == ["E1", "E3"]
    text = "\n".join(p.text for p in doc.paragraphs)
    assert all(c in " ".join(text.split()) for c in b.references())


def test_cli_errors_are_one_line(tmp_path, capsys):
    brief = str(tmp_path / "b.json")
    assert main(["brief", "new", brief, "--title", "T", "--audience", "A"]) == 0
    assert main(["brief", "new", brief, "--title", "T", "--audience", "A"]) == 2
    assert "already exists" in capsys.readouterr().err
    plain = tmp_path / "plain.png"
    plain.write_bytes(b"\x89PNG\r\n\x1a\n")
    assert main(["brief", "add", brief, "--chart", str(plain)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: Reading the chart") and err.count("\n") == 1
    assert main(["chart", "line", *YOUTH, "--ref-area", "PHL"]) == 2
    assert "nowhere to put the chart" in capsys.readouterr().err
    assert main(["chart", "line", *YOUTH, "--out", str(tmp_path / "x.png")]) == 2
    assert "cannot be told apart" in capsys.readouterr().err
    assert main(["brief", "add", brief, "--quote", "words"]) == 2
    assert "--source is missing" in capsys.readouterr().err
    assert main(["brief", "build", brief, "--out", str(tmp_path / "b.pdf")]) == 2

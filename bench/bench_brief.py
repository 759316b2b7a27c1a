"""Benchmark one chart and one 10-item brief against plain matplotlib and plain python-docx (run by hand:
``python bench/bench_brief.py``).

(a) **chart**: ``charts.line`` on youth unemployment (SDG_0852_SEX_AGE_RT_A, four ASEAN countries and Asia and the
    Pacific, 2012 on, from the embedded snapshot) and ``charts.save`` to PNG, SVG and PDF — against the peer, the
    plain matplotlib a notebook user writes: ``DataFrame.pivot`` + ``Axes.plot`` per country, a title, and
    ``Figure.savefig`` to the same three formats at the same size and dpi. What ours adds: the house style,
    source line, alt text, wrapped labels, metadata in every file, files renamed into place.
(b) **brief of 10 items**: an evidence board of 10 items (4 charts, 3 tables, 2 survey estimates with CIs, one
    quotation) written as a DOCX by ``PolicyBrief.to_docx`` — against the peer, plain python-docx writing the same
    four chart PNGs and the same five tables with headings. What ours adds: numbering, captions, citations and a
    deduplicated references section, the synthetic-data notice, table formatting. Making the board (drawing the
    charts, estimating) is timed apart, since the peer gets the PNGs ready-made.

Times are medians of ``--reps`` interleaved repetitions after one warm-up (a new random order each round, the
garbage collector run between timings); ratios are ours / peer in the same run. No network: everything comes from
the snapshot and the SYNTHETIC training survey.
"""
from __future__ import annotations

import argparse
import gc
import io
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Callable

import docx
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

import evidencekit as ek
from evidencekit import charts, compare
from evidencekit.brief import EvidenceBoard, PolicyBrief

AREAS = ["IDN", "PHL", "THA", "VNM", "X40"]


def series():
    return ek.ilostat.get("SDG_0852_SEX_AGE_RT_A", ref_area=AREAS, sex="SEX_T", classif1="AGE_YTHADULT_Y15-24",
                          start=2012, offline=True, labels=True)


def ours_chart(df, out: Path) -> None:
    charts.save(charts.line(df), out / "ours.png", formats=["png", "svg", "pdf"])


def peer_chart(df, out: Path) -> None:
    fig = Figure(figsize=charts.SIZE)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    wide = df.pivot_table(index="time", columns="ref_area.label", values="obs_value")
    for name in wide.columns:
        ax.plot(wide.index, wide[name], marker="o", label=name)
    ax.set_title("Youth unemployment rate (%)")
    ax.legend()
    for suffix in ("png", "svg", "pdf"):
        fig.savefig(out / f"peer.{suffix}", dpi=150)


def board_of_ten(df) -> EvidenceBoard:
    s = ek.microdata.synthetic.load_sample()
    board = EvidenceBoard()
    board.add_chart(charts.line(df), "Youth unemployment since 2012")
    board.add_chart(charts.bars(compare.across(df, benchmark="X40")), "Latest year, ranked")
    board.add_chart(charts.slope(df[df["ref_area"] != "X40"], 2015, 2020), "2015 to 2020")
    est = ek.indicators.estimate(s, "unemployment_rate", by="ilo_sex")
    board.add_chart(charts.estimates(est), "Unemployment by sex, synthetic survey")
    board.add_table(compare.across(df, benchmark="X40"), "Latest year against Asia and the Pacific")
    board.add_table(compare.change(df, 2015, 2020), "Change 2015-2020")
    board.add_table(df[["ref_area.label", "time", "obs_value"]].head(20), "The figures")
    board.add_estimate(est, "Unemployment rate by sex")
    board.add_estimate(ek.indicators.estimate(s, "youth_neet_rate", by="ilo_sex"), "Youth NEET rate by sex")
    board.add_quote("We look for work every week, but nothing comes.", "Illustrative focus group, module 3",
                    "What young people say")
    return board


def brief_of(board: EvidenceBoard) -> PolicyBrief:
    return PolicyBrief(title="Young people out of work in four ASEAN countries",
                       audience="Adviser to the Minister of Labour",
                       problem="Youth unemployment is high in some ASEAN countries.",
                       key_messages=["Youth unemployment is highest in Indonesia [E1]."],
                       policy_options=["Apprenticeships for 15-24 year olds [E1]"],
                       recommendations=["Fund apprenticeships where youth unemployment is highest [E1, E2]"],
                       board=board)


def peer_docx(pngs: list[bytes], tables: list, out: Path) -> None:
    """The plain python-docx a user writes: a title, each chart picture and each table under a heading."""
    d = docx.Document()
    d.add_heading("Young people out of work in four ASEAN countries", 0)
    for i, png in enumerate(pngs, 1):
        d.add_heading(f"Figure {i}", 2)
        d.add_picture(io.BytesIO(png), width=docx.shared.Inches(6.0))
    for i, t in enumerate(tables, 1):
        d.add_heading(f"Table {i}", 2)
        table = d.add_table(rows=1, cols=len(t.columns))
        for cell, name in zip(table.rows[0].cells, t.columns):
            cell.text = str(name)
        for row in t.itertuples(index=False):
            for cell, v in zip(table.add_row().cells, row):
                cell.text = f"{v:.1f}" if isinstance(v, float) else str(v)
    d.save(str(out / "peer.docx"))


def timed(cases: dict[str, Callable[[], object]], reps: int) -> dict[str, float]:
    for fn in cases.values():
        fn()
    times: dict[str, list[float]] = {k: [] for k in cases}
    for _ in range(reps):
        for name in random.sample(list(cases), len(cases)):
            gc.collect()
            t0 = time.perf_counter()
            cases[name]()
            times[name].append(time.perf_counter() - t0)
    return {k: statistics.median(v) for k, v in times.items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reps", type=int, default=9)
    args = ap.parse_args(argv)
    df = series()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        board = board_of_ten(df)
        assert len(board) == 10, len(board)
        brief = brief_of(board)
        pngs = [it.png for it in board if it.type == "chart"]
        tables = [compare.across(df, benchmark="X40"), compare.change(df, 2015, 2020),
                  df[["ref_area.label", "time", "obs_value"]].head(20)]
        tables += [ek.indicators.estimate(ek.microdata.synthetic.load_sample(), n, by="ilo_sex")
                   for n in ("unemployment_rate", "youth_neet_rate")]
        t = timed({
            "chart: evidencekit line + save png/svg/pdf": lambda: ours_chart(df, out),
            "chart: plain matplotlib + savefig png/svg/pdf": lambda: peer_chart(df, out),
            "brief: PolicyBrief.to_docx (10 items)": lambda: brief.to_docx(out / "ours.docx"),
            "brief: plain python-docx (4 pictures, 5 tables)": lambda: peer_docx(pngs, tables, out),
            "board: making the 10 items (charts, estimates)": lambda: board_of_ten(df),
        }, args.reps)
    width = max(map(len, t))
    for name, sec in t.items():
        print(f"{name:<{width}}  {sec * 1000:8.1f} ms")
    keys = list(t)
    print(f"\nchart ratio (ours / plain matplotlib): {t[keys[0]] / t[keys[1]]:.2f}x")
    print(f"brief ratio (ours / plain python-docx): {t[keys[2]] / t[keys[3]]:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

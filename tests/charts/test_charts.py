"""Charts: content checked (titles, source lines, series, ticks, markers, alt text), never pixels."""
from __future__ import annotations

import re

import pandas as pd
import pytest
from matplotlib.colors import to_hex

import evidencekit as ek
from evidencekit import charts, compare, provenance
from evidencekit.errors import InputError

ASEAN = ["IDN", "PHL", "THA", "VNM"]


def texts(fig, gid):
    return [t.get_text() for t in fig.texts if t.get_gid() == gid]


def by_gid(ax, prefix):
    return [a for a in ax.get_children() if str(a.get_gid() or "").startswith(prefix)]


@pytest.fixture(scope="module")
def youth():
    return ek.ilostat.get("SDG_0852_SEX_AGE_RT_A", ref_area=ASEAN, sex="SEX_T", classif1="AGE_YTHADULT_Y15-24",
                          start=2012, offline=True, labels=True)


def test_line_title_source_series_ticks_and_breaks(youth):
    fig = charts.line(youth)
    ax = fig.axes[0]
    meta = charts.info(fig)
    assert meta.title == ("Unemployment rate, ages 15-24 (SDG 8.5.2), Indonesia, Philippines, Thailand and "
                          "Viet Nam, 2012–2022")
    assert " ".join(texts(fig, "title")) == meta.title
    src = provenance.source_line(youth)
    assert " ".join(texts(fig, "source")) == src and src == meta.source_line
    assert "SDG_0852_SEX_AGE_RT_A, release" in src
    # one coloured line per country (segments split at breaks share the country's name)
    series = {a.get_gid().split(":", 1)[1] for a in by_gid(ax, "series:")}
    assert series == {"Indonesia", "Philippines", "Thailand", "Viet Nam"}
    fig.canvas.draw()
    ticks = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert ticks and all(re.fullmatch(r"\d{4}", t) for t in ticks)
    assert all(float(x).is_integer() for x in ax.get_xticks())
    # the break ILOSTAT marks for PHL in 2016 (obs_status B) gets an open marker there
    phl_breaks = youth[(youth["ref_area"] == "PHL") & (youth["obs_status"] == "B")]["time"].astype(int).tolist()
    marker = by_gid(ax, "break:Philippines")[0]
    assert list(marker.get_xdata()) == phl_breaks and marker.get_markerfacecolor() == "white"
    assert [h.get_text() for h in ax.get_legend().get_texts()] == [
        "break in series (not comparable with earlier years)"]
    alt = charts.alt_text(fig)
    assert alt.startswith("Line chart: " + meta.title) and "Break in series for Philippines in 2016" in alt


def test_line_marks_projections_dashed():
    df = ek.ilostat.get("EAP_2WAP_SEX_AGE_RT_A", ref_area="PHL", sex="SEX_F", classif1="AGE_YTHADULT_YGE15",
                        start=2018, offline=True, labels=True)
    fig = charts.line(df)
    ax = fig.axes[0]
    proj = by_gid(ax, "projection:")
    assert len(proj) == 1 and proj[0].get_linestyle() == "--"
    assert list(proj[0].get_xdata()) == [2023, 2024, 2025, 2026, 2027]  # joined to the last actual year
    assert "ILO modelled estimates, Nov. 2023" in charts.info(fig).subtitle
    assert "2024, 2025, 2026, 2027 are projections" in charts.alt_text(fig)


def test_a_gap_chart_of_modelled_estimates_says_so():
    """Module 4 step 1's gap chart (ILO modelled estimates) did not say "modelled" in its subtitle, as the line,
    bar and slope charts do."""
    df = ek.ilostat.get("EAP_2WAP_SEX_AGE_RT_A", ref_area=["PHL", "IDN"], classif1="AGE_YTHADULT_YGE15",
                        start=2018, end=2022, offline=True, labels=True)
    fig = charts.dumbbell(compare.gap(df, "sex", "SEX_F", "SEX_M"))
    assert "ILO modelled estimates, Nov. 2023" in charts.info(fig).subtitle


def test_labels_side_by_side_share_their_precision():
    """Module 1's chart read "Viet Nam 1.5" beside "Thailand 0.94": a figure under 1 took two decimals while the
    others had one. A chart's labels now take the decimals of its largest figure."""
    df = ek.ilostat.get("SDG_0852_SEX_AGE_RT_A", ref_area=["MYS", "PHL", "THA", "VNM"], sex="SEX_T",
                        classif1="AGE_YTHADULT_YGE15", start=2015, offline=True, labels=True)
    thailand = df[df["ref_area"] == "THA"].sort_values("time")["obs_value"].iloc[-1]
    assert thailand < 1  # the case: Thailand's unemployment rate under 1%
    ax = charts.line(df).axes[0]
    labels = {a.get_gid(): a.get_text() for a in ax.texts if str(a.get_gid()).startswith("label:")}
    assert labels["label:Thailand"] == f"Thailand {thailand:.1f}"
    assert all(re.search(r" -?\d[\d,]*\.\d( \(\d{4}\))?$", t) for t in labels.values()), labels
    bars = charts.bars(compare.across(df, year="latest"))
    values = [t.get_text() for t in bars.axes[0].texts if t.get_gid() == "value"]
    assert all(re.match(r"^\d+\.\d( |$)", v) for v in values), values


def test_line_refuses_too_many_series():
    df = ek.ilostat.get("SDG_0852_SEX_AGE_RT_A", sex="SEX_T", classif1="AGE_YTHADULT_YGE15", start=2019, end=2019,
                        offline=True)
    with pytest.raises(InputError, match="cannot be told apart"):
        charts.line(df)


def test_bars_rank_order_benchmark_and_highlight(youth):
    df = ek.ilostat.get("SDG_0852_SEX_AGE_RT_A", ref_area=ASEAN + ["X40"], sex="SEX_T",
                        classif1="AGE_YTHADULT_Y15-24", offline=True, labels=True)
    ranked = compare.across(df, benchmark="X40")
    fig = charts.bars(ranked, highlight="PHL")
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    expect = ranked[ranked["rank"].notna()].sort_values("rank")["ref_area.label"].tolist()
    assert labels == expect[::-1]  # rank 1 on top
    patches = ax.patches
    assert len(patches) == 4
    colours = {lab: to_hex(p.get_facecolor()) for lab, p in zip(labels, patches)}
    assert colours["Philippines"] == charts.PALETTE[1].lower() and colours["Indonesia"] == charts.PALETTE[0].lower()
    bench = by_gid(ax, "benchmark")[0]
    assert bench.get_xdata()[0] == ranked.attrs["benchmark"]["value"]
    assert "Asia and the Pacific" in charts.info(fig).subtitle
    assert "Benchmark: Asia and the Pacific" in charts.alt_text(fig)


def test_dumbbell_and_slope(youth):
    g = ek.ilostat.get("SDG_0852_SEX_AGE_RT_A", ref_area=ASEAN, classif1="AGE_YTHADULT_Y15-24", offline=True,
                       labels=True)
    gaps = compare.gap(g, "sex", "SEX_F", "SEX_M")
    fig = charts.dumbbell(gaps)
    ax = fig.axes[0]
    a, b = by_gid(ax, "group-a")[0], by_gid(ax, "group-b")[0]
    assert len(a.get_offsets()) == len(b.get_offsets()) == 4
    latest = gaps.sort_values("time").groupby("ref_area").tail(1)
    shown = sorted(t.get_text().split()[0] for t in ax.texts if t.get_gid() == "gap")
    assert shown == sorted(f"{v:+.1f}" for v in latest["gap"])
    fig2 = charts.slope(youth, 2015, 2021)
    ax2 = fig2.axes[0]
    assert [t.get_text() for t in ax2.get_xticklabels()] == ["2015", "2021"]
    phl = by_gid(ax2, "series:Philippines")[0]
    assert phl.get_linestyle() == "--"   # break in 2016 between the two years
    assert by_gid(ax2, "series:Indonesia")[0].get_linestyle() == "-"


def test_estimates_with_ci_and_synthetic_named():
    est = ek.indicators.estimate(ek.microdata.synthetic.load_sample(), "unemployment_rate", by="ilo_sex")
    # until estimates carry their own record, state the contract's fields here
    est.attrs["provenance"] = {"kind": "survey", "dataset": "SYNTHETIC-LFS-1.0", "synthetic": True,
                               "design": est.attrs["design"], "level": 0.95,
                               "citation": "SYNTHETIC-LFS-1.0, evidencekit synthetic training survey."}
    fig = charts.estimates(est)
    ax = fig.axes[0]
    meta = charts.info(fig)
    assert "SYNTHETIC" in meta.title and "SYNTHETIC training survey" in meta.source_line
    top_down = [t.get_text() for t in sorted(ax.get_yticklabels(), key=lambda t: -t.get_position()[1])]
    assert top_down == est["ilo_sex"].astype(str).tolist()  # first row on top
    values = sorted(t.get_text().strip() for t in ax.texts if t.get_gid() == "value")
    expect = sorted(f"{r.estimate:.1f} ({r.ci_low:.1f}–{r.ci_high:.1f})" for r in est.itertuples())
    assert values == expect
    assert "95% confidence intervals" in meta.subtitle and "SYNTHETIC data" in meta.alt_text


def test_save_png_svg_pdf_with_metadata(tmp_path, youth):
    fig = charts.line(youth)
    paths = charts.save(fig, tmp_path / "u", formats=("png", "svg", "pdf"), dpi=40)
    assert [p.suffix for p in paths] == [".png", ".svg", ".pdf"] and all(p.stat().st_size > 0 for p in paths)
    back = charts.read_png_info(paths[0])
    assert back["alt_text"] == charts.alt_text(fig) and back["source_line"] == charts.info(fig).source_line
    assert back["provenance"]["citation"] == youth.attrs["provenance"]["citation"]
    svg = paths[1].read_text()
    assert "<desc id=\"ek-desc\">Line chart:" in svg and 'role="img"' in svg
    assert paths[2].read_bytes().startswith(b"%PDF")
    with pytest.raises(InputError, match=".png, .svg or .pdf"):
        charts.save(fig, tmp_path / "u.jpg")
    plain = tmp_path / "plain.png"
    fig.savefig(plain, dpi=20)
    with pytest.raises(InputError, match="no evidencekit description"):
        charts.read_png_info(plain)


def test_no_pyplot_state(youth):
    import sys

    charts.line(youth)
    assert "matplotlib.pyplot" not in sys.modules or not __import__("matplotlib.pyplot").pyplot.get_fignums()


def test_estimates_read_flag_details_and_gap_frames():
    """Frames shaped as estimate() and gap() give them with short flag codes and flags_detail."""
    est = pd.DataFrame({"indicator": ["unemployment_rate"] * 2, "label": ["Unemployment rate (LU1)"] * 2,
                        "ilo_sex": ["Male", "Female"], "estimate": [5.0, 9.0], "se": [0.4, 2.0], "cv": [8.0, 22.0],
                        "ci_low": [4.2, 5.1], "ci_high": [5.8, 12.9], "n_obs": [900, 9], "unit": ["%", "%"],
                        "flags": ["", "n<15"], "flags_detail": ["", "small cell: n=9 < 15"]})
    est.attrs["provenance"] = {"kind": "survey", "dataset": "Own LFS", "citation": "Own LFS, 2026.", "level": 0.95}
    fig = charts.estimates(est)
    ax = fig.axes[0]
    assert len(by_gid(ax, "estimates-small")[0].get_offsets()) == 1  # the small cell: open marker
    assert "few observations" in charts.info(fig).subtitle
    gap = pd.DataFrame({"indicator": ["unemployment_rate"], "label": ["Unemployment rate (LU1)"], "by": ["ilo_sex"],
                        "a": [2], "b": [1], "a_label": ["Female"], "b_label": ["Male"], "estimate_a": [9.0],
                        "estimate_b": [5.0], "estimate": [4.0], "se": [1.0], "ci_low": [2.0], "ci_high": [6.0],
                        "p_value": [0.001], "n_obs_a": [900], "n_obs_b": [950], "unit": ["percentage points"],
                        "flags": [""], "flags_detail": [""]})
    gap.attrs["provenance"] = est.attrs["provenance"]
    g = charts.estimates(gap)
    assert charts.info(g).title.startswith("Unemployment rate (LU1): gap Female − Male")
    assert g.axes[0].get_xlabel() == "percentage points"
    assert "covariance" in charts.info(g).subtitle


def test_a_negative_interval_reads_from_to_not_as_a_dash_between_minus_signs():
    """A gap below zero was labelled "-27.4 (-28.8–-25.9)" (the microdata workbench): the dash read as a minus.
    An interval with a negative end now reads "-28.8 to -25.9"; a positive one keeps its dash. PSA's gap by sex
    read "-0.25 (-1.0 to 0.51)": the ends are now written as precisely as the estimate."""
    gap = pd.DataFrame({"indicator": ["lfpr"] * 2, "label": ["Labour force participation rate"] * 2,
                        "by": ["ilo_sex"] * 2, "a_label": ["Female"] * 2, "b_label": ["Male"] * 2,
                        "ilo_age": ["15-24", "25+"], "estimate": [-27.4, -0.25], "se": [0.7, 0.4],
                        "ci_low": [-28.8, -1.0], "ci_high": [-25.9, 0.51], "unit": ["percentage points"] * 2,
                        "flags": ["", ""], "flags_detail": ["", ""]})
    gap.attrs["provenance"] = {"kind": "survey", "dataset": "Own LFS", "citation": "Own LFS, 2026.", "level": 0.95}
    values = sorted(t.get_text().strip() for t in charts.estimates(gap).axes[0].texts if t.get_gid() == "value")
    assert values == ["-0.25 (-1.00 to 0.51)", "-27.4 (-28.8 to -25.9)"]  # the ends as precise as the estimate
    assert charts._num(3.71, like=4.3) + "–" + charts._num(4.94, like=4.3) == "3.7–4.9"


def test_estimates_of_a_distribution_keep_long_group_names_inside_the_figure():
    """Reasons for being outside the labour force: long names wrap and stay whole on the page (were clipped)."""
    import evidencekit as ek

    s = ek.microdata.synthetic.load_sample()
    fig = charts.estimates(ek.indicators.distribution(s, "olf_reason_detail", by="ilo_sex"))
    assert fig.axes[0].get_title() == "" and "Shares (%) by reason for being outside the labour force" in \
        charts.info(fig).title
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    labels = fig.axes[0].get_yticklabels()
    assert any("\n" in t.get_text() for t in labels)
    for t in labels:
        box = t.get_window_extent(renderer)
        assert box.x0 >= 0, t.get_text()


def test_estimates_keep_every_value_label_inside_the_figure():
    """A percentage axis drawn from 0 left the label of the highest interval cut at the chart's right edge
    ("67.4 (65.5–69" in the microdata workbench): every estimate's label is now whole on the page."""
    import evidencekit as ek

    s = ek.microdata.synthetic.load_sample()
    for by in ("ilo_sex", ["ilo_sex", "ilo_geo"]):
        fig = charts.estimates(ek.indicators.estimate(s, "informal_employment_rate", by=by))
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        width = fig.bbox.width
        labels = [t for t in fig.axes[0].texts if t.get_gid() == "value"]
        assert labels
        for t in labels:
            assert t.get_window_extent(renderer).x1 <= width, t.get_text()


ASEAN5 = ["IDN", "MYS", "PHL", "THA", "VNM"]


@pytest.fixture(scope="module")
def output_per_worker():
    """Module 5's output per worker (five-digit values, 2017 PPP $)."""
    return ek.ilostat.get("GDP_211P_NOC_NB_A", ref_area=ASEAN5, start=2015, end=2022, offline=True, labels=True)


def _drawn(fig):
    fig.canvas.draw()
    return fig.canvas.get_renderer()


def test_value_ticks_read_as_the_values_they_mark(output_per_worker):
    """The value axis dropped the zeros of whole ticks: 60,000 read "60,", and 100 read "1" (an index chart
    based 2019 = 100, module 5 step 1). Each tick now reads as its value."""
    fig = charts.line(output_per_worker)
    ax = fig.axes[0]
    _drawn(fig)
    for tick, label in zip(ax.get_yticks(), ax.get_yticklabels()):
        if label.get_text() and ax.get_ylim()[0] <= tick <= ax.get_ylim()[1]:
            assert float(label.get_text().replace(",", "")) == pytest.approx(tick), label.get_text()
    assert "60,000" in [t.get_text() for t in ax.get_yticklabels()]
    index = compare.over_time(output_per_worker, base=2019)
    fig = charts.line(index, value="index")
    ax = fig.axes[0]
    _drawn(fig)
    shown = {t.get_text(): tick for tick, t in zip(ax.get_yticks(), ax.get_yticklabels()) if t.get_text()}
    assert all(float(text.replace(",", "")) == pytest.approx(tick) for text, tick in shown.items()), shown
    assert "100" in shown


def test_every_label_of_a_chart_is_whole_inside_the_figure(output_per_worker):
    """A long name with a five-digit value ran past the line chart's right edge ("Philippines 21,36" for
    21,364 in module 5 step 1): every text an axes draws is now inside the figure, on every kind of chart."""
    by_year = output_per_worker[output_per_worker["time"] == "2022"]
    figs = [charts.line(output_per_worker), charts.bars(compare.across(by_year))]
    for fig in figs:
        renderer = _drawn(fig)
        ax = fig.axes[0]
        (x0, x1), (y0, y1) = sorted(ax.get_xlim()), sorted(ax.get_ylim())
        ticks = [t for t, v in zip(ax.get_xticklabels(), ax.get_xticks()) if x0 <= v <= x1] + \
                [t for t, v in zip(ax.get_yticklabels(), ax.get_yticks()) if y0 <= v <= y1]  # those drawn
        for t in [*ax.texts, *ticks]:
            if t.get_text():
                box = t.get_window_extent(renderer)
                assert 0 <= box.x0 and box.x1 <= fig.bbox.width, t.get_text()
    assert "Philippines 21,364" in {t.get_text() for t in figs[0].axes[0].texts}
    assert "60,000" in {t.get_text() for t in figs[1].axes[0].get_xticklabels()}  # as the values are written


def test_a_series_that_stops_earlier_says_when_in_its_end_label():
    """Thailand's CPI inflation stops in 2022 in the snapshot while the others run to 2023 (module 5 step 3): its
    end label stood among the 2023 values as "Thailand 6.1"; it now says the year."""
    df = ek.ilostat.get("CPI_NCYR_COI_RT_A", ref_area=["IDN", "PHL", "THA", "VNM"], start=2015, offline=True,
                        labels=True)
    df = df[df["classif1"] == "COI_COICOP_CP01T12"]
    last = df.assign(year=df["time"].astype(int)).groupby("ref_area.label")["year"].max()
    assert last["Thailand"] < last.max()  # the case itself: if the snapshot changes, this test must be redone
    fig = charts.line(df)
    labels = {t.get_gid().split(":", 1)[1]: t.get_text() for t in fig.axes[0].texts if t.get_gid()}
    assert labels["Thailand"].endswith(f" ({last['Thailand']})")
    assert not labels["Philippines"].endswith(")")


def test_end_labels_stay_by_their_lines_inside_the_axes_and_read_on_white():
    """Working poverty in eight ASEAN countries (module 1 step 4): seven lines end between 0 and 7.2 and one at
    20.5. The labels moved as one block put Cambodia's 20.5 level with 16 and Malaysia's under the axes, on the
    source line; the orange, sky-blue and yellow labels read poorly on white. Now a label with room stays at its
    value, every label is inside the axes, and each has a contrast of at least 3:1 on white."""
    from matplotlib.colors import to_rgb

    df = ek.ilostat.get("SDG_0111_SEX_AGE_RT_A", ref_area=["IDN", "KHM", "LAO", "MMR", "MYS", "PHL", "THA", "VNM"],
                        sex="SEX_T", classif1="AGE_YTHADULT_YGE15", start=2015, end=2023, offline=True, labels=True)
    fig = charts.line(df)
    ax = fig.axes[0]
    labels = {t.get_gid().split(":", 1)[1]: t for t in ax.texts if str(t.get_gid()).startswith("label:")}
    last = df.sort_values("time").groupby("ref_area.label")["obs_value"].last()
    assert labels["Cambodia"].xyann[1] == pytest.approx(last["Cambodia"])
    lo, hi = ax.get_ylim()
    assert all(lo <= t.xyann[1] <= hi for t in labels.values())

    def luminance(colour):
        lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in to_rgb(colour)]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    assert len(labels) == 8
    assert all(1.05 / (luminance(t.get_color()) + 0.05) >= 3 for t in labels.values())


def test_one_line_is_labelled_with_its_area_not_all():
    """A chart of one series (module 4 step 4: the Philippines since 2000) labelled its line "all 3.4" and its
    alt text said "all: 11.2% in 2000"; both now name the area."""
    df = ek.ilostat.get("SDG_0852_SEX_AGE_RT_A", ref_area="PHL", sex="SEX_T", classif1="AGE_YTHADULT_YGE15",
                        start=2000, end=2021, offline=True, labels=True)
    fig = charts.line(df)
    last = df.sort_values("time")["obs_value"].iloc[-1]
    assert [t.get_text() for t in fig.axes[0].texts] == [f"Philippines {last:.1f}"]
    assert "Philippines: " in charts.alt_text(fig) and "all" not in charts.alt_text(fig).split(".")[1]

"""Charts in one house style, each with its source line: line, ranked bars, gap (dumbbell), slope, estimates with CIs.

Every function returns a matplotlib :class:`~matplotlib.figure.Figure` built directly (no ``pyplot``: nothing is
registered globally, so a figure is freed when the caller drops it — nothing to close) and rendered with Agg.
The house style (``docs/charts.md``): the Okabe–Ito colour-blind-safe palette, with markers so lines differ in
grey too; large type for a screen shared in a webinar; integer year ticks; a title that says what and where; a
**source line built from the figures' provenance** under every chart ("Source: ILOSTAT, ILO (CC BY 4.0),
SDG_0852_SEX_AGE_RT_A, release …"; "SYNTHETIC training survey …" where it is).

Each figure carries its description: :func:`info` gives ``kind``, ``title``, ``subtitle``, ``source_line``,
``alt_text`` (a sentence or two a screen reader can say: what is shown, where, when, the highest and lowest
values), ``provenance`` and ``data`` (the frame plotted). :func:`save` writes PNG, SVG and/or PDF with the alt
text and source in the file's metadata.

>>> import evidencekit as ek
>>> df = ek.ilostat.get("SDG_0852_SEX_AGE_RT_A", ref_area=["IDN", "PHL"], sex="SEX_T",
...                     classif1="AGE_YTHADULT_Y15-24", start=2015, offline=True, labels=True)
>>> fig = line(df)
>>> info(fig).title
'Unemployment rate, ages 15-24 (SDG 8.5.2), Indonesia and Philippines, 2015–2022'
>>> info(fig).source_line.startswith("Source: ILOSTAT, ILO (CC BY 4.0), SDG_0852_SEX_AGE_RT_A, release")
True
"""
from __future__ import annotations

import json
import math
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, MaxNLocator

from evidencekit import provenance
from evidencekit.compare import _frames as F
from evidencekit.errors import InputError

# Okabe & Ito (2008) colour-blind-safe palette, yellow last (weak on white).
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#E69F00", "#CC79A7", "#56B4E9", "#000000", "#F0E442")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
GREY = "#6B6B6B"
LIGHT = "#D9D9D9"
SIZE = (10.0, 5.625)          # inches, 16:9 — 1000 x 562 px at 100 dpi, as shared on screen
FONT = {"title": 19, "subtitle": 13.5, "axis": 14, "tick": 13, "label": 13, "source": 10.5}
MAX_SERIES = len(PALETTE)
BY_WORDS = {"ilo_sex": "sex", "ilo_age_aggregate": "age group", "ilo_age_10yrbands": "age group",
            "ilo_age_5yrbands": "age group", "ilo_geo": "area", "ilo_edu_aggregate": "education",
            "ilo_job1_eco_aggregate": "economic activity", "ilo_job1_ste_aggregate": "status in employment",
            "olf_reason_detail": "reason for being outside the labour force"}
#: the version of the drawing rules, kept with every chart saved (a board item, a PNG's description): 2 since
#: 2026-12-03, when a line chart's value ticks stopped losing the zeros of whole numbers (100 read "1")
STYLE = 2
FORMATS = (".png", ".svg", ".pdf")


@dataclass
class ChartInfo:
    """What a chart shows, for the brief, the app and screen readers (see the module doc)."""

    kind: str
    title: str
    subtitle: str
    source_line: str
    alt_text: str
    provenance: dict
    data: pd.DataFrame = field(repr=False)


def info(fig: Figure) -> ChartInfo:
    """The :class:`ChartInfo` of a figure made by this module."""
    meta = getattr(fig, "_evidencekit", None)
    if not isinstance(meta, ChartInfo):
        raise InputError("Reading the chart", "this figure was not made by evidencekit.charts",
                         "make it with evidencekit.charts.line, bars, dumbbell, slope or estimates")
    return meta


def alt_text(fig: Figure) -> str:
    """The chart's alternative text (what a screen reader says instead of the picture)."""
    return info(fig).alt_text


# -- layout ----------------------------------------------------------------------------------------------------

def _wrap(text: str, points: float, width_in: float) -> list[str]:
    chars = max(20, int(width_in * 72 / (points * 0.55)))
    return textwrap.wrap(text, chars) if text else []


def _figure(title: str, subtitle: str, source: str, *, left: float = 0.9, right: float = 0.25,
            bottom_axis: float = 0.55, size: tuple[float, float] = SIZE, legend: bool = False
            ) -> tuple[Figure, object]:
    """A figure with the title block on top, the source line at the bottom and one axes between (inches)."""
    w, h = size
    fig = Figure(figsize=size, dpi=100, facecolor="white")
    FigureCanvasAgg(fig)
    t_lines = _wrap(title, FONT["title"] * 1.12, w - 0.4)  # bold runs wider
    s_lines = _wrap(subtitle, FONT["subtitle"], w - 0.4)
    src_lines = _wrap(source, FONT["source"], w - 0.4)
    y = h - 0.18
    for line_ in t_lines:
        fig.text(0.2 / w, y / h, line_, fontsize=FONT["title"], fontweight="bold", va="top", ha="left",
                 gid="title")
        y -= FONT["title"] * 1.3 / 72
    for line_ in s_lines:
        fig.text(0.2 / w, y / h, line_, fontsize=FONT["subtitle"], color="#333333", va="top", ha="left",
                 gid="subtitle")
        y -= FONT["subtitle"] * 1.35 / 72
    top = y - 0.15 - (0.38 if legend else 0.0)
    ys = 0.12 + (len(src_lines) - 1) * FONT["source"] * 1.3 / 72
    for line_ in src_lines:
        fig.text(0.2 / w, ys / h, line_, fontsize=FONT["source"], color="#333333", va="bottom", ha="left",
                 gid="source")
        ys -= FONT["source"] * 1.3 / 72
    bottom = 0.12 + len(src_lines) * FONT["source"] * 1.3 / 72 + bottom_axis
    ax = fig.add_axes([left / w, bottom / h, (w - left - right) / w, max(0.2, (top - bottom)) / h])
    ax.spines[["top", "right"]].set_visible(False)
    ax.spines[["left", "bottom"]].set_color(GREY)
    ax.tick_params(labelsize=FONT["tick"], colors="#222222")
    return fig, ax


def _finish(fig: Figure, kind: str, title: str, subtitle: str, source: str, alt: str, prov: dict,
            data: pd.DataFrame) -> Figure:
    _fit(fig)
    fig._evidencekit = ChartInfo(kind=kind, title=title, subtitle=subtitle, source_line=source, alt_text=alt,
                                 provenance=prov, data=data.reset_index(drop=True))
    return fig


def _fit(fig: Figure, pad: float = 0.08) -> None:
    """Nothing an axes draws runs past the figure's left or right edge: when a tick label, an end label or a
    value label would (a long name with a five-digit value), the axes are narrowed by that much plus ``pad``
    inches, so no label is shown cut ("Philippines 21,36" for 21,364)."""
    renderer = fig.canvas.get_renderer()
    edge = pad * fig.dpi
    for ax in fig.axes:
        for _ in range(3):  # labels placed in data units move with the axes: measured again after each change
            box = ax.get_tightbbox(renderer)
            if box is None:
                break
            over_left = max(0.0, edge - box.x0)
            over_right = max(0.0, box.x1 - (fig.bbox.width - edge))
            if over_left < 0.5 and over_right < 0.5:
                break
            pos, width = ax.get_position(), fig.bbox.width
            ax.set_position([pos.x0 + over_left / width, pos.y0,
                             max(0.05, pos.width - (over_left + over_right) / width), pos.height])


def _tick(v: float, _pos=None) -> str:
    """A tick of a value axis: thousands separated, as many decimals as the tick has (ticks are round numbers),
    none when it is whole.

    >>> [_tick(v) for v in (0, 0.05, 2.5, 20.0, 100, 110, 60000, -1500.0, 0.30000000000000004)]
    ['0', '0.05', '2.5', '20', '100', '110', '60,000', '-1,500', '0.3']
    """
    text = f"{v:,.6f}".rstrip("0").rstrip(".")  # the decimals only: the text always has a decimal point here
    return "0" if text in ("0", "-0") else text


def _year_axis(ax) -> None:
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=8, min_n_ticks=2, steps=[1, 2, 5, 10]))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: f"{int(round(x))}"))


def _missing(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def _places(v: float) -> int:
    """A label's decimals: none from 1,000, one from 1 (and for 0), two below 1."""
    a = abs(v)
    return 0 if a >= 1000 else 1 if a >= 1 or a == 0 else 2


def _num(v: float, unit: str = "", like: float | None = None) -> str:
    """A figure on a chart, to the decimals of ``like`` when given (the largest figure labelled on the chart, or
    an interval's estimate), so that labels side by side share their precision: 'Viet Nam 1.5' beside
    'Thailand 0.9', not '0.94'; an interval '-0.25 (-1.00 to 0.51)'.

    >>> _num(0.938), _num(0.938, like=4.5), _num(-1.0, like=-0.25), _num(11999.6, like=12500.0)
    ('0.94', '0.9', '-1.00', '12,000')
    """
    if _missing(v):
        return "–"
    return f"{v:,.{_places(v if _missing(like) else like)}f}" + ("%" if unit == "%" else "")


def _largest(values) -> float | None:
    """The largest magnitude among ``values`` (None when none is a number): the ``like`` of a chart's labels."""
    a = np.abs(np.asarray([v for v in values if not _missing(v)], dtype=float))
    return float(a.max()) if a.size else None


def _join(names: Sequence[str]) -> str:
    names = [str(n) for n in names]
    if len(names) <= 1:
        return "".join(names)
    if len(names) <= 3:
        return ", ".join(names[:-1]) + " and " + names[-1]
    return f"{len(names)} areas"


def _span(years: pd.Series) -> str:
    lo, hi = int(np.floor(years.min())), int(np.floor(years.max()))
    return str(lo) if lo == hi else f"{lo}–{hi}"


def _dims_words(df: pd.DataFrame, skip: Sequence[str]) -> list[str]:
    """'Sex: Total', 'Age: 15-24', … for dimensions that hold one value."""
    out = []
    names = {"sex": "Sex", "classif1": "", "classif2": ""}
    for col in ("sex", "classif1", "classif2"):
        if col in df.columns and col not in skip and df[col].notna().any() and df[col].nunique() == 1:
            word = str(F.label(df.iloc[[0]], col).iloc[0])
            code = str(df[col].iloc[0])
            name = names[col] or ("Age" if code.startswith("AGE_") else "")
            out.append(f"{name}: {word}" if name else word)
    return out


def _what(df: pd.DataFrame, prov: dict, data: pd.DataFrame, skip: Sequence[str]) -> tuple[str, str]:
    """(what the chart shows, a note): 'Unemployment rate, ages 15-24 (SDG 8.5.2)', 'ILO modelled estimates…'."""
    name, tag, note = F.indicator_parts(df, prov)
    extra = []
    for col in ("classif1", "classif2"):
        if col in data.columns and col not in skip and data[col].nunique() == 1:
            code = str(data[col].iloc[0])
            if code.startswith("AGE_"):
                extra.append(f"ages {F.code_words(col, code)}")
    if "sex" in data.columns and "sex" not in skip and data["sex"].nunique() == 1 and data["sex"].iloc[0] != "SEX_T":
        extra.append(F.code_words("sex", str(data["sex"].iloc[0])).lower())
    what = name + (", " + ", ".join(extra) if extra else "") + (f" ({tag})" if tag else "")
    return what, note


def _names_where(names: Sequence[str]) -> str:
    names = [str(n) for n in names]
    if len(names) <= 5:
        return _join(names) if len(names) <= 3 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"{len(names)} areas"


def _series_names(df: pd.DataFrame, keys: list[str]) -> pd.Series:
    """Each row's series name from the labels of ``keys``; with none (one series), its area (the first series
    key), or "all" when the figures have no series key."""
    keys = keys or list(F.series_keys(df))[:1]
    parts = [F.label(df, k).astype(str) for k in keys]
    if not parts:
        return pd.Series("all", index=df.index)
    out = parts[0]
    for p in parts[1:]:
        out = out + " · " + p
    return out


def _varying(df: pd.DataFrame) -> list[str]:
    return [k for k in F.series_keys(df) if df[k].nunique(dropna=False) > 1]


def _short(name: str, n: int = 22) -> str:
    return name if len(name) <= n else name[: n - 1] + "…"


def _text_colour(colour: str, contrast: float = 3.0) -> str:
    """A line's colour for its label, darkened (the same hue) until it reads on white at ``contrast``:1 or more
    (WCAG's contrast for large text); the palette's orange, sky blue and yellow are too light as text.

    >>> _text_colour("#0072B2"), _text_colour("#F0E442")
    ('#0072B2', '#9c942b')
    """
    from matplotlib.colors import to_hex, to_rgb

    def luminance(rgb) -> float:
        lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    rgb = to_rgb(colour)
    if 1.05 / (luminance(rgb) + 0.05) >= contrast:
        return colour
    for step in range(1, 21):
        darker = tuple(c * (1 - step * 0.05) for c in rgb)
        if 1.05 / (luminance(darker) + 0.05) >= contrast:
            return to_hex(darker)
    return "#000000"


def _spread_labels(ys: list[float], gap: float, lo: float | None = None, hi: float | None = None) -> list[float]:
    """Label positions as near ``ys`` as they can be while at least ``gap`` apart, in the same order: labels that
    would overlap form a group centred on their values (a label with room stays at its value), and the labels
    are kept within [``lo``, ``hi``] (the axes) when they fit there.

    >>> [round(v, 2) for v in _spread_labels([20.5, 7.2, 3.1, 1.9, 0.7, 0.2, 0.0, 0.0], 2.0, lo=-1.5, hi=31)]
    [20.5, 10.5, 8.5, 6.5, 4.5, 2.5, -1.5, 0.5]
    >>> _spread_labels([5.0, 30.0], 2.0)
    [5.0, 30.0]
    """
    order = sorted(range(len(ys)), key=lambda i: ys[i])
    groups: list[tuple[int, float]] = []  # (labels, mean value) of the labels placed together, bottom up
    for i in order:
        groups.append((1, float(ys[i])))
        while len(groups) > 1:
            (an, am), (bn, bm) = groups[-2], groups[-1]
            if (bm - (bn - 1) * gap / 2) - (am + (an - 1) * gap / 2) >= gap:
                break
            groups[-2:] = [(an + bn, (am * an + bm * bn) / (an + bn))]
    placed = [m - (n - 1) * gap / 2 + j * gap for n, m in groups for j in range(n)]
    if lo is not None and placed:
        placed[0] = max(placed[0], lo)
    for j in range(1, len(placed)):  # kept over the axes' bottom
        placed[j] = max(placed[j], placed[j - 1] + gap)
    if hi is not None and placed and placed[-1] > hi:
        placed[-1] = hi
        for j in range(len(placed) - 2, -1, -1):  # and under its top, when they fit
            placed[j] = min(placed[j], placed[j + 1] - gap)
    out = [0.0] * len(ys)
    for k, i in enumerate(order):
        out[i] = placed[k]
    return out


# -- line over time --------------------------------------------------------------------------------------------

def line(df: pd.DataFrame, *, title: str | None = None, subtitle: str | None = None,
         value: str = "obs_value", ylabel: str | None = None, zero: bool | None = None) -> Figure:
    """One line per series (area, sex, age…) over time; breaks in series and projections marked.

    ``df``: an ILOSTAT frame or :func:`evidencekit.compare.over_time` output (``value="index"`` plots the
    index). A break in series starts a new line segment with an open marker (ILOSTAT: not comparable with the
    years before); projections are dashed. At most eight series (filter first).
    """
    F.need(df, ("time", value), "Drawing a line chart")
    prov = provenance.of(df, "The chart's figures")
    data = F.bare(df)[df[value].notna()].copy()
    if data.empty:
        raise InputError("Drawing a line chart", f"the column {value!r} has no values", "check the filters")
    data["_x"] = F.years(data)
    keys = _varying(data)
    data["_series"] = _series_names(data, keys)
    names = list(dict.fromkeys(data.sort_values(keys or ["_x"])["_series"]))
    if len(names) > MAX_SERIES:
        raise InputError("Drawing a line chart", f"there are {len(names)} series; more than {MAX_SERIES} lines "
                         "cannot be told apart", "keep fewer areas or groups, or use charts.bars for the latest year")
    data["_break"] = F.break_mask(data)
    if "source" in data.columns:
        prev = data.sort_values("_x").groupby("_series")["source"].shift(1).reindex(data.index)
        changed = prev.notna() & data["source"].notna() & (prev.astype("string") != data["source"].astype("string"))
        data["_break"] |= changed.fillna(False).astype(bool)
    data["_proj"] = F.projection_mask(data, prov)
    unit = F.unit_of(df, prov)
    what, note = _what(df, prov, data, keys)
    areas = list(F.label(data, "ref_area").unique()) if "ref_area" in data.columns else []
    where = _names_where(areas)
    span = _span(data["_x"])
    title = title or f"{what}{', ' + where if where else ''}, {span}"
    dims = _dims_words(data, keys) + ([note] if note else [])
    if value == "index" and df.attrs.get("base") is not None:
        dims.append(f"index, {df.attrs['base']} = 100")
    subtitle = subtitle if subtitle is not None else " · ".join(dims)
    source = provenance.source_line(prov)
    legend = bool(data["_break"].any() or data["_proj"].any())
    longest = max(len(_short(n)) for n in names) + 5
    fig, ax = _figure(title, subtitle, source, right=min(3.2, 0.35 + 0.105 * longest), legend=legend)
    marks = {"break": False, "proj": False}
    ends = []
    narrow = data[["_x", "_series", "_break", "_proj", "time", value]]  # per-series slices of a few columns
    for n, name in enumerate(names):
        s = narrow[narrow["_series"] == name].sort_values("_x")
        color, marker = PALETTE[n], MARKERS[n]
        seg_id = s["_break"].cumsum()
        for _, seg in s.groupby(seg_id):
            actual = seg[~seg["_proj"]]
            proj = seg[seg["_proj"]]
            if len(actual):
                ax.plot(actual["_x"], actual[value], color=color, lw=2.6, marker=marker, ms=6, label=name,
                        gid=f"series:{name}")
            if len(proj):
                start = actual.iloc[[-1]] if len(actual) else proj.iloc[[0]]
                p = pd.concat([start, proj])
                ax.plot(p["_x"], p[value], color=color, lw=2.2, ls=(0, (4, 3)), marker=marker, ms=5,
                        mfc="white", label=name if not len(actual) else None, gid=f"projection:{name}")
                marks["proj"] = True
        brk = s[s["_break"]]
        if len(brk):
            ax.plot(brk["_x"], brk[value], ls="none", marker=marker, ms=11, mfc="white", mec=color, mew=2,
                    gid=f"break:{name}")
            marks["break"] = True
        last = s.iloc[-1]
        ends.append((name, float(last["_x"]), float(last[value]), color))
    _year_axis(ax)
    lo, hi = ax.get_ylim()
    if zero is True or (zero is None and unit == "%" and data[value].min() >= 0 and value != "index"):
        lo = 0
    ax.set_ylim(lo, hi + (hi - lo) * 0.04)
    xmin, xmax = data["_x"].min(), data["_x"].max()
    pad = max(0.5, (xmax - xmin) * 0.02)
    ax.set_xlim(xmin - pad, xmax + pad)
    ax.grid(axis="y", color=LIGHT, lw=1)
    ax.set_axisbelow(True)
    if ylabel or unit:
        ax.set_ylabel(ylabel or ("%" if unit == "%" else unit), fontsize=FONT["axis"])
    gap = (ax.get_ylim()[1] - ax.get_ylim()[0]) * 0.075
    ys = _spread_labels([e[2] for e in ends], gap, *ax.get_ylim())
    top = _largest(e[2] for e in ends)
    for (name, x, y, color), yl in zip(ends, ys):
        when = f" ({int(x)})" if x < xmax else ""  # a series that stops earlier: its label says when
        ax.annotate(f"{_short(name)} {_num(y, like=top)}{when}", xy=(x, y), xytext=(xmax + pad * 1.6, yl),
                    textcoords="data", fontsize=FONT["label"], color=_text_colour(color), va="center", ha="left",
                    annotation_clip=False, fontweight="bold", gid=f"label:{name}")
    handles = []
    if marks["break"]:
        handles.append(Line2D([], [], ls="none", marker="o", ms=10, mfc="white", mec="#333333", mew=2,
                              label="break in series (not comparable with earlier years)"))
    if marks["proj"]:
        handles.append(Line2D([], [], color="#333333", lw=2, ls=(0, (4, 3)), label="projection"))
    if handles:
        ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.0, 1.01), ncols=len(handles),
                  fontsize=FONT["label"] - 1, frameon=False, borderaxespad=0.0, handletextpad=0.4)
    ax.yaxis.set_major_formatter(FuncFormatter(_tick))
    alt = _line_alt(title, narrow, names, value, unit, marks)
    return _finish(fig, "line", title, subtitle, source, alt, prov,
                   data.drop(columns=[c for c in data.columns if c.startswith("_") and c != "_series"]))


def _line_alt(title: str, data: pd.DataFrame, names: list[str], value: str, unit: str, marks: dict) -> str:
    parts = [f"Line chart: {title}."]
    for name in names:
        s = data[data["_series"] == name].sort_values("_x")
        first, last = s.iloc[0], s.iloc[-1]
        hi, lo = s.loc[s[value].idxmax()], s.loc[s[value].idxmin()]
        parts.append(f"{name}: {_num(first[value], unit)} in {first['time']}, {_num(last[value], unit)} in "
                     f"{last['time']} (highest {_num(hi[value], unit)} in {hi['time']}, lowest "
                     f"{_num(lo[value], unit)} in {lo['time']}).")
        brk = s[s["_break"]]
        if len(brk):
            parts.append(f"Break in series for {name} in {', '.join(brk['time'].astype(str))}.")
        proj = s[s["_proj"]]
        if len(proj):
            parts.append(f"{name}: {', '.join(proj['time'].astype(str))} are projections.")
    return " ".join(parts)


# -- ranked bars -----------------------------------------------------------------------------------------------

def bars(df: pd.DataFrame, *, title: str | None = None, subtitle: str | None = None,
         highlight: str | Sequence[str] | None = None) -> Figure:
    """Areas ranked by value (rank 1 on top) with the benchmark as a vertical line.

    ``df``: :func:`evidencekit.compare.across` output, or an ILOSTAT frame (then ranked on each area's latest
    year, no benchmark). ``highlight``: area codes drawn in a second colour. Bars whose figure is flagged
    (break, unreliable, projection) are hatched and named under the chart.
    """
    from evidencekit.compare import across

    if "rank" not in getattr(df, "columns", []):
        df = across(df)
    prov = provenance.of(df, "The chart's figures")
    bench = df.attrs.get("benchmark")
    data = F.bare(df)[df["rank"].notna()].sort_values("rank", ascending=False).copy()
    if data.empty:
        raise InputError("Drawing ranked bars", "no area has a rank", "compare countries with compare.across")
    data["_name"] = F.label(data, "ref_area").astype(str)
    years = sorted(set(data["time"].astype(str)))
    unit = df.attrs.get("unit") or ""
    what, note = _what(df, prov, data, ["ref_area"])
    when = years[0] if len(years) == 1 else f"latest year ({years[0]}–{years[-1]})"
    title = title or f"{what}, {len(data)} areas ranked, {when}"
    dims = _dims_words(data, ["ref_area"]) + ([note] if note else [])
    if bench:
        dims.append(f"dashed line: {bench['label']}")
    flagged = data["flags"].fillna("").astype(str) != "" if "flags" in data.columns else \
        pd.Series(False, index=data.index)
    if flagged.any():
        dims.append("hatched: " + "; ".join(f"{n} {t} {f}" for n, t, f in
                                            zip(data["_name"], data["time"], data["flags"]) if f))
    subtitle = subtitle if subtitle is not None else " · ".join(dims)
    source = provenance.source_line(prov)
    longest = max(len(n) for n in data["_name"])
    left = min(3.2, 0.25 + 0.115 * longest)
    height = max(SIZE[1], 1.9 + 0.42 * len(data))
    fig, ax = _figure(title, subtitle, source, left=left, right=0.6, bottom_axis=0.85 if unit else 0.5,
                      size=(SIZE[0], height), legend=bool(bench))
    marked = {str(c).upper() for c in ([highlight] if isinstance(highlight, str) else highlight or [])}
    if bench and bench.get("kind") == "area":
        marked.add(str(bench["ref_area"]))
    colors = [PALETTE[1] if str(a).upper() in marked else PALETTE[0] for a in data["ref_area"]]
    y = np.arange(len(data))
    bars_ = ax.barh(y, data["obs_value"], color=colors, height=0.7, gid="bars")
    for b, f in zip(bars_, flagged):
        if f:
            b.set_hatch("//")
            b.set_edgecolor("white")
    ax.set_yticks(y, [f"{n}" for n in data["_name"]], fontsize=FONT["tick"])
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)
    ax.grid(axis="x", color=LIGHT, lw=1)
    ax.set_axisbelow(True)
    xmax = float(np.nanmax(np.r_[data["obs_value"].to_numpy(float), bench["value"] if bench else np.nan]))
    xmin = min(0.0, float(data["obs_value"].min()))
    ax.set_xlim(xmin, xmax * 1.18 if xmax > 0 else 1)
    ax.xaxis.set_major_formatter(FuncFormatter(_tick))
    show_year = len(years) > 1
    top = _largest([*data["obs_value"], bench["value"] if bench else None])
    for yi, (_, r) in zip(y, data.iterrows()):
        txt = _num(r["obs_value"], like=top) + (f" ({r['time']})" if show_year else "")
        ax.text(max(r["obs_value"], 0) + (ax.get_xlim()[1] - xmin) * 0.01, yi, txt, va="center", ha="left",
                fontsize=FONT["label"], color="#222222", gid="value", zorder=4,
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.0, "alpha": 0.85})
    if bench:
        ax.axvline(bench["value"], color="#000000", lw=2, ls=(0, (5, 3)), gid="benchmark", zorder=3)
        frac = (bench["value"] - ax.get_xlim()[0]) / (ax.get_xlim()[1] - ax.get_xlim()[0])
        ax.text(bench["value"], len(data) - 0.45, f"{bench['label']}: {_num(bench['value'], like=top)} ",
                ha="right" if frac > 0.5 else "left", va="bottom", fontsize=FONT["label"] - 1, color="#000000",
                gid="benchmark-label", transform=ax.transData, clip_on=False)
        ax.set_ylim(-0.6, len(data) - 0.4)
    if unit:
        ax.set_xlabel("%" if unit == "%" else unit, fontsize=FONT["axis"])
    order = data.sort_values("rank")
    alt = (f"Bar chart: {title}. Highest: {order['_name'].iloc[0]} {_num(order['obs_value'].iloc[0], unit)}; "
           f"lowest: {order['_name'].iloc[-1]} {_num(order['obs_value'].iloc[-1], unit)}."
           + (f" Benchmark: {bench['label']} {_num(bench['value'], unit)}." if bench else "")
           + (f" Years differ by area ({', '.join(years)})." if show_year else ""))
    return _finish(fig, "bars", title, subtitle, source, alt, prov, data.drop(columns=["_name"]))


# -- gap (dumbbell) --------------------------------------------------------------------------------------------

def dumbbell(gaps: pd.DataFrame, *, year: int | str = "latest", title: str | None = None,
             subtitle: str | None = None) -> Figure:
    """Two groups per area (e.g. women and men) as two dots joined by a line, sorted by the gap.

    ``gaps``: :func:`evidencekit.compare.gap` output; one year per area (``year`` or each area's latest year
    with both groups).
    """
    F.need(gaps, ("value_a", "value_b", "gap", "time"), "Drawing a gap chart")
    prov = provenance.of(gaps, "The chart's figures")
    groups = gaps.attrs.get("groups") or {"label_a": "a", "label_b": "b"}
    data = F.bare(gaps)[gaps["gap"].notna()].copy()
    data["_x"] = F.years(data)
    if isinstance(year, str):
        data = data.sort_values("_x").groupby("ref_area" if "ref_area" in data.columns else "_x").tail(1)
    else:
        data = data[data["_x"] == int(year)]
    if data.empty:
        raise InputError("Drawing a gap chart", f"no area has both groups for {year}", "choose another year")
    data = data.sort_values("gap")
    data["_name"] = F.label(data, "ref_area").astype(str) if "ref_area" in data.columns else data["time"]
    unit = gaps.attrs.get("unit") or ""
    years = sorted(set(data["time"].astype(str)))
    when = years[0] if len(years) == 1 else f"latest year ({years[0]}–{years[-1]})"
    what, note = _what(gaps, prov, data, ["ref_area", groups.get("by", "")])
    title = title or f"{what}: {groups['label_a']} and {groups['label_b']}, {len(data)} areas, {when}"
    dims = _dims_words(data, ["ref_area", groups.get("by", "")]) + ([note] if note else [])
    dims.append(f"gap = {groups['label_a']} − {groups['label_b']}"
                + (" (percentage points)" if gaps.attrs.get("gap_unit") == "percentage points" else ""))
    subtitle = subtitle if subtitle is not None else " · ".join(dims)
    source = provenance.source_line(prov)
    longest = max(len(n) for n in data["_name"])
    height = max(SIZE[1], 2.2 + 0.45 * len(data))
    fig, ax = _figure(title, subtitle, source, left=min(3.2, 0.25 + 0.115 * longest), right=1.5,
                      size=(SIZE[0], height), bottom_axis=0.85 if unit else 0.5, legend=True)
    y = np.arange(len(data))
    ax.hlines(y, data["value_a"], data["value_b"], color=LIGHT, lw=5, zorder=1)
    ax.scatter(data["value_b"], y, s=130, color=PALETTE[0], marker="o", zorder=2, label=groups["label_b"],
               gid="group-b")
    ax.scatter(data["value_a"], y, s=130, color=PALETTE[1], marker="s", zorder=3, label=groups["label_a"],
               gid="group-a")
    ax.set_yticks(y, list(data["_name"]), fontsize=FONT["tick"])
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)
    ax.grid(axis="x", color=LIGHT, lw=1)
    ax.set_axisbelow(True)
    hi = float(np.nanmax(data[["value_a", "value_b"]].to_numpy()))
    lo = float(np.nanmin(data[["value_a", "value_b"]].to_numpy()))
    span = hi - lo if hi > lo else 1
    ax.set_xlim(min(0, lo) if unit == "%" else lo - 0.1 * span, hi + 0.22 * span)
    ax.xaxis.set_major_formatter(FuncFormatter(_tick))
    for yi, (_, r) in zip(y, data.iterrows()):
        ax.text(hi + 0.05 * span, yi, f"{r['gap']:+.1f}" + (f" ({r['time']})" if len(years) > 1 else ""),
                va="center", fontsize=FONT["label"], color="#222222", gid="gap")
    ax.legend(loc="lower left", fontsize=FONT["label"], frameon=False, ncols=2, bbox_to_anchor=(0.0, 1.01),
              borderaxespad=0.0, handletextpad=0.3)
    if unit:
        ax.set_xlabel("%" if unit == "%" else unit, fontsize=FONT["axis"])
    widest = data.loc[data["gap"].abs().idxmax()]
    alt = (f"Dot chart: {title}. {groups['label_a']} compared with {groups['label_b']} in {len(data)} areas; "
           f"the largest gap is in {widest['_name']} ({widest['gap']:+.1f}: {_num(widest['value_a'], unit)} vs "
           f"{_num(widest['value_b'], unit)}).")
    return _finish(fig, "dumbbell", title, subtitle, source, alt, prov, data.drop(columns=["_x", "_name"]))


# -- slope -----------------------------------------------------------------------------------------------------

def slope(df: pd.DataFrame, start: int, end: int, *, title: str | None = None,
          subtitle: str | None = None) -> Figure:
    """Each series' value in ``start`` and ``end`` joined by a line; a break between the two years is dashed."""
    from evidencekit.compare import change

    ch = change(df, start, end, allow_breaks=True)
    prov = provenance.of(df, "The chart's figures")
    ok = F.bare(ch)[ch["start_value"].notna() & ch["end_value"].notna()].copy()
    if ok.empty:
        raise InputError("Drawing a slope chart", f"no series has figures for both {start} and {end}",
                         "choose years the figures hold")
    if len(ok) > MAX_SERIES:
        raise InputError("Drawing a slope chart", f"there are {len(ok)} series; more than {MAX_SERIES} cannot be "
                         "told apart", "keep fewer areas or groups")
    keys = [k for k in F.series_keys(ok) if ok[k].nunique() > 1] or [k for k in F.series_keys(ok)][:1]
    ok["_name"] = _series_names(ok, keys)
    unit = F.unit_of(df, prov)
    what, note = _what(df, prov, df, keys)
    title = title or f"{what}, {_names_where(list(ok['_name']))}, {start} and {end}"
    dims = _dims_words(df, keys) + ([note] if note else [])
    if ok["breaks"].astype(str).str.len().gt(0).any():
        dims.append("dashed: break in series between the two years")
    subtitle = subtitle if subtitle is not None else " · ".join(dims)
    source = provenance.source_line(prov)
    fig, ax = _figure(title, subtitle, source, left=2.4, right=2.4, bottom_axis=0.5)
    lo = float(min(ok["start_value"].min(), ok["end_value"].min()))
    hi = float(max(ok["start_value"].max(), ok["end_value"].max()))
    gap = (hi - lo if hi > lo else 1) * 0.075
    left_y = _spread_labels(list(ok["start_value"]), gap)
    right_y = _spread_labels(list(ok["end_value"]), gap)
    top = _largest([*ok["start_value"], *ok["end_value"]])
    for n, (_, r) in enumerate(ok.iterrows()):
        color = PALETTE[n]
        dashed = bool(str(r["breaks"]))
        ax.plot([0, 1], [r["start_value"], r["end_value"]], color=color, lw=2.6, marker=MARKERS[n], ms=8,
                ls=(0, (4, 3)) if dashed else "-", gid=f"series:{r['_name']}")
        ax.text(-0.04, left_y[n], f"{r['_name']} {_num(r['start_value'], like=top)}", ha="right", va="center",
                fontsize=FONT["label"], color=_text_colour(color), fontweight="bold")
        ax.text(1.04, right_y[n], f"{_num(r['end_value'], like=top)} {r['_name']}", ha="left", va="center",
                fontsize=FONT["label"], color=_text_colour(color), fontweight="bold")
    ax.set_xlim(-0.02, 1.02)
    ax.set_xticks([0, 1], [str(start), str(end)], fontsize=FONT["axis"], fontweight="bold")
    ax.set_yticks([])
    ax.spines[["left"]].set_visible(False)
    ax.set_ylim(lo - gap, hi + gap)
    parts = [f"Slope chart: {title}."]
    for _, r in ok.iterrows():
        parts.append(f"{r['_name']}: {_num(r['start_value'], unit)} in {start}, {_num(r['end_value'], unit)} in "
                     f"{end}" + (f" (break in series in {r['breaks']})" if str(r["breaks"]) else "") + ".")
    return _finish(fig, "slope", title, subtitle, source, " ".join(parts), prov, ok.drop(columns=["_name"]))


# -- estimates with confidence intervals -----------------------------------------------------------------------

def estimates(est: pd.DataFrame, *, title: str | None = None, subtitle: str | None = None) -> Figure:
    """Survey estimates as points with their confidence intervals, one row per group (or indicator).

    ``est``: ``ek.indicators.estimate`` output. Groups flagged as small cells get an open marker and a note; a
    national concept the survey mapping declared is said in the subtitle; the SYNTHETIC training survey is
    named in the title and the source line.
    """
    F.need(est, ("estimate", "ci_low", "ci_high"), "Drawing estimates")
    prov = provenance.of(est, "The estimates")
    data = F.bare(est).copy()
    by = F.estimate_groups(data)
    many = data["indicator"].nunique() > 1 if "indicator" in data.columns else False
    units = set(data["unit"].dropna().astype(str)) if "unit" in data.columns else set()
    if len(units) > 1:
        raise InputError("Drawing estimates", f"the estimates have different units ({', '.join(sorted(units))})",
                         "draw one indicator (or indicators of one unit) at a time")
    unit = units.pop() if units else ""
    data["_name"] = F.estimate_names(data)
    synthetic = provenance.is_synthetic(prov)
    what = str(data["label"].iloc[0]) if "label" in data.columns and not many else "Estimates"
    if str(prov.get("estimate") or "").startswith("distribution"):  # indicators.distribution: shares of one column
        what = "Shares (%)"
    if {"a_label", "b_label"} <= set(data.columns) and data["a_label"].nunique() == 1:
        what += f": gap {data['a_label'].iloc[0]} − {data['b_label'].iloc[0]}"
        data["_name"] = [n.split(" · ", 1)[1] if " · " in n else "Gap" for n in data["_name"]]
    level = prov.get("level") or (est.attrs.get("ci") or {}).get("level") or 0.95
    where = "SYNTHETIC training survey" if synthetic else (prov.get("dataset") or prov.get("file") or "survey")
    words = [BY_WORDS.get(c, c.removeprefix("ilo_").replace("_", " ")) for c in by]
    title = title or f"{what}{' by ' + ' and '.join(words) if by else ''}, {where}"
    notes = [f"points: estimates; bars: {round(100 * float(level))}% confidence intervals"]
    flags = F.estimate_flags(data)
    national = sorted({f.split(":", 1)[1].strip() for fl in flags for f in fl.split("; ")
                       if f.startswith("national concept")})
    if national:
        notes.append("national definition: " + "; ".join(national))
    if {"a_label", "b_label"} <= set(data.columns):
        notes.append("gap between two groups of one survey, its interval counting their covariance")
    small = flags.str.contains(F.WEAK_ESTIMATE)
    if small.any():
        notes.append("open marker: few observations or a high CV (use with care)")
    subtitle = subtitle if subtitle is not None else " · ".join(notes)
    source = provenance.source_line(prov)
    names = ["\n".join(textwrap.wrap(n, 32)) or n for n in data["_name"]]  # long group names on two lines
    longest = max(len(line) for n in names for line in n.split("\n"))
    lines = sum(n.count("\n") + 1 for n in names)
    height = max(SIZE[1], 2.3 + 0.5 * len(data) + 0.25 * (lines - len(data)))
    fig, ax = _figure(title, subtitle, source, left=min(4.2, 0.3 + 0.13 * longest), right=1.0,
                      size=(SIZE[0], height), bottom_axis=0.85 if unit else 0.55)
    y = np.arange(len(data))[::-1]
    lo_err = data["estimate"] - data["ci_low"]
    hi_err = data["ci_high"] - data["estimate"]
    ax.errorbar(data["estimate"], y, xerr=[lo_err, hi_err], fmt="none", ecolor=PALETTE[0], elinewidth=3,
                capsize=7, capthick=2.5, gid="ci")
    full = ~small.to_numpy()
    ax.scatter(data["estimate"][full], y[full], s=120, color=PALETTE[0], zorder=3, gid="estimates")
    if small.any():
        ax.scatter(data["estimate"][~full], y[~full], s=120, facecolor="white", edgecolor=PALETTE[0],
                   linewidth=2.5, zorder=3, gid="estimates-small")
    for yi, (_, r) in zip(y, data.iterrows()):
        ends = _num(r["ci_low"], like=r["estimate"]), _num(r["ci_high"], like=r["estimate"])
        ax.text(r["ci_high"], yi + 0.18, f"  {_num(r['estimate'])} ({F.interval(*ends)})",
                va="bottom", ha="left", fontsize=FONT["label"], color="#222222", gid="value")
    ax.set_yticks(y, names, fontsize=FONT["tick"])
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)
    ax.grid(axis="x", color=LIGHT, lw=1)
    ax.set_axisbelow(True)
    hi = float(data["ci_high"].max())
    lo = float(data["ci_low"].min())
    span = hi - lo if hi > lo else 1
    is_gap = {"a_label", "b_label"} <= set(data.columns)
    if is_gap:  # a gap is read against zero: no difference
        lo, hi = min(lo, 0.0), max(hi, 0.0)
        span = hi - lo if hi > lo else 1
        ax.axvline(0, color="#000000", lw=1.5, gid="zero")
    left = min(0, lo) if unit == "%" and lo >= 0 else lo - 0.05 * span
    # room right of the widest interval for its label: a share of the axis shown (not of the intervals' span,
    # which left a percentage axis drawn from 0 too short and cut the label at the chart's edge)
    ax.set_xlim(left, hi + 0.35 * (hi - left))
    ax.xaxis.set_major_formatter(FuncFormatter(_tick))
    ax.set_ylim(-0.7, len(data) - 0.3)
    if unit:
        ax.set_xlabel("%" if unit == "%" else unit, fontsize=FONT["axis"])
    parts = [f"Estimates with {round(100 * float(level))}% confidence intervals: {title}."]
    for _, r in data.iterrows():
        parts.append(f"{r['_name']}: {_num(r['estimate'], unit)} (from {_num(r['ci_low'], unit, r['estimate'])} to "
                     f"{_num(r['ci_high'], unit, r['estimate'])}).")
    if synthetic:
        parts.append("SYNTHETIC data: a fictional country.")
    return _finish(fig, "estimates", title, subtitle, source, " ".join(parts), prov, data.drop(columns=["_name"]))



# -- learning gain (pre- and post-course assessment) ---------------------------------------------------------

def learning_gain(gains: pd.DataFrame, *, title: str | None = None, subtitle: str | None = None) -> Figure:
    """Each competence's score before and after the course: two dots joined by an arrow, the gain written at the
    right, in the order of the modules.

    ``gains``: :func:`evidencekit.journey.learning_gain` (one participant) or
    :func:`evidencekit.journey.classview.class_gains` (class means; rows not ``shown`` — too few participants —
    are left out and said in the subtitle).
    """
    F.need(gains, ("module", "text", "pre", "post"), "Drawing the learning gain")
    prov = provenance.of(gains, "The assessment results")
    data = gains.copy()
    hidden = 0
    if "shown" in data.columns:
        hidden = int((~data["shown"].astype(bool)).sum())
        data = data[data["shown"].astype(bool)]
    data = data[data["pre"].notna() & data["post"].notna()]
    if data.empty:
        raise InputError("Drawing the learning gain", "there are no pre- and post-course scores to show"
                         + (f" ({hidden} competences have too few participants)" if hidden else ""),
                         "take both assessments (or wait until enough participants have)")
    data = data.iloc[::-1].reset_index(drop=True)  # module 1 on top
    data["_name"] = [f"{m}. " + _short(str(t), 44) for m, t in zip(data["module"], data["text"])]
    people = data["participants"].max() if "participants" in data.columns else 1
    title = title or ("Learning gain per competence" + (f", class of {people}" if people and people > 1 else "")
                      + ": before and after the course")
    bits = ["% of questions answered right" + (" (mean)" if people and people > 1 else ""),
            "pre-course ○ → post-course ●"]
    if hidden:
        bits.append(f"{hidden} competence{'s' if hidden != 1 else ''} not shown: too few participants")
    if gains.attrs.get("note"):
        bits.append("questions asked only once left out")
    subtitle = subtitle if subtitle is not None else " · ".join(bits)
    source = provenance.source_line(prov)
    height = max(SIZE[1], 2.2 + 0.42 * len(data))
    fig, ax = _figure(title, subtitle, source, left=4.9, right=1.1, size=(SIZE[0] + 1.5, height), bottom_axis=0.8)
    y = np.arange(len(data))
    for yi, (_, r) in zip(y, data.iterrows()):
        color = PALETTE[2] if r["post"] > r["pre"] else PALETTE[1] if r["post"] < r["pre"] else GREY
        ax.annotate("", xy=(r["post"], yi), xytext=(r["pre"], yi), zorder=1,
                    arrowprops={"arrowstyle": "-|>", "color": color, "lw": 2.2, "shrinkA": 6, "shrinkB": 7})
    ax.scatter(data["pre"], y, s=120, facecolors="white", edgecolors=PALETTE[0], linewidths=2, zorder=2,
               label="before the course", gid="pre")
    ax.scatter(data["post"], y, s=120, color=PALETTE[0], zorder=3, label="after the course", gid="post")
    for yi, (_, r) in zip(y, data.iterrows()):
        ax.text(104, yi, f"{r['post'] - r['pre']:+.0f}", va="center", fontsize=FONT["label"], color="#222222",
                gid="gain")
    ax.set_yticks(y, list(data["_name"]), fontsize=FONT["tick"] - 1)
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)
    ax.set_xlim(-2, 112)
    ax.set_xticks([0, 25, 50, 75, 100])
    ax.set_xlabel("% of questions right", fontsize=FONT["axis"])
    ax.grid(axis="x", color=LIGHT, lw=1)
    ax.set_axisbelow(True)
    best = data.loc[(data["post"] - data["pre"]).idxmax()]
    alt = (f"Dot chart: {title}. {len(data)} competences, each with its score before and after the course; "
           f"the largest gain is in '{best['text']}' ({_num(best['pre'])}% to {_num(best['post'])}%)."
           + (f" {hidden} competences are not shown: too few participants." if hidden else ""))
    return _finish(fig, "learning_gain", title, subtitle, source, alt, prov, data.drop(columns=["_name"]))


# -- saving ----------------------------------------------------------------------------------------------------

def _svg_with_text(path: Path, alt: str, title: str) -> None:
    """Give an SVG file a <title> and <desc> (what screen readers read) and role="img"."""
    from xml.sax.saxutils import escape

    text = path.read_text(encoding="utf-8")
    i = text.find("<svg")
    j = text.find(">", i)
    if i < 0 or j < 0:
        return
    head = text[i:j]
    extra = ' role="img" aria-labelledby="ek-title ek-desc"' if "role=" not in head else ""
    text = (text[:j] + extra + ">\n" + f'<title id="ek-title">{escape(title)}</title>\n'
            + f'<desc id="ek-desc">{escape(alt)}</desc>' + text[j + 1:])
    path.write_text(text, encoding="utf-8")


def save(fig: Figure, path: str | Path, *, formats: Sequence[str] | None = None, dpi: int = 150) -> list[Path]:
    """Write ``fig`` to ``path`` (``.png``, ``.svg`` or ``.pdf``), or to each of ``formats`` beside it.

    The alt text, the title and the source line go into the file's metadata (PNG text chunks, SVG
    ``<title>``/``<desc>``, PDF Title/Subject/Keywords); a PNG also carries the chart's description and
    provenance as JSON (key ``evidencekit``), so ``evidencekit brief add --chart`` can cite it. Files are written
    beside their final name and renamed into place. Returns the paths written.
    """
    meta = info(fig)
    target = Path(path)
    if formats:
        wanted = ["." + str(f).lower().lstrip(".") for f in formats]
        paths = [target.with_suffix(s) for s in wanted]
    else:
        paths = [target]
    for p in paths:
        if p.suffix.lower() not in FORMATS:
            raise InputError(f"Saving the chart as {p.name!r}", "the format is not one evidencekit writes",
                             "end the name with .png, .svg or .pdf")
    written = []
    for p in paths:
        suffix = p.suffix.lower()
        tmp = p.with_name(f".{p.name}.part{suffix}")
        if suffix == ".png":
            record = {"kind": meta.kind, "title": meta.title, "subtitle": meta.subtitle, "alt_text": meta.alt_text,
                      "source_line": meta.source_line, "provenance": meta.provenance, "style": STYLE}
            md = {"Title": meta.title, "Description": meta.alt_text, "Source": meta.source_line,
                  "Software": "evidencekit", "evidencekit": json.dumps(record, default=str)}
        elif suffix == ".pdf":
            md = {"Title": meta.title, "Subject": meta.alt_text, "Keywords": meta.source_line, "Creator": "evidencekit"}
        else:
            md = {"Title": meta.title, "Description": meta.alt_text, "Source": meta.source_line,
                  "Creator": "evidencekit"}
        try:
            p.parent.mkdir(parents=True, exist_ok=True)
            fig.savefig(tmp, format=suffix[1:], dpi=dpi, metadata=md, facecolor="white")
            if suffix == ".svg":
                _svg_with_text(tmp, meta.alt_text, meta.title)
            tmp.replace(p)
        except OSError as err:
            tmp.unlink(missing_ok=True)
            raise InputError(f"Saving the chart to {p}", str(err), "choose a folder you can write to") from None
        written.append(p)
    return written


def read_png_info(path: str | Path) -> dict:
    """The description :func:`save` stored in a PNG (kind, title, alt_text, source_line, provenance).

    A PNG not written by evidencekit has none: refused, since a chart without its source cannot be cited.
    """
    from PIL import Image

    p = Path(path)
    try:
        with Image.open(p) as im:
            text = dict(getattr(im, "text", {}) or {})
    except (OSError, ValueError) as err:
        raise InputError(f"Reading the chart {p.name!r}", f"it is not a PNG image ({err})",
                         "give a .png written by evidencekit chart … --out") from None
    raw = text.get("evidencekit")
    if not raw:
        raise InputError(f"Reading the chart {p.name!r}", "it carries no evidencekit description (no source line)",
                         "draw it with evidencekit chart … --out file.png, so its source travels with it")
    try:
        record = json.loads(raw)
    except ValueError:
        raise InputError(f"Reading the chart {p.name!r}", "its evidencekit description is damaged",
                         "draw it again with evidencekit chart …") from None
    record["provenance"] = provenance.of(record.get("provenance") or {}, f"The chart {p.name!r}")
    return record

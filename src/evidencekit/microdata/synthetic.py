"""The SYNTHETIC training labour force survey of *Synthetica (SYNTHETIC)*, a fictional country.

Everything here is made up by a documented, seeded model; it describes no real country. The dataset is
named ``SYNTHETIC-LFS-<version>``, every record has ``synthetic = True``, and every variable label says
SYNTHETIC.

**Finite population** (:func:`generate_population`): 6 regions × urban/rural = 12 strata; enumeration
areas (EAs) with lognormal household counts (mean ≈ 150); households of size 1 + Poisson(3.0 urban,
3.6 rural); persons with a young age pyramid (≈ 33 % under 15) and, for ages 15+, education, attendance,
labour force status (19th ICLS), reasons and degree of attachment outside the labour force, and for the
employed: sector, status (ICSE-93), institutional sector, informality, hours, time-related
underemployment and employees' monthly earnings. Relationships: women participate less (strongly less
with a child under 6 at home) and give care reasons more; youth unemployment ≈ 2–3 × adult; rural work
is more agricultural, self-employed and informal; a gender earnings gap. EA random effects make
outcomes clustered (design effects above 1). Labour-market variables are missing outside their
universe, as in ILO do-files (docs/indicators.md §1.2).

**Sample** (:func:`draw_sample`): stratified two-stage — EAs drawn with probability proportional to
household count (systematic PPS; EAs too large for it are taken with certainty), then a simple random
sample of households in each EA, every member interviewed. Design weight 1/(π_EA · π_hh|EA); household
non-response (8 % urban, 4 % rural) is corrected within strata, then weights are post-stratified to the
population's person counts by stratum × sex, so they sum to the population size exactly.

**Truth** (:func:`population_values`): each indicator computed on the whole finite population, so
confidence intervals from a sample can be checked against it.

The shipped sample (``evidencekit/data/synthetic/``) is rebuilt with
``python -m evidencekit.microdata.synthetic --out src/evidencekit/data/synthetic``.

>>> s = generate(n_persons=3_000, seed=1, population_size=60_000)
>>> bool(s.data["synthetic"].all()), s.weight, s.strata, s.psu
(True, 'ilo_wgt', 'strata', 'psu')
>>> s.design_summary()["n_strata"]
12
"""
from __future__ import annotations

import argparse
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from evidencekit.errors import InputError
from evidencekit.microdata.survey import Survey

GENERATOR_VERSION = "1.0"
DATASET_NAME = f"SYNTHETIC-LFS-{GENERATOR_VERSION}"
COUNTRY = "Synthetica (SYNTHETIC)"
SAMPLE_SEED = 20261123
SAMPLE_POPULATION_SIZE = 1_000_000
SAMPLE_PSU_PER_STRATUM = 24
SAMPLE_HOUSEHOLDS_PER_PSU = 30
CURRENCY = "SYD (Synthetica dollar, SYNTHETIC)"
DATA_DIR = Path(__file__).resolve().parents[1] / "data" / "synthetic"
SAMPLE_FILE = "synthetic_lfs_sample.parquet"

# region name, share of the population, urban share, development index (raises education, formality, pay)
REGIONS: tuple[tuple[str, float, float, float], ...] = (
    ("Capital Bay", 0.22, 0.92, 1.0),
    ("Northmarch", 0.18, 0.45, 0.3),
    ("Riverlands", 0.20, 0.35, 0.0),
    ("Eastern Hills", 0.14, 0.25, -0.4),
    ("Southcoast", 0.15, 0.50, 0.4),
    ("Western Plains", 0.11, 0.20, -0.6),
)
HOURS_PER_MONTH = 52 / 12

_S = " (SYNTHETIC)"
VARIABLE_LABELS: dict[str, str] = {
    "synthetic": "Record of the SYNTHETIC training survey (always True)",
    "ilo_key": "Person id (SYNTHETIC)",
    "hh_id": "Household id (SYNTHETIC)",
    "psu": "Enumeration area, primary sampling unit (SYNTHETIC)",
    "strata": "Stratum: region x urban/rural (SYNTHETIC)",
    "region": "Region of Synthetica (SYNTHETIC)",
    "ilo_geo": "Area: urban/rural (SYNTHETIC)",
    "ilo_wgt": "Final person weight (SYNTHETIC)",
    "hh_size": "Household size (SYNTHETIC)",
    "hh_children_u6": "Children under 6 in the household (SYNTHETIC)",
    "ilo_sex": "Sex (SYNTHETIC)",
    "ilo_age": "Age in completed years (SYNTHETIC)",
    "ilo_age_5yrbands": "Age, 5-year bands (SYNTHETIC)",
    "ilo_age_aggregate": "Age, aggregate bands (SYNTHETIC)",
    "ilo_wap": "Working-age population, 15+ (SYNTHETIC)",
    "ilo_edu_aggregate": "Education, aggregate levels, 15+ (SYNTHETIC)",
    "ilo_edu_attendance": "Currently attending education, 15+ (SYNTHETIC)",
    "ilo_lfs": "Labour force status, 19th ICLS (SYNTHETIC)",
    "ilo_olf_dlma": "Degree of labour market attachment, outside the labour force (SYNTHETIC)",
    "ilo_olf_reason": "Reason for not seeking work, outside the labour force (SYNTHETIC)",
    "olf_reason_detail": "Main reason for being outside the labour force, detailed (SYNTHETIC, not an ILO variable)",
    "ilo_dis": "Discouraged job-seeker (SYNTHETIC)",
    "ilo_neet": "Youth not in employment, education or training (SYNTHETIC)",
    "ilo_cat_une": "Category of unemployed (SYNTHETIC)",
    "ilo_dur_aggregate": "Duration of unemployment, aggregate (SYNTHETIC)",
    "ilo_job1_eco_sector": "Economic sector, main job (SYNTHETIC)",
    "ilo_job1_ste_icse93": "Status in employment, ICSE-93, main job (SYNTHETIC)",
    "ilo_job1_ste_aggregate": "Status in employment, aggregate, main job (SYNTHETIC)",
    "ilo_job1_ins_sector": "Institutional sector, main job (SYNTHETIC)",
    "ilo_job1_ife_prod": "Unit of production, informal/formal, main job (SYNTHETIC)",
    "ilo_job1_ife_nature": "Nature of job, informal/formal, main job (SYNTHETIC)",
    "ilo_job1_how_usual": "Weekly hours usually worked, main job (SYNTHETIC)",
    "ilo_job1_job_time": "Working time arrangement, main job (SYNTHETIC)",
    "ilo_joball_tru": "Time-related underemployment (SYNTHETIC)",
    "ilo_job1_lri_ees": f"Monthly earnings of employees, main job, {CURRENCY}",
}

_AGE5 = {i + 1: f"{5 * i}-{5 * i + 4}" for i in range(13)} | {14: "65+"}
VALUE_LABELS: dict[str, dict[int, str]] = {
    "region": {i + 1: name + _S for i, (name, *_rest) in enumerate(REGIONS)},
    "strata": {2 * i + g: f"{name} - {area}{_S}" for i, (name, *_r) in enumerate(REGIONS)
               for g, area in ((1, "Urban"), (2, "Rural"))},
    "ilo_geo": {1: "Urban", 2: "Rural"},
    "ilo_sex": {1: "Male", 2: "Female"},
    "ilo_age_5yrbands": _AGE5,
    "ilo_age_aggregate": {1: "<15", 2: "15-24", 3: "25-54", 4: "55-64", 5: "65+"},
    "ilo_wap": {1: "Working-age population"},
    "ilo_edu_aggregate": {1: "Less than basic", 2: "Basic", 3: "Intermediate", 4: "Advanced",
                          5: "Level not stated"},
    "ilo_edu_attendance": {1: "Attending", 2: "Not attending", 3: "Not elsewhere classified"},
    "ilo_lfs": {1: "Employed", 2: "Unemployed", 3: "Outside the labour force"},
    "ilo_olf_dlma": {1: "Seeking, not available (unavailable jobseekers)",
                     2: "Not seeking, available (available potential jobseekers)",
                     3: "Not seeking, not available, willing (willing non-jobseekers)",
                     4: "Not seeking, not available, not willing", 5: "Not elsewhere classified"},
    "ilo_olf_reason": {1: "Labour market (discouraged)", 2: "Other labour market reasons",
                       3: "Personal / family-related", 4: "Does not need/want to work", 5: "Not elsewhere classified"},
    "olf_reason_detail": {1: "Care responsibilities (children, elderly, household)", 2: "In education or training",
                          3: "Own illness or disability", 4: "Retired or too old", 5: "Discouraged (no jobs)",
                          6: "Other labour market reasons (waiting, seasonal)", 7: "Does not need or want to work",
                          8: "Other reasons"},
    "ilo_dis": {1: "Discouraged job-seeker"},
    "ilo_neet": {1: "Youth NEET"},
    "ilo_cat_une": {1: "Unemployed previously employed", 2: "Unemployed seeking their first job", 3: "Unknown"},
    "ilo_dur_aggregate": {1: "Less than 6 months", 2: "6 months to less than 12 months",
                          3: "12 months or more", 4: "Not elsewhere classified"},
    "ilo_job1_eco_sector": {1: "Agriculture", 2: "Industry", 3: "Services", 4: "Not classifiable"},
    "ilo_job1_ste_icse93": {1: "Employees", 2: "Employers", 3: "Own-account workers",
                            4: "Members of producers' cooperatives", 5: "Contributing family workers",
                            6: "Workers not classifiable by status"},
    "ilo_job1_ste_aggregate": {1: "Employees", 2: "Self-employed", 3: "Not classifiable by status"},
    "ilo_job1_ins_sector": {1: "Public", 2: "Private"},
    "ilo_job1_ife_prod": {1: "Informal", 2: "Formal", 3: "Household"},
    "ilo_job1_ife_nature": {1: "Informal job", 2: "Formal job"},
    "ilo_job1_job_time": {1: "Part-time", 2: "Full-time", 3: "Unknown"},
    "ilo_joball_tru": {1: "Time-related underemployed"},
}

#: Coded variables and their universe (rows where the variable must be present); outside it, missing.
UNIVERSES: dict[str, str] = {
    "ilo_wap": "ilo_age >= 15",
    "ilo_edu_aggregate": "ilo_age >= 15", "ilo_edu_attendance": "ilo_age >= 15",
    "ilo_lfs": "ilo_age >= 15",
    "ilo_olf_dlma": "ilo_lfs == 3", "ilo_olf_reason": "ilo_lfs == 3", "olf_reason_detail": "ilo_lfs == 3",
    "ilo_cat_une": "ilo_lfs == 2", "ilo_dur_aggregate": "ilo_lfs == 2",
    "ilo_job1_eco_sector": "ilo_lfs == 1", "ilo_job1_ste_icse93": "ilo_lfs == 1",
    "ilo_job1_ste_aggregate": "ilo_lfs == 1", "ilo_job1_ins_sector": "ilo_lfs == 1",
    "ilo_job1_ife_prod": "ilo_lfs == 1", "ilo_job1_ife_nature": "ilo_lfs == 1",
    "ilo_job1_how_usual": "ilo_lfs == 1", "ilo_job1_job_time": "ilo_lfs == 1",
    "ilo_job1_lri_ees": "ilo_job1_ste_aggregate == 1",
}
#: Flag variables coded 1 or missing (as in ILO do-files) and the universe they live in.
FLAG_UNIVERSES: dict[str, str] = {
    "ilo_dis": "ilo_lfs == 3", "ilo_neet": "ilo_age_aggregate == 2", "ilo_joball_tru": "ilo_lfs == 1",
}


@dataclass
class Population:
    """The finite population of Synthetica: persons (with ``psu``, ``strata``, ``hh_id``) and its EAs."""

    persons: pd.DataFrame
    eas: pd.DataFrame  # psu, strata, n_households
    seed: int
    notes: list[str] = field(default_factory=list)
    _index: dict | None = field(default=None, repr=False, compare=False)

    def frame_index(self) -> dict:
        """Arrays for fast sampling (computed once): households and EAs as stored, EA by EA, household by
        household (the layout :func:`generate_population` makes)."""
        if self._index is None:
            hh_id = self.persons["hh_id"].to_numpy()
            hh_start = np.r_[0, np.flatnonzero(np.diff(hh_id)) + 1]
            ea_hh = self.eas["n_households"].to_numpy()
            self._index = {
                "hh_start": hh_start, "hh_size": np.diff(np.r_[hh_start, len(hh_id)]),
                "ea_hh": ea_hh, "ea_first_hh": np.r_[0, np.cumsum(ea_hh)[:-1]],
                "geo": self.persons["ilo_geo"].to_numpy(), "strata": self.persons["strata"].to_numpy(),
                "cell_counts": self.persons.groupby(["strata", "ilo_sex"]).size(),
            }
        return self._index

    def __repr__(self) -> str:
        return (f"<Population of {COUNTRY}: {len(self.persons)} persons, "
                f"{self.persons['hh_id'].nunique()} households, {len(self.eas)} EAs, seed {self.seed}>")


def _logistic(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _choice(rng: np.random.Generator, probs: np.ndarray, codes: np.ndarray | list) -> np.ndarray:
    """One categorical draw per row of ``probs`` (rows sum to 1), returning ``codes``."""
    cum = np.cumsum(probs, axis=1)
    u = rng.random(len(probs))[:, None] * cum[:, -1:]
    idx = (u >= cum).sum(axis=1)
    return np.asarray(codes)[np.minimum(idx, probs.shape[1] - 1)]


def generate_population(seed: int, size: int = SAMPLE_POPULATION_SIZE) -> Population:
    """The finite population of Synthetica, about ``size`` persons, from the model in the module docstring.

    Same ``seed`` and ``size`` ⇒ the same population (numpy PCG64).

    Every stratum gets at least 8 EAs, so small sizes come out larger (40 000 asked ⇒ ≈ 64 000).

    >>> pop = generate_population(seed=3, size=200_000)
    >>> 190_000 < len(pop.persons) < 220_000, pop.eas["strata"].nunique()
    (True, 12)
    """
    if not isinstance(size, (int, np.integer)) or size < 20_000:
        raise InputError("Generating the SYNTHETIC population", f"size={size!r} is too small",
                         "give size >= 20000 persons (12 strata need enough enumeration areas)")
    rng = np.random.default_rng(seed)

    # -- strata and enumeration areas ---------------------------------------------------------------
    ea_strata, ea_region, ea_geo = [], [], []
    mean_hh = {1: 4.0, 2: 4.6}
    for r, (_name, share, urban, _dev) in enumerate(REGIONS, start=1):
        for g, gshare in ((1, urban), (2, 1 - urban)):
            n_ea = max(16, int(round(size * share * gshare / (150 * mean_hh[g]))))
            ea_strata += [2 * (r - 1) + g] * n_ea
            ea_region += [r] * n_ea
            ea_geo += [g] * n_ea
    ea_strata, ea_region, ea_geo = map(np.asarray, (ea_strata, ea_region, ea_geo))
    n_ea = len(ea_strata)
    sigma = 0.45
    ea_hh = np.maximum(30, np.round(rng.lognormal(np.log(150) - sigma**2 / 2, sigma, n_ea))).astype(np.int64)
    dev = np.array([d for *_x, d in REGIONS])[ea_region - 1] + rng.normal(0, 0.3, n_ea)
    ea_eff = {k: rng.normal(0, s, n_ea) for k, s in
              (("lfp", 0.25), ("une", 0.35), ("inf", 0.6), ("wage", 0.15), ("agr", 0.6))}

    # -- households -----------------------------------------------------------------------------------
    hh_ea = np.repeat(np.arange(n_ea), ea_hh)
    n_hh = len(hh_ea)
    hh_rural = ea_geo[hh_ea] == 2
    hh_size = 1 + rng.poisson(np.where(hh_rural, 3.6, 3.0))
    hh_wealth = rng.normal(0, 0.25, n_hh)

    # -- persons --------------------------------------------------------------------------------------
    p_hh = np.repeat(np.arange(n_hh), hh_size)
    n = len(p_hh)
    first = np.r_[True, p_hh[1:] != p_hh[:-1]]
    ea = hh_ea[p_hh]
    geo = ea_geo[ea]
    urban = (geo == 1).astype(float)
    d = dev[ea]
    ages = np.arange(96)
    pyramid = np.exp(-ages / np.where(np.arange(2)[:, None] == 0, 30.0, 26.0))  # urban, rural
    pyramid /= pyramid.sum(axis=1, keepdims=True)
    age = np.where(urban == 1, rng.choice(96, n, p=pyramid[0]), rng.choice(96, n, p=pyramid[1]))
    head_age = np.minimum(95, 20 + rng.gamma(4.0, 6.0, n)).astype(int)
    age = np.where(first, head_age, age)
    sex = np.where(first, np.where(rng.random(n) < 0.7, 1, 2), np.where(rng.random(n) < 0.47, 1, 2))
    female = (sex == 2).astype(float)
    u6 = np.bincount(p_hh, weights=(age < 6), minlength=n_hh)[p_hh]
    wap = age >= 15
    ya = (age - 40) / 10.0

    # education (aggregate 1..4) by ordered logit; younger, urban, developed -> higher
    lat = (0.9 * urban + 0.6 * d - 0.35 * np.clip(age - 30, 0, None) / 10 - 0.25 * female * (age > 40)
           + rng.logistic(0, 1, n) + 0.3 * hh_wealth[p_hh] / 0.25)
    edu = np.select([lat < -1.6, lat < 0.3, lat < 2.0], [1, 2, 3], 4)
    edu = np.where((age < 22) & (edu == 4), 3, edu)
    attend_p = np.where(age < 15, 0.9, _logistic(2.0 - 0.75 * (age - 16) + 0.5 * urban + 0.3 * (edu >= 3)))
    attending = rng.random(n) < attend_p

    # labour force participation
    lfp_x = (2.4 - 0.25 * ya**2 + 0.15 * ya - 1.1 * female - 0.8 * female * (u6 > 0) + 0.35 * female * (edu == 4)
             - 2.4 * attending - 0.3 * urban + ea_eff["lfp"][ea] - 1.2 * (age >= 65))
    in_lf = wap & (rng.random(n) < _logistic(lfp_x))
    youth = (age >= 15) & (age <= 24)
    une_x = (-3.2 + 1.15 * youth + 0.35 * urban + 0.35 * (edu == 3) - 0.5 * (age >= 55) + 0.15 * female
             + ea_eff["une"][ea] - 0.2 * d)
    unemployed = in_lf & (rng.random(n) < _logistic(une_x))
    employed = in_lf & ~unemployed
    lfs = np.where(~wap, 0, np.where(employed, 1, np.where(unemployed, 2, 3)))
    olf = lfs == 3

    # outside the labour force: degree of attachment and reasons
    dlma = _choice(rng, np.tile([0.03, 0.09, 0.10, 0.78], (n, 1)), [1, 2, 3, 4])
    care_x = -1.6 + 2.4 * female + 0.8 * (u6 > 0) - 1.5 * (age >= 65) - 2.0 * attending
    p_care = _logistic(care_x)
    reason = np.select(
        [attending & (age < 30), age >= 65, rng.random(n) < p_care],
        [2, 4, 1],
        default=_choice(rng, np.tile([0.35, 0.45, 0.20], (n, 1)), [3, 7, 8]))
    # labour-market reasons only among available potential jobseekers: 25 % discouraged, 15 % other
    lm = rng.random(n)
    reason = np.where(dlma == 2, np.select([lm < 0.25, lm < 0.40], [5, 6], reason), reason)
    olf_reason = np.select([reason == 5, reason == 6, np.isin(reason, [1, 2, 3]), np.isin(reason, [4, 7])],
                           [1, 2, 3, 4], 5)

    # unemployed: category and duration
    cat_une = np.where(rng.random(n) < np.where(youth, 0.55, 0.15), 2, 1)
    dur = _choice(rng, np.where(youth[:, None], [[0.6, 0.22, 0.18]], [[0.45, 0.25, 0.30]]), [1, 2, 3])

    # employed: sector, status, institutional sector, informality, hours, TRU, earnings
    agr_x = -2.6 + 3.0 * (geo == 2) - 0.6 * d - 0.5 * (edu >= 3) + 0.2 * (age >= 50) + ea_eff["agr"][ea]
    agr = rng.random(n) < _logistic(agr_x)
    ind = ~agr & (rng.random(n) < np.where(female == 1, 0.18, 0.34))
    sector = np.where(agr, 1, np.where(ind, 2, 3))
    p_ste = np.where(agr[:, None],
                     np.column_stack([0.18 + 0 * female, 0.02 + 0 * female, 0.55 - 0.25 * female,
                                      0.01 + 0 * female, 0.24 + 0.25 * female]),
                     np.column_stack([0.58 + 0.08 * urban + 0.05 * (edu >= 3), 0.04 - 0.02 * female + 0 * urban,
                                      0.28 - 0.08 * urban - 0.05 * (edu >= 3), 0.005 + 0 * urban,
                                      0.085 + 0.06 * female]))
    p_ste = p_ste / p_ste.sum(axis=1, keepdims=True)
    ste = _choice(rng, p_ste, [1, 2, 3, 4, 5])
    ste_agg = np.where(ste == 1, 1, 2)
    public = (ste == 1) & ~agr & (rng.random(n) < _logistic(-2.2 + 1.2 * (edu == 4) + 0.6 * (edu == 3) + 0.3 * urban))
    ins = np.where(public, 1, 2)
    formal_x = np.select(
        [public, ste == 1, np.isin(ste, [2, 3, 4])],
        [3.0 + 0 * d,
         -0.6 + 0.9 * (edu >= 3) + 0.7 * (edu == 4) + 0.6 * urban + 0.5 * d - 1.0 * agr + ea_eff["inf"][ea],
         -2.6 + 0.8 * (ste == 2) + 0.7 * urban + 0.6 * (edu >= 3) + 0.4 * d + ea_eff["inf"][ea]],
        -20.0)
    formal = (ste != 5) & (rng.random(n) < _logistic(formal_x))
    nature = np.where(formal, 2, 1)
    prod = np.where(formal | public, 2, np.where((ste == 5) & agr & (rng.random(n) < 0.3), 3, 1))
    p_part = _logistic(-2.1 + 0.9 * female + 0.6 * agr + 0.5 * (age >= 60) + 0.6 * (age <= 24) - 0.4 * formal)
    part = rng.random(n) < p_part
    hours = np.where(part, rng.integers(6, 35, n), np.clip(np.round(rng.normal(46, 8, n)), 35, 84)).astype(float)
    job_time = np.where(hours < 35, 1, 2)
    wants_more = rng.random(n) < np.where(female == 1, 0.30, 0.42)
    available = rng.random(n) < 0.8
    tru = (hours < 35) & wants_more & available
    exp_ = np.clip(age - 18 - 2 * (edu >= 3), 0, None)
    log_w = (9.3 + 0.28 * (edu - 1) + 0.035 * exp_ - 0.0006 * exp_**2 - 0.17 * female + 0.2 * urban + 0.12 * d
             + 0.12 * public + 0.25 * formal - 0.3 * agr + 0.85 * np.log(hours / 44) + ea_eff["wage"][ea]
             + rng.normal(0, 0.55, n))
    earn = np.round(np.exp(log_w), -1)

    # -- assemble, with ILO missing-outside-universe conventions --------------------------------------
    def within(values: np.ndarray, universe: np.ndarray) -> np.ndarray:
        """Codes inside the universe, NaN outside (float, as Stata/SPSS files read by pyreadstat)."""
        return np.where(universe, values, np.nan).astype(np.float64)

    emp = lfs == 1
    strata = ea_strata[ea]
    df = pd.DataFrame({
        "synthetic": np.ones(n, dtype=bool),
        "ilo_key": np.arange(1, n + 1, dtype=np.int64),
        "hh_id": (p_hh + 1).astype(np.int64),
        "psu": (ea + 1).astype(np.int32),
        "strata": strata.astype(np.int16),
        "region": ea_region[ea].astype(np.int16),
        "ilo_geo": geo.astype(np.int16),
        "hh_size": hh_size[p_hh].astype(np.int16),
        "hh_children_u6": u6.astype(np.int16),
        "ilo_sex": sex.astype(np.int16),
        "ilo_age": age.astype(np.int16),
        "ilo_age_5yrbands": np.minimum(age // 5 + 1, 14).astype(np.int16),
        "ilo_age_aggregate": np.select([age < 15, age < 25, age < 55, age < 65], [1, 2, 3, 4], 5).astype(np.int16),
    })
    df["ilo_wap"] = within(np.ones(n), wap)
    df["ilo_edu_aggregate"] = within(edu, wap)
    df["ilo_edu_attendance"] = within(np.where(attending, 1, 2), wap)
    df["ilo_lfs"] = within(lfs, wap)
    df["ilo_olf_dlma"] = within(dlma, olf)
    df["ilo_olf_reason"] = within(olf_reason, olf)
    df["olf_reason_detail"] = within(reason, olf)
    df["ilo_dis"] = within(np.ones(n), olf & (dlma == 2) & (olf_reason == 1))
    df["ilo_neet"] = within(np.ones(n), youth & (lfs != 1) & ~attending)
    df["ilo_cat_une"] = within(cat_une, lfs == 2)
    df["ilo_dur_aggregate"] = within(dur, lfs == 2)
    df["ilo_job1_eco_sector"] = within(sector, emp)
    df["ilo_job1_ste_icse93"] = within(ste, emp)
    df["ilo_job1_ste_aggregate"] = within(ste_agg, emp)
    df["ilo_job1_ins_sector"] = within(ins, emp)
    df["ilo_job1_ife_prod"] = within(prod, emp)
    df["ilo_job1_ife_nature"] = within(nature, emp)
    df["ilo_job1_how_usual"] = within(hours, emp)
    df["ilo_job1_job_time"] = within(job_time, emp)
    df["ilo_joball_tru"] = within(np.ones(n), emp & tru)
    ees = emp & (ste == 1)
    df["ilo_job1_lri_ees"] = within(earn, ees)
    eas = pd.DataFrame({"psu": np.arange(1, n_ea + 1, dtype=np.int32), "strata": ea_strata.astype(np.int16),
                        "n_households": ea_hh})
    return Population(df, eas, seed, notes=[f"{DATASET_NAME} population, seed {seed}, size {size}"])


def _pps_inclusion(sizes: np.ndarray, n: int) -> np.ndarray:
    """Inclusion probabilities π_i = n·M_i/ΣM for a PPS sample of ``n`` units; units with π ≥ 1 are
    taken with certainty and the rest recomputed on the remainder (Särndal et al. 1992, §3.6)."""
    pi = np.zeros(len(sizes))
    certain = np.zeros(len(sizes), dtype=bool)
    while True:
        k = n - certain.sum()
        rest = ~certain
        pi[rest] = k * sizes[rest] / sizes[rest].sum()
        pi[certain] = 1.0
        new = rest & (pi >= 1)
        if not new.any():
            return pi
        certain |= new


def _systematic_pps(sizes: np.ndarray, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Randomised systematic PPS: ``n`` distinct positions in ``sizes`` and their inclusion probabilities.

    Units are put in random order and a systematic sample with step 1 is taken on the cumulated π_i, so
    unit i is drawn with probability exactly π_i (Madow 1949; Tillé 2006, §7.2)."""
    pi = _pps_inclusion(sizes, n)
    order = rng.permutation(len(sizes))
    cum = np.cumsum(pi[order])
    points = rng.random() + np.arange(n)
    idx = order[np.minimum(np.searchsorted(cum, points, side="right"), len(sizes) - 1)]
    return idx, pi[idx]


def draw_sample(population: Population, seed: int, *,
                psu_per_stratum: int | dict[int, int] = SAMPLE_PSU_PER_STRATUM,
                households_per_psu: int = SAMPLE_HOUSEHOLDS_PER_PSU, nonresponse: bool = True) -> Survey:
    """A stratified two-stage sample of ``population`` as a :class:`Survey` (weight ``ilo_wgt``).

    Stage 1: ``psu_per_stratum`` EAs per stratum (one number for all, or ``{stratum: number}``) by
    systematic PPS on household counts (random order); stage 2: ``households_per_psu`` households by
    SRS in each EA (all when the EA is smaller). Weight = 1/(π_EA·π_hh|EA), adjusted for household
    non-response within strata and post-stratified to person counts by stratum × sex (so Σ ilo_wgt =
    population size).

    >>> pop = generate_population(seed=3, size=40_000)
    >>> s = draw_sample(pop, seed=1, psu_per_stratum=4, households_per_psu=10)
    >>> round(float(s.data["ilo_wgt"].sum())) == len(pop.persons)
    True
    """
    eas = population.eas
    n_eas = eas.groupby("strata").size()
    alloc = (psu_per_stratum if isinstance(psu_per_stratum, dict)
             else dict.fromkeys(n_eas.index, psu_per_stratum))
    for h, n_h in n_eas.items():
        k = alloc.get(h)
        if k is None or not 2 <= k <= n_h:
            raise InputError("Drawing a SYNTHETIC sample",
                             f"psu_per_stratum={k} for stratum {h} is outside 2..{n_h} (its number of EAs)",
                             "choose at least 2 EAs per stratum and no more than it has, "
                             "or generate a larger population")
    if households_per_psu < 1:
        raise InputError("Drawing a SYNTHETIC sample", f"households_per_psu={households_per_psu} is below 1",
                         "choose at least 1 household per EA")
    rng = np.random.default_rng(seed)
    picked, pi_ea = [], []
    for _h, grp in eas.groupby("strata", sort=True):
        idx, pi = _systematic_pps(grp["n_households"].to_numpy(float), alloc[_h], rng)
        picked.append(grp["psu"].to_numpy()[idx])
        pi_ea.append(pi)
    picked_psu = np.concatenate(picked)
    pi_ea_s = pd.Series(np.concatenate(pi_ea), index=picked_psu)

    persons = population.persons
    ix = population.frame_index()
    order = np.argsort(picked_psu, kind="stable")
    ea = picked_psu[order] - 1  # EA positions, ascending (households are stored EA by EA)
    pi_sel = pi_ea_s.to_numpy()[order]
    m_ea = ix["ea_hh"][ea]
    hh = np.repeat(ix["ea_first_hh"][ea], m_ea) + np.arange(m_ea.sum()) - np.repeat(np.cumsum(m_ea) - m_ea, m_ea)
    ea_of = np.repeat(np.arange(len(ea)), m_ea)
    key = rng.random(len(hh))
    srt = np.lexsort((key, ea_of))
    rank = np.empty(len(hh), dtype=np.int64)
    rank[srt] = np.arange(len(hh)) - np.repeat(np.cumsum(m_ea) - m_ea, m_ea) + 1
    take = rank <= households_per_psu
    hh, ea_of = hh[take], ea_of[take]
    m_i = m_ea[ea_of]
    m_taken = np.minimum(households_per_psu, m_i)
    design_w = 1.0 / (pi_sel[ea_of] * m_taken / m_i)
    if nonresponse:
        geo = ix["geo"][ix["hh_start"][hh]]
        responds = rng.random(len(hh)) >= np.where(geo == 1, 0.08, 0.04)
        strata_hh = ix["strata"][ix["hh_start"][hh]]
        tot = pd.Series(design_w).groupby(strata_hh).transform("sum").to_numpy()
        resp = pd.Series(design_w * responds).groupby(strata_hh).transform("sum").to_numpy()
        hh, design_w = hh[responds], (design_w * tot / resp)[responds]
    size = ix["hh_size"][hh]
    rows = np.repeat(ix["hh_start"][hh], size) + np.arange(size.sum()) - np.repeat(np.cumsum(size) - size, size)
    sample = persons.iloc[rows].copy()
    w = np.repeat(design_w, size)
    cells = ["strata", "ilo_sex"]
    pop_counts = ix["cell_counts"]
    cell_idx = pd.MultiIndex.from_frame(sample[cells])
    est = pd.Series(w).groupby([sample[c].to_numpy() for c in cells]).sum()
    factor = (pop_counts / est).reindex(cell_idx).to_numpy()
    sample.insert(7, "ilo_wgt", w * factor)
    sample = sample.reset_index(drop=True)
    return to_survey(sample, source=f"{DATASET_NAME}: {COUNTRY} training labour force survey, "
                                    f"population seed {population.seed}, sample seed {seed}")


def to_survey(data: pd.DataFrame, source: str | None = None, file: str | None = None) -> Survey:
    """Wrap SYNTHETIC survey records in a :class:`Survey` with their design, value and variable labels, marked
    SYNTHETIC in its provenance (``meta``); ``file`` names the file they were read from, if any."""
    return Survey(
        data, weight="ilo_wgt", strata="strata", psu="psu", nest=True,
        value_labels={k: dict(v) for k, v in VALUE_LABELS.items() if k in data.columns},
        variable_labels={k: v for k, v in VARIABLE_LABELS.items() if k in data.columns},
        source=source or f"{DATASET_NAME}: {COUNTRY} training labour force survey",
        notes=[f"{DATASET_NAME}: SYNTHETIC data describing the fictional country {COUNTRY}; "
               "it describes no real country. Generated by evidencekit.microdata.synthetic."],
        meta={"dataset": f"{DATASET_NAME} ({COUNTRY})", "synthetic": True, "format": "SYNTHETIC sample",
              "file": file},
    )


def generate(n_persons: int = 36_000, seed: int = SAMPLE_SEED, *, population_size: int | None = None,
             households_per_psu: int | None = None) -> Survey:
    """A SYNTHETIC survey of about ``n_persons`` persons: population (seed ``seed``) then one sample.

    The population defaults to ``max(1_000_000, 4 · n_persons)`` persons; EAs are allocated to strata in
    proportion to their number of EAs (at least 2, at most 40 % of a stratum's EAs), enough to reach
    ``n_persons`` with ``households_per_psu`` households per EA (30, or 120 above 200 000 persons).

    >>> s = generate(n_persons=10_000, seed=5, population_size=200_000)
    >>> 9_000 < len(s.data) < 11_000
    True
    """
    population_size = population_size or max(SAMPLE_POPULATION_SIZE, 4 * n_persons)
    hh_take = households_per_psu or (SAMPLE_HOUSEHOLDS_PER_PSU if n_persons <= 200_000 else 120)
    pop = generate_population(seed, population_size)
    n_eas = pop.eas.groupby("strata").size()
    ea_hh = pop.eas["n_households"].to_numpy()
    persons_per_hh = len(pop.persons) / ea_hh.sum()
    per_ea = np.minimum(ea_hh, hh_take).mean() * persons_per_hh * 0.95  # 5 % household non-response
    total = n_persons / per_ea
    alloc = {h: int(min(max(2, round(total * k / n_eas.sum())), max(2, int(0.4 * k)))) for h, k in n_eas.items()}
    return draw_sample(pop, seed + 1, psu_per_stratum=alloc, households_per_psu=hh_take)


# ------------------------------------------------------------------------------------------------------
# True population values
# ------------------------------------------------------------------------------------------------------

def _indicator_parts(d: pd.DataFrame) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Numerator y and denominator x per person for each indicator (value = 100·Σy/Σx, or Σy/Σx for means).

    A labour force status counts only within the working-age population (``ilo_wap == 1``), as in
    :mod:`evidencekit.indicators.definitions`."""
    wap = d["ilo_wap"].fillna(0).to_numpy() == 1
    lfs = np.where(wap, d["ilo_lfs"].fillna(0).to_numpy(), 0)
    e, u = lfs == 1, lfs == 2
    lf = e | u
    dlma = d["ilo_olf_dlma"].fillna(0).to_numpy()
    plf = (lfs == 3) & np.isin(dlma, [1, 2])
    tru = e & (d["ilo_joball_tru"].fillna(0).to_numpy() == 1)
    youth = wap & (d["ilo_age_aggregate"].to_numpy() == 2)
    neet = youth & (lfs != 1) & (d["ilo_edu_attendance"].fillna(0).to_numpy() == 2)
    ste = d["ilo_job1_ste_icse93"].fillna(0).to_numpy()
    ees = e & (ste == 1)
    inf = e & (d["ilo_job1_ife_nature"].fillna(0).to_numpy() == 1)
    earn = d["ilo_job1_lri_ees"].astype(float).fillna(0).to_numpy()
    hours = d["ilo_job1_how_usual"].astype(float).fillna(1).to_numpy()
    hourly = np.where(ees, earn / (hours * HOURS_PER_MONTH), 0.0)
    ltu = u & (d["ilo_dur_aggregate"].fillna(0).to_numpy() == 3)
    f = np.asarray
    return {
        "labour_force_participation_rate": (f(lf), f(wap)),
        "employment_to_population_ratio": (f(e), f(wap)),
        "unemployment_rate": (f(u), f(lf)),
        "youth_unemployment_rate": (f(u & youth), f(lf & youth)),
        "youth_neet_rate": (f(neet), f(youth)),
        "time_related_underemployment_rate": (f(tru), f(e)),
        "lu2_rate": (f(tru | u), f(lf)),
        "lu3_rate": (f(u | plf), f(lf | plf)),
        "lu4_rate": (f(tru | u | plf), f(lf | plf)),
        "informal_employment_rate": (f(inf), f(e)),
        "vulnerable_employment_rate": (f(e & np.isin(ste, [3, 5])), f(e)),
        "long_term_unemployment_rate": (f(ltu), f(lf)),
        "share_employees": (f(e & (ste == 1)), f(e)),
        "share_employers": (f(e & (ste == 2)), f(e)),
        "share_own_account_workers": (f(e & (ste == 3)), f(e)),
        "share_members_producers_cooperatives": (f(e & (ste == 4)), f(e)),
        "share_contributing_family_workers": (f(e & (ste == 5)), f(e)),
        "mean_monthly_earnings_employees": (np.where(ees, earn, 0.0), f(ees)),
        "mean_hourly_earnings_employees": (hourly, f(ees)),
    }


PERCENT = {"mean_monthly_earnings_employees": False, "mean_hourly_earnings_employees": False}


def _median(values: np.ndarray) -> float:
    """Finite-population median: the smallest value whose share of the population at or below it is ≥ 1/2."""
    v = np.sort(values)
    return float(v[int(np.ceil(0.5 * len(v))) - 1]) if len(v) else np.nan


def population_values(population: Population | pd.DataFrame, by: str | None = "ilo_sex") -> pd.DataFrame:
    """True values of the indicators on the finite population: the total, and by ``by`` when given.

    Each is a ratio of population totals R = Σy/Σx (rates × 100, ILOSTAT style; means of
    earnings in SYD; hourly earnings = monthly / (usual weekly hours × 52/12), docs/indicators.md §2).
    ``gender_pay_gap`` = (AHE_men − AHE_women)/AHE_men × 100 (docs/indicators.md §2.1) and ``gender_pay_gap_median`` (the
    same with the population medians of hourly earnings) are given for the total and, when ``by`` is not
    ``ilo_sex``, for each group.
    Columns: ``indicator``, ``by`` (the column name or None), ``group`` (code or None), ``value``.

    >>> pop = generate_population(seed=3, size=40_000)
    >>> tv = population_values(pop)
    >>> row = tv[(tv.indicator == "unemployment_rate") & tv.group.isna()]
    >>> 2 < float(row.value.iloc[0]) < 15
    True
    """
    d = population.persons if isinstance(population, Population) else population
    parts = _indicator_parts(d)
    rows = []
    groups: list[tuple[str | None, object, np.ndarray]] = [(None, None, np.ones(len(d), dtype=bool))]
    if by is not None:
        if by not in d.columns:
            raise InputError("Computing SYNTHETIC population values", f"there is no column {by!r}",
                             "give by= one of the population's columns, e.g. 'ilo_sex'")
        col = d[by].to_numpy()
        groups += [(by, g, col == g) for g in sorted(pd.unique(d[by].dropna()))]
    men = d["ilo_sex"].to_numpy() == 1
    hourly, ees = parts["mean_hourly_earnings_employees"]
    for by_name, g, mask in groups:
        for name, (y, x) in parts.items():
            scale = 1.0 if name in PERCENT else 100.0
            rows.append((name, by_name, g, scale * float(y[mask].sum()) / float(x[mask].sum())))
        if by_name == "ilo_sex":
            continue
        m, f = mask & ees & men, mask & ees & ~men
        ahe_m, ahe_f = hourly[m].mean(), hourly[f].mean()
        med_m, med_f = _median(hourly[m]), _median(hourly[f])
        rows.append(("gender_pay_gap", by_name, g, 100.0 * (ahe_m - ahe_f) / ahe_m))
        rows.append(("gender_pay_gap_median", by_name, g, 100.0 * (med_m - med_f) / med_m))
    out = pd.DataFrame(rows, columns=["indicator", "by", "group", "value"])
    out["group"] = out["group"].astype(object).where(out["group"].notna(), None)
    return out


# ------------------------------------------------------------------------------------------------------
# Shipped sample
# ------------------------------------------------------------------------------------------------------

def write_sample(out: str | Path, seed: int = SAMPLE_SEED) -> Path:
    """Generate the shipped sample (population of 1 000 000, 24 EAs × 30 households per stratum) into ``out``.

    Writes ``synthetic_lfs_sample.parquet``, ``manifest.json`` (SYNTHETIC, seed, version, design and
    the true population values) and ``README.md``.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    pop = generate_population(seed, SAMPLE_POPULATION_SIZE)
    s = draw_sample(pop, seed + 1)
    path = out / SAMPLE_FILE
    s.data.to_parquet(path, index=False, compression="zstd")
    truth = population_values(pop)
    manifest = {
        "name": DATASET_NAME, "synthetic": True, "country": COUNTRY,
        "description": "SYNTHETIC training labour force survey of a fictional country; describes no real country.",
        "generator": "evidencekit.microdata.synthetic", "generator_version": GENERATOR_VERSION,
        "population_seed": seed, "sample_seed": seed + 1, "population_size": int(len(pop.persons)),
        "design": {"strata": 12, "psu_per_stratum": SAMPLE_PSU_PER_STRATUM,
                   "households_per_psu": SAMPLE_HOUSEHOLDS_PER_PSU, "weight": "ilo_wgt", "strata_column": "strata",
                   "psu_column": "psu", "nest": True},
        "records": int(len(s.data)), "households": int(s.data["hh_id"].nunique()),
        "currency": CURRENCY, "file": SAMPLE_FILE,
        "command": f"python -m evidencekit.microdata.synthetic --out {out} --seed {seed}",
        "population_values": [
            {k: (None if v is None or (isinstance(v, float) and np.isnan(v)) else
                 (int(v) if isinstance(v, (np.integer,)) else v)) for k, v in r.items()}
            for r in truth.to_dict("records")],
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1, default=str) + "\n", encoding="utf-8")
    return path


def load_sample() -> Survey:
    """The shipped SYNTHETIC training survey of Synthetica (≈ 36 000 persons) as a :class:`Survey`.

    >>> s = load_sample()
    >>> s.source.startswith("SYNTHETIC-LFS"), s.design_summary()["n_strata"]
    (True, 12)
    """
    path = DATA_DIR / SAMPLE_FILE
    if not path.is_file():
        raise InputError("Loading the SYNTHETIC training survey", f"{path} is missing from the installation",
                         "reinstall evidencekit, or rebuild it with "
                         "python -m evidencekit.microdata.synthetic --out <that folder>")
    manifest = json.loads((DATA_DIR / "manifest.json").read_text(encoding="utf-8"))
    return to_survey(pd.read_parquet(path), file=SAMPLE_FILE,
                     source=f"{DATASET_NAME}: {COUNTRY} training labour force survey, "
                            f"population seed {manifest['population_seed']}, sample seed {manifest['sample_seed']}")


def main(argv: list[str] | None = None) -> int:
    """``python -m evidencekit.microdata.synthetic --out DIR [--seed N]``: rebuild the shipped sample."""
    p = argparse.ArgumentParser(prog="python -m evidencekit.microdata.synthetic", description=__doc__.split("\n")[0])
    p.add_argument("--out", default=str(DATA_DIR), help="output folder (default: the package's data/synthetic)")
    p.add_argument("--seed", type=int, default=SAMPLE_SEED, help=f"population seed (default {SAMPLE_SEED})")
    a = p.parse_args(argv)
    path = write_sample(a.out, a.seed)
    print(f"wrote {path} ({path.stat().st_size / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

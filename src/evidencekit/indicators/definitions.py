"""The decent-work indicator catalogue, as data.

Every indicator is a ratio of weighted totals R = Σ w·y / Σ w·x over person records
(``docs/indicators.md`` §2, §4.1):

- a **rate** (percent): x = 1 for records in the *universe*, y = 1 for records of the universe that meet
  the *numerator* conditions;
- a **mean**: x = 1 for records of the universe with a valid value, y = the value there
  (records with a missing value are left out of both, R's ``na.rm=TRUE``);
- a **gap** (gender pay gap): (R_men − R_women) / R_men × 100 on hourly earnings of employees, with the
  mean (``gender_pay_gap``) or the weighted median (``gender_pay_gap_median``).

Conditions are written as data: ``{"ilo_lfs": [1, 2]}`` means "``ilo_lfs`` is 1 or 2"; a list of such
dicts means "any of them" (OR), keys inside one dict must all hold (AND). Codes are those of ILO's
harmonised variables (``docs/indicators.md`` §3). A record whose code is missing does
not meet a condition (ILO's 1/missing dummies such as ``ilo_joball_tru``).

Universe: every labour-force condition (employed, unemployed, labour force, potential labour force, youth)
also requires ``ilo_wap == 1``, as ILO's tabulation programs do (``iloMicro``: unemployed =
``ilo_lfs==2 & ilo_wap==1``; NEET denominator = working-age population aged 15-24, ``POP_XWAP``), and as
``docs/indicators.md`` §1.2 explains (filter by universe, not by non-missingness alone). A file whose
``ilo_lfs`` is filled outside its working-age population (a national 10+ survey, overseas workers kept
with a status) thus gives the same universe to every indicator.

>>> d = INDICATORS["unemployment_rate"]
>>> d.universe, d.numerator
([{'ilo_wap': [1], 'ilo_lfs': [1, 2]}], [{'ilo_wap': [1], 'ilo_lfs': [2]}])
>>> sorted(d.columns())
['ilo_lfs', 'ilo_wap']
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

HOURS_PER_MONTH = 52 / 12  # weekly hours -> monthly hours (docs/indicators.md §2)

Condition = list[dict[str, list[int]]]

_IN_WAP = {"ilo_wap": [1]}  # ILO tabulations count every status within ilo_wap == 1 only
WAP: Condition = [dict(_IN_WAP)]
LF: Condition = [{**_IN_WAP, "ilo_lfs": [1, 2]}]
EMPLOYED: Condition = [{**_IN_WAP, "ilo_lfs": [1]}]
UNEMPLOYED: Condition = [{**_IN_WAP, "ilo_lfs": [2]}]
PLF: Condition = [{**_IN_WAP, "ilo_lfs": [3], "ilo_olf_dlma": [1, 2]}]
TRU: Condition = [{**_IN_WAP, "ilo_lfs": [1], "ilo_joball_tru": [1]}]
EMPLOYEES: Condition = [{**_IN_WAP, "ilo_lfs": [1], "ilo_job1_ste_aggregate": [1]}]
YOUTH = {"ilo_age_aggregate": [2]}


def _and(cond: Condition, extra: dict[str, list[int]]) -> Condition:
    return [{**c, **extra} for c in cond]


@dataclass(frozen=True)
class Indicator:
    """One catalogue entry. ``kind`` is ``rate`` (percent), ``mean`` or ``gap``/``gap_median`` (percent)."""

    name: str
    label: str
    kind: str
    unit: str
    universe: Condition
    numerator_text: str
    denominator_text: str
    formula: str
    icls: str
    icls_basis: str
    numerator: Condition = field(default_factory=list)
    value: str | None = None  # for means and gaps: a column, or "hourly_earnings"
    ilostat_id: str | None = None
    sdg: str | None = None
    notes: str = ""

    def columns(self) -> set[str]:
        """The ``ilo_*`` columns the indicator needs."""
        cols = {c for cond in (*self.universe, *self.numerator) for c in cond}
        if self.value == "hourly_earnings":
            cols |= {"ilo_job1_lri_ees", "ilo_job1_how_usual"}
        elif self.value:
            cols.add(self.value)
        if self.kind.startswith("gap"):
            cols.add("ilo_sex")
        return cols


_LFS_BASIS = "13th or 19th ICLS, as the survey's ilo_lfs (ILOSTAT LFS database: 13th; WORK: 19th)"
_19 = "19th ICLS (2013) only: needs the potential labour force / time-related underemployment questions"
_TRU_NOTE = ("TRU follows the mapping's ilo_joball_tru: a national concept (e.g. PSA's underemployment, without "
             "hours threshold or availability) when the mapping says so")
_PLF_NOTE = ("PLF follows the mapping's ilo_olf_dlma (codes 1, 2): a survey that identifies only part of it "
             "(e.g. the PSA PUF, code 1 only) understates the potential labour force (docs/indicators.md §2.1)")


def _share(name: str, code: list[int], who: str) -> Indicator:
    return Indicator(
        name=name, label=f"Share of {who} in total employment", kind="rate", unit="%", universe=EMPLOYED,
        numerator=_and(EMPLOYED, {"ilo_job1_ste_icse93": code}),
        numerator_text=f"employed {who} (ilo_job1_ste_icse93 in {code})",
        denominator_text="employed persons (ilo_lfs == 1, ilo_wap == 1)",
        formula=f"{who} / employed × 100", icls="15th ICLS (1993) ICSE-93; 19th ICLS employment",
        icls_basis=_LFS_BASIS, ilostat_id="EMP_TEMP_SEX_STE_NB_A (counts by STE_ICSE93_*)",
        notes="ICSE-93 codes: 1 employees, 2 employers, 3 own-account, 4 cooperatives, 5 contributing family",
    )


CATALOGUE: list[Indicator] = [
    Indicator(
        name="labour_force_participation_rate", label="Labour force participation rate", kind="rate", unit="%",
        universe=WAP, numerator=LF,
        numerator_text="labour force: employed + unemployed (ilo_lfs in {1, 2})",
        denominator_text="working-age population (ilo_wap == 1)",
        formula="(E + U) / WAP × 100", icls="19th ICLS (2013) resolution I, labour force framework",
        icls_basis=_LFS_BASIS, ilostat_id="EAP_DWAP_SEX_AGE_RT_A",
    ),
    Indicator(
        name="employment_to_population_ratio", label="Employment-to-population ratio", kind="rate", unit="%",
        universe=WAP, numerator=EMPLOYED,
        numerator_text="employed (ilo_lfs == 1)", denominator_text="working-age population (ilo_wap == 1)",
        formula="E / WAP × 100", icls="19th ICLS (2013) resolution I", icls_basis=_LFS_BASIS,
        ilostat_id="EMP_DWAP_SEX_AGE_RT_A",
    ),
    Indicator(
        name="unemployment_rate", label="Unemployment rate (LU1)", kind="rate", unit="%",
        universe=LF, numerator=UNEMPLOYED,
        numerator_text="unemployed (ilo_lfs == 2)",
        denominator_text="labour force of working age (ilo_lfs in {1, 2}, ilo_wap == 1)",
        formula="U / (E + U) × 100", icls="19th ICLS (2013) resolution I (LU1)", icls_basis=_LFS_BASIS,
        ilostat_id="UNE_DEAP_SEX_AGE_RT_A", sdg="8.5.2",
    ),
    Indicator(
        name="youth_unemployment_rate", label="Youth unemployment rate (15-24)", kind="rate", unit="%",
        universe=_and(LF, YOUTH), numerator=_and(UNEMPLOYED, YOUTH),
        numerator_text="unemployed aged 15-24 (ilo_lfs == 2, ilo_age_aggregate == 2)",
        denominator_text="labour force aged 15-24 (ilo_lfs in {1, 2}, ilo_age_aggregate == 2)",
        formula="U(15-24) / LF(15-24) × 100", icls="19th ICLS (2013) resolution I", icls_basis=_LFS_BASIS,
        ilostat_id="UNE_DEAP_SEX_AGE_RT_A (classif1 AGE_YTHADULT_Y15-24)", sdg="8.5.2",
    ),
    Indicator(
        name="time_related_underemployment_rate", label="Time-related underemployment rate", kind="rate",
        unit="%", universe=EMPLOYED, numerator=TRU,
        numerator_text="time-related underemployed (ilo_lfs == 1, ilo_joball_tru == 1)",
        denominator_text="employed (ilo_lfs == 1)", formula="TRU / E × 100",
        icls="16th ICLS (1998) underemployment; 19th ICLS (2013)", icls_basis=_LFS_BASIS,
        ilostat_id="TRU_DEMP_SEX_AGE_RT_A",
        notes=_TRU_NOTE,
    ),
    Indicator(
        name="lu2_rate", label="Combined rate of time-related underemployment and unemployment (LU2)",
        kind="rate", unit="%", universe=LF, numerator=TRU + UNEMPLOYED,
        numerator_text="time-related underemployed + unemployed", denominator_text="labour force",
        formula="(TRU + U) / LF × 100", icls="19th ICLS (2013) resolution I (LU2)", icls_basis=_19,
        ilostat_id="LUU_XLU2_SEX_AGE_RT_A (unverified)", notes=_TRU_NOTE,
    ),
    Indicator(
        name="lu3_rate", label="Combined rate of unemployment and potential labour force (LU3)", kind="rate",
        unit="%", universe=LF + PLF, numerator=UNEMPLOYED + PLF,
        numerator_text="unemployed + potential labour force (ilo_lfs == 3, ilo_olf_dlma in {1, 2})",
        denominator_text="extended labour force: labour force + potential labour force",
        formula="(U + PLF) / (LF + PLF) × 100", icls="19th ICLS (2013) resolution I (LU3)", icls_basis=_19,
        ilostat_id="LUU_XLU3_SEX_AGE_RT_A", notes=_PLF_NOTE,
    ),
    Indicator(
        name="lu4_rate", label="Composite measure of labour underutilization (LU4)", kind="rate", unit="%",
        universe=LF + PLF, numerator=TRU + UNEMPLOYED + PLF,
        numerator_text="time-related underemployed + unemployed + potential labour force",
        denominator_text="extended labour force: labour force + potential labour force",
        formula="(TRU + U + PLF) / (LF + PLF) × 100", icls="19th ICLS (2013) resolution I (LU4)",
        icls_basis=_19, ilostat_id="LUU_XLU4_SEX_AGE_RT_A", notes=f"{_TRU_NOTE}; {_PLF_NOTE}",
    ),
    Indicator(
        name="youth_neet_rate", label="Youth NEET rate (15-24)", kind="rate", unit="%",
        universe=_and(WAP, YOUTH), numerator=_and(WAP, {**YOUTH, "ilo_lfs": [2, 3], "ilo_edu_attendance": [2]}),
        numerator_text="aged 15-24, not employed (ilo_lfs in {2, 3}), not attending education "
                       "(ilo_edu_attendance == 2)",
        denominator_text="working-age population aged 15-24 (ilo_wap == 1, ilo_age_aggregate == 2; "
                         "ILO: POP_XWAP aged 15-24)",
        formula="NEET(15-24) / population(15-24) × 100", icls="19th ICLS employment; UN SDG metadata 8.6.1",
        icls_basis=_LFS_BASIS, ilostat_id="SDG_0861_SEX_RT_A", sdg="8.6.1",
        notes="attendance unknown (ilo_edu_attendance == 3 or missing) counts as not NEET, as in ILO do-files",
    ),
    Indicator(
        name="informal_employment_rate", label="Informal employment rate", kind="rate", unit="%",
        universe=EMPLOYED, numerator=_and(EMPLOYED, {"ilo_job1_ife_nature": [1]}),
        numerator_text="employed in an informal main job (ilo_job1_ife_nature == 1)",
        denominator_text="employed (ilo_lfs == 1)", formula="informal employment / E × 100",
        icls="17th ICLS (2003) guidelines on informal employment", icls_basis=_LFS_BASIS,
        ilostat_id="SDG_0831_SEX_ECO_RT_A", sdg="8.3.1",
        notes="main job only; an employed person with no ilo_job1_ife_nature counts as not informal",
    ),
    Indicator(
        name="vulnerable_employment_rate", label="Vulnerable employment rate", kind="rate", unit="%",
        universe=EMPLOYED, numerator=_and(EMPLOYED, {"ilo_job1_ste_icse93": [3, 5]}),
        numerator_text="own-account workers + contributing family workers (ilo_job1_ste_icse93 in {3, 5})",
        denominator_text="employed (ilo_lfs == 1)", formula="(own-account + contributing family) / E × 100",
        icls="15th ICLS (1993) ICSE-93", icls_basis=_LFS_BASIS,
        ilostat_id=None, notes="World Bank SL.EMP.VULN.ZS republishes ILO modelled estimates",
    ),
    _share("share_employees", [1], "employees"),
    _share("share_employers", [2], "employers"),
    _share("share_own_account_workers", [3], "own-account workers"),
    _share("share_members_producers_cooperatives", [4], "members of producers' cooperatives"),
    _share("share_contributing_family_workers", [5], "contributing family workers"),
    Indicator(
        name="long_term_unemployment_rate", label="Long-term unemployment rate", kind="rate", unit="%",
        universe=LF, numerator=_and(UNEMPLOYED, {"ilo_dur_aggregate": [3]}),
        numerator_text="unemployed for 12 months or more (ilo_dur_aggregate == 3)",
        denominator_text="labour force (ilo_lfs in {1, 2})", formula="LTU / LF × 100",
        icls="19th ICLS (2013) resolution I", icls_basis=_LFS_BASIS, ilostat_id=None,
        notes="over the labour force (Eurostat's long-term unemployment rate "
              "uses the labour force); the 'incidence of long-term unemployment' (LTU / unemployed, e.g. World "
              "Bank SL.UEM.LTRM.ZS from ILO data) is a different indicator; "
              "duration not classified (ilo_dur_aggregate == 4) counts as not long-term",
    ),
    Indicator(
        name="mean_monthly_earnings_employees", label="Mean monthly earnings of employees", kind="mean",
        unit="local currency per month", universe=EMPLOYEES, value="ilo_job1_lri_ees",
        numerator_text="Σ w × monthly earnings (ilo_job1_lri_ees), employees with earnings",
        denominator_text="employees with earnings (ilo_lfs == 1, ilo_job1_ste_aggregate == 1)",
        formula="Σ w·earnings / Σ w over employees (main job)",
        icls="16th ICLS (1998) employment-related income", icls_basis=_LFS_BASIS,
        ilostat_id="EAR_4MTH_SEX_ECO_CUR_NB_A",
    ),
    Indicator(
        name="mean_hourly_earnings_employees", label="Mean hourly earnings of employees", kind="mean",
        unit="local currency per hour", universe=EMPLOYEES, value="hourly_earnings",
        numerator_text="Σ w × hourly earnings, h = ilo_job1_lri_ees / (ilo_job1_how_usual × 52/12)",
        denominator_text="employees with earnings and positive usual hours",
        formula="Σ w·h / Σ w over employees (mean of individual hourly earnings)",
        icls="16th ICLS (1998) employment-related income; UN SDG metadata 8.5.1", icls_basis=_LFS_BASIS,
        ilostat_id="SDG_0851_SEX_OCU_NB_A", sdg="8.5.1",
    ),
    Indicator(
        name="gender_pay_gap", label="Gender pay gap (mean hourly earnings of employees)", kind="gap",
        unit="%", universe=EMPLOYEES, value="hourly_earnings",
        numerator_text="mean hourly earnings of men − of women (ilo_sex 1, 2)",
        denominator_text="mean hourly earnings of men",
        formula="(AHE_men − AHE_women) / AHE_men × 100", icls="UN SDG metadata 8.5.1",
        icls_basis=_LFS_BASIS, ilostat_id="EAR_GGAP_OCU_RT_A", sdg="8.5.1",
        notes="SE by linearisation of the four totals (delta method)",
    ),
    Indicator(
        name="gender_pay_gap_median", label="Gender pay gap (median hourly earnings of employees)",
        kind="gap_median", unit="%", universe=EMPLOYEES, value="hourly_earnings",
        numerator_text="median hourly earnings of men − of women", denominator_text="median of men",
        formula="(median_men − median_women) / median_men × 100", icls="UN SDG metadata 8.5.1 (median variant)",
        icls_basis=_LFS_BASIS, ilostat_id=None, sdg=None,
        notes="medians by R svyquantile's default rule (qrule='math'); SE approximate: Woodruff-type "
              "linearisation of each median, combined by the delta method",
    ),
]

INDICATORS: dict[str, Indicator] = {d.name: d for d in CATALOGUE}


def catalogue() -> pd.DataFrame:
    """The indicator catalogue, one row per indicator.

    >>> cat = catalogue()
    >>> cat.loc[cat.name == "unemployment_rate", ["ilostat_id", "sdg"]].values.tolist()
    [['UNE_DEAP_SEX_AGE_RT_A', '8.5.2']]
    """
    rows = [{
        "name": d.name, "label": d.label, "unit": d.unit, "kind": d.kind,
        "numerator": d.numerator_text, "denominator": d.denominator_text, "formula": d.formula,
        "universe": " or ".join(" & ".join(f"{c} in {v}" for c, v in cond.items()) for cond in d.universe),
        "variables": ", ".join(sorted(d.columns())), "icls": d.icls, "icls_basis": d.icls_basis,
        "ilostat_id": d.ilostat_id, "sdg": d.sdg, "notes": d.notes,
    } for d in CATALOGUE]
    return pd.DataFrame(rows)

"""The SYNTHETIC training survey: determinism, design, universes, labels, realism, truth and CI coverage."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from evidencekit.errors import InputError
from evidencekit.microdata import synthetic as sy
from evidencekit.microdata.survey import Survey


@pytest.fixture(scope="module")
def population() -> sy.Population:
    return sy.generate_population(seed=11, size=150_000)


@pytest.fixture(scope="module")
def sample(population: sy.Population) -> Survey:
    return sy.draw_sample(population, seed=5, psu_per_stratum=6, households_per_psu=10)


@pytest.fixture(scope="module")
def shipped() -> Survey:
    return sy.load_sample()


# -- determinism ------------------------------------------------------------------------------------------

def test_same_seed_gives_identical_population_and_sample(population: sy.Population, sample: Survey) -> None:
    again = sy.generate_population(seed=11, size=150_000)
    pd.testing.assert_frame_equal(again.persons, population.persons)
    pd.testing.assert_frame_equal(sy.draw_sample(again, seed=5, psu_per_stratum=6, households_per_psu=10).data,
                                  sample.data)


def test_other_seed_gives_other_data(population: sy.Population, sample: Survey) -> None:
    other = sy.generate_population(seed=12, size=150_000)
    assert not other.persons["ilo_age"].equals(population.persons["ilo_age"])
    resample = sy.draw_sample(population, seed=6, psu_per_stratum=6, households_per_psu=10)
    assert set(resample.data["psu"]) != set(sample.data["psu"])


def test_shipped_sample_is_rebuilt_exactly_by_the_documented_command(tmp_path, shipped: Survey) -> None:
    manifest = json.loads((sy.DATA_DIR / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["synthetic"] is True and manifest["name"] == sy.DATASET_NAME
    assert manifest["population_seed"] == sy.SAMPLE_SEED and manifest["generator_version"] == sy.GENERATOR_VERSION
    assert sy.main(["--out", str(tmp_path), "--seed", str(manifest["population_seed"])]) == 0
    rebuilt = pd.read_parquet(tmp_path / sy.SAMPLE_FILE)
    pd.testing.assert_frame_equal(rebuilt, shipped.data)
    assert json.loads((tmp_path / "manifest.json").read_text())["population_values"] == manifest["population_values"]
    assert 25_000 <= len(shipped.data) <= 45_000
    assert (sy.DATA_DIR / sy.SAMPLE_FILE).stat().st_size < 2_000_000


# -- design -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("which", ["small", "shipped"])
def test_design_is_sane(which: str, population: sy.Population, sample: Survey, shipped: Survey) -> None:
    s = sample if which == "small" else shipped
    d = s.data
    assert (s.weight, s.strata, s.psu, s.nest) == ("ilo_wgt", "strata", "psu", True)
    assert (d["ilo_wgt"] > 0).all()
    # PSUs nested in strata, every stratum has at least 2 PSUs, 12 strata
    assert (d.groupby("psu")["strata"].nunique() == 1).all()
    per_stratum = d.groupby("strata")["psu"].nunique()
    assert len(per_stratum) == 12 and per_stratum.min() >= 2
    # households nested in PSUs, persons unique
    assert (d.groupby("hh_id")["psu"].nunique() == 1).all()
    assert d["ilo_key"].is_unique
    if which == "small":
        # weights sum to the population size, overall and in every post-stratum (stratum x sex)
        assert d["ilo_wgt"].sum() == pytest.approx(len(population.persons), rel=1e-12)
        pop_cells = population.persons.groupby(["strata", "ilo_sex"]).size()
        w_cells = d.groupby(["strata", "ilo_sex"])["ilo_wgt"].sum()
        np.testing.assert_allclose(w_cells.to_numpy(), pop_cells.loc[w_cells.index].to_numpy(), rtol=1e-12)
        assert set(per_stratum) == {6}
    else:
        manifest = json.loads((sy.DATA_DIR / "manifest.json").read_text(encoding="utf-8"))
        assert d["ilo_wgt"].sum() == pytest.approx(manifest["population_size"], rel=1e-12)


def test_pps_inclusion_probabilities() -> None:
    sizes = np.array([10.0, 20, 30, 40, 400])
    pi = sy._pps_inclusion(sizes, 3)
    assert pi.sum() == pytest.approx(3) and pi[-1] == 1.0
    np.testing.assert_allclose(pi[:4], 2 * sizes[:4] / sizes[:4].sum())


def test_pps_selection_frequency_matches_inclusion_probability(population: sy.Population) -> None:
    """Over 3000 draws, each EA of stratum 1 is drawn about π_i = n·M_i/M_h of the time, never twice."""
    sizes = population.eas.loc[population.eas["strata"] == 1, "n_households"].to_numpy(float)
    pi = sy._pps_inclusion(sizes, 4)
    rng = np.random.default_rng(0)
    counts = np.zeros(len(sizes))
    draws = 3000
    for _ in range(draws):
        idx, p = sy._systematic_pps(sizes, 4, rng)
        assert len(set(idx)) == 4
        np.testing.assert_array_equal(p, pi[idx])
        counts[idx] += 1
    z = (counts / draws - pi) / np.sqrt(pi * (1 - pi) / draws)
    assert np.abs(z).max() < 4.0


# -- universes and labels --------------------------------------------------------------------------------

def test_universes_are_respected(population: sy.Population) -> None:
    d = population.persons
    for var, rule in sy.UNIVERSES.items():
        inside = d.eval(rule).to_numpy()
        present = d[var].notna().to_numpy()
        assert (present == inside).all(), f"{var} is not present exactly where {rule}"
    for var, rule in sy.FLAG_UNIVERSES.items():
        present = d[var].notna().to_numpy()
        assert not (present & ~d.eval(rule).to_numpy()).any(), f"{var} is set outside {rule}"
        assert set(d[var].dropna().unique()) == {1}
    # nested universes: employees are employed, NEET youth are not employed
    assert (d.loc[d["ilo_job1_lri_ees"].notna(), "ilo_lfs"] == 1).all()
    assert (d.loc[d["ilo_neet"] == 1, "ilo_lfs"] != 1).all()
    assert (d.loc[d["ilo_dis"] == 1, "ilo_olf_dlma"] == 2).all()
    assert ((d["ilo_job1_job_time"] == 1) == (d["ilo_job1_how_usual"] < 35)).all()


def test_codes_have_labels_and_every_label_says_synthetic(shipped: Survey, population: sy.Population) -> None:
    d = population.persons
    for var, labels in sy.VALUE_LABELS.items():
        codes = set(d[var].dropna().astype(int).unique())
        assert codes <= set(labels), f"{var}: codes {codes - set(labels)} have no label"
    assert set(shipped.value_labels) == set(sy.VALUE_LABELS)
    assert set(shipped.variable_labels) == set(shipped.data.columns)
    assert all("SYNTHETIC" in label for label in shipped.variable_labels.values())
    for var in ("region", "strata"):
        assert all("SYNTHETIC" in label for label in shipped.value_labels[var].values())
    assert "SYNTHETIC" in shipped.source and "SYNTHETIC" in sy.COUNTRY
    assert shipped.data["synthetic"].dtype == bool and shipped.data["synthetic"].all()
    assert shipped.labels("ilo_lfs").dropna().isin(sy.VALUE_LABELS["ilo_lfs"].values()).all()


# -- realism and truth ------------------------------------------------------------------------------------

def test_relationships_are_realistic(population: sy.Population) -> None:
    tv = sy.population_values(population)
    v = {(r.indicator, r.group): r.value for r in tv.itertuples()}
    assert v[("labour_force_participation_rate", 1)] - v[("labour_force_participation_rate", 2)] > 15
    assert v[("youth_unemployment_rate", None)] > 2 * v[("unemployment_rate", None)] * 0.9
    assert 0 < v[("gender_pay_gap", None)] < 40
    assert 3 < v[("unemployment_rate", None)] < 10 and 45 < v[("informal_employment_rate", None)] < 80
    d = population.persons
    rural = d["ilo_geo"] == 2
    emp = d["ilo_lfs"] == 1
    assert (d.loc[emp & rural, "ilo_job1_ife_nature"] == 1).mean() > (d.loc[emp & ~rural, "ilo_job1_ife_nature"] == 1).mean() + 0.15
    assert (d.loc[emp & rural, "ilo_job1_eco_sector"] == 1).mean() > 0.4 > (d.loc[emp & ~rural, "ilo_job1_eco_sector"] == 1).mean()
    olf = d["ilo_lfs"] == 3
    care = d["olf_reason_detail"] == 1
    assert care[olf & (d["ilo_sex"] == 2)].mean() > 2 * care[olf & (d["ilo_sex"] == 1)].mean()


def test_population_values_follow_the_definitions(population: sy.Population) -> None:
    tv = sy.population_values(population)
    d = population.persons
    assert set(tv["indicator"]) >= {"labour_force_participation_rate", "unemployment_rate", "youth_neet_rate",
                                    "informal_employment_rate", "lu4_rate", "gender_pay_gap",
                                    "mean_hourly_earnings_employees"}
    get = tv.set_index(["indicator", tv["group"].fillna(0)])["value"]
    women = d[d["ilo_sex"] == 2]
    assert get[("unemployment_rate", 2)] == pytest.approx(
        100 * (women["ilo_lfs"] == 2).sum() / women["ilo_lfs"].isin([1, 2]).sum())
    ees = d[d["ilo_job1_ste_icse93"] == 1]
    hourly = ees["ilo_job1_lri_ees"] / (ees["ilo_job1_how_usual"] * 52 / 12)
    m = hourly[ees["ilo_sex"] == 1].mean()
    assert get[("gender_pay_gap", 0)] == pytest.approx(100 * (m - hourly[ees["ilo_sex"] == 2].mean()) / m)
    for g in (0, 1, 2):
        assert get[("unemployment_rate", g)] <= get[("lu2_rate", g)] <= get[("lu4_rate", g)]
        assert get[("unemployment_rate", g)] <= get[("lu3_rate", g)] <= get[("lu4_rate", g)]


def test_bad_arguments_get_clear_errors(population: sy.Population) -> None:
    with pytest.raises(InputError, match="size"):
        sy.generate_population(seed=1, size=100)
    with pytest.raises(InputError, match="psu_per_stratum"):
        sy.draw_sample(population, seed=1, psu_per_stratum=1)
    with pytest.raises(InputError, match="psu_per_stratum"):
        sy.draw_sample(population, seed=1, psu_per_stratum=10_000)
    with pytest.raises(InputError, match="by="):
        sy.population_values(population, by="no_such_column")


# -- confidence-interval coverage (with evidencekit.indicators.estimate) ---------------------------------

COVERAGE_DRAWS = 200


@pytest.fixture(scope="module")
def stacked_draws(population: sy.Population) -> pd.DataFrame:
    """200 independent samples of the fixed population, stacked; strata renumbered per draw.

    Domain estimation by ``draw`` over the stack equals estimating each sample on its own: outside its
    draw a record has y = x = 0, and the other draws' strata add nothing to the ultimate-cluster variance
    (checked in the test below)."""
    frames = []
    for k in range(COVERAGE_DRAWS):
        d = sy.draw_sample(population, seed=10_000 + k, psu_per_stratum=10, households_per_psu=8).data
        frames.append(d.assign(draw=k, strata=d["strata"].astype(np.int32) + 100 * k))
    return pd.concat(frames, ignore_index=True)


def test_stacked_domain_estimates_equal_one_sample_estimates(stacked_draws: pd.DataFrame) -> None:
    from evidencekit.indicators import estimate

    one = stacked_draws[stacked_draws["draw"] == 3]
    alone = estimate(sy.to_survey(one), "unemployment_rate")
    within = estimate(sy.to_survey(stacked_draws), "unemployment_rate", by="draw")
    row = within[within["draw"] == 3]
    np.testing.assert_allclose(row[["estimate", "se"]].to_numpy(float), alone[["estimate", "se"]].to_numpy(float),
                               rtol=1e-9)


@pytest.mark.parametrize(("name", "sex"), [
    ("unemployment_rate", None), ("labour_force_participation_rate", 2), ("informal_employment_rate", None),
    ("youth_neet_rate", None), ("mean_monthly_earnings_employees", None), ("lu3_rate", 1),
    ("gender_pay_gap", None), ("gender_pay_gap_median", None),
])
def test_confidence_intervals_cover_the_population_value(name: str, sex: int | None, population: sy.Population,
                                                         stacked_draws: pd.DataFrame) -> None:
    """95 % CIs from 200 samples (120 PSUs, ≈ 3 900 persons each) cover the known population value 90–99 % of
    the time (binomial sd ≈ 1.5 %)."""
    from evidencekit.indicators import estimate

    truth = sy.population_values(population)
    pick = (truth["indicator"] == name) & (truth["group"].isna() if sex is None else truth["group"] == sex)
    true_value = float(truth.loc[pick, "value"].iloc[0])
    by = ["draw"] if sex is None else ["draw", "ilo_sex"]
    est = estimate(sy.to_survey(stacked_draws), name, by=by, level=0.95)
    if sex is not None:
        est = est[est["ilo_sex_code"] == sex]   # by-columns carry value labels; codes are in <col>_code
    assert len(est) == COVERAGE_DRAWS and est["se"].gt(0).all()
    covered = (est["ci_low"] <= true_value) & (true_value <= est["ci_high"])
    bias = (est["estimate"].mean() - true_value) / est["se"].mean()
    assert 0.90 <= covered.mean() <= 0.99, f"{name}: coverage {covered.mean():.3f}, bias {bias:+.2f} SE"
    # the check has power: intervals 40 % too narrow (SEs underestimated) would fail it
    half = 0.6 * (est["ci_high"] - est["ci_low"]) / 2
    assert ((est["estimate"] - true_value).abs() <= half).mean() < 0.90


def test_population_values_cover_the_catalogue_and_the_shipped_sample_is_near_them(shipped: Survey) -> None:
    """Every catalogue indicator has a true value in the manifest; the shipped sample's estimates (total
    and by sex) lie within 4 SE of them (§5 test (a), with a margin for 59 correlated comparisons)."""
    from evidencekit.indicators import catalogue, estimate

    truth = pd.DataFrame(json.loads((sy.DATA_DIR / "manifest.json").read_text(encoding="utf-8"))["population_values"])
    names = list(catalogue()["name"])
    assert set(truth["indicator"]) == set(names)
    z = []
    for name in names:
        total = estimate(shipped, name)
        z.append((float(total["estimate"].iloc[0]) - truth.loc[(truth.indicator == name) & truth.group.isna(),
                                                                 "value"].iloc[0]) / float(total["se"].iloc[0]))
        if not name.startswith("gender_pay_gap"):
            by_sex = estimate(shipped, name, by="ilo_sex").merge(
                truth[(truth.indicator == name) & (truth.by == "ilo_sex")], left_on="ilo_sex_code", right_on="group")
            assert len(by_sex) == 2
            z += list((by_sex["estimate"] - by_sex["value"]) / by_sex["se"])
    z = np.asarray(z, dtype=float)
    assert len(z) == 3 * len(names) - 4 and np.isfinite(z).all()   # gaps: total only
    assert np.abs(z).max() < 4.0

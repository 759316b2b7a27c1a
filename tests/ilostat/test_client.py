"""The ILOSTAT client end to end over replayed rplumber answers (cassettes built from real specimens).

Values are checked against the specimen files read independently with the csv module, so a parsing
or filtering mistake in the client cannot hide behind its own output.
"""
from __future__ import annotations

import csv
import json
import socket
import warnings

import pandas as pd
import pytest

import evidencekit.ilostat as ilostat
from evidencekit.ilostat import (
    CacheWarning, ChallengeError, Client, NoMatchError, NotAvailableOfflineError, QueryError, SourceWarning,
    UnknownIndicatorError,
)
from evidencekit.ilostat.client import TOC_COLUMNS
from evidencekit.ilostat.snapshot import Snapshot

UNE = "UNE_DEAP_SEX_AGE_RT_A"
AREAS3 = ["KEN", "USA", "X01"]


def specimen_rows(shared_data) -> list[dict]:
    path = shared_data / "ilostat-specimens" / "rplumber-data-indicator-UNE_DEAP_SEX_AGE_RT_A.csv"
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


# -- search / catalogue ---------------------------------------------------------------------------
def test_search_uses_the_live_catalogue(cache_dir, cassette, shared_data):
    client = Client(cache_dir=cache_dir)
    with cassette("toc_search") as cas:
        found = client.search("unemployment")
        assert cas.play_count == 1
    assert found.attrs["provenance"]["origin"] == "live"
    assert set(TOC_COLUMNS) <= set(found.columns)
    assert set(Snapshot().toc().columns) <= set(found.columns)  # one shape, whichever source
    live_ids = {r["id"] for r in json.loads(
        (shared_data / "ilostat-specimens" / "rplumber-toc-indicator.json").read_text(encoding="utf-8"))}
    assert set(found["id"]) <= live_ids
    assert found["id"].iloc[0].startswith("UNE_")
    row = found.set_index("id").loc[UNE]
    assert row["last_update"] == "2026-09-24T07:10:19" and row["data_start"] == "1947"
    again = client.search("labour force")  # no HTTP: the cassette would refuse a second request
    assert "EAP_DWAP_SEX_AGE_RT_A" in set(again["id"])


def test_search_offline_uses_the_snapshot_without_network(cache_dir, no_network):
    found = Client(cache_dir=cache_dir, offline=True).search("unemployment", limit=None)
    assert found.attrs["provenance"]["origin"] == "snapshot"
    assert found.attrs["provenance"]["stale"] is False
    assert "SDG_0852_SEX_AGE_RT_A" in set(found["id"])


def test_search_offline_lists_the_datasets_it_can_fetch_first(cache_dir, no_network):
    found = Client(cache_dir=cache_dir, offline=True).search("unemployment", limit=5)
    assert found["id"].iloc[0] == "SDG_0852_SEX_AGE_RT_A"  # the one unemployment dataset held offline
    held = found["offline"].fillna(False).astype(bool).tolist()
    assert held == sorted(held, reverse=True)


def test_search_falls_back_to_the_snapshot_when_challenged(cache_dir, cassette):
    with cassette("challenge_toc"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        found = Client(cache_dir=cache_dir).search("unemployment")
    assert found.attrs["provenance"]["origin"] == "snapshot"
    assert found.attrs["provenance"]["stale"] is True


def test_areas_live_has_the_snapshot_columns(cache_dir, cassette):
    with cassette("areas"):
        live = Client(cache_dir=cache_dir).areas()
    assert list(live.columns) == list(Snapshot().areas().columns)
    ken = live.set_index("ref_area").loc["KEN"]
    assert ken["ref_area.label"] == "Kenya" and ken["ilo_region"] == "X06" and ken["income_group"] == "X03"
    assert bool(live.set_index("ref_area").loc["X01", "is_aggregate"]) is True
    assert live["ref_area"].is_unique


def test_areas_offline(cache_dir, no_network):
    areas = Client(cache_dir=cache_dir, offline=True).areas()
    assert areas.attrs["provenance"]["origin"] == "snapshot"
    assert "PHL" in set(areas["ref_area"])


# -- get: live --------------------------------------------------------------------------------------
def test_get_single_matches_the_specimen(cache_dir, cassette, shared_data):
    with cassette("get_single") as cas:
        df = Client(cache_dir=cache_dir).get(UNE, ref_area=AREAS3)
        assert cas.play_count == 2
        data_uri = cas.requests[1].uri
    assert "ref_area=KEN+USA+X01" in data_uri and "%2B" not in data_uri
    expected = specimen_rows(shared_data)
    assert len(df) == len(expected)
    assert df["obs_value"].dtype == "float64"
    for got, want in zip(df.to_dict("records"), expected):
        assert got["ref_area"] == want["ref_area"] and got["time"] == want["time"]
        assert got["obs_value"] == pytest.approx(float(want["obs_value"]))
        assert (got["obs_status"] if pd.notna(got["obs_status"]) else "") == want["obs_status"]
    prov = df.attrs["provenance"]
    assert prov["origin"] == "live" and prov["stale"] is False and prov["vintage"] == "2026-09-24"
    assert prov["url"] == data_uri
    assert "Unemployment rate by sex and age (%)" in prov["citation"] and "CC BY 4.0" in prov["citation"]


def test_get_with_several_filters(cache_dir, cassette, shared_data):
    with cassette("get_multi"):
        df = Client(cache_dir=cache_dir).get(UNE, ref_area="usa", sex=["M", "F"], classif1="AGE_YTHADULT_Y15-24",
                                             start=2024, end=2025)
    want = [r for r in specimen_rows(shared_data) if r["ref_area"] == "USA" and r["sex"] in ("SEX_M", "SEX_F")
            and r["classif1"] == "AGE_YTHADULT_Y15-24" and "2024" <= r["time"] <= "2025"]
    assert len(df) == len(want) == 4
    assert set(df["sex"]) == {"SEX_M", "SEX_F"} and set(df["time"]) == {"2024", "2025"}
    assert sorted(df["obs_value"].round(3)) == sorted(round(float(r["obs_value"]), 3) for r in want)


def test_get_with_labels(cache_dir, cassette):
    with cassette("get_labels"):
        df = Client(cache_dir=cache_dir).get(UNE, ref_area="KEN", labels=True)
    assert set(df["ref_area.label"]) == {"Kenya"}
    assert set(df["sex.label"]) == {"Total"}
    assert df["classif1.label"].iloc[0] == "Age (Youth, adults): 15+"
    assert df["note_source.label"].dropna().str.startswith("Repository:").all()
    assert df.attrs["provenance"]["origin"] == "live"


def test_header_only_answer_names_the_bad_filter(cache_dir, cassette):
    with cassette("header_only_bad_code"), pytest.raises(NoMatchError) as err:
        Client(cache_dir=cache_dir).get(UNE, ref_area="XYZ")
    text = str(err.value)
    assert "ref_area=XYZ" in text and "XYZ is not an ILOSTAT code" in text
    assert "none of the 327 ref_area codes ILOSTAT knows is close" in text and "evidencekit areas" in text


def test_header_only_answer_with_valid_codes_says_the_combination_is_empty(cache_dir, cassette):
    with cassette("header_only_combination"), pytest.raises(NoMatchError) as err:
        Client(cache_dir=cache_dir).get(UNE, ref_area="KEN", sex="O")
    assert "every code exists in ILOSTAT, but this combination has no data" in str(err.value)
    assert "1947 to 2027" in str(err.value)


def test_unknown_id_gets_suggestions(cache_dir, cassette):
    with cassette("unknown_id"), pytest.raises(UnknownIndicatorError) as err:
        Client(cache_dir=cache_dir).get("FOO_BAR_A")
    text = str(err.value)
    assert "FOO_BAR_A" in text and "deprecated or invalid dataset id" in text and "did you mean" in text


def test_retry_on_500_then_200(cache_dir, cassette, no_sleep):
    with cassette("retry_500") as cas:
        df = Client(cache_dir=cache_dir).get(UNE, ref_area=AREAS3)
        assert cas.play_count == 4  # ToC, 500, 500, 200
    assert len(df) == 52 and df.attrs["provenance"]["origin"] == "live"
    assert no_sleep == [1.0]  # urllib3 backoff: first retry at once, then 0.5 * 2**(n-1) s


def test_server_errors_after_retries_fall_back_or_say_so(cache_dir, cassette, no_sleep):
    with cassette("server_down") as cas, pytest.raises(ilostat.NetworkError) as err:
        Client(cache_dir=cache_dir).get(UNE, ref_area=AREAS3)
    assert cas.play_count == 5  # ToC + 1 try + 3 retries
    assert "HTTP 500" in str(err.value) and "after 3 retries" in str(err.value)


def test_retry_on_429_honours_retry_after(cache_dir, cassette, no_sleep):
    with cassette("retry_429") as cas:
        df = Client(cache_dir=cache_dir).get(UNE, ref_area=AREAS3)
        assert cas.play_count == 3
    assert len(df) == 52
    assert no_sleep == [7.0]


# -- challenge and fallbacks --------------------------------------------------------------------------
def test_challenge_without_fallback_raises_a_clear_error(cache_dir, cassette):
    client = Client(cache_dir=cache_dir)
    with cassette("toc_search"):
        client.toc()
    with cassette("challenge_data"), pytest.raises(ChallengeError) as err:
        client.get(UNE, ref_area=AREAS3)
    text = str(err.value)
    assert "bot check" in text and "neither in the local cache nor in the offline snapshot" in text


def test_challenge_falls_back_to_a_stale_cache(cache_dir, cassette):
    with cassette("get_single"):
        fresh = Client(cache_dir=cache_dir).get(UNE, ref_area=AREAS3)
    client = Client(cache_dir=cache_dir, toc_max_age=0)
    with cassette("challenge_after_update") as cas, pytest.warns(SourceWarning, match="bot check"):
        df = client.get(UNE, ref_area=AREAS3)
        assert cas.play_count == 2
    assert df.attrs["provenance"]["origin"] == "cache" and df.attrs["provenance"]["stale"] is True
    pd.testing.assert_frame_equal(df, fresh)


def test_challenge_falls_back_to_the_snapshot(cache_dir, cassette):
    client = Client(cache_dir=cache_dir)
    with cassette("toc_search"):
        client.toc()
    with cassette("challenge_snapshot"), pytest.warns(SourceWarning, match="offline snapshot"):
        df = client.get("SDG_0852_SEX_AGE_RT_A", ref_area="PHL")
    prov = df.attrs["provenance"]
    assert prov["origin"] == "snapshot" and prov["stale"] is True
    assert set(df["ref_area"]) == {"PHL"} and len(df) > 0


# -- cache -------------------------------------------------------------------------------------------
def test_second_get_is_served_from_cache_without_http(cache_dir, cassette):
    with cassette("get_single") as cas:
        client = Client(cache_dir=cache_dir)
        first = client.get(UNE, ref_area=AREAS3)
        second = client.get(UNE, ref_area=AREAS3)
        third = Client(cache_dir=cache_dir).get(UNE, ref_area=AREAS3)  # a new process, same cache folder
        assert cas.play_count == 2
    assert [d.attrs["provenance"]["origin"] for d in (first, second, third)] == ["live", "cache", "cache"]
    assert second.attrs["provenance"]["stale"] is False
    pd.testing.assert_frame_equal(first, second)
    pd.testing.assert_frame_equal(first, third)


def test_cache_is_refreshed_when_last_update_changes(cache_dir, cassette):
    client = Client(cache_dir=cache_dir, toc_max_age=0)
    with cassette("cache_refresh") as cas:
        first = client.get(UNE, ref_area=AREAS3)
        second = client.get(UNE, ref_area=AREAS3)
        assert cas.play_count == 4  # ToC, data, new ToC, data again
    assert first.attrs["provenance"]["last_update"] == "2026-09-24T07:10:19"
    assert second.attrs["provenance"]["origin"] == "live"
    assert second.attrs["provenance"]["last_update"] == "2026-11-21T08:00:00"
    (record,) = client.cache.records()
    assert record["last_update"] == "2026-11-21T08:00:00"


def test_corrupt_cache_file_is_discarded_and_fetched_again(cache_dir, cassette):
    client = Client(cache_dir=cache_dir)
    with cassette("get_single"):
        first = client.get(UNE, ref_area=AREAS3)
    (parquet,) = (cache_dir / "data").glob("*.parquet")
    parquet.write_bytes(parquet.read_bytes()[:100])  # a half-written / damaged file
    with cassette("get_single") as cas, pytest.warns(CacheWarning, match="checksum"):
        again = client.get(UNE, ref_area=AREAS3)
        assert cas.play_count == 1  # the data only: the ToC is still cached
    assert again.attrs["provenance"]["origin"] == "live"
    pd.testing.assert_frame_equal(first, again)


def test_corrupt_http_cache_database_is_replaced(cache_dir, cassette):
    cache_dir.mkdir(parents=True)
    (cache_dir / "http-metadata.sqlite").write_bytes(b"this is not a database" * 100)
    with cassette("toc_search"), pytest.warns(CacheWarning, match="damaged"):
        found = Client(cache_dir=cache_dir).search("unemployment")
    assert len(found) > 0


def test_clear_cache(cache_dir, cassette, no_network):
    with cassette("get_single"):
        Client(cache_dir=cache_dir).get(UNE, ref_area=AREAS3)
    (cache_dir / "notes.txt").write_text("not ours")
    client = Client(cache_dir=cache_dir, offline=True)
    assert client.clear_cache() >= 3
    assert (cache_dir / "notes.txt").exists()
    assert not list((cache_dir).glob("**/*.parquet"))
    with pytest.raises(NotAvailableOfflineError):
        client.get(UNE, ref_area=AREAS3)


# -- offline -----------------------------------------------------------------------------------------
def test_offline_uses_cache_then_snapshot_and_never_the_network(cache_dir, cassette, monkeypatch, request):
    with cassette("get_single"):
        live = Client(cache_dir=cache_dir).get(UNE, ref_area=AREAS3)
    guard = request.getfixturevalue("no_network")
    client = Client(cache_dir=cache_dir, offline=True)
    cached = client.get(UNE, ref_area=AREAS3)
    assert cached.attrs["provenance"]["origin"] == "cache" and cached.attrs["provenance"]["stale"] is False
    pd.testing.assert_frame_equal(cached, live)
    ken = client.get(UNE, ref_area="KEN", start=2010)  # answered by the cached request that covers it
    assert set(ken["ref_area"]) == {"KEN"} and ken["time"].astype(int).min() >= 2010
    snap = client.get("SDG_0852_SEX_AGE_RT_A", ref_area="PHL")
    assert snap.attrs["provenance"]["origin"] == "snapshot" and snap.attrs["provenance"]["stale"] is False
    with pytest.raises(NotAvailableOfflineError, match="neither in the local cache nor in the offline snapshot"):
        client.get("UNE_2EAP_SEX_AGE_RT_A")
    assert guard == []


def test_environment_offline_switch_for_the_module_functions(monkeypatch, no_network):
    monkeypatch.setenv("EVIDENCEKIT_OFFLINE", "1")
    df = ilostat.get("SDG_0852_SEX_AGE_RT_A", ref_area="PHL", sex="T")
    assert df.attrs["provenance"]["origin"] == "snapshot"
    assert set(df["sex"]) == {"SEX_T"}
    assert len(ilostat.search("unemployment")) > 0
    assert len(ilostat.areas()) > 100


def test_network_down_fails_fast_and_is_remembered(cache_dir, monkeypatch):
    calls: list[str] = []

    def no_dns(host, *args, **kwargs):
        calls.append(host)
        raise socket.gaierror(-3, "Temporary failure in name resolution")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    client = Client(cache_dir=cache_dir)
    with pytest.warns(SourceWarning, match="could not be reached"):
        df = client.get("SDG_0852_SEX_AGE_RT_A", ref_area="PHL")
    assert df.attrs["provenance"]["origin"] == "snapshot" and df.attrs["provenance"]["stale"] is True
    first_calls = len(calls)
    assert 1 <= first_calls <= 2  # the ToC attempt (+1 connect retry); the data request is not even tried
    with pytest.warns(SourceWarning):
        client.get("SDG_0852_SEX_AGE_RT_A", ref_area="PHL")
        Client(cache_dir=cache_dir).get("SDG_0852_SEX_AGE_RT_A", ref_area="IDN")  # next process: remembered too
        Client(cache_dir=cache_dir).search("unemployment")
    assert len(calls) == first_calls


# -- bad input ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, needle", [
    ({"start": "20x5"}, "'20x5': is not an ILOSTAT period"),
    ({"start": 2024, "end": 2015}, "ends before it starts"),
    ({"lang": "de"}, "'de': is not offered by ILOSTAT"),
])
def test_bad_input_is_refused_before_any_request(cache_dir, no_network, kwargs, needle):
    with pytest.raises(QueryError) as err:
        Client(cache_dir=cache_dir).get("SDG_0852_SEX_AGE_RT_A", **kwargs)
    assert needle in str(err.value)


def test_labels_offline_come_from_the_snapshot_dictionaries(cache_dir, cassette, request):
    with cassette("get_single"):
        Client(cache_dir=cache_dir).get(UNE, ref_area=AREAS3)
    request.getfixturevalue("no_network")
    df = Client(cache_dir=cache_dir, offline=True).get(UNE, ref_area="KEN", labels=True)
    assert df.attrs["provenance"]["origin"] == "cache"
    assert set(df["ref_area.label"]) == {"Kenya"}
    assert df["classif1.label"].str.contains("15+", regex=False).all()


def test_search_falls_back_to_the_cached_catalogue_first(cache_dir, cassette):
    """An expired catalogue copy (requests-cache ``stale_if_error``) answers when ILOSTAT refuses."""
    from datetime import datetime, timedelta, timezone

    client = Client(cache_dir=cache_dir)
    with cassette("toc_search"):
        client.toc()
    responses = client.transport.meta_session().cache.responses
    (key,) = list(responses.keys())
    saved = responses[key]
    saved.expires = datetime.now(timezone.utc) - timedelta(hours=1)  # as if a day had passed
    responses[key] = saved
    client = Client(cache_dir=cache_dir)
    with cassette("challenge_toc") as cas:
        found = client.search("unemployment")
        assert cas.play_count == 1  # it did ask ILOSTAT
    prov = found.attrs["provenance"]
    assert prov["origin"] == "cache" and prov["stale"] is True
    assert found["id"].iloc[0].startswith("UNE_")
    assert client.transport.recently_down() is not None  # and the data call that follows will not wait


def test_a_shorter_max_age_refetches_the_catalogue_and_keeps_the_copy_on_failure(cache_dir, cassette):
    with cassette("toc_search"):
        Client(cache_dir=cache_dir).toc()  # saved for a day
    client = Client(cache_dir=cache_dir, toc_max_age=0)
    with cassette("challenge_toc") as cas:
        toc = client.toc()
        assert cas.play_count == 1
    assert toc.attrs["provenance"]["origin"] == "cache" and toc.attrs["provenance"]["stale"] is True
    assert "bot check" in client.transport.recently_down()[1]


def test_a_code_without_rows_among_others_is_reported(cache_dir, no_network):
    client = Client(cache_dir=cache_dir, offline=True)
    with pytest.warns(ilostat.NoDataWarning, match=r"no rows for ref_area=XYZ"):
        df = client.get("SDG_0852_SEX_AGE_RT_A", ref_area=["PHL", "XYZ"])
    assert set(df["ref_area"]) == {"PHL"}


def test_closest_codes_by_label_and_by_spelling():
    from evidencekit.ilostat.client import closest_codes

    dic = pd.DataFrame({"ref_area": ["PHL", "IDN", "CIV"],
                        "ref_area.label": ["Philippines", "Indonesia", "Côte d'Ivoire"]})
    assert closest_codes("cote d'ivoire", dic) == ["CIV (Côte d'Ivoire)"]
    assert closest_codes("PHI", dic)[0] == "PHL (Philippines)"
    assert closest_codes("QQQ", dic) == []


def test_an_unwritable_cache_folder_costs_no_answer(tmp_path, cassette):
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache folder should be")  # mkdir and writes fail
    with cassette("get_single"), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        df = Client(cache_dir=blocked / "cache").get(UNE, ref_area=AREAS3)
    assert len(df) == 52 and df.attrs["provenance"]["origin"] == "live"
    texts = [str(w.message) for w in caught if issubclass(w.category, CacheWarning)]
    assert any("kept in memory" in t for t in texts) and any("could not be saved" in t for t in texts)


def test_catalogue_has_the_same_columns_live_and_offline(cache_dir, cassette, no_network):
    from evidencekit.ilostat.client import TOC_COLUMNS

    offline = Client(cache_dir=cache_dir, offline=True).toc()
    assert list(offline.columns) == TOC_COLUMNS
    assert offline["subject"].isna().all()  # the offline files carry no subject


# -- odd but valid inputs ---------------------------------------------------------------------------
def test_an_indicator_without_frequency_lists_the_datasets_the_catalogue_has(cache_dir, cassette):
    with cassette("toc_search"), pytest.raises(QueryError) as err:
        Client(cache_dir=cache_dir).get("une_deap_sex_age_rt", ref_area="KEN")
    text = str(err.value)
    for freq in "AQM":
        assert f"UNE_DEAP_SEX_AGE_RT_{freq}" in text
    assert "annual" in text and "quarterly" in text and "monthly" in text


def test_an_indicator_without_frequency_offline_names_the_dataset_held(cache_dir, no_network):
    with pytest.raises(QueryError, match=r"SDG_0852_SEX_AGE_RT_A \(annual; available offline\)"):
        Client(cache_dir=cache_dir, offline=True).get("SDG_0852_SEX_AGE_RT", ref_area="PHL")


def test_labels_in_spanish_from_the_cache_say_which_stayed_english(cache_dir, cassette, request):
    with cassette("get_single"):
        Client(cache_dir=cache_dir).get(UNE, ref_area=AREAS3)
    request.getfixturevalue("no_network")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        df = Client(cache_dir=cache_dir, offline=True).get(UNE, ref_area="KEN", labels=True, lang="es")
    assert df.attrs["provenance"]["origin"] == "cache"
    assert df["classif1.label"].str.startswith("Jóvenes y adultos").all()   # Spanish where the snapshot has it
    labels = df.attrs["provenance"]["labels"]
    assert labels["lang"] == "es" and "source.label" in labels["fallback_to_en"]
    assert "classif1.label" not in labels["fallback_to_en"]
    said = [str(w.message) for w in caught if "'es'" in str(w.message)]
    assert said and "source.label" in said[0] and "English" in said[0]


def test_search_offline_in_spanish_says_the_catalogue_is_english(cache_dir, no_network):
    with pytest.warns(SourceWarning, match="English only"):
        found = Client(cache_dir=cache_dir, offline=True).search("desempleo", lang="es")
    assert found.empty   # the words are Spanish, the offline labels English: said, not silent


def test_areas_offline_in_spanish_names_areas_in_spanish(cache_dir, no_network):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        es = Client(cache_dir=cache_dir, offline=True).areas(lang="es").set_index("ref_area")
    assert es.loc["PHL", "ref_area.label"] == "Filipinas"
    assert es.loc["PHL", "ilo_region.label"] == "Asia y el Pacífico"
    assert es.loc["PHL", "income_group.label"] == "Mundo: Ingreso mediano bajo"
    assert es.loc["XA1", "ref_area.label"] == "World: Upper-middle income excluding China"  # no Spanish name held
    assert es.attrs["provenance"]["labels"]["fallback_to_en"]
    assert any("'es'" in str(w.message) and "English" in str(w.message) for w in caught)


def test_a_dictionary_ilostat_does_not_publish_is_named_as_such(cache_dir, no_network):
    with pytest.raises(QueryError) as err:
        Client(cache_dir=cache_dir, offline=True).dictionary("sexe")
    text = str(err.value)
    assert "'sexe'" in text and "not an ILOSTAT dictionary" in text and "sex" in text and "go online" not in text


@pytest.mark.parametrize("verb", ["search", "areas"])
def test_listings_carry_a_citation_and_licence_live_and_offline(cache_dir, cassette, verb):
    call = (lambda c: c.search("unemployment")) if verb == "search" else (lambda c: c.areas())
    with cassette("toc_search" if verb == "search" else "areas"):
        live = call(Client(cache_dir=cache_dir)).attrs["provenance"]
    offline = call(Client(cache_dir=cache_dir / "other", offline=True)).attrs["provenance"]
    for prov, origin in ((live, "live"), (offline, "snapshot")):
        assert prov["origin"] == origin and prov["licence"] == "CC BY 4.0"
        assert prov["citation"].startswith("ILOSTAT, International Labour Organization.")
    assert live["url"] in live["citation"] and offline["snapshot_id"] in offline["citation"]


def test_offline_a_request_the_cache_only_partly_covers_says_what_it_holds(cache_dir, cassette, request):
    with cassette("get_single"):
        Client(cache_dir=cache_dir).get(UNE, ref_area=AREAS3)
    request.getfixturevalue("no_network")
    with pytest.raises(NotAvailableOfflineError) as err:
        Client(cache_dir=cache_dir, offline=True).get(UNE, ref_area=["USA", "PHL"])
    text = str(err.value)
    assert "the local cache holds UNE_DEAP_SEX_AGE_RT_A for ref_area=KEN+USA+X01" in text


def test_online_a_narrower_request_is_answered_by_the_cached_wider_one(cache_dir, cassette):
    """ILOSTAT's maintainers ask clients not to download again what has not changed (Rilostat issue #5)."""
    with cassette("get_single") as cas:
        client = Client(cache_dir=cache_dir)
        client.get(UNE, ref_area=AREAS3)
        ken = client.get(UNE, ref_area="ken", sex="T", start=2010)
        assert cas.play_count == 2   # the ToC and the first request only
    prov = ken.attrs["provenance"]
    assert prov["origin"] == "cache" and prov["stale"] is False and "ref_area=KEN+USA+X01" in prov["url"]
    assert set(ken["ref_area"]) == {"KEN"} and set(ken["sex"]) == {"SEX_T"} and ken["time"].astype(int).min() >= 2010
    assert prov["query"]["ref_area"] == ["KEN"]


@pytest.mark.parametrize("how", ["env", "argument"])
def test_an_ilostat_address_without_http_is_refused_naming_where_it_came_from(monkeypatch, no_network, how):
    if how == "env":
        monkeypatch.setenv("EVIDENCEKIT_ILOSTAT_URL", "rplumber.ilo.org")
        with pytest.raises(QueryError, match="EVIDENCEKIT_ILOSTAT_URL.*https://"):
            ilostat.get("SDG_0852_SEX_AGE_RT_A", ref_area="PHL")
    else:
        with pytest.raises(QueryError, match="base_url.*https://"):
            Client(base_url="ftp://rplumber.ilo.org")


@pytest.mark.parametrize("kw", [{"limit": -1}, {"limit": "5"}, {"limit": 2.5}, {"limit": True}, {"text": None},
                                {"text": 5}])
def test_search_refuses_what_it_cannot_use(cache_dir, no_network, kw):
    args = {"text": "unemployment", **kw}
    with pytest.raises(QueryError):   # limit=-1 gave all results but the last; the others bare TypeErrors
        Client(cache_dir=cache_dir, offline=True).search(**args)


def test_search_takes_a_list_of_words(cache_dir, no_network):
    client = Client(cache_dir=cache_dir, offline=True)
    pd.testing.assert_frame_equal(client.search(["youth", "unemployment"]), client.search("youth unemployment"))


@pytest.mark.parametrize("given, want", [("2022-Q1", "2022Q1"), ("2022-M03", "2022M03"), ("2022q2", "2022Q2")])
def test_sdmx_period_spellings_are_read(given, want):
    from evidencekit.ilostat.query import Query

    assert Query.build("X_Q", start=given).start == want


def test_answers_are_read_by_their_header_union_and_best_source_specimens(shared_data):
    """Columns vary per dataset and per multi-id union; best_source=all adds a trailing column (docs/ilostat.md, "Formats")."""
    from evidencekit.ilostat.formats import read_data_answer
    from evidencekit.ilostat.tidy import tidy

    def read_data(body: bytes, url: str) -> pd.DataFrame:
        return tidy(read_data_answer(body, url))

    folder = shared_data / "ilostat-specimens"
    union = read_data(b"\xef\xbb\xbf" + (folder / "rplumber-data-indicator-multi-dataset-union.csv").read_bytes(), "u")
    with open(folder / "rplumber-data-indicator-multi-dataset-union.csv", encoding="utf-8", newline="") as fh:
        want = list(csv.DictReader(fh))
    assert len(union) == len(want) and list(union.columns[:5]) == ["ref_area", "source", "indicator", "sex", "classif1"]
    lap = union[union["indicator"] == "LAP_2GDP_NOC_RT"]
    assert len(lap) == 1 and lap["sex"].isna().all() and lap["classif1"].isna().all()   # empty, not ""
    best = read_data((folder / "rplumber-data-indicator-best_source-all.csv").read_bytes(), "b")
    with open(folder / "rplumber-data-indicator-best_source-all.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(best.columns[-2:]) == ["best_source", "period"]
    assert best["best_source"].tolist() == [r["best_source"] for r in rows]
    assert best["obs_value"].tolist() == pytest.approx([float(r["obs_value"]) for r in rows])

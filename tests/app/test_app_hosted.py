"""A hosted class (``store.hosted``): nothing but the sign-in page before signing in; access codes (wrong ones
refused and slowed, the wait said), the host's identity provider (``st.login``), the trainer's sign-in for the
class view; and one participant can never read or change another's work — not through URL parameters, not
through changed session values, not through an imported file. On SQLite (``EVIDENCEKIT_HOSTED=1``) and on a
real PostgreSQL server (``hosted_db``)."""
from __future__ import annotations

import json

import pytest
from .apphelp import new_app, no_problem, submit, table_with, texts

from evidencekit.store import open_store

PASSPHRASE = "correct horse battery staple"
GOALS = {"ana": "Brief my minister on youth NEET", "bob": "Bob's own goal: read informality figures"}


@pytest.fixture
def klass(hosted_db):
    """A class of two with their access codes, a trainer, and some work of each (through their own scopes)."""
    store = open_store(hosted_db)
    assert store.hosted
    store.add_trainer("lead", PASSPHRASE)
    view = store.sign_in_trainer("lead", PASSPHRASE)
    codes = {}
    for pid, name in (("ana", "Ana Reyes"), ("bob", "Bob Santos")):
        view.enrol(pid, name=name, email=f"{pid}@example.org")
        codes[pid] = view.issue_code(pid)
        me = store.sign_in(pid, codes[pid])
        me.put_record("goal", "main", {"text": GOALS[pid], "history": []})
        me.mark(1, "intro")
    return {"store": store, "codes": codes, "url": hosted_db}


def sign_in(at, pid: str, code: str):
    at.text_input(key="signin-id").input(pid)
    at.text_input(key="signin-code").input(code)
    return submit(at, "signin-form")


def signed_in_as(pid: str, klass, **query):
    at = new_app(**query)
    at.run()
    sign_in(at, pid, klass["codes"][pid])
    no_problem(at)
    return at


def bobs_work(klass) -> tuple:
    bob = klass["store"].sign_in("bob", klass["codes"]["bob"])
    return (bob.records(), bob.progress(), bob.board(), bob.answers())


def test_before_signing_in_only_the_sign_in_page_opens(klass):
    for query in ({}, {"module": "2", "step": "3"}, {"participant": "ana"}):
        at = new_app(**query)
        at.run()
        no_problem(at)
        assert at.title[0].value == "Sign in"
        page = texts(at)
        assert not any(g in page for g in GOALS.values())
        with pytest.raises(ValueError):  # the participant's pages are not even registered
            at.switch_page("app_pages/before.py")


def test_a_wrong_code_is_refused_and_slowed_with_the_wait_said(klass):
    at = new_app()
    at.run()
    for attempt in range(3):
        sign_in(at, "ana", "K7QF2-M2XD9")
        assert at.title[0].value == "Sign in" and at.error
        assert "the participant id or the access code is not right" in at.error[0].value
    assert "wait 2 seconds before trying again" in texts(at)      # the third wrong try: waits start
    sign_in(at, "ana", klass["codes"]["ana"])                     # even the right code waits its turn
    assert at.title[0].value == "Sign in"
    assert "there were too many wrong attempts" in at.error[0].value and "wait" in texts(at)
    assert "ek_scope" not in at.session_state


def test_an_unknown_participant_is_refused_like_a_wrong_code(klass):
    at = new_app()
    at.run()
    sign_in(at, "carla", klass["codes"]["ana"])
    assert at.title[0].value == "Sign in"
    assert "the participant id or the access code is not right" in at.error[0].value


def test_a_participant_sees_only_their_own_work_whatever_the_url_says(klass):
    at = signed_in_as("ana", klass, participant="bob")
    assert at.title[0].value == "Evidence-based policy making for decent work"
    assert "Signed in as ana" in [c.value for c in at.sidebar.caption]
    at.switch_page("app_pages/before.py").run()
    no_problem(at)
    assert at.text_area(key="goals-text").value == GOALS["ana"]
    for query in ({"participant": "bob"}, {"id": "bob"}, {"user": "bob"}, {"scope": "bob"}):
        for k, v in query.items():
            at.query_params[k] = v
        at.run()
        assert at.text_area(key="goals-text").value == GOALS["ana"]
        assert GOALS["bob"] not in texts(at)
    at.switch_page("app_pages/mydata.py").run()                  # a shared computer: sign out at the end
    at.button(key="sign-out").click().run()
    no_problem(at)
    assert at.title[0].value == "Sign in" and "ek_scope" not in at.session_state
    assert GOALS["ana"] not in texts(at)


def test_changed_session_values_never_reach_another_participant(klass):
    before = bobs_work(klass)
    at = signed_in_as("ana", klass)
    at.switch_page("app_pages/before.py").run()
    # the sign-in form's own values changed to bob's id: the scope stays ana's
    at.session_state["signin-id"] = "bob"
    at.run()
    assert at.text_area(key="goals-text").value == GOALS["ana"]
    # the scope itself replaced by a plain value (all a browser could send): treated as signed out
    for forged in ("bob", {"id": "bob"}, ["bob"]):
        tab = signed_in_as("ana", klass)
        tab.session_state["ek_scope"] = forged
        tab.run()
        no_problem(tab)
        assert tab.title[0].value == "Sign in"
        assert GOALS["bob"] not in texts(tab)
    # the session's kept reads replaced by a key naming bob: ignored, ana's scope decides
    tab = signed_in_as("ana", klass)
    tab.switch_page("app_pages/before.py").run()
    held = tab.session_state["ek_participant"]
    tab.session_state["ek_participant"] = (("hosted", "bob"), held[1])
    tab.text_area(key="goals-text").input("Ana's goals, written again")
    submit(tab, "goals-form")
    no_problem(tab)
    assert bobs_work(klass) == before
    ana = klass["store"].sign_in("ana", klass["codes"]["ana"])
    assert [r["payload"]["text"] for r in ana.records("goal")] == ["Ana's goals, written again"]


def test_an_imported_file_naming_another_participant_is_refused(klass, tmp_path):
    before = bobs_work(klass)
    bob = klass["store"].sign_in("bob", klass["codes"]["bob"])
    bobs_file = json.dumps(bob.export()).encode()
    at = signed_in_as("ana", klass)
    at.switch_page("app_pages/mydata.py").run()
    at.get("file_uploader")[0]  # noqa: B018 — the uploader is there
    at.file_uploader(key="import-file").upload("bob-work.json", bobs_file, "application/json").run()
    at.button(key="import-go").click().run()
    assert not at.exception
    assert any("it holds the work of participant 'bob', not yours ('ana')" in e.value for e in at.error)
    assert not at.checkbox  # no "take it in as mine" in a hosted class
    # the same file with the owner changed to ana but bob's rows inside: refused as a whole
    forged = json.loads(bobs_file)
    forged["participant"] = "ana"
    for row in forged["records"]:
        row["participant_id"] = "bob"
    at.file_uploader(key="import-file").upload("forged.json", json.dumps(forged).encode(), "application/json").run()
    at.button(key="import-go").click().run()
    assert any("a record belongs to 'bob'" in e.value for e in at.error)
    assert bobs_work(klass) == before
    ana = klass["store"].sign_in("ana", klass["codes"]["ana"])
    assert [r["payload"]["text"] for r in ana.records("goal")] == [GOALS["ana"]]


def test_the_class_view_needs_the_trainers_credentials(klass):
    at = signed_in_as("ana", klass, mode="trainer")
    with pytest.raises(ValueError):
        at.switch_page("app_pages/classview.py")
    assert "In a hosted class, trainer mode needs the trainer's sign-in." in texts(at)
    at.switch_page("app_pages/signin.py").run()
    at.text_input(key="trainer-name").input("lead")
    at.text_input(key="trainer-secret").input("not the passphrase at all")
    submit(at, "trainer-signin-form")
    assert any("the trainer name or passphrase is not right" in e.value for e in at.error)
    with pytest.raises(ValueError):
        at.switch_page("app_pages/classview.py")
    at.text_input(key="trainer-name").input("lead")
    at.text_input(key="trainer-secret").input(PASSPHRASE)
    submit(at, "trainer-signin-form")
    at.switch_page("app_pages/classview.py").run()
    no_problem(at)
    assert at.title[0].value == "Class view" and "**2 participants**" in texts(at)
    roster = table_with(at, "Participant id")
    assert list(roster["Participant id"]) == ["ana", "bob"] and roster["Has a code"].all()


def test_a_code_asked_for_someone_who_erased_their_work_meanwhile_is_refused_in_plain_words(klass):
    """The trainer chose Bob in the class list; before the click, Bob erased all his work (his right to erase,
    in his own tab). The click's callback runs before the page, outside its guard: the refusal is said over the
    class list in plain words, never as Streamlit's error, and the list is read again."""
    at = new_app(mode="trainer")
    at.run()
    at.text_input(key="trainer-name").input("lead")
    at.text_input(key="trainer-secret").input(PASSPHRASE)
    submit(at, "trainer-signin-form")
    at.switch_page("app_pages/classview.py").run()
    at.selectbox(key="code-for").select("bob")
    klass["store"].sign_in("bob", klass["codes"]["bob"]).delete_all()
    at.button(key="code-issue").click().run()
    assert not at.exception
    assert [e.value for e in at.error] == ["Issuing a code for 'bob': this participant is not enrolled."]
    assert "What to do: enrol them first." in [i.value for i in at.info]
    assert not any("The access code of" in s.value for s in at.success)
    assert list(table_with(at, "Participant id")["Participant id"]) == ["ana"]
    at.run()
    assert not at.error  # said once


def test_a_trainer_enrols_and_issues_a_code_that_signs_in(klass):
    at = new_app(mode="trainer")
    at.run()
    at.text_input(key="trainer-name").input("lead")
    at.text_input(key="trainer-secret").input(PASSPHRASE)
    submit(at, "trainer-signin-form")
    no_problem(at)
    assert at.title[0].value == "For trainers"  # a trainer alone lands on the trainer's page
    at.switch_page("app_pages/classview.py").run()
    at.text_input(key="enrol-id").input("carla")
    at.text_input(key="enrol-name").input("Carla Diaz")
    submit(at, "enrol-form")
    at.selectbox(key="code-for").select("carla")
    at.button(key="code-issue").click().run()
    shown = [s.value for s in at.success if "The access code of **carla** is" in s.value]
    assert shown
    code = shown[0].split("is **")[1].split("**")[0]
    at.run()
    assert not any("The access code of" in s.value for s in at.success)  # shown once
    carla = new_app()
    carla.run()
    sign_in(carla, "carla", code)
    no_problem(carla)
    assert carla.title[0].value == "Evidence-based policy making for decent work"
    at.selectbox(key="code-for").select("carla")
    at.button(key="code-revoke").click().run()
    again = new_app()
    again.run()
    sign_in(again, "carla", code)
    assert again.title[0].value == "Sign in" and again.error


def test_a_trainer_demos_the_modules_as_a_demo_participant_not_counted(klass):
    """A trainer signed in alone opens the module pages as their demo participant; the class view still counts
    the two participants, and the demo's answers are in no class figure."""
    at = new_app(mode="trainer")
    at.run()
    at.text_input(key="trainer-name").input("lead")
    at.text_input(key="trainer-secret").input(PASSPHRASE)
    submit(at, "trainer-signin-form")
    with pytest.raises(ValueError):  # no module page before
        at.switch_page("app_pages/home.py")
    at.button(key="demo-open").click().run()
    no_problem(at)
    assert "Working as demo.lead, your demo participant (not counted in the class)" in texts(at)
    at.switch_page("app_pages/home.py").run()
    no_problem(at)
    at.query_params.update({"module": "2", "step": "1"})
    at.switch_page("app_pages/home.py").run()
    no_problem(at)
    assert at.title[0].value.startswith("Module 2") and at.image, "the step opens with its chart"
    view = klass["store"].sign_in_trainer("lead", PASSPHRASE)
    assert view.participants() == ["ana", "bob"]
    assert view.class_summary(2) == []
    at.switch_page("app_pages/classview.py").run()
    no_problem(at)
    assert "**2 participants**" in texts(at)


AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "a long random string for tests",
        "client_id": "evidencekit", "client_secret": "not a secret",
        "server_metadata_url": "https://accounts.example.org/.well-known/openid-configuration"}


def test_the_hosts_identity_provider_signs_in_an_enrolled_account(klass):
    at = new_app()
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": False}
    at.run()
    assert at.button(key="signin-oidc").label == "Sign in with your organisation's account"
    at.user = {"is_logged_in": True, "iss": "https://accounts.example.org", "sub": "u-123", "email": "ana@example.org",
               "email_verified": True}
    at.run()
    at.run()
    no_problem(at)
    assert at.title[0].value == "Evidence-based policy making for decent work"
    at.switch_page("app_pages/before.py").run()
    assert at.text_area(key="goals-text").value == GOALS["ana"]


def test_an_account_not_on_the_class_list_is_refused_plainly(klass):
    at = new_app()
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, "iss": "https://accounts.example.org", "sub": "u-999",
               "email": "mallory@example.org", "email_verified": True}
    at.run()
    assert not at.exception
    assert at.title[0].value == "Sign in"
    assert any("mallory@example.org is not on this class's list" in e.value for e in at.error)
    assert GOALS["ana"] not in texts(at) and GOALS["bob"] not in texts(at)


def test_without_an_identity_provider_st_user_is_never_trusted(klass):
    at = new_app()
    at.user = {"is_logged_in": True, "iss": "https://accounts.example.org", "sub": "u-123", "email": "ana@example.org",
               "email_verified": True}
    at.run()
    assert at.title[0].value == "Sign in"
    assert not [b for b in at.button if b.key == "signin-oidc"]


@pytest.mark.parametrize("hosted_db", ["postgresql"], indirect=True)
def test_the_class_database_going_away_mid_session_loses_nothing(klass, pg_server):
    at = signed_in_as("ana", klass)
    at.switch_page("app_pages/before.py").run()
    pg_server.stop()                                         # the class database goes away mid-session
    at.text_area(key="goals-text").input("Written while the database was away")
    submit(at, "goals-form")
    assert not at.exception
    warned = [w.value for w in at.warning]
    assert any(w.startswith("Saved on this machine: the class database cannot be reached just now.")
               and "nothing you entered is lost" in w for w in warned), warned
    assert at.text_area(key="goals-text").value == "Written while the database was away"
    pg_server.start()
    at.button(key="ek-send-now").click().run()
    no_problem(at)
    assert any("The class database can be reached again" in s.value and "Nothing was lost" in s.value
               for s in at.success)
    ana = klass["store"].sign_in("ana", klass["codes"]["ana"])
    assert [r["payload"]["text"] for r in ana.records("goal")] == ["Written while the database was away"]


def test_a_link_to_a_step_opened_before_signing_in_is_followed_after(klass):
    at = new_app(module=2, step=3)
    at.run()
    assert at.title[0].value == "Sign in"
    sign_in(at, "ana", klass["codes"]["ana"])
    at.run()
    no_problem(at)
    assert at.title[0].value == "Module 2 · Secondary data and metadata"
    assert "### Step 3 of 4 · Young women and young men" in [m.value.split("\n")[0] for m in at.markdown]

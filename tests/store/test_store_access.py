"""No one gets in where they don't belong: access codes (hashed, compared in constant time, wrong attempts
slowed per participant and per client, kept in the store), the trainer's credential for the class view, an
identity provider's account bound to one enrolled participant; and one participant cannot read or change
another's work through a URL parameter, a session value or an imported file. On SQLite and PostgreSQL."""
from __future__ import annotations

import copy
import json
import pickle

import pytest
import sqlalchemy as sa

from evidencekit.store import AccessDenied, ParticipantStore, StoreError
from evidencekit.store import schema as t
from evidencekit.store.access import CLIENT_FREE, PARTICIPANT_FREE

CHART = {"kind": "chart", "title": "Youth unemployment", "payload": {"indicator": "SDG_0852_SEX_AGE_RT_A"},
         "citation": "ILOSTAT, International Labour Organization."}


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def hosted(places, db):
    """A hosted class: a trainer, two enrolled participants with codes, a clock the test moves."""
    clock = Clock()
    store = places.open(db, hosted=True, clock=clock)
    secret = store.add_trainer("lead")
    trainer = store.sign_in_trainer("lead", secret)
    trainer.enrol("ana", name="Ana Reyes", email="Ana@Example.org")
    trainer.enrol("ben", name="Ben Tan")
    codes = {"ana": trainer.issue_code("ana"), "ben": trainer.issue_code("ben")}
    return store, trainer, codes, clock, secret


def test_a_right_code_signs_in_and_a_wrong_one_is_refused(hosted):
    store, _, codes, _, _ = hosted
    me = store.sign_in("ana", codes["ana"].lower().replace("-", " "))   # typed loosely
    assert me.id == "ana"
    with pytest.raises(AccessDenied, match="the participant id or the access code is not right"):
        store.sign_in("ana", codes["ben"])
    with pytest.raises(AccessDenied, match="the participant id or the access code is not right"):
        store.sign_in("nobody", codes["ana"])                            # same words: ids cannot be guessed
    with pytest.raises(AccessDenied):
        store.sign_in("ana", "")
    with store.read() as conn:
        stored = conn.execute(sa.select(t.access_codes.c.code_hash)).scalars().all()
    assert all(h.startswith("scrypt$14$8$1$") for h in stored)
    assert not any(codes[p].replace("-", "") in h for h in stored for p in codes)   # only hashes are kept


def test_wrong_attempts_are_slowed_exponentially_per_participant(hosted, places, db):
    store, _, codes, clock, _ = hosted
    waits = []
    for _ in range(PARTICIPANT_FREE + 2):
        with pytest.raises(AccessDenied) as err:
            store.sign_in("ana", "WRONG-CODE1")
        waits.append(err.value.wait)
        clock.now += err.value.wait   # wait exactly as long as asked
    assert waits == [0.0] * (PARTICIPANT_FREE - 1) + [2.0, 4.0, 8.0]
    clock.now -= 1                    # one second too early: refused even with the right code, not checked
    with pytest.raises(AccessDenied, match="too many wrong attempts.*wait 1 second") as err:
        store.sign_in("ana", codes["ana"])
    assert err.value.wait == pytest.approx(1.0)
    other = places.open(db, hosted=True, clock=clock)   # another app process sees the same count
    with pytest.raises(AccessDenied, match="too many wrong attempts"):
        other.sign_in("ana", codes["ana"])
    assert store.sign_in("ben", codes["ben"]).id == "ben"   # another participant is not slowed
    clock.now += 1
    assert store.sign_in("ana", codes["ana"]).id == "ana"   # after the wait the right code works ...
    with pytest.raises(AccessDenied) as err:
        store.sign_in("ana", "WRONG-CODE1")
    assert err.value.wait == 0.0                            # ... and the count starts again


def test_wrong_attempts_are_slowed_per_client(hosted):
    store, trainer, codes, clock, _ = hosted
    for i in range(CLIENT_FREE):        # spraying many ids from one address
        trainer.enrol(f"p{i}")
        with pytest.raises(AccessDenied) as err:
            store.sign_in(f"p{i}", "WRONG-CODE1", client="203.0.113.9")
    assert err.value.wait == 2.0
    with pytest.raises(AccessDenied, match="too many wrong attempts"):
        store.sign_in("ben", codes["ben"], client="203.0.113.9")
    assert store.sign_in("ben", codes["ben"], client="198.51.100.7").id == "ben"


def test_a_new_code_replaces_the_old_one_and_can_be_revoked(hosted):
    store, trainer, codes, _, _ = hosted
    new = trainer.issue_code("ana")
    with pytest.raises(AccessDenied):
        store.sign_in("ana", codes["ana"])
    assert store.sign_in("ana", new).id == "ana"
    trainer.revoke_code("ana")
    with pytest.raises(AccessDenied):
        store.sign_in("ana", new)
    with pytest.raises(StoreError, match="not enrolled"):
        trainer.issue_code("zed")


def test_the_class_view_needs_the_trainers_credentials(hosted):
    store, _, _, clock, secret = hosted
    with pytest.raises(AccessDenied, match="needs the trainer's credentials"):
        store.class_view()
    with pytest.raises(AccessDenied, match="needs the trainer's credentials"):
        store.class_summary(2)
    with pytest.raises(AccessDenied, match="trainer name or passphrase is not right"):
        store.sign_in_trainer("lead", secret[:-1] + ("A" if secret[-1] != "A" else "B"))
    for _ in range(PARTICIPANT_FREE):
        with pytest.raises(AccessDenied) as err:
            store.sign_in_trainer("lead", "not the passphrase")
    assert err.value.wait > 0
    clock.now += err.value.wait
    view = store.sign_in_trainer("lead", secret)
    assert [r["id"] for r in view.roster()] == ["ana", "ben"]
    assert view.roster()[0] == {"id": "ana", "name": "Ana Reyes", "email": "ana@example.org", "has_code": True,
                                "accounts": 0}


def test_an_identity_provider_account_is_bound_to_one_enrolled_participant(hosted):
    store, trainer, _, _, _ = hosted
    user = {"is_logged_in": True, "iss": "https://accounts.example.org", "sub": "1071", "email": "ana@example.org",
            "email_verified": True, "name": "Ana"}
    assert store.sign_in_with_identity(user).id == "ana"
    renamed = {**user, "email": "ben@example.org"}           # the binding counts, not what the e-mail says now
    assert store.sign_in_with_identity(renamed).id == "ana"
    intruder = {**user, "sub": "666"}                         # another account claiming ana's address
    with pytest.raises(AccessDenied, match="already bound to another account"):
        store.sign_in_with_identity(intruder)
    with pytest.raises(AccessDenied, match="not on this class's list"):
        store.sign_in_with_identity({**user, "sub": "7", "email": "eve@example.org"})
    trainer.enrol("cao", email="cao@example.org")
    with pytest.raises(AccessDenied, match="no verified e-mail"):
        store.sign_in_with_identity({**user, "sub": "8", "email": "cao@example.org", "email_verified": False})
    with pytest.raises(AccessDenied, match="not signed in"):
        store.sign_in_with_identity({"is_logged_in": False})
    assert [r["accounts"] for r in trainer.roster()] == [1, 0, 0]


# -- one participant cannot reach another's work ----------------------------------------------------------------
def _ana_with_work(store, code):
    ana = store.sign_in("ana", code)
    item = ana.add_to_board(CHART)
    ana.put_record("goal", "main", {"text": "Ana's goal"})
    ana.save_work(6, "write-brief", {"problem": "Ana's draft"})
    return ana, item


def _ana_as_stored(store):
    with store.read() as conn:
        return {name: sorted(map(tuple, conn.execute(sa.select(table).where(table.c.participant_id == "ana")).all()),
                             key=repr)
                for name, table in (("board", t.board), ("records", t.records), ("work", t.work),
                                    ("progress", t.progress), ("answers", t.answers))}


def test_a_url_parameter_reaches_no_one(hosted):
    """``?participant=ana`` in a link: a hosted store gives no scope for an id alone."""
    store, _, codes, _, _ = hosted
    _ana_with_work(store, codes["ana"])
    query_params = {"participant": "ana", "module": "6", "step": "write-brief"}
    with pytest.raises(AccessDenied, match="reached only after signing in"):
        store.participant(query_params["participant"])
    with pytest.raises(AccessDenied, match="scope comes only from the store"):
        ParticipantStore(store, query_params["participant"])


def test_a_changed_session_value_reaches_no_one(hosted):
    """What the app keeps in the session is the signed-in scope itself; its id cannot be changed."""
    store, _, codes, _, _ = hosted
    ana, item = _ana_with_work(store, codes["ana"])
    before = _ana_as_stored(store)
    session = {"me": store.sign_in("ben", codes["ben"]), "participant": "ben"}
    session["participant"] = "ana"                     # a tampered plain value changes nothing
    me = session["me"]
    for attempt in (lambda: setattr(me, "id", "ana"), lambda: setattr(me, "_id", "ana"),
                    lambda: delattr(me, "_id")):
        with pytest.raises(AttributeError, match="cannot be changed"):
            attempt()
    with pytest.raises(TypeError):
        pickle.dumps(me)
    with pytest.raises(TypeError):
        copy.copy(me)
    assert me.id == "ben" and me.board() == [] and me.records() == [] and me.work(6, "write-brief") is None
    with pytest.raises(StoreError, match="no such item on your board"):
        me.update_board_item(item, title="taken over")
    me.remove_from_board(item)
    me.put_record("goal", "main", {"text": "Ben's goal"})
    assert _ana_as_stored(store) == before


def test_an_imported_file_reaches_no_one(hosted, tmp_path):
    store, _, codes, _, _ = hosted
    ana, item = _ana_with_work(store, codes["ana"])
    path = ana.export_to(tmp_path / "ana.json")
    before = _ana_as_stored(store)
    ben = store.sign_in("ben", codes["ben"])
    with pytest.raises(StoreError, match="holds the work of participant 'ana', not yours"):
        ben.import_work(path)
    forged = json.loads(path.read_text(encoding="utf-8"))
    forged["participant"] = "ben"                      # the file says it is ben's ...
    for part in ("board", "records", "work"):
        for row in forged[part]:
            row["updated_at"] = "2099-01-01T00:00:00+00:00"   # ... newer than anything, same ids as ana's
    ben.import_work(forged)
    assert _ana_as_stored(store) == before             # ana's rows untouched
    assert [b["item_id"] for b in ben.board()] == [item]  # ben got a copy of what he already held, in his own rows
    forged["board"][0]["participant_id"] = "ana"       # a row that names someone else is refused as a whole
    with pytest.raises(StoreError, match="belongs to 'ana'.*nothing was imported"):
        ben.import_work(forged)
    assert _ana_as_stored(store) == before


def test_the_class_view_shows_no_ones_work_by_name(hosted):
    store, trainer, codes, _, _ = hosted
    _ana_with_work(store, codes["ana"])
    bundles = trainer.anonymous_records("goal")
    assert bundles == [{"main": {"text": "Ana's goal"}}]
    assert "ana" not in json.dumps(bundles) and "ana" not in json.dumps(trainer.anonymous_progress())


def test_a_trainers_demo_participant_works_but_is_never_counted(hosted):
    """A trainer opens the module pages in a live demo as ``demo.<trainer>``: its work is kept like anyone's,
    never in the class's figures; no code is issued for it, no one signs in as it, no one enrols that id."""
    store, trainer, codes, _, _ = hosted
    demo = trainer.demo()
    assert isinstance(demo, ParticipantStore) and demo.id == "demo.lead"
    assert trainer.demo().id == "demo.lead"          # the same one again
    demo.mark(2, "intro")
    demo.save_answer(2, "break-meaning", "b", {"status": "correct"})
    demo.put_record("goal", "main", {"text": "demo goal"})
    assert [a["question"] for a in demo.latest_answers(2)] == ["break-meaning"]
    ana = store.sign_in("ana", codes["ana"])
    ana.save_answer(2, "break-meaning", "a", {"status": "incorrect"})
    assert trainer.participants() == ["ana", "ben"]
    assert [r["id"] for r in trainer.roster()] == ["ana", "ben"]
    assert trainer.class_summary(2) == [{"question": "break-meaning", "answered": 1, "correct": 0}]
    assert len(trainer.anonymous_progress()) == 2
    assert all(a["status"] == "incorrect" for p in trainer.anonymous_progress() for a in p["answers"])
    assert trainer.anonymous_records("goal") == []
    with pytest.raises(StoreError, match="kept for the trainers' demo participants"):
        trainer.enrol("demo.someone")
    with pytest.raises(StoreError, match="kept for the trainers' demo participants"):
        trainer.issue_code("demo.lead")
    with pytest.raises(AccessDenied):
        store.sign_in("demo.lead", codes["ana"])
    assert ana.board() == [] and ana.records() == []  # nothing of the demo's reaches a participant

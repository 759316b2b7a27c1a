"""Sign in (a hosted class): a participant with the access code their trainer gave them, or with their
organisation's account when the host set one up; a trainer with their passphrase. Nothing of anyone's work is
shown before. The forms are checked in their callbacks (before the page is drawn), so the run that follows
already has the pages the sign-in gives, and opens Home (or the trainer's page)."""
from __future__ import annotations

import streamlit as st

from ui import auth, frame, render, trainer

DONE = "ek_signin_done"    # who just signed in ("participant" or "trainer"): the entry file opens their page
ERROR = "ek_signin_error"  # the refusal of the last try, shown once


def _participant_signs_in() -> None:
    from evidencekit.errors import EvidenceKitError

    pid, code = st.session_state.get("signin-id", ""), st.session_state.get("signin-code", "")
    if not str(pid).strip() or not str(code).strip():
        st.session_state[ERROR] = ("participant", None)
        return
    try:
        auth.sign_in_with_code(pid, code)
    except EvidenceKitError as err:  # a refusal says why, and how long to wait after wrong tries
        st.session_state[ERROR] = ("participant", err)
        return
    st.session_state[DONE] = "participant"


def _trainer_signs_in() -> None:
    from evidencekit.errors import EvidenceKitError

    try:
        auth.sign_in_trainer(st.session_state.get("trainer-name", ""), st.session_state.get("trainer-secret", ""))
    except EvidenceKitError as err:
        st.session_state[ERROR] = ("trainer", err)
        return
    st.session_state[trainer.MODE] = True
    st.session_state[DONE] = "trainer"


def _refusal(who: str) -> None:
    held = st.session_state.get(ERROR)
    if not held or held[0] != who:
        return
    del st.session_state[ERROR]
    if held[1] is None:
        st.warning("Type both your participant id and your access code (they are on the slip your trainer gave "
                   "you).", icon=":material/warning:")
    else:
        render.problem(held[1])


def _participant_form() -> None:
    with st.form("signin-form", clear_on_submit=True):
        st.text_input("Your participant id", key="signin-id", placeholder="e.g. ana.reyes", autocomplete="username")
        st.text_input("Your access code", key="signin-code", type="password", placeholder="e.g. K7QF2-M2XD9",
                      autocomplete="one-time-code")
        st.form_submit_button("Sign in", type="primary", icon=":material/login:", on_click=_participant_signs_in)
    _refusal("participant")


def _account() -> None:
    if not auth.oidc_configured():
        return
    st.markdown("**With your organisation's account**")
    try:
        me = auth.sign_in_with_account()
    except Exception as err:  # noqa: BLE001 — the account is not on the class list, not verified …
        render.problem(err)
        st.button("Sign out of that account", on_click=st.logout, key="signin-oidc-out", icon=":material/logout:")
        return
    if me is not None:
        st.session_state[DONE] = "participant"
        st.rerun()
    st.button("Sign in with your organisation's account", on_click=st.login, key="signin-oidc",
              icon=":material/account_circle:", type="primary")
    st.markdown("**Or with an access code**")


def _trainer_form() -> None:
    with st.form("trainer-signin-form", clear_on_submit=True):
        st.text_input("Trainer name", key="trainer-name", autocomplete="username")
        st.text_input("Passphrase", key="trainer-secret", type="password", autocomplete="current-password")
        st.form_submit_button("Sign in as a trainer", icon=":material/key:", on_click=_trainer_signs_in)
    _refusal("trainer")


def _sign_out_trainer() -> None:
    st.session_state.pop(auth.TRAINER, None)


@render.guarded
def body() -> None:
    st.title("Sign in")
    st.markdown("This workbench is hosted for your class. Your progress, answers, evidence board and brief are "
                "kept in the class database, and only you can open them: sign in first.")
    me = auth.signed_in()
    if me is not None:
        st.success(f"You are signed in as {me.id}.", icon=":material/check:")
        st.page_link(frame.page("home"), label="Home", icon=":material/home:")
    else:
        render.guarded(_account)()
        render.guarded(_participant_form)()
    with st.expander("For trainers", expanded=trainer.wanted() and auth.trainer_scope() is None):
        if auth.trainer_scope() is not None:
            st.success(f"You are signed in as trainer {auth.trainer_scope().trainer}.", icon=":material/check:")
            st.button("Sign out as trainer", key="trainer-out", icon=":material/logout:", on_click=_sign_out_trainer)
        else:
            st.markdown("The class view and the trainer's tools open with your trainer name and passphrase.")
            render.guarded(_trainer_form)()


body()

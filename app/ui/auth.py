"""Who this session works for, and who may see what.

- **On a participant's own machine** (a SQLite file, the default) there is one participant, ``local``, and
  trainer mode needs no credentials: the machine is theirs.
- **In a hosted class** (``store.hosted``: PostgreSQL, or ``EVIDENCEKIT_HOSTED=1``) a participant's work is
  reached only after signing in — an access code the trainer issued (:meth:`Store.sign_in`) or the host's
  identity provider (Streamlit's ``st.login``, when ``[auth]`` is in the secrets; :meth:`Store.sign_in_with_identity`)
  — and the class view only after the trainer's sign-in (:meth:`Store.sign_in_trainer`).

The authenticated scope is the object the store returned on a successful sign-in (a ``ParticipantStore`` or a
``ClassView``, which nothing else can make), kept in ``st.session_state`` under :data:`SCOPE` and
:data:`TRAINER`. It is never taken from the URL, a widget or a file: a value there that is not that object is
ignored (and the session is treated as signed out).
"""
from __future__ import annotations

import streamlit as st

SCOPE = "ek_scope"            # the signed-in participant's ParticipantStore (hosted class)
TRAINER = "ek_trainer_scope"  # the signed-in trainer's ClassView (hosted class)


def store():
    """The participants' store of this app (``EVIDENCEKIT_DATABASE_URL`` or the default file); one per process."""
    from evidencekit.store import default_url, open_store

    return open_store(default_url())


def hosted() -> bool:
    return bool(store().hosted)


def signed_in():
    """The signed-in participant's ``ParticipantStore`` in a hosted class, or None. Only the object a sign-in
    returned counts: anything else under the key (a string, another store's scope) is ignored."""
    from evidencekit.store import ParticipantStore

    value = st.session_state.get(SCOPE)
    if isinstance(value, ParticipantStore) and value.store is store():
        return value
    return None


def trainer_scope():
    """The signed-in trainer's ``ClassView`` in a hosted class, or None (same rule as :func:`signed_in`)."""
    from evidencekit.store import ClassView

    value = st.session_state.get(TRAINER)
    if isinstance(value, ClassView) and value.trainer is not None and getattr(value, "_store", None) is store():
        return value
    return None


def client() -> str | None:
    """The address the request comes from (wrong sign-in attempts are counted per address too)."""
    try:
        return st.context.ip_address or None
    except Exception:  # noqa: BLE001 — not every runtime knows it
        return None


def oidc_configured() -> bool:
    """True when the host configured an identity provider (``[auth]`` in ``.streamlit/secrets.toml``)."""
    try:
        return "auth" in st.secrets
    except Exception:  # noqa: BLE001 — no secrets file at all
        return False


def sign_in_with_code(pid: str, code: str):
    """Sign in with the access code (raises ``AccessDenied`` in plain words, with the wait after wrong tries)."""
    me = store().sign_in(str(pid or "").strip(), str(code or ""), client=client())
    _enter(me)
    return me


def sign_in_with_account():
    """Sign in with the identity provider's account the browser is signed in with (``st.user``), when the host
    configured one; None when there is no such account. Raises ``AccessDenied`` when the account is not on
    the class list."""
    if not oidc_configured():
        return None
    try:
        user = st.user.to_dict()
    except Exception:  # noqa: BLE001
        return None
    if user.get("is_logged_in") is not True:
        return None
    me = store().sign_in_with_identity(user)
    _enter(me)
    return me


def _enter(me) -> None:
    st.session_state[SCOPE] = me
    st.session_state.pop("ek_participant", None)  # the reads kept for another scope


def sign_in_trainer(name: str, secret: str):
    view = store().sign_in_trainer(str(name or "").strip(), str(secret or ""), client=client())
    st.session_state[TRAINER] = view
    return view


def open_demo() -> None:
    """The signed-in trainer works as their demo participant (``ClassView.demo``: never counted in the class's
    figures) too, so that the module pages open in a live demo of a hosted class (a callback)."""
    view = trainer_scope()
    if view is not None:
        _enter(view.demo())


def sign_out() -> None:
    """Forget this session's sign-ins (participant and trainer)."""
    for key in (SCOPE, TRAINER, "ek_participant"):
        st.session_state.pop(key, None)


def class_view():
    """The trainer's class view: on this machine the store's own (trainer mode needs no credentials here);
    in a hosted class only the signed-in trainer's. None when there is none."""
    s = store()
    if s.hosted:
        return trainer_scope()
    return s.class_view()

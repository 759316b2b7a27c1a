"""Evidence board: every item saved with its citation; reorder, caption, remove."""
from __future__ import annotations

import streamlit as st

from ui import board, context, data, frame, render

PROBLEM = "ek-board-problem"
_said = render.said_later(PROBLEM)  # a click refused (an item removed in another tab) is said on the board


@_said
def _move(item_id: str, rows: list[dict], step: int) -> None:
    """Swap an item with its neighbour (callback): the board's new order, in one write."""
    ids = [r["item_id"] for r in rows]
    i = ids.index(item_id)
    j = i + step
    if 0 <= j < len(ids):
        ids[i], ids[j] = ids[j], ids[i]
        context.participant().order_board(ids)


@_said
def _remove(item_id: str) -> None:
    context.participant().remove_from_board(item_id)
    st.session_state[REMOVED] = True  # the sidebar counts the items: the whole page is drawn again


@_said
def _caption(row: dict, key: str) -> None:
    text = " ".join(st.session_state[key].split())
    if text and text != row["title"]:
        payload = dict(row["payload"])
        payload["evidence"] = {**payload["evidence"], "caption": text}
        context.participant().update_board_item(row["item_id"], title=text, payload=payload)


REMOVED = "ek-board-removed"


@st.fragment
def items() -> None:
    """The items, a fragment: moving an item or changing its caption redraws the board, not the page."""
    if st.session_state.pop(REMOVED, False):
        st.rerun(scope="app")
    render.guarded(_items)()


def _items() -> None:
    render.said(PROBLEM)
    rows = board.evidence_rows(context.participant().board())
    if not rows:
        st.info("Your board is empty. Save a chart, a table, an estimate or a quotation from a module step, the "
                "Data explorer or the Microdata workbench: it appears here with its source.",
                icon=":material/dashboard:")
        st.page_link(frame.page("module-1"), label="Start with module 1", icon=":material/school:")
        return
    st.markdown(f"{len(rows)} item{'s' if len(rows) > 1 else ''}, each with its source. Cite them in your brief "
                "by their number, e.g. [E1].")
    for i, row in enumerate(rows):
        ev = row["payload"]["evidence"]
        with st.container(border=True):
            origin = f" · from module {row['module']}" if row.get("module") else ""
            st.markdown(f"**{ev['id']}** · {board.KIND_WORDS[ev['type']]}{origin}")
            with st.container(horizontal=True):
                st.button("Move up", key=f"up-{row['item_id']}", disabled=i == 0, on_click=_move,
                          args=(row["item_id"], rows, -1), icon=":material/arrow_upward:")
                st.button("Move down", key=f"down-{row['item_id']}", disabled=i == len(rows) - 1, on_click=_move,
                          args=(row["item_id"], rows, 1), icon=":material/arrow_downward:")
                st.button("Remove", key=f"rm-{row['item_id']}", on_click=_remove, args=(row["item_id"],),
                          icon=":material/delete:")
            key = f"cap-{row['item_id']}"
            st.session_state[key] = row["title"]
            st.text_input("Caption", key=key, on_change=_caption, args=(row, key))
            board.show(ev, caption=False, citation=row["citation"],
                       **data.kept("board-memo", board.ready_key(ev), lambda: board.ready(ev)))
    st.page_link(frame.page("brief"), label="Build your brief from this board", icon=":material/description:")


st.title("Evidence board")
items()

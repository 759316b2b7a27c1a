"""A page's twin: what one of the workbench's reruns drew, drawn again by a plain Streamlit script with no
evidencekit code in it (used by ``bench_app.py``, column "x twin").

The workbench's rerun is recorded as Streamlit sends it (every ``ForwardMsg``, and the bytes of every image).
The twin draws the same tree: the same element kinds in the same blocks, with the same texts, options, values,
tables (the same Arrow bytes) and images (the same PNG bytes); for a whole-page rerun the same page setup and
navigation (its pages, sections and sidebar); elements drawn inside a fragment inside a fragment of the twin;
a fragment's rerun timed as a rerun of the twin's fragment. No store, no data, no course: a rerun of the twin is
what Streamlit itself costs to draw what the page drew. The page's rerun over its twin's is what the workbench's
own code adds (reading the participant's work, checking and writing it, choosing what to draw).

What the twin does not copy: widgets' callbacks and keys (it gives each its own key), a download's contents
(four bytes, where the page's are made on click), a page link's target (an outside address), a popover's
rerun on closing, and the widget values a click changes (the twin's rerun sends none).

Example (in bench_app.py)::

    with Recorder() as rec:
        rec.on = True
        interact(at)                 # the page's rerun, recorded
    twin = Twin(rec.messages, rec.media)
    tat = twin.app_test()
    tat.run()
    seconds = twin.rerun(tat, as_browser)  # the twin's rerun: its fragment alone, or the whole page, as the page's
"""
from __future__ import annotations

import collections
import io
import itertools
import sys
import types
from dataclasses import dataclass, field

MODULE = "evidencekit_bench_twin"  # the twin's drawing code, an imported module as the workbench's ui package is
SCRIPT = f"import {MODULE}\n{MODULE}.page()\n"
ROOTS = {0: "main", 1: "sidebar"}


class Recorder:
    """Every ForwardMsg Streamlit enqueues while on, and each media file's bytes by its URL."""

    def __init__(self):
        self.messages: list = []
        self.media: dict[str, bytes] = {}
        self.on = False

    def __enter__(self):
        from streamlit.runtime.forward_msg_queue import ForwardMsgQueue
        from streamlit.runtime.media_file_manager import MediaFileManager

        self._held = ForwardMsgQueue.enqueue, MediaFileManager.add
        enqueue, add = self._held
        recorder = self

        def enqueue_(queue, msg):
            if recorder.on:
                recorder.messages.append(_copy(msg))
            return enqueue(queue, msg)

        def add_(manager, path_or_data, *args, **kwargs):
            url = add(manager, path_or_data, *args, **kwargs)
            if recorder.on and isinstance(path_or_data, bytes):
                recorder.media[url] = path_or_data
            return url

        ForwardMsgQueue.enqueue, MediaFileManager.add = enqueue_, add_
        return self

    def __exit__(self, *exc):
        from streamlit.runtime.forward_msg_queue import ForwardMsgQueue
        from streamlit.runtime.media_file_manager import MediaFileManager

        ForwardMsgQueue.enqueue, MediaFileManager.add = self._held


def _copy(msg):
    out = type(msg)()
    out.CopyFrom(msg)
    return out


@dataclass
class Node:
    path: tuple
    kind: str            # an element's kind ("markdown", …) or "block"
    proto: object        # the element's or the block's message
    fragment: str
    children: list = field(default_factory=list)


def kinds(messages) -> collections.Counter:
    """How many of each element and block kind the messages draw (a twin draws what its page drew)."""
    out = collections.Counter()
    for m in messages:
        if m.WhichOneof("type") == "delta" and m.delta.WhichOneof("type") == "new_element":
            out[m.delta.new_element.WhichOneof("type")] += 1
        elif m.WhichOneof("type") == "delta" and m.delta.WhichOneof("type") == "add_block":
            out["block:" + (m.delta.add_block.WhichOneof("type") or "vertical")] += 1
        elif m.WhichOneof("type") in ("navigation", "page_config_changed"):
            out[m.WhichOneof("type")] += 1
    return out


class Twin:
    """The tree one rerun drew (its messages, as recorded), and a plain script drawing it again."""

    def __init__(self, messages: list, media: dict[str, bytes]):
        self.media = media
        self.navigation = next((m.navigation for m in messages if m.WhichOneof("type") == "navigation"), None)
        self.page_config = next((m.page_config_changed for m in messages
                                 if m.WhichOneof("type") == "page_config_changed"), None)
        nodes: dict[tuple, Node] = {}
        for m in messages:
            if m.WhichOneof("type") != "delta":
                continue
            d, path = m.delta, tuple(m.metadata.delta_path)
            which = d.WhichOneof("type")
            if which == "new_element":
                nodes[path] = Node(path, d.new_element.WhichOneof("type"), d.new_element, d.fragment_id)
            elif which == "add_block":
                nodes[path] = Node(path, "block", d.add_block, d.fragment_id)
            elif which == "new_transient":  # a spinner: a cache missed during the rerun timed
                raise ValueError("the recorded rerun computed something (a spinner was shown): not a cached rerun")
        self.roots: dict[int, list[Node]] = {}
        for path in sorted(nodes):
            parent = nodes.get(path[:-1])
            (parent.children if parent else self.roots.setdefault(path[0], [])).append(nodes[path])
        frags = {n.fragment for n in nodes.values()}
        self.fragment_run = self.navigation is None and "" not in frags and len(frags) == 1
        self.count = len(nodes)

    # -- the script's side: run inside the twin's AppTest ------------------------------------------------------
    def page(self) -> None:
        import streamlit as st

        ids = itertools.count()
        if self.page_config is not None:
            st.set_page_config(layout="wide" if self.page_config.layout == 1 else "centered",
                               page_title=self.page_config.title or None)
        if self.fragment_run:
            self._draw(self.roots.get(0, []), ids)  # in a fragment, as the page's
            return
        if self.navigation is None:
            self._body(ids)
            return
        pages: dict[str, list] = {}
        for i, p in enumerate(self.navigation.app_pages):
            here = p.page_script_hash == self.navigation.page_script_hash
            run = (lambda: self._body(ids)) if here else (lambda: None)
            pages.setdefault(p.section_header, []).append(
                st.Page(run, title=p.page_name, icon=p.icon or None, url_path=f"p{i}", default=here))
        position = {0: "hidden", 1: "sidebar", 2: "top"}.get(self.navigation.position, "sidebar")
        st.navigation(pages if len(pages) > 1 else next(iter(pages.values())), position=position).run()

    def _body(self, ids) -> None:
        import streamlit as st

        self._draw(self.roots.get(0, []), ids)
        if self.roots.get(1):
            with st.sidebar:
                self._draw(self.roots[1], ids)

    def _draw(self, nodes: list[Node], ids, frag: str = "") -> None:
        import streamlit as st

        i = 0
        while i < len(nodes):
            n = nodes[i]
            if n.fragment != frag:  # the run of siblings drawn inside one fragment, drawn inside a fragment
                j = i
                while j < len(nodes) and nodes[j].fragment == n.fragment:
                    j += 1
                run = nodes[i:j]
                if len(run) == 1 and run[0].kind == "block" and run[0].proto.WhichOneof("type") == "flex_container":
                    run = run[0].children  # the fragment's own container: st.fragment draws it
                st.fragment(lambda run=run, f=n.fragment: self._draw(run, ids, f))()
                i = j
                continue
            self._one(n, ids, frag)
            i += 1

    def _one(self, n: Node, ids, frag: str) -> None:
        import streamlit as st

        key = f"twin-{next(ids)}"
        p = getattr(n.proto, n.kind) if n.kind != "block" else n.proto
        if n.kind == "block":
            return self._block(n, ids, frag)
        if n.kind == "markdown":
            (st.caption if p.element_type == 2 else st.markdown)(p.body, unsafe_allow_html=p.allow_html)
        elif n.kind == "heading":
            {"h1": st.title, "h2": st.header}.get(p.tag, st.subheader)(p.body)
        elif n.kind == "alert":
            fn = {1: st.error, 2: st.warning, 3: st.info, 4: st.success}.get(p.format, st.info)
            fn(p.body, icon=p.icon or None)
        elif n.kind == "page_link":
            st.page_link(f"https://example.org/{key}", label=p.label, icon=p.icon or None)
        elif n.kind == "progress":
            st.progress(p.value, text=p.text or None)
        elif n.kind == "checkbox":
            (st.toggle if p.type == 1 else st.checkbox)(p.label, value=p.default, key=key)
        elif n.kind == "radio":
            st.radio(p.label, list(p.options), index=p.default if p.HasField("default") else None,
                     horizontal=p.horizontal, key=key)
        elif n.kind == "selectbox":
            st.selectbox(p.label, list(p.options), index=p.default if p.HasField("default") else None, key=key)
        elif n.kind == "multiselect":
            st.multiselect(p.label, list(p.options), default=[p.options[i] for i in p.default], key=key)
        elif n.kind == "slider" and p.options:
            options = list(p.options)
            value = [options[int(v)] for v in p.default]
            st.select_slider(p.label, options=options, value=tuple(value) if len(value) == 2 else value[0], key=key)
        elif n.kind == "slider":
            value = list(p.default)
            st.slider(p.label, p.min, p.max, value=tuple(value) if len(value) == 2 else value[0], key=key)
        elif n.kind == "button_group":
            fn = st.pills if p.style == 1 else st.segmented_control
            options = [o.content for o in p.options]
            multi = p.click_mode == 1
            default = [options[i] for i in p.default]
            fn(p.label, options, selection_mode="multi" if multi else "single",
               default=default if multi else (default[0] if default else None), key=key)
        elif n.kind == "text_input":
            st.text_input(p.label, value=p.default, key=key)
        elif n.kind == "text_area":
            st.text_area(p.label, value=p.default, key=key)
        elif n.kind == "number_input":
            st.number_input(p.label, value=p.default, key=key)
        elif n.kind == "date_input":
            from datetime import date

            st.date_input(p.label, value=date.fromisoformat(p.default[0].replace("/", "-")) if p.default else None,
                          key=key)
        elif n.kind == "button":
            (st.form_submit_button if p.is_form_submitter else st.button)(p.label, key=key)
        elif n.kind == "download_button":
            st.download_button(p.label, data=b"twin", key=key)
        elif n.kind == "imgs":
            for img in p.imgs:
                st.image(self.media[img.url])
        elif n.kind in ("dataframe", "table"):
            import pyarrow as pa

            table = pa.ipc.open_stream(io.BytesIO(p.arrow_data.data)).read_all()
            # as the workbench gives it (ui/data.arrow): Arrow, with hide_index said (else Streamlit turns the
            # table back into pandas to look at its index)
            if n.kind == "dataframe":
                st.dataframe(table, hide_index=True)
            else:
                st.table(table, hide_index=p.hide_index)
        elif n.kind == "metric":
            st.metric(p.label, p.body)
        else:
            raise ValueError(f"the twin cannot draw a {n.kind!r} element yet (bench/twin.py)")

    def _block(self, n: Node, ids, frag: str) -> None:
        import streamlit as st

        b = n.proto
        which = b.WhichOneof("type")
        if which == "flex_container" and n.children and all(c.kind == "block" and c.proto.WhichOneof("type")
                                                           == "column" for c in n.children):
            for col, c in zip(st.columns(len(n.children)), n.children):
                with col:
                    self._draw(c.children, ids, frag)
            return
        if which == "flex_container":
            where = st.container(horizontal=b.flex_container.direction == 2, border=b.flex_container.border)
        elif which == "expandable":
            where = st.expander(b.expandable.label, expanded=b.expandable.expanded)
        elif which == "popover":
            where = st.popover(b.popover.label)
        elif which == "form":
            where = st.form(f"twin-form-{next(ids)}", border=b.form.border)
        else:
            raise ValueError(f"the twin cannot draw a {which!r} block yet (bench/twin.py)")
        with where:
            self._draw(n.children, ids, frag)

    # -- the bench's side -----------------------------------------------------------------------------------------
    def app_test(self):
        """An AppTest of the twin's script (its drawing module put where the script imports it from)."""
        from streamlit.testing.v1 import AppTest

        module = types.ModuleType(MODULE)
        module.page = self.page
        sys.modules[MODULE] = module
        return AppTest.from_string(SCRIPT, default_timeout=120)

    def rerun(self, at, as_browser) -> float:
        """One rerun of the twin, as the page's was (its fragment alone, or the whole page), timed in seconds."""
        import time

        frag = _fragment_of(at) if self.fragment_run else None
        with as_browser(frag):
            t = time.perf_counter()
            at.run()
            return time.perf_counter() - t


def _fragment_of(at) -> str:
    """The twin's one fragment (the page's fragment rerun is timed as a rerun of the twin's)."""
    ids = list(at._fragment_storage._fragments)  # noqa: SLF001 — AppTest keeps the session's fragments here
    if len(ids) != 1:
        raise ValueError(f"the twin of a fragment's rerun has {len(ids)} fragments, not one")
    return ids[0]

"""Check a citation: paste a passage id, a ``doc:start-end`` span or a quoted sentence and see
every place it points to, in context, with the document's metadata."""

from __future__ import annotations

import streamlit as st
from ui import session as ui
from ui import widgets as ui_widgets

from askbj.errors import AskbjError
from askbj.lookup import lookup

ui_widgets.setup_page("Citation lookup", ":material/link:")
PAGE = 20  # places shown at a time: a common phrase can occur hundreds of times

st.title("Citation lookup")
st.caption("Paste a passage id (e.g. 40a6892db10aa5b7), a span such as 002:120-180, or a "
           "sentence you were shown — simplified or traditional script, spacing ignored.")
engine = ui_widgets.page_engine()
with st.form("lookup"):
    ref = st.text_area("Reference", key="cite_ref", height=90,
                       placeholder="2023年全市实现数字经济增加值18766.7亿元")
    context = st.slider("Sentences of context on each side", 0, 5, 1, key="cite_context")
    st.form_submit_button("Look up", type="primary")
if ref.strip():
    try:
        places = lookup(engine.index, ref, context=context, searcher=engine.searcher)
    except AskbjError as exc:
        st.error(ui.md_literal(str(exc)))
        places = []
    if places:
        st.success(f"Found {len(places)} place{'s' if len(places) != 1 else ''}.")
    if st.session_state.get("cite_shown_for") != (ref, context):  # a new lookup: first page
        st.session_state["cite_shown"], st.session_state["cite_shown_for"] = PAGE, (ref, context)
    shown = st.session_state["cite_shown"]
    for place in places[:shown]:
        with st.container(border=True):
            st.markdown(f"**{ui.md_literal(place.title)}**")
            st.markdown(ui.passage_html(ui.place_view(place)), unsafe_allow_html=True)
            st.markdown(ui.table_html(ui.place_meta(place)), unsafe_allow_html=True)
    if len(places) > shown:
        st.caption(f"{len(places) - shown} more places.")
        if st.button(f"Show {min(PAGE, len(places) - shown)} more", key="cite_more"):
            st.session_state["cite_shown"] = shown + PAGE
            st.rerun()

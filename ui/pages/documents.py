"""The indexed documents: a table, a reader that moves through a document by section, and
an upload that adds a document to the index."""

from __future__ import annotations

import streamlit as st
from ui import session as ui
from ui import widgets as ui_widgets

ui_widgets.setup_page("Documents", ":material/description:", "wide")


def step(key: str, delta: int, count: int) -> None:
    st.session_state[key] = max(0, min(count - 1, st.session_state.get(key, 0) + delta))


st.title("Documents")
engine = ui_widgets.page_engine()
index = engine.index
st.dataframe(ui.documents_rows(index), hide_index=True, column_config={
    "id": st.column_config.TextColumn("id", width="small"),
    "title": st.column_config.TextColumn("title", width="large"),
    "chunks": st.column_config.NumberColumn("passages"),
})

st.subheader("Read a document")
docs = {d.doc_id: d for d in index.documents}
doc_id = st.selectbox("Document", list(docs), key="doc_reader",
                      format_func=lambda d: f"{d} · {docs[d].title}")
doc = docs[doc_id]
sections = ui.document_sections(doc)
key = f"section_{doc_id}"
left, mid, right = st.columns([1, 6, 1], vertical_alignment="bottom")
left.button("◀ Previous", key="prev_section", on_click=step, args=(key, -1, len(sections)),
            width="stretch")
right.button("Next ▶", key="next_section", on_click=step, args=(key, 1, len(sections)),
             width="stretch")
pick = mid.selectbox("Section", range(len(sections)), key=key,
                     format_func=lambda i: f"{i + 1}/{len(sections)} · {sections[i][0]}")
label, start, end = sections[pick]
ui_widgets.render_text(doc.text[start:end], "askbj-doc")
st.caption(ui.md_literal(f"Characters {start}–{end} of {len(doc.text)}"))
with st.expander("Document details"):
    st.markdown(ui.meta_html(doc), unsafe_allow_html=True)

st.subheader("Add a document")
ui_widgets.render_upload(engine.settings)

"""askbj's Streamlit app: the list of pages. Run: ``streamlit run streamlit_app.py``.

Layout only. Each page is a script in ``ui/pages/``; loading, answering and all escaping of
corpus and user text live in ``ui.session``, ``ui.widgets`` and ``ui.html``.
"""

from __future__ import annotations

import streamlit as st

PAGES = [
    st.Page("ui/pages/chat.py", title="Ask", icon=":material/forum:", default=True),
    st.Page("ui/pages/citation_lookup.py", title="Citation lookup", icon=":material/link:"),
    st.Page("ui/pages/documents.py", title="Documents", icon=":material/description:"),
    st.Page("ui/pages/evaluation.py", title="Evaluation", icon=":material/monitoring:"),
]

st.navigation(PAGES).run()

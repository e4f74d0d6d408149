"""Start the chat UI with the slow imports already under way.

A cold start spends most of its time importing torch/sentence-transformers and loading
jieba's dictionaries, and Streamlit only runs the app once a browser connects. Doing that
work in a thread while the server starts means the first question is answered seconds
sooner. `./run.sh` starts the app through here; extra arguments go to `streamlit run`.
"""

from __future__ import annotations

import contextlib
import sys
import threading
from pathlib import Path


def warm_up() -> None:
    """Import and initialise what the first answer needs (all cached process-wide)."""
    import sentence_transformers  # noqa: F401

    from askbj import ui
    from askbj.errors import AskbjError
    from askbj.normalize import fold, tokenize

    # The same cached engine the app's first run asks for (it waits on this one). With no
    # or a stale index there is nothing to warm: the app explains and offers to build it.
    with contextlib.suppress(AskbjError):
        ui.get_engine(ui.SETTINGS_FACTORY(), ui.factory_key())
    from askbj.translate import to_chinese

    fold("預熱")
    tokenize("北京数字经济")
    import jieba.posseg

    jieba.posseg.lcut("北京数字经济")
    to_chinese("digital economy", lambda word: True)


def main() -> None:
    from streamlit.web import cli as streamlit_cli

    app = Path.cwd() / "streamlit_app.py"
    threading.Thread(target=warm_up, name="askbj-warm-up", daemon=True).start()
    sys.argv = ["streamlit", "run", str(app), "--browser.gatherUsageStats", "false",
                *sys.argv[1:]]
    sys.exit(streamlit_cli.main())


if __name__ == "__main__":
    main()

#!/usr/bin/env bash
# askbj in one command.
#   ./run.sh         set up .venv (first time), build the index if missing, open the chat UI
#   ./run.sh test    set up .venv (first time), then run the whole test suite (what CI runs)
set -euo pipefail
cd "$(dirname "$0")"
export PIP_DISABLE_PIP_VERSION_CHECK=1

setup() {
  [ -x .venv/bin/python ] || python3 -m venv .venv
  local stamp=.venv/.askbj-installed
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ constraints.txt -nt "$stamp" ]; then
    echo "Installing askbj and its dependencies into .venv/ (CPU-only torch) ..." >&2
    # constraints.txt pins torch to the CPU build; an unpinned torch pulls a multi-GB CUDA one.
    .venv/bin/python -m pip install -q -c constraints.txt -e ".[test]"
    touch "$stamp"
  fi
}

browser() {
  # The end-to-end UI test drives Debian's Chromium; install it when we can (root, apt).
  if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && apt-get install -y -qq chromium fonts-noto-cjk >/dev/null) \
      || echo "note: could not install chromium; the browser test will be skipped" >&2
  fi
}

case "${1:-app}" in
  test)
    setup
    browser
    shift || true
    exec .venv/bin/python -m pytest "$@"
    ;;
  app)
    setup
    [ -f index/manifest.json ] || .venv/bin/askbj ingest
    exec .venv/bin/streamlit run streamlit_app.py --browser.gatherUsageStats false "${@:2}"
    ;;
  *)
    echo "usage: ./run.sh [test [pytest args]]" >&2
    exit 2
    ;;
esac

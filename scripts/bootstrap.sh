# Sourced by run.sh and test.sh: find Python 3.10 and install the locked
# dependencies into .venv, reinstalling only when pyproject.toml or
# constraints.txt changed.
set -euo pipefail

find_python310() {
  local candidate
  for candidate in "${BOUSSOLE_PYTHON:-}" python3.10 \
      "$(command -v pyenv >/dev/null 2>&1 && pyenv root 2>/dev/null)"/versions/3.10*/bin/python \
      "$HOME"/.pyenv/versions/3.10*/bin/python \
      "$(command -v uv >/dev/null 2>&1 && uv python find 3.10 2>/dev/null)" \
      python3 python; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
       [ "$("$candidate" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)" = "3.10" ]; then
      command -v "$candidate"
      return 0
    fi
  done
  return 1
}

ensure_venv() {
  local extras="$1" stamp python
  stamp="$(cat pyproject.toml constraints.txt | sha256sum | cut -c1-16)-$extras"
  if [ -x .venv/bin/python ] && [ "$(cat .venv/.boussole-installed 2>/dev/null)" = "$stamp" ]; then
    return 0
  fi
  if [ ! -x .venv/bin/python ]; then
    if ! python="$(find_python310)"; then
      echo "Boussole needs Python 3.10 (Rasa 3.6's newest): install it with 'uv python install 3.10', 'pyenv install 3.10' or your system's python3.10 package, or set BOUSSOLE_PYTHON=/path/to/python3.10, then rerun." >&2
      exit 1
    fi
    echo "setup: creating .venv with $python"
    "$python" -m venv .venv
  fi
  echo "setup: installing the locked dependencies into .venv (first time: several minutes)"
  .venv/bin/python -m pip install --quiet --upgrade "pip>=24" >/dev/null
  .venv/bin/python -m pip install --progress-bar off -c constraints.txt -e ".$extras"
  echo "$stamp" > .venv/.boussole-installed
}

# The browser tests use Debian's chromium (Playwright never downloads a browser here).
ensure_chromium() {
  [ -x /usr/bin/chromium ] && return 0
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing Debian's chromium for the browser tests"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
  else
    echo "The browser tests need /usr/bin/chromium: run 'sudo apt-get install chromium' (Debian/Ubuntu), then rerun." >&2
    exit 1
  fi
}

# The scale-out tests (tests/scale/) start their own throwaway PostgreSQL cluster
# and Redis server on loopback, from Debian's packages; nothing is downloaded
# by the tests themselves and no system service is used.
ensure_services() {
  if compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null && command -v redis-server >/dev/null 2>&1; then
    return 0
  fi
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing Debian's postgresql and redis-server for the scale-out tests"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql redis-server >/dev/null
  else
    echo "The scale-out tests need PostgreSQL (initdb, pg_ctl) and redis-server: run 'sudo apt-get install postgresql redis-server' (Debian/Ubuntu), then rerun." >&2
    exit 1
  fi
}

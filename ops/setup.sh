#!/usr/bin/env bash
# `make setup`: everything the project needs on a Debian/Ubuntu machine, idempotent and quick when
# nothing changed. Steps: Debian packages, Python 3.10 venv from requirements.lock, Neo4j and Kafka
# jars from Maven Central. Each step records a stamp (a hash of its inputs) and is skipped when the
# stamp still matches.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
VENV=.venv
CACHE=.cache
mkdir -p "$CACHE/stamps"

say() { printf '==> %s\n' "$*"; }
die() { printf 'setup: %s\n' "$*" >&2; exit 1; }

stamp_matches() { [ -f "$CACHE/stamps/$1" ] && [ "$(cat "$CACHE/stamps/$1")" = "$2" ]; }
write_stamp() { echo "$2" > "$CACHE/stamps/$1"; }

# --- Debian packages -------------------------------------------------------------------------
# command -> package. chromium is the browser the Playwright tests drive (never a downloaded one);
# npm fetches the widget's socket.io client.
DEBIAN_NEEDS=("redis-server:redis-server" "java:openjdk-17-jre-headless" "mvn:maven" "chromium:chromium"
              "npm:npm")
# Packages without a command: a Chinese font, or chromium draws the widget's Chinese as empty boxes.
DEBIAN_FILES=("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc:fonts-wqy-zenhei")
missing=()
for pair in "${DEBIAN_NEEDS[@]}"; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
done
for pair in "${DEBIAN_FILES[@]}"; do
  [ -e "${pair%%:*}" ] || missing+=("${pair#*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    die "missing Debian packages: ${missing[*]}. Install them with: sudo apt-get install ${missing[*]}"
  fi
fi
java_major=$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1)
[ "${java_major:-0}" -ge 17 ] || die "Java 17 or newer is needed for Neo4j 5.26 and Kafka (found: ${java_major:-none})"

# --- Python 3.10 -----------------------------------------------------------------------------
# Rasa 3.6 needs Python < 3.11. A pyenv shim may answer `python3.10` only with PYENV_VERSION set,
# so every candidate is asked to run before it is trusted.
find_python310() {
  local candidate
  for candidate in "${PYTHON310:-}" "$(command -v python3.10 || true)" \
      $(ls -d "$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")"/versions/3.10.*/bin/python3.10 2>/dev/null | sort -V -r) \
      /usr/bin/python3.10 /usr/local/bin/python3.10; do
    [ -n "$candidate" ] && [ -x "$candidate" ] || continue
    if "$candidate" -c 'import sys, venv; assert sys.version_info[:2] == (3, 10)' >/dev/null 2>&1; then
      echo "$candidate"; return 0
    fi
  done
  return 1
}

if [ ! -x "$VENV/bin/python" ]; then
  PY=$(find_python310) || die "Python 3.10 not found (Rasa 3.6 needs Python >= 3.8, < 3.11).
  Looked at \$PYTHON310, python3.10 on PATH, \$(pyenv root)/versions/3.10.*/bin/python3.10 and /usr/bin/python3.10.
  Install it (e.g. 'pyenv install 3.10' or 'apt-get install python3.10-venv') or set PYTHON310=/path/to/python3.10."
  say "creating $VENV with $PY"
  "$PY" -m venv "$VENV"
fi
"$VENV/bin/python" -c 'import sys; assert sys.version_info[:2] == (3, 10)' \
  || die "$VENV is not a Python 3.10 environment; remove it and run make setup again"

lock_hash=$(cat requirements.in requirements.lock | sha256sum | cut -c1-16)
if ! stamp_matches venv "$lock_hash"; then
  say "installing Python packages from requirements.lock (pip cache makes a second run fast)"
  "$VENV/bin/python" -m pip install -q "pip==24.0"
  "$VENV/bin/python" -m pip install -q -r requirements.in -c requirements.lock
  "$VENV/bin/python" -m pip check
  write_stamp venv "$lock_hash"
fi

# --- Neo4j and Kafka jars --------------------------------------------------------------------
for name in neo4j kafka; do
  pom="ops/jars/$name.pom.xml"
  pom_hash=$(sha256sum "$pom" | cut -c1-16)
  if ! stamp_matches "jars-$name" "$pom_hash" || [ ! -d "$CACHE/jars/$name" ]; then
    say "fetching $name jars from Maven Central (cached in ~/.m2)"
    rm -rf "$CACHE/jars/$name"
    mvn -q -B -f "$pom" dependency:copy-dependencies -DoutputDirectory="$ROOT/$CACHE/jars/$name" \
      || die "Maven could not fetch the $name jars (see the output above)"
    write_stamp "jars-$name" "$pom_hash"
  fi
done

# --- Front-end library -----------------------------------------------------------------------
# The widget's socket.io client comes from the npm registry (npm checks the tarball's integrity)
# and is copied next to the widget: a build artefact, never committed. 4.x speaks Engine.IO 4,
# as python-socketio 5 in Rasa does.
SOCKETIO_CLIENT=socket.io-client@4.8.1
VENDOR=handoff/static/widget/vendor
if ! stamp_matches frontend "$SOCKETIO_CLIENT" || [ ! -f "$VENDOR/socket.io.min.js" ]; then
  say "fetching $SOCKETIO_CLIENT from the npm registry"
  mkdir -p "$CACHE/npm" "$VENDOR"
  tarball=$(cd "$CACHE/npm" && npm pack --silent --cache "$ROOT/$CACHE/npm/cache" "$SOCKETIO_CLIENT") \
    || die "npm could not fetch $SOCKETIO_CLIENT"
  tar -xzf "$CACHE/npm/$tarball" -C "$VENDOR" --strip-components=2 package/dist/socket.io.min.js
  write_stamp frontend "$SOCKETIO_CLIENT"
fi

say "setup complete: $("$VENV/bin/python" --version), $(ls "$CACHE/jars/neo4j" | wc -l) Neo4j jars, $(ls "$CACHE/jars/kafka" | wc -l) Kafka jars"

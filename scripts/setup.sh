# Shared set-up for ./run and ./test: Python 3.10, the venv, pinned dependencies,
# the trained model. Sourced, not executed. Every step is skipped when nothing changed.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"

say() { printf '\033[1m[poradnyk]\033[0m %s\n' "$*" >&2; }

find_python310() {
  local cand
  for cand in "${PORADNYK_PYTHON:-}" python3.10 "$HOME"/.pyenv/versions/3.10.*/bin/python3.10 \
              /usr/bin/python3.10 /usr/local/bin/python3.10; do
    [ -n "$cand" ] || continue
    if command -v "$cand" >/dev/null 2>&1 &&
       "$cand" -c 'import sys, venv; sys.exit(sys.version_info[:2] != (3, 10))' >/dev/null 2>&1; then
      command -v "$cand"
      return 0
    fi
  done
  return 1
}

hash_files() { cat "$@" 2>/dev/null | sha256sum | cut -d' ' -f1; }

ensure_venv() {
  if [ ! -x "$VENV/bin/python" ]; then
    local py
    if ! py="$(find_python310)"; then
      say "Python 3.10 is required (Rasa 3.6 does not run on 3.11 or newer) and none was found."
      say "Install it, for example: pyenv install 3.10.13   or   apt-get install python3.10 python3.10-venv"
      say "or point PORADNYK_PYTHON at a python3.10 executable."
      exit 1
    fi
    say "Creating .venv with $py"
    "$py" -m venv "$VENV"
  fi
  local want have=""
  want="$(hash_files "$ROOT/requirements.lock" "$ROOT/pyproject.toml")"
  [ -f "$VENV/.deps-hash" ] && have="$(cat "$VENV/.deps-hash")"
  if [ "$want" != "$have" ]; then
    say "Installing pinned dependencies (first time: a few minutes)"
    "$VENV/bin/python" -m pip install --quiet --upgrade "pip==26.3"
    "$VENV/bin/python" -m pip install --quiet --requirement "$ROOT/requirements.lock"
    "$VENV/bin/python" -m pip install --quiet --no-deps --no-build-isolation --editable "$ROOT"
    echo "$want" > "$VENV/.deps-hash"
  fi
}

export_defaults() {
  export PORADNYK_DATA_DIR="${PORADNYK_DATA_DIR:-$ROOT/var}"
  export RASA_PORT="${RASA_PORT:-5005}"
  export ACTION_PORT="${ACTION_PORT:-5055}"
  export ACTION_SERVER_URL="${ACTION_SERVER_URL:-http://127.0.0.1:$ACTION_PORT/webhook}"
  export RASA_TRACKER_DB="${RASA_TRACKER_DB:-$PORADNYK_DATA_DIR/rasa_trackers.sqlite3}"
  export RASA_MODEL="${RASA_MODEL:-$ROOT/models/poradnyk.tar.gz}"
  # No telemetry (and no network calls) from Rasa; quieter TensorFlow.
  export RASA_TELEMETRY_ENABLED=false
  export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}"
  export SQLALCHEMY_SILENCE_UBER_WARNING=1
  export PYTHONDONTWRITEBYTECODE=1
  mkdir -p "$PORADNYK_DATA_DIR"
}

model_inputs() {
  find "$ROOT/nlu_data" "$ROOT/nlu_components" -type f \( -name '*.yml' -o -name '*.py' \) | sort
  echo "$ROOT/config.yml"
  echo "$ROOT/domain.yml"
}

ensure_model() {
  local want have=""
  # shellcheck disable=SC2046
  want="$(hash_files $(model_inputs))"
  [ -f "$ROOT/models/.inputs-hash" ] && have="$(cat "$ROOT/models/.inputs-hash")"
  if [ -f "$ROOT/models/poradnyk.tar.gz" ] && [ "$want" = "$have" ]; then
    return 0
  fi
  say "Training the model (training data or config changed)"
  local start=$SECONDS
  (cd "$ROOT" && "$VENV/bin/rasa" train --data nlu_data --config config.yml --domain domain.yml \
      --out models --fixed-model-name poradnyk --quiet)
  echo "$want" > "$ROOT/models/.inputs-hash"
  say "Model trained in $((SECONDS - start)) s"
}

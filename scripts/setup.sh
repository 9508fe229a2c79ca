# Shared set-up for ./run, ./test and bin/staff: two Pythons, two venvs, pinned
# dependencies, the database schema, the trained model. Sourced, not executed. Every
# step is skipped when nothing changed.
#
# Two runtimes, because Rasa 3.6 runs only on Python 3.10 (end of life in October 2026)
# and nothing that faces the internet should:
#   .venv      Python 3.10: Rasa and the action server (127.0.0.1 only), training, NLU
#              benchmarks. Pinned in requirements.lock.
#   .venv-app  Python 3.12+ (3.13, 3.11 accepted): the Telegram adapter, the staff
#              console, the staff CLI, lint, types and most tests. Pinned in
#              requirements-app.lock.
# Both get the project itself installed in editable mode (the `poradnyk` core and the
# packages that use it).

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
APP_VENV="$ROOT/.venv-app"

say() { printf '\033[1m[poradnyk]\033[0m %s\n' "$*" >&2; }

# find_python VERSION... : the first python of the given minor versions, in that order of
# preference: $PORADNYK_PYTHON<minor> or a matching $PORADNYK_PYTHON, pythonX.Y on PATH,
# pyenv's versions, the system's.
find_python() {
  local want cand
  for want in "$@"; do
    local var="PORADNYK_PYTHON${want//./}"
    for cand in "${!var:-}" "${PORADNYK_PYTHON:-}" "python$want" \
                "$HOME"/.pyenv/versions/"$want".*/bin/python"$want" \
                "/usr/bin/python$want" "/usr/local/bin/python$want"; do
      [ -n "$cand" ] || continue
      if command -v "$cand" >/dev/null 2>&1 &&
         "$cand" -c "import sys, venv; sys.exit(sys.version_info[:2] != tuple(map(int, '$want'.split('.'))))" \
           >/dev/null 2>&1; then
        command -v "$cand"
        return 0
      fi
    done
  done
  return 1
}

hash_files() { cat "$@" 2>/dev/null | sha256sum | cut -d' ' -f1; }

# make_venv DIR LOCKFILE PYTHON...: create DIR with the first PYTHON found, install LOCKFILE
# and the project when they changed.
make_venv() {
  local dir="$1" lock="$2"
  shift 2
  if [ ! -x "$dir/bin/python" ]; then
    local py
    if ! py="$(find_python "$@")"; then
      return 3
    fi
    say "Creating $(basename "$dir") with $py"
    "$py" -m venv "$dir"
  fi
  local want have=""
  want="$(hash_files "$lock" "$ROOT/pyproject.toml")"
  [ -f "$dir/.deps-hash" ] && have="$(cat "$dir/.deps-hash")"
  if [ "$want" != "$have" ]; then
    say "Installing pinned dependencies into $(basename "$dir") (first time: a few minutes)"
    # uv installs the same pinned set as pip (checked: identical `pip freeze`), in
    # parallel: 72 s instead of 316 s for the Rasa venv on a 2-core machine, no cache;
    # pip takes over if uv fails.
    { "$dir/bin/python" -m pip install --quiet --upgrade "pip==26.3" "uv==0.9.30" &&
      { "$dir/bin/uv" pip install --quiet --python "$dir/bin/python" --requirement "$lock" ||
        "$dir/bin/python" -m pip install --quiet --requirement "$lock"; } &&
      "$dir/bin/python" -m pip install --quiet --no-deps --no-build-isolation --editable "$ROOT"
    } || { say "Installing into $(basename "$dir") failed (see above)."; exit 1; }
    echo "$want" > "$dir/.deps-hash"
  fi
}

ensure_rasa_venv() {
  make_venv "$VENV" "$ROOT/requirements.lock" 3.10 || {
    say "Python 3.10 is required for Rasa 3.6 (it refuses 3.11 and newer) and none was found."
    say "Looked for: \$PORADNYK_PYTHON310, python3.10 on PATH, ~/.pyenv/versions/3.10.*, /usr/bin/python3.10."
    say "Install it, for example: pyenv install 3.10.13   or   apt-get install python3.10 python3.10-venv"
    exit 1
  }
}

ensure_app_venv() {
  make_venv "$APP_VENV" "$ROOT/requirements-app.lock" 3.12 3.13 3.11 || {
    say "Python 3.12 or 3.13 (3.11 at least) is required for the adapter and the console, and none was found."
    say "Looked for: \$PORADNYK_PYTHON312 (or 313, 311), python3.12/3.13/3.11 on PATH, ~/.pyenv/versions/3.1[123].*, /usr/bin."
    say "Install one, for example: pyenv install 3.12.1   or   apt-get install python3.12 python3.12-venv"
    exit 1
  }
}

ensure_venv() {
  ensure_rasa_venv
  ensure_app_venv
}

# What the tests need from Debian, each checked by what it provides:
#   chromium (+ colour emoji) - the console's browser tests (Playwright drives
#     /usr/bin/chromium through its executable_path and never downloads a browser);
#   gettext - the console's catalogue test runs Django's makemessages (xgettext);
#   postgresql, redis-server - the tests against real servers (the suite starts throwaway
#     instances on free ports; the packages' own services are not used).
# Run as root (CI), the missing ones are installed with one apt-get; else a clear stop.
ensure_test_packages() {
  local missing=()
  [ -x /usr/bin/chromium ] || missing+=(chromium fonts-noto-color-emoji)
  command -v xgettext >/dev/null 2>&1 || missing+=(gettext)
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
  command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ] || missing+=(redis-server)
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "Installing ${missing[*]} from Debian's packages (for the tests)"
    { apt-get update -qq &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    } || { say "Installing ${missing[*]} failed (see above)."; exit 1; }
    return 0
  fi
  say "The tests need Debian's ${missing[*]}, and it is missing (the browser tests need"
  say "Chromium, the translation test gettext, the server tests PostgreSQL and Redis)."
  say "Install as root: apt-get install ${missing[*]}   (./test run as root does it by itself)"
  exit 1
}

export_defaults() {
  export PORADNYK_DATA_DIR="${PORADNYK_DATA_DIR:-$ROOT/var}"
  export RASA_PORT="${RASA_PORT:-5005}"
  export ACTION_PORT="${ACTION_PORT:-5055}"
  export PORADNYK_CONSOLE_PORT="${PORADNYK_CONSOLE_PORT:-8000}"
  export PORADNYK_HEALTH_PORT="${PORADNYK_HEALTH_PORT:-8081}"
  export ACTION_SERVER_URL="${ACTION_SERVER_URL:-http://127.0.0.1:$ACTION_PORT/webhook}"
  export RASA_TRACKER_DB="${RASA_TRACKER_DB:-$PORADNYK_DATA_DIR/rasa_trackers.sqlite3}"
  # One URL for every table (adapter, console, Rasa's conversations): SQLite in the data
  # folder unless set to postgresql://...; Redis for Rasa's locks only when set.
  export PORADNYK_DATABASE_URL="${PORADNYK_DATABASE_URL:-sqlite:///$PORADNYK_DATA_DIR/poradnyk.sqlite3}"
  export PORADNYK_REDIS_URL="${PORADNYK_REDIS_URL:-}"
  export RASA_MODEL="${RASA_MODEL:-$ROOT/models/poradnyk.tar.gz}"
  # No telemetry (and no network calls) from Rasa; quieter TensorFlow.
  export RASA_TELEMETRY_ENABLED=false
  export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}"
  export SQLALCHEMY_SILENCE_UBER_WARNING=1
  export PYTHONDONTWRITEBYTECODE=1
  mkdir -p "$PORADNYK_DATA_DIR/log"
  # Rasa's HTTP API is protected by default: a token generated once, kept in the data
  # folder (like the pseudonym salt) and read by the adapter from the same variable.
  if [ -z "${RASA_API_TOKEN:-}" ]; then
    local token_file="$PORADNYK_DATA_DIR/rasa_api_token"
    if [ ! -s "$token_file" ]; then
      (umask 077 && od -An -N24 -tx1 /dev/urandom | tr -d ' \n' > "$token_file")
    fi
    RASA_API_TOKEN="$(cat "$token_file")"
    export RASA_API_TOKEN
  fi
}

# The schema of every table the adapter and the console keep (Django migrations).
ensure_schema() {
  "$APP_VENV/bin/python" -m console migrate --no-input -v 0
}

model_inputs() {
  find "$ROOT/nlu_data" "$ROOT/nlu_components" -type f \( -name '*.yml' -o -name '*.py' \) | sort
  # Code of the core that the NLU components run (same text in training and serving).
  echo "$ROOT/poradnyk/regions.py"
  echo "$ROOT/poradnyk/spelling.py"
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

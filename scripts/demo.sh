#!/usr/bin/env bash
# The main job end to end against the bundled WeCom emulator:
#   validate -> plan -> apply -> plan again (no changes) -> who
# `make demo` runs it with .venv/bin on PATH. Steps whose command is not built
# yet are skipped with a note; a step that exists and fails stops the demo
# with a non-zero exit. The emulator is always stopped, whatever happens.
#
# Environment: APPCHAT_DEMO_DIR (default .demo) holds the emulator's state and
# is wiped at the start; APPCHAT_DEMO_CHATS (default chats/) the chat files;
# APPCHAT_DEMO_PERSON the user `who` shows.
set -euo pipefail

cd "$(dirname "$0")/.."
if [[ -x .venv/bin/appchat && ":$PATH:" != *":$PWD/.venv/bin:"* ]]; then
    PATH="$PWD/.venv/bin:$PATH"
fi

DEMO_DIR=${APPCHAT_DEMO_DIR:-.demo}
CHATS=${APPCHAT_DEMO_CHATS:-chats/}
SEED=demo/seed.yaml
PERSON=${APPCHAT_DEMO_PERSON:-bob}
EMU_PID=

if [[ -t 1 && -z "${NO_COLOR:-}" ]]; then
    BOLD=$'\e[1m' DIM=$'\e[2m' RED=$'\e[31m' RESET=$'\e[0m'
else
    BOLD= DIM= RED= RESET=
fi

heading() { printf '\n%s==> %s%s\n' "$BOLD" "$*" "$RESET"; }
note() { printf '%s    %s%s\n' "$DIM" "$*" "$RESET"; }
die() { printf '%sdemo failed: %s%s\n' "$RED" "$*" "$RESET" >&2; exit 1; }

cleanup() {
    local rc=$?
    if [[ -n "$EMU_PID" ]] && kill -0 "$EMU_PID" 2>/dev/null; then
        kill -TERM "$EMU_PID" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$EMU_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$EMU_PID" 2>/dev/null || true
        wait "$EMU_PID" 2>/dev/null || true
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A command is "built" when its module and the parts it stands on import, and
# `appchat CMD --help` works. (Teams land pieces one by one: the demo runs
# whatever exists, and fails loudly only when an existing step fails.)
needs() {
    case $1 in
        emulator) echo "reconciler.emulator:Emulator" ;;
        validate) echo "reconciler.config:load" ;;
        plan)     echo "reconciler.config:load reconciler.wecom:client_from_env reconciler.planner:make_plan reconciler.render:render_text" ;;
        apply)    echo "reconciler.config:load reconciler.wecom:client_from_env reconciler.planner:make_plan reconciler.executor:execute" ;;
        who)      echo "reconciler.config:load reconciler.wecom:client_from_env" ;;
    esac
}

has_command() {
    local module=$1
    [[ $1 == import ]] && module=imports
    python - "reconciler.commands.$module:run" $(needs "$1") >/dev/null 2>&1 <<'PY' || return 1
import importlib, sys
for spec in sys.argv[1:]:
    module, _, attr = spec.partition(":")
    if not hasattr(importlib.import_module(module), attr):
        sys.exit(1)
PY
    appchat "$1" --help >/dev/null 2>&1
}

# Run one demo step, echoing it; `expect` is the exit code that counts as success.
step() {
    local expect=$1; shift
    printf '%s$ %s%s\n' "$BOLD" "$*" "$RESET"
    local rc=0
    "$@" || rc=$?
    [[ $rc -eq $expect ]] || die "\`$*\` exited $rc (expected $expect)"
}

rm -rf "$DEMO_DIR"
mkdir -p "$DEMO_DIR"

if ! command -v appchat >/dev/null 2>&1; then
    die "appchat is not installed: run \`make demo\` (it sets up .venv first)"
fi

heading "Start the bundled WeCom emulator (seeded with demo/seed.yaml: the chats as they are today)"
if ! has_command emulator; then
    note "skipped: \`appchat emulator\` is not built yet, so nothing else can run either"
    exit 0
fi
printf '%s$ appchat emulator --port 0 --state %s/state.sqlite --seed %s &%s\n' "$BOLD" "$DEMO_DIR" "$SEED" "$RESET"
PYTHONUNBUFFERED=1 appchat emulator --port 0 --state "$DEMO_DIR/state.sqlite" --seed "$SEED" \
    --corp-id wwdemo --corp-secret demo-secret \
    >"$DEMO_DIR/emulator.out" 2>"$DEMO_DIR/emulator.err" &
EMU_PID=$!
echo "$EMU_PID" >"$DEMO_DIR/emulator.pid"

BASE=
for _ in $(seq 100); do
    if ! kill -0 "$EMU_PID" 2>/dev/null; then
        cat "$DEMO_DIR/emulator.err" >&2
        die "the emulator exited before it was listening"
    fi
    first=$(head -n 1 "$DEMO_DIR/emulator.out" 2>/dev/null || true)
    if [[ $first =~ ^listening\ on\ (http://[^[:space:]]+/cgi-bin/)$ ]]; then
        BASE=${BASH_REMATCH[1]}
        break
    fi
    sleep 0.1
done
[[ -n "$BASE" ]] || die "the emulator did not print 'listening on http://HOST:PORT/cgi-bin/' within 10 s"
echo "$first"

export WECOM_CORP_ID=wwdemo
export WECOM_CORP_SECRET=demo-secret
export WECOM_API_BASE=$BASE
note "WECOM_CORP_ID=$WECOM_CORP_ID WECOM_CORP_SECRET=(set) WECOM_API_BASE=$WECOM_API_BASE"

heading "1. Validate the chat files (offline: no API call)"
if has_command validate; then
    step 0 appchat validate "$CHATS"
else
    note "skipped: \`appchat validate\` is not built yet"
fi

heading "2. Plan: read the live chats (gettoken + appchat/get only) and show what would change"
if has_command plan; then
    step 0 appchat plan "$CHATS"
else
    note "skipped: \`appchat plan\` is not built yet"
fi

heading "3. Apply the changes (--yes: no question; a pipeline would use a reviewed plan file)"
applied=false
if has_command apply; then
    step 0 appchat apply "$CHATS" --yes
    applied=true
else
    note "skipped: \`appchat apply\` is not built yet"
fi

heading "4. Plan again: WeCom now matches the files (--detailed-exitcode: 0 = no changes)"
if $applied && has_command plan; then
    step 0 appchat plan "$CHATS" --detailed-exitcode
    echo "converged: exit 0, no changes"
else
    note "skipped: needs \`appchat apply\` and \`appchat plan\`"
fi

heading "5. One person's chats: $PERSON, in the files and (--live) in WeCom"
if has_command who && $applied; then
    step 0 appchat who "$PERSON" "$CHATS" --live
elif has_command who; then
    step 0 appchat who "$PERSON" "$CHATS"
else
    note "skipped: \`appchat who\` is not built yet"
fi

heading "Done: stopping the emulator"

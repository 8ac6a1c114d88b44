#!/usr/bin/env bash
# The main job end to end against the bundled WeCom emulator:
#   validate -> plan -> apply -> plan again (no changes) -> who
#   -> a month later: a contractor's access ends by itself
# `make demo` runs it with .venv/bin on PATH. A step that fails stops the demo
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
# The demo's "today", so it shows the same every day: vera's access to
# incidents ends 2027-01-31, six days after it; LATER is a month on.
TODAY=${APPCHAT_DEMO_TODAY:-2027-01-25}
LATER=${APPCHAT_DEMO_LATER:-2027-02-25}
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

note "The demo's today is $TODAY (--today): in a pipeline it is today in China Standard Time."

heading "1. Validate the chat files (offline: no API call)"
step 0 appchat validate "$CHATS" --today "$TODAY"

heading "2. Plan: read the live chats and the org chart (rnd is dept:2 minus the interns) and show what would change"
step 0 appchat plan "$CHATS" --today "$TODAY"

heading "3. Apply the changes (--yes: no question; a pipeline would use a reviewed plan file)"
step 0 appchat apply "$CHATS" --yes --today "$TODAY"

heading "4. Plan again: WeCom now matches the files (--detailed-exitcode: 0 = no changes)"
step 0 appchat plan "$CHATS" --detailed-exitcode --today "$TODAY"
echo "converged: exit 0, no changes"

heading "5. One person's chats: $PERSON, in the files and (--live) in WeCom"
step 0 appchat who "$PERSON" "$CHATS" --live --today "$TODAY"

heading "6. A month later ($LATER): the contractor's access ended by itself"
step 0 appchat expiring "$CHATS" --today "$LATER"
step 2 appchat plan "$CHATS" --detailed-exitcode --today "$LATER"
step 0 appchat apply "$CHATS" --yes --today "$LATER"
step 0 appchat plan "$CHATS" --detailed-exitcode --today "$LATER"
echo "vera left incidents on her own schedule; the files still say why until someone removes the entry"

heading "Done: stopping the emulator"

#!/usr/bin/env bash
# The membership ledger on a branch of the chat repository, for the composite
# action's commands (action.yml) and its `merged` command:
#
#   ledger.sh read   the branch into ledger/ (empty before the first run), and
#                    the size of each month file then, in .ledger-sizes
#   ledger.sh keep   only the lines appended since `read` (by month file) into
#                    ledger-new.tar, their count as the step output `lines`
#   ledger.sh push   ledger-new.tar's lines appended onto the branch's tip as
#                    it is now, pushed without force; onto the new tip again
#                    if the branch moved meanwhile, so no line is ever lost
#
# Environment: LEDGER_BRANCH, LEDGER_REPO (the repository's git URL), GH_TOKEN
# (read needs contents: read, push contents: write; never printed).
set -euo pipefail

auth() {
  printf 'AUTHORIZATION: basic %s' "$(printf 'x-access-token:%s' "$GH_TOKEN" | base64 | tr -d '\n')"
}

# Fetch the branch's tip into the git directory $1: 0 fetched, 2 no branch yet.
fetch_tip() {
  local found=0
  git -C "$1" -c "http.extraheader=$(auth)" ls-remote --exit-code --heads "$LEDGER_REPO" "$LEDGER_BRANCH" > /dev/null || found=$?
  case "$found" in
    0) git -C "$1" -c "http.extraheader=$(auth)" fetch -q --depth=1 "$LEDGER_REPO" "refs/heads/$LEDGER_BRANCH" || exit 1 ;;
    2) ;;
    *) echo "::error::cannot read the branch $LEDGER_BRANCH (git ls-remote exit $found)"
       exit 1 ;;
  esac
  return "$found"
}

case "${1:-}" in
  read)
    rm -rf ledger .ledger-git && mkdir ledger && git init -q .ledger-git
    if fetch_tip .ledger-git; then
      git -C .ledger-git archive FETCH_HEAD | tar -x -C ledger
      echo "ledger: read from branch $LEDGER_BRANCH: $(ls ledger)"
    else
      echo "ledger: no branch $LEDGER_BRANCH yet; the ledger job creates it"
    fi
    : > .ledger-sizes
    for f in ledger/*.jsonl; do
      if [ -e "$f" ]; then printf '%s %s\n' "${f#ledger/}" "$(stat -c %s "$f")" >> .ledger-sizes; fi
    done ;;
  keep)
    declare -A size
    while read -r name bytes; do size[$name]=$bytes; done < .ledger-sizes
    rm -rf ledger-new && mkdir ledger-new
    lines=0
    for f in ledger/*.jsonl; do
      [ -e "$f" ] || continue
      name=${f#ledger/}
      tail -c +"$(( ${size[$name]:-0} + 1 ))" "$f" > "ledger-new/$name"
      if [ -s "ledger-new/$name" ]; then lines=$(( lines + $(wc -l < "ledger-new/$name") )); else rm "ledger-new/$name"; fi
    done
    tar -cf ledger-new.tar -C ledger-new .
    echo "lines=$lines" >> "$GITHUB_OUTPUT"
    if [ "$lines" -gt 0 ]; then
      echo "ledger: $lines new line(s) for the branch $LEDGER_BRANCH"
      printf '\n%s line(s) for the ledger branch %s.\n' "$lines" "$LEDGER_BRANCH" >> "$GITHUB_STEP_SUMMARY"
    fi ;;
  push)
    rm -rf new && mkdir new && tar -xf ledger-new.tar -C new
    lines=$(cat new/*.jsonl | wc -l)
    run="${GITHUB_SERVER_URL}/${GITHUB_REPOSITORY}/actions/runs/${GITHUB_RUN_ID}"
    for attempt in 1 2 3 4 5; do
      rm -rf push && git init -q push
      if fetch_tip push; then git -C push checkout -q --detach FETCH_HEAD; fi
      for f in new/*.jsonl; do cat "$f" >> "push/${f#new/}"; done
      git -C push add -- '*.jsonl'
      git -C push -c user.name="github-actions[bot]" -c user.email="41898282+github-actions[bot]@users.noreply.github.com" \
        commit -q -m "appchat ledger: ${lines} line(s) from ${run}"
      if git -C push -c "http.extraheader=$(auth)" push -q "$LEDGER_REPO" "HEAD:refs/heads/$LEDGER_BRANCH"; then
        echo "ledger: ${lines} line(s) appended to $LEDGER_BRANCH (attempt ${attempt})"
        exit 0
      fi
      echo "::warning::the branch $LEDGER_BRANCH moved during the push; appending onto its new tip"
    done
    echo "::error::the ledger lines could not be pushed to $LEDGER_BRANCH; they are in this run's artifact appchat-ledger-lines"
    exit 1 ;;
  *)
    echo "usage: ledger.sh read|keep|push" >&2
    exit 2 ;;
esac

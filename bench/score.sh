#!/usr/bin/env bash
# The history scan of `trellis score` against `git log --name-only --no-renames`
# on the same synthetic history, in one run, with the ratio:
#   1. build a monorepo history with `git fast-import` (COMMITS commits, 6
#      services, deploy tags, .proto changes, merges, a bot);
#   2. time git log over the whole history (name-only, and numstat which also
#      counts lines as trellis's churn does);
#   3. time `trellis score` over the whole history with an empty cache (the full
#      scan, churn and contract checks included), then cached, then after one
#      new commit.
# The file counts of trellis and git must agree, or the run fails.
# usage: bench/score.sh [COMMITS]   (default 50000; TRELLIS=path to a binary)
set -euo pipefail
cd "$(dirname "$0")/.."
commits="${1:-50000}"

if [ -z "${TRELLIS:-}" ]; then
  cargo build --release --quiet
  TRELLIS="${CARGO_TARGET_DIR:-target}/release/trellis"
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
repo="$work/repo"
git init -q -b main "$repo"

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

start=$(now)
awk -v COMMITS="$commits" -v SERVICES=6 -f bench/score-history.awk | git -C "$repo" fast-import --quiet
git -C "$repo" checkout -q -f main
echo "history: $(git -C "$repo" rev-list --count HEAD) commits, $(git -C "$repo" tag | wc -l) tags, $(git -C "$repo" ls-files | wc -l) files (built in $(elapsed "$start" "$(now)") s)"

since=2019-01-01
until=2030-12-31

start=$(now)
git_files=$(git -C "$repo" log --name-only --no-renames --format=%H --since=$since | grep -vc -E '^([0-9a-f]{40})?$')
git_time=$(elapsed "$start" "$(now)")

start=$(now)
git -C "$repo" log --numstat --no-renames --format=%H --since=$since >/dev/null
numstat_time=$(elapsed "$start" "$(now)")

score() {
  "$TRELLIS" score -q -C "$repo" --since $since --until $until --format json
}

rm -rf "$repo/.git/trellis"
start=$(now)
score >"$work/full.json"
full_time=$(elapsed "$start" "$(now)")

start=$(now)
score >"$work/cached.json"
cached_time=$(elapsed "$start" "$(now)")

echo "// one more" >>"$repo/services/svc0-service/internal/pkg0/file0.go"
git -C "$repo" -c user.name=Ada -c user.email=ada@example.com commit -q -am "one more"
start=$(now)
score >"$work/incremental.json"
incremental_time=$(elapsed "$start" "$(now)")

field() { # file key
  grep -m1 "\"$2\":" "$1" | tr -dc '0-9'
}
trellis_files=$(field "$work/full.json" file_changes)
if [ "$trellis_files" != "$git_files" ]; then
  echo "MISMATCH: trellis counted $trellis_files file changes, git log printed $git_files" >&2
  exit 1
fi
scanned=$(field "$work/incremental.json" scanned_commits)

printf '\n%-52s %8s\n' "what" "seconds"
printf '%-52s %8s\n' "git log --name-only --no-renames ($git_files files)" "$git_time"
printf '%-52s %8s\n' "git log --numstat --no-renames" "$numstat_time"
printf '%-52s %8s\n' "trellis score, empty cache (full scan)" "$full_time"
printf '%-52s %8s\n' "trellis score, cached" "$cached_time"
printf '%-52s %8s\n' "trellis score, after one new commit ($scanned scanned)" "$incremental_time"
echo
echo "full scan / git log --name-only: $(ratio "$full_time" "$git_time")x (goal <= 1.5x)"
echo "full scan / git log --numstat:   $(ratio "$full_time" "$numstat_time")x"
echo "re-run after one commit: ${incremental_time}s (goal < 0.3 s)"

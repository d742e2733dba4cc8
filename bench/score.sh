#!/usr/bin/env bash
# The history scan of `trellis score` against `git log --name-only --no-renames`
# on the same synthetic history, in one run, with the ratio:
#   1. build a monorepo history with `git fast-import` (COMMITS commits, 6
#      services, deploy tags, .proto changes, merges, a bot);
#   2. time git log over the whole history (name-only, and numstat which also
#      counts lines as trellis's churn does);
#   3. time `trellis score` over the whole history with an empty cache: files
#      only (`score.churn: false`: which files each commit changed, as git log
#      --name-only lists them, plus what needs no line counts: contract
#      verdicts, tags, tables, hotspot sizes, dependency age) with the default
#      object reader (the packs read directly), then with libgit2 reading
#      the trees (TRELLIS_SCORE_OBJECTS), the same through libgit2's
#      diff_tree_to_tree,
#      and everything (churn, contract verdicts); then cached, then after one
#      new commit;
#   4. repack the history as git's pack-objects writes it (`git repack -adf`:
#      the shape a clone or an aggressive gc gives; fast-import's pack stores
#      each tree as a delta against its previous version) and time git log and
#      the files-only scans again.
# The file counts of trellis and git must agree, or the run fails.
# It ends with the ratios against git: the cold files-only scan against
# git log --name-only, and the re-run after one new commit against the same
# git log (goals: <= 1.5x and < 0.3 s).
# usage: bench/score.sh [COMMITS]   (default 50000; TRELLIS=path to a binary)
#        REPO=path/to/a/clone bench/score.sh
#          the same on a real history (cloned locally into a temp dir, whole
#          history as the window; steps 1 and 4 skipped). Run it on a
#          history of 50,000 commits or more.
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
ratio() { # n/a when either side was not measured
  case "$1$2" in
    *n/a*) echo n/a ;;
    *) awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }' ;;
  esac
}
# measure VAR command...: sets VAR_wall and VAR_cpu (user + sys seconds), so a
# busy machine shows in the wall time but less in the CPU time.
measure() {
  local name="$1" times
  shift
  TIMEFORMAT='%R %U %S'
  times=$( { time "$@" >/dev/null 2>&1; } 2>&1 )
  read -r wall user sys <<<"$times"
  printf -v "${name}_wall" '%s' "$wall"
  printf -v "${name}_cpu" '%s' "$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.3f", u + s }')"
}

start=$(now)
since=2019-01-01
if [ -n "${REPO:-}" ]; then
  rm -rf "$repo"
  git clone -q "$REPO" "$repo"
  since=1970-01-02
  echo "history: $(git -C "$repo" rev-list --count HEAD) commits of $REPO, $(git -C "$repo" ls-files | wc -l) files"
else
  awk -v COMMITS="$commits" -v SERVICES=6 -f bench/score-history.awk | git -C "$repo" fast-import --quiet
  git -C "$repo" checkout -q -f main
  echo "history: $(git -C "$repo" rev-list --count HEAD) commits, $(git -C "$repo" tag | wc -l) tags, $(git -C "$repo" ls-files | wc -l) files (built in $(elapsed "$start" "$(now)") s)"
fi
until=2030-12-31

git_files=$(git -C "$repo" log --name-only --no-renames --format=%H --since=$since | grep -vc -E '^([0-9a-f]{40})?$')
measure git git -C "$repo" log --name-only --no-renames --format=%H --since=$since
# A partial clone lacks old blobs: git log --numstat fails there (n/a).
numstat_wall=n/a numstat_cpu=n/a
if git -C "$repo" log --numstat --no-renames --format=%H --since=$since >/dev/null 2>&1; then
  measure numstat git -C "$repo" log --numstat --no-renames --format=%H --since=$since
fi

score() {
  "$TRELLIS" score -q -C "$repo" --since $since --until $until --format json "$@"
}
score_to() { # file [args]
  local file="$1"
  shift
  score "$@" >"$file"
}
printf 'version: 1\nscore:\n  churn: false\n' >"$work/names-only.yaml"

# Which files changed, as git log --name-only: own tree comparison (default
# reader, libgit2 reading the trees), then libgit2's diff.
names_only() { # prefix: the two readers, each from an empty cache
  local prefix="$1" objects
  for objects in packs libgit2; do
    rm -rf "$repo/.git/trellis"
    export TRELLIS_SCORE_OBJECTS="$objects"
    measure "${prefix}_${objects}" score_to "$work/${prefix}_${objects}.json" --config "$work/names-only.yaml"
    unset TRELLIS_SCORE_OBJECTS
  done
}
names_only names
rm -rf "$repo/.git/trellis"
export TRELLIS_SCORE_TREE_DIFF=libgit2
measure libgit2 score_to "$work/libgit2.json" --config "$work/names-only.yaml"
unset TRELLIS_SCORE_TREE_DIFF
# Everything (churn, contract verdicts, tags, tables), from an empty cache.
rm -rf "$repo/.git/trellis"
measure full score_to "$work/full.json"
measure cached score
one_more() {
  echo "// $1" >>"$repo/$(git -C "$repo" ls-files '*.go' | head -1)"
  git -C "$repo" -c user.name=Ada -c user.email=ada@example.com commit -q -am "$1"
}
one_more "one more"
measure incremental score
one_more "and another"
score >"$work/incremental.json"
# The same re-run with churn off, against git log --name-only.
one_more "a third"
measure incremental_names score --config "$work/names-only.yaml"

repacked=true
[ -n "${REPO:-}" ] && repacked=false
if $repacked; then
  start=$(now)
  git -C "$repo" repack -adfq
  repack_time=$(elapsed "$start" "$(now)")
  repacked_files=$(git -C "$repo" log --name-only --no-renames --format=%H --since=$since | grep -vc -E '^([0-9a-f]{40})?$')
  measure repacked_git git -C "$repo" log --name-only --no-renames --format=%H --since=$since
  names_only repacked
fi

field() { # file key
  grep -m1 "\"$2\":" "$1" | tr -dc '0-9'
}
scanned=$(field "$work/incremental.json" scanned_commits)
if [ "$scanned" != 1 ]; then
  echo "the re-run after one new commit scanned $scanned commits, not 1" >&2
  exit 1
fi
check_files() { # expected runs...
  local expected="$1" run trellis_files
  shift
  for run in "$@"; do
    trellis_files=$(field "$work/$run.json" file_changes)
    if [ "$trellis_files" != "$expected" ]; then
      echo "MISMATCH ($run): trellis counted $trellis_files file changes, git log printed $expected" >&2
      exit 1
    fi
  done
}
check_files "$git_files" names_packs names_libgit2 full
# libgit2's own diff is timed for reference only: on a real history it can
# list a few changes git log does not (6 of 205,804 on moby), which says
# nothing about trellis's counts.
libgit2_files=$(field "$work/libgit2.json" file_changes)
if [ "$libgit2_files" != "$git_files" ]; then
  echo "note: libgit2's diff_tree_to_tree listed $libgit2_files file changes, git log $git_files" >&2
fi
$repacked && check_files "$repacked_files" repacked_packs repacked_libgit2

printf '\n%-50s %9s %9s\n' "what" "wall s" "cpu s"
printf '%-50s %9s %9s\n' "git log --name-only --no-renames ($git_files files)" "$git_wall" "$git_cpu"
printf '%-50s %9s %9s\n' "git log --numstat --no-renames" "$numstat_wall" "$numstat_cpu"
printf '%-50s %9s %9s\n' "trellis score, files only (churn: false)" "$names_packs_wall" "$names_packs_cpu"
printf '%-50s %9s %9s\n' "  the same, trees read by libgit2" "$names_libgit2_wall" "$names_libgit2_cpu"
printf '%-50s %9s %9s\n' "  the same with libgit2's diff_tree_to_tree" "$libgit2_wall" "$libgit2_cpu"
printf '%-50s %9s %9s\n' "trellis score, empty cache (everything)" "$full_wall" "$full_cpu"
printf '%-50s %9s %9s\n' "trellis score, everything cached" "$cached_wall" "$cached_cpu"
printf '%-50s %9s %9s\n' "trellis score, after one new commit" "$incremental_wall" "$incremental_cpu"
printf '%-50s %9s %9s\n' "trellis score, after one new commit (files only)" "$incremental_names_wall" "$incremental_names_cpu"
if $repacked; then
  echo "repacked with git repack -adf in $repack_time s:"
  printf '%-50s %9s %9s\n' "git log --name-only --no-renames ($repacked_files files)" "$repacked_git_wall" "$repacked_git_cpu"
  printf '%-50s %9s %9s\n' "trellis score, files only (churn: false)" "$repacked_packs_wall" "$repacked_packs_cpu"
  printf '%-50s %9s %9s\n' "  the same, trees read by libgit2" "$repacked_libgit2_wall" "$repacked_libgit2_cpu"
fi
echo
pack="fast-import's pack"
[ -n "${REPO:-}" ] && pack="the clone's pack"
echo "files-only scan / git log --name-only ($pack): $(ratio "$names_packs_wall" "$git_wall")x wall, $(ratio "$names_packs_cpu" "$git_cpu")x cpu (goal <= 1.5x)"
echo "  libgit2 reading the trees: $(ratio "$names_libgit2_wall" "$git_wall")x wall, $(ratio "$names_libgit2_cpu" "$git_cpu")x cpu"
if $repacked; then
  echo "files-only scan / git log --name-only (repacked):           $(ratio "$repacked_packs_wall" "$repacked_git_wall")x wall, $(ratio "$repacked_packs_cpu" "$repacked_git_cpu")x cpu (goal <= 1.5x)"
  echo "  libgit2 reading the trees: $(ratio "$repacked_libgit2_wall" "$repacked_git_wall")x wall, $(ratio "$repacked_libgit2_cpu" "$repacked_git_cpu")x cpu"
fi
echo "libgit2 diff / own tree comparison:     $(ratio "$libgit2_wall" "$names_packs_wall")x wall, $(ratio "$libgit2_cpu" "$names_packs_cpu")x cpu"
echo "full scan with churn / git log --numstat: $(ratio "$full_wall" "$numstat_wall")x wall, $(ratio "$full_cpu" "$numstat_cpu")x cpu"
echo "re-run after one new commit: ${incremental_cpu} s cpu, files only ${incremental_names_cpu} s cpu (goal < 0.3 s)"
echo "  / git log --name-only: $(ratio "$incremental_cpu" "$git_cpu")x cpu, files only $(ratio "$incremental_names_cpu" "$git_cpu")x cpu"
echo "cores: $(nproc); trellis's scan runs on all of them (rayon), git log on one: compare the cpu columns too"
echo "machine load while measuring: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"

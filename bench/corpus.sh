#!/usr/bin/env bash
# Runs trellis on the real-repository corpus (bench/corpus.tsv) as a new user
# would, and prints per repository: exit code, time and findings per rule.
#
#   bench/corpus.sh [--mirrors DIR] [--work DIR] [--trellis BIN] [--only NAME]
#
# Three runs per repository, each on a fresh checkout of the pinned commit:
#   default   `trellis check` with no configuration
#   init      `trellis init`, then `trellis check` with that configuration
#   contract  `trellis contract --against COMMIT~10` (the last ten commits)
# The JSON reports stay under the work directory (default /tmp/trellis-corpus)
# for reading findings against the code. The repositories themselves are never
# committed: fetch each one first (the search tool's `fetch github:OWNER/NAME`);
# a mirror is looked up as DIR/OWNER+NAME/repo (default DIR: /work/.mirror).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
mirrors=/work/.mirror
work=/tmp/trellis-corpus
trellis="$here/../target/release/trellis"
only=""
while [ $# -gt 0 ]; do
  case "$1" in
    --mirrors) mirrors="$2"; shift 2 ;;
    --work) work="$2"; shift 2 ;;
    --trellis) trellis="$2"; shift 2 ;;
    --only) only="$2"; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "corpus.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
if [ ! -x "$trellis" ]; then
  echo "corpus.sh: no trellis binary at $trellis; run cargo build --release or pass --trellis" >&2
  exit 2
fi
mkdir -p "$work"
export NO_COLOR=1

# One run: its exit code and wall time, the JSON report kept in $out.
timed() {
  local out="$1"; shift
  local start end code=0
  start=$(date +%s.%N)
  "$@" >"$out" 2>"$out.stderr" </dev/null || code=$?
  end=$(date +%s.%N)
  printf '%s %.2f' "$code" "$(echo "$end - $start" | bc)"
}

# A snapshot lacks its largest blobs (images, archives): those paths are left
# out of the checkout through sparse-checkout, which trellis never reads anyway.
checkout() {
  local mirror="$1" commit="$2" dest="$3"
  rm -rf "$dest"
  git clone -q --no-checkout "$mirror" "$dest"
  local missing
  missing=$(git -C "$dest" ls-tree -r "$commit" | awk '$2 == "blob" {print $3}' \
    | git -C "$dest" cat-file --batch-check | awk '$2 == "missing" {print $1}')
  if [ -n "$missing" ]; then
    git -C "$dest" sparse-checkout set --no-cone '/*' $(git -C "$dest" ls-tree -r "$commit" \
      | awk -v ids="$missing" 'BEGIN {n = split(ids, a, "\n"); for (i = 1; i <= n; i++) m[a[i]] = 1}
          $2 == "blob" && ($3 in m) {sub(/^[^\t]*\t/, ""); print "!/" $0}')
  fi
  git -C "$dest" checkout -q "$commit" 2>/dev/null || git -C "$dest" checkout -q "$commit"
}

printf '%-20s %-9s %4s %7s %6s %6s  %s\n' REPOSITORY RUN EXIT SECONDS ERRORS WARNS "FINDINGS BY RULE"
while IFS=$'\t' read -r name repository commit layout <&3; do
  case "$name" in ''|'#'*) continue ;; esac
  [ -n "$only" ] && [ "$only" != "$name" ] && continue
  mirror="$mirrors/${repository/\//+}/repo"
  if [ ! -d "$mirror" ]; then
    printf '%-20s missing: fetch github:%s first\n' "$name" "$repository"
    continue
  fi
  dest="$work/src/$name"
  mkdir -p "$work/out"
  for run in default init contract; do
    checkout "$mirror" "$commit" "$dest"
    report="$work/out/$name.$run.json"
    case "$run" in
      default)
        result=$(timed "$report" "$trellis" -C "$dest" check --format json) ;;
      init)
        "$trellis" -C "$dest" init >/dev/null 2>"$report.init-stderr" || true
        cp "$dest/trellis.yaml" "$work/out/$name.trellis.yaml" 2>/dev/null || true
        result=$(timed "$report" "$trellis" -C "$dest" check --format json) ;;
      contract)
        base=$(git -C "$dest" rev-parse -q --verify "$commit~10" 2>/dev/null || git -C "$dest" rev-list --max-parents=0 "$commit" | tail -1)
        result=$(timed "$report" "$trellis" -C "$dest" contract --against "$base" --format json) ;;
    esac
    read -r code seconds <<<"$result"
    python3 - "$report" "$name" "$run" "$code" "$seconds" <<'PY'
import json, sys, collections
path, name, run, code, seconds = sys.argv[1:6]
try:
    doc = json.load(open(path))
except Exception:
    err = open(path + ".stderr").read().strip().splitlines()
    print(f"{name:<20} {run:<9} {code:>4} {seconds:>7} {'-':>6} {'-':>6}  {err[0][:90] if err else 'no report'}")
    sys.exit(0)
counts = collections.Counter((f["rule"], f["severity"]) for f in doc["findings"])
errors = sum(n for (r, s), n in counts.items() if s == "error")
warns = sum(n for (r, s), n in counts.items() if s == "warning")
by_rule = ", ".join(f"{r}:{s[0]}={n}" for (r, s), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
print(f"{name:<20} {run:<9} {code:>4} {seconds:>7} {errors:>6} {warns:>6}  {by_rule or '-'}")
PY
  done
done 3< "$here/corpus.tsv"

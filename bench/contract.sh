#!/usr/bin/env bash
# trellis contract vs buf breaking on a synthetic tree of thousands of .proto
# files with imports: the whole tree changed in places, and a one-file change.
# Prints wall time and peak memory of both and the ratios.
#
#   bench/contract.sh [PACKAGES] [FILES_PER_PACKAGE]     (default 300 x 10 = 3000 files)
#   REPO=DIR OLD=DIR bench/contract.sh                    a real tree: DIR's work tree against
#                                                         the directory OLD (for example a
#                                                         `git archive` of an older commit)
#   TRELLIS=PATH bench/contract.sh                        measure that trellis binary instead of
#                                                         building the release one (a release
#                                                         build takes 15+ minutes on 2 busy cores)
#
# Prints wall time, CPU time (user + system) and peak memory (max RSS) of
# both tools and the ratios. Both read the new side from the work tree and
# the old one from a directory, so they compare the same files (buf's
# `.git#ref=` clones the repository, which fails on a mirror with a missing
# blob); a buf.yaml in REPO decides what both compile.
#
# Needs node/npm (buf installs from npm), GNU time (/usr/bin/time), awk and a release build.
set -euo pipefail

PACKAGES="${1:-300}"
PER_PACKAGE="${2:-10}"
BUF_VERSION="$(cat tests/fixtures/contract/BUF_VERSION)"
TOOLS="${TRELLIS_CI_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/trellis-ci}"
BUF="$TOOLS/buf-$BUF_VERSION/node_modules/.bin/buf"
if [[ ! -x "$BUF" ]]; then
  mkdir -p "$TOOLS/buf-$BUF_VERSION"
  npm install --silent --no-audit --no-fund --prefix "$TOOLS/buf-$BUF_VERSION" "@bufbuild/buf@$BUF_VERSION" >&2
fi
if [[ -n "${TRELLIS:-}" ]]; then
  TRELLIS="$(cd "$(dirname "$TRELLIS")" && pwd)/$(basename "$TRELLIS")"
else
  cargo build --release --quiet --bin trellis
  TRELLIS="$(cd "${CARGO_TARGET_DIR:-target}/release" && pwd)/trellis"
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# measure DIR COMMAND...: runs in DIR, prints "seconds cpu-seconds kilobytes findings".
measure() {
  local dir="$1"
  shift
  (cd "$dir" && /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$@" > "$work/out" 2> "$work/err") || true
  local findings
  findings=$(grep -c '"type"' "$work/out" || true)
  tail -1 "$work/time" | awk -v n="$findings" '{ printf "%s %.2f %s %s\n", $1, $2 + $3, $4, n }'
}

# report NAME NEW_DIR OLD_DIR
report() {
  local name="$1" new="$2" old="$3"
  read -r buf_s buf_cpu buf_kb buf_n < <(measure "$new" "$BUF" breaking --against "$old" --error-format json)
  read -r tr_s tr_cpu tr_kb tr_n < <(measure "$new" "$TRELLIS" -q contract --against "$old" --format buf-json)
  awk -v name="$name" -v bs="$buf_s" -v bc="$buf_cpu" -v bk="$buf_kb" -v bn="$buf_n" \
      -v ts="$tr_s" -v tc="$tr_cpu" -v tk="$tr_kb" -v tn="$tr_n" 'BEGIN {
    printf "%-16s buf %7.2fs %7.2f CPU-s %6.0f MB (%s findings) | trellis %6.2fs %6.2f CPU-s %5.0f MB (%s findings) | %5.1fx wall, %5.1fx CPU, %5.1fx less memory\n",
      name, bs, bc, bk / 1024, bn, ts, tc, tk / 1024, tn,
      bs / (ts > 0 ? ts : 0.01), bc / (tc > 0 ? tc : 0.01), bk / tk }'
  # Other work on the machine inflates wall time far more than CPU time.
  echo "                 load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
}

if [[ -n "${REPO:-}" ]]; then
  : "${OLD:?REPO= needs OLD=DIR, the old tree}"
  repo="$(cd "$REPO" && pwd)"
  old="$(cd "$OLD" && pwd)"
  echo "real tree: $repo ($(find "$repo" -name '*.proto' | wc -l) files) against $old ($(find "$old" -name '*.proto' | wc -l) files), buf $("$BUF" --version), trellis $("$TRELLIS" --version | awk '{print $2}')"
  report "whole tree" "$repo" "$old"
  exit 0
fi

for variant in old new one; do
  node bench/contract-gen.js "$work/$variant" "$PACKAGES" "$PER_PACKAGE" "$variant"
done
files=$(find "$work/old" -name '*.proto' | wc -l)

echo "synthetic tree: $files files ($PACKAGES packages x $PER_PACKAGE), buf $("$BUF" --version), trellis $("$TRELLIS" --version | awk '{print $2}')"
report "whole tree" "$work/new" ../old
report "one-file change" "$work/one" ../old

#!/usr/bin/env bash
# trellis contract vs buf breaking on a synthetic tree of thousands of .proto
# files with imports: the whole tree changed in places, and a one-file change.
# Prints wall time and peak memory of both and the ratios.
#
#   bench/contract.sh [PACKAGES] [FILES_PER_PACKAGE]     (default 300 x 10 = 3000 files)
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
cargo build --release --quiet --bin trellis
TRELLIS="$(cd "${CARGO_TARGET_DIR:-target}/release" && pwd)/trellis"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for variant in old new one; do
  node bench/contract-gen.js "$work/$variant" "$PACKAGES" "$PER_PACKAGE" "$variant"
done
files=$(find "$work/old" -name '*.proto' | wc -l)

# measure LABEL DIR COMMAND...: runs in DIR, prints "seconds kilobytes findings".
measure() {
  local dir="$1"
  shift
  (cd "$dir" && /usr/bin/time -f "%e %M" -o "$work/time" "$@" > "$work/out" 2> "$work/err") || true
  local findings
  findings=$(grep -c '"type"' "$work/out" || true)
  echo "$(cat "$work/time" | tail -1) $findings"
}

report() {
  local name="$1" new="$2"
  read -r buf_s buf_kb buf_n < <(measure "$work/$new" "$BUF" breaking --against ../old --error-format json)
  read -r tr_s tr_kb tr_n < <(measure "$work/$new" "$TRELLIS" -q contract --against ../old --format buf-json)
  awk -v name="$name" -v bs="$buf_s" -v bk="$buf_kb" -v bn="$buf_n" -v ts="$tr_s" -v tk="$tr_kb" -v tn="$tr_n" 'BEGIN {
    printf "%-16s buf %7.2fs %6.0f MB (%s findings) | trellis %6.2fs %5.0f MB (%s findings) | %5.1fx faster, %5.1fx less memory\n",
      name, bs, bk / 1024, bn, ts, tk / 1024, tn, bs / (ts > 0 ? ts : 0.01), bk / tk }'
}

echo "synthetic tree: $files files ($PACKAGES packages x $PER_PACKAGE), buf $("$BUF" --version), trellis $("$TRELLIS" --version | awk '{print $2}')"
report "whole tree" new
report "one-file change" one

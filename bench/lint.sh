#!/usr/bin/env bash
# Benchmark of `trellis lint` on a synthetic Go monorepo (bench/gen-go-monorepo.py)
# at 10 MB and 100 MB of Go: throughput (MB/s), peak RSS, the re-run time on an
# unchanged tree (cache), and golangci-lint with the equivalent linters on the
# same tree, with the time ratio.
#
# Environment: BENCH_SIZES (default "10 100"), BENCH_DIR (default a temp dir,
# kept trees are reused), BENCH_SKIP_GOLANGCI=1 to skip golangci-lint,
# BENCH_GOLANGCI_MAX_MB (default 100) to skip it above that size.
set -euo pipefail

cd "$(dirname "$0")/.."
root=$(pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target}
cargo build --quiet --release --bin trellis
trellis="$CARGO_TARGET_DIR/release/trellis"
work=${BENCH_DIR:-$(mktemp -d)}
mkdir -p "$work"
sizes=${BENCH_SIZES:-"10 100"}
golangci_version=v2.15.0

if [[ "${BENCH_SKIP_GOLANGCI:-0}" != 1 ]]; then
  GOBIN="$work/bin" go install "github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$golangci_version"
  golangci="$work/bin/golangci-lint"
  # The linters that check what trellis's Go rules check.
  cat > "$work/golangci.yml" <<'YAML'
version: "2"
linters:
  default: none
  enable: [forbidigo, gochecknoglobals, gochecknoinits, noctx, gosec, nakedret, contextcheck, revive]
  settings:
    forbidigo:
      forbid:
        - pattern: ^(log\.(Print|Fatal|Panic).*|fmt\.Print.*)$
    gosec:
      includes: [G201, G202]
    nakedret:
      max-func-lines: 0
    revive:
      rules:
        - name: argument-limit
          arguments: [4]
        - name: error-return
issues:
  max-issues-per-linter: 0
  max-same-issues: 0
YAML
fi

# Seconds from /usr/bin/time -v's "h:mm:ss" or "m:ss.ss".
wall_seconds() {
  awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$1" |
    awk -F: '{ if (NF == 3) print $1*3600 + $2*60 + $3; else print $1*60 + $2 }'
}
cpu_seconds() {
  awk -F': ' '/User time|System time/ {s += $2} END {printf "%.2f", s}' "$1"
}
peak_mb() {
  awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$1"
}

printf '%-6s %-7s %-10s %-9s %-8s %-11s %-7s %-8s %-8s %-11s %-10s %-8s %s\n' \
  size go_MB trellis_s cpu_s MB/s MB/cpu_s RSS_MB rerun_s edit_s golangci_s gci_cpu_s gci_RSS ratio
for size in $sizes; do
  tree="$work/mono-$size"
  if [[ ! -f "$tree/go.mod" ]]; then
    python3 bench/gen-go-monorepo.py "$tree" "$size" > /dev/null
    git -C "$tree" init --quiet
  fi
  go_mb=$(find "$tree" -name '*.go' -printf '%s\n' | awk '{s += $1} END {printf "%.1f", s / 1048576}')
  rm -rf "$tree/.git/trellis"

  /usr/bin/time -v -o "$work/time.txt" "$trellis" lint --no-cache --fail-on never -q -C "$tree" > "$work/trellis-$size.txt"
  t=$(wall_seconds "$work/time.txt")
  cpu=$(cpu_seconds "$work/time.txt")
  rss=$(peak_mb "$work/time.txt")
  mb_cpu=$(awk -v m="$go_mb" -v t="$cpu" 'BEGIN {printf "%.1f", m / (t > 0 ? t : 0.01)}')
  mbs=$(awk -v m="$go_mb" -v t="$t" 'BEGIN {printf "%.1f", m / (t > 0 ? t : 0.01)}')

  "$trellis" lint --fail-on never -q -C "$tree" > /dev/null # fills the cache
  /usr/bin/time -v -o "$work/time.txt" "$trellis" lint --fail-on never -q -C "$tree" > /dev/null
  rerun=$(wall_seconds "$work/time.txt")
  # One file edited since the cached run: one parse, one cache shard rewritten.
  edited=$(find "$tree" -name '*.go' -path '*internal/service*' | sort | sed -n 1p)
  cp "$edited" "$work/edited.bak"
  printf '\nfunc benchEdited() int { return 1 }\n' >> "$edited"
  /usr/bin/time -v -o "$work/time.txt" "$trellis" lint --fail-on never -q -C "$tree" > /dev/null
  rerun_edit=$(wall_seconds "$work/time.txt")
  cp "$work/edited.bak" "$edited"

  gci="-" gci_cpu="-" gci_rss="-" ratio="-"
  if [[ "${BENCH_SKIP_GOLANGCI:-0}" != 1 && $(awk -v s="$size" -v m="${BENCH_GOLANGCI_MAX_MB:-100}" 'BEGIN {print (s <= m)}') == 1 ]]; then
    # Cold like a CI runner without caches: golangci-lint's cache and Go's
    # build cache (export data of the standard library and the tree) start empty.
    export GOLANGCI_LINT_CACHE="$work/golangci-cache-$size" GOCACHE="$work/gocache-$size"
    rm -rf "$GOLANGCI_LINT_CACHE" "$GOCACHE"
    (cd "$tree" && /usr/bin/time -v -o "$work/time.txt" "$golangci" run --config "$work/golangci.yml" ./... > "$work/golangci-$size.txt" 2>&1) || true
    gci=$(wall_seconds "$work/time.txt")
    gci_cpu=$(cpu_seconds "$work/time.txt")
    gci_rss=$(peak_mb "$work/time.txt")
    ratio=$(awk -v a="$gci" -v b="$t" 'BEGIN {printf "%.1fx", a / (b > 0 ? b : 0.01)}')
  fi
  printf '%-6s %-7s %-10s %-9s %-8s %-11s %-7s %-8s %-8s %-11s %-10s %-8s %s\n' \
    "${size}MB" "$go_mb" "$t" "$cpu" "$mbs" "$mb_cpu" "$rss" "$rerun" "$rerun_edit" "$gci" "$gci_cpu" "$gci_rss" "$ratio"
done
echo "ratio = golangci-lint wall time / trellis wall time (cold, no lint caches); cpu_s = user + system seconds"
echo "rerun_s = unchanged tree with the cache; edit_s = the same after one file was edited"
echo "(on a shared machine compare cpu_s too); findings in $work/{trellis,golangci}-SIZE.txt"

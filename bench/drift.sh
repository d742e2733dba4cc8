#!/usr/bin/env bash
# Benchmark: `trellis drift --offline` on a synthetic monorepo of 100 Go
# services (go.mod + go.sum each, a root anchor, a module cache with every
# dependency), against the reference: the kind of home-made awk script
# projects keep to catch modules required at several versions.
# Goal: under 0.2 s for trellis. Usage: bench/drift.sh [SERVICES] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."

services=${1:-100}
runs=${2:-10}
work=$(mktemp -d)
[ -n "${BENCH_KEEP:-}" ] || trap 'rm -rf "$work"' EXIT

# TRELLIS_BIN skips the release build (for trying the script out).
bin=${TRELLIS_BIN:-}
if [ -z "$bin" ]; then
  echo "==> building trellis (release)"
  cargo build --release --quiet
  bin=${CARGO_TARGET_DIR:-target}/release/trellis
fi

echo "==> generating $services services in $work/repo"
python3 - "$work" "$services" <<'PY'
import json, os, random, sys
work, count = sys.argv[1], int(sys.argv[2])
random.seed(6)
repo = os.path.join(work, "repo")
cache = os.path.join(work, "gomodcache", "cache", "download")
hash_ = lambda s: "h1:" + (("%064x" % (abs(hash(s)) * 7919))[:43]) + "="
pool = [f"github.com/vendor{i % 17}/lib{i}" for i in range(80)]
versions = {m: [f"v1.{minor}.{patch}" for minor in range(6) for patch in range(3)] for m in pool}
def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
for m in pool:
    d = os.path.join(cache, m, "@v")
    write(os.path.join(d, "list"), "\n".join(versions[m]) + "\n")
    for i, v in enumerate(versions[m]):
        write(os.path.join(d, v + ".info"), json.dumps({"Version": v, "Time": f"2024-{1 + i % 12:02d}-01T00:00:00Z"}))
    write(os.path.join(d, versions[m][-1] + ".mod"), f"module {m}\n\ngo 1.22\n\nretract v1.0.0 // broken\n")
anchored = pool[:10]
write(os.path.join(repo, "go.mod"), "module example.com/mono\n\ngo 1.22\n\nrequire (\n" + "".join(f"\t{m} v1.5.0\n" for m in anchored) + ")\n")
for s in range(count):
    deps = random.sample(pool, 40)
    direct, indirect = deps[:25], deps[25:]
    # Most services agree; about one requirement in eight drifts.
    pick = lambda m: "v1.5.0" if m in anchored or random.random() < 0.88 else random.choice(["v1.4.2", "v1.5.1", "v1.5.2"])
    chosen = {m: pick(m) for m in deps}
    text = f"module example.com/mono/services/svc{s:03d}\n\ngo {random.choice(['1.22', '1.22', '1.23.0'])}\n\nrequire (\n"
    text += "".join(f"\t{m} {chosen[m]}\n" for m in sorted(direct)) + ")\n\nrequire (\n"
    text += "".join(f"\t{m} {chosen[m]} // indirect\n" for m in sorted(indirect)) + ")\n"
    root = os.path.join(repo, "services", f"svc{s:03d}")
    write(os.path.join(root, "go.mod"), text)
    write(os.path.join(root, "go.sum"), "".join(f"{m} {chosen[m]} {hash_(m + chosen[m])}\n{m} {chosen[m]}/go.mod {hash_(m + chosen[m] + 'mod')}\n" for m in sorted(deps)))
    write(os.path.join(root, "cmd", "main.go"), "package main\n\nfunc main() {}\n")
PY

reference() {
  # Modules required at more than one version across the go.mod files.
  find "$work/repo" -name go.mod -print0 | xargs -0 awk '
    /^require \(/ { block = 1; next }
    block && /^\)/ { block = 0; next }
    block && NF >= 2 { seen[$1 " " $2] = 1; next }
    /^require [^(]/ { seen[$2 " " $3] = 1 }
    END { for (k in seen) { split(k, p, " "); n[p[1]]++ } for (m in n) if (n[m] > 1) print m }' | wc -l
}

# Median wall time of a command over $runs runs, in seconds.
measure() {
  local times=()
  for _ in $(seq "$runs"); do
    local start end
    start=$(date +%s%N)
    "$@" >/dev/null 2>&1 || true
    end=$(date +%s%N)
    times+=("$(( (end - start) / 1000 ))")
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{ a[NR] = $1 } END { printf "%.4f", a[int((NR + 1) / 2)] / 1e6 }'
}

export GOMODCACHE="$work/gomodcache" TRELLIS_CACHE_DIR="$work/http-cache" NO_COLOR=1
"$bin" -C "$work/repo" drift --offline --format json > "$work/out.json" 2>"$work/err.txt" || true
python3 - "$work/out.json" <<'PY'
import json, sys, collections
report = json.load(open(sys.argv[1]))
counts = collections.Counter(f["rule"] for f in report["findings"])
print("==> findings:", dict(sorted(counts.items())))
print("==> libyears:", report["stats"].get("libyears"))
PY
echo "==> reference script finds $(reference) modules at several versions"

trellis_time=$(measure "$bin" -C "$work/repo" drift --offline --format json)
reference_time=$(measure reference)
echo "trellis drift --offline: ${trellis_time} s (median of $runs, goal < 0.2 s)"
echo "reference awk script:    ${reference_time} s (median of $runs; finds mismatches only)"
awk -v t="$trellis_time" -v r="$reference_time" 'BEGIN { printf "ratio trellis/reference: %.2f\n", t / r }'
# Wall time on a busy machine mostly measures the queue for a core: CPU time
# (user + sys) is the figure to compare between machines.
if [ -x /usr/bin/time ]; then
  /usr/bin/time -f "trellis drift --offline CPU time: %U s user + %S s sys, max RSS %M KB" \
    "$bin" -C "$work/repo" drift --offline --format json 2>&1 >/dev/null | tail -1
fi
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"

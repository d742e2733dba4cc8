#!/usr/bin/env bash
# Extra CI for `trellis drift`: the drift tests need nothing beyond cargo (the
# upstream tests run their own HTTP server on 127.0.0.1), so this checks the
# command end to end on the example repository, the drift-gosum fixtures with
# the Go toolchain, and that the fuzz crate stays outside the main build.
# Idempotent; run from the repository root.
set -euo pipefail

cargo build --locked --quiet
bin=${CARGO_TARGET_DIR:-target}/debug/trellis

out=$(NO_COLOR=1 "$bin" -C tests/fixtures/shop drift --format json)
echo "$out" | grep -q '"rule": "drift-version-mismatch"' || {
  echo "trellis drift no longer reports the uuid mismatch on tests/fixtures/shop" >&2
  exit 1
}
count=$(echo "$out" | grep -c '"rule":' || true)
[ "$count" -eq 1 ] || {
  echo "trellis drift reports $count findings on tests/fixtures/shop, expected exactly 1" >&2
  exit 1
}

# A malformed go.mod is exit 2 with file and line.
set +e
NO_COLOR=1 "$bin" -C tests/fixtures/drift/malformed drift >/dev/null 2>/tmp/trellis-drift-malformed.txt
code=$?
set -e
[ "$code" -eq 2 ] && grep -q 'go.mod:7:17' /tmp/trellis-drift-malformed.txt || {
  echo "malformed go.mod: expected exit 2 naming go.mod:7:17, got $code" >&2
  cat /tmp/trellis-drift-malformed.txt >&2
  exit 1
}

# The replace fixtures of drift-gosum against the Go toolchain (installed on
# the CI machine; the module proxy must be reachable): every go.sum in a pass
# case is exactly what `go mod tidy` writes and lets a build find every hash,
# every fail case is one Go rejects or has to repair, and trellis agrees.
command -v go >/dev/null || {
  echo "drift: the Go toolchain is needed to check the drift-gosum fixtures" >&2
  exit 1
}
gosum=tests/fixtures/drift/drift-gosum
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export GOTOOLCHAIN=local
# A fresh copy, outside this repository and any go.work above it.
copy() { rm -rf "${scratch:?}/$1" && cp -R "$gosum/$1" "$scratch/$1"; }
fail() { echo "drift: $*" >&2; exit 1; }
gosum_findings() { NO_COLOR=1 "$bin" -C "$gosum/$1" drift --format json | grep -c '"rule": "drift-gosum"' || true; }

for case in replace-pass replace-fail; do copy "$case"; done
for module in pin fork oldver local; do
  dir="$scratch/replace-pass/services/$module"
  GOWORK=off GOFLAGS=-mod=mod go -C "$dir" mod tidy -diff >/dev/null ||
    fail "replace-pass/services/$module: go.mod or go.sum is not what go mod tidy writes"
  GOWORK=off GOFLAGS=-mod=readonly go -C "$dir" list -deps ./... >/dev/null ||
    fail "replace-pass/services/$module: go cannot load its packages from go.sum"
done
for module in a b; do
  dir="$scratch/replace-fail/services/$module"
  if GOWORK=off GOFLAGS=-mod=readonly go -C "$dir" list -deps ./... >/dev/null 2>&1; then
    fail "replace-fail/services/$module: go finds every hash, the fixture no longer fails"
  fi
done

# Workspace mode: go.work's replaces win and Go fills go.work.sum by itself, so
# the pass case must leave every file as it is and the fail case must not.
for case in workspace-pass workspace-fail; do
  copy "$case"
  for module in a b; do
    GOWORK= GOFLAGS=-mod=readonly go -C "$scratch/$case/services/$module" list -deps . >/dev/null ||
      fail "$case/services/$module: go cannot build it in its workspace"
  done
done
diff -r "$gosum/workspace-pass" "$scratch/workspace-pass" >/dev/null ||
  fail "workspace-pass: a workspace build changed a go.sum or go.work.sum"
if diff -r "$gosum/workspace-fail" "$scratch/workspace-fail" >/dev/null; then
  fail "workspace-fail: the workspace had every hash, the fixture no longer fails"
fi
GOWORK=off GOFLAGS=-mod=mod go -C "$scratch/workspace-pass/services/a" mod tidy -diff >/dev/null ||
  fail "workspace-pass/services/a: go.sum is not what go mod tidy writes"

for case in replace-pass workspace-pass; do
  [ "$(gosum_findings "$case")" -eq 0 ] || fail "trellis reports drift-gosum on $case, which Go accepts"
done
for case in replace-fail workspace-fail; do
  [ "$(gosum_findings "$case")" -gt 0 ] || fail "trellis reports no drift-gosum on $case"
done

# drift --fix with the real toolchain and module proxy: the lagging module is
# moved to the aligned version, tidied, and every module still builds; a
# second run finds nothing to fix.
copy_fix() { rm -rf "${scratch:?}/fix" && cp -R tests/fixtures/drift/fix "$scratch/fix"; }
copy_fix
GOWORK=off NO_COLOR=1 "$bin" -C "$scratch/fix" drift --fix >/dev/null 2>"$scratch/fix.stderr" ||
  { cat "$scratch/fix.stderr" >&2; fail "drift --fix did not leave a clean drift report"; }
grep -q 'fixed services/stock/go.mod: github.com/google/uuid v1.5.0 -> v1.6.0; go mod tidy: ok' "$scratch/fix.stderr" ||
  { cat "$scratch/fix.stderr" >&2; fail "drift --fix did not report the tidied fix"; }
for module in order stock; do
  GOWORK=off GOFLAGS=-mod=readonly go -C "$scratch/fix/services/$module" build ./... ||
    fail "fix/services/$module no longer builds after drift --fix"
  GOWORK=off GOFLAGS=-mod=mod go -C "$scratch/fix/services/$module" mod tidy -diff >/dev/null ||
    fail "fix/services/$module: go.mod or go.sum is not what go mod tidy writes after drift --fix"
done
NO_COLOR=1 "$bin" -C "$scratch/fix" drift --fix --dry-run >"$scratch/fix.diff" ||
  fail "a second drift --fix --dry-run still has something to change"
[ ! -s "$scratch/fix.diff" ] || fail "a second drift --fix --dry-run printed a diff"

# The fuzz crate has its own workspace and never joins the main build.
grep -q '^\[workspace\]' fuzz/Cargo.toml
echo "drift: ok"

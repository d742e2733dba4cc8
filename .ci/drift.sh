#!/usr/bin/env bash
# Extra CI for `trellis drift`: the drift tests need nothing beyond cargo (the
# upstream tests run their own HTTP server on 127.0.0.1), so this checks the
# command end to end on the example repository, and that the fuzz crate stays
# outside the main build. Idempotent; run from the repository root.
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

# The fuzz crate has its own workspace and never joins the main build.
grep -q '^\[workspace\]' fuzz/Cargo.toml
echo "drift: ok"

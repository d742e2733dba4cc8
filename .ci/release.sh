#!/usr/bin/env bash
# Extra CI for the ways in without Rust: the release workflow is valid
# (actionlint, installed from the Go module proxy at a pinned version), and
# install.sh is POSIX sh (it runs under `curl | sh`, often dash). Its
# behaviour against a release server is tested in tests/it/install.rs.
set -euo pipefail

ACTIONLINT_VERSION=v1.7.7
command -v go >/dev/null || { echo "release: the Go toolchain is needed to install actionlint" >&2; exit 1; }
gobin="$(go env GOPATH)/bin"
if ! "$gobin/actionlint" --version 2>/dev/null | grep -q "${ACTIONLINT_VERSION#v}"; then
  GOFLAGS= go install "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION"
fi
"$gobin/actionlint" .github/workflows/*.yml

for shell in sh dash; do
  if command -v "$shell" >/dev/null; then
    "$shell" -n install.sh
  fi
done
if command -v dash >/dev/null; then
  dash install.sh --help >/dev/null
fi
echo "release: workflow and install.sh ok"

# The wheel (maturin, bindings = "bin"), built with the dev profile so it
# reuses the test build, installed into a fresh virtual environment with no
# Rust on PATH: `trellis --version` and the README's check run from it.
root=$(pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m venv "$work/build"
"$work/build/bin/pip" install --quiet --disable-pip-version-check 'maturin>=1.7,<2'
"$work/build/bin/maturin" build --quiet --profile dev --out "$work/wheels"
wheel=$(ls "$work/wheels"/trellis_cli-*.whl)
python3 -m venv "$work/user"
"$work/user/bin/pip" install --quiet --disable-pip-version-check "$wheel"
no_rust_path="$work/user/bin:/usr/bin:/bin"
PATH="$no_rust_path" "$work/user/bin/trellis" --version | grep -q '^trellis ' || { echo "release: the wheel's trellis does not run" >&2; exit 1; }
set +e
PATH="$no_rust_path" NO_COLOR=1 "$work/user/bin/trellis" check -C tests/fixtures/shop >"$work/check.txt" 2>&1
code=$?
set -e
[ "$code" -eq 1 ] && grep -q "go-structured-logging" "$work/check.txt" || {
  cat "$work/check.txt" >&2
  echo "release: the wheel's trellis check on tests/fixtures/shop gave exit $code, expected 1 with its findings" >&2
  exit 1
}

# install.sh end to end with the real binary: a release layout of this
# build (as the release workflow names it) served on 127.0.0.1, installed
# with no Rust on PATH, and the README's check run from what it installed.
cargo build --quiet --locked --bin trellis
case "$(uname -m)" in x86_64|amd64) arch=x86_64 ;; aarch64|arm64) arch=aarch64 ;; esac
asset_dir="trellis-$arch-unknown-linux-musl"
mkdir -p "$work/releases/latest/download" "$work/stage/$asset_dir"
cp "${CARGO_TARGET_DIR:-target}/debug/trellis" "$work/stage/$asset_dir/trellis"
tar -czf "$work/releases/latest/download/$asset_dir.tar.gz" -C "$work/stage" "$asset_dir"
(cd "$work/releases/latest/download" && sha256sum "$asset_dir.tar.gz" >SHA256SUMS)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$work/releases" >/dev/null 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 50); do curl -s "http://127.0.0.1:$port/" >/dev/null && break; sleep 0.1; done
HOME="$work/home" PATH="/usr/bin:/bin" TRELLIS_DOWNLOAD_URL="http://127.0.0.1:$port" sh install.sh >/dev/null
set +e
PATH="/usr/bin:/bin" NO_COLOR=1 "$work/home/.local/bin/trellis" check -C tests/fixtures/shop >"$work/installed.txt" 2>&1
code=$?
set -e
[ "$code" -eq 1 ] && grep -q "go-structured-logging" "$work/installed.txt" || {
  cat "$work/installed.txt" >&2
  echo "release: trellis installed by install.sh gave exit $code on tests/fixtures/shop, expected 1" >&2
  exit 1
}
kill "$server" 2>/dev/null || true
echo "release: install.sh from a local release server ok"

# The no-Rust pre-commit hook (tools/pre-commit-hook, language: python) with
# the real pre-commit: it installs trellis-cli from the wheel built above
# (PIP_FIND_LINKS) and refuses a staged log.Printf.
"$work/user/bin/pip" install --quiet --disable-pip-version-check 'pre-commit>=4,<5'
hooks="$work/hooks"
cp -R tools/pre-commit-hook "$hooks"
git -C "$hooks" init --quiet --initial-branch=main
git -C "$hooks" add -A
git -C "$hooks" -c user.email=ci@example.com -c user.name=ci commit --quiet -m hooks
sample="$work/sample"
cp -R tests/fixtures/shop "$sample"
git -C "$sample" init --quiet --initial-branch=main
git -C "$sample" add -A
git -C "$sample" -c user.email=ci@example.com -c user.name=ci commit --quiet --no-verify -m shop
cat > "$sample/services/user-service/internal/config/debug.go" <<'GO'
package config

import "log"

// Dump prints the settings.
func Dump(c Config) {
	log.Printf("%+v", c)
}
GO
git -C "$sample" add -A
export PRE_COMMIT_HOME="$work/pre-commit-cache"
if (cd "$sample" && PATH="$no_rust_path" PIP_FIND_LINKS="$work/wheels" \
  "$work/user/bin/pre-commit" try-repo "$hooks" trellis-lint >"$work/hook.txt" 2>&1); then
  cat "$work/hook.txt" >&2
  echo "release: the wheel-based hook accepted a commit with log.Printf" >&2
  exit 1
fi
grep -q "go-structured-logging" "$work/hook.txt" && ! grep -q "trellis: not found\|Executable .trellis. not found" "$work/hook.txt" || {
  cat "$work/hook.txt" >&2
  echo "release: the wheel-based hook failed without the rule id" >&2
  exit 1
}
echo "release: wheel and wheel-based hook ok"

# The container image, where a container runtime runs (this CI machine may
# have none: then tests/it/packaging.rs's structural check is what runs).
if command -v docker >/dev/null && docker info >/dev/null 2>&1; then
  docker build --quiet -t trellis-ci .
  set +e
  docker run --rm -v "$root/tests/fixtures/shop:/repo:ro" trellis-ci check >"$work/docker.txt" 2>&1
  code=$?
  set -e
  [ "$code" -eq 1 ] && grep -q "go-structured-logging" "$work/docker.txt" || {
    cat "$work/docker.txt" >&2
    echo "release: the image's trellis check gave exit $code, expected 1" >&2
    exit 1
  }
  echo "release: container image ok"
else
  echo "release: no container runtime here; the Dockerfile's structure is checked by tests/it/packaging.rs"
fi

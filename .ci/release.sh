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
echo "release: ok"

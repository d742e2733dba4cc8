#!/usr/bin/env bash
# Extra CI for `trellis lint`: the real pre-commit framework (from PyPI) runs
# the hook of .pre-commit-hooks.yaml on a throw-away repository built from the
# shop fixture: a clean commit passes, a commit adding log.Printf is refused.
# Idempotent; run from the repository root.
set -euo pipefail

root=$(pwd)
target=${CARGO_TARGET_DIR:-$root/target}
cargo build --quiet --bin trellis
bin_dir=$(mktemp -d)
cp "$target/debug/trellis" "$bin_dir/trellis"

work=$(mktemp -d)
trap 'rm -rf "$work" "$bin_dir"' EXIT

python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check 'pre-commit>=4,<5'
export PATH="$bin_dir:$work/venv/bin:$PATH"

repo="$work/repo"
mkdir -p "$repo"
cp -R "$root/tests/fixtures/shop/." "$repo/"
cd "$repo"
git init --quiet --initial-branch=main
git config user.email ci@example.com
git config user.name ci
git add -A
git commit --quiet --no-verify -m "shop"

# 1. A clean change passes. try-repo uses the hook definition of the work tree.
echo "// Package config holds settings." > services/user-service/internal/config/doc.go
printf 'package config\n' >> services/user-service/internal/config/doc.go
git add services/user-service/internal/config/doc.go
pre-commit try-repo "$root" trellis-lint

# 2. A staged log.Printf in service code is refused, with the rule id.
cat > services/user-service/internal/config/debug.go <<'GO'
package config

import "log"

// Dump prints the settings.
func Dump(c Config) {
	log.Printf("%+v", c)
}
GO
git add services/user-service/internal/config/debug.go
if pre-commit try-repo "$root" trellis-lint > "$work/out.txt" 2>&1; then
  cat "$work/out.txt"
  echo "lint.sh: the pre-commit hook accepted a commit with log.Printf" >&2
  exit 1
fi
grep -q "go-structured-logging" "$work/out.txt" || { cat "$work/out.txt"; echo "lint.sh: the hook failed without the rule id" >&2; exit 1; }

# 3. trellis hook install writes a plain git hook and refuses a foreign one.
printf '#!/bin/sh\nexit 0\n' > .git/hooks/pre-commit
if trellis hook install 2>/dev/null; then
  echo "lint.sh: hook install replaced a foreign hook" >&2
  exit 1
fi
trellis hook install --force
grep -q "trellis check --staged" .git/hooks/pre-commit
echo "lint.sh: pre-commit hook checks passed"

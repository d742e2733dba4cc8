#!/usr/bin/env bash
# Builds trellis from this checkout and installs the binary.
#   ./install.sh                 installs into cargo's bin directory (~/.cargo/bin)
#   ./install.sh --prefix DIR    installs into DIR/bin
# Running it again reinstalls the current checkout; nothing else changes.
set -euo pipefail
cd "$(dirname "$0")"

prefix=""
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix="${2:?--prefix needs a directory}"; shift 2 ;;
    --prefix=*) prefix="${1#--prefix=}"; shift ;;
    -h|--help) sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install.sh: unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done

if ! command -v cargo >/dev/null 2>&1; then
  echo "install.sh: cargo is not on PATH." >&2
  echo "Install Rust first (https://rustup.rs, or your distribution's rustup/cargo package), then run ./install.sh again." >&2
  exit 1
fi

args=(install --locked --force --path .)
if [ -n "$prefix" ]; then
  mkdir -p "$prefix"
  args+=(--root "$prefix")
fi
echo "install.sh: building trellis (release) with: cargo ${args[*]}"
cargo "${args[@]}"
bin_dir="${prefix:-${CARGO_HOME:-$HOME/.cargo}}/bin"
echo "install.sh: installed $bin_dir/trellis"
"$bin_dir/trellis" --version
case ":$PATH:" in
  *":$bin_dir:"*) ;;
  *) echo "install.sh: note: $bin_dir is not on PATH; add it to use 'trellis' directly." ;;
esac

#!/bin/sh
# Installs trellis: the release archive for this OS and CPU, checked against
# the release's SHA256SUMS before anything is installed. No Rust needed.
#
#   curl -fsSL https://github.com/your-org/trellis/releases/latest/download/install.sh | sh
#   sh install.sh --version 0.4.0 --prefix /usr/local     # that version, into /usr/local/bin
#   ./install.sh --from-source [--prefix DIR]            # build this checkout with cargo
#
# Options:
#   --version V      a release (default: latest)
#   --prefix DIR     install into DIR/bin (default: ~/.local/bin; with
#                    --from-source, cargo's bin directory)
#   --from-source    build the checkout this script is in (cargo install --locked)
# Environment:
#   TRELLIS_DOWNLOAD_URL  where releases are (default
#                         https://github.com/your-org/trellis/releases), laid out
#                         as GitHub serves them: download/vV/ASSET and
#                         latest/download/ASSET; plain http only to this machine
# Exit codes: 0 installed, 1 could not install (nothing was changed), 2 bad usage.
# Running it again replaces the installed binary; nothing else changes.
set -eu

base="${TRELLIS_DOWNLOAD_URL:-https://github.com/your-org/trellis/releases}"
version=latest
prefix=""
from_source=0

say() { printf 'install.sh: %s\n' "$*"; }
fail() { printf 'install.sh: %s\n' "$*" >&2; exit 1; }
usage() { printf 'install.sh: %s (see --help)\n' "$*" >&2; exit 2; }

while [ $# -gt 0 ]; do
  case "$1" in
    --version) [ $# -ge 2 ] || usage "--version needs a version"; version="$2"; shift 2 ;;
    --version=*) version="${1#--version=}"; shift ;;
    --prefix) [ $# -ge 2 ] || usage "--prefix needs a directory"; prefix="$2"; shift 2 ;;
    --prefix=*) prefix="${1#--prefix=}"; shift ;;
    --from-source) from_source=1; shift ;;
    -h|--help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) usage "unknown argument: $1" ;;
  esac
done

from_source() {
  here=$(cd "$(dirname "$0")" && pwd)
  [ -f "$here/Cargo.toml" ] || fail "--from-source needs a checkout of trellis; $here has no Cargo.toml"
  command -v cargo >/dev/null 2>&1 || fail "cargo is not on PATH. Install Rust first (https://rustup.rs, or your distribution's rustup/cargo package), or drop --from-source to install a release."
  if [ -n "$prefix" ]; then
    mkdir -p "$prefix"
    say "building trellis (release) with: cargo install --locked --force --path . --root $prefix"
    (cd "$here" && cargo install --locked --force --path . --root "$prefix")
    bin_dir="$prefix/bin"
  else
    say "building trellis (release) with: cargo install --locked --force --path ."
    (cd "$here" && cargo install --locked --force --path .)
    bin_dir="${CARGO_HOME:-$HOME/.cargo}/bin"
  fi
  finish "$bin_dir"
}

# The Rust target name of this machine's release archive.
target() {
  os=$(uname -s)
  arch=$(uname -m)
  case "$os" in
    Linux) os_part=unknown-linux-musl ;;
    Darwin) os_part=apple-darwin ;;
    MINGW*|MSYS*|CYGWIN*|Windows_NT)
      fail "on Windows, download trellis-x86_64-pc-windows-msvc.zip from $base and put trellis.exe on PATH" ;;
    *) fail "no release is built for $os; build from a checkout instead: ./install.sh --from-source" ;;
  esac
  case "$arch" in
    x86_64|amd64) arch_part=x86_64 ;;
    aarch64|arm64) arch_part=aarch64 ;;
    *) fail "no release is built for $os on $arch; build from a checkout instead: ./install.sh --from-source" ;;
  esac
  echo "$arch_part-$os_part"
}

# Plain http carries no integrity (the checksums come the same way), so it
# is accepted only from this machine, as in a local mirror or a test.
check_base() {
  case "$base" in
    https://*) ;;
    http://127.0.0.1[:/]*|http://localhost[:/]*|http://\[::1\][:/]*) ;;
    *) usage "TRELLIS_DOWNLOAD_URL must be an https:// URL (or http:// on this machine): $base" ;;
  esac
}

# download URL FILE: bounded in time, refused on any HTTP error.
download() {
  if command -v curl >/dev/null 2>&1; then
    curl --fail --silent --show-error --location --connect-timeout 15 --max-time 600 \
      --retry 2 --output "$2" "$1" 2>"$tmp/download.err" && return 0
  elif command -v wget >/dev/null 2>&1; then
    wget --quiet --timeout=30 --tries=3 --output-document="$2" "$1" 2>"$tmp/download.err" && return 0
  else
    fail "neither curl nor wget is installed; install one of them and run install.sh again"
  fi
  reason=$(tail -n 1 "$tmp/download.err" 2>/dev/null || true)
  case "$reason" in
    *404*) fail "no release $version for $target: $1 was not found (404). Check the version at $base" ;;
    *) fail "cannot download $1${reason:+: $reason}" ;;
  esac
}

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d ' ' -f 1
  elif command -v shasum >/dev/null 2>&1; then
    shasum -a 256 "$1" | cut -d ' ' -f 1
  else
    fail "neither sha256sum nor shasum is installed: cannot verify the download"
  fi
}

finish() {
  bin_dir="$1"
  installed=$("$bin_dir/trellis" --version 2>/dev/null) || fail "$bin_dir/trellis does not run on this machine"
  say "installed $installed into $bin_dir/trellis"
  case ":$PATH:" in
    *":$bin_dir:"*) ;;
    *) say "note: $bin_dir is not on PATH; add it to use 'trellis' directly." ;;
  esac
}

if [ "$from_source" -eq 1 ]; then
  from_source
  exit 0
fi

check_base
target=$(target)
version=${version#v}
asset="trellis-$target.tar.gz"
if [ "$version" = latest ]; then
  release_url="${base%/}/latest/download"
else
  release_url="${base%/}/download/v$version"
fi
bin_dir="${prefix:+$prefix/bin}"
bin_dir="${bin_dir:-$HOME/.local/bin}"

tmp=$(mktemp -d 2>/dev/null || mktemp -d -t trellis-install)
trap 'rm -rf "$tmp"' EXIT INT TERM

say "downloading trellis $version for $target from $release_url"
download "$release_url/$asset" "$tmp/$asset"
download "$release_url/SHA256SUMS" "$tmp/SHA256SUMS"
expected=$(awk -v name="$asset" '$2 == name || $2 == "*" name { print $1; exit }' "$tmp/SHA256SUMS")
[ -n "$expected" ] || fail "the release's SHA256SUMS has no line for $asset; nothing was installed"
actual=$(sha256_of "$tmp/$asset")
[ "$actual" = "$expected" ] ||
  fail "checksum mismatch for $asset: SHA256SUMS says $expected, the download is $actual; nothing was installed"

mkdir -p "$tmp/unpacked"
tar -xzf "$tmp/$asset" -C "$tmp/unpacked" || fail "$asset is not a gzip tar archive; nothing was installed"
binary=""
for candidate in "$tmp/unpacked/trellis" "$tmp/unpacked/trellis-$target/trellis"; do
  if [ -f "$candidate" ]; then binary="$candidate"; break; fi
done
[ -n "$binary" ] || fail "$asset holds no trellis binary; nothing was installed"

mkdir -p "$bin_dir" || fail "cannot create $bin_dir"
# Copied next to its place and renamed: a running trellis is never half-written.
cp "$binary" "$bin_dir/.trellis.install.$$" || fail "cannot write into $bin_dir"
chmod 755 "$bin_dir/.trellis.install.$$"
mv -f "$bin_dir/.trellis.install.$$" "$bin_dir/trellis" || {
  rm -f "$bin_dir/.trellis.install.$$"
  fail "cannot write $bin_dir/trellis"
}
finish "$bin_dir"

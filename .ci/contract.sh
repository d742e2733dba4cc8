#!/usr/bin/env bash
# Differential check of `trellis contract` against `buf breaking`: every
# fixture pair under tests/fixtures/contract, every category, must give the
# same findings from both tools: rule, file, start and end position, message.
#
#   .ci/contract.sh            install buf (npm), compare, fail on any difference
#   .ci/contract.sh --record   also rewrite tests/fixtures/contract/*/expected/*.txt from buf
#
# Idempotent; run from the repository root.
set -euo pipefail

BUF_VERSION="$(cat tests/fixtures/contract/BUF_VERSION)"
TOOLS="${TRELLIS_CI_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/trellis-ci}"
BUF="$TOOLS/buf-$BUF_VERSION/node_modules/.bin/buf"
RECORD=0
[[ "${1:-}" == "--record" ]] && RECORD=1

if [[ ! -x "$BUF" ]] || [[ "$("$BUF" --version)" != "$BUF_VERSION" ]]; then
  echo "installing @bufbuild/buf@$BUF_VERSION into $TOOLS" >&2
  mkdir -p "$TOOLS/buf-$BUF_VERSION"
  npm install --silent --no-audit --no-fund --prefix "$TOOLS/buf-$BUF_VERSION" "@bufbuild/buf@$BUF_VERSION" >&2
fi
echo "buf $("$BUF" --version)" >&2

TARGET="${CARGO_TARGET_DIR:-target}"
cargo build --quiet --bin trellis
TRELLIS="$TARGET/debug/trellis"

# JSON lines (buf's format) -> sorted `path:line:column:end_line:end_column:RULE:message` lines.
normalize() {
  node -e '
    let input = "";
    process.stdin.on("data", (d) => (input += d));
    process.stdin.on("end", () => {
      const out = [];
      for (const line of input.split("\n")) {
        if (!line.trim()) continue;
        const a = JSON.parse(line);
        out.push(`${a.path ?? "<input>"}:${a.start_line}:${a.start_column}:${a.end_line}:${a.end_column}:${a.type}:${a.message}`);
      }
      out.sort();
      process.stdout.write(out.map((l) => l + "\n").join(""));
    });'
}

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
failures=0
cases=0
for case_dir in tests/fixtures/contract/*/; do
  case_dir="${case_dir%/}"
  name="$(basename "$case_dir")"
  [[ -d "$case_dir/old" && -d "$case_dir/new" ]] || continue
  # A case may list rule ids outside every category (deprecated ones) to run alone too.
  extra=""
  [[ -f "$case_dir/extra_rules" ]] && extra="$(cat "$case_dir/extra_rules")"
  for category in FILE PACKAGE WIRE_JSON WIRE CSR $extra; do
    cases=$((cases + 1))
    rm -rf "$work/new" "$work/old"
    cp -R "$case_dir/new" "$work/new"
    cp -R "$case_dir/old" "$work/old"
    # buf reads the categories from the input module's buf.yaml.
    if [[ ! -f "$work/new/buf.yaml" ]]; then
      printf 'version: v2\nbreaking:\n  use: [%s]\n' "$category" > "$work/new/buf.yaml"
    else
      sed -i.bak "s/__CATEGORY__/$category/" "$work/new/buf.yaml" && rm -f "$work/new/buf.yaml.bak"
    fi
    set +e
    (cd "$work/new" && "$BUF" breaking --against ../old --error-format json) > "$work/buf.json" 2> "$work/buf.err"
    buf_status=$?
    "$TRELLIS" -q -C "$work/new" contract --against "$work/old" --use "$category" --format buf-json \
      > "$work/trellis.json" 2> "$work/trellis.err"
    trellis_status=$?
    set -e
    if [[ $buf_status -gt 100 || ( $buf_status -ne 0 && ! -s "$work/buf.json" ) ]]; then
      echo "FAIL $name $category: buf failed ($buf_status): $(cat "$work/buf.err")"
      failures=$((failures + 1))
      continue
    fi
    if [[ $trellis_status -ge 2 ]]; then
      echo "FAIL $name $category: trellis failed ($trellis_status): $(cat "$work/trellis.err")"
      failures=$((failures + 1))
      continue
    fi
    normalize < "$work/buf.json" > "$work/buf.txt"
    normalize < "$work/trellis.json" > "$work/trellis.txt"
    if [[ $RECORD -eq 1 ]]; then
      mkdir -p "$case_dir/expected"
      cp "$work/buf.txt" "$case_dir/expected/$category.txt"
    fi
    if ! diff -u --label "buf $name $category" --label "trellis $name $category" \
        "$work/buf.txt" "$work/trellis.txt"; then
      failures=$((failures + 1))
    fi
  done
done
if [[ $RECORD -eq 1 ]]; then
  echo "$BUF_VERSION" > tests/fixtures/contract/BUF_VERSION
fi
if [[ $failures -gt 0 ]]; then
  echo "contract differential: $failures of $cases comparisons differ from buf $BUF_VERSION" >&2
  exit 1
fi
echo "contract differential: $cases comparisons agree with buf $BUF_VERSION" >&2

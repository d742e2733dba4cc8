#!/usr/bin/env bash
# `trellis score --format html` opened in headless Chromium: the page must
# render (the DOM holds the cards, the charts and the coupling matrix) without
# a single console message (the page has no scripts, so any message means a
# failed load or a parse problem). Leaves target/score-ci/score.png behind.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
fi

cargo build --quiet
trellis="${CARGO_TARGET_DIR:-target}/debug/trellis"

out="$(pwd)/target/score-ci"
rm -rf "$out"
mkdir -p "$out"
repo="$out/repo"
cp -r tests/fixtures/shop "$repo"

# A small history from the shop fixture: contract changes, two authors, a bot,
# deploy tags, and a commit that changes two services together.
commit() { # date author email message
  GIT_AUTHOR_DATE="$1T10:00:00Z" GIT_COMMITTER_DATE="$1T10:00:00Z" \
    git -C "$repo" -c user.name="$2" -c user.email="$3" commit -q -a -m "$4"
}
git -C "$repo" init -q -b main
git -C "$repo" add -A
commit 2026-01-05 "Ada Lovelace" ada@example.com "import the shop"
for week in 1 2 3 4 5 6; do
  day=$(printf '2026-02-%02d' $((week * 3)))
  printf '\nmessage Extra%d {\n  string note = 1;\n}\n' "$week" >> "$repo/api/order/v1/order.proto"
  commit "$day" "Ada Lovelace" ada@example.com "order: contract change $week"
  echo "// change $week" >> "$repo/services/user-service/internal/repo/user.go"
  commit "$day" "Grace Hopper" grace@example.com "user: change $week"
  if [ $((week % 2)) -eq 0 ]; then
    git -C "$repo" tag "order-service/v1.$week.0"
  fi
done
sed -i 's/uuid v1.5.0/uuid v1.6.0/' "$repo/services/inventory-service/go.mod"
commit 2026-02-20 "renovate[bot]" bot@renovateapp.com "chore(deps): update uuid"
echo "// together" >> "$repo/services/order-service/internal/service/order.go"
echo "// together" >> "$repo/services/user-service/internal/service/user.go"
commit 2026-02-21 "Ada Lovelace" ada@example.com "order and user together"
git -C "$repo" tag user-service/v0.1.0

"$trellis" score -C "$repo" --since 2026-02-01 --until 2026-02-28 --format html --output "$out/score.html"

profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
  --disable-background-networking --disable-component-update --disable-sync
  --user-data-dir="$profile" --enable-logging=stderr --v=0)

chromium "${flags[@]}" --dump-dom "file://$out/score.html" >"$out/dom.html" 2>"$out/chromium.log" || {
  cat "$out/chromium.log"
  echo "chromium failed to open the report" >&2
  exit 1
}
chromium "${flags[@]}" --window-size=1400,1800 --screenshot="$out/score.png" "file://$out/score.html" \
  >/dev/null 2>>"$out/chromium.log"

if grep -E 'CONSOLE|Uncaught|Failed to load' "$out/chromium.log"; then
  echo "the score report logged console messages (above)" >&2
  exit 1
fi
# user-service changes no contract: its interface stability is unavailable,
# shown in grey with the reason on the page (not in a tooltip).
for needle in 'trellis score' 'order-service' 'user-service' '<svg' 'Temporal coupling' 'Hotspots' 'api/order/v1/order.proto' \
  '<tr class="na"><th>Interface stability</th>' 'class="reason">no commit in the window changed the service' '2026-01-26</text>'; do
  if ! grep -q -- "$needle" "$out/dom.html"; then
    echo "the rendered page lacks \`$needle\`" >&2
    exit 1
  fi
done
test -s "$out/score.png"
echo "score report rendered in Chromium: $out/score.png"

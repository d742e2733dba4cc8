#!/usr/bin/env bash
# Scaffolding end to end: generated services must build, vet and test with
# real dependencies from the Go module proxy, and `trellis sync` must add stubs
# without touching edited code. Run from the repository root; idempotent.
set -euo pipefail

BUF_VERSION=1.75.0
PROTOC_GEN_GO_VERSION=v1.36.12
PROTOC_GEN_GO_GRPC_VERSION=v1.6.2
PROTOC_GEN_CONNECT_OPENAPI_VERSION=v0.25.6
ACTIONLINT_VERSION=v1.7.7 # as .ci/release.sh

step() { printf '\n== %s\n' "$*"; }

# --- tools -------------------------------------------------------------------
export PATH="$(go env GOPATH)/bin:$(npm prefix -g)/bin:$PATH"
# One module and build cache for every generated service keeps this fast.
export GOMODCACHE="${GOMODCACHE:-$(go env GOMODCACHE)}"
export GOCACHE="${GOCACHE:-$(go env GOCACHE)}"


if ! command -v protoc >/dev/null 2>&1; then
  step "installing protoc (Debian protobuf-compiler, for prost-build)"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq protobuf-compiler
fi
if [ "$(buf --version 2>/dev/null || true)" != "$BUF_VERSION" ]; then
  step "installing buf $BUF_VERSION (npm)"
  npm install -g "@bufbuild/buf@$BUF_VERSION"
fi
if ! protoc-gen-go --version 2>/dev/null | grep -q "${PROTOC_GEN_GO_VERSION}"; then
  step "installing protoc-gen-go $PROTOC_GEN_GO_VERSION"
  go install "google.golang.org/protobuf/cmd/protoc-gen-go@$PROTOC_GEN_GO_VERSION"
fi
if ! protoc-gen-go-grpc --version 2>/dev/null | grep -q "${PROTOC_GEN_GO_GRPC_VERSION#v}"; then
  step "installing protoc-gen-go-grpc $PROTOC_GEN_GO_GRPC_VERSION"
  go install "google.golang.org/grpc/cmd/protoc-gen-go-grpc@$PROTOC_GEN_GO_GRPC_VERSION"
fi

if ! protoc-gen-connect-openapi --version 2>/dev/null | grep -q " ${PROTOC_GEN_CONNECT_OPENAPI_VERSION} "; then
  step "installing protoc-gen-connect-openapi $PROTOC_GEN_CONNECT_OPENAPI_VERSION (the OpenAPI plugin of http=true)"
  # As a tool of a throwaway module: `go install m@v` also reads the module's
  # version list (for deprecations), which the module proxy CI uses refuses
  # for this module while it serves the version itself. The build takes a few
  # minutes once; the binary stays in GOPATH/bin.
  tools="$(mktemp -d)"
  (cd "$tools" && go mod init ci-tools >/dev/null 2>&1 &&
    go get -tool "github.com/sudorandom/protoc-gen-connect-openapi@$PROTOC_GEN_CONNECT_OPENAPI_VERSION" &&
    go install tool)
  rm -rf "$tools"
fi
if ! actionlint --version 2>/dev/null | grep -q "${ACTIONLINT_VERSION#v}"; then
  step "installing actionlint $ACTIONLINT_VERSION (checks the generated CI workflow)"
  GOFLAGS= go install "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION"
fi
python3 -c 'import yaml' 2>/dev/null || python3 -m pip install --quiet PyYAML

step "building trellis"
cargo build --quiet --bin trellis
TARGET_DIR="${CARGO_TARGET_DIR:-target}"
case "$TARGET_DIR" in /*) ;; *) TARGET_DIR="$(pwd)/$TARGET_DIR" ;; esac
TRELLIS="$TARGET_DIR/debug/trellis"
FIXTURES="$(pwd)/tests/fixtures/scaffold"

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

go_check() {
  (cd "$1" && go build ./... && go vet ./... && go test ./...)
  unformatted="$(cd "$1" && gofmt -l .)"
  [ -z "$unformatted" ] || { echo "generated code is not gofmt-clean: $unformatted" >&2; exit 1; }
  lint_check "$1"
}

# Starts the service's binary on free ports, waits for /readyz, then calls the
# health service and one unary RPC over gRPC (server reflection, buf curl) and
# as plain HTTP/JSON (curl, no Connect headers), and every route of the OpenAPI
# document.
# $1 dir, $2 env prefix, $3 method, $4 request JSON, $5 expected text in the gRPC
# answer, $6 expected HTTP status of the JSON call, $7 a Python test of its
# decoded answer `d`.
run_check() {
  local dir="$1" prefix="$2" method="$3" body="$4" want="$5" want_status="$6" want_json="$7"
  local port=$((20000 + RANDOM % 20000)) bin
  bin="$WORK/bin-$(basename "$dir")"
  (cd "$dir" && go build -o "$bin" "./cmd/$(basename "$dir")")
  local config=()
  if [ -f "$dir/deploy/deployment.yaml" ]; then
    # With k8s on, the service reads the ConfigMap's config.json, as in the pod.
    k8s_check "$dir" "$WORK/k8s-config.json"
    config=("${prefix}_CONFIG=$WORK/k8s-config.json")
  fi
  env "${config[@]}" "${prefix}_GRPC_ADDR=127.0.0.1:$port" "${prefix}_ADMIN_ADDR=127.0.0.1:$((port + 1))" \
    "$bin" >"$WORK/run.log" 2>&1 &
  local pid=$!
  for _ in $(seq 50); do
    curl -sf "http://127.0.0.1:$((port + 1))/readyz" >/dev/null && break
    sleep 0.2
  done
  local ok=1 answer probe
  curl -sf "http://127.0.0.1:$((port + 1))/healthz" >/dev/null || ok=0
  if [ -f "$dir/deploy/deployment.yaml" ]; then
    # The Deployment's probe paths answer 200 on the admin port.
    for probe in $(python3 -c 'import sys, yaml
c = yaml.safe_load(open(sys.argv[1]))["spec"]["template"]["spec"]["containers"][0]
print(c["readinessProbe"]["httpGet"]["path"], c["livenessProbe"]["httpGet"]["path"])' "$dir/deploy/deployment.yaml"); do
      curl -sf "http://127.0.0.1:$((port + 1))$probe" >/dev/null || { echo "probe $probe failed" >&2; ok=0; }
    done
  fi
  answer="$(buf curl --protocol grpc --http2-prior-knowledge "http://127.0.0.1:$port/grpc.health.v1.Health/Check" 2>&1)" || ok=0
  echo "$answer" | grep -q SERVING || ok=0
  answer="$(buf curl --protocol grpc --http2-prior-knowledge -d "$body" "http://127.0.0.1:$port/$method" 2>&1)" || true
  echo "$answer"
  echo "$answer" | grep -q "$want" || ok=0
  json_check "$port" grpc.health.v1.Health/Check '{}' 200 'd == {"status": "SERVING"}' || ok=0
  json_check "$port" "$method" "$body" "$want_status" "$want_json" || ok=0
  openapi_check "$dir" "$port" || ok=0
  kill "$pid"; wait "$pid" || true
  [ "$ok" = 1 ] || { echo "the running service did not answer as expected:" >&2; cat "$WORK/run.log" >&2; exit 1; }
}

# POSTs $3 as JSON to /$2 on port $1 with plain curl, as a client without
# Connect headers does; wants HTTP status $4, Content-Type application/json and
# a decoded answer `d` for which the Python expression $5 holds.
json_check() {
  local port="$1" method="$2" body="$3" want_status="$4" test="$5" answer
  answer="$(curl -sS -H 'Content-Type: application/json' -d "$body" \
    -w '\n%{http_code} %{content_type}' "http://127.0.0.1:$port/$method")" || return 1
  echo "HTTP/JSON $method: $answer"
  printf '%s' "$answer" | python3 -c '
import json, sys
*body, last = sys.stdin.read().split("\n")
status, content_type = last.split(" ", 1)
d = json.loads("\n".join(body))
assert status == sys.argv[1], f"HTTP {status}, want {sys.argv[1]}"
assert content_type == "application/json", content_type
assert eval(sys.argv[2]), f"{sys.argv[2]} is false for {d}"
' "$want_status" "$test"
}

# The OpenAPI documents under gen/openapi list exactly the contract's unary RPCs,
# each as POST /package.Service/Method, and each route reaches a handler of the
# running service on port $2 (a JSON answer, where an unknown route gets 404 text).
openapi_check() {
  local dir="$1" port="$2"
  python3 - "$dir" "$port" <<'PY'
import glob, json, os, sys, urllib.error, urllib.request
import yaml
root, port = sys.argv[1], sys.argv[2]
docs = glob.glob(os.path.join(root, "gen/openapi/**/*.openapi.yaml"), recursive=True)
assert docs, "no OpenAPI document under gen/openapi"
paths = {}
for doc in docs:
    with open(doc) as f:
        paths.update(yaml.safe_load(f)["paths"])
with open(os.path.join(root, ".trellis/scaffold.json")) as f:
    rpcs = json.load(f)["rpcs"]
unary = {"/" + key for key, rpc in rpcs.items() if "stream " not in rpc["signature"]}
# Streaming RPCs are listed as paths without operations.
routes = {path: ops for path, ops in paths.items() if ops}
print(f"OpenAPI routes: {sorted(routes)}")
assert set(routes) == unary, f"routes {sorted(routes)}, want the unary RPCs {sorted(unary)}"
assert {path[1:] for path in paths} <= set(rpcs), f"paths {sorted(paths)} that are no RPC"
for path, ops in routes.items():
    assert list(ops) == ["post"], f"{path}: {list(ops)}, want POST only"
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=b"{}",
                                 headers={"Content-Type": "application/json"})
    try:
        resp = urllib.request.urlopen(req, timeout=10)
    except urllib.error.HTTPError as err:
        resp = err
    assert resp.headers["Content-Type"] == "application/json", f"{path}: {resp.status} {resp.headers['Content-Type']}"
PY
}

# The manifests under deploy/ parse as YAML and fit together: the Service
# selects the Deployment's pods and targets its named ports, the ports are the
# config's, the probes are on the admin port, the config file is mounted from
# the ConfigMap, whose config.json is config.example.json (written to $2 for
# the run); kustomization.yaml lists them all.
k8s_check() {
  python3 - "$1" "$2" <<'PY'
import json, os, sys
import yaml
root, out = sys.argv[1], sys.argv[2]
def load(name):
    with open(os.path.join(root, "deploy", name)) as f:
        docs = [d for d in yaml.safe_load_all(f) if d is not None]
    assert len(docs) == 1, f"{name}: {len(docs)} documents"
    return docs[0]
deployment, service = load("deployment.yaml"), load("service.yaml")
configmap, kustomization = load("configmap.yaml"), load("kustomization.yaml")
assert (deployment["apiVersion"], deployment["kind"]) == ("apps/v1", "Deployment")
assert (service["apiVersion"], service["kind"]) == ("v1", "Service")
assert (configmap["apiVersion"], configmap["kind"]) == ("v1", "ConfigMap")
assert sorted(kustomization["resources"]) == ["configmap.yaml", "deployment.yaml", "service.yaml"]
with open(os.path.join(root, "config.example.json")) as f:
    example = json.load(f)
config = json.loads(configmap["data"]["config.json"])
assert config == example, f"the ConfigMap's config.json differs from config.example.json: {config}"
pod = deployment["spec"]["template"]
labels = pod["metadata"]["labels"]
assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items()
assert service["spec"]["selector"].items() <= labels.items()
[container] = pod["spec"]["containers"]
ports = {p["name"]: p["containerPort"] for p in container["ports"]}
assert ports == {"grpc": int(example["grpc_addr"].rsplit(":", 1)[1]),
                 "admin": int(example["admin_addr"].rsplit(":", 1)[1])}, ports
for p in service["spec"]["ports"]:
    assert p["targetPort"] in ports and p["port"] == ports[p["targetPort"]], p
for probe in ("readinessProbe", "livenessProbe"):
    assert container[probe]["httpGet"]["port"] == "admin", probe
assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
[env] = [e for e in container["env"] if e["name"].endswith("_CONFIG")]
[mount] = container["volumeMounts"]
[volume] = [v for v in pod["spec"]["volumes"] if v["name"] == mount["name"]]
assert volume["configMap"]["name"] == configmap["metadata"]["name"]
assert env["value"] == mount["mountPath"] + "/config.json", env
with open(out, "w") as f:
    f.write(configmap["data"]["config.json"])
print("deploy/: Deployment, Service, ConfigMap and kustomization fit together")
PY
}

# The generated service (with its buf output, and after sync) has no lint findings.
lint_check() {
  "$TRELLIS" lint -C "$1" --fail-on info
}

# --- the starter service ---------------------------------------------------------
step "trellis new service payment"
(cd "$WORK" && "$TRELLIS" new service payment --module example.com/shop/payment)
go_check "$WORK/payment"
(cd "$WORK/payment" && buf lint)
step "the starter service runs: health and ListPayments over gRPC and HTTP/JSON"
run_check "$WORK/payment" PAYMENT payment.v1.PaymentService/ListPayments '{"page_size": 2}' '^{}$' \
  200 'd == {"payments": [], "nextPageToken": ""}'

# --- request validation (validate=true, the default) ---------------------------------
# Starts the service built by run_check again and sends invalid requests: over
# gRPC (buf curl) and plain HTTP/JSON (curl) the answer is invalid_argument with
# the violated field's path in its buf.validate.Violations details.
# $1 dir, $2 env prefix, $3 method, $4 invalid request JSON, $5 the field.
validation_check() {
  local dir="$1" prefix="$2" method="$3" body="$4" field="$5"
  local port=$((20000 + RANDOM % 20000)) answer ok=1
  env "${prefix}_GRPC_ADDR=127.0.0.1:$port" "${prefix}_ADMIN_ADDR=127.0.0.1:$((port + 1))" \
    "$WORK/bin-$(basename "$dir")" >"$WORK/run.log" 2>&1 &
  local pid=$!
  for _ in $(seq 50); do
    curl -sf "http://127.0.0.1:$((port + 1))/readyz" >/dev/null && break
    sleep 0.2
  done
  answer="$(buf curl --protocol grpc --http2-prior-knowledge -d "$body" "http://127.0.0.1:$port/$method" 2>&1)" && ok=0
  echo "$answer"
  printf '%s' "$answer" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["code"] == "invalid_argument", d
fields = [e["fieldName"] for v in d["details"][0]["debug"]["violations"] for e in v["field"]["elements"]]
assert sys.argv[1] in fields, fields
' "$field" || ok=0
  json_check "$port" "$method" "$body" 400 \
    "d[\"code\"] == \"invalid_argument\" and \"$field\" in [e[\"fieldName\"] for v in d[\"details\"][0][\"debug\"][\"violations\"] for e in v[\"field\"][\"elements\"]]" || ok=0
  kill "$pid"; wait "$pid" || true
  [ "$ok" = 1 ] || { echo "an invalid request was not rejected as expected:" >&2; cat "$WORK/run.log" >&2; exit 1; }
}

step "request validation: invalid GetPayment and ListPayments get invalid_argument with the field over gRPC and HTTP/JSON"
validation_check "$WORK/payment" PAYMENT payment.v1.PaymentService/GetPayment '{"id": ""}' id
validation_check "$WORK/payment" PAYMENT payment.v1.PaymentService/ListPayments '{"page_size": 5000}' page_size

step "trellis new service stock --proto stock.proto (a contract with protovalidate rules, unary and client streaming)"
(cd "$WORK" && "$TRELLIS" new service stock --module example.com/shop/stock --proto "$FIXTURES/stock.proto")
go_check "$WORK/stock"
run_check "$WORK/stock" STOCK shop.stock.v1.StockService/GetLevel '{"sku": "AB-12"}' '"code": "unimplemented"' \
  501 'd["code"] == "unimplemented"'
validation_check "$WORK/stock" STOCK shop.stock.v1.StockService/GetLevel '{"sku": "ab", "warehouse": 7}' sku

# --- a contract with every streaming kind ------------------------------------------
# Options: the starter has the defaults (otlp and k8s off, http on), the streaming
# service every option on, so both values of each build, vet, test and run.
step "trellis new service ledger --proto ledger.proto --set otlp=true --set k8s=true --set ci_workflow=true (unary, server, client and bidi streaming)"
(cd "$WORK" && "$TRELLIS" new service ledger --module example.com/shop/ledger --proto "$FIXTURES/ledger.proto" \
  --set otlp=true --set k8s=true --set ci_workflow=true)
go_check "$WORK/ledger"
step "the streaming service runs: health and GetBalance over gRPC and HTTP/JSON (a stub: Unimplemented)"
run_check "$WORK/ledger" LEDGER shop.ledger.v1.LedgerService/GetBalance '{}' '"code": "unimplemented"' \
  501 'd["code"] == "unimplemented"'

step "the streaming service's CI workflow: actionlint, and its checks in a git checkout of the service"
actionlint "$WORK/ledger/.github/workflows/ci.yml"
git_svc() { git -C "$WORK/ledger" -c user.name=ci -c user.email=ci@example.invalid "$@"; }
git_svc init -q -b main && git_svc add -A && git_svc commit -q -m "generated"
# The workflow's "generated code is committed" step: generating again changes nothing.
(cd "$WORK/ledger" && buf generate)
[ -z "$(git_svc status --porcelain -- gen)" ] || { git_svc status --porcelain -- gen; echo "buf generate is not reproducible" >&2; exit 1; }
"$TRELLIS" check -C "$WORK/ledger"

# --- each option off in turn (the defaults above have them on; otlp is on in ledger) ---
for option in docker=false reflection=false http=false validate=false; do
  step "trellis new service with --set $option"
  name="off-${option%%=*}"
  (cd "$WORK" && "$TRELLIS" new service "$name" --module "example.com/shop/$name" --set "$option" >/dev/null)
  go_check "$WORK/$name"
done

# --- new client: ledger calls payment through payment's contract (#19) ------------
step "trellis new client --service ../payment in ledger: build, vet, test (bufconn: default deadline, retry of an idempotent RPC)"
(cd "$WORK/ledger" && "$TRELLIS" new client --service ../payment)
grep -q 'replace example.com/shop/payment => ../payment' "$WORK/ledger/go.mod" || { echo "new client did not wire go.mod" >&2; exit 1; }
go_check "$WORK/ledger"
(cd "$WORK/ledger" && "$TRELLIS" sync) | grep -q "no changes" || { echo "sync after new client was not a no-op" >&2; exit 1; }
step "the client calls the running payment service once (ListPayments over gRPC)"
port=$((20000 + RANDOM % 20000))
(cd "$WORK/payment" && go build -o "$WORK/bin-payment-client" ./cmd/payment)
PAYMENT_GRPC_ADDR="127.0.0.1:$port" PAYMENT_ADMIN_ADDR="127.0.0.1:$((port + 1))" "$WORK/bin-payment-client" >"$WORK/run.log" 2>&1 &
pid=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$((port + 1))/readyz" >/dev/null && break; sleep 0.2; done
mkdir -p "$WORK/ledger/cmd/call-payment"
cat > "$WORK/ledger/cmd/call-payment/main.go" <<'GO'
// Calls payment once through the generated client (CI only).
package main

import (
	"context"
	"fmt"
	"os"

	"example.com/shop/ledger/internal/clients/payment"
	paymentv1 "example.com/shop/payment/gen/go/payment/v1"
)

func main() {
	client, err := payment.New(os.Args[1], payment.Options{})
	if err != nil {
		panic(err)
	}
	defer client.Close()
	answer, err := client.PaymentService.ListPayments(context.Background(), &paymentv1.ListPaymentsRequest{PageSize: 2})
	if err != nil {
		fmt.Fprintln(os.Stderr, "ListPayments:", err)
		os.Exit(1)
	}
	fmt.Printf("ListPayments through the client: %d payments\n", len(answer.GetPayments()))
}
GO
ok=1
(cd "$WORK/ledger" && go run ./cmd/call-payment "127.0.0.1:$port") || ok=0
rm -r "$WORK/ledger/cmd/call-payment"
kill "$pid"; wait "$pid" || true
[ "$ok" = 1 ] || { cat "$WORK/run.log" >&2; echo "the client could not call payment" >&2; exit 1; }

# --- contracts shared in the repository: one api root, generated once (#19) --------
# A go.work monorepo whose api/ (a buf module) holds a common contract that two
# service contracts import. Both services are generated from it, the api root
# is generated once into one Go module (api/gen/go), order calls payment through
# a client over that module, and a new RPC in the shared contract is synced.
step "contracts shared in the repository: two services from one api root in a go.work monorepo; new client; sync after a new RPC"
MONO="$WORK/mono"
mkdir -p "$MONO/api/acme/common/v1" "$MONO/api/acme/order/v1" "$MONO/api/acme/payment/v1"
printf 'go 1.26.0\n' > "$MONO/go.work"
printf 'version: v2\nmodules:\n  - path: .\nlint:\n  use:\n    - STANDARD\n' > "$MONO/api/buf.yaml"
cat > "$MONO/api/acme/common/v1/money.proto" <<'PROTO'
syntax = "proto3";

package acme.common.v1;

// An amount of money in one currency.
message Money {
  string currency_code = 1;
  int64 units = 2;
}
PROTO
cat > "$MONO/api/acme/order/v1/order.proto" <<'PROTO'
syntax = "proto3";

package acme.order.v1;

import "acme/common/v1/money.proto";

service OrderService {
  rpc GetOrder(GetOrderRequest) returns (GetOrderResponse);
}

message GetOrderRequest {
  string id = 1;
}

message GetOrderResponse {
  string id = 1;
  acme.common.v1.Money total = 2;
}
PROTO
cat > "$MONO/api/acme/payment/v1/payment.proto" <<'PROTO'
syntax = "proto3";

package acme.payment.v1;

import "acme/common/v1/money.proto";

service PaymentService {
  rpc Charge(ChargeRequest) returns (ChargeResponse);
  rpc GetCharge(GetChargeRequest) returns (GetChargeResponse) {
    option idempotency_level = NO_SIDE_EFFECTS;
  }
}

message ChargeRequest {
  string order_id = 1;
  acme.common.v1.Money amount = 2;
}

message ChargeResponse {
  string id = 1;
}

message GetChargeRequest {
  string id = 1;
}

message GetChargeResponse {
  string id = 1;
  acme.common.v1.Money amount = 2;
}
PROTO
(cd "$MONO" && "$TRELLIS" new service order --module example.com/shop/order --proto api/acme/order/v1/order.proto >/dev/null)
(cd "$MONO" && "$TRELLIS" new service payment --module example.com/shop/payment --proto api/acme/payment/v1/payment.proto >/dev/null)
test ! -e "$MONO/order/api" || { echo "the shared contract was copied into the service" >&2; exit 1; }
test -f "$MONO/api/gen/go/acme/common/v1/money.pb.go" || { echo "the api root was not generated" >&2; exit 1; }
(cd "$MONO" && buf lint api)
(cd "$MONO/order" && "$TRELLIS" new client --service payment >/dev/null)
# The new RPC returns a message of the imported contract (its handler imports
# the common package of the shared module).
sed -i 's|^  rpc GetOrder(|  rpc CancelOrder(GetOrderRequest) returns (acme.common.v1.Money);\n&|' "$MONO/api/acme/order/v1/order.proto"
(cd "$MONO/order" && "$TRELLIS" sync)
test -f "$MONO/order/internal/handlers/cancel_order.go" || { echo "sync did not add the new RPC's stub" >&2; exit 1; }
for svc in order payment; do
  go_check "$MONO/$svc"
  # Outside the workspace too: go.mod's require + replace of the shared module.
  (cd "$MONO/$svc" && GOWORK=off go build ./...)
done
(cd "$MONO/order" && "$TRELLIS" sync) | grep -q "no changes" || { echo "a second sync of the shared contract was not a no-op" >&2; exit 1; }

# --- go_version at the pinned minimum: tidy keeps it, one below is refused (#19) ----
step "go_version = versions.yaml's go_min (every module-adding option on): go mod tidy leaves the go line; a lower one is refused"
GO_MIN="$(python3 -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["go_min"])' templates/go-grpc-service/versions.yaml)"
(cd "$WORK" && "$TRELLIS" new service gomin --module example.com/shop/gomin --set "go_version=$GO_MIN" --set otlp=true --set http=true >/dev/null)
grep -qx "go $GO_MIN" "$WORK/gomin/go.mod" || { grep '^go ' "$WORK/gomin/go.mod"; echo "go mod tidy raised go_version=$GO_MIN: a pinned module needs a newer Go; raise go_min in versions.yaml" >&2; exit 1; }
(cd "$WORK/gomin" && go build ./...)
GO_BELOW="$(python3 -c 'import sys; major, minor = sys.argv[1].split(".")[:2]; print(f"{major}.{int(minor) - 1}.0")' "$GO_MIN")"
set +e; (cd "$WORK" && "$TRELLIS" new service gobelow --set "go_version=$GO_BELOW" 2>"$WORK/gobelow.txt"); code=$?; set -e
[ "$code" = 2 ] && grep -q "older than Go $GO_MIN" "$WORK/gobelow.txt" || { cat "$WORK/gobelow.txt"; echo "go_version=$GO_BELOW was not refused (exit $code)" >&2; exit 1; }
rm -rf "$WORK/gomin"

# --- sync: two new RPCs after a person edited a handler ----------------------------
step "trellis sync after editing a handler and adding two RPCs"
SVC="$WORK/payment"
HANDLER="$SVC/internal/handlers/get_payment.go"
printf '\n// Payments are looked up by their public id.\n' >> "$HANDLER"
cp "$HANDLER" "$WORK/edited.go"
PROTO="$SVC/api/payment/v1/payment.proto"
sed -i 's|^  rpc GetPayment(|  rpc RefundPayment(RefundPaymentRequest) returns (RefundPaymentResponse);\n  rpc WatchPayments(WatchPaymentsRequest) returns (stream Payment);\n&|' "$PROTO"
cat >> "$PROTO" <<'PROTO'

message RefundPaymentRequest {
  string id = 1;
}

message RefundPaymentResponse {
  Payment payment = 1;
}

message WatchPaymentsRequest {}
PROTO
(cd "$SVC" && "$TRELLIS" sync)
for f in refund_payment.go refund_payment_test.go watch_payments.go watch_payments_test.go; do
  test -f "$SVC/internal/handlers/$f" || { echo "sync did not create $f" >&2; exit 1; }
done
cmp "$HANDLER" "$WORK/edited.go" || { echo "sync modified an edited handler" >&2; exit 1; }
go_check "$SVC"
before="$(cd "$SVC" && find . -type f -not -path './.git/*' -print0 | sort -z | xargs -0 sha256sum)"
second="$(cd "$SVC" && "$TRELLIS" sync)"
echo "$second"
after="$(cd "$SVC" && find . -type f -not -path './.git/*' -print0 | sort -z | xargs -0 sha256sum)"
echo "$second" | grep -q "no changes" || { echo "second sync was not a no-op" >&2; exit 1; }
[ "$before" = "$after" ] || { echo "second sync changed files" >&2; exit 1; }

# --- sync after a removed RPC: it stops (exit 1, nothing written), --prune deletes ---
step "trellis sync after removing an RPC: exit 1 and the build intact, then --prune"
before="$(cd "$SVC" && find . -type f -not -path './.git/*' -print0 | sort -z | xargs -0 sha256sum)"
sed -i '/^  rpc RefundPayment(/d' "$PROTO"
set +e; (cd "$SVC" && "$TRELLIS" sync); code=$?; set -e
[ "$code" = 1 ] || { echo "sync after a removed RPC exited $code, want 1" >&2; exit 1; }
after="$(cd "$SVC" && find . -type f -not -path './.git/*' -print0 | sort -z | xargs -0 sha256sum)"
after="$(echo "$after" | grep -v ' ./api/')"
[ "$after" = "$(echo "$before" | grep -v ' ./api/')" ] || { echo "a blocked sync changed files" >&2; exit 1; }
(cd "$SVC" && go vet ./...)
(cd "$SVC" && "$TRELLIS" sync --prune)
for f in refund_payment.go refund_payment_test.go; do
  [ ! -e "$SVC/internal/handlers/$f" ] || { echo "sync --prune left $f" >&2; exit 1; }
done
go_check "$SVC"
(cd "$SVC" && "$TRELLIS" sync) | grep -q "no changes" || { echo "sync after --prune was not a no-op" >&2; exit 1; }

# --- upgrade: a service generated from a git template at v1, upgraded to v2 ---------
step "trellis upgrade: a Go service from a git template at v1, edited, upgraded cleanly to v2"
# v1 is the built-in Go template; v2 changes a file (config.go's doc comment),
# adds a file that uses a new variable, and removes one (.dockerignore).
TPL="$WORK/go-template"
cp -R templates/go-grpc-service "$TPL"
git_tpl() { git -C "$TPL" -c user.name=ci -c user.email=ci@example.invalid "$@"; }
git_tpl init -q -b main
git_tpl add -A && git_tpl commit -q -m "v1" && git_tpl tag v1
sed -i 's/^version: .*/version: 2.0.0/' "$TPL/template.yaml"
sed -i 's|^  - name: reflection$|  - name: team\n    type: string\n    default: payments\n    help: the team that owns the service\n&|' "$TPL/template.yaml"
sed -i '\|dest: .dockerignore|d' "$TPL/template.yaml"
rm "$TPL/files/dockerignore.tera"
sed -i 's|^  - { src: internal/repo/memory.go.tera.*|&\n  - { src: internal/owner/owner.go.tera, dest: internal/owner/owner.go }\n  - { src: internal/owner/owner_test.go.tera, dest: internal/owner/owner_test.go }|' "$TPL/template.yaml"
sed -i 's|^// JSON file, then |// JSON file (see config.example.json), then |' "$TPL/files/internal/config/config.go.tera"
mkdir -p "$TPL/files/internal/owner"
cat > "$TPL/files/internal/owner/owner.go.tera" <<'GO'
// Package owner names the team that runs {{ name }}, for alerts and logs.
package owner

// Team owns the service.
const Team = "{{ team }}"
GO
cat > "$TPL/files/internal/owner/owner_test.go.tera" <<'GO'
package owner

import "testing"

func TestTeamIsSet(t *testing.T) {
	if Team == "" {
		t.Fatal("Team is empty")
	}
}
GO
git_tpl add -A && git_tpl commit -q -m "v2" && git_tpl tag v2
USVC="$WORK/orders"
(cd "$WORK" && "$TRELLIS" new service orders --module example.com/shop/orders --template "file://$TPL@v1" --trust)
# A person's edits, away from the lines v2 changes.
CONFIG_GO="$USVC/internal/config/config.go"
printf '\n// Orders read their config once, at start-up.\n' >> "$CONFIG_GO"
(cd "$USVC" && "$TRELLIS" upgrade --dry-run --to v2) > "$WORK/upgrade-plan.txt"
(cd "$USVC" && "$TRELLIS" upgrade --to v2 --trust)
grep -q '^merge .*config.go' "$WORK/upgrade-plan.txt" || { cat "$WORK/upgrade-plan.txt"; echo "the dry run did not plan a merge of config.go" >&2; exit 1; }
grep -q 'JSON file (see config.example.json)' "$CONFIG_GO" || { echo "upgrade lost the template's change" >&2; exit 1; }
grep -q 'Orders read their config once' "$CONFIG_GO" || { echo "upgrade lost the person's edit" >&2; exit 1; }
grep -q 'const Team = "payments"' "$USVC/internal/owner/owner.go" || { echo "upgrade did not add owner.go" >&2; exit 1; }
test ! -e "$USVC/.dockerignore" || { echo "upgrade kept the removed .dockerignore" >&2; exit 1; }
test ! -e "$USVC/.trellis/upgrade.json" || { echo "a clean upgrade left a pending upgrade" >&2; exit 1; }
go_check "$USVC"

# --- upgrade a pre-http service: from a template version without the http variable (#19) ---
step "trellis upgrade: a service generated before the http variable existed, upgraded to the current template; builds, vets, tests and answers HTTP/JSON"
# v1 is the current template as it was before http: no http variable, no
# http-only files, every `{% if http %}` branch off (the only way the files
# use it); v2 is the current template. A person edited server.go, which http
# changes, away from the lines it changes.
PRE="$WORK/pre-http-template"
cp -R templates/go-grpc-service "$PRE"
git_pre() { git -C "$PRE" -c user.name=ci -c user.email=ci@example.invalid "$@"; }
find "$PRE/files" -name '*.tera' -exec sed -i 's/{% if http %}/{% if false %}/g' {} +
python3 - "$PRE/template.yaml" <<'PY'
import re, sys
path = sys.argv[1]
text = open(path).read()
text, n = re.subn(r"  - name: http\n(    .*\n)+", "", text)
assert n == 1, "the http variable block was not found"
text = "".join(l for l in text.splitlines(True) if "when: http" not in l)
text = re.sub(r"(?m)^version: .*$", "version: 0.9.0", text)
open(path, "w").write(text)
PY
if grep -rn 'http %}\|when: http\|name: http$' "$PRE/files" "$PRE/template.yaml"; then
  echo "the pre-http template still uses http" >&2; exit 1
fi
git_pre init -q -b main && git_pre add -A && git_pre commit -q -m "v1: before http" && git_pre tag v1
rm -rf "$PRE/files" "$PRE/template.yaml" "$PRE/versions.yaml"
cp -R templates/go-grpc-service/. "$PRE/"
git_pre add -A && git_pre commit -q -m "v2: the current template" && git_pre tag v2
PSVC="$WORK/catalog"
(cd "$WORK" && "$TRELLIS" new service catalog --module example.com/shop/catalog --template "file://$PRE@v1" --trust >/dev/null)
test ! -e "$PSVC/internal/server/http.go" || { echo "the pre-http template wrote http.go" >&2; exit 1; }
! grep -q '"http"' "$PSVC/.trellis/scaffold.json" || { echo "the pre-http service records http" >&2; exit 1; }
SERVER_GO="$PSVC/internal/server/server.go"
printf '\n// Catalog reviews: shutdown waits for in-flight calls.\n' >> "$SERVER_GO"
(cd "$PSVC" && "$TRELLIS" upgrade --to v2 --trust) | tee "$WORK/upgrade-http.txt"
grep -q 'Catalog reviews' "$SERVER_GO" || { echo "upgrade lost the edit to server.go" >&2; exit 1; }
test -f "$PSVC/internal/server/http.go" || { echo "upgrade did not add http.go" >&2; exit 1; }
grep -q '"http": true' "$PSVC/.trellis/scaffold.json" || { echo "upgrade did not record http=true" >&2; exit 1; }
go_check "$PSVC"
run_check "$PSVC" CATALOG catalog.v1.CatalogService/ListCatalogs '{"page_size": 2}' '^{}$' \
  200 'd == {"catalogs": [], "nextPageToken": ""}'

# --- the Rust template from the same contracts --------------------------------------
# Both generated crates share one target directory: tonic builds once.
RUST_TARGET="${SCAFFOLD_RUST_TARGET_DIR:-$WORK/rust-target}"

# Builds and tests a generated crate, checks it is rustfmt-clean and has no
# lint findings.
rust_check() {
  (cd "$1" && CARGO_TARGET_DIR="$RUST_TARGET" cargo build && CARGO_TARGET_DIR="$RUST_TARGET" cargo test)
  (cd "$1" && cargo fmt --check) || { echo "generated Rust code is not rustfmt-clean: $1" >&2; exit 1; }
  lint_check "$1"
}

# Starts the crate's binary on a free port and waits until health answers;
# then, with no proto files (server reflection gives buf curl the schema),
# calls health for "" and for each service of the contract by its full name
# (reflection v1alpha), and one RPC (reflection v1); SIGTERM then ends the
# process cleanly. The subshell's trap ends the process on any failure.
# $1 dir, $2 env prefix, $3 method, $4 request JSON, $5 expected text in the answer.
rust_run_check() {
  local dir="$1" prefix="$2" method="$3" body="$4" want="$5"
  (
    port=$((20000 + RANDOM % 20000))
    url="http://127.0.0.1:$port"
    curl_grpc() { buf curl --protocol grpc --http2-prior-knowledge "$@"; }
    # Without NO_COLOR: the log file must stay free of colour codes because
    # it is not a terminal.
    env -u NO_COLOR "${prefix}_ADDR=127.0.0.1:$port" "$RUST_TARGET/debug/$(basename "$dir")" >"$WORK/rust-run.log" 2>&1 &
    pid=$!
    trap 'kill "$pid" 2>/dev/null || true' EXIT
    fail() { echo "$1" >&2; cat "$WORK/rust-run.log" >&2; exit 1; }
    for _ in $(seq 50); do
      curl_grpc "$url/grpc.health.v1.Health/Check" 2>/dev/null | grep -q '"SERVING"' && break
      sleep 0.2
    done
    services="$(python3 -c 'import json, sys
print("\n".join(sorted({key.split("/")[0] for key in json.load(open(sys.argv[1]))["rpcs"]})))' "$dir/.trellis/scaffold.json")"
    for service in "" $services; do
      answer="$(curl_grpc --reflect-protocol grpc-v1alpha -d "{\"service\": \"$service\"}" "$url/grpc.health.v1.Health/Check" 2>&1)" || true
      echo "health \"$service\": $(echo "$answer" | tr -d '\n ')"
      echo "$answer" | grep -q '"SERVING"' || fail "health of \"$service\" is not SERVING"
    done
    answer="$(curl_grpc --reflect-protocol grpc-v1 -d "$body" "$url/$method" 2>&1)" || true
    echo "$answer"
    echo "$answer" | grep -q "$want" || fail "$method did not answer $want"
    kill -TERM "$pid"
    wait "$pid" || fail "the service did not shut down cleanly on SIGTERM"
    grep -q "shutting down" "$WORK/rust-run.log" || fail "the service did not log its shutdown"
    if grep -q $'\x1b\[' "$WORK/rust-run.log"; then fail "the service logged ANSI colour codes to a file"; fi
  )
}

step "trellis new service --template rust-tonic-service (starter and streaming contracts)"
(cd "$WORK" && "$TRELLIS" new service inventory --template rust-tonic-service)
rust_check "$WORK/inventory"
(cd "$WORK" && "$TRELLIS" new service rledger --template rust-tonic-service --proto "$FIXTURES/ledger.proto")
rust_check "$WORK/rledger"

step "the Rust services run: health per service and one RPC with buf curl over reflection"
rust_run_check "$WORK/inventory" INVENTORY inventory.v1.InventoryService/ListInventories '{"page_size": 2}' '^{}$'
rust_run_check "$WORK/rledger" RLEDGER shop.ledger.v1.LedgerService/GetBalance '{}' '"code": "unimplemented"'

step "trellis sync on the Rust service: a new streaming RPC after editing a handler"
RSVC="$WORK/rledger"
printf '\n// reviewed\n' >> "$RSVC/src/handlers/ping.rs"
cp "$RSVC/src/handlers/ping.rs" "$WORK/edited.rs"
sed -i 's|^  rpc Ping(google.protobuf.Empty) returns (google.protobuf.Empty);$|&\n  rpc Freeze(GetBalanceRequest) returns (stream Entry);|' "$RSVC/api/shop/ledger/v1/ledger.proto"
(cd "$RSVC" && "$TRELLIS" sync)
test -f "$RSVC/src/handlers/freeze.rs" || { echo "sync did not create freeze.rs" >&2; exit 1; }
cmp "$RSVC/src/handlers/ping.rs" "$WORK/edited.rs" || { echo "sync modified an edited handler" >&2; exit 1; }
rust_check "$RSVC"
(cd "$RSVC" && "$TRELLIS" sync) | grep -q "no changes" || { echo "second sync was not a no-op" >&2; exit 1; }

step "scaffold checks passed"

#!/usr/bin/env python3
"""Writes a synthetic Go monorepo of about SIZE megabytes for benchmarks.

One module (so golangci-lint can type-check it in one run) with services under
services/svcNNN/{cmd,internal/{handlers,service,repo,config}}, stdlib only, and
a sprinkling of violations that both trellis and golangci-lint report:
log.Printf, http.Get, SQL built with fmt.Sprintf, package-level vars, init().

usage: gen-go-monorepo.py OUT_DIR SIZE_MB [--seed N]
"""
import os
import random
import sys

FILES_PER_PACKAGE = 20
BLOCKS_PER_FILE = 12


def block(pkg, f, b, rnd, service_tag):
    """One function of about 700 bytes, sometimes with a violation."""
    name = f"Op{f}x{b}"
    lines = [f"// {name} handles one request of kind {b} for file {f}.",
             f"func (s *Impl{f}) {name}(ctx context.Context, id string, limit int) (Result{f}, error) {{",
             "\tif id == \"\" {",
             f"\t\treturn Result{f}{{}}, fmt.Errorf(\"{name}: %w\", ErrInvalid{f})",
             "\t}",
             "\ttotal := 0",
             "\tfor i := 0; i < limit; i++ {",
             "\t\tif i%3 == 0 {",
             "\t\t\ttotal += i * 2",
             "\t\t} else {",
             "\t\t\ttotal -= i",
             "\t\t}",
             "\t}"]
    roll = rnd.random()
    if pkg == "repo" and roll < 0.08:
        lines += [f"\tq := fmt.Sprintf(\"SELECT id, name FROM items_{service_tag}_{f} WHERE id = '%s'\", id)",
                  "\trows, err := s.db.QueryContext(ctx, q)",
                  "\tif err != nil {",
                  f"\t\treturn Result{f}{{}}, err",
                  "\t}",
                  "\t_ = rows.Close()"]
    elif pkg == "repo":
        lines += [f"\trow := s.db.QueryRowContext(ctx, selectItem{f}, id)",
                  "\tvar name string",
                  "\tif err := row.Scan(&name); err != nil {",
                  f"\t\treturn Result{f}{{}}, err",
                  "\t}"]
    elif pkg == "service" and roll < 0.05:
        lines += [f"\tlog.Printf(\"{name} %s total %d\", id, total)"]
    elif pkg == "handlers" and roll < 0.03:
        lines += ["\tresp, err := http.Get(\"http://inventory.internal/items/\" + id)",
                  "\tif err != nil {",
                  f"\t\treturn Result{f}{{}}, err",
                  "\t}",
                  "\t_ = resp.Body.Close()"]
    else:
        lines += ["\tselect {",
                  "\tcase <-ctx.Done():",
                  f"\t\treturn Result{f}{{}}, ctx.Err()",
                  "\tdefault:",
                  "\t}"]
    lines += [f"\treturn Result{f}{{ID: id, Total: total}}, nil", "}", ""]
    return "\n".join(lines)


def go_file(module, service, pkg, f, rnd):
    service_tag = service
    imports = ['"context"', '"errors"', '"fmt"']
    if pkg == "repo":
        imports.append('"database/sql"')
    if pkg == "service":
        imports.append('"log"')
    if pkg == "handlers":
        imports.append('"net/http"')
    below = {"handlers": "service", "service": "repo", "repo": "config"}.get(pkg)
    if below:
        imports.append(f'"{module}/services/{service}/internal/{below}"')
    out = [f"// Code for {service}/{pkg}, file {f}.", f"package {pkg}", "", "import ("]
    out += [f"\t{i}" for i in imports]
    out += [")", ""]
    out.append(f"// ErrInvalid{f} is returned for malformed input.")
    out.append(f"var ErrInvalid{f} = errors.New(\"invalid input\")")
    out.append("")
    if rnd.random() < 0.06:
        out += [f"var requests{f} int", ""]
    if rnd.random() < 0.03:
        out += ["func init() {", f"\t_ = ErrInvalid{f}", "}", ""]
    if below:
        out += [f"var _ = {below}.ErrInvalid0", ""]
    if pkg == "repo":
        out += [f"const selectItem{f} = `SELECT name FROM items_{service_tag}_{f} WHERE id = $1`", ""]
    out += [f"// Result{f} is what the operations of this file return.",
            f"type Result{f} struct {{", "\tID    string", "\tTotal int", "}", ""]
    fields = "\tdb *sql.DB\n" if pkg == "repo" else "\tname string\n"
    out += [f"// Impl{f} implements the operations of this file.",
            f"type Impl{f} struct {{", fields.rstrip("\n"), "}", ""]
    if pkg == "handlers":
        out += [f"var _ = http.MethodGet", ""]
    if pkg == "service":
        out += [f"var _ = log.Ldate", ""]
    for b in range(BLOCKS_PER_FILE):
        out.append(block(pkg, f, b, rnd, service))
    return "\n".join(out) + "\n"


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    out_dir, size_mb = sys.argv[1], float(sys.argv[2])
    seed = int(sys.argv[sys.argv.index("--seed") + 1]) if "--seed" in sys.argv else 7
    rnd = random.Random(seed)
    module = "example.com/mono"
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "go.mod"), "w") as fh:
        fh.write(f"module {module}\n\ngo 1.22\n")
    with open(os.path.join(out_dir, "trellis.yaml"), "w") as fh:
        fh.write("version: 1\nservices:\n  - services/*\n")
    target = int(size_mb * 1024 * 1024)
    written = 0
    s = 0
    while written < target:
        service = f"svc{s:03d}"
        base = os.path.join(out_dir, "services", service)
        main_dir = os.path.join(base, "cmd", service)
        os.makedirs(main_dir, exist_ok=True)
        # The main starts a server: a main that only prints is a command-line
        # tool, where go-structured-logging is rightly silent, and the bench
        # would stop measuring it.
        main = (f"package main\n\nimport (\n\t\"context\"\n\t\"fmt\"\n\t\"net/http\"\n\t\"time\"\n\n"
                f"\t\"{module}/services/{service}/internal/handlers\"\n)\n\n"
                "func main() {\n\tctx := context.Background()\n\t_ = ctx\n"
                "\tfmt.Println(handlers.ErrInvalid0)\n"
                "\tsrv := &http.Server{Addr: \":8080\", ReadHeaderTimeout: 5 * time.Second}\n"
                "\t_ = srv.ListenAndServe()\n}\n")
        with open(os.path.join(main_dir, "main.go"), "w") as fh:
            fh.write(main)
        written += len(main)
        for pkg in ("handlers", "service", "repo", "config"):
            pkg_dir = os.path.join(base, "internal", pkg)
            os.makedirs(pkg_dir, exist_ok=True)
            for f in range(FILES_PER_PACKAGE):
                text = go_file(module, service, pkg, f, rnd)
                with open(os.path.join(pkg_dir, f"file{f:02d}.go"), "w") as fh:
                    fh.write(text)
                written += len(text)
        s += 1
    print(f"{out_dir}: {s} services, {written / 1024 / 1024:.1f} MB of Go")


if __name__ == "__main__":
    main()

# Writes a `git fast-import` stream: a monorepo of SERVICES Go services with
# contracts, COMMITS commits on main (merges of short side branches included),
# deploy tags per service and regular .proto changes. Deterministic (srand(7)).
# usage: awk -v COMMITS=50000 -v SERVICES=6 -f score-history.awk | git fast-import
function svc(i) { return sprintf("svc%d-service", i) }
function content(path, n,    text, k) {
    text = "package p\n// " path " revision " n "\n"
    for (k = 0; k < 20 + (n % 40); k++) text = text "func f" k "() int { return " (n * 31 + k) % 977 " }\n"
    return text
}
function emit_file(path, n,    text) {
    text = content(path, n)
    printf "M 100644 inline %s\ndata %d\n%s\n", path, length(text), text
}
function proto(i, n,    text) {
    text = "syntax = \"proto3\";\npackage shop.svc" i ".v1;\nmessage Thing {\n  string id = 1;\n"
    text = text "  int64 revision_" n " = " (2 + n % 50) ";\n}\nservice Svc { rpc Get(Thing) returns (Thing); }\n"
    printf "M 100644 inline api/svc%d/v1/svc%d.proto\ndata %d\n%s\n", i, i, length(text), text
}
function header(ref, mark, time, author) {
    printf "commit %s\nmark :%d\n", ref, mark
    printf "author %s <%s@example.com> %d +0000\n", author, author, time
    printf "committer %s <%s@example.com> %d +0000\n", author, author, time
    printf "data 12\nchange %05d\n", mark % 100000
}
function random_path(    s, d, f) {
    s = int(rand() * SERVICES); d = int(rand() * DIRS); f = int(rand() * FILES)
    return "services/" svc(s) "/internal/pkg" d "/file" f ".go"
}
BEGIN {
    srand(7)
    if (COMMITS == 0) COMMITS = 50000
    if (SERVICES == 0) SERVICES = 6
    DIRS = 8; FILES = 30
    split("ada grace linus barbara ken dennis margaret edsger renovate[bot]", AUTHORS, " ")
    time = 1577836800
    # The first commit: every file.
    header("refs/heads/main", 1, time, "ada")
    gomod = "module example.com/shop\ngo 1.22\n"
    printf "M 100644 inline go.mod\ndata %d\n%s\n", length(gomod), gomod
    for (s = 0; s < SERVICES; s++) {
        gomod = "module example.com/shop/services/" svc(s) "\ngo 1.22\n"
        printf "M 100644 inline services/%s/go.mod\ndata %d\n%s\n", svc(s), length(gomod), gomod
        emit_file("services/" svc(s) "/cmd/" svc(s) "/main.go", 0)
        for (d = 0; d < DIRS; d++) for (f = 0; f < FILES; f++)
            emit_file("services/" svc(s) "/internal/pkg" d "/file" f ".go", 0)
        proto(s, 0)
    }
    for (f = 0; f < 200; f++) emit_file("docs/section" int(f / 20) "/page" f ".md", 0)
    printf "\n"
    mark = 1; last = 1; tags = 0
    while (mark < COMMITS) {
        time += 600
        if (mark % 100 == 50) {
            # a short side branch and its merge
            side = mark + 1
            header("refs/heads/side", side, time, AUTHORS[1 + int(rand() * 8)])
            printf "from :%d\n", last
            emit_file(random_path(), side)
            printf "\n"
            time += 60
            mark = side + 1
            header("refs/heads/main", mark, time, AUTHORS[1 + int(rand() * 8)])
            printf "from :%d\nmerge :%d\n\n", last, side
            last = mark
            continue
        }
        mark++
        header("refs/heads/main", mark, time, AUTHORS[1 + int(rand() * 9)])
        printf "from :%d\n", last
        n = 1 + int(rand() * 3)
        for (k = 0; k < n; k++) emit_file(random_path(), mark)
        if (mark % 40 == 0) proto(int(rand() * SERVICES), mark)
        printf "\n"
        last = mark
        if (mark % 400 == 0) {
            s = int(rand() * SERVICES)
            printf "reset refs/tags/%s/v1.%d.0\nfrom :%d\n\n", svc(s), tags++, mark
        }
    }
    printf "reset refs/heads/main\nfrom :%d\n\n", last
}

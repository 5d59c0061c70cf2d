#!/usr/bin/env python3
"""layout.py BUILD - check that the tree keeps the architecture it claims.

Prints TAP-style lines and ends with "layout: N passed, M failed".

1. Include rules: common/ includes only common/; store/ only store/ and
   common/; webservices/ never admin/, tools/ or <microhttpd.h>; tools/
   only tools/ and common/; admin/ and conf/ may take server/limits.h (the
   index of every limit) but no other server/ header; nothing includes a
   header of tools/ or admin/ from another program's folder.
2. No include circles anywhere (quoted includes, resolved to files).
3. No call circles between the files of a folder or between folders:
   from the object files (nm), file A depends on file B when A uses a
   symbol B defines; the graph of each program must be acyclic.
4. Each folder has one private header that names every .c file of the
   folder in a banner.
6. No tracked file refers to the shared folder beside the clone.
5. Library doors: <microhttpd.h> only in server/http.c, <sqlite3.h> only
   in store/, <expat.h> only in common/xml.c, <zlib.h> only in common/zip.c,
   mbedtls only in common/ and
   server/tls.c and admin/ (certreq.c, pki.c), gssapi only in
   server/auth.c.
"""
import os
import re
import subprocess
import sys

build = sys.argv[1] if len(sys.argv) > 1 else "build"
FOLDERS = ["common", "conf", "store", "webservices", "server", "admin", "tools"]
ALLOWED = {
    "common": {"common"},
    "conf": {"conf", "common", "server:limits.h"},
    "store": {"store", "common"},
    "webservices": {"webservices", "store", "conf", "common", "server:limits.h"},
    "server": {"server", "webservices", "store", "conf", "common"},
    "admin": {"admin", "store", "conf", "common", "server:limits.h"},
    "tools": {"tools", "common"},
}
PRIVATE = {
    "common": "common_int.h", "conf": "config.h", "store": "store_int.h",
    "webservices": "ws_int.h", "server": "server.h", "admin": "admin.h",
    "tools": "wua.h",
}
SYSTEM_DOORS = {
    "microhttpd.h": lambda f: f == "server/http.c",
    "sqlite3.h": lambda f: f.startswith("store/"),
    "expat.h": lambda f: f == "common/xml.c",
    "zlib.h": lambda f: f == "common/zip.c",
    "mbedtls/": lambda f: f.startswith("common/") or f == "server/tls.c"
                or f in ("admin/certreq.c", "admin/pki.c"),
    "curl/curl.h": lambda f: f.startswith("tools/"),
    "gssapi": lambda f: f == "server/auth.c",
}
npass = nfail = 0


def result(ok, what):
    global npass, nfail
    if ok:
        npass += 1
        print("ok - " + what)
    else:
        nfail += 1
        print("not ok - " + what)


files = {}
for d in FOLDERS:
    for n in sorted(os.listdir(d)):
        if n.endswith((".c", ".h")):
            files["%s/%s" % (d, n)] = open("%s/%s" % (d, n), encoding="utf-8").read()
by_name = {}
for f in files:
    by_name.setdefault(os.path.basename(f), []).append(f)

inc_re = re.compile(r'^\s*#\s*include\s+([<"])([^>"]+)[>"]', re.M)
edges = {}
bad = []
for f, text in files.items():
    folder = f.split("/")[0]
    edges[f] = set()
    for kind, name in inc_re.findall(text):
        if kind == "<":
            for door, ok in SYSTEM_DOORS.items():
                if name.startswith(door) and not ok(f):
                    bad.append("%s includes <%s> (only its door may)" % (f, name))
            continue
        here = "%s/%s" % (folder, name)
        target = here if here in files else None
        if target is None:
            cands = by_name.get(name, [])
            if len(cands) != 1:
                bad.append("%s: cannot resolve \"%s\"" % (f, name))
                continue
            target = cands[0]
        edges[f].add(target)
        tfolder = target.split("/")[0]
        allowed = ALLOWED[folder]
        if tfolder != folder and tfolder not in allowed and \
                "%s:%s" % (tfolder, name) not in allowed:
            bad.append("%s includes %s" % (f, target))
for b in bad:
    print("# " + b)
result(not bad, "include rules hold (%d files)" % len(files))


def cycles(graph):
    """Strongly connected components with more than one node (Tarjan)."""
    index, low, stack, on, out, n = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = n[0]
        n[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))
    sys.setrecursionlimit(10000)
    for v in list(graph):
        if v not in index:
            visit(v)
    return out


ic = cycles(edges)
for c in ic:
    print("# include circle: " + " <-> ".join(c))
result(not ic, "no include circles")

# Call graph from the objects.
objs = {}
for f in files:
    if f.endswith(".c"):
        o = os.path.join(build, "obj", f[:-2] + ".o")
        if os.path.exists(o):
            objs[f] = o
missing = [f for f in files if f.endswith(".c") and f not in objs]
result(not missing, "every source has an object in %s/obj%s" %
       (build, (" (missing: %s)" % " ".join(missing)) if missing else ""))
defs, uses = {}, {}
for f, o in objs.items():
    out = subprocess.run(["nm", "-P", o], capture_output=True, text=True).stdout
    uses[f] = set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) < 2:
            continue
        sym, t = parts[0], parts[1]
        if t == "U":
            uses[f].add(sym)
        elif t in "TDBRCGSV" or t in "tdbr" and False:
            defs.setdefault(sym, f)
calls = {f: set() for f in objs}
for f, syms in uses.items():
    for s in syms:
        g = defs.get(s)
        if g and g != f:
            calls[f].add(g)
cc = cycles(calls)
for c in cc:
    print("# call circle between files: " + " <-> ".join(c))
result(not cc, "no call circles between files (%d objects)" % len(objs))
fgraph = {}
for f, gs in calls.items():
    a = f.split("/")[0]
    for g in gs:
        b = g.split("/")[0]
        if a != b:
            fgraph.setdefault(a, set()).add(b)
fc = cycles(fgraph)
for c in fc:
    print("# call circle between folders: " + " <-> ".join(c))
result(not fc, "no call circles between folders: " + ", ".join(
    "%s -> %s" % (a, "+".join(sorted(b))) for a, b in sorted(fgraph.items())))

# Private headers name every file.
for d in FOLDERS:
    h = files.get("%s/%s" % (d, PRIVATE[d]))
    srcs = [f.split("/")[1] for f in files if f.startswith(d + "/") and f.endswith(".c")]
    miss = [s for s in srcs if h is None or s not in h]
    result(not miss, "%s/%s names every file of %s/%s" % (
        d, PRIVATE[d], d, (" (missing: %s)" % " ".join(miss)) if miss else ""))

# 6. Self-contained: no tracked file reads a path beside the clone.
tracked = subprocess.run(["git", "ls-files"], capture_output=True, text=True).stdout.split()
outside = []
for f in tracked:
    if f.startswith("tests/data/") or not os.path.isfile(f):
        continue
    try:
        text = open(f, encoding="utf-8").read()
    except UnicodeDecodeError:
        continue
    if re.search(r"\.\./" + "shared|/work/" + "shared", text):
        outside.append(f)
result(not outside, "no tracked file refers to the folder beside the clone%s" %
       ((" (" + " ".join(outside) + ")") if outside else ""))

print("layout: %d passed, %d failed" % (npass, nfail))
sys.exit(1 if nfail else 0)

#!/bin/sh
# run_snap.sh - whole-tree snapshots: cas_snap (dx_cas.h) against restic, borg, casync and git,
# each with its default options, in the same run
#
#   sh bench/run_snap.sh [--write-results] [--runs=N]
#
# The tree (made once in build/bench/snap/tree; delete that folder to make it anew):
# a copy of /usr/share/doc and of the largest /usr/lib/python3.N (the standard
# library), about 190 MB in 6,600 files on Debian 12: many small text and .gz files
# and some large ones, as a home folder or a system backup has them.
# For every run and every tool (the order rotates from run to run), into a fresh
# store: the first snapshot, a second one of the unchanged tree, and a restore into
# a new folder; wall time of the whole command, a sync before each (so no one pays
# for another's writeback). The figures are the best of N runs (default 3); store
# sizes are those after the first snapshot, as `du -s` (disk usage, KiB blocks) and
# as `du -s --apparent-size` (bytes in files). Every restore of the first run is
# compared with the tree (diff -r --no-dereference). Nothing is deleted while
# anything is timed (a folder deleted on ext4 slows file creation for the next
# minutes, which would favour the tools that write few files): stores and restores
# (about 4 GB for 3 runs) are deleted at the end, and those of a run that was
# interrupted are moved aside first and deleted at the end too.
#
# Defaults used: cas_snap as built by the Makefile (zstd when libzstd-dev is there:
# objects durable in batches, zstd -3); restic backup (encrypted repository, zstd
# auto); borg create (borg init -e repokey: encrypted, lz4); casync make (zstd
# chunks, no fsync); git add -A + commit (zlib loose objects). Needs (Debian): gcc
# python3 restic borgbackup casync git libzstd-dev; run as root, it installs the
# missing ones. CC is honoured.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=build/bench
work=$out/snap
CC=${CC:-cc}
OPT="-O2 -DNDEBUG"

. bench/packages.sh
install_missing run_snap.sh python3:python3 restic:restic borg:borgbackup casync:casync git:git diff:diffutils
for t in python3 git diff; do
    command -v "$t" >/dev/null 2>&1 || { echo "run_snap.sh: $t not found" >&2; exit 1; }
done

mkdir -p "$work"
if [ ! -f "$work/.ready" ]; then
    py=$(ls -d /usr/lib/python3.[0-9]* 2>/dev/null | while read -r d; do
        [ -d "$d" ] && printf '%s %s\n' "$(du -sk "$d" | cut -f1)" "$d"; done | sort -n | tail -n 1 | cut -d' ' -f2)
    echo "run_snap.sh: making the tree in $work/tree from /usr/share/doc and ${py:-no python library}"
    rm -rf "$work/tree"
    mkdir -p "$work/tree"
    cp -a /usr/share/doc "$work/tree/doc"
    if [ -n "$py" ]; then cp -a "$py" "$work/tree/$(basename "$py")"; fi
    echo "/usr/share/doc ${py:-}" > "$work/.source"
    touch "$work/.ready"
fi

ZSTD=""
if echo '#include <zstd.h>' | $CC -E - >/dev/null 2>&1; then ZSTD="-DDX_CAS_WITH_ZSTD"; else
    echo "run_snap.sh: zstd.h not found (Debian libzstd-dev): cas_snap will not compress" >&2; fi
echo "run_snap.sh: building $out/cas_snap ($CC $OPT $ZSTD)"
# shellcheck disable=SC2086 # $ZSTD is empty or one flag
$CC $OPT $ZSTD -std=c99 -D_DEFAULT_SOURCE -I. examples/cas_snap.c -o "$out/cas_snap" ${ZSTD:+-lzstd}

exec python3 - "$work" "$out/cas_snap" "$CC $OPT $ZSTD" "$@" <<'PY'
import os, re, resource, shutil, subprocess, sys, time

work, dx_bin, flags = sys.argv[1], os.path.abspath(sys.argv[2]), sys.argv[3]
args = sys.argv[4:]
write_results = "--write-results" in args
runs = 3
for a in args:
    if a.startswith("--runs="):
        runs = int(a.split("=", 1)[1])
    elif a != "--write-results":
        sys.exit("run_snap.sh: unknown option %s (--write-results, --runs=N)" % a)
work = os.path.abspath(work)
tree = os.path.join(work, "tree")
env = dict(os.environ, RESTIC_PASSWORD="bench", BORG_PASSPHRASE="bench", LC_ALL="C",
           BORG_RELOCATED_REPO_ACCESS_IS_OK="yes", BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK="yes")

def have(cmd):
    return shutil.which(cmd) is not None

def sh(cmd, cwd=None, check=True, log=None):
    r = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if log:
        with open(log, "ab") as f:
            f.write(b"$ " + " ".join(cmd).encode() + b"\n" + r.stdout)
    if check and r.returncode != 0:
        sys.stderr.write(r.stdout.decode(errors="replace")[-2000:])
        sys.exit("run_snap.sh: failed (%d): %s" % (r.returncode, " ".join(cmd)))
    return r

def timed(cmd, cwd=None, log=None):
    os.sync()
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    sh(cmd, cwd, log=log)
    t = time.monotonic() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return t, (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)

def du(path, apparent):
    a = ["du", "-sk"] + (["--apparent-size"] if apparent else []) + [path]
    return int(subprocess.run(a, stdout=subprocess.PIPE, check=True).stdout.split()[0]) * 1024

# Each tool: (name, label, init, first, second, restore, store paths, restored tree)
def dx(b):
    s = os.path.join(b, "store")
    return dict(init=None,
                first=[dx_bin, "--store", s, "--quiet", "snap", tree],
                second=[dx_bin, "--store", s, "--quiet", "snap", tree],
                restore=[dx_bin, "--store", s, "--quiet", "restore", "latest", os.path.join(b, "out", "tree")],
                store=[s], restored=os.path.join(b, "out", "tree"), cwd=b)

def restic(b):
    r = os.path.join(b, "repo")
    c = ["restic", "--repo", r, "--cache-dir", os.path.join(b, "cache"), "--quiet"]
    return dict(init=c + ["init"], first=c + ["backup", "tree"], second=c + ["backup", "tree"],
                restore=c + ["restore", "latest", "--target", os.path.join(b, "out")],
                store=[r], restored=os.path.join(b, "out", "tree"), cwd=work)

def borg(b):
    r = os.path.join(b, "repo")
    return dict(init=["borg", "init", "-e", "repokey", r],
                first=["borg", "create", r + "::s1", "tree"], second=["borg", "create", r + "::s2", "tree"],
                restore=["borg", "extract", r + "::s1"], restore_cwd=os.path.join(b, "out"),
                store=[r], restored=os.path.join(b, "out", "tree"), cwd=work)

def casync(b):
    s = os.path.join(b, "default.castr")
    return dict(init=None,
                first=["casync", "make", "--store=" + s, os.path.join(b, "s1.caidx"), tree],
                second=["casync", "make", "--store=" + s, os.path.join(b, "s2.caidx"), tree],
                restore=["casync", "extract", "--store=" + s, os.path.join(b, "s1.caidx"), os.path.join(b, "out", "tree")],
                store=[s, os.path.join(b, "s1.caidx")], restored=os.path.join(b, "out", "tree"), cwd=b)

def git(b):
    g = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.org", "--git-dir=" + os.path.join(b, "repo.git")]
    wt = g + ["--work-tree=" + tree]
    return dict(init=["git", "init", "-q", "--bare", os.path.join(b, "repo.git")],
                first=["sh", "-c", '"$@" add -A && "$@" commit -q -m s1', "git"] + wt,
                second=["sh", "-c", '"$@" add -A && "$@" commit -q --allow-empty -m s2', "git"] + wt,
                restore=g + ["--work-tree=" + os.path.join(b, "out", "tree"), "reset", "-q", "--hard", "HEAD"],
                store=[os.path.join(b, "repo.git")], restored=os.path.join(b, "out", "tree"), cwd=b)

tools = [("dx", "cas_snap snap / restore (dx_cas.h)", dx, None), ("restic", "restic backup / restore", restic, "restic"),
         ("borg", "borg create / extract", borg, "borg"), ("casync", "casync make / extract", casync, "casync"),
         ("git", "git add -A + commit / reset --hard", git, "git")]
tools = [t for t in tools if t[3] is None or have(t[3])]
for t in ("restic", "borg", "casync"):
    if not have(t):
        print("run_snap.sh: %s not found: its rows are skipped" % t, file=sys.stderr)

def loadavg():
    return open("/proc/loadavg").read().split()[:3]

def machine():
    cpu = ""
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    fs = subprocess.run(["df", "-T", work], stdout=subprocess.PIPE).stdout.decode().splitlines()[-1].split()[1]
    return "%s, %d CPUs, %s; %s file system" % (os.uname().machine, os.cpu_count(), cpu, fs)

# stores of an earlier run: moved aside now, deleted at the end (see the header)
runs_dir = os.path.join(work, "runs")
trash = []
if os.path.exists(runs_dir):
    t = os.path.join(work, "trash.%d" % os.getpid())
    os.rename(runs_dir, t)
    trash.append(t)
for name in os.listdir(work):
    if name.startswith("trash."):
        trash.append(os.path.join(work, name))

files = sum(len(f) for _, _, f in os.walk(tree))
tree_bytes, tree_du = du(tree, True), du(tree, False)
source = open(os.path.join(work, ".source")).read().split()
subprocess.run(["sh", "-c", 'find "$1" -type f -print0 | xargs -0 cat > /dev/null', "x", tree])  # in the page cache
load0 = loadavg()
print("run_snap.sh: tree %s: %d files, %.1f MB (du -s: %.1f MB); %d runs; load average %s" %
      (tree, files, tree_bytes / 1e6, tree_du / 1e6, runs, " ".join(load0)))
res = {name: dict(first=[], second=[], restore=[], cpu_first=[], size=None, apparent=None) for name, _, _, _ in tools}
for run in range(runs):
    order = tools[run % len(tools):] + tools[:run % len(tools)]
    for name, label, make, _ in order:
        b = os.path.join(runs_dir, str(run), name)
        os.makedirs(os.path.join(b, "out"))
        log = os.path.join(b, "log.txt")
        t = make(b)
        if t["init"]:
            sh(t["init"], cwd=t["cwd"], log=log)
        first, cpu = timed(t["first"], t["cwd"], log)
        if run == 0:
            res[name]["size"] = sum(du(p, False) for p in t["store"])
            res[name]["apparent"] = sum(du(p, True) for p in t["store"])
        second, _ = timed(t["second"], t["cwd"], log)
        os.makedirs(t["restored"], exist_ok=name == "git")  # git writes into an existing work tree; the others make it
        if name != "git":
            os.rmdir(t["restored"])
        restore, _ = timed(t["restore"], t.get("restore_cwd", t["cwd"]), log)
        for k, v in (("first", first), ("second", second), ("restore", restore), ("cpu_first", cpu)):
            res[name][k].append(v)
        print("run %d %-7s first %6.2f s (cpu %5.2f s)  second %6.2f s  restore %6.2f s" % (run + 1, name, first, cpu, second, restore))
        if run == 0:
            d = sh(["diff", "-r", "--no-dereference", tree, t["restored"]], check=False)
            if d.returncode != 0:
                sys.stderr.write(d.stdout.decode(errors="replace")[:3000])
                sys.exit("run_snap.sh: %s's restore differs from the tree (see above)" % name)
load1 = loadavg()

best = {n: {k: min(v[k]) for k in ("first", "second", "restore", "cpu_first")} for n, v in res.items()}
mb = lambda x: "%.1f MB" % (x / 1e6)
lines = []
lines.append("_%s; %s_\n" % (time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), machine()))
lines.append("The tree: %s and %s copied into one folder: %d files, %s (du -s: %s). Each tool with its default "
             "options, one after another (the order rotates), into fresh stores; best of %d runs, wall time of the "
             "whole command, a sync before each; cpu = user + system time of the first snapshot. Sizes after the "
             "first snapshot: disk usage (du -s) and bytes in files (du -s --apparent-size). Every restore compared "
             "with the tree (diff -r): identical. Load average (1, 5, 15 min) %s at the start, %s at the end "
             "(other sessions share the two cores).\n" %
             (source[0], source[1] if len(source) > 1 else "-", files, mb(tree_bytes), mb(tree_du), runs,
              "/".join(load0), "/".join(load1)))
lines.append("| tool | first snapshot (s) | cpu (s) | second (s) | restore (s) | store, du -s | store, bytes | dx / peer: first | dx / peer: store du -s |")
lines.append("|---|---|---|---|---|---|---|---|---|")
dxb, dxs = best["dx"], res["dx"]
for name, label, _, _ in tools:
    b, r = best[name], res[name]
    lines.append("| %s | %.2f | %.2f | %.2f | %.2f | %s | %s | %s | %s |" % (
        label, b["first"], b["cpu_first"], b["second"], b["restore"], mb(r["size"]), mb(r["apparent"]),
        "1" if name == "dx" else "%.2f" % (dxb["first"] / b["first"]),
        "1" if name == "dx" else "%.2f" % (dxs["size"] / r["size"])))
lines.append("")
goals = []
if "restic" in best:
    rb, rr = best["restic"], res["restic"]
    def verdict(ok):
        return "reached" if ok else "NOT reached"
    goals.append("- first snapshot no slower than restic's: dx %.2f s, restic %.2f s (%.2fx): %s" %
                 (dxb["first"], rb["first"], dxb["first"] / rb["first"], verdict(dxb["first"] <= rb["first"])))
    goals.append("- store no larger than restic's, disk usage (du -s): dx %s, restic %s (%.2fx): %s" %
                 (mb(dxs["size"]), mb(rr["size"]), dxs["size"] / rr["size"], verdict(dxs["size"] <= rr["size"])))
    goals.append("- store no larger than restic's, bytes in files (du -s --apparent-size): dx %s, restic %s (%.2fx): %s" %
                 (mb(dxs["apparent"]), mb(rr["apparent"]), dxs["apparent"] / rr["apparent"],
                  verdict(dxs["apparent"] <= rr["apparent"])))
else:
    goals.append("- restic is not installed: the goals against it were not measured")
lines.append("Goals (issue 12, default options, same run):\n")
lines.extend(goals)
lines.append("\nBuilt with %s (examples/cas_snap.c). Tree and runs: bench/run_snap.sh." % flags)
body = "\n".join(lines) + "\n"
print()
print(body)

for t in trash + [runs_dir]:  # nothing is timed any more (this run's stores and restores: about 4 GB)
    shutil.rmtree(t, ignore_errors=True)

if write_results:
    path = "bench/RESULTS.md"
    title = "## Snapshots of a real tree: cas_snap against restic, borg, casync and git (bench/run_snap.sh)"
    section = "<!-- BEGIN snap -->\n%s\n\n%s<!-- END snap -->\n" % (title, body)
    text = open(path).read() if os.path.exists(path) else ""
    m = re.search(r"<!-- BEGIN snap -->\n.*?<!-- END snap -->\n", text, re.S)
    text = text[:m.start()] + section + text[m.end():] if m else text.rstrip("\n") + "\n\n" + section
    open(path, "w").write(text)
    print("run_snap.sh: wrote the snap section of %s" % path)
PY

#!/bin/sh
# run_statekeeper.sh - version histories of a state folder: statekeeper (examples/statekeeper) against
# restic, borg and git, each with its default options, in the same run (issue 17)
#
#   sh bench/run_statekeeper.sh [--write-results] [--quick] [--only=a,b,c]
#
# Three histories, made in build/bench/statekeeper-runs/<h>/state by a seeded generator (the same bytes at every
# run), one version after another; after each version every tool captures the folder (the order rotates
# from version to version, a sync before each command):
#   (a) a SQLite database of 200 MiB (table of ~150-byte rows: integer key, integer, text, 120-byte blob);
#       per version 1% of the rows, picked at random, get a new integer and blob (one transaction); 50 versions
#   (b) a source tree (the .py files of the largest /usr/lib/python3.N: 666 files, 11 MB on Debian 12); 8 files
#       edited per version (a line inserted, changed or deleted), one file added, every 3rd version one deleted, every
#       5th one renamed; 50 versions
#   (c) a binary checkpoint of 1 GiB (float32-like words: random mantissas, a few exponents); per version 20%
#       of its 64 KiB blocks, picked at random, get new low mantissa bytes (the two low bytes of each word,
#       as training moves weights a little); 10 versions
# --quick: the same with 8 MiB, 60 files, 32 MiB and 5, 5, 3 versions (a smoke run of the whole chain).
# Measured for each tool and history: store size after the last version (du -s: disk usage; and bytes in
# files), capture time per version (the first, and the mean of the others), restore of the latest and of
# the oldest version into a new folder (each compared with what was captured: diff -r; every restore twice,
# the tools' order reversed the second time, the faster one counting), peak memory
# (/usr/bin/time: maximum resident set size) of captures and restores. One run: a history takes long
# enough that the tools are interleaved version by version instead of repeating it.
# Goals (issue 17): store <= 0.7x the smaller of restic's and borg's on (a) and (c), <= 1.0x on (b);
# capture time (mean per version) <= 0.5x restic's; restore of the latest <= 0.5x restic's; peak memory of
# statekeeper under 64 MiB whatever the file size.
# Defaults used: statekeeper as the Makefile builds it (zstd; every capture durable: fsync); restic backup
# (repository format 2: encrypted, zstd auto) with --tag vN; borg create (borg init -e repokey: encrypted,
# lz4); git add -A + commit (zlib loose objects, no gc). Needs (Debian): gcc python3 sqlite3 restic
# borgbackup git time libzstd-dev; run as root, it installs the missing ones. CC is honoured.
# A history's stores and restores are deleted after its figures are taken (the full run writes about
# 30 GB per history otherwise); the next history starts after a sync.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=build/bench
work=$out/statekeeper-runs
CC=${CC:-cc}
OPT="-O2 -DNDEBUG"

. bench/packages.sh
install_missing run_statekeeper.sh python3:python3 restic:restic borg:borgbackup git:git diff:diffutils \
    /usr/bin/time:time -:libzstd-dev
for t in python3 git diff /usr/bin/time; do
    command -v "$t" >/dev/null 2>&1 || { echo "run_statekeeper.sh: $t not found" >&2; exit 1; }
done
python3 -c 'import sqlite3' || { echo "run_statekeeper.sh: python3 has no sqlite3 module" >&2; exit 1; }

mkdir -p "$work"
flags=$(make -s --no-print-directory example-flags-statekeeper)
echo "run_statekeeper.sh: building $out/statekeeper ($CC $OPT $flags)"
# shellcheck disable=SC2086 # $flags is a list
$CC $OPT -std=c99 -I. examples/statekeeper/statekeeper.c -o "$out/statekeeper" $flags

exec python3 - "$work" "$out/statekeeper" "$CC $OPT $flags" "$@" <<'PY'
import os, random, re, shutil, sqlite3, subprocess, sys, time

work, sk_bin, flags = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2]), sys.argv[3]
args = sys.argv[4:]
write_results = "--write-results" in args
quick = "--quick" in args
only = "abc"
for a in args:
    if a.startswith("--only="):
        only = a.split("=", 1)[1].replace(",", "")
    elif a not in ("--write-results", "--quick"):
        sys.exit("run_statekeeper.sh: unknown option %s (--write-results, --quick, --only=a,b,c)" % a)
if quick and write_results:
    sys.exit("run_statekeeper.sh: --quick figures are not written to RESULTS.md")
env = dict(os.environ, RESTIC_PASSWORD="bench", BORG_PASSPHRASE="bench", LC_ALL="C",
           BORG_RELOCATED_REPO_ACCESS_IS_OK="yes", BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK="yes")
MiB = 1 << 20

def have(cmd):
    return shutil.which(cmd) is not None

def sh(cmd, cwd=None, check=True, extra_env=None):
    r = subprocess.run(cmd, cwd=cwd, env=dict(env, **(extra_env or {})), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if check and r.returncode != 0:
        sys.stderr.write(r.stdout.decode(errors="replace")[-3000:])
        sys.exit("run_statekeeper.sh: failed (%d): %s" % (r.returncode, " ".join(cmd)))
    return r

def timed(cmd, cwd, extra_env=None):
    """wall seconds and peak resident set size (bytes) of cmd, after a sync"""
    os.sync()
    tf = os.path.join(work, "time.out")
    t0 = time.monotonic()
    sh(["/usr/bin/time", "-f", "%M", "-o", tf] + cmd, cwd, extra_env=extra_env)
    t = time.monotonic() - t0
    rss = int(open(tf).read().split()[-1]) * 1024
    return t, rss

def du(path, apparent):
    a = ["du", "-sk"] + (["--apparent-size"] if apparent else []) + [path]
    return int(subprocess.run(a, stdout=subprocess.PIPE, check=True).stdout.split()[0]) * 1024

# ---- the histories: make(state) the first version, step(state, v) version v ----

class Sqlite:
    key = "a"
    def __init__(self):
        self.size = 8 * MiB if quick else 200 * MiB
        self.versions = 5 if quick else 50
        self.rng = random.Random(17)
        self.title = "(a) SQLite database, %d MiB, 1%% of the rows updated per version, %d versions" % (self.size // MiB, self.versions)
    def make(self, state):
        db = os.path.join(state, "app.db")
        c = sqlite3.connect(db)
        c.execute("create table t(id integer primary key, n integer, name text, data blob)")
        r, rows = self.rng, 0
        while os.path.getsize(db) < self.size:
            batch = [(rows + i + 1, r.getrandbits(40), "%016x" % r.getrandbits(64), r.randbytes(120)) for i in range(20000)]
            c.executemany("insert into t values (?, ?, ?, ?)", batch)
            c.commit()
            rows += len(batch)
        self.rows = rows
        c.close()
    def step(self, state, v):
        c = sqlite3.connect(os.path.join(state, "app.db"))
        r = self.rng
        ids = r.sample(range(1, self.rows + 1), self.rows // 100)
        c.executemany("update t set n = ?, data = ? where id = ?", [(r.getrandbits(40), r.randbytes(120), i) for i in ids])
        c.commit()
        c.close()
    def describe(self):
        return "%d rows, %.1f MiB" % (self.rows, self.size / MiB)

class Source:
    key = "b"
    def __init__(self):
        self.versions = 5 if quick else 50
        self.rng = random.Random(18)
        self.title = "(b) source tree (Python standard library .py files), small edits per version, %d versions" % self.versions
    def make(self, state):
        py = sorted((d for d in os.listdir("/usr/lib") if re.match(r"python3\.\d+$", d)), key=lambda d: int(d.split(".")[1]))
        if not py:
            sys.exit("run_statekeeper.sh: no /usr/lib/python3.N for the source tree")
        src = os.path.join("/usr/lib", py[-1])
        files = []
        for d, dirs, fs in os.walk(src):
            dirs[:] = sorted(x for x in dirs if x not in ("__pycache__", "site-packages", "dist-packages"))
            files += [os.path.join(d, f) for f in sorted(fs) if f.endswith(".py") and os.path.isfile(os.path.join(d, f))
                      and not os.path.islink(os.path.join(d, f))]
        if quick:
            files = files[:60]
        for f in files:
            dst = os.path.join(state, os.path.relpath(f, src))
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.copyfile(f, dst)
        self.src = src
    def files(self, state):
        out = []
        for d, dirs, fs in os.walk(state):
            dirs.sort()
            out += [os.path.join(d, f) for f in sorted(fs)]
        return out
    def line(self):
        r = self.rng
        return "    value_%d = compute(%d, %r)  # edited\n" % (r.getrandbits(16), r.getrandbits(20), "%08x" % r.getrandbits(32))
    def step(self, state, v):
        r = self.rng
        files = self.files(state)
        for f in r.sample(files, min(8, len(files))):
            lines = open(f, encoding="latin-1").readlines()
            i = r.randrange(len(lines) + 1)
            what = r.randrange(3)
            if what == 0 or not lines:
                lines.insert(i, self.line())
            elif what == 1:
                lines[min(i, len(lines) - 1)] = self.line()
            else:
                del lines[min(i, len(lines) - 1)]
            open(f, "w", encoding="latin-1").write("".join(lines))
        d = os.path.dirname(r.choice(files))
        open(os.path.join(d, "added_v%d.py" % v), "w").write("".join(self.line() for _ in range(r.randrange(20, 200))))
        if v % 3 == 0:
            os.unlink(r.choice(files[1:]))
        if v % 5 == 0:
            f = r.choice(self.files(state))
            os.rename(f, f[:-3] + "_renamed_v%d.py" % v)
    def describe(self):
        n = len(self.files(self.state))
        return "%d files, %.1f MB, from %s" % (n, du(self.state, True) / 1e6, self.src)

class Checkpoint:
    key = "c"
    BLOCK = 64 * 1024
    def __init__(self):
        self.size = 32 * MiB if quick else 1024 * MiB
        self.versions = 3 if quick else 10
        self.rng = random.Random(19)
        self.title = "(c) binary checkpoint, %d MiB, 20%% of its 64 KiB blocks changed per version, %d versions" % (self.size // MiB, self.versions)
        # the high byte of each little-endian word: sign and exponent of weights near +-0.01 .. +-1
        self.exp = bytes((0x3c, 0x3d, 0x3e, 0x3f, 0xbc, 0xbd, 0xbe, 0xbf)[i % 8] for i in range(256))
    def make(self, state):
        with open(os.path.join(state, "model.ckpt"), "wb") as f:
            for _ in range(self.size // (4 * MiB)):
                b = bytearray(self.rng.randbytes(4 * MiB))
                b[3::4] = bytes(b[3::4]).translate(self.exp)
                f.write(b)
    def step(self, state, v):
        r, n = self.rng, self.size // self.BLOCK
        fd = os.open(os.path.join(state, "model.ckpt"), os.O_RDWR)
        for i in sorted(r.sample(range(n), n // 5)):
            b = bytearray(os.pread(fd, self.BLOCK, i * self.BLOCK))
            b[0::4] = r.randbytes(self.BLOCK // 4)
            b[1::4] = r.randbytes(self.BLOCK // 4)
            os.pwrite(fd, b, i * self.BLOCK)
        os.close(fd)
    def describe(self):
        return "%.0f MiB in one file" % (self.size / MiB)

# ---- the tools: capture (v), restore (which: "latest" or "oldest", into out/state) ----

class Statekeeper:
    name, label = "statekeeper", "statekeeper capture / restore"
    def __init__(self, h, d):
        self.h, self.store = h, os.path.join(d, "store")
    def capture(self, v):
        return [sk_bin, "capture", "--store", self.store, "--state", "state", "-q"], None
    def restore(self, which, out):
        return [sk_bin, "restore", "--store", self.store, "-q"] + (["--version", "1"] if which == "oldest" else []) + \
            [os.path.join(out, "state")], None, None
    def stores(self):
        return [self.store]

class Restic:
    name, label = "restic", "restic backup / restore"
    def __init__(self, h, d):
        self.repo = os.path.join(d, "repo")
        self.c = ["restic", "--repo", self.repo, "--cache-dir", os.path.join(d, "cache"), "--quiet"]
        sh(self.c + ["init"])
    def capture(self, v):
        return self.c + ["backup", "--tag", "v%d" % v, "state"], None
    def restore(self, which, out):
        return self.c + ["restore", "latest"] + (["--tag", "v1"] if which == "oldest" else []) + ["--target", out], None, None
    def stores(self):
        return [self.repo]

class Borg:
    name, label = "borg", "borg create / extract"
    def __init__(self, h, d):
        self.repo = os.path.join(d, "repo")
        sh(["borg", "init", "-e", "repokey", self.repo])
        self.last = 0
    def capture(self, v):
        self.last = v
        return ["borg", "create", "%s::v%d" % (self.repo, v), "state"], None
    def restore(self, which, out):
        return ["borg", "extract", "%s::v%d" % (self.repo, 1 if which == "oldest" else self.last)], out, None
    def stores(self):
        return [self.repo]

class Git:
    name, label = "git", "git add -A + commit / checkout"
    def __init__(self, h, d):
        self.d, self.repo = d, os.path.join(d, "repo.git")
        self.g = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.org", "--git-dir=" + self.repo]
        sh(["git", "init", "-q", "--bare", self.repo])
    def capture(self, v):
        wt = self.g + ["--work-tree=state"]
        return ["sh", "-c", '"$@" add -A && "$@" commit -q --allow-empty -m "v$V"', "git"] + wt, None
    def restore(self, which, out):
        rev = "HEAD"
        if which == "oldest":
            rev = sh(self.g + ["rev-list", "--max-parents=0", "HEAD"]).stdout.decode().split()[0]
        os.makedirs(os.path.join(out, "state"))
        return self.g + ["--work-tree=" + os.path.join(out, "state"), "checkout", "-f", rev, "--", "."], None, \
            {"GIT_INDEX_FILE": os.path.join(out, "index")}
    def stores(self):
        return [self.repo]

tools = [(Statekeeper, None), (Restic, "restic"), (Borg, "borg"), (Git, "git")]
for cls, cmd in tools:
    if cmd and not have(cmd):
        print("run_statekeeper.sh: %s not found: its rows are skipped" % cmd, file=sys.stderr)
tools = [cls for cls, cmd in tools if cmd is None or have(cmd)]

def loadavg():
    return open("/proc/loadavg").read().split()[:3]

def machine():
    cpu = ""
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    fs = subprocess.run(["df", "-T", work], stdout=subprocess.PIPE).stdout.decode().splitlines()[-1].split()[1]
    mem = int(open("/proc/meminfo").read().split()[1]) // 1024
    return "%s, %d CPUs, %s, %d MiB RAM; %s file system" % (os.uname().machine, os.cpu_count(), cpu, mem, fs)

def tool_version(name):
    if name == "statekeeper":
        return sh([sk_bin, "--version"]).stdout.decode().split("\n")[0]
    if name == "restic":
        return " ".join(sh(["restic", "version"]).stdout.decode().split()[:2])
    return sh([name, "--version"]).stdout.decode().strip().split("\n")[0]

def run_history(h):
    hd = os.path.join(work, h.key)
    if os.path.exists(hd):
        shutil.rmtree(hd)
    state = os.path.join(hd, "state")
    os.makedirs(state)
    h.state = state
    h.make(state)
    shutil.copytree(state, os.path.join(hd, "v1"), symlinks=True)
    ts = []
    for cls in tools:
        d = os.path.join(hd, cls.name)
        os.makedirs(d)
        ts.append(cls(h, d))
    res = {t.name: dict(capture=[], rss_capture=0) for t in ts}
    load0 = loadavg()
    print("run_statekeeper.sh: %s: %s; load average %s" % (h.title, h.describe(), " ".join(load0)), flush=True)
    for v in range(1, h.versions + 1):
        if v > 1:
            h.step(state, v)
        order = ts[v % len(ts):] + ts[:v % len(ts)]
        line = []
        for t in order:
            cmd, cwd = t.capture(v)
            secs, rss = timed(cmd, cwd or hd, {"V": str(v)})
            res[t.name]["capture"].append(secs)
            res[t.name]["rss_capture"] = max(res[t.name]["rss_capture"], rss)
            line.append("%s %.2f s" % (t.name, secs))
        print("  version %d: %s" % (v, ", ".join(line)), flush=True)
    for t in ts:
        r = res[t.name]
        r["size"] = sum(du(p, False) for p in t.stores())
        r["apparent"] = sum(du(p, True) for p in t.stores())
    # Restores: each twice, the tools' order reversed the second time, the faster counting. The first tool to
    # write a GiB on a fresh VM pays for the pages the host hands it (a first restore here took 3.2 s, the same
    # one again 1.2 s): in a fixed order that cost always fell on the same tool.
    for rnd in range(2):
        for t in (ts if rnd == 0 else ts[::-1]):
            r = res[t.name]
            for which, expect in (("latest", state), ("oldest", os.path.join(hd, "v1"))):
                out = os.path.join(hd, "out-%s-%s-%d" % (t.name, which, rnd))
                os.makedirs(out)
                cmd, cwd, extra = t.restore(which, out)
                secs, rss = timed(cmd, cwd or hd, extra)
                t0 = time.monotonic()
                os.sync() # what making the restored files durable took after the command (statekeeper syncs them itself)
                synced = time.monotonic() - t0
                if rnd == 0 or secs < r["restore_" + which]:
                    r["restore_" + which], r["sync_" + which] = secs, synced
                r.setdefault("restores_" + which, []).append(secs)
                r["rss_restore"] = max(r.get("rss_restore", 0), rss)
                d = sh(["diff", "-r", "--no-dereference", expect, os.path.join(out, "state")], check=False)
                if d.returncode != 0:
                    sys.stderr.write(d.stdout.decode(errors="replace")[:3000])
                    sys.exit("run_statekeeper.sh: %s's restore of the %s version differs from what was captured" % (t.name, which))
                shutil.rmtree(out, ignore_errors=True)
    for t in ts:
        r = res[t.name]
        print("  %s: store %.1f MB, restore latest %.2f s (%s), oldest %.2f s (%s), peak memory %.1f MiB" %
              (t.name, r["size"] / 1e6, r["restore_latest"], " ".join("%.2f" % x for x in r["restores_latest"]),
               r["restore_oldest"], " ".join("%.2f" % x for x in r["restores_oldest"]),
               max(r["rss_capture"], r["rss_restore"]) / MiB), flush=True)
    desc = h.describe()
    shutil.rmtree(hd, ignore_errors=True)
    os.sync()
    return dict(h=h, res=res, names=[t.name for t in ts], labels={t.name: t.label for t in ts}, desc=desc,
                load0=load0, load1=loadavg())

hists = [c() for c in (Sqlite, Source, Checkpoint) if c.key in only]
print("run_statekeeper.sh: %s; %s" % (machine(), ", ".join(tool_version(t.name) for t in tools)), flush=True)
results = [run_history(h) for h in hists]

def mean(xs):
    return sum(xs) / len(xs) if xs else 0.0

def verdict(ok):
    return "reached" if ok else "NOT reached"

mb = lambda x: "%.1f MB" % (x / 1e6)
lines = ["_%s; %s%s_\n" % (time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), machine(), "; --quick (smoke sizes)" if quick else ""),
         "Tools: %s. Each with its default options; after every version each tool captures the state folder "
         "(the order rotates from version to version, a sync before each command); wall time of the whole command, "
         "peak memory = maximum resident set size (/usr/bin/time). Store sizes after the last version: disk usage "
         "(du -s) and bytes in files. Restores into a new folder, each compared with the version captured (diff -r): "
         "identical; each restore runs twice, the tools' order reversed the second time, and the faster counts (on "
         "this VM the first tool to write a GiB pays for the fresh pages the host hands it); \"+ sync after it\": a "
         "sync(2) timed right after that restore of the latest (what making its files durable still took). One run (other sessions share the two cores: load averages below).\n" %
         ", ".join(tool_version(t.name) for t in tools)]
goals = []
peak_dx = 0
for r in results:
    h, res, names = r["h"], r["res"], r["names"]
    lines.append("**%s** (%s; load average %s at the start, %s at the end)\n" % (h.title, r["desc"], "/".join(r["load0"]), "/".join(r["load1"])))
    lines.append("| tool | store, du -s | store, bytes | first capture (s) | later captures, mean (s) | restore latest (s) | + sync after it (s) | restore oldest (s) | peak memory capture / restore (MiB) | statekeeper / tool: store, capture, restore latest |")
    lines.append("|---|---|---|---|---|---|---|---|---|---|")
    dx = res["statekeeper"]
    for n in names:
        x = res[n]
        later = x["capture"][1:] or x["capture"]
        ratio = "1" if n == "statekeeper" else "%.2f, %.2f, %.2f" % (
            dx["size"] / x["size"], mean(dx["capture"]) / mean(x["capture"]), dx["restore_latest"] / x["restore_latest"])
        lines.append("| %s | %s | %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.1f / %.1f | %s |" % (
            r["labels"][n], mb(x["size"]), mb(x["apparent"]), x["capture"][0], mean(later), x["restore_latest"],
            x["sync_latest"], x["restore_oldest"], x["rss_capture"] / MiB, x["rss_restore"] / MiB, ratio))
    lines.append("")
    peak_dx = max(peak_dx, dx["rss_capture"], dx["rss_restore"])
    peers = [n for n in ("restic", "borg") if n in res]
    if peers:
        best = min(peers, key=lambda n: res[n]["size"])
        limit = 1.0 if h.key == "b" else 0.7
        q = dx["size"] / res[best]["size"]
        goals.append("- %s: store <= %.1fx the smaller of restic's and borg's (du -s): statekeeper %s, %s %s (%.2fx): %s" %
                     (h.key, limit, mb(dx["size"]), best, mb(res[best]["size"]), q, verdict(q <= limit)))
    if "restic" in res:
        rc = mean(dx["capture"]) / mean(res["restic"]["capture"])
        goals.append("- %s: capture time (mean per version) <= 0.5x restic's: statekeeper %.2f s, restic %.2f s (%.2fx): %s" %
                     (h.key, mean(dx["capture"]), mean(res["restic"]["capture"]), rc, verdict(rc <= 0.5)))
        rl = dx["restore_latest"] / res["restic"]["restore_latest"]
        goals.append("- %s: restore of the latest version <= 0.5x restic's: statekeeper %.2f s, restic %.2f s (%.2fx): %s" %
                     (h.key, dx["restore_latest"], res["restic"]["restore_latest"], rl, verdict(rl <= 0.5)))
        dl = (dx["restore_latest"] + dx["sync_latest"]) / (res["restic"]["restore_latest"] + res["restic"]["sync_latest"])
        goals.append("  (statekeeper's restore returns once its files are durable, restic's does not: with a sync after "
                     "each, statekeeper %.2f s, restic %.2f s: %.2fx)" % (dx["restore_latest"] + dx["sync_latest"],
                     res["restic"]["restore_latest"] + res["restic"]["sync_latest"], dl))
    else:
        goals.append("- %s: restic is not installed: the goals against it were not measured" % h.key)
goals.append("- peak memory of statekeeper under 64 MiB (captures and restores, every history): %.1f MiB: %s%s" %
             (peak_dx / MiB, verdict(peak_dx < 64 * MiB), " (at --quick sizes only)" if quick else ""))
skipped = [c.key for c in (Sqlite, Source, Checkpoint) if c.key not in only]
if skipped:
    lines.append("Not run this time (--only=%s): history %s.\n" % (only, ", ".join("(%s)" % k for k in skipped)))
lines.append("Goals (issue 17, default options, same run):\n")
lines.extend(goals)
lines.append("\nBuilt with %s (examples/statekeeper/statekeeper.c). Histories and runs: bench/run_statekeeper.sh%s." %
             (flags, " --quick" if quick else ""))
body = "\n".join(lines) + "\n"
print()
print(body)

if write_results:
    path = "bench/RESULTS.md"
    title = "## Version histories of a state folder: statekeeper against restic, borg and git (bench/run_statekeeper.sh)"
    section = "<!-- BEGIN statekeeper -->\n%s\n\n%s<!-- END statekeeper -->\n" % (title, body)
    text = open(path).read() if os.path.exists(path) else ""
    m = re.search(r"<!-- BEGIN statekeeper -->\n.*?<!-- END statekeeper -->\n", text, re.S)
    text = text[:m.start()] + section + text[m.end():] if m else text.rstrip("\n") + "\n\n" + section
    open(path, "w").write(text)
    print("run_statekeeper.sh: wrote the statekeeper section of %s" % path)
PY

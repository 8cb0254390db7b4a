/* tool.h - what every dx example program shares: how it talks to its user and
   how it writes files without ever losing one. Not a library header: each
   example includes it once (static functions), before its own code.

   The rules it carries out (README "Command-line tools"):
   - `-h`/`--help` print the usage to stdout, exit 0; `--version` prints the
     versions of the headers the tool is built from, exit 0.
   - Bad usage (unknown option, missing or bad value) names the problem, prints
     the usage line to stderr and exits 2. A failure exits 1. 0 means done.
   - Messages start with the tool's name and name the file they are about;
     errno is printed only right after the call that set it.
   - Progress goes to stderr, only on a terminal or with --progress, and never
     for a phase that ends within 0.1 s.
   - An output is written to a temporary name next to it, synced, checked and
     renamed (a signal that ends the tool removes it first); it never replaces
     an input (same file, any name) and never an existing file unless the user
     said -f. */
#ifndef DX_EXAMPLES_TOOL_H
#define DX_EXAMPLES_TOOL_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#if defined(_WIN32)
#include <windows.h>
#include <io.h>
#else
#include <dirent.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>
#endif

#if !defined(_WIN32)
/* A tool's files may pass 2 GiB: on a 32-bit host that needs a 64-bit off_t (else stat and open fail there,
   and offsets past 4 GiB wrap): each tool defines _FILE_OFFSET_BITS 64 before any header. */
typedef char tool_off_t_has_64_bits[sizeof(off_t) >= 8 ? 1 : -1];
#endif

/* unused helpers cost nothing and warn nothing */
#define TOOL_FN static inline

#define TOOL_EXIT_OK 0
#define TOOL_EXIT_FAIL 1
#define TOOL_EXIT_USAGE 2

static struct {
    const char *name;  /* "dxdiff": the first word of every message */
    const char *usage; /* the full --help text; its first line is the usage line */
    int progress;      /* -1 never (--quiet), 0 on a terminal, 1 always (--progress) */
} tool;

TOOL_FN void tool_start(const char *name, const char *usage) {
    tool.name = name, tool.usage = usage;
}

TOOL_FN void tool_progress_end(bool complete);

/* "name: message\n" on stderr; returns TOOL_EXIT_FAIL. */
TOOL_FN int tool_fail(const char *fmt, ...) {
    va_list ap;
    tool_progress_end(false);
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", tool.name), vfprintf(stderr, fmt, ap), fputc('\n', stderr);
    va_end(ap);
    return TOOL_EXIT_FAIL;
}

/* A warning that does not stop the work (a skipped file): same form, no exit code. */
TOOL_FN void tool_warn(const char *fmt, ...) {
    va_list ap;
    tool_progress_end(false);
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", tool.name), vfprintf(stderr, fmt, ap), fputc('\n', stderr);
    va_end(ap);
}

/* Bad usage: the problem, then the usage line (the help text's first line) and a
   pointer to --help, on stderr; returns TOOL_EXIT_USAGE. */
TOOL_FN int tool_usage_error(const char *fmt, ...) {
    va_list ap;
    const char *nl = strchr(tool.usage, '\n');
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", tool.name), vfprintf(stderr, fmt, ap), fputc('\n', stderr);
    va_end(ap);
    fprintf(stderr, "%.*s\nTry '%s --help' for more.\n", nl ? (int)(nl - tool.usage) : (int)strlen(tool.usage),
            tool.usage, tool.name);
    return TOOL_EXIT_USAGE;
}

TOOL_FN bool tool_is_help(const char *arg) { return !strcmp(arg, "-h") || !strcmp(arg, "--help"); }

TOOL_FN int tool_help(void) {
    fputs(tool.usage, stdout);
    return fflush(stdout) == 0 ? TOOL_EXIT_OK : TOOL_EXIT_FAIL;
}

/* --version: "NAME (dx) HEADER VERSION[, HEADER VERSION...]"; parts is that list. */
TOOL_FN int tool_version(const char *parts) {
    printf("%s (dx) %s\n", tool.name, parts);
    return fflush(stdout) == 0 ? TOOL_EXIT_OK : TOOL_EXIT_FAIL;
}

/* A whole decimal number in [min, max]; with suffixes, K, M and G multiply by
   1024, 1024^2, 1024^3. -1 (nothing stored) for anything else: "12x", "", "-3". */
TOOL_FN int tool_parse_u64(const char *s, uint64_t min, uint64_t max, bool suffixes, uint64_t *out) {
    uint64_t v = 0, mul = 1;
    const char *p = s;
    if (*p < '0' || *p > '9') return -1;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (v > (UINT64_MAX - (uint64_t)(*p - '0')) / 10) return -1;
        v = v * 10 + (uint64_t)(*p - '0');
    }
    if (suffixes && *p) {
        char unit = *p++;
        mul = unit == 'K' || unit == 'k' ? 1u << 10 : unit == 'M' || unit == 'm' ? 1u << 20 : unit == 'G' || unit == 'g' ? 1u << 30 : 0;
        if (*p == 'i') p++; /* 4K, 4KiB and 4KB are all 4096 */
        if (*p == 'B') p++;
    }
    if (*p || !mul || v > UINT64_MAX / mul || v * mul < min || v * mul > max) return -1;
    *out = v * mul;
    return 0;
}

/* ---- progress: one line on stderr, redrawn at most 10 times a second ---- */

static struct { bool tty, shown, pending; const char *label; uint64_t done, total; double start, last; } tool_P;

TOOL_FN double tool_now(void) {
#if defined(_WIN32)
    return (double)GetTickCount64() / 1000.0;
#else
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
#endif
}

TOOL_FN bool tool_progress_on(void) {
#if defined(_WIN32)
    bool tty = _isatty(_fileno(stderr)) != 0;
#else
    bool tty = isatty(fileno(stderr)) != 0;
#endif
    tool_P.tty = tty;
    return tool.progress > 0 || (tool.progress == 0 && tty);
}

/* done of total (total 0: a count with no end, shown as it is); unit "MiB"
   divides bytes by 2^20, anything else counts items. */
TOOL_FN void tool_progress_draw(bool force, const char *unit) {
    double t = tool_now(), div = unit && !strcmp(unit, "MiB") ? 1048576.0 : 1.0;
    int digits = div > 1.0 ? 1 : 0; /* MiB to a tenth; items whole */
    if (!tool_P.label || (!force && (t - tool_P.last < 0.1 || (!tool_P.shown && t - tool_P.start < 0.1)))) return;
    if (tool_P.total)
        fprintf(stderr, "%s%s: %-14s %9.*f / %.*f %s %3.0f%%%s", tool_P.tty ? "\r" : "", tool.name, tool_P.label, digits,
                (double)tool_P.done / div, digits, (double)tool_P.total / div, unit ? unit : "",
                100.0 * (double)tool_P.done / (double)tool_P.total, tool_P.tty ? "  " : "\n");
    else
        fprintf(stderr, "%s%s: %-14s %9.*f %s%s", tool_P.tty ? "\r" : "", tool.name, tool_P.label, digits,
                (double)tool_P.done / div, unit ? unit : "", tool_P.tty ? "  " : "\n");
    tool_P.last = t, tool_P.shown = true, tool_P.pending = tool_P.tty;
}

static const char *tool_P_unit;

TOOL_FN void tool_progress_start(const char *label, uint64_t total, const char *unit) {
    tool_progress_end(true);
    if (!tool_progress_on()) return;
    tool_P.label = label, tool_P.total = total, tool_P.done = 0, tool_P.start = tool_P.last = tool_now();
    tool_P_unit = unit;
    if (tool.progress > 0) tool_progress_draw(true, unit); /* asked for: even short phases show */
}

TOOL_FN void tool_progress(uint64_t done) {
    if (!tool_P.label) return;
    tool_P.done = tool_P.total && done > tool_P.total ? tool_P.total : done;
    tool_progress_draw(false, tool_P_unit);
}

TOOL_FN void tool_progress_end(bool complete) {
    if (tool_P.label && tool_P.shown && complete) {
        if (tool_P.total) tool_P.done = tool_P.total;
        tool_progress_draw(true, tool_P_unit);
    }
    if (tool_P.pending) fputc('\n', stderr);
    tool_P.label = NULL, tool_P.shown = tool_P.pending = false;
}

/* ---- files ---- */

/* 1 a directory, 0 something else or nothing, with errno left as stat set it. */
TOOL_FN int tool_is_dir(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR;
}

/* What path is where a tool reads it as a file and cannot (opening a named pipe waits for a writer, a
   socket does not open): "a pipe", "a socket"; NULL for anything else (the open says the rest). */
TOOL_FN const char *tool_not_a_file(const char *path) {
#if !defined(_WIN32)
    struct stat st;
    if (stat(path, &st) != 0) return NULL;
    if (S_ISFIFO(st.st_mode)) return "a pipe"; /* named or not: /dev/stdin of a pipeline */
    if (S_ISSOCK(st.st_mode)) return "a socket";
#else
    (void)path;
#endif
    return NULL;
}

/* Whether a and b are the same file (any names, hard links too); false when either is missing. */
TOOL_FN bool tool_same_file(const char *a, const char *b) {
#if defined(_WIN32)
    BY_HANDLE_FILE_INFORMATION ia, ib;
    bool same = false;
    HANDLE ha = CreateFileA(a, 0, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL, OPEN_EXISTING,
                            FILE_FLAG_BACKUP_SEMANTICS, NULL);
    HANDLE hb = CreateFileA(b, 0, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL, OPEN_EXISTING,
                            FILE_FLAG_BACKUP_SEMANTICS, NULL);
    if (ha != INVALID_HANDLE_VALUE && hb != INVALID_HANDLE_VALUE && GetFileInformationByHandle(ha, &ia) &&
        GetFileInformationByHandle(hb, &ib))
        same = ia.dwVolumeSerialNumber == ib.dwVolumeSerialNumber && ia.nFileIndexHigh == ib.nFileIndexHigh &&
               ia.nFileIndexLow == ib.nFileIndexLow;
    if (ha != INVALID_HANDLE_VALUE) CloseHandle(ha);
    if (hb != INVALID_HANDLE_VALUE) CloseHandle(hb);
    return same;
#else
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
#endif
}

/* An output being written: tmp (next to path, so the rename stays on one file
   system) until tool_out_commit renames it to path. */
typedef struct tool_out {
    FILE *f;
    char *path, *tmp;
} tool_out;

/* Removes the temporary files of path ("path.tmp-PID-N") that runs killed
   before their rename left (kill -9, a crash, a power cut): those of a
   process that is gone and that no process holds a lock on (a writer holds
   one). Says so for each. POSIX; on Windows nothing (its names stay). */
TOOL_FN void tool_out_sweep(const char *path) {
#if !defined(_WIN32)
    const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;
    size_t dir_len = slash ? (size_t)(slash - path) + 1 : 0, base_len = strlen(base);
    char dir[4096], name[4096 + 300];
    DIR *d;
    struct dirent *de;
    if (dir_len + 2 > sizeof dir) return;
    if (dir_len) memcpy(dir, path, dir_len), dir[dir_len] = 0;
    else strcpy(dir, ".");
    if (!(d = opendir(dir))) return;
    while ((de = readdir(d))) {
        const char *p = de->d_name;
        char *end;
        long pid;
        int fd;
        struct flock lk;
        struct stat st;
        if (strncmp(p, base, base_len) != 0 || strncmp(p + base_len, ".tmp-", 5) != 0) continue;
        p += base_len + 5;
        if (*p < '1' || *p > '9') continue;
        pid = strtol(p, &end, 10);
        if (*end != '-' || end[1] < '0' || end[1] > '9') continue;
        for (p = end + 1; *p >= '0' && *p <= '9'; p++) {}
        if (*p || pid <= 0 || (long)(pid_t)pid != pid) continue;
        if (kill((pid_t)pid, 0) == 0 || errno != ESRCH) continue; /* alive, or not ours to tell (EPERM): kept */
        if ((size_t)snprintf(name, sizeof name, "%.*s%s", (int)dir_len, path, de->d_name) >= sizeof name) continue;
        if ((fd = open(name, O_WRONLY | O_NOFOLLOW)) < 0) continue;
        memset(&lk, 0, sizeof lk);
        lk.l_type = F_WRLCK, lk.l_whence = SEEK_SET; /* the whole file */
        if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() && fcntl(fd, F_SETLK, &lk) == 0 &&
            unlink(name) == 0)
            tool_warn("removed %s, left by an interrupted run (process %ld is gone)", name, pid);
        close(fd);
    }
    closedir(d);
#else
    (void)path;
#endif
}

/* Temporary files removed when a signal ends the program (Ctrl-C, SIGTERM,
   SIGHUP, SIGPIPE): the handler removes those being written, then the program dies of
   the signal as it would have (status 128 + its number, which a shell's loop
   reads as "interrupted"). Only signals whose action is the default are taken:
   a program that handles or ignores one (a background job's SIGINT) keeps it.
   tool_out_open watches its temporary file, tool_out_commit and _abort stop;
   a program's own temporary files call these themselves. A kill -9 still
   leaves one; tool_out_sweep removes those of outputs at the next run. */
#define TOOL_TMP_WATCHED 4
static struct {
    char path[4096 + 64];
    volatile sig_atomic_t set;
} tool_tmp[TOOL_TMP_WATCHED];

TOOL_FN void tool_tmp_on_signal(int sig) {
    int i;
    for (i = 0; i < TOOL_TMP_WATCHED; i++)
#if defined(_WIN32)
        if (tool_tmp[i].set) remove(tool_tmp[i].path);
#else
        if (tool_tmp[i].set) unlink(tool_tmp[i].path); /* async-signal-safe */
#endif
    signal(sig, SIG_DFL);
    raise(sig);
}

TOOL_FN void tool_tmp_watch(const char *path) {
    static bool installed;
    static const int sigs[] = {SIGINT, SIGTERM,
#if !defined(_WIN32) /* SIGPIPE: progress on stderr into a pipe that closed (| head) */
                               SIGHUP, SIGPIPE
#endif
    };
    size_t i;
    for (i = 0; i < TOOL_TMP_WATCHED && tool_tmp[i].set; i++) {}
    if (i == TOOL_TMP_WATCHED || strlen(path) >= sizeof tool_tmp[i].path) return; /* then only the sweep removes it */
    strcpy(tool_tmp[i].path, path);
    tool_tmp[i].set = 1;
    if (installed) return;
    installed = true;
    for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
#if defined(_WIN32)
        void (*old)(int) = signal(sigs[i], tool_tmp_on_signal);
        if (old != SIG_DFL) signal(sigs[i], old);
#else
        struct sigaction sa, old;
        if (sigaction(sigs[i], NULL, &old) != 0 || (old.sa_flags & SA_SIGINFO) || old.sa_handler != SIG_DFL) continue;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = tool_tmp_on_signal;
        sigaction(sigs[i], &sa, NULL);
#endif
    }
}

/* path renamed or removed: no longer removed on a signal */
TOOL_FN void tool_tmp_unwatch(const char *path) {
    int i;
    for (i = 0; path && i < TOOL_TMP_WATCHED; i++)
        if (tool_tmp[i].set && !strcmp(tool_tmp[i].path, path)) tool_tmp[i].set = 0;
}

/* Why path's folder cannot take a new file (the output's temporary one goes there): it does not
   exist, is not a folder, or cannot be written; NULL when it can (or cannot be told: Windows).
   *dir gets the folder's name. */
TOOL_FN const char *tool_out_dir_problem(const char *path, char *dir, size_t cap) {
#if defined(_WIN32)
    (void)path, (void)cap;
    dir[0] = 0;
    return NULL;
#else
    struct stat st;
    const char *slash = strrchr(path, '/');
    size_t n = slash ? (size_t)(slash - path) : 1;
    if (n >= cap) return NULL;
    if (!slash) strcpy(dir, ".");
    else if (n == 0) strcpy(dir, "/");
    else memcpy(dir, path, n), dir[n] = 0;
    if (stat(dir, &st) != 0) return "does not exist";
    if ((st.st_mode & S_IFMT) != S_IFDIR) return "is not a folder";
    if (access(dir, W_OK | X_OK) != 0) return errno == EROFS ? "is on a read-only file system" : "is a folder this user cannot write";
    return NULL;
#endif
}

/* Opens an output for writing, refusing (with a message, TOOL_EXIT_FAIL) a path
   that is one of the inputs, a directory, or an existing file without force.
   A symbolic link: the file it names is the output (the link stays).
   inputs: NULL-terminated list of paths the tool reads. */
TOOL_FN int tool_out_open(tool_out *o, const char *path, bool force, const char *const *inputs) {
    static unsigned serial;
    struct stat st;
    size_t n;
    int fd = -1, tries;
    char *real = NULL;
    const char *given = path; /* as the user named it (path may become the file a link names) */
    bool replacing;
    memset(o, 0, sizeof *o);
    if (strcmp(path, "-") == 0) /* not a stream: the output is checked before it replaces anything */
        return tool_fail("\"-\" (standard output) cannot be the output: it is written to a temporary file and renamed "
                         "when whole; name a file (./- for one called -)");
    for (; inputs && *inputs; inputs++)
        if (tool_same_file(path, *inputs)) return tool_fail("%s is also an input (%s): refusing to overwrite it", path, *inputs);
#if !defined(_WIN32)
    if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) { /* renamed over, the link itself would become the file */
        if (!(real = realpath(path, NULL)))
            return tool_fail("%s is a symbolic link to a file that cannot be reached (%s): name the file itself", path, strerror(errno));
        path = real;
    }
#endif
    if (stat(path, &st) == 0 && (st.st_mode & S_IFMT) != S_IFREG && (st.st_mode & S_IFMT) != S_IFDIR) {
        /* renamed over, a device (/dev/null), a pipe or a socket would be replaced by a file: never, not with -f */
        int rc = tool_fail("%s is not a regular file (a device, a pipe or a socket): refusing to replace it; name a file", path);
        free(real);
        return rc;
    }
    if (stat(path, &st) == 0 && ((st.st_mode & S_IFMT) == S_IFDIR || !force)) {
        int rc = tool_fail((st.st_mode & S_IFMT) == S_IFDIR ? "%s is a directory" : "%s exists (use -f to overwrite it)", path);
        free(real);
        return rc;
    }
    replacing = stat(path, &st) == 0; /* with -f: its permission bits go to the new file (a private one stays private) */
    {   /* said of the output, not of its temporary file; through a symbolic link, the folder of the file it names */
        char dir[4096];
        const char *why = tool_out_dir_problem(path, dir, sizeof dir);
        if (why) {
            int rc = tool_fail("cannot create %s: %s %s", given, dir, why);
            free(real);
            return rc;
        }
    }
    n = strlen(path) + 40;
    if (!(o->tmp = (char *)malloc(n)) || !(o->path = (char *)malloc(strlen(path) + 1))) {
        free(o->tmp), free(real), o->tmp = NULL;
        return tool_fail("out of memory");
    }
    strcpy(o->path, path);
    free(real);
    path = o->path;
    for (tries = 0; fd < 0 && tries < 100; tries++) {
#if defined(_WIN32)
        snprintf(o->tmp, n, "%s.tmp-%lu-%u", path, (unsigned long)GetCurrentProcessId(), serial++);
        fd = _open(o->tmp, _O_WRONLY | _O_CREAT | _O_EXCL | _O_BINARY, 0644);
        (void)replacing; /* Windows: a replaced file's permissions are its folder's ACLs */
#else
        snprintf(o->tmp, n, "%s.tmp-%ld-%u", path, (long)getpid(), serial++);
        fd = open(o->tmp, O_WRONLY | O_CREAT | O_EXCL, replacing ? 0600 : 0644);
#endif
        if (fd < 0 && errno != EEXIST) break;
    }
#if !defined(_WIN32)
    if (fd >= 0 && replacing) (void)fchmod(fd, st.st_mode & 0777); /* the replaced file's, not the umask's */
#endif
    if (fd < 0 || !(o->f = fdopen(fd, "wb"))) {
        int e = errno;
        if (fd >= 0) close(fd), remove(o->tmp);
        tool_fail("cannot create %s: %s", o->tmp, strerror(e));
        free(o->tmp), free(o->path), o->tmp = o->path = NULL;
        return TOOL_EXIT_FAIL;
    }
#if !defined(_WIN32)
    {   /* held while written: tool_out_sweep in another run leaves it (a lock goes with its process) */
        struct flock lk;
        memset(&lk, 0, sizeof lk);
        lk.l_type = F_WRLCK, lk.l_whence = SEEK_SET;
        (void)fcntl(fd, F_SETLK, &lk);
    }
#endif
    tool_tmp_watch(o->tmp);
    tool_out_sweep(path);
    return TOOL_EXIT_OK;
}

/* Gives up on an output: the temporary file goes, path is as it was. */
TOOL_FN void tool_out_abort(tool_out *o) {
    if (o->f) fclose(o->f);
    if (o->tmp) remove(o->tmp);
    tool_tmp_unwatch(o->tmp);
    free(o->tmp), free(o->path);
    memset(o, 0, sizeof *o);
}

/* Makes a rename in dir durable (POSIX: fsync of the directory; Windows: MoveFileEx
   with WRITE_THROUGH already did). */
TOOL_FN int tool_sync_dir_of(const char *path) {
#if defined(_WIN32)
    (void)path;
    return 0;
#else
    char dir[4096];
    const char *slash = strrchr(path, '/');
    int fd, rc;
    if (!slash) strcpy(dir, ".");
    else if ((size_t)(slash - path) >= sizeof dir) return -1;
    else if (slash == path) strcpy(dir, "/");
    else memcpy(dir, path, (size_t)(slash - path)), dir[slash - path] = 0;
    if ((fd = open(dir, O_RDONLY)) < 0) return -1;
    rc = fsync(fd);
    close(fd);
    return rc == 0 || errno == EINVAL || errno == EROFS ? 0 : -1; /* some file systems cannot sync folders */
#endif
}

/* Finishes an output: flush, fsync, close, rename over path, sync the folder.
   On any failure the temporary file goes and path is as it was. */
TOOL_FN int tool_out_commit(tool_out *o) {
    int ok = fflush(o->f) == 0 && !ferror(o->f), e = ok ? 0 : errno ? errno : EIO;
#if defined(_WIN32)
    if (ok && _commit(_fileno(o->f)) != 0) ok = 0, e = errno;
#else
    if (ok && fsync(fileno(o->f)) != 0) ok = 0, e = errno;
#endif
    if (fclose(o->f) != 0 && ok) ok = 0, e = errno;
    o->f = NULL;
    if (!ok) {
        tool_fail("cannot write %s: %s", o->tmp, strerror(e));
        tool_out_abort(o);
        return TOOL_EXIT_FAIL;
    }
#if defined(_WIN32)
    ok = MoveFileExA(o->tmp, o->path, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH) != 0;
    if (!ok) errno = EACCES;
#else
    ok = rename(o->tmp, o->path) == 0;
#endif
    if (!ok) {
        tool_fail("cannot rename %s to %s: %s", o->tmp, o->path, strerror(errno));
        tool_out_abort(o);
        return TOOL_EXIT_FAIL;
    }
    tool_tmp_unwatch(o->tmp);
    if (tool_sync_dir_of(o->path) != 0) tool_warn("%s written, but its folder could not be synced: %s", o->path, strerror(errno));
    free(o->tmp), free(o->path);
    memset(o, 0, sizeof *o);
    return TOOL_EXIT_OK;
}

/* ---- what programs that write folders share (POSIX) ---- */
#if !defined(_WIN32)

/* Whether path is a folder with no entries; false with *err = errno when it cannot be read. */
TOOL_FN bool tool_dir_is_empty(const char *path, int *err) {
    DIR *d = opendir(path);
    struct dirent *de;
    bool empty = true;
    *err = 0;
    if (!d) {
        *err = errno;
        return false;
    }
    while ((de = readdir(d)) != NULL)
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) empty = false;
    closedir(d);
    return empty;
}

/* A folder a tool keeps a dx_cas directory store in (what: "a dx_sync store"): TOOL_EXIT_OK where it is
   one already (it holds objects/), is empty, or is missing (the store's open makes it); else says why
   and TOOL_EXIT_FAIL. A tool never mixes its files into a folder of the user's. */
TOOL_FN int tool_store_folder_ok(const char *path, const char *what) {
    struct stat st;
    char objects[4200];
    int err = 0;
    if (stat(path, &st) != 0) return errno == ENOENT ? TOOL_EXIT_OK : tool_fail("cannot open %s: %s", path, strerror(errno));
    if (!S_ISDIR(st.st_mode)) return tool_fail("%s is not %s (it is a file, not a folder)", path, what);
    if (snprintf(objects, sizeof objects, "%s/objects", path) >= (int)sizeof objects) return tool_fail("%s: path too long", path);
    if (tool_is_dir(objects) || tool_dir_is_empty(path, &err)) return TOOL_EXIT_OK;
    if (err) return tool_fail("cannot open %s: %s", path, strerror(err));
    return tool_fail("%s is not %s, and not empty: refusing to make one there", path, what);
}

/* ---- whose store ----
   What a dx_cas store's refs and trees mean is its writer's (dx_cas.h), and only the writer's
   records name all of its objects: a tool that wrote into another tool's store, or collected its
   garbage, would break it (statekeeper's gc deleted a dx_sync store's versions). So a store says
   whose it is: the tool that makes one (or first writes one made before this) writes STORE/dx-tool,
   one line: "statekeeper store", "cas_snap store", "dx_sync store" or "dx_sync cache"; and every
   tool refuses a store whose line is not its own. A store without the file is told by what its
   tool keeps there: statekeeper.lock (statekeeper's), outs/ or refs all v-... and out-... (a
   dx_sync cache), refs/latest (cas_snap's: statekeeper keeps its lock beside its latest), other
   refs (a dx_sync store's names, or another program's); one with no refs is nobody's yet. */
#define TOOL_STORE_MARK "dx-tool"

/* Whose store path is: its kind, "" where nobody's yet (missing, empty, no refs and no dx-tool),
   with *how the file that tells (a static buffer: "dx-tool", "statekeeper.lock", "refs/app"). */
TOOL_FN const char *tool_store_owner(const char *path, const char **how) {
    static char kind[64], why[160];
    char p[4200];
    FILE *f;
    DIR *d;
    struct dirent *de;
    const char *other = NULL;
    bool latest = false, cache_refs = false;
    *how = "";
    snprintf(p, sizeof p, "%s/" TOOL_STORE_MARK, path);
    if ((f = fopen(p, "r")) != NULL) {
        bool got = fgets(kind, sizeof kind, f) != NULL;
        fclose(f);
        kind[got ? strcspn(kind, "\r\n") : 0] = 0;
        for (char *c = kind; *c; c++)
            if (*c < 32 || *c > 126) *c = '?'; /* it is printed: no terminal controls from a file */
        if (kind[0]) return *how = TOOL_STORE_MARK, kind;
    }
    snprintf(p, sizeof p, "%s/statekeeper.lock", path);
    if (access(p, F_OK) == 0) return *how = "statekeeper.lock", "statekeeper store";
    snprintf(p, sizeof p, "%s/outs", path);
    if (tool_is_dir(p)) return *how = "outs/", "dx_sync cache";
    snprintf(p, sizeof p, "%s/refs", path);
    if (!(d = opendir(p))) return "";
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.' || strstr(de->d_name, ".tmp")) continue; /* ref temporaries */
        if (!strcmp(de->d_name, "latest")) latest = true;
        else if (!strncmp(de->d_name, "v-", 2) || !strncmp(de->d_name, "out-", 4)) cache_refs = true;
        else if (!other) snprintf(why, sizeof why, "refs/%.100s", de->d_name), other = why;
    }
    closedir(d);
    if (latest) return *how = "refs/latest", "cas_snap store";
    if (other) return *how = other, "dx_sync store";
    if (cache_refs) return *how = "refs/v-...", "dx_sync cache";
    return "";
}

/* Before a tool opens the store at path as its own kind (mine: "dx_sync cache"): refused where it is
   another's; with create, also where it is a folder of the user's (tool_store_folder_ok). */
TOOL_FN int tool_store_claim(const char *path, const char *mine, bool create) {
    char what[80];
    const char *how, *owner;
    snprintf(what, sizeof what, "a %s", mine);
    if (create && tool_store_folder_ok(path, what) != TOOL_EXIT_OK) return TOOL_EXIT_FAIL;
    owner = tool_store_owner(path, &how);
    if (!owner[0] || !strcmp(owner, mine)) return TOOL_EXIT_OK;
    if (!strcmp(how, TOOL_STORE_MARK))
        return tool_fail("%s is a %s (its %s file says so), not %s: use that tool's own commands on it", path, owner, how, what);
    if (!strcmp(owner, "dx_sync store")) /* told by a ref's name alone: maybe a program of the user's */
        return tool_fail("%s is not %s: it holds %s, a dx_sync store's name or another program's ref (records this tool "
                         "cannot read: its gc would delete what they name); use that program's own commands on it", path, what, how);
    return tool_fail("%s is a %s (it holds %s), not %s: use that tool's own commands on it "
                     "(its records name objects this tool cannot see: its gc would delete them)", path, owner, how, what);
}

/* After a tool made or wrote its store: the dx-tool line, where there is none (written whole,
   renamed into place; a store that cannot take it is told by its files, as before). */
TOOL_FN void tool_store_mark(const char *path, const char *mine) {
    char p[4200], tmp[4300];
    FILE *f;
    snprintf(p, sizeof p, "%s/" TOOL_STORE_MARK, path);
    if (access(p, F_OK) == 0) return;
    snprintf(tmp, sizeof tmp, "%s.tmp-%ld", p, (long)getpid());
    if (!(f = fopen(tmp, "w"))) return;
    if (fprintf(f, "%s\n", mine) < 0 || fclose(f) != 0 || rename(tmp, p) != 0) remove(tmp);
}

/* Makes everything written under dir durable: one syncfs(2) of its file system on
   Linux (as dx_cas's directory store does), else sync(2). 0, or -1 with errno. */
#if defined(__linux__) && !defined(DX_CAS_NO_SYNCFS) && !defined(__cplusplus)
extern int syncfs(int fd); /* glibc and musl declare it only under _GNU_SOURCE */
#endif
TOOL_FN int tool_sync_tree(const char *dir) {
#if defined(__linux__) && !defined(DX_CAS_NO_SYNCFS) && !defined(__cplusplus)
    int fd = open(dir, O_RDONLY), rc;
    if (fd < 0) return -1;
    rc = syncfs(fd);
    close(fd);
    return rc;
#else
    (void)dir;
    sync();
    return 0;
#endif
}
#endif

/* A file name as a message or a listing shows it: control bytes (a newline, an escape
   sequence) as \n, \t, \r or \xHH and a backslash as \\, so that one name stays on one
   line, cannot drive the terminal, and reads back unambiguously; other bytes (UTF-8) as
   they are. The text lives in one of 4 buffers used in turn (4 names per message at
   most); a name of more than 4096 bytes is cut, ending "...". */
TOOL_FN const char *tool_shown(const char *name) {
    static char buf[4][4 * 4096 + 4];
    static unsigned next;
    char *out = buf[next++ % 4], *p = out;
    const unsigned char *s = (const unsigned char *)name;
    for (; *s && s - (const unsigned char *)name < 4096; s++) {
        if (*s == '\\') *p++ = '\\', *p++ = '\\';
        else if (*s == '\n') *p++ = '\\', *p++ = 'n';
        else if (*s == '\t') *p++ = '\\', *p++ = 't';
        else if (*s == '\r') *p++ = '\\', *p++ = 'r';
        else if (*s < 0x20 || *s == 0x7f) p += sprintf(p, "\\x%02x", (unsigned)*s);
        else *p++ = (char)*s;
    }
    if (*s) memcpy(p, "...", 3), p += 3;
    *p = 0;
    return out;
}

/* After the last line of stdout: a write error (a full disk, a closed pipe) is a failure. */
TOOL_FN int tool_stdout_done(void) {
    if (fflush(stdout) != 0 || ferror(stdout)) return tool_fail("cannot write to standard output");
    return TOOL_EXIT_OK;
}

/* ---- a second thread for a diff (dx_patch_config.thread_start and thread_join) ---- */

typedef struct tool_thread {
#if defined(_WIN32)
    HANDLE handle;
#else
    pthread_t thread;
#endif
    void (*job)(void *arg);
    void *arg;
} tool_thread;

#if defined(_WIN32)
TOOL_FN DWORD WINAPI tool_thread_main(LPVOID p) {
    ((tool_thread *)p)->job(((tool_thread *)p)->arg);
    return 0;
}
#else
TOOL_FN void *tool_thread_main(void *p) {
    ((tool_thread *)p)->job(((tool_thread *)p)->arg);
    return NULL;
}
#endif

/* Runs run(arg) on a new thread: a handle for tool_thread_join, or NULL where no thread
   starts (the caller then runs it itself). */
TOOL_FN void *tool_thread_start(void *user, void (*run)(void *arg), void *arg) {
    tool_thread *t = (tool_thread *)malloc(sizeof *t);
    (void)user;
    if (!t) return NULL;
    t->job = run, t->arg = arg;
#if defined(_WIN32)
    if (!(t->handle = CreateThread(NULL, 0, tool_thread_main, t, 0, NULL))) {
#else
    if (pthread_create(&t->thread, NULL, tool_thread_main, t) != 0) {
#endif
        free(t);
        return NULL;
    }
    return t;
}

/* Waits for the thread of tool_thread_start's handle to end. */
TOOL_FN void tool_thread_join(void *user, void *handle) {
    tool_thread *t = (tool_thread *)handle;
    (void)user;
#if defined(_WIN32)
    WaitForSingleObject(t->handle, INFINITE);
    CloseHandle(t->handle);
#else
    pthread_join(t->thread, NULL);
#endif
    free(t);
}

/* The CPUs this program may run on now (at least 1). */
TOOL_FN long tool_cpus(void) {
#if defined(_WIN32)
    SYSTEM_INFO si;
    GetSystemInfo(&si);
    return si.dwNumberOfProcessors > 0 ? (long)si.dwNumberOfProcessors : 1;
#else
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? n : 1;
#endif
}

/* ---- build additions ---- */

/* A header's version as tool_version() wants it, from its version macros:
   TOOL_HEADER_VERSION("dx_cas.h", DX_CAS_VERSION_MAJOR, DX_CAS_VERSION_MINOR,
   DX_CAS_VERSION_PATCH) is "dx_cas.h 0.2.0" (string literals: join several). */
/* --name VALUE or --name=VALUE at argv[*i]: the value (*i moves past it); NULL
   when argv[*i] is another option, or when the value is missing (*missing set). */
TOOL_FN const char *tool_opt_value(int argc, char **argv, int *i, const char *name, bool *missing) {
    size_t n = strlen(name);
    const char *a = argv[*i];
    if (strncmp(a, name, n) != 0) return NULL;
    if (a[n] == '=') return a + n + 1;
    if (a[n] != 0) return NULL;
    if (*i + 1 >= argc) {
        *missing = true;
        return NULL;
    }
    return argv[++*i];
}

#ifdef DX_REACTOR_H
/* A dx_reactor backend by the name dx_reactor_backend_id_name gives it ("io_uring",
   "epoll", "poll", "kqueue", "iocp"); DX_REACTOR_BACKEND_DEFAULT for any other name.
   Whether this system has it is dx_reactor_create's to say. */
TOOL_FN dx_reactor_backend_id tool_backend_named(const char *name) {
    dx_reactor_backend_id id;
    for (id = DX_REACTOR_BACKEND_IOURING; id <= DX_REACTOR_BACKEND_IOCP; id = (dx_reactor_backend_id)(id + 1))
        if (!strcmp(name, dx_reactor_backend_id_name(id))) return id;
    return DX_REACTOR_BACKEND_DEFAULT;
}
#define TOOL_BACKEND_NAMES "io_uring, epoll, poll, kqueue, iocp"

/* Why a TCP listen on host failed with DX_REACTOR_ERR_ADDRINUSE, which stands for
   EADDRINUSE and EADDRNOTAVAIL alike: a listener on any free port of host tells them apart. */
TOOL_FN const char *tool_addr_in_use_words(const char *host) {
    dx_reactor_addr a;
    int64_t fd = dx_reactor_addr_make(&a, host, 0) == DX_OK ? dx_reactor_tcp_listen(&a, 1, 0) : -1;
    if (fd >= 0) dx_reactor_fd_close(NULL, (uintptr_t)fd);
    return fd >= 0 ? "another server listens on the port" : "the address is not one of this machine's";
}
#endif

#if defined(TOOL_HOST_NAMES) && !defined(_WIN32) /* a tool that takes host names defines it (getaddrinfo) */
#include <netdb.h>
/* A host name, or an address as it is, as the numeric addresses it resolves to (dx_reactor and
   dx_net take addresses only), in the resolver's order: "localhost" may be ::1 first and 127.0.0.1
   second, and a client tries each. Returns how many; none: why, in *why. */
#define TOOL_HOST_ADDRS 8
typedef char tool_host_addr[64]; /* INET6_ADDRSTRLEN is 46 */
TOOL_FN int tool_host_resolve(const char *name, tool_host_addr out[TOOL_HOST_ADDRS], const char **why) {
    struct addrinfo hints, *res = NULL, *a;
    int n = 0, e, i;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    if ((e = getaddrinfo(name, NULL, &hints, &res)) != 0) {
        *why = gai_strerror(e);
        return 0;
    }
    for (a = res; a && n < TOOL_HOST_ADDRS; a = a->ai_next) {
        if ((a->ai_family != AF_INET && a->ai_family != AF_INET6) ||
            getnameinfo(a->ai_addr, a->ai_addrlen, out[n], sizeof out[n], NULL, 0, NI_NUMERICHOST) != 0)
            continue;
        for (i = 0; i < n && strcmp(out[i], out[n]) != 0; i++) {}
        if (i == n) n++; /* /etc/hosts may name one address twice */
    }
    freeaddrinfo(res);
    if (n == 0) *why = "no IPv4 or IPv6 address";
    return n;
}
#endif

#define TOOL_STR_(x) #x
#define TOOL_STR(x) TOOL_STR_(x)
#define TOOL_HEADER_VERSION(file, major, minor, patch) file " " TOOL_STR(major) "." TOOL_STR(minor) "." TOOL_STR(patch)

#endif /* DX_EXAMPLES_TOOL_H */

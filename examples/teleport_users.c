/* teleport_users.c - dx_teleport example: writes a file of 1,000,000 user
   records (u64 id, u32 age, f64 score, name, email), maps it and reads it back.

       cc -std=c99 -I. -O2 examples/teleport_users.c -o build/teleport_users
       build/teleport_users [-f] FILE [COUNT]      (COUNT default 1000000: 75 MB)

   The writer fills the records in place (dx_tp_writer_reserve), keeps the
   names and emails in the string table and points a small root "directory"
   at the records with a dx_tp_slice. The reader maps the file read-only
   (mmap; a plain read on Windows), verifies it once and then uses the
   records where they lie. Every field is checked against the generator.
   FILE is required (a demo that writes 75 MB must be told where) and is
   not overwritten without -f; it is written to a temporary name and renamed.
   Exit status 0 when every record matched, 1 otherwise, 2 for bad usage. */
#define _FILE_OFFSET_BITS 64 /* files over 2 GiB on 32-bit hosts (tool.h checks): before any header */
#if !defined(_WIN32) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L /* mmap, open, fstat, clock_gettime: before any system header */
#endif
#define DX_IMPLEMENTATION
#include "dx_teleport.h"
#include "tool.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(_WIN32)
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#else
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#endif

/* ---- the wire structs: fixed-width fields, explicit padding, no pointers ---- */

enum { TYPE_USER = 1, TYPE_DIRECTORY = 2 };

typedef struct user {
    uint64_t id;
    uint32_t age;
    uint32_t pad; /* explicit: the struct has no hidden bytes */
    double score;
    dx_tp_str name;  /* strings live in the buffer's string table */
    dx_tp_str email;
} user;
DX_STATIC_ASSERT(sizeof(user) == 40, user_size);
DX_STATIC_ASSERT(offsetof(user, id) == 0, user_id);
DX_STATIC_ASSERT(offsetof(user, age) == 8, user_age);
DX_STATIC_ASSERT(offsetof(user, pad) == 12, user_pad);
DX_STATIC_ASSERT(offsetof(user, score) == 16, user_score);
DX_STATIC_ASSERT(offsetof(user, name) == 24, user_name);
DX_STATIC_ASSERT(offsetof(user, email) == 32, user_email);

static const dx_tp_field user_fields[] = {
    DX_TP_FIELD(user, id, DX_TP_KIND_U64),    DX_TP_FIELD(user, age, DX_TP_KIND_U32),
    DX_TP_FIELD(user, pad, DX_TP_KIND_PAD),   DX_TP_FIELD(user, score, DX_TP_KIND_F64),
    DX_TP_FIELD(user, name, DX_TP_KIND_STR),  DX_TP_FIELD(user, email, DX_TP_KIND_STR),
};
static const dx_tp_layout user_layout = DX_TP_LAYOUT(TYPE_USER, user, user_fields);

/* The root object: where the users are, how many, and a title. */
typedef struct user_directory {
    dx_tp_slice users;   /* a run of TYPE_USER objects, by buffer offset */
    uint64_t user_count; /* what the writer meant to write (cross-checks the slice) */
    dx_tp_str title;
} user_directory;
DX_STATIC_ASSERT(sizeof(user_directory) == 24, user_directory_size);
DX_STATIC_ASSERT(offsetof(user_directory, users) == 0, user_directory_users);
DX_STATIC_ASSERT(offsetof(user_directory, user_count) == 8, user_directory_user_count);
DX_STATIC_ASSERT(offsetof(user_directory, title) == 16, user_directory_title);

static const dx_tp_field directory_fields[] = {
    DX_TP_FIELD_REF(user_directory, users, DX_TP_KIND_SLICE, TYPE_USER),
    DX_TP_FIELD(user_directory, user_count, DX_TP_KIND_U64),
    DX_TP_FIELD(user_directory, title, DX_TP_KIND_STR),
};
static const dx_tp_layout directory_layout = DX_TP_LAYOUT(TYPE_DIRECTORY, user_directory, directory_fields);

#define DEFAULT_COUNT 1000000ul
#define MAX_COUNT 20000000ul /* keeps the file well below the format's 4 GiB */
#define TITLE "teleport_users demo directory"
#define CAPABILITIES 0x1u    /* application-defined: "user records, version 1" */
#define CHUNK 1024           /* records filled per dx_tp_writer_reserve call */

/* ---- the generator: record i is a pure function of i ---- */

typedef struct expected {
    uint64_t id;
    uint32_t age;
    double score;
    char name[24];
    size_t name_len;
    char email[48];
    size_t email_len;
} expected;

static uint64_t mix64(uint64_t x) { /* splitmix64 finalizer */
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

/* Appends v in decimal, at least min_digits wide (zero padded). */
static size_t put_decimal(char *dst, uint64_t v, int min_digits) {
    char tmp[24];
    size_t n = 0, i;
    do {
        tmp[n++] = (char)('0' + (int)(v % 10u));
        v /= 10u;
    } while (v != 0 || n < (size_t)min_digits);
    for (i = 0; i < n; i++) dst[i] = tmp[n - 1 - i];
    return n;
}

static void generate(uint64_t i, expected *e) {
    static const char *const domains[4] = {"example.com", "example.org", "example.net", "mail.test"};
    uint64_t h = mix64(i);
    const char *domain = domains[(h >> 7) & 3u];
    size_t n = 0, dlen = strlen(domain);
    e->id = 1000000000000ull + i; /* above 2^32, so the u64 matters */
    e->age = 18u + (uint32_t)(h % 80u);
    e->score = (double)(h >> 11) * (100.0 / 9007199254740992.0); /* [0, 100), exact */
    memcpy(e->name, "user", 4);
    n = 4 + put_decimal(e->name + 4, i, 7); /* user0000123 */
    e->name[n] = 0;
    e->name_len = n;
    memcpy(e->email, e->name, n);
    e->email[n] = '@';
    memcpy(e->email + n + 1, domain, dlen + 1);
    e->email_len = n + 1 + dlen;
}

/* ---- small portability layer: clock, directories, mapping a file ---- */

static double now_ms(void) {
#if defined(_WIN32)
    LARGE_INTEGER freq, t;
    QueryPerformanceFrequency(&freq);
    QueryPerformanceCounter(&t);
    return (double)t.QuadPart * 1000.0 / (double)freq.QuadPart;
#else
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
#endif
}

typedef struct mapped_file {
    const uint8_t *data;
    size_t size;
    int mapped; /* 1: mmap, 0: malloc */
} mapped_file;

/* Maps path read-only; returns 0 or prints why not and returns -1. */
static int map_file(const char *path, mapped_file *m) {
    m->data = NULL;
    m->size = 0;
    m->mapped = 0;
#if defined(_WIN32)
    {
        /* Windows fallback: read the whole file into memory. */
        FILE *f = fopen(path, "rb");
        uint8_t *buf = NULL;
        size_t cap = 0, len = 0;
        if (!f) {
            int e = errno;
            tool_fail("cannot open %s: %s", path, strerror(e));
            return -1;
        }
        for (;;) {
            size_t got;
            if (len == cap) {
                size_t ncap = cap ? cap * 2 : (size_t)1 << 20;
                uint8_t *nb = (uint8_t *)realloc(buf, ncap);
                if (!nb) {
                    tool_fail("out of memory reading %s", path);
                    free(buf);
                    fclose(f);
                    return -1;
                }
                buf = nb;
                cap = ncap;
            }
            got = fread(buf + len, 1, cap - len, f);
            len += got;
            if (got == 0) break;
        }
        if (ferror(f)) {
            tool_fail("cannot read %s", path);
            free(buf);
            fclose(f);
            return -1;
        }
        fclose(f);
        m->data = buf;
        m->size = len;
        return 0;
    }
#else
    {
        struct stat st;
        void *p;
        int fd = open(path, O_RDONLY);
        if (fd < 0) {
            int e = errno;
            tool_fail("cannot open %s: %s", path, strerror(e));
            return -1;
        }
        if (fstat(fd, &st) != 0) {
            int e = errno;
            tool_fail("cannot stat %s: %s", path, strerror(e));
            close(fd);
            return -1;
        }
        if (st.st_size <= 0) { /* mmap of 0 bytes fails; the reader reports the empty buffer */
            close(fd);
            m->data = (const uint8_t *)"";
            return 0;
        }
        if ((uint64_t)st.st_size > (uint64_t)SIZE_MAX) {
            tool_fail("%s is too large to map", path);
            close(fd);
            return -1;
        }
        p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            int e = errno;
            close(fd);
            tool_fail("cannot map %s: %s", path, strerror(e));
            return -1;
        }
        close(fd); /* the mapping keeps the file open */
        m->data = (const uint8_t *)p;
        m->size = (size_t)st.st_size;
        m->mapped = 1;
        return 0;
    }
#endif
}

static void unmap_file(mapped_file *m) {
#if defined(_WIN32)
    free((void *)(uintptr_t)m->data);
#else
    if (m->mapped) munmap((void *)(uintptr_t)m->data, m->size);
#endif
    m->data = NULL;
    m->size = 0;
}

/* ---- write ---- */

static int fail_tp(const char *what, dx_result err) {
    return tool_fail("%s failed: %s (%d)", what, dx_tp_result_name(err), (int)err);
}

/* Builds the buffer in w; returns 0 or 1 after printing the error. */
static int build(dx_tp_writer *w, size_t count, const uint8_t **out_buf, size_t *out_len) {
    dx_tp_writer_config cfg;
    dx_tp_str names[CHUNK], emails[CHUNK];
    dx_tp_slice all = {0, 0};
    user_directory dir;
    dx_tp_ref dir_ref;
    expected e;
    size_t done = 0, i;
    dx_result err;

    memset(&cfg, 0, sizeof cfg);  /* default allocator */
    cfg.initial_capacity = count * 80u + 4096u; /* about one allocation for the whole file */
    cfg.checksum = true;
    cfg.capabilities = CAPABILITIES;
    err = dx_tp_writer_create(w, &cfg); /* a growing buffer */
    if (err != DX_OK) return fail_tp("dx_tp_writer_create", err);
    dx_tp_writer_add_layout(w, &user_layout);
    dx_tp_writer_add_layout(w, &directory_layout); /* errors are sticky: finish reports them */

    while (done < count) {
        size_t n = count - done < CHUNK ? count - done : CHUNK;
        dx_tp_slice part;
        user *u;
        /* Strings first: they go to the back of the buffer, so the users
           section keeps growing in one piece, and the pointer from reserve
           stays valid while the chunk is filled (no writer call in between). */
        for (i = 0; i < n; i++) {
            generate(done + i, &e);
            names[i] = dx_tp_write_string(w, e.name, e.name_len);
            emails[i] = dx_tp_write_string(w, e.email, e.email_len);
        }
        u = (user *)dx_tp_writer_reserve(w, TYPE_USER, n, &part);
        if (!u) return fail_tp("dx_tp_writer_reserve", dx_tp_writer_error(w));
        if (done == 0) all.off = part.off;
        if (part.off != all.off + (uint32_t)(done * sizeof(user))) /* cannot happen: see above */
            return tool_fail("the users section did not stay contiguous");
        for (i = 0; i < n; i++) { /* reserve zeroed the memory, so pad is 0 */
            generate(done + i, &e);
            u[i].id = e.id;
            u[i].age = e.age;
            u[i].score = e.score;
            u[i].name = names[i];
            u[i].email = emails[i];
        }
        done += n;
        tool_progress(done);
    }
    all.count = (uint32_t)count;

    memset(&dir, 0, sizeof dir);
    dir.users = all;
    dir.user_count = (uint64_t)count;
    dir.title = dx_tp_write_cstr(w, TITLE);
    dir_ref = dx_tp_write(w, TYPE_DIRECTORY, &dir);
    dx_tp_writer_set_root(w, TYPE_DIRECTORY, dir_ref);
    err = dx_tp_writer_finish(w, out_buf, out_len);
    if (err != DX_OK) return fail_tp("dx_tp_writer_finish", err);
    return 0;
}

/* Writes buf to o's temporary file and renames it to its path: the path holds
   the whole file or is as it was. o is finished either way. */
static int save(tool_out *o, const uint8_t *buf, size_t len) {
    size_t done = 0;
    tool_progress_start("writing", len, "MiB");
    while (done < len) {
        size_t n = len - done < ((size_t)1 << 22) ? len - done : (size_t)1 << 22;
        if (fwrite(buf + done, 1, n, o->f) != n) {
            int e = errno;
            tool_fail("cannot write %s: %s", o->tmp, strerror(e));
            tool_out_abort(o);
            return 1;
        }
        done += n;
        tool_progress(done);
    }
    tool_progress_end(true);
    return tool_out_commit(o) == TOOL_EXIT_OK ? 0 : 1;
}

/* ---- read ---- */

/* Checks one record against the generator; prints the first difference. */
static int check_user(const dx_tp_reader *r, const user *u, uint64_t i) {
    expected e;
    uint32_t name_len, email_len;
    const char *name = dx_tp_reader_string(r, u->name, &name_len);
    const char *email = dx_tp_reader_string(r, u->email, &email_len);
    const char *bad = NULL;
    generate(i, &e);
    if (u->id != e.id) bad = "id";
    else if (u->age != e.age) bad = "age";
    else if (u->pad != 0) bad = "pad";
    else if (u->score != e.score) bad = "score";
    else if (name_len != e.name_len || memcmp(name, e.name, e.name_len) != 0) bad = "name";
    else if (email_len != e.email_len || memcmp(email, e.email, e.email_len) != 0) bad = "email";
    if (!bad) return 0;
    tool_progress_end(false);
    fprintf(stderr,
            "teleport_users: MISMATCH in record %llu, field %s\n"
            "  read:     id=%llu age=%lu score=%.17g name=\"%s\" email=\"%s\"\n"
            "  expected: id=%llu age=%lu score=%.17g name=\"%s\" email=\"%s\"\n",
            (unsigned long long)i, bad, (unsigned long long)u->id, (unsigned long)u->age, u->score, name, email,
            (unsigned long long)e.id, (unsigned long)e.age, e.score, e.name, e.email);
    return 1;
}

static void print_user(const dx_tp_reader *r, const user *u, uint64_t i) {
    printf("  record %-9llu id=%llu age=%lu score=%.6f name=\"%s\" email=\"%s\"\n", (unsigned long long)i,
           (unsigned long long)u->id, (unsigned long)u->age, u->score, dx_tp_reader_string(r, u->name, NULL),
           dx_tp_reader_string(r, u->email, NULL));
}

static const char usage[] =
    "usage: teleport_users [-f] [--progress | --quiet] FILE [COUNT]\n"
    "Writes COUNT user records (default 1000000: a 75 MB file) to the teleport file\n"
    "FILE, maps it, verifies it, reads every record back and checks each field against\n"
    "the generator; prints the sizes and timings. tp_dump FILE shows it as JSON.\n"
    "  FILE         where to write (required); an existing FILE is kept unless -f\n"
    "  COUNT        0 to 20000000 records\n"
    "  -f, --force  overwrite FILE if it exists\n"
    "  --progress   a progress line on stderr even when it is not a terminal\n"
    "  --quiet      no progress line\n"
    "  -h, --help   this text\n"
    "  --version    the dx_teleport.h version it is built from\n"
    "exit status: 0 every record matched, 1 failure (a file error or a mismatch), 2 bad usage\n";

int main(int argc, char **argv) {
    const char *path = NULL, *count_arg = NULL;
    unsigned long count = DEFAULT_COUNT;
    uint64_t v;
    bool force = false, options = true;
    tool_out out;
    int a;
    dx_tp_writer w;
    dx_tp_reader r;
    dx_tp_view dv, uv;
    mapped_file m;
    user_directory dir_copy;
    const user_directory *dir;
    const uint8_t *buf = NULL;
    size_t len = 0;
    int32_t sec = 0;
    uint32_t idx = 0, first = 0, i, n;
    double t0, t_write, t_open, t_scan, t_check;
    uint64_t age_sum = 0, text_bytes = 0, id_min = UINT64_MAX, id_max = 0;
    double score_sum = 0.0;
    dx_result err;
    int zero_copy;

    tool_start("teleport_users", usage);
    for (a = 1; a < argc; a++) {
        const char *arg = argv[a];
        if (options && tool_is_help(arg)) return tool_help();
        if (options && !strcmp(arg, "--version"))
            return tool_version(TOOL_HEADER_VERSION("dx_teleport.h", DX_TELEPORT_VERSION_MAJOR,
                                                    DX_TELEPORT_VERSION_MINOR, DX_TELEPORT_VERSION_PATCH));
        if (options && !strcmp(arg, "--")) options = false;
        else if (options && (!strcmp(arg, "-f") || !strcmp(arg, "--force"))) force = true;
        else if (options && !strcmp(arg, "--progress")) tool.progress = 1;
        else if (options && !strcmp(arg, "--quiet")) tool.progress = -1;
        else if (options && arg[0] == '-' && arg[1]) return tool_usage_error("unknown option %s", arg);
        else if (!path) path = arg;
        else if (!count_arg) count_arg = arg;
        else return tool_usage_error("too many arguments: %s", arg);
    }
    if (!path) return tool_usage_error("no FILE given: say where to write the %lu records (about 75 MB)", DEFAULT_COUNT);
    if (count_arg) {
        if (tool_parse_u64(count_arg, 0, MAX_COUNT, false, &v) != 0)
            return tool_usage_error("COUNT must be a number from 0 to %lu, not \"%s\"", MAX_COUNT, count_arg);
        count = (unsigned long)v;
    }

    /* 1. write: build the buffer in memory, then save it */
    t0 = now_ms();
    if (tool_out_open(&out, path, force, NULL) != TOOL_EXIT_OK) return 1; /* before the work: a refusal is quick */
    tool_progress_start("building", count, "records");
    if (build(&w, (size_t)count, &buf, &len) != 0) {
        tool_out_abort(&out);
        dx_tp_writer_destroy(&w);
        return 1;
    }
    tool_progress_end(true);
    if (save(&out, buf, len) != 0) {
        dx_tp_writer_destroy(&w);
        return 1;
    }
    dx_tp_writer_destroy(&w); /* frees the buffer: from here on only the file counts */
    t_write = now_ms() - t0;

    /* 2. open: map the file, verify it once, find the root and the users */
    t0 = now_ms();
    if (map_file(path, &m) != 0) return 1;
    err = dx_tp_reader_init(&r, m.data, m.size);
    if (err != DX_OK) {
        tool_fail("%s is not a valid teleport file: %s at byte %llu", path, dx_tp_result_name(err),
                  (unsigned long long)r.error_offset);
        unmap_file(&m);
        return 1;
    }
    if (r.capabilities != CAPABILITIES) {
        tool_fail("%s: unexpected capabilities 0x%llx", path, (unsigned long long)r.capabilities);
        unmap_file(&m);
        return 1;
    }
    err = dx_tp_reader_root(&r, &sec, &idx);
    if (err == DX_OK) err = dx_tp_reader_view(&r, sec, &directory_layout, &dv);
    if (err != DX_OK) {
        unmap_file(&m);
        return fail_tp("finding the root directory", err);
    }
    if (dv.zero_copy) {
        dir = (const user_directory *)dx_tp_view_at(&dv, idx);
    } else {
        dx_tp_view_read(&dv, idx, &dir_copy); /* big-endian host or unaligned memory */
        dir = &dir_copy;
    }
    n = dir->users.count;
    memset(&uv, 0, sizeof uv);
    if (n != 0) { /* the slice's offset leads to the users section (verified by init) */
        err = dx_tp_reader_resolve(&r, dir->users.off, TYPE_USER, &sec, &first);
        if (err == DX_OK) err = dx_tp_reader_view(&r, sec, &user_layout, &uv);
        if (err != DX_OK) {
            unmap_file(&m);
            return fail_tp("resolving the users slice", err);
        }
    }
    t_open = now_ms() - t0;
    if ((uint64_t)n != (uint64_t)count || dir->user_count != (uint64_t)count) {
        tool_fail("MISMATCH: the directory lists %lu (slice) and %llu (count) users, wrote %lu", (unsigned long)n,
                  (unsigned long long)dir->user_count, count);
        unmap_file(&m);
        return 1;
    }
    {
        uint32_t title_len;
        const char *title = dx_tp_reader_string(&r, dir->title, &title_len);
        if (title_len != strlen(TITLE) || memcmp(title, TITLE, title_len) != 0) {
            tool_fail("MISMATCH: directory title \"%s\"", title);
            unmap_file(&m);
            return 1;
        }
    }
    zero_copy = n == 0 || uv.zero_copy;

    /* 3. read: touch every field of every record, in place when possible */
    t0 = now_ms();
    for (i = 0; i < n; i++) {
        user tmp;
        const user *u;
        uint32_t name_len, email_len;
        if (uv.zero_copy) {
            u = (const user *)dx_tp_view_at(&uv, first + i);
        } else {
            dx_tp_view_read(&uv, first + i, &tmp);
            u = &tmp;
        }
        age_sum += u->age;
        score_sum += u->score;
        (void)dx_tp_reader_string(&r, u->name, &name_len);
        (void)dx_tp_reader_string(&r, u->email, &email_len);
        text_bytes += (uint64_t)name_len + email_len;
        if (u->id < id_min) id_min = u->id;
        if (u->id > id_max) id_max = u->id;
    }
    t_scan = now_ms() - t0;

    /* 4. check: every field equals what the generator made */
    t0 = now_ms();
    tool_progress_start("checking", n, "records");
    for (i = 0; i < n; i++) {
        user tmp;
        const user *u;
        if (uv.zero_copy) {
            u = (const user *)dx_tp_view_at(&uv, first + i);
        } else {
            dx_tp_view_read(&uv, first + i, &tmp);
            u = &tmp;
        }
        if (check_user(&r, u, i) != 0) {
            unmap_file(&m);
            return 1;
        }
        if ((i & 65535) == 0) tool_progress(i);
    }
    tool_progress_end(true);
    t_check = now_ms() - t0;

    printf("teleport_users: wrote %lu user records to %s, mapped it and read it back\n", count, path);
    printf("  file size       %llu bytes, %.1f bytes/record (struct %u bytes + name + email + NULs)\n",
           (unsigned long long)m.size, count ? (double)m.size / (double)count : 0.0, (unsigned)sizeof(user));
    printf("  write           %9.1f ms  build in memory (reserve + strings), CRC32C, save\n", t_write);
    printf("  verify + open   %9.1f ms  %s, dx_tp_reader_init (checksum, schema, every string and slice), root\n",
           t_open, m.mapped ? "mmap" : "read into memory");
    printf("  read all        %9.1f ms  every field of every record, %s\n", t_scan,
           zero_copy ? "zero copy: the structs are used in the mapping" : "copied out with dx_tp_view_read");
    if (n)
        printf("                  (ids %llu..%llu, mean age %.2f, mean score %.3f, %llu bytes of names and emails)\n",
               (unsigned long long)id_min, (unsigned long long)id_max, (double)age_sum / (double)n,
               score_sum / (double)n, (unsigned long long)text_bytes);
    printf("  check           %9.1f ms  all %lu records match the generator\n", t_check, (unsigned long)n);
    printf("  root            \"%s\", slice of %lu users at byte %lu\n", dx_tp_reader_string(&r, dir->title, NULL),
           (unsigned long)n, (unsigned long)dir->users.off);
    for (i = 0; i < n && i < 2; i++) { /* the first and the last record */
        user tmp;
        uint32_t at = i == 0 ? 0 : n - 1;
        if (i == 1 && n == 1) break;
        dx_tp_view_read(&uv, first + at, &tmp);
        print_user(&r, &tmp, at);
    }
    unmap_file(&m);
    return 0;
}

/* tp_dump.c - dx_teleport example: prints any teleport file as JSON, using
   only the schema stored in the file.

       cc -std=c99 -I. -O2 examples/tp_dump.c -o build/tp_dump
       tp_dump [--max N] [--header] FILE        (--help tells the rest)

   --max N    print at most N items of each section (default: all)
   --header   print the header, the schema and the section table, no items

   Output (one JSON object):
     {"version": "1.0", "size": bytes, "checksum": bool,
      "capabilities": "0x..", "fingerprint": "0x..",
      "root": null | {"offset", "type_id", "type", "section", "index", "value"},
      "types": [{"id", "name", "size", "align", "fingerprint",
                 "fields": [{"name", "kind", "offset", "size"[, "target"]}]}],
      "sections": [{"index", "type", "type_id", "offset", "count", "elem_size",
                    "align", "items": [{field: value, ...}][, "omitted": n]}
                   | {"index", "type": "raw", "offset", "bytes"}]}
   Values: integers as numbers (U64 too), F32 with %.9g and F64 with %.17g
   (both round-trip exactly; NaN and infinities as null), BYTES as a hex
   string, STR as a JSON string, REF as the target's buffer offset (0 is
   null), SLICE as {"off", "count"}; PAD fields are left out. Strings are
   copied when they are valid UTF-8; control characters and every byte that
   is not part of valid UTF-8 are written as \u00XX, so the output is valid
   JSON for any bytes (an invalid byte reads back as the code point U+00XX).

   Every field is loaded from the wire bytes with dx_load_u*le at section
   offset + index * element size + field offset, so the dump is the same on
   little- and big-endian hosts. Exit status: 0 ok, 1 unreadable or invalid
   file (the reader's error and byte offset go to stderr), 2 bad usage. */
#define _FILE_OFFSET_BITS 64 /* files over 2 GiB on 32-bit hosts (tool.h checks): before any header */
#define DX_IMPLEMENTATION
#include "dx_teleport.h"
#include "tool.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(_WIN32)
#include <fcntl.h>
#include <io.h>
#endif

typedef struct dump_field {
    dx_tp_field_info info;
    const char *name; /* not NUL-free: use name_len */
    uint32_t name_len;
} dump_field;

typedef struct dump_type {
    dx_tp_type_info info;
    const char *name;
    uint32_t name_len;
    dump_field *fields;
} dump_type;

typedef struct dump {
    FILE *out;
    dx_tp_reader r;
    dump_type *types;
    uint32_t type_count;
} dump;

/* ---- JSON output ---- */

/* Length of the valid UTF-8 sequence at s (RFC 3629: no overlong forms,
   no surrogates, at most U+10FFFF), or 0 if the bytes are not one. */
static size_t utf8_seq(const uint8_t *s, size_t left) {
    uint8_t c = s[0], lo = 0x80, hi = 0xbf;
    size_t n, i;
    if (c < 0x80) return 1;
    if (c >= 0xc2 && c <= 0xdf) n = 2;
    else if (c >= 0xe0 && c <= 0xef) n = 3;
    else if (c >= 0xf0 && c <= 0xf4) n = 4;
    else return 0;
    if (n > left) return 0;
    if (c == 0xe0) lo = 0xa0;      /* overlong 3-byte forms */
    else if (c == 0xed) hi = 0x9f; /* UTF-16 surrogates */
    else if (c == 0xf0) lo = 0x90; /* overlong 4-byte forms */
    else if (c == 0xf4) hi = 0x8f; /* above U+10FFFF */
    if (s[1] < lo || s[1] > hi) return 0;
    for (i = 2; i < n; i++)
        if (s[i] < 0x80 || s[i] > 0xbf) return 0;
    return n;
}

static void json_string(FILE *out, const char *str, size_t len) {
    static const char hex[] = "0123456789abcdef";
    const uint8_t *s = (const uint8_t *)str;
    size_t i = 0;
    putc('"', out);
    while (i < len) {
        uint8_t c = s[i];
        size_t n = utf8_seq(s + i, len - i);
        if (c == '"' || c == '\\') {
            putc('\\', out);
            putc(c, out);
        } else if (c == '\n') {
            fputs("\\n", out);
        } else if (c == '\r') {
            fputs("\\r", out);
        } else if (c == '\t') {
            fputs("\\t", out);
        } else if (c >= 0x20 && c < 0x7f) {
            putc(c, out);
        } else if (n > 1) {
            fwrite(s + i, 1, n, out);
            i += n;
            continue;
        } else { /* other control characters, DEL and bytes that are not UTF-8 */
            fputs("\\u00", out);
            putc(hex[c >> 4], out);
            putc(hex[c & 15], out);
        }
        i++;
    }
    putc('"', out);
}

static void json_key(FILE *out, const char *name, size_t len) {
    json_string(out, name, len);
    fputs(": ", out);
}

static void json_hex_bytes(FILE *out, const uint8_t *p, size_t n) {
    static const char hex[] = "0123456789abcdef";
    size_t i;
    putc('"', out);
    for (i = 0; i < n; i++) {
        putc(hex[p[i] >> 4], out);
        putc(hex[p[i] & 15], out);
    }
    putc('"', out);
}

static void json_u64(FILE *out, uint64_t v) { fprintf(out, "%llu", (unsigned long long)v); }

static void json_hex64(FILE *out, uint64_t v) { fprintf(out, "\"0x%016llx\"", (unsigned long long)v); }

/* Two's complement of the low `bits` bits of v, without implementation-defined conversions. */
static long long to_signed(uint64_t v, unsigned bits) {
    uint64_t sign = (uint64_t)1 << (bits - 1);
    if (v & sign) return -(long long)(~v & (sign - 1)) - 1;
    return (long long)(v & (sign - 1));
}

/* The host's float and double share the byte order of its integers, so the
   little-endian bits can go through memcpy. Exponent all ones: NaN or inf. */
static void json_f32(FILE *out, uint32_t bits) {
    float f;
    if (((bits >> 23) & 0xffu) == 0xffu) {
        fputs("null", out);
        return;
    }
    memcpy(&f, &bits, sizeof f);
    fprintf(out, "%.9g", (double)f);
}

static void json_f64(FILE *out, uint64_t bits) {
    double d;
    if (((bits >> 52) & 0x7ffu) == 0x7ffu) {
        fputs("null", out);
        return;
    }
    memcpy(&d, &bits, sizeof d);
    fprintf(out, "%.17g", d);
}

static const char *kind_name(dx_tp_kind kind) {
    switch (kind) {
    case DX_TP_KIND_U8: return "u8";
    case DX_TP_KIND_I8: return "i8";
    case DX_TP_KIND_U16: return "u16";
    case DX_TP_KIND_I16: return "i16";
    case DX_TP_KIND_U32: return "u32";
    case DX_TP_KIND_I32: return "i32";
    case DX_TP_KIND_U64: return "u64";
    case DX_TP_KIND_I64: return "i64";
    case DX_TP_KIND_F32: return "f32";
    case DX_TP_KIND_F64: return "f64";
    case DX_TP_KIND_BYTES: return "bytes";
    case DX_TP_KIND_PAD: return "pad";
    case DX_TP_KIND_STR: return "str";
    case DX_TP_KIND_REF: return "ref";
    case DX_TP_KIND_SLICE: return "slice";
    default: return "unknown";
    }
}

/* ---- values, from the wire bytes ---- */

static void dump_value(const dump *d, const dump_field *f, const uint8_t *p) {
    FILE *out = d->out;
    switch (f->info.kind) {
    case DX_TP_KIND_U8: json_u64(out, p[0]); break;
    case DX_TP_KIND_I8: fprintf(out, "%lld", to_signed(p[0], 8)); break;
    case DX_TP_KIND_U16: json_u64(out, dx_load_u16le(p)); break;
    case DX_TP_KIND_I16: fprintf(out, "%lld", to_signed(dx_load_u16le(p), 16)); break;
    case DX_TP_KIND_U32: json_u64(out, dx_load_u32le(p)); break;
    case DX_TP_KIND_I32: fprintf(out, "%lld", to_signed(dx_load_u32le(p), 32)); break;
    case DX_TP_KIND_U64: json_u64(out, dx_load_u64le(p)); break;
    case DX_TP_KIND_I64: fprintf(out, "%lld", to_signed(dx_load_u64le(p), 64)); break;
    case DX_TP_KIND_F32: json_f32(out, dx_load_u32le(p)); break;
    case DX_TP_KIND_F64: json_f64(out, dx_load_u64le(p)); break;
    case DX_TP_KIND_BYTES: json_hex_bytes(out, p, f->info.size); break;
    case DX_TP_KIND_STR: {
        dx_tp_str s;
        uint32_t len;
        const char *str;
        s.off = dx_load_u32le(p);
        s.len = dx_load_u32le(p + DX_TP_STR_OFF_LEN);
        str = dx_tp_reader_string(&d->r, s, &len);
        json_string(out, str, len);
        break;
    }
    case DX_TP_KIND_REF: json_u64(out, dx_load_u32le(p)); break;
    case DX_TP_KIND_SLICE:
        fprintf(out, "{\"off\": %lu, \"count\": %lu}", (unsigned long)dx_load_u32le(p),
                (unsigned long)dx_load_u32le(p + DX_TP_SLICE_OFF_COUNT));
        break;
    default: fputs("null", out); break; /* the reader rejects unknown kinds; PAD is not printed */
    }
}

/* One struct as a JSON object: its fields in schema order, PAD left out. */
static void dump_object(const dump *d, const dump_type *t, const uint8_t *el) {
    uint32_t j;
    int first = 1;
    putc('{', d->out);
    for (j = 0; j < t->info.field_count; j++) {
        const dump_field *f = &t->fields[j];
        if (f->info.kind == DX_TP_KIND_PAD) continue;
        if (!first) fputs(", ", d->out);
        first = 0;
        json_key(d->out, f->name, f->name_len);
        dump_value(d, f, el + f->info.offset);
    }
    putc('}', d->out);
}

static const dump_type *find_type(const dump *d, uint32_t type_id) {
    uint32_t i;
    for (i = 0; i < d->type_count; i++)
        if (d->types[i].info.type_id == type_id) return &d->types[i];
    return NULL;
}

/* ---- the schema ---- */

/* Names can hold any bytes, NUL included, so their lengths come from the
   type and field entries (WIRE FORMAT), which dx_tp_reader_init checked. */
static const char *entry_name(const dx_tp_reader *r, const uint8_t *name_at, uint32_t *out_len) {
    dx_tp_str s;
    s.off = dx_load_u32le(name_at + DX_TP_STR_OFF_OFF);
    s.len = dx_load_u32le(name_at + DX_TP_STR_OFF_LEN);
    return dx_tp_reader_string(r, s, out_len);
}

static int load_schema(dump *d) {
    uint32_t i, j;
    d->type_count = d->r.type_count;
    d->types = (dump_type *)calloc(d->type_count ? d->type_count : 1, sizeof(dump_type));
    if (!d->types) return -1;
    for (i = 0; i < d->type_count; i++) {
        dump_type *t = &d->types[i];
        const uint8_t *entry = d->r.types + (size_t)i * DX_TP_TYPE_ENTRY_SIZE;
        const uint8_t *field_table = d->r.base + dx_load_u32le(entry + DX_TP_TYPE_ENTRY_OFF_FIELD_TABLE);
        if (dx_tp_reader_type(&d->r, i, &t->info) != DX_OK) return -1;
        t->name = entry_name(&d->r, entry + DX_TP_TYPE_ENTRY_OFF_NAME, &t->name_len);
        t->fields = (dump_field *)calloc(t->info.field_count ? t->info.field_count : 1, sizeof(dump_field));
        if (!t->fields) return -1;
        for (j = 0; j < t->info.field_count; j++) {
            dump_field *f = &t->fields[j];
            if (dx_tp_reader_field(&d->r, i, j, &f->info) != DX_OK) return -1;
            f->name = entry_name(&d->r, field_table + (size_t)j * DX_TP_FIELD_ENTRY_SIZE + DX_TP_FIELD_ENTRY_OFF_NAME, &f->name_len);
        }
    }
    return 0;
}

static void free_schema(dump *d) {
    uint32_t i;
    if (!d->types) return;
    for (i = 0; i < d->type_count; i++) free(d->types[i].fields);
    free(d->types);
    d->types = NULL;
}

static void dump_types(const dump *d) {
    FILE *out = d->out;
    uint32_t i, j;
    fputs("  \"types\": [", out);
    for (i = 0; i < d->type_count; i++) {
        const dump_type *t = &d->types[i];
        fprintf(out, "%s\n    {\"id\": %lu, \"name\": ", i ? "," : "", (unsigned long)t->info.type_id);
        json_string(out, t->name, t->name_len);
        fprintf(out, ", \"size\": %lu, \"align\": %lu, \"fingerprint\": ", (unsigned long)t->info.size,
                (unsigned long)t->info.align);
        json_hex64(out, t->info.fingerprint);
        fputs(", \"fields\": [", out);
        for (j = 0; j < t->info.field_count; j++) {
            const dump_field *f = &t->fields[j];
            fprintf(out, "%s\n      {\"name\": ", j ? "," : "");
            json_string(out, f->name, f->name_len);
            fprintf(out, ", \"kind\": \"%s\", \"offset\": %lu, \"size\": %lu", kind_name(f->info.kind),
                    (unsigned long)f->info.offset, (unsigned long)f->info.size);
            if (f->info.kind == DX_TP_KIND_REF || f->info.kind == DX_TP_KIND_SLICE)
                fprintf(out, ", \"target\": %lu", (unsigned long)f->info.ref_type);
            putc('}', out);
        }
        fputs(t->info.field_count ? "\n    ]}" : "]}", out);
    }
    fputs(d->type_count ? "\n  ],\n" : "],\n", out);
}

/* ---- header, root, sections ---- */

static void dump_root(const dump *d, int header_only) {
    FILE *out = d->out;
    const dump_type *t = find_type(d, d->r.root_type);
    dx_tp_section_info s;
    int32_t sec;
    uint32_t idx;
    fputs("  \"root\": ", out);
    if (d->r.root == 0 || dx_tp_reader_root(&d->r, &sec, &idx) != DX_OK ||
        dx_tp_reader_section(&d->r, (uint32_t)sec, &s) != DX_OK) {
        fputs("null,\n", out);
        return;
    }
    fprintf(out, "{\"offset\": %lu, \"type_id\": %lu, \"type\": ", (unsigned long)d->r.root,
            (unsigned long)d->r.root_type);
    if (t) json_string(out, t->name, t->name_len);
    else fputs("null", out);
    fprintf(out, ", \"section\": %ld, \"index\": %lu", (long)sec, (unsigned long)idx);
    if (!header_only && t) {
        fputs(", \"value\": ", out);
        dump_object(d, t, d->r.base + s.offset + (size_t)idx * s.elem_size);
    }
    fputs("},\n", out);
}

static void dump_sections(const dump *d, int header_only, uint64_t max_items) {
    FILE *out = d->out;
    uint32_t i, k;
    uint64_t total = 0, done = 0;
    bool out_tty;
#if defined(_WIN32)
    out_tty = _isatty(_fileno(stdout)) != 0;
#else
    out_tty = isatty(fileno(stdout)) != 0;
#endif
    for (i = 0; !header_only && i < d->r.section_count; i++) {
        dx_tp_section_info s;
        if (dx_tp_reader_section(&d->r, i, &s) != DX_OK) break;
        if (s.type_id != 0) total += (uint64_t)s.count < max_items ? s.count : max_items;
    }
    /* a progress line only when it cannot land in the middle of the JSON on the terminal */
    if (!out_tty || tool.progress > 0) tool_progress_start("dumping", total, "items");
    fputs("  \"sections\": [", out);
    for (i = 0; i < d->r.section_count; i++) {
        dx_tp_section_info s;
        const dump_type *t;
        uint32_t shown;
        if (dx_tp_reader_section(&d->r, i, &s) != DX_OK) break;
        fprintf(out, "%s\n    {\"index\": %lu, \"type\": ", i ? "," : "", (unsigned long)i);
        if (s.type_id == 0) {
            fprintf(out, "\"raw\", \"offset\": %lu, \"bytes\": ", (unsigned long)s.offset);
            json_u64(out, (uint64_t)s.count * s.elem_size);
            putc('}', out);
            continue;
        }
        t = find_type(d, s.type_id);
        if (t) json_string(out, t->name, t->name_len);
        else fputs("null", out);
        fprintf(out, ", \"type_id\": %lu, \"offset\": %lu, \"count\": %lu, \"elem_size\": %lu, \"align\": %lu",
                (unsigned long)s.type_id, (unsigned long)s.offset, (unsigned long)s.count,
                (unsigned long)s.elem_size, (unsigned long)s.align);
        if (header_only || !t) {
            putc('}', out);
            continue;
        }
        shown = (uint64_t)s.count < max_items ? s.count : (uint32_t)max_items;
        fputs(", \"items\": [", out);
        for (k = 0; k < shown; k++) {
            fputs(k ? ",\n      " : "\n      ", out);
            dump_object(d, t, d->r.base + s.offset + (size_t)k * s.elem_size);
            if ((++done & 4095) == 0) tool_progress(done);
        }
        fputs(shown ? "\n    ]" : "]", out);
        if (shown < s.count) fprintf(out, ", \"omitted\": %lu", (unsigned long)(s.count - shown));
        putc('}', out);
    }
    fputs(d->r.section_count ? "\n  ]\n" : "]\n", out);
    tool_progress_end(true);
}

static void dump_all(const dump *d, int header_only, uint64_t max_items) {
    FILE *out = d->out;
    fprintf(out, "{\n  \"version\": \"%d.%lu\",\n  \"size\": %lu,\n  \"checksum\": %s,\n", DX_TP_FORMAT_MAJOR,
            (unsigned long)d->r.version_minor, (unsigned long)d->r.size,
            (d->r.flags & DX_TP_FLAG_CHECKSUM) ? "true" : "false");
    fputs("  \"capabilities\": ", out);
    json_hex64(out, d->r.capabilities);
    fputs(",\n  \"fingerprint\": ", out);
    json_hex64(out, d->r.fingerprint);
    fputs(",\n", out);
    dump_root(d, header_only);
    dump_types(d);
    dump_sections(d, header_only, max_items);
    fputs("}\n", out);
}

/* ---- main ---- */

/* Reads a whole file into malloc'd memory; returns 0, or prints why not
   (naming path) and returns -1. */
static int read_file(const char *path, uint8_t **out_buf, size_t *out_len) {
    FILE *f;
    uint8_t *buf = NULL;
    size_t cap = 0, len = 0;
    uint64_t total = 0;
    struct stat st;
    int e;
    if (stat(path, &st) != 0) {
        e = errno;
        tool_fail("cannot open %s: %s", path, strerror(e));
        return -1;
    }
    if ((st.st_mode & S_IFMT) == S_IFDIR) {
        tool_fail("%s is a directory", path);
        return -1;
    }
    if ((st.st_mode & S_IFMT) == S_IFREG) total = (uint64_t)st.st_size;
    if (!(f = fopen(path, "rb"))) {
        e = errno;
        tool_fail("cannot open %s: %s", path, strerror(e));
        return -1;
    }
    tool_progress_start("reading", total, "MiB");
    for (;;) {
        size_t got;
        if (len == cap) {
            size_t ncap = cap ? cap * 2 : 65536;
            uint8_t *nb = ncap > cap ? (uint8_t *)realloc(buf, ncap) : NULL;
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
        tool_progress(len);
        if (got == 0) break;
    }
    if (ferror(f)) {
        e = errno;
        tool_fail("cannot read %s: %s", path, strerror(e));
        free(buf);
        fclose(f);
        return -1;
    }
    tool_progress_end(true);
    fclose(f);
    *out_buf = buf;
    *out_len = len;
    return 0;
}

/* Why dx_tp_reader_init refused a file of len bytes, in words (its code's name follows them). */
static const char *reader_words(dx_result err, size_t len) {
    switch (err) {
    case DX_ERR_TRUNCATED: return len == 0 ? "the file is empty" : "it ends before its header or its tables do";
    case DX_TP_ERR_MAGIC: return "it does not start with DXTP, a teleport file's magic";
    case DX_ERR_CHECKSUM: return "its CRC32C does not match its bytes: it is damaged";
    case DX_ERR_UNSUPPORTED: return "a format version or a required flag this tp_dump does not know";
    case DX_ERR_LIMIT: return "a count or a size beyond the format's limits";
    case DX_ERR_CORRUPT: return "a table, a string or a slice is malformed or points outside the file";
    default: return "refused";
    }
}

static const char usage[] =
    "usage: tp_dump [--max N] [--header] [--progress | --quiet] FILE\n"
    "Prints a dx_teleport file as one JSON object, using only the schema stored in it\n"
    "(header, types, sections and their items); the file is verified first.\n"
    "  --max N      at most N items of each section (default: all)\n"
    "  --header     the header, the schema and the section table, no items\n"
    "  --progress   a progress line on stderr even when it is not a terminal\n"
    "  --quiet      no progress line\n"
    "  -h, --help   this text\n"
    "  --version    the dx_teleport.h version it is built from\n"
    "exit status: 0 ok, 1 FILE unreadable or not a valid teleport file (the reader's\n"
    "error and byte offset go to stderr), 2 bad usage\n";

int main(int argc, char **argv) {
    const char *path = NULL;
    uint64_t max_items = UINT64_MAX;
    int header_only = 0, i, options = 1;
    uint8_t *buf = NULL;
    size_t len = 0;
    dump d;
    dx_result err;

    tool_start("tp_dump", usage);
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (options && tool_is_help(a)) return tool_help();
        if (options && !strcmp(a, "--version"))
            return tool_version(TOOL_HEADER_VERSION("dx_teleport.h", DX_TELEPORT_VERSION_MAJOR,
                                                    DX_TELEPORT_VERSION_MINOR, DX_TELEPORT_VERSION_PATCH));
        if (options && strcmp(a, "--") == 0) {
            options = 0;
        } else if (options && strcmp(a, "--header") == 0) {
            header_only = 1;
        } else if (options && strcmp(a, "--progress") == 0) {
            tool.progress = 1;
        } else if (options && strcmp(a, "--quiet") == 0) {
            tool.progress = -1;
        } else if (options && (strcmp(a, "--max") == 0 || strncmp(a, "--max=", 6) == 0)) {
            const char *val = a[5] == '=' ? a + 6 : i + 1 < argc ? argv[++i] : NULL;
            if (!val) return tool_usage_error("--max needs a value");
            if (tool_parse_u64(val, 0, UINT64_MAX, false, &max_items) != 0)
                return tool_usage_error("--max: not a count: %s", val);
        } else if (options && a[0] == '-' && a[1] != 0) {
            return tool_usage_error("unknown option %s", a);
        } else if (!path) {
            path = a;
        } else {
            return tool_usage_error("one FILE only (got %s and %s)", path, a);
        }
    }
    if (!path) return tool_usage_error("no FILE given");

    if (read_file(path, &buf, &len) != 0) return 1;
    memset(&d, 0, sizeof d);
#if defined(_WIN32)
    (void)_setmode(_fileno(stdout), _O_BINARY); /* the same bytes as on POSIX: "\n", not "\r\n" */
#endif
    d.out = stdout;
    tool_progress_start("verifying", len, "MiB");
    err = dx_tp_reader_init(&d.r, buf, len);
    tool_progress_end(err == DX_OK);
    if (err != DX_OK) {
        tool_fail("%s: not a valid teleport file: %s (%s at byte offset %llu)", path, reader_words(err, len),
                  dx_tp_result_name(err), (unsigned long long)d.r.error_offset);
        free(buf);
        return 1;
    }
    if (load_schema(&d) != 0) {
        tool_fail("out of memory");
        free_schema(&d);
        free(buf);
        return 1;
    }
    dump_all(&d, header_only, max_items);
    free_schema(&d);
    free(buf);
    if (fflush(stdout) != 0 || ferror(stdout)) return tool_fail("cannot write the output");
    return 0;
}

/* teleport_test.c - unit tests and properties for dx_teleport.h
   Run from the repository root (it reads tests/vectors/teleport/). */
/* run.sh variant nocrctable: -DDX_TP_NO_CRC_TABLE */
#define DX_IMPLEMENTATION
#include "dx_teleport.h"
#include "prop.h"

/* ---- the structs the tests write ---- */

typedef struct rec {
    uint64_t id;
    uint32_t age;
    int16_t delta;
    uint8_t flag, pad;
    double score;
    float ratio;
    uint32_t pad2;
    dx_tp_str name;
    dx_tp_str email;
} rec;
static const dx_tp_field rec_fields[] = {
    DX_TP_FIELD(rec, id, DX_TP_KIND_U64),     DX_TP_FIELD(rec, age, DX_TP_KIND_U32),
    DX_TP_FIELD(rec, delta, DX_TP_KIND_I16),  DX_TP_FIELD(rec, flag, DX_TP_KIND_U8),
    DX_TP_FIELD(rec, pad, DX_TP_KIND_PAD),    DX_TP_FIELD(rec, score, DX_TP_KIND_F64),
    DX_TP_FIELD(rec, ratio, DX_TP_KIND_F32),  DX_TP_FIELD(rec, pad2, DX_TP_KIND_PAD),
    DX_TP_FIELD(rec, name, DX_TP_KIND_STR),   DX_TP_FIELD(rec, email, DX_TP_KIND_STR),
};
static const dx_tp_layout rec_layout = DX_TP_LAYOUT(7, rec, rec_fields);

typedef struct dir {
    dx_tp_slice recs;
    dx_tp_ref best;
    uint32_t count;
    dx_tp_str title;
} dir;
static const dx_tp_field dir_fields[] = {
    DX_TP_FIELD_REF(dir, recs, DX_TP_KIND_SLICE, 7), DX_TP_FIELD_REF(dir, best, DX_TP_KIND_REF, 7),
    DX_TP_FIELD(dir, count, DX_TP_KIND_U32),         DX_TP_FIELD(dir, title, DX_TP_KIND_STR),
};
static const dx_tp_layout dir_layout = DX_TP_LAYOUT(9, dir, dir_fields);

/* Schema evolution: v1 is a prefix of v2, bad renames a field. */
typedef struct point_v1 { uint32_t x, y; } point_v1;
typedef struct point_v2 { uint32_t x, y; uint64_t z; dx_tp_str label; } point_v2;
static const dx_tp_field point_v1_fields[] = {DX_TP_FIELD(point_v1, x, DX_TP_KIND_U32),
                                              DX_TP_FIELD(point_v1, y, DX_TP_KIND_U32)};
static const dx_tp_field point_v2_fields[] = {
    DX_TP_FIELD(point_v2, x, DX_TP_KIND_U32), DX_TP_FIELD(point_v2, y, DX_TP_KIND_U32),
    DX_TP_FIELD(point_v2, z, DX_TP_KIND_U64), DX_TP_FIELD(point_v2, label, DX_TP_KIND_STR)};
static const dx_tp_field point_bad_fields[] = {DX_TP_FIELD(point_v1, x, DX_TP_KIND_U32),
                                               {"why", 4, 4, DX_TP_KIND_U32, 0}};
static const dx_tp_field point_kind_fields[] = {DX_TP_FIELD(point_v1, x, DX_TP_KIND_U32),
                                                {"y", 4, 4, DX_TP_KIND_I32, 0}};
static const dx_tp_layout point_v1_layout = DX_TP_LAYOUT(3, point_v1, point_v1_fields);
static const dx_tp_layout point_v2_layout = DX_TP_LAYOUT(3, point_v2, point_v2_fields);
static const dx_tp_layout point_bad_layout = DX_TP_LAYOUT(3, point_v1, point_bad_fields);
static const dx_tp_layout point_kind_layout = DX_TP_LAYOUT(3, point_v1, point_kind_fields);

/* ---- helpers ---- */

/* Deterministic record i; strings come from a small pool so dedup has work. */
static const char *const names[] = {"ada", "grace", "linus", "ken", "dennis", "barbara", "", "x"};
static rec make_rec(uint32_t i) {
    rec r;
    memset(&r, 0, sizeof r);
    r.id = 0x0102030405060708ull * (i + 1);
    r.age = i * 7u;
    r.delta = (int16_t)(-(int32_t)i);
    r.flag = (uint8_t)(i & 1);
    r.score = (double)i * 0.25 - 3.0;
    r.ratio = (float)i / 8.0f;
    return r;
}

/* build()'s options, a bit each so that properties can draw them */
enum { B_CHECKSUM = 1, B_DEDUP = 2 };

/* A buffer of n records and a dir root; strings: names[i % 8] and "email<i>". */
static dx_result build(dx_tp_writer *w, uint32_t n, uint32_t flags, const uint8_t **out, size_t *out_len) {
    dx_tp_writer_config cfg;
    uint32_t i;
    dx_tp_slice s;
    rec *recs;
    dir d;
    dx_result err;
    memset(&cfg, 0, sizeof cfg);
    cfg.checksum = (flags & B_CHECKSUM) != 0;
    cfg.dedup_strings = (flags & B_DEDUP) != 0;
    cfg.capabilities = 0xfeedfacecafebeefull;
    err = dx_tp_writer_create(w, &cfg);
    if (err) return err;
    dx_tp_writer_add_layout(w, &rec_layout);
    dx_tp_writer_add_layout(w, &dir_layout);
    recs = (rec *)dx_tp_writer_reserve(w, 7, n, &s);
    for (i = 0; i < n; i++) {
        char email[32];
        rec r = make_rec(i);
        r.name = dx_tp_write_cstr(w, names[i % 8]);
        snprintf(email, sizeof email, "email%u@dx.example", (unsigned)i);
        r.email = dx_tp_write_cstr(w, email);
        if (recs) memcpy(w->buf + s.off + (size_t)i * sizeof(rec), &r, sizeof r); /* buf may have moved */
    }
    memset(&d, 0, sizeof d);
    d.recs = s;
    d.best = n ? s.off + (n / 2) * (uint32_t)sizeof(rec) : 0;
    d.count = n;
    d.title = dx_tp_write_cstr(w, "directory");
    dx_tp_writer_set_root(w, 9, dx_tp_write(w, 9, &d));
    return dx_tp_writer_finish(w, out, out_len);
}

/* Reads everything back through the API and checks it against build(). */
static int check_buffer(prop_ctx *p, const uint8_t *buf, size_t len, uint32_t n) {
    dx_tp_reader r;
    dx_tp_view v, dv;
    dx_tp_section_info si;
    int32_t sec;
    uint32_t i, idx, slen;
    dir d;
    dx_result err = dx_tp_reader_init(&r, buf, len);
    PROP_CHECK_MSG(p, err == DX_OK, "init %s at %lu", dx_tp_result_name(err), (unsigned long)r.error_offset);
    PROP_CHECK(p, r.capabilities == 0xfeedfacecafebeefull);
    PROP_CHECK(p, dx_tp_reader_root(&r, &sec, &idx) == DX_OK);
    PROP_CHECK(p, dx_tp_reader_view(&r, sec, &dir_layout, &dv) == DX_OK);
    dx_tp_view_read(&dv, idx, &d);
    PROP_CHECK(p, d.count == n && d.recs.count == n);
    PROP_CHECK(p, strcmp(dx_tp_reader_string(&r, d.title, &slen), "directory") == 0 && slen == 9);
    if (n == 0) return 0;
    PROP_CHECK(p, dx_tp_reader_resolve(&r, d.recs.off, 7, &sec, &idx) == DX_OK && idx == 0);
    PROP_CHECK(p, dx_tp_reader_section(&r, (uint32_t)sec, &si) == DX_OK && si.count == n);
    PROP_CHECK(p, dx_tp_reader_view(&r, sec, &rec_layout, &v) == DX_OK && v.count == n);
    PROP_CHECK(p, dx_tp_reader_resolve(&r, d.best, 7, &sec, &idx) == DX_OK && idx == n / 2);
    for (i = 0; i < n; i++) {
        rec want = make_rec(i), got;
        char email[32];
        dx_tp_view_read(&v, i, &got);
        if (v.zero_copy) PROP_CHECK(p, memcmp(dx_tp_view_at(&v, i), &got, sizeof got) == 0);
        snprintf(email, sizeof email, "email%u@dx.example", (unsigned)i);
        PROP_CHECK_MSG(p, got.id == want.id && got.age == want.age && got.delta == want.delta &&
                              got.flag == want.flag && got.score == want.score && got.ratio == want.ratio,
                       "record %u", (unsigned)i);
        PROP_CHECK(p, strcmp(dx_tp_reader_string(&r, got.name, &slen), names[i % 8]) == 0);
        PROP_CHECK(p, slen == strlen(names[i % 8]));
        PROP_CHECK(p, strcmp(dx_tp_reader_string(&r, got.email, NULL), email) == 0);
    }
    return 0;
}

/* Touches every byte a verified reader hands out; ASan reports any overrun. */
static uint64_t walk_everything(const dx_tp_reader *r) {
    uint64_t sum = 0;
    uint32_t s, t, f, i;
    for (s = 0; s < r->section_count; s++) {
        dx_tp_section_info si;
        dx_tp_type_info ti;
        if (dx_tp_reader_section(r, s, &si) != DX_OK) return 0;
        sum += si.count;
        for (t = 0; t < r->type_count; t++) {
            if (dx_tp_reader_type(r, t, &ti) != DX_OK || ti.type_id != si.type_id) continue;
            sum += strlen(ti.name);
            for (f = 0; f < ti.field_count; f++) {
                dx_tp_field_info fi;
                if (dx_tp_reader_field(r, t, f, &fi) != DX_OK) return 0;
                sum += strlen(fi.name);
                for (i = 0; i < si.count; i++) {
                    const uint8_t *el = r->base + si.offset + (size_t)i * si.elem_size + fi.offset;
                    uint32_t k;
                    for (k = 0; k < fi.size; k++) sum += el[k];
                    if (fi.kind == DX_TP_KIND_STR) {
                        dx_tp_str str;
                        uint32_t len;
                        const char *cs;
                        str.off = dx_load_u32le(el);
                        str.len = dx_load_u32le(el + DX_TP_STR_OFF_LEN);
                        cs = dx_tp_reader_string(r, str, &len);
                        sum += strlen(cs) + len + (uint8_t)cs[len];
                    }
                }
            }
        }
    }
    return sum;
}

static uint8_t *copy_exact(const uint8_t *src, size_t len) {
    uint8_t *b = (uint8_t *)malloc(len ? len : 1);
    if (b && len) memcpy(b, src, len);
    return b;
}

/* The worked example of WIRE FORMAT: the fingerprint of point_v1 (type 3,
   8 bytes, fields x and y U32) and of a buffer holding only that type. */
static int t_fingerprint_vector(prop_ctx *p) {
    static const uint8_t encoding[48] = {
        0x03, 0, 0, 0, 0x08, 0, 0, 0, 0x02, 0, 0, 0,                      /* type id, size, field count */
        'x', 0, 0x05, 0, 0, 0, 0x00, 0, 0, 0, 0x04, 0, 0, 0, 0x00, 0, 0, 0, /* x\0 U32 offset 0 size 4 target 0 */
        'y', 0, 0x05, 0, 0, 0, 0x04, 0, 0, 0, 0x04, 0, 0, 0, 0x00, 0, 0, 0, /* y\0 U32 offset 4 size 4 target 0 */
    };
    dx_tp_writer w;
    dx_tp_writer_config cfg;
    dx_tp_reader r;
    dx_tp_type_info ti;
    const uint8_t *buf;
    size_t len;
    point_v1 pt = {1, 2};
    PROP_CHECK(p, dxi_tp_fnv(DXI_TP_FNV_BASIS, encoding, sizeof encoding) == 0x549f94e4a484e7a9ull);
    PROP_CHECK(p, dx_tp_layout_fingerprint(&point_v1_layout) == 0x549f94e4a484e7a9ull);
    memset(&cfg, 0, sizeof cfg);
    PROP_CHECK(p, dx_tp_writer_create(&w, &cfg) == DX_OK);
    PROP_CHECK(p, dx_tp_writer_finish(&w, &buf, &len) == DX_OK);
    PROP_CHECK(p, dx_load_u64le(buf + DX_TP_HEADER_OFF_FINGERPRINT) == 0xcbf29ce484222325ull); /* no types */
    dx_tp_writer_destroy(&w);
    PROP_CHECK(p, dx_tp_writer_create(&w, &cfg) == DX_OK);
    dx_tp_writer_add_layout(&w, &point_v1_layout);
    dx_tp_write(&w, 3, &pt);
    PROP_CHECK(p, dx_tp_writer_finish(&w, &buf, &len) == DX_OK);
    PROP_CHECK(p, dx_tp_reader_init(&r, buf, len) == DX_OK && r.fingerprint == 0x0d14614263be7502ull);
    PROP_CHECK(p, dx_tp_reader_type(&r, 0, &ti) == DX_OK && ti.fingerprint == 0x549f94e4a484e7a9ull && ti.align == 4);
    dx_tp_writer_destroy(&w);
    return 0;
}

/* Alignment is a power of two up to 4096: a raw section aligned to 8192 (at
   an offset it divides) is rejected. */
static int t_align_limit(prop_ctx *p) {
    static uint8_t bytes[6144];
    dx_tp_writer w;
    dx_tp_writer_config cfg;
    dx_tp_reader r;
    const uint8_t *buf;
    size_t len;
    uint8_t *b;
    uint32_t e;
    memset(&cfg, 0, sizeof cfg);
    PROP_CHECK(p, dx_tp_writer_create(&w, &cfg) == DX_OK);
    PROP_CHECK(p, dx_tp_write_raw(&w, bytes, sizeof bytes, 2048) == 2048);
    PROP_CHECK(p, dx_tp_write_raw(&w, "a", 1, 4096) == 8192);
    PROP_CHECK(p, dx_tp_writer_finish(&w, &buf, &len) == DX_OK);
    b = copy_exact(buf, len);
    PROP_CHECK(p, dx_tp_reader_init(&r, b, len) == DX_OK && r.section_count == 2);
    e = dx_load_u32le(b + DX_TP_HEADER_OFF_SECTION_TABLE) + DX_TP_SECTION_ENTRY_SIZE;
    dx_store_u32le(b + e + DX_TP_SECTION_ENTRY_OFF_ALIGN, 8192);
    PROP_CHECK(p, dx_tp_reader_init(&r, b, len) == DX_ERR_CORRUPT && r.error_offset == e);
    dx_store_u32le(b + e + DX_TP_SECTION_ENTRY_OFF_ALIGN, 1024);
    PROP_CHECK(p, dx_tp_reader_init(&r, b, len) == DX_OK); /* raw sections: any power of two dividing the offset */
    free(b);
    dx_tp_writer_destroy(&w);
    PROP_CHECK(p, dx_tp_writer_create(&w, &cfg) == DX_OK); /* the writer refuses it too */
    PROP_CHECK(p, dx_tp_write_raw(&w, "a", 1, 8192) == 0 && dx_tp_writer_error(&w) == DX_ERR_INVAL);
    dx_tp_writer_destroy(&w);
    return 0;
}

/* After a failed init the reader is empty: every accessor answers as for a
   buffer with nothing in it and reads nothing (ASan and UBSan watch). */
static int check_empty_reader(prop_ctx *p, const dx_tp_reader *r, uint32_t old_strtab_size, uint32_t ref) {
    dx_tp_section_info si;
    dx_tp_type_info ti;
    dx_tp_field_info fi;
    dx_tp_view v;
    dx_tp_str s;
    int32_t sec = 0;
    uint32_t idx, slen = 99;
    PROP_CHECK(p, r->section_count == 0 && r->type_count == 0 && r->strtab_size == 0 && r->size == 0);
    PROP_CHECK(p, r->base == NULL && r->sections == NULL && r->types == NULL && r->strtab_end == NULL);
    PROP_CHECK(p, dx_tp_reader_find(r, 7, 0) == DX_ERR_NOTFOUND && dx_tp_reader_find(r, 0, 0) == DX_ERR_NOTFOUND);
    PROP_CHECK(p, dx_tp_reader_section(r, 0, &si) == DX_ERR_NOTFOUND);
    PROP_CHECK(p, dx_tp_reader_view(r, 0, &rec_layout, &v) == DX_ERR_NOTFOUND);
    PROP_CHECK(p, dx_tp_reader_resolve(r, ref, 7, &sec, &idx) == DX_ERR_NOTFOUND && sec == DX_ERR_NOTFOUND);
    PROP_CHECK(p, dx_tp_reader_root(r, &sec, &idx) == DX_ERR_NOTFOUND);
    PROP_CHECK(p, dx_tp_reader_type(r, 0, &ti) == DX_ERR_NOTFOUND);
    PROP_CHECK(p, dx_tp_reader_field(r, 0, 0, &fi) == DX_ERR_NOTFOUND);
    s.off = old_strtab_size, s.len = 0;
    PROP_CHECK(p, strcmp(dx_tp_reader_string(r, s, &slen), "") == 0 && slen == 0);
    s.off = 4, s.len = 1;
    slen = 99;
    PROP_CHECK(p, strcmp(dx_tp_reader_string(r, s, &slen), "") == 0 && slen == 0);
    return 0;
}

/* Every kind of init failure, early and late: the result, error_offset
   (the header word, table entry or element field that failed) and an empty
   reader afterwards. */
static int t_failed_reader(prop_ctx *p) {
    enum { W, H, T, F, S, E }; /* the offset of: a header word, type 0 entry + x, type 1 + x, field 0 of type 0 + x, section 0 + x, rec 1 + x */
    static const struct {
        uint32_t base, at, value, width, expect_base, expect_at;
        dx_result expect;
    } cases[] = {
        {W, DX_TP_HEADER_OFF_MAJOR, 2, 2, W, DX_TP_HEADER_OFF_MAJOR, DX_ERR_UNSUPPORTED},
        {W, DX_TP_HEADER_OFF_FLAGS, 0x8000, 4, W, DX_TP_HEADER_OFF_FLAGS, DX_ERR_UNSUPPORTED},
        {W, DX_TP_HEADER_OFF_HEADER_SIZE, 81, 4, W, DX_TP_HEADER_OFF_HEADER_SIZE, DX_ERR_CORRUPT},
        {W, DX_TP_HEADER_OFF_TOTAL_SIZE, 40, 4, W, DX_TP_HEADER_OFF_TOTAL_SIZE, DX_ERR_CORRUPT},
        {W, DX_TP_HEADER_OFF_CRC, 1, 4, W, DX_TP_HEADER_OFF_CRC, DX_ERR_CORRUPT},
        {W, DX_TP_HEADER_OFF_RESERVED + 3, 1, 1, W, DX_TP_HEADER_OFF_RESERVED, DX_ERR_CORRUPT},
        {W, DX_TP_HEADER_OFF_SECTION_COUNT, 65537, 4, W, DX_TP_HEADER_OFF_SECTION_COUNT, DX_ERR_LIMIT},
        {W, DX_TP_HEADER_OFF_TYPE_COUNT, 257, 4, W, DX_TP_HEADER_OFF_TYPE_COUNT, DX_ERR_LIMIT},
        {W, DX_TP_HEADER_OFF_SECTION_COUNT, 1000, 4, W, DX_TP_HEADER_OFF_SECTION_TABLE, DX_ERR_CORRUPT},
        {W, DX_TP_HEADER_OFF_TYPE_TABLE, 0xfffffff0u, 4, W, DX_TP_HEADER_OFF_TYPE_TABLE, DX_ERR_CORRUPT},
        {W, DX_TP_HEADER_OFF_FINGERPRINT, 1, 1, W, DX_TP_HEADER_OFF_FINGERPRINT, DX_ERR_CORRUPT},
        {W, DX_TP_HEADER_OFF_ROOT, 81, 4, W, DX_TP_HEADER_OFF_ROOT, DX_ERR_CORRUPT},
        {H, DX_TP_TYPE_ENTRY_OFF_ALIGN, 3, 4, H, 0, DX_ERR_CORRUPT},
        {H, DX_TP_TYPE_ENTRY_OFF_RESERVED, 1, 4, H, 0, DX_ERR_CORRUPT},
        {H, DX_TP_TYPE_ENTRY_OFF_FIELD_COUNT, 0, 4, H, 0, DX_ERR_CORRUPT},
        {H, DX_TP_TYPE_ENTRY_OFF_FIELD_COUNT, 257, 4, H, 0, DX_ERR_LIMIT},
        {H, DX_TP_TYPE_ENTRY_OFF_FIELD_TABLE, 8, 4, H, 0, DX_ERR_CORRUPT},
        {H, DX_TP_TYPE_ENTRY_OFF_FINGERPRINT, 1, 1, H, 0, DX_ERR_CORRUPT},
        {T, DX_TP_TYPE_ENTRY_OFF_TYPE_ID, 7, 4, T, 0, DX_ERR_CORRUPT}, /* a duplicate id */
        {F, DX_TP_FIELD_ENTRY_OFF_KIND, 0, 4, F, 0, DX_ERR_CORRUPT},
        {S, DX_TP_SECTION_ENTRY_OFF_ELEM_SIZE, 0, 4, S, 0, DX_ERR_CORRUPT},
        {S, DX_TP_SECTION_ENTRY_OFF_RESERVED, 1, 4, S, 0, DX_ERR_CORRUPT},
        {E, offsetof(rec, name), 0x7fffffffu, 4, E, offsetof(rec, name), DX_ERR_CORRUPT},
    };
    dx_tp_writer w;
    dx_tp_reader r;
    const uint8_t *buf;
    size_t len, i;
    uint32_t bases[6], strtab_size, rec_at;
    uint8_t *b;
    PROP_CHECK(p, build(&w, 4, 0, &buf, &len) == DX_OK);
    b = copy_exact(buf, len);
    PROP_CHECK(p, dx_tp_reader_init(&r, b, len) == DX_OK);
    strtab_size = r.strtab_size;
    rec_at = dx_load_u32le(r.sections + DX_TP_SECTION_ENTRY_OFF_OFFSET);
    bases[W] = 0;
    bases[H] = dx_load_u32le(b + DX_TP_HEADER_OFF_TYPE_TABLE);
    bases[T] = bases[H] + DX_TP_TYPE_ENTRY_SIZE;
    bases[F] = dx_load_u32le(b + bases[H] + DX_TP_TYPE_ENTRY_OFF_FIELD_TABLE);
    bases[S] = dx_load_u32le(b + DX_TP_HEADER_OFF_SECTION_TABLE);
    bases[E] = rec_at + (uint32_t)sizeof(rec);
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t *at = b + bases[cases[i].base] + cases[i].at;
        dx_result err;
        memcpy(b, buf, len);
        if (cases[i].width == 4) dx_store_u32le(at, cases[i].value);
        else if (cases[i].width == 2) dx_store_u16le(at, (uint16_t)cases[i].value);
        else *at ^= (uint8_t)cases[i].value;
        err = dx_tp_reader_init(&r, b, len);
        PROP_CHECK_MSG(p, err == cases[i].expect && r.error_offset == bases[cases[i].expect_base] + cases[i].expect_at,
                       "case %lu: %s at %lu", (unsigned long)i, dx_tp_result_name(err), (unsigned long)r.error_offset);
        if (check_empty_reader(p, &r, strtab_size, rec_at)) return 1;
    }
    memcpy(b, buf, len);
    b[len - 1] = 'x'; /* the string table without its final NUL */
    PROP_CHECK(p, dx_tp_reader_init(&r, b, len) == DX_ERR_CORRUPT && r.error_offset == DX_TP_HEADER_OFF_STRING_TABLE);
    if (check_empty_reader(p, &r, strtab_size, rec_at)) return 1;
    memcpy(b, buf, len);
    PROP_CHECK(p, dx_tp_reader_init(&r, b, len - 1) == DX_ERR_TRUNCATED && r.error_offset == len - 1);
    if (check_empty_reader(p, &r, strtab_size, rec_at)) return 1;
    PROP_CHECK(p, dx_tp_reader_init(&r, b, 79) == DX_ERR_TRUNCATED && r.error_offset == 79);
    if (check_empty_reader(p, &r, strtab_size, rec_at)) return 1;
    b[0] = 'X';
    PROP_CHECK(p, dx_tp_reader_init(&r, b, len) == DX_TP_ERR_MAGIC && r.error_offset == 0);
    if (check_empty_reader(p, &r, strtab_size, rec_at)) return 1;
    PROP_CHECK(p, dx_tp_reader_init(&r, NULL, 5) == DX_ERR_INVAL && r.error_offset == 0);
    if (check_empty_reader(p, &r, strtab_size, rec_at)) return 1;
    free(b);
    dx_tp_writer_destroy(&w);
    PROP_CHECK(p, build(&w, 4, B_CHECKSUM, &buf, &len) == DX_OK); /* a late check: the CRC */
    b = copy_exact(buf, len);
    b[len / 2] ^= 1;
    PROP_CHECK(p, dx_tp_reader_init(&r, b, len) == DX_ERR_CHECKSUM && r.error_offset == DX_TP_HEADER_OFF_CRC);
    if (check_empty_reader(p, &r, strtab_size, rec_at)) return 1;
    free(b);
    dx_tp_writer_destroy(&w);
    return 0;
}

/* Recomputes every type FINGERPRINT and the header's after a test changed
   schema bytes (names), so that only the change itself is judged. */
static void refix_fingerprints(uint8_t *b) {
    uint32_t types = dx_load_u32le(b + DX_TP_HEADER_OFF_TYPE_TABLE), i, j;
    uint32_t ntypes = dx_load_u32le(b + DX_TP_HEADER_OFF_TYPE_COUNT);
    const uint8_t *strtab_end =
        b + dx_load_u32le(b + DX_TP_HEADER_OFF_STRING_TABLE) + dx_load_u32le(b + DX_TP_HEADER_OFF_STRING_TABLE_SIZE);
    uint64_t all = DXI_TP_FNV_BASIS;
    for (i = 0; i < ntypes; i++) {
        uint8_t *e = b + types + i * DX_TP_TYPE_ENTRY_SIZE;
        uint32_t nf = dx_load_u32le(e + DX_TP_TYPE_ENTRY_OFF_FIELD_COUNT);
        const uint8_t *f = b + dx_load_u32le(e + DX_TP_TYPE_ENTRY_OFF_FIELD_TABLE);
        uint64_t h = dxi_tp_fp_type(dx_load_u32le(e + DX_TP_TYPE_ENTRY_OFF_TYPE_ID),
                                    dx_load_u32le(e + DX_TP_TYPE_ENTRY_OFF_STRUCT_SIZE), nf);
        for (j = 0; j < nf; j++, f += DX_TP_FIELD_ENTRY_SIZE) {
            dx_tp_str name = dxi_tp_load_str(f + DX_TP_FIELD_ENTRY_OFF_NAME);
            h = dxi_tp_fp_field(h, (const char *)(strtab_end - name.off), name.len,
                                dx_load_u32le(f + DX_TP_FIELD_ENTRY_OFF_KIND), dx_load_u32le(f + DX_TP_FIELD_ENTRY_OFF_OFFSET),
                                dx_load_u32le(f + DX_TP_FIELD_ENTRY_OFF_SIZE), dx_load_u32le(f + DX_TP_FIELD_ENTRY_OFF_TARGET));
        }
        dx_store_u64le(e + DX_TP_TYPE_ENTRY_OFF_FINGERPRINT, h);
        all = dxi_tp_fnv(all, e + DX_TP_TYPE_ENTRY_OFF_FINGERPRINT, 8);
    }
    dx_store_u64le(b + DX_TP_HEADER_OFF_FINGERPRINT, all);
}

/* A type or field name with a NUL inside could never match a layout (its
   name is a C string): init refuses it. Empty names stay valid. */
static int t_names_with_nul(prop_ctx *p) {
    static const dx_tp_field empty_fields[] = {{"", 0, 4, DX_TP_KIND_U32, 0}, {"y", 4, 4, DX_TP_KIND_U32, 0}};
    static const dx_tp_layout empty_layout = {3, "", 8, empty_fields, 2};
    dx_tp_writer w;
    dx_tp_writer_config cfg;
    dx_tp_reader r;
    dx_tp_type_info ti;
    dx_tp_field_info fi;
    dx_tp_view v;
    const uint8_t *buf;
    size_t len;
    uint8_t *b;
    uint32_t types, pos;
    point_v1 pt = {1, 2};
    PROP_CHECK(p, build(&w, 2, 0, &buf, &len) == DX_OK);
    b = copy_exact(buf, len);
    PROP_CHECK(p, dx_tp_reader_init(&r, b, len) == DX_OK);
    types = dx_load_u32le(b + DX_TP_HEADER_OFF_TYPE_TABLE);
    PROP_CHECK(p, dx_tp_reader_type(&r, 0, &ti) == DX_OK && strcmp(ti.name, "rec") == 0);
    pos = (uint32_t)((const uint8_t *)ti.name - b);
    b[pos + 1] = 0; /* "r\0c": the type name (not in any fingerprint) */
    PROP_CHECK(p, dx_tp_reader_init(&r, b, len) == DX_ERR_CORRUPT && r.error_offset == types);
    memcpy(b, buf, len);
    PROP_CHECK(p, dx_tp_reader_init(&r, b, len) == DX_OK);
    PROP_CHECK(p, dx_tp_reader_field(&r, 0, 1, &fi) == DX_OK && strcmp(fi.name, "age") == 0);
    pos = (uint32_t)((const uint8_t *)fi.name - b);
    b[pos + 2] = 0; /* "ag\0": field 1, fingerprints made to match */
    refix_fingerprints(b);
    PROP_CHECK(p, dx_tp_reader_init(&r, b, len) == DX_ERR_CORRUPT &&
                      r.error_offset == dx_load_u32le(b + types + DX_TP_TYPE_ENTRY_OFF_FIELD_TABLE) + DX_TP_FIELD_ENTRY_SIZE);
    b[pos + 2] = 'e'; /* back to "age": the refix changed nothing else */
    refix_fingerprints(b);
    PROP_CHECK(p, memcmp(b, buf, len) == 0 && dx_tp_reader_init(&r, b, len) == DX_OK);
    free(b);
    dx_tp_writer_destroy(&w);
    /* empty type and field names: written as {0, 0}, read and viewed */
    memset(&cfg, 0, sizeof cfg);
    PROP_CHECK(p, dx_tp_writer_create(&w, &cfg) == DX_OK);
    PROP_CHECK(p, dx_tp_writer_add_layout(&w, &empty_layout) == DX_OK);
    dx_tp_write(&w, 3, &pt);
    PROP_CHECK(p, dx_tp_writer_finish(&w, &buf, &len) == DX_OK);
    PROP_CHECK(p, dx_tp_reader_init(&r, buf, len) == DX_OK);
    PROP_CHECK(p, dx_tp_reader_view(&r, 0, &empty_layout, &v) == DX_OK && v.count == 1);
    PROP_CHECK(p, dx_tp_reader_type(&r, 0, &ti) == DX_OK && ti.name[0] == 0);
    dx_tp_writer_destroy(&w);
    return 0;
}

/* A counting allocator that fails the Nth allocation (below, with t_alloc_failures). */
typedef struct counting counting;
static void *counting_alloc(size_t size, void *user);

/* ---- unit tests ---- */

static int t_roundtrip_basic(prop_ctx *p) {
    dx_tp_writer w;
    const uint8_t *buf;
    size_t len;
    PROP_CHECK(p, build(&w, 100, B_CHECKSUM, &buf, &len) == DX_OK);
    if (check_buffer(p, buf, len, 100)) return dx_tp_writer_destroy(&w), 1;
    dx_tp_writer_destroy(&w);
    return 0;
}

static int t_empty_writer(prop_ctx *p) {
    dx_tp_writer w;
    dx_tp_writer_config cfg;
    dx_tp_reader r;
    const uint8_t *buf;
    size_t len;
    memset(&cfg, 0, sizeof cfg);
    PROP_CHECK(p, dx_tp_writer_create(&w, &cfg) == DX_OK);
    PROP_CHECK(p, dx_tp_writer_finish(&w, &buf, &len) == DX_OK && len == DX_TP_HEADER_SIZE);
    PROP_CHECK(p, dx_tp_reader_init(&r, buf, len) == DX_OK);
    PROP_CHECK(p, r.section_count == 0 && r.type_count == 0);
    PROP_CHECK(p, dx_tp_reader_find(&r, 7, 0) == DX_ERR_NOTFOUND);
    PROP_CHECK(p, dx_tp_reader_root(&r, NULL, NULL) == DX_ERR_NOTFOUND);
    dx_tp_writer_destroy(&w);
    return 0;
}

static int t_caller_buffer(prop_ctx *p) {
    static uint8_t mem[4096], big[1 << 16];
    dx_tp_writer w, w2;
    dx_tp_writer_config cfg;
    const uint8_t *buf, *buf2;
    size_t len, len2;
    uint32_t i;
    memset(&cfg, 0, sizeof cfg);
    PROP_CHECK(p, dx_tp_writer_memory_size(&cfg) == DX_TP_HEADER_SIZE);
    PROP_CHECK(p, dx_tp_writer_init(&w, &cfg, mem, sizeof mem) == DX_OK);
    dx_tp_writer_add_layout(&w, &rec_layout);
    for (i = 0; i < 1000; i++) {
        rec r = make_rec(i);
        dx_tp_write(&w, 7, &r);
    }
    PROP_CHECK(p, dx_tp_writer_error(&w) == DX_ERR_NOSPACE);
    PROP_CHECK(p, dx_tp_write(&w, 7, &mem) == 0);              /* sticky: no-op */
    PROP_CHECK(p, dx_tp_write_cstr(&w, "late").off == 0);
    PROP_CHECK(p, dx_tp_writer_finish(&w, &buf, &len) == DX_ERR_NOSPACE);
    dx_tp_writer_destroy(&w);
    /* the same content from create (growing) and from init (a roomy caller buffer) is byte-identical */
    PROP_CHECK(p, build(&w, 50, 0, &buf, &len) == DX_OK);
    cfg.capabilities = 0xfeedfacecafebeefull; /* as build() sets them */
    PROP_CHECK(p, dx_tp_writer_init(&w2, &cfg, big, sizeof big) == DX_OK);
    dx_tp_writer_add_layout(&w2, &rec_layout);
    dx_tp_writer_add_layout(&w2, &dir_layout);
    {
        dx_tp_slice s;
        dir d;
        dx_tp_writer_reserve(&w2, 7, 50, &s);
        for (i = 0; i < 50; i++) {
            char email[32];
            rec r = make_rec(i);
            r.name = dx_tp_write_cstr(&w2, names[i % 8]);
            snprintf(email, sizeof email, "email%u@dx.example", (unsigned)i);
            r.email = dx_tp_write_cstr(&w2, email);
            memcpy(big + s.off + i * sizeof(rec), &r, sizeof r);
        }
        memset(&d, 0, sizeof d);
        d.recs = s;
        d.best = s.off + 25 * (uint32_t)sizeof(rec);
        d.count = 50;
        d.title = dx_tp_write_cstr(&w2, "directory");
        dx_tp_writer_set_root(&w2, 9, dx_tp_write(&w2, 9, &d));
    }
    PROP_CHECK(p, dx_tp_writer_finish(&w2, &buf2, &len2) == DX_OK);
    PROP_CHECK(p, buf2 == big && len2 == len && memcmp(buf, buf2, len) == 0);
    /* finish is idempotent */
    PROP_CHECK(p, dx_tp_writer_finish(&w2, &buf2, &len2) == DX_OK && len2 == len);
    PROP_CHECK(p, dx_tp_write(&w2, 7, &big) == 0 && dx_tp_writer_error(&w2) == DX_ERR_MISUSE);
    dx_tp_writer_destroy(&w2);
    dx_tp_writer_destroy(&w);
    return 0;
}

static int t_layout_check(prop_ctx *p) {
    dx_tp_field gap[] = {{"a", 0, 4, DX_TP_KIND_U32, 0}, {"b", 8, 4, DX_TP_KIND_U32, 0}};
    dx_tp_field wrong_size[] = {{"a", 0, 8, DX_TP_KIND_U32, 0}};
    dx_tp_field misaligned[] = {{"a", 0, 2, DX_TP_KIND_U16, 0}, {"b", 2, 4, DX_TP_KIND_U32, 0},
                                {"c", 6, 2, DX_TP_KIND_U16, 0}};
    dx_tp_field ref_no_target[] = {{"a", 0, 4, DX_TP_KIND_REF, 0}};
    dx_tp_field bad_kind[] = {{"a", 0, 4, (dx_tp_kind)99, 0}};
    dx_tp_layout l = {1, "t", 8, gap, 2};
    PROP_CHECK(p, dx_tp_layout_check(&rec_layout) == DX_OK);
    PROP_CHECK(p, dx_tp_layout_check(&dir_layout) == DX_OK);
    PROP_CHECK(p, dx_tp_layout_check(&l) == DX_ERR_INVAL);
    l.size = 12;
    PROP_CHECK(p, dx_tp_layout_check(&l) == DX_ERR_INVAL);
    l.fields = wrong_size, l.field_count = 1, l.size = 8;
    PROP_CHECK(p, dx_tp_layout_check(&l) == DX_ERR_INVAL);
    l.fields = misaligned, l.field_count = 3;
    PROP_CHECK(p, dx_tp_layout_check(&l) == DX_ERR_INVAL);
    l.fields = ref_no_target, l.field_count = 1, l.size = 4;
    PROP_CHECK(p, dx_tp_layout_check(&l) == DX_ERR_INVAL);
    l.fields = bad_kind;
    PROP_CHECK(p, dx_tp_layout_check(&l) == DX_ERR_INVAL);
    l = rec_layout;
    l.type_id = 0;
    PROP_CHECK(p, dx_tp_layout_check(&l) == DX_ERR_INVAL);
    PROP_CHECK(p, dx_tp_layout_check(NULL) == DX_ERR_INVAL);
    /* the fingerprint covers names, kinds and offsets */
    PROP_CHECK(p, dx_tp_layout_fingerprint(&point_v1_layout) != dx_tp_layout_fingerprint(&point_bad_layout));
    PROP_CHECK(p, dx_tp_layout_fingerprint(&point_v1_layout) != dx_tp_layout_fingerprint(&point_kind_layout));
    PROP_CHECK(p, dx_tp_layout_fingerprint(&point_v1_layout) != dx_tp_layout_fingerprint(&point_v2_layout));
    return 0;
}

static int t_writer_misuse(prop_ctx *p) {
    dx_tp_writer w;
    dx_tp_writer_config cfg;
    dx_tp_reader rd;
    dx_tp_slice s;
    const uint8_t *buf;
    size_t len;
    rec r = make_rec(1);
    memset(&cfg, 0, sizeof cfg);
    PROP_CHECK(p, dx_tp_writer_init(&w, NULL, &r, sizeof r) == DX_ERR_INVAL);
    PROP_CHECK(p, dx_tp_writer_create(&w, NULL) == DX_ERR_INVAL);
    PROP_CHECK(p, dx_tp_writer_memory_size(NULL) == 0);
    cfg.dedup_strings = true;
    PROP_CHECK(p, dx_tp_writer_init(&w, &cfg, &r, 8) == DX_ERR_NOSPACE);
    PROP_CHECK(p, dx_tp_writer_init(&w, &cfg, NULL, 0) == DX_ERR_NOSPACE);
    memset(&cfg, 0, sizeof cfg);
    cfg.allocator.alloc = counting_alloc; /* an allocator without its free */
    PROP_CHECK(p, dx_tp_writer_create(&w, &cfg) == DX_ERR_INVAL);
    memset(&cfg, 0, sizeof cfg);
    PROP_CHECK(p, dx_tp_writer_create(&w, &cfg) == DX_OK);
    PROP_CHECK(p, dx_tp_write(&w, 7, &r) == 0 && dx_tp_writer_error(&w) == DX_ERR_MISUSE);
    PROP_CHECK(p, dx_tp_writer_finish(&w, &buf, &len) == DX_ERR_MISUSE);
    dx_tp_writer_destroy(&w);
    PROP_CHECK(p, dx_tp_writer_create(&w, &cfg) == DX_OK);
    PROP_CHECK(p, dx_tp_writer_add_layout(&w, &rec_layout) == DX_OK);
    PROP_CHECK(p, dx_tp_writer_add_layout(&w, &rec_layout) == DX_ERR_EXISTS);
    dx_tp_writer_destroy(&w);
    /* a REF to a type that was never registered is caught at finish */
    PROP_CHECK(p, dx_tp_writer_create(&w, &cfg) == DX_OK);
    PROP_CHECK(p, dx_tp_writer_add_layout(&w, &dir_layout) == DX_OK);
    PROP_CHECK(p, dx_tp_writer_finish(&w, &buf, &len) == DX_ERR_MISUSE);
    dx_tp_writer_destroy(&w);
    /* calls with nothing to write do nothing and fail nothing */
    PROP_CHECK(p, dx_tp_writer_create(&w, &cfg) == DX_OK);
    PROP_CHECK(p, dx_tp_writer_add_layout(&w, &rec_layout) == DX_OK);
    s = dx_tp_write_slice(&w, 7, NULL, 0);
    PROP_CHECK(p, s.off == 0 && s.count == 0 && dx_tp_writer_error(&w) == DX_OK);
    s.off = 1;
    PROP_CHECK(p, dx_tp_writer_reserve(&w, 7, 0, &s) == NULL && s.off == 0 && dx_tp_writer_error(&w) == DX_OK);
    PROP_CHECK(p, dx_tp_write_raw(&w, NULL, 0, 3) == 0 && dx_tp_writer_error(&w) == DX_OK);
    /* a root that is not on an element: the writer does not look, the reader refuses */
    dx_tp_writer_set_root(&w, 7, dx_tp_write(&w, 7, &r) + 1);
    PROP_CHECK(p, dx_tp_writer_finish(&w, &buf, &len) == DX_OK);
    PROP_CHECK(p, dx_tp_reader_init(&rd, buf, len) == DX_ERR_CORRUPT && rd.error_offset == DX_TP_HEADER_OFF_ROOT);
    /* after finish: every call that would change the buffer is MISUSE, set_root too */
    dx_tp_writer_set_root(&w, 7, DX_TP_HEADER_SIZE);
    PROP_CHECK(p, dx_tp_writer_error(&w) == DX_ERR_MISUSE && dx_tp_writer_finish(&w, &buf, &len) == DX_ERR_MISUSE);
    dx_tp_writer_destroy(&w);
    PROP_CHECK(p, dx_tp_writer_create(&w, &cfg) == DX_OK);
    PROP_CHECK(p, dx_tp_writer_add_layout(&w, &rec_layout) == DX_OK && dx_tp_writer_finish(&w, &buf, &len) == DX_OK);
    PROP_CHECK(p, dx_tp_write_cstr(&w, "late").off == 0 && dx_tp_writer_error(&w) == DX_ERR_MISUSE);
    dx_tp_writer_destroy(&w);
    return 0;
}

static int t_schema_evolution(prop_ctx *p) {
    dx_tp_writer w;
    dx_tp_writer_config cfg;
    dx_tp_reader r;
    dx_tp_view v;
    const uint8_t *buf;
    size_t len;
    point_v1 a = {1, 2}, a1;
    point_v2 b, b2;
    memset(&cfg, 0, sizeof cfg);
    memset(&b, 0xee, sizeof b);
    /* old writer, new reader: missing trailing fields read as zero */
    PROP_CHECK(p, dx_tp_writer_create(&w, &cfg) == DX_OK);
    dx_tp_writer_add_layout(&w, &point_v1_layout);
    dx_tp_write(&w, 3, &a);
    PROP_CHECK(p, dx_tp_writer_finish(&w, &buf, &len) == DX_OK);
    PROP_CHECK(p, dx_tp_reader_init(&r, buf, len) == DX_OK);
    PROP_CHECK(p, dx_tp_reader_view(&r, 0, &point_v2_layout, &v) == DX_OK);
    PROP_CHECK(p, !v.zero_copy && v.copy_size == 8);
    dx_tp_view_read(&v, 0, &b);
    PROP_CHECK(p, b.x == 1 && b.y == 2 && b.z == 0 && b.label.off == 0 && b.label.len == 0);
    PROP_CHECK(p, dx_tp_reader_view(&r, 0, &point_bad_layout, &v) == DX_TP_ERR_SCHEMA);
    PROP_CHECK(p, dx_tp_reader_view(&r, 0, &point_kind_layout, &v) == DX_TP_ERR_SCHEMA);
    PROP_CHECK(p, dx_tp_reader_view(&r, 0, &rec_layout, &v) == DX_TP_ERR_SCHEMA);
    dx_tp_writer_destroy(&w);
    /* new writer, old reader: unknown trailing fields are skipped, still zero copy */
    PROP_CHECK(p, dx_tp_writer_create(&w, &cfg) == DX_OK);
    dx_tp_writer_add_layout(&w, &point_v2_layout);
    b.x = 5, b.y = 6, b.z = 7;
    b.label = dx_tp_write_cstr(&w, "seven");
    dx_tp_write(&w, 3, &b);
    b.x = 8;
    dx_tp_write(&w, 3, &b);
    PROP_CHECK(p, dx_tp_writer_finish(&w, &buf, &len) == DX_OK);
    PROP_CHECK(p, dx_tp_reader_init(&r, buf, len) == DX_OK);
    PROP_CHECK(p, dx_tp_reader_view(&r, 0, &point_v1_layout, &v) == DX_OK);
    PROP_CHECK(p, v.count == 2 && v.stride == sizeof(point_v2) && v.copy_size == sizeof(point_v1));
    dx_tp_view_read(&v, 1, &a1);
    PROP_CHECK(p, a1.x == 8 && a1.y == 6);
    if (v.zero_copy) PROP_CHECK(p, ((const point_v1 *)dx_tp_view_at(&v, 0))->x == 5);
    PROP_CHECK(p, dx_tp_reader_view(&r, 0, &point_v2_layout, &v) == DX_OK);
    dx_tp_view_read(&v, 0, &b2);
    PROP_CHECK(p, b2.z == 7 && strcmp(dx_tp_reader_string(&r, b2.label, NULL), "seven") == 0);
    dx_tp_writer_destroy(&w);
    return 0;
}

static int t_dedup(prop_ctx *p) {
    dx_tp_writer w, w2;
    dx_tp_writer_config cfg;
    static uint8_t mem[8192];
    const uint8_t *buf, *buf2;
    size_t len, len2;
    dx_tp_str a, b, c;
    PROP_CHECK(p, build(&w, 400, B_DEDUP, &buf, &len) == DX_OK);
    PROP_CHECK(p, build(&w2, 400, 0, &buf2, &len2) == DX_OK);
    PROP_CHECK(p, len < len2);
    if (check_buffer(p, buf, len, 400)) return 1;
    dx_tp_writer_destroy(&w);
    dx_tp_writer_destroy(&w2);
    memset(&cfg, 0, sizeof cfg);
    cfg.dedup_strings = true;
    PROP_CHECK(p, dx_tp_writer_memory_size(&cfg) == DX_TP_HEADER_SIZE + 1024 * 8 + 7); /* 0 slots = 1024 */
    PROP_CHECK(p, dx_tp_writer_init(&w, &cfg, mem, sizeof mem) == DX_ERR_NOSPACE); /* the index does not fit */
    cfg.string_index_slots = 48;
    PROP_CHECK(p, dx_tp_writer_memory_size(&cfg) == 0);
    PROP_CHECK(p, dx_tp_writer_init(&w, &cfg, mem, sizeof mem) == DX_ERR_INVAL); /* not a power of two */
    cfg.string_index_slots = 64;
    PROP_CHECK(p, dx_tp_writer_memory_size(&cfg) == DX_TP_HEADER_SIZE + 64 * 8 + 7);
    PROP_CHECK(p, dx_tp_writer_init(&w, &cfg, mem + 1, dx_tp_writer_memory_size(&cfg)) == DX_OK); /* odd address */
    PROP_CHECK(p, (uintptr_t)w.index % 8 == 0 && (uint8_t *)w.index >= mem + 1 + DX_TP_HEADER_SIZE);
    PROP_CHECK(p, (uint8_t *)(w.index + 64) <= mem + 1 + dx_tp_writer_memory_size(&cfg));
    dx_tp_writer_destroy(&w);
    PROP_CHECK(p, dx_tp_writer_init(&w, &cfg, mem, sizeof mem) == DX_OK);
    a = dx_tp_write_string(&w, "hello", 5);
    b = dx_tp_write_string(&w, "hello", 5);
    c = dx_tp_write_string(&w, "hell", 4);
    PROP_CHECK(p, a.off == b.off && a.len == 5 && c.off != a.off);
    PROP_CHECK(p, dx_tp_write_string(&w, "he\0lo", 5).off != a.off); /* binary strings compare fully */
    dx_tp_writer_destroy(&w);
    return 0;
}

static int t_bad_headers(prop_ctx *p) {
    dx_tp_writer w;
    dx_tp_reader r;
    const uint8_t *buf;
    size_t len;
    uint8_t *b;
    PROP_CHECK(p, build(&w, 10, 0, &buf, &len) == DX_OK);
    b = copy_exact(buf, len);
    PROP_CHECK(p, dx_tp_reader_init(&r, b, 3) == DX_ERR_TRUNCATED);
    PROP_CHECK(p, dx_tp_reader_init(&r, b, 79) == DX_ERR_TRUNCATED);
    PROP_CHECK(p, dx_tp_reader_init(&r, b, len - 1) == DX_ERR_TRUNCATED);
    PROP_CHECK(p, dx_tp_reader_init(&r, NULL, 0) == DX_ERR_TRUNCATED);
    b[0] = 'X';
    PROP_CHECK(p, dx_tp_reader_init(&r, b, len) == DX_TP_ERR_MAGIC);
    b[0] = 'D';
    b[DX_TP_HEADER_OFF_MAJOR] = 2; /* major 2 */
    PROP_CHECK(p, dx_tp_reader_init(&r, b, len) == DX_ERR_UNSUPPORTED);
    b[DX_TP_HEADER_OFF_MAJOR] = 1;
    b[DX_TP_HEADER_OFF_MINOR] = 9; /* a newer minor is fine */
    PROP_CHECK(p, dx_tp_reader_init(&r, b, len) == DX_OK && r.version_minor == 9);
    b[DX_TP_HEADER_OFF_FLAGS + 1] = 0x80; /* an unknown required flag (bit 15) */
    PROP_CHECK(p, dx_tp_reader_init(&r, b, len) == DX_ERR_UNSUPPORTED);
    b[DX_TP_HEADER_OFF_FLAGS + 1] = 0;
    b[DX_TP_HEADER_OFF_FLAGS + 3] = 0x80; /* an unknown optional flag (bit 31) is ignored */
    PROP_CHECK(p, dx_tp_reader_init(&r, b, len) == DX_OK);
    b[DX_TP_HEADER_OFF_FLAGS + 3] = 0;
    dx_store_u32le(b + DX_TP_HEADER_OFF_SECTION_TABLE, 40); /* section table overlapping the header */
    PROP_CHECK(p, dx_tp_reader_init(&r, b, len) == DX_ERR_CORRUPT && r.error_offset == DX_TP_HEADER_OFF_SECTION_TABLE);
    memcpy(b, buf, len);
    dx_store_u32le(b + DX_TP_HEADER_OFF_SECTION_COUNT, 0x40000000u); /* a count whose byte size overflows 32 bits */
    PROP_CHECK(p, dx_tp_reader_init(&r, b, len) != DX_OK);
    memcpy(b, buf, len);
    dx_store_u32le(b + DX_TP_HEADER_OFF_SECTION_COUNT, 0x0aaaaaabu); /* 24 * count wraps to 8 in 32 bits */
    PROP_CHECK(p, dx_tp_reader_init(&r, b, len) != DX_OK);
    memcpy(b, buf, len);
    dx_store_u32le(b + DX_TP_HEADER_OFF_TOTAL_SIZE, (uint32_t)len + 1); /* lying total size */
    PROP_CHECK(p, dx_tp_reader_init(&r, b, len) == DX_ERR_TRUNCATED);
    memcpy(b, buf, len);
    {
        uint32_t sec_off = dx_load_u32le(b + DX_TP_HEADER_OFF_SECTION_TABLE);
        dx_store_u32le(b + sec_off + DX_TP_SECTION_ENTRY_OFF_OFFSET, 8); /* first section starts inside the header */
        PROP_CHECK(p, dx_tp_reader_init(&r, b, len) == DX_ERR_CORRUPT);
        memcpy(b, buf, len);
        dx_store_u32le(b + sec_off + DX_TP_SECTION_ENTRY_OFF_COUNT, 0xffffffffu); /* element count past the end */
        PROP_CHECK(p, dx_tp_reader_init(&r, b, len) == DX_ERR_CORRUPT);
        memcpy(b, buf, len);
        dx_store_u32le(b + sec_off + DX_TP_SECTION_ENTRY_OFF_ELEM_SIZE, 0); /* zero-sized elements */
        PROP_CHECK(p, dx_tp_reader_init(&r, b, len) == DX_ERR_CORRUPT);
    }
    memcpy(b, buf, len);
    b[len - 1] = 'x'; /* string table without its final NUL */
    PROP_CHECK(p, dx_tp_reader_init(&r, b, len) == DX_ERR_CORRUPT);
    free(b);
    dx_tp_writer_destroy(&w);
    return 0;
}

static int t_bad_references(prop_ctx *p) {
    dx_tp_writer w;
    dx_tp_reader r;
    const uint8_t *buf;
    size_t len;
    uint8_t *b;
    uint32_t rec_at, strtab_size;
    dx_tp_str bad;
    PROP_CHECK(p, build(&w, 4, 0, &buf, &len) == DX_OK);
    b = copy_exact(buf, len);
    PROP_CHECK(p, dx_tp_reader_init(&r, b, len) == DX_OK);
    rec_at = dx_load_u32le(r.sections + DX_TP_SECTION_ENTRY_OFF_OFFSET);
    strtab_size = r.strtab_size;
    /* name of record 1: past the table, length reaching the end, not NUL-ended */
    dx_store_u32le(b + rec_at + sizeof(rec) + offsetof(rec, name), strtab_size + 1);
    PROP_CHECK(p, dx_tp_reader_init(&r, b, len) == DX_ERR_CORRUPT);
    PROP_CHECK(p, r.error_offset == rec_at + sizeof(rec) + offsetof(rec, name));
    memcpy(b, buf, len);
    dx_store_u32le(b + rec_at + offsetof(rec, email) + DX_TP_STR_OFF_LEN, 0xffffffffu);
    PROP_CHECK(p, dx_tp_reader_init(&r, b, len) == DX_ERR_CORRUPT);
    memcpy(b, buf, len);
    dx_store_u32le(b + rec_at + offsetof(rec, email) + DX_TP_STR_OFF_LEN, 2); /* in bounds but no NUL there */
    PROP_CHECK(p, dx_tp_reader_init(&r, b, len) == DX_ERR_CORRUPT);
    /* dir is the last section: a REF into the middle of a record, a slice too long */
    {
        uint32_t dir_at;
        memcpy(b, buf, len);
        PROP_CHECK(p, dx_tp_reader_init(&r, b, len) == DX_OK);
        dir_at = dx_load_u32le(r.sections + DX_TP_SECTION_ENTRY_SIZE + DX_TP_SECTION_ENTRY_OFF_OFFSET);
        dx_store_u32le(b + dir_at + offsetof(dir, best), rec_at + 4);
        PROP_CHECK(p, dx_tp_reader_init(&r, b, len) == DX_ERR_CORRUPT);
        memcpy(b, buf, len);
        dx_store_u32le(b + dir_at + offsetof(dir, best), dir_at); /* wrong target type */
        PROP_CHECK(p, dx_tp_reader_init(&r, b, len) == DX_ERR_CORRUPT);
        memcpy(b, buf, len);
        dx_store_u32le(b + dir_at + offsetof(dir, recs) + DX_TP_SLICE_OFF_COUNT, 5);
        PROP_CHECK(p, dx_tp_reader_init(&r, b, len) == DX_ERR_CORRUPT);
        memcpy(b, buf, len);
        dx_store_u32le(b + DX_TP_HEADER_OFF_ROOT, rec_at + 1); /* root not on an element */
        PROP_CHECK(p, dx_tp_reader_init(&r, b, len) == DX_ERR_CORRUPT && r.error_offset == DX_TP_HEADER_OFF_ROOT);
    }
    /* string refs that were never verified cannot read out of bounds either */
    memcpy(b, buf, len);
    PROP_CHECK(p, dx_tp_reader_init(&r, b, len) == DX_OK);
    bad.off = strtab_size + 100, bad.len = 1;
    PROP_CHECK(p, strcmp(dx_tp_reader_string(&r, bad, NULL), "") == 0);
    bad.off = 1, bad.len = 1;
    PROP_CHECK(p, strcmp(dx_tp_reader_string(&r, bad, NULL), "") == 0);
    bad.off = strtab_size, bad.len = 0xffffffffu;
    PROP_CHECK(p, strcmp(dx_tp_reader_string(&r, bad, NULL), "") == 0);
    free(b);
    dx_tp_writer_destroy(&w);
    return 0;
}

static int t_checksum(prop_ctx *p) {
    dx_tp_writer w;
    dx_tp_reader r;
    const uint8_t *buf;
    size_t len, i;
    uint8_t *b;
    /* the standard CRC32C check value (RFC 3720 B.4): "123456789" -> e3069283 */
    PROP_CHECK(p, dx_tp_crc32c(0, "123456789", 9) == 0xe3069283u);
    PROP_CHECK(p, dx_tp_crc32c(dx_tp_crc32c(0, "1234", 4), "56789", 5) == 0xe3069283u);
    PROP_CHECK(p, ~dxi_tp_crc32c_soft(~0u, (const uint8_t *)"123456789", 9) == 0xe3069283u); /* table or bitwise */
    PROP_CHECK(p, build(&w, 20, B_CHECKSUM, &buf, &len) == DX_OK);
    b = copy_exact(buf, len);
    for (i = 0; i < len; i++) {
        b[i] ^= 0x10;
        if (i >= 24) PROP_CHECK_MSG(p, dx_tp_reader_init(&r, b, len) == DX_ERR_CHECKSUM, "byte %lu", (unsigned long)i);
        else PROP_CHECK(p, dx_tp_reader_init(&r, b, len) != DX_OK);
        b[i] ^= 0x10;
    }
    free(b);
    dx_tp_writer_destroy(&w);
    return 0;
}

/* The hardware CRC32C path (where the host has one) equals the table path. */
static int p_crc32c_paths(prop_ctx *p) {
    static uint8_t b[4096];
    size_t len = prop_len(p, sizeof b), start = (size_t)prop_range(p, 0, 7);
    uint32_t seed = prop_u32(p);
    if (start > len) start = len;
    prop_bytes(p, b, len);
#if defined(DXI_TP_CRC_X86)
    if (__builtin_cpu_supports("sse4.2"))
        PROP_CHECK(p, dxi_tp_crc32c_sse42(seed, b + start, len - start) == dxi_tp_crc32c_soft(seed, b + start, len - start));
#endif
    PROP_CHECK(p, dx_tp_crc32c(dx_tp_crc32c(seed, b, start), b + start, len - start) == dx_tp_crc32c(seed, b, len));
    return 0;
}

static int t_any_alignment(prop_ctx *p) {
    dx_tp_writer w;
    const uint8_t *buf;
    size_t len, shift;
    uint8_t *mem;
    PROP_CHECK(p, build(&w, 30, 0, &buf, &len) == DX_OK);
    mem = (uint8_t *)malloc(len + 16);
    for (shift = 0; shift < 8; shift++) {
        dx_tp_reader r;
        dx_tp_view v;
        memcpy(mem + shift, buf, len);
        PROP_CHECK(p, dx_tp_reader_init(&r, mem + shift, len) == DX_OK);
        PROP_CHECK(p, dx_tp_reader_view(&r, 0, &rec_layout, &v) == DX_OK);
        if (shift % 8) PROP_CHECK(p, !v.zero_copy); /* misaligned: the copy path only */
        if (check_buffer(p, mem + shift, len, 30)) return free(mem), dx_tp_writer_destroy(&w), 1;
    }
    free(mem);
    dx_tp_writer_destroy(&w);
    return 0;
}

static int t_raw_sections(prop_ctx *p) {
    dx_tp_writer w;
    dx_tp_writer_config cfg;
    dx_tp_reader r;
    dx_tp_section_info si;
    const uint8_t *buf;
    size_t len;
    dx_tp_ref a, b;
    memset(&cfg, 0, sizeof cfg);
    PROP_CHECK(p, dx_tp_writer_create(&w, &cfg) == DX_OK);
    a = dx_tp_write_raw(&w, "abc", 3, 1);
    b = dx_tp_write_raw(&w, "defgh", 5, 16);
    PROP_CHECK(p, a == DX_TP_HEADER_SIZE && b % 16 == 0);
    PROP_CHECK(p, dx_tp_write_raw(&w, "x", 1, 3) == 0 && dx_tp_writer_error(&w) == DX_ERR_INVAL);
    dx_tp_writer_destroy(&w);
    PROP_CHECK(p, dx_tp_writer_create(&w, &cfg) == DX_OK);
    a = dx_tp_write_raw(&w, "abc", 3, 1);
    b = dx_tp_write_raw(&w, "defgh", 5, 16);
    PROP_CHECK(p, dx_tp_writer_finish(&w, &buf, &len) == DX_OK);
    PROP_CHECK(p, dx_tp_reader_init(&r, buf, len) == DX_OK && r.section_count == 2);
    PROP_CHECK(p, dx_tp_reader_section(&r, 1, &si) == DX_OK && si.type_id == 0 && si.count == 5 && si.align == 16);
    PROP_CHECK(p, memcmp(buf + a, "abc", 3) == 0 && memcmp(buf + b, "defgh", 5) == 0);
    dx_tp_writer_destroy(&w);
    return 0;
}

/* A counting allocator that fails the Nth allocation. */
struct counting { long left, live; };
static void *counting_alloc(size_t size, void *user) {
    counting *c = (counting *)user;
    if (c->left-- == 0) return NULL;
    c->live++;
    return malloc(size);
}
static void counting_free(void *ptr, size_t size, void *user) {
    (void)size;
    ((counting *)user)->live--;
    free(ptr);
}

static int t_alloc_failures(prop_ctx *p) {
    long n;
    int finished_once = 0;
    for (n = 0; n < 64 && !finished_once; n++) {
        dx_tp_writer w;
        dx_tp_writer_config cfg;
        counting c;
        const uint8_t *buf;
        size_t len;
        uint32_t i;
        dx_result err;
        c.left = n, c.live = 0;
        memset(&cfg, 0, sizeof cfg);
        cfg.allocator.alloc = counting_alloc;
        cfg.allocator.free = counting_free;
        cfg.allocator.user = &c;
        cfg.initial_capacity = 256;
        cfg.dedup_strings = true;
        cfg.string_index_slots = 64; /* small: the index grows too */
        err = dx_tp_writer_create(&w, &cfg);
        if (err == DX_OK) {
            dx_tp_writer_add_layout(&w, &rec_layout);
            for (i = 0; i < 300; i++) {
                char s[16];
                rec r = make_rec(i);
                snprintf(s, sizeof s, "s%u", (unsigned)i);
                r.name = dx_tp_write_cstr(&w, s);
                dx_tp_write(&w, 7, &r);
            }
            err = dx_tp_writer_finish(&w, &buf, &len);
            if (err == DX_OK) {
                dx_tp_reader r;
                finished_once = 1;
                PROP_CHECK(p, dx_tp_reader_init(&r, buf, len) == DX_OK);
            }
        }
        PROP_CHECK_MSG(p, err == DX_OK || err == DX_ERR_NOMEM, "alloc %ld: %s", n, dx_tp_result_name(err));
        dx_tp_writer_destroy(&w);
        PROP_CHECK_MSG(p, c.live == 0, "alloc %ld leaked %ld blocks", n, c.live);
    }
    PROP_CHECK(p, finished_once);
    return 0;
}

/* ---- hex vectors: written on every host byte-for-byte the same ---- */

static size_t read_hex(const char *path, uint8_t *out, size_t cap, char *expect, size_t expect_cap) {
    FILE *f = fopen(path, "r");
    size_t n = 0;
    int c, hi = -1;
    if (!f) return (size_t)-1;
    if (expect) expect[0] = 0;
    while ((c = fgetc(f)) != EOF) {
        int v;
        if (c == '#') { /* comment line; "# expect: NAME" gives the result code */
            char line[128];
            if (fgets(line, sizeof line, f) && expect && strncmp(line, " expect: ", 9) == 0) {
                size_t k = 0;
                while (line[9 + k] && line[9 + k] != '\n' && k + 1 < expect_cap) expect[k] = line[9 + k], k++;
                expect[k] = 0;
            }
            continue;
        }
        if (c >= '0' && c <= '9') v = c - '0';
        else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
        else continue;
        if (hi < 0) hi = v;
        else if (n < cap) out[n++] = (uint8_t)(hi << 4 | v), hi = -1;
    }
    fclose(f);
    return n;
}

static int t_vector_basic(prop_ctx *p) {
    static uint8_t want[8192], old[8192];
    dx_tp_writer w;
    const uint8_t *buf;
    size_t len, n = read_hex("tests/vectors/teleport/basic.hex", want, sizeof want, NULL, 0), n_old;
    if (n == (size_t)-1) PROP_SKIP(p, "tests/vectors/teleport/basic.hex not found: run from the repository root");
    PROP_CHECK(p, build(&w, 3, B_CHECKSUM | B_DEDUP, &buf, &len) == DX_OK);
    PROP_CHECK_MSG(p, n == len && memcmp(buf, want, len) == 0, "writer output differs from the vector (%lu vs %lu bytes)",
                   (unsigned long)len, (unsigned long)n);
    dx_tp_writer_destroy(&w);
    if (check_buffer(p, want, n, 3)) return 1;
    /* a format 1.0 buffer reads the same: 1.1 only added reader checks */
    n_old = read_hex("tests/vectors/teleport/v1.0/basic.hex", old, sizeof old, NULL, 0);
    PROP_CHECK(p, n_old == n && old[DX_TP_HEADER_OFF_MINOR] == 0);
    return check_buffer(p, old, n_old, 3);
}

/* Every vector gives the result its "# expect:" line names. */
static int t_vector_bad(prop_ctx *p) {
    static const char *const files[] = {
        "bad_magic", "bad_major", "bad_checksum", "bad_string", "bad_section", "truncated", "plain",
        "trailing_bytes", "crc_without_flag", "reserved_header", "reserved_section", "reserved_type",
        "empty_section", "empty_slice", "null_slice", "section_elem_size", "section_align", "type_align_small",
        "type_align_pow2", "type_align_divides", "type_fingerprint", "header_fingerprint", "zero_fields",
        "limit_fields", "limit_types", "limit_sections",
        "v1.0/bad_magic", "v1.0/bad_major", "v1.0/bad_checksum", "v1.0/bad_string", "v1.0/bad_section",
        "v1.0/truncated", "v1.0/plain"};
    size_t i;
    for (i = 0; i < sizeof files / sizeof files[0]; i++) {
        static uint8_t b[8192];
        char path[96], expect[48];
        dx_tp_reader r;
        size_t n;
        dx_result err;
        snprintf(path, sizeof path, "tests/vectors/teleport/%s.hex", files[i]);
        n = read_hex(path, b, sizeof b, expect, sizeof expect);
        if (n == (size_t)-1) PROP_SKIP(p, "%s not found: run from the repository root", path);
        err = dx_tp_reader_init(&r, b, n);
        PROP_CHECK_MSG(p, strcmp(dx_tp_result_name(err), expect) == 0, "%s: want %s, got %s at %lu", path, expect,
                       dx_tp_result_name(err), (unsigned long)r.error_offset);
        if (err == DX_OK) PROP_CHECK(p, r.size <= n && dx_load_u32le(b + DX_TP_HEADER_OFF_TOTAL_SIZE) == r.size);
    }
    return 0;
}

/* ---- properties ---- */

static int p_roundtrip(prop_ctx *p) {
    dx_tp_writer w;
    const uint8_t *buf;
    size_t len;
    uint32_t n = (uint32_t)prop_len(p, 300), flags = (uint32_t)prop_range(p, 0, 3);
    PROP_CHECK(p, build(&w, n, flags, &buf, &len) == DX_OK);
    if (check_buffer(p, buf, len, n)) return dx_tp_writer_destroy(&w), 1;
    dx_tp_writer_destroy(&w);
    return 0;
}

/* Random structs and binary strings through a caller buffer of random size:
   either it fits and reads back exactly, or finish says NOSPACE. */
static int p_random_content(prop_ctx *p) {
    static uint8_t mem[1 << 15];
    static point_v2 pts[256];
    static dx_tp_str strs[256];
    static char text[256][64];
    static size_t text_len[256];
    dx_tp_writer w;
    dx_tp_writer_config cfg;
    dx_tp_reader r;
    dx_tp_view v;
    const uint8_t *buf;
    size_t len, i, n = prop_len(p, 256);
    dx_result err;
    memset(&cfg, 0, sizeof cfg);
    PROP_CHECK(p, dx_tp_writer_init(&w, &cfg, mem, (size_t)prop_range(p, DX_TP_HEADER_SIZE, sizeof mem)) == DX_OK);
    dx_tp_writer_add_layout(&w, &point_v2_layout);
    for (i = 0; i < n; i++) {
        text_len[i] = prop_len(p, 63);
        prop_bytes(p, (uint8_t *)text[i], text_len[i]);
        pts[i].x = prop_u32(p), pts[i].y = prop_u32(p), pts[i].z = prop_u64(p);
        pts[i].label = strs[i] = dx_tp_write_string(&w, text[i], text_len[i]);
    }
    dx_tp_write_slice(&w, 3, pts, n);
    err = dx_tp_writer_finish(&w, &buf, &len);
    if (err == DX_ERR_NOSPACE) return 0;
    PROP_CHECK_MSG(p, err == DX_OK, "%s", dx_tp_result_name(err));
    PROP_CHECK(p, dx_tp_reader_init(&r, buf, len) == DX_OK);
    if (n == 0) return 0;
    PROP_CHECK(p, dx_tp_reader_view(&r, 0, &point_v2_layout, &v) == DX_OK && v.count == n);
    for (i = 0; i < n; i++) {
        point_v2 got;
        uint32_t slen;
        const char *s;
        dx_tp_view_read(&v, (uint32_t)i, &got);
        PROP_CHECK(p, got.x == pts[i].x && got.y == pts[i].y && got.z == pts[i].z);
        s = dx_tp_reader_string(&r, got.label, &slen);
        PROP_CHECK(p, slen == text_len[i] && memcmp(s, text[i], slen) == 0 && s[slen] == 0);
    }
    return 0;
}

/* Every truncated prefix is rejected, reading nothing past its end. */
static int p_truncation(prop_ctx *p) {
    dx_tp_writer w;
    const uint8_t *buf;
    size_t len, cut;
    uint32_t n = (uint32_t)prop_len(p, 6);
    PROP_CHECK(p, build(&w, n, (uint32_t)prop_range(p, 0, 3), &buf, &len) == DX_OK);
    for (cut = 0; cut < len; cut++) {
        dx_tp_reader r;
        uint8_t *b = copy_exact(buf, cut); /* exact size: ASan sees any overrun */
        dx_result err = dx_tp_reader_init(&r, b, cut);
        free(b);
        PROP_CHECK_MSG(p, err == DX_ERR_TRUNCATED, "prefix %lu of %lu: %s", (unsigned long)cut, (unsigned long)len,
                       dx_tp_result_name(err));
    }
    dx_tp_writer_destroy(&w);
    return 0;
}

/* Every single-byte change is rejected or, where the reader accepts it (a
   changed number, say), everything it hands out stays in bounds. */
static int p_byte_flips(prop_ctx *p) {
    dx_tp_writer w;
    const uint8_t *buf;
    size_t len, i;
    uint32_t n = (uint32_t)prop_len(p, 4), flags = (uint32_t)prop_range(p, 0, 3);
    uint8_t *b;
    PROP_CHECK(p, build(&w, n, flags, &buf, &len) == DX_OK);
    b = copy_exact(buf, len);
    for (i = 0; i < len; i++) {
        dx_tp_reader r;
        dx_result err;
        uint8_t x = (uint8_t)prop_range(p, 1, 255);
        b[i] ^= x;
        err = dx_tp_reader_init(&r, b, len);
        if (flags & B_CHECKSUM)
            PROP_CHECK_MSG(p, err != DX_OK, "byte %lu ^ %02x accepted despite the checksum", (unsigned long)i, x);
        if (err == DX_OK) (void)walk_everything(&r);
        b[i] ^= x;
    }
    free(b);
    dx_tp_writer_destroy(&w);
    return 0;
}

/* Random bytes behind a plausible header never crash the reader. */
static int p_random_bytes(prop_ctx *p) {
    size_t len = prop_len(p, 600), i;
    uint8_t *b = (uint8_t *)malloc(len ? len : 1);
    dx_tp_reader r;
    prop_bytes(p, b, len);
    if (len >= 80 && prop_bool(p)) {
        memcpy(b, "DXTP\1\0\0\0", 8);
        dx_store_u32le(b + DX_TP_HEADER_OFF_HEADER_SIZE, DX_TP_HEADER_SIZE);
        dx_store_u32le(b + DX_TP_HEADER_OFF_TOTAL_SIZE, (uint32_t)len);
        dx_store_u32le(b + DX_TP_HEADER_OFF_CRC, 0);
        for (i = DX_TP_HEADER_OFF_SECTION_TABLE; i < DX_TP_HEADER_OFF_RESERVED; i += 4) /* tables */
            dx_store_u32le(b + i, (uint32_t)prop_range(p, 0, len + 8));
        memset(b + DX_TP_HEADER_OFF_RESERVED, 0, DX_TP_HEADER_SIZE - DX_TP_HEADER_OFF_RESERVED);
    }
    if (dx_tp_reader_init(&r, b, len) == DX_OK) (void)walk_everything(&r);
    free(b);
    return 0;
}

static const prop_test tests[] = {
    PROP_UNIT(t_roundtrip_basic),   PROP_UNIT(t_empty_writer),     PROP_UNIT(t_caller_buffer),
    PROP_UNIT(t_layout_check),      PROP_UNIT(t_writer_misuse),    PROP_UNIT(t_schema_evolution),
    PROP_UNIT(t_dedup),             PROP_UNIT(t_bad_headers),      PROP_UNIT(t_bad_references),
    PROP_UNIT(t_checksum),          PROP_UNIT(t_any_alignment),    PROP_UNIT(t_raw_sections),
    PROP_UNIT(t_alloc_failures),    PROP_UNIT(t_vector_basic),     PROP_UNIT(t_vector_bad),
    PROP_UNIT(t_fingerprint_vector), PROP_UNIT(t_align_limit),  PROP_UNIT(t_failed_reader),
    PROP_UNIT(t_names_with_nul),
    PROP_PROPERTY(p_roundtrip),     PROP_PROPERTY(p_random_content), PROP_PROPERTY(p_truncation),
    PROP_PROPERTY(p_byte_flips),    PROP_PROPERTY(p_random_bytes),  PROP_PROPERTY(p_crc32c_paths),
};

int main(int argc, char **argv) {
#ifdef TP_WRITE_VECTORS /* regenerates tests/vectors/teleport/basic.hex (then run make_bad.py) */
    dx_tp_writer w;
    const uint8_t *buf;
    size_t len, i;
    (void)argc, (void)argv, (void)tests;
    build(&w, 3, B_CHECKSUM | B_DEDUP, &buf, &len);
    printf("# dx_teleport.h format %d.%d: 3 rec (type 7) and a dir root (type 9), CRC32C, dedup\n", DX_TP_FORMAT_MAJOR,
           DX_TP_FORMAT_MINOR);
    for (i = 0; i < len; i++) printf("%02x%s", buf[i], i % 16 == 15 || i + 1 == len ? "\n" : " ");
    dx_tp_writer_destroy(&w);
    return 0;
#else
    return prop_main(argc, argv, tests, sizeof tests / sizeof tests[0]);
#endif
}

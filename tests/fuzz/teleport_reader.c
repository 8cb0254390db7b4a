/* teleport_reader.c - libFuzzer harness for dx_teleport.h's verifying reader.
   Build with libFuzzer:  clang -g -O1 -fsanitize=fuzzer,address,undefined -I. tests/fuzz/teleport_reader.c
   Without libFuzzer:     cc -I. tests/fuzz/teleport_reader.c tests/fuzz/fuzz_main.c   (replays files)
   Any buffer the reader accepts is then read through every accessor; after a
   refused one every accessor must answer as for an empty buffer. */
#define DX_IMPLEMENTATION
#include "dx_teleport.h"
#include <string.h>

typedef struct fz_rec { uint64_t id; uint32_t age, pad; double score; dx_tp_str name; dx_tp_str email; } fz_rec;
static const dx_tp_field fz_fields[] = {
    DX_TP_FIELD(fz_rec, id, DX_TP_KIND_U64),    DX_TP_FIELD(fz_rec, age, DX_TP_KIND_U32),
    DX_TP_FIELD(fz_rec, pad, DX_TP_KIND_PAD),   DX_TP_FIELD(fz_rec, score, DX_TP_KIND_F64),
    DX_TP_FIELD(fz_rec, name, DX_TP_KIND_STR),  DX_TP_FIELD(fz_rec, email, DX_TP_KIND_STR),
};
static const dx_tp_layout fz_layout = DX_TP_LAYOUT(1, fz_rec, fz_fields);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    dx_tp_reader r;
    uint32_t s, t, f, i;
    volatile uint64_t sink = 0;
    if (dx_tp_reader_init(&r, data, size) != DX_OK) { /* an empty reader: every accessor says so */
        dx_tp_section_info si;
        dx_tp_type_info ti;
        dx_tp_field_info fi;
        dx_tp_view v;
        dx_tp_str str = {1, 0};
        int32_t sec;
        uint32_t idx, len = 1;
        if (dx_tp_reader_find(&r, 1, 0) != DX_ERR_NOTFOUND || dx_tp_reader_section(&r, 0, &si) != DX_ERR_NOTFOUND ||
            dx_tp_reader_view(&r, 0, &fz_layout, &v) != DX_ERR_NOTFOUND ||
            dx_tp_reader_resolve(&r, DX_TP_HEADER_SIZE, 1, &sec, &idx) != DX_ERR_NOTFOUND ||
            dx_tp_reader_root(&r, &sec, &idx) != DX_ERR_NOTFOUND || dx_tp_reader_type(&r, 0, &ti) != DX_ERR_NOTFOUND ||
            dx_tp_reader_field(&r, 0, 0, &fi) != DX_ERR_NOTFOUND || dx_tp_reader_string(&r, str, &len)[0] != 0 || len != 0)
            __builtin_trap();
        return 0;
    }
    for (s = 0; s < r.section_count; s++) {
        dx_tp_section_info si;
        dx_tp_view v;
        if (dx_tp_reader_section(&r, s, &si) != DX_OK) __builtin_trap();
        for (t = 0; t < r.type_count; t++) {
            dx_tp_type_info ti;
            if (dx_tp_reader_type(&r, t, &ti) != DX_OK) __builtin_trap();
            sink += strlen(ti.name);
            if (ti.type_id != si.type_id) continue;
            for (f = 0; f < ti.field_count; f++) {
                dx_tp_field_info fi;
                if (dx_tp_reader_field(&r, t, f, &fi) != DX_OK) __builtin_trap();
                for (i = 0; i < si.count; i++) {
                    const uint8_t *p = r.base + si.offset + (size_t)i * si.elem_size + fi.offset;
                    sink += p[0] + p[fi.size - 1];
                    if (fi.kind == DX_TP_KIND_STR) {
                        dx_tp_str str;
                        uint32_t len;
                        const char *cs;
                        str.off = dx_load_u32le(p);
                        str.len = dx_load_u32le(p + DX_TP_STR_OFF_LEN);
                        cs = dx_tp_reader_string(&r, str, &len);
                        if (cs[len] != 0) __builtin_trap(); /* verified strings end in NUL */
                        sink += len + (uint8_t)cs[0];
                    } else if (fi.kind == DX_TP_KIND_REF || fi.kind == DX_TP_KIND_SLICE) {
                        int32_t sec;
                        uint32_t idx, ref = dx_load_u32le(p);
                        if (ref && dx_tp_reader_resolve(&r, ref, fi.ref_type, &sec, &idx) != DX_OK) __builtin_trap();
                    }
                }
            }
        }
        if (dx_tp_reader_view(&r, (int32_t)s, &fz_layout, &v) == DX_OK) {
            for (i = 0; i < v.count; i++) {
                fz_rec rec;
                dx_tp_view_read(&v, i, &rec);
                sink += rec.id + strlen(dx_tp_reader_string(&r, rec.name, NULL)) +
                        strlen(dx_tp_reader_string(&r, rec.email, NULL));
            }
        }
    }
    {
        int32_t sec;
        uint32_t idx;
        (void)dx_tp_reader_root(&r, &sec, &idx);
    }
    (void)sink;
    return 0;
}

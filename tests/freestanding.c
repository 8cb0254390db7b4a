/* freestanding.c - every pure dx header in one freestanding translation unit.
   tests/cross.sh builds it for a Cortex-M4 with no C library:
     arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -ffreestanding -nostdlib -Os \
       -DDX_NO_LIBC -DDX_CAS_NO_STDIO -std=c99 -Wall -Wextra -Wpedantic \
       -Wshadow -Wconversion -Werror -c tests/freestanding.c
   (it adds -nostdinc, so that only GCC's own freestanding headers exist, and
   -DDX_FS_API=...) and then checks with arm-none-eabi-nm -u that the object
   imports nothing but memcpy, memmove, memset and memcmp (STYLE.md 3.7).
   The pure headers are all dx_*.h but dx_reactor.h; each one that exists is
   included with DX_IMPLEMENTATION. Every public function, the inline ones
   too, goes into dx_fs_api[], a table with external linkage, so that nothing
   is discarded even under -flto or --gc-sections and every definition is
   compiled: DX_FS_API names a file that tests/cross.sh generates from
   gcc -aux-info on each header (so the list follows the headers and honours
   their #if options), one DX_FS_REF(name), per line. Without DX_FS_API the
   table holds the common block only; externs are kept in a .o regardless. */
#ifndef DX_NO_LIBC
#define DX_NO_LIBC
#endif
#ifndef DX_CAS_NO_STDIO
#define DX_CAS_NO_STDIO
#endif
#define DX_IMPLEMENTATION

/* Paths are relative to this file, so the build needs no -I. */
#if defined(__has_include)
#if __has_include("../dx_hbtp.h")
#define DX_FS_HBTP 1
#endif
#if __has_include("../dx_patch.h")
#define DX_FS_PATCH 1
#endif
#if __has_include("../dx_teleport.h")
#define DX_FS_TELEPORT 1
#endif
#if __has_include("../dx_cas.h")
#define DX_FS_CAS 1
#endif
#else /* no __has_include: the caller says which headers exist */
#if !defined(DX_FS_HBTP) && !defined(DX_FS_PATCH) && !defined(DX_FS_TELEPORT) && !defined(DX_FS_CAS)
#define DX_FS_TELEPORT 1
#endif
#endif

#ifdef DX_FS_HBTP
#include "../dx_hbtp.h"
#endif
#ifdef DX_FS_PATCH
#include "../dx_patch.h"
#endif
#ifdef DX_FS_TELEPORT
#include "../dx_teleport.h"
#endif
#ifdef DX_FS_CAS
#include "../dx_cas.h"
#endif

#if !defined(DX_FS_HBTP) && !defined(DX_FS_PATCH) && !defined(DX_FS_TELEPORT) && !defined(DX_FS_CAS)
#error "no pure dx header found next to tests/"
#endif

/* Any function pointer converts to this type and back (C99 6.3.2.3p8);
   GCC's -Wcast-function-type exempts it by name. */
typedef void (*dx_fs_fn)(void);
#define DX_FS_REF(f) ((dx_fs_fn)(f))

extern const dx_fs_fn dx_fs_api[];
const dx_fs_fn dx_fs_api[] = {
#ifdef DX_FS_API
#include DX_FS_API
#else /* the common block: the same inline helpers in every header */
    DX_FS_REF(dx_load_u16le),  DX_FS_REF(dx_load_u32le),  DX_FS_REF(dx_load_u64le),
    DX_FS_REF(dx_store_u16le), DX_FS_REF(dx_store_u32le), DX_FS_REF(dx_store_u64le),
    DX_FS_REF(dx_result_name),
#endif
    (dx_fs_fn)0
};

#ifdef DX_FS_TELEPORT
/* A firmware-style use: a writer on a static buffer, no allocator, then the
   reader over the result. Exercises the no-malloc paths end to end. */
typedef struct dx_fs_point { uint32_t x, y; dx_tp_str label; } dx_fs_point;
static const dx_tp_field dx_fs_point_fields[] = {
    DX_TP_FIELD(dx_fs_point, x, DX_TP_KIND_U32),
    DX_TP_FIELD(dx_fs_point, y, DX_TP_KIND_U32),
    DX_TP_FIELD(dx_fs_point, label, DX_TP_KIND_STR),
};
static const dx_tp_layout dx_fs_point_layout = DX_TP_LAYOUT(1, dx_fs_point, dx_fs_point_fields);

dx_result dx_fs_teleport_roundtrip(void *mem, size_t cap, uint32_t *out_sum);
dx_result dx_fs_teleport_roundtrip(void *mem, size_t cap, uint32_t *out_sum) {
    dx_tp_writer w;
    dx_tp_writer_config cfg = {0};
    dx_tp_reader r;
    dx_tp_view v;
    dx_fs_point p = {0};
    const uint8_t *buf;
    size_t len;
    uint32_t i;
    int32_t sec;
    dx_result rc;
    cfg.checksum = true;
    if ((rc = dx_tp_writer_init(&w, &cfg, mem, cap)) != DX_OK) return rc;
    dx_tp_writer_add_layout(&w, &dx_fs_point_layout);
    p.x = 3;
    p.y = 4;
    p.label = dx_tp_write_cstr(&w, "m4");
    dx_tp_writer_set_root(&w, 1, dx_tp_write(&w, 1, &p));
    rc = dx_tp_writer_finish(&w, &buf, &len);
    if (rc == DX_OK) rc = dx_tp_reader_init(&r, buf, len);
    sec = rc == DX_OK ? dx_tp_reader_find(&r, 1, 0) : -1;
    if (rc == DX_OK && sec >= 0 && (rc = dx_tp_reader_view(&r, sec, &dx_fs_point_layout, &v)) == DX_OK) {
        *out_sum = 0;
        for (i = 0; i < v.count; i++) {
            dx_fs_point q;
            const char *label;
            uint32_t first;
            dx_tp_view_read(&v, i, &q);
            label = dx_tp_reader_string(&r, q.label, NULL);
            first = (uint8_t)label[0];
            *out_sum += q.x + q.y + first;
        }
    }
    return rc; /* an init'ed writer holds nothing to release */
}
#endif /* DX_FS_TELEPORT */


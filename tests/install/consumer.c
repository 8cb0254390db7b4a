/* consumer.c - a program built against an installed dx (tests/install.sh):
   includes all five headers the way a user does (<dx_*.h> from the include
   path given by pkg-config or CMake), with the implementation, and uses each
   a little. Prints one line per header; exit 0 when all of them worked. */
#define DX_IMPLEMENTATION
#include <dx_reactor.h> /* first: it asks for the POSIX declarations it needs */
#include <dx_cas.h>
#include <dx_hbtp.h>
#include <dx_patch.h>
#include <dx_teleport.h>
#include <stdio.h>
#include <string.h>

int main(void) {
    static uint8_t a[8192], b[8192], patch[16384], buf[8192];
    dx_patch_config pc;
    dx_cas_hash_alg alg;
    dx_cas_id id;
    char text[DX_CAS_ID_TEXT_SIZE];
    dx_hbtp_route routes[2];
    dx_hbtp_router router;
    dx_tp_reader tr;
    dx_reactor r;
    dx_reactor_config rc;
    int64_t n, len;
    int bad = 0;

    memset(&pc, 0, sizeof pc);
    memset(a, 'a', sizeof a), memcpy(b, a, sizeof b), memcpy(b + 100, "new", 3), memcpy(buf, a, sizeof buf);
    n = dx_patch_diff(&pc, a, sizeof a, b, sizeof b, patch, sizeof patch);
    len = n < 0 ? n : dx_patch_apply_in_place(patch, (size_t)n, buf, sizeof buf, sizeof buf, false);
    bad |= len != (int64_t)sizeof b || memcmp(buf, b, sizeof b) != 0;
    printf("dx_patch %d.%d.%d: %lld-byte patch applied\n", DX_PATCH_VERSION_MAJOR, DX_PATCH_VERSION_MINOR,
           DX_PATCH_VERSION_PATCH, (long long)n);

    dx_cas_hash_alg_init(&alg, DX_CAS_ALG_SHA256);
    dx_cas_id_hash(&alg, "abc", 3, &id);
    dx_cas_id_format(&id, text, sizeof text);
    bad |= strcmp(text, "sha256-ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") != 0;
    printf("dx_cas %d.%d.%d: %s\n", DX_CAS_VERSION_MAJOR, DX_CAS_VERSION_MINOR, DX_CAS_VERSION_PATCH, text);

    bad |= dx_hbtp_router_init(&router, routes, 2) != DX_OK;
    printf("dx_hbtp %d.%d.%d: router ready\n", DX_HBTP_VERSION_MAJOR, DX_HBTP_VERSION_MINOR, DX_HBTP_VERSION_PATCH);

    bad |= dx_tp_reader_init(&tr, "garbage!", 8) == DX_OK; /* must be refused */
    printf("dx_teleport %d.%d.%d: garbage refused\n", DX_TELEPORT_VERSION_MAJOR, DX_TELEPORT_VERSION_MINOR,
           DX_TELEPORT_VERSION_PATCH);

    memset(&rc, 0, sizeof rc);
    if (dx_reactor_create(&r, &rc) == DX_OK) {
        printf("dx_reactor %d.%d.%d: backend %s\n", DX_REACTOR_VERSION_MAJOR, DX_REACTOR_VERSION_MINOR,
               DX_REACTOR_VERSION_PATCH, dx_reactor_backend_name(&r));
        dx_reactor_destroy(&r);
    } else {
        bad = 1;
    }
    return bad ? 1 : 0;
}

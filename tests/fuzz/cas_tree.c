/* cas_tree.c - libFuzzer harness for dx_cas.h's tree object parser.
   Build with libFuzzer:  clang -g -O1 -fsanitize=fuzzer,address,undefined -I. tests/fuzz/cas_tree.c
   Without libFuzzer:     cc -I. tests/fuzz/cas_tree.c tests/fuzz/fuzz_main.c   (replays files)
   The input is a tree object (untrusted). A tree that parses yields exactly
   its count of entries, each with a valid name and mode, names in strictly
   increasing order, and encodes back to the same bytes (but the minor version). */
#define DX_IMPLEMENTATION
#include "dx_cas.h"
#include <string.h>

#define FZ_MAX 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static dx_cas_tree_entry e[FZ_MAX];
    static uint8_t back[FZ_MAX * (DX_CAS_TREE_ENTRY_FIXED + DX_CAS_NAME_MAX) + DX_CAS_TREE_HEADER_SIZE];
    dx_cas_tree t, guard;
    size_t pos = 0, n = 0;
    int64_t len;
    memset(&t, 0x5a, sizeof t);
    guard = t;
    if (dx_cas_tree_parse(data, size, FZ_MAX, &t) != DX_OK) {
        if (memcmp(&t, &guard, sizeof t) != 0) __builtin_trap();
        return 0;
    }
    while (dx_cas_tree_next(&t, &pos, &e[n])) {
        if (++n > FZ_MAX) __builtin_trap();
    }
    if (n != t.count || pos != (n ? size : 0)) __builtin_trap();
    len = dx_cas_tree_encode(t.alg, e, n, back, sizeof back);
    back[5] = data[5]; /* the minor version: tolerated by the parser, 0 when written */
    if (len != (int64_t)size || memcmp(back, data, size) != 0) __builtin_trap();
    return 0;
}

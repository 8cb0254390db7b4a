/* cas_id.c - libFuzzer harness for dx_cas.h's id parsers (text and binary).
   Build with libFuzzer:  clang -g -O1 -fsanitize=fuzzer,address,undefined -I. tests/fuzz/cas_id.c
   Without libFuzzer:     cc -I. tests/fuzz/cas_id.c tests/fuzz/fuzz_main.c   (replays files)
   The input is id text (and, from its first byte, a binary id). A parsed id
   formats back to exactly the input; a decoded one encodes back to its
   bytes; output is untouched on failure. */
#define DX_IMPLEMENTATION
#include "dx_cas.h"
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    dx_cas_id id, guard;
    char text[DX_CAS_ID_TEXT_SIZE];
    uint8_t bin[DX_CAS_ID_SIZE];
    dx_result r;
    int64_t n;
    memset(&id, 0xa5, sizeof id);
    guard = id;
    r = dx_cas_id_parse((const char *)data, size, &id);
    if (r == DX_OK) {
        if (dx_cas_id_format(&id, text, sizeof text) != (int64_t)size || memcmp(text, data, size) != 0) __builtin_trap();
    } else if (memcmp(&id, &guard, sizeof id) != 0) {
        __builtin_trap(); /* failure wrote the output */
    }
    memset(&id, 0xa5, sizeof id);
    n = dx_cas_id_decode(data, size, &id);
    if (n >= 0) {
        if (n != DX_CAS_ID_SIZE || dx_cas_id_encode(&id, bin, sizeof bin) != n || memcmp(bin, data, (size_t)n) != 0)
            __builtin_trap();
    } else if (memcmp(&id, &guard, sizeof id) != 0) {
        __builtin_trap();
    }
    return 0;
}

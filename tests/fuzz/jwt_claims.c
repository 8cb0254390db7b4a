/* jwt_claims.c - libFuzzer harness for examples/jwt.h, the JWT parser that
   hbtp_server runs on every HELLO token (untrusted bytes).
   Build with libFuzzer:  clang -g -O1 -fsanitize=fuzzer,address,undefined -I. tests/fuzz/jwt_claims.c
   Without libFuzzer:     cc -I. tests/fuzz/jwt_claims.c tests/fuzz/fuzz_main.c   (replays files)
   Input: byte 0 chooses the target: 0-63 the input is a claims set
   (jwt_parse_claims), 64-127 a header (jwt_parse_header), 128-191 a whole
   token (jwt_verify with key "fuzz"), 192-255 a claims set that is signed
   first, so the claims parser runs behind a good signature. Invariants: a
   result code in range; on JWT_OK the claims are sane (sub and iss NUL-
   terminated at their length, times within JWT_TIME_MAX); the parser
   reads nothing past the input (ASan sees the exact-size copy). */
#define DX_IMPLEMENTATION
#include "dx_cas.h"
#include "examples/jwt.h"
#include <stdlib.h>
#include <string.h>

#define FZ_CHECK(c) \
    do { \
        if (!(c)) __builtin_trap(); \
    } while (0)

static void check_claims(const jwt_claims *c) {
    FZ_CHECK(c->sub_len <= JWT_SUB_MAX && c->sub[c->sub_len] == 0 && strlen(c->sub) == c->sub_len);
    FZ_CHECK(c->iss_len <= JWT_SUB_MAX && c->iss[c->iss_len] == 0 && strlen(c->iss) == c->iss_len);
    FZ_CHECK(!c->has_exp || (c->exp >= -JWT_TIME_MAX && c->exp <= JWT_TIME_MAX));
    FZ_CHECK(!c->has_nbf || (c->nbf >= -JWT_TIME_MAX && c->nbf <= JWT_TIME_MAX));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    uint8_t *in;
    size_t n;
    jwt_claims c;
    jwt_hmac_key k;
    int r;
    if (size < 1) return 0;
    n = size - 1;
    in = (uint8_t *)malloc(n ? n : 1); /* exact size: a read past the end is caught */
    if (!in) return 0;
    memcpy(in, data + 1, n);
    jwt_hmac_key_init(&k, "fuzz", 4, 0);
    if (data[0] < 64) {
        r = jwt_parse_claims(in, n, &c);
        FZ_CHECK(r == JWT_OK || r == JWT_MALFORMED);
        if (r == JWT_OK) check_claims(&c);
    } else if (data[0] < 128) {
        r = jwt_parse_header(in, n);
        FZ_CHECK(r == JWT_OK || r == JWT_MALFORMED || r == JWT_ALG);
    } else if (data[0] < 192) {
        r = jwt_verify(in, n, &k, 1800000000, (int64_t)(data[0] & 63) * 60, &c);
        FZ_CHECK(r >= JWT_OK && r <= JWT_NOT_YET_VALID);
        if (r == JWT_OK) check_claims(&c);
    } else if (n < 1024) {
        char claims[1025], tok[4096];
        size_t t;
        memcpy(claims, in, n);
        claims[n] = 0;
        t = jwt_sign("{\"alg\":\"HS256\"}", claims, &k, tok, sizeof tok);
        FZ_CHECK(t > 0);
        r = jwt_verify((const uint8_t *)tok, t, &k, 1800000000, 0, &c);
        FZ_CHECK(r != JWT_SIGNATURE && r != JWT_ALG);
        if (memchr(in, 0, n) == NULL) { /* the signed claims are the input: same verdict as the parser's */
            jwt_claims c2;
            int r2 = jwt_parse_claims(in, n, &c2);
            FZ_CHECK((r == JWT_MALFORMED) == (r2 == JWT_MALFORMED));
        }
        if (r == JWT_OK) check_claims(&c);
    }
    free(in);
    return 0;
}

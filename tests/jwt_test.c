/* jwt_test.c - examples/jwt.h: HMAC-SHA-256 against RFC 4231, base64url, the
   RFC 7515 appendix A.1 token, and every refusal (alg, signature, exp, nbf,
   malformed), with a fixed clock. The same checks over real sockets are in
   tests/tools_cli.sh (hbtp_server). */
#define DX_IMPLEMENTATION
#include "dx_cas.h"
#include "examples/jwt.h"
#include "prop.h"
#include <time.h>

/* RFC 4231 cases 6 and 7: 131 bytes of 0xaa */
#define KEY_AA131 \
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" \
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

static size_t unhex(const char *h, uint8_t *out) {
    size_t n = 0;
    for (; h[0] && h[1]; h += 2) out[n++] = (uint8_t)(jwt_hex((uint8_t)h[0]) << 4 | jwt_hex((uint8_t)h[1]));
    return n;
}

/* RFC 4231 section 4: test cases 1-4, 6 and 7 (5 is a truncated MAC) */
static int t_hmac_rfc4231(prop_ctx *p) {
    static const struct { const char *key, *data, *mac; } v[] = {
        {"0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "4869205468657265",
         "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
        {"4a656665", "7768617420646f2079612077616e7420666f72206e6f7468696e673f",
         "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
        {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
         "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd",
         "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
        {"0102030405060708090a0b0c0d0e0f10111213141516171819",
         "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd",
         "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
        {KEY_AA131,
         "54657374205573696e67204c6172676572205468616e20426c6f636b2d53697a65204b6579202d2048617368204b6579204669727374",
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
        {KEY_AA131,
         "5468697320697320612074657374207573696e672061206c6172676572207468616e20626c6f636b2d73697a65206b657920616e642061206c6172"
         "676572207468616e20626c6f636b2d73697a6520646174612e20546865206b6579206e6565647320746f20626520686173686564206265666f7265"
         "206265696e6720757365642062792074686520484d414320616c676f726974686d2e",
         "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
    };
    size_t i;
    uint32_t cpus[2];
    cpus[0] = 0, cpus[1] = dx_cas_cpu_detect(); /* the portable path and the accelerated one */
    for (i = 0; i < sizeof v / sizeof v[0]; i++) {
        uint8_t key[160], data[200], want[32], got[32];
        size_t kl = unhex(v[i].key, key), dl = unhex(v[i].data, data), c;
        unhex(v[i].mac, want);
        for (c = 0; c < 2; c++) {
            jwt_hmac_key k;
            jwt_hmac_key_init(&k, key, kl, cpus[c]);
            jwt_hmac_sha256(&k, data, dl, got);
            PROP_CHECK_MSG(p, memcmp(got, want, 32) == 0, "RFC 4231 case %u, cpu %#x", (unsigned)(i < 4 ? i + 1 : i + 2),
                           (unsigned)cpus[c]);
        }
    }
    return 0;
}

static int t_base64url(prop_ctx *p) {
    uint8_t in[64], out[64];
    char enc[96];
    size_t n, m;
    for (n = 0; n < sizeof in; n++) {
        size_t i;
        for (i = 0; i < n; i++) in[i] = (uint8_t)(prop_u32(p) >> 24);
        m = jwt_b64url_encode(in, n, enc);
        PROP_CHECK(p, m == (n * 4 + 2) / 3);
        PROP_CHECK(p, jwt_b64url_decode((const uint8_t *)enc, m, out, sizeof out) == (int64_t)n);
        PROP_CHECK(p, memcmp(in, out, n) == 0);
    }
    PROP_CHECK(p, jwt_b64url_decode((const uint8_t *)"QQ", 2, out, sizeof out) == 1 && out[0] == 'A');
    PROP_CHECK(p, jwt_b64url_decode((const uint8_t *)"QR", 2, out, sizeof out) == -1);  /* unused bits set */
    PROP_CHECK(p, jwt_b64url_decode((const uint8_t *)"QQ==", 4, out, sizeof out) == -1); /* padding */
    PROP_CHECK(p, jwt_b64url_decode((const uint8_t *)"Q", 1, out, sizeof out) == -1);
    PROP_CHECK(p, jwt_b64url_decode((const uint8_t *)"a+b/", 4, out, sizeof out) == -1); /* base64, not url */
    PROP_CHECK(p, jwt_b64url_decode((const uint8_t *)"QUJD", 4, out, 2) == -1);           /* no room */
    return 0;
}

static const char a1_token[] =
    "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9."
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ."
    "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
static const char a1_key_b64[] = "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow";

static int verify_str(const char *tok, const jwt_hmac_key *k, int64_t now, int64_t skew, jwt_claims *c) {
    return jwt_verify((const uint8_t *)tok, strlen(tok), k, now, skew, c);
}

static int t_rfc7515_a1(prop_ctx *p) {
    uint8_t key[64];
    jwt_hmac_key k;
    jwt_claims c;
    char bad[sizeof a1_token];
    int64_t kl = jwt_b64url_decode((const uint8_t *)a1_key_b64, strlen(a1_key_b64), key, sizeof key);
    PROP_CHECK(p, kl == 64);
    jwt_hmac_key_init(&k, key, (size_t)kl, dx_cas_cpu_detect());
    /* the signature verifies; exp 1300819380 (2011-03-22) holds before that second only */
    PROP_CHECK(p, verify_str(a1_token, &k, 1300819379, 0, &c) == JWT_OK);
    PROP_CHECK(p, c.has_exp && c.exp == 1300819380 && !c.has_nbf);
    PROP_CHECK(p, c.iss_len == 3 && strcmp(c.iss, "joe") == 0 && c.sub_len == 0);
    PROP_CHECK(p, verify_str(a1_token, &k, 1300819380, 0, &c) == JWT_EXPIRED);
    PROP_CHECK(p, verify_str(a1_token, &k, 1300819380 + 59, 60, &c) == JWT_OK); /* within the skew */
    PROP_CHECK(p, verify_str(a1_token, &k, 1300819380 + 60, 60, &c) == JWT_EXPIRED);
    PROP_CHECK(p, verify_str(a1_token, &k, (int64_t)time(NULL), 0, &c) == JWT_EXPIRED); /* today's clock */
    /* one flipped bit of the signature, of the payload, of the key */
    memcpy(bad, a1_token, sizeof a1_token);
    bad[sizeof a1_token - 2] = 'o'; /* 'k' to 'o': the 2 unused low bits stay 0 */
    PROP_CHECK(p, verify_str(bad, &k, 1300819379, 0, &c) == JWT_SIGNATURE);
    memcpy(bad, a1_token, sizeof a1_token);
    bad[60] = bad[60] == 'A' ? 'B' : 'A';
    PROP_CHECK(p, verify_str(bad, &k, 1300819379, 0, &c) == JWT_SIGNATURE);
    key[0] ^= 1;
    jwt_hmac_key_init(&k, key, (size_t)kl, 0);
    PROP_CHECK(p, verify_str(a1_token, &k, 1300819379, 0, &c) == JWT_SIGNATURE);
    return 0;
}

static int t_refusals(prop_ctx *p) {
    jwt_hmac_key k;
    jwt_claims c;
    char tok[1024], tok2[1024];
    const int64_t now = 1800000000;
    size_t n;
    jwt_hmac_key_init(&k, "secret", 6, 0);
    /* a valid one, and its claims */
    PROP_CHECK(p, jwt_sign("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", "{\"sub\":\"ada\",\"exp\":1800000100,\"nbf\":1799999900}", &k,
                           tok, sizeof tok) > 0);
    PROP_CHECK(p, verify_str(tok, &k, now, 0, &c) == JWT_OK);
    PROP_CHECK(p, strcmp(c.sub, "ada") == 0 && c.sub_len == 3 && c.exp == 1800000100 && c.nbf == 1799999900);
    PROP_CHECK(p, verify_str(tok, &k, 1800000100, 0, &c) == JWT_EXPIRED);
    PROP_CHECK(p, verify_str(tok, &k, 1799999899, 0, &c) == JWT_NOT_YET_VALID);
    PROP_CHECK(p, verify_str(tok, &k, 1799999899, 1, &c) == JWT_OK);
    /* no exp and no nbf: valid at any time */
    PROP_CHECK(p, jwt_sign("{\"alg\":\"HS256\"}", "{\"sub\":\"\\u00e9\\ud83d\\ude00\"}", &k, tok, sizeof tok) > 0);
    PROP_CHECK(p, verify_str(tok, &k, now, 0, &c) == JWT_OK);
    PROP_CHECK(p, strcmp(c.sub, "\xc3\xa9\xf0\x9f\x98\x80") == 0);
    /* alg: none (signed or not), other algorithms, missing, twice, crit, not a string */
    {
        static const char *const headers[] = {
            "{\"alg\":\"none\"}", "{\"alg\":\"None\"}", "{\"alg\":\"HS384\"}", "{\"alg\":\"RS256\"}", "{\"alg\":\"hs256\"}",
            "{\"alg\":\"HS256 \"}", "{\"typ\":\"JWT\"}", "{\"alg\":\"HS256\",\"crit\":[\"exp\"]}",
        };
        size_t i;
        for (i = 0; i < sizeof headers / sizeof headers[0]; i++) {
            PROP_CHECK(p, jwt_sign(headers[i], "{\"sub\":\"x\"}", &k, tok, sizeof tok) > 0);
            PROP_CHECK_MSG(p, verify_str(tok, &k, now, 0, &c) == JWT_ALG, "header %s", headers[i]);
        }
        PROP_CHECK(p, jwt_sign("{\"alg\":\"HS256\",\"alg\":\"none\"}", "{}", &k, tok, sizeof tok) > 0);
        PROP_CHECK(p, verify_str(tok, &k, now, 0, &c) == JWT_MALFORMED);
        PROP_CHECK(p, jwt_sign("{\"alg\":256}", "{}", &k, tok, sizeof tok) > 0);
        PROP_CHECK(p, verify_str(tok, &k, now, 0, &c) == JWT_MALFORMED);
    }
    /* the classic alg-none token: header.payload. with an empty signature */
    n = jwt_b64url_encode((const uint8_t *)"{\"alg\":\"none\"}", 14, tok);
    tok[n++] = '.';
    n += jwt_b64url_encode((const uint8_t *)"{\"sub\":\"root\"}", 14, tok + n);
    tok[n++] = '.';
    tok[n] = 0;
    PROP_CHECK(p, verify_str(tok, &k, now, 0, &c) == JWT_ALG);
    /* an HS256 header with an empty or short signature */
    PROP_CHECK(p, jwt_sign("{\"alg\":\"HS256\"}", "{\"sub\":\"root\"}", &k, tok, sizeof tok) > 0);
    memcpy(tok2, tok, sizeof tok);
    *strrchr(tok2, '.') = 0;
    strcat(tok2, ".");
    PROP_CHECK(p, verify_str(tok2, &k, now, 0, &c) == JWT_SIGNATURE);
    tok2[strlen(tok2) - 1] = 0;
    PROP_CHECK(p, verify_str(tok2, &k, now, 0, &c) == JWT_MALFORMED); /* two parts */
    /* malformed: bad claims JSON under a good signature, and broken forms */
    {
        static const char *const claims[] = {
            "", "[]", "{", "{\"sub\":}", "{\"sub\":\"a\",}", "{\"exp\":\"1\"}", "{\"exp\":1e9}", "{\"exp\":99999999999999999999}",
            "{\"exp\":1,\"exp\":2}", "{\"sub\":\"a\"} x", "{\"sub\":\"\\u0000\"}", "{\"sub\":\"\\ud800\"}", "{\"x\":01}",
            "{\"x\":[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]}", "{\"sub\":\"\x01\"}", "{\"x\":tru}", "{'sub':1}",
        };
        size_t i;
        for (i = 0; i < sizeof claims / sizeof claims[0]; i++) {
            PROP_CHECK(p, jwt_sign("{\"alg\":\"HS256\"}", claims[i], &k, tok, sizeof tok) > 0);
            PROP_CHECK_MSG(p, verify_str(tok, &k, now, 0, &c) == JWT_MALFORMED, "claims %s", claims[i]);
        }
    }
    {
        static const char *const forms[] = {"", ".", "..", "a.b.c", "a.b.c.d", "eyJhbGciOiJIUzI1NiJ9..", "eyJhbGciOiJIUzI1NiJ9"};
        size_t i;
        for (i = 0; i < sizeof forms / sizeof forms[0]; i++)
            PROP_CHECK_MSG(p, verify_str(forms[i], &k, now, 0, &c) != JWT_OK, "form %s", forms[i]);
    }
    return 0;
}

/* Law: a token signed with one key verifies with it, and any one-byte change
   of the token is refused (never accepted, never a crash). */
static int p_mutations(prop_ctx *p) {
    jwt_hmac_key k;
    jwt_claims c;
    char tok[512], claims[128];
    size_t n, i;
    jwt_hmac_key_init(&k, "k", 1, 0);
    snprintf(claims, sizeof claims, "{\"sub\":\"u%u\",\"exp\":%u}", (unsigned)prop_u32(p), 2000000000u);
    n = jwt_sign("{\"alg\":\"HS256\"}", claims, &k, tok, sizeof tok);
    PROP_CHECK(p, n > 0);
    PROP_CHECK(p, verify_str(tok, &k, 1900000000, 0, &c) == JWT_OK);
    i = (size_t)prop_range(p, 0, n - 1);
    tok[i] = (char)(tok[i] ^ (uint8_t)prop_range(p, 1, 255));
    PROP_CHECK_MSG(p, jwt_verify((const uint8_t *)tok, n, &k, 1900000000, 0, &c) != JWT_OK, "byte %u changed", (unsigned)i);
    return 0;
}

static const prop_test tests[] = {
    PROP_UNIT(t_hmac_rfc4231), PROP_UNIT(t_base64url), PROP_UNIT(t_rfc7515_a1), PROP_UNIT(t_refusals),
    PROP_PROPERTY(p_mutations),
};

int main(int argc, char **argv) { return prop_main(argc, argv, tests, sizeof tests / sizeof tests[0]); }

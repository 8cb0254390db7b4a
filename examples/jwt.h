/* jwt.h - HS256 JSON Web Tokens for the dx examples: HMAC-SHA-256 (RFC 2104)
   on dx_cas.h's SHA-256, base64url (RFC 4648 section 5, no padding), and a
   verifier for compact JWS tokens (RFC 7515) carrying JWT claims (RFC 7519)
   signed with HS256 (RFC 7518 section 3.2). Not a library header: a program
   includes it once, after dx_cas.h (static functions, as tool.h).

   Why here and not in dx_net.h: dx_net.h joins dx_reactor.h and dx_hbtp.h
   and parses nothing itself (its SECURITY MODEL); a JWT needs SHA-256 from
   dx_cas.h and a JSON parser, neither of which a socket bridge should pull
   in. Token auth plugs into any dx_hbtp connection through a middleware's
   on_hello (examples/hbtp_server.c does it), so the code is shared as one
   small file that the programs and tests/fuzz/jwt_claims.c include.

   What jwt_verify checks, in this order (each failure has its own code):
   - the form: exactly three base64url parts (no padding, no other bytes),
     each part within JWT_PART_MAX bytes once decoded;
   - the header: a JSON object whose "alg" is exactly "HS256" ("none" and
     every other algorithm refused), no "crit" member (we understand no
     extension), no duplicate member among those we read;
   - the signature: HMAC-SHA-256 of "header.payload" (the encoded bytes),
     32 bytes, compared in constant time;
   - only then the claims (a JSON object): "exp" and "nbf" numbers (RFC 7519
     NumericDate: seconds, a fraction ignored), "sub" and "iss" strings;
     now >= exp + skew: expired; now + skew < nbf: not yet valid.
   Untrusted input: every byte of the token. The parser reads nothing past
   the given length, nests at most JWT_DEPTH_MAX deep, and uses no heap. */
#ifndef DX_EXAMPLES_JWT_H
#define DX_EXAMPLES_JWT_H

#ifndef DX_CAS_H
#error "examples/jwt.h needs dx_cas.h included before it (SHA-256)"
#endif

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define JWT_FN static inline

enum {
    JWT_OK = 0,
    JWT_MALFORMED = 1,    /* not three base64url parts, or not the JSON we accept */
    JWT_ALG = 2,          /* the header's alg is not HS256 (none, RS256, missing, ...) or it has crit */
    JWT_SIGNATURE = 3,    /* the HMAC does not match */
    JWT_EXPIRED = 4,      /* now >= exp + skew */
    JWT_NOT_YET_VALID = 5 /* now + skew < nbf */
};
enum { JWT_PART_MAX = 2048, JWT_DEPTH_MAX = 16, JWT_SUB_MAX = 128 };
#define JWT_TIME_MAX ((int64_t)1 << 50) /* larger exp/nbf/skew values are refused as malformed */

JWT_FN const char *jwt_result_name(int r) {
    static const char *const names[] = {"ok", "malformed", "algorithm refused", "bad signature", "expired", "not yet valid"};
    return r >= 0 && r <= JWT_NOT_YET_VALID ? names[r] : "?";
}

/* ---- HMAC-SHA-256 (RFC 2104): the key's inner and outer states, computed once ---- */

typedef struct jwt_hmac_key {
    dx_cas_sha256 inner, outer; /* SHA-256 after absorbing key^ipad, key^opad */
} jwt_hmac_key;

JWT_FN void jwt_hmac_key_init(jwt_hmac_key *k, const void *key, size_t len, uint32_t cpu) {
    uint8_t block[64], pad[64];
    size_t i;
    memset(block, 0, sizeof block);
    if (len > 64) /* longer keys are hashed first */
        dx_cas_sha256_digest(key, len, block);
    else if (len)
        memcpy(block, key, len);
    for (i = 0; i < 64; i++) pad[i] = (uint8_t)(block[i] ^ 0x36);
    dx_cas_sha256_init(&k->inner, cpu);
    dx_cas_sha256_update(&k->inner, pad, 64);
    for (i = 0; i < 64; i++) pad[i] = (uint8_t)(block[i] ^ 0x5c);
    dx_cas_sha256_init(&k->outer, cpu);
    dx_cas_sha256_update(&k->outer, pad, 64);
    memset(block, 0, sizeof block);
    memset(pad, 0, sizeof pad);
}

JWT_FN void jwt_hmac_sha256(const jwt_hmac_key *k, const void *msg, size_t len, uint8_t out[32]) {
    dx_cas_sha256 h = k->inner;
    uint8_t ih[32];
    dx_cas_sha256_update(&h, msg, len);
    dx_cas_sha256_final(&h, ih);
    h = k->outer;
    dx_cas_sha256_update(&h, ih, 32);
    dx_cas_sha256_final(&h, out);
}

/* Time that depends on the length only. */
JWT_FN bool jwt_equal_ct(const uint8_t *a, const uint8_t *b, size_t n) {
    const volatile uint8_t *x = a, *y = b;
    uint8_t diff = 0;
    size_t i;
    for (i = 0; i < n; i++) diff |= (uint8_t)(x[i] ^ y[i]);
    return diff == 0;
}

/* ---- base64url without padding ---- */

JWT_FN int jwt_b64_value(uint8_t ch) {
    if (ch >= 'A' && ch <= 'Z') return ch - 'A';
    if (ch >= 'a' && ch <= 'z') return ch - 'a' + 26;
    if (ch >= '0' && ch <= '9') return ch - '0' + 52;
    if (ch == '-') return 62;
    if (ch == '_') return 63;
    return -1;
}

/* Decodes len characters into out (cap bytes); the decoded size, or -1 for a
   bad character, a length of 4k+1, nonzero unused bits (one encoding per
   value) or no room. */
JWT_FN int64_t jwt_b64url_decode(const uint8_t *in, size_t len, uint8_t *out, size_t cap) {
    size_t i, n = 0;
    uint32_t acc = 0;
    int bits = 0;
    if (len % 4 == 1 || (len / 4) * 3 + (len % 4 ? len % 4 - 1 : 0) > cap) return -1;
    for (i = 0; i < len; i++) {
        int v = jwt_b64_value(in[i]);
        if (v < 0) return -1;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[n++] = (uint8_t)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    if (acc != 0) return -1;
    return (int64_t)n;
}

/* Encodes len bytes; out needs (len * 4 + 2) / 3 bytes; returns that size. */
JWT_FN size_t jwt_b64url_encode(const uint8_t *in, size_t len, char *out) {
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    size_t i, n = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (i = 0; i < len; i++) {
        acc = (acc << 8) | in[i];
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out[n++] = abc[(acc >> bits) & 63];
        }
        acc &= (1u << bits) - 1;
    }
    if (bits) out[n++] = abc[(acc << (6 - bits)) & 63];
    return n;
}

/* ---- a small strict JSON reader (RFC 8259) for one flat object of claims ---- */

typedef struct jwt_json {
    const uint8_t *p, *end;
    int depth;
} jwt_json;

JWT_FN void jwt_json_ws(jwt_json *j) {
    while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r')) j->p++;
}

JWT_FN bool jwt_json_lit(jwt_json *j, const char *lit) {
    size_t n = strlen(lit);
    if ((size_t)(j->end - j->p) < n || memcmp(j->p, lit, n) != 0) return false;
    j->p += n;
    return true;
}

JWT_FN int jwt_hex(uint8_t ch) {
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
}

JWT_FN bool jwt_json_u4(jwt_json *j, uint32_t *out) {
    int i;
    uint32_t v = 0;
    if (j->end - j->p < 4) return false;
    for (i = 0; i < 4; i++) {
        int h = jwt_hex(j->p[i]);
        if (h < 0) return false;
        v = (v << 4) | (uint32_t)h;
    }
    j->p += 4;
    *out = v;
    return true;
}

/* A string (j->p at its opening quote), unescaped as UTF-8 into out (cap
   bytes, may be NULL to skip); *out_len its full unescaped size. A string
   longer than cap is read whole and *out_len says so: the caller decides. */
JWT_FN bool jwt_json_string(jwt_json *j, uint8_t *out, size_t cap, size_t *out_len) {
    size_t n = 0;
    if (j->p >= j->end || *j->p != '"') return false;
    j->p++;
    for (;;) {
        uint8_t ch, enc[4];
        size_t k, m = 1;
        uint32_t cp;
        if (j->p >= j->end) return false;
        ch = *j->p++;
        if (ch == '"') break;
        if (ch < 0x20) return false;
        enc[0] = ch;
        if (ch == '\\') {
            if (j->p >= j->end) return false;
            ch = *j->p++;
            switch (ch) {
            case '"': case '\\': case '/': enc[0] = ch; break;
            case 'b': enc[0] = '\b'; break;
            case 'f': enc[0] = '\f'; break;
            case 'n': enc[0] = '\n'; break;
            case 'r': enc[0] = '\r'; break;
            case 't': enc[0] = '\t'; break;
            case 'u':
                if (!jwt_json_u4(j, &cp)) return false;
                if (cp >= 0xdc00 && cp <= 0xdfff) return false; /* a lone low surrogate */
                if (cp >= 0xd800 && cp <= 0xdbff) {             /* needs its low half */
                    uint32_t lo;
                    if (!jwt_json_lit(j, "\\u") || !jwt_json_u4(j, &lo) || lo < 0xdc00 || lo > 0xdfff) return false;
                    cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                }
                if (cp < 0x80) enc[0] = (uint8_t)cp;
                else if (cp < 0x800) enc[0] = (uint8_t)(0xc0 | (cp >> 6)), enc[1] = (uint8_t)(0x80 | (cp & 63)), m = 2;
                else if (cp < 0x10000)
                    enc[0] = (uint8_t)(0xe0 | (cp >> 12)), enc[1] = (uint8_t)(0x80 | ((cp >> 6) & 63)),
                    enc[2] = (uint8_t)(0x80 | (cp & 63)), m = 3;
                else
                    enc[0] = (uint8_t)(0xf0 | (cp >> 18)), enc[1] = (uint8_t)(0x80 | ((cp >> 12) & 63)),
                    enc[2] = (uint8_t)(0x80 | ((cp >> 6) & 63)), enc[3] = (uint8_t)(0x80 | (cp & 63)), m = 4;
                break;
            default: return false;
            }
        }
        for (k = 0; k < m; k++, n++)
            if (out && n < cap) out[n] = enc[k];
    }
    *out_len = n;
    return true;
}

/* A number; *out its integer part when it fits JWT_TIME_MAX (*fits false otherwise). */
JWT_FN bool jwt_json_number(jwt_json *j, int64_t *out, bool *fits) {
    bool neg = false, exp_form = false;
    int64_t v = 0;
    *fits = true;
    if (j->p < j->end && *j->p == '-') neg = true, j->p++;
    if (j->p >= j->end || *j->p < '0' || *j->p > '9') return false;
    if (*j->p == '0') {
        j->p++;
    } else {
        while (j->p < j->end && *j->p >= '0' && *j->p <= '9') {
            if (v > JWT_TIME_MAX / 10) *fits = false;
            else v = v * 10 + (*j->p - '0');
            j->p++;
        }
    }
    if (j->p < j->end && *j->p == '.') { /* the fraction: checked, then dropped */
        j->p++;
        if (j->p >= j->end || *j->p < '0' || *j->p > '9') return false;
        while (j->p < j->end && *j->p >= '0' && *j->p <= '9') j->p++;
    }
    if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
        exp_form = true;
        j->p++;
        if (j->p < j->end && (*j->p == '+' || *j->p == '-')) j->p++;
        if (j->p >= j->end || *j->p < '0' || *j->p > '9') return false;
        while (j->p < j->end && *j->p >= '0' && *j->p <= '9') j->p++;
    }
    if (exp_form || v > JWT_TIME_MAX) *fits = false; /* 1e9 is valid JSON but not a date we read */
    *out = neg ? -v : v;
    return true;
}

JWT_FN bool jwt_json_value(jwt_json *j);

/* Skips an object or array (j->p at '{' or '['), nesting bounded. */
JWT_FN bool jwt_json_container(jwt_json *j) {
    uint8_t close = *j->p == '{' ? '}' : ']';
    bool first = true;
    size_t n;
    if (++j->depth > JWT_DEPTH_MAX) return false;
    j->p++;
    for (;;) {
        jwt_json_ws(j);
        if (j->p >= j->end) return false;
        if (*j->p == close) break;
        if (!first) {
            if (*j->p != ',') return false;
            j->p++;
            jwt_json_ws(j);
        }
        first = false;
        if (close == '}') {
            if (!jwt_json_string(j, NULL, 0, &n)) return false;
            jwt_json_ws(j);
            if (j->p >= j->end || *j->p != ':') return false;
            j->p++;
        }
        if (!jwt_json_value(j)) return false;
    }
    j->p++;
    j->depth--;
    return true;
}

JWT_FN bool jwt_json_value(jwt_json *j) {
    int64_t v;
    bool fits;
    size_t n;
    jwt_json_ws(j);
    if (j->p >= j->end) return false;
    switch (*j->p) {
    case '{': case '[': return jwt_json_container(j);
    case '"': return jwt_json_string(j, NULL, 0, &n);
    case 't': return jwt_json_lit(j, "true");
    case 'f': return jwt_json_lit(j, "false");
    case 'n': return jwt_json_lit(j, "null");
    default: return jwt_json_number(j, &v, &fits);
    }
}

/* ---- header and claims ---- */

typedef struct jwt_claims {
    bool has_exp, has_nbf;
    int64_t exp, nbf;          /* seconds since 1970 (fractions dropped) */
    char sub[JWT_SUB_MAX + 1]; /* "sub", NUL-terminated; sub_len 0 when absent */
    uint32_t sub_len;
    char iss[JWT_SUB_MAX + 1];
    uint32_t iss_len;
} jwt_claims;

/* The members of one object: cb sees each member's name; it reads the value
   itself (returns false for a bad value) or leaves it to be skipped. */
typedef int (*jwt_member_fn)(jwt_json *j, const uint8_t *name, size_t name_len, void *user);
enum { JWT_MEMBER_SKIP = 0, JWT_MEMBER_READ = 1, JWT_MEMBER_BAD = 2 };

JWT_FN int jwt_json_object(const uint8_t *json, size_t len, jwt_member_fn cb, void *user) {
    jwt_json j;
    bool first = true;
    j.p = json, j.end = json + len, j.depth = 1;
    jwt_json_ws(&j);
    if (j.p >= j.end || *j.p != '{') return JWT_MALFORMED;
    j.p++;
    for (;;) {
        uint8_t name[16];
        size_t n;
        int r;
        jwt_json_ws(&j);
        if (j.p >= j.end) return JWT_MALFORMED;
        if (*j.p == '}') break;
        if (!first) {
            if (*j.p != ',') return JWT_MALFORMED;
            j.p++;
            jwt_json_ws(&j);
        }
        first = false;
        if (!jwt_json_string(&j, name, sizeof name, &n)) return JWT_MALFORMED;
        jwt_json_ws(&j);
        if (j.p >= j.end || *j.p != ':') return JWT_MALFORMED;
        j.p++;
        jwt_json_ws(&j);
        /* names longer than our buffer are none of ours: pass a length that matches nothing */
        r = cb(&j, name, n <= sizeof name ? n : 0, user);
        if (r == JWT_MEMBER_BAD) return JWT_MALFORMED;
        if (r == JWT_MEMBER_SKIP && !jwt_json_value(&j)) return JWT_MALFORMED;
    }
    j.p++;
    jwt_json_ws(&j);
    return j.p == j.end ? JWT_OK : JWT_MALFORMED; /* nothing after the object */
}

JWT_FN bool jwt_name_is(const uint8_t *name, size_t n, const char *want) {
    return n == strlen(want) && memcmp(name, want, n) == 0;
}

typedef struct jwt_header_state { bool alg_seen, alg_ok, crit; } jwt_header_state;

JWT_FN int jwt_header_member(jwt_json *j, const uint8_t *name, size_t n, void *user) {
    jwt_header_state *h = (jwt_header_state *)user;
    if (jwt_name_is(name, n, "alg")) {
        uint8_t v[8];
        size_t vn;
        if (h->alg_seen) return JWT_MEMBER_BAD; /* a duplicate: which one counts is ambiguous */
        h->alg_seen = true;
        if (j->p >= j->end || *j->p != '"') return JWT_MEMBER_BAD;
        if (!jwt_json_string(j, v, sizeof v, &vn)) return JWT_MEMBER_BAD;
        h->alg_ok = vn == 5 && memcmp(v, "HS256", 5) == 0;
        return JWT_MEMBER_READ;
    }
    if (jwt_name_is(name, n, "crit")) h->crit = true;
    return JWT_MEMBER_SKIP;
}

/* The decoded header: JWT_OK when it is an object with "alg": "HS256" and no crit. */
JWT_FN int jwt_parse_header(const uint8_t *json, size_t len) {
    jwt_header_state h;
    int r;
    memset(&h, 0, sizeof h);
    r = jwt_json_object(json, len, jwt_header_member, &h);
    if (r != JWT_OK) return r;
    return h.alg_ok && !h.crit ? JWT_OK : JWT_ALG;
}

JWT_FN int jwt_claims_member(jwt_json *j, const uint8_t *name, size_t n, void *user) {
    jwt_claims *c = (jwt_claims *)user;
    bool is_exp = jwt_name_is(name, n, "exp"), is_nbf = jwt_name_is(name, n, "nbf");
    bool is_sub = jwt_name_is(name, n, "sub"), is_iss = jwt_name_is(name, n, "iss");
    if (is_exp || is_nbf) {
        int64_t v;
        bool fits;
        if ((is_exp && c->has_exp) || (is_nbf && c->has_nbf)) return JWT_MEMBER_BAD;
        if (!jwt_json_number(j, &v, &fits) || !fits || v < -JWT_TIME_MAX) return JWT_MEMBER_BAD;
        if (is_exp) c->has_exp = true, c->exp = v;
        else c->has_nbf = true, c->nbf = v;
        return JWT_MEMBER_READ;
    }
    if (is_sub || is_iss) {
        char *dst = is_sub ? c->sub : c->iss;
        uint32_t *dst_len = is_sub ? &c->sub_len : &c->iss_len;
        size_t vn;
        if (*dst_len || j->p >= j->end || *j->p != '"') return JWT_MEMBER_BAD;
        if (!jwt_json_string(j, (uint8_t *)dst, JWT_SUB_MAX, &vn) || vn == 0 || vn > JWT_SUB_MAX) return JWT_MEMBER_BAD;
        if (memchr(dst, 0, vn)) return JWT_MEMBER_BAD; /* "\u0000" would cut the C string */
        dst[vn] = 0;
        *dst_len = (uint32_t)vn;
        return JWT_MEMBER_READ;
    }
    return JWT_MEMBER_SKIP;
}

/* The decoded claims set into *out (zeroed first); JWT_OK or JWT_MALFORMED. */
JWT_FN int jwt_parse_claims(const uint8_t *json, size_t len, jwt_claims *out) {
    memset(out, 0, sizeof *out);
    return jwt_json_object(json, len, jwt_claims_member, out);
}

/* A whole compact token (len bytes, no NUL needed): JWT_OK and the claims in
   *out, or the first check that failed (see the top). now and skew in seconds;
   skew in [0, JWT_TIME_MAX]. */
JWT_FN int jwt_verify(const uint8_t *tok, size_t len, const jwt_hmac_key *key, int64_t now, int64_t skew, jwt_claims *out) {
    uint8_t part[JWT_PART_MAX], mac[32], sig[33];
    const uint8_t *dot1, *dot2;
    int64_t n;
    int r;
    memset(out, 0, sizeof *out);
    dot1 = (const uint8_t *)memchr(tok, '.', len);
    if (!dot1) return JWT_MALFORMED;
    dot2 = (const uint8_t *)memchr(dot1 + 1, '.', len - (size_t)(dot1 + 1 - tok));
    if (!dot2 || memchr(dot2 + 1, '.', len - (size_t)(dot2 + 1 - tok))) return JWT_MALFORMED;
    n = jwt_b64url_decode(tok, (size_t)(dot1 - tok), part, sizeof part);
    if (n < 0) return JWT_MALFORMED;
    r = jwt_parse_header(part, (size_t)n);
    if (r != JWT_OK) return r;
    n = jwt_b64url_decode(dot2 + 1, len - (size_t)(dot2 + 1 - tok), sig, sizeof sig);
    if (n != 32) return n < 0 ? JWT_MALFORMED : JWT_SIGNATURE;
    jwt_hmac_sha256(key, tok, (size_t)(dot2 - tok), mac);
    if (!jwt_equal_ct(mac, sig, 32)) return JWT_SIGNATURE;
    n = jwt_b64url_decode(dot1 + 1, (size_t)(dot2 - dot1 - 1), part, sizeof part);
    if (n < 0) return JWT_MALFORMED;
    r = jwt_parse_claims(part, (size_t)n, out);
    if (r != JWT_OK) return r;
    if (skew < 0 || skew > JWT_TIME_MAX || now < -JWT_TIME_MAX || now > JWT_TIME_MAX) return JWT_MALFORMED;
    /* every value is within 2^50, so the sums cannot overflow */
    if (out->has_exp && now >= out->exp + skew) return JWT_EXPIRED;
    if (out->has_nbf && now + skew < out->nbf) return JWT_NOT_YET_VALID;
    return JWT_OK;
}

/* Signs header and claims JSON into out (cap bytes): the compact token's size,
   or 0 when it does not fit. For tests and tools that mint tokens. */
JWT_FN size_t jwt_sign(const char *header_json, const char *claims_json, const jwt_hmac_key *key, char *out, size_t cap) {
    size_t hl = strlen(header_json), cl = strlen(claims_json), n;
    uint8_t mac[32];
    if ((hl * 4 + 2) / 3 + (cl * 4 + 2) / 3 + 2 + 43 + 1 > cap) return 0;
    n = jwt_b64url_encode((const uint8_t *)header_json, hl, out);
    out[n++] = '.';
    n += jwt_b64url_encode((const uint8_t *)claims_json, cl, out + n);
    jwt_hmac_sha256(key, out, n, mac);
    out[n++] = '.';
    n += jwt_b64url_encode(mac, 32, out + n);
    out[n] = 0;
    return n;
}

#endif /* DX_EXAMPLES_JWT_H */

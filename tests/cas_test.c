/* cas_test.c - unit tests, vectors and properties for dx_cas.h
   Run from the repository root (it reads tests/vectors/cas/). */
#if !defined(_WIN32) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L /* popen for the sha256sum comparison */
#endif
/* run.sh variant zstd: -DDX_CAS_WITH_ZSTD -lzstd */
/* run.sh variant noblake3: -DDX_CAS_NO_BLAKE3 */
/* run.sh variant index: -DDX_CAS_WITH_ZSTD -lzstd -DDX_CAS_DIR_TABLE_MAX=4 -DDX_CAS_GC_MARKS=300 */
#define DX_IMPLEMENTATION
#include "dx_cas.h"
#include "prop.h"
#if defined(DX_CAS_HAS_DIRSTORE)
#include <signal.h>       /* SIGXFSZ */
#include <sys/resource.h> /* RLIMIT_FSIZE: a write that fails as on a full disk */
#endif
#if defined(DX_CAS_WITH_ZSTD)
#include <zstd.h>
#endif

/* ---- helpers ---- */

static uint8_t *xmalloc(size_t n) { /* exact size: ASan sees every overrun */
    uint8_t *b = (uint8_t *)malloc(n ? n : 1);
    if (!b) {
        fprintf(stderr, "cas_test: out of memory\n");
        exit(3);
    }
    return b;
}
static const char *rn(int64_t r) { return r >= 0 ? "ok" : dx_cas_result_name((dx_result)r); }

static int unhex(const char *s, uint8_t *out, size_t cap) { /* bytes, or -1 */
    size_t n = 0;
    if (strcmp(s, "-") == 0) return 0;
    while (s[0] && s[1]) {
        unsigned v;
        if (n == cap || sscanf(s, "%2x", &v) != 1) return -1;
        out[n++] = (uint8_t)v;
        s += 2;
    }
    return s[0] ? -1 : (int)n;
}
/* a vector file's line as words (it is cut up in place); 0 for a blank line or a comment */
static int split_words(char *line, char **tok, int max) {
    int nt = 0;
    char *t = strtok(line, " \r\n");
    while (t && nt < max) tok[nt++] = t, t = strtok(NULL, " \r\n");
    return nt > 0 && tok[0][0] == '#' ? 0 : nt;
}
static void tohex(const uint8_t *b, size_t n, char *out) {
    size_t i;
    for (i = 0; i < n; i++) sprintf(out + 2 * i, "%02x", b[i]);
    out[2 * n] = 0;
}

/* xorshift64*, 8 bytes little-endian per step: fastcdc_gen.py's generator */
static void xorshift_bytes(uint64_t s, uint8_t *out, size_t n) {
    size_t i = 0, k;
    while (i < n) {
        uint64_t v;
        s ^= s >> 12, s ^= s << 25, s ^= s >> 27;
        v = s * 0x2545F4914F6CDD1Dull;
        for (k = 0; k < 8 && i < n; k++, i++) out[i] = (uint8_t)(v >> (8 * k));
    }
}
#define MIXED_LEN (100000u + 70000u + 80001u)
static void mixed_bytes(uint64_t seed, uint8_t *out) {
    xorshift_bytes(seed, out, 100000);
    memset(out + 100000, 0, 70000);
    xorshift_bytes(seed + 1, out + 170000, 80001);
}

/* every SHA-256 path this build and CPU have: portable first */
static uint32_t sha_paths(uint32_t *paths) {
    uint32_t n = 0, cpu = dx_cas_cpu_detect();
    paths[n++] = 0;
    if (cpu & DX_CAS_CPU_SHA_NI) paths[n++] = DX_CAS_CPU_SHA_NI;
    if (cpu & DX_CAS_CPU_ARM_SHA2) paths[n++] = DX_CAS_CPU_ARM_SHA2;
    return n;
}

static void sha_with(uint32_t cpu, const void *data, size_t len, uint8_t out[32]) {
    dx_cas_sha256 h;
    dx_cas_sha256_init(&h, cpu);
    dx_cas_sha256_update(&h, data, len);
    dx_cas_sha256_final(&h, out);
}

/* ---- SHA-256 ---- */

static int t_sha256_fips(prop_ctx *p) { /* FIPS 180-2 appendix B and the NIST examples */
    static const struct {
        const char *msg;
        unsigned long repeat;
        const char *digest;
    } v[] = {
        {"", 1, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {"abc", 1, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1,
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
        {"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrst"
         "nopqrstu",
         1, "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"},
        {"a", 1000000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"},
        {"01234567", 80, "594847328451bdfa85056225462cc1d867d877fb388df0ce35f25ab5562bfbb5"}, /* 640 bytes */
    };
    uint32_t paths[4], np = sha_paths(paths), k;
    size_t i;
    for (k = 0; k < np; k++) {
        for (i = 0; i < sizeof v / sizeof v[0]; i++) {
            dx_cas_sha256 h;
            uint8_t d[32];
            char hex[65];
            unsigned long r;
            size_t mlen = strlen(v[i].msg);
            dx_cas_sha256_init(&h, paths[k]);
            if (v[i].repeat > 1 && mlen == 1) { /* a million 'a' in 1000-byte pieces */
                char block[1000];
                memset(block, v[i].msg[0], sizeof block);
                for (r = 0; r < v[i].repeat / 1000; r++) dx_cas_sha256_update(&h, block, sizeof block);
            } else {
                for (r = 0; r < v[i].repeat; r++) dx_cas_sha256_update(&h, v[i].msg, mlen);
            }
            dx_cas_sha256_final(&h, d);
            tohex(d, 32, hex);
            PROP_CHECK_MSG(p, strcmp(hex, v[i].digest) == 0, "%s: vector %lu: %s, want %s",
                           dx_cas_sha256_impl_name(&h), (unsigned long)i, hex, v[i].digest);
        }
    }
    {
        uint8_t a[32], b[32];
        dx_cas_sha256_digest("abc", 3, a);
        sha_with(0, "abc", 3, b);
        PROP_CHECK(p, memcmp(a, b, 32) == 0);
    }
    return 0;
}

/* Pieces of any size give the one-shot digest, on every path. */
static int p_sha256_pieces(prop_ctx *p) {
    static uint8_t buf[5000];
    uint32_t paths[4], np = sha_paths(paths), k;
    size_t n = prop_len(p, sizeof buf), at;
    uint8_t want[32], got[32];
    prop_bytes(p, buf, n);
    sha_with(0, buf, n, want);
    for (k = 0; k < np; k++) {
        dx_cas_sha256 h;
        dx_cas_sha256_init(&h, paths[k]);
        for (at = 0; at < n;) {
            size_t piece = (size_t)prop_range(p, 0, prop_bool(p) ? 70 : 1000);
            if (piece > n - at) piece = n - at;
            dx_cas_sha256_update(&h, buf + at, piece);
            at += piece;
        }
        dx_cas_sha256_final(&h, got);
        PROP_CHECK_MSG(p, memcmp(want, got, 32) == 0, "%s differs from portable, %lu bytes",
                       dx_cas_sha256_impl_name(&h), (unsigned long)n);
        /* the hasher is reusable after final */
        dx_cas_sha256_init(&h, paths[k]);
        dx_cas_sha256_update(&h, buf, n);
        dx_cas_sha256_final(&h, got);
        PROP_CHECK(p, memcmp(want, got, 32) == 0);
    }
    return 0;
}

/* Random inputs of many lengths against coreutils sha256sum, in one run of it. */
static int t_sha256_vs_sha256sum(prop_ctx *p) {
#if defined(_WIN32)
    PROP_SKIP(p, "no sha256sum on Windows");
#else
    enum { FILES = 48 };
    static const size_t fixed_lens[] = {0, 1, 55, 56, 63, 64, 65, 119, 120, 127, 128, 129, 1000, 4096, 65536, 1000003};
    char dir[] = "build/test/cas_sha_XXXXXX", cmd[256], line[512], path[256];
    uint8_t *buf = xmalloc(1000003);
    size_t lens[FILES], i;
    int matched = 0;
    FILE *f;
    prop_ctx g;
    prop_ctx_init(&g, p->seed, (size_t)-1);
    if (system("sha256sum --version >/dev/null 2>&1") != 0) {
        free(buf);
        PROP_SKIP(p, "sha256sum is not installed (coreutils)");
    }
    if (system("mkdir -p build/test") != 0 || !mkdtemp(dir)) {
        free(buf);
        PROP_SKIP(p, "cannot make a temporary directory under build/test");
    }
    for (i = 0; i < FILES; i++) {
        lens[i] = i < sizeof fixed_lens / sizeof fixed_lens[0] ? fixed_lens[i] : (size_t)prop_range(&g, 0, 20000);
        xorshift_bytes(p->seed + i, buf, lens[i]);
        snprintf(path, sizeof path, "%s/%02lu", dir, (unsigned long)i);
        f = fopen(path, "wb");
        if (!f || fwrite(buf, 1, lens[i], f) != lens[i] || fclose(f) != 0) {
            free(buf);
            PROP_FAIL(p, "cannot write %s", path);
        }
    }
    snprintf(cmd, sizeof cmd, "cd %s && sha256sum [0-9][0-9]", dir);
    f = popen(cmd, "r");
    if (!f) {
        free(buf);
        PROP_SKIP(p, "popen failed");
    }
    while (fgets(line, sizeof line, f)) {
        unsigned long idx;
        char want[65], got[65];
        uint8_t d[32];
        char *name = line + 64;
        if (sscanf(line, "%64s", want) != 1 || strlen(want) != 64) continue;
        while (*name == ' ' || *name == '*') name++;
        idx = strtoul(name, NULL, 10);
        if (idx >= FILES) continue;
        xorshift_bytes(p->seed + idx, buf, lens[idx]);
        {
            uint32_t paths[4], np = sha_paths(paths), k;
            for (k = 0; k < np; k++) {
                sha_with(paths[k], buf, lens[idx], d);
                tohex(d, 32, got);
                if (!PROP_EXPECT_MSG(p, strcmp(want, got) == 0, "file %lu (%lu bytes): sha256sum %s, dx %s (path %u)",
                                     idx, (unsigned long)lens[idx], want, got, (unsigned)paths[k]))
                    break;
            }
        }
        matched++;
    }
    pclose(f);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) fprintf(stderr, "cas_test: could not remove %s\n", dir);
    free(buf);
    PROP_CHECK_MSG(p, matched == FILES, "sha256sum printed %d of %d digests", matched, FILES);
    return 0;
#endif
}


/* ---- BLAKE3 ---- */
#if !defined(DX_CAS_NO_BLAKE3)

static void b3_input(uint8_t *b, size_t n) { /* the official vectors' input: 0, 1, ..., 250, 0, 1, ... */
    size_t i;
    for (i = 0; i < n; i++) b[i] = (uint8_t)(i % 251);
}
#define B3_KEY "whats the Elvish word for friend"
#define B3_CONTEXT "BLAKE3 2019-12-27 16:29:52 test vectors context"

static uint32_t b3_cpu; /* the paths the BLAKE3 tests may use: all, or none (portable) */
static void b3_mode(int mode, const uint8_t *in, size_t n, uint8_t *out, size_t out_len, prop_ctx *split) {
    dx_cas_blake3 h;
    size_t at = 0;
    if (mode == 0) dx_cas_blake3_init(&h, b3_cpu);
    else if (mode == 1) dx_cas_blake3_init_keyed(&h, (const uint8_t *)B3_KEY, b3_cpu);
    else dx_cas_blake3_init_derive_key(&h, B3_CONTEXT, strlen(B3_CONTEXT), b3_cpu);
    while (at < n) {
        size_t piece = split ? (size_t)prop_range(split, 0, prop_bool(split) ? 70 : 3000) : n - at;
        if (piece > n - at) piece = n - at;
        dx_cas_blake3_update(&h, in + at, piece);
        at += piece;
    }
    dx_cas_blake3_final(&h, out, out_len);
}

/* One-shot (dx_cas_id_hash, dx_cas_blake3_digest): the input's last chunk, short or whole, in a batch too. */
static void b3_oneshot(int mode, const uint8_t *in, size_t n, uint8_t out[32]) {
    dx_cas_blake3 h;
    if (mode == 0) dx_cas_blake3_init(&h, b3_cpu);
    else if (mode == 1) dx_cas_blake3_init_keyed(&h, (const uint8_t *)B3_KEY, b3_cpu);
    else dx_cas_blake3_init_derive_key(&h, B3_CONTEXT, strlen(B3_CONTEXT), b3_cpu);
    dxi_b3_oneshot(&h, in, n, out);
}

/* BLAKE3-team/BLAKE3 test_vectors/test_vectors.json: the cases' first 32
   bytes, and three whole 131-byte extended outputs. */
static int t_blake3_vectors(prop_ctx *p) {
    static const struct {
        size_t len;
        int mode;
        const char *hex;
    } v[] = {
        {0, 0, "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262e00f03e7b69af26b7faaf09fcd333050338ddfe085b8cc869ca98b206c08243a26f5487789e8f660afe6c99ef9e0c52b92e7393024a80459cf91f476f9ffdbda7001c22e159b402631f277ca96f2defdf1078282314e763699a31c5363165421cce14d"},
        {0, 1, "92b2b75604ed3c761f9d6f62392c8a9227ad0ea3f09573e783f1498a4ed60d26b18171a2f22a4b94822c701f107153dba24918c4bae4d2945c20ece13387627d3b73cbf97b797d5e59948c7ef788f54372df45e45e4293c7dc18c1d41144a9758be58960856be1eabbe22c2653190de560ca3b2ac4aa692a9210694254c371e851bc8f"},
        {0, 2, "2cc39783c223154fea8dfb7c1b1660f2ac2dcbd1c1de8277b0b0dd39b7e50d7d905630c8be290dfcf3e6842f13bddd573c098c3f17361f1f206b8cad9d088aa4a3f746752c6b0ce6a83b0da81d59649257cdf8eb3e9f7d4998e41021fac119deefb896224ac99f860011f73609e6e0e4540f93b273e56547dfd3aa1a035ba6689d89a0"},
        {1025, 0, "d00278ae47eb27b34faecf67b4fe263f82d5412916c1ffd97c8cb7fb814b8444f4c4a22b4b399155358a994e52bf255de60035742ec71bd08ac275a1b51cc6bfe332b0ef84b409108cda080e6269ed4b3e2c3f7d722aa4cdc98d16deb554e5627be8f955c98e1d5f9565a9194cad0c4285f93700062d9595adb992ae68ff12800ab67a"},
        {1, 0, "2d3adedff11b61f14c886e35afa036736dcd87a74d27b5c1510225d0f592e213"},
        {1, 1, "6d7878dfff2f485635d39013278ae14f1454b8c0a3a2d34bc1ab38228a80c95b"},
        {1, 2, "b3e2e340a117a499c6cf2398a19ee0d29cca2bb7404c73063382693bf66cb06c"},
        {1023, 0, "10108970eeda3eb932baac1428c7a2163b0e924c9a9e25b35bba72b28f70bd11"},
        {1023, 1, "c951ecdf03288d0fcc96ee3413563d8a6d3589547f2c2fb36d9786470f1b9d6e"},
        {1023, 2, "74a16c1c3d44368a86e1ca6df64be6a2f64cce8f09220787450722d85725dea5"},
        {1024, 0, "42214739f095a406f3fc83deb889744ac00df831c10daa55189b5d121c855af7"},
        {1024, 1, "75c46f6f3d9eb4f55ecaaee480db732e6c2105546f1e675003687c31719c7ba4"},
        {1024, 2, "7356cd7720d5b66b6d0697eb3177d9f8d73a4a5c5e968896eb6a689684302706"},
        {1025, 1, "357dc55de0c7e382c900fd6e320acc04146be01db6a8ce7210b7189bd664ea69"},
        {1025, 2, "effaa245f065fbf82ac186839a249707c3bddf6d3fdda22d1b95a3c970379bcb"},
        {2048, 0, "e776b6028c7cd22a4d0ba182a8bf62205d2ef576467e838ed6f2529b85fba24a"},
        {2049, 0, "5f4d72f40d7a5f82b15ca2b2e44b1de3c2ef86c426c95c1af0b6879522563030"},
        {3072, 0, "b98cb0ff3623be03326b373de6b9095218513e64f1ee2edd2525c7ad1e5cffd2"},
        {3073, 0, "7124b49501012f81cc7f11ca069ec9226cecb8a2c850cfe644e327d22d3e1cd3"},
        {4096, 0, "015094013f57a5277b59d8475c0501042c0b642e531b0a1c8f58d2163229e969"},
        {4097, 0, "9b4052b38f1c5fc8b1f9ff7ac7b27cd242487b3d890d15c96a1c25b8aa0fb995"},
        {4097, 1, "00df940cd36bb9fa7cbbc3556744e0dbc8191401afe70520ba292ee3ca80abbc"},
        {4097, 2, "aca51029626b55fda7117b42a7c211f8c6e9ba4fe5b7a8ca922f34299500ead8"},
        {5120, 0, "9cadc15fed8b5d854562b26a9536d9707cadeda9b143978f319ab34230535833"},
        {5121, 0, "628bd2cb2004694adaab7bbd778a25df25c47b9d4155a55f8fbd79f2fe154cff"},
        {6144, 0, "3e2e5b74e048f3add6d21faab3f83aa44d3b2278afb83b80b3c35164ebeca205"},
        {6145, 0, "f1323a8631446cc50536a9f705ee5cb619424d46887f3c376c695b70e0f0507f"},
        {7168, 0, "61da957ec2499a95d6b8023e2b0e604ec7f6b50e80a9678b89d2628e99ada77a"},
        {7169, 0, "a003fc7a51754a9b3c7fae0367ab3d782dccf28855a03d435f8cfe74605e7817"},
        {7169, 1, "ed9b1a922c046fdb3d423ae34e143b05ca1bf28b710432857bf738bcedbfa511"},
        {7169, 2, "554b0a5efea9ef183f2f9b931b7497995d9eb26f5c5c6dad2b97d62fc5ac31d9"},
    };
    static uint8_t in[8192];
    uint8_t out[131];
    char hex[263];
    size_t i;
    int path;
    b3_input(in, sizeof in);
    for (path = 0; path < 3; path++) /* portable, AVX2 (if there), everything there */
    for (i = 0; i < sizeof v / sizeof v[0]; i++) {
        b3_cpu = path == 0 ? 0 : path == 1 ? dx_cas_cpu_detect() & ~(uint32_t)DX_CAS_CPU_AVX512 : dx_cas_cpu_detect();
        size_t olen = strlen(v[i].hex) / 2;
        b3_mode(v[i].mode, in, v[i].len, out, olen, NULL);
        tohex(out, olen, hex);
        PROP_CHECK_MSG(p, strncmp(hex, v[i].hex, 2 * olen) == 0, "length %lu mode %d: %s", (unsigned long)v[i].len,
                       v[i].mode, hex);
        if (olen > 32) { /* the default output is the extended output's start */
            b3_mode(v[i].mode, in, v[i].len, out, 32, NULL);
            tohex(out, 32, hex);
            PROP_CHECK(p, strncmp(hex, v[i].hex, 64) == 0);
        }
    }
    {
        dx_cas_hash_alg alg;
        dx_cas_id id;
        char text[DX_CAS_ID_TEXT_SIZE];
        dx_cas_id back;
        PROP_CHECK(p, dx_cas_hash_alg_init(&alg, DX_CAS_ALG_BLAKE3) == DX_OK);
        dx_cas_id_hash(&alg, "", 0, &id);
        PROP_CHECK(p, dx_cas_id_format(&id, text, sizeof text) == DX_CAS_ID_TEXT_LEN);
        PROP_CHECK_MSG(p, strcmp(text, "blake3-af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262") == 0, "%s", text);
        PROP_CHECK(p, dx_cas_id_parse(text, strlen(text), &back) == DX_OK && dx_cas_id_equal(&id, &back) &&
                          back.alg == DX_CAS_ALG_BLAKE3);
    }
    return 0;
}

/* Pieces of any size give the one-call output, in every mode and output length. */
static int p_blake3_pieces(prop_ctx *p) { /* and the portable and SIMD paths agree */
    static uint8_t in[70000];
    uint8_t a[200], b[200];
    size_t n = prop_len(p, sizeof in), olen = (size_t)prop_range(p, 1, sizeof a);
    int mode = (int)prop_range(p, 0, 2);
    prop_bytes(p, in, n);
    b3_cpu = 0;
    b3_mode(mode, in, n, a, olen, NULL);
    b3_cpu = dx_cas_cpu_detect();
    if (prop_bool(p)) b3_cpu &= ~(uint32_t)DX_CAS_CPU_AVX512; /* the AVX2 path where AVX-512 is there too */
    b3_mode(mode, in, n, b, olen, p);
    PROP_CHECK_MSG(p, memcmp(a, b, olen) == 0, "mode %d, %lu bytes, %lu out", mode, (unsigned long)n, (unsigned long)olen);
    b3_mode(mode, in, n, b, olen > 32 ? 32 : olen, NULL);
    PROP_CHECK(p, memcmp(a, b, olen > 32 ? 32 : olen) == 0);
    b3_oneshot(mode, in, n, b);
    PROP_CHECK_MSG(p, memcmp(a, b, olen > 32 ? 32 : olen) == 0, "one-shot, mode %d, %lu bytes", mode, (unsigned long)n);
    return 0;
}

/* The SIMD paths (AVX2 alone, and AVX-512 where there) give the portable path's output (cpu = 0: one chunk
   and one parent at a time) at the lengths where batches begin, end or get short, fed in pieces and at once. */
static int t_blake3_simd_paths(prop_ctx *p) {
    static const size_t lens[] = {0,     1,     63,    64,    65,    1023,  1024,  1025,  2047,  2048,  2049,
                                  3072,  3073,  4095,  4096,  4097,  5121,  7168,  8191,  8192,  8193,  9 * 1024 + 500,
                                  15 * 1024 + 1, 16383, 16384, 16385, 17 * 1024, 17 * 1024 + 1, 24 * 1024 + 7,
                                  31 * 1024 + 1000, 32 * 1024 + 1, 33 * 1024, 48 * 1024 - 1, 65535, 65536, 65537,
                                  70 * 1024};
    static const size_t pieces[] = {1, 63, 64, 65, 1000, 1024, 4096, 5000, 17000, 0 /* whole */};
    static uint8_t in[70 * 1024];
    uint8_t want[32], got[32], id_want[32];
    size_t i, k, at;
    int mode, path;
    uint32_t cpu = dx_cas_cpu_detect();
    xorshift_bytes(p->seed, in, sizeof in);
    for (mode = 0; mode < 3; mode++)
    for (i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        size_t n = lens[i];
        b3_cpu = 0;
        b3_mode(mode, in, n, want, 32, NULL);
        b3_oneshot(mode, in, n, got);
        PROP_CHECK_MSG(p, memcmp(want, got, 32) == 0, "portable one-shot, mode %d, %lu bytes", mode, (unsigned long)n);
        if (mode == 0) {
            dx_cas_hash_alg alg;
            dx_cas_id id;
            PROP_CHECK(p, dx_cas_hash_alg_init(&alg, DX_CAS_ALG_BLAKE3) == DX_OK);
            alg.cpu = 0;
            dx_cas_id_hash(&alg, in, n, &id);
            memcpy(id_want, id.digest, 32);
            PROP_CHECK(p, memcmp(want, id_want, 32) == 0);
            dx_cas_blake3_digest(in, n, got); /* all the paths this CPU has */
            PROP_CHECK_MSG(p, memcmp(want, got, 32) == 0, "dx_cas_blake3_digest, %lu bytes", (unsigned long)n);
        }
        for (path = 1; path < 3; path++) {
            b3_cpu = path == 1 ? cpu & ~(uint32_t)DX_CAS_CPU_AVX512 : cpu;
            if (mode == 0) {
                dx_cas_hash_alg alg;
                dx_cas_id id;
                PROP_CHECK(p, dx_cas_hash_alg_init(&alg, DX_CAS_ALG_BLAKE3) == DX_OK);
                alg.cpu = b3_cpu;
                dx_cas_id_hash(&alg, in, n, &id);
                PROP_CHECK_MSG(p, memcmp(want, id.digest, 32) == 0, "dx_cas_id_hash, cpu %x, %lu bytes",
                               (unsigned)b3_cpu, (unsigned long)n);
            }
            b3_oneshot(mode, in, n, got);
            PROP_CHECK_MSG(p, memcmp(want, got, 32) == 0, "one-shot, cpu %x, mode %d, %lu bytes", (unsigned)b3_cpu, mode,
                           (unsigned long)n);
            for (k = 0; k < sizeof pieces / sizeof pieces[0]; k++) {
                dx_cas_blake3 h;
                size_t piece = pieces[k] ? pieces[k] : n + 1;
                if (mode == 0) dx_cas_blake3_init(&h, b3_cpu);
                else if (mode == 1) dx_cas_blake3_init_keyed(&h, (const uint8_t *)B3_KEY, b3_cpu);
                else dx_cas_blake3_init_derive_key(&h, B3_CONTEXT, strlen(B3_CONTEXT), b3_cpu);
                for (at = 0; at < n; at += piece) dx_cas_blake3_update(&h, in + at, n - at < piece ? n - at : piece);
                dx_cas_blake3_final(&h, got, 32);
                PROP_CHECK_MSG(p, memcmp(want, got, 32) == 0, "cpu %x, mode %d, %lu bytes in pieces of %lu",
                               (unsigned)b3_cpu, mode, (unsigned long)n, (unsigned long)piece);
            }
        }
    }
    return 0;
}

/* Against b3sum (Debian package b3sum): the test-vector inputs and random ones, three modes, 131-byte outputs. */
static int t_blake3_vs_b3sum(prop_ctx *p) {
#if defined(_WIN32)
    PROP_SKIP(p, "no b3sum on Windows");
#else
    static const size_t lens[] = {0, 1, 63, 64, 65, 1023, 1024, 1025, 2048, 2049, 3072, 3073, 4096, 4097, 5120,
                                  5121, 6144, 6145, 7168, 7169, 8192, 8193, 16384, 31744, 102400, 1000003};
    enum { NL = sizeof lens / sizeof lens[0], FILES = NL + 10 };
    char dir[] = "build/test/cas_b3_XXXXXX", cmd[512], path[256], line[512];
    uint8_t *buf = xmalloc(1000003), out[131];
    size_t flen[FILES], i;
    int mode, matched = 0;
    FILE *f;
    prop_ctx g;
    prop_ctx_init(&g, p->seed, (size_t)-1);
    if (system("b3sum --version >/dev/null 2>&1") != 0) {
        free(buf);
        PROP_SKIP(p, "b3sum is not installed (Debian package b3sum; make test installs it)");
    }
    if (system("mkdir -p build/test") != 0 || !mkdtemp(dir)) {
        free(buf);
        PROP_SKIP(p, "cannot make a temporary directory under build/test");
    }
    snprintf(path, sizeof path, "%s/key", dir);
    f = fopen(path, "wb");
    if (!f || fwrite(B3_KEY, 1, 32, f) != 32 || fclose(f) != 0) PROP_FAIL(p, "cannot write %s", path);
    for (i = 0; i < FILES; i++) {
        flen[i] = i < NL ? lens[i] : (size_t)prop_range(&g, 0, 70000);
        if (i < NL) b3_input(buf, flen[i]);
        else xorshift_bytes(p->seed + i, buf, flen[i]);
        snprintf(path, sizeof path, "%s/%02lu", dir, (unsigned long)i);
        f = fopen(path, "wb");
        if (!f || fwrite(buf, 1, flen[i], f) != flen[i] || fclose(f) != 0) PROP_FAIL(p, "cannot write %s", path);
    }
    b3_cpu = dx_cas_cpu_detect();
    for (mode = 0; mode < 3; mode++) {
        const char *opt = mode == 0 ? "" : mode == 1 ? "--keyed" : "--derive-key '" B3_CONTEXT "'";
        snprintf(cmd, sizeof cmd, "cd %s && b3sum --length 131 %s [0-9][0-9] < key", dir, opt);
        f = popen(cmd, "r");
        if (!f) PROP_FAIL(p, "popen failed");
        while (fgets(line, sizeof line, f)) {
            char got[263], *name = line + 262;
            unsigned long idx;
            if (strlen(line) < 266 || line[262] != ' ') continue;
            line[262] = 0;
            while (*++name == ' ') {}
            idx = strtoul(name, NULL, 10);
            if (idx >= FILES) continue;
            if (idx < NL) b3_input(buf, flen[idx]);
            else xorshift_bytes(p->seed + idx, buf, flen[idx]);
            b3_mode(mode, buf, flen[idx], out, sizeof out, NULL);
            tohex(out, sizeof out, got);
            PROP_EXPECT_MSG(p, strcmp(line, got) == 0, "mode %d, file %lu (%lu bytes): b3sum %.16s..., dx %.16s...", mode,
                            idx, (unsigned long)flen[idx], line, got);
            matched++;
        }
        pclose(f);
    }
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) fprintf(stderr, "cas_test: could not remove %s\n", dir);
    free(buf);
    PROP_CHECK_MSG(p, matched == 3 * FILES, "b3sum printed %d of %d digests", matched, 3 * FILES);
    return 0;
#endif
}

#define TEST_ALG_2 DX_CAS_ALG_BLAKE3 /* the second algorithm stores and trees are tested with */
#else
static int t_blake3_vectors(prop_ctx *p) { /* the option leaves BLAKE3 out: nothing hashes with it */
    dx_cas_hash_alg alg;
    dx_cas_id id;
    dx_cas_mem m;
    dx_cas_mem_config mc;
    dx_cas_store s;
    uint8_t buf[8];
    PROP_CHECK(p, dx_cas_hash_alg_init(&alg, DX_CAS_ALG_BLAKE3) == DX_ERR_UNSUPPORTED);
    PROP_CHECK(p, dx_cas_id_parse("blake3-af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262", 71, &id) == DX_OK);
    memset(&mc, 0, sizeof mc);
    PROP_CHECK(p, dx_cas_mem_create(&m, &mc) == DX_OK && dx_cas_mem_store(&m, NULL, &s) == DX_OK);
    PROP_CHECK(p, dx_cas_store_get(&s, &id, buf, sizeof buf) == DX_ERR_UNSUPPORTED);
    dx_cas_mem_destroy(&m);
    return 0;
}
#define TEST_ALG_2 DX_CAS_ALG_SHA256
#endif

/* ---- ids ---- */

static int t_ids(prop_ctx *p) {
    dx_cas_hash_alg alg;
    dx_cas_id id, back;
    char text[DX_CAS_ID_TEXT_SIZE];
    uint8_t bin[DX_CAS_ID_SIZE + 4];
    int64_t r;
    PROP_CHECK(p, dx_cas_hash_alg_init(&alg, 0) == DX_OK && alg.alg == DX_CAS_ALG_SHA256);
    PROP_CHECK(p, dx_cas_hash_alg_init(&alg, 0x55) == DX_ERR_UNSUPPORTED);
    PROP_CHECK(p, dx_cas_hash_alg_init(&alg, DX_CAS_ALG_SHA256) == DX_OK);
    dx_cas_id_hash(&alg, "abc", 3, &id);
    r = dx_cas_id_format(&id, text, sizeof text);
    PROP_CHECK_MSG(p, r == DX_CAS_ID_TEXT_LEN, "format: %s", rn(r));
    PROP_CHECK_MSG(p, strcmp(text, "sha256-ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") == 0,
                   "%s", text);
    PROP_CHECK(p, dx_cas_id_format(&id, text, DX_CAS_ID_TEXT_SIZE - 1) == DX_ERR_NOSPACE);
    PROP_CHECK(p, dx_cas_id_parse(text, strlen(text), &back) == DX_OK && dx_cas_id_equal(&id, &back));
    PROP_CHECK(p, dx_cas_id_encode(&id, bin, sizeof bin) == DX_CAS_ID_SIZE);
    PROP_CHECK(p, bin[0] == 0x12 && bin[1] == 32 && memcmp(bin + 2, id.digest, 32) == 0);
    PROP_CHECK(p, dx_cas_id_encode(&id, bin, DX_CAS_ID_SIZE - 1) == DX_ERR_NOSPACE);
    memset(&back, 0, sizeof back);
    PROP_CHECK(p, dx_cas_id_decode(bin, sizeof bin, &back) == DX_CAS_ID_SIZE && dx_cas_id_equal(&id, &back));
    PROP_CHECK(p, dx_cas_id_decode(bin, DX_CAS_ID_SIZE - 1, &back) == DX_ERR_TRUNCATED);
    PROP_CHECK(p, dx_cas_id_decode(bin, 0, &back) == DX_ERR_TRUNCATED);
    bin[1] = 31;
    PROP_CHECK(p, dx_cas_id_decode(bin, sizeof bin, &back) == DX_ERR_CORRUPT);
    bin[0] = 0x13;
    PROP_CHECK(p, dx_cas_id_decode(bin, sizeof bin, &back) == DX_ERR_UNSUPPORTED);
    { /* malformed text; out stays untouched */
        static const char *bad[] = {
            "", "sha256", "sha256-", "-ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            "SHA256-ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            "sha256-BA7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            "sha256-ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015a",
            "sha256-ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad0",
            "sha256_ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            "sha256-ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ag",
            "sha256 ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        };
        size_t i;
        for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            memset(&back, 0x5a, sizeof back);
            r = dx_cas_id_parse(bad[i], strlen(bad[i]), &back);
            PROP_CHECK_MSG(p, r == DX_ERR_CORRUPT, "\"%s\": %s", bad[i], rn(r));
            PROP_CHECK(p, back.alg == 0x5a5a5a5au);
        }
        r = dx_cas_id_parse("md5-ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", 68, &back);
        PROP_CHECK_MSG(p, r == DX_ERR_UNSUPPORTED, "unknown algorithm: %s", rn(r));
        /* length given, not NUL: a prefix of a valid id is not valid */
        PROP_CHECK(p, dx_cas_id_parse(text, DX_CAS_ID_TEXT_LEN - 1, &back) == DX_ERR_CORRUPT);
    }
    PROP_CHECK(p, strcmp(dx_cas_alg_name(DX_CAS_ALG_SHA256), "sha256") == 0 && dx_cas_alg_name(7) == NULL);
    return 0;
}

static int p_id_roundtrip(prop_ctx *p) {
    dx_cas_id id, back;
    char text[DX_CAS_ID_TEXT_SIZE];
    uint8_t bin[DX_CAS_ID_SIZE];
    id.alg = DX_CAS_ALG_SHA256;
    prop_bytes(p, id.digest, sizeof id.digest);
    PROP_CHECK(p, dx_cas_id_format(&id, text, sizeof text) == DX_CAS_ID_TEXT_LEN);
    PROP_CHECK(p, dx_cas_id_parse(text, strlen(text), &back) == DX_OK && dx_cas_id_equal(&id, &back));
    PROP_CHECK(p, dx_cas_id_encode(&id, bin, sizeof bin) == DX_CAS_ID_SIZE);
    PROP_CHECK(p, dx_cas_id_decode(bin, sizeof bin, &back) == DX_CAS_ID_SIZE && dx_cas_id_equal(&id, &back));
    { /* any one changed character is refused or gives another id */
        size_t at = (size_t)prop_range(p, 0, DX_CAS_ID_TEXT_LEN - 1);
        char old = text[at];
        text[at] = (char)prop_range(p, 1, 255);
        if (text[at] != old) {
            dx_result r = dx_cas_id_parse(text, DX_CAS_ID_TEXT_LEN, &back);
            PROP_CHECK_MSG(p, r != DX_OK || !dx_cas_id_equal(&id, &back), "changed text parsed to the same id");
        }
    }
    return 0;
}

/* ---- chunking ---- */

typedef struct vec_chunk {
    uint32_t len;
    uint64_t hash;
} vec_chunk;

/* Chunks data fed in pieces chosen by p (p NULL: one piece); checks offsets are contiguous. */
static int64_t chunk_stream(prop_ctx *p, const dx_cas_chunker_config *cfg, const uint8_t *data, size_t len,
                            dx_cas_chunk *out, size_t cap) {
    dx_cas_chunker c;
    dx_cas_chunk ch;
    size_t n = 0, at = 0, used;
    uint64_t next = 0;
    dx_result r = dx_cas_chunker_init(&c, cfg);
    if (r != DX_OK) return r;
    while (at < len) {
        size_t piece = len - at;
        if (p) {
            switch (prop_range(p, 0, 3)) {
            case 0: piece = (size_t)prop_range(p, 1, 3); break;
            case 1: piece = (size_t)prop_range(p, 1, 100); break;
            case 2: piece = (size_t)prop_range(p, 1, 70000); break;
            default: break;
            }
            if (piece > len - at) piece = len - at;
        }
        while (piece > 0) {
            bool found = dx_cas_chunker_feed(&c, data + at, piece, &used, &ch);
            if (used > piece) return -1000;
            at += used, piece -= used;
            if (found) {
                if (n == cap || ch.offset != next || ch.offset + ch.length > at) return -1001;
                out[n++] = ch;
                next = ch.offset + ch.length;
            } else if (piece != 0) {
                return -1002;
            }
        }
    }
    if (dx_cas_chunker_finish(&c, &ch)) {
        if (n == cap || ch.offset != next) return -1001;
        out[n++] = ch;
        next += ch.length;
    }
    if (next != len) return -1003;
    return (int64_t)n;
}

static int run_vector_file(prop_ctx *p, int files, int *ran, int *skipped_files) {
    FILE *f = fopen("tests/vectors/cas/fastcdc.txt", "r");
    char line[256], name[64], source[128];
    static vec_chunk want[512];
    static dx_cas_chunk got[1024];
    size_t nwant = 0;
    dx_cas_chunker_config cfg;
    uint8_t *data = NULL;
    size_t len = 0;
    bool have = false;
    if (!f) PROP_FAIL(p, "cannot open tests/vectors/cas/fastcdc.txt (run from the repository root)");
    while (fgets(line, sizeof line, f)) {
        unsigned long mn, avg, mx, level;
        unsigned long long seed, hash;
        unsigned long clen;
        if (sscanf(line, "vector %63s %127s %lu %lu %lu %lu %llx", name, source, &mn, &avg, &mx, &level, &seed) == 7) {
            memset(&cfg, 0, sizeof cfg);
            cfg.min_size = (uint32_t)mn, cfg.avg_size = (uint32_t)avg, cfg.max_size = (uint32_t)mx;
            cfg.normalization = (uint32_t)level + 1;
            cfg.seed = (uint64_t)seed;
            nwant = 0;
            free(data);
            data = NULL;
            have = true;
            if (files && strncmp(source, "file:", 5) != 0) {
                have = false;
            } else if (strncmp(source, "zeros:", 6) == 0) {
                len = strtoul(source + 6, NULL, 10);
                data = xmalloc(len);
                memset(data, 0, len);
            } else if (strncmp(source, "mixed:", 6) == 0) {
                len = MIXED_LEN;
                data = xmalloc(len);
                mixed_bytes(strtoull(source + 6, NULL, 10), data);
            } else if (!files) {
                have = false; /* a file vector: the other test */
            } else if (strncmp(source, "file:", 5) == 0) {
                /* where test inputs from elsewhere live: $DX_CAS_FIXTURES, then the team's shared fixtures
                   folder beside the repository (../shared/fixtures, see its README), then tests/vectors/cas */
                const char *dirs[3];
                char path[512], *colon = strchr(source + 5, ':');
                FILE *img = NULL;
                size_t di;
                dirs[0] = getenv("DX_CAS_FIXTURES"), dirs[1] = "../shared/fixtures", dirs[2] = "tests/vectors/cas";
                if (colon) *colon = 0;
                for (di = 0; di < 3 && !img; di++) {
                    if (!dirs[di]) continue;
                    snprintf(path, sizeof path, "%s/%s", dirs[di], source + 5);
                    img = fopen(path, "rb");
                }
                have = false;
                if (img) {
                    data = xmalloc(1 << 20);
                    len = fread(data, 1, 1 << 20, img);
                    fclose(img);
                    have = colon && len == strtoul(colon + 1, NULL, 10);
                    if (!have) fprintf(stderr, "cas_test: %s has %lu bytes, not %s\n", path, (unsigned long)len, colon + 1);
                } else {
                    (*skipped_files)++;
                }
            } else {
                fclose(f);
                PROP_FAIL(p, "fastcdc.txt: unknown source %s", source);
            }
        } else if (sscanf(line, "chunk %lu %llu", &clen, &hash) == 2) {
            if (nwant < sizeof want / sizeof want[0]) want[nwant].len = (uint32_t)clen, want[nwant].hash = hash;
            nwant++;
        } else if (strncmp(line, "end", 3) == 0 && have) {
            int64_t n;
            size_t i;
            int pass;
            for (pass = 0; pass < 3; pass++) { /* one piece, random pieces, the one-shot helper */
                n = pass == 2 ? dx_cas_chunk_buffer(&cfg, data, len, got, 1024)
                              : chunk_stream(pass ? p : NULL, &cfg, data, len, got, 1024);
                if (!PROP_EXPECT_MSG(p, n == (int64_t)nwant, "%s (pass %d): %ld chunks, want %lu", name, pass, (long)n,
                                     (unsigned long)nwant))
                    break;
                for (i = 0; i < nwant; i++) {
                    if (!PROP_EXPECT_MSG(p, got[i].length == want[i].len && got[i].hash == want[i].hash,
                                         "%s (pass %d) chunk %lu: %lu bytes hash %llu, want %lu bytes hash %llu", name,
                                         pass, (unsigned long)i, (unsigned long)got[i].length,
                                         (unsigned long long)got[i].hash, (unsigned long)want[i].len,
                                         (unsigned long long)want[i].hash))
                        break;
                }
            }
            (*ran)++;
        }
    }
    fclose(f);
    free(data);
    return p->failed ? 1 : 0;
}

static int t_fastcdc_vectors(prop_ctx *p) { /* the zero-filled and synthetic vectors */
    int ran = 0, skipped_files = 0;
    if (run_vector_file(p, 0, &ran, &skipped_files)) return 1;
    PROP_CHECK_MSG(p, ran >= 7, "only %d vectors ran", ran);
    return 0;
}

static int t_fastcdc_sekien(prop_ctx *p) { /* fastcdc-rs's test image, when it is there */
    int ran = 0, skipped_files = 0;
    if (run_vector_file(p, 1, &ran, &skipped_files)) return 1;
    if (skipped_files)
        PROP_SKIP(p, "%d vectors need SekienAkashita.jpg (fastcdc-rs test/fixtures, 109,466 bytes) in "
                     "$DX_CAS_FIXTURES, ../shared/fixtures or tests/vectors/cas/; their boundaries are in fastcdc.txt", skipped_files);
    PROP_CHECK_MSG(p, ran == 5, "%d vectors ran", ran);
    return 0;
}

static int t_chunker_config(prop_ctx *p) {
    dx_cas_chunker c;
    dx_cas_chunker_config cfg;
    memset(&cfg, 0, sizeof cfg);
    PROP_CHECK(p, dx_cas_chunker_init(&c, &cfg) == DX_OK && c.min_size == 4096 && c.avg_size == 16384 &&
                      c.max_size == 65536);
    PROP_CHECK(p, dx_cas_chunker_init(&c, NULL) == DX_OK);
    /* the masks fastcdc-rs's test_masks expects: level 1, avg 256 -> MASKS[9] and [7] */
    cfg.min_size = 64, cfg.avg_size = 256, cfg.max_size = 1024;
    PROP_CHECK(p, dx_cas_chunker_init(&c, &cfg) == DX_OK && c.mask_s == 0x0000019000353000ull &&
                      c.mask_l == 0x0000000018035100ull);
    cfg.min_size = 8192, cfg.avg_size = 16384, cfg.max_size = 32768;
    PROP_CHECK(p, dx_cas_chunker_init(&c, &cfg) == DX_OK && c.mask_s == 0x0000d90f03530000ull &&
                      c.mask_l == 0x0000d90303530000ull);
    cfg.min_size = 1048576, cfg.avg_size = 4194304, cfg.max_size = 16777216;
    PROP_CHECK(p, dx_cas_chunker_init(&c, &cfg) == DX_OK && c.mask_s == 0x0000d93777537000ull &&
                      c.mask_l == 0x0000d91767537000ull);
    { /* out of range, as fastcdc-rs refuses them */
        static const uint32_t bad[][3] = {{63, 256, 1024},   {64, 255, 1024},    {64, 256, 1023},
                                          {2u << 20, 4u << 20, 8u << 20}, {64, 8u << 20, 16u << 20},
                                          {64, 256, 17u << 20}, {300, 256, 1024}, {64, 2048, 1024}};
        size_t i;
        for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            cfg.min_size = bad[i][0], cfg.avg_size = bad[i][1], cfg.max_size = bad[i][2];
            PROP_CHECK_MSG(p, dx_cas_chunker_init(&c, &cfg) == DX_ERR_INVAL, "bad config %lu accepted", (unsigned long)i);
        }
        memset(&cfg, 0, sizeof cfg);
        cfg.normalization = 5;
        PROP_CHECK(p, dx_cas_chunker_init(&c, &cfg) == DX_ERR_INVAL);
        cfg.normalization = 0, cfg.mode = 9;
        PROP_CHECK(p, dx_cas_chunker_init(&c, &cfg) == DX_ERR_INVAL);
    }
    { /* fixed mode */
        static uint8_t buf[10000];
        dx_cas_chunk out[8];
        int64_t n;
        memset(&cfg, 0, sizeof cfg);
        cfg.mode = DX_CAS_CHUNKER_MODE_FIXED, cfg.avg_size = 4096;
        n = dx_cas_chunk_buffer(&cfg, buf, sizeof buf, out, 8);
        PROP_CHECK(p, n == 3 && out[0].length == 4096 && out[1].offset == 4096 && out[2].length == 10000 - 8192);
        PROP_CHECK(p, dx_cas_chunk_buffer(&cfg, buf, sizeof buf, out, 2) == DX_ERR_NOSPACE);
        PROP_CHECK(p, dx_cas_chunk_buffer(&cfg, buf, 0, out, 8) == 0);
        cfg.avg_size = 17u << 20;
        PROP_CHECK(p, dx_cas_chunk_buffer(&cfg, buf, sizeof buf, out, 8) == DX_ERR_INVAL);
    }
    return 0;
}

/* Any piece sizes give the one-call chunks; sizes stay in bounds; an edit
   far from most boundaries leaves the chunks away from it unchanged. */
static int p_chunker_stream(prop_ctx *p) {
    static uint8_t data[200000];
    static dx_cas_chunk a[4096], b[4096];
    dx_cas_chunker_config cfg;
    size_t len = prop_len(p, sizeof data), i;
    int64_t na, nb;
    memset(&cfg, 0, sizeof cfg);
    cfg.mode = prop_range(p, 0, 5) == 0 ? DX_CAS_CHUNKER_MODE_FIXED : DX_CAS_CHUNKER_MODE_FASTCDC;
    cfg.avg_size = (uint32_t)prop_range(p, 256, 8192);
    cfg.min_size = (uint32_t)prop_range(p, 64, cfg.avg_size);
    cfg.max_size = (uint32_t)prop_range(p, cfg.avg_size < 1024 ? 1024 : cfg.avg_size, 4 * cfg.avg_size + 1024);
    cfg.normalization = (uint32_t)prop_range(p, 0, 4);
    cfg.seed = prop_bool(p) ? prop_u64(p) : 0;
    prop_note(p, "mode %u min %u avg %u max %u nc %u seed %llx, %lu bytes", (unsigned)cfg.mode, (unsigned)cfg.min_size,
              (unsigned)cfg.avg_size, (unsigned)cfg.max_size, (unsigned)cfg.normalization,
              (unsigned long long)cfg.seed, (unsigned long)len);
    prop_bytes(p, data, len);
    na = chunk_stream(NULL, &cfg, data, len, a, 4096);
    nb = chunk_stream(p, &cfg, data, len, b, 4096);
    PROP_CHECK_MSG(p, na >= 0 && na == nb, "one piece: %ld chunks, pieces: %ld", (long)na, (long)nb);
    for (i = 0; i < (size_t)na; i++) {
        PROP_CHECK_MSG(p, a[i].offset == b[i].offset && a[i].length == b[i].length && a[i].hash == b[i].hash,
                       "chunk %lu differs", (unsigned long)i);
        PROP_CHECK(p, a[i].length <= (cfg.mode == DX_CAS_CHUNKER_MODE_FIXED ? cfg.avg_size : cfg.max_size));
        if (i + 1 < (size_t)na && cfg.mode == DX_CAS_CHUNKER_MODE_FASTCDC) PROP_CHECK(p, a[i].length + 1 >= (cfg.min_size & ~1u));
        if (cfg.mode == DX_CAS_CHUNKER_MODE_FIXED && i + 1 < (size_t)na) PROP_CHECK(p, a[i].length == cfg.avg_size);
    }
    return 0;
}

/* Runs of zero bytes (holes, padding) are stepped over once the gear hash is the value a zero pair keeps
   (c.zero_hash): the same chunks as hashing every pair (zero_skip off), whatever the pieces, runs and config. */
static int p_chunker_zero_runs(prop_ctx *p) {
    static uint8_t data[300000];
    static dx_cas_chunk a[8192], b[8192]; /* chunks of 64 bytes or more */
    dx_cas_chunker_config cfg;
    dx_cas_chunker ref;
    dx_cas_chunk ch;
    size_t len = prop_len(p, sizeof data), i, at = 0, used;
    int64_t na = 0, nb;
    memset(&cfg, 0, sizeof cfg);
    if (prop_bool(p)) { /* else the default: the config users get */
        cfg.avg_size = (uint32_t)prop_range(p, 256, 16384);
        cfg.min_size = (uint32_t)prop_range(p, 64, cfg.avg_size);
        cfg.max_size = (uint32_t)prop_range(p, cfg.avg_size < 1024 ? 1024 : cfg.avg_size, 4 * cfg.avg_size + 1024);
        cfg.normalization = (uint32_t)prop_range(p, 0, 4);
        cfg.seed = prop_bool(p) ? prop_u64(p) : 0;
        if (prop_range(p, 0, 3) == 0) { /* a seed whose hash of zeros cuts (zero_skip false: no stepping over): the
                                           fixed point is -(gear[0] ^ seed), and small chunks have masks of few
                                           bits, where about one seed in 256 or more makes it cut */
            dx_cas_chunker c;
            uint32_t tries = 0;
            cfg.min_size = 64, cfg.avg_size = 256, cfg.max_size = (uint32_t)prop_range(p, 1024, 4096);
            do /* every bit of the seed changes (an LCG step): the masks' bits lie between 8 and 47 */
                cfg.seed = cfg.seed * 6364136223846793005ull + 1442695040888963407ull, tries++;
            while (dx_cas_chunker_init(&c, &cfg) == DX_OK && c.zero_skip && tries < (1u << 22));
            PROP_CHECK_MSG(p, !c.zero_skip, "no seed of %u tried cuts zeros", (unsigned)tries);
        }
    }
    memset(data, 0, len);
    while (at < len) { /* zero runs of every length between bytes of data, some of them lone */
        size_t run = prop_range(p, 0, 3) == 0 ? (size_t)prop_range(p, 0, 130) : (size_t)prop_range(p, 0, 70000);
        size_t lit = prop_range(p, 0, 2) == 0 ? 1 : (size_t)prop_range(p, 0, 3000);
        at += run;
        if (at >= len) break;
        if (lit > len - at) lit = len - at;
        prop_bytes_random(p, data + at, lit);
        at += lit;
    }
    prop_note(p, "min %u avg %u max %u nc %u seed %llx, %lu bytes", (unsigned)cfg.min_size, (unsigned)cfg.avg_size,
              (unsigned)cfg.max_size, (unsigned)cfg.normalization, (unsigned long long)cfg.seed, (unsigned long)len);
    PROP_CHECK(p, dx_cas_chunker_init(&ref, &cfg) == DX_OK);
    if (!cfg.avg_size) PROP_CHECK_MSG(p, ref.zero_skip, "the default config hashes every zero");
    ref.zero_skip = false; /* and fed a byte at a time: no pair is hashed by the loop that steps over zeros */
    for (at = 0; at < len; at += used)
        if (dx_cas_chunker_feed(&ref, data + at, 1, &used, &ch)) {
            PROP_CHECK(p, na < 8192);
            a[na++] = ch;
        }
    if (dx_cas_chunker_finish(&ref, &ch)) a[na++] = ch;
    nb = chunk_stream(p, &cfg, data, len, b, 8192);
    PROP_CHECK_MSG(p, na == nb, "every pair hashed: %ld chunks, zero runs stepped over: %ld", (long)na, (long)nb);
    for (i = 0; i < (size_t)na; i++)
        PROP_CHECK_MSG(p, a[i].offset == b[i].offset && a[i].length == b[i].length && a[i].hash == b[i].hash,
                       "chunk %lu differs: %lu bytes at %llu against %lu", (unsigned long)i, (unsigned long)b[i].length,
                       (unsigned long long)b[i].offset, (unsigned long)a[i].length);
    return 0;
}

/* A store hashes a run of zeros once (dx_cas_store's memo): the ids of zero objects of every size, put and got
   in turn, are the hash's, and data of the memo's length that is not all zero is hashed. */
static int t_store_zero_memo(prop_ctx *p) {
    static uint8_t zeros[70000], buf[70000];
    static const size_t sizes[] = {4096, 65536, 65536, 4096, 65535, 70000, 65536, 4095};
    dx_cas_mem_config mc;
    dx_cas_mem m;
    dx_cas_store s;
    dx_cas_id id, want;
    size_t i;
    memset(&mc, 0, sizeof mc);
    mc.max_bytes = 1u << 20;
    PROP_CHECK(p, dx_cas_mem_create(&m, &mc) == DX_OK && dx_cas_mem_store(&m, NULL, &s) == DX_OK);
    for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        dx_cas_id_hash(&s.hash_alg, zeros, sizes[i], &want);
        PROP_CHECK(p, dx_cas_store_put(&s, zeros, sizes[i], &id) == DX_OK && memcmp(&id, &want, sizeof id) == 0);
        PROP_CHECK(p, dx_cas_store_get(&s, &want, buf, sizeof buf) == (int64_t)sizes[i]);
    }
#if !defined(DX_CAS_NO_BLAKE3)
    { /* the memo is per algorithm: zeros of the same length under another one are hashed with it */
        dx_cas_zero_memo memo;
        dx_cas_hash_alg b3;
        memset(&memo, 0, sizeof memo);
        PROP_CHECK(p, dx_cas_hash_alg_init(&b3, DX_CAS_ALG_BLAKE3) == DX_OK);
        dx_cas_id_hash_memo(&s.hash_alg, &memo, zeros, 65536, &id);
        dx_cas_id_hash(&b3, zeros, 65536, &want);
        dx_cas_id_hash_memo(&b3, &memo, zeros, 65536, &id);
        PROP_CHECK(p, memcmp(&id, &want, sizeof id) == 0);
        dx_cas_id_hash_memo(&b3, &memo, zeros, 65536, &id);
        PROP_CHECK(p, memcmp(&id, &want, sizeof id) == 0 && memo.len == 65536);
    }
#endif
    buf[100] = 1; /* nonzero data of the memo's length: hashed */
    dx_cas_id_hash(&s.hash_alg, buf, 4095, &want);
    PROP_CHECK(p, dx_cas_store_put(&s, buf, 4095, &id) == DX_OK && memcmp(&id, &want, sizeof id) == 0);
    dx_cas_mem_destroy(&m);
    return 0;
}

/* ---- Merkle trees ---- */

typedef struct ct_vectors {
    uint8_t leaf[8][16];
    size_t leaf_len[8];
    uint8_t root[9][32];
    uint8_t empty[32];
} ct_vectors;

/* The RFC 6962 definition, recursively: the reference the streaming code is checked against. */
static void ref_mth(const dx_cas_hash_alg *alg, const uint8_t *leaves, uint64_t n, uint8_t out[32]) {
    uint64_t k = 1;
    uint8_t l[32], r[32];
    if (n == 0) { /* H("") with the tree's algorithm */
        dx_cas_id id;
        dx_cas_id_hash(alg, "", 0, &id);
        memcpy(out, id.digest, 32);
        return;
    }
    if (n == 1) {
        memcpy(out, leaves, 32);
        return;
    }
    while (k * 2 < n) k *= 2;
    ref_mth(alg, leaves, k, l);
    ref_mth(alg, leaves + k * 32, n - k, r);
    dx_cas_merkle_node(alg, l, r, out);
}

static int inclusion_rejects(prop_ctx *p, const dx_cas_hash_alg *alg, uint64_t idx, uint64_t size, const uint8_t *leaf,
                             const uint8_t *proof, size_t count, const uint8_t *root) {
    /* the probes of transparency-dev/merkle's corruptInclusionProof */
    static uint8_t buf[(64 + 2) * 32];
    static const uint8_t some[32] = {0xab, 0xac, 0xab, 0xa0};
    uint8_t wrong_leaf[32];
    size_t i;
    dx_result r;
#define REJECT(cond_call, what)                                                       \
    do {                                                                              \
        r = (cond_call);                                                              \
        PROP_CHECK_MSG(p, r != DX_OK, "%s accepted (leaf %llu of %llu)", what,          \
                       (unsigned long long)idx, (unsigned long long)size);            \
    } while (0)
    if (idx > 0) REJECT(dx_cas_merkle_verify_inclusion(alg, idx - 1, size, leaf, proof, count, root), "index - 1");
    REJECT(dx_cas_merkle_verify_inclusion(alg, idx + 1, size, leaf, proof, count, root), "index + 1");
    REJECT(dx_cas_merkle_verify_inclusion(alg, idx ^ 2, size, leaf, proof, count, root), "index ^ 2");
    REJECT(dx_cas_merkle_verify_inclusion(alg, idx, size * 2, leaf, proof, count, root), "size * 2");
    REJECT(dx_cas_merkle_verify_inclusion(alg, idx, size / 2, leaf, proof, count, root), "size / 2");
    memcpy(wrong_leaf, leaf, 32), wrong_leaf[31] ^= 1;
    REJECT(dx_cas_merkle_verify_inclusion(alg, idx, size, wrong_leaf, proof, count, root), "wrong leaf");
    REJECT(dx_cas_merkle_verify_inclusion(alg, idx, size, leaf, proof, count, some), "random root");
    memcpy(buf, proof, count * 32);
    memcpy(buf + count * 32, root, 32);
    REJECT(dx_cas_merkle_verify_inclusion(alg, idx, size, leaf, buf, count + 1, root), "trailing root");
    memset(buf + count * 32, 0, 32);
    REJECT(dx_cas_merkle_verify_inclusion(alg, idx, size, leaf, buf, count + 1, root), "trailing zeros");
    memcpy(buf, root, 32);
    memcpy(buf + 32, proof, count * 32);
    REJECT(dx_cas_merkle_verify_inclusion(alg, idx, size, leaf, buf, count + 1, root), "preceding root");
    for (i = 0; i < count; i++) {
        memcpy(buf, proof, count * 32);
        buf[i * 32] ^= 8;
        REJECT(dx_cas_merkle_verify_inclusion(alg, idx, size, leaf, buf, count, root), "modified proof");
    }
    if (count > 0) REJECT(dx_cas_merkle_verify_inclusion(alg, idx, size, leaf, proof, count - 1, root), "removed component");
    if (count > 1) {
        memcpy(buf, proof, 32);
        memcpy(buf + 32, some, 32);
        memcpy(buf + 64, proof + 32, (count - 1) * 32);
        REJECT(dx_cas_merkle_verify_inclusion(alg, idx, size, leaf, buf, count + 1, root), "inserted component");
    }
    return 0;
}

static int consistency_rejects(prop_ctx *p, const dx_cas_hash_alg *alg, uint64_t s1, uint64_t s2, const uint8_t *r1,
                               const uint8_t *r2, const uint8_t *proof, size_t count) {
    static uint8_t buf[(64 + 2) * 32];
    uint8_t wrong[32];
    size_t i;
    dx_result r;
    uint64_t idx = s1, size = s2;
    if (count == 0) return 0;
    REJECT(dx_cas_merkle_verify_consistency(alg, s1 - 1, s2, r1, r2, proof, count), "size1 - 1");
    REJECT(dx_cas_merkle_verify_consistency(alg, s1 + 1, s2, r1, r2, proof, count), "size1 + 1");
    REJECT(dx_cas_merkle_verify_consistency(alg, s1 ^ 2, s2, r1, r2, proof, count), "size1 ^ 2");
    REJECT(dx_cas_merkle_verify_consistency(alg, s1, s2 * 2, r1, r2, proof, count), "size2 * 2");
    REJECT(dx_cas_merkle_verify_consistency(alg, s1, s2 / 2, r1, r2, proof, count), "size2 / 2");
    memcpy(wrong, r1, 32), wrong[0] ^= 1;
    REJECT(dx_cas_merkle_verify_consistency(alg, s1, s2, wrong, r2, proof, count), "wrong root1");
    memcpy(wrong, r2, 32), wrong[0] ^= 1;
    REJECT(dx_cas_merkle_verify_consistency(alg, s1, s2, r1, wrong, proof, count), "wrong root2");
    REJECT(dx_cas_merkle_verify_consistency(alg, s1, s2, r2, r1, proof, count), "swapped roots");
    REJECT(dx_cas_merkle_verify_consistency(alg, s1, s2, r1, r2, proof, 0), "empty proof");
    memcpy(buf, proof, count * 32);
    memcpy(buf + count * 32, r1, 32);
    REJECT(dx_cas_merkle_verify_consistency(alg, s1, s2, r1, r2, buf, count + 1), "trailing root1");
    memcpy(buf + count * 32, r2, 32);
    REJECT(dx_cas_merkle_verify_consistency(alg, s1, s2, r1, r2, buf, count + 1), "trailing root2");
    memcpy(buf, r1, 32);
    memcpy(buf + 32, proof, count * 32);
    REJECT(dx_cas_merkle_verify_consistency(alg, s1, s2, r1, r2, buf, count + 1), "preceding root1");
    memcpy(buf, proof, 32);
    REJECT(dx_cas_merkle_verify_consistency(alg, s1, s2, r1, r2, buf, count + 1), "preceding proof[0]");
    REJECT(dx_cas_merkle_verify_consistency(alg, s1, s2, r1, r2, proof, count - 1), "truncated proof");
    for (i = 0; i < count; i++) {
        memcpy(buf, proof, count * 32);
        buf[i * 32] ^= 16;
        REJECT(dx_cas_merkle_verify_consistency(alg, s1, s2, r1, r2, buf, count), "modified proof");
    }
    (void)idx, (void)size;
    return 0;
}

static int t_merkle_ct_vectors(prop_ctx *p) {
    FILE *f = fopen("tests/vectors/cas/rfc6962.txt", "r");
    static char line[4096];
    static ct_vectors v;
    uint8_t leaves[8][32], root[32], proof[16 * 32], got[16 * 32];
    dx_cas_hash_alg alg;
    dx_cas_merkle m;
    size_t nleaves = 0, i;
    int roots = 0, incl = 0, cons = 0;
    if (!f) PROP_FAIL(p, "cannot open tests/vectors/cas/rfc6962.txt (run from the repository root)");
    dx_cas_hash_alg_init(&alg, DX_CAS_ALG_SHA256);
    while (fgets(line, sizeof line, f)) {
        char *tok[24];
        int nt = split_words(line, tok, 24);
        if (nt == 0) continue;
        if (strcmp(tok[0], "leaf") == 0 && nt == 2 && nleaves < 8) {
            int n = unhex(tok[1], v.leaf[nleaves], 16);
            PROP_CHECK(p, n >= 0);
            v.leaf_len[nleaves] = (size_t)n;
            dx_cas_merkle_leaf(&alg, v.leaf[nleaves], (size_t)n, leaves[nleaves]);
            nleaves++;
        } else if (strcmp(tok[0], "emptyroot") == 0 && nt == 2) {
            PROP_CHECK(p, unhex(tok[1], v.empty, 32) == 32);
            dx_cas_merkle_init(&m, &alg);
            dx_cas_merkle_root(&m, root);
            PROP_CHECK_MSG(p, memcmp(root, v.empty, 32) == 0, "empty tree root");
            PROP_CHECK(p, dx_cas_merkle_root_of(&alg, leaves[0], 0, root) == DX_OK && memcmp(root, v.empty, 32) == 0);
        } else if (strcmp(tok[0], "root") == 0 && nt == 3) {
            unsigned long size = strtoul(tok[1], NULL, 10);
            PROP_CHECK(p, size >= 1 && size <= nleaves && unhex(tok[2], v.root[size], 32) == 32);
            dx_cas_merkle_init(&m, &alg);
            for (i = 0; i < size; i++) dx_cas_merkle_push(&m, leaves[i]);
            dx_cas_merkle_root(&m, root);
            PROP_CHECK_MSG(p, memcmp(root, v.root[size], 32) == 0, "root of %lu leaves (streaming)", size);
            PROP_CHECK(p, dx_cas_merkle_root_of(&alg, leaves[0], size, root) == DX_OK);
            PROP_CHECK_MSG(p, memcmp(root, v.root[size], 32) == 0, "root of %lu leaves", size);
            roots++;
        } else if (strcmp(tok[0], "inclusion") == 0 && nt >= 3) {
            uint64_t idx = strtoull(tok[1], NULL, 10), size = strtoull(tok[2], NULL, 10);
            size_t count = (size_t)(nt - 3);
            int64_t n;
            dx_result r;
            for (i = 0; i < count; i++) PROP_CHECK(p, unhex(tok[3 + i], proof + 32 * i, 32) == 32);
            n = dx_cas_merkle_inclusion_proof(&alg, leaves[0], size, idx, got, 16);
            PROP_CHECK_MSG(p, n == (int64_t)count && memcmp(got, proof, count * 32) == 0,
                           "inclusion proof of %llu in %llu: %s, %ld hashes", (unsigned long long)idx,
                           (unsigned long long)size, rn(n), (long)n);
            r = dx_cas_merkle_verify_inclusion(&alg, idx, size, leaves[idx], proof, count, v.root[size]);
            PROP_CHECK_MSG(p, r == DX_OK, "verify inclusion %llu in %llu: %s", (unsigned long long)idx,
                           (unsigned long long)size, rn(r));
            if (inclusion_rejects(p, &alg, idx, size, leaves[idx], proof, count, v.root[size])) return 1;
            if (count > 0)
                PROP_CHECK(p, dx_cas_merkle_inclusion_proof(&alg, leaves[0], size, idx, got, count - 1) == DX_ERR_NOSPACE);
            incl++;
        } else if (strcmp(tok[0], "consistency") == 0 && nt >= 3) {
            uint64_t s1 = strtoull(tok[1], NULL, 10), s2 = strtoull(tok[2], NULL, 10);
            size_t count = (size_t)(nt - 3);
            int64_t n;
            dx_result r;
            for (i = 0; i < count; i++) PROP_CHECK(p, unhex(tok[3 + i], proof + 32 * i, 32) == 32);
            n = dx_cas_merkle_consistency_proof(&alg, leaves[0], s2, s1, got, 16);
            PROP_CHECK_MSG(p, n == (int64_t)count && memcmp(got, proof, count * 32) == 0,
                           "consistency proof %llu -> %llu: %s", (unsigned long long)s1, (unsigned long long)s2, rn(n));
            r = dx_cas_merkle_verify_consistency(&alg, s1, s2, v.root[s1], v.root[s2], proof, count);
            PROP_CHECK_MSG(p, r == DX_OK, "verify consistency %llu -> %llu: %s", (unsigned long long)s1,
                           (unsigned long long)s2, rn(r));
            if (consistency_rejects(p, &alg, s1, s2, v.root[s1], v.root[s2], proof, count)) return 1;
            cons++;
        } else {
            PROP_FAIL(p, "rfc6962.txt: cannot read a \"%s\" line", tok[0]);
        }
    }
    fclose(f);
    PROP_CHECK_MSG(p, nleaves == 8 && roots == 8 && incl == 5 && cons == 5, "%lu leaves, %d roots, %d + %d proofs",
                   (unsigned long)nleaves, roots, incl, cons);
    { /* transparency-dev's TestVerifyConsistency table */
        static const uint8_t r1[32] = {1}, r2[32] = {2};
        PROP_CHECK(p, dx_cas_merkle_verify_consistency(&alg, 0, 0, r1, r2, NULL, 0) != DX_OK);
        PROP_CHECK(p, dx_cas_merkle_verify_consistency(&alg, 1, 1, r1, r2, NULL, 0) != DX_OK);
        PROP_CHECK(p, dx_cas_merkle_verify_consistency(&alg, 0, 0, r1, r1, NULL, 0) == DX_OK);
        PROP_CHECK(p, dx_cas_merkle_verify_consistency(&alg, 0, 1, r1, r2, NULL, 0) == DX_OK);
        PROP_CHECK(p, dx_cas_merkle_verify_consistency(&alg, 1, 1, r2, r2, NULL, 0) == DX_OK);
        PROP_CHECK(p, dx_cas_merkle_verify_consistency(&alg, 1, 0, r1, r2, NULL, 0) != DX_OK);
        PROP_CHECK(p, dx_cas_merkle_verify_consistency(&alg, 2, 1, r1, r2, NULL, 0) != DX_OK);
        PROP_CHECK(p, dx_cas_merkle_verify_consistency(&alg, 1, 2, r1, r2, NULL, 0) != DX_OK);
        PROP_CHECK(p, dx_cas_merkle_verify_consistency(&alg, 0, 0, v.empty, v.empty, v.empty, 1) != DX_OK);
        PROP_CHECK(p, dx_cas_merkle_verify_consistency(&alg, 0, 1, v.empty, v.empty, v.empty, 1) != DX_OK);
        PROP_CHECK(p, dx_cas_merkle_verify_consistency(&alg, 1, 1, v.empty, v.empty, v.empty, 1) != DX_OK);
        /* TestVerifyInclusion: impossible index / size pairs */
        PROP_CHECK(p, dx_cas_merkle_verify_inclusion(&alg, 0, 0, r1, NULL, 0, v.empty) != DX_OK);
        PROP_CHECK(p, dx_cas_merkle_verify_inclusion(&alg, 1, 0, r1, NULL, 0, v.empty) != DX_OK);
        PROP_CHECK(p, dx_cas_merkle_verify_inclusion(&alg, 2, 1, r1, NULL, 0, v.empty) != DX_OK);
        PROP_CHECK(p, dx_cas_merkle_verify_inclusion(&alg, 0, 1, r1, NULL, 0, r1) == DX_OK); /* one leaf: it is the root */
    }
    return 0;
}

/* Random trees: the streaming root is the recursive definition; every proof
   verifies, and every altered proof fails. */
static int p_merkle_proofs(prop_ctx *p) {
    static uint8_t leaves[600 * 32], proof[70 * 32], buf[72 * 32];
    dx_cas_hash_alg alg;
    dx_cas_merkle m;
    uint8_t root[32], ref[32], root1[32];
    uint64_t n = prop_len(p, 600), i, idx, s1;
    int64_t count;
    dx_result r;
    dx_cas_hash_alg_init(&alg, prop_range(p, 0, 3) == 0 ? TEST_ALG_2 : DX_CAS_ALG_SHA256);
    if (prop_bool(p)) alg.cpu = 0; /* portable and accelerated paths agree */
    for (i = 0; i < n; i++) { /* distinct leaves: with equal neighbours index +- 1 would verify too */
        uint8_t d[12];
        prop_bytes_random(p, d, sizeof d);
        dx_store_u32le(d, (uint32_t)i);
        dx_cas_merkle_leaf(&alg, d, (size_t)prop_range(p, 4, 12), leaves + i * 32);
    }
    dx_cas_merkle_init(&m, &alg);
    for (i = 0; i < n; i++) dx_cas_merkle_push(&m, leaves + i * 32);
    dx_cas_merkle_root(&m, root);
    ref_mth(&alg, leaves, n, ref);
    PROP_CHECK_MSG(p, memcmp(root, ref, 32) == 0, "streaming root of %lu leaves", (unsigned long)n);
    if (n == 0) return 0;
    idx = prop_range(p, 0, n - 1);
    count = dx_cas_merkle_inclusion_proof(&alg, leaves, n, idx, proof, 70);
    PROP_CHECK_MSG(p, count >= 0, "inclusion proof: %s", rn(count));
    r = dx_cas_merkle_verify_inclusion(&alg, idx, n, leaves + idx * 32, proof, (size_t)count, root);
    PROP_CHECK_MSG(p, r == DX_OK, "leaf %lu of %lu: %s", (unsigned long)idx, (unsigned long)n, rn(r));
    if (inclusion_rejects(p, &alg, idx, n, leaves + idx * 32, proof, (size_t)count, root)) return 1;
    { /* a random single bit flip anywhere in the proof, or in the leaf hash */
        size_t bits = ((size_t)count + 1) * 256, bit = (size_t)prop_range(p, 0, bits - 1);
        uint8_t leaf[32];
        memcpy(buf, proof, (size_t)count * 32);
        memcpy(leaf, leaves + idx * 32, 32);
        if (bit < (size_t)count * 256) buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        else leaf[(bit - (size_t)count * 256) / 8] ^= (uint8_t)(1u << (bit % 8));
        PROP_CHECK(p, dx_cas_merkle_verify_inclusion(&alg, idx, n, leaf, buf, (size_t)count, root) == DX_CAS_ERR_PROOF);
    }
    /* consistency with a random prefix */
    s1 = prop_range(p, 0, n);
    dx_cas_merkle_init(&m, &alg);
    for (i = 0; i < s1; i++) dx_cas_merkle_push(&m, leaves + i * 32);
    dx_cas_merkle_root(&m, root1);
    count = dx_cas_merkle_consistency_proof(&alg, leaves, n, s1, proof, 70);
    PROP_CHECK_MSG(p, count >= 0, "consistency proof: %s", rn(count));
    r = dx_cas_merkle_verify_consistency(&alg, s1, n, root1, root, proof, (size_t)count);
    PROP_CHECK_MSG(p, r == DX_OK, "consistency %lu -> %lu: %s", (unsigned long)s1, (unsigned long)n, rn(r));
    if (s1 > 0 && s1 < n) {
        if (consistency_rejects(p, &alg, s1, n, root1, root, proof, (size_t)count)) return 1;
    }
    return 0;
}

static int t_proof_wire(prop_ctx *p) {
    static uint8_t leaves[13 * 32], hashes[8 * 32], wire[28 + 8 * 32 + 8];
    dx_cas_hash_alg alg;
    dx_cas_proof pr, back;
    const uint8_t *h;
    uint8_t root[32];
    int64_t n, r;
    size_t i;
    dx_cas_hash_alg_init(&alg, 0);
    for (i = 0; i < 13; i++) { /* distinct leaves: the byte i */
        uint8_t byte = (uint8_t)i;
        dx_cas_merkle_leaf(&alg, &byte, 1, leaves + 32 * i);
    }
    dx_cas_merkle_root_of(&alg, leaves, 13, root);
    n = dx_cas_merkle_inclusion_proof(&alg, leaves, 13, 6, hashes, 8);
    PROP_CHECK(p, n == 4);
    pr.kind = DX_CAS_PROOF_KIND_INCLUSION, pr.alg = DX_CAS_ALG_SHA256, pr.a = 6, pr.b = 13, pr.count = (uint32_t)n;
    r = dx_cas_proof_encode(&pr, hashes, wire, sizeof wire);
    PROP_CHECK_MSG(p, r == 28 + 4 * 32, "encode: %s", rn(r));
    PROP_CHECK(p, memcmp(wire, "DXCP\x01\x00\x01\x12\x06\x00\x00\x00\x00\x00\x00\x00\x0d", 17) == 0);
    PROP_CHECK(p, dx_cas_proof_encode(&pr, hashes, wire, (size_t)r - 1) == DX_ERR_NOSPACE);
    PROP_CHECK(p, dx_cas_proof_decode(wire, (size_t)r, &back, &h) == r && back.count == 4 && back.a == 6 && back.b == 13);
    PROP_CHECK(p, dx_cas_proof_verify(&alg, &back, h, leaves + 6 * 32, root) == DX_OK);
    for (i = 0; i < (size_t)r; i++) { /* every truncation is refused */
        int64_t t = dx_cas_proof_decode(wire, i, &back, &h);
        PROP_CHECK_MSG(p, t == DX_ERR_TRUNCATED, "%lu bytes: %s", (unsigned long)i, rn(t));
    }
    for (i = 0; i < (size_t)r * 8; i++) { /* every bit flip is refused or fails to verify */
        dx_result v = DX_ERR_CORRUPT;
        /* skipped: the minor version (readers tolerate it) and the tree size: a
           size is bound to its root by whoever signs the root, as in CT, and
           sizes whose trees have the same path shape share the proof (13 and 12 here) */
        if (i / 8 == 5 || (i / 8 >= 16 && i / 8 < 24)) continue;
        wire[i / 8] ^= (uint8_t)(1u << (i % 8));
        if (dx_cas_proof_decode(wire, (size_t)r, &back, &h) >= 0) v = dx_cas_proof_verify(&alg, &back, h, leaves + 6 * 32, root);
        PROP_CHECK_MSG(p, v != DX_OK, "bit %lu flipped still verifies", (unsigned long)i);
        wire[i / 8] ^= (uint8_t)(1u << (i % 8));
    }
    wire[24] = 129; /* count over the limit */
    PROP_CHECK(p, dx_cas_proof_decode(wire, sizeof wire, &back, &h) == DX_ERR_LIMIT);
    wire[0] = 'X';
    PROP_CHECK(p, dx_cas_proof_decode(wire, sizeof wire, &back, &h) == DX_CAS_ERR_MAGIC);
    PROP_CHECK(p, strcmp(dx_cas_result_name(DX_CAS_ERR_PROOF), "DX_CAS_ERR_PROOF") == 0);
    PROP_CHECK(p, strcmp(dx_cas_result_name(DX_ERR_LIMIT), "DX_ERR_LIMIT") == 0);
    return 0;
}


/* ---- stores ---- */

#if defined(DX_CAS_HAS_DIRSTORE)
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <signal.h>
#include <fcntl.h>
#include <time.h>
#include <poll.h>
#include <sched.h>
static int rm_rf(const char *path) {
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", path);
    return system(cmd);
}
/* a fresh folder under build/test for a directory store */
static int scratch_dir(char *out, size_t cap, const char *what, uint64_t seed) {
    static int made;
    snprintf(out, cap, "build/test/cas_%s_%ld_%llx", what, (long)getpid(), (unsigned long long)seed);
    if (!made) made = system("mkdir -p build/test") == 0;
    return rm_rf(out);
}
#endif

/* One store under test: memory (half the time in caller memory) or directory. */
typedef struct store_under_test {
    int kind; /* 0 memory, 1 directory, 2 directory with zstd (DX_CAS_WITH_ZSTD builds) */
    dx_cas_mem mem;
    void *mem_block;
#if defined(DX_CAS_HAS_DIRSTORE)
    dx_cas_dir dir;
    char path[256];
#endif
    dx_cas_store s;
} store_under_test;

static dx_result sut_open(prop_ctx *p, store_under_test *t, int kind, bool batch) {
    dx_cas_hash_alg alg;
    dx_cas_mem_config mc;
    memset(t, 0, sizeof *t);
    t->kind = kind;
    dx_cas_hash_alg_init(&alg, prop_bool(p) ? TEST_ALG_2 : DX_CAS_ALG_SHA256);
    if (kind == 0) {
        memset(&mc, 0, sizeof mc);
        mc.max_objects = 600, mc.max_bytes = 4u << 20;
        if (prop_bool(p)) {
            size_t need = dx_cas_mem_memory_size(&mc) + 3;
            t->mem_block = malloc(need);
            if (dx_cas_mem_init(&t->mem, &mc, (uint8_t *)t->mem_block + 3, need - 3) != DX_OK) return DX_ERR_NOMEM;
        } else if (dx_cas_mem_create(&t->mem, &mc) != DX_OK) {
            return DX_ERR_NOMEM;
        }
        return dx_cas_mem_store(&t->mem, &alg, &t->s);
    }
#if defined(DX_CAS_HAS_DIRSTORE)
    {
        dx_cas_dir_config dc;
        dx_result r;
        scratch_dir(t->path, sizeof t->path, "store", p->seed);
        memset(&dc, 0, sizeof dc);
        dc.path = t->path, dc.no_sync = true, dc.sync_each = !batch;
        dc.compress = kind == 2 ? (int)prop_range(p, 1, 6) : DX_CAS_COMPRESS_NONE;
        if ((r = dx_cas_dir_open(&t->dir, &dc)) != DX_OK) return r;
        return dx_cas_dir_store(&t->dir, &alg, &t->s);
    }
#else
    (void)batch;
    return DX_ERR_UNSUPPORTED;
#endif
}

static void sut_close(store_under_test *t) {
    if (t->kind == 0) {
        dx_cas_mem_destroy(&t->mem);
        free(t->mem_block);
    }
#if defined(DX_CAS_HAS_DIRSTORE)
    else {
        dx_cas_dir_close(&t->dir);
        rm_rf(t->path);
    }
#endif
}

/* flips one bit of the stored copy of id, behind the store's back: the byte's offset, or -1 */
static long sut_flip(store_under_test *t, const dx_cas_id *id, uint64_t bit) {
    if (t->kind == 0) {
        dx_cas_mem_slot *sl = NULL;
        uint32_t i;
        for (i = 0; i < t->mem.nslots; i++)
            if (t->mem.slots[i].state == 1 && dx_cas_id_equal(&t->mem.slots[i].id, id)) sl = &t->mem.slots[i];
        if (!sl || sl->len == 0) return -1;
        bit %= (uint64_t)sl->len * 8;
        t->mem.arena[sl->off + 8 + bit / 8] ^= (uint8_t)(1u << (bit % 8));
        return (long)(bit / 8);
    }
#if defined(DX_CAS_HAS_DIRSTORE)
    {
        char path[600], text[DX_CAS_ID_TEXT_SIZE];
        FILE *f;
        long size;
        int c;
        dx_cas_id_format(id, text, sizeof text);
        snprintf(path, sizeof path, "%s/objects/%.2s/%s", t->path, text + 7, text);
        chmod(path, 0644);
        f = fopen(path, "r+b");
        if (!f || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) <= 0) return -1;
        bit %= (uint64_t)size * 8;
        fseek(f, (long)(bit / 8), SEEK_SET);
        c = fgetc(f);
        fseek(f, (long)(bit / 8), SEEK_SET);
        fputc(c ^ (1 << (bit % 8)), f);
        return fclose(f) == 0 ? (long)(bit / 8) : -1;
    }
#else
    return -1;
#endif
}

static dx_result count_cb(void *user, const dx_cas_id *id, uint64_t size) {
    (void)id, (void)size;
    (*(unsigned long *)user)++;
    return DX_OK;
}

/* put/get round trip, dedup of identical objects, has/delete/iterate; any bit
   flip in a stored object is detected by get and by verify. */
static int p_store_roundtrip(prop_ctx *p) {
    static uint8_t data[20][3000], buf[3000];
    dx_cas_id ids[20];
    size_t lens[20];
    store_under_test t;
    uint64_t pick = prop_range(p, 0, 7); /* directory: 1 case in 8, another with zstd in zstd builds */
    int kind = pick == 0 ? 1 : pick == 1 ? 2 : 0, n = (int)prop_range(p, 1, 20), i, flip;
    long at;
    unsigned long count = 0;
    dx_cas_verify_report rep;
    dx_result r;
#if !defined(DX_CAS_WITH_ZSTD)
    if (kind == 2) kind = 0;
#endif
#if !defined(DX_CAS_HAS_DIRSTORE)
    kind = 0;
#endif
    r = sut_open(p, &t, kind, false);
    PROP_CHECK_MSG(p, r == DX_OK, "open store kind %d: %s", kind, rn(r));
    prop_note(p, "store kind %d, %d objects", kind, n);
    for (i = 0; i < n; i++) {
        int64_t got;
        lens[i] = prop_len(p, sizeof data[i]);
        if (i > 0 && prop_range(p, 0, 3) == 0) { /* a duplicate of an earlier object */
            int j = (int)prop_range(p, 0, (uint64_t)i - 1);
            memcpy(data[i], data[j], lens[j]);
            lens[i] = lens[j];
        } else {
            prop_bytes(p, data[i], lens[i]);
        }
        r = dx_cas_store_put(&t.s, data[i], lens[i], &ids[i]);
        if (!PROP_EXPECT_MSG(p, r == DX_OK, "put %d: %s", i, rn(r))) goto done;
        got = dx_cas_store_get(&t.s, &ids[i], buf, sizeof buf);
        if (!PROP_EXPECT_MSG(p, got == (int64_t)lens[i] && memcmp(buf, data[i], lens[i]) == 0, "get %d: %s", i, rn(got)))
            goto done;
        if (!PROP_EXPECT(p, dx_cas_store_has(&t.s, &ids[i]) == (int64_t)lens[i])) goto done;
    }
    {
        unsigned long distinct = 0;
        int j;
        for (i = 0; i < n; i++) {
            for (j = 0; j < i && !dx_cas_id_equal(&ids[i], &ids[j]); j++) {}
            distinct += j == i;
        }
        PROP_EXPECT(p, dx_cas_store_iterate(&t.s, count_cb, &count) == DX_OK && count == distinct);
        PROP_EXPECT_MSG(p, t.s.stats.dedup == (uint64_t)n - distinct, "dedup %llu, want %lu",
                        (unsigned long long)t.s.stats.dedup, (unsigned long)((unsigned long)n - distinct));
    }
    PROP_EXPECT(p, dx_cas_store_verify(&t.s, NULL, 0, NULL, NULL, NULL, &rep) == DX_OK && rep.corrupt == 0);
    /* one bit flip */
    for (flip = 0; flip < n && lens[flip] == 0; flip++) {}
    if (flip < n && (at = sut_flip(&t, &ids[flip], prop_u64(p))) >= 0) {
        int64_t got;
        memset(buf, 0x77, sizeof buf);
        got = dx_cas_store_get(&t.s, &ids[flip], buf, sizeof buf);
        prop_note(p, "flipped byte %ld of object %d (%lu bytes)", at, flip, (unsigned long)lens[flip]);
        if (kind == 2 && got == (int64_t)lens[flip] && memcmp(buf, data[flip], lens[flip]) == 0) {
            /* a bit zstd does not read (a compressed frame's unused header bit): the content is intact */
        } else if (kind == 2 && at < DX_CAS_OBJECT_HEADER_SIZE && got == DX_ERR_UNSUPPORTED) {
            /* the flip made an unknown version, method or flag: refused, nothing handed out */
            PROP_EXPECT(p, dx_cas_store_verify(&t.s, NULL, 0, NULL, NULL, NULL, &rep) == DX_ERR_UNSUPPORTED);
        } else {
            PROP_EXPECT_MSG(p, got == DX_ERR_CHECKSUM, "flipped object: %s", rn(got));
            for (i = 0; i < (int)lens[flip]; i++) if (buf[i] != 0 && (kind != 2 || buf[i] != 0x77)) break;
            PROP_EXPECT_MSG(p, i == (int)lens[flip], "corrupt bytes were handed out"); /* (0x77: not written) */
            r = dx_cas_store_verify(&t.s, NULL, 0, NULL, NULL, NULL, &rep);
            PROP_EXPECT_MSG(p, r == DX_ERR_CORRUPT && rep.corrupt == 1, "verify: %s, %llu corrupt", rn(r),
                            (unsigned long long)rep.corrupt);
        }
    }
    /* delete everything */
    for (i = 0; i < n; i++) {
        r = dx_cas_store_delete(&t.s, &ids[i]);
        PROP_EXPECT(p, r == DX_OK || r == DX_ERR_NOTFOUND);
        PROP_EXPECT(p, dx_cas_store_has(&t.s, &ids[i]) == DX_ERR_NOTFOUND);
        PROP_EXPECT(p, dx_cas_store_get(&t.s, &ids[i], buf, sizeof buf) == DX_ERR_NOTFOUND);
    }
    count = 0;
    PROP_EXPECT(p, dx_cas_store_iterate(&t.s, count_cb, &count) == DX_OK && count == 0);
done:
    sut_close(&t);
    return p->failed ? 1 : 0;
}

#if defined(DX_CAS_WITH_ZSTD)
#define ZSTD_OR(with, without) (with)
#else
#define ZSTD_OR(with, without) (without)
#endif
/* The stored object encoding ("DXCZ"): encode then decode gives the content
   back; compressed only when smaller; any single-byte change or truncation of
   a stored form decodes to an error or to at most cap bytes, never past them. */
static int p_object_codec(prop_ctx *p) {
    static uint8_t data[6000], enc[6000 + DX_CAS_OBJECT_HEADER_SIZE], out[6000], bad[6000 + DX_CAS_OBJECT_HEADER_SIZE];
    size_t len = prop_len(p, sizeof data), cut;
    void *cctx = NULL, *dctx = NULL;
    uint32_t method = 99;
    int64_t n, m;
    prop_bytes(p, data, len);
    if (len >= 4 && prop_range(p, 0, 3) == 0) memcpy(data, "DXCZ", 4); /* content that looks like a stored form */
#if defined(DX_CAS_WITH_ZSTD)
    cctx = ZSTD_createCCtx(), dctx = ZSTD_createDCtx();
    PROP_CHECK(p, cctx && dctx);
    ZSTD_CCtx_setParameter((ZSTD_CCtx *)cctx, ZSTD_c_compressionLevel, (int)prop_range(p, 1, 9));
#endif
    PROP_CHECK(p, dx_cas_object_encode(cctx, data, len, enc, len + DX_CAS_OBJECT_HEADER_SIZE - 1) == DX_ERR_NOSPACE);
    n = dx_cas_object_encode(cctx, data, len, enc, sizeof enc);
    PROP_CHECK_MSG(p, n >= 0 && (size_t)n <= len + DX_CAS_OBJECT_HEADER_SIZE, "encode: %s", rn(n));
    m = dx_cas_object_size(enc, (size_t)n, &method);
    PROP_CHECK_MSG(p, m == (int64_t)len, "size %s", rn(m));
    prop_note(p, "%lu bytes stored as %ld (method %u)", (unsigned long)len, (long)n, (unsigned)method);
    if (method == DX_CAS_OBJECT_METHOD_ZSTD) PROP_CHECK(p, (size_t)n < len && memcmp(enc, "DXCZ", 4) == 0);
    else PROP_CHECK(p, (size_t)n == len + ((len >= 4 && memcmp(data, "DXCZ", 4) == 0) ? 16u : 0u));
#if !defined(DX_CAS_WITH_ZSTD)
    PROP_CHECK(p, method == DX_CAS_OBJECT_METHOD_RAW);
#endif
    memset(out, 0x5a, sizeof out);
    m = dx_cas_object_decode(dctx, enc, (size_t)n, out, len);
    PROP_CHECK_MSG(p, m == (int64_t)len && memcmp(out, data, len) == 0, "decode: %s", rn(m));
    if (len) PROP_CHECK(p, dx_cas_object_decode(dctx, enc, (size_t)n, out, len - 1) == DX_ERR_NOSPACE);
    PROP_CHECK(p, dx_cas_object_decode(NULL, enc, (size_t)n, out, len) == (int64_t)len); /* no context: zstd makes one */
    /* damage: every single-byte change of the first 40 bytes and 20 random ones, and truncations */
    for (cut = 0; cut < 60 && n > 0; cut++) {
        size_t at = cut < 40 ? cut : (size_t)prop_range(p, 0, (uint64_t)n - 1);
        if (at >= (size_t)n) continue;
        memcpy(bad, enc, (size_t)n);
        bad[at] ^= (uint8_t)prop_range(p, 1, 255);
        m = dx_cas_object_decode(dctx, bad, (size_t)n, out, sizeof out);
        PROP_CHECK_MSG(p, m <= (int64_t)sizeof out, "byte %lu: %s", (unsigned long)at, rn(m));
        m = dx_cas_object_decode(dctx, enc, (size_t)prop_range(p, 0, (uint64_t)n - 1), out, sizeof out);
        PROP_CHECK(p, m <= (int64_t)sizeof out);
    }
#if defined(DX_CAS_WITH_ZSTD)
    ZSTD_freeCCtx((ZSTD_CCtx *)cctx);
    ZSTD_freeDCtx((ZSTD_DCtx *)dctx);
#endif
    return 0;
}

/* Hand-made stored forms: versions, flags, methods, sizes that lie, a bomb. */
static int t_object_forms(prop_ctx *p) {
    static uint8_t obj[64 + 100000], out[4096];
    uint32_t method;
    memset(obj, 0, sizeof obj);
    memcpy(obj, "DXCZ\1\0\0\0", 8);
    obj[8] = 5;
    memcpy(obj + 16, "hello", 5);
    PROP_CHECK(p, dx_cas_object_size(obj, 21, &method) == 5 && method == DX_CAS_OBJECT_METHOD_RAW);
    PROP_CHECK(p, dx_cas_object_decode(NULL, obj, 21, out, sizeof out) == 5 && memcmp(out, "hello", 5) == 0);
    PROP_CHECK(p, dx_cas_object_size(obj, 22, NULL) == DX_ERR_CORRUPT);  /* a length that disagrees */
    PROP_CHECK(p, dx_cas_object_size(obj, 15, NULL) == DX_ERR_CORRUPT);  /* a header cut short */
    PROP_CHECK(p, dx_cas_object_size(obj, 3, NULL) == 3);                /* "DXC": plain bytes */
    obj[4] = 2;
    PROP_CHECK(p, dx_cas_object_size(obj, 21, NULL) == DX_ERR_UNSUPPORTED); /* a newer major version */
    obj[4] = 1, obj[7] = 1;
    PROP_CHECK(p, dx_cas_object_size(obj, 21, NULL) == DX_ERR_UNSUPPORTED); /* an unknown flag */
    obj[7] = 0, obj[6] = 2;
    PROP_CHECK(p, dx_cas_object_size(obj, 21, NULL) == DX_ERR_UNSUPPORTED); /* an unknown method */
    obj[6] = DX_CAS_OBJECT_METHOD_ZSTD; /* "compressed" but not smaller than its content */
    PROP_CHECK(p, dx_cas_object_size(obj, 21, NULL) == DX_ERR_CORRUPT);
    dx_store_u64le(obj + 8, (uint64_t)1 << 62); /* a bomb's promise: refused by the caller's capacity */
    PROP_CHECK(p, dx_cas_object_decode(NULL, obj, 21, out, sizeof out) == ZSTD_OR(DX_ERR_CORRUPT, DX_ERR_NOSPACE));
    dx_store_u64le(obj + 8, (uint64_t)1 << 63);
    PROP_CHECK(p, dx_cas_object_size(obj, 21, NULL) == DX_ERR_CORRUPT);
#if defined(DX_CAS_WITH_ZSTD)
    { /* a real frame of 100000 zero bytes without its content size, behind a header that claims 1000 */
        ZSTD_CCtx *z = ZSTD_createCCtx();
        static uint8_t zeros[100000];
        size_t c;
        PROP_CHECK(p, z != NULL);
        ZSTD_CCtx_setParameter(z, ZSTD_c_contentSizeFlag, 0);
        c = ZSTD_compress2(z, obj + 16, sizeof obj - 16, zeros, sizeof zeros);
        ZSTD_freeCCtx(z);
        PROP_CHECK(p, !ZSTD_isError(c) && c < 900);
        dx_store_u64le(obj + 8, 1000);
        PROP_CHECK(p, dx_cas_object_size(obj, 16 + c, NULL) == 1000);
        memset(out, 0x33, sizeof out);
        PROP_CHECK(p, dx_cas_object_decode(NULL, obj, 16 + c, out, sizeof out) == DX_ERR_CORRUPT);
        PROP_CHECK(p, out[0] == 0 && out[999] == 0 && out[1000] == 0x33); /* zeroed, and nothing past the size */
    }
#endif
    return 0;
}

#if defined(DX_CAS_HAS_DIRSTORE)
/* The directory store with compression: what lands on disk, and reading it back. */
static int t_dir_compress(prop_ctx *p) {
    static uint8_t text[20000], noise[5000], buf[20000];
    char path[256], file[600], idt[DX_CAS_ID_TEXT_SIZE];
    dx_cas_dir d;
    dx_cas_dir_config dc;
    dx_cas_store s;
    dx_cas_id a, b, c;
    struct stat st;
    size_t i;
    uint64_t x;
    for (i = 0; i < sizeof text; i++) text[i] = (uint8_t)"the quick brown fox jumps over the lazy dog "[i % 44];
    for (i = 0, x = 1; i < sizeof noise; i++) { /* incompressible */
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        noise[i] = (uint8_t)(x >> 56);
    }
    memcpy(noise, "DXCZ", 4);
    scratch_dir(path, sizeof path, "zdir", p->seed);
    memset(&dc, 0, sizeof dc);
    dc.path = path, dc.no_sync = true, dc.compress = 3;
#if !defined(DX_CAS_WITH_ZSTD)
    PROP_CHECK(p, dx_cas_dir_open(&d, &dc) == DX_ERR_UNSUPPORTED);
    dx_cas_dir_close(&d);
    dc.compress = 0;
#endif
    dc.compress = -2;
    PROP_CHECK(p, dx_cas_dir_open(&d, &dc) == DX_ERR_INVAL);
    dx_cas_dir_close(&d);
    dc.compress = 0; /* the default: DX_CAS_COMPRESS_DEFAULT with zstd, none without */
    PROP_CHECK(p, dx_cas_dir_open(&d, &dc) == DX_OK);
#if defined(DX_CAS_WITH_ZSTD)
    PROP_CHECK_MSG(p, d.compress == DX_CAS_COMPRESS_DEFAULT, "default level %d", d.compress);
#else
    PROP_CHECK(p, d.compress == 0);
#endif
    dx_cas_dir_close(&d);
    dc.compress = DX_CAS_COMPRESS_NONE;
    PROP_CHECK(p, dx_cas_dir_open(&d, &dc) == DX_OK && d.compress == 0);
    dx_cas_dir_close(&d);
#if defined(DX_CAS_WITH_ZSTD)
    dc.compress = 3;
#else
    dc.compress = 0;
#endif
    dc.loose = true; /* one file per object: their sizes on disk are the stored forms' (packs: t_dir_pack) */
    PROP_CHECK(p, dx_cas_dir_open(&d, &dc) == DX_OK && dx_cas_dir_store(&d, NULL, &s) == DX_OK);
    PROP_CHECK(p, dx_cas_store_put(&s, text, sizeof text, &a) == DX_OK && dx_cas_store_put(&s, noise, sizeof noise, &b) == DX_OK);
    PROP_CHECK(p, dx_cas_store_put(&s, "DXC", 3, &c) == DX_OK);
    PROP_CHECK(p, dx_cas_store_put(&s, text, sizeof text, NULL) == DX_OK && s.stats.dedup == 1); /* dedup as before */
    PROP_CHECK(p, dx_cas_store_sync(&s) == DX_OK); /* the batch into place */
    dx_cas_id_format(&a, idt, sizeof idt);
    snprintf(file, sizeof file, "%s/objects/%.2s/%s", path, idt + 7, idt);
    PROP_CHECK(p, stat(file, &st) == 0);
#if defined(DX_CAS_WITH_ZSTD)
    PROP_CHECK_MSG(p, st.st_size < 1000 && d.compressed == 1, "%ld bytes on disk", (long)st.st_size);
#else
    PROP_CHECK(p, st.st_size == (long)sizeof text && d.compressed == 0);
#endif
    dx_cas_id_format(&b, idt, sizeof idt); /* noise that begins with the magic: a RAW header, 16 bytes more */
    snprintf(file, sizeof file, "%s/objects/%.2s/%s", path, idt + 7, idt);
    PROP_CHECK(p, stat(file, &st) == 0 && st.st_size == (long)sizeof noise + 16);
    PROP_CHECK(p, dx_cas_store_has(&s, &a) == (int64_t)sizeof text && dx_cas_store_has(&s, &b) == (int64_t)sizeof noise);
    PROP_CHECK(p, dx_cas_store_get(&s, &a, buf, sizeof text - 1) == DX_ERR_NOSPACE);
    PROP_CHECK(p, dx_cas_store_get(&s, &a, buf, sizeof buf) == (int64_t)sizeof text && memcmp(buf, text, sizeof text) == 0);
    PROP_CHECK(p, dx_cas_store_get(&s, &b, buf, sizeof buf) == (int64_t)sizeof noise && memcmp(buf, noise, sizeof noise) == 0);
    PROP_CHECK(p, dx_cas_store_get(&s, &c, buf, sizeof buf) == 3 && memcmp(buf, "DXC", 3) == 0);
    { /* d.compress set to 0 between puts: what follows is stored as it is; set back: compressed again */
        uint8_t t2[sizeof text];
        dx_cas_id e[2];
        int level = d.compress, k;
        memcpy(t2, text, sizeof text);
        for (k = 0; k < 2; k++) {
            t2[k] ^= 1; /* another object each time */
            d.compress = k == 0 ? 0 : level;
            PROP_CHECK(p, dx_cas_store_put(&s, t2, sizeof t2, &e[k]) == DX_OK && dx_cas_store_sync(&s) == DX_OK);
            dx_cas_id_format(&e[k], idt, sizeof idt);
            snprintf(file, sizeof file, "%s/objects/%.2s/%s", path, idt + 7, idt);
            PROP_CHECK(p, stat(file, &st) == 0);
#if defined(DX_CAS_WITH_ZSTD)
            PROP_CHECK_MSG(p, k == 0 ? st.st_size == (long)sizeof t2 : st.st_size < 1000, "put %d: %ld bytes on disk", k, (long)st.st_size);
#else
            PROP_CHECK(p, st.st_size == (long)sizeof t2);
#endif
            PROP_CHECK(p, dx_cas_store_get(&s, &e[k], buf, sizeof buf) == (int64_t)sizeof t2 && memcmp(buf, t2, sizeof t2) == 0);
        }
    }
    dx_cas_dir_close(&d);
    /* a store written with compression reads back without it (same build), and verify agrees */
    dc.compress = DX_CAS_COMPRESS_NONE;
    PROP_CHECK(p, dx_cas_dir_open(&d, &dc) == DX_OK && dx_cas_dir_store(&d, NULL, &s) == DX_OK);
#if defined(DX_CAS_WITH_ZSTD)
    PROP_CHECK(p, dx_cas_store_get(&s, &a, buf, sizeof buf) == (int64_t)sizeof text && memcmp(buf, text, sizeof text) == 0);
#endif
    {
        dx_cas_verify_report rep;
        PROP_CHECK(p, dx_cas_store_verify(&s, NULL, 0, NULL, NULL, NULL, &rep) == DX_OK && rep.objects == 5 &&
                          rep.bytes == 3 * sizeof text + sizeof noise + 3);
    }
    dx_cas_dir_close(&d);
    rm_rf(path);
    return 0;
}
#else
static int t_dir_compress(prop_ctx *p) { PROP_SKIP(p, "no directory store in this build (Windows or DX_CAS_NO_STDIO)"); }
#endif

/* The memory store's fixed capacity: NOSPACE when full, space back after deletes (compaction). */
static int t_mem_store_capacity(prop_ctx *p) {
    static uint8_t block[64 * 1024], obj[1000];
    dx_cas_mem m;
    dx_cas_mem_config mc;
    dx_cas_store s;
    dx_cas_id ids[64];
    int i, stored = 0;
    dx_result r = DX_OK;
    memset(&mc, 0, sizeof mc);
    mc.max_objects = 40, mc.max_bytes = 20000;
    PROP_CHECK(p, dx_cas_mem_memory_size(&mc) <= sizeof block);
    PROP_CHECK(p, dx_cas_mem_init(&m, &mc, block, 100) == DX_ERR_NOSPACE);
    PROP_CHECK(p, dx_cas_mem_init(&m, &mc, block, sizeof block) == DX_OK && dx_cas_mem_store(&m, NULL, &s) == DX_OK);
    for (i = 0; i < 64; i++) {
        memset(obj, i, sizeof obj);
        r = dx_cas_store_put(&s, obj, sizeof obj, &ids[i]);
        if (r != DX_OK) break;
        stored++;
    }
    PROP_CHECK_MSG(p, r == DX_ERR_NOSPACE && stored >= 19 && stored <= 21, "%d stored, then %s", stored, rn(r));
    for (i = 0; i < stored; i += 2) PROP_CHECK(p, dx_cas_store_delete(&s, &ids[i]) == DX_OK);
    for (i = 0; i < stored / 2 - 1; i++) { /* fits again: the live records slide down */
        memset(obj, 100 + i, sizeof obj);
        r = dx_cas_store_put(&s, obj, sizeof obj, NULL);
        PROP_CHECK_MSG(p, r == DX_OK, "put after deletes %d: %s", i, rn(r));
    }
    for (i = 1; i < stored; i += 2) { /* the survivors moved intact */
        uint8_t back[1000];
        memset(obj, i, sizeof obj);
        PROP_CHECK(p, dx_cas_store_get(&s, &ids[i], back, sizeof back) == 1000 && memcmp(back, obj, 1000) == 0);
    }
    PROP_CHECK(p, dx_cas_store_get(&s, &ids[1], obj, 999) == DX_ERR_NOSPACE);
    return 0;
}

typedef struct membuf {
    uint8_t *p;
    size_t len, cap;
} membuf;
static dx_result membuf_write(void *user, uint64_t off, const void *data, size_t len) {
    membuf *b = (membuf *)user;
    if (off != b->len || len > b->cap - b->len) return DX_ERR_IO;
    memcpy(b->p + b->len, data, len);
    b->len += len;
    return DX_OK;
}

/* Blobs: written in pieces, read back verified; the root is the Merkle root of
   the chunk leaves and proves any one chunk; a second version with a small
   edit stores few new bytes; a missing chunk is found by verify. */
/* A blob writer over s, chunking as cc says (create: the allocator, a manifest that grows). */
static dx_result writer_create_parts(dx_cas_blob_writer *w, dx_cas_store *s, const dx_cas_chunker_config *cc,
                                     uint32_t part_chunks) {
    dx_cas_blob_writer_config wc;
    memset(&wc, 0, sizeof wc);
    wc.store = s, wc.chunker = *cc, wc.part_chunks = part_chunks;
    return dx_cas_blob_writer_create(w, &wc);
}
static dx_result writer_create(dx_cas_blob_writer *w, dx_cas_store *s, const dx_cas_chunker_config *cc) {
    return writer_create_parts(w, s, cc, 0);
}

static dx_result membuf_discard(void *user, uint64_t off, const void *data, size_t len) {
    (void)user, (void)off, (void)data, (void)len;
    return DX_OK;
}

static int p_blob_roundtrip(prop_ctx *p) {
    static uint8_t v1[150000], v2[150000], back[150000], proof[64 * 32], leaves[4096 * 32];
    store_under_test t;
    dx_cas_blob_writer w;
    dx_cas_chunker_config cfg;
    dx_cas_id man1, man2;
    dx_cas_manifest info;
    uint8_t root1[32], root2[32];
    membuf mb;
    size_t len = prop_len(p, 60000), at;
    int kind = prop_range(p, 0, 15) == 0; /* directory: 1 case in 16 (files are slow) */
    uint32_t span = prop_bool(p) ? 0 : 2u << prop_range(p, 0, 5); /* parts of 2 to 64 chunks, or the default (one part) */
    dx_result r;
    dx_cas_verify_report rep;
#if !defined(DX_CAS_HAS_DIRSTORE)
    kind = 0;
#endif
    memset(&cfg, 0, sizeof cfg);
    cfg.min_size = 256, cfg.avg_size = 1024, cfg.max_size = 4096;
    prop_bytes_random(p, v1, len);
    r = sut_open(p, &t, kind, kind == 1 && prop_bool(p));
    PROP_CHECK_MSG(p, r == DX_OK, "open: %s", rn(r));
    for (int ver = 0; ver < 2; ver++) {
        uint8_t *v = ver ? v2 : v1;
        if (ver == 1) { /* an edit in the middle */
            size_t e = len ? (size_t)prop_range(p, 0, len - 1) : 0;
            memcpy(v2, v1, len);
            if (len) v2[e] ^= 0x5a;
        }
        r = writer_create_parts(&w, &t.s, &cfg, span);
        if (!PROP_EXPECT_MSG(p, r == DX_OK, "writer: %s", rn(r))) goto done;
        for (at = 0; at < len && r == DX_OK;) {
            size_t piece = (size_t)prop_range(p, 1, prop_bool(p) ? 50 : 20000);
            if (piece > len - at) piece = len - at;
            r = dx_cas_blob_writer_write(&w, v + at, piece);
            at += piece;
        }
        if (r == DX_OK) r = dx_cas_blob_writer_finish(&w, ver ? &man2 : &man1, ver ? root2 : root1);
        if (!PROP_EXPECT_MSG(p, r == DX_OK, "blob %d: %s", ver, rn(r))) {
            dx_cas_blob_writer_destroy(&w);
            goto done;
        }
        if (ver == 1) PROP_EXPECT_MSG(p, w.new_bytes <= 6 * cfg.max_size, "edit stored %llu new bytes",
                                      (unsigned long long)w.new_bytes);
        dx_cas_blob_writer_destroy(&w);
    }
    if (!PROP_EXPECT(p, dx_cas_store_sync(&t.s) == DX_OK)) goto done;
    for (int ver = 0; ver < 2; ver++) {
        mb.p = back, mb.len = 0, mb.cap = sizeof back;
        r = dx_cas_blob_read(&t.s, ver ? &man2 : &man1, NULL, membuf_write, &mb, &info);
        if (!PROP_EXPECT_MSG(p, r == DX_OK && mb.len == len && memcmp(back, ver ? v2 : v1, len) == 0, "read %d: %s", ver,
                             rn(r)))
            goto done;
        PROP_EXPECT(p, memcmp(info.root, ver ? root2 : root1, 32) == 0 && info.total_size == len);
        PROP_EXPECT_MSG(p, info.parts == (span && info.count > span ? (info.count + span - 1) / span : 0), "%llu chunks, %llu parts of %u",
                        (unsigned long long)info.count, (unsigned long long)info.parts, span);
    }
    { /* gc keeps the parts; a part deleted is missing for verify and read */
        dx_cas_id roots[2];
        dx_cas_chunk_iter it;
        dx_cas_part part;
        roots[0] = man1, roots[1] = man2;
        r = dx_cas_store_gc(&t.s, roots, 2, 0, 0, NULL);
        mb.p = back, mb.len = 0, mb.cap = sizeof back;
        if (r == DX_OK) r = dx_cas_blob_read(&t.s, &man2, NULL, membuf_write, &mb, NULL);
        PROP_EXPECT_MSG(p, r == DX_OK && mb.len == len && memcmp(back, v2, len) == 0, "read after a gc: %s", rn(r));
        if (info.parts > 0 && dx_cas_chunk_iter_open(&it, &t.s, &man2, NULL) == DX_OK) {
            static uint8_t pb[56 + 64 * 36];
            int64_t plen;
            dx_cas_id again;
            dx_cas_manifest_part(&it.m, prop_range(p, 0, it.m.parts - 1), &part);
            dx_cas_chunk_iter_close(&it);
            plen = dx_cas_store_get(&t.s, &part.id, pb, sizeof pb);
            PROP_EXPECT(p, plen > 0 && dx_cas_store_delete(&t.s, &part.id) == DX_OK);
            r = dx_cas_store_verify(&t.s, roots + 1, 1, NULL, NULL, NULL, &rep);
            PROP_EXPECT_MSG(p, r == DX_ERR_CORRUPT && rep.missing == 1, "verify without a part: %s, %llu missing", rn(r),
                            (unsigned long long)rep.missing);
            mb.p = back, mb.len = 0, mb.cap = sizeof back;
            r = dx_cas_blob_read(&t.s, &man2, NULL, membuf_write, &mb, NULL);
            PROP_EXPECT_MSG(p, r == DX_ERR_NOTFOUND, "read without a part: %s", rn(r));
            PROP_EXPECT(p, plen > 0 && dx_cas_store_put(&t.s, pb, (size_t)plen, &again) == DX_OK && dx_cas_id_equal(&again, &part.id));
        }
    }
    { /* the root is the Merkle root over the chunks; a proof for one chunk checks it */
        dx_cas_chunk ch[4096];
        int64_t n = dx_cas_chunk_buffer(&cfg, v1, len, ch, 4096), k, plen;
        uint8_t root[32];
        dx_cas_id cid;
        PROP_EXPECT(p, n >= 0 && (uint64_t)n == info.count * 0 + (uint64_t)n);
        for (k = 0; k < n; k++) {
            dx_cas_id_hash(&t.s.hash_alg, v1 + ch[k].offset, ch[k].length, &cid);
            dx_cas_chunk_leaf(&t.s.hash_alg, &cid, leaves + 32 * k);
        }
        dx_cas_merkle_root_of(&t.s.hash_alg, leaves, (uint64_t)n, root);
        PROP_EXPECT_MSG(p, memcmp(root, root1, 32) == 0, "blob root is not the Merkle root of its chunks");
        if (n > 0) {
            k = (int64_t)prop_range(p, 0, (uint64_t)n - 1);
            plen = dx_cas_merkle_inclusion_proof(&t.s.hash_alg, leaves, (uint64_t)n, (uint64_t)k, proof, 64);
            PROP_EXPECT(p, plen >= 0 && dx_cas_merkle_verify_inclusion(&t.s.hash_alg, (uint64_t)k, (uint64_t)n, leaves + 32 * k,
                                                                       proof, (size_t)plen, root1) == DX_OK);
        }
        dx_cas_id roots[2];
        roots[0] = man1, roots[1] = man2;
        PROP_EXPECT(p, dx_cas_store_verify(&t.s, roots, 2, NULL, NULL, NULL, &rep) == DX_OK &&
                           (span ? rep.manifests >= 1 : rep.manifests == (dx_cas_id_equal(&man1, &man2) ? 1u : 2u)));
        if (n > 1) { /* delete a chunk only v1 has (the edited one differs in v2), or any: verify finds it missing */
            dx_cas_id_hash(&t.s.hash_alg, v1 + ch[0].offset, ch[0].length, &cid);
            PROP_EXPECT(p, dx_cas_store_delete(&t.s, &cid) == DX_OK);
            r = dx_cas_store_verify(&t.s, roots, 2, NULL, NULL, NULL, &rep);
            PROP_EXPECT_MSG(p, r == DX_ERR_CORRUPT && rep.missing >= 1, "verify after a delete: %s, %llu missing", rn(r),
                            (unsigned long long)rep.missing);
            mb.p = back, mb.len = 0, mb.cap = sizeof back;
            r = dx_cas_blob_read(&t.s, &man1, NULL, membuf_write, &mb, NULL);
            PROP_EXPECT_MSG(p, r == DX_ERR_NOTFOUND, "read with a chunk missing: %s", rn(r));
        }
    }
done:
    sut_close(&t);
    return p->failed ? 1 : 0;
}

static int t_manifest_bounds(prop_ctx *p) {
    static uint8_t data[5000], man[56 + 36 * 16];
    dx_cas_mem m;
    dx_cas_mem_config mc;
    dx_cas_store s;
    dx_cas_blob_writer w;
    dx_cas_chunker_config cfg;
    dx_cas_manifest info;
    dx_cas_limits lim;
    dx_cas_id mid;
    int64_t n;
    size_t i;
    memset(&mc, 0, sizeof mc);
    memset(&cfg, 0, sizeof cfg);
    cfg.mode = DX_CAS_CHUNKER_MODE_FIXED, cfg.avg_size = 1000;
    xorshift_bytes(5, data, sizeof data);
    PROP_CHECK(p, dx_cas_mem_create(&m, &mc) == DX_OK && dx_cas_mem_store(&m, NULL, &s) == DX_OK);
    PROP_CHECK(p, writer_create(&w, &s, &cfg) == DX_OK);
    PROP_CHECK(p, dx_cas_blob_writer_write(&w, data, sizeof data) == DX_OK && dx_cas_blob_writer_finish(&w, &mid, NULL) == DX_OK);
    PROP_CHECK(p, dx_cas_blob_writer_write(&w, data, 1) == DX_ERR_MISUSE); /* finished */
    dx_cas_blob_writer_destroy(&w);
    n = dx_cas_store_get(&s, &mid, man, sizeof man);
    PROP_CHECK_MSG(p, n == 56 + 5 * 36, "manifest: %s", rn(n));
    PROP_CHECK(p, dx_cas_manifest_parse(&s.hash_alg, man, (size_t)n, NULL, &info) == DX_OK && info.count == 5 &&
                      info.total_size == 5000);
    memset(&lim, 0, sizeof lim);
    lim.max_chunks = 4;
    PROP_CHECK(p, dx_cas_manifest_parse(&s.hash_alg, man, (size_t)n, &lim, &info) == DX_ERR_LIMIT);
    lim.max_chunks = 0, lim.max_chunk_size = 999;
    PROP_CHECK(p, dx_cas_manifest_parse(&s.hash_alg, man, (size_t)n, &lim, &info) == DX_ERR_LIMIT);
    lim.max_chunk_size = 0, lim.max_total = 4999;
    PROP_CHECK(p, dx_cas_manifest_parse(&s.hash_alg, man, (size_t)n, &lim, &info) == DX_ERR_LIMIT);
    for (i = 0; i < (size_t)n; i++) /* every truncation */
        PROP_CHECK(p, dx_cas_manifest_parse(&s.hash_alg, man, i, NULL, &info) < 0);
    for (i = 0; i < (size_t)n * 8; i++) { /* every bit flip */
        dx_result r;
        if (i / 8 == 5) continue; /* minor version */
        man[i / 8] ^= (uint8_t)(1u << (i % 8));
        r = dx_cas_manifest_parse(&s.hash_alg, man, (size_t)n, NULL, &info);
        PROP_CHECK_MSG(p, r != DX_OK, "bit %lu flipped: still parses", (unsigned long)i);
        man[i / 8] ^= (uint8_t)(1u << (i % 8));
    }
    dx_store_u64le(man + 16, (uint64_t)1 << 60); /* a huge count is refused before anything is read */
    PROP_CHECK(p, dx_cas_manifest_parse(&s.hash_alg, man, (size_t)n, NULL, &info) == DX_ERR_LIMIT);
    dx_cas_mem_destroy(&m);
    return 0;
}

/* WIRE FORMAT's FastCDC constants: the gear table its SHA-256 names, the masks its table lists. */
static int t_fastcdc_constants(prop_ctx *p) {
    static const uint64_t masks[26] = {0, 0, 0, 0, 0, 0x0000000001804110ull, 0x0000000001803110ull,
        0x0000000018035100ull, 0x0000001800035300ull, 0x0000019000353000ull, 0x0000590003530000ull,
        0x0000d90003530000ull, 0x0000d90103530000ull, 0x0000d90303530000ull, 0x0000d90313530000ull,
        0x0000d90f03530000ull, 0x0000d90303537000ull, 0x0000d90703537000ull, 0x0000d90707537000ull,
        0x0000d91707537000ull, 0x0000d91747537000ull, 0x0000d91767537000ull, 0x0000d93767537000ull,
        0x0000d93777537000ull, 0x0000d93777577000ull, 0x0000db3777577000ull};
    uint8_t table[256 * 8], digest[32];
    char hex[65];
    size_t i, k;
    int b;
    for (i = 0; i < 256; i++)
        for (k = 0; k < 8; k++) table[8 * i + k] = (uint8_t)(dxi_cas_gear[i] >> (56 - 8 * k)); /* big-endian */
    sha_with(0, table, sizeof table, digest);
    tohex(digest, 32, hex);
    PROP_CHECK_MSG(p, strcmp(hex, "9df0a720752a7d211fdebaf39bed01610983756fc340a1cfef41052b7356ae73") == 0,
                   "gear table SHA-256 %s", hex);
    PROP_CHECK(p, dxi_cas_gear[0] == 0x3b5d3c7d207e37dcull && dxi_cas_gear[255] == 0xaabd2b2a451504e1ull);
    for (b = 0; b < 26; b++) {
        PROP_CHECK_MSG(p, dxi_cas_masks[b] == masks[b], "MASK[%d]", b);
        if (b >= 5) {
            uint64_t m = masks[b];
            int bits = 0;
            while (m) bits += (int)(m & 1), m >>= 1;
            PROP_CHECK_MSG(p, bits == b, "MASK[%d] has %d one bits", b, bits);
        }
    }
    { /* which masks a config uses: MS = MASK[bits + L], ML = MASK[bits - L] */
        dx_cas_chunker c;
        dx_cas_chunker_config cfg;
        memset(&cfg, 0, sizeof cfg);
        PROP_CHECK(p, dx_cas_chunker_init(&c, &cfg) == DX_OK && c.mask_s == masks[15] && c.mask_l == masks[13]);
        cfg.avg_size = 12000, cfg.normalization = DX_CAS_NORMALIZATION_STRONG;
        PROP_CHECK(p, dx_cas_chunker_init(&c, &cfg) == DX_OK && c.mask_s == masks[17] && c.mask_l == masks[11]);
        cfg.avg_size = 11000, cfg.normalization = DX_CAS_NORMALIZATION_NONE;
        PROP_CHECK(p, dx_cas_chunker_init(&c, &cfg) == DX_OK && c.mask_s == masks[13] && c.mask_l == masks[13]);
        cfg.normalization = DX_CAS_NORMALIZATION_STRONG + 1;
        PROP_CHECK(p, dx_cas_chunker_init(&c, &cfg) == DX_ERR_INVAL);
    }
    return 0;
}

/* tests/vectors/cas/manifest.txt: the Merkle leaf of a chunk, blob roots and manifests byte
   for byte, as WIRE FORMAT specifies them (written by manifest_gen.py, not by this code),
   and the manifests a reader rejects. */
static int t_manifest_vectors(prop_ctx *p) {
    FILE *f = fopen("tests/vectors/cas/manifest.txt", "r");
    static char line[8192];
    static uint8_t data[4096], want[4096], got[4096], wmem[1 << 17];
    uint8_t root[32], leaf[32], digest[32], want_leaf[32];
    dx_cas_hash_alg alg;
    dx_cas_mem m;
    dx_cas_mem_config mc;
    dx_cas_store s;
    dx_cas_manifest info;
    char name[64] = "";
    int len = 0, chunk_size = 0, nchunks = 0, blobs = 0, rejects = 0, span = 0, nparts = 0, parted = 0;
    if (!f) PROP_FAIL(p, "cannot open tests/vectors/cas/manifest.txt (run from the repository root)");
    dx_cas_hash_alg_init(&alg, DX_CAS_ALG_SHA256);
    memset(&mc, 0, sizeof mc);
    PROP_CHECK(p, dx_cas_mem_create(&m, &mc) == DX_OK && dx_cas_mem_store(&m, &alg, &s) == DX_OK);
    while (fgets(line, sizeof line, f)) {
        char *tok[6];
        int nt = split_words(line, tok, 6);
        if (nt == 0) continue;
        if (strcmp(tok[0], "blob") == 0 && (nt == 4 || nt == 5)) {
            snprintf(name, sizeof name, "%s", tok[1]);
            chunk_size = atoi(tok[2]);
            len = unhex(tok[3], data, sizeof data);
            span = nt == 5 ? atoi(tok[4]) : 0;
            nchunks = nparts = 0;
            PROP_CHECK(p, len >= 0 && chunk_size > 0);
        } else if (strcmp(tok[0], "chunk") == 0 && nt == 4) { /* id = H(bytes), leaf = H(0x00 || digest) */
            dx_cas_id id;
            int clen = atoi(tok[1]), off = nchunks * chunk_size;
            PROP_CHECK(p, unhex(tok[2], digest, 32) == 32 && unhex(tok[3], want_leaf, 32) == 32);
            PROP_CHECK(p, off + clen <= len);
            dx_cas_id_hash(&alg, data + off, (size_t)clen, &id);
            PROP_CHECK_MSG(p, memcmp(id.digest, digest, 32) == 0, "%s chunk %d: digest", name, nchunks);
            dx_cas_chunk_leaf(&alg, &id, leaf);
            PROP_CHECK_MSG(p, memcmp(leaf, want_leaf, 32) == 0, "%s chunk %d: leaf", name, nchunks);
            nchunks++;
        } else if (strcmp(tok[0], "root") == 0 && nt == 2) {
            PROP_CHECK(p, unhex(tok[1], root, 32) == 32);
        } else if (strcmp(tok[0], "part") == 0 && nt == 2) { /* a part: a manifest of its own, into the store */
            int plen = unhex(tok[1], want, sizeof want);
            dx_cas_id pid;
            PROP_CHECK(p, plen > 0 && span > 0);
            PROP_CHECK_MSG(p, dx_cas_manifest_parse(&alg, want, (size_t)plen, NULL, &info) == DX_OK && info.parts == 0 &&
                                  info.count == (uint64_t)(nchunks - nparts * span < span ? nchunks - nparts * span : span),
                           "%s: part %d does not parse", name, nparts);
            PROP_CHECK(p, dx_cas_store_put(&s, want, (size_t)plen, &pid) == DX_OK);
            nparts++;
        } else if (strcmp(tok[0], "manifest") == 0 && nt == 2) { /* the writer makes exactly these bytes */
            int wlen = unhex(tok[1], want, sizeof want), pass;
            PROP_CHECK(p, wlen == (span ? DX_CAS_MANIFEST_HEADER_SIZE + nparts * DX_CAS_PART_ENTRY_SIZE
                                        : DX_CAS_MANIFEST_HEADER_SIZE + nchunks * DX_CAS_MANIFEST_ENTRY_SIZE));
            PROP_CHECK_MSG(p, dx_cas_manifest_parse(&alg, want, (size_t)wlen, NULL, &info) == DX_OK &&
                                  info.count == (uint64_t)nchunks && info.total_size == (uint64_t)len &&
                                  info.parts == (uint64_t)nparts && memcmp(info.root, root, 32) == 0,
                           "%s: the vector's manifest does not parse", name);
            if (span) { /* the parts and their chunks are in the store: read it back through them */
                dx_cas_id mid, cid;
                membuf mb;
                int off;
                for (off = 0; off < len; off += chunk_size)
                    PROP_CHECK(p, dx_cas_store_put(&s, data + off, (size_t)(len - off < chunk_size ? len - off : chunk_size), &cid) == DX_OK);
                PROP_CHECK(p, dx_cas_store_put(&s, want, (size_t)wlen, &mid) == DX_OK);
                memset(&mb, 0, sizeof mb);
                mb.p = got, mb.cap = sizeof got;
                PROP_CHECK_MSG(p, dx_cas_blob_read(&s, &mid, NULL, membuf_write, &mb, &info) == DX_OK && mb.len == (size_t)len &&
                                      memcmp(got, data, (size_t)len) == 0 && memcmp(info.root, root, 32) == 0,
                               "%s: reading it back through its parts", name);
                parted++;
            }
            for (pass = 0; pass < 2; pass++) { /* create, then caller memory */
                dx_cas_blob_writer w;
                dx_cas_blob_writer_config wc;
                dx_cas_id mid;
                uint8_t wroot[32];
                int64_t n;
                memset(&wc, 0, sizeof wc);
                wc.store = &s, wc.chunker.mode = DX_CAS_CHUNKER_MODE_FIXED, wc.chunker.avg_size = (uint32_t)chunk_size;
                wc.max_chunks = pass ? (uint64_t)(nchunks ? nchunks : 1) : 0;
                wc.part_chunks = (uint32_t)span;
                PROP_CHECK(p, (pass ? dx_cas_blob_writer_init(&w, &wc, wmem, sizeof wmem) : dx_cas_blob_writer_create(&w, &wc)) == DX_OK);
                PROP_CHECK(p, dx_cas_blob_writer_write(&w, data, (size_t)len) == DX_OK &&
                                  dx_cas_blob_writer_finish(&w, &mid, wroot) == DX_OK);
                dx_cas_blob_writer_destroy(&w);
                PROP_CHECK_MSG(p, memcmp(wroot, root, 32) == 0, "%s: the writer's root", name);
                n = dx_cas_store_get(&s, &mid, got, sizeof got);
                PROP_CHECK_MSG(p, n == wlen && memcmp(got, want, (size_t)wlen) == 0, "%s (pass %d): the writer's manifest differs",
                               name, pass);
            }
            blobs++;
        } else if (strcmp(tok[0], "reject") == 0 && nt == 4) {
            int rlen = unhex(tok[3], want, sizeof want);
            dx_result expect = strcmp(tok[1], "checksum") == 0      ? DX_ERR_CHECKSUM
                               : strcmp(tok[1], "corrupt") == 0     ? DX_ERR_CORRUPT
                               : strcmp(tok[1], "unsupported") == 0 ? DX_ERR_UNSUPPORTED
                                                                    : DX_ERR_LIMIT, r;
            PROP_CHECK(p, rlen > 0);
            r = dx_cas_manifest_parse(&alg, want, (size_t)rlen, NULL, &info);
            PROP_CHECK_MSG(p, r == expect, "%s reject %s: %s, want %s", name, tok[2], rn(r), rn(expect));
            rejects++;
        }
    }
    fclose(f);
    dx_cas_mem_destroy(&m);
    PROP_CHECK_MSG(p, blobs == 8 && parted == 3 && rejects >= 50, "%d blobs (%d in parts), %d rejects", blobs, parted, rejects);
    return 0;
}

/* An allocator that counts, so tests see who allocates through it. */
typedef struct counting_allocator {
    long allocs, frees;
    size_t live, peak;
} counting_allocator;
static void *counting_alloc(size_t n, void *user) {
    counting_allocator *c = (counting_allocator *)user;
    c->allocs++, c->live += n;
    if (c->live > c->peak) c->peak = c->live;
    return malloc(n);
}
static void counting_free(void *ptr, size_t n, void *user) {
    counting_allocator *c = (counting_allocator *)user;
    c->frees++, c->live -= n;
    free(ptr);
}
static dx_allocator counting(counting_allocator *c) {
    dx_allocator a;
    memset(c, 0, sizeof *c);
    a.alloc = counting_alloc, a.free = counting_free, a.user = c;
    return a;
}

/* The blob writer's lifecycle: memory_size / init in caller memory (bounded manifest,
   never allocates) / create through cfg.allocator (a manifest that grows) / destroy. */
static int t_blob_writer_memory(prop_ctx *p) {
    static uint8_t data[20000], mem[1 << 17];
    counting_allocator ca, cs;
    dx_cas_mem m;
    dx_cas_mem_config mc;
    dx_cas_store s;
    dx_cas_blob_writer w;
    dx_cas_blob_writer_config wc;
    dx_cas_id a, b;
    size_t need;
    xorshift_bytes(77, data, sizeof data);
    memset(&mc, 0, sizeof mc);
    mc.allocator = counting(&cs);
    PROP_CHECK(p, dx_cas_mem_create(&m, &mc) == DX_OK && cs.allocs == 1);
    PROP_CHECK(p, dx_cas_mem_store(&m, NULL, &s) == DX_OK);
    memset(&wc, 0, sizeof wc);
    wc.store = &s, wc.chunker.mode = DX_CAS_CHUNKER_MODE_FIXED, wc.chunker.avg_size = 100; /* 200 chunks */
    PROP_CHECK(p, dx_cas_blob_writer_memory_size(&wc) == 100 + 65536 + 56 + 64 * 36);
    PROP_CHECK(p, dx_cas_blob_writer_init(&w, &wc, mem, sizeof mem) == DX_ERR_INVAL); /* unbounded: create only */
    wc.max_chunks = 200;
    need = dx_cas_blob_writer_memory_size(&wc);
    PROP_CHECK(p, need == 100 + 65536 + 56 + 200 * 36);
    PROP_CHECK(p, dx_cas_blob_writer_init(&w, &wc, mem, need - 1) == DX_ERR_NOSPACE);
    PROP_CHECK(p, dx_cas_blob_writer_init(&w, &wc, mem, need) == DX_OK);
    PROP_CHECK(p, dx_cas_blob_writer_write(&w, data, sizeof data) == DX_OK && dx_cas_blob_writer_finish(&w, &a, NULL) == DX_OK);
    dx_cas_blob_writer_destroy(&w);
    wc.max_chunks = 199; /* one chunk too many: a sticky DX_ERR_LIMIT */
    PROP_CHECK(p, dx_cas_blob_writer_init(&w, &wc, mem, sizeof mem) == DX_OK);
    PROP_CHECK(p, dx_cas_blob_writer_write(&w, data, sizeof data) == DX_ERR_LIMIT);
    PROP_CHECK(p, dx_cas_blob_writer_finish(&w, &b, NULL) == DX_ERR_LIMIT);
    dx_cas_blob_writer_destroy(&w);
    wc.max_chunks = 0; /* create: one block through the allocator, then the manifest grows twice */
    wc.allocator = counting(&ca);
    PROP_CHECK(p, dx_cas_blob_writer_create(&w, &wc) == DX_OK && ca.allocs == 1);
    PROP_CHECK(p, dx_cas_blob_writer_write(&w, data, sizeof data) == DX_OK && dx_cas_blob_writer_finish(&w, &b, NULL) == DX_OK);
    PROP_CHECK_MSG(p, ca.allocs == 3 && ca.frees == 1, "%ld allocations, %ld frees", ca.allocs, ca.frees);
    dx_cas_blob_writer_destroy(&w);
    PROP_CHECK_MSG(p, ca.allocs == ca.frees && ca.live == 0, "destroy left %lu bytes", (unsigned long)ca.live);
    PROP_CHECK(p, dx_cas_id_equal(&a, &b)); /* both ways make the same manifest */
    wc.allocator.free = NULL; /* half an allocator */
    PROP_CHECK(p, dx_cas_blob_writer_create(&w, &wc) == DX_ERR_INVAL);
    wc.allocator.alloc = NULL;
    wc.store = NULL;
    PROP_CHECK(p, dx_cas_blob_writer_memory_size(&wc) == 0 && dx_cas_blob_writer_create(&w, &wc) == DX_ERR_INVAL);
    { /* in parts of 8 chunks (25 parts): caller memory holds one part and the 25 entries; create and init make the
         same manifest; reading it back holds the parts' list, one part and one chunk, not every chunk's entry */
        counting_allocator cp;
        dx_cas_id c, d;
        dx_cas_manifest info;
        size_t base;
        wc.allocator = counting(&cp), wc.store = &s, wc.part_chunks = 8, wc.max_chunks = 200;
        need = dx_cas_blob_writer_memory_size(&wc);
        PROP_CHECK_MSG(p, need == 100 + 65536 + (56 + 8 * 36) + (56 + 25 * 76), "%lu", (unsigned long)need);
        PROP_CHECK(p, dx_cas_blob_writer_init(&w, &wc, mem, need) == DX_OK);
        PROP_CHECK(p, dx_cas_blob_writer_write(&w, data, sizeof data) == DX_OK && dx_cas_blob_writer_finish(&w, &c, NULL) == DX_OK);
        dx_cas_blob_writer_destroy(&w);
        wc.max_chunks = 0;
        PROP_CHECK(p, dx_cas_blob_writer_create(&w, &wc) == DX_OK);
        PROP_CHECK(p, dx_cas_blob_writer_write(&w, data, sizeof data) == DX_OK && dx_cas_blob_writer_finish(&w, &d, NULL) == DX_OK);
        dx_cas_blob_writer_destroy(&w);
        PROP_CHECK_MSG(p, cp.allocs == 3 && cp.live == 0 && cp.peak <= 100 + 65536 + (56 + 8 * 36) + 2 * (56 + 16 * 76) + (56 + 32 * 76),
                       "%ld allocations, peak %lu", cp.allocs, (unsigned long)cp.peak);
        PROP_CHECK(p, dx_cas_id_equal(&c, &d) && !dx_cas_id_equal(&c, &a));
        base = cs.live, cs.peak = cs.live;
        PROP_CHECK(p, dx_cas_blob_read(&s, &c, NULL, membuf_discard, NULL, &info) == DX_OK && info.parts == 25 && info.count == 200);
        PROP_CHECK_MSG(p, cs.peak - base == (56 + 25 * 76) + (56 + 8 * 36) + 100, "read's peak %lu", (unsigned long)(cs.peak - base));
        { /* the same chunks added by id (no bytes): the same manifest; bytes and ids do not mix */
            dx_cas_chunk_iter it;
            dx_cas_id cid, e;
            uint32_t clen;
            int more;
            uint8_t r1[32], r2[32];
            PROP_CHECK(p, dx_cas_blob_writer_create(&w, &wc) == DX_OK && dx_cas_chunk_iter_open(&it, &s, &c, NULL) == DX_OK);
            while ((more = dx_cas_chunk_iter_next(&it, &cid, &clen)) > 0) PROP_CHECK(p, dx_cas_blob_writer_add(&w, &cid, clen) == DX_OK);
            PROP_CHECK(p, more == 0 && dx_cas_blob_writer_write(&w, data, 1) == DX_ERR_MISUSE);
            memcpy(r1, it.m.root, 32);
            dx_cas_chunk_iter_close(&it);
            PROP_CHECK(p, dx_cas_blob_writer_finish(&w, &e, r2) == DX_OK && dx_cas_id_equal(&e, &c) && memcmp(r1, r2, 32) == 0);
            dx_cas_blob_writer_destroy(&w);
            PROP_CHECK(p, dx_cas_blob_writer_create(&w, &wc) == DX_OK && dx_cas_blob_writer_write(&w, data, 150) == DX_OK);
            PROP_CHECK(p, dx_cas_blob_writer_add(&w, &cid, 100) == DX_ERR_MISUSE);
            dx_cas_blob_writer_destroy(&w);
        }
        wc.part_chunks = 0, wc.allocator = counting(&ca);
    }
    { /* the store's verbs that allocate (blob read, verify, gc) use the store's allocator */
        long before = cs.allocs;
        dx_cas_verify_report vr;
        dx_cas_gc_report gr;
        PROP_CHECK(p, dx_cas_blob_read(&s, &a, NULL, membuf_discard, NULL, NULL) == DX_OK);
        PROP_CHECK(p, cs.allocs > before && cs.live == dx_cas_mem_memory_size(&mc));
        before = cs.allocs;
        PROP_CHECK(p, dx_cas_store_verify(&s, &a, 1, NULL, NULL, NULL, &vr) == DX_OK && vr.manifests == 1);
        PROP_CHECK(p, cs.allocs > before && cs.live == dx_cas_mem_memory_size(&mc));
        before = cs.allocs;
        PROP_CHECK(p, dx_cas_store_gc(&s, &a, 1, 0, true, &gr) == DX_OK && gr.marked == 201);
        PROP_CHECK(p, cs.allocs > before && cs.live == dx_cas_mem_memory_size(&mc));
    }
    dx_cas_mem_destroy(&m);
    PROP_CHECK(p, cs.allocs == cs.frees && cs.live == 0);
    return 0;
}

#if defined(DX_CAS_HAS_DIRSTORE)
/* Directory store specifics: persistence across opens, batch visibility, cleanup of dead writers' files. */
static int t_dir_store(prop_ctx *p) {
    char path[256], tmpfile[512], objfile[600], text[DX_CAS_ID_TEXT_SIZE];
    dx_cas_dir d, d2;
    dx_cas_dir_config dc;
    dx_cas_store s, s2;
    dx_cas_id id, id2;
    uint8_t buf[64];
    struct stat st;
    FILE *f;
    scratch_dir(path, sizeof path, "dir", p->seed);
    memset(&dc, 0, sizeof dc);
    dc.path = path;
    dc.sync_each = true; /* in place when the put returns */
    dc.compress = DX_CAS_COMPRESS_NONE;
    PROP_CHECK(p, dx_cas_dir_open(&d, &dc) == DX_OK && dx_cas_dir_store(&d, NULL, &s) == DX_OK);
    PROP_CHECK(p, dx_cas_store_put(&s, "hello", 5, &id) == DX_OK);
    dx_cas_id_format(&id, text, sizeof text);
    snprintf(objfile, sizeof objfile, "%s/objects/%.2s/%s", path, text + 7, text);
    PROP_CHECK_MSG(p, stat(objfile, &st) == 0 && st.st_size == 5, "%s", objfile);
    dx_cas_dir_close(&d);
    /* a leftover of a writer that died (no process has pid 99999999), and one of a live one (us) */
    snprintf(tmpfile, sizeof tmpfile, "%s/tmp/99999999.3.%s", path, text);
    f = fopen(tmpfile, "wb");
    PROP_CHECK(p, f && fputs("junk", f) >= 0 && fclose(f) == 0);
    snprintf(tmpfile, sizeof tmpfile, "%s/tmp/%ld.9.%s", path, (long)getpid(), text);
    f = fopen(tmpfile, "wb");
    PROP_CHECK(p, f && fclose(f) == 0);
    PROP_CHECK(p, dx_cas_dir_open(&d, &dc) == DX_OK && dx_cas_dir_store(&d, NULL, &s) == DX_OK);
    PROP_CHECK_MSG(p, d.cleaned == 1, "%u leftovers cleaned", (unsigned)d.cleaned);
    PROP_CHECK(p, stat(tmpfile, &st) == 0); /* a live writer's file stays */
    PROP_CHECK(p, dx_cas_store_get(&s, &id, buf, sizeof buf) == 5 && memcmp(buf, "hello", 5) == 0);
    /* batch mode (the default): visible to this writer at once, to others after sync */
    dc.sync_each = false;
    PROP_CHECK(p, dx_cas_dir_open(&d2, &dc) == DX_OK && dx_cas_dir_store(&d2, NULL, &s2) == DX_OK);
    PROP_CHECK(p, d2.batch);
    PROP_CHECK(p, dx_cas_store_put(&s2, "batched", 7, &id2) == DX_OK && dx_cas_store_put(&s2, "batched", 7, NULL) == DX_OK);
    PROP_CHECK(p, dx_cas_store_get(&s2, &id2, buf, sizeof buf) == 7);
    PROP_CHECK(p, dx_cas_store_has(&s, &id2) == DX_ERR_NOTFOUND);
    {   /* a second batch in the same process on the same store stays apart: the first's sync does not install it,
           deleting a pending object works, and closing without a sync makes the batch durable as a sync would */
        dx_cas_dir d3;
        dx_cas_store s3;
        dx_cas_id id3, id4;
        PROP_CHECK(p, dx_cas_dir_open(&d3, &dc) == DX_OK && dx_cas_dir_store(&d3, NULL, &s3) == DX_OK);
        PROP_CHECK(p, strcmp(d3.batch_tag, d2.batch_tag) != 0);
        PROP_CHECK(p, dx_cas_store_put(&s3, "third", 5, &id3) == DX_OK && dx_cas_store_put(&s3, "gone", 4, &id4) == DX_OK);
        PROP_CHECK(p, dx_cas_store_delete(&s3, &id4) == DX_OK && dx_cas_store_has(&s3, &id4) == DX_ERR_NOTFOUND);
        PROP_CHECK(p, dx_cas_store_sync(&s2) == DX_OK && d2.pending == 0);
        PROP_CHECK(p, dx_cas_store_get(&s, &id2, buf, sizeof buf) == 7 && memcmp(buf, "batched", 7) == 0);
        PROP_CHECK(p, dx_cas_store_has(&s, &id3) == DX_ERR_NOTFOUND);
        dx_cas_dir_close(&d3);
        PROP_CHECK(p, dx_cas_store_get(&s, &id3, buf, sizeof buf) == 5 && memcmp(buf, "third", 5) == 0);
        PROP_CHECK(p, dx_cas_store_has(&s, &id4) == DX_ERR_NOTFOUND);
    }
    {   /* a batch whose sync fails at close (a file size limit stands in for a full disk): close removes its
           pending files and packs from tmp/ (they cannot become objects), and none of them is in the store */
        dx_cas_dir d4;
        dx_cas_store s4;
        dx_cas_id ids[16];
        struct rlimit was, lim;
        char tag[sizeof d4.batch_tag], pend[600];
        uint8_t blob[4096];
        uint32_t i, j, x = (uint32_t)p->seed | 1u;
        PROP_CHECK(p, dx_cas_dir_open(&d4, &dc) == DX_OK && dx_cas_dir_store(&d4, NULL, &s4) == DX_OK && d4.batch);
        memcpy(tag, d4.batch_tag, sizeof tag);
        PROP_CHECK(p, getrlimit(RLIMIT_FSIZE, &was) == 0);
        signal(SIGXFSZ, SIG_IGN); /* a write past the limit fails (EFBIG) instead of killing the process */
        lim = was, lim.rlim_cur = 16384;
        PROP_CHECK(p, setrlimit(RLIMIT_FSIZE, &lim) == 0);
        for (i = 0; i < 16; i++) { /* 64 KiB that does not compress, in 4 KiB objects: packed */
            for (j = 0; j < sizeof blob; j++) x ^= x << 13, x ^= x >> 17, x ^= x << 5, blob[j] = (uint8_t)x;
            (void)dx_cas_store_put(&s4, blob, sizeof blob, &ids[i]);
        }
        dx_cas_dir_close(&d4);
        PROP_CHECK(p, setrlimit(RLIMIT_FSIZE, &was) == 0);
        signal(SIGXFSZ, SIG_DFL);
        snprintf(pend, sizeof pend, "%s/tmp/%s", path, tag);
        PROP_CHECK_MSG(p, stat(pend, &st) != 0, "%s left after a failed sync", pend);
        for (i = 0; i < 16; i++) PROP_CHECK(p, dx_cas_store_has(&s, &ids[i]) == DX_ERR_NOTFOUND);
    }
    dx_cas_dir_close(&d2);
    dx_cas_dir_close(&d);
    dc.path = "build/test/no/such/parent/store";
    PROP_CHECK(p, dx_cas_dir_open(&d, &dc) == DX_ERR_NOTFOUND);
    rm_rf(path);
    return 0;
}

/* The pack table's memory, through a counting allocator: 24,600 objects of 1 KiB (one open pack; the table just
   past a growth) cost at most 100 bytes each beside the open pack's index (56 bytes an object) and 1 MiB of
   buffers (before 0.4.5: 64-byte slots, 4 MiB here); deleted objects' entries go when the table is rebuilt,
   and every object reads back, before the sync and after a reopen. */
static int t_dir_pack_table(prop_ctx *p) {
    enum { N = 24600, MORE = 8000 };
    char path[256];
    dx_cas_dir d;
    dx_cas_dir_config dc;
    dx_cas_store s;
    counting_allocator ca;
    static uint8_t obj[1024];
    uint8_t buf[1024];
    dx_cas_id id;
    size_t i;
    int round;
    unsigned long count;
    scratch_dir(path, sizeof path, "ptable", p->seed);
    memset(&dc, 0, sizeof dc);
    dc.path = path, dc.no_sync = true, dc.compress = DX_CAS_COMPRESS_NONE, dc.allocator = counting(&ca);
    PROP_CHECK(p, dx_cas_dir_open(&d, &dc) == DX_OK && dx_cas_dir_store(&d, NULL, &s) == DX_OK);
    for (i = 0; i < sizeof obj; i++) obj[i] = (uint8_t)(i * 131 + 7);
    for (i = 0; i < N; i++) {
        memcpy(obj, &i, sizeof i); /* every object different */
        PROP_CHECK(p, dx_cas_store_put(&s, obj, sizeof obj, NULL) == DX_OK);
    }
    PROP_CHECK_MSG(p, ca.live <= (size_t)N * (100 + 56) + (1u << 20), "%lu bytes live for %d objects", (unsigned long)ca.live, N);
    for (i = 0; i < N; i += 3) { /* a third deleted, then more put: the table is rebuilt with dead entries in it */
        memcpy(obj, &i, sizeof i);
        dx_cas_id_hash(&s.hash_alg, obj, sizeof obj, &id);
        PROP_CHECK(p, dx_cas_store_delete(&s, &id) == DX_OK);
    }
    for (i = N; i < N + MORE; i++) {
        memcpy(obj, &i, sizeof i);
        PROP_CHECK(p, dx_cas_store_put(&s, obj, sizeof obj, NULL) == DX_OK);
    }
    for (round = 0; round < 2; round++) { /* before the sync, then after a reopen (the table read from the packs) */
        for (i = 0; i < N + MORE; i++) {
            int64_t want = i < N && i % 3 == 0 ? (int64_t)DX_ERR_NOTFOUND : (int64_t)sizeof obj;
            memcpy(obj, &i, sizeof i);
            dx_cas_id_hash(&s.hash_alg, obj, sizeof obj, &id);
            PROP_CHECK_MSG(p, dx_cas_store_get(&s, &id, buf, sizeof buf) == want, "object %lu, round %d", (unsigned long)i, round);
            if (want > 0) PROP_CHECK(p, memcmp(buf, obj, sizeof obj) == 0);
        }
        count = 0;
        PROP_CHECK(p, dx_cas_store_iterate(&s, count_cb, &count) == DX_OK);
        PROP_CHECK_MSG(p, count == N + MORE - (N + 2) / 3, "%lu objects listed", count);
        PROP_CHECK(p, dx_cas_store_sync(&s) == DX_OK);
        dx_cas_dir_close(&d);
        PROP_CHECK(p, ca.live == 0 && ca.allocs == ca.frees);
        dc.allocator = counting(&ca);
        PROP_CHECK(p, dx_cas_dir_open(&d, &dc) == DX_OK && dx_cas_dir_store(&d, NULL, &s) == DX_OK);
    }
    dx_cas_dir_close(&d);
    rm_rf(path);
    return 0;
}

/* Packs (0.4.0): a batch's small objects go into one pack file; large ones stay loose. Read back
   before and after the sync and after a reopen; iterate lists each object once; a deleted packed
   object goes when its pack is rewritten at the sync; a damaged index makes the whole pack
   untrusted (reported, its objects missing) and a damaged record is a checksum error; stores of
   loose objects (0.3.0) and packs mix. */
static int count_packs(const char *path, char *first, size_t cap) {
    char cmd[400];
    FILE *f;
    int n = 0;
    snprintf(cmd, sizeof cmd, "ls '%s/packs' 2>/dev/null", path);
    if ((f = popen(cmd, "r")) == NULL) return -1;
    while (fgets(cmd, sizeof cmd, f)) {
        if (!strstr(cmd, ".pack")) continue;
        if (n++ == 0 && first) {
            cmd[strcspn(cmd, "\n")] = 0;
            snprintf(first, cap, "%s/packs/%s", path, cmd);
        }
    }
    pclose(f);
    return n;
}

static int count_files(const char *path, const char *sub) {
    char cmd[400];
    FILE *f;
    int n = -1;
    snprintf(cmd, sizeof cmd, "find '%s/%s' -type f | wc -l", path, sub);
    if ((f = popen(cmd, "r")) != NULL) {
        if (fscanf(f, "%d", &n) != 1) n = -1;
        pclose(f);
    }
    return n;
}

static int flip_byte(const char *file, long at_from_end) {
    FILE *f;
    long size;
    int c;
    chmod(file, 0644);
    f = fopen(file, "r+b");
    if (!f || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) <= at_from_end) return -1;
    fseek(f, size - at_from_end, SEEK_SET);
    c = fgetc(f);
    fseek(f, size - at_from_end, SEEK_SET);
    fputc(c ^ 0x40, f);
    return fclose(f);
}

/* The packs' index (0.5.0): past table_max packed objects, a sync merges the table's entries into
   packs/index, so a handle's memory stops growing with the store: 40,000 objects of 300 bytes, table_max
   1,000, a sync every 2,000 puts (a pack each); from 10,000 objects to 40,000 the live bytes (a counting
   allocator) grow by less than 8 bytes an object (the table: about 85). Every object reads back (get and
   has, before and after a reopen), missing ones miss, iterate lists each once; a third deleted (their packs
   taken back into the table, rewritten at the sync, covered again); a damaged index is not used (bad_index:
   the packs are read instead) and the next merge writes it anew. */
static int t_dir_index(prop_ctx *p) {
    enum { N = 40000, SYNC = 2000, TMAX = 1000 };
    char path[256], file[300];
    dx_cas_dir d;
    dx_cas_dir_config dc;
    dx_cas_store s;
    counting_allocator ca;
    uint8_t obj[300], buf[300];
    dx_cas_id id;
    size_t i, at10k = 0;
    unsigned long count;
    int round;
    struct stat st;
    scratch_dir(path, sizeof path, "index", p->seed);
    snprintf(file, sizeof file, "%s/packs/index", path);
    memset(&dc, 0, sizeof dc);
    dc.path = path, dc.no_sync = true, dc.compress = DX_CAS_COMPRESS_NONE, dc.allocator = counting(&ca), dc.table_max = TMAX;
    PROP_CHECK(p, dx_cas_dir_open(&d, &dc) == DX_OK && dx_cas_dir_store(&d, NULL, &s) == DX_OK);
    for (i = 0; i < sizeof obj; i++) obj[i] = (uint8_t)(i * 37 + 11);
    for (i = 0; i < N; i++) {
        memcpy(obj, &i, sizeof i);
        PROP_CHECK(p, dx_cas_store_put(&s, obj, sizeof obj, NULL) == DX_OK);
        if ((i + 1) % SYNC == 0) {
            PROP_CHECK(p, dx_cas_store_sync(&s) == DX_OK);
            if (i + 1 == 10000) at10k = ca.live;
        }
    }
    PROP_CHECK_MSG(p, d.indexed > 0 && stat(file, &st) == 0, "%lu merges", (unsigned long)d.indexed);
    PROP_CHECK_MSG(p, ca.live < at10k + (size_t)(N - 10000) * 8, "%lu bytes live at 40,000 objects, %lu at 10,000",
                   (unsigned long)ca.live, (unsigned long)at10k);
    PROP_CHECK_MSG(p, d.pidx_used <= SYNC + TMAX, "%lu entries in the table", (unsigned long)d.pidx_used);
    for (round = 0; round < 4; round++) { /* 0: as written; 1: a third deleted (a 15th put again); 2: reopened; 3: the index damaged */
        for (i = 0; i < N; i++) {
            int64_t want = round >= 1 && i % 3 == 0 && i % 15 != 0 ? (int64_t)DX_ERR_NOTFOUND : (int64_t)sizeof obj;
            memcpy(obj, &i, sizeof i);
            dx_cas_id_hash(&s.hash_alg, obj, sizeof obj, &id);
            PROP_CHECK_MSG(p, dx_cas_store_get(&s, &id, buf, sizeof buf) == want, "object %lu, round %d", (unsigned long)i, round);
            PROP_CHECK(p, dx_cas_store_has(&s, &id) == want);
            if (want > 0) PROP_CHECK(p, memcmp(buf, obj, sizeof obj) == 0);
            obj[sizeof obj - 1] ^= 1; /* never put */
            dx_cas_id_hash(&s.hash_alg, obj, sizeof obj, &id);
            obj[sizeof obj - 1] ^= 1;
            if (i % 97 == 0) PROP_CHECK(p, dx_cas_store_has(&s, &id) == DX_ERR_NOTFOUND);
        }
        count = 0;
        PROP_CHECK(p, dx_cas_store_iterate(&s, count_cb, &count) == DX_OK);
        PROP_CHECK_MSG(p, count == (round ? N - (N + 2) / 3 + (N + 14) / 15 : N), "%lu objects listed, round %d", count, round);
        if (round == 0) { /* a third deleted, listed and read before the sync and after it */
            size_t used = d.pidx_used, before = ca.live;
            for (i = 0; i < N; i += 3) {
                memcpy(obj, &i, sizeof i);
                dx_cas_id_hash(&s.hash_alg, obj, sizeof obj, &id);
                PROP_CHECK(p, dx_cas_store_delete(&s, &id) == DX_OK);
            }
            /* covered packs stay covered: a bit an index entry, nothing in the table (0.6.1; it took every pack back in) */
            PROP_CHECK_MSG(p, d.pidx_used == used && ca.live <= before + N / 8 + 64, "the deletes took %lu bytes, table %lu -> %lu",
                           (unsigned long)(ca.live - before), (unsigned long)used, (unsigned long)d.pidx_used);
            count = 0;
            PROP_CHECK(p, dx_cas_store_iterate(&s, count_cb, &count) == DX_OK && count == N - (N + 2) / 3);
            for (i = 0; i < N; i += 15) { /* put again before the sync: the merges list the new copies */
                memcpy(obj, &i, sizeof i);
                PROP_CHECK(p, dx_cas_store_put(&s, obj, sizeof obj, NULL) == DX_OK);
            }
            before = ca.live, ca.peak = ca.live;
            PROP_CHECK(p, dx_cas_store_sync(&s) == DX_OK && d.repacked > 0);
            /* the rewrite's copies merged into the index every TMAX of them: the peak does not grow with the packs rewritten */
            PROP_CHECK_MSG(p, ca.peak - before <= (512u << 10), "the sync's peak: %lu bytes over %lu", (unsigned long)(ca.peak - before),
                           (unsigned long)before);
            PROP_CHECK_MSG(p, d.pidx_used <= SYNC + TMAX, "%lu entries in the table after the rewrite", (unsigned long)d.pidx_used);
            continue;
        }
        if (round == 3) break;
        dx_cas_dir_close(&d);
        PROP_CHECK_MSG(p, ca.live == 0 && ca.allocs == ca.frees, "%lu bytes left", (unsigned long)ca.live);
        if (round == 2) PROP_CHECK(p, flip_byte(file, 5000) == 0);
        dc.allocator = counting(&ca);
        PROP_CHECK(p, dx_cas_dir_open(&d, &dc) == DX_OK && dx_cas_dir_store(&d, NULL, &s) == DX_OK);
        PROP_CHECK_MSG(p, d.bad_index == (round == 2) && (d.ix_fd >= 0) == (round != 2), "round %d: bad_index %d", round, d.bad_index);
    }
    memcpy(obj, "one more", 8); /* the next merge writes the damaged index anew */
    PROP_CHECK(p, dx_cas_store_put(&s, obj, sizeof obj, NULL) == DX_OK && dx_cas_store_sync(&s) == DX_OK && d.indexed == 1);
    dx_cas_dir_close(&d);
    dc.allocator = counting(&ca);
    PROP_CHECK(p, dx_cas_dir_open(&d, &dc) == DX_OK && !d.bad_index && d.ix_fd >= 0 && d.pidx_used <= TMAX);
    dx_cas_dir_close(&d);
    rm_rf(path);
    return 0;
}

/* gc's marks (0.5.0): 8 bytes of each digest (the trees and manifests it reads: all 32), so a gc of 20,000
   chunks named by one manifest needs, beside one part of that manifest (1,024 chunks, 36 bytes each), at most 16
   bytes a chunk (it took 43 to 85); 5,000 unnamed objects go, every named one stays. And the set itself: a second
   digest with the first one's 8 bytes counts as marked (it is kept: only garbage can be wrong, by staying). */
static int t_gc_marks(prop_ctx *p) {
    enum { N = 20000, JUNK = 5000 };
    char path[256];
    dx_cas_dir d;
    dx_cas_dir_config dc;
    dx_cas_store s;
    counting_allocator ca;
    uint8_t obj[100], a[32], b[32];
    dx_cas_id man, id;
    dx_cas_blob_writer w;
    dx_cas_blob_writer_config bc;
    dx_cas_gc_report rep;
    dxi_cas_set set;
    size_t i, before;
    scratch_dir(path, sizeof path, "gcmarks", p->seed);
    memset(&dc, 0, sizeof dc);
    dc.path = path, dc.no_sync = true, dc.compress = DX_CAS_COMPRESS_NONE, dc.allocator = counting(&ca);
    dc.table_max = UINT64_MAX; /* every entry in the table from the start: what the gc adds is its own */
    PROP_CHECK(p, dx_cas_dir_open(&d, &dc) == DX_OK && dx_cas_dir_store(&d, NULL, &s) == DX_OK);
    memset(&bc, 0, sizeof bc);
    bc.store = &s, bc.chunker.mode = DX_CAS_CHUNKER_MODE_FIXED, bc.chunker.avg_size = 64;
    PROP_CHECK(p, dx_cas_blob_writer_create(&w, &bc) == DX_OK);
    for (i = 0; i < N; i++) { /* 64-byte chunks, each different */
        memset(obj, (int)(i * 7), 64);
        memcpy(obj, &i, sizeof i);
        PROP_CHECK(p, dx_cas_blob_writer_write(&w, obj, 64) == DX_OK);
    }
    PROP_CHECK(p, dx_cas_blob_writer_finish(&w, &man, NULL) == DX_OK && w.count == N);
    dx_cas_blob_writer_destroy(&w);
    for (i = 0; i < JUNK; i++) {
        memset(obj, 0xee, sizeof obj);
        memcpy(obj, &i, sizeof i);
        PROP_CHECK(p, dx_cas_store_put(&s, obj, sizeof obj, NULL) == DX_OK);
    }
    PROP_CHECK(p, dx_cas_store_sync(&s) == DX_OK);
    before = ca.live, ca.peak = ca.live; /* the marks, the parts read, the store's buffers and the sweep's listing (a
                                            dry run: then no pack is rewritten); 640 KiB of it does not grow with N */
    PROP_CHECK(p, dx_cas_store_gc(&s, &man, 1, 0, DX_CAS_GC_DRY_RUN, &rep) == DX_OK);
    PROP_CHECK_MSG(p, ca.peak - before <= (size_t)N * 16 + 2 * DX_CAS_PART_CHUNKS * 36 + (640u << 10), "gc's peak: %lu bytes for %d chunks",
                   (unsigned long)(ca.peak - before), N);
    PROP_CHECK(p, dx_cas_store_gc(&s, &man, 1, 0, 0, &rep) == DX_OK);
    PROP_CHECK_MSG(p, rep.deleted == JUNK && rep.marked == N + 1 + (N + DX_CAS_PART_CHUNKS - 1) / DX_CAS_PART_CHUNKS,
                   "%lu deleted, %lu marked", (unsigned long)rep.deleted, (unsigned long)rep.marked);
    for (i = 0; i < N; i += 97) {
        memset(obj, (int)(i * 7), 64);
        memcpy(obj, &i, sizeof i);
        dx_cas_id_hash(&s.hash_alg, obj, 64, &id);
        PROP_CHECK(p, dx_cas_store_has(&s, &id) == 64);
    }
    dx_cas_dir_close(&d);
    rm_rf(path);
    memset(&set, 0, sizeof set); /* two digests that share their first 8 bytes: one mark */
    set.key = 8;
    memset(a, 0x11, sizeof a), memcpy(b, a, sizeof b), b[20] ^= 1;
    PROP_CHECK(p, dxi_cas_set_add(&dc.allocator, &set, a) == 1 && dxi_cas_set_add(&dc.allocator, &set, b) == 0 && dxi_cas_set_has(&set, b));
    b[3] ^= 1;
    PROP_CHECK(p, !dxi_cas_set_has(&set, b) && dxi_cas_set_add(&dc.allocator, &set, b) == 1 && set.used == 2);
    dxi_cas_set_free(&dc.allocator, &set);
    return 0;
}

static int t_dir_pack(prop_ctx *p) {
    enum { N = 40 };
    static uint8_t data[N][6000], big[(1u << 20) + 100], buf[(1u << 20) + 100];
    size_t lens[N];
    dx_cas_id ids[N], bigid, looseid;
    char path[256], pack[600], pack2[600];
    dx_cas_dir d, d2, d3;
    dx_cas_dir_config dc;
    dx_cas_store s, s2, s3;
    dx_cas_verify_report rep;
    unsigned long count;
    int i;
    scratch_dir(path, sizeof path, "pack", p->seed);
    memset(&dc, 0, sizeof dc);
    dc.path = path; /* the defaults: batches, synced, packs, compressed when built with zstd */
    PROP_CHECK(p, dx_cas_dir_open(&d, &dc) == DX_OK && dx_cas_dir_store(&d, NULL, &s) == DX_OK);
    for (i = 0; i < N; i++) {
        lens[i] = (size_t)prop_range(p, 0, sizeof data[i]);
        if (i % 3 == 0) memset(data[i], 'a' + i % 26, lens[i]); /* compressible */
        else xorshift_bytes((uint64_t)i + p->seed, data[i], lens[i]);
        if (i == 5 && lens[i] >= 4) memcpy(data[i], "DXCZ", 4); /* needs a RAW header */
        PROP_CHECK(p, dx_cas_store_put(&s, data[i], lens[i], &ids[i]) == DX_OK);
    }
    xorshift_bytes(p->seed, big, sizeof big); /* over DX_CAS_DIR_PACK_OBJECT_MAX: a loose file */
    PROP_CHECK(p, dx_cas_store_put(&s, big, sizeof big, &bigid) == DX_OK);
    PROP_CHECK(p, d.packed >= 1 && d.pending >= 2);
    for (i = 0; i < N; i++) /* before the sync: from the open pack */
        PROP_CHECK_MSG(p, dx_cas_store_get(&s, &ids[i], buf, sizeof buf) == (int64_t)lens[i] && memcmp(buf, data[i], lens[i]) == 0,
                       "object %d (%lu bytes) before the sync", i, (unsigned long)lens[i]);
    PROP_CHECK(p, dx_cas_dir_open(&d2, &dc) == DX_OK && dx_cas_dir_store(&d2, NULL, &s2) == DX_OK);
    PROP_CHECK(p, dx_cas_store_has(&s2, &ids[1]) == DX_ERR_NOTFOUND); /* not visible to others yet */
    dc.own_packs = true; /* a handle that does not look for others' packs (0.4.1) */
    PROP_CHECK(p, dx_cas_dir_open(&d3, &dc) == DX_OK && dx_cas_dir_store(&d3, NULL, &s3) == DX_OK);
    dc.own_packs = false;
    PROP_CHECK(p, dx_cas_store_sync(&s) == DX_OK && d.pending == 0);
    PROP_CHECK_MSG(p, count_packs(path, pack, sizeof pack) == 1, "%d packs", count_packs(path, NULL, 0));
    PROP_CHECK_MSG(p, count_files(path, "objects") == 1, "%d loose objects", count_files(path, "objects"));
    PROP_CHECK_MSG(p, count_files(path, "tmp") == 0, "%d files left in tmp/", count_files(path, "tmp"));
    PROP_CHECK(p, dx_cas_store_has(&s2, &ids[2]) == (int64_t)lens[2]); /* has rescans too (0.4.1; before: NOTFOUND) */
    PROP_CHECK(p, dx_cas_store_get(&s2, &ids[1], buf, sizeof buf) == (int64_t)lens[1]); /* a rescan finds the new pack */
    PROP_CHECK(p, dx_cas_store_has(&s3, &ids[2]) == DX_ERR_NOTFOUND && dx_cas_store_get(&s3, &ids[1], buf, sizeof buf) == DX_ERR_NOTFOUND);
    /* nor for fan-out folders made since (0.4.3): the loose object went into one, so it is not seen */
    PROP_CHECK(p, dx_cas_store_has(&s3, &bigid) == DX_ERR_NOTFOUND && dx_cas_store_get(&s3, &bigid, buf, sizeof buf) == DX_ERR_NOTFOUND);
    dx_cas_dir_close(&d3);
    dc.own_packs = true; /* opened again: the folders there now are read at the open, and its own new ones count */
    PROP_CHECK(p, dx_cas_dir_open(&d3, &dc) == DX_OK && dx_cas_dir_store(&d3, NULL, &s3) == DX_OK && d3.fanout_all);
    dc.own_packs = false;
    PROP_CHECK(p, dx_cas_store_has(&s3, &bigid) == (int64_t)sizeof big && dx_cas_store_get(&s3, &bigid, buf, sizeof buf) == (int64_t)sizeof big);
    PROP_CHECK(p, dx_cas_store_has(&s3, &ids[1]) == (int64_t)lens[1]);
    {
        dx_cas_id other;
        dx_cas_hash_alg sha;
        int k;
        dx_cas_hash_alg_init(&sha, DX_CAS_ALG_SHA256);
        for (k = 0; k < 64; k++) { /* a loose object of its own whose fan-out folder is new */
            big[k % 16] ^= (uint8_t)(k + 1);
            dx_cas_id_hash(&sha, big, sizeof big, &other);
            if (other.digest[0] != bigid.digest[0]) break;
        }
        PROP_CHECK(p, other.digest[0] != bigid.digest[0] && dx_cas_store_put(&s3, big, sizeof big, &other) == DX_OK);
        PROP_CHECK(p, dx_cas_store_has(&s3, &other) == (int64_t)sizeof big);  /* pending in its batch */
        PROP_CHECK(p, dx_cas_store_sync(&s3) == DX_OK && dx_cas_store_has(&s3, &other) == (int64_t)sizeof big);
        PROP_CHECK(p, dx_cas_store_get(&s3, &other, buf, sizeof buf) == (int64_t)sizeof big && memcmp(buf, big, sizeof big) == 0);
        PROP_CHECK(p, dx_cas_store_delete(&s3, &other) == DX_OK && dx_cas_store_has(&s3, &other) == DX_ERR_NOTFOUND);
        while (k >= 0) big[k % 16] ^= (uint8_t)(k + 1), k--; /* big as it was */
    }
    dx_cas_dir_close(&d3);
    dx_cas_dir_close(&d2);
    dx_cas_dir_close(&d);
    /* reopened: everything reads, iterate lists each object once, verify is clean */
    PROP_CHECK(p, dx_cas_dir_open(&d, &dc) == DX_OK && dx_cas_dir_store(&d, NULL, &s) == DX_OK && d.bad_packs == 0);
    for (i = 0; i < N; i++) {
        PROP_CHECK(p, dx_cas_store_has(&s, &ids[i]) == (int64_t)lens[i]);
        PROP_CHECK(p, dx_cas_store_get(&s, &ids[i], buf, sizeof buf) == (int64_t)lens[i] && memcmp(buf, data[i], lens[i]) == 0);
    }
    PROP_CHECK(p, dx_cas_store_get(&s, &bigid, buf, sizeof buf) == (int64_t)sizeof big && memcmp(buf, big, sizeof big) == 0);
    count = 0;
    PROP_CHECK(p, dx_cas_store_iterate(&s, count_cb, &count) == DX_OK);
    {
        unsigned long want = 1;
        int j;
        for (i = 0; i < N; i++) { /* distinct ids (two empty objects are one) */
            for (j = 0; j < i && !dx_cas_id_equal(&ids[i], &ids[j]); j++) {}
            want += j == i;
        }
        PROP_CHECK_MSG(p, count == want, "iterate: %lu objects, want %lu", count, want);
    }
    PROP_CHECK(p, dx_cas_store_verify(&s, NULL, 0, NULL, NULL, NULL, &rep) == DX_OK && rep.corrupt == 0);
    /* deleting packed objects: gone at once for this handle, from the disk at the sync (the pack is rewritten) */
    PROP_CHECK(p, dx_cas_store_delete(&s, &ids[2]) == DX_OK && dx_cas_store_has(&s, &ids[2]) == DX_ERR_NOTFOUND);
    PROP_CHECK(p, dx_cas_store_delete(&s, &ids[2]) == DX_ERR_NOTFOUND);
    PROP_CHECK(p, dx_cas_store_sync(&s) == DX_OK && d.repacked == 1);
    PROP_CHECK_MSG(p, count_packs(path, pack2, sizeof pack2) == 1 && strcmp(pack, pack2) != 0, "after the rewrite: %d packs",
                   count_packs(path, NULL, 0));
    dx_cas_dir_close(&d);
    PROP_CHECK(p, dx_cas_dir_open(&d, &dc) == DX_OK && dx_cas_dir_store(&d, NULL, &s) == DX_OK && d.bad_packs == 0);
    for (i = 0; i < N; i++) {
        bool gone = dx_cas_id_equal(&ids[i], &ids[2]);
        int64_t n = dx_cas_store_get(&s, &ids[i], buf, sizeof buf);
        PROP_CHECK_MSG(p, gone ? n == DX_ERR_NOTFOUND : n == (int64_t)lens[i], "object %d after the rewrite: %lld", i, (long long)n);
    }
    /* a store of loose objects (0.3.0, or cfg.loose) reads with packs, and the two mix */
    dc.loose = true;
    PROP_CHECK(p, dx_cas_dir_open(&d2, &dc) == DX_OK && dx_cas_dir_store(&d2, NULL, &s2) == DX_OK);
    PROP_CHECK(p, dx_cas_store_put(&s2, "a loose one", 11, &looseid) == DX_OK && dx_cas_store_sync(&s2) == DX_OK);
    dx_cas_dir_close(&d2);
    dc.loose = false;
    PROP_CHECK(p, dx_cas_store_get(&s, &looseid, buf, sizeof buf) == 11 && memcmp(buf, "a loose one", 11) == 0);
    dx_cas_dir_close(&d);
    PROP_CHECK(p, count_files(path, "objects") == 2 && count_packs(path, NULL, 0) == 1);
    /* a damaged record: that object is a checksum error, the others read */
    {
        static uint8_t file[1 << 20];
        FILE *f = fopen(pack2, "rb");
        size_t n = f ? fread(file, 1, sizeof file, f) : 0;
        dx_cas_pack_index pi;
        dx_cas_pack_entry e;
        long from_end;
        uint32_t k;
        if (f) fclose(f);
        PROP_CHECK(p, n > 0 && n < sizeof file && dx_cas_pack_parse(file, n, n, 0, &pi) == DX_OK && pi.count >= 2);
        for (k = 0; k < pi.count; k++) { /* an object with bytes */
            dx_cas_pack_index_entry(&pi, k, &e);
            if (e.stored > 0) break;
        }
        PROP_CHECK(p, k < pi.count);
        for (k = 0; k < pi.count; k++) { /* the last object of that record (its last byte is that object's) */
            dx_cas_pack_entry o;
            dx_cas_pack_index_entry(&pi, k, &o);
            if (o.offset == e.offset && o.size > 0 && o.inner + o.size > e.inner + e.size) e = o;
        }
        from_end = (long)(n - (e.offset + e.stored - 1)); /* its last stored byte */
        PROP_CHECK(p, flip_byte(pack2, from_end) == 0);
        PROP_CHECK(p, dx_cas_dir_open(&d, &dc) == DX_OK && dx_cas_dir_store(&d, NULL, &s) == DX_OK && d.bad_packs == 0);
        PROP_CHECK(p, dx_cas_store_get(&s, &e.id, buf, sizeof buf) == DX_ERR_CHECKSUM);
        PROP_CHECK(p, dx_cas_store_verify(&s, NULL, 0, NULL, NULL, NULL, &rep) == DX_ERR_CORRUPT && rep.corrupt >= 1);
        dx_cas_dir_close(&d);
        PROP_CHECK(p, flip_byte(pack2, from_end) == 0); /* repaired */
    }
    /* a damaged index: the pack is reported and none of it is trusted; verify fails */
    PROP_CHECK(p, flip_byte(pack2, DX_CAS_PACK_TRAILER_SIZE + 10) == 0); /* inside the last index entry */
    PROP_CHECK(p, dx_cas_dir_open(&d, &dc) == DX_OK && dx_cas_dir_store(&d, NULL, &s) == DX_OK);
    /* (found at the open; a pack that packs/index covers, in a build with a tiny DX_CAS_DIR_TABLE_MAX: by verify) */
    PROP_CHECK(p, dx_cas_store_verify(&s, NULL, 0, NULL, NULL, NULL, &rep) == DX_ERR_CORRUPT);
    PROP_CHECK_MSG(p, d.bad_packs == 1 && strstr(pack2, d.bad_pack) != NULL, "%u bad packs (%s)", (unsigned)d.bad_packs, d.bad_pack);
    PROP_CHECK(p, dx_cas_store_get(&s, &ids[1], buf, sizeof buf) == DX_ERR_NOTFOUND);
    PROP_CHECK(p, dx_cas_store_get(&s, &looseid, buf, sizeof buf) == 11); /* loose objects still read */
    dx_cas_dir_close(&d);
    PROP_CHECK(p, flip_byte(pack2, DX_CAS_PACK_TRAILER_SIZE + 10) == 0); /* repaired */
    PROP_CHECK(p, dx_cas_dir_open(&d, &dc) == DX_OK && d.bad_packs == 0);
    dx_cas_dir_close(&d);
    rm_rf(path);
    return 0;
}

/* Crash safety: a child writes objects (fsync on, one line per object it was
   told is stored) and is killed with SIGKILL, many times. The kill waits for
   an event, never for a duration: once the writer has reported k objects
   (k random), the parent lets it run on for a random number of yields and
   kills it wherever it is, most often inside the next put. Afterwards verify
   sees no corrupt object, every reported object is there and intact, and the
   next open removes the dead writer's temporary files. DX_CRASH_ROUNDS=N runs
   N rounds (default 12); the store starts anew every 16 rounds so that a long
   run does not verify an ever larger store. */
static int crash_read_report(int fd, char *buf, size_t cap, size_t *got) {
    struct pollfd pfd;
    ssize_t n;
    pfd.fd = fd, pfd.events = POLLIN, pfd.revents = 0;
    if (poll(&pfd, 1, 600000) != 1) return -1; /* watchdog only: syncfs on a loaded disk is slow */
    n = read(fd, buf + *got, cap - 1 - *got);
    if (n <= 0) return -1;
    *got += (size_t)n;
    return 0;
}

/* The random delay before a kill: up to n yields while the child runs on. On a loaded
   machine a yield gives the CPU away for a whole time slice, so the child would get far
   more done than on a quiet one (and its reports overflow buf): the delay also ends once
   the child has reported more than max_steps lines in all, or has exited (EOF). The
   amount of work per round then depends on events, not on the machine's speed. */
static void crash_yield(int fd, long n, char *buf, size_t cap, size_t *got, int *steps, int max_steps) {
    for (; n > 0; n--) {
        struct pollfd pfd;
        pfd.fd = fd, pfd.events = POLLIN, pfd.revents = 0;
        if (poll(&pfd, 1, 0) == 1) {
            ssize_t r = *got + 1 < cap ? read(fd, buf + *got, cap - 1 - *got) : -1;
            size_t i;
            if (r <= 0) return; /* the child is gone (or buf is full) */
            for (i = *got; i < *got + (size_t)r; i++) *steps += buf[i] == '\n';
            *got += (size_t)r;
            if (*steps > max_steps) return;
        }
        sched_yield();
    }
}

static int t_dir_crash(prop_ctx *p) {
    char path[256];
    const char *env = getenv("DX_CRASH_ROUNDS");
    dx_cas_dir_config dc;
    int round, rounds = env ? atoi(env) : 12, reported_total = 0;
    prop_ctx g;
    static char reported[1 << 16];
    prop_ctx_init(&g, p->seed, (size_t)-1);
    scratch_dir(path, sizeof path, "crash", p->seed);
    memset(&dc, 0, sizeof dc);
    dc.path = path;
    dc.sync_each = true;
    PROP_CHECK_MSG(p, rounds > 0, "DX_CRASH_ROUNDS=%s: a positive number of rounds", env ? env : "");
    for (round = 0; round < rounds; round++) {
        int fds[2], status;
        size_t want = (size_t)prop_range(&g, 1, 8) * (DX_CAS_ID_TEXT_LEN + 1), got = 0;
        pid_t pid;
        ssize_t n;
        if (round % 16 == 0) rm_rf(path);
        if (pipe(fds) != 0) PROP_FAIL(p, "pipe");
        pid = fork();
        if (pid < 0) PROP_FAIL(p, "fork");
        if (pid == 0) { /* the writer */
            dx_cas_dir d;
            dx_cas_store s;
            static uint8_t obj[40000];
            uint64_t k;
            close(fds[0]);
            if (dx_cas_dir_open(&d, &dc) != DX_OK || dx_cas_dir_store(&d, NULL, &s) != DX_OK) _exit(3);
            for (k = 0;; k++) {
                dx_cas_id id;
                char line[DX_CAS_ID_TEXT_SIZE + 1];
                size_t len = 1 + (size_t)((k * 7919u + (uint64_t)round * 104729u) % sizeof obj);
                xorshift_bytes(((uint64_t)round << 32) + k + 1, obj, len);
                if (dx_cas_store_put(&s, obj, len, &id) != DX_OK) _exit(4);
                dx_cas_id_format(&id, line, sizeof line);
                line[DX_CAS_ID_TEXT_LEN] = '\n';
                if (write(fds[1], line, DX_CAS_ID_TEXT_LEN + 1) != DX_CAS_ID_TEXT_LEN + 1) _exit(5);
            }
        }
        close(fds[1]);
        while (got < want) /* the event: k objects reported stored */
            if (crash_read_report(fds[0], reported, sizeof reported, &got) != 0) break;
        {
            int more = 0; /* objects reported during the delay: at most 3 */
            crash_yield(fds[0], (long)prop_range(&g, 0, 64), reported, sizeof reported, &got, &more, 2);
        }
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        while ((n = read(fds[0], reported + got, sizeof reported - 1 - got)) > 0) got += (size_t)n;
        close(fds[0]);
        PROP_CHECK_MSG(p, WIFSIGNALED(status), "round %d: the writer exited by itself (status %d)", round, status);
        PROP_CHECK_MSG(p, got >= want, "round %d: the writer reported %lu of %lu bytes before the watchdog", round,
                       (unsigned long)got, (unsigned long)want);
        {
            dx_cas_dir d;
            dx_cas_store s;
            dx_cas_verify_report rep;
            dx_result r;
            size_t at;
            PROP_CHECK(p, dx_cas_dir_open(&d, &dc) == DX_OK && dx_cas_dir_store(&d, NULL, &s) == DX_OK);
            r = dx_cas_store_verify(&s, NULL, 0, NULL, NULL, NULL, &rep);
            PROP_CHECK_MSG(p, r == DX_OK && rep.corrupt == 0, "round %d: verify %s, %llu corrupt", round, rn(r),
                           (unsigned long long)rep.corrupt);
            for (at = 0; at + DX_CAS_ID_TEXT_LEN + 1 <= got; at += DX_CAS_ID_TEXT_LEN + 1) {
                dx_cas_id id;
                static uint8_t back[40000];
                int64_t len;
                PROP_CHECK(p, dx_cas_id_parse(reported + at, DX_CAS_ID_TEXT_LEN, &id) == DX_OK);
                len = dx_cas_store_get(&s, &id, back, sizeof back);
                PROP_CHECK_MSG(p, len > 0, "round %d: a reported object is %s", round, rn(len));
                reported_total++;
            }
            dx_cas_dir_close(&d);
        }
        {
            char cmd[400];
            FILE *f;
            int leftovers = -1;
            snprintf(cmd, sizeof cmd, "ls '%s/tmp' | wc -l", path);
            f = popen(cmd, "r");
            if (f) {
                if (fscanf(f, "%d", &leftovers) != 1) leftovers = -1;
                pclose(f);
            }
            PROP_CHECK_MSG(p, leftovers == 0, "round %d: %d temporary files left after the open", round, leftovers);
        }
    }
    fprintf(stderr, "t_dir_crash: %d kills, %d reported objects all intact\n", rounds, reported_total);
    rm_rf(path);
    return 0;
}

/* Crash safety of the default (batch) mode, as a snapshot tool uses it: a child
   takes snapshots one after another (files as blobs, a tree, dx_cas_store_sync,
   then the refs "s<k>" and "latest") and tells the parent of every step; the
   parent kills it with SIGKILL after a random number of steps (plus a random
   number of yields), so kills land while objects are written, while a batch is
   synced (renamed into place) and while refs are written. Afterwards, opened
   again: no temporary file is left, every ref names a complete snapshot (verify
   from it finds nothing missing or corrupt), every ref the child reported is
   there and names what it reported, and a verify of the whole store is clean.
   A process kill keeps the page cache: it checks the order of what becomes
   visible, not durability across a power cut. DX_CRASH_ROUNDS as above. */
typedef struct crash_refs {
    int n;
    dx_cas_id roots[256];
} crash_refs;

static dx_result crash_ref_cb(void *user, const char *name, const dx_cas_id *id) {
    crash_refs *c = (crash_refs *)user;
    (void)name;
    if (c->n < 256) c->roots[c->n++] = *id;
    return DX_OK;
}

static void crash_batch_writer(const dx_cas_dir_config *dc, int round, int fd) {
    dx_cas_dir d;
    dx_cas_store s;
    static uint8_t data[70000];
    uint64_t k;
    if (dx_cas_dir_open(&d, dc) != DX_OK || dx_cas_dir_store(&d, NULL, &s) != DX_OK) _exit(3);
    for (k = 0;; k++) {
        dx_cas_tree_entry e[12];
        char names[12][8], line[16 + DX_CAS_ID_TEXT_SIZE], ref[24];
        uint8_t tree[12 * (DX_CAS_TREE_ENTRY_FIXED + 8) + DX_CAS_TREE_HEADER_SIZE];
        dx_cas_id root;
        int64_t n;
        size_t i, files = 3 + (size_t)((k * 5 + (uint64_t)round) % 10);
        for (i = 0; i < files; i++) {
            dx_cas_blob_writer w;
            dx_cas_blob_writer_config wc;
            uint64_t seed = ((uint64_t)round << 40) + (k << 8) + i + 1;
            size_t len = (size_t)(seed * 2654435761u % sizeof data);
            if (i % 3 == 0) seed = i + 1; /* some files repeat across snapshots: dedup inside and across batches */
            xorshift_bytes(seed, data, len);
            memset(&wc, 0, sizeof wc);
            wc.store = &s;
            if (dx_cas_blob_writer_create(&w, &wc) != DX_OK || dx_cas_blob_writer_write(&w, data, len) != DX_OK ||
                dx_cas_blob_writer_finish(&w, &e[i].id, NULL) != DX_OK)
                _exit(4);
            dx_cas_blob_writer_destroy(&w);
            snprintf(names[i], sizeof names[i], "f%03u", (unsigned)i);
            e[i].name = names[i], e[i].name_len = 4, e[i].mode = DX_CAS_MODE_FILE, e[i].size = len;
            if (write(fd, "f\n", 2) != 2) _exit(5); /* a step: one file stored (pending) */
        }
        n = dx_cas_tree_encode(s.hash_alg.alg, e, files, tree, sizeof tree);
        if (n < 0 || dx_cas_store_put(&s, tree, (size_t)n, &root) != DX_OK) _exit(6);
        if (write(fd, "t\n", 2) != 2) _exit(5); /* the sync begins */
        if (dx_cas_store_sync(&s) != DX_OK) _exit(7);
        if (write(fd, "s\n", 2) != 2) _exit(5); /* the refs are written */
        snprintf(ref, sizeof ref, "s%llu", (unsigned long long)k);
        if (dx_cas_dir_ref_set(&d, ref, &root) != DX_OK || dx_cas_dir_ref_set(&d, "latest", &root) != DX_OK) _exit(8);
        n = snprintf(line, sizeof line, "r %s ", ref);
        dx_cas_id_format(&root, line + n, sizeof line - (size_t)n);
        strcat(line, "\n");
        if (write(fd, line, strlen(line)) != (ssize_t)strlen(line)) _exit(5);
    }
}

static int t_dir_crash_batch(prop_ctx *p) {
    char path[256];
    const char *env = getenv("DX_CRASH_ROUNDS");
    dx_cas_dir_config dc;
    int round, rounds = env ? atoi(env) : 12, refs_checked = 0, after[4] = {0, 0, 0, 0};
    prop_ctx g;
    static char rep[1 << 16];
    prop_ctx_init(&g, p->seed, (size_t)-1);
    scratch_dir(path, sizeof path, "crashb", p->seed);
    memset(&dc, 0, sizeof dc); /* the defaults: batches, synced, compressed when built with zstd */
    dc.path = path;
    PROP_CHECK_MSG(p, rounds > 0, "DX_CRASH_ROUNDS=%s: a positive number of rounds", env ? env : "");
    for (round = 0; round < rounds; round++) {
        int fds[2], status, yields, steps = 0, want = (int)prop_range(&g, 1, 40);
        size_t got = 0, at;
        pid_t pid;
        ssize_t n;
        if (round % 8 == 0) rm_rf(path);
        if (pipe(fds) != 0) PROP_FAIL(p, "pipe");
        pid = fork();
        if (pid < 0) PROP_FAIL(p, "fork");
        if (pid == 0) {
            close(fds[0]);
            crash_batch_writer(&dc, round, fds[1]);
            _exit(9);
        }
        close(fds[1]);
        while (steps < want) { /* the event: that many steps reported */
            size_t before = got;
            if (crash_read_report(fds[0], rep, sizeof rep, &got) != 0) break;
            for (at = before; at < got; at++) steps += rep[at] == '\n';
        }
        /* 0 to ~32k yields, log-uniform: from at once to well into the sync (no clock involved) */
        yields = (int)prop_range(&g, 0, (uint64_t)1 << prop_range(&g, 0, 15));
        crash_yield(fds[0], yields, rep, sizeof rep, &got, &steps, want + 3);
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        while ((n = read(fds[0], rep + got, sizeof rep - 1 - got)) > 0) got += (size_t)n;
        close(fds[0]);
        rep[got] = 0;
        PROP_CHECK_MSG(p, WIFSIGNALED(status), "round %d: the writer exited by itself (status %d)", round, status);
        PROP_CHECK_MSG(p, steps >= want, "round %d: %d of %d steps before the watchdog", round, steps, want);
        if (got >= 2) after[rep[got - 2] == 'f' ? 0 : rep[got - 2] == 't' ? 1 : rep[got - 2] == 's' ? 2 : 3]++;
        {
            dx_cas_dir d;
            dx_cas_store s;
            dx_cas_verify_report vr;
            crash_refs cr;
            dx_result r;
            int i;
            char *line;
            PROP_CHECK(p, dx_cas_dir_open(&d, &dc) == DX_OK && dx_cas_dir_store(&d, NULL, &s) == DX_OK);
            memset(&cr, 0, sizeof cr);
            PROP_CHECK(p, dx_cas_dir_ref_list(&d, crash_ref_cb, &cr) == DX_OK);
            for (i = 0; i < cr.n; i++) { /* every ref: a complete snapshot */
                r = dx_cas_store_verify(&s, &cr.roots[i], 1, NULL, NULL, NULL, &vr);
                PROP_CHECK_MSG(p, r == DX_OK && vr.missing == 0 && vr.corrupt == 0,
                               "round %d: ref %d of %d: verify %s, %llu missing, %llu corrupt", round, i, cr.n, rn(r),
                               (unsigned long long)vr.missing, (unsigned long long)vr.corrupt);
                refs_checked++;
            }
            for (line = strstr(rep, "r "); line; line = strstr(line + 1, "\nr ")) { /* every reported ref is there */
                char name[24];
                dx_cas_id want_id, have;
                char *sp;
                if (*line == '\n') line++;
                sp = strchr(line + 2, ' ');
                PROP_CHECK(p, sp && sp - (line + 2) < (long)sizeof name);
                memcpy(name, line + 2, (size_t)(sp - (line + 2)));
                name[sp - (line + 2)] = 0;
                PROP_CHECK(p, dx_cas_id_parse(sp + 1, DX_CAS_ID_TEXT_LEN, &want_id) == DX_OK);
                PROP_CHECK_MSG(p, dx_cas_dir_ref_get(&d, name, &have) == DX_OK && dx_cas_id_equal(&have, &want_id),
                               "round %d: reported ref %s lost", round, name);
            }
            r = dx_cas_store_verify(&s, cr.roots, (size_t)cr.n, NULL, NULL, NULL, &vr);
            PROP_CHECK_MSG(p, r == DX_OK && vr.corrupt == 0 && vr.missing == 0, "round %d: verify of the store: %s", round, rn(r));
            dx_cas_dir_close(&d);
        }
        {
            char cmd[400];
            FILE *f;
            int leftovers = -1;
            snprintf(cmd, sizeof cmd, "ls '%s/tmp' | wc -l", path);
            if ((f = popen(cmd, "r")) != NULL) {
                if (fscanf(f, "%d", &leftovers) != 1) leftovers = -1;
                pclose(f);
            }
            PROP_CHECK_MSG(p, leftovers == 0, "round %d: %d temporary files left after the open", round, leftovers);
        }
    }
    fprintf(stderr, "t_dir_crash_batch: %d kills (reported last: %d a file, %d the start of a sync, %d its end, %d a ref), "
            "%d refs verified complete\n", rounds, after[0], after[1], after[2], after[3], refs_checked);
    rm_rf(path);
    return 0;
}

/* Crash safety of gc on packs: a store of five snapshots (in packs) loses the refs of two; a
   child runs gc (deleting their objects, so every pack that held one is rewritten: the live
   objects copied into a new pack, the old file removed once the new one is in place) and is
   killed with SIGKILL at a random point (an event, then a random number of yields). Afterwards
   every remaining ref names a complete snapshot, a verify of the store is clean, and no
   temporary file is left. DX_CRASH_ROUNDS as above. */
static dx_result crash_gc_snapshot(dx_cas_dir *d, dx_cas_store *s, uint64_t seed, dx_cas_id *root) {
    static uint8_t data[70000];
    dx_cas_tree_entry e[5];
    char names[5][8];
    uint8_t tree[5 * (DX_CAS_TREE_ENTRY_FIXED + 8) + DX_CAS_TREE_HEADER_SIZE];
    int64_t n;
    size_t i;
    dx_result r = DX_OK;
    (void)d;
    for (i = 0; i < 5 && r == DX_OK; i++) {
        dx_cas_blob_writer w;
        dx_cas_blob_writer_config wc;
        size_t len = (size_t)((seed * 2654435761u + i * 40503u) % sizeof data);
        xorshift_bytes(i == 0 ? 1 : seed * 16 + i, data, len); /* file 0 is in every snapshot */
        memset(&wc, 0, sizeof wc);
        wc.store = s;
        if ((r = dx_cas_blob_writer_create(&w, &wc)) != DX_OK) break;
        r = dx_cas_blob_writer_write(&w, data, len);
        if (r == DX_OK) r = dx_cas_blob_writer_finish(&w, &e[i].id, NULL);
        dx_cas_blob_writer_destroy(&w);
        snprintf(names[i], sizeof names[i], "f%03u", (unsigned)i);
        e[i].name = names[i], e[i].name_len = 4, e[i].mode = DX_CAS_MODE_FILE, e[i].size = len;
    }
    if (r != DX_OK) return r;
    n = dx_cas_tree_encode(s->hash_alg.alg, e, 5, tree, sizeof tree);
    if (n < 0) return (dx_result)n;
    if ((r = dx_cas_store_put(s, tree, (size_t)n, root)) != DX_OK) return r;
    return dx_cas_store_sync(s); /* one batch, so one pack, per snapshot */
}

static int t_dir_crash_gc(prop_ctx *p) {
    char path[256];
    const char *env = getenv("DX_CRASH_ROUNDS");
    dx_cas_dir_config dc;
    int round, rounds = env ? atoi(env) : 12, finished = 0;
    prop_ctx g;
    prop_ctx_init(&g, p->seed, (size_t)-1);
    scratch_dir(path, sizeof path, "crashgc", p->seed);
    memset(&dc, 0, sizeof dc);
    dc.path = path;
    PROP_CHECK_MSG(p, rounds > 0, "DX_CRASH_ROUNDS=%s: a positive number of rounds", env ? env : "");
    for (round = 0; round < rounds; round++) {
        dx_cas_id roots[5];
        int fds[2], status, yields, k;
        char c;
        pid_t pid;
        rm_rf(path);
        {
            dx_cas_dir d;
            dx_cas_store s;
            PROP_CHECK(p, dx_cas_dir_open(&d, &dc) == DX_OK && dx_cas_dir_store(&d, NULL, &s) == DX_OK);
            for (k = 0; k < 5; k++) {
                char ref[16];
                PROP_CHECK(p, crash_gc_snapshot(&d, &s, (uint64_t)round * 8 + (uint64_t)k + 1, &roots[k]) == DX_OK);
                snprintf(ref, sizeof ref, "s%d", k);
                if (k != 1 && k != 3) PROP_CHECK(p, dx_cas_dir_ref_set(&d, ref, &roots[k]) == DX_OK); /* s1, s3: garbage */
            }
            dx_cas_dir_close(&d);
        }
        PROP_CHECK_MSG(p, count_packs(path, NULL, 0) >= 5, "round %d: %d packs", round, count_packs(path, NULL, 0));
        if (pipe(fds) != 0) PROP_FAIL(p, "pipe");
        pid = fork();
        if (pid < 0) PROP_FAIL(p, "fork");
        if (pid == 0) { /* the gc */
            dx_cas_dir d;
            dx_cas_store s;
            dx_cas_id keep[3];
            dx_cas_gc_report rep;
            close(fds[0]);
            keep[0] = roots[0], keep[1] = roots[2], keep[2] = roots[4];
            if (dx_cas_dir_open(&d, &dc) != DX_OK || dx_cas_dir_store(&d, NULL, &s) != DX_OK) _exit(3);
            if (write(fds[1], "g", 1) != 1) _exit(5);
            if (dx_cas_store_gc(&s, keep, 3, 0, 0, &rep) != DX_OK || rep.deleted == 0) _exit(4);
            dx_cas_dir_close(&d);
            _exit(0);
        }
        close(fds[1]);
        if (read(fds[0], &c, 1) != 1) PROP_FAIL(p, "round %d: the gc did not start", round);
        /* 0 to ~260k yields, log-uniform: from the mark phase to the packs' rewrite, or after the end */
        {
            char scratch[16];
            size_t none = 0;
            int ignored = 0;
            yields = (int)prop_range(&g, 0, (uint64_t)1 << prop_range(&g, 0, 18));
            crash_yield(fds[0], yields, scratch, sizeof scratch, &none, &ignored, 1 << 30); /* ends at the gc's exit */
        }
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        close(fds[0]);
        if (WIFEXITED(status)) {
            PROP_CHECK_MSG(p, WEXITSTATUS(status) == 0, "round %d: gc failed (status %d)", round, WEXITSTATUS(status));
            finished++;
        }
        {
            dx_cas_dir d;
            dx_cas_store s;
            dx_cas_verify_report vr;
            dx_cas_id keep[3];
            dx_result r;
            keep[0] = roots[0], keep[1] = roots[2], keep[2] = roots[4];
            PROP_CHECK(p, dx_cas_dir_open(&d, &dc) == DX_OK && dx_cas_dir_store(&d, NULL, &s) == DX_OK && d.bad_packs == 0);
            r = dx_cas_store_verify(&s, keep, 3, NULL, NULL, NULL, &vr);
            PROP_CHECK_MSG(p, r == DX_OK && vr.missing == 0 && vr.corrupt == 0, "round %d: after a killed gc: verify %s, %llu missing, %llu corrupt",
                           round, rn(r), (unsigned long long)vr.missing, (unsigned long long)vr.corrupt);
            dx_cas_dir_close(&d);
        }
        PROP_CHECK_MSG(p, count_files(path, "tmp") == 0, "round %d: %d temporary files left after the open", round,
                       count_files(path, "tmp"));
    }
    { /* and a gc that runs to its end: garbage gone, packs rewritten, the rest intact */
        dx_cas_dir d;
        dx_cas_store s;
        dx_cas_gc_report rep;
        dx_cas_verify_report vr;
        dx_cas_id roots[3];
        crash_refs cr;
        memset(&cr, 0, sizeof cr);
        PROP_CHECK(p, dx_cas_dir_open(&d, &dc) == DX_OK && dx_cas_dir_store(&d, NULL, &s) == DX_OK);
        PROP_CHECK(p, dx_cas_dir_ref_list(&d, crash_ref_cb, &cr) == DX_OK && cr.n == 3);
        memcpy(roots, cr.roots, sizeof roots);
        PROP_CHECK(p, dx_cas_store_gc(&s, roots, 3, 0, 0, &rep) == DX_OK);
        PROP_CHECK(p, dx_cas_store_verify(&s, roots, 3, NULL, NULL, NULL, &vr) == DX_OK && vr.missing == 0);
        dx_cas_dir_close(&d);
        PROP_CHECK(p, dx_cas_dir_open(&d, &dc) == DX_OK && dx_cas_dir_store(&d, NULL, &s) == DX_OK);
        PROP_CHECK(p, dx_cas_store_gc(&s, roots, 3, 0, DX_CAS_GC_DRY_RUN, &rep) == DX_OK);
        PROP_CHECK_MSG(p, rep.deleted == 0, "%llu objects still garbage after a whole gc", (unsigned long long)rep.deleted);
        PROP_CHECK(p, dx_cas_store_verify(&s, roots, 3, NULL, NULL, NULL, &vr) == DX_OK && vr.missing == 0);
        dx_cas_dir_close(&d);
    }
    fprintf(stderr, "t_dir_crash_gc: %d kills (%d gcs finished first), every kept snapshot complete\n", rounds, finished);
    rm_rf(path);
    return 0;
}

/* Several processes put the same objects into one store at the same time
   (each with its own dx_cas_dir): every object ends up there once, intact,
   and no temporary file is left. */
static int t_dir_concurrent(prop_ctx *p) {
    char path[256], cmd[400];
    dx_cas_dir_config dc;
    dx_cas_dir d;
    dx_cas_store s;
    dx_cas_verify_report rep;
    pid_t pids[3];
    int i, status, leftovers = -1;
    unsigned long count = 0;
    FILE *f;
    scratch_dir(path, sizeof path, "conc", p->seed);
    memset(&dc, 0, sizeof dc);
    dc.path = path;
    PROP_CHECK(p, dx_cas_dir_open(&d, &dc) == DX_OK);
    dx_cas_dir_close(&d);
    for (i = 0; i < 3; i++) {
        pids[i] = fork();
        if (pids[i] < 0) PROP_FAIL(p, "fork");
        if (pids[i] == 0) {
            uint8_t obj[5000];
            int k;
            dc.sync_each = i != 2; /* one of them in batch mode */
            if (dx_cas_dir_open(&d, &dc) != DX_OK || dx_cas_dir_store(&d, NULL, &s) != DX_OK) _exit(3);
            for (k = 0; k < 60; k++) {
                int o = (k * 7 + i * 13) % 60; /* the same 60 objects, in different orders */
                xorshift_bytes((uint64_t)o + 1, obj, sizeof obj - (size_t)o);
                if (dx_cas_store_put(&s, obj, sizeof obj - (size_t)o, NULL) != DX_OK) _exit(4);
            }
            _exit(dx_cas_store_sync(&s) == DX_OK ? 0 : 5);
        }
    }
    for (i = 0; i < 3; i++) {
        PROP_CHECK(p, waitpid(pids[i], &status, 0) == pids[i]);
        PROP_CHECK_MSG(p, WIFEXITED(status) && WEXITSTATUS(status) == 0, "writer %d: status %d", i, status);
    }
    PROP_CHECK(p, dx_cas_dir_open(&d, &dc) == DX_OK && dx_cas_dir_store(&d, NULL, &s) == DX_OK);
    PROP_CHECK(p, dx_cas_store_verify(&s, NULL, 0, NULL, NULL, NULL, &rep) == DX_OK && rep.corrupt == 0);
    PROP_CHECK(p, dx_cas_store_iterate(&s, count_cb, &count) == DX_OK);
    PROP_CHECK_MSG(p, count == 60, "%lu objects, want 60", count);
    snprintf(cmd, sizeof cmd, "ls '%s/tmp' | wc -l", path);
    if ((f = popen(cmd, "r")) != NULL) {
        if (fscanf(f, "%d", &leftovers) != 1) leftovers = -1;
        pclose(f);
    }
    PROP_CHECK_MSG(p, leftovers == 0, "%d temporary files left", leftovers);
    dx_cas_dir_close(&d);
    rm_rf(path);
    return 0;
}
#else
static int t_dir_store(prop_ctx *p) { PROP_SKIP(p, "no directory store in this build (Windows or DX_CAS_NO_STDIO)"); }
static int t_dir_crash(prop_ctx *p) { PROP_SKIP(p, "no directory store in this build (Windows or DX_CAS_NO_STDIO)"); }
static int t_dir_crash_batch(prop_ctx *p) { PROP_SKIP(p, "no directory store in this build (Windows or DX_CAS_NO_STDIO)"); }
static int t_dir_pack(prop_ctx *p) { PROP_SKIP(p, "no directory store in this build (Windows or DX_CAS_NO_STDIO)"); }
static int t_dir_pack_table(prop_ctx *p) { PROP_SKIP(p, "no directory store in this build (Windows or DX_CAS_NO_STDIO)"); }
static int t_dir_index(prop_ctx *p) { PROP_SKIP(p, "no directory store in this build (Windows or DX_CAS_NO_STDIO)"); }
static int t_gc_marks(prop_ctx *p) { PROP_SKIP(p, "no directory store in this build (Windows or DX_CAS_NO_STDIO)"); }
static int t_dir_crash_gc(prop_ctx *p) { PROP_SKIP(p, "no directory store in this build (Windows or DX_CAS_NO_STDIO)"); }
static int t_dir_concurrent(prop_ctx *p) { PROP_SKIP(p, "no directory store in this build (Windows or DX_CAS_NO_STDIO)"); }
#endif


/* ---- trees, refs, gc ---- */

static int t_tree_objects(prop_ctx *p) {
    dx_cas_tree_entry e[4], back;
    dx_cas_tree t;
    dx_cas_hash_alg alg;
    uint8_t buf[512];
    int64_t n;
    size_t pos = 0, i, k = 0;
    static const char *names[] = {"README", "a.out", "lib", "\xc3\xa9t\xc3\xa9"}; /* byte order */
    static const uint32_t modes[] = {DX_CAS_MODE_FILE, DX_CAS_MODE_EXEC, DX_CAS_MODE_DIR, DX_CAS_MODE_SYMLINK};
    dx_cas_hash_alg_init(&alg, DX_CAS_ALG_SHA256);
    for (i = 0; i < 4; i++) {
        e[i].name = names[i], e[i].name_len = strlen(names[i]), e[i].mode = modes[i];
        e[i].size = modes[i] == DX_CAS_MODE_DIR ? 0 : 1000 * i + 7;
        dx_cas_id_hash(&alg, names[i], strlen(names[i]), &e[i].id);
    }
    n = dx_cas_tree_encode(DX_CAS_ALG_SHA256, e, 4, buf, sizeof buf);
    PROP_CHECK_MSG(p, n == 12 + 4 * 46 + 6 + 5 + 3 + 5, "encode: %s", rn(n));
    PROP_CHECK(p, dx_cas_tree_encode(DX_CAS_ALG_SHA256, e, 4, buf, (size_t)n - 1) == DX_ERR_NOSPACE);
    PROP_CHECK(p, dx_cas_tree_parse(buf, (size_t)n, 0, &t) == DX_OK && t.count == 4);
    while (dx_cas_tree_next(&t, &pos, &back)) {
        PROP_CHECK(p, back.name_len == e[k].name_len && memcmp(back.name, e[k].name, back.name_len) == 0);
        PROP_CHECK(p, back.mode == e[k].mode && back.size == e[k].size && dx_cas_id_equal(&back.id, &e[k].id));
        k++;
    }
    PROP_CHECK(p, k == 4);
    PROP_CHECK(p, dx_cas_tree_parse(buf, (size_t)n, 3, &t) == DX_ERR_LIMIT);
    for (i = 0; i < (size_t)n; i++) PROP_CHECK(p, dx_cas_tree_parse(buf, i, 0, &t) < 0); /* every truncation */
    buf[n] = 0;
    PROP_CHECK(p, dx_cas_tree_parse(buf, (size_t)n + 1, 0, &t) == DX_ERR_CORRUPT); /* trailing byte */
    { /* refused entries: unsorted, duplicate, bad names, bad mode, a dir with a size, a foreign id */
        dx_cas_tree_entry b[2];
        b[0] = e[1], b[1] = e[0];
        PROP_CHECK(p, dx_cas_tree_encode(DX_CAS_ALG_SHA256, b, 2, buf, sizeof buf) == DX_ERR_INVAL);
        b[0] = e[0], b[1] = e[0];
        PROP_CHECK(p, dx_cas_tree_encode(DX_CAS_ALG_SHA256, b, 2, buf, sizeof buf) == DX_ERR_INVAL);
        b[0] = e[0];
        b[0].name = "a/b", b[0].name_len = 3;
        PROP_CHECK(p, dx_cas_tree_encode(DX_CAS_ALG_SHA256, b, 1, buf, sizeof buf) == DX_ERR_INVAL);
        b[0].name = "..", b[0].name_len = 2;
        PROP_CHECK(p, dx_cas_tree_encode(DX_CAS_ALG_SHA256, b, 1, buf, sizeof buf) == DX_ERR_INVAL);
        b[0].name = "x", b[0].name_len = 0;
        PROP_CHECK(p, dx_cas_tree_encode(DX_CAS_ALG_SHA256, b, 1, buf, sizeof buf) == DX_ERR_INVAL);
        b[0] = e[0], b[0].mode = 0100600;
        PROP_CHECK(p, dx_cas_tree_encode(DX_CAS_ALG_SHA256, b, 1, buf, sizeof buf) == DX_ERR_INVAL);
        b[0] = e[2], b[0].size = 5;
        PROP_CHECK(p, dx_cas_tree_encode(DX_CAS_ALG_SHA256, b, 1, buf, sizeof buf) == DX_ERR_INVAL);
        b[0] = e[0];
        PROP_CHECK(p, dx_cas_tree_encode(DX_CAS_ALG_BLAKE3, b, 1, buf, sizeof buf) == DX_ERR_INVAL);
        PROP_CHECK(p, dx_cas_tree_encode(DX_CAS_ALG_SHA256, NULL, 0, buf, sizeof buf) == 12);
    }
    return 0;
}

static dx_result blob_of(dx_cas_store *s, const uint8_t *data, size_t len, dx_cas_id *out) {
    dx_cas_blob_writer w;
    dx_cas_chunker_config cfg;
    dx_result r;
    memset(&cfg, 0, sizeof cfg);
    cfg.min_size = 64, cfg.avg_size = 256, cfg.max_size = 1024;
    if ((r = writer_create(&w, s, &cfg)) != DX_OK) return r;
    r = dx_cas_blob_writer_write(&w, data, len);
    if (r == DX_OK) r = dx_cas_blob_writer_finish(&w, out, NULL);
    dx_cas_blob_writer_destroy(&w);
    return r;
}

/* GC keeps everything a root reaches (trees, manifests, chunks) and deletes the rest. */
static int p_gc(prop_ctx *p) {
    static uint8_t files[6][3000], out[3000];
    size_t lens[6];
    dx_cas_mem m;
    dx_cas_mem_config mc;
    dx_cas_store s;
    dx_cas_id blobs[6], sub, root, junk;
    dx_cas_tree_entry e[4];
    uint8_t tb[1024];
    int64_t n;
    dx_cas_gc_report rep;
    dx_cas_verify_report vr;
    dx_result r;
    int i, keep_sub = prop_bool(p);
    membuf mb;
    memset(&mc, 0, sizeof mc);
    PROP_CHECK(p, dx_cas_mem_create(&m, &mc) == DX_OK);
    dx_cas_mem_store(&m, NULL, &s);
    for (i = 0; i < 6; i++) {
        lens[i] = prop_len(p, sizeof files[i]);
        prop_bytes(p, files[i], lens[i]);
        if (blob_of(&s, files[i], lens[i], &blobs[i]) != DX_OK) PROP_FAIL(p, "blob %d", i);
    }
    /* sub = {c: blob2, d: blob3}; root = {a: blob0, b: blob1, s: sub}; blobs 4 and 5 are garbage */
    e[0].name = "c", e[0].name_len = 1, e[0].mode = DX_CAS_MODE_FILE, e[0].size = lens[2], e[0].id = blobs[2];
    e[1].name = "d", e[1].name_len = 1, e[1].mode = DX_CAS_MODE_EXEC, e[1].size = lens[3], e[1].id = blobs[3];
    n = dx_cas_tree_encode(s.hash_alg.alg, e, 2, tb, sizeof tb);
    PROP_CHECK(p, n > 0 && dx_cas_store_put(&s, tb, (size_t)n, &sub) == DX_OK);
    e[0].name = "a", e[0].mode = DX_CAS_MODE_FILE, e[0].size = lens[0], e[0].id = blobs[0];
    e[1].name = "b", e[1].mode = DX_CAS_MODE_SYMLINK, e[1].size = lens[1], e[1].id = blobs[1];
    e[2].name = "s", e[2].name_len = 1, e[2].mode = DX_CAS_MODE_DIR, e[2].size = 0, e[2].id = sub;
    n = dx_cas_tree_encode(s.hash_alg.alg, e, 3, tb, sizeof tb);
    PROP_CHECK(p, n > 0 && dx_cas_store_put(&s, tb, (size_t)n, &root) == DX_OK);
    PROP_CHECK(p, dx_cas_store_put(&s, "junk", 4, &junk) == DX_OK);
    {
        dx_cas_id roots[2];
        roots[0] = root, roots[1] = blobs[5];
        r = dx_cas_store_gc(&s, roots, keep_sub ? 2 : 1, 0, true, &rep); /* dry run: nothing goes */
        PROP_CHECK_MSG(p, r == DX_OK && rep.deleted >= 1, "dry run: %s", rn(r));
        PROP_CHECK(p, dx_cas_store_has(&s, &junk) == 4);
        r = dx_cas_store_gc(&s, roots, keep_sub ? 2 : 1, 0, false, &rep);
        PROP_CHECK_MSG(p, r == DX_OK, "gc: %s", rn(r));
    }
    PROP_CHECK(p, dx_cas_store_has(&s, &junk) == DX_ERR_NOTFOUND);
    PROP_CHECK(p, dx_cas_store_has(&s, &root) >= 0 && dx_cas_store_has(&s, &sub) >= 0);
    for (i = 0; i < 6; i++) { /* reachable blobs read back whole; blob 4 (and 5 unless a root) are gone */
        bool reachable = i < 4 || (i == 5 && keep_sub);
        mb.p = out, mb.len = 0, mb.cap = sizeof out;
        r = dx_cas_blob_read(&s, &blobs[i], NULL, membuf_write, &mb, NULL);
        if (reachable) PROP_CHECK_MSG(p, r == DX_OK && mb.len == lens[i] && memcmp(out, files[i], lens[i]) == 0,
                                      "blob %d after gc: %s", i, rn(r));
        else {
            int j, twin = 0; /* the same bytes as a reachable blob: the same manifest, kept */
            for (j = 0; j < 6; j++)
                if ((j < 4 || (j == 5 && keep_sub)) && lens[j] == lens[i] && memcmp(files[j], files[i], lens[i]) == 0)
                    twin = 1;
            if (!twin) PROP_CHECK_MSG(p, dx_cas_store_has(&s, &blobs[i]) == DX_ERR_NOTFOUND, "garbage blob %d kept", i);
        }
    }
    r = dx_cas_store_verify(&s, &root, 1, NULL, NULL, NULL, &vr);
    PROP_CHECK_MSG(p, r == DX_OK && vr.missing == 0, "verify after gc: %s", rn(r));
    /* a tree that names a missing object stops the gc before anything is swept */
    PROP_CHECK(p, dx_cas_store_delete(&s, &sub) == DX_OK);
    PROP_CHECK(p, dx_cas_store_put(&s, "junk2", 5, &junk) == DX_OK);
    r = dx_cas_store_gc(&s, &root, 1, 0, false, &rep);
    PROP_CHECK_MSG(p, r == DX_ERR_NOTFOUND && dx_cas_store_has(&s, &junk) == 5, "gc with a hole: %s", rn(r));
    dx_cas_mem_destroy(&m);
    return 0;
}

/* gc and verify with no valid root, and verify with objects missing (issue 12, item 2).
   A small snapshot: root = {a: blob A, s: sub}, sub = {c: blob C}; every blob is a manifest
   and its chunks. Run on a memory store and on a directory store (whose objects a user can
   delete by hand). */
typedef struct gc_snap {
    dx_cas_id root, sub, blob_a, blob_c, chunk_a;
    uint64_t objects;
} gc_snap;

static dx_result gc_snap_make(dx_cas_store *s, uint64_t seed, gc_snap *g) {
    static uint8_t a[2500], c[700];
    dx_cas_tree_entry e[2];
    uint8_t tb[512], man[DX_CAS_MANIFEST_HEADER_SIZE + 64 * DX_CAS_MANIFEST_ENTRY_SIZE];
    dx_cas_manifest m;
    int64_t n;
    dx_result r;
    xorshift_bytes(seed, a, sizeof a);
    xorshift_bytes(seed + 1, c, sizeof c);
    if ((r = blob_of(s, a, sizeof a, &g->blob_a)) != DX_OK || (r = blob_of(s, c, sizeof c, &g->blob_c)) != DX_OK) return r;
    e[0].name = "c", e[0].name_len = 1, e[0].mode = DX_CAS_MODE_FILE, e[0].size = sizeof c, e[0].id = g->blob_c;
    n = dx_cas_tree_encode(s->hash_alg.alg, e, 1, tb, sizeof tb);
    if (n < 0 || (r = dx_cas_store_put(s, tb, (size_t)n, &g->sub)) != DX_OK) return n < 0 ? (dx_result)n : r;
    e[0].name = "a", e[0].size = sizeof a, e[0].id = g->blob_a;
    e[1].name = "s", e[1].name_len = 1, e[1].mode = DX_CAS_MODE_DIR, e[1].size = 0, e[1].id = g->sub;
    n = dx_cas_tree_encode(s->hash_alg.alg, e, 2, tb, sizeof tb);
    if (n < 0 || (r = dx_cas_store_put(s, tb, (size_t)n, &g->root)) != DX_OK) return n < 0 ? (dx_result)n : r;
    n = dx_cas_store_get(s, &g->blob_a, man, sizeof man);
    if (n < 0 || (r = dx_cas_manifest_parse(&s->hash_alg, man, (size_t)n, NULL, &m)) != DX_OK || m.count < 2)
        return n < 0 ? (dx_result)n : DX_ERR_CORRUPT;
    dx_cas_manifest_entry(&m, 1, &g->chunk_a, NULL);
    g->objects = 0;
    if ((r = dx_cas_store_sync(s)) != DX_OK) return r; /* a directory store's batch into place */
    return dx_cas_store_iterate(s, count_cb, &g->objects);
}

typedef struct problems {
    int missing, corrupt, other;
    dx_cas_id last;
} problems;

static void on_problem(void *user, const dx_cas_id *id, dx_result what) {
    problems *pr = (problems *)user;
    if (what == DX_ERR_NOTFOUND) pr->missing++;
    else if (what == DX_ERR_CORRUPT || what == DX_ERR_CHECKSUM) pr->corrupt++;
    else pr->other++;
    pr->last = *id;
}

static int gc_verify_cases(prop_ctx *p, dx_cas_store *s, const char *kind) {
    gc_snap g;
    dx_cas_gc_report rep;
    dx_cas_verify_report vr;
    dx_cas_id garbage, absent, roots[2];
    problems pr;
    unsigned long count;
    dx_result r;
    PROP_CHECK_MSG(p, gc_snap_make(s, p->seed, &g) == DX_OK && g.objects >= 6, "%s: snapshot", kind);
    PROP_CHECK(p, dx_cas_store_put(s, "garbage\n", 8, &garbage) == DX_OK && dx_cas_store_sync(s) == DX_OK); /* a broken ref's target */
    dx_cas_id_hash(&s->hash_alg, "not stored", 10, &absent);
    /* no roots: refused, nothing deleted (it crashed, and would have emptied the store) */
    r = dx_cas_store_gc(s, NULL, 0, 0, 0, &rep);
    count = 0;
    PROP_CHECK(p, dx_cas_store_iterate(s, count_cb, &count) == DX_OK);
    PROP_CHECK_MSG(p, r == DX_CAS_ERR_NO_ROOTS && rep.deleted == 0 && count == g.objects + 1, "%s: gc, no roots: %s, %lu objects left",
                   kind, rn(r), count);
    r = dx_cas_store_gc(s, &g.root, 0, 0, DX_CAS_GC_DRY_RUN, &rep); /* a list, but empty */
    PROP_CHECK_MSG(p, r == DX_CAS_ERR_NO_ROOTS, "%s: gc dry run, no roots: %s", kind, rn(r));
    r = dx_cas_store_gc(s, NULL, 0, 0, DX_CAS_GC_DRY_RUN | DX_CAS_GC_ALLOW_NO_ROOTS, &rep);
    PROP_CHECK_MSG(p, r == DX_OK && rep.deleted == g.objects + 1 && rep.marked == 0, "%s: forced dry run: %s, %llu", kind, rn(r),
                   (unsigned long long)rep.deleted);
    PROP_CHECK(p, dx_cas_store_gc(s, &g.root, 1, 0, 0x80, &rep) == DX_ERR_INVAL); /* unknown flag */
    /* a root that does not parse (not a tree or manifest), or is not there: stops before any delete */
    roots[0] = g.root, roots[1] = garbage;
    r = dx_cas_store_gc(s, roots, 2, 0, 0, &rep);
    count = 0;
    PROP_CHECK(p, dx_cas_store_iterate(s, count_cb, &count) == DX_OK);
    PROP_CHECK_MSG(p, r == DX_ERR_CORRUPT && rep.deleted == 0 && count == g.objects + 1, "%s: gc, garbage root: %s, %lu left", kind,
                   rn(r), count);
    r = dx_cas_store_gc(s, &garbage, 1, 0, 0, &rep);
    PROP_CHECK_MSG(p, r == DX_ERR_CORRUPT && rep.deleted == 0, "%s: gc, only a garbage root: %s", kind, rn(r));
    roots[1] = absent;
    r = dx_cas_store_gc(s, roots, 2, 0, 0, &rep);
    count = 0;
    PROP_CHECK(p, dx_cas_store_iterate(s, count_cb, &count) == DX_OK);
    PROP_CHECK_MSG(p, r == DX_ERR_NOTFOUND && count == g.objects + 1, "%s: gc, missing root: %s, %lu left", kind, rn(r), count);
    /* verify: a clean snapshot, then a garbage root, a missing root */
    memset(&pr, 0, sizeof pr);
    r = dx_cas_store_verify(s, &g.root, 1, NULL, on_problem, &pr, &vr);
    PROP_CHECK_MSG(p, r == DX_OK && vr.missing == 0 && vr.corrupt == 0 && vr.manifests == 2 && pr.missing + pr.corrupt == 0,
                   "%s: verify, clean: %s", kind, rn(r));
    memset(&pr, 0, sizeof pr);
    r = dx_cas_store_verify(s, &garbage, 1, NULL, on_problem, &pr, &vr);
    PROP_CHECK_MSG(p, r == DX_ERR_CORRUPT && vr.corrupt == 1 && pr.corrupt == 1 && dx_cas_id_equal(&pr.last, &garbage),
                   "%s: verify, garbage root: %s, %llu corrupt", kind, rn(r), (unsigned long long)vr.corrupt);
    memset(&pr, 0, sizeof pr);
    r = dx_cas_store_verify(s, &absent, 1, NULL, on_problem, &pr, &vr);
    PROP_CHECK_MSG(p, r == DX_ERR_CORRUPT && vr.missing == 1 && pr.missing == 1 && dx_cas_id_equal(&pr.last, &absent),
                   "%s: verify, missing root: %s, %llu missing", kind, rn(r), (unsigned long long)vr.missing);
    /* verify: a chunk deleted, then a tree deleted: reported as missing, and not OK */
    PROP_CHECK(p, dx_cas_store_delete(s, &g.chunk_a) == DX_OK);
    memset(&pr, 0, sizeof pr);
    r = dx_cas_store_verify(s, &g.root, 1, NULL, on_problem, &pr, &vr);
    PROP_CHECK_MSG(p, r == DX_ERR_CORRUPT && vr.missing == 1 && vr.corrupt == 0 && pr.missing == 1 && dx_cas_id_equal(&pr.last, &g.chunk_a),
                   "%s: verify, a chunk deleted: %s, %llu missing", kind, rn(r), (unsigned long long)vr.missing);
    PROP_CHECK(p, dx_cas_store_delete(s, &g.sub) == DX_OK);
    memset(&pr, 0, sizeof pr);
    r = dx_cas_store_verify(s, &g.root, 1, NULL, on_problem, &pr, &vr);
    PROP_CHECK_MSG(p, r == DX_ERR_CORRUPT && vr.missing == 2 && pr.missing == 2, "%s: verify, a tree deleted: %s, %llu missing", kind,
                   rn(r), (unsigned long long)vr.missing);
    /* and gc refuses to sweep past the hole */
    r = dx_cas_store_gc(s, &g.root, 1, 0, 0, &rep);
    PROP_CHECK_MSG(p, r == DX_ERR_NOTFOUND && rep.deleted == 0 && dx_cas_store_has(s, &garbage) == 8, "%s: gc with holes: %s", kind, rn(r));
    /* forced, with no roots: every object goes, and the sweep does not crash */
    r = dx_cas_store_gc(s, NULL, 0, 0, DX_CAS_GC_ALLOW_NO_ROOTS, &rep);
    count = 0;
    PROP_CHECK(p, dx_cas_store_iterate(s, count_cb, &count) == DX_OK);
    PROP_CHECK_MSG(p, r == DX_OK && count == 0 && rep.deleted == g.objects + 1 - 2, "%s: forced gc: %s, %lu left, %llu deleted", kind,
                   rn(r), count, (unsigned long long)rep.deleted);
    return 0;
}

static int t_gc_verify_no_roots(prop_ctx *p) {
    dx_cas_mem m;
    dx_cas_mem_config mc;
    dx_cas_store s;
    memset(&mc, 0, sizeof mc);
    PROP_CHECK(p, dx_cas_mem_create(&m, &mc) == DX_OK && dx_cas_mem_store(&m, NULL, &s) == DX_OK);
    if (gc_verify_cases(p, &s, "memory store") != 0) {
        dx_cas_mem_destroy(&m);
        return 1;
    }
    dx_cas_mem_destroy(&m);
#if defined(DX_CAS_HAS_DIRSTORE)
    {
        char path[256];
        dx_cas_dir d;
        dx_cas_dir_config dc;
        int rc;
        scratch_dir(path, sizeof path, "gcv", p->seed);
        memset(&dc, 0, sizeof dc);
        dc.path = path, dc.no_sync = true;
        PROP_CHECK(p, dx_cas_dir_open(&d, &dc) == DX_OK && dx_cas_dir_store(&d, NULL, &s) == DX_OK);
        rc = gc_verify_cases(p, &s, "directory store");
        dx_cas_dir_close(&d);
        rm_rf(path);
        if (rc != 0) return rc;
    }
#endif
    return 0;
}

#if defined(DX_CAS_HAS_DIRSTORE)
static dx_result count_refs(void *user, const char *name, const dx_cas_id *id) {
    (void)name, (void)id;
    (*(int *)user)++;
    return DX_OK;
}
static int t_dir_refs(prop_ctx *p) {
    char path[256];
    dx_cas_dir d;
    dx_cas_dir_config dc;
    dx_cas_hash_alg alg;
    dx_cas_id a, b, back;
    int n = 0;
    scratch_dir(path, sizeof path, "refs", p->seed);
    memset(&dc, 0, sizeof dc);
    dc.path = path;
    PROP_CHECK(p, dx_cas_dir_open(&d, &dc) == DX_OK);
    dx_cas_hash_alg_init(&alg, 0);
    dx_cas_id_hash(&alg, "a", 1, &a);
    dx_cas_id_hash(&alg, "b", 1, &b);
    PROP_CHECK(p, dx_cas_dir_ref_get(&d, "main", &back) == DX_ERR_NOTFOUND);
    PROP_CHECK(p, dx_cas_dir_ref_set(&d, "main", &a) == DX_OK && dx_cas_dir_ref_set(&d, "v1.0_x-y", &b) == DX_OK);
    PROP_CHECK(p, dx_cas_dir_ref_get(&d, "main", &back) == DX_OK && dx_cas_id_equal(&back, &a));
    PROP_CHECK(p, dx_cas_dir_ref_set(&d, "main", &b) == DX_OK); /* replaced atomically */
    PROP_CHECK(p, dx_cas_dir_ref_get(&d, "main", &back) == DX_OK && dx_cas_id_equal(&back, &b));
    PROP_CHECK(p, dx_cas_dir_ref_list(&d, count_refs, &n) == DX_OK && n == 2);
    PROP_CHECK(p, dx_cas_dir_ref_set(&d, "../x", &a) == DX_ERR_INVAL && dx_cas_dir_ref_set(&d, ".hidden", &a) == DX_ERR_INVAL);
    PROP_CHECK(p, dx_cas_dir_ref_set(&d, "", &a) == DX_ERR_INVAL && dx_cas_dir_ref_get(&d, "a b", &back) == DX_ERR_INVAL);
    PROP_CHECK(p, dx_cas_dir_ref_delete(&d, "main") == DX_OK && dx_cas_dir_ref_delete(&d, "main") == DX_ERR_NOTFOUND);
    dx_cas_dir_close(&d);
    rm_rf(path);
    return 0;
}

/* refs that do not read are reported, never skipped (0.3.0): a gc built on the list must not lose their snapshots */
typedef struct ref_problems {
    int good, corrupt, inval, io;
    char last[128];
} ref_problems;
static dx_result count_good_ref(void *user, const char *name, const dx_cas_id *id) {
    (void)name, (void)id;
    ((ref_problems *)user)->good++;
    return DX_OK;
}
static void note_bad_ref(void *user, const char *name, dx_result what) {
    ref_problems *q = (ref_problems *)user;
    snprintf(q->last, sizeof q->last, "%s", name);
    if (what == DX_ERR_CORRUPT) q->corrupt++;
    else if (what == DX_ERR_INVAL) q->inval++;
    else if (what == DX_ERR_IO) q->io++;
}
static int write_text(const char *dir, const char *name, const char *text) {
    char path[512];
    FILE *f;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (!(f = fopen(path, "wb"))) return -1;
    fputs(text, f);
    return fclose(f);
}
static int t_dir_ref_problems(prop_ctx *p) {
    char path[256], refs[300], text[DX_CAS_ID_TEXT_SIZE + 8], sub[320];
    dx_cas_dir d;
    dx_cas_dir_config dc;
    dx_cas_hash_alg alg;
    dx_cas_id a, back;
    ref_problems q;
    int n = 0;
    scratch_dir(path, sizeof path, "refbad", p->seed);
    memset(&dc, 0, sizeof dc);
    dc.path = path, dc.no_sync = true;
    PROP_CHECK(p, dx_cas_dir_open(&d, &dc) == DX_OK);
    dx_cas_hash_alg_init(&alg, 0);
    dx_cas_id_hash(&alg, "a", 1, &a);
    PROP_CHECK(p, dx_cas_dir_ref_set(&d, "good", &a) == DX_OK);
    snprintf(refs, sizeof refs, "%s/refs", path);
    PROP_CHECK(p, write_text(refs, "v2", "garbage\n") == 0);
    PROP_CHECK(p, dx_cas_dir_ref_get(&d, "v2", &back) == DX_ERR_CORRUPT);
    memset(&q, 0, sizeof q);
    PROP_CHECK(p, dx_cas_dir_ref_scan(&d, count_good_ref, note_bad_ref, &q) == DX_ERR_CORRUPT);
    PROP_CHECK(p, q.good == 1 && q.corrupt == 1 && !strcmp(q.last, "v2") && d.bad_refs == 1 && !strcmp(d.bad_ref, "v2"));
    PROP_CHECK(p, dx_cas_dir_ref_list(&d, count_refs, &n) == DX_ERR_CORRUPT && n == 1); /* no longer skipped */
    /* an id followed by more than a newline, an id cut short, an empty file: not refs */
    dx_cas_id_format(&a, text, sizeof text);
    strcat(text, "\nx");
    PROP_CHECK(p, write_text(refs, "v2", text) == 0 && dx_cas_dir_ref_get(&d, "v2", &back) == DX_ERR_CORRUPT);
    text[DX_CAS_ID_TEXT_LEN - 1] = 0;
    PROP_CHECK(p, write_text(refs, "v2", text) == 0 && dx_cas_dir_ref_get(&d, "v2", &back) == DX_ERR_CORRUPT);
    PROP_CHECK(p, write_text(refs, "v2", "") == 0 && dx_cas_dir_ref_get(&d, "v2", &back) == DX_ERR_CORRUPT);
    dx_cas_id_format(&a, text, sizeof text); /* without the newline: still a ref */
    PROP_CHECK(p, write_text(refs, "v2", text) == 0 && dx_cas_dir_ref_get(&d, "v2", &back) == DX_OK && dx_cas_id_equal(&back, &a));
    /* a name that is not a ref name, and a folder */
    PROP_CHECK(p, write_text(refs, "my snap", text) == 0);
    snprintf(sub, sizeof sub, "%s/sub", refs);
    PROP_CHECK(p, mkdir(sub, 0755) == 0);
    memset(&q, 0, sizeof q);
    PROP_CHECK(p, dx_cas_dir_ref_scan(&d, count_good_ref, note_bad_ref, &q) == DX_ERR_CORRUPT);
    PROP_CHECK(p, q.good == 2 && q.inval == 1 && q.io == 1 && q.corrupt == 0 && d.bad_refs == 2);
    PROP_CHECK(p, rmdir(sub) == 0);
    snprintf(sub, sizeof sub, "%s/my snap", refs);
    PROP_CHECK(p, remove(sub) == 0);
    memset(&q, 0, sizeof q);
    PROP_CHECK(p, dx_cas_dir_ref_scan(&d, count_good_ref, NULL, &q) == DX_OK && q.good == 2 && d.bad_refs == 0);
    /* delete: gone for get and scan */
    PROP_CHECK(p, dx_cas_dir_ref_delete(&d, "v2") == DX_OK && dx_cas_dir_ref_get(&d, "v2", &back) == DX_ERR_NOTFOUND);
    memset(&q, 0, sizeof q);
    PROP_CHECK(p, dx_cas_dir_ref_scan(&d, count_good_ref, NULL, &q) == DX_OK && q.good == 1);
    dx_cas_dir_close(&d);
    rm_rf(path);
    return 0;
}

/* must_exist: a read-only tool pointed at the wrong path creates nothing there */
static int t_dir_must_exist(prop_ctx *p) {
    char path[256], sub[300];
    struct stat st;
    dx_cas_dir d;
    dx_cas_dir_config dc;
    scratch_dir(path, sizeof path, "exist", p->seed);
    memset(&dc, 0, sizeof dc);
    dc.path = path, dc.no_sync = true, dc.must_exist = true;
    PROP_CHECK(p, dx_cas_dir_open(&d, &dc) == DX_ERR_NOTFOUND && stat(path, &st) != 0); /* missing: still missing */
    PROP_CHECK(p, mkdir(path, 0755) == 0);
    PROP_CHECK(p, dx_cas_dir_open(&d, &dc) == DX_ERR_NOTFOUND); /* a folder that is not a store */
    snprintf(sub, sizeof sub, "%s/refs", path);
    PROP_CHECK(p, stat(sub, &st) != 0);                          /* and nothing made in it */
    PROP_CHECK(p, write_text(path, "file", "x") == 0);
    snprintf(sub, sizeof sub, "%s/file", path);
    dc.path = sub;
    PROP_CHECK(p, dx_cas_dir_open(&d, &dc) == DX_ERR_NOTFOUND);  /* a file */
    dc.path = path, dc.must_exist = false;
    PROP_CHECK(p, dx_cas_dir_open(&d, &dc) == DX_OK);           /* made */
    dx_cas_dir_close(&d);
    dc.must_exist = true;
    PROP_CHECK(p, dx_cas_dir_open(&d, &dc) == DX_OK);           /* now it is one */
    dx_cas_dir_close(&d);
    rm_rf(path);
    return 0;
}

static dx_result count_listed(void *user, const dx_cas_id *id, uint64_t size) {
    (void)id, (void)size;
    ++*(int *)user;
    return DX_OK;
}

/* A FIFO, a folder put where a loose object, a ref or a pack should be (a hostile or damaged
   store): reported as damage at once; a FIFO used to block the open forever (no writer). */
static int t_dir_not_files(prop_ctx *p) {
    char path[256], file[600], text[DX_CAS_ID_TEXT_SIZE];
    uint8_t buf[64];
    dx_cas_dir d;
    dx_cas_dir_config dc;
    dx_cas_hash_alg alg;
    dx_cas_store s;
    dx_cas_id a, back;
    ref_problems q;
    int listed = 0;
    scratch_dir(path, sizeof path, "notfile", p->seed);
    memset(&dc, 0, sizeof dc);
    dc.path = path, dc.no_sync = true, dc.loose = true;
    PROP_CHECK(p, dx_cas_dir_open(&d, &dc) == DX_OK);
    dx_cas_hash_alg_init(&alg, 0);
    PROP_CHECK(p, dx_cas_dir_store(&d, &alg, &s) == DX_OK);
    PROP_CHECK(p, dx_cas_store_put(&s, "object a", 8, &a) == DX_OK && dx_cas_store_sync(&s) == DX_OK);
    PROP_CHECK(p, dx_cas_dir_ref_set(&d, "r", &a) == DX_OK);
    dx_cas_id_format(&a, text, sizeof text);
    snprintf(file, sizeof file, "%s/objects/%.2s/%s", path, text + 7, text); /* "sha256-ab...": objects/ab/ */
    PROP_CHECK(p, remove(file) == 0 && mkfifo(file, 0644) == 0);
    PROP_CHECK(p, dx_cas_store_has(&s, &a) == DX_ERR_CHECKSUM);
    PROP_CHECK(p, dx_cas_store_get(&s, &a, buf, sizeof buf) == DX_ERR_CHECKSUM);
    PROP_CHECK(p, dx_cas_store_iterate(&s, count_listed, &listed) == DX_OK && listed == 1); /* listed: verify reports it */
    PROP_CHECK(p, remove(file) == 0 && mkdir(file, 0755) == 0);
    PROP_CHECK(p, dx_cas_store_get(&s, &a, buf, sizeof buf) == DX_ERR_CHECKSUM && dx_cas_store_has(&s, &a) == DX_ERR_CHECKSUM);
    PROP_CHECK(p, rmdir(file) == 0);
    snprintf(file, sizeof file, "%s/refs/r", path);
    PROP_CHECK(p, remove(file) == 0 && mkfifo(file, 0644) == 0);
    PROP_CHECK(p, dx_cas_dir_ref_get(&d, "r", &back) == DX_ERR_IO);
    memset(&q, 0, sizeof q);
    PROP_CHECK(p, dx_cas_dir_ref_scan(&d, count_good_ref, note_bad_ref, &q) == DX_ERR_CORRUPT && q.io == 1 && d.bad_refs == 1);
    dx_cas_dir_close(&d);
    snprintf(file, sizeof file, "%s/packs", path); /* a FIFO named as a pack: a damaged pack, at open */
    mkdir(file, 0755);
    snprintf(file, sizeof file, "%s/packs/%064d.pack", path, 0);
    PROP_CHECK(p, mkfifo(file, 0644) == 0);
    dc.loose = false;
    PROP_CHECK(p, dx_cas_dir_open(&d, &dc) == DX_OK && d.bad_packs == 1);
    dx_cas_dir_close(&d);
    rm_rf(path);
    return 0;
}
#else
static int t_dir_not_files(prop_ctx *p) { PROP_SKIP(p, "no directory store in this build (Windows or DX_CAS_NO_STDIO)"); }
static int t_dir_refs(prop_ctx *p) { PROP_SKIP(p, "no directory store in this build (Windows or DX_CAS_NO_STDIO)"); }
static int t_dir_ref_problems(prop_ctx *p) { PROP_SKIP(p, "no directory store in this build (Windows or DX_CAS_NO_STDIO)"); }
static int t_dir_must_exist(prop_ctx *p) { PROP_SKIP(p, "no directory store in this build (Windows or DX_CAS_NO_STDIO)"); }
#endif

/* tests/vectors/cas/pack.txt (pack_gen.py, from WIRE FORMAT alone): every pack parses, its
   entries name the objects listed (plain records: the bytes are there to compare), and a
   directory store with the file in packs/ reads each object; every damaged pack is refused
   with the code listed. */
static int t_pack_vectors(prop_ctx *p) {
    FILE *f = fopen("tests/vectors/cas/pack.txt", "r");
    static char line[16384];
    static uint8_t pack[8192], obj[4096], buf[4096];
    dx_cas_pack_index pi;
    char name[64] = "", store[256] = "";
    int plen = 0, packs = 0, objects = 0, rejects = 0;
    (void)store, (void)buf; /* used with a directory store only */
    if (!f) PROP_FAIL(p, "cannot open tests/vectors/cas/pack.txt (run from the repository root)");
    while (fgets(line, sizeof line, f)) {
        char *tok[5];
        int nt = split_words(line, tok, 5);
        if (nt == 0) continue;
        if (strcmp(tok[0], "pack") == 0 && nt == 3) {
            snprintf(name, sizeof name, "%s", tok[1]);
            plen = unhex(tok[2], pack, sizeof pack);
            PROP_CHECK(p, plen > 0);
            PROP_CHECK_MSG(p, dx_cas_pack_parse(pack, (size_t)plen, (uint64_t)plen, 0, &pi) == DX_OK, "%s does not parse", name);
            packs++;
#if defined(DX_CAS_HAS_DIRSTORE)
            { /* the pack as a store's only file */
                char file[600], hex[65];
                FILE *w;
                dx_cas_dir d;
                dx_cas_dir_config dc;
                int i;
                scratch_dir(store, sizeof store, "packvec", p->seed + (uint64_t)packs);
                memset(&dc, 0, sizeof dc);
                dc.path = store;
                PROP_CHECK(p, dx_cas_dir_open(&d, &dc) == DX_OK);
                dx_cas_dir_close(&d);
                for (i = 0; i < 32; i++) snprintf(hex + 2 * i, 3, "%02x", pi.sum[i]);
                snprintf(file, sizeof file, "%s/packs", store);
                PROP_CHECK(p, mkdir(file, 0777) == 0); /* made by the first sync that writes a pack */
                snprintf(file, sizeof file, "%s/packs/%s.pack", store, hex);
                w = fopen(file, "wb");
                PROP_CHECK(p, w && fwrite(pack, 1, (size_t)plen, w) == (size_t)plen && fclose(w) == 0);
            }
#endif
        } else if (strcmp(tok[0], "object") == 0 && nt == 3) {
            dx_cas_id id;
            dx_cas_pack_entry e;
            uint32_t i;
            int olen = unhex(tok[2], obj, sizeof obj);
            PROP_CHECK(p, olen >= 0 && dx_cas_id_parse(tok[1], strlen(tok[1]), &id) == DX_OK);
            for (i = 0; i < pi.count; i++) {
                dx_cas_pack_index_entry(&pi, i, &e);
                if (dx_cas_id_equal(&e.id, &id)) break;
            }
            PROP_CHECK_MSG(p, i < pi.count, "%s: %s not in the index", name, tok[1]);
            PROP_CHECK_MSG(p, e.size == (uint32_t)olen && e.inner + e.size <= e.stored &&
                                  memcmp(pack + e.offset + e.inner, obj, (size_t)olen) == 0, "%s: %s: the entry", name, tok[1]);
#if defined(DX_CAS_HAS_DIRSTORE)
            {
                dx_cas_dir d;
                dx_cas_dir_config dc;
                dx_cas_store s;
                memset(&dc, 0, sizeof dc);
                dc.path = store, dc.must_exist = true;
                PROP_CHECK(p, dx_cas_dir_open(&d, &dc) == DX_OK && dx_cas_dir_store(&d, NULL, &s) == DX_OK && d.bad_packs == 0);
                PROP_CHECK_MSG(p, dx_cas_store_get(&s, &id, buf, sizeof buf) == olen && memcmp(buf, obj, (size_t)olen) == 0,
                               "%s: the store does not read %s", name, tok[1]);
                dx_cas_dir_close(&d);
            }
#endif
            objects++;
        } else if (strcmp(tok[0], "reject") == 0 && nt == 4) {
            int rlen = unhex(tok[3], pack, sizeof pack);
            dx_result want = strcmp(tok[1], "magic") == 0         ? (dx_result)DX_CAS_ERR_MAGIC
                             : strcmp(tok[1], "unsupported") == 0 ? (dx_result)DX_ERR_UNSUPPORTED
                             : strcmp(tok[1], "checksum") == 0    ? (dx_result)DX_ERR_CHECKSUM
                                                                  : (dx_result)DX_ERR_CORRUPT;
            dx_result got;
            PROP_CHECK(p, rlen > 0);
            got = dx_cas_pack_parse(pack, (size_t)rlen, (uint64_t)rlen, 0, &pi);
            PROP_CHECK_MSG(p, got == want, "reject %s: %s, want %s", tok[2], rn(got), rn(want));
            rejects++;
        } else if (strcmp(tok[0], "end") == 0) {
#if defined(DX_CAS_HAS_DIRSTORE)
            if (store[0]) rm_rf(store);
            store[0] = 0;
#endif
        }
    }
    fclose(f);
    PROP_CHECK_MSG(p, packs >= 3 && objects >= 6 && rejects >= 10, "%d packs, %d objects, %d rejects", packs, objects, rejects);
    return 0;
}

static const prop_test tests[] = {
    PROP_UNIT(t_sha256_fips),       PROP_PROPERTY(p_sha256_pieces), PROP_UNIT(t_sha256_vs_sha256sum),
    PROP_UNIT(t_ids),               PROP_PROPERTY(p_id_roundtrip),  PROP_UNIT(t_chunker_config),
    PROP_UNIT(t_fastcdc_vectors),   PROP_UNIT(t_fastcdc_sekien), PROP_PROPERTY(p_chunker_stream), PROP_PROPERTY(p_chunker_zero_runs), PROP_UNIT(t_merkle_ct_vectors),
    PROP_PROPERTY(p_merkle_proofs), PROP_UNIT(t_proof_wire),       PROP_PROPERTY(p_store_roundtrip),
    PROP_UNIT(t_mem_store_capacity), PROP_UNIT(t_store_zero_memo), PROP_PROPERTY(p_blob_roundtrip), PROP_UNIT(t_manifest_bounds),
    PROP_UNIT(t_dir_store),         PROP_UNIT(t_dir_crash),         PROP_UNIT(t_dir_crash_batch),         PROP_UNIT(t_blake3_vectors),
#if !defined(DX_CAS_NO_BLAKE3) /* a build without BLAKE3 has nothing for these to test (t_blake3_vectors checks it refuses) */
    PROP_PROPERTY(p_blake3_pieces), PROP_UNIT(t_blake3_simd_paths), PROP_UNIT(t_blake3_vs_b3sum),
#endif
    PROP_UNIT(t_tree_objects),
    PROP_PROPERTY(p_gc),            PROP_UNIT(t_gc_verify_no_roots), PROP_UNIT(t_dir_refs),          PROP_UNIT(t_dir_concurrent),
    PROP_PROPERTY(p_object_codec),  PROP_UNIT(t_object_forms),      PROP_UNIT(t_dir_compress),
    PROP_UNIT(t_fastcdc_constants), PROP_UNIT(t_manifest_vectors),  PROP_UNIT(t_blob_writer_memory),
    PROP_UNIT(t_dir_ref_problems),  PROP_UNIT(t_dir_must_exist),     PROP_UNIT(t_dir_pack),      PROP_UNIT(t_dir_pack_table), PROP_UNIT(t_dir_index), PROP_UNIT(t_gc_marks), PROP_UNIT(t_pack_vectors),
    PROP_UNIT(t_dir_crash_gc),      PROP_UNIT(t_dir_not_files),
};

#if defined(CAS_WRITE_SEEDS)
/* cc -DCAS_WRITE_SEEDS -I. -Itests tests/cas_test.c && ./a.out: the fuzz seeds in tests/fuzz/corpus/cas_*. */
static void write_seed(const char *target, const char *name, const void *data, size_t len) {
    char path[256];
    FILE *f;
    snprintf(path, sizeof path, "tests/fuzz/corpus/%s/%s", target, name);
    f = fopen(path, "wb");
    if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(1);
    }
}
int main(void) {
    static uint8_t leaves[13 * 32], hashes[16 * 32], wire[28 + 16 * 32], data[8 + 6000];
    dx_cas_hash_alg alg;
    dx_cas_id id;
    dx_cas_proof pr;
    char text[DX_CAS_ID_TEXT_SIZE], name[64];
    uint8_t bin[DX_CAS_ID_SIZE];
    size_t i, k;
    static const unsigned incl[][2] = {{6, 13}, {0, 1}, {12, 13}, {5, 8}, {0, 13}};
    static const unsigned cons[][2] = {{3, 13}, {8, 13}, {1, 2}, {7, 12}};
    dx_cas_hash_alg_init(&alg, DX_CAS_ALG_SHA256);
    dx_cas_id_hash(&alg, "abc", 3, &id);
    dx_cas_id_format(&id, text, sizeof text);
    write_seed("cas_id", "sha256_text", text, strlen(text));
    dx_cas_id_encode(&id, bin, sizeof bin);
    write_seed("cas_id", "sha256_binary", bin, sizeof bin);
    write_seed("cas_id", "unknown_alg", "blake9-ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", 71);
    for (i = 0; i < 13; i++) {
        uint8_t byte = (uint8_t)i;
        dx_cas_merkle_leaf(&alg, &byte, 1, leaves + 32 * i);
    }
    for (k = 0; k < sizeof incl / sizeof incl[0]; k++) {
        int64_t n = dx_cas_merkle_inclusion_proof(&alg, leaves, incl[k][1], incl[k][0], hashes, 16);
        pr.kind = DX_CAS_PROOF_KIND_INCLUSION, pr.alg = DX_CAS_ALG_SHA256, pr.a = incl[k][0], pr.b = incl[k][1];
        pr.count = (uint32_t)n;
        snprintf(name, sizeof name, "inclusion_%u_of_%u", incl[k][0], incl[k][1]);
        write_seed("cas_proof", name, wire, (size_t)dx_cas_proof_encode(&pr, hashes, wire, sizeof wire));
    }
    for (k = 0; k < sizeof cons / sizeof cons[0]; k++) {
        int64_t n = dx_cas_merkle_consistency_proof(&alg, leaves, cons[k][1], cons[k][0], hashes, 16);
        pr.kind = DX_CAS_PROOF_KIND_CONSISTENCY, pr.alg = DX_CAS_ALG_SHA256, pr.a = cons[k][0], pr.b = cons[k][1];
        pr.count = (uint32_t)n;
        snprintf(name, sizeof name, "consistency_%u_to_%u", cons[k][0], cons[k][1]);
        write_seed("cas_proof", name, wire, (size_t)dx_cas_proof_encode(&pr, hashes, wire, sizeof wire));
    }
    /* chunker: config bytes (mode, avg, min, max, level, seed flag, seed, piece), then data */
    {
        static const uint8_t cfgs[][8] = {{0, 0, 0, 0, 2, 0, 0, 7},   {0, 30, 128, 10, 0, 1, 77, 200},
                                          {0, 10, 255, 0, 4, 0, 0, 1}, {1, 20, 0, 0, 0, 0, 0, 33},
                                          {0, 0, 50, 255, 1, 1, 3, 0}};
        for (k = 0; k < sizeof cfgs / sizeof cfgs[0]; k++) {
            memcpy(data, cfgs[k], 8);
            xorshift_bytes(k + 1, data + 8, 6000);
            if (k == 2) memset(data + 8 + 1000, 0, 3000);
            snprintf(name, sizeof name, "config_%u", (unsigned)k);
            write_seed("cas_chunker", name, data, sizeof data);
        }
    }
    { /* manifests of blobs of 0, 1, 3 and 7 fixed chunks (the harness's limits allow them) */
        static const size_t sizes[] = {0, 500, 2500, 7000};
        dx_cas_mem mm;
        dx_cas_mem_config mc;
        dx_cas_store st;
        dx_cas_chunker_config cc;
        memset(&mc, 0, sizeof mc);
        memset(&cc, 0, sizeof cc);
        cc.mode = DX_CAS_CHUNKER_MODE_FIXED, cc.avg_size = 1000;
        if (dx_cas_mem_create(&mm, &mc) != DX_OK || dx_cas_mem_store(&mm, &alg, &st) != DX_OK) return 1;
        for (k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
            dx_cas_blob_writer bw;
            dx_cas_id mid;
            static uint8_t blob[7000], man[56 + 36 * 8];
            int64_t n;
            xorshift_bytes(k + 9, blob, sizes[k]);
            if (writer_create(&bw, &st, &cc) != DX_OK || dx_cas_blob_writer_write(&bw, blob, sizes[k]) != DX_OK ||
                dx_cas_blob_writer_finish(&bw, &mid, NULL) != DX_OK)
                return 1;
            dx_cas_blob_writer_destroy(&bw);
            n = dx_cas_store_get(&st, &mid, man, sizeof man);
            if (n < 0) return 1;
            snprintf(name, sizeof name, "blob_%lu_bytes", (unsigned long)sizes[k]);
            write_seed("cas_manifest", name, man, (size_t)n);
        }
        dx_cas_mem_destroy(&mm);
    }
    { /* trees */
        dx_cas_tree_entry e[3];
        uint8_t tb[512];
        int64_t n;
        e[0].name = "bin", e[0].name_len = 3, e[0].mode = DX_CAS_MODE_DIR, e[0].size = 0;
        e[1].name = "notes.txt", e[1].name_len = 9, e[1].mode = DX_CAS_MODE_FILE, e[1].size = 1234;
        e[2].name = "run", e[2].name_len = 3, e[2].mode = DX_CAS_MODE_SYMLINK, e[2].size = 7;
        for (k = 0; k < 3; k++) dx_cas_id_hash(&alg, e[k].name, e[k].name_len, &e[k].id);
        n = dx_cas_tree_encode(DX_CAS_ALG_SHA256, e, 3, tb, sizeof tb);
        write_seed("cas_tree", "three_entries", tb, (size_t)n);
        n = dx_cas_tree_encode(DX_CAS_ALG_SHA256, e, 0, tb, sizeof tb);
        write_seed("cas_tree", "empty", tb, (size_t)n);
        e[0].name = "x", e[0].name_len = 1, e[0].mode = DX_CAS_MODE_EXEC, e[0].size = 99;
        e[0].id.alg = DX_CAS_ALG_BLAKE3;
        n = dx_cas_tree_encode(DX_CAS_ALG_BLAKE3, e, 1, tb, sizeof tb);
        write_seed("cas_tree", "blake3_one", tb, (size_t)n);
    }
#if defined(DX_CAS_WITH_ZSTD)
    { /* stored forms (cc -DCAS_WRITE_SEEDS -DDX_CAS_WITH_ZSTD ... -lzstd): compressed, plain, RAW behind a header */
        static uint8_t text[3000], enc[3000 + DX_CAS_OBJECT_HEADER_SIZE];
        ZSTD_CCtx *z = ZSTD_createCCtx();
        int64_t n;
        for (k = 0; k < sizeof text; k++) text[k] = (uint8_t)"abcabd hello, objects "[k % 22];
        n = dx_cas_object_encode(z, text, sizeof text, enc, sizeof enc);
        write_seed("cas_object", "zstd_text", enc, (size_t)n);
        n = dx_cas_object_encode(NULL, "plain", 5, enc, sizeof enc);
        write_seed("cas_object", "plain", enc, (size_t)n);
        n = dx_cas_object_encode(z, "DXCZ looks like a header", 24, enc, sizeof enc);
        write_seed("cas_object", "raw_with_header", enc, (size_t)n);
        ZSTD_freeCCtx(z);
    }
#endif
    printf("seeds written\n");
    return 0;
}
#else
int main(int argc, char **argv) { return prop_main(argc, argv, tests, sizeof tests / sizeof tests[0]); }
#endif

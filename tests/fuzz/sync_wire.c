/* sync_wire.c - libFuzzer harness for dx_sync's parsers of untrusted bytes
   (examples/dx_sync/sync_wire.h): QUERY bodies (the server reads them from any
   client), offers and listings (the client reads them from the server), and
   histories (the server reads them from its store).
   Build with libFuzzer:  clang -g -O1 -fsanitize=fuzzer,address,undefined -I. tests/fuzz/sync_wire.c
   Without libFuzzer:     cc -I. tests/fuzz/sync_wire.c tests/fuzz/fuzz_main.c   (replays files)
   Input: byte 0 chooses the target, the rest is its input:
     0-49 a QUERY body: on success the name is valid and NUL-terminated, and
          encoding the parsed query gives back the input;
     50-99 an offer: on success its kind is PATCH or CHUNKS, and what it
          carries inline lies inside it, whole, in the kind that may carry it;
     100-149 a listing: bytes 1-40 are the root and size it must describe, the
          rest the listing, checked against its own SHA-256: on success the
          chunks are 1..64 KiB, their offsets add up and end at the size;
     150-199 a listing built from the input (chunk ids and lengths taken from
          it, repeated 1 to 8 times: up to 4096 chunks, 8 frames) and then
          parsed back: it must parse, equal what was written, and any one byte
          flipped (chosen by the input) must make it fail;
     200-245 a history: on success every version and patch reads;
     246-255 a zmap (STORE): accepted only whole, sorted, each chunk once. */
#define DX_IMPLEMENTATION
#include "dx_cas.h"
#include "dx_teleport.h"
#include <stdlib.h>
#include <string.h>
#include "examples/dx_sync/sync_wire.h"

#define FZ_CHECK(c) \
    do { \
        if (!(c)) __builtin_trap(); \
    } while (0)

static void fuzz_listing_roundtrip(const dx_cas_hash_alg *alg, const uint8_t *in, size_t n) {
    size_t each = n / 34, count = each * (1u + (n ? in[0] % 8u : 0)), i;
    uint64_t size = 0;
    uint8_t *ids = (uint8_t *)malloc(count * 32 + 1), root[32], leaf[32], digest[32];
    uint32_t *lens = (uint32_t *)malloc(count * 4 + 4);
    dx_cas_merkle tree;
    uint8_t *buf;
    size_t len;
    listing l;
    dx_cas_id id;
    if (!ids || !lens) goto out;
    dx_cas_merkle_init(&tree, alg);
    for (i = 0; i < count; i++) {
        const uint8_t *e = in + (i % each) * 34;
        memcpy(ids + i * 32, e, 32);
        lens[i] = 1u + (((uint32_t)e[32] << 8 | e[33]) & 0xffffu); /* 1..64 KiB */
        size += lens[i];
        memcpy(id.digest, ids + i * 32, 32), id.alg = SYNC_ALG;
        dx_cas_chunk_leaf(alg, &id, leaf);
        dx_cas_merkle_push(&tree, leaf);
    }
    dx_cas_merkle_root(&tree, root);
    if (listing_encode(root, size, count, ids, 32, (const uint8_t *)lens, 4, &buf, &len) == DX_OK) {
        uint8_t *copy = (uint8_t *)malloc(len);
        dx_cas_id_hash(alg, buf, len, &id);
        memcpy(digest, id.digest, 32);
        FZ_CHECK(listing_parse(alg, buf, len, digest, root, size, &l) == DX_OK);
        FZ_CHECK(l.count == count && l.size == size);
        for (i = 0; i < count; i++) FZ_CHECK(!memcmp(l.ids[i], ids + i * 32, 32) && l.lens[i] == lens[i]);
        listing_free(&l);
        if (copy && len) { /* one byte flipped: the digest (and the CRC) no longer match */
            size_t at = (size_t)((n ? in[n - 1] : 0) * 7919u) % len;
            memcpy(copy, buf, len);
            copy[at] ^= 0x01;
            FZ_CHECK(listing_parse(alg, copy, len, digest, root, size, &l) != DX_OK);
        }
        free(copy);
        free(buf);
    }
out:
    free(ids), free(lens);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static dx_cas_hash_alg alg;
    static bool ready;
    uint8_t *in;
    size_t n;
    if (size < 1) return 0;
    if (!ready) dx_cas_hash_alg_init(&alg, SYNC_ALG), ready = true;
    n = size - 1;
    in = (uint8_t *)malloc(n ? n : 1); /* exact size: a read past the end is caught */
    if (!in) return 0;
    memcpy(in, data + 1, n);
    if (data[0] < 50) {
        query q;
        if (query_parse(in, n, &q) == DX_OK) {
            uint8_t again[36 + SYNC_NAME_MAX];
            size_t len = strlen(q.name);
            FZ_CHECK(name_ok(q.name, len));
            FZ_CHECK(query_encode(again, q.name, q.have ? q.root : NULL,
                                      (q.take_inline ? QUERY_INLINE : 0u) | (q.take_zstd ? QUERY_ZSTD : 0u) |
                                          (q.plain_only ? QUERY_PLAIN : 0u)) == n);
            FZ_CHECK(memcmp(again, in, n) == 0);
        }
    } else if (data[0] < 100) {
        sync_offer o;
        offer_inline oi;
        if (offer_parse(in, n, &o, &oi) == DX_OK) {
            FZ_CHECK(o.kind == OFFER_PATCH || o.kind == OFFER_CHUNKS);
            /* inline bytes: inside the offer's, all of the object, no larger than the bound, in the right kind */
            FZ_CHECK(oi.patch_len == 0 || (o.kind == OFFER_PATCH && oi.patch_len == o.patch_size && oi.patch_len <= SYNC_INLINE_MAX &&
                                           oi.patch >= in && oi.patch + oi.patch_len <= in + n));
            FZ_CHECK(oi.listing_len == 0 || (o.kind == OFFER_CHUNKS && oi.listing_len == o.listing_size && oi.listing_len <= SYNC_INLINE_MAX &&
                                             oi.listing >= in && oi.listing + oi.listing_len <= in + n));
        }
    } else if (data[0] < 150) {
        listing l;
        dx_cas_id id;
        if (n >= 40) {
            uint64_t sz;
            memcpy(&sz, in + 32, 8);
            dx_cas_id_hash(&alg, in + 40, n - 40, &id);
            if (listing_parse(&alg, in + 40, n - 40, id.digest, in, sz, &l) == DX_OK) {
                uint64_t i, off = 0;
                for (i = 0; i < l.count; i++) {
                    FZ_CHECK(l.lens[i] >= 1 && l.lens[i] <= SYNC_CHUNK_MAX && l.offsets[i] == off);
                    off += l.lens[i];
                }
                FZ_CHECK(off == l.size && l.size == sz);
                listing_free(&l);
            }
        }
    } else if (data[0] < 200) {
        if (n <= 34 * 512) fuzz_listing_roundtrip(&alg, in, n);
    } else if (data[0] >= 246) {
        if (zmap_ok(in, n)) { /* whole entries, strictly ascending */
            size_t i;
            FZ_CHECK(n % SYNC_ZMAP_ENTRY == 0);
            for (i = SYNC_ZMAP_ENTRY; i < n; i += SYNC_ZMAP_ENTRY) FZ_CHECK(memcmp(in + i - SYNC_ZMAP_ENTRY, in + i, 32) < 0);
        }
    } else {
        history h;
        if (history_parse(in, n, &h) == DX_OK) {
            uint32_t i;
            sync_version v;
            sync_patch p;
            for (i = 0; i < h.h.versions.count; i++) history_version(&h, i, &v);
            for (i = 0; i < h.h.patches.count; i++) history_patch(&h, i, &p);
        }
    }
    free(in);
    return 0;
}

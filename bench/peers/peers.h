/* peers.h - the common interface of the teleport benchmark's implementations - C99 and C++

   Every implementation (dx, memcpy, FlatBuffers, Cap'n Proto, protobuf-c,
   msgpack-c) encodes the same input records into one buffer and reads every
   field back, folding them into a checksum that must equal bench_expected().

   A context is made once and reused across runs, the way a program that
   encodes repeatedly would keep its builder and buffers: no run pays for
   first-touch page faults that another does not.
*/
#ifndef DX_BENCH_PEERS_H
#define DX_BENCH_PEERS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One input record; also the raw 72-byte struct that the memcpy baseline
   copies. name and email are NUL-terminated, lengths 9..15 and 18..31. */
typedef struct bench_user {
    uint64_t id;
    uint32_t age;
    uint8_t name_len, email_len, pad[2];
    double score;
    char name[16];
    char email[32];
} bench_user;

typedef struct bench_peer {
    const char *name;
    /* state kept across runs (builders, buffers sized for n records) */
    void *(*create)(const bench_user *recs, size_t n);
    /* encodes all n records into one buffer; returns its size, 0 on error */
    size_t (*encode)(void *ctx, const bench_user *recs, size_t n, const uint8_t **out);
    /* reads every field of every record back, parsing if the format needs
       it; returns the checksum and sets *count to the records seen. Where
       the format has a separate verifier, this is the read of a buffer
       that verify() accepted (dx: with the reader that verify() set up). */
    uint64_t (*read_all)(void *ctx, const uint8_t *buf, size_t len, size_t *count);
    /* full verification of an untrusted buffer, 1 if valid; NULL if the
       format has no separate verifier (its read checks as it goes) */
    int (*verify)(void *ctx, const uint8_t *buf, size_t len);
    /* verification and read of an untrusted buffer in one call; NULL when
       that is read_all itself */
    uint64_t (*read_checked)(void *ctx, const uint8_t *buf, size_t len, size_t *count);
    void (*destroy)(void *ctx);
    const char *note; /* how it encodes / reads / verifies, for the report */
} bench_peer;

extern const bench_peer bench_peer_flatbuffers;
extern const bench_peer bench_peer_capnp;
extern const bench_peer bench_peer_protobuf_c;
extern const bench_peer bench_peer_msgpack;

/* The fold of one record: every field, the lengths and the first and last
   bytes of both strings. A sum over records, so any reading order agrees;
   the fields sit at distinct bit positions so swapped fields do not. */
static inline uint64_t bench_fold(uint64_t id, uint32_t age, double score, const char *name, size_t name_len,
                                  const char *email, size_t email_len) {
    uint64_t bits, h;
    memcpy(&bits, &score, sizeof bits);
    h = id + ((uint64_t)age << 40) + (bits ^ (bits >> 29)) + ((uint64_t)name_len << 48) +
        ((uint64_t)email_len << 56);
    if (name_len) h += (uint64_t)(uint8_t)name[0] + ((uint64_t)(uint8_t)name[name_len - 1] << 8);
    if (email_len) h += ((uint64_t)(uint8_t)email[0] << 16) + ((uint64_t)(uint8_t)email[email_len - 1] << 24);
    return h;
}

#ifdef __cplusplus
}
#endif
#endif /* DX_BENCH_PEERS_H */

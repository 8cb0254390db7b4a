/* hbtp_peers.h - the common interface of the HBTP benchmark's implementations (bench/hbtp_bench.c) - C99

   Every implementation is the server side of one protocol: it is given the
   client's bytes (already in memory, built before any timing), parses them,
   dispatches each request to a handler by its method / path / command name,
   and writes the answers into a reusable output buffer, which it then checks
   (count, and the tag byte of every answer) and consumes, as a transport
   that sent it would. Nothing is copied to a socket.

   Two messages:
     HBTP_MSG_PING   an 8-byte ping, echoed (HBTP PING -> PONG; HTTP/2 PING ->
                     PING ACK; RESP PING <8 bytes> -> bulk reply; HTTP/1.1 has
                     no ping: POST /ping with an 8-byte body -> 200 with it)
     HBTP_MSG_RPC64  a 64-byte request body to an "echo" method, answered with
                     the same 64 bytes (HBTP RPC method 1; POST /rpc/echo;
                     RESP ECHO)
   batched as the pipeline depth says: depth requests per input buffer.

   Every request's payload starts with a tag byte that depends on its place j
   in its batch (hbtp_tag), and every answer is checked for it, so an
   implementation that skipped a request or answered with the wrong bytes
   fails the run.
*/
#ifndef DX_BENCH_HBTP_PEERS_H
#define DX_BENCH_HBTP_PEERS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

enum { HBTP_MSG_PING = 0, HBTP_MSG_RPC64 = 1 };
enum { HBTP_PING_LEN = 8, HBTP_RPC_LEN = 64 };

/* The tag byte of request j of a batch, and the sum a batch of depth
   requests must give. */
/* Decimal digits of v, no NUL (Content-Length and RESP lengths). */
static inline size_t hbtp_utoa(char *out, size_t v) {
    char tmp[24];
    size_t n = 0, i;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (i = 0; i < n; i++) out[i] = tmp[n - 1 - i];
    return n;
}

/* 0 if out[0..len) is exactly the expected answers, else -1 with the reason
   in why; frees want either way. */
static inline int hbtp_check_output(const uint8_t *out, size_t len, uint8_t *want, size_t want_len, char *why,
                                    size_t size) {
    int ok = len == want_len && memcmp(out, want, len) == 0;
    if (!ok) snprintf(why, size, "output differs (%lu bytes, expected %lu)", (unsigned long)len, (unsigned long)want_len);
    free(want);
    return ok ? 0 : -1;
}

static inline uint8_t hbtp_tag(unsigned j) { return (uint8_t)(j * 37u + 11u); }

static inline uint64_t hbtp_batch_check(unsigned depth) {
    uint64_t s = 0;
    unsigned j;
    for (j = 0; j < depth; j++) s += hbtp_tag(j);
    return s;
}

/* The payload of request j: its tag, then bytes that differ from it. */
static inline void hbtp_fill(uint8_t *p, size_t len, unsigned j) {
    size_t i;
    uint8_t t = hbtp_tag(j);
    for (i = 0; i < len; i++) p[i] = (uint8_t)(i ? (t ^ (uint8_t)(i * 7u + 1u)) : t);
}

static inline size_t hbtp_msg_len(int msg) { return msg == HBTP_MSG_PING ? HBTP_PING_LEN : HBTP_RPC_LEN; }

typedef struct hbtp_peer {
    const char *name;
    /* the library's version, for the report */
    void (*version)(char *out, size_t size);
    /* builds the client bytes of `batches` input buffers of `depth`
       requests each (outside any timing) and the server state; NULL on error */
    void *(*create)(int msg, unsigned depth, uint64_t batches);
    /* before every timed run, untimed; NULL if nothing to do (HTTP/2: a new
       server session and the connection preface, since stream ids only grow) */
    void (*prepare)(void *ctx);
    /* one timed run: every batch fed, parsed, dispatched, answered into the
       output buffer, the answers checked and consumed. Returns the answers
       seen (must be batches * depth) and adds their tag bytes to *check. */
    uint64_t (*run)(void *ctx, uint64_t *check);
    /* once, untimed, on a fresh ctx: the whole output of the first batch
       compared with what the protocol says it must be; 0 if right, else
       -1 with the reason in why */
    int (*validate)(void *ctx, char *why, size_t size);
    /* bytes on the wire per request and per answer (averages) */
    void (*wire)(void *ctx, double *request_bytes, double *answer_bytes);
    void (*destroy)(void *ctx);
    const char *note; /* how it parses, dispatches and answers, for the report */
} hbtp_peer;

extern const hbtp_peer hbtp_peer_http1;
extern const hbtp_peer hbtp_peer_http2;
extern const hbtp_peer hbtp_peer_resp;

#ifdef __cplusplus
}
#endif
#endif /* DX_BENCH_HBTP_PEERS_H */

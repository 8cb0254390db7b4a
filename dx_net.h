/* dx_net.h - v0.1.5 - HBTP over dx_reactor: servers and clients on sockets - SPDX-License-Identifier: MIT OR Unlicense (text at end)

   The bridge (like sokol_glue.h) where dx_reactor.h (the completion loop)
   and dx_hbtp.h (the sans-I/O protocol engine) meet: a thread-per-core HBTP
   server and an HBTP client on a loop. It needs both headers included
   before it and includes no dx header itself.

QUICK START
   Do this:
       #define DX_IMPLEMENTATION
   before you include the three headers in *one* C or C++ file, in this
   order (dx_net.h last). Other files include them without the define.

       #define DX_IMPLEMENTATION
       #include "dx_reactor.h"
       #include "dx_hbtp.h"
       #include "dx_net.h"

       static dx_result echo(dx_hbtp_request *req, void *user) {
           return dx_hbtp_reply(req, req->body, req->body_len);
       }
       dx_hbtp_route methods[2];
       dx_hbtp_router router;
       dx_hbtp_router_init(&router, methods, 2);
       dx_hbtp_router_method(&router, 1, echo, NULL);

       dx_net_server srv;
       dx_net_server_config cfg;
       memset(&cfg, 0, sizeof cfg);                  // zero = 127.0.0.1, one worker per CPU
       cfg.port = 7070;
       cfg.conn.router = &router;                    // the dx_hbtp connection config of every connection
       if (dx_net_server_start(&srv, &cfg) != DX_OK) return 1;
       ...                                           // serving, on the workers' threads
       dx_net_server_stop(&srv);                     // GOAWAY, in-flight answered, closed, joined

   A client, blocking (for tools):
       dx_net_sync s;
       dx_net_client_config cc;
       memset(&cc, 0, sizeof cc);
       cc.host = "127.0.0.1", cc.port = 7070;
       if (dx_net_sync_open(&s, NULL, &cc) != DX_OK) return 1;
       uint8_t out[64]; size_t n;
       dx_net_sync_call(&s, 1, "hi", 2, out, sizeof out, &n);   // out = "hi"
       dx_net_sync_close(&s);
   The asynchronous client (dx_net_client on your own dx_reactor loop)
   pipelines calls, each with its callback. tests/net_test.c uses all of it;
   examples/hbtp_server.c is a whole server.

OVERVIEW
   Server
   - Listens on TCP (IPv4 or IPv6 literal address) with thread-per-core
     workers: one dx_reactor loop, one SO_REUSEPORT listener and one
     connection pool per worker (dx_reactor_workers). The kernel spreads
     connections over the listeners; a connection stays on its worker. Or
     on an AF_UNIX socket (unix_path): one listener, every worker accepts
     on it.
   - Everything is allocated at start, in one block: the pools of
     connections with their dx_hbtp memory and receive buffers. Nothing is
     allocated per connection or per request after that.
   - Per connection: recv -> dx_hbtp_conn_feed -> handlers (your router and
     middleware, on the worker's thread) -> one send in flight of all that
     dx_hbtp_conn_output holds.
   - Backpressure: a connection is not read while its unsent output is above
     the high-water mark or input is still waiting to be fed (dx_hbtp stops
     feeding when its output buffer is half full). A client that never reads
     costs its preallocated slot and nothing more, and does not slow others.
   - Timeouts (the worker's timer, one sweep for all its connections): no
     HELLO within hello_timeout, or no bytes in or out within idle_timeout:
     closed. Never early; late by at most the sweep period, a quarter of the
     shortest timeout (1 ms to 1 s).
   - Limits: max_connections per worker (beyond it a connection is refused
     cleanly: ERROR RATE_LIMITED on stream 0, then GOAWAY, then closed; up
     to DX_NET_REFUSALS (8) at once per worker, each until its peer closes
     or hello_timeout: in a burst beyond that, or against peers that keep
     those slots, the others are closed without a word),
     and dx_hbtp's max frame (conn.max_payload) and max in flight
     (conn.max_inflight).
   - Graceful stop: the first dx_net_server_shutdown stops accepting, feeds
     what was already received, sends GOAWAY on every connection (requests
     that arrive later get ERROR PROTOCOL "going away", as HBTP says), sends
     the answers still due and closes each connection when its peer closes
     or stop_timeout passes; connections that never said HELLO are closed
     at once. A second shutdown closes everything at once.
     dx_net_server_stop does the first, waits for the workers and joins them.
   - Counters per worker (dx_net_counters): connections accepted, open,
     refused, closed; requests; bytes in and out; errors by kind (protocol,
     I/O, accept, HELLO timeout, idle timeout); backpressure stalls.
   Client (on a dx_reactor loop you run)
   - Connects and has its HELLO answered within connect_timeout, pipelines calls
     (dx_net_client_call: method, body, callback) up to the negotiated max
     in flight; answers come back in order, each to its callback.
   - Large bodies: dx_net_client_upload sends a body as STREAM_DATA pieces
     (STREAM_END last) with the same backpressure: a piece is queued only
     while the unsent output is below the high-water mark.
   - Reconnects with exponential backoff when asked (reconnect = true); a
     call made while disconnected says DX_ERR_AGAIN.
   - A stalled server: while an answer is due, nothing received and nothing
     sent for reply_timeout closes the connection (DX_ERR_TIMEOUT to every
     call waiting). TCP alone would wait for ever where the server stopped
     or the network dropped its packets after every byte was acknowledged.
   - dx_net_sync: a blocking wrapper (its own loop and client) for tools.
   DOES NOT: resolve host names, do TLS, remove its AF_UNIX socket file
   (the next start replaces a stale one), allocate after start,
   or buffer a whole upload (the server's STREAM_DATA handlers see each
   piece as it comes).

API
   Server (start, shutdown, stop and counters: any thread; shutdown is also
   safe from a signal handler; handlers run on the worker's thread)
   dx_result dx_net_server_start(dx_net_server *s, const dx_net_server_config *cfg)
       allocates the pools (one block, cfg->allocator), starts cfg->workers
       threads and returns once every one listens. allocates: yes, once.
       errors: DX_ERR_INVAL (a bad config), DX_ERR_NOMEM, the reactor's
       (DX_REACTOR_ERR_ADDRINUSE, DX_ERR_UNSUPPORTED for no backend, ...).
   void dx_net_server_shutdown(dx_net_server *s)
       the first call: graceful stop (see OVERVIEW); the second: close
       every connection at once; later calls: nothing. Returns at once.
   dx_result dx_net_server_stop(dx_net_server *s)
       shutdown (if not done yet), waits until every worker has closed its
       connections, joins the threads and frees the pools. Blocks. Not from
       a handler or any of the server's worker threads (it would free the
       pools under the handler and join its own thread): DX_ERR_MISUSE,
       nothing done; call dx_net_server_shutdown there, stop elsewhere.
   uint16_t dx_net_server_port(const dx_net_server *s)     the TCP port (useful with port 0)
   uint32_t dx_net_server_workers(const dx_net_server *s)
   uint32_t dx_net_server_stops(const dx_net_server *s)    shutdown requests so far (0: serving)
   const char *dx_net_server_backend_name(const dx_net_server *s)   the workers' backend ("io_uring", ...)
   void dx_net_server_counters(const dx_net_server *s, uint32_t worker, dx_net_counters *out)
       a copy of worker's counters (each field read atomically); worker
       UINT32_MAX: the sum over the workers. After stop: the final sums.
   dx_net_conn *dx_net_conn_of(dx_hbtp_conn *c)   in a handler: req->conn's dx_net connection
       (c->worker: its worker, c->user and c->scratch[4]: yours, zeroed at accept)

   Client (one loop's thread; allocates: in create only)
   dx_result dx_net_client_create(dx_net_client *c, dx_reactor *loop, const dx_net_client_config *cfg)
       takes dx_hbtp_conn_memory_size + recv_size + the call table once from
       cfg->allocator, and starts connecting (the loop does the rest).
       errors: DX_ERR_INVAL, DX_ERR_NOMEM.
   void dx_net_client_destroy(dx_net_client *c)      once its state is CLOSED (after close and run)
   void dx_net_client_close(dx_net_client *c)
       stops reconnecting and closes the connection; answers already
       received are still delivered, and the calls without one get
       DX_ERR_CANCELED. Run the loop until dx_net_client_state says CLOSED.
   int32_t dx_net_client_call(dx_net_client *c, uint32_t method, const void *body, size_t len,
                              dx_net_reply_fn fn, void *user)
       queues an RPC (before HELLO|ACK too: HBTP allows it, but the server's
       max in flight is not known then: more calls than it allows are a
       fatal TOO_MANY_INFLIGHT; wait for OPEN to pipeline); body is copied.
       fn(c, reply, user) runs on every answer frame of the call (reply->final
       on the last; streams may have more than one), or once with an error.
       Returns the stream id, or DX_ERR_BUSY (max in flight), DX_ERR_NOSPACE
       (the output buffer is full: retry after an answer), DX_ERR_AGAIN (not
       connected), DX_HBTP_ERR_GOAWAY (closing), DX_HBTP_ERR_TOO_LARGE.
   int32_t dx_net_client_upload(dx_net_client *c, const void *body, size_t len,
                                dx_net_reply_fn fn, void *user)
       sends body (any size, 0 too) as STREAM_DATA pieces of at most
       piece_size bytes and a STREAM_END; body must stay valid until fn's
       final call (the answer to STREAM_END). One upload at a time
       (DX_ERR_BUSY otherwise); calls may go alongside. Returns 0 or an error.
   dx_net_client_state dx_net_client_state_of(const dx_net_client *c)
       IDLE, CONNECTING, CONNECTED (HELLO sent, not answered yet), OPEN
       (HELLO answered), CLOSING, BACKOFF, CLOSED.
   c->last_error: why the connection last ended; c->connects, c->requests,
   c->hbtp: the dx_hbtp connection (negotiated limits, ...).
   A reply (dx_net_reply): result DX_OK with the frame, or DX_NET_ERR_REMOTE
   (the server answered ERROR: code, message in body), or why no answer
   will come (DX_ERR_CLOSED, DX_ERR_TIMEOUT, DX_ERR_CANCELED,
   DX_HBTP_ERR_GOAWAY, DX_HBTP_ERR_REFUSED, a reactor error). body is the
   RPC_RESPONSE's body (after the method id), the ERROR's message, or the
   payload of other frames; valid during the callback.

   Blocking client (one thread; allocates: its loop and client, in open)
   dx_result dx_net_sync_open(dx_net_sync *s, const dx_reactor_config *loop_cfg, const dx_net_client_config *cfg)
       loop_cfg NULL: the default backend. Returns once HELLO was answered.
   dx_result dx_net_sync_call(dx_net_sync *s, uint32_t method, const void *body, size_t len,
                              void *out, size_t cap, size_t *out_len)
       the answer's body in out (*out_len: its full size; DX_ERR_NOSPACE when
       it did not fit), DX_NET_ERR_REMOTE (s->code, the message in out).
       A sync client does not reconnect: after DX_ERR_CLOSED (the server
       went away) every call says DX_ERR_AGAIN; close it and open again.
       A refused open says DX_HBTP_ERR_REFUSED (the server's code, such as
       RATE_LIMITED, is not kept). An error of the loop's (dx_reactor_run)
       is returned at once; that call's answer, if it comes, is dropped.
   void dx_net_sync_close(dx_net_sync *s)

CONFIGURATION
   Server config (zero = default):
   host "127.0.0.1" (an IPv4 or IPv6 literal), port (0: any free port),
   unix_path (instead of host and port: an AF_UNIX socket at that path),
   workers (one per CPU; Windows: one, and more say DX_ERR_UNSUPPORTED:
   no SO_REUSEPORT there, and a socket belongs to one completion port), pin, backlog (SOMAXCONN), reactor (each worker's
   loop config), conn (the dx_hbtp_conn_config of every connection: router,
   middleware, max_payload, max_inflight, out_capacity; role is set to
   server: an answer is written whole into the connection's output, so
   out_capacity bounds the largest answer a handler can give: size it for
   that, or split large downloads into several calls or a stream the
   client asks for piece by piece), max_connections 1024 per worker, recv_size 16 KiB, high_water
   (half of the dx_hbtp output buffer), hello_timeout_ns 10 s, idle_timeout_ns
   300 s, stop_timeout_ns 10 s (DX_NET_NEVER: no limit), setup_worker
   (called once per worker in start, on the calling thread, with that
   worker's copy of conn: give each worker its own middleware state there;
   it may not change the sizes), user, allocator.
   Client config: host, port or unix_path, conn (role set to client; on_frame and user
   are dx_net's), recv_size (two of the largest frames, 2 x (max_payload +
   8), from 16 KiB to 512 KiB: a stream of large answers is then mostly
   read in place, not put together in dx_hbtp's buffer by a copy, in one
   system call per frame or fewer), high_water, piece_size 64 KiB (at most
   the negotiated max payload), connect_timeout_ns 5 s (the connect, TCP
   or AF_UNIX, and the answer to HELLO), reply_timeout_ns 300 s (DX_NET_NEVER: no
   limit; see OVERVIEW), reconnect,
   backoff_min_ns 50 ms, backoff_max_ns 5 s, on_state, user, allocator.
   DX_STATIC / DX_NET_STATIC, DX_NET_API / DX_API, DX_NET_IMPLEMENTATION
   (or DX_IMPLEMENTATION) as in every dx header.

MEMORY
   Server: per worker, max_connections x (sizeof(dx_net_conn), 1.2 KiB on
   x86-64, + dx_hbtp_conn_memory_size(conn) + recv_size), plus the worker
   (about 6 KiB) and its reactor's fd table (dx_reactor.h MEMORY). With
   the dx_hbtp defaults (64 KiB frames) a connection costs about 215 KiB;
   with max_payload 4 KiB and recv_size 4 KiB about 23 KiB. One block,
   allocated by start: the pages of slots never used are never touched.
   Client: dx_hbtp's memory + recv_size (about 128 KiB with the dx_hbtp
   defaults) + 24 bytes per call slot, and the dx_net_client struct (about
   2.2 KiB).

ERRORS
   dx_result; module codes: DX_NET_ERR_REMOTE (-600: the server answered
   ERROR; no *_result_name function knows it: they say DX_ERR_UNKNOWN).
   The rest are dx_reactor's and dx_hbtp's.

THREADING
   A server's workers each run one loop on one thread; a connection, its
   handlers and its middleware run only on its worker's thread (give
   middleware state per worker with setup_worker). dx_net_server_start,
   _stop, _shutdown and _counters may be called from any thread (one start
   and one stop per server; _stop not from the server's own workers); _shutdown only sets a flag and writes to the
   loops' wake fds, so a signal handler may call it. The router is shared
   read-only. A client belongs to the thread that runs its loop: every
   dx_net_client_* call and callback happens there. dx_net_sync is one
   thread's.

SECURITY MODEL
   Trusted: configs, handlers, middleware. Untrusted: every byte received,
   which only dx_hbtp_conn_feed interprets (dx_net.h parses nothing
   itself). A peer cannot make the server allocate, hold more than one
   connection slot, or keep a slot past the HELLO or idle timeout.

VERSION HISTORY
   0.1.5 (2026-11-29) Client fixes, found by reading the code, each with a
         test in net_test. An upload that the server answered before its
         last piece (an ERROR) kept sending pieces: the next one failed,
         its callback ran a second time (DX_ERR_INVAL), or a call that
         had taken the upload's slot got that error instead of its answer.
         An AF_UNIX client had no connect timer: a server that never
         answered HELLO kept it waiting for ever, and reply_timeout never
         ran. reply_timeout was first checked only when connect_timeout ran
         out (5 s), not reply_timeout after the call. dx_net_client_close
         from on_state(CONNECTING) was ignored. A connection that ended in
         the turn its connect or reply timer fired reconnected at once, not
         after the backoff (epoll, poll), and the cancel meant for that
         timer took the new connect timer. dx_net_sync_call after a
         dx_reactor_run error mid-call got that call's answer (its
         callback still pointed at the sync client). Server: a graceful
         stop sent GOAWAY before feeding the input backpressure held back
         (those requests got "going away"), and a GOAWAY that found the
         output full was dropped. A failed accept (EMFILE) was retried at
         once: a worker spun (epoll, poll) until fds came back; it now
         waits for the next sweep. On a 32-bit host a recv_size (or a
         dx_hbtp memory size) past a quarter of the address space wrapped
         the pool's sums (a small buffer, recv past it): DX_ERR_NOMEM.
   0.1.4 (2026-11-29) dx_net_server_stop from a handler (a worker's thread)
         says DX_ERR_MISUSE: it freed the pools under the handler. The
         workers' stop no longer wakes a loop being destroyed (dx_reactor.h
         0.6.1). Docs from an outsider's programs: out_capacity bounds a
         server's largest answer, close delivers answers already received,
         the CONNECTED state, a sync client after the server went away.
   0.1.3 (2026-11-28) dx_net_server_start on a TCP port another server
         listens on says DX_REACTOR_ERR_ADDRINUSE (POSIX). The workers'
         SO_REUSEPORT listeners used to join the other server's (the
         kernel allows it within one user): both ran, each taking part of
         the connections (hbtp_server started twice on one port). The
         same for an AF_UNIX path a server listens on (the second server
         replaced the socket file: the first ran on, unreachable).
   0.1.2 (2026-11-26) the client's receive buffer defaults to two of the
         largest frames (was 16 KiB): dx_sync's 256 MiB download about 20%
         faster. The client's connect_timeout covers the answer to HELLO too
         (a server that accepted and said nothing kept it waiting for ever),
         and reply_timeout_ns (300 s) ends a connection whose answers stall.
   0.1.1 (2026-11-23) Windows (IOCP): the server runs, with one worker (the
         default there); needs dx_reactor.h 0.4.1. net_test runs on kqueue.
   0.1.0 (2026-11-23) first release: TCP server with thread-per-core workers,
         preallocated pools, backpressure, timeouts, limits, graceful stop,
         counters; client with pipelining, uploads, reconnect; blocking
         wrapper; TCP and AF_UNIX. Needs dx_hbtp.h 0.3.0 (dx_hbtp_conn_stream)
         and dx_reactor.h 0.4.0 (dx_reactor_unix_listen, _connect).
   There is no ABI promise between versions: vendor the header, link statically.
*/
#if defined(DX_IMPLEMENTATION) && !defined(DX_NET_IMPLEMENTATION)
#define DX_NET_IMPLEMENTATION
#endif
#ifndef DX_NET_H
#define DX_NET_H
#if !defined(DX_REACTOR_H) || !defined(DX_HBTP_H)
#error "dx_net.h needs dx_reactor.h and dx_hbtp.h included before it"
#endif
#if DX_HBTP_VERSION < 3000 /* DX_VERSION_PACK(0, 3, 0): dx_hbtp_conn_stream */
#error "dx_net.h needs dx_hbtp.h 0.3.0 or later"
#endif
#if DX_REACTOR_VERSION < 4000 /* DX_VERSION_PACK(0, 4, 0): dx_reactor_unix_listen */
#error "dx_net.h needs dx_reactor.h 0.4.0 or later"
#endif
/* ---- dx common block v2: identical bytes in every dx header (tests/compile/common_block.sh) ---- */
#ifndef DX_COMMON_VERSION
#define DX_COMMON_VERSION 2
#ifdef DX_CONFIG_HEADER
#include DX_CONFIG_HEADER
#endif
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#define DX_INLINE static inline
#define DX_VERSION_PACK(major, minor, patch) ((major) * 1000000u + (minor) * 1000u + (patch))
/* Zero-means-default for config fields (sokol's _sg_def): DXI_DEF(cfg->x, 64). Private. */
#define DXI_DEF(value, default_value) ((value) ? (value) : (default_value))
#if defined(__cplusplus) && __cplusplus >= 201103L
#define DX_STATIC_ASSERT(cond, name) static_assert(cond, #name)
#elif defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
#define DX_STATIC_ASSERT(cond, name) _Static_assert(cond, #name)
#else /* C99: a negative array size fails to compile */
#define DX_STATIC_ASSERT(cond, name) typedef char dx_static_assert_##name[(cond) ? 1 : -1]
#endif
#if defined(DX_NO_LIBC)
#ifndef DX_NO_STDIO
#define DX_NO_STDIO
#endif
#ifndef DX_NO_MALLOC
#define DX_NO_MALLOC
#endif
#ifndef DX_NO_ASSERT
#define DX_NO_ASSERT
#endif
#endif
#ifdef __cplusplus
extern "C" {
#endif
/* 0 is success, negative values are errors; functions that count return >= 0 or a dx_result. */
typedef int32_t dx_result;
enum {
    DX_OK = 0,
    DX_ERR_INVAL = -1,        /* a bad argument: NULL, zero size, out-of-range value */
    DX_ERR_NOMEM = -2,        /* the allocator failed, or there is none (DX_NO_MALLOC) */
    DX_ERR_NOSPACE = -3,      /* the caller's buffer is too small */
    DX_ERR_TRUNCATED = -4,    /* input ends early: feed more bytes */
    DX_ERR_CORRUPT = -5,      /* input is malformed */
    DX_ERR_UNSUPPORTED = -6,  /* unknown major version or required flag */
    DX_ERR_LIMIT = -7,        /* a configured or format limit was exceeded */
    DX_ERR_CHECKSUM = -8,     /* a checksum or hash does not match */
    DX_ERR_NOTFOUND = -9,
    DX_ERR_EXISTS = -10,
    DX_ERR_AGAIN = -11,
    DX_ERR_BUSY = -12,
    DX_ERR_TIMEOUT = -13,
    DX_ERR_CANCELED = -14,
    DX_ERR_CLOSED = -15,
    DX_ERR_IO = -16,
    DX_ERR_OS = -17,
    DX_ERR_MISUSE = -18       /* the API was called in the wrong state */
};
/* Runtime allocator; all zero means DX_MALLOC/DX_FREE (none under DX_NO_MALLOC). */
typedef struct dx_allocator {
    void *(*alloc)(size_t size, void *user);
    void (*free)(void *ptr, size_t size, void *user);
    void *user;
} dx_allocator;
/* Little-endian loads and stores: any alignment, any host byte order. Byte by
   byte in general; on a little-endian GCC or Clang target one __builtin_memcpy gives the same
   value and compiles to a single load or store where the target allows
   unaligned ones (Cortex-M4: hundreds of bytes smaller than byte shifts,
   which compilers merge only at -O2). DX_LITTLE_ENDIAN=0 forces the byte path;
   big-endian hosts and other compilers always take it. */
#if !defined(DX_LITTLE_ENDIAN) && (defined(__GNUC__) || defined(__clang__)) && !defined(__TINYC__) && \
    defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__)
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define DX_LITTLE_ENDIAN 1
#endif
#endif
#if defined(DX_LITTLE_ENDIAN) && DX_LITTLE_ENDIAN && (defined(__GNUC__) || defined(__clang__))
#define DXI_LE_COPY(dst, src, n) __builtin_memcpy(dst, src, n)
DX_INLINE uint16_t dx_load_u16le(const void *p) {
    uint16_t v;
    DXI_LE_COPY(&v, p, 2);
    return v;
}
DX_INLINE uint32_t dx_load_u32le(const void *p) {
    uint32_t v;
    DXI_LE_COPY(&v, p, 4);
    return v;
}
DX_INLINE uint64_t dx_load_u64le(const void *p) {
    uint64_t v;
    DXI_LE_COPY(&v, p, 8);
    return v;
}
DX_INLINE void dx_store_u16le(void *p, uint16_t v) { DXI_LE_COPY(p, &v, 2); }
DX_INLINE void dx_store_u32le(void *p, uint32_t v) { DXI_LE_COPY(p, &v, 4); }
DX_INLINE void dx_store_u64le(void *p, uint64_t v) { DXI_LE_COPY(p, &v, 8); }
#else
DX_INLINE uint16_t dx_load_u16le(const void *p) {
    const uint8_t *b = (const uint8_t *)p;
    return (uint16_t)(b[0] | (b[1] << 8));
}
DX_INLINE uint32_t dx_load_u32le(const void *p) {
    const uint8_t *b = (const uint8_t *)p;
    return (uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) | ((uint32_t)b[3] << 24);
}
DX_INLINE uint64_t dx_load_u64le(const void *p) {
    const uint8_t *b = (const uint8_t *)p;
    return (uint64_t)dx_load_u32le(b) | ((uint64_t)dx_load_u32le(b + 4) << 32);
}
DX_INLINE void dx_store_u16le(void *p, uint16_t v) {
    uint8_t *b = (uint8_t *)p;
    b[0] = (uint8_t)v;
    b[1] = (uint8_t)(v >> 8);
}
DX_INLINE void dx_store_u32le(void *p, uint32_t v) {
    uint8_t *b = (uint8_t *)p;
    b[0] = (uint8_t)v;
    b[1] = (uint8_t)(v >> 8);
    b[2] = (uint8_t)(v >> 16);
    b[3] = (uint8_t)(v >> 24);
}
DX_INLINE void dx_store_u64le(void *p, uint64_t v) {
    dx_store_u32le(p, (uint32_t)v);
    dx_store_u32le((uint8_t *)p + 4, (uint32_t)(v >> 32));
}
#endif
/* The name of a common result code ("" under DX_NO_ERROR_STRINGS). */
DX_INLINE const char *dx_result_name(dx_result r) {
#if defined(DX_NO_ERROR_STRINGS)
    (void)r;
    return "";
#else
    switch (r) {
    case DX_OK: return "DX_OK";
    case DX_ERR_INVAL: return "DX_ERR_INVAL";
    case DX_ERR_NOMEM: return "DX_ERR_NOMEM";
    case DX_ERR_NOSPACE: return "DX_ERR_NOSPACE";
    case DX_ERR_TRUNCATED: return "DX_ERR_TRUNCATED";
    case DX_ERR_CORRUPT: return "DX_ERR_CORRUPT";
    case DX_ERR_UNSUPPORTED: return "DX_ERR_UNSUPPORTED";
    case DX_ERR_LIMIT: return "DX_ERR_LIMIT";
    case DX_ERR_CHECKSUM: return "DX_ERR_CHECKSUM";
    case DX_ERR_NOTFOUND: return "DX_ERR_NOTFOUND";
    case DX_ERR_EXISTS: return "DX_ERR_EXISTS";
    case DX_ERR_AGAIN: return "DX_ERR_AGAIN";
    case DX_ERR_BUSY: return "DX_ERR_BUSY";
    case DX_ERR_TIMEOUT: return "DX_ERR_TIMEOUT";
    case DX_ERR_CANCELED: return "DX_ERR_CANCELED";
    case DX_ERR_CLOSED: return "DX_ERR_CLOSED";
    case DX_ERR_IO: return "DX_ERR_IO";
    case DX_ERR_OS: return "DX_ERR_OS";
    case DX_ERR_MISUSE: return "DX_ERR_MISUSE";
    default: return "DX_ERR_UNKNOWN";
    }
#endif
}
#ifdef __cplusplus
}
#endif
#endif /* DX_COMMON_VERSION */
#if DX_COMMON_VERSION < 2
#error "an older dx header was included first; update it"
#endif
/* ---- end of dx common block ---- */
#ifndef DX_NET_API /* DX_NET_API > DX_API > static (DX_STATIC / DX_NET_STATIC) > extern */
#if defined(DX_API)
#define DX_NET_API DX_API
#elif (defined(DX_STATIC) || defined(DX_NET_STATIC)) && (defined(__GNUC__) || defined(__clang__))
#define DX_NET_API static __attribute__((unused))
#elif defined(DX_STATIC) || defined(DX_NET_STATIC)
#define DX_NET_API static
#else
#define DX_NET_API extern
#endif
#endif

#define DX_NET_VERSION_MAJOR 0
#define DX_NET_VERSION_MINOR 1
#define DX_NET_VERSION_PATCH 5
#define DX_NET_VERSION DX_VERSION_PACK(0, 1, 5)

#ifndef DX_NET_REFUSALS /* connections a worker may be refusing at once (beyond: closed without a word) */
#define DX_NET_REFUSALS 8
#endif

#ifdef __cplusplus
extern "C" {
#endif

enum { DX_NET_ERR_REMOTE = -600 }; /* the server answered ERROR */

#define DX_NET_NEVER UINT64_MAX /* a timeout that never expires */

typedef struct dx_net_server dx_net_server;
typedef struct dx_net_worker dx_net_worker;
typedef struct dx_net_conn dx_net_conn;
typedef struct dx_net_client dx_net_client;

/* Per worker; every field a uint64_t (read as an array by dx_net_server_counters). */
typedef struct dx_net_counters {
    uint64_t accepted, open, closed, refused, peak_open;
    uint64_t requests, bytes_in, bytes_out;
    uint64_t err_protocol;  /* connections closed for a protocol error (ERROR + GOAWAY sent) */
    uint64_t err_io;        /* recv or send failed (reset, ...) */
    uint64_t err_accept;    /* accept failed (EMFILE, ...): the worker accepts again at its next sweep */
    uint64_t timeout_hello, timeout_idle, timeout_stop;
    uint64_t stalls;        /* reads held back by backpressure */
} dx_net_counters;

typedef struct dx_net_server_config {
    const char *host;           /* IPv4 or IPv6 literal; NULL = "127.0.0.1" */
    uint16_t port;              /* 0 = any free port (dx_net_server_port) */
    const char *unix_path;      /* non-NULL: an AF_UNIX stream socket there instead of TCP */
    uint32_t workers;           /* 0 = one per CPU (Windows: 1, the most it allows) */
    bool pin;                   /* worker i on CPU i % CPUs */
    int backlog;                /* 0 = SOMAXCONN */
    dx_reactor_config reactor;  /* each worker's loop */
    dx_hbtp_conn_config conn;   /* every connection's (role: server) */
    uint32_t max_connections;   /* per worker; 0 = 1024 */
    uint32_t recv_size;         /* 0 = 16 KiB */
    size_t high_water;          /* unsent output above this stops reading; 0 = half the output buffer */
    uint64_t hello_timeout_ns;  /* 0 = 10 s */
    uint64_t idle_timeout_ns;   /* 0 = 300 s */
    uint64_t stop_timeout_ns;   /* 0 = 10 s */
    void (*setup_worker)(dx_net_worker *w, dx_hbtp_conn_config *conn, void *user);
    void *user;
    dx_allocator allocator;
} dx_net_server_config;

/* One server connection; the dx_hbtp connection comes first (dx_net_conn_of). */
struct dx_net_conn {
    dx_hbtp_conn hbtp;
    dx_op recv_op, send_op, close_op;
    dx_net_worker *worker;
    uintptr_t fd;
    uint8_t *mem, *rbuf;        /* dx_hbtp's memory; the receive buffer */
    size_t roff, rlen;          /* input [roff, rlen) of rbuf not fed yet */
    uint64_t opened_ns, active_ns;
    uint32_t flags;             /* private */
    dx_net_conn *next_free;
    void *user;                 /* yours; NULL at accept */
    uint64_t scratch[4];        /* yours; zero at accept */
};

typedef struct dx_net_refusal { /* private: a connection being refused */
    dx_op send_op, recv_op, close_op;
    dx_net_worker *worker;
    uintptr_t fd;
    uint64_t started_ns;
    uint32_t flags;
    uint8_t sink[64];
} dx_net_refusal;

struct dx_net_worker {
    dx_net_server *server;
    dx_reactor_worker *rw;
    dx_reactor *loop;
    uint32_t index;
    dx_hbtp_conn_config conn_cfg; /* this worker's (setup_worker) */
    void *user;                   /* yours (setup_worker may set it) */
    dx_net_conn *conns, *free_list;
    uint32_t conn_count, live, refusing;
    dx_net_refusal refusals[DX_NET_REFUSALS];
    uint8_t refuse_bytes[96];
    size_t refuse_len;
    dx_op accept_op, wake_op, sweep_op, cancel_accept, cancel_sweep, cancel_wake;
    uint32_t stage;               /* 0 serving, 1 draining, 2 closing at once */
    uint32_t ops;                 /* private: which of accept, wake, sweep are in flight */
    uint32_t closed;              /* private, atomic: no more wakes */
    bool finished;
    uint64_t stage_ns;
    dx_net_counters counters;     /* written by this worker only; read with dx_net_server_counters */
};

struct dx_net_server {
    dx_net_server_config cfg;
    dx_reactor_workers group;
    dx_reactor_worker *rworkers;
    dx_net_worker *workers;
    uint32_t count;
    uint16_t port;
    dx_reactor_addr addr;
    int64_t unix_fd;              /* the shared AF_UNIX listener, or -1 */
    uint32_t stops, wakers;       /* private, atomic */
    size_t high_water;
    uint64_t hello_ns, idle_ns, stop_ns, sweep_ns;
    void *mem;
    size_t mem_size;
    bool running;
    dx_net_counters totals;       /* every worker's, summed by stop */
};

typedef enum dx_net_client_state {
    DX_NET_CLIENT_IDLE = 0,
    DX_NET_CLIENT_CONNECTING,   /* connect in progress (HELLO and calls already queued) */
    DX_NET_CLIENT_CONNECTED,    /* HELLO sent, not yet answered */
    DX_NET_CLIENT_OPEN,         /* HELLO answered */
    DX_NET_CLIENT_CLOSING,      /* the socket is being closed */
    DX_NET_CLIENT_BACKOFF,      /* waiting to reconnect */
    DX_NET_CLIENT_CLOSED,       /* for good: destroy may follow */
    DX_NET_CLIENT_FORCE_32BIT = 0x7fffffff
} dx_net_client_state;

typedef struct dx_net_reply {
    dx_result result;           /* DX_OK: frame is an answer; DX_NET_ERR_REMOTE: an ERROR; else no answer will come */
    const dx_hbtp_frame *frame; /* NULL without a frame */
    const uint8_t *body;        /* RPC_RESPONSE body, ERROR message, or the payload */
    uint32_t body_len;
    uint16_t stream, code;      /* code: the ERROR's */
    bool final;                 /* the call's last callback */
} dx_net_reply;

typedef void (*dx_net_reply_fn)(dx_net_client *c, const dx_net_reply *r, void *user);
typedef void (*dx_net_state_fn)(dx_net_client *c, dx_net_client_state state, dx_result why, void *user);

typedef struct dx_net_client_config {
    const char *host;           /* IPv4 or IPv6 literal; NULL = "127.0.0.1" */
    uint16_t port;
    const char *unix_path;      /* non-NULL: connect to an AF_UNIX socket there instead */
    dx_hbtp_conn_config conn;   /* role, on_frame and user are set by dx_net */
    uint32_t recv_size;         /* 0 = 2 x (max_payload + 8), 16 KiB to 512 KiB */
    size_t high_water;          /* upload pieces are queued below it; 0 = half the output buffer */
    uint32_t piece_size;        /* 0 = 64 KiB (at most the negotiated max payload) */
    uint64_t connect_timeout_ns; /* 0 = 5 s: the connect and the answer to HELLO */
    uint64_t reply_timeout_ns;  /* 0 = 300 s: an answer is due and nothing comes or goes; DX_NET_NEVER: none */
    bool reconnect;
    uint64_t backoff_min_ns, backoff_max_ns; /* 0 = 50 ms, 5 s */
    dx_net_state_fn on_state;   /* optional: every state change */
    void *user;
    dx_allocator allocator;
} dx_net_client_config;

typedef struct dx_net_call { /* private: a call waiting for its answer */
    dx_net_reply_fn fn;
    void *user;
    uint16_t stream;
    bool used;
} dx_net_call;

struct dx_net_client {
    dx_net_client_config cfg;
    dx_reactor *loop;
    dx_hbtp_conn hbtp;
    dx_net_client_state state;
    dx_result last_error;       /* why the connection last ended */
    uint64_t connects, requests, bytes_in, bytes_out;
    /* private */
    dx_reactor_addr addr;
    uintptr_t fd;
    uint8_t *mem, *rbuf;
    size_t mem_size, hbtp_size;
    dx_net_call *calls;
    uint32_t call_count;
    struct { const uint8_t *data; size_t len, off; uint32_t slot; uint16_t stream; bool active, queued; } up;
    dx_op connect_op, recv_op, send_op, close_op, timer_op, cancel_op;
    uint32_t flags;
    uint64_t backoff_ns;
    uint64_t active_ns;         /* dx_reactor_now() of the last byte in or out, or of a call made while none waited */
    size_t high_water;
};

typedef struct dx_net_sync {
    dx_reactor loop;
    dx_net_client client;
    bool done;
    dx_result result;
    uint16_t code;
    uint8_t *out;
    size_t cap, len;
} dx_net_sync;

DX_NET_API dx_result dx_net_server_start(dx_net_server *s, const dx_net_server_config *cfg);
DX_NET_API void dx_net_server_shutdown(dx_net_server *s);
DX_NET_API dx_result dx_net_server_stop(dx_net_server *s);
DX_NET_API uint16_t dx_net_server_port(const dx_net_server *s);
DX_NET_API uint32_t dx_net_server_workers(const dx_net_server *s);
DX_NET_API uint32_t dx_net_server_stops(const dx_net_server *s);
DX_NET_API const char *dx_net_server_backend_name(const dx_net_server *s);
DX_NET_API void dx_net_server_counters(const dx_net_server *s, uint32_t worker, dx_net_counters *out);
DX_NET_API dx_net_conn *dx_net_conn_of(dx_hbtp_conn *c);

DX_NET_API dx_result dx_net_client_create(dx_net_client *c, dx_reactor *loop, const dx_net_client_config *cfg);
DX_NET_API void dx_net_client_destroy(dx_net_client *c);
DX_NET_API void dx_net_client_close(dx_net_client *c);
DX_NET_API int32_t dx_net_client_call(dx_net_client *c, uint32_t method, const void *body, size_t len,
                                      dx_net_reply_fn fn, void *user);
DX_NET_API int32_t dx_net_client_upload(dx_net_client *c, const void *body, size_t len, dx_net_reply_fn fn, void *user);
DX_NET_API dx_net_client_state dx_net_client_state_of(const dx_net_client *c);

DX_NET_API dx_result dx_net_sync_open(dx_net_sync *s, const dx_reactor_config *loop_cfg, const dx_net_client_config *cfg);
DX_NET_API dx_result dx_net_sync_call(dx_net_sync *s, uint32_t method, const void *body, size_t len, void *out,
                                      size_t cap, size_t *out_len);
DX_NET_API void dx_net_sync_close(dx_net_sync *s);

#ifdef __cplusplus
}
#endif
#endif /* DX_NET_H */

/* ===== STOP HERE if you only need the API. Below is the implementation. ===== */

#if defined(DX_NET_IMPLEMENTATION) && !defined(DX_NET_IMPLEMENTATION_DONE)
#define DX_NET_IMPLEMENTATION_DONE
#if !defined(DX_REACTOR_H) || !defined(DX_HBTP_H)
#error "dx_net.h needs dx_reactor.h and dx_hbtp.h included before it"
#endif

/* ---- dx common implementation block v1: defaults shared by every dx header, each under #ifndef;
   identical bytes in every header (tests/compile/common_block.sh) ---- */
#ifndef DX_ASSERT
#if defined(DX_NO_ASSERT)
#define DX_ASSERT(c) ((void)0)
#else
#include <assert.h>
#define DX_ASSERT(c) assert(c)
#endif
#endif
#if defined(DX_MALLOC) != defined(DX_FREE)
#error "define both DX_MALLOC and DX_FREE, or neither"
#endif
#if !defined(DX_MALLOC) && !defined(DX_NO_MALLOC)
#include <stdlib.h>
#define DX_MALLOC(size, user) ((void)(user), malloc(size))
#define DX_FREE(ptr, size, user) ((void)(size), (void)(user), free(ptr))
#define DXI_LIBC_MALLOC 1 /* DX_MALLOC is malloc: calloc(3) may stand in for it */
#endif
#if !defined(DX_MEMCPY) && defined(DX_NO_LIBC)
#define DX_MEMCPY __builtin_memcpy
#define DX_MEMMOVE __builtin_memmove
#define DX_MEMSET __builtin_memset
#define DX_MEMCMP __builtin_memcmp
#elif !defined(DX_MEMCPY)
#include <string.h>
#define DX_MEMCPY memcpy
#define DX_MEMMOVE memmove
#define DX_MEMSET memset
#define DX_MEMCMP memcmp
#endif
#ifndef DXI_PRIVATE
#if defined(__GNUC__) || defined(__clang__)
#define DXI_PRIVATE static __attribute__((unused))
#else
#define DXI_PRIVATE static
#endif
#endif
/* ---- end of dx common implementation block ---- */

#if (defined(__GNUC__) || defined(__clang__)) && !defined(__TINYC__)
#define DXI_NET_LOAD(p) __atomic_load_n((p), __ATOMIC_SEQ_CST)
#define DXI_NET_STORE(p, v) __atomic_store_n((p), (v), __ATOMIC_SEQ_CST)
#define DXI_NET_ADD(p, v) __atomic_add_fetch((p), (v), __ATOMIC_SEQ_CST)
#define DXI_NET_SUB(p, v) __atomic_sub_fetch((p), (v), __ATOMIC_SEQ_CST)
/* counters: one writer (the worker), readers on other threads: relaxed, untorn */
#define DXI_NET_CLOAD(p) __atomic_load_n((p), __ATOMIC_RELAXED)
#define DXI_NET_CSET(p, v) __atomic_store_n((p), (v), __ATOMIC_RELAXED)
#else /* no __atomic builtins (tcc, ...): volatile, as dx_reactor's workers */
#define DXI_NET_LOAD(p) (*(volatile uint32_t *)(p))
#define DXI_NET_STORE(p, v) (*(volatile uint32_t *)(p) = (v))
#define DXI_NET_ADD(p, v) (*(volatile uint32_t *)(p) += (v))
#define DXI_NET_SUB(p, v) (*(volatile uint32_t *)(p) -= (v))
#define DXI_NET_CLOAD(p) (*(volatile uint64_t *)(p))
#define DXI_NET_CSET(p, v) (*(volatile uint64_t *)(p) = (v))
#endif
#define DXI_NET_COUNT(w, field, v) DXI_NET_CSET(&(w)->counters.field, (w)->counters.field + (uint64_t)(v))

enum { /* dx_net_conn.flags */
    DXI_NET_LIVE = 1,  /* in use */
    DXI_NET_RECV = 2,  /* a recv in flight */
    DXI_NET_SEND = 4,  /* a send in flight */
    DXI_NET_CLOSE = 8, /* the close was submitted */
    DXI_NET_DONE = 16, /* read nothing more: close once the output is out (EOF, protocol error) */
    DXI_NET_DRAIN = 32, /* GOAWAY sent by a stop */
    DXI_NET_STALL = 64, /* reading held back (counted once per stall) */
    DXI_NET_GOAWAY = 128 /* a stop's GOAWAY is due: once the input is fed and the output has room */
};
enum { /* dx_net_worker.ops */
    DXI_NET_OP_ACCEPT = 1,
    DXI_NET_OP_WAKE = 2,
    DXI_NET_OP_SWEEP = 4,
    DXI_NET_OP_PAUSED = 8 /* accepting paused after a failed accept: the sweep accepts again */
};

DXI_PRIVATE size_t dxi_net_align(size_t v) { return (v + 15) & ~(size_t)15; }
/* past a quarter of the address space (a 32-bit host's): a few of these summed would wrap */
DXI_PRIVATE int dxi_net_huge(uint64_t v) { return v > SIZE_MAX / 4; }

DXI_PRIVATE void *dxi_net_alloc(const dx_allocator *a, size_t size) {
    if (a->alloc) return a->alloc(size, a->user);
#if defined(DX_NO_MALLOC)
    (void)size;
    return NULL;
#else
    return DX_MALLOC(size, a->user);
#endif
}

DXI_PRIVATE void dxi_net_free(const dx_allocator *a, void *p, size_t size) {
    if (!p) return;
    if (a->free) a->free(p, size, a->user);
#if !defined(DX_NO_MALLOC)
    else DX_FREE(p, size, a->user);
#else
    (void)size;
#endif
}

DX_NET_API dx_net_conn *dx_net_conn_of(dx_hbtp_conn *c) { return (dx_net_conn *)(void *)c; }

/* ---- server: one connection ---- */

DXI_PRIVATE void dxi_net_pump(dx_net_conn *c);
DXI_PRIVATE void dxi_net_maybe_finish(dx_net_worker *w);

DXI_PRIVATE dx_reactor_action dxi_net_closed(dx_reactor *r, dx_op *op, int64_t res, void *user) {
    dx_net_conn *c = (dx_net_conn *)user;
    dx_net_worker *w = c->worker;
    (void)r, (void)op, (void)res;
    c->flags = 0;
    c->next_free = w->free_list;
    w->free_list = c;
    w->live--;
    DXI_NET_COUNT(w, open, -1);
    DXI_NET_COUNT(w, closed, 1);
    dxi_net_maybe_finish(w);
    return DX_REACTOR_DISARM;
}

/* Pending recv and send complete with DX_ERR_CANCELED before the close's own callback. */
DXI_PRIVATE void dxi_net_close(dx_net_conn *c) {
    if (c->flags & DXI_NET_CLOSE) return;
    c->flags |= DXI_NET_CLOSE;
    dx_op_close(&c->close_op, c->fd);
    dx_reactor_submit(c->worker->loop, &c->close_op, dxi_net_closed, c);
}

DXI_PRIVATE dx_reactor_action dxi_net_sent(dx_reactor *r, dx_op *op, int64_t res, void *user) {
    dx_net_conn *c = (dx_net_conn *)user;
    (void)op;
    c->flags &= ~(uint32_t)DXI_NET_SEND;
    if (c->flags & DXI_NET_CLOSE) return DX_REACTOR_DISARM;
    if (res < 0) {
        DXI_NET_COUNT(c->worker, err_io, 1);
        dxi_net_close(c);
        return DX_REACTOR_DISARM;
    }
    dx_hbtp_conn_consume(&c->hbtp, (size_t)res);
    DXI_NET_COUNT(c->worker, bytes_out, res);
    c->active_ns = dx_reactor_now(r);
    dxi_net_pump(c);
    return DX_REACTOR_DISARM;
}

DXI_PRIVATE dx_reactor_action dxi_net_received(dx_reactor *r, dx_op *op, int64_t res, void *user) {
    dx_net_conn *c = (dx_net_conn *)user;
    (void)op;
    c->flags &= ~(uint32_t)DXI_NET_RECV;
    if (c->flags & DXI_NET_CLOSE) return DX_REACTOR_DISARM;
    if (res < 0) {
        DXI_NET_COUNT(c->worker, err_io, 1);
        dxi_net_close(c);
        return DX_REACTOR_DISARM;
    }
    if (res == 0) {
        c->flags |= DXI_NET_DONE; /* the peer is done: answer what it sent, then close */
    } else {
        c->roff = 0;
        c->rlen = (size_t)res;
        DXI_NET_COUNT(c->worker, bytes_in, res);
        c->active_ns = dx_reactor_now(r);
    }
    dxi_net_pump(c);
    return DX_REACTOR_DISARM;
}

/* Feeds what was received, sends what is due (one send in flight), reads
   again when the output is below the high-water mark and all input was fed. */
DXI_PRIVATE void dxi_net_pump(dx_net_conn *c) {
    dx_net_worker *w = c->worker;
    size_t out_len;
    const uint8_t *out;
    if (c->flags & DXI_NET_CLOSE) return;
    while (c->rlen > c->roff && !(c->flags & DXI_NET_DONE)) {
        uint64_t before = c->hbtp.requests;
        int64_t n = dx_hbtp_conn_feed(&c->hbtp, c->rbuf + c->roff, c->rlen - c->roff);
        DXI_NET_COUNT(w, requests, c->hbtp.requests - before);
        if (n < 0) { /* the output holds ERROR + GOAWAY */
            DXI_NET_COUNT(w, err_protocol, 1);
            c->flags |= DXI_NET_DONE;
            c->roff = c->rlen = 0;
            break;
        }
        c->roff += (size_t)n;
        if (c->roff == c->rlen) c->roff = c->rlen = 0;
        if (n == 0) break; /* the output is half full: send first */
    }
    if ((c->flags & DXI_NET_GOAWAY) && c->rlen == 0) { /* requests received before the stop go first */
        if ((c->flags & DXI_NET_DONE) || dx_hbtp_conn_goaway(&c->hbtp, DX_HBTP_CODE_NONE, "server stopping") == DX_OK)
            c->flags &= ~(uint32_t)DXI_NET_GOAWAY; /* else no room: again after the send */
    }
    out = dx_hbtp_conn_output(&c->hbtp, &out_len);
    if (out_len && !(c->flags & DXI_NET_SEND)) {
        c->flags |= DXI_NET_SEND;
        dx_op_send(&c->send_op, c->fd, out, out_len);
        dx_reactor_submit(w->loop, &c->send_op, dxi_net_sent, c);
    }
    if (c->flags & DXI_NET_DONE) {
        if (!(c->flags & DXI_NET_SEND)) dxi_net_close(c);
        return;
    }
    if (c->flags & (DXI_NET_RECV | DXI_NET_GOAWAY)) return;
    if (c->rlen == 0 && out_len <= w->server->high_water) {
        c->flags = (c->flags & ~(uint32_t)DXI_NET_STALL) | DXI_NET_RECV;
        dx_op_recv(&c->recv_op, c->fd, c->rbuf, w->server->cfg.recv_size);
        dx_reactor_submit(w->loop, &c->recv_op, dxi_net_received, c);
    } else if (!(c->flags & DXI_NET_STALL)) {
        c->flags |= DXI_NET_STALL;
        DXI_NET_COUNT(w, stalls, 1);
    }
}

/* A stop: feed what already arrived, then GOAWAY; the connection closes when the peer does. */
DXI_PRIVATE void dxi_net_drain(dx_net_conn *c) {
    if (!(c->flags & DXI_NET_LIVE) || (c->flags & (DXI_NET_CLOSE | DXI_NET_DRAIN))) return;
    if (c->hbtp.state == DX_HBTP_STATE_HANDSHAKE) { /* nothing to answer */
        dxi_net_close(c);
        return;
    }
    c->flags |= DXI_NET_DRAIN | DXI_NET_GOAWAY;
    dxi_net_pump(c);
}

/* ---- server: refusing a connection beyond max_connections ---- */

enum { DXI_NET_REF_BUSY = 1, DXI_NET_REF_CLOSE = 2 };

DXI_PRIVATE dx_reactor_action dxi_net_ref_closed(dx_reactor *r, dx_op *op, int64_t res, void *user) {
    dx_net_refusal *f = (dx_net_refusal *)user;
    dx_net_worker *w = f->worker;
    (void)r, (void)op, (void)res;
    f->flags = 0;
    w->refusing--;
    dxi_net_maybe_finish(w);
    return DX_REACTOR_DISARM;
}

DXI_PRIVATE void dxi_net_ref_close(dx_net_refusal *f) {
    if (f->flags & DXI_NET_REF_CLOSE) return;
    f->flags |= DXI_NET_REF_CLOSE;
    dx_op_close(&f->close_op, f->fd);
    dx_reactor_submit(f->worker->loop, &f->close_op, dxi_net_ref_closed, f);
}

/* After the refusal went out: read until the peer closes (closing with
   unread input would reset the connection and could lose the refusal). */
DXI_PRIVATE dx_reactor_action dxi_net_ref_read(dx_reactor *r, dx_op *op, int64_t res, void *user) {
    dx_net_refusal *f = (dx_net_refusal *)user;
    (void)r, (void)op;
    if (f->flags & DXI_NET_REF_CLOSE) return DX_REACTOR_DISARM;
    if (res > 0) return DX_REACTOR_REARM;
    dxi_net_ref_close(f);
    return DX_REACTOR_DISARM;
}

DXI_PRIVATE dx_reactor_action dxi_net_ref_sent(dx_reactor *r, dx_op *op, int64_t res, void *user) {
    dx_net_refusal *f = (dx_net_refusal *)user;
    (void)op;
    if (f->flags & DXI_NET_REF_CLOSE) return DX_REACTOR_DISARM;
    if (res < 0) {
        dxi_net_ref_close(f);
        return DX_REACTOR_DISARM;
    }
    dx_op_recv(&f->recv_op, f->fd, f->sink, sizeof f->sink);
    dx_reactor_submit(r, &f->recv_op, dxi_net_ref_read, f);
    return DX_REACTOR_DISARM;
}

DXI_PRIVATE void dxi_net_refuse(dx_net_worker *w, uintptr_t fd) {
    uint32_t i;
    DXI_NET_COUNT(w, refused, 1);
    for (i = 0; i < DX_NET_REFUSALS; i++) {
        dx_net_refusal *f = &w->refusals[i];
        if (f->flags) continue;
        f->flags = DXI_NET_REF_BUSY;
        f->worker = w;
        f->fd = fd;
        f->started_ns = dx_reactor_now(w->loop);
        w->refusing++;
        dx_op_send(&f->send_op, fd, w->refuse_bytes, w->refuse_len);
        dx_reactor_submit(w->loop, &f->send_op, dxi_net_ref_sent, f);
        return;
    }
    dx_reactor_fd_close(w->loop, fd); /* too many at once: no word */
}

/* ---- server: a worker ---- */

DXI_PRIVATE void dxi_net_stage(dx_net_worker *w, uint32_t stage);

DXI_PRIVATE dx_reactor_action dxi_net_accepted(dx_reactor *r, dx_op *op, int64_t res, void *user) {
    dx_net_worker *w = (dx_net_worker *)user;
    dx_net_conn *c;
    (void)op;
    if (res < 0) {
        if (res == DX_ERR_CANCELED || res == DX_REACTOR_ERR_BADF || w->stage) { /* the listener is gone */
            w->ops &= ~(uint32_t)DXI_NET_OP_ACCEPT;
            dxi_net_maybe_finish(w);
            return DX_REACTOR_DISARM;
        }
        DXI_NET_COUNT(w, err_accept, 1);
        if (res == DX_REACTOR_ERR_RESET) return DX_REACTOR_REARM; /* that peer's: accept the next one now */
        /* EMFILE and friends: the listener stays ready, so accepting again now would spin
           (epoll, poll) until fds free up: the sweep tries again (at most 1 s later) */
        w->ops = (w->ops & ~(uint32_t)DXI_NET_OP_ACCEPT) | DXI_NET_OP_PAUSED;
        return DX_REACTOR_DISARM;
    }
    if (w->stage) {
        dx_reactor_fd_close(r, (uintptr_t)res);
        return DX_REACTOR_REARM; /* until the listener's close cancels it */
    }
    DXI_NET_COUNT(w, accepted, 1);
    c = w->free_list;
    if (!c) {
        dxi_net_refuse(w, (uintptr_t)res);
        return DX_REACTOR_REARM;
    }
    w->free_list = c->next_free;
    if (dx_hbtp_conn_init(&c->hbtp, &w->conn_cfg, c->mem, (size_t)(c->rbuf - c->mem)) != DX_OK) {
        c->next_free = w->free_list; /* cannot happen: start checked the config */
        w->free_list = c;
        dx_reactor_fd_close(r, (uintptr_t)res);
        return DX_REACTOR_REARM;
    }
    c->fd = (uintptr_t)res;
    c->flags = DXI_NET_LIVE;
    c->roff = c->rlen = 0;
    c->opened_ns = c->active_ns = dx_reactor_now(r);
    c->user = NULL;
    DX_MEMSET(c->scratch, 0, sizeof c->scratch);
    w->live++;
    DXI_NET_COUNT(w, open, 1);
    if (w->counters.open > w->counters.peak_open) DXI_NET_CSET(&w->counters.peak_open, w->counters.open);
    dxi_net_pump(c);
    return DX_REACTOR_REARM;
}

DXI_PRIVATE dx_reactor_action dxi_net_canceled(dx_reactor *r, dx_op *op, int64_t res, void *user) {
    (void)r, (void)op, (void)res, (void)user;
    return DX_REACTOR_DISARM;
}

DXI_PRIVATE void dxi_net_cancel(dx_net_worker *w, dx_op *cancel, dx_op *target) {
    if (cancel->state != DX_OP_STATE_IDLE) return;
    dx_op_cancel(cancel, target);
    dx_reactor_submit(w->loop, cancel, dxi_net_canceled, w);
}

/* Draining and nothing left: end the worker's own ops so that its loop can end. */
DXI_PRIVATE void dxi_net_maybe_finish(dx_net_worker *w) {
    dx_net_server *s = w->server;
    if (w->finished || w->stage == 0 || w->live || w->refusing) return;
    w->finished = true;
    if (w->ops & DXI_NET_OP_ACCEPT) dxi_net_cancel(w, &w->cancel_accept, &w->accept_op);
    if (w->ops & DXI_NET_OP_SWEEP) dxi_net_cancel(w, &w->cancel_sweep, &w->sweep_op);
    /* the loop may end once the wake op is gone: let a shutdown that is waking it finish first */
    DXI_NET_STORE(&w->closed, 1u);
    while (DXI_NET_LOAD(&s->wakers)) {
    }
    if (w->ops & DXI_NET_OP_WAKE) dxi_net_cancel(w, &w->cancel_wake, &w->wake_op);
}

DXI_PRIVATE void dxi_net_stage(dx_net_worker *w, uint32_t stage) {
    uint32_t i;
    if (stage <= w->stage) return;
    if (w->stage == 0) {
        w->stage_ns = dx_reactor_now(w->loop);
        if (w->ops & DXI_NET_OP_ACCEPT) dxi_net_cancel(w, &w->cancel_accept, &w->accept_op);
    }
    w->stage = stage;
    for (i = 0; i < w->conn_count; i++) {
        dx_net_conn *c = &w->conns[i];
        if (!(c->flags & DXI_NET_LIVE)) continue;
        if (stage == 1) dxi_net_drain(c);
        else dxi_net_close(c);
    }
    if (stage >= 2)
        for (i = 0; i < DX_NET_REFUSALS; i++)
            if (w->refusals[i].flags) dxi_net_ref_close(&w->refusals[i]);
    dxi_net_maybe_finish(w);
}

DXI_PRIVATE void dxi_net_check_stops(dx_net_worker *w) {
    uint32_t stops = DXI_NET_LOAD(&w->server->stops);
    if (stops) dxi_net_stage(w, stops >= 2 ? 2u : 1u);
}

DXI_PRIVATE dx_reactor_action dxi_net_woken(dx_reactor *r, dx_op *op, int64_t res, void *user) {
    dx_net_worker *w = (dx_net_worker *)user;
    (void)r, (void)op;
    if (res == 0 && !w->finished) dxi_net_check_stops(w);
    if (res == DX_ERR_CANCELED || w->finished) { /* a cancel submitted meanwhile finds it IDLE: harmless */
        w->ops &= ~(uint32_t)DXI_NET_OP_WAKE;
        return DX_REACTOR_DISARM;
    }
    return DX_REACTOR_REARM;
}

/* The worker's one timer: HELLO, idle and stop deadlines of every connection. */
DXI_PRIVATE dx_reactor_action dxi_net_sweep(dx_reactor *r, dx_op *op, int64_t res, void *user) {
    dx_net_worker *w = (dx_net_worker *)user;
    dx_net_server *s = w->server;
    uint64_t now = dx_reactor_now(r);
    uint32_t i;
    (void)op;
    if (res == DX_ERR_CANCELED || w->finished) {
        w->ops &= ~(uint32_t)DXI_NET_OP_SWEEP;
        return DX_REACTOR_DISARM;
    }
    dxi_net_check_stops(w);
    if (w->stage == 1 && s->stop_ns != DX_NET_NEVER && now - w->stage_ns >= s->stop_ns) {
        for (i = 0; i < w->conn_count; i++)
            if ((w->conns[i].flags & (DXI_NET_LIVE | DXI_NET_CLOSE)) == DXI_NET_LIVE) DXI_NET_COUNT(w, timeout_stop, 1);
        dxi_net_stage(w, 2);
    }
    for (i = 0; i < w->conn_count; i++) {
        dx_net_conn *c = &w->conns[i];
        if ((c->flags & (DXI_NET_LIVE | DXI_NET_CLOSE)) != DXI_NET_LIVE) continue;
        if (c->hbtp.state == DX_HBTP_STATE_HANDSHAKE && s->hello_ns != DX_NET_NEVER && now - c->opened_ns >= s->hello_ns) {
            DXI_NET_COUNT(w, timeout_hello, 1);
            dxi_net_close(c);
        } else if (s->idle_ns != DX_NET_NEVER && now - c->active_ns >= s->idle_ns) {
            DXI_NET_COUNT(w, timeout_idle, 1);
            dxi_net_close(c);
        }
    }
    if ((w->ops & DXI_NET_OP_PAUSED) && w->stage == 0) { /* accept_op still holds the listener */
        w->ops = (w->ops & ~(uint32_t)DXI_NET_OP_PAUSED) | DXI_NET_OP_ACCEPT;
        dx_reactor_submit(r, &w->accept_op, dxi_net_accepted, w);
    }
    for (i = 0; i < DX_NET_REFUSALS; i++) {
        dx_net_refusal *f = &w->refusals[i];
        if (f->flags == DXI_NET_REF_BUSY && now - f->started_ns >= (s->hello_ns < s->idle_ns ? s->hello_ns : s->idle_ns))
            dxi_net_ref_close(f);
    }
    if (w->finished) {
        w->ops &= ~(uint32_t)DXI_NET_OP_SWEEP;
        return DX_REACTOR_DISARM;
    }
    dx_op_timer(op, s->sweep_ns, 0);
    return DX_REACTOR_REARM;
}

DXI_PRIVATE void dxi_net_on_start(dx_reactor_worker *rw, void *user) {
    dx_net_server *s = (dx_net_server *)user;
    dx_net_worker *w = &s->workers[rw->index];
    int64_t lfd = rw->listen_fd >= 0 ? rw->listen_fd : s->unix_fd; /* TCP: its own; AF_UNIX: one for all */
    w->rw = rw;
    w->loop = &rw->loop;
    if (lfd >= 0) {
        dx_op_accept(&w->accept_op, (uintptr_t)lfd, NULL, 0);
        dx_reactor_submit(w->loop, &w->accept_op, dxi_net_accepted, w);
        w->ops |= DXI_NET_OP_ACCEPT;
    }
    dx_op_wake_wait(&w->wake_op);
    dx_reactor_submit(w->loop, &w->wake_op, dxi_net_woken, w);
    dx_op_timer(&w->sweep_op, s->sweep_ns, 0);
    dx_reactor_submit(w->loop, &w->sweep_op, dxi_net_sweep, w);
    w->ops |= DXI_NET_OP_WAKE | DXI_NET_OP_SWEEP;
    dxi_net_check_stops(w); /* a shutdown before the wake op was there */
}

DXI_PRIVATE void dxi_net_on_stop(dx_reactor_worker *rw, void *user) {
    dx_net_server *s = (dx_net_server *)user;
    dx_net_worker *w = &s->workers[rw->index];
    dxi_net_stage(w, 1); /* TCP: the reactor closed the listener already; the cancel then finds nothing */
}

DXI_PRIVATE uint64_t dxi_net_min(uint64_t a, uint64_t b) { return a < b ? a : b; }

DX_NET_API dx_result dx_net_server_start(dx_net_server *s, const dx_net_server_config *cfg) {
    dx_hbtp_conn_config cc;
    dx_reactor_workers_config wc;
    size_t hsize, per_conn, total, wbytes, rbytes;
    uint32_t n, maxc, i, j;
    uint8_t *m;
    int64_t probe = -1;
    dx_result rc;
    if (!s || !cfg) return DX_ERR_INVAL;
    DX_MEMSET(s, 0, sizeof *s);
    s->cfg = *cfg;
    s->cfg.recv_size = DXI_DEF(cfg->recv_size, 16384u);
#if defined(_WIN32)
    n = DXI_DEF(cfg->workers, 1u); /* one listener per completion port: dx_reactor_workers_start allows one worker */
#else
    n = DXI_DEF(cfg->workers, dx_reactor_cpu_count());
#endif
    maxc = DXI_DEF(cfg->max_connections, 1024u);
    cc = cfg->conn;
    cc.role = DX_HBTP_ROLE_SERVER;
    hsize = dx_hbtp_conn_memory_size(&cc);
    if (hsize == 0 || n == 0 || (!cfg->allocator.alloc != !cfg->allocator.free)) return DX_ERR_INVAL;
    s->high_water = cfg->high_water;
    if (!s->high_water) { /* half of dx_hbtp's output buffer, computed as it does */
        size_t out_cap = DXI_DEF(cc.out_capacity, 2 * ((size_t)DXI_DEF(cc.max_payload, (uint32_t)DX_HBTP_DEFAULT_MAX_PAYLOAD) +
                                                      DX_HBTP_HEADER_SIZE) + 4096);
        s->high_water = out_cap / 2;
    }
    s->hello_ns = DXI_DEF(cfg->hello_timeout_ns, 10000000000ull);
    s->idle_ns = DXI_DEF(cfg->idle_timeout_ns, 300000000000ull);
    s->stop_ns = DXI_DEF(cfg->stop_timeout_ns, 10000000000ull);
    s->sweep_ns = dxi_net_min(dxi_net_min(s->hello_ns, s->idle_ns), s->stop_ns) / 4;
    if (s->sweep_ns < 1000000) s->sweep_ns = 1000000;         /* 1 ms .. 1 s */
    if (s->sweep_ns > 1000000000) s->sweep_ns = 1000000000;
    if (dxi_net_huge(hsize) || dxi_net_huge(s->cfg.recv_size)) return DX_ERR_NOMEM; /* 32-bit: the sums below would wrap */
    per_conn = dxi_net_align(sizeof(dx_net_conn)) + dxi_net_align(hsize) + dxi_net_align(s->cfg.recv_size);
    wbytes = dxi_net_align(sizeof(dx_reactor_worker) * n) + dxi_net_align(sizeof(dx_net_worker) * n);
    rbytes = (size_t)maxc * per_conn;
    if (rbytes / per_conn != maxc || (SIZE_MAX - wbytes) / n < rbytes) return DX_ERR_NOMEM;
    total = wbytes + rbytes * n;
    m = (uint8_t *)dxi_net_alloc(&cfg->allocator, total);
    if (!m) return DX_ERR_NOMEM;
    DX_MEMSET(m, 0, wbytes); /* the pools' pages stay untouched until used */
    s->mem = m;
    s->mem_size = total;
    s->count = n;
    s->rworkers = (dx_reactor_worker *)(void *)m;
    s->workers = (dx_net_worker *)(void *)(m + dxi_net_align(sizeof(dx_reactor_worker) * n));
    for (i = 0; i < n; i++) {
        dx_net_worker *w = &s->workers[i];
        dx_hbtp_resp refuse;
        uint8_t *pool = m + wbytes + (size_t)i * rbytes;
        w->server = s;
        w->index = i;
        w->conn_cfg = cc;
        w->conns = (dx_net_conn *)(void *)pool;
        w->conn_count = maxc;
        if (cfg->setup_worker) {
            cfg->setup_worker(w, &w->conn_cfg, cfg->user);
            w->conn_cfg.role = DX_HBTP_ROLE_SERVER;
            if (dx_hbtp_conn_memory_size(&w->conn_cfg) != hsize) {
                dxi_net_free(&cfg->allocator, m, total);
                return DX_ERR_INVAL; /* setup_worker changed the sizes */
            }
        }
        /* the conn structs first (touched at start for the free list), then their memory */
        for (j = maxc; j-- > 0;) {
            dx_net_conn *c = &w->conns[j];
            uint8_t *mem = pool + dxi_net_align(sizeof(dx_net_conn) * maxc) + (size_t)j * (per_conn - dxi_net_align(sizeof(dx_net_conn)));
            DX_MEMSET(c, 0, sizeof *c);
            c->worker = w;
            c->mem = mem;
            c->rbuf = mem + dxi_net_align(hsize);
            c->next_free = w->free_list;
            w->free_list = c;
        }
        dx_hbtp_resp_init(&refuse, w->refuse_bytes, sizeof w->refuse_bytes);
        dx_hbtp_resp_error(&refuse, 0, DX_HBTP_CODE_RATE_LIMITED, "too many connections");
        dx_hbtp_resp_goaway(&refuse, 0, DX_HBTP_CODE_RATE_LIMITED, "too many connections");
        w->refuse_len = refuse.len;
    }
    s->unix_fd = -1;
    if (cfg->unix_path) {
#if !defined(_WIN32)
        /* dx_reactor_unix_listen replaces a socket file it finds (a stale one of an
           earlier run); one a server still listens on is that server's: taking its
           name would leave it running where no client can reach it. */
        int64_t live = dx_reactor_unix_connect(cfg->unix_path);
        if (live >= 0) dx_reactor_fd_close(NULL, (uintptr_t)live);
        if (live >= 0 || live == DX_ERR_AGAIN) rc = DX_REACTOR_ERR_ADDRINUSE; /* AGAIN: its backlog is full */
        else
#endif
        {
            s->unix_fd = dx_reactor_unix_listen(cfg->unix_path, cfg->backlog);
            rc = s->unix_fd < 0 ? (dx_result)s->unix_fd : DX_OK;
            if (s->unix_fd < 0) s->unix_fd = -1;
        }
    } else {
        rc = dx_reactor_addr_make(&s->addr, cfg->host ? cfg->host : "127.0.0.1", cfg->port);
    }
#if !defined(_WIN32)
    if (rc == DX_OK && !cfg->unix_path && cfg->port != 0) {
        /* The workers' listeners share the port through SO_REUSEPORT, which the
           kernel also grants to another process of the same user: a second server
           on a port in use would start and take part of the first one's clients.
           A listener without SO_REUSEPORT cannot join theirs: it says ADDRINUSE
           when anyone listens there, and goes before the workers take the port. */
        int64_t alone = dx_reactor_tcp_listen(&s->addr, 1, 0);
        if (alone < 0) rc = (dx_result)alone;
        else dx_reactor_fd_close(NULL, (uintptr_t)alone);
    }
#endif
    if (rc == DX_OK && !cfg->unix_path && cfg->port == 0 && n > 1) { /* one port for every worker: take one, hold it while they join it */
        probe = dx_reactor_tcp_listen(&s->addr, 1, DX_REACTOR_LISTEN_REUSEPORT);
        if (probe < 0) rc = (dx_result)probe;
        else {
            int64_t port = dx_reactor_tcp_local_port((uintptr_t)probe);
            if (port < 0) rc = (dx_result)port;
            else rc = dx_reactor_addr_make(&s->addr, cfg->host ? cfg->host : "127.0.0.1", (uint16_t)port);
        }
    }
    if (rc == DX_OK) {
        DX_MEMSET(&wc, 0, sizeof wc);
        wc.count = n;
        wc.pin = cfg->pin;
        wc.listen = cfg->unix_path ? NULL : &s->addr;
        wc.backlog = cfg->backlog;
        wc.reactor = cfg->reactor;
        wc.on_start = dxi_net_on_start;
        wc.on_stop = dxi_net_on_stop;
        wc.user = s;
        rc = dx_reactor_workers_start(&s->group, &wc, s->rworkers, n);
    }
    if (probe >= 0) dx_reactor_fd_close(NULL, (uintptr_t)probe);
    if (rc != DX_OK) {
        if (s->unix_fd >= 0) dx_reactor_fd_close(NULL, (uintptr_t)s->unix_fd);
        dxi_net_free(&cfg->allocator, m, total);
        s->mem = NULL;
        return rc;
    }
    if (!cfg->unix_path) s->port = (uint16_t)dx_reactor_tcp_local_port((uintptr_t)s->rworkers[0].listen_fd);
    s->running = true;
    return DX_OK;
}

DX_NET_API void dx_net_server_shutdown(dx_net_server *s) {
    uint32_t stops, i;
    if (!s || !s->running) return;
    stops = DXI_NET_ADD(&s->stops, 1u);
    if (stops > 2) return;
    DXI_NET_ADD(&s->wakers, 1u);
    for (i = 0; i < s->count; i++) { /* a worker that finished has no wake op left, and maybe no loop */
        /* the loop exists from start on (its address is fixed); on_start may not have run yet: it checks the flag */
        if (!DXI_NET_LOAD(&s->workers[i].closed)) dx_reactor_wake(&s->rworkers[i].loop);
    }
    DXI_NET_SUB(&s->wakers, 1u);
}

DX_NET_API dx_result dx_net_server_stop(dx_net_server *s) {
    dx_result rc;
    if (!s || !s->running || dx_reactor_workers_current(&s->group)) return DX_ERR_MISUSE; /* a handler's: shutdown there */
    if (DXI_NET_LOAD(&s->stops) == 0) dx_net_server_shutdown(s);
    rc = dx_reactor_workers_stop(&s->group);
    if (s->unix_fd >= 0) dx_reactor_fd_close(NULL, (uintptr_t)s->unix_fd); /* every loop is gone: a plain close */
    s->unix_fd = -1;
    dx_net_server_counters(s, UINT32_MAX, &s->totals); /* the workers are joined: final */
    s->running = false;
    dxi_net_free(&s->cfg.allocator, s->mem, s->mem_size);
    s->mem = NULL;
    s->workers = NULL;
    s->count = 0;
    return rc;
}

DX_NET_API uint16_t dx_net_server_port(const dx_net_server *s) { return s ? s->port : 0; }
DX_NET_API uint32_t dx_net_server_workers(const dx_net_server *s) { return s ? s->count : 0; }
DX_NET_API uint32_t dx_net_server_stops(const dx_net_server *s) { return s ? DXI_NET_LOAD(&((dx_net_server *)(uintptr_t)s)->stops) : 0; }
DX_NET_API const char *dx_net_server_backend_name(const dx_net_server *s) {
    return s && s->running ? dx_reactor_backend_name(&s->rworkers[0].loop) : ""; /* fixed once the loops run */
}

DX_NET_API void dx_net_server_counters(const dx_net_server *s, uint32_t worker, dx_net_counters *out) {
    enum { N = sizeof(dx_net_counters) / sizeof(uint64_t) };
    uint64_t *o = (uint64_t *)(void *)out;
    uint32_t i, k;
    if (!out) return;
    DX_MEMSET(out, 0, sizeof *out);
    if (s && !s->workers) *out = s->totals; /* stopped (or never started: zeros) */
    if (!s || !s->workers) return;
    for (i = 0; i < s->count; i++) {
        const uint64_t *c = (const uint64_t *)(const void *)&s->workers[i].counters;
        if (worker != UINT32_MAX && worker != i) continue;
        for (k = 0; k < N; k++) o[k] += DXI_NET_CLOAD(&c[k]);
    }
}

/* ---- client ---- */

enum { /* dx_net_client.flags */
    DXI_NETC_CONNECT = 1,
    DXI_NETC_RECV = 2,
    DXI_NETC_SEND = 4,
    DXI_NETC_CLOSE = 8,
    DXI_NETC_TIMER = 16,
    DXI_NETC_FATAL = 32,   /* close once the output (ERROR + GOAWAY) is out */
    DXI_NETC_USER_CLOSED = 64,
    DXI_NETC_HAVE_FD = 128,
    DXI_NETC_BACKOFF = 256 /* the timer is the backoff's (not a connect or watch timer that fired late) */
};

DXI_PRIVATE void dxi_netc_set_state(dx_net_client *c, dx_net_client_state st, dx_result why) {
    c->state = st;
    if (c->cfg.on_state) c->cfg.on_state(c, st, why, c->cfg.user);
}

DXI_PRIVATE dx_net_call *dxi_netc_find(dx_net_client *c, uint16_t stream) {
    uint32_t i;
    for (i = 0; i < c->call_count; i++)
        if (c->calls[i].used && c->calls[i].stream == stream) return &c->calls[i];
    return NULL;
}

DXI_PRIVATE dx_net_call *dxi_netc_slot(dx_net_client *c) {
    uint32_t i;
    for (i = 0; i < c->call_count; i++)
        if (!c->calls[i].used) return &c->calls[i];
    return NULL;
}

/* Every call still waiting ends with why (slots freed first: a callback may call again). */
DXI_PRIVATE void dxi_netc_fail_all(dx_net_client *c, dx_result why) {
    uint32_t i;
    c->up.active = c->up.queued = false;
    for (i = 0; i < c->call_count; i++) {
        dx_net_call *k = &c->calls[i];
        if (k->used) {
            dx_net_reply r;
            dx_net_call copy = *k;
            k->used = false;
            DX_MEMSET(&r, 0, sizeof r);
            r.result = why;
            r.stream = copy.stream;
            r.final = true;
            if (copy.fn) copy.fn(c, &r, copy.user);
        }
    }
}

DXI_PRIVATE void dxi_netc_pump(dx_net_client *c);
DXI_PRIVATE void dxi_netc_connect(dx_net_client *c);

DXI_PRIVATE dx_reactor_action dxi_netc_timer(dx_reactor *r, dx_op *op, int64_t res, void *user);

DXI_PRIVATE void dxi_netc_arm_timer(dx_net_client *c, uint64_t ns) {
    c->flags |= DXI_NETC_TIMER;
    dx_op_timer(&c->timer_op, ns, 0);
    dx_reactor_submit(c->loop, &c->timer_op, dxi_netc_timer, c);
}

DXI_PRIVATE dx_reactor_action dxi_netc_noop(dx_reactor *r, dx_op *op, int64_t res, void *user) {
    (void)r, (void)op, (void)res, (void)user;
    return DX_REACTOR_DISARM;
}

DXI_PRIVATE void dxi_netc_cancel_timer(dx_net_client *c) {
    if (!(c->flags & DXI_NETC_TIMER) || c->cancel_op.state != DX_OP_STATE_IDLE) return;
    dx_op_cancel(&c->cancel_op, &c->timer_op);
    dx_reactor_submit(c->loop, &c->cancel_op, dxi_netc_noop, c);
}

/* The connection ended: calls end, then reconnect after the backoff or stay closed. */
DXI_PRIVATE void dxi_netc_ended(dx_net_client *c, dx_result why) {
    c->flags &= ~(uint32_t)(DXI_NETC_CLOSE | DXI_NETC_HAVE_FD | DXI_NETC_FATAL);
    dxi_netc_fail_all(c, why);
    if (c->cfg.reconnect && !(c->flags & DXI_NETC_USER_CLOSED)) {
        uint64_t max = DXI_DEF(c->cfg.backoff_max_ns, 5000000000ull);
        c->backoff_ns = c->backoff_ns ? c->backoff_ns * 2 : DXI_DEF(c->cfg.backoff_min_ns, 50000000ull);
        if (c->backoff_ns > max) c->backoff_ns = max;
        dxi_netc_set_state(c, DX_NET_CLIENT_BACKOFF, why);
        if (c->flags & DXI_NETC_TIMER) dxi_netc_cancel_timer(c); /* the connect timer: its callback arms the backoff */
        else dxi_netc_arm_timer(c, c->backoff_ns), c->flags |= DXI_NETC_BACKOFF;
    } else {
        if (c->flags & DXI_NETC_TIMER) dxi_netc_cancel_timer(c);
        dxi_netc_set_state(c, DX_NET_CLIENT_CLOSED, why);
    }
}

DXI_PRIVATE dx_reactor_action dxi_netc_closed(dx_reactor *r, dx_op *op, int64_t res, void *user) {
    dx_net_client *c = (dx_net_client *)user;
    (void)r, (void)op, (void)res;
    dxi_netc_ended(c, c->last_error);
    return DX_REACTOR_DISARM;
}

DXI_PRIVATE void dxi_netc_drop(dx_net_client *c, dx_result why) {
    if ((c->flags & DXI_NETC_CLOSE) || !(c->flags & DXI_NETC_HAVE_FD)) return;
    c->flags |= DXI_NETC_CLOSE;
    c->last_error = why;
    dxi_netc_set_state(c, DX_NET_CLIENT_CLOSING, why);
    dx_op_close(&c->close_op, c->fd);
    dx_reactor_submit(c->loop, &c->close_op, dxi_netc_closed, c);
}

DXI_PRIVATE bool dxi_netc_busy(const dx_net_client *c);

/* Open, the timer watches for a stall: it fires reply_timeout after the last
   sign of life, and closes the connection if an answer is still due. */
DXI_PRIVATE void dxi_netc_watch(dx_net_client *c) {
    uint64_t limit = DXI_DEF(c->cfg.reply_timeout_ns, 300000000000ull), now = dx_reactor_now(c->loop);
    bool waiting = dxi_netc_busy(c);
    if (limit == DX_NET_NEVER || (c->flags & (DXI_NETC_TIMER | DXI_NETC_CLOSE))) return;
    if (waiting && now - c->active_ns >= limit) {
        dxi_netc_drop(c, DX_ERR_TIMEOUT);
        return;
    }
    dxi_netc_arm_timer(c, waiting ? limit - (now - c->active_ns) : limit);
}

DXI_PRIVATE dx_reactor_action dxi_netc_timer(dx_reactor *r, dx_op *op, int64_t res, void *user) {
    dx_net_client *c = (dx_net_client *)user;
    bool backoff = (c->flags & DXI_NETC_BACKOFF) != 0;
    (void)r, (void)op;
    c->flags &= ~(uint32_t)(DXI_NETC_TIMER | DXI_NETC_BACKOFF);
    if ((c->state == DX_NET_CLIENT_CONNECTING || c->state == DX_NET_CLIENT_CONNECTED) && res == 0) {
        dxi_netc_drop(c, DX_ERR_TIMEOUT); /* no connection, or no answer to HELLO, in time */
    } else if (c->state == DX_NET_CLIENT_OPEN) {
        dxi_netc_watch(c);
    } else if (c->state == DX_NET_CLIENT_BACKOFF) {
        /* an earlier timer that fired as it was being canceled (res 0 too): the backoff still to come */
        if (res == 0 && backoff) dxi_netc_connect(c);
        else dxi_netc_arm_timer(c, c->backoff_ns), c->flags |= DXI_NETC_BACKOFF;
    }
    return DX_REACTOR_DISARM;
}

/* Every answer frame: to its call's callback. */
DXI_PRIVATE void dxi_netc_frame(dx_hbtp_conn *hc, const dx_hbtp_frame *f, void *user) {
    dx_net_client *c = (dx_net_client *)user;
    dx_net_call *k, copy;
    dx_net_reply r;
    (void)hc;
    if (f->opcode == DX_HBTP_OP_HELLO && (f->flags & DX_HBTP_FLAG_ACK)) {
        c->backoff_ns = 0;
        dxi_netc_set_state(c, DX_NET_CLIENT_OPEN, DX_OK);
        dxi_netc_cancel_timer(c); /* the connect timer's callback starts the watch now, not once it ran out */
        return;
    }
    if (f->stream == 0 || f->opcode == DX_HBTP_OP_PONG || !(k = dxi_netc_find(c, f->stream))) return;
    DX_MEMSET(&r, 0, sizeof r);
    r.frame = f;
    r.stream = f->stream;
    r.body = f->payload;
    r.body_len = f->length;
    if (f->opcode == DX_HBTP_OP_RPC_RESPONSE) {
        r.body += DX_HBTP_RPC_OFF_BODY;
        r.body_len -= DX_HBTP_RPC_OFF_BODY;
    } else if (f->opcode == DX_HBTP_OP_ERROR) {
        r.result = DX_NET_ERR_REMOTE;
        r.code = dx_load_u16le(f->payload + DX_HBTP_ERROR_OFF_CODE);
        r.body += DX_HBTP_ERROR_OFF_MESSAGE;
        r.body_len -= DX_HBTP_ERROR_OFF_MESSAGE;
    }
    r.final = (f->opcode != DX_HBTP_OP_STREAM_DATA || (f->flags & DX_HBTP_FLAG_END_STREAM)) && !(f->flags & DX_HBTP_FLAG_MORE);
    copy = *k;
    if (r.final) {
        k->used = false;
        c->requests++;
        if (c->up.queued && (uint32_t)(k - c->calls) == c->up.slot) c->up.queued = false; /* answered early: no more pieces */
    }
    if (copy.fn) copy.fn(c, &r, copy.user);
}

DXI_PRIVATE dx_reactor_action dxi_netc_sent(dx_reactor *r, dx_op *op, int64_t res, void *user) {
    dx_net_client *c = (dx_net_client *)user;
    (void)r, (void)op;
    c->flags &= ~(uint32_t)DXI_NETC_SEND;
    if (c->flags & DXI_NETC_CLOSE) return DX_REACTOR_DISARM;
    if (res < 0) {
        dxi_netc_drop(c, (dx_result)res);
        return DX_REACTOR_DISARM;
    }
    dx_hbtp_conn_consume(&c->hbtp, (size_t)res);
    c->bytes_out += (uint64_t)res;
    c->active_ns = dx_reactor_now(c->loop);
    dxi_netc_pump(c);
    return DX_REACTOR_DISARM;
}

DXI_PRIVATE dx_reactor_action dxi_netc_received(dx_reactor *r, dx_op *op, int64_t res, void *user) {
    dx_net_client *c = (dx_net_client *)user;
    int64_t n;
    (void)r, (void)op;
    c->flags &= ~(uint32_t)DXI_NETC_RECV;
    if (c->flags & DXI_NETC_CLOSE) return DX_REACTOR_DISARM;
    if (res <= 0) {
        dxi_netc_drop(c, res == 0 ? (c->hbtp.error ? c->hbtp.error : DX_ERR_CLOSED) : (dx_result)res);
        return DX_REACTOR_DISARM;
    }
    c->bytes_in += (uint64_t)res;
    c->active_ns = dx_reactor_now(c->loop);
    n = dx_hbtp_conn_feed(&c->hbtp, c->rbuf, (size_t)res); /* a client takes everything */
    if (c->flags & DXI_NETC_CLOSE) return DX_REACTOR_DISARM; /* a callback closed it */
    if (n < 0) c->flags |= DXI_NETC_FATAL;
    dxi_netc_pump(c);
    return DX_REACTOR_DISARM;
}

DXI_PRIVATE bool dxi_netc_busy(const dx_net_client *c) {
    uint32_t i;
    for (i = 0; i < c->call_count; i++)
        if (c->calls[i].used) return true;
    return false;
}

/* Queues upload pieces below the high-water mark, sends (one send in
   flight), reads, and closes once a GOAWAY's answers are in. */
DXI_PRIVATE void dxi_netc_pump(dx_net_client *c) {
    size_t out_len;
    const uint8_t *out;
    if ((c->flags & DXI_NETC_CLOSE) || !(c->flags & DXI_NETC_HAVE_FD) || (c->flags & DXI_NETC_CONNECT)) return;
    dx_hbtp_conn_output(&c->hbtp, &out_len);
    while (c->up.queued && c->state == DX_NET_CLIENT_OPEN && out_len <= c->high_water) {
        size_t piece = c->up.len - c->up.off, max = DXI_DEF(c->cfg.piece_size, 65536u);
        int32_t rc;
        bool last;
        if (max > c->hbtp.max_payload) max = c->hbtp.max_payload;
        if (piece > max) piece = max;
        last = c->up.off + piece == c->up.len;
        rc = dx_hbtp_conn_stream(&c->hbtp, c->up.stream, c->up.data + c->up.off, piece, last);
        if (rc == DX_ERR_NOSPACE || rc == DX_ERR_BUSY) break;
        if (rc < 0) {
            dx_net_reply rep;
            dx_net_call copy = c->calls[c->up.slot];
            c->calls[c->up.slot].used = false;
            c->up.active = c->up.queued = false;
            DX_MEMSET(&rep, 0, sizeof rep);
            rep.result = rc;
            rep.final = true;
            if (copy.fn) copy.fn(c, &rep, copy.user);
            break;
        }
        if (c->up.stream == 0) {
            c->up.stream = (uint16_t)rc;
            c->calls[c->up.slot].stream = (uint16_t)rc;
        }
        c->up.off += piece;
        if (last) c->up.queued = false; /* the slot waits for the answer */
        dx_hbtp_conn_output(&c->hbtp, &out_len);
    }
    out = dx_hbtp_conn_output(&c->hbtp, &out_len);
    if (out_len && !(c->flags & DXI_NETC_SEND)) {
        c->flags |= DXI_NETC_SEND;
        dx_op_send(&c->send_op, c->fd, out, out_len);
        dx_reactor_submit(c->loop, &c->send_op, dxi_netc_sent, c);
    }
    if (c->flags & DXI_NETC_SEND) {
    } else if (c->flags & DXI_NETC_FATAL) {
        dxi_netc_drop(c, c->hbtp.error ? c->hbtp.error : DX_HBTP_ERR_PROTOCOL);
        return;
    } else if (c->hbtp.state == DX_HBTP_STATE_CLOSING && (c->hbtp.error || !dxi_netc_busy(c))) {
        dxi_netc_drop(c, c->hbtp.error ? c->hbtp.error : DX_HBTP_ERR_GOAWAY); /* GOAWAY, and every answer is in */
        return;
    }
    if (!(c->flags & (DXI_NETC_RECV | DXI_NETC_FATAL))) {
        c->flags |= DXI_NETC_RECV;
        dx_op_recv(&c->recv_op, c->fd, c->rbuf, c->cfg.recv_size);
        dx_reactor_submit(c->loop, &c->recv_op, dxi_netc_received, c);
    }
}

DXI_PRIVATE dx_reactor_action dxi_netc_connected(dx_reactor *r, dx_op *op, int64_t res, void *user) {
    dx_net_client *c = (dx_net_client *)user;
    (void)r, (void)op;
    c->flags &= ~(uint32_t)DXI_NETC_CONNECT;
    if (c->flags & DXI_NETC_CLOSE) return DX_REACTOR_DISARM; /* timed out or closed meanwhile */
    if (res < 0) {
        dxi_netc_drop(c, (dx_result)res);
        return DX_REACTOR_DISARM;
    }
    c->connects++; /* the connect timer runs on: HELLO's answer is due within it too */
    c->active_ns = dx_reactor_now(c->loop);
    dxi_netc_set_state(c, DX_NET_CLIENT_CONNECTED, DX_OK);
    dxi_netc_pump(c);
    return DX_REACTOR_DISARM;
}

/* A fresh dx_hbtp connection with HELLO queued first (calls made while
   connecting go after it), a socket, the connect and its timer. */
DXI_PRIVATE void dxi_netc_connect(dx_net_client *c) {
    dx_hbtp_conn_config hc = c->cfg.conn;
    int64_t fd;
    hc.role = DX_HBTP_ROLE_CLIENT;
    hc.on_frame = dxi_netc_frame;
    hc.user = c;
    dx_hbtp_conn_init(&c->hbtp, &hc, c->mem, c->hbtp_size); /* checked in create */
    dx_hbtp_conn_hello(&c->hbtp);
    c->up.active = c->up.queued = false;
    dxi_netc_set_state(c, DX_NET_CLIENT_CONNECTING, DX_OK);
    if (c->flags & DXI_NETC_USER_CLOSED) { /* on_state closed it: no fd yet, nothing to undo */
        dxi_netc_set_state(c, DX_NET_CLIENT_CLOSED, DX_ERR_CANCELED);
        return;
    }
    if (c->cfg.unix_path) { /* a local connect completes at once */
        fd = dx_reactor_unix_connect(c->cfg.unix_path);
        if (fd < 0) {
            c->last_error = (dx_result)fd;
            dxi_netc_ended(c, (dx_result)fd);
            return;
        }
        c->fd = (uintptr_t)fd;
        c->flags |= DXI_NETC_HAVE_FD;
        c->connects++;
        dxi_netc_set_state(c, DX_NET_CLIENT_CONNECTED, DX_OK);
        dxi_netc_arm_timer(c, DXI_DEF(c->cfg.connect_timeout_ns, 5000000000ull)); /* the answer to HELLO */
        dxi_netc_pump(c);
        return;
    }
    fd = dx_reactor_tcp_socket(c->addr.len > 16); /* sockaddr_in is 16 bytes, sockaddr_in6 28 */
    if (fd < 0) {
        c->last_error = (dx_result)fd;
        dxi_netc_ended(c, (dx_result)fd);
        return;
    }
    c->fd = (uintptr_t)fd;
    c->flags |= DXI_NETC_HAVE_FD | DXI_NETC_CONNECT;
    dx_op_connect(&c->connect_op, c->fd, &c->addr);
    dx_reactor_submit(c->loop, &c->connect_op, dxi_netc_connected, c);
    dxi_netc_arm_timer(c, DXI_DEF(c->cfg.connect_timeout_ns, 5000000000ull));
}

DX_NET_API dx_result dx_net_client_create(dx_net_client *c, dx_reactor *loop, const dx_net_client_config *cfg) {
    dx_hbtp_conn_config hc;
    size_t hsize, total;
    uint32_t slots;
    dx_result rc;
    if (!c || !loop || !cfg || (!cfg->allocator.alloc != !cfg->allocator.free)) return DX_ERR_INVAL;
    DX_MEMSET(c, 0, sizeof *c);
    c->cfg = *cfg;
    c->loop = loop;
    hc = cfg->conn;
    if (!c->cfg.recv_size) { /* two of the largest frames: most of a stream of them is read in place */
        uint64_t two = 2 * ((uint64_t)DXI_DEF(hc.max_payload, (uint32_t)DX_HBTP_DEFAULT_MAX_PAYLOAD) + DX_HBTP_HEADER_SIZE);
        c->cfg.recv_size = two < 16384u ? 16384u : two > 524288u ? 524288u : (uint32_t)two;
    }
    hc.role = DX_HBTP_ROLE_CLIENT;
    hsize = dx_hbtp_conn_memory_size(&hc);
    if (hsize == 0) return DX_ERR_INVAL;
    if (!cfg->unix_path) {
        rc = dx_reactor_addr_make(&c->addr, cfg->host ? cfg->host : "127.0.0.1", cfg->port);
        if (rc != DX_OK) return rc;
    }
    slots = (uint32_t)DXI_DEF(hc.max_inflight, (uint16_t)DX_HBTP_DEFAULT_MAX_INFLIGHT) + 1; /* + an upload not yet started */
    if (dxi_net_huge(hsize) || dxi_net_huge(c->cfg.recv_size)) return DX_ERR_NOMEM; /* 32-bit: the sums below would wrap */
    total = dxi_net_align(hsize) + dxi_net_align(c->cfg.recv_size) + slots * sizeof(dx_net_call);
    c->mem = (uint8_t *)dxi_net_alloc(&cfg->allocator, total);
    if (!c->mem) return DX_ERR_NOMEM;
    DX_MEMSET(c->mem + dxi_net_align(hsize) + dxi_net_align(c->cfg.recv_size), 0, slots * sizeof(dx_net_call));
    c->mem_size = total;
    c->hbtp_size = hsize;
    c->rbuf = c->mem + dxi_net_align(hsize);
    c->calls = (dx_net_call *)(void *)(c->rbuf + dxi_net_align(c->cfg.recv_size));
    c->call_count = slots;
    c->high_water = cfg->high_water;
    if (!c->high_water) {
        size_t out_cap = DXI_DEF(hc.out_capacity, 2 * ((size_t)DXI_DEF(hc.max_payload, (uint32_t)DX_HBTP_DEFAULT_MAX_PAYLOAD) +
                                                      DX_HBTP_HEADER_SIZE) + 4096);
        c->high_water = out_cap / 2;
    }
    dxi_netc_connect(c);
    return DX_OK;
}

DX_NET_API void dx_net_client_close(dx_net_client *c) {
    if (!c) return;
    c->flags |= DXI_NETC_USER_CLOSED;
    if (c->flags & DXI_NETC_HAVE_FD) {
        dxi_netc_drop(c, DX_ERR_CANCELED);
    } else if (c->state == DX_NET_CLIENT_BACKOFF) {
        dxi_netc_cancel_timer(c);
        dxi_netc_set_state(c, DX_NET_CLIENT_CLOSED, DX_ERR_CANCELED);
    }
}

DX_NET_API void dx_net_client_destroy(dx_net_client *c) {
    if (!c) return;
    dxi_net_free(&c->cfg.allocator, c->mem, c->mem_size);
    DX_MEMSET(c, 0, sizeof *c);
}

DX_NET_API dx_net_client_state dx_net_client_state_of(const dx_net_client *c) {
    /* CLOSED only once no op of it is left in the loop */
    if (c->state == DX_NET_CLIENT_CLOSED && (c->flags & DXI_NETC_TIMER)) return DX_NET_CLIENT_CLOSING;
    return c->state;
}

DXI_PRIVATE int32_t dxi_netc_ready(dx_net_client *c) {
    if (c->flags & DXI_NETC_USER_CLOSED) return DX_ERR_CLOSED;
    if (!(c->flags & DXI_NETC_HAVE_FD) || (c->flags & (DXI_NETC_CLOSE | DXI_NETC_FATAL))) return DX_ERR_AGAIN;
    return DX_OK;
}

DX_NET_API int32_t dx_net_client_call(dx_net_client *c, uint32_t method, const void *body, size_t len,
                                      dx_net_reply_fn fn, void *user) {
    dx_net_call *k;
    int32_t rc;
    if (!c || (!body && len)) return DX_ERR_INVAL;
    if ((rc = dxi_netc_ready(c)) != DX_OK) return rc;
    if (!(k = dxi_netc_slot(c))) return DX_ERR_BUSY;
    rc = dx_hbtp_conn_call(&c->hbtp, method, body, len);
    if (rc < 0) return rc;
    if (!dxi_netc_busy(c)) c->active_ns = dx_reactor_now(c->loop); /* the first answer due: its wait starts now */
    k->used = true;
    k->stream = (uint16_t)rc;
    k->fn = fn;
    k->user = user;
    dxi_netc_pump(c);
    return rc;
}

DX_NET_API int32_t dx_net_client_upload(dx_net_client *c, const void *body, size_t len, dx_net_reply_fn fn, void *user) {
    dx_net_call *k;
    int32_t rc;
    if (!c || (!body && len)) return DX_ERR_INVAL;
    if ((rc = dxi_netc_ready(c)) != DX_OK) return rc;
    if (c->up.queued || !(k = dxi_netc_slot(c))) return DX_ERR_BUSY;
    if (c->hbtp.state == DX_HBTP_STATE_CLOSING) return DX_HBTP_ERR_GOAWAY;
    if (!dxi_netc_busy(c)) c->active_ns = dx_reactor_now(c->loop);
    k->used = true;
    k->stream = 0; /* known with the first piece */
    k->fn = fn;
    k->user = user;
    c->up.data = (const uint8_t *)body;
    c->up.len = len;
    c->up.off = 0;
    c->up.stream = 0;
    c->up.slot = (uint32_t)(k - c->calls);
    c->up.active = c->up.queued = true;
    dxi_netc_pump(c);
    return DX_OK;
}

/* ---- blocking client ---- */

DXI_PRIVATE void dxi_net_sync_reply(dx_net_client *c, const dx_net_reply *r, void *user) {
    dx_net_sync *s = (dx_net_sync *)user;
    (void)c;
    if (r->frame) {
        size_t room = s->cap > s->len ? s->cap - s->len : 0, n = r->body_len < room ? r->body_len : room;
        if (n) DX_MEMCPY(s->out + s->len, r->body, n);
        s->len += r->body_len;
    }
    if (s->result == DX_OK) s->result = r->result;
    if (r->code) s->code = r->code;
    if (r->final) s->done = true;
}

DX_NET_API dx_result dx_net_sync_open(dx_net_sync *s, const dx_reactor_config *loop_cfg, const dx_net_client_config *cfg) {
    dx_reactor_config lc;
    dx_net_client_config cc;
    dx_result rc;
    if (!s || !cfg) return DX_ERR_INVAL;
    DX_MEMSET(s, 0, sizeof *s);
    if (loop_cfg) lc = *loop_cfg;
    else DX_MEMSET(&lc, 0, sizeof lc); /* the fd table covers every fd number the process may have */
    rc = dx_reactor_create(&s->loop, &lc);
    if (rc != DX_OK) return rc;
    cc = *cfg;
    cc.reconnect = false;
    rc = dx_net_client_create(&s->client, &s->loop, &cc);
    if (rc != DX_OK) {
        dx_reactor_destroy(&s->loop);
        return rc;
    }
    while (s->client.state != DX_NET_CLIENT_OPEN && s->client.state != DX_NET_CLIENT_CLOSED)
        if ((rc = dx_reactor_run(&s->loop, DX_REACTOR_RUN_ONCE)) != DX_OK) break;
    if (s->client.state != DX_NET_CLIENT_OPEN) {
        if (rc == DX_OK) rc = s->client.last_error ? s->client.last_error : DX_ERR_CLOSED;
        dx_net_sync_close(s);
        return rc;
    }
    return DX_OK;
}

DX_NET_API dx_result dx_net_sync_call(dx_net_sync *s, uint32_t method, const void *body, size_t len, void *out,
                                      size_t cap, size_t *out_len) {
    int32_t rc;
    dx_result err = DX_OK;
    if (!s) return DX_ERR_INVAL;
    s->done = false;
    s->result = DX_OK;
    s->code = 0;
    s->out = (uint8_t *)out;
    s->cap = out ? cap : 0;
    s->len = 0;
    rc = dx_net_client_call(&s->client, method, body, len, dxi_net_sync_reply, s);
    if (rc < 0) return rc;
    while (!s->done)
        if ((err = dx_reactor_run(&s->loop, DX_REACTOR_RUN_ONCE)) != DX_OK) {
            dx_net_call *k = dxi_netc_find(&s->client, (uint16_t)rc);
            if (k) k->fn = NULL; /* its answer may still come: dropped, not taken for the next call's */
            return err;
        }
    if (out_len) *out_len = s->len;
    if (s->result == DX_OK && s->len > s->cap) return DX_ERR_NOSPACE;
    return s->result;
}

DX_NET_API void dx_net_sync_close(dx_net_sync *s) {
    if (!s || !s->client.mem) return;
    dx_net_client_close(&s->client);
    while (dx_net_client_state_of(&s->client) != DX_NET_CLIENT_CLOSED)
        if (dx_reactor_run(&s->loop, DX_REACTOR_RUN_ONCE) != DX_OK) break;
    dx_reactor_run(&s->loop, DX_REACTOR_RUN_UNTIL_DONE); /* the timer's cancel */
    dx_net_client_destroy(&s->client);
    dx_reactor_destroy(&s->loop);
}

#endif /* DX_NET_IMPLEMENTATION */

/*
------------------------------------------------------------------------------
This software is available under 2 licenses -- choose whichever you prefer.
SPDX-License-Identifier: MIT OR Unlicense
------------------------------------------------------------------------------
ALTERNATIVE A - MIT License
Copyright (c) 2026 the dx authors
Permission is hereby granted, free of charge, to any person obtaining a copy of
this software and associated documentation files (the "Software"), to deal in
the Software without restriction, including without limitation the rights to
use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies
of the Software, and to permit persons to whom the Software is furnished to do
so, subject to the following conditions:
The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.
THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
------------------------------------------------------------------------------
ALTERNATIVE B - Public Domain (www.unlicense.org)
This is free and unencumbered software released into the public domain.
Anyone is free to copy, modify, publish, use, compile, sell, or distribute this
software, either in source code form or as a compiled binary, for any purpose,
commercial or non-commercial, and by any means.
In jurisdictions that recognize copyright laws, the author or authors of this
software dedicate any and all copyright interest in the software to the public
domain. We make this dedication for the benefit of the public at large and to
the detriment of our heirs and successors. We intend this dedication to be an
overt act of relinquishment in perpetuity of all present and future rights to
this software under copyright law.
THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN
ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION
WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
------------------------------------------------------------------------------
*/

/* hbtp_loopback.c - dx_hbtp example: a client and a server connection state
   machine talking through memory buffers, no sockets.

       cc -std=c99 -I. examples/hbtp_loopback.c -o build/hbtp_loopback
       build/hbtp_loopback        (--help: usage; --version: the header's version)

   Each side is a dx_hbtp_conn; pump() carries one side's output to the other
   in pieces of 1..7 bytes, so nearly every frame arrives split and the framer
   has to reassemble it. The script: HELLO, PING, four pipelined RPCs (echo,
   add, add, an unknown method), a second client with a wrong token that is
   refused, then a graceful GOAWAY. The server runs the built-in timing and
   auth middleware. Every answer is checked against what the script expects,
   in order. Exit status 0 when all of them arrived intact, 1 otherwise, 2 for
   bad usage (it takes no arguments). */
#define _FILE_OFFSET_BITS 64 /* files over 2 GiB on 32-bit hosts (tool.h checks): before any header */
#if !defined(_WIN32) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L /* clock_gettime: before any system header */
#endif
#define DX_IMPLEMENTATION
#include "dx_hbtp.h"
#include "tool.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#if defined(_WIN32)
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#else
#include <time.h>
#endif

enum { METHOD_ECHO = 1, METHOD_ADD = 2, METHOD_MISSING = 7, METHOD_SLOTS = 4 };
#define CAP_APP_A (1ull << 32) /* application bits: each side offers one the other lacks */
#define CAP_APP_B (1ull << 33)
#define MAX_EXPECT 8
#define TOKEN "open sesame"
#define WRONG_TOKEN "let me in"

/* An answer the script waits for; answers must arrive in this order. */
typedef struct expect {
    uint8_t opcode, flags; /* flags: bits that must be set */
    uint16_t stream;
    uint32_t code;         /* RPC_RESPONSE: method id; ERROR, GOAWAY: wire code */
    const char *text;      /* PONG, echo: the exact payload */
    uint32_t x, y;         /* add: the operands */
} expect;

typedef struct peer {
    const char *name;
    dx_hbtp_conn conn;
    bool closed;           /* its feed failed: it flushes its output, takes no more */
    expect want[MAX_EXPECT];
    size_t count, next;
} peer;

static int failures;
static uint64_t pieces, bytes_moved;
static uint32_t rng = 0x2545f491u;

static void check(bool ok, const char *what) {
    if (ok) return;
    tool_warn("FAILED: %s", what);
    failures++;
}

/* The timing middleware's clock: monotonic nanoseconds. */
static uint64_t now_ns(void *user) {
    (void)user;
#if defined(_WIN32)
    LARGE_INTEGER freq, t;
    QueryPerformanceFrequency(&freq);
    QueryPerformanceCounter(&t);
    /* whole seconds and the remainder apart, so the product cannot overflow */
    return (uint64_t)(t.QuadPart / freq.QuadPart) * 1000000000u +
           (uint64_t)(t.QuadPart % freq.QuadPart) * 1000000000u / (uint64_t)freq.QuadPart;
#else
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
#endif
}

/* ---- the server's methods ---- */

static dx_result echo(dx_hbtp_request *req, void *user) {
    (void)user;
    return dx_hbtp_reply(req, req->body, req->body_len);
}

/* Two u32 little-endian numbers in, their u64 sum out: no overflow to explain. */
static dx_result add(dx_hbtp_request *req, void *user) {
    uint8_t sum[8];
    (void)user;
    if (req->body_len != 8) return dx_hbtp_reply_error(req, DX_HBTP_CODE_BAD_REQUEST, "add takes two u32");
    dx_store_u64le(sum, (uint64_t)dx_load_u32le(req->body) + dx_load_u32le(req->body + 4));
    return dx_hbtp_reply(req, sum, sizeof sum);
}

/* ---- the client's side: print each answer and compare it with the next one expected ---- */

static const char *code_name(uint32_t code) {
    static const char *const names[] = {"NONE", "PROTOCOL", "VERSION", "UNKNOWN_OPCODE", "UNKNOWN_METHOD",
                                        "TOO_LARGE", "TOO_MANY_INFLIGHT", "RATE_LIMITED", "UNAUTHORIZED",
                                        "INTERNAL", "BAD_REQUEST"}; /* DX_HBTP_CODE_*, in order */
    return code < sizeof names / sizeof names[0] ? names[code] : "APPLICATION";
}

static void want(peer *p, expect e) {
    check(p->count < MAX_EXPECT, "room for one more expected answer");
    if (p->count < MAX_EXPECT) p->want[p->count++] = e;
}

static void on_frame(dx_hbtp_conn *c, const dx_hbtp_frame *f, void *user) {
    peer *p = (peer *)user;
    const expect *e = p->next < p->count ? &p->want[p->next++] : NULL;
    const uint8_t *b = f->payload;
    uint32_t n = f->length; /* without the TIMING trailer: the connection took it off */
    bool ok = e && e->opcode == f->opcode && e->stream == f->stream && (f->flags & e->flags) == e->flags;
    printf("server -> %-6s  %s%s stream %u", p->name, dx_hbtp_opcode_name(f->opcode),
           (f->flags & DX_HBTP_FLAG_ACK) ? "|ACK" : "", (unsigned)f->stream);
    if (f->opcode == DX_HBTP_OP_HELLO) {
        printf(": max payload %u, max in flight %u, capabilities 0x%" PRIx64 "%s", (unsigned)c->max_payload,
               (unsigned)c->max_inflight, c->capabilities, (c->capabilities & DX_HBTP_CAP_TIMING) ? " (TIMING)" : "");
    } else if (f->opcode == DX_HBTP_OP_PONG) {
        printf(": \"%.*s\"", (int)n, (const char *)b);
        ok = ok && e->text && n == strlen(e->text) && memcmp(b, e->text, n) == 0;
    } else if (f->opcode == DX_HBTP_OP_RPC_RESPONSE && n >= DX_HBTP_RPC_SIZE) { /* the named offsets of WIRE FORMAT */
        const uint8_t *body = b + DX_HBTP_RPC_OFF_BODY;
        uint32_t method = dx_load_u32le(b + DX_HBTP_RPC_OFF_METHOD), len = n - DX_HBTP_RPC_SIZE;
        ok = ok && method == e->code;
        if (method == METHOD_ADD && len == 8) {
            printf(": %" PRIu32 " + %" PRIu32 " = %" PRIu64, e ? e->x : 0, e ? e->y : 0, dx_load_u64le(body));
            ok = ok && dx_load_u64le(body) == (uint64_t)e->x + e->y;
        } else {
            printf(": \"%.*s\"", (int)len, (const char *)body);
            ok = ok && e->text && len == strlen(e->text) && memcmp(body, e->text, len) == 0;
        }
    } else if (f->opcode == DX_HBTP_OP_ERROR && n >= DX_HBTP_ERROR_SIZE) {
        uint16_t code = dx_load_u16le(b + DX_HBTP_ERROR_OFF_CODE);
        printf(": %s \"%.*s\"", code_name(code), (int)(n - DX_HBTP_ERROR_SIZE), (const char *)b + DX_HBTP_ERROR_OFF_MESSAGE);
        ok = ok && code == e->code;
    } else if (f->opcode == DX_HBTP_OP_GOAWAY && n >= DX_HBTP_GOAWAY_SIZE) {
        uint16_t code = dx_load_u16le(b + DX_HBTP_GOAWAY_OFF_CODE);
        printf(": last stream %u, %s \"%.*s\"", (unsigned)dx_load_u16le(b + DX_HBTP_GOAWAY_OFF_LAST_STREAM), code_name(code),
               (int)(n - DX_HBTP_GOAWAY_SIZE), (const char *)b + DX_HBTP_GOAWAY_OFF_MESSAGE);
        ok = ok && code == e->code;
    } else if (!(f->opcode == DX_HBTP_OP_GOAWAY && (f->flags & DX_HBTP_FLAG_ACK))) {
        ok = false; /* a payload too short to be what it claims */
    }
    if (f->flags & DX_HBTP_FLAG_TIMING) printf(" (server time %" PRIu32 " us)", c->last_server_us);
    printf("\n");
    check(ok, "the answer above is not the one expected next");
}

/* ---- the "network": memory, in small pieces ---- */

static size_t piece_size(void) { /* random-ish, yet the same run every time */
    rng = rng * 1103515245u + 12345u;
    return 1 + (rng >> 16) % 7;
}

/* Moves one piece of from's output into to; false when from has nothing to send. */
static bool move_piece(peer *from, peer *to) {
    size_t len, n = piece_size();
    const uint8_t *out = dx_hbtp_conn_output(&from->conn, &len);
    int64_t used;
    if (len == 0) return false;
    if (n > len) n = len;
    pieces++;
    bytes_moved += n;
    if (to->closed) { /* the peer hung up: the bytes go nowhere */
        dx_hbtp_conn_consume(&from->conn, n);
        return true;
    }
    used = dx_hbtp_conn_feed(&to->conn, out, n);
    if (used < 0) { /* a protocol error: to's output now holds ERROR + GOAWAY; flush it, then close */
        printf("        %s: feed failed (%s): it answers, then closes\n", to->name,
               dx_hbtp_result_name((dx_result)used));
        to->closed = true;
        used = (int64_t)n;
    }
    dx_hbtp_conn_consume(&from->conn, (size_t)used); /* fewer than n: backpressure, the rest goes again */
    return true;
}

/* Runs both directions until neither side has anything left to say. */
static void pump(peer *a, peer *b) {
    bool moved = true;
    while (moved) {
        moved = move_piece(a, b);
        moved = move_piece(b, a) || moved;
    }
}

static int32_t call(peer *p, uint32_t method, const void *body, size_t len, const char *label) {
    int32_t stream = dx_hbtp_conn_call(&p->conn, method, body, len);
    check(stream > 0, "dx_hbtp_conn_call");
    printf("%-6s -> server  RPC stream %d method %u (%u bytes): %s\n", p->name, (int)stream, (unsigned)method,
           (unsigned)len, label);
    return stream;
}

static void call_add(peer *p, uint32_t x, uint32_t y) {
    uint8_t body[8];
    char label[32];
    int32_t s;
    dx_store_u32le(body, x);
    dx_store_u32le(body + 4, y);
    snprintf(label, sizeof label, "%" PRIu32 " + %" PRIu32, x, y);
    s = call(p, METHOD_ADD, body, sizeof body, label);
    want(p, (expect){.opcode = DX_HBTP_OP_RPC_RESPONSE, .stream = (uint16_t)s, .code = METHOD_ADD, .x = x, .y = y});
}

static const char usage[] =
    "usage: hbtp_loopback [--help] [--version]\n"
    "Runs an HBTP client and server (dx_hbtp_conn) against each other through memory, no\n"
    "sockets, carrying the bytes in pieces of 1..7 so nearly every frame arrives split:\n"
    "HELLO, PING, four pipelined RPCs (echo, add, add, an unknown method), a client with\n"
    "a wrong token that is refused, then GOAWAY. Prints each step and checks every answer.\n"
    "  -h, --help   this text\n"
    "  --version    the dx_hbtp.h version it is built from\n"
    "exit status: 0 every answer arrived as expected, 1 a check failed, 2 bad usage\n";

static int run_script(void) {
    static dx_hbtp_route methods[METHOD_SLOTS];
    static dx_hbtp_router router;
    static peer client = {.name = "client"}, server = {.name = "server"}, rogue = {.name = "rogue"},
                server2 = {.name = "server"};
    dx_hbtp_static_token secret = {(const uint8_t *)TOKEN, sizeof TOKEN - 1};
    dx_hbtp_timing timing = {.now = now_ns, .report = true}; /* report: the time rides back on each reply */
    dx_hbtp_auth auth = {.verify = dx_hbtp_verify_static_token, .user = &secret};
    dx_hbtp_conn_config scfg = { /* role 0: a server; smaller limits than the client's, and those win */
        .max_payload = 1024, .max_inflight = 8, .capabilities = DX_HBTP_CAP_TIMING | CAP_APP_B, .router = &router,
        /* timing first: its "after" runs last, so it times the rest */
        .middleware = {dx_hbtp_timing_middleware(&timing), dx_hbtp_auth_middleware(&auth)}, .middleware_count = 2};
    dx_hbtp_conn_config ccfg = {.role = DX_HBTP_ROLE_CLIENT, .max_payload = 4096, .max_inflight = 16,
                                .capabilities = DX_HBTP_CAP_TIMING | CAP_APP_A, .token = (const uint8_t *)TOKEN,
                                .token_len = sizeof TOKEN - 1, .on_frame = on_frame, .user = &client};
    dx_hbtp_conn_config rcfg = ccfg; /* a second client, with the wrong token */
    peer *all[4] = {&client, &server, &rogue, &server2};
    int32_t s, i;
    uint64_t frames = 0, copied = 0;

    rcfg.token = (const uint8_t *)WRONG_TOKEN;
    rcfg.token_len = sizeof WRONG_TOKEN - 1;
    rcfg.user = &rogue;
    dx_hbtp_router_init(&router, methods, METHOD_SLOTS);
    dx_hbtp_router_method(&router, METHOD_ECHO, echo, NULL);
    dx_hbtp_router_method(&router, METHOD_ADD, add, NULL);
    if (dx_hbtp_conn_create(&server.conn, &scfg) != DX_OK || dx_hbtp_conn_create(&client.conn, &ccfg) != DX_OK ||
        dx_hbtp_conn_create(&server2.conn, &scfg) != DX_OK || dx_hbtp_conn_create(&rogue.conn, &rcfg) != DX_OK) {
        return tool_fail("cannot create the connections");
    }

    printf("hbtp_loopback: a client and a server dx_hbtp_conn, bytes carried in pieces of 1..7 bytes\n");
    printf("client -> server  HELLO: token %u bytes, max payload %u, max in flight %u, capabilities 0x%" PRIx64 "\n",
           (unsigned)ccfg.token_len, (unsigned)ccfg.max_payload, (unsigned)ccfg.max_inflight, ccfg.capabilities);
    check(dx_hbtp_conn_hello(&client.conn) == DX_OK, "dx_hbtp_conn_hello");
    want(&client, (expect){.opcode = DX_HBTP_OP_HELLO, .flags = DX_HBTP_FLAG_ACK});
    pump(&client, &server);
    check(client.conn.state == DX_HBTP_STATE_OPEN && server.conn.state == DX_HBTP_STATE_OPEN &&
              client.conn.max_payload == 1024 && client.conn.max_inflight == 8 && server.conn.max_payload == 1024 &&
              client.conn.capabilities == DX_HBTP_CAP_TIMING && server.conn.capabilities == DX_HBTP_CAP_TIMING,
          "open, with the smaller limits and only the common capability");

    printf("client -> server  PING stream 0: \"are you there?\"\n");
    check(dx_hbtp_conn_ping(&client.conn, "are you there?", 14) == DX_OK, "dx_hbtp_conn_ping");
    want(&client, (expect){.opcode = DX_HBTP_OP_PONG, .text = "are you there?"});
    pump(&client, &server);

    /* four requests before any answer: they come back in order, by stream id */
    s = call(&client, METHOD_ECHO, "hello, hbtp", 11, "echo \"hello, hbtp\"");
    want(&client, (expect){.opcode = DX_HBTP_OP_RPC_RESPONSE, .stream = (uint16_t)s, .code = METHOD_ECHO,
                           .text = "hello, hbtp"});
    call_add(&client, 5, 7);
    call_add(&client, 4000000000u, 300000000u);
    s = call(&client, METHOD_MISSING, "{}", 2, "a method nobody registered");
    want(&client, (expect){.opcode = DX_HBTP_OP_ERROR, .stream = (uint16_t)s, .code = DX_HBTP_CODE_UNKNOWN_METHOD});
    pump(&client, &server);
    check(timing.count == 4, "the timing middleware saw the four requests");

    /* a second connection to the same router and middleware: refused at HELLO */
    printf("rogue  -> server  HELLO: token \"%s\"\n", WRONG_TOKEN);
    check(dx_hbtp_conn_hello(&rogue.conn) == DX_OK, "dx_hbtp_conn_hello (rogue)");
    want(&rogue, (expect){.opcode = DX_HBTP_OP_ERROR, .code = DX_HBTP_CODE_UNAUTHORIZED});
    want(&rogue, (expect){.opcode = DX_HBTP_OP_GOAWAY, .code = DX_HBTP_CODE_UNAUTHORIZED});
    pump(&rogue, &server2);
    check(server2.closed && rogue.conn.error == DX_HBTP_ERR_REFUSED && auth.refused == 1, "the rogue was refused");
    check(dx_hbtp_conn_call(&rogue.conn, METHOD_ECHO, "x", 1) == DX_HBTP_ERR_GOAWAY, "no calls after GOAWAY");

    printf("client -> server  GOAWAY: \"done\"\n");
    check(dx_hbtp_conn_goaway(&client.conn, DX_HBTP_CODE_NONE, "done") == DX_OK, "dx_hbtp_conn_goaway");
    want(&client, (expect){.opcode = DX_HBTP_OP_GOAWAY, .flags = DX_HBTP_FLAG_ACK});
    pump(&client, &server);
    check(server.conn.state == DX_HBTP_STATE_CLOSING && !server.closed, "the server closed gracefully");

    check(client.next == client.count && rogue.next == rogue.count, "every expected answer arrived");
    for (i = 0; i < 4; i++) {
        frames += all[i]->conn.framer.frames;
        copied += all[i]->conn.framer.bytes_copied; /* bytes of frames that arrived split */
        dx_hbtp_conn_destroy(&all[i]->conn);
    }
    if (failures) {
        return tool_fail("%d check(s) failed", failures);
    }
    printf("ok: %u answers as expected; %" PRIu64 " bytes in %" PRIu64 " pieces, %" PRIu64 " frames (%" PRIu64
           " bytes reassembled); %" PRIu64 " requests timed; %" PRIu64 " HELLO refused\n",
           (unsigned)(client.count + rogue.count), bytes_moved, pieces, frames, copied, timing.count, auth.refused);
    return 0;
}

int main(int argc, char **argv) {
    int i;
    tool_start("hbtp_loopback", usage);
    for (i = 1; i < argc; i++) {
        if (tool_is_help(argv[i])) return tool_help();
        if (!strcmp(argv[i], "--version"))
            return tool_version(TOOL_HEADER_VERSION("dx_hbtp.h", DX_HBTP_VERSION_MAJOR, DX_HBTP_VERSION_MINOR,
                                                    DX_HBTP_VERSION_PATCH));
    }
    if (argc > 1)
        return argv[1][0] == '-' ? tool_usage_error("unknown option %s", argv[1])
                                 : tool_usage_error("no arguments expected, got %s", argv[1]);
    return run_script();
}

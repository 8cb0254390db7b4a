/* hbtp_resp_peer.c - the RESP (Redis protocol) server of the HBTP benchmark: the hiredis reader

   Requests: "*2\r\n$4\r\nPING\r\n$8\r\n<8 bytes>\r\n" or
   "*2\r\n$4\r\nECHO\r\n$64\r\n<64 bytes>\r\n", pipelined as the depth says.
   redisReaderFeed gets each input buffer, redisReaderGetReply returns one
   command at a time (the default reply objects: a redisReply array and its
   strings, freed with freeReplyObject, as a user of the reader gets them);
   the command name is looked up case-insensitively in a small table, and
   the handler writes the RESP answer (PING <msg> and ECHO: the bulk reply
   "$N\r\n<bytes>\r\n"; PING alone: "+PONG\r\n") into the output buffer.
*/
#define _POSIX_C_SOURCE 200809L
#include "hbtp_peers.h"

#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct resp_ctx {
    redisReader *reader;
    int msg;
    unsigned depth;
    uint64_t batches;
    uint8_t *in;
    size_t in_len;
    uint8_t *out;
    size_t out_len, out_cap;
    size_t answer_size, tag_at;
    uint64_t errors;
} resp_ctx;

typedef void (*resp_handler)(resp_ctx *c, const redisReply *cmd);

static void resp_simple(resp_ctx *c, const char *s, size_t len) {
    if (c->out_cap - c->out_len < len) {
        c->errors++;
        return;
    }
    memcpy(c->out + c->out_len, s, len);
    c->out_len += len;
}

static void resp_bulk(resp_ctx *c, const char *data, size_t len) {
    char *p;
    if (c->out_cap - c->out_len < len + 32) {
        c->errors++;
        return;
    }
    p = (char *)c->out + c->out_len;
    *p++ = '$';
    p += hbtp_utoa(p, len);
    *p++ = '\r';
    *p++ = '\n';
    memcpy(p, data, len);
    p += len;
    *p++ = '\r';
    *p++ = '\n';
    c->out_len = (size_t)(p - (char *)c->out);
}

static void resp_wrong_args(resp_ctx *c) {
    static const char e[] = "-ERR wrong number of arguments\r\n";
    resp_simple(c, e, sizeof e - 1);
}

static void resp_ping(resp_ctx *c, const redisReply *cmd) {
    if (cmd->elements == 1) resp_simple(c, "+PONG\r\n", 7);
    else if (cmd->elements == 2) resp_bulk(c, cmd->element[1]->str, cmd->element[1]->len);
    else resp_wrong_args(c);
}

static void resp_echo(resp_ctx *c, const redisReply *cmd) {
    if (cmd->elements == 2) resp_bulk(c, cmd->element[1]->str, cmd->element[1]->len);
    else resp_wrong_args(c);
}

static void resp_quit(resp_ctx *c, const redisReply *cmd) {
    (void)cmd;
    resp_simple(c, "+OK\r\n", 5);
}

static const struct {
    const char *name;
    size_t len;
    resp_handler fn;
} resp_commands[] = {
    {"PING", 4, resp_ping},
    {"ECHO", 4, resp_echo},
    {"QUIT", 4, resp_quit},
};

/* ASCII case-insensitive compare, as Redis looks commands up. */
static int resp_name_eq(const char *a, const char *upper, size_t n) {
    size_t i;
    for (i = 0; i < n; i++) {
        char ch = a[i];
        if (ch >= 'a' && ch <= 'z') ch = (char)(ch - 32);
        if (ch != upper[i]) return 0;
    }
    return 1;
}

static void resp_dispatch(resp_ctx *c, const redisReply *cmd) {
    size_t i;
    const redisReply *name;
    if (cmd->type != REDIS_REPLY_ARRAY || cmd->elements == 0 || cmd->element[0]->type != REDIS_REPLY_STRING) {
        resp_simple(c, "-ERR protocol\r\n", 15);
        return;
    }
    name = cmd->element[0];
    for (i = 0; i < sizeof resp_commands / sizeof resp_commands[0]; i++) {
        if (resp_commands[i].len == name->len && resp_name_eq(name->str, resp_commands[i].name, name->len)) {
            resp_commands[i].fn(c, cmd);
            return;
        }
    }
    resp_simple(c, "-ERR unknown command\r\n", 22);
}

static void resp_version(char *out, size_t size) {
    snprintf(out, size, "%d.%d.%d", HIREDIS_MAJOR, HIREDIS_MINOR, HIREDIS_PATCH);
}

static void resp_destroy(void *p) {
    resp_ctx *c = (resp_ctx *)p;
    if (!c) return;
    if (c->reader) redisReaderFree(c->reader);
    free(c->in);
    free(c->out);
    free(c);
}

static void *resp_create(int msg, unsigned depth, uint64_t batches) {
    resp_ctx *c = (resp_ctx *)calloc(1, sizeof *c);
    size_t len = hbtp_msg_len(msg), cap;
    const char *cmd = msg == HBTP_MSG_PING ? "PING" : "ECHO";
    unsigned j;
    if (!c) return NULL;
    c->msg = msg;
    c->depth = depth;
    c->batches = batches;
    cap = (size_t)depth * (64 + len);
    c->in = (uint8_t *)malloc(cap);
    c->out_cap = (size_t)depth * (64 + len);
    c->out = (uint8_t *)malloc(c->out_cap);
    c->reader = redisReaderCreate();
    if (!c->in || !c->out || !c->reader) return resp_destroy(c), (void *)NULL;
    for (j = 0; j < depth; j++) {
        c->in_len += (size_t)sprintf((char *)c->in + c->in_len, "*2\r\n$4\r\n%s\r\n$%u\r\n", cmd, (unsigned)len);
        hbtp_fill(c->in + c->in_len, len, j);
        c->in_len += len;
        memcpy(c->in + c->in_len, "\r\n", 2);
        c->in_len += 2;
    }
    c->tag_at = (size_t)snprintf(NULL, 0, "$%u\r\n", (unsigned)len);
    c->answer_size = c->tag_at + len + 2;
    memset(c->out, 0, c->out_cap);
    return c;
}

/* One input buffer: fed to the reader, every complete command answered. */
static int resp_batch(resp_ctx *c) {
    void *reply;
    c->out_len = 0;
    if (redisReaderFeed(c->reader, (const char *)c->in, c->in_len) != REDIS_OK) return -1;
    for (;;) {
        if (redisReaderGetReply(c->reader, &reply) != REDIS_OK) return -1;
        if (!reply) break;
        resp_dispatch(c, (const redisReply *)reply);
        freeReplyObject(reply);
    }
    return c->errors ? -1 : 0;
}

static uint64_t resp_run(void *p, uint64_t *check) {
    resp_ctx *c = (resp_ctx *)p;
    uint64_t b, answers = 0, sum = 0;
    unsigned j;
    for (b = 0; b < c->batches; b++) {
        if (resp_batch(c) != 0 || c->out_len != c->depth * c->answer_size) break;
        for (j = 0; j < c->depth; j++) sum += c->out[j * c->answer_size + c->tag_at];
        answers += c->depth;
        c->out_len = 0;
    }
    *check += sum;
    return answers;
}

static int resp_validate(void *p, char *why, size_t size) {
    resp_ctx *c = (resp_ctx *)p;
    size_t len = hbtp_msg_len(c->msg), at = 0;
    uint8_t *want = (uint8_t *)malloc(c->out_cap);
    unsigned j;
    int ok;
    if (!want) return snprintf(why, size, "out of memory"), -1;
    for (j = 0; j < c->depth; j++) {
        at += (size_t)sprintf((char *)want + at, "$%u\r\n", (unsigned)len);
        hbtp_fill(want + at, len, j);
        at += len;
        memcpy(want + at, "\r\n", 2);
        at += 2;
    }
    if (resp_batch(c) != 0) {
        snprintf(why, size, "reader error: %s", c->reader->errstr);
        free(want);
        return -1;
    }
    ok = hbtp_check_output(c->out, c->out_len, want, at, why, size);
    c->out_len = 0;
    return ok;
}

static void resp_wire(void *p, double *req, double *ans) {
    resp_ctx *c = (resp_ctx *)p;
    *req = (double)c->in_len / c->depth;
    *ans = (double)c->answer_size;
}

const hbtp_peer hbtp_peer_resp = {
    "RESP (hiredis reader)", resp_version, resp_create, NULL, resp_run, resp_validate, resp_wire, resp_destroy,
    "redisReaderFeed per input buffer, redisReaderGetReply per command (default reply objects, "
    "freeReplyObject after); the command name looked up case-insensitively in a 3-entry table; PING <8 bytes> "
    "and ECHO <64 bytes> answered with the bulk reply \"$N\\r\\n<bytes>\\r\\n\" into a reused buffer"};

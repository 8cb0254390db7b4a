/* dx_hbtp.h - v0.3.5 - HBTP binary framing and routing, sans-I/O - SPDX-License-Identifier: MIT OR Unlicense (text at end)

   HBTP is dx's binary request/response protocol: an 8-byte header instead of
   HTTP/1.1 text. This header is a protocol engine with no I/O of its own:
   bytes in, handler calls and frames out, bytes to send back. Any event loop
   (dx_reactor.h, libuv, a bare-metal TCP stack) can drive it.

QUICK START
   Do this:
       #define DX_IMPLEMENTATION
   before you include this file in *one* C or C++ file to create the
   implementation. Other files include it without the define.

       static dx_result echo(dx_hbtp_request *req, void *user) {
           return dx_hbtp_reply(req, req->body, req->body_len);
       }
       dx_hbtp_route methods[8];                    // method ids 0..7
       dx_hbtp_router router;
       dx_hbtp_router_init(&router, methods, 8);
       dx_hbtp_router_method(&router, 1, echo, NULL);

       dx_hbtp_conn server;                         // one per connection
       dx_hbtp_conn_config cfg;
       memset(&cfg, 0, sizeof cfg);                 // zero = server, 64 KiB frames
       cfg.router = &router;
       dx_hbtp_conn_create(&server, &cfg);
       // when bytes arrive from the socket:
       int64_t used = dx_hbtp_conn_feed(&server, bytes, n);    // < 0: protocol error
       size_t len; const uint8_t *out = dx_hbtp_conn_output(&server, &len);
       ssize_t sent = send(fd, out, len, 0);        // -1: an error (consume clamps n to len)
       if (sent > 0) dx_hbtp_conn_consume(&server, (size_t)sent); // then feed bytes + used again if used < n

   A client is the same object with cfg.role = DX_HBTP_ROLE_CLIENT and
   cfg.on_frame set: dx_hbtp_conn_hello, then dx_hbtp_conn_call(c, method,
   body, len) returns the stream id its answer will carry. The whole program
   (client and server talking through memory) is examples/hbtp_loopback.c.

OVERVIEW
   - Frames: dx_hbtp_parse / dx_hbtp_encode for one frame in a buffer (the
     payload is a pointer into it: zero copy).
   - Framer: bytes in pieces of any size give exactly the frames one buffer
     gives; frames inside a piece are not copied; a frame split across
     pieces is assembled in a buffer of 8 + max_payload bytes. The header is
     checked (size limit, flags, opcode) before any of the body is buffered.
   - Router: a 256-entry opcode table and a dense method table sized at init:
     O(1) dispatch; a fallback; ERROR UNKNOWN_METHOD otherwise.
   - Response buffer: caller memory, reused after reset; writers for PONG,
     RPC replies, ERROR, stream chunks, NOT_MODIFIED, GOAWAY; running out of
     room is a sticky DX_ERR_NOSPACE, never a realloc.
   - Connection: the HELLO exchange (version check, the smaller limits and
     the common capabilities win), pipelined requests answered in order with
     their stream ids, GOAWAY, and the limits: a frame above max_payload or
     more than max_inflight unanswered requests is a protocol error answered
     with ERROR then GOAWAY. Server and client.
   - Middleware: "before" hooks in order, "after" hooks in reverse; a before
     may stop the request with an ERROR reply. Built in: timing (elapsed time
     per request, optionally returned to the client), rate limiting (a token
     bucket per connection or per worker) and authentication (a verifier of
     the HELLO token, with dx_hbtp_equal_ct for constant-time comparison).
   DOES NOT: do I/O, compress (the COMPRESSED flag is the application's
   business), encrypt (run it over TLS or a trusted link), or allocate per
   frame or per request.

API
   Frames
   void dx_hbtp_encode_header(uint8_t out[8], uint8_t opcode, uint8_t flags, uint16_t stream, uint32_t length)
   dx_result dx_hbtp_decode_header(const uint8_t in[8], uint32_t max_payload, dx_hbtp_frame *out)
       errors: DX_HBTP_ERR_OPCODE (0 or reserved), DX_ERR_UNSUPPORTED (unknown
       required flag), DX_HBTP_ERR_TOO_LARGE.
   int64_t dx_hbtp_parse(const uint8_t *buf, size_t len, uint32_t max_payload, dx_hbtp_frame *out)
       bytes of the frame at buf, DX_ERR_TRUNCATED if incomplete, or an error above.
   int64_t dx_hbtp_encode(uint8_t *out, size_t cap, uint8_t opcode, uint8_t flags, uint16_t stream, const void *payload, uint32_t len)
       bytes written, or DX_ERR_NOSPACE. allocates: no (all of the above).
   const char *dx_hbtp_opcode_name(uint8_t opcode), dx_hbtp_result_name(dx_result r)

   Framer (one thread at a time; allocates: no)
   dx_result dx_hbtp_framer_init(dx_hbtp_framer *f, uint8_t *buf, size_t cap, uint32_t max_payload)
       buf holds one split frame: cap >= 8 + max_payload (max_payload 0 = cap - 8).
   dx_result dx_hbtp_framer_feed(dx_hbtp_framer *f, const uint8_t *data, size_t len)
       the next piece; call next() until it returns DX_ERR_TRUNCATED first (else DX_ERR_MISUSE).
   dx_result dx_hbtp_framer_next(dx_hbtp_framer *f, dx_hbtp_frame *out)
       DX_OK with a frame (valid until the next call), DX_ERR_TRUNCATED when
       the piece is used up, or a sticky protocol error.
   size_t dx_hbtp_framer_drop_input(dx_hbtp_framer *f)
       forget the rest of the piece (to feed it again later); returns its size.
   f->frames, f->bytes_copied count frames and bytes copied into buf.

   Response buffer (allocates: no)
   void dx_hbtp_resp_init(dx_hbtp_resp *r, uint8_t *buf, size_t cap), dx_hbtp_resp_reset(r)
   uint8_t *dx_hbtp_resp_begin(r, opcode, flags, stream, size_t max_len) + dx_result dx_hbtp_resp_end(r, size_t len)
       write a payload in place (NULL and a sticky NOSPACE if max_len does not fit).
   dx_result dx_hbtp_resp_frame(r, opcode, flags, stream, payload, len)
   dx_result dx_hbtp_resp_pong(r, stream, payload, len)
   dx_result dx_hbtp_resp_rpc(r, stream, method, body, len)
   dx_result dx_hbtp_resp_error(r, stream, uint16_t code, const char *message)
   dx_result dx_hbtp_resp_chunk(r, stream, data, len, bool last)      STREAM_DATA / STREAM_END
   dx_result dx_hbtp_resp_not_modified(r, stream, tag, len)
   dx_result dx_hbtp_resp_goaway(r, last_stream, code, message)
   const uint8_t *dx_hbtp_resp_data(r, size_t *out_len), void dx_hbtp_resp_consume(r, size_t n)
       what is left to send, and how much of it was sent.

   Router (build once; then read-only and shareable between threads)
   dx_result dx_hbtp_router_init(dx_hbtp_router *rt, dx_hbtp_route *methods, uint32_t method_count)
   dx_result dx_hbtp_router_method(rt, uint32_t method, dx_hbtp_handler fn, void *user)
   dx_result dx_hbtp_router_opcode(rt, uint8_t opcode, fn, user)     0x80-0xff, STREAM_DATA, STREAM_END
   void dx_hbtp_router_fallback(rt, fn, user)
   dx_result dx_hbtp_router_dispatch(const dx_hbtp_router *rt, dx_hbtp_request *req)
   A handler is dx_result fn(dx_hbtp_request *req, void *user). It answers with
   dx_hbtp_reply(req, body, len) or dx_hbtp_reply_error(req, code, message)
   (or writes frames to req->resp for streams: they are then the reply).
   dx_hbtp_reply writes RPC_RESPONSE with the request's method id (0 when
   the request is not an RPC). No reply means an empty one (but to a
   STREAM_DATA piece: none); an error result without a reply, or a reply
   that does not fit the output buffer or the negotiated max_payload, means
   ERROR INTERNAL. See WIRE FORMAT for which request gets which answer.

   Connection (one thread at a time; may move between threads)
   size_t dx_hbtp_conn_memory_size(const dx_hbtp_conn_config *cfg)
   dx_result dx_hbtp_conn_init(dx_hbtp_conn *c, const dx_hbtp_conn_config *cfg, void *mem, size_t mem_size)
   dx_result dx_hbtp_conn_create(c, cfg) / void dx_hbtp_conn_destroy(c)
       create allocates memory_size bytes once through cfg->allocator; init
       takes yours. Nothing else allocates. errors: DX_ERR_INVAL for a bad
       config (max_payload below DX_HBTP_MIN_PAYLOAD, 64; memory_size is 0).
   int64_t dx_hbtp_conn_feed(c, const uint8_t *data, size_t len)
       processes every complete frame; returns the bytes consumed. Fewer than
       len when a server's output filled half the output buffer (the room
       comes back once all of it was sent; backpressure): send, consume, feed
       the rest. A client's feed takes every byte: its answers to the
       server's PINGs and GOAWAY are dropped where its output has no room,
       so keep a client's output sent. < 0: a protocol error
       (DX_HBTP_ERR_*; DX_ERR_UNSUPPORTED for an unknown required flag;
       DX_HBTP_ERR_REFUSED where the server's auth refused the token); the
       output then holds ERROR and GOAWAY for the peer where they fit (a
       full output loses the explanation, not the close), and the
       connection is closing: c->state CLOSING, c->error why. A client
       closes the transport once its output is sent and no request is in
       flight (c->inflight_count 0), or at once after an error.
   const uint8_t *dx_hbtp_conn_output(c, size_t *out_len), void dx_hbtp_conn_consume(c, size_t n)
   dx_result dx_hbtp_conn_hello(c)                              client: queue HELLO
   dx_result dx_hbtp_conn_ping(c, payload, len)               either side; PINGs are answered by both
   int32_t dx_hbtp_conn_call(c, uint32_t method, body, len)    client: the stream id, or
       DX_ERR_BUSY (max_inflight reached), DX_ERR_NOSPACE (send first), DX_HBTP_ERR_GOAWAY,
       DX_HBTP_ERR_TOO_LARGE (4 + len above the max payload). Before HELLO|ACK
       the server's limits are unknown: send at most one request then,
       unless you know its max_inflight (more are TOO_MANY_INFLIGHT, fatal).
   int32_t dx_hbtp_conn_send(c, uint8_t opcode, uint8_t flags, payload, len)
       client: an application frame (opcode 0x80-0xff; another opcode:
       DX_ERR_INVAL) on a new stream; the server routes it by opcode and its
       answer comes back on that stream.
   int32_t dx_hbtp_conn_stream(c, uint16_t stream, data, len, bool last)
       client: one piece of an upload. stream 0 opens a new stream (its id
       is returned, as by call); then the same id for each next piece.
       Pieces are STREAM_DATA; the last is STREAM_END with END_STREAM, and
       the server's answer to it closes the stream. errors as call, and
       DX_ERR_INVAL for a stream that is not in flight.
   dx_result dx_hbtp_conn_goaway(c, code, message)            the message cut to the max payload
       (each call sends one: call it once)
   c->state, c->error, c->capabilities, c->max_payload, c->max_inflight (negotiated),
   c->requests (server: requests taken, each STREAM_DATA piece counted; a
   client's stays 0), c->last_server_us (client: the TIMING trailer of the last answer).

   Middleware
   dx_hbtp_middleware dx_hbtp_timing_middleware(dx_hbtp_timing *t)
   dx_hbtp_middleware dx_hbtp_ratelimit_middleware(dx_hbtp_ratelimit *rl)
   dx_hbtp_middleware dx_hbtp_auth_middleware(dx_hbtp_auth *a)
       put them in cfg.middleware[]; the state objects are yours: one per
       connection, or one per worker thread shared by its connections.
       Timing's and the rate limiter's now is required (a monotonic clock
       in ns: CLOCK_MONOTONIC, dx_reactor_now). The rate limiter: rate
       requests per second refilled continuously, burst the bucket (0 and
       0 refuse every request); PING is not limited.
   bool dx_hbtp_equal_ct(a, a_len, b, b_len)          time independent of the bytes
   bool dx_hbtp_verify_static_token(token, len, dx_hbtp_static_token *)   a ready verifier

CONFIGURATION
   DX_HBTP_MAX_MIDDLEWARE   8      [global]  middleware slots in dx_hbtp_conn_config
   cfg.max_payload          64 KiB [runtime] largest payload accepted (and offered in HELLO); >= 64
   cfg.max_inflight         64     [runtime] unanswered requests allowed
   cfg.out_capacity         2 x (8 + max_payload) + 4 KiB [runtime] output buffer; at least a
                                   HELLO and its answer (2 x 8 + DX_HBTP_HELLO_SIZE + token
                                   length: DX_ERR_INVAL below), and a fatal ERROR and GOAWAY
                                   that do not fit are dropped
   DX_STATIC / DX_HBTP_STATIC, DX_HBTP_API / DX_API, DX_MALLOC/DX_FREE, DX_NO_MALLOC,
   DX_MEMCPY..., DX_ASSERT/DX_NO_ASSERT, DX_NO_ERROR_STRINGS, DX_CONFIG_HEADER: as in every dx header.

MEMORY
   A connection needs dx_hbtp_conn_memory_size(cfg) bytes: the framer's
   buffer (8 + max_payload), the output buffer, and 16 bytes per in-flight
   slot (about 200 KiB with the defaults), plus the dx_hbtp_conn struct
   itself (about 600 bytes). Lower max_payload for many small connections;
   send large bodies as STREAM_DATA pieces. A router is
   about 4 KiB plus 16 bytes per method.

ERRORS
   dx_result: 0 ok, negative error. Module codes: DX_HBTP_ERR_PROTOCOL (-200),
   _VERSION (-201), _TOO_LARGE (-202), _OPCODE (-203), _INFLIGHT (-204),
   _GOAWAY (-205), _REFUSED (-206). Errors on the wire are the u16 codes
   DX_HBTP_CODE_* in ERROR and GOAWAY frames.

THREADING
   No globals. A connection is used by one thread at a time. A router is
   read-only after setup. Middleware state is used by the connections that
   share it, so share one only between connections of one thread.

SECURITY MODEL
   Trusted: configs, routers, handlers, middleware. Untrusted: every byte fed
   in. The framer never reads outside the piece it was given or writes past
   its buffer; a frame above the negotiated max_payload is rejected on its
   header before the body is buffered; unknown required flags, opcode 0,
   reserved opcodes, nonzero reserved fields and payloads shorter than their
   fixed part are protocol errors; answers to unknown streams, a second
   HELLO, requests on stream 0 and more than max_inflight unanswered requests
   close the connection with ERROR + GOAWAY (the table in WIRE FORMAT).
   Nothing grows with the input.

WIRE FORMAT (protocol version 1.0; integers little-endian; the offsets are
   the DX_HBTP_<RECORD>_OFF_* constants)
   A connection is one ordered byte stream each way (TCP, a UART, memory) of
   frames. The client speaks first (HELLO), then sends requests, each on a
   stream of its own; the server answers each request on its stream.

   frame header (8 bytes: DX_HBTP_HEADER_*), then length payload bytes
     0  u8   opcode
     1  u8   flags: 0x01 END_STREAM (the last piece of a stream), 0x02
             COMPRESSED (the payload is compressed with a codec the
             applications agreed on; passed through), 0x04 MORE (more
             frames of this answer follow), 0x08 ACK (the answer to HELLO
             or GOAWAY), 0x10 TIMING (below). Bits 0-6 are required: a
             frame with an unknown one (0x20, 0x40) is refused. Bit 7 is
             optional: ignored.
     2  u16  stream id: an answer carries its request's id; 0 = the connection
     4  u32  payload length, at most the receiver's max payload (see HELLO);
             a frame above it is refused on its header, before its body.
   opcodes: 0x01-0x0a the protocol's (below); 0x00 and 0x0b-0x7f are refused
   (UNKNOWN_OPCODE); 0x80-0xff application opcodes.

   payloads: a fixed part, then bytes; a payload shorter than its fixed
   part is malformed (fatal, but a short RPC: see errors). Reserved fields
   are 0 and a reader refuses any other value (fatal: so that a later minor
   version may give them a meaning).
     0x01 HELLO, stream 0 only; 24 bytes + token (DX_HBTP_HELLO_*):
          0 "HBTP"   4 u8 major (1)   5 u8 minor (0)   6 u16 token length
          8 u64 capabilities   16 u32 max payload   20 u16 max in flight
          22 u16 reserved (0)   24 the token; the payload is exactly
          24 + token length bytes.
     0x02 PING, 0x03 PONG: any bytes (a PONG echoes its PING's).
     0x04 RPC, 0x05 RPC_RESPONSE: 0 u32 method id, 4 body (DX_HBTP_RPC_*).
     0x06 ERROR: 0 u16 code, 2 u16 reserved (0), 4 UTF-8 message
          (DX_HBTP_ERROR_*).
     0x07 STREAM_DATA (a piece of a body), 0x08 STREAM_END (the last piece,
          sent with END_STREAM; a reader takes it as the last without the
          flag too), 0x09 NOT_MODIFIED (an optional tag, such as
          an ETag), 0x80-0xff: any bytes.
     0x0a GOAWAY, stream 0: 0 u16 last stream handled (a client's: 0), 2
          u16 code, 4 UTF-8 message (DX_HBTP_GOAWAY_*). GOAWAY|ACK (stream 0)
          has an empty payload. A reader ignores a GOAWAY's stream id and a
          client's last stream; a GOAWAY|ACK that comes before any GOAWAY
          was sent counts as the peer's GOAWAY.
     TIMING flag (a server sets it on answers when both sides have the TIMING
          capability): the payload ends with a u32 of server microseconds
          (saturated), not part of the payload proper: the client strips it
          (and refuses a TIMING frame of fewer than 4 bytes; on_frame
          sees the length without it, the flag still set); a server
          ignores the flag on what it receives, and leaves the trailer off
          an answer it would push over the max payload or the output.
   Messages are for people: nothing depends on their text.

   HELLO exchange
     The client's first frame is HELLO (flags 0, stream 0; a server ignores
     flags but ACK, and the table below has HELLO|ACK) offering its
     limits: max payload (the largest payload it accepts) and max in flight
     (the requests it may have unanswered at once); 0 means "no preference".
     A max payload of 1-63 is malformed (every ERROR must fit; 64 is
     DX_HBTP_MIN_PAYLOAD). The server answers HELLO|ACK (stream 0, token
     length 0) with the negotiated values: for each limit the smaller of the
     two (its own where the client said 0), and the capability bits both
     sides set. The client adopts the smaller of the ACK's and its own.
     From then on each side refuses frames above the negotiated max payload
     (before, each side's own configured one applies). Another major
     version is refused (VERSION); any minor is accepted. The server's first
     frame is HELLO|ACK, or ERROR on stream 0 then GOAWAY (refused); a
     client refuses any other frame before HELLO|ACK. A client may send
     requests before the ACK arrives (they are then held to the limits it
     will learn). capabilities: bit 0 TIMING; bits 1-31 reserved (sent 0;
     the AND makes unknown bits harmless); bits 32-63 application.

   Streams: a client numbers its requests 1, 2, 3, ... (u16; after 65535
   comes 1; 0 is never used; an id still in flight is skipped). Every frame
   a client sends with an opcode of RPC, STREAM_DATA, STREAM_END or
   0x80-0xff is a request on its stream; it may not be on stream 0. The
   server handles requests in the order they arrive and answers in that
   order (it does not check that a client's ids in flight differ: one that
   reuses an id cannot tell those answers apart). Answers by request (anything else from a client: see errors):
     request (client)            answer frames on its stream (server)
     RPC                         RPC_RESPONSE (the request's method id), or
                                 NOT_MODIFIED, or STREAM_DATA... STREAM_END,
                                 or ERROR; as the handler chooses
     0x80-0xff, STREAM_END,      what the handler writes (any of the above
     STREAM_DATA + END_STREAM    or application opcodes); ERROR
                                 UNKNOWN_OPCODE when no handler is routed
     STREAM_DATA (no END_STREAM) none (unless its handler writes one): a
                                 piece of an upload; its STREAM_END is answered
                                 (one ERROR UNKNOWN_OPCODE where neither has a
                                 handler)
     (a handler writes nothing)  RPC_RESPONSE, empty body, with the RPC's
                                 method id (0 for other requests)
     PING, any stream (either    PONG, same stream and payload; not a
     side may send it)           request: it needs no stream of its own
     GOAWAY (either side)        GOAWAY|ACK (an ACK is not answered)
     ERROR, PONG (client)        none: taken, not answered
   An answer ends with its final frame: the first one without MORE that is
   not a STREAM_DATA without END_STREAM; the request is no longer in flight
   then. Every request but a STREAM_DATA piece gets exactly one final
   frame. MORE on a request means nothing to the protocol (the handler sees
   it). An upload (a client's STREAM_DATA pieces, then STREAM_END, on one
   stream) has no method id: the server routes it by opcode, and what its
   bytes mean is the application's. A client keeps at most the negotiated max in flight requests
   without their final frame; the server counts those whose answers it has
   not yet sent, so a client that keeps the rule never trips it. Other
   frames a server sends on stream 0 (ERROR, application opcodes, ...) go
   to the client's application.

   Errors. An ERROR on a request's stream answers that request; the
   connection goes on. A protocol error is fatal: the side that finds it
   sends ERROR, then GOAWAY repeating its code (last stream: the last
   request the server took, 0 from a client), reads nothing more and
   closes. A fatal ERROR is on stream 0, but TOO_MANY_INFLIGHT's, which is
   on the refused request's stream. A peer still sending then may see the
   connection reset, and over a network a reset can discard the ERROR and
   GOAWAY before they are read: a client that sent a frame above the max
   payload reads a reset as that TOO_LARGE. A frame's header is checked
   (opcode, then flags, then length) before its place (such as HELLO
   first): a first frame too large is TOO_LARGE, one of opcode 0 with
   any length UNKNOWN_OPCODE.
     condition (who checks)                        code              fate
     first frame not HELLO; HELLO|ACK or HELLO     1 PROTOCOL        fatal
       off stream 0; a second HELLO (server)
     malformed HELLO: short, magic, payload not    1 PROTOCOL        fatal
       24 + token length, reserved != 0, max
       payload 1-63 (both)
     HELLO or HELLO|ACK major != 1 (both)          2 VERSION         fatal
     the token refused (server, auth middleware)   8 UNAUTHORIZED    fatal
     opcode 0x00 or 0x0b-0x7f (both)               3 UNKNOWN_OPCODE  fatal
     an unknown required flag (both)               1 PROTOCOL        fatal
     payload length above the max payload (both)   5 TOO_LARGE       fatal
     a request on stream 0; RPC_RESPONSE or        1 PROTOCOL        fatal
       NOT_MODIFIED from a client (server)
     a request beyond max in flight (server)       6 TOO_MANY_INFLIGHT fatal
     before HELLO|ACK anything but ERROR on        1 PROTOCOL        fatal
       stream 0 or GOAWAY; HELLO without ACK; RPC;
       an answer on a stream not in flight (client)
     ERROR, GOAWAY, RPC_RESPONSE payload shorter   1 PROTOCOL        fatal
       than its fixed part; ERROR reserved != 0;
       GOAWAY|ACK with a payload (both); a TIMING
       trailer shorter than 4 bytes (client: a
       server ignores the flag on what it receives)
     RPC shorter than 4 bytes (server)             10 BAD_REQUEST    answered, open
     an RPC method without handler or fallback     4 UNKNOWN_METHOD  answered, open
     an application opcode without handler         3 UNKNOWN_OPCODE  answered, open
     the handler failed or its answer did not fit  9 INTERNAL        answered, open
       (the output buffer or the max payload)
     refused by the rate limiter                   7 RATE_LIMITED    answered, open
     a request after GOAWAY was sent or received   1 PROTOCOL        answered (not
                                                                     handled); closes
                                                                     as GOAWAY says
   error codes: 0 NONE (a GOAWAY without error), 1-10 above, 11-0x7fff
   reserved, 0x8000-0xffff application. GOAWAY (either side, after HELLO):
   no new requests; the server handles those up to last stream (its
   requests sent later were not handled: they get ERROR PROTOCOL) and the
   answers still due are sent; the transport closes once both sides said
   GOAWAY (or GOAWAY|ACK) and the answers are out. The client closes it
   once the answers it waits for are in; a server waits for that close
   (dx_net.h: at most its idle timeout, or its stop timeout when it
   stops) rather than closing first, where
   bytes the client still sends would reset the connection and could lose
   the last answers.

   Vectors (tests/vectors/hbtp/): one frame each (hello, hello_ack, ping,
   pong, rpc_request, rpc_response, error, goaway), a whole session
   (session_client / session_server) and one file per rule a reader
   enforces (rule_s_* for a server, rule_c_* for a client: what the peer
   sends, "= ok" or "= fatal", then the answer; make_rule_vectors.py writes
   them from this section).

VERSION HISTORY
   0.3.5 (2026-11-29) docs from an outsider's programs written from them
         alone: the header's checks in their real order (opcode, flags,
         length); feed's errors, a full output's dropped explanation and
         a client's dropped PONGs, when a client closes; requests before
         HELLO|ACK; on_frame's frames; the TIMING trailer left off; the
         middleware clock required (asserted: it was a call through NULL)
         and the rate limiter's units; out_capacity's least; call's
         TOO_LARGE, send's INVAL; the quick start's send checked.
   0.3.4 (2026-11-28) a router without a STREAM_DATA handler no longer
         answers each piece of an upload with ERROR UNKNOWN_OPCODE (the
         client took the second such answer as one to no request: a
         protocol error); only the upload's end is answered, once, as
         WIRE FORMAT says. WIRE FORMAT says which stream GOAWAY is on, that
         an upload has no method id, and which side closes after GOAWAY
         (found by a second client written from WIRE FORMAT alone:
         tests/hbtp_spec_client.py). No wire change.
   0.3.3 (2026-11-26) a server does less per request, with every check
         kept: an RPC goes straight to the request checks (no control-frame
         switch), the request is filled in without a memset, the role and
         the half-buffer point are read once per feed, RPC answers are
         written with all arguments in registers, and dx_hbtp_conn_consume
         empties the buffer and the in-flight ring in one test (dx_hbtp_conn,
         rpc64 at depth 1: 374 -> 339 instructions, 14.7 -> 13.5 ns a
         message). No API or wire change.
   0.3.2 (2026-11-26) an RPC answer, ERROR or GOAWAY is written with one
         room check (was begin + end: two); DX_HBTP_VERSION says 0.3.2
         (0.3.1 left it at 0.3.0). No API or wire change.
   0.3.1 (2026-11-26) faster replies, no API or wire change: bodies up to
         64 bytes are copied inline (no memcpy call), the payload checks of
         ERROR/GOAWAY/RPC_RESPONSE are inlined, and a reply whose bytes fit
         in one max_payload frame skips the scan for oversized frames
         (dx_hbtp_conn, rpc64 at depth 1: 20.8 -> 20.0 ns a message).
   0.3.0 (2026-11-23) dx_hbtp_conn_stream: a client uploads a body as
         STREAM_DATA pieces on one stream (dx_net.h sends large bodies so).
         No wire change.
   0.2.0 (2026-11-23) WIRE FORMAT written out for a second implementation,
         with a vector per rule a reader enforces (rule_*.hex). Wire offsets
         named: DX_HBTP_HEADER_/HELLO_/RPC_/ERROR_/GOAWAY_OFF_* and _SIZE,
         DX_HBTP_TIMING_SIZE, DX_HBTP_MIN_PAYLOAD (no renames). Readers now
         refuse (PROTOCOL): nonzero reserved u16 in HELLO and ERROR; HELLO|ACK
         off stream 0; a HELLO max payload of 1-63; ERROR, GOAWAY,
         RPC_RESPONSE and TIMING payloads shorter than their fixed part; a
         GOAWAY|ACK with a payload; RPC from a server; anything but ERROR or
         GOAWAY before HELLO|ACK. A client answers PING and GOAWAY (also when
         closing) and holds the server to the negotiated max payload. A
         request whose handler writes nothing gets an empty RPC_RESPONSE
         (application opcodes got nothing: the client's stream never closed).
         Fatal ERRORs go on stream 0, but TOO_MANY_INFLIGHT.
         dx_hbtp_conn_goaway cuts its message to the max payload.
         cfg.max_payload below 64 is DX_ERR_INVAL. Protocol version stays
         1.0: the frames 0.1.0 wrote pass these checks, but a HELLO offering
         a max payload below 64.
   0.1.0 (2026-11-22) first release.
   There is no ABI promise between versions: vendor the header, link statically.
*/
#if defined(DX_IMPLEMENTATION) && !defined(DX_HBTP_IMPLEMENTATION)
#define DX_HBTP_IMPLEMENTATION
#endif
#ifndef DX_HBTP_H
#define DX_HBTP_H
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
#ifndef DX_HBTP_API /* DX_HBTP_API > DX_API > static (DX_STATIC / DX_HBTP_STATIC) > extern */
#if defined(DX_API)
#define DX_HBTP_API DX_API
#elif (defined(DX_STATIC) || defined(DX_HBTP_STATIC)) && (defined(__GNUC__) || defined(__clang__))
#define DX_HBTP_API static __attribute__((unused))
#elif defined(DX_STATIC) || defined(DX_HBTP_STATIC)
#define DX_HBTP_API static
#else
#define DX_HBTP_API extern
#endif
#endif

#define DX_HBTP_VERSION_MAJOR 0
#define DX_HBTP_VERSION_MINOR 3
#define DX_HBTP_VERSION_PATCH 5
#define DX_HBTP_VERSION DX_VERSION_PACK(0, 3, 5)

#ifndef DX_HBTP_MAX_MIDDLEWARE /* middleware slots in a connection config */
#define DX_HBTP_MAX_MIDDLEWARE 8
#endif

#ifdef __cplusplus
extern "C" {
#endif

enum {
    DX_HBTP_ERR_PROTOCOL = -200, /* the peer broke the protocol */
    DX_HBTP_ERR_VERSION = -201,  /* no common protocol version */
    DX_HBTP_ERR_TOO_LARGE = -202, /* a frame above the payload limit */
    DX_HBTP_ERR_OPCODE = -203,   /* opcode 0 or in the reserved range */
    DX_HBTP_ERR_INFLIGHT = -204, /* more requests in flight than allowed */
    DX_HBTP_ERR_GOAWAY = -205,   /* the connection is closing */
    DX_HBTP_ERR_REFUSED = -206   /* the peer refused the HELLO (ERROR frame) */
};

/* Wire offsets, named once (see WIRE FORMAT); writers and readers use these. */
enum { /* the frame header */
    DX_HBTP_HEADER_OFF_OPCODE = 0,     /* u8 */
    DX_HBTP_HEADER_OFF_FLAGS = 1,      /* u8 */
    DX_HBTP_HEADER_OFF_STREAM = 2,     /* u16 */
    DX_HBTP_HEADER_OFF_LENGTH = 4,     /* u32 payload length */
    DX_HBTP_HEADER_SIZE = 8
};
enum { /* HELLO payload; the token follows the fixed part */
    DX_HBTP_HELLO_OFF_MAGIC = 0,       /* "HBTP" */
    DX_HBTP_HELLO_OFF_MAJOR = 4,       /* u8 */
    DX_HBTP_HELLO_OFF_MINOR = 5,       /* u8 */
    DX_HBTP_HELLO_OFF_TOKEN_LEN = 6,   /* u16 */
    DX_HBTP_HELLO_OFF_CAPABILITIES = 8, /* u64 */
    DX_HBTP_HELLO_OFF_MAX_PAYLOAD = 16, /* u32, 0 = no preference */
    DX_HBTP_HELLO_OFF_MAX_INFLIGHT = 20, /* u16, 0 = no preference */
    DX_HBTP_HELLO_OFF_RESERVED = 22,   /* u16, must be 0 */
    DX_HBTP_HELLO_OFF_TOKEN = 24,
    DX_HBTP_HELLO_SIZE = 24
};
enum { /* RPC and RPC_RESPONSE payloads */
    DX_HBTP_RPC_OFF_METHOD = 0,        /* u32 */
    DX_HBTP_RPC_OFF_BODY = 4,
    DX_HBTP_RPC_SIZE = 4
};
enum { /* ERROR payload */
    DX_HBTP_ERROR_OFF_CODE = 0,        /* u16 */
    DX_HBTP_ERROR_OFF_RESERVED = 2,    /* u16, must be 0 */
    DX_HBTP_ERROR_OFF_MESSAGE = 4,     /* UTF-8, to the end of the payload */
    DX_HBTP_ERROR_SIZE = 4
};
enum { /* GOAWAY payload (GOAWAY|ACK has none) */
    DX_HBTP_GOAWAY_OFF_LAST_STREAM = 0, /* u16 */
    DX_HBTP_GOAWAY_OFF_CODE = 2,       /* u16 */
    DX_HBTP_GOAWAY_OFF_MESSAGE = 4,
    DX_HBTP_GOAWAY_SIZE = 4
};
enum { DX_HBTP_TIMING_SIZE = 4 }; /* the u32 microseconds trailer of a TIMING answer */

enum { /* the protocol version this header speaks */
    DX_HBTP_PROTOCOL_MAJOR = 1,
    DX_HBTP_PROTOCOL_MINOR = 0
};
enum { /* limits */
    DX_HBTP_MIN_PAYLOAD = 64,          /* the smallest max payload a HELLO may offer (0 aside) */
    DX_HBTP_DEFAULT_MAX_PAYLOAD = 1 << 16,
    DX_HBTP_DEFAULT_MAX_INFLIGHT = 64
};

/* Opcodes: protocol 0x01-0x0a, reserved 0x0b-0x7f, application 0x80-0xff. */
enum {
    DX_HBTP_OP_HELLO = 0x01,
    DX_HBTP_OP_PING = 0x02,
    DX_HBTP_OP_PONG = 0x03,
    DX_HBTP_OP_RPC = 0x04,          /* request: u32 method id, then the body */
    DX_HBTP_OP_RPC_RESPONSE = 0x05, /* u32 method id, then the body */
    DX_HBTP_OP_ERROR = 0x06,        /* u16 code, u16 0, then a UTF-8 message */
    DX_HBTP_OP_STREAM_DATA = 0x07,  /* a piece of a large body */
    DX_HBTP_OP_STREAM_END = 0x08,   /* the last piece (may be empty) */
    DX_HBTP_OP_NOT_MODIFIED = 0x09,
    DX_HBTP_OP_GOAWAY = 0x0a,       /* u16 last stream handled, u16 code, message */
    DX_HBTP_OP_LAST_PROTOCOL = 0x0a,
    DX_HBTP_OP_APP_FIRST = 0x80
};

/* Flags; bits 0-6 are required (unknown ones are rejected), bit 7 optional. */
enum {
    DX_HBTP_FLAG_END_STREAM = 0x01,
    DX_HBTP_FLAG_COMPRESSED = 0x02, /* payload compressed with a codec the peers agreed on */
    DX_HBTP_FLAG_MORE = 0x04,       /* more fragments of this message follow */
    DX_HBTP_FLAG_ACK = 0x08,        /* an answer (HELLO, GOAWAY) */
    DX_HBTP_FLAG_TIMING = 0x10,     /* the payload ends with u32 server time in microseconds */
    DX_HBTP_FLAGS_KNOWN = 0x1f,
    DX_HBTP_FLAGS_REQUIRED = 0x7f
};

/* Error codes carried in ERROR and GOAWAY frames. */
enum {
    DX_HBTP_CODE_NONE = 0,
    DX_HBTP_CODE_PROTOCOL = 1,
    DX_HBTP_CODE_VERSION = 2,
    DX_HBTP_CODE_UNKNOWN_OPCODE = 3,
    DX_HBTP_CODE_UNKNOWN_METHOD = 4,
    DX_HBTP_CODE_TOO_LARGE = 5,
    DX_HBTP_CODE_TOO_MANY_INFLIGHT = 6,
    DX_HBTP_CODE_RATE_LIMITED = 7,
    DX_HBTP_CODE_UNAUTHORIZED = 8,
    DX_HBTP_CODE_INTERNAL = 9,
    DX_HBTP_CODE_BAD_REQUEST = 10,
    DX_HBTP_CODE_APP_FIRST = 0x8000
};

/* Capability bits exchanged in HELLO; the low 32 are the protocol's. */
enum { DX_HBTP_CAP_TIMING = 1 };

typedef enum dx_hbtp_role {
    DX_HBTP_ROLE_SERVER = 0, /* zero-init is a server */
    DX_HBTP_ROLE_CLIENT = 1,
    DX_HBTP_ROLE_FORCE_32BIT = 0x7fffffff
} dx_hbtp_role;

typedef enum dx_hbtp_state {
    DX_HBTP_STATE_HANDSHAKE = 0, /* waiting for HELLO (server) or its ACK (client) */
    DX_HBTP_STATE_OPEN,
    DX_HBTP_STATE_CLOSING,       /* GOAWAY sent or received: no new requests */
    DX_HBTP_STATE_FORCE_32BIT = 0x7fffffff
} dx_hbtp_state;

/* One frame; payload points into the caller's bytes or the framer's buffer. */
typedef struct dx_hbtp_frame {
    uint8_t opcode, flags;
    uint16_t stream;
    uint32_t length;
    const uint8_t *payload;
} dx_hbtp_frame;

typedef struct dx_hbtp_framer {
    uint8_t *buf;          /* assembly buffer for frames split across pieces */
    size_t cap, have;
    const uint8_t *in;     /* the rest of the piece being consumed */
    size_t in_len;
    uint32_t max_payload;
    dx_result error;       /* sticky */
    uint64_t frames, bytes_copied;
} dx_hbtp_framer;

/* A reusable output buffer of frames; errors are sticky until reset. */
typedef struct dx_hbtp_resp {
    uint8_t *buf;
    size_t cap, len, sent; /* bytes [sent, len) wait to be sent */
    size_t frame_at;       /* start of the frame begun by dx_hbtp_resp_begin */
    dx_result error;
} dx_hbtp_resp;

typedef struct dx_hbtp_conn dx_hbtp_conn;

/* What a handler and the middleware see of one request. */
typedef struct dx_hbtp_request {
    dx_hbtp_conn *conn;
    const dx_hbtp_frame *frame;
    uint32_t method;         /* RPC method id (RPC frames) */
    const uint8_t *body;     /* the payload after the method id */
    uint32_t body_len;
    dx_hbtp_resp *resp;      /* write the reply here */
    size_t reply_at;         /* where the reply frame starts in resp */
    uint64_t start_ns, elapsed_ns; /* set by the timing middleware */
} dx_hbtp_request;

typedef dx_result (*dx_hbtp_handler)(dx_hbtp_request *req, void *user);
typedef struct dx_hbtp_route { dx_hbtp_handler fn; void *user; } dx_hbtp_route;

typedef struct dx_hbtp_router {
    dx_hbtp_route opcodes[256]; /* application opcodes and streams */
    dx_hbtp_route *methods;     /* dense method table, caller memory */
    uint32_t method_count;
    dx_hbtp_route fallback;     /* unknown methods; empty = ERROR UNKNOWN_METHOD */
} dx_hbtp_router;

typedef struct dx_hbtp_middleware {
    dx_result (*on_hello)(dx_hbtp_conn *c, const uint8_t *token, uint32_t len, void *state);
    dx_result (*before)(dx_hbtp_request *req, void *state); /* non-OK: reply with ERROR, stop */
    void (*after)(dx_hbtp_request *req, dx_result result, void *state);
    void *state;
} dx_hbtp_middleware;

typedef uint64_t (*dx_hbtp_clock)(void *user); /* monotonic nanoseconds */

typedef void (*dx_hbtp_on_frame)(dx_hbtp_conn *c, const dx_hbtp_frame *f, void *user);

typedef struct dx_hbtp_conn_config {
    dx_hbtp_role role;
    uint32_t max_payload;      /* 0 = DX_HBTP_DEFAULT_MAX_PAYLOAD (64 KiB) */
    uint16_t max_inflight;     /* 0 = DX_HBTP_DEFAULT_MAX_INFLIGHT */
    size_t out_capacity;       /* 0 = 2 * (max_payload + 8) + 4096 */
    uint64_t capabilities;     /* offered in HELLO */
    const dx_hbtp_router *router; /* server */
    dx_hbtp_middleware middleware[DX_HBTP_MAX_MIDDLEWARE];
    uint32_t middleware_count;
    const uint8_t *token;      /* client: credential sent in HELLO */
    uint32_t token_len;
    dx_hbtp_on_frame on_frame; /* client: every frame received (answers; HELLO|ACK, PINGs already answered, GOAWAY,
                                  GOAWAY|ACK, ERROR on stream 0 too); server: unused */
    void *user;
    dx_allocator allocator;    /* dx_hbtp_conn_create */
} dx_hbtp_conn_config;

typedef struct dx_hbtp_inflight { uint64_t end; uint16_t stream; } dx_hbtp_inflight;

struct dx_hbtp_conn {
    dx_hbtp_conn_config cfg;
    dx_hbtp_state state;
    dx_hbtp_framer framer;
    dx_hbtp_resp out;
    dx_hbtp_inflight *inflight; /* server: replies not yet sent; client: open requests */
    uint32_t inflight_count, inflight_head;
    uint32_t max_payload;       /* negotiated */
    uint16_t max_inflight, next_stream, last_stream;
    uint64_t capabilities;      /* negotiated: both sides' bits */
    bool authenticated, owns_memory;
    void *memory;
    size_t memory_size;
    dx_result error;            /* the error that closed the connection */
    uint64_t sent_total;        /* output bytes consumed so far */
    uint32_t last_server_us;    /* client: the TIMING trailer of the last reply */
    uint64_t requests, protocol_errors;
};

DX_HBTP_API void dx_hbtp_encode_header(uint8_t out[8], uint8_t opcode, uint8_t flags, uint16_t stream, uint32_t length);
DX_HBTP_API dx_result dx_hbtp_decode_header(const uint8_t in[8], uint32_t max_payload, dx_hbtp_frame *out);
DX_HBTP_API int64_t dx_hbtp_parse(const uint8_t *buf, size_t len, uint32_t max_payload, dx_hbtp_frame *out);
DX_HBTP_API int64_t dx_hbtp_encode(uint8_t *out, size_t cap, uint8_t opcode, uint8_t flags, uint16_t stream,
                                   const void *payload, uint32_t len);
DX_HBTP_API const char *dx_hbtp_opcode_name(uint8_t opcode);
DX_HBTP_API const char *dx_hbtp_result_name(dx_result r);

DX_HBTP_API dx_result dx_hbtp_framer_init(dx_hbtp_framer *f, uint8_t *buf, size_t cap, uint32_t max_payload);
DX_HBTP_API dx_result dx_hbtp_framer_feed(dx_hbtp_framer *f, const uint8_t *data, size_t len);
DX_HBTP_API dx_result dx_hbtp_framer_next(dx_hbtp_framer *f, dx_hbtp_frame *out);
DX_HBTP_API size_t dx_hbtp_framer_drop_input(dx_hbtp_framer *f);

DX_HBTP_API void dx_hbtp_resp_init(dx_hbtp_resp *r, uint8_t *buf, size_t cap);
DX_HBTP_API void dx_hbtp_resp_reset(dx_hbtp_resp *r);
DX_HBTP_API uint8_t *dx_hbtp_resp_begin(dx_hbtp_resp *r, uint8_t opcode, uint8_t flags, uint16_t stream, size_t max_len);
DX_HBTP_API dx_result dx_hbtp_resp_end(dx_hbtp_resp *r, size_t len);
DX_HBTP_API dx_result dx_hbtp_resp_frame(dx_hbtp_resp *r, uint8_t opcode, uint8_t flags, uint16_t stream,
                                         const void *payload, size_t len);
DX_HBTP_API dx_result dx_hbtp_resp_pong(dx_hbtp_resp *r, uint16_t stream, const void *payload, size_t len);
DX_HBTP_API dx_result dx_hbtp_resp_rpc(dx_hbtp_resp *r, uint16_t stream, uint32_t method, const void *body, size_t len);
DX_HBTP_API dx_result dx_hbtp_resp_error(dx_hbtp_resp *r, uint16_t stream, uint16_t code, const char *message);
DX_HBTP_API dx_result dx_hbtp_resp_chunk(dx_hbtp_resp *r, uint16_t stream, const void *data, size_t len, bool last);
DX_HBTP_API dx_result dx_hbtp_resp_not_modified(dx_hbtp_resp *r, uint16_t stream, const void *tag, size_t len);
DX_HBTP_API dx_result dx_hbtp_resp_goaway(dx_hbtp_resp *r, uint16_t last_stream, uint16_t code, const char *message);
DX_HBTP_API const uint8_t *dx_hbtp_resp_data(const dx_hbtp_resp *r, size_t *out_len);
DX_HBTP_API void dx_hbtp_resp_consume(dx_hbtp_resp *r, size_t n);

DX_HBTP_API dx_result dx_hbtp_router_init(dx_hbtp_router *rt, dx_hbtp_route *methods, uint32_t method_count);
DX_HBTP_API dx_result dx_hbtp_router_method(dx_hbtp_router *rt, uint32_t method, dx_hbtp_handler fn, void *user);
DX_HBTP_API dx_result dx_hbtp_router_opcode(dx_hbtp_router *rt, uint8_t opcode, dx_hbtp_handler fn, void *user);
DX_HBTP_API void dx_hbtp_router_fallback(dx_hbtp_router *rt, dx_hbtp_handler fn, void *user);
DX_HBTP_API dx_result dx_hbtp_router_dispatch(const dx_hbtp_router *rt, dx_hbtp_request *req);
DX_HBTP_API dx_result dx_hbtp_reply(dx_hbtp_request *req, const void *body, size_t len);
DX_HBTP_API dx_result dx_hbtp_reply_error(dx_hbtp_request *req, uint16_t code, const char *message);

DX_HBTP_API size_t dx_hbtp_conn_memory_size(const dx_hbtp_conn_config *cfg);
DX_HBTP_API dx_result dx_hbtp_conn_init(dx_hbtp_conn *c, const dx_hbtp_conn_config *cfg, void *mem, size_t mem_size);
DX_HBTP_API dx_result dx_hbtp_conn_create(dx_hbtp_conn *c, const dx_hbtp_conn_config *cfg);
DX_HBTP_API void dx_hbtp_conn_destroy(dx_hbtp_conn *c);
DX_HBTP_API int64_t dx_hbtp_conn_feed(dx_hbtp_conn *c, const uint8_t *data, size_t len);
DX_HBTP_API const uint8_t *dx_hbtp_conn_output(const dx_hbtp_conn *c, size_t *out_len);
DX_HBTP_API void dx_hbtp_conn_consume(dx_hbtp_conn *c, size_t n);
DX_HBTP_API dx_result dx_hbtp_conn_hello(dx_hbtp_conn *c);
DX_HBTP_API dx_result dx_hbtp_conn_ping(dx_hbtp_conn *c, const void *payload, size_t len);
DX_HBTP_API int32_t dx_hbtp_conn_call(dx_hbtp_conn *c, uint32_t method, const void *body, size_t len);
DX_HBTP_API int32_t dx_hbtp_conn_send(dx_hbtp_conn *c, uint8_t opcode, uint8_t flags, const void *payload, size_t len);
DX_HBTP_API int32_t dx_hbtp_conn_stream(dx_hbtp_conn *c, uint16_t stream, const void *data, size_t len, bool last);
DX_HBTP_API dx_result dx_hbtp_conn_goaway(dx_hbtp_conn *c, uint16_t code, const char *message);

/* Built-in middleware; each state object belongs to one thread. */
typedef struct dx_hbtp_timing {
    dx_hbtp_clock now;
    void *clock_user;
    bool report;         /* append the time to replies when the client has DX_HBTP_CAP_TIMING */
    uint64_t last_ns, total_ns, count;
} dx_hbtp_timing;
typedef struct dx_hbtp_ratelimit {
    dx_hbtp_clock now;
    void *clock_user;
    uint32_t rate;       /* requests per second, refilled continuously */
    uint32_t burst;      /* bucket size */
    uint64_t tokens;     /* in 1e-9 requests */
    uint64_t last_ns;
    bool started;
    uint64_t limited;    /* requests refused */
} dx_hbtp_ratelimit;
typedef struct dx_hbtp_auth {
    bool (*verify)(const uint8_t *token, uint32_t len, void *user); /* from HELLO */
    void *user;
    uint64_t refused;
} dx_hbtp_auth;
typedef struct dx_hbtp_static_token { const uint8_t *token; uint32_t len; } dx_hbtp_static_token;

DX_HBTP_API dx_hbtp_middleware dx_hbtp_timing_middleware(dx_hbtp_timing *t);
DX_HBTP_API dx_hbtp_middleware dx_hbtp_ratelimit_middleware(dx_hbtp_ratelimit *rl);
DX_HBTP_API dx_hbtp_middleware dx_hbtp_auth_middleware(dx_hbtp_auth *a);
DX_HBTP_API bool dx_hbtp_equal_ct(const void *a, size_t a_len, const void *b, size_t b_len);
DX_HBTP_API bool dx_hbtp_verify_static_token(const uint8_t *token, uint32_t len, void *static_token);

#ifdef __cplusplus
}
#endif
#endif /* DX_HBTP_H */

/* ===== STOP HERE if you only need the API. Below is the implementation. ===== */

#if defined(DX_HBTP_IMPLEMENTATION) && !defined(DX_HBTP_IMPLEMENTATION_DONE)
#define DX_HBTP_IMPLEMENTATION_DONE

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

/* ---- frames ---- */

DX_HBTP_API void dx_hbtp_encode_header(uint8_t out[8], uint8_t opcode, uint8_t flags, uint16_t stream, uint32_t length) {
    out[DX_HBTP_HEADER_OFF_OPCODE] = opcode;
    out[DX_HBTP_HEADER_OFF_FLAGS] = flags;
    dx_store_u16le(out + DX_HBTP_HEADER_OFF_STREAM, stream);
    dx_store_u32le(out + DX_HBTP_HEADER_OFF_LENGTH, length);
}

/* The header checks, inlined into the framer's per-frame path. */
DX_INLINE dx_result dxi_hbtp_decode(const uint8_t in[8], uint32_t max_payload, dx_hbtp_frame *out) {
    uint8_t opcode = in[DX_HBTP_HEADER_OFF_OPCODE], flags = in[DX_HBTP_HEADER_OFF_FLAGS];
    uint32_t length = dx_load_u32le(in + DX_HBTP_HEADER_OFF_LENGTH);
    if (opcode == 0 || (opcode > DX_HBTP_OP_LAST_PROTOCOL && opcode < DX_HBTP_OP_APP_FIRST))
        return DX_HBTP_ERR_OPCODE;
    if (flags & DX_HBTP_FLAGS_REQUIRED & ~DX_HBTP_FLAGS_KNOWN) return DX_ERR_UNSUPPORTED;
    if (length > max_payload) return DX_HBTP_ERR_TOO_LARGE;
    out->opcode = opcode;
    out->flags = flags;
    out->stream = dx_load_u16le(in + DX_HBTP_HEADER_OFF_STREAM);
    out->length = length;
    out->payload = NULL;
    return DX_OK;
}

DX_HBTP_API dx_result dx_hbtp_decode_header(const uint8_t in[8], uint32_t max_payload, dx_hbtp_frame *out) {
    return dxi_hbtp_decode(in, max_payload, out);
}

DX_HBTP_API int64_t dx_hbtp_parse(const uint8_t *buf, size_t len, uint32_t max_payload, dx_hbtp_frame *out) {
    dx_result err;
    if (!out || (!buf && len)) return DX_ERR_INVAL;
    if (len < DX_HBTP_HEADER_SIZE) return DX_ERR_TRUNCATED;
    err = dx_hbtp_decode_header(buf, max_payload, out);
    if (err != DX_OK) return err;
    if (out->length > len - DX_HBTP_HEADER_SIZE) return DX_ERR_TRUNCATED;
    out->payload = buf + DX_HBTP_HEADER_SIZE;
    return (int64_t)DX_HBTP_HEADER_SIZE + out->length;
}

DX_HBTP_API int64_t dx_hbtp_encode(uint8_t *out, size_t cap, uint8_t opcode, uint8_t flags, uint16_t stream,
                                   const void *payload, uint32_t len) {
    if (!out || (!payload && len)) return DX_ERR_INVAL;
    if (cap < DX_HBTP_HEADER_SIZE || len > cap - DX_HBTP_HEADER_SIZE) return DX_ERR_NOSPACE;
    dx_hbtp_encode_header(out, opcode, flags, stream, len);
    if (len) DX_MEMCPY(out + DX_HBTP_HEADER_SIZE, payload, len);
    return (int64_t)DX_HBTP_HEADER_SIZE + len;
}

DX_HBTP_API const char *dx_hbtp_opcode_name(uint8_t opcode) {
    static const char *const names[] = {"INVALID", "HELLO", "PING", "PONG", "RPC", "RPC_RESPONSE", "ERROR",
                                        "STREAM_DATA", "STREAM_END", "NOT_MODIFIED", "GOAWAY"};
    if (opcode <= DX_HBTP_OP_LAST_PROTOCOL) return names[opcode];
    return opcode >= DX_HBTP_OP_APP_FIRST ? "APP" : "RESERVED";
}

DX_HBTP_API const char *dx_hbtp_result_name(dx_result r) {
#if defined(DX_NO_ERROR_STRINGS)
    (void)r;
    return "";
#else
    switch (r) {
    case DX_HBTP_ERR_PROTOCOL: return "DX_HBTP_ERR_PROTOCOL";
    case DX_HBTP_ERR_VERSION: return "DX_HBTP_ERR_VERSION";
    case DX_HBTP_ERR_TOO_LARGE: return "DX_HBTP_ERR_TOO_LARGE";
    case DX_HBTP_ERR_OPCODE: return "DX_HBTP_ERR_OPCODE";
    case DX_HBTP_ERR_INFLIGHT: return "DX_HBTP_ERR_INFLIGHT";
    case DX_HBTP_ERR_GOAWAY: return "DX_HBTP_ERR_GOAWAY";
    case DX_HBTP_ERR_REFUSED: return "DX_HBTP_ERR_REFUSED";
    default: return dx_result_name(r);
    }
#endif
}

/* ---- framer: zero copy for frames inside a piece, bounded assembly otherwise ---- */

DX_HBTP_API dx_result dx_hbtp_framer_init(dx_hbtp_framer *f, uint8_t *buf, size_t cap, uint32_t max_payload) {
    if (!f) return DX_ERR_INVAL;
    DX_MEMSET(f, 0, sizeof *f);
    if (!buf || cap < DX_HBTP_HEADER_SIZE) return f->error = DX_ERR_INVAL;
    max_payload = DXI_DEF(max_payload, cap - DX_HBTP_HEADER_SIZE > 0xffffffffu ? 0xffffffffu
                                                                                  : (uint32_t)(cap - DX_HBTP_HEADER_SIZE));
    if (max_payload > cap - DX_HBTP_HEADER_SIZE) return f->error = DX_ERR_INVAL;
    f->buf = buf;
    f->cap = cap;
    f->max_payload = max_payload;
    return DX_OK;
}

DX_HBTP_API dx_result dx_hbtp_framer_feed(dx_hbtp_framer *f, const uint8_t *data, size_t len) {
    if (!f || (!data && len)) return DX_ERR_INVAL;
    if (f->in_len) return DX_ERR_MISUSE; /* call next() until it wants more bytes */
    f->in = data;
    f->in_len = len;
    return f->error;
}

/* Forgets the rest of the current piece (the caller will feed it again
   later) and says how many bytes of it were left. */
DX_HBTP_API size_t dx_hbtp_framer_drop_input(dx_hbtp_framer *f) {
    size_t left = f->in_len;
    f->in_len = 0;
    return left;
}

DXI_PRIVATE size_t dxi_hbtp_take(dx_hbtp_framer *f, size_t want) {
    size_t n = want < f->in_len ? want : f->in_len;
    DX_MEMCPY(f->buf + f->have, f->in, n);
    f->have += n;
    f->in += n;
    f->in_len -= n;
    f->bytes_copied += n;
    return n;
}

/* The zero-copy path: a whole, valid frame at the front of the piece. */
DX_INLINE bool dxi_hbtp_take_whole(dx_hbtp_framer *f, dx_hbtp_frame *out) {
    if (f->have != 0 || f->in_len < DX_HBTP_HEADER_SIZE || dxi_hbtp_decode(f->in, f->max_payload, out) != DX_OK ||
        out->length > f->in_len - DX_HBTP_HEADER_SIZE)
        return false;
    out->payload = f->in + DX_HBTP_HEADER_SIZE;
    f->in += DX_HBTP_HEADER_SIZE + out->length;
    f->in_len -= DX_HBTP_HEADER_SIZE + out->length;
    f->frames++;
    return true;
}

DX_HBTP_API dx_result dx_hbtp_framer_next(dx_hbtp_framer *f, dx_hbtp_frame *out) {
    dx_result err;
    if (!f || !out) return DX_ERR_INVAL;
    if (f->error != DX_OK) return f->error;
    if (dxi_hbtp_take_whole(f, out)) return DX_OK;
    if (f->have == 0 && f->in_len >= DX_HBTP_HEADER_SIZE) { /* a bad header is refused before buffering */
        err = dxi_hbtp_decode(f->in, f->max_payload, out);
        if (err != DX_OK) return f->error = err;
    }
    if (f->in_len == 0) return DX_ERR_TRUNCATED;
    /* assemble: the header first, checked before any of the body is buffered */
    if (f->have < DX_HBTP_HEADER_SIZE && dxi_hbtp_take(f, DX_HBTP_HEADER_SIZE - f->have) == 0) return DX_ERR_TRUNCATED;
    if (f->have < DX_HBTP_HEADER_SIZE) return DX_ERR_TRUNCATED;
    err = dx_hbtp_decode_header(f->buf, f->max_payload, out);
    if (err != DX_OK) return f->error = err;
    dxi_hbtp_take(f, DX_HBTP_HEADER_SIZE + out->length - f->have);
    if (f->have < DX_HBTP_HEADER_SIZE + out->length) return DX_ERR_TRUNCATED;
    out->payload = f->buf + DX_HBTP_HEADER_SIZE;
    f->have = 0; /* the bytes stay valid until the next call */
    f->frames++;
    return DX_OK;
}

/* ---- response buffer ---- */

/* Payloads of up to 64 bytes (PING, PONG, errors, small RPC bodies) are
   copied with fixed-size copies the compiler inlines (two overlapping ones);
   a call to memcpy costs more. */
DX_INLINE void dxi_hbtp_copy(uint8_t *d, const void *src, size_t n) {
    const uint8_t *s = (const uint8_t *)src;
    if (n > 64) {
        DX_MEMCPY(d, s, n);
    } else if (n > 32) {
        DX_MEMCPY(d, s, 32);
        DX_MEMCPY(d + n - 32, s + n - 32, 32);
    } else if (n > 16) {
        DX_MEMCPY(d, s, 16);
        DX_MEMCPY(d + n - 16, s + n - 16, 16);
    } else if (n >= 8) {
        DX_MEMCPY(d, s, 8);
        DX_MEMCPY(d + n - 8, s + n - 8, 8);
    } else if (n >= 4) {
        DX_MEMCPY(d, s, 4);
        DX_MEMCPY(d + n - 4, s + n - 4, 4);
    } else {
        size_t i;
        for (i = 0; i < n; i++) d[i] = s[i];
    }
}

DX_HBTP_API void dx_hbtp_resp_init(dx_hbtp_resp *r, uint8_t *buf, size_t cap) {
    DX_MEMSET(r, 0, sizeof *r);
    r->buf = buf;
    r->cap = buf ? cap : 0;
}

DX_HBTP_API void dx_hbtp_resp_reset(dx_hbtp_resp *r) {
    r->len = r->sent = 0;
    r->error = DX_OK;
}

DX_HBTP_API uint8_t *dx_hbtp_resp_begin(dx_hbtp_resp *r, uint8_t opcode, uint8_t flags, uint16_t stream, size_t max_len) {
    if (r->error != DX_OK) return NULL;
    if (r->sent == r->len) r->sent = r->len = 0; /* everything was sent: start over at the front */
    if (r->cap - r->len < DX_HBTP_HEADER_SIZE || max_len > r->cap - r->len - DX_HBTP_HEADER_SIZE ||
        max_len > 0xffffffffu) {
        r->error = DX_ERR_NOSPACE;
        return NULL;
    }
    r->frame_at = r->len;
    dx_hbtp_encode_header(r->buf + r->len, opcode, flags, stream, 0);
    return r->buf + r->len + DX_HBTP_HEADER_SIZE;
}

DX_HBTP_API dx_result dx_hbtp_resp_end(dx_hbtp_resp *r, size_t len) {
    if (r->error != DX_OK) return r->error;
    if (len > r->cap - r->frame_at - DX_HBTP_HEADER_SIZE) return r->error = DX_ERR_MISUSE;
    dx_store_u32le(r->buf + r->frame_at + DX_HBTP_HEADER_OFF_LENGTH, (uint32_t)len);
    r->len = r->frame_at + DX_HBTP_HEADER_SIZE + len;
    return DX_OK;
}

DX_HBTP_API dx_result dx_hbtp_resp_frame(dx_hbtp_resp *r, uint8_t opcode, uint8_t flags, uint16_t stream,
                                         const void *payload, size_t len) {
    uint8_t *p = dx_hbtp_resp_begin(r, opcode, flags, stream, len);
    if (!p) return r->error;
    dxi_hbtp_copy(p, payload, len);
    return dx_hbtp_resp_end(r, len);
}

DX_HBTP_API dx_result dx_hbtp_resp_pong(dx_hbtp_resp *r, uint16_t stream, const void *payload, size_t len) {
    return dx_hbtp_resp_frame(r, DX_HBTP_OP_PONG, 0, stream, payload, len);
}

/* RPC, RPC_RESPONSE, ERROR and GOAWAY payloads are a 4-byte fixed part,
   then bytes: the fixed part is written as one u32 (ERROR: code | 0 << 16;
   GOAWAY: last stream | code << 16), the bytes at its end. */
DX_STATIC_ASSERT(DX_HBTP_RPC_SIZE == 4 && DX_HBTP_ERROR_SIZE == 4 && DX_HBTP_GOAWAY_SIZE == 4, hbtp_prefix_size);
DX_STATIC_ASSERT(DX_HBTP_ERROR_OFF_CODE == 0 && DX_HBTP_ERROR_OFF_RESERVED == 2, hbtp_error_prefix);
DX_STATIC_ASSERT(DX_HBTP_GOAWAY_OFF_LAST_STREAM == 0 && DX_HBTP_GOAWAY_OFF_CODE == 2, hbtp_goaway_prefix);
/* dx_hbtp_resp_begin + _end in one (every RPC answer comes this way): one room check. None of
   these frames has flags (six arguments: all in registers). */
DXI_PRIVATE dx_result dxi_hbtp_resp_prefixed(dx_hbtp_resp *r, uint8_t opcode, uint16_t stream, uint32_t prefix,
                                             const void *data, size_t len) {
    const size_t fixed = DX_HBTP_HEADER_SIZE + DX_HBTP_RPC_SIZE;
    size_t at;
    uint8_t *p;
    if (r->error != DX_OK) return r->error;
    if (r->sent == r->len) r->sent = r->len = 0; /* everything was sent: start over at the front */
    at = r->len;
    if (r->cap - at < fixed || len > r->cap - at - fixed || len > 0xffffffffu - DX_HBTP_RPC_SIZE)
        return r->error = DX_ERR_NOSPACE;
    p = r->buf + at;
    r->frame_at = at;
    r->len = at + fixed + len; /* before the copy: nothing is live across a memcpy call (no registers saved) */
    dx_hbtp_encode_header(p, opcode, 0, stream, (uint32_t)(len + DX_HBTP_RPC_SIZE));
    dx_store_u32le(p + DX_HBTP_HEADER_SIZE + DX_HBTP_RPC_OFF_METHOD, prefix);
    dxi_hbtp_copy(p + fixed, data, len);
    return DX_OK;
}

DX_HBTP_API dx_result dx_hbtp_resp_rpc(dx_hbtp_resp *r, uint16_t stream, uint32_t method, const void *body, size_t len) {
    return dxi_hbtp_resp_prefixed(r, DX_HBTP_OP_RPC_RESPONSE, stream, method, body, len);
}

DXI_PRIVATE size_t dxi_hbtp_strlen(const char *s) {
    size_t n = 0;
    while (s && s[n]) n++;
    return n;
}

DX_HBTP_API dx_result dx_hbtp_resp_error(dx_hbtp_resp *r, uint16_t stream, uint16_t code, const char *message) {
    return dxi_hbtp_resp_prefixed(r, DX_HBTP_OP_ERROR, stream, code, message, dxi_hbtp_strlen(message));
}

DX_HBTP_API dx_result dx_hbtp_resp_chunk(dx_hbtp_resp *r, uint16_t stream, const void *data, size_t len, bool last) {
    return dx_hbtp_resp_frame(r, last ? DX_HBTP_OP_STREAM_END : DX_HBTP_OP_STREAM_DATA,
                              last ? DX_HBTP_FLAG_END_STREAM : 0, stream, data, len);
}

DX_HBTP_API dx_result dx_hbtp_resp_not_modified(dx_hbtp_resp *r, uint16_t stream, const void *tag, size_t len) {
    return dx_hbtp_resp_frame(r, DX_HBTP_OP_NOT_MODIFIED, 0, stream, tag, len);
}

DX_HBTP_API dx_result dx_hbtp_resp_goaway(dx_hbtp_resp *r, uint16_t last_stream, uint16_t code, const char *message) {
    return dxi_hbtp_resp_prefixed(r, DX_HBTP_OP_GOAWAY, 0, (uint32_t)last_stream | ((uint32_t)code << 16), message,
                                  dxi_hbtp_strlen(message));
}

DX_HBTP_API const uint8_t *dx_hbtp_resp_data(const dx_hbtp_resp *r, size_t *out_len) {
    *out_len = r->len - r->sent;
    return r->buf + r->sent;
}

DX_HBTP_API void dx_hbtp_resp_consume(dx_hbtp_resp *r, size_t n) {
    r->sent += n < r->len - r->sent ? n : r->len - r->sent;
    if (r->sent == r->len) r->sent = r->len = 0;
}

/* ---- router ---- */

DX_HBTP_API dx_result dx_hbtp_router_init(dx_hbtp_router *rt, dx_hbtp_route *methods, uint32_t method_count) {
    if (!rt || (!methods && method_count)) return DX_ERR_INVAL;
    DX_MEMSET(rt, 0, sizeof *rt);
    rt->methods = methods;
    rt->method_count = method_count;
    if (method_count) DX_MEMSET(methods, 0, sizeof(dx_hbtp_route) * method_count);
    return DX_OK;
}

DX_HBTP_API dx_result dx_hbtp_router_method(dx_hbtp_router *rt, uint32_t method, dx_hbtp_handler fn, void *user) {
    if (!rt || method >= rt->method_count) return DX_ERR_INVAL;
    rt->methods[method].fn = fn;
    rt->methods[method].user = user;
    return DX_OK;
}

DX_HBTP_API dx_result dx_hbtp_router_opcode(dx_hbtp_router *rt, uint8_t opcode, dx_hbtp_handler fn, void *user) {
    /* protocol opcodes belong to the connection, except the stream frames */
    if (!rt || (opcode < DX_HBTP_OP_APP_FIRST && opcode != DX_HBTP_OP_STREAM_DATA && opcode != DX_HBTP_OP_STREAM_END))
        return DX_ERR_INVAL;
    rt->opcodes[opcode].fn = fn;
    rt->opcodes[opcode].user = user;
    return DX_OK;
}

DX_HBTP_API void dx_hbtp_router_fallback(dx_hbtp_router *rt, dx_hbtp_handler fn, void *user) {
    rt->fallback.fn = fn;
    rt->fallback.user = user;
}

DX_HBTP_API dx_result dx_hbtp_reply(dx_hbtp_request *req, const void *body, size_t len) {
    dx_result err = dx_hbtp_resp_rpc(req->resp, req->frame->stream, req->method, body, len);
    if (err == DX_OK) req->reply_at = req->resp->frame_at;
    return err;
}

DX_HBTP_API dx_result dx_hbtp_reply_error(dx_hbtp_request *req, uint16_t code, const char *message) {
    dx_result err = dx_hbtp_resp_error(req->resp, req->frame->stream, code, message);
    if (err == DX_OK) req->reply_at = req->resp->frame_at;
    return err;
}

/* O(1): one table index by opcode, one by method id. */
DX_INLINE dx_result dxi_hbtp_dispatch(const dx_hbtp_router *rt, dx_hbtp_request *req) {
    const dx_hbtp_route *route;
    if (req->frame->opcode == DX_HBTP_OP_RPC) {
        route = req->method < rt->method_count ? &rt->methods[req->method] : &rt->fallback;
        if (!route->fn) route = &rt->fallback;
        if (!route->fn) return dx_hbtp_reply_error(req, DX_HBTP_CODE_UNKNOWN_METHOD, "unknown method");
    } else {
        route = &rt->opcodes[req->frame->opcode];
        if (!route->fn && req->frame->opcode == DX_HBTP_OP_STREAM_DATA && !(req->frame->flags & DX_HBTP_FLAG_END_STREAM))
            return DX_OK; /* a piece of an upload nobody takes: only its end is answered (once) */
        if (!route->fn) return dx_hbtp_reply_error(req, DX_HBTP_CODE_UNKNOWN_OPCODE, "unknown opcode");
    }
    return route->fn(req, route->user);
}

DX_HBTP_API dx_result dx_hbtp_router_dispatch(const dx_hbtp_router *rt, dx_hbtp_request *req) {
    return dxi_hbtp_dispatch(rt, req);
}

/* ---- connection ---- */

#define DXI_HBTP_NO_REPLY ((size_t)-1)

DXI_PRIVATE size_t dxi_hbtp_align8(size_t v) { return (v + 7) & ~(size_t)7; }

DXI_PRIVATE void dxi_hbtp_limits(const dx_hbtp_conn_config *cfg, uint32_t *max_payload, uint16_t *max_inflight,
                                 size_t *out_cap) {
    *max_payload = DXI_DEF(cfg->max_payload, (uint32_t)DX_HBTP_DEFAULT_MAX_PAYLOAD);
    *max_inflight = DXI_DEF(cfg->max_inflight, (uint16_t)DX_HBTP_DEFAULT_MAX_INFLIGHT);
    *out_cap = DXI_DEF(cfg->out_capacity, 2 * ((size_t)*max_payload + DX_HBTP_HEADER_SIZE) + 4096);
}

DX_HBTP_API size_t dx_hbtp_conn_memory_size(const dx_hbtp_conn_config *cfg) {
    uint32_t max_payload;
    uint16_t max_inflight;
    size_t out_cap;
    if (!cfg) return 0;
    dxi_hbtp_limits(cfg, &max_payload, &max_inflight, &out_cap);
    if (max_payload < DX_HBTP_MIN_PAYLOAD) return 0; /* room for every ERROR the library writes */
    if (sizeof(size_t) < 8 && (max_payload > 0x1fffffffu || out_cap > 0x3fffffffu)) return 0; /* 32-bit hosts */
    return dxi_hbtp_align8(DX_HBTP_HEADER_SIZE + (size_t)max_payload) + dxi_hbtp_align8(out_cap) +
           (size_t)max_inflight * sizeof(dx_hbtp_inflight);
}

DX_HBTP_API dx_result dx_hbtp_conn_init(dx_hbtp_conn *c, const dx_hbtp_conn_config *cfg, void *mem, size_t mem_size) {
    uint32_t max_payload;
    uint16_t max_inflight;
    size_t out_cap, need, frame_cap;
    uint8_t *m = (uint8_t *)mem;
    if (!c || !cfg) return DX_ERR_INVAL;
    DX_MEMSET(c, 0, sizeof *c);
    need = dx_hbtp_conn_memory_size(cfg);
    if (need == 0 || cfg->middleware_count > DX_HBTP_MAX_MIDDLEWARE ||
        (cfg->role != DX_HBTP_ROLE_SERVER && cfg->role != DX_HBTP_ROLE_CLIENT))
        return DX_ERR_INVAL;
    if (!mem || mem_size < need) return DX_ERR_NOSPACE;
    dxi_hbtp_limits(cfg, &max_payload, &max_inflight, &out_cap);
    if (out_cap < 2 * DX_HBTP_HEADER_SIZE + DX_HBTP_HELLO_SIZE + cfg->token_len) return DX_ERR_INVAL;
    c->cfg = *cfg;
    frame_cap = dxi_hbtp_align8(DX_HBTP_HEADER_SIZE + (size_t)max_payload);
    dx_hbtp_framer_init(&c->framer, m, DX_HBTP_HEADER_SIZE + (size_t)max_payload, max_payload);
    dx_hbtp_resp_init(&c->out, m + frame_cap, out_cap);
    c->inflight = (dx_hbtp_inflight *)(void *)(m + frame_cap + dxi_hbtp_align8(out_cap));
    c->max_payload = max_payload;
    c->max_inflight = max_inflight;
    c->next_stream = 1;
    c->memory = mem;
    c->memory_size = mem_size;
    c->state = DX_HBTP_STATE_HANDSHAKE;
    return DX_OK;
}

DXI_PRIVATE void *dxi_hbtp_alloc(const dx_allocator *a, size_t size) {
    if (a->alloc) return a->alloc(size, a->user);
#if defined(DX_NO_MALLOC)
    (void)size;
    return NULL;
#else
    return DX_MALLOC(size, a->user);
#endif
}

DX_HBTP_API dx_result dx_hbtp_conn_create(dx_hbtp_conn *c, const dx_hbtp_conn_config *cfg) {
    size_t size = dx_hbtp_conn_memory_size(cfg);
    void *mem;
    dx_result err;
    if (!c || size == 0 || (!cfg->allocator.alloc != !cfg->allocator.free)) return DX_ERR_INVAL;
    mem = dxi_hbtp_alloc(&cfg->allocator, size);
    if (!mem) return DX_ERR_NOMEM;
    err = dx_hbtp_conn_init(c, cfg, mem, size);
    c->owns_memory = err == DX_OK;
    if (err != DX_OK) {
        if (cfg->allocator.free) cfg->allocator.free(mem, size, cfg->allocator.user);
#if !defined(DX_NO_MALLOC)
        else DX_FREE(mem, size, cfg->allocator.user);
#endif
    }
    return err;
}

DX_HBTP_API void dx_hbtp_conn_destroy(dx_hbtp_conn *c) {
    if (!c) return;
    if (c->owns_memory) {
        const dx_allocator *a = &c->cfg.allocator;
        if (a->free) a->free(c->memory, c->memory_size, a->user);
#if !defined(DX_NO_MALLOC)
        else DX_FREE(c->memory, c->memory_size, a->user);
#endif
    }
    DX_MEMSET(c, 0, sizeof *c);
}

DX_HBTP_API const uint8_t *dx_hbtp_conn_output(const dx_hbtp_conn *c, size_t *out_len) {
    return dx_hbtp_resp_data(&c->out, out_len);
}

/* Bytes the transport has sent; on a server this retires the replies they
   contained from the in-flight count. */
DX_HBTP_API void dx_hbtp_conn_consume(dx_hbtp_conn *c, size_t n) {
    size_t unsent = c->out.len - c->out.sent;
    if (n > unsent) n = unsent;
    c->sent_total += n;
    if (n == unsent) { /* all sent: start over at the front (as dx_hbtp_resp_consume); every reply went with it */
        c->out.sent = c->out.len = 0;
        if (c->cfg.role == DX_HBTP_ROLE_SERVER) c->inflight_count = c->inflight_head = 0;
        return;
    }
    c->out.sent += n;
    if (c->cfg.role != DX_HBTP_ROLE_SERVER) return;
    {
        uint32_t head = c->inflight_head, count = c->inflight_count; /* no division on this path */
        while (count && c->inflight[head].end <= c->sent_total) {
            if (++head == c->max_inflight) head = 0;
            count--;
        }
        c->inflight_head = head;
        c->inflight_count = count;
    }
}

/* A fatal protocol error: tell the peer why (ERROR, then GOAWAY with the same
   code) and close. The ERROR goes on stream 0 unless it refuses a request. */
DXI_PRIVATE dx_result dxi_hbtp_fail(dx_hbtp_conn *c, dx_result err, uint16_t stream, uint16_t code, const char *msg) {
    if (c->protocol_errors == 0) { /* c->error may already say REFUSED */
        dx_hbtp_resp_error(&c->out, stream, code, msg);
        dx_hbtp_resp_goaway(&c->out, c->last_stream, code, msg);
        c->out.error = DX_OK; /* a full buffer only loses the explanation */
        c->error = err;
        c->protocol_errors++;
    }
    c->state = DX_HBTP_STATE_CLOSING;
    return err;
}

DXI_PRIVATE uint16_t dxi_hbtp_code_for(dx_result err) {
    switch (err) {
    case DX_HBTP_ERR_TOO_LARGE: return DX_HBTP_CODE_TOO_LARGE;
    case DX_HBTP_ERR_OPCODE: return DX_HBTP_CODE_UNKNOWN_OPCODE;
    case DX_HBTP_ERR_VERSION: return DX_HBTP_CODE_VERSION;
    case DX_HBTP_ERR_INFLIGHT: return DX_HBTP_CODE_TOO_MANY_INFLIGHT;
    default: return DX_HBTP_CODE_PROTOCOL;
    }
}

DXI_PRIVATE dx_result dxi_hbtp_write_hello(dx_hbtp_conn *c, uint8_t flags, uint64_t caps, uint32_t max_payload,
                                           uint16_t max_inflight, const uint8_t *token, uint32_t token_len) {
    uint8_t *p = dx_hbtp_resp_begin(&c->out, DX_HBTP_OP_HELLO, flags, 0, DX_HBTP_HELLO_SIZE + (size_t)token_len);
    if (!p) return c->out.error;
    DX_MEMCPY(p + DX_HBTP_HELLO_OFF_MAGIC, "HBTP", 4);
    p[DX_HBTP_HELLO_OFF_MAJOR] = DX_HBTP_PROTOCOL_MAJOR;
    p[DX_HBTP_HELLO_OFF_MINOR] = DX_HBTP_PROTOCOL_MINOR;
    dx_store_u16le(p + DX_HBTP_HELLO_OFF_TOKEN_LEN, (uint16_t)token_len);
    dx_store_u64le(p + DX_HBTP_HELLO_OFF_CAPABILITIES, caps);
    dx_store_u32le(p + DX_HBTP_HELLO_OFF_MAX_PAYLOAD, max_payload);
    dx_store_u16le(p + DX_HBTP_HELLO_OFF_MAX_INFLIGHT, max_inflight);
    dx_store_u16le(p + DX_HBTP_HELLO_OFF_RESERVED, 0);
    if (token_len) DX_MEMCPY(p + DX_HBTP_HELLO_OFF_TOKEN, token, token_len);
    return dx_hbtp_resp_end(&c->out, DX_HBTP_HELLO_SIZE + (size_t)token_len);
}

/* Checks a HELLO payload and adopts the smaller limits (0 = no preference)
   and the common capabilities. */
DXI_PRIVATE dx_result dxi_hbtp_read_hello(dx_hbtp_conn *c, const dx_hbtp_frame *f) {
    const uint8_t *p = f->payload;
    uint32_t peer_payload;
    uint16_t peer_inflight;
    if (f->stream != 0 || f->length < DX_HBTP_HELLO_SIZE || DX_MEMCMP(p + DX_HBTP_HELLO_OFF_MAGIC, "HBTP", 4) != 0 ||
        f->length != DX_HBTP_HELLO_SIZE + (uint32_t)dx_load_u16le(p + DX_HBTP_HELLO_OFF_TOKEN_LEN))
        return DX_HBTP_ERR_PROTOCOL;
    if (p[DX_HBTP_HELLO_OFF_MAJOR] != DX_HBTP_PROTOCOL_MAJOR) return DX_HBTP_ERR_VERSION;
    peer_payload = dx_load_u32le(p + DX_HBTP_HELLO_OFF_MAX_PAYLOAD);
    peer_inflight = dx_load_u16le(p + DX_HBTP_HELLO_OFF_MAX_INFLIGHT);
    if (dx_load_u16le(p + DX_HBTP_HELLO_OFF_RESERVED) != 0 || (peer_payload && peer_payload < DX_HBTP_MIN_PAYLOAD))
        return DX_HBTP_ERR_PROTOCOL;
    if (peer_payload && peer_payload < c->max_payload) c->max_payload = peer_payload;
    if (peer_inflight && peer_inflight < c->max_inflight) c->max_inflight = peer_inflight;
    c->capabilities = c->cfg.capabilities & dx_load_u64le(p + DX_HBTP_HELLO_OFF_CAPABILITIES);
    c->framer.max_payload = c->max_payload; /* from now on the peer is held to the negotiated limit */
    return DX_OK;
}

/* The fixed parts of ERROR, GOAWAY and RPC_RESPONSE payloads; reserved
   fields must be 0 (so that a later version may give them a meaning). */
DX_INLINE bool dxi_hbtp_payload_ok(const dx_hbtp_frame *f) {
    switch (f->opcode) {
    case DX_HBTP_OP_ERROR:
        return f->length >= DX_HBTP_ERROR_SIZE && dx_load_u16le(f->payload + DX_HBTP_ERROR_OFF_RESERVED) == 0;
    case DX_HBTP_OP_GOAWAY: return (f->flags & DX_HBTP_FLAG_ACK) ? f->length == 0 : f->length >= DX_HBTP_GOAWAY_SIZE;
    case DX_HBTP_OP_RPC_RESPONSE: return f->length >= DX_HBTP_RPC_SIZE;
    default: return true;
    }
}

DXI_PRIVATE dx_result dxi_hbtp_server_hello(dx_hbtp_conn *c, const dx_hbtp_frame *f) {
    dx_result err;
    uint32_t i;
    if (f->opcode != DX_HBTP_OP_HELLO || (f->flags & DX_HBTP_FLAG_ACK) || f->stream != 0)
        return dxi_hbtp_fail(c, DX_HBTP_ERR_PROTOCOL, 0, DX_HBTP_CODE_PROTOCOL, "expected HELLO");
    err = dxi_hbtp_read_hello(c, f);
    if (err == DX_HBTP_ERR_VERSION)
        return dxi_hbtp_fail(c, err, 0, DX_HBTP_CODE_VERSION, "unsupported protocol version");
    if (err != DX_OK) return dxi_hbtp_fail(c, err, 0, DX_HBTP_CODE_PROTOCOL, "malformed HELLO");
    for (i = 0; i < c->cfg.middleware_count; i++) {
        const dx_hbtp_middleware *m = &c->cfg.middleware[i];
        if (m->on_hello && m->on_hello(c, f->payload + DX_HBTP_HELLO_OFF_TOKEN, f->length - DX_HBTP_HELLO_SIZE, m->state) != DX_OK)
            return dxi_hbtp_fail(c, DX_HBTP_ERR_REFUSED, 0, DX_HBTP_CODE_UNAUTHORIZED, "unauthorized");
    }
    err = dxi_hbtp_write_hello(c, DX_HBTP_FLAG_ACK, c->capabilities, c->max_payload, c->max_inflight, NULL, 0);
    if (err != DX_OK) return dxi_hbtp_fail(c, err, 0, DX_HBTP_CODE_INTERNAL, "no room for HELLO");
    c->state = DX_HBTP_STATE_OPEN;
    return DX_OK;
}

/* Every request frame is answered but a STREAM_DATA piece that does not end its stream. */
DX_INLINE bool dxi_hbtp_wants_answer(const dx_hbtp_frame *f) {
    return f->opcode != DX_HBTP_OP_STREAM_DATA || (f->flags & DX_HBTP_FLAG_END_STREAM);
}

/* Runs one request through the middleware and the router; a reply that
   does not fit in the output buffer, or exceeds the negotiated max_payload,
   becomes an ERROR. */
DXI_PRIVATE void dxi_hbtp_serve(dx_hbtp_conn *c, const dx_hbtp_frame *f) {
    dx_hbtp_request req;
    dx_result result = DX_OK;
    uint32_t ran = 0, i;
    size_t mark, scan;
    if (c->out.sent == c->out.len) c->out.sent = c->out.len = 0;
    mark = c->out.len;
    req.conn = c; /* every field is set here: no memset */
    req.frame = f;
    req.resp = &c->out;
    req.reply_at = DXI_HBTP_NO_REPLY;
    req.start_ns = req.elapsed_ns = 0;
    if (f->opcode == DX_HBTP_OP_RPC) {
        req.method = dx_load_u32le(f->payload + DX_HBTP_RPC_OFF_METHOD);
        req.body = f->payload + DX_HBTP_RPC_OFF_BODY;
        req.body_len = f->length - DX_HBTP_RPC_SIZE;
    } else {
        req.method = 0;
        req.body = f->payload;
        req.body_len = f->length;
    }
    for (; ran < c->cfg.middleware_count; ran++) {
        const dx_hbtp_middleware *m = &c->cfg.middleware[ran];
        if (m->before && (result = m->before(&req, m->state)) != DX_OK) break;
    }
    if (result == DX_OK) {
        if (c->cfg.router) result = dxi_hbtp_dispatch(c->cfg.router, &req);
        else result = dx_hbtp_reply_error(&req, DX_HBTP_CODE_UNKNOWN_METHOD, "no router");
    }
    /* a frame above the limit: the peer would refuse it (none where all the reply's bytes would fit in one) */
    if (c->out.len - mark > (size_t)c->max_payload + DX_HBTP_HEADER_SIZE) {
        for (scan = mark; c->out.error == DX_OK && scan < c->out.len;) {
            uint32_t len = dx_load_u32le(c->out.buf + scan + DX_HBTP_HEADER_OFF_LENGTH);
            if (len > c->max_payload) c->out.error = DX_HBTP_ERR_TOO_LARGE;
            scan += DX_HBTP_HEADER_SIZE + (size_t)len;
        }
    }
    if (c->out.error != DX_OK) { /* roll the partial reply back */
        result = c->out.error;
        c->out.error = DX_OK;
        c->out.len = mark;
        req.reply_at = DXI_HBTP_NO_REPLY;
    }
    if (req.reply_at == DXI_HBTP_NO_REPLY) {
        if (c->out.len > mark) req.reply_at = mark; /* frames the handler wrote */
        else if (result != DX_OK) dx_hbtp_reply_error(&req, DX_HBTP_CODE_INTERNAL, dx_hbtp_result_name(result));
        else if (dxi_hbtp_wants_answer(f)) dx_hbtp_reply(&req, NULL, 0); /* the client waits for an answer */
    }
    for (i = ran; i-- > 0;) {
        const dx_hbtp_middleware *m = &c->cfg.middleware[i];
        if (m->after) m->after(&req, result, m->state);
    }
    if (req.reply_at != DXI_HBTP_NO_REPLY) {
        uint32_t at = c->inflight_head + c->inflight_count;
        if (at >= c->max_inflight) at -= c->max_inflight;
        c->inflight[at].stream = f->stream;
        c->inflight[at].end = c->sent_total + (c->out.len - c->out.sent);
        c->inflight_count++;
    }
    c->requests++;
}

DXI_PRIVATE dx_result dxi_hbtp_server_frame(dx_hbtp_conn *c, const dx_hbtp_frame *f) {
    if (c->state == DX_HBTP_STATE_HANDSHAKE) return dxi_hbtp_server_hello(c, f);
    if (f->opcode != DX_HBTP_OP_RPC) { /* the common frame skips both tests: it is a request, with no payload check */
        if (!dxi_hbtp_payload_ok(f)) return dxi_hbtp_fail(c, DX_HBTP_ERR_PROTOCOL, 0, DX_HBTP_CODE_PROTOCOL, "malformed frame");
        switch (f->opcode) {
        case DX_HBTP_OP_PING:
            dx_hbtp_resp_pong(&c->out, f->stream, f->payload, f->length);
            return DX_OK;
        case DX_HBTP_OP_GOAWAY:
            if (!(f->flags & DX_HBTP_FLAG_ACK)) dx_hbtp_resp_frame(&c->out, DX_HBTP_OP_GOAWAY, DX_HBTP_FLAG_ACK, 0, NULL, 0);
            c->state = DX_HBTP_STATE_CLOSING;
            return DX_OK;
        case DX_HBTP_OP_ERROR:
        case DX_HBTP_OP_PONG:
            return DX_OK; /* the client's word; nothing to answer */
        case DX_HBTP_OP_HELLO:
        case DX_HBTP_OP_RPC_RESPONSE:
        case DX_HBTP_OP_NOT_MODIFIED:
            return dxi_hbtp_fail(c, DX_HBTP_ERR_PROTOCOL, 0, DX_HBTP_CODE_PROTOCOL, "unexpected frame");
        default:
            break;
        }
    }
    /* requests: RPC, stream frames and application opcodes */
    if (f->stream == 0) return dxi_hbtp_fail(c, DX_HBTP_ERR_PROTOCOL, 0, DX_HBTP_CODE_PROTOCOL, "request on stream 0");
    if (c->inflight_count >= c->max_inflight)
        return dxi_hbtp_fail(c, DX_HBTP_ERR_INFLIGHT, f->stream, DX_HBTP_CODE_TOO_MANY_INFLIGHT, "too many requests in flight");
    c->last_stream = f->stream;
    if (c->state == DX_HBTP_STATE_CLOSING) {
        dx_hbtp_resp_error(&c->out, f->stream, DX_HBTP_CODE_PROTOCOL, "going away");
    } else if (f->opcode == DX_HBTP_OP_RPC && f->length < DX_HBTP_RPC_SIZE) {
        dx_hbtp_resp_error(&c->out, f->stream, DX_HBTP_CODE_BAD_REQUEST, "RPC without a method id");
    } else {
        dxi_hbtp_serve(c, f);
    }
    return DX_OK;
}

DXI_PRIVATE int32_t dxi_hbtp_find_stream(const dx_hbtp_conn *c, uint16_t stream) {
    uint32_t i;
    for (i = 0; i < c->inflight_count; i++)
        if (c->inflight[i].stream == stream) return (int32_t)i;
    return -1;
}

/* The client's side: before HELLO|ACK only HELLO|ACK, ERROR (stream 0) and
   GOAWAY may come; then answers on the streams in flight, PONGs, PINGs
   (answered) and frames on stream 0 for the application. */
DXI_PRIVATE dx_result dxi_hbtp_client_frame(dx_hbtp_conn *c, dx_hbtp_frame *f) {
    int32_t at;
    bool final;
    if (c->state == DX_HBTP_STATE_HANDSHAKE && f->opcode != DX_HBTP_OP_HELLO && f->opcode != DX_HBTP_OP_GOAWAY &&
        (f->opcode != DX_HBTP_OP_ERROR || f->stream != 0))
        return dxi_hbtp_fail(c, DX_HBTP_ERR_PROTOCOL, 0, DX_HBTP_CODE_PROTOCOL, "expected HELLO");
    if (f->flags & DX_HBTP_FLAG_TIMING) { /* the server's time trailer */
        if (f->length < DX_HBTP_TIMING_SIZE) return dxi_hbtp_fail(c, DX_HBTP_ERR_PROTOCOL, 0, DX_HBTP_CODE_PROTOCOL, "malformed frame");
        f->length -= DX_HBTP_TIMING_SIZE;
        c->last_server_us = dx_load_u32le(f->payload + f->length);
    }
    if (!dxi_hbtp_payload_ok(f)) return dxi_hbtp_fail(c, DX_HBTP_ERR_PROTOCOL, 0, DX_HBTP_CODE_PROTOCOL, "malformed frame");
    if (f->opcode == DX_HBTP_OP_HELLO) {
        dx_result err;
        if (c->state != DX_HBTP_STATE_HANDSHAKE || !(f->flags & DX_HBTP_FLAG_ACK))
            return dxi_hbtp_fail(c, DX_HBTP_ERR_PROTOCOL, 0, DX_HBTP_CODE_PROTOCOL, "unexpected HELLO");
        err = dxi_hbtp_read_hello(c, f);
        if (err != DX_OK) return dxi_hbtp_fail(c, err, 0, dxi_hbtp_code_for(err), "malformed HELLO");
        c->state = DX_HBTP_STATE_OPEN;
    } else if (f->opcode == DX_HBTP_OP_GOAWAY) {
        if (!(f->flags & DX_HBTP_FLAG_ACK)) dx_hbtp_resp_frame(&c->out, DX_HBTP_OP_GOAWAY, DX_HBTP_FLAG_ACK, 0, NULL, 0);
        c->state = DX_HBTP_STATE_CLOSING;
    } else if (f->opcode == DX_HBTP_OP_PING) {
        dx_hbtp_resp_pong(&c->out, f->stream, f->payload, f->length);
    } else if (f->opcode == DX_HBTP_OP_RPC) {
        return dxi_hbtp_fail(c, DX_HBTP_ERR_PROTOCOL, 0, DX_HBTP_CODE_PROTOCOL, "unexpected frame");
    } else if (f->stream != 0 && f->opcode != DX_HBTP_OP_PONG) {
        /* an answer: it must belong to a request in flight */
        at = dxi_hbtp_find_stream(c, f->stream);
        if (at < 0) return dxi_hbtp_fail(c, DX_HBTP_ERR_PROTOCOL, 0, DX_HBTP_CODE_PROTOCOL, "answer to no request");
        final = f->opcode != DX_HBTP_OP_STREAM_DATA || (f->flags & DX_HBTP_FLAG_END_STREAM);
        if (final && !(f->flags & DX_HBTP_FLAG_MORE)) c->inflight[at] = c->inflight[--c->inflight_count];
    } else if (f->opcode == DX_HBTP_OP_ERROR && c->state == DX_HBTP_STATE_HANDSHAKE) {
        c->error = DX_HBTP_ERR_REFUSED; /* the server said why; GOAWAY follows */
    }
    if (c->cfg.on_frame) c->cfg.on_frame(c, f, c->cfg.user);
    return DX_OK;
}

/* Processes every complete frame in data; returns the bytes consumed. A
   server stops early when its output fills half the output buffer (unsent
   bytes never move, so the room comes back only once all of them were sent):
   send, call dx_hbtp_conn_consume, then feed the rest. (A client never does:
   its answers write nothing, and holding them back while its requests wait
   for the server would deadlock both.) */
DX_HBTP_API int64_t dx_hbtp_conn_feed(dx_hbtp_conn *c, const uint8_t *data, size_t len) {
    dx_hbtp_frame f;
    dx_hbtp_framer *fr;
    dx_result err = DX_OK;
    size_t stop_at; /* a server stops once its output is longer: room for the reply at the end */
    bool server;
    if (!c || (!data && len)) return DX_ERR_INVAL;
    if (c->error != DX_OK && c->state == DX_HBTP_STATE_CLOSING && c->protocol_errors) return c->error;
    fr = &c->framer;
    server = c->cfg.role == DX_HBTP_ROLE_SERVER; /* the role and the capacity never change: read once */
    stop_at = server ? c->out.cap / 2 : (size_t)-1;
    dx_hbtp_framer_feed(fr, data, len);
    while (c->out.len <= stop_at) {
        if (fr->error == DX_OK && dxi_hbtp_take_whole(fr, &f)) { /* the framer's zero-copy path, inlined */
            err = DX_OK;
        } else if (fr->in_len == 0 && fr->error == DX_OK) {
            err = DX_ERR_TRUNCATED; /* the piece is used up */
        } else {
            err = dx_hbtp_framer_next(fr, &f);
        }
        if (err == DX_ERR_TRUNCATED) {
            err = DX_OK;
            break;
        }
        if (err != DX_OK) {
            err = dxi_hbtp_fail(c, err, 0, dxi_hbtp_code_for(err), "bad frame");
            break;
        }
        err = server ? dxi_hbtp_server_frame(c, &f) : dxi_hbtp_client_frame(c, &f);
        c->out.error = DX_OK; /* an answer with no room is lost alone; it does not block the next ones */
        if (err != DX_OK) break;
    }
    len -= dx_hbtp_framer_drop_input(fr);
    return err != DX_OK ? (int64_t)err : (int64_t)len;
}

/* ---- client requests ---- */

DX_HBTP_API dx_result dx_hbtp_conn_hello(dx_hbtp_conn *c) {
    if (!c) return DX_ERR_INVAL;
    if (c->cfg.role != DX_HBTP_ROLE_CLIENT || c->state != DX_HBTP_STATE_HANDSHAKE) return DX_ERR_MISUSE;
    return dxi_hbtp_write_hello(c, 0, c->cfg.capabilities, c->max_payload, c->max_inflight, c->cfg.token,
                                c->cfg.token_len);
}

DX_HBTP_API dx_result dx_hbtp_conn_ping(dx_hbtp_conn *c, const void *payload, size_t len) {
    dx_result err;
    if (!c) return DX_ERR_INVAL;
    if (len > c->max_payload) return DX_HBTP_ERR_TOO_LARGE;
    err = dx_hbtp_resp_frame(&c->out, DX_HBTP_OP_PING, 0, 0, payload, len);
    if (err != DX_OK) c->out.error = DX_OK; /* the caller may send and retry */
    return err;
}

/* A request on a new stream: RPC (with a method id) or an application frame. */
DXI_PRIVATE int32_t dxi_hbtp_request(dx_hbtp_conn *c, uint8_t opcode, uint8_t flags, bool rpc, uint32_t method,
                                     const void *body, size_t len) {
    uint16_t stream;
    dx_result err;
    size_t prefix = rpc ? DX_HBTP_RPC_SIZE : 0;
    if (!c || (!body && len)) return DX_ERR_INVAL;
    if (c->cfg.role != DX_HBTP_ROLE_CLIENT) return DX_ERR_MISUSE;
    if (c->state == DX_HBTP_STATE_CLOSING) return DX_HBTP_ERR_GOAWAY;
    if (c->inflight_count >= c->max_inflight) return DX_ERR_BUSY;
    if (len > c->max_payload - prefix) return DX_HBTP_ERR_TOO_LARGE; /* max_payload >= DX_HBTP_MIN_PAYLOAD */
    do { /* the next id that is neither 0 nor in use */
        stream = c->next_stream++;
    } while (stream == 0 || dxi_hbtp_find_stream(c, stream) >= 0);
    if (rpc) err = dxi_hbtp_resp_prefixed(&c->out, opcode, stream, method, body, len); /* no flags: dx_hbtp_conn_call */
    else err = dx_hbtp_resp_frame(&c->out, opcode, flags, stream, body, len);
    if (err != DX_OK) {
        c->out.error = DX_OK; /* the caller may send and retry */
        return err;
    }
    c->inflight[c->inflight_count].stream = stream;
    c->inflight[c->inflight_count++].end = 0;
    return stream;
}

DX_HBTP_API int32_t dx_hbtp_conn_call(dx_hbtp_conn *c, uint32_t method, const void *body, size_t len) {
    return dxi_hbtp_request(c, DX_HBTP_OP_RPC, 0, true, method, body, len);
}

DX_HBTP_API int32_t dx_hbtp_conn_send(dx_hbtp_conn *c, uint8_t opcode, uint8_t flags, const void *payload, size_t len) {
    if (opcode < DX_HBTP_OP_APP_FIRST) return DX_ERR_INVAL; /* protocol frames have their own calls */
    return dxi_hbtp_request(c, opcode, flags, false, 0, payload, len);
}

/* One piece of an upload: stream 0 opens a stream (as a request does), a
   stream in flight continues it. The answer to the last piece closes it. */
DX_HBTP_API int32_t dx_hbtp_conn_stream(dx_hbtp_conn *c, uint16_t stream, const void *data, size_t len, bool last) {
    uint8_t opcode = last ? DX_HBTP_OP_STREAM_END : DX_HBTP_OP_STREAM_DATA;
    uint8_t flags = last ? DX_HBTP_FLAG_END_STREAM : 0;
    dx_result err;
    if (stream == 0) return dxi_hbtp_request(c, opcode, flags, false, 0, data, len);
    if (!c || (!data && len)) return DX_ERR_INVAL;
    if (c->cfg.role != DX_HBTP_ROLE_CLIENT) return DX_ERR_MISUSE;
    if (dxi_hbtp_find_stream(c, stream) < 0) return DX_ERR_INVAL;
    if (len > c->max_payload) return DX_HBTP_ERR_TOO_LARGE;
    err = dx_hbtp_resp_frame(&c->out, opcode, flags, stream, data, len);
    if (err != DX_OK) {
        c->out.error = DX_OK; /* the caller may send and retry */
        return err;
    }
    return stream;
}

/* The message is cut to fit the negotiated max payload: the peer would refuse more. */
DX_HBTP_API dx_result dx_hbtp_conn_goaway(dx_hbtp_conn *c, uint16_t code, const char *message) {
    size_t len = dxi_hbtp_strlen(message);
    if (!c) return DX_ERR_INVAL;
    c->state = DX_HBTP_STATE_CLOSING;
    if (len > c->max_payload - DX_HBTP_GOAWAY_SIZE) len = c->max_payload - DX_HBTP_GOAWAY_SIZE;
    return dxi_hbtp_resp_prefixed(&c->out, DX_HBTP_OP_GOAWAY, 0, (uint32_t)c->last_stream | ((uint32_t)code << 16),
                                  message, len);
}

/* ---- built-in middleware ---- */

/* ns / 1000, saturated to 32 bits, with 32-bit divisions only: Cortex-M
   has no 64-bit divide and dx imports nothing from libgcc. */
DXI_PRIVATE uint32_t dxi_hbtp_ns_to_us(uint64_t ns) {
    uint32_t hi = (uint32_t)(ns >> 32), lo = (uint32_t)ns, x, q1, y;
    if (hi >= 1000) return 0xffffffffu;
    x = (hi << 16) | (lo >> 16);
    q1 = x / 1000;
    y = ((x % 1000) << 16) | (lo & 0xffffu);
    return (q1 << 16) + y / 1000;
}

DXI_PRIVATE dx_result dxi_hbtp_timing_before(dx_hbtp_request *req, void *state) {
    dx_hbtp_timing *t = (dx_hbtp_timing *)state;
    DX_ASSERT(t->now != NULL); /* required: a monotonic clock */
    req->start_ns = t->now(t->clock_user);
    return DX_OK;
}

/* Appends the elapsed microseconds to the reply when the client asked for them. */
DXI_PRIVATE void dxi_hbtp_timing_after(dx_hbtp_request *req, dx_result result, void *state) {
    dx_hbtp_timing *t = (dx_hbtp_timing *)state;
    dx_hbtp_resp *r = req->resp;
    uint8_t *h = r->buf + r->frame_at; /* the reply's header */
    uint32_t us, len;
    (void)result;
    req->elapsed_ns = t->now(t->clock_user) - req->start_ns;
    t->last_ns = req->elapsed_ns;
    t->total_ns += req->elapsed_ns;
    t->count++;
    if (!t->report || !(req->conn->capabilities & DX_HBTP_CAP_TIMING) || req->reply_at == DXI_HBTP_NO_REPLY ||
        req->reply_at != r->frame_at)
        return;
    len = dx_load_u32le(h + DX_HBTP_HEADER_OFF_LENGTH);
    if (r->len != r->frame_at + DX_HBTP_HEADER_SIZE + len || r->cap - r->len < DX_HBTP_TIMING_SIZE ||
        len > req->conn->max_payload - DX_HBTP_TIMING_SIZE) /* the client would refuse it */
        return;
    us = dxi_hbtp_ns_to_us(req->elapsed_ns);
    dx_store_u32le(r->buf + r->len, us);
    dx_store_u32le(h + DX_HBTP_HEADER_OFF_LENGTH, len + DX_HBTP_TIMING_SIZE);
    h[DX_HBTP_HEADER_OFF_FLAGS] |= DX_HBTP_FLAG_TIMING;
    r->len += DX_HBTP_TIMING_SIZE;
}

DX_HBTP_API dx_hbtp_middleware dx_hbtp_timing_middleware(dx_hbtp_timing *t) {
    dx_hbtp_middleware m;
    DX_MEMSET(&m, 0, sizeof m);
    m.before = dxi_hbtp_timing_before;
    m.after = dxi_hbtp_timing_after;
    m.state = t;
    return m;
}

#define DXI_HBTP_TOKEN 1000000000ull /* one request, in the bucket's units */

DXI_PRIVATE dx_result dxi_hbtp_ratelimit_before(dx_hbtp_request *req, void *state) {
    dx_hbtp_ratelimit *rl = (dx_hbtp_ratelimit *)state;
    uint64_t now, full = (uint64_t)rl->burst * DXI_HBTP_TOKEN;
    DX_ASSERT(rl->now != NULL); /* required: a monotonic clock */
    now = rl->now(rl->clock_user);
    if (!rl->started) {
        rl->tokens = full;
        rl->started = true;
    } else if (now > rl->last_ns && rl->rate) {
        /* dt * rate, saturating, without a 64-bit division */
        uint64_t dt = now - rl->last_ns, hi = (dt >> 32) * rl->rate, lo = (dt & 0xffffffffu) * rl->rate;
        uint64_t add = (hi >> 32) ? ~(uint64_t)0 : (hi << 32) + lo < lo ? ~(uint64_t)0 : (hi << 32) + lo;
        rl->tokens = add >= full - rl->tokens ? full : rl->tokens + add;
    }
    rl->last_ns = now;
    if (rl->tokens < DXI_HBTP_TOKEN) {
        rl->limited++;
        dx_hbtp_reply_error(req, DX_HBTP_CODE_RATE_LIMITED, "rate limited");
        return DX_ERR_BUSY;
    }
    rl->tokens -= DXI_HBTP_TOKEN;
    return DX_OK;
}

DX_HBTP_API dx_hbtp_middleware dx_hbtp_ratelimit_middleware(dx_hbtp_ratelimit *rl) {
    dx_hbtp_middleware m;
    DX_MEMSET(&m, 0, sizeof m);
    m.before = dxi_hbtp_ratelimit_before;
    m.state = rl;
    return m;
}

DXI_PRIVATE dx_result dxi_hbtp_auth_hello(dx_hbtp_conn *c, const uint8_t *token, uint32_t len, void *state) {
    dx_hbtp_auth *a = (dx_hbtp_auth *)state;
    c->authenticated = a->verify && a->verify(token, len, a->user);
    if (!c->authenticated) a->refused++;
    return c->authenticated ? (dx_result)DX_OK : (dx_result)DX_HBTP_ERR_REFUSED;
}

DXI_PRIVATE dx_result dxi_hbtp_auth_before(dx_hbtp_request *req, void *state) {
    (void)state;
    if (req->conn->authenticated) return DX_OK;
    dx_hbtp_reply_error(req, DX_HBTP_CODE_UNAUTHORIZED, "unauthorized");
    return DX_HBTP_ERR_REFUSED;
}

DX_HBTP_API dx_hbtp_middleware dx_hbtp_auth_middleware(dx_hbtp_auth *a) {
    dx_hbtp_middleware m;
    DX_MEMSET(&m, 0, sizeof m);
    m.on_hello = dxi_hbtp_auth_hello;
    m.before = dxi_hbtp_auth_before;
    m.state = a;
    return m;
}

/* Compares in time that depends only on the lengths, never on the bytes. */
DX_HBTP_API bool dx_hbtp_equal_ct(const void *a, size_t a_len, const void *b, size_t b_len) {
    const volatile uint8_t *x = (const volatile uint8_t *)a, *y = (const volatile uint8_t *)b;
    size_t i;
    uint8_t diff = (uint8_t)(a_len != b_len);
    for (i = 0; i < b_len; i++) diff |= (uint8_t)(y[i] ^ (i < a_len ? x[i] : 0));
    return diff == 0;
}

DX_HBTP_API bool dx_hbtp_verify_static_token(const uint8_t *token, uint32_t len, void *static_token) {
    const dx_hbtp_static_token *t = (const dx_hbtp_static_token *)static_token;
    return t && dx_hbtp_equal_ct(token, len, t->token, t->len);
}

#endif /* DX_HBTP_IMPLEMENTATION */

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

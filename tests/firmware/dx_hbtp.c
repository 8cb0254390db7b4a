/* dx_hbtp.c - what a firmware pays for dx_hbtp.h's core: the framer, the
   router and the response buffer (no connection object, no middleware).
   Bytes come in from a volatile buffer (a UART or DMA ring), go through the
   framer, RPC frames are dispatched through a router with one method
   handler that replies through a dx_hbtp_resp, and the output goes into a
   volatile sink. Built by tests/firmware/size.sh. */
#define DX_IMPLEMENTATION
#include "dx_hbtp.h"

void fw_main(void);

volatile uint8_t fw_rx[64];          /* the received bytes */
volatile uint32_t fw_rx_len;
volatile uint8_t fw_tx[128];         /* what goes back */
volatile uint32_t fw_tx_len;
volatile int32_t fw_status;

static uint8_t frame_buf[8 + 64];    /* one frame split across pieces */
static uint8_t out_buf[128];
static dx_hbtp_route methods[2];
static dx_hbtp_router router;        /* built once; in RAM as a firmware keeps it */

/* method 1: add the two u32 of the body, answer the u32 sum */
static dx_result add(dx_hbtp_request *req, void *user) {
    uint8_t sum[4];
    (void)user;
    if (req->body_len < 8) return dx_hbtp_reply_error(req, DX_HBTP_CODE_BAD_REQUEST, "8 bytes");
    dx_store_u32le(sum, dx_load_u32le(req->body) + dx_load_u32le(req->body + 4));
    return dx_hbtp_reply(req, sum, sizeof sum);
}

void fw_main(void) {
    dx_hbtp_framer fr;
    dx_hbtp_resp resp;
    dx_hbtp_frame f;
    dx_hbtp_request req;
    uint8_t piece[64];
    uint32_t i, n = fw_rx_len > sizeof piece ? (uint32_t)sizeof piece : fw_rx_len;
    const uint8_t *d;
    size_t len;
    dx_result err;
    for (i = 0; i < n; i++) piece[i] = fw_rx[i];
    dx_hbtp_router_init(&router, methods, 2);
    dx_hbtp_router_method(&router, 1, add, NULL);
    dx_hbtp_resp_init(&resp, out_buf, sizeof out_buf);
    dx_hbtp_framer_init(&fr, frame_buf, sizeof frame_buf, 64);
    dx_hbtp_framer_feed(&fr, piece, n);
    while ((err = dx_hbtp_framer_next(&fr, &f)) == DX_OK) {
        if (f.opcode != DX_HBTP_OP_RPC || f.length < DX_HBTP_RPC_SIZE) continue;
        req.conn = NULL;
        req.frame = &f;
        req.method = dx_load_u32le(f.payload + DX_HBTP_RPC_OFF_METHOD);
        req.body = f.payload + DX_HBTP_RPC_SIZE;
        req.body_len = f.length - DX_HBTP_RPC_SIZE;
        req.resp = &resp;
        req.reply_at = 0;
        req.start_ns = req.elapsed_ns = 0;
        dx_hbtp_router_dispatch(&router, &req);
    }
    d = dx_hbtp_resp_data(&resp, &len);
    for (i = 0; i < len && i < sizeof fw_tx; i++) fw_tx[i] = d[i];
    dx_hbtp_resp_consume(&resp, len);
    fw_tx_len = (uint32_t)len;
    fw_status = err;
}

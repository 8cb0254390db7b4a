/* dx_reactor.c - what a firmware pays for dx_reactor.h's core with its own
   network stack: no built-in backend, no OS header (-nostdinc); a custom
   backend (here an in-memory two-ended link standing in for the firmware's
   stack, as tests/reactor_test.c's mock) runs a recv, a send, a timer, a
   cancel and a wake through the core's queues, timers and callbacks. The
   clock is the firmware's (a tick counter). Built by tests/firmware/size.sh;
   tests/cross.sh also runs it on the host built as for an OS-less target. */
#define DX_REACTOR_NO_IOURING
#define DX_REACTOR_NO_EPOLL
#define DX_REACTOR_NO_POLL
#define DX_REACTOR_NO_KQUEUE
#define DX_REACTOR_NO_IOCP
#define DX_IMPLEMENTATION
#include "dx_reactor.h"

void fw_main(void);

volatile uint32_t fw_ticks;          /* a 1 MHz timer's count */
volatile uint8_t fw_rx[64];          /* what the link received */
volatile uint32_t fw_rx_len;
volatile int32_t fw_status;

typedef struct fw_link {
    uint8_t data[2][64];
    size_t len[2];
    dx_op *waiting[2];               /* one pending recv per end */
    int woken;
} fw_link;

static void link_deliver(dx_reactor *r, fw_link *l, int end) {
    dx_op *op = l->waiting[end];
    size_t n, i;
    if (!op || l->len[end] == 0) return;
    n = l->len[end] < op->len ? l->len[end] : op->len;
    for (i = 0; i < n; i++) ((uint8_t *)op->buf)[i] = l->data[end][i];
    l->len[end] = 0;
    l->waiting[end] = NULL;
    dx_reactor_custom_complete(r, op, (int64_t)n, 0);
}
static void link_start(dx_reactor *r, dx_op *op, void *user) {
    fw_link *l = (fw_link *)user;
    int end = (int)(op->fd & 1u);
    size_t n, i;
    switch (op->kind) {
    case DX_OP_KIND_SEND:
        n = op->len < sizeof l->data[0] ? op->len : sizeof l->data[0];
        for (i = 0; i < n; i++) l->data[end ^ 1][i] = ((const uint8_t *)op->buf)[i];
        l->len[end ^ 1] = n;
        dx_reactor_custom_complete(r, op, (int64_t)n, 0);
        link_deliver(r, l, end ^ 1);
        break;
    case DX_OP_KIND_RECV:
        l->waiting[end] = op;
        link_deliver(r, l, end);
        break;
    default:
        dx_reactor_custom_complete(r, op, DX_ERR_UNSUPPORTED, 0);
    }
}
static dx_result link_cancel(dx_reactor *r, dx_op *target, void *user) {
    fw_link *l = (fw_link *)user;
    int end;
    for (end = 0; end < 2; end++)
        if (l->waiting[end] == target) {
            l->waiting[end] = NULL;
            dx_reactor_custom_complete(r, target, DX_ERR_CANCELED, 0);
            return DX_OK;
        }
    return DX_ERR_NOTFOUND;
}
static dx_result link_wait(dx_reactor *r, int64_t timeout_ns, void *user) {
    fw_link *l = (fw_link *)user;
    if (l->woken) {
        l->woken = 0;
        dx_reactor_custom_woken(r);
    } else if (timeout_ns > 0) { /* a firmware sleeps until an interrupt (WFI); here: until the timer's tick */
        fw_ticks += (uint32_t)((uint64_t)timeout_ns >> 9) + 1u; /* >= timeout_ns / 1000, without a 64-bit division (a libgcc call) */
    }
    return DX_OK;
}
static dx_result link_wake(dx_reactor *r, void *user) {
    (void)r;
    ((fw_link *)user)->woken = 1;
    return DX_OK;
}
static uint64_t link_now(dx_reactor *r, void *user) {
    (void)r, (void)user;
    return (uint64_t)fw_ticks * 1000u;
}

static dx_reactor_action on_done(dx_reactor *r, dx_op *op, int64_t res, void *user) {
    (void)r, (void)op, (void)user;
    if (res < 0 && res != DX_ERR_CANCELED) fw_status = (int32_t)res; /* the canceled recv is expected */
    return DX_REACTOR_DISARM;
}

static fw_link net;
static dx_reactor loop;
static dx_op rx, tx, tmr, cancel, late, wake;
static uint8_t buf[64];

void fw_main(void) {
    dx_reactor_custom vt;
    dx_reactor_config cfg;
    uint32_t i;
    DX_MEMSET(&vt, 0, sizeof vt);
    vt.start = link_start, vt.cancel = link_cancel, vt.wait = link_wait, vt.wake = link_wake;
    vt.now = link_now, vt.user = &net;
    DX_MEMSET(&cfg, 0, sizeof cfg);
    cfg.backends[0] = DX_REACTOR_BACKEND_CUSTOM;
    cfg.backend_count = 1;
    cfg.custom = &vt;
    fw_status = dx_reactor_init(&loop, &cfg, NULL, 0);
    if (fw_status != DX_OK) return;
    dx_op_recv(&rx, 1, buf, sizeof buf);
    dx_reactor_submit(&loop, &rx, on_done, NULL);
    dx_op_send(&tx, 0, "ping", 4);
    dx_reactor_submit(&loop, &tx, on_done, NULL);
    dx_op_timer(&tmr, 1000000, 0);
    dx_reactor_submit(&loop, &tmr, on_done, NULL);
    dx_op_recv(&late, 0, buf, sizeof buf);
    dx_reactor_submit(&loop, &late, on_done, NULL);
    dx_op_cancel(&cancel, &late);
    dx_reactor_submit(&loop, &cancel, on_done, NULL);
    dx_op_wake_wait(&wake);
    dx_reactor_submit(&loop, &wake, on_done, NULL);
    dx_reactor_wake(&loop);
    dx_reactor_run(&loop, DX_REACTOR_RUN_UNTIL_DONE);
    for (i = 0; i < 4; i++) fw_rx[i] = buf[i];
    fw_rx_len = rx.res > 0 ? (uint32_t)rx.res : 0;
    dx_reactor_deinit(&loop);
}

/* dx_patch.c - what a firmware pays for dx_patch.h's streaming applier
   (issue 11 section 3), built by tests/firmware/size.sh: an A/B update. The
   patch arrives in pieces in a radio buffer; the running image (slot A) is
   read through io.read, the new image goes out through io.write to a flash
   writer (slot B, here a volatile sink); the applier checks the base before
   the first write, every frame, and the result's hash. No zstd, no
   allocator: 128-byte blocks, frames of a block + 64, and the applier's
   memory in a static buffer (2 blocks + a frame: 456 bytes; 840 with
   256-byte blocks). XOR patches only: without zstd there are no COLUMNS
   frames (the writer makes them to compress them), and DX_PATCH_NO_SHIFT
   leaves out the shift mode's records and ring; with both the code is 1.7
   KiB smaller (dx_patch.h's CONFIGURATION). */
#define DX_PATCH_NO_COLUMNS
#define DX_PATCH_NO_SHIFT
#define DX_IMPLEMENTATION
#include "dx_patch.h"

void fw_main(void);

volatile uint8_t fw_rx[64];           /* the radio's buffer: the next piece of the patch */
volatile uint32_t fw_rx_len;          /* bytes in it; 0 once the patch is complete */
const uint8_t *volatile fw_image;     /* slot A: the running image */
volatile uint32_t fw_image_len;
volatile uint32_t fw_flash_addr;      /* slot B's flash writer: address, then data */
volatile uint8_t fw_flash_data;
volatile int64_t fw_result;

/* 8 + a block + a second block (it also holds the running hash) + a frame */
#define FW_BLOCK 128u
#define FW_FRAME (FW_BLOCK + 64u)
static uint8_t fw_mem[8 + 2 * FW_BLOCK + FW_FRAME];

static dx_result fw_read(void *user, uint64_t off, void *buf, size_t len) {
    (void)user;
    DX_MEMCPY(buf, fw_image + (size_t)off, len);
    return DX_OK;
}

static dx_result fw_write(void *user, uint64_t off, const void *buf, size_t len) {
    const uint8_t *b = (const uint8_t *)buf;
    size_t i;
    (void)user;
    fw_flash_addr = (uint32_t)off;
    for (i = 0; i < len; i++) fw_flash_data = b[i];
    return DX_OK;
}

void fw_main(void) {
    dx_patch_applier a;
    dx_patch_applier_config cfg;
    dx_result err;
    DX_MEMSET(&cfg, 0, sizeof cfg);
    cfg.io.read = fw_read;
    cfg.io.write = fw_write;
    cfg.data_len = fw_image_len;
    cfg.max_block = FW_BLOCK;
    cfg.max_frame = FW_FRAME;
    err = dx_patch_applier_init(&a, &cfg, fw_mem, sizeof fw_mem);
    while (err == DX_OK && fw_rx_len) {
        uint8_t piece[sizeof fw_rx];
        uint32_t i, n = fw_rx_len < sizeof piece ? fw_rx_len : (uint32_t)sizeof piece;
        for (i = 0; i < n; i++) piece[i] = fw_rx[i];
        err = dx_patch_applier_feed(&a, piece, n);
    }
    fw_result = err == DX_OK ? dx_patch_applier_finish(&a) : err;
}

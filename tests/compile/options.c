/* options.c - builds and runs with every option changed (options_config.h). */
#define DX_CONFIG_HEADER "options_config.h"
#define DX_IMPLEMENTATION
#include "headers.h"
#include <stdio.h>

long options_live_blocks;

int main(void) {
    dx_tp_writer w;
    dx_tp_writer_config cfg = {0};
    const uint8_t *buf;
    size_t len;
    int ok = 1;
    ok &= dx_tp_writer_create(&w, &cfg) == DX_OK && options_live_blocks == 1;
    ok &= dx_tp_write_raw(&w, "a", 1, 1) != 0 && dx_tp_write_raw(&w, "b", 1, 2) != 0;
    ok &= dx_tp_write_raw(&w, "c", 1, 4) == 0 && dx_tp_writer_error(&w) == DX_ERR_LIMIT; /* 2 sections */
    ok &= dx_tp_writer_finish(&w, &buf, &len) == DX_ERR_LIMIT;
    ok &= dx_tp_result_name(DX_ERR_LIMIT)[0] == 0; /* DX_NO_ERROR_STRINGS */
    dx_tp_writer_destroy(&w);
    ok &= options_live_blocks == 0;
    printf("options: %s\n", ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
}

/* static.c - DX_STATIC: the implementation is private to this TU
   (tests/run.sh checks with nm that no dx_ symbol is global). */
#define DX_STATIC
#define DX_IMPLEMENTATION
#include "headers.h"

int static_main(void);
int static_main(void) {
    dx_tp_reader r;
    return dx_tp_reader_init(&r, "", 0) == DX_ERR_TRUNCATED ? 0 : 1;
}

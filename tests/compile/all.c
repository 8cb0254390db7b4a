/* all.c - every header with DX_IMPLEMENTATION in one TU (build with and
   without -DDX_ORDER_B for both include orders), included twice to show the
   guards make a second include harmless. */
#define DX_IMPLEMENTATION
#include "headers.h"
#include "headers.h"
#include <stdio.h>

int main(void) {
    dx_tp_reader r;
    printf("all: %s %s\n", dx_result_name(DX_ERR_CORRUPT), dx_tp_result_name(dx_tp_reader_init(&r, "", 0)));
    return 0;
}

/* decl_then_impl.c - declarations first (as a user's own header would pull
   them in), the implementation later in the same TU. */
#include "headers.h"
#include <stdio.h>
static int use_it(void) {
    dx_tp_reader r;
    return dx_tp_reader_init(&r, "", 0) == DX_ERR_TRUNCATED ? 0 : 1;
}
#define DX_IMPLEMENTATION
#include "headers.h"
int main(void) { return use_it(); }

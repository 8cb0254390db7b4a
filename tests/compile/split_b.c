/* split_b.c - declarations only, linked against split_a.o: no duplicate or
   missing symbols. */
#include "headers.h"
#include <stdio.h>

int main(void) {
    dx_tp_reader r;
    dx_result err = dx_tp_reader_init(&r, "DXTP", 4);
    printf("split: %s, crc32c(\"123456789\") = %08lx\n", dx_tp_result_name(err),
           (unsigned long)dx_tp_crc32c(0, "123456789", 9));
    return err == DX_ERR_TRUNCATED && dx_tp_crc32c(0, "123456789", 9) == 0xe3069283u ? 0 : 1;
}

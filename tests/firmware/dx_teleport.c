/* dx_teleport.c - what firmware pays for dx_teleport.h's verifying reader
   (issue 11, section 3; built by tests/firmware/size.sh). A buffer arrives
   from elsewhere (a volatile pointer, so nothing folds away): verify it once,
   view its first section of points, read one point and its label. */
#define DX_TP_NO_CRC_TABLE /* a 64-byte CRC32C table instead of 1 KiB */
#define DX_IMPLEMENTATION
#include "dx_teleport.h"

typedef struct fw_point {
    uint32_t x, y;
    dx_tp_str label;
} fw_point;
static const dx_tp_field fw_point_fields[] = {
    DX_TP_FIELD(fw_point, x, DX_TP_KIND_U32),
    DX_TP_FIELD(fw_point, y, DX_TP_KIND_U32),
    DX_TP_FIELD(fw_point, label, DX_TP_KIND_STR),
};
static const dx_tp_layout fw_point_layout = DX_TP_LAYOUT(1, fw_point, fw_point_fields);

const uint8_t *volatile fw_input;
volatile uint32_t fw_input_len;
volatile uint32_t fw_sink;

void fw_main(void);
void fw_main(void) {
    dx_tp_reader r;
    dx_tp_view v;
    fw_point p;
    dx_result err = dx_tp_reader_init(&r, fw_input, fw_input_len);
    if (err == DX_OK) err = dx_tp_reader_view(&r, dx_tp_reader_find(&r, 1, 0), &fw_point_layout, &v);
    if (err == DX_OK && v.count > 0) {
        dx_tp_view_read(&v, 0, &p);
        fw_sink = p.x + p.y + (uint8_t)dx_tp_reader_string(&r, p.label, NULL)[0];
    } else {
        fw_sink = (uint32_t)err;
    }
}

// cpp.cc - every header with its implementation compiled as C++.
#define DX_IMPLEMENTATION
#include "headers.h"
#include <cstdio>

int main() {
    dx_tp_writer w;
    dx_tp_writer_config cfg = {};
    const uint8_t *buf = nullptr;
    size_t len = 0;
    if (dx_tp_writer_create(&w, &cfg) != DX_OK) return 1;
    dx_tp_str s = dx_tp_write_cstr(&w, "c++");
    dx_result err = dx_tp_writer_finish(&w, &buf, &len);
    dx_tp_reader r;
    if (err == DX_OK) err = dx_tp_reader_init(&r, buf, len);
    std::printf("cpp: %s %s\n", dx_tp_result_name(err), err == DX_OK ? dx_tp_reader_string(&r, s, nullptr) : "");
    dx_tp_writer_destroy(&w);
    return err == DX_OK ? 0 : 1;
}

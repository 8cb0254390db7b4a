/* split_a.c - the implementation of every header, alone in its TU. */
#define DX_IMPLEMENTATION
#include "headers.h"

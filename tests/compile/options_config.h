/* options_config.h - the DX_CONFIG_HEADER used by options.c: every [global]
   and [impl] option of the headers set away from its default. */
#include <stdlib.h>
#define DX_TP_MAX_SECTIONS 2
#define DX_TP_MAX_TYPES 1
#define DX_TP_MAX_FIELDS 4
#define DX_NO_ERROR_STRINGS
#define DX_NO_ASSERT
extern long options_live_blocks;
#define DX_MALLOC(size, user) ((void)(user), options_live_blocks++, malloc(size))
#define DX_FREE(ptr, size, user) ((void)(size), (void)(user), options_live_blocks--, free(ptr))
#define DX_TELEPORT_API static __attribute__((unused))

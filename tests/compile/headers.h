/* headers.h - includes every dx header that exists, in the order DX_ORDER_B
   selects (forward by default, reverse with DX_ORDER_B); dx_net.h, the bridge,
   comes after dx_reactor.h and dx_hbtp.h in both. C99 has no
   __has_include, but gcc and clang provide it in every mode. */
#if !defined(__has_include)
#error "tests/compile needs a compiler with __has_include (gcc >= 5, clang)"
#endif
#if !defined(DX_ORDER_B)
#if __has_include("dx_reactor.h")
#include "dx_reactor.h"
#endif
#if __has_include("dx_hbtp.h")
#include "dx_hbtp.h"
#endif
#if __has_include("dx_net.h") /* the bridge: after its two headers */
#include "dx_net.h"
#endif
#if __has_include("dx_patch.h")
#include "dx_patch.h"
#endif
#include "dx_teleport.h"
#if __has_include("dx_cas.h")
#include "dx_cas.h"
#endif
#else
#if __has_include("dx_cas.h")
#include "dx_cas.h"
#endif
#include "dx_teleport.h"
#if __has_include("dx_patch.h")
#include "dx_patch.h"
#endif
#if __has_include("dx_hbtp.h")
#include "dx_hbtp.h"
#endif
#if __has_include("dx_reactor.h")
#include "dx_reactor.h"
#endif
#if __has_include("dx_net.h")
#include "dx_net.h"
#endif
#endif

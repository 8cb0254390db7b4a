/* host_reactor.c - tests/firmware/dx_reactor.c run on the host: exit status 0
   when its recv got "ping" and the timer, the cancel and the wake completed.
   tests/cross.sh (cortex-m4) builds it as for a target without an OS
   (-ffreestanding -nostdinc, no __unix__ or __linux__); tests/run.sh builds it
   on this OS with every built-in backend left out. */
#include "dx_reactor.c"

int main(void) {
    fw_main();
    return fw_status == DX_OK && fw_rx_len == 4 && fw_rx[0] == 'p' && fw_rx[3] == 'g' && tmr.res == 0 && cancel.res == 0 &&
                   late.res == DX_ERR_CANCELED && wake.res == 0 && loop.stats.active == 0
               ? 0
               : 1;
}

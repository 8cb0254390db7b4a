/* probe.c - proves that tests/cross.sh's runners execute what they claim to:
   prints the byte order the code actually sees at run time and the pointer
   width, and exits with the status given as argv[1] (so a runner that loses
   exit statuses, as a misconfigured wine or binfmt handler would, is caught).
   usage: probe STATUS   ->   "probe: big-endian 64-bit", exit STATUS */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    volatile unsigned long one = 1; /* volatile: read at run time, not folded */
    unsigned long v = one;
    const unsigned char *b = (const unsigned char *)&v;
    int status = argc > 1 ? atoi(argv[1]) : 0;
    const char *order = b[0] == 1 ? "little" : b[sizeof v - 1] == 1 ? "big" : "mixed";
    printf("probe: %s-endian %d-bit\n", order, (int)(sizeof(void *) * CHAR_BIT));
    fflush(stdout);
    return status;
}

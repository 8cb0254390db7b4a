/* sync_proxy - a TCP proxy for tests/dx_sync_cli.sh: a bad network on loopback.
   usage: sync_proxy UPSTREAM_PORT [--cut-after N] [--flip-at N] [--stall-after N]
   Listens on a free 127.0.0.1 port (printed as "port P" on stdout), and for each
   connection in turn connects to 127.0.0.1:UPSTREAM_PORT and forwards both ways.
   --cut-after N: after N bytes from the server, both sockets are closed (a
   dropped network). --flip-at N: byte N (from 0) of what the server sends is
   sent with its bits 0x10 flipped (damage on the way). --stall-after N: after N
   bytes from the server nothing more goes either way and both sockets stay open
   (a network that went silent). Counts are per connection. */
#define _DEFAULT_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int connect_to(int port) {
    struct sockaddr_in a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        if (fd >= 0) close(fd);
        return -1;
    }
    return fd;
}

static int send_all(int fd, const unsigned char *p, size_t n) {
    while (n) {
        ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return -1;
        p += k, n -= (size_t)k;
    }
    return 0;
}

int main(int argc, char **argv) {
    long long cut = -1, flip = -1, stall = -1;
    int upstream, lfd, i;
    struct sockaddr_in a;
    socklen_t al = sizeof a;
    if (argc < 2) {
        fprintf(stderr, "usage: sync_proxy UPSTREAM_PORT [--cut-after N] [--flip-at N] [--stall-after N]\n");
        return 2;
    }
    upstream = atoi(argv[1]);
    for (i = 2; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--cut-after")) cut = atoll(argv[i + 1]);
        else if (!strcmp(argv[i], "--flip-at")) flip = atoll(argv[i + 1]);
        else if (!strcmp(argv[i], "--stall-after")) stall = atoll(argv[i + 1]);
        else return 2;
    }
    lfd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof a) != 0 || listen(lfd, 16) != 0 ||
        getsockname(lfd, (struct sockaddr *)&a, &al) != 0) {
        perror("sync_proxy");
        return 1;
    }
    printf("port %d\n", ntohs(a.sin_port));
    fflush(stdout);
    for (;;) {
        int c = accept(lfd, NULL, NULL), s;
        long long down = 0; /* bytes from the server so far */
        if (c < 0) continue;
        if ((s = connect_to(upstream)) < 0) {
            close(c);
            continue;
        }
        for (;;) {
            struct pollfd p[2] = {{c, POLLIN, 0}, {s, POLLIN, 0}};
            unsigned char buf[65536];
            ssize_t n;
            if (poll(p, 2, -1) < 0) {
                if (errno == EINTR) continue;
                break;
            }
            if (p[0].revents) {
                if ((n = recv(c, buf, sizeof buf, 0)) <= 0 || send_all(s, buf, (size_t)n) != 0) break;
            }
            if (p[1].revents) {
                if ((n = recv(s, buf, sizeof buf, 0)) <= 0) break;
                if (cut >= 0 && down + n > cut) n = (ssize_t)(cut - down);
                if (stall >= 0 && down + n > stall) n = (ssize_t)(stall - down);
                if (flip >= down && flip < down + n) buf[flip - down] ^= 0x10;
                if (n > 0 && send_all(c, buf, (size_t)n) != 0) break;
                down += n;
                if (cut >= 0 && down >= cut) break;
                while (stall >= 0 && down >= stall) pause(); /* silent for good: the test kills the proxy */
            }
        }
        close(c), close(s);
    }
}

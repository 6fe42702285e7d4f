/* Socket options and addresses of a connection the ring owns: plain
 * synchronous syscalls, once per connection or per setting, never per message. */
#ifndef IOMODELS_SOCKET_OPTIONS_H
#define IOMODELS_SOCKET_OPTIONS_H

#include <stddef.h>

#define SOCKOPT_NODELAY 0
#define SOCKOPT_KEEPALIVE 1
#define SOCKOPT_LINGER_ZERO 2

/* SOCKOPT_NODELAY: value 0/1. SOCKOPT_KEEPALIVE: value < 0 off, else on with
 * that many seconds idle before the first probe (0: the kernel's default).
 * SOCKOPT_LINGER_ZERO: close sends RST. Returns 0 or -errno. */
int uring_sockopt(int fd, int which, int value);

/* The local (peer = 0) or remote (peer = 1) address: numeric host into
 * host[size], port, family 4 or 6. Returns 0 or -errno. */
int uring_address(int fd, int peer, char *host, size_t size, int *port, int *family);

/* A close-on-exec duplicate of fd (>= 0) or -errno: takes a connection over
 * from a libuv handle that is then closed (its descriptor goes, the
 * connection stays with the duplicate). */
int uring_dup(int fd);

#endif

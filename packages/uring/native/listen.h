/* A bound, listening TCP socket for the ring to accept on. */
#ifndef IOMODELS_LISTEN_H
#define IOMODELS_LISTEN_H

/* Returns the descriptor (blocking, close-on-exec) or -errno; the port the
 * kernel chose goes to *bound_port (port 0 asks for any free one). */
int uring_listen(const char *host, int port, int backlog, int *bound_port);

#endif

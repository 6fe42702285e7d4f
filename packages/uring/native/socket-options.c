/* Socket options and addresses for connections accepted through the ring
 * (no libuv handle owns them, so Node's setNoDelay & co. cannot reach them). */
#define _GNU_SOURCE
#include "socket-options.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>

static int set_int(int fd, int level, int name, int value) {
  return setsockopt(fd, level, name, &value, sizeof value) < 0 ? -errno : 0;
}

int uring_sockopt(int fd, int which, int value) {
  switch (which) {
  case SOCKOPT_NODELAY:
    return set_int(fd, IPPROTO_TCP, TCP_NODELAY, value != 0);
  case SOCKOPT_KEEPALIVE:
    if (value < 0) return set_int(fd, SOL_SOCKET, SO_KEEPALIVE, 0);
    if (value > 0) {
      int error = set_int(fd, IPPROTO_TCP, TCP_KEEPIDLE, value);
      if (error < 0) return error;
    }
    return set_int(fd, SOL_SOCKET, SO_KEEPALIVE, 1);
  case SOCKOPT_LINGER_ZERO: {
    struct linger linger = {.l_onoff = 1, .l_linger = 0};
    return setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, sizeof linger) < 0 ? -errno : 0;
  }
  default:
    return -EINVAL;
  }
}

int uring_address(int fd, int peer, char *host, size_t size, int *port, int *family) {
  struct sockaddr_storage address;
  socklen_t length = sizeof address;
  int rc = peer ? getpeername(fd, (struct sockaddr *)&address, &length)
                : getsockname(fd, (struct sockaddr *)&address, &length);
  if (rc < 0) return -errno;
  if (address.ss_family == AF_INET) {
    struct sockaddr_in *v4 = (struct sockaddr_in *)&address;
    if (!inet_ntop(AF_INET, &v4->sin_addr, host, (socklen_t)size)) return -errno;
    *port = ntohs(v4->sin_port);
    *family = 4;
  } else if (address.ss_family == AF_INET6) {
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&address;
    if (!inet_ntop(AF_INET6, &v6->sin6_addr, host, (socklen_t)size)) return -errno;
    *port = ntohs(v6->sin6_port);
    *family = 6;
  } else {
    return -EAFNOSUPPORT;
  }
  return 0;
}

int uring_dup(int fd) {
  int copy = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  return copy < 0 ? -errno : copy;
}

/* The listening socket: socket/bind/listen in C, so the ring accepts on a
 * descriptor no libuv handle watches (a Node net.Server would also arm
 * epoll on it). Left blocking on purpose: io_uring polls internally, and
 * kernels before 5.x completed O_NONBLOCK sockets with -EAGAIN instead. */
#define _GNU_SOURCE
#include "listen.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int uring_listen(const char *host, int port, int backlog, int *bound_port) {
  struct sockaddr_storage address;
  memset(&address, 0, sizeof address);
  socklen_t length;
  int family;
  struct sockaddr_in *v4 = (struct sockaddr_in *)&address;
  struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&address;
  if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
    family = v4->sin_family = AF_INET;
    v4->sin_port = htons((uint16_t)port);
    length = sizeof *v4;
  } else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
    family = v6->sin6_family = AF_INET6;
    v6->sin6_port = htons((uint16_t)port);
    length = sizeof *v6;
  } else {
    return -EINVAL;
  }
  int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -errno;
  int one = 1;
  if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
      bind(fd, (struct sockaddr *)&address, length) < 0 || listen(fd, backlog) < 0 ||
      getsockname(fd, (struct sockaddr *)&address, &length) < 0) {
    int error = -errno;
    close(fd);
    return error;
  }
  *bound_port = ntohs(family == AF_INET ? v4->sin_port : v6->sin6_port);
  return fd;
}

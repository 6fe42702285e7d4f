/* A provided-buffer ring (IORING_REGISTER_PBUF_RING, Linux 5.19): one pool
 * of equal buffers per loop, shared by every connection's multishot recv.
 * The kernel picks a free buffer when bytes arrive and names it in the CQE
 * (IORING_CQE_F_BUFFER, id in the upper 16 bits); the owner hands it back
 * with buffer_ring_recycle once it has copied the bytes out. Memory is the
 * pool's, not per connection: count x size whatever the connections. */
#ifndef IOMODELS_BUFFER_RING_H
#define IOMODELS_BUFFER_RING_H

#include <stddef.h>
#include <stdint.h>

#include "ring.h"

struct buffer_ring {
  struct io_uring_buf_ring *entries; /* shared with the kernel (mmap, page-aligned) */
  size_t map_size;
  char *base;        /* the pool (JavaScript's ArrayBuffer, kept alive there) */
  unsigned size;     /* bytes per buffer */
  unsigned count;    /* buffers, a power of two */
  uint16_t tail;     /* our copy of entries->tail */
  uint16_t group;    /* the buffer group id recvs name */
};

/* Registers `count` buffers of `size` bytes at `base` as group `group`, all
 * of them free. 0 or -errno (EINVAL: the kernel has no buffer rings). */
int buffer_ring_setup(struct buffer_ring *pool, struct ring *ring, char *base, unsigned size,
                      unsigned count, uint16_t group);
/* Hands buffer `id` back to the kernel. */
void buffer_ring_recycle(struct buffer_ring *pool, unsigned id);
/* Unmaps the entries (the registration ends with the ring). */
void buffer_ring_teardown(struct buffer_ring *pool);

#endif

/* The provided-buffer ring: registration, and handing buffers back. */
#define _GNU_SOURCE
#include "buffer-ring.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

static void put(struct buffer_ring *pool, unsigned id) {
  struct io_uring_buf *entry = &pool->entries->bufs[pool->tail & (pool->count - 1)];
  entry->addr = (uint64_t)(uintptr_t)(pool->base + (size_t)id * pool->size);
  entry->len = pool->size;
  entry->bid = (uint16_t)id;
  pool->tail++;
}

int buffer_ring_setup(struct buffer_ring *pool, struct ring *ring, char *base, unsigned size,
                      unsigned count, uint16_t group) {
  memset(pool, 0, sizeof *pool);
  if (count == 0 || count > 32768 || (count & (count - 1)) != 0) return -EINVAL;
  pool->map_size = count * sizeof(struct io_uring_buf);
  void *map = mmap(NULL, pool->map_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (map == MAP_FAILED) return -errno;
  pool->entries = map;
  pool->base = base;
  pool->size = size;
  pool->count = count;
  pool->group = group;
  struct io_uring_buf_reg reg;
  memset(&reg, 0, sizeof reg);
  reg.ring_addr = (uint64_t)(uintptr_t)map;
  reg.ring_entries = count;
  reg.bgid = group;
  if (syscall(__NR_io_uring_register, ring->fd, IORING_REGISTER_PBUF_RING, &reg, 1) < 0) {
    int error = -errno;
    buffer_ring_teardown(pool);
    return error;
  }
  for (unsigned id = 0; id < count; id++) put(pool, id);
  __atomic_store_n(&pool->entries->tail, pool->tail, __ATOMIC_RELEASE);
  return 0;
}

void buffer_ring_recycle(struct buffer_ring *pool, unsigned id) {
  if (!pool->entries || id >= pool->count) return;
  put(pool, id);
  __atomic_store_n(&pool->entries->tail, pool->tail, __ATOMIC_RELEASE);
}

void buffer_ring_teardown(struct buffer_ring *pool) {
  if (pool->entries) munmap(pool->entries, pool->map_size);
  pool->entries = NULL;
}

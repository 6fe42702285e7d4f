/* Submission batching: operations only fill SQEs in shared memory; one
 * io_uring_enter publishes the whole batch when the loop turn ends (the
 * add-on calls ring_flush from its uv_prepare/uv_check handles), or early
 * when the queue is full. */
#define _GNU_SOURCE
#include "ring.h"

#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* SQEs prepared but not yet consumed by the kernel (published or not). */
unsigned ring_pending(const struct ring *ring) {
  return ring->sqe_tail - __atomic_load_n(ring->sq_head, __ATOMIC_ACQUIRE);
}

/* Publishes the private tail and submits everything pending in one syscall.
 * Returns how many SQEs the kernel took, or -errno (EAGAIN/EBUSY: the kernel
 * is short of memory or of CQ room; the SQEs stay and the next flush retries). */
int ring_flush(struct ring *ring) {
  unsigned pending = ring_pending(ring);
  if (pending == 0) return 0;
  __atomic_store_n(ring->sq_tail, ring->sqe_tail, __ATOMIC_RELEASE);
  int taken;
  do {
    taken = (int)syscall(__NR_io_uring_enter, ring->fd, pending, 0, 0, NULL, 0);
  } while (taken < 0 && errno == EINTR);
  ring->enters++;
  if (taken < 0) return -errno;
  ring->submitted += (unsigned)taken;
  return taken;
}

/* The next free SQE, zeroed; flushes first when the queue is full. NULL
 * when even a flush frees no slot (the caller reports -EBUSY). */
struct io_uring_sqe *ring_get_sqe(struct ring *ring) {
  if (ring_pending(ring) >= ring->sq_entries) {
    ring_flush(ring);
    if (ring_pending(ring) >= ring->sq_entries) return NULL;
  }
  struct io_uring_sqe *sqe = &ring->sqes[ring->sqe_tail & *ring->sq_mask];
  ring->sqe_tail++;
  memset(sqe, 0, sizeof *sqe);
  return sqe;
}


/* Completion reaping: copy CQEs out of shared memory into the caller's
 * result array (user_data, res, flags per completion) and hand the slots
 * back to the kernel, so JavaScript sees a whole batch in one call. */
#include "ring.h"

unsigned ring_reap(struct ring *ring, int32_t *out, unsigned capacity) {
  unsigned head = *ring->cq_head;
  unsigned tail = __atomic_load_n(ring->cq_tail, __ATOMIC_ACQUIRE);
  unsigned mask = *ring->cq_mask;
  unsigned n = 0;
  while (head != tail && n < capacity) {
    const struct io_uring_cqe *cqe = &ring->cqes[head & mask];
    out[3 * n] = (int32_t)cqe->user_data;
    out[3 * n + 1] = cqe->res;
    out[3 * n + 2] = (int32_t)cqe->flags;
    n++;
    head++;
  }
  __atomic_store_n(ring->cq_head, head, __ATOMIC_RELEASE);
  ring->reaped += n;
  return n;
}

int ring_ready(const struct ring *ring) {
  return *ring->cq_head != __atomic_load_n(ring->cq_tail, __ATOMIC_ACQUIRE);
}

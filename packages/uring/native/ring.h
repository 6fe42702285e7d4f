/* The ring: one io_uring per Node event loop, its mmapped queues, and the
 * three steps every operation goes through (prepare an SQE, flush the batch
 * with one io_uring_enter, reap CQEs). Raw syscalls, no liburing: nothing to
 * install beyond a C compiler and <linux/io_uring.h>. */
#ifndef IOMODELS_RING_H
#define IOMODELS_RING_H

#include <linux/io_uring.h>
#include <stddef.h>
#include <stdint.h>

struct ring {
  int fd;      /* the io_uring instance */
  int eventfd; /* signalled by the kernel on every posted CQE */
  unsigned sq_entries;
  unsigned cq_entries;
  unsigned features; /* IORING_FEAT_* reported by io_uring_setup */
  /* Submission queue, shared with the kernel. */
  unsigned *sq_head, *sq_tail, *sq_mask, *sq_array;
  struct io_uring_sqe *sqes;
  unsigned sqe_tail; /* our private tail: SQEs prepared, not yet published */
  /* Completion queue, shared with the kernel. */
  unsigned *cq_head, *cq_tail, *cq_mask;
  struct io_uring_cqe *cqes;
  /* Mappings, for munmap. */
  void *sq_map, *cq_map;
  size_t sq_map_size, cq_map_size, sqes_map_size;
  /* Counters for the syscall-signature tests and the README. */
  uint64_t enters, submitted, reaped;
};

/* ring.c */
int ring_setup(struct ring *ring, unsigned sq_entries, unsigned cq_entries);
void ring_teardown(struct ring *ring);
/* 0 when every opcode in `ops` is supported, else the first missing one + 1;
 * -errno when the probe itself failed. */
int ring_probe(struct ring *ring, const int *ops, int count);
/* Whether IORING_OP_SOCKET is known: it arrived with multishot accept (5.19). */
int ring_has_op(struct ring *ring, int op);

/* submit.c */
struct io_uring_sqe *ring_get_sqe(struct ring *ring);
unsigned ring_pending(const struct ring *ring);
int ring_flush(struct ring *ring);

/* reap.c: copies up to `capacity` CQEs as (user_data, res, flags) triples. */
unsigned ring_reap(struct ring *ring, int32_t *out, unsigned capacity);
/* Whether CQEs wait to be reaped. */
int ring_ready(const struct ring *ring);

#endif

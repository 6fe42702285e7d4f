/* The ring inside the libuv loop: eventfd readable → reap every CQE into the
 * shared result array → one JS call per array-full; submissions flushed in
 * prepare/check so that one loop turn costs one io_uring_enter. */
#include "loop.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <unistd.h>

static void set_referenced(struct uring_loop *loop) {
  int want = loop->inflight > 0;
  if (want == loop->poll_referenced) return;
  if (want)
    uv_ref((uv_handle_t *)&loop->poll);
  else
    uv_unref((uv_handle_t *)&loop->poll);
  loop->poll_referenced = want;
}

void loop_started(struct uring_loop *loop) {
  loop->inflight++;
  set_referenced(loop);
}


/* Calls onComplete(count) the way Node calls its own callbacks: async hooks,
 * then the microtask queue drained; a throw becomes an uncaught exception. */
static void deliver(struct uring_loop *loop, unsigned count) {
  napi_env env = loop->env;
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  napi_value fn, recv, argv, ignored;
  napi_get_reference_value(env, loop->callback, &fn);
  napi_get_global(env, &recv); /* must be an object: undefined throws a TypeError */
  napi_create_uint32(env, count, &argv);
  loop->callbacks++;
  bool pending = false;
  napi_make_callback(env, loop->async, recv, fn, 1, &argv, &ignored);
  napi_is_exception_pending(env, &pending);
  if (pending) {
    napi_value error;
    napi_get_and_clear_last_exception(env, &error);
    napi_fatal_exception(env, error);
  }
  napi_close_handle_scope(env, scope);
}

/* Reaps every CQE, a JS call per array-full. */
static void drain(struct uring_loop *loop) {
  while (loop->open) {
    unsigned n = ring_reap(&loop->ring, loop->results, loop->capacity);
    if (n == 0) break;
    for (unsigned i = 0; i < n; i++) {
      if (!((unsigned)loop->results[3 * i + 2] & IORING_CQE_F_MORE)) loop->inflight--;
    }
    deliver(loop, n);
  }
  if (loop->open) set_referenced(loop);
}

static void poll_cb(uv_poll_t *handle, int status, int events) {
  (void)status;
  (void)events;
  struct uring_loop *loop = handle->data;
  uint64_t signals;
  /* Cleared before reaping: a CQE posted after the read signals again. */
  if (read(loop->ring.eventfd, &signals, sizeof signals) < 0 && errno != EAGAIN) return;
  drain(loop);
}

/* Rounds of flush-then-reap per prepare/check. A send with room in the
 * socket buffer, or a recv whose bytes are already there, completes inside
 * io_uring_enter; reaping it at once lets its callback queue the next
 * operation into the same turn. Bounded so that a connection that always
 * completes at once cannot starve the loop. (Muting the eventfd around the
 * flush with IORING_CQ_EVENTFD_DISABLED, to save the wakeup those inline
 * completions still cause, lost wakeups on Linux 6.18: the rescue timer
 * below caught 1-5 per bench run, 0 without the mute.) */
#define FLUSH_ROUNDS 4

static void flush_cb(struct uring_loop *loop, int before_poll) {
  for (int round = 0; round < FLUSH_ROUNDS && loop->open; round++) {
    if (ring_pending(&loop->ring) == 0 && !ring_ready(&loop->ring)) return;
    ring_flush(&loop->ring);
    drain(loop);
  }
  /* Submissions left after the last round. After check, the next turn's
   * prepare runs before the loop blocks and takes them; after prepare,
   * nothing would wake the blocked loop for them, so wake it by hand. */
  if (before_poll && loop->open && ring_pending(&loop->ring) > 0) {
    uint64_t one = 1;
    (void)!write(loop->ring.eventfd, &one, sizeof one);
  }
}

/* A safety net, not the path: every RESCUE_MS (unreferenced: it keeps
 * nothing alive) look for completions waiting while the eventfd is silent,
 * i.e. a wakeup that was lost. None should exist; `rescued` counts the ticks
 * that found one, so it shows up as a number (stats().rescued) and costs at
 * most RESCUE_MS of latency instead of a hung connection. */
#define RESCUE_MS 100

static void rescue_cb(uv_timer_t *handle) {
  struct uring_loop *loop = handle->data;
  if (!loop->open || (ring_pending(&loop->ring) == 0 && !ring_ready(&loop->ring))) return;
  struct pollfd signalled = {.fd = loop->ring.eventfd, .events = POLLIN};
  if (poll(&signalled, 1, 0) == 1) return; /* announced: the poll handle will reap it */
  loop->rescued++;
  flush_cb(loop, 1);
}

static void prepare_cb(uv_prepare_t *handle) { flush_cb(handle->data, 1); }
static void check_cb(uv_check_t *handle) { flush_cb(handle->data, 0); }

int loop_open(struct uring_loop *loop, napi_env env, napi_value callback, napi_value results,
              unsigned sq_entries, unsigned cq_entries) {
  napi_typedarray_type type;
  size_t length;
  void *data;
  if (napi_get_typedarray_info(env, results, &type, &length, &data, NULL, NULL) != napi_ok ||
      type != napi_int32_array || length < 3)
    return -EINVAL;
  uv_loop_t *uv;
  if (napi_get_uv_event_loop(env, &uv) != napi_ok) return -ENOSYS;
  int error = ring_setup(&loop->ring, sq_entries, cq_entries);
  if (error < 0) return error;
  loop->env = env;
  loop->results = data;
  loop->capacity = (unsigned)(length / 3);
  napi_create_reference(env, callback, 1, &loop->callback);
  napi_create_reference(env, results, 1, &loop->results_ref);
  napi_value name;
  napi_create_string_utf8(env, "IOMODELS_URING", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, NULL, name, &loop->async);

  uv_poll_init(uv, &loop->poll, loop->ring.eventfd);
  uv_prepare_init(uv, &loop->prepare);
  uv_check_init(uv, &loop->check);
  uv_timer_init(uv, &loop->rescue);
  loop->poll.data = loop->prepare.data = loop->check.data = loop->rescue.data = loop;
  loop->handles_open = 4;
  uv_poll_start(&loop->poll, UV_READABLE, poll_cb);
  uv_prepare_start(&loop->prepare, prepare_cb);
  uv_check_start(&loop->check, check_cb);
  uv_timer_start(&loop->rescue, rescue_cb, RESCUE_MS, RESCUE_MS);
  /* Idle, the ring must not keep the process alive; in-flight work does. */
  uv_unref((uv_handle_t *)&loop->poll);
  uv_unref((uv_handle_t *)&loop->prepare);
  uv_unref((uv_handle_t *)&loop->check);
  uv_unref((uv_handle_t *)&loop->rescue);
  loop->open = 1;
  return 0;
}

static void closed_cb(uv_handle_t *handle) {
  struct uring_loop *loop = handle->data;
  if (--loop->handles_open == 0) free(loop);
}

/* Tears the ring down (in-flight operations end with it: the kernel cancels
 * them) and frees `loop` once libuv has closed its handles. */
void loop_close(struct uring_loop *loop, int env_alive) {
  if (!loop->open) {
    free(loop);
    return;
  }
  loop->open = 0;
  /* At environment teardown Node frees references itself; touching them
   * from a cleanup hook is not allowed. */
  if (env_alive) {
    napi_delete_reference(loop->env, loop->callback);
    napi_delete_reference(loop->env, loop->results_ref);
    if (loop->pool_ref) napi_delete_reference(loop->env, loop->pool_ref);
    napi_async_destroy(loop->env, loop->async);
  }
  uv_poll_stop(&loop->poll);
  uv_close((uv_handle_t *)&loop->poll, closed_cb);
  uv_close((uv_handle_t *)&loop->prepare, closed_cb);
  uv_close((uv_handle_t *)&loop->check, closed_cb);
  uv_close((uv_handle_t *)&loop->rescue, closed_cb);
  ring_teardown(&loop->ring);
  buffer_ring_teardown(&loop->pool);
}

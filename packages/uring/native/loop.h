/* One ring per Node event loop (per Node-API environment: the main thread
 * and each worker get their own), wired into libuv: a uv_poll_t on the
 * ring's eventfd reaps completions, uv_prepare_t/uv_check_t flush the
 * batch of submissions once per loop turn. */
#ifndef IOMODELS_LOOP_H
#define IOMODELS_LOOP_H

#define NAPI_VERSION 8
#include <node_api.h>
#include <uv.h>

#include "buffer-ring.h"
#include "ring.h"

struct uring_loop {
  napi_env env;
  struct ring ring;
  struct buffer_ring pool; /* for multishot recv; entries NULL until provided */
  napi_ref pool_ref;       /* the pool's memory, a JS ArrayBuffer view */
  int open;
  uv_poll_t poll;
  uv_prepare_t prepare; /* flushes what timers/immediates queued, before the loop blocks */
  uv_check_t check;     /* flushes what completion callbacks queued, right after them */
  uv_timer_t rescue;    /* while work is in flight: reaps CQEs no eventfd signal announced */
  int handles_open;     /* handles not yet closed; the struct is freed at 0 */
  napi_ref callback;    /* onComplete(count) */
  napi_ref results_ref; /* the Int32Array completions are copied into */
  int32_t *results;
  unsigned capacity; /* completions the array holds */
  napi_async_context async;
  /* Operations whose final CQE has not come (a multishot accept counts
   * once): the poll handle keeps the process alive only while this is > 0. */
  uint64_t inflight;
  int poll_referenced;
  uint64_t callbacks; /* JS calls made with completions */
  uint64_t rescued;   /* rescue-timer ticks that found completions waiting unannounced */
};

int loop_open(struct uring_loop *loop, napi_env env, napi_value callback, napi_value results,
              unsigned sq_entries, unsigned cq_entries);
void loop_close(struct uring_loop *loop, int env_alive);
/* Counts one more operation in flight (keeps the loop alive). */
void loop_started(struct uring_loop *loop);

#endif

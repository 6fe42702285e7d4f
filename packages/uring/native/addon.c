/* The Node-API surface: open/close the ring of this event loop, queue
 * operations (each returns 0 or -errno at once and completes later through
 * onComplete), flush, counters, a probe for the loader, and listen. Only
 * Node-API (ABI-stable across Node 20 and 24) and libuv's stable v1 ABI. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "listen.h"
#include "loop.h"
#include "socket-options.h"

#define SQ_ENTRIES 1024
#define CQ_ENTRIES 8192

/* Opcodes the backend cannot do without: every one arrived by Linux 5.11. */
static const int REQUIRED_OPS[] = {IORING_OP_ACCEPT, IORING_OP_RECV,         IORING_OP_SEND,
                                   IORING_OP_CLOSE,  IORING_OP_ASYNC_CANCEL, IORING_OP_SHUTDOWN};
#define REQUIRED_COUNT ((int)(sizeof REQUIRED_OPS / sizeof REQUIRED_OPS[0]))

static struct uring_loop *current(napi_env env) {
  void *data = NULL;
  napi_get_instance_data(env, &data);
  struct uring_loop *loop = data;
  return loop && loop->open ? loop : NULL;
}

static napi_value int_value(napi_env env, int64_t n) {
  napi_value v;
  napi_create_int64(env, n, &v);
  return v;
}

static void set_int(napi_env env, napi_value object, const char *key, int64_t n) {
  napi_set_named_property(env, object, key, int_value(env, n));
}

static int32_t arg_i32(napi_env env, napi_value v) {
  int32_t n = 0;
  napi_get_value_int32(env, v, &n);
  return n;
}

/* Reads up to 6 arguments; returns the ring, or NULL when this loop has none. */
static struct uring_loop *args(napi_env env, napi_callback_info info, napi_value *argv) {
  size_t argc = 6;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  return current(env);
}

/* A fresh SQE tagged with the caller's id, or NULL (no ring, queue full). */
static struct io_uring_sqe *sqe_for(struct uring_loop *loop, uint8_t opcode, int fd, int32_t id) {
  if (!loop) return NULL;
  struct io_uring_sqe *sqe = ring_get_sqe(&loop->ring);
  if (!sqe) return NULL;
  sqe->opcode = opcode;
  sqe->fd = fd;
  sqe->user_data = (uint32_t)id;
  loop_started(loop);
  return sqe;
}

static napi_value queued(napi_env env, struct io_uring_sqe *sqe, struct uring_loop *loop) {
  return int_value(env, sqe ? 0 : loop ? -EBUSY : -EBADF);
}

/* accept(listenFd, id, multishot): one CQE per connection while F_MORE is set. */
static napi_value js_accept(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  struct uring_loop *loop = args(env, info, argv);
  bool multishot = false;
  napi_get_value_bool(env, argv[2], &multishot);
  struct io_uring_sqe *sqe =
      sqe_for(loop, IORING_OP_ACCEPT, arg_i32(env, argv[0]), arg_i32(env, argv[1]));
  if (sqe) {
    sqe->accept_flags = SOCK_CLOEXEC;
    if (multishot) sqe->ioprio |= IORING_ACCEPT_MULTISHOT;
  }
  return queued(env, sqe, loop);
}

/* recv/send(fd, buffer, offset, length, id): the buffer's memory is handed to
 * the kernel; the JS side keeps the buffer referenced until the completion. */
static napi_value buffer_op(napi_env env, napi_callback_info info, uint8_t opcode) {
  napi_value argv[6];
  struct uring_loop *loop = args(env, info, argv);
  napi_typedarray_type type;
  size_t length;
  void *data;
  if (napi_get_typedarray_info(env, argv[1], &type, &length, &data, NULL, NULL) != napi_ok ||
      type != napi_uint8_array)
    return int_value(env, -EINVAL);
  int32_t offset = arg_i32(env, argv[2]);
  int32_t count = arg_i32(env, argv[3]);
  if (offset < 0 || count < 0 || (size_t)offset + (size_t)count > length)
    return int_value(env, -EFAULT);
  struct io_uring_sqe *sqe = sqe_for(loop, opcode, arg_i32(env, argv[0]), arg_i32(env, argv[4]));
  if (sqe) {
    sqe->addr = (uint64_t)(uintptr_t)((char *)data + offset);
    sqe->len = (uint32_t)count;
    if (opcode == IORING_OP_SEND) sqe->msg_flags = MSG_NOSIGNAL;
  }
  return queued(env, sqe, loop);
}

/* provideBuffers(pool Uint8Array, size, count) → 0 or -errno: registers the
 * pool as this loop's buffer ring (group 0), once; the JS side keeps `pool`
 * referenced too (the kernel writes into it). */
static napi_value js_provide_buffers(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  struct uring_loop *loop = args(env, info, argv);
  if (!loop) return int_value(env, -EBADF);
  if (loop->pool.entries) return int_value(env, -EEXIST);
  napi_typedarray_type type;
  size_t length;
  void *data;
  if (napi_get_typedarray_info(env, argv[0], &type, &length, &data, NULL, NULL) != napi_ok ||
      type != napi_uint8_array)
    return int_value(env, -EINVAL);
  int32_t size = arg_i32(env, argv[1]);
  int32_t count = arg_i32(env, argv[2]);
  if (size <= 0 || count <= 0 || (size_t)size * (size_t)count > length)
    return int_value(env, -EFAULT);
  int error = buffer_ring_setup(&loop->pool, &loop->ring, data, (unsigned)size, (unsigned)count, 0);
  if (error == 0) napi_create_reference(env, argv[0], 1, &loop->pool_ref);
  return int_value(env, error);
}

/* recvMultishot(fd, id): one recv that completes once per arrival, each
 * time into a buffer of the pool (CQE flags: F_BUFFER, the id << 16), until
 * FIN, an error, cancel, or an empty pool (-ENOBUFS) ends it. */
static napi_value js_recv_multishot(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  struct uring_loop *loop = args(env, info, argv);
  if (loop && !loop->pool.entries) return int_value(env, -ENOBUFS);
  struct io_uring_sqe *sqe =
      sqe_for(loop, IORING_OP_RECV, arg_i32(env, argv[0]), arg_i32(env, argv[1]));
  if (sqe) {
    sqe->ioprio |= IORING_RECV_MULTISHOT;
    sqe->flags |= IOSQE_BUFFER_SELECT;
    sqe->buf_group = loop->pool.group;
  }
  return queued(env, sqe, loop);
}

/* recycle(bufferId): hands a pool buffer back to the kernel (no syscall). */
static napi_value js_recycle(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  struct uring_loop *loop = args(env, info, argv);
  if (loop) buffer_ring_recycle(&loop->pool, (unsigned)arg_i32(env, argv[0]));
  return NULL;
}

static napi_value js_recv(napi_env env, napi_callback_info info) {
  return buffer_op(env, info, IORING_OP_RECV);
}

static napi_value js_send(napi_env env, napi_callback_info info) {
  return buffer_op(env, info, IORING_OP_SEND);
}

/* shutdown(fd, how, id) with how = SHUT_RD 0 / SHUT_WR 1 / SHUT_RDWR 2. */
static napi_value js_shutdown(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  struct uring_loop *loop = args(env, info, argv);
  struct io_uring_sqe *sqe =
      sqe_for(loop, IORING_OP_SHUTDOWN, arg_i32(env, argv[0]), arg_i32(env, argv[2]));
  if (sqe) sqe->len = (uint32_t)arg_i32(env, argv[1]);
  return queued(env, sqe, loop);
}

static napi_value js_close(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  struct uring_loop *loop = args(env, info, argv);
  return queued(env, sqe_for(loop, IORING_OP_CLOSE, arg_i32(env, argv[0]), arg_i32(env, argv[1])),
                loop);
}

/* cancel(targetId, id): the target completes with -ECANCELED (or ends
 * normally if it won the race); this operation with 0, -ENOENT or -EALREADY. */
static napi_value js_cancel(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  struct uring_loop *loop = args(env, info, argv);
  struct io_uring_sqe *sqe = sqe_for(loop, IORING_OP_ASYNC_CANCEL, -1, arg_i32(env, argv[1]));
  if (sqe) sqe->addr = (uint32_t)arg_i32(env, argv[0]);
  return queued(env, sqe, loop);
}

static napi_value js_flush(napi_env env, napi_callback_info info) {
  (void)info;
  struct uring_loop *loop = current(env);
  return int_value(env, loop ? ring_flush(&loop->ring) : -EBADF);
}

static napi_value js_stats(napi_env env, napi_callback_info info) {
  (void)info;
  struct uring_loop *loop = current(env);
  napi_value out;
  napi_create_object(env, &out);
  if (!loop) return out;
  set_int(env, out, "enters", (int64_t)loop->ring.enters);
  set_int(env, out, "submitted", (int64_t)loop->ring.submitted);
  set_int(env, out, "reaped", (int64_t)loop->ring.reaped);
  set_int(env, out, "callbacks", (int64_t)loop->callbacks);
  set_int(env, out, "inflight", (int64_t)loop->inflight);
  set_int(env, out, "rescued", (int64_t)loop->rescued);
  return out;
}

static void cleanup_hook(void *data) {
  struct uring_loop *loop = data;
  if (loop) loop_close(loop, 0);
}

/* open(onComplete, results Int32Array): this loop's ring; returns its facts
 * or -errno (the ring of a loop is opened once). */
static napi_value js_open(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  if (args(env, info, argv)) return int_value(env, -EEXIST);
  struct uring_loop *loop = calloc(1, sizeof *loop);
  if (!loop) return int_value(env, -ENOMEM);
  int error = loop_open(loop, env, argv[0], argv[1], SQ_ENTRIES, CQ_ENTRIES);
  if (error < 0) {
    free(loop);
    return int_value(env, error);
  }
  napi_set_instance_data(env, loop, NULL, NULL);
  napi_add_env_cleanup_hook(env, cleanup_hook, loop);
  napi_value out;
  napi_create_object(env, &out);
  set_int(env, out, "sqEntries", loop->ring.sq_entries);
  set_int(env, out, "cqEntries", loop->ring.cq_entries);
  set_int(env, out, "features", loop->ring.features);
  /* IORING_OP_SOCKET and multishot accept both arrived in Linux 5.19. */
  napi_value multishot;
  napi_get_boolean(env, ring_has_op(&loop->ring, IORING_OP_SOCKET), &multishot);
  napi_set_named_property(env, out, "multishotAccept", multishot);
  /* Multishot recv arrived in 6.0, with IORING_OP_SEND_ZC. */
  napi_value recv_multishot;
  napi_get_boolean(env, ring_has_op(&loop->ring, IORING_OP_SEND_ZC), &recv_multishot);
  napi_set_named_property(env, out, "multishotRecv", recv_multishot);
  return out;
}

static napi_value js_close_ring(napi_env env, napi_callback_info info) {
  (void)info;
  void *data = NULL;
  napi_get_instance_data(env, &data);
  if (!data) return int_value(env, -EBADF);
  napi_remove_env_cleanup_hook(env, cleanup_hook, data);
  napi_set_instance_data(env, NULL, NULL, NULL);
  loop_close(data, 1);
  return int_value(env, 0);
}

/* probe(): 0, -errno from io_uring_setup (ENOSYS: no io_uring; EPERM:
 * io_uring_disabled or a seccomp filter), or 1000 + the first missing opcode. */
static napi_value js_probe(napi_env env, napi_callback_info info) {
  (void)info;
  struct ring ring;
  int error = ring_setup(&ring, 4, 8);
  if (error < 0) return int_value(env, error);
  int missing = ring_probe(&ring, REQUIRED_OPS, REQUIRED_COUNT);
  ring_teardown(&ring);
  return int_value(env, missing > 0 ? 1000 + missing - 1 : missing);
}

/* listen(host, port, backlog) → [fd, port] or -errno. */
static napi_value js_listen(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  args(env, info, argv);
  char host[64];
  size_t len = 0;
  if (napi_get_value_string_utf8(env, argv[0], host, sizeof host, &len) != napi_ok)
    return int_value(env, -EINVAL);
  int port = 0;
  int fd = uring_listen(host, arg_i32(env, argv[1]), arg_i32(env, argv[2]), &port);
  if (fd < 0) return int_value(env, fd);
  napi_value out;
  napi_create_array_with_length(env, 2, &out);
  napi_set_element(env, out, 0, int_value(env, fd));
  napi_set_element(env, out, 1, int_value(env, port));
  return out;
}

/* sockopt(fd, which, value) → 0 or -errno (see socket-options.h). */
static napi_value js_sockopt(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  args(env, info, argv);
  return int_value(
      env, uring_sockopt(arg_i32(env, argv[0]), arg_i32(env, argv[1]), arg_i32(env, argv[2])));
}

/* dup(fd) → a close-on-exec duplicate, or -errno. */
static napi_value js_dup(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  args(env, info, argv);
  return int_value(env, uring_dup(arg_i32(env, argv[0])));
}

/* address(fd, peer) → [host, port, family 4|6] or -errno. */
static napi_value js_address(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  args(env, info, argv);
  bool peer = false;
  napi_get_value_bool(env, argv[1], &peer);
  char host[64];
  int port = 0, family = 0;
  int error = uring_address(arg_i32(env, argv[0]), peer, host, sizeof host, &port, &family);
  if (error < 0) return int_value(env, error);
  napi_value out, text;
  napi_create_array_with_length(env, 3, &out);
  napi_create_string_utf8(env, host, NAPI_AUTO_LENGTH, &text);
  napi_set_element(env, out, 0, text);
  napi_set_element(env, out, 1, int_value(env, port));
  napi_set_element(env, out, 2, int_value(env, family));
  return out;
}

#define METHOD(name, fn) {name, NULL, fn, NULL, NULL, NULL, napi_default, NULL}

NAPI_MODULE_INIT() {
  const napi_property_descriptor methods[] = {
      METHOD("open", js_open),
      METHOD("closeRing", js_close_ring),
      METHOD("accept", js_accept),
      METHOD("recv", js_recv),
      METHOD("recvMultishot", js_recv_multishot),
      METHOD("provideBuffers", js_provide_buffers),
      METHOD("recycle", js_recycle),
      METHOD("send", js_send),
      METHOD("shutdown", js_shutdown),
      METHOD("close", js_close),
      METHOD("cancel", js_cancel),
      METHOD("flush", js_flush),
      METHOD("stats", js_stats),
      METHOD("probe", js_probe),
      METHOD("listen", js_listen),
      METHOD("sockopt", js_sockopt),
      METHOD("address", js_address),
      METHOD("dup", js_dup),
  };
  napi_define_properties(env, exports, sizeof methods / sizeof methods[0], methods);
  return exports;
}

// read(2) and write(2) on a blocking descriptor, as two Node-API functions:
// what a blocking handler's recv and sendall do on every message, without
// the layers of Node's fs binding in between (its argument checks, a libuv
// fs request, trace-category lookups). Both return the byte count, or
// -errno; the caller turns that into the error fs would have thrown.
// EINTR is retried here, as libuv's fs functions do.
#include <errno.h>
#include <node_api.h>
#include <stdint.h>
#include <unistd.h>

/** (fd, uint8array, offset, length): offset and length already checked by the caller. */
static napi_value transfer(napi_env env, napi_callback_info info, int writing) {
  size_t argc = 4;
  napi_value argv[4];
  int32_t fd = -1, offset = 0, length = 0;
  void *data = NULL;
  size_t elements = 0;
  napi_value result;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 4 ||
      napi_get_value_int32(env, argv[0], &fd) != napi_ok ||
      napi_get_typedarray_info(env, argv[1], NULL, &elements, &data, NULL, NULL) != napi_ok ||
      napi_get_value_int32(env, argv[2], &offset) != napi_ok ||
      napi_get_value_int32(env, argv[3], &length) != napi_ok || offset < 0 || length < 0 ||
      (size_t)offset + (size_t)length > elements) {
    napi_throw_type_error(env, NULL, "expected (fd, Uint8Array, offset, length) within the array");
    return NULL;
  }
  ssize_t n;
  do {
    n = writing ? write(fd, (char *)data + offset, (size_t)length)
                : read(fd, (char *)data + offset, (size_t)length);
  } while (n < 0 && errno == EINTR);
  napi_create_int32(env, n < 0 ? -errno : (int32_t)n, &result);
  return result;
}

static napi_value read_descriptor(napi_env env, napi_callback_info info) {
  return transfer(env, info, 0);
}

static napi_value write_descriptor(napi_env env, napi_callback_info info) {
  return transfer(env, info, 1);
}

NAPI_MODULE_INIT() {
  napi_property_descriptor functions[] = {
      {"read", NULL, read_descriptor, NULL, NULL, NULL, napi_default, NULL},
      {"write", NULL, write_descriptor, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, 2, functions);
  return exports;
}

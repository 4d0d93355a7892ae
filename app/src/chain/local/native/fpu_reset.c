/*
 * fpu_reset.node: one N-API function, reset(), that empties the x87 register
 * stack (fninit). LiteSVM 0.8's addon returns from executing an SBPF `callx`
 * with x87 registers still marked in use (tag word 0x0156 instead of 0xffff;
 * docs/build.md). Everything after it in the process that computes with x87,
 * such as glibc's fmod behind JS `%` on large numbers (bn.js prints u64s that
 * way) and libstdc++'s long-double hash-table sizing inside V8, then gets NaN.
 * The x86-64 ABI requires an empty x87 stack at every call boundary, so
 * resetting it between calls into LiteSVM takes nothing from anyone.
 * Built by scripts/setup.sh into target/native/fpu_reset.node.
 */
#include <node_api.h>

static napi_value reset(napi_env env, napi_callback_info info) {
  (void)info;
#if defined(__x86_64__) || defined(__i386__)
  __asm__ volatile("fninit");
#endif
  napi_value undefined;
  napi_get_undefined(env, &undefined);
  return undefined;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "reset", NAPI_AUTO_LENGTH, reset, NULL, &fn);
  napi_set_named_property(env, exports, "reset", fn);
  return exports;
}

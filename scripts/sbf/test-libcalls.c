/* Host check of libcalls.ll: the same IR, renamed t__*, compiled for x86-64
 * (where i128 also travels as a register pair) against the C compiler's own
 * 128-bit arithmetic on edge values and a pseudo-random sweep. */
#include <stdio.h>
#include <stdint.h>
#include <string.h>
/* The SVM's memory syscalls, played by libc, so the mem* wrappers link and run. */
void sol_memcpy_(void *d, const void *s, uint64_t n) { memcpy(d, s, n); }
void sol_memmove_(void *d, const void *s, uint64_t n) { memmove(d, s, n); }
void sol_memset_(void *d, uint64_t c, uint64_t n) { memset(d, (int)c, n); }
void sol_memcmp_(const void *a, const void *b, uint64_t n, int32_t *r) { int c = memcmp(a, b, n); *r = c < 0 ? -1 : c > 0; }
void *t_memcpy(void *, const void *, uint64_t); void *t_memmove(void *, const void *, uint64_t);
void *t_memset(void *, int, uint64_t); int t_memcmp(const void *, const void *, uint64_t);
typedef __int128 i128; typedef unsigned __int128 u128;
u128 t__multi3(u128, u128); u128 t__udivti3(u128, u128); u128 t__umodti3(u128, u128);
i128 t__divti3(i128, i128); i128 t__modti3(i128, i128);
static uint64_t s = 0x9E3779B97F4A7C15u;
static uint64_t next(void) { s ^= s << 13; s ^= s >> 7; s ^= s << 17; return s; }
static u128 pick(int k) {
  u128 edges[] = {0, 1, 2, 3, 0xFFFFFFFFu, (u128)1 << 63, ~(u128)0 >> 64, (u128)1 << 64,
                  ~(u128)0, ~(u128)0 >> 1, ((u128)1 << 127), 1000000, 6960};
  int n = sizeof edges / sizeof edges[0];
  if (k < n * n) return edges[k % n];
  u128 v = ((u128)next() << 64) | next();
  return v >> (next() % 128);
}
int main(void) {
  long fails = 0, checks = 0;
  for (int k = 0; k < 200000; k++) {
    u128 a = pick(k), b = pick(k / 13 + 7 * k);
    checks++; if (t__multi3(a, b) != a * b) fails++;
    if (b) {
      checks += 2; if (t__udivti3(a, b) != a / b) fails++; if (t__umodti3(a, b) != a % b) fails++;
      i128 sa = (i128)a, sb = (i128)b;
      if (!(sa == ((i128)1 << 127) && sb == -1)) {
        checks += 2; if (t__divti3(sa, sb) != sa / sb) fails++; if (t__modti3(sa, sb) != sa % sb) fails++;
      }
    }
  }
  char x[16] = "abcdefghijklmno", y[16] = {0};
  checks += 4;
  if (t_memcpy(y, x, 16) != y || memcmp(x, y, 16)) fails++;
  if (t_memset(y, 0x141, 4) != y || y[0] != 0x41 || y[3] != 0x41 || y[4] != 'e') fails++;
  if (t_memmove(x + 1, x, 8) != x + 1 || x[1] != 'a' || x[8] != 'h') fails++;
  if (t_memcmp("abc", "abd", 3) >= 0 || t_memcmp("abc", "abc", 3) != 0) fails++;
  printf("libcalls: %ld checks, %ld failures\n", checks, fails);
  return fails != 0;
}

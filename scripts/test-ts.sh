#!/usr/bin/env bash
# npm run test:ts: every TypeScript suite, without building, in two processes:
# the LiteSVM suites (and those that need no runtime), then the bankrun suites.
# Why two: a solana-bankrun chain leaves its bank's background threads running
# until the process exits (about seven per chain; they are not freed when the
# chain is collected), and hundreds of them slow every later test — the
# 1,000-sequence property test took 159 s after the bankrun suites instead of
# 45 s. RUNTIME=litesvm or RUNTIME=bankrun runs one of the two.
set -uo pipefail
cd "$(dirname "$0")/.."
mocha() {
  node --no-allocation-site-pretenuring node_modules/.bin/mocha -r ts-node/register/transpile-only \
    --timeout 120000 'tests/**/*.test.ts' "$@"
}
status=0
case "${RUNTIME:-both}" in
  litesvm) RUNTIME=litesvm mocha || status=$? ;;
  bankrun) RUNTIME=bankrun mocha --grep '\[bankrun\]' || status=$? ;;
  both)
    RUNTIME=litesvm mocha || status=$?
    RUNTIME=bankrun mocha --grep '\[bankrun\]' || { rc=$?; [ "$status" -ne 0 ] || status=$rc; }
    ;;
  *) echo "RUNTIME must be litesvm, bankrun or both (got \"$RUNTIME\")" >&2; exit 2 ;;
esac
exit "$status"

# Shared settings for the SBF build pipeline. Sourced, never run.
# Everything heavy lives in $CACHE (outside the repository) so a second build
# on the same machine reinstalls nothing. Clear it with: rm -rf "$CACHE".
CACHE=${SESSION_KEYS_CACHE:-$HOME/.cache/session-keys}
SID=$CACHE/sid                    # Debian sid root: LLVM 23, rustc 1.97, rust-src
LLVM_PKG=llvm-23
# platform_tools: Solana's platform-tools (anchor, cargo-build-sbf) are installed
# and SESSION_KEYS_PIPELINE=upstream does not ask for the upstream pipeline.
platform_tools() {
  [ "${SESSION_KEYS_PIPELINE:-}" != upstream ] && command -v anchor >/dev/null && command -v cargo-build-sbf >/dev/null
}
# log MSG: a stage line, with the wall clock and the time since the build
# started (SESSION_KEYS_BUILD_START, seconds since the epoch, set by build.sh).
log() {
  local since=""
  [ -z "${SESSION_KEYS_BUILD_START:-}" ] || since=" +$(( $(date +%s) - SESSION_KEYS_BUILD_START )) s"
  printf '[sbf %(%H:%M:%S)T%s] %s\n' -1 "$since" "$*" >&2
}
die() { log "error: $*"; exit 1; }

# toolchain_cached: the sid root and sbpf-linker are built (a first build takes minutes).
toolchain_cached() { [ -x "$SID/opt/sbf/bin/sbpf-linker" ]; }

# sid_run DIR CMD…: runs CMD (a bash script string) inside the sid root with /proc,
# /dev and DIR bind-mounted at the same absolute path, in a private mount namespace
# so nothing stays mounted when it returns.
sid_run() {
  local dir=$1; shift
  unshare --mount --propagation private bash -euc '
    sid=$1 dir=$2; shift 2
    mount -t proc proc "$sid/proc"
    mount --rbind /dev "$sid/dev"
    mkdir -p "$sid$dir" && mount --bind "$dir" "$sid$dir"
    cp /etc/resolv.conf "$sid/etc/resolv.conf"
    # The host may reach the registries through a TLS-inspecting proxy: trust what the host trusts.
    cp "${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}" "$sid/etc/ssl/certs/host-ca-bundle.crt"
    exec chroot "$sid" env -i HOME=/root PATH=/opt/sbf/bin:/usr/lib/llvm-23/bin:/usr/bin:/bin \
      LLVM_SYS_230_PREFIX=/usr/lib/llvm-23 CARGO_HOME=/root/.cargo CARGO_TERM_COLOR=never \
      SSL_CERT_FILE=/etc/ssl/certs/host-ca-bundle.crt CARGO_HTTP_CAINFO=/etc/ssl/certs/host-ca-bundle.crt \
      bash -euc "cd \"$dir\"; $1"
  ' sid_run "$SID" "$dir" "$@"
}

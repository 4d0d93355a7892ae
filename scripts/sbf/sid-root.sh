#!/usr/bin/env bash
# Creates (once) a Debian sid root under $CACHE/sid holding LLVM 23, rustc/cargo
# 1.97 and rust-src: the only registry-reachable toolchain whose LLVM accepts
# what Solana programs compile to (see docs/build.md). Idempotent: a finished
# root is marked by $SID/.ready and reused.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"

packages=(llvm-23 llvm-23-dev llvm-23-tools libpolly-23-dev libzstd-dev zlib1g-dev libffi-dev libxml2-dev
          clang-23 rustc cargo rust-src binutils ca-certificates gcc libc6-dev pkg-config git)
stamp="$SID/.ready"
want="${packages[*]}"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then python3 "$here/patch-std.py" "$SID"; exit 0; fi

[ "$(id -u)" = 0 ] || die "creating the sid root needs root (debootstrap, chroot)"
command -v debootstrap >/dev/null || { log "installing debootstrap"; apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null; }

mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v -E 'security|nodesource|google' | head -1)
[ -n "$mirror" ] || mirror=$(awk '/^deb / && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null)
[ -n "$mirror" ] || die "no Debian mirror found in apt's sources"

if [ ! -x "$SID/usr/bin/apt-get" ]; then
  log "debootstrap sid into $SID (from $mirror)"
  rm -rf "$SID"; mkdir -p "$CACHE"
  debootstrap --variant=minbase --include=ca-certificates sid "$SID" "$mirror" >"$CACHE/debootstrap.log" 2>&1 \
    || { tail -20 "$CACHE/debootstrap.log" >&2; die "debootstrap failed"; }
fi
cp /etc/resolv.conf "$SID/etc/resolv.conf"
log "installing ${packages[*]} in the sid root"
# The archive's sid Release file can be served past its validity date.
chroot "$SID" env DEBIAN_FRONTEND=noninteractive bash -c "
  apt-get -o Acquire::Check-Valid-Until=false update -qq &&
  apt-get install -y -qq --no-install-recommends $want" >"$CACHE/sid-apt.log" 2>&1 \
  || { tail -20 "$CACHE/sid-apt.log" >&2; die "apt-get in the sid root failed"; }
python3 "$here/patch-std.py" "$SID"
echo "$want" > "$stamp"
log "sid root ready"

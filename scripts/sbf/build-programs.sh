#!/usr/bin/env bash
# Builds Solana programs of this workspace into SBPF v0 .so files without
# platform-tools: Debian sid's rustc 1.97 + build-std compiles everything to
# LLVM bitcode for a bpf target whose OS std knows (zkvm), LLVM 23 generates
# the code and sbpf-linker relinks it into an SBPF v0 ELF. docs/build.md
# explains every step. Usage: build-programs.sh CRATE… (cargo package names).
# SBPF_LINK_KEEP (a folder inside the repository) keeps the linker's LLVM
# module there (npm run size).
# SBF_CARGO_FLAGS (extra cargo flags, e.g. --features or --no-default-features)
# and SBF_DEPLOY_DIR (default target/deploy) build a variant elsewhere: the
# probe build of `npm run bench:probes`, the Anchor-entrypoint build of `npm test`.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"
repo=$(cd "$here/../.." && pwd)
[ $# -gt 0 ] || die "usage: build-programs.sh CRATE…"

bash "$here/sid-root.sh"
bash "$here/sbpf-linker.sh"
install -D -m 755 "$here/sbpf-link" "$SID/opt/sbf/bin/sbpf-link"
install -D -m 644 "$here/libcalls.ll" "$SID/opt/sbf/lib/libcalls.ll"
install -D -m 644 "$here/cold-errors-pass/prefixes" "$SID/opt/sbf/lib/cold-prefixes"
# The LLVM pass plugins sbpf-link loads (scripts/sbf/*-pass/*.cpp). -C keeps an
# unchanged source's time, so a plugin is compiled again only when its source changed.
plugins=()
for src in "$here"/*-pass/*.cpp; do
  plugins+=("$(basename "$src" .cpp)")
  install -C -D -m 644 "$src" "$SID/opt/sbf/src/${plugins[-1]}.cpp"
done

# --cfg target_os="solana": the Solana crates pick their on-chain code paths
#   (syscalls, entrypoint, allocator) with it; std itself never tests it.
# -Cpanic=immediate-abort: SBPF has no writable statics, and std's panic
#   machinery keeps a panic counter and hook in .bss; a panic aborts instead.
# -C passes=lower-atomic: the program is single-threaded; LLVM's BPF backend
#   cannot select std's byte-sized atomic swaps.
rustflags=(--cfg 'target_os="solana"' -A explicit_builtin_cfgs_in_flags
           -Zunstable-options -Cpanic=immediate-abort -C passes=lower-atomic)
encoded=$(printf '%s\x1f' "${rustflags[@]}"); encoded=${encoded%$'\x1f'}
packages=$(printf -- ' -p %s' "$@")
flags=${SBF_CARGO_FLAGS:-}

# std for SBPF is compiled by cargo's build-std together with the programs;
# the first build into target/sbpf spends most of its time there. cargo does
# not notice a std source patch-std.py edited: a std built before the
# current patches is removed.
patches=$(cat "$SID/usr/src/sbf-std-patches")
if [ -d "$repo/target/sbpf" ] && [ "$(cat "$repo/target/sbpf/std-patches" 2>/dev/null)" != "$patches" ]; then
  log "std patches changed ($patches): removing the std built before them"
  rm -rf "$repo/target/sbpf"
fi
if compgen -G "$repo/target/sbpf/sbpf-solana/release/deps/libstd-*.rlib" >/dev/null; then
  log "compiling$packages for SBPF v0"
else
  log "compiling std for SBPF (build-std, first build of this checkout) and$packages for SBPF v0"
fi
start=$SECONDS
sid_run "$repo" "
  llvm-as /opt/sbf/lib/libcalls.ll -o /opt/sbf/lib/libcalls.bc
  for p in ${plugins[*]}; do
    [ /opt/sbf/lib/lib\$p.so -nt /opt/sbf/src/\$p.cpp ] ||
      clang++-23 -shared -fPIC -O2 \$(llvm-config --cxxflags) /opt/sbf/src/\$p.cpp -o /opt/sbf/lib/lib\$p.so
  done
  export RUSTC_BOOTSTRAP=1 RUSTC_BOOTSTRAP_SYNTHETIC_TARGET=1
  export CARGO_ENCODED_RUSTFLAGS=\$(printf '%s' '$encoded')
  ${SBPF_LINK_KEEP:+export SBPF_LINK_KEEP=$SBPF_LINK_KEEP}
  cargo build --release --locked $packages $flags \
    -Zbuild-std=std,panic_abort -Zjson-target-spec \
    --target scripts/sbf/sbpf-solana.json --target-dir target/sbpf
" || die "cargo build for SBPF failed"
echo "$patches" > "$repo/target/sbpf/std-patches"
log "compiled in $((SECONDS - start)) s"

deploy=${SBF_DEPLOY_DIR:-$repo/target/deploy}
mkdir -p "$deploy"
for crate in "$@"; do
  lib=${crate//-/_}
  out="$deploy/$lib.so"
  cp "$repo/target/sbpf/sbpf-solana/release/lib$lib.so" "$out"
  python3 "$here/verify-frames.py" "$out" >&2
  log "$out: $(stat -c %s "$out") bytes"
done

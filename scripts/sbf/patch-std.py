"""Patches the sid root's rust-src where std cannot serve SBPF as it is.

1. sys/alloc/mod.rs: bpf has an 8-byte MIN_ALIGN. Without this one line std
   does not compile for the bpf arch on any OS (it has no branch for it).
2. hash/random.rs: on bpf, `RandomState::new` returns fixed keys. std keeps
   its keys in a thread-local, which is writable data, and SBPF v0 has none
   (the linker fails: "relocation target is not rodata or text"). Anchor 1.x
   builds a HashSet on-chain (its duplicate-mutable-account check). A program
   runs deterministically, on inputs every validator sees, so random keys
   would buy it nothing.

Idempotent; patches only the toolchain copy in the cache, never anything in
the repository. Writes the list of patches to usr/src/sbf-std-patches, which
scripts/sbf/build-programs.sh compares with the std it built last: cargo's
build-std does not notice an edited std source by itself.
"""
import glob
import os
import sys

root = sys.argv[1]
PATCHES = "min-align random-keys"


def patch(pattern, marker, anchor, replacement):
    paths = glob.glob(root + pattern)
    if not paths:
        sys.exit("patch-std: " + pattern + " not found under " + root)
    for path in paths:
        src = open(path).read()
        if marker in src:
            continue
        if anchor not in src:
            sys.exit("patch-std: unexpected layout of " + path + "; update scripts/sbf/patch-std.py")
        open(path, "w").write(src.replace(anchor, replacement, 1))
        print("patch-std: patched", path)


patch(
    "/usr/src/rustc-*/library/std/src/sys/alloc/mod.rs",
    'target_arch = "bpf"',
    '    target_arch = "xtensa",\n)) {\n    8',
    '    target_arch = "xtensa",\n    target_arch = "bpf",\n)) {\n    8',
)
patch(
    "/usr/src/rustc-*/library/std/src/hash/random.rs",
    "SBPF: no writable data",
    "        thread_local!(static KEYS: Cell<(u64, u64)> = {",
    "        // SBPF: no writable data for the thread-local below (scripts/sbf/patch-std.py)\n"
    '        #[cfg(target_arch = "bpf")]\n'
    "        return RandomState { k0: 0x736f6d6570736575, k1: 0x646f72616e646f6d };\n"
    "        thread_local!(static KEYS: Cell<(u64, u64)> = {",
)
stamp = root + "/usr/src/sbf-std-patches"
if not os.path.exists(stamp) or open(stamp).read() != PATCHES:
    open(stamp, "w").write(PATCHES)

"""Teaches the sid root's rust-src that bpf has an 8-byte MIN_ALIGN.

Without this one line std does not compile for the bpf arch on any OS
(sys/alloc/mod.rs has no branch for it). Idempotent; patches only the
toolchain copy in the cache, never anything in the repository.
"""
import glob
import sys

root = sys.argv[1]
paths = glob.glob(root + "/usr/src/rustc-*/library/std/src/sys/alloc/mod.rs")
if not paths:
    sys.exit("patch-std: rust-src not found under " + root)
for path in paths:
    src = open(path).read()
    if 'target_arch = "bpf"' in src:
        continue
    anchor = '    target_arch = "xtensa",\n)) {\n    8'
    if anchor not in src:
        sys.exit("patch-std: unexpected layout of " + path + "; update scripts/sbf/patch-std.py")
    src = src.replace(anchor, '    target_arch = "xtensa",\n    target_arch = "bpf",\n)) {\n    8', 1)
    open(path, "w").write(src)
    print("patch-std: patched", path)

"""Fails if an SBPF program still passes arguments on the stack.

A load or store at a positive offset from r10 reaches past the end of the
current frame: that is how sbpf-linker rewrites LLVM's stack-passed
arguments, and where the callee's frame starts depends on whether the SVM
leaves gaps between frames. sbf-stack-args (scripts/sbf/stack-args-pass)
removes all of them; this check proves it on the final bytes.

usage: verify-frames.py PROGRAM.so
"""
import struct
import sys

LDDW = 0x18   # the only 16-byte instruction
R10 = 10
LDX, ST, STX = 0x01, 0x02, 0x03


def executable_sections(elf):
    if elf[:4] != b"\x7fELF" or elf[4] != 2 or elf[5] != 1:
        sys.exit("verify-frames: not a little-endian ELF64 file")
    shoff, = struct.unpack_from("<Q", elf, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", elf, 0x3A)
    def header(i):
        return struct.unpack_from("<IIQQQQ", elf, shoff + i * shentsize)
    names = header(shstrndx)[4]
    for i in range(shnum):
        name, _type, flags, _addr, offset, size = header(i)
        if flags & 0x4:  # SHF_EXECINSTR
            yield elf[names + name:elf.index(b"\0", names + name)].decode(), offset, size


def main(path):
    elf = open(path, "rb").read()
    found = []
    for name, start, size in executable_sections(elf):
        pc = start
        while pc < start + size:
            opcode, regs, off = struct.unpack_from("<BBh", elf, pc)
            cls, dst, src = opcode & 0x07, regs & 0x0F, regs >> 4
            base = src if cls == LDX else dst
            if opcode != LDDW and cls in (LDX, ST, STX) and base == R10 and off > 0:
                found.append(f"{name}+{pc - start:#x}")
            pc += 16 if opcode == LDDW else 8
    if found:
        sys.exit(f"verify-frames: {path}: {len(found)} stack-argument accesses past r10, e.g. {found[:5]}")
    print(f"verify-frames: {path}: no stack-passed arguments")


if __name__ == "__main__":
    main(sys.argv[1])

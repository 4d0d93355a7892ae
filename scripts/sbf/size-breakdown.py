#!/usr/bin/env python3
"""Where a program's code goes: the bytes of SBF code of every function, per
crate and per part, beside the .so's section sizes. The sizes come from
`llvm-nm -P -S` of an object llc generates from the module sbpf-linker
generates the .so from (program.bc, kept by `SBPF_LINK_KEEP`); the .so itself
keeps no symbols. Usage: size-breakdown.py NM_LISTING SO [TOP]."""
import collections
import os
import re
import struct
import sys


def functions(nm_path):
    """{symbol: bytes} of every function in an `llvm-nm -P -S` listing."""
    sizes = {}
    with open(nm_path) as f:
        for line in f:
            fields = line.split()
            if len(fields) == 4 and fields[1] in "tTwW":
                sizes[fields[0]] = sizes.get(fields[0], 0) + int(fields[3], 16)
    return sizes


def identifiers(symbol):
    """The identifiers of a Rust v0 symbol, in order (`<len><ident>` runs), as a rough demangling."""
    # crate roots and impls carry a base-62 disambiguator (`Cs<hash>_`, `Ms<hash>_`, …): not identifiers
    symbol = re.sub(r"(?<=[CMXYN])s[0-9A-Za-z]*_", "", symbol)
    out, i = [], 0
    while i < len(symbol):
        m = re.compile(r"(\d+)").match(symbol, i)
        if m:
            n, start = int(m.group(1)), m.end()
            if start < len(symbol) and symbol[start] == "_":
                start += 1
            ident = symbol[start:start + n]
            if n and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", ident):
                out.append(ident)
                i = start + n
                continue
        i += 1
    return out


def crate(symbol):
    """The crate of a v0 symbol: the identifier after the first crate root (`Cs<hash>_`)."""
    m = re.search(r"Cs[0-9A-Za-z]*_(\d+)([A-Za-z_][A-Za-z0-9_]*)", symbol)
    if not m:
        return "(not Rust: runtime functions, the entrypoint)"
    return m.group(2)[: int(m.group(1))]


def sections(so_path):
    """{name: size} of the ELF's sections."""
    data = open(so_path, "rb").read()
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    headers = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
    strtab = headers[shstrndx]
    name = lambda off: data[strtab[4] + off:data.index(b"\0", strtab[4] + off)].decode()
    return {name(h[0]): h[5] for h in headers if h[5]}


def cold_prefixes():
    """The prefixes sbf-cold-errors marks (cold-errors-pass/prefixes), without the trailing `::`."""
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "cold-errors-pass", "prefixes")) as f:
        return tuple(line.strip().rstrip(":") for line in f if line.strip() and not line.startswith("#"))


def main():
    listing, so = sys.argv[1], sys.argv[2]
    top = int(sys.argv[3]) if len(sys.argv) > 3 else 25
    sizes = functions(listing)
    total = sum(sizes.values())
    secs = sections(so)
    print(f"# {so}: {sum(secs.values()):,} bytes in sections "
          + ", ".join(f"{n} {s:,}" for n, s in sorted(secs.items(), key=lambda x: -x[1])))
    print(f"\n{len(sizes)} functions, {total:,} bytes of code (llc of the module the .so is generated from)\n")
    print("| crate | bytes | share |\n|---|---:|---:|")
    by_crate = collections.Counter()
    for symbol, n in sizes.items():
        by_crate[crate(symbol)] += n
    for name, n in by_crate.most_common():
        print(f"| {name} | {n:,} | {100 * n / total:.1f} % |")
    groups = {
        "Anchor's IDL instructions (`__idl`)": lambda path: "__idl" in path,
        "error names (`…Error…::name`)": lambda path: re.search(r"Error(Code)?::name$", path) is not None,
        "account validation (`Accounts::try_accounts`)": lambda path: "Accounts" in path and "try_accounts" in path,
        "building and logging errors (marked cold by sbf-cold-errors)": lambda path: path.startswith(cold_prefixes()),
    }
    print("\n| part (across crates) | bytes | share |\n|---|---:|---:|")
    for label, test in groups.items():
        n = sum(c for symbol, c in sizes.items() if test("::".join(identifiers(symbol))))
        print(f"| {label} | {n:,} | {100 * n / total:.1f} % |")
    print(f"\n| function (largest {top}) | bytes |\n|---|---:|")
    for symbol, n in sorted(sizes.items(), key=lambda x: -x[1])[:top]:
        path = "::".join(identifiers(symbol)) or symbol
        print(f"| `{path[:110]}` | {n:,} |")


if __name__ == "__main__":
    main()

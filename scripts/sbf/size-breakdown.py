#!/usr/bin/env python3
"""Where a program's code goes: the instructions of the linker's optimised
LLVM module (post-opt.ll, kept by `SBPF_LINK_KEEP`), per function and per
crate, beside the .so's section sizes. LLVM IR instructions, not bytes: each
becomes one to a few SBF instructions (8 bytes each), so the shares are what
to cut first. Usage: size-breakdown.py POST_OPT_LL SO [TOP]."""
import collections
import re
import struct
import sys


def functions(ll_path):
    """{symbol: instruction count} of every function defined in the module."""
    sizes, current, count = {}, None, 0
    with open(ll_path) as f:
        for line in f:
            if line.startswith("define "):
                current, count = re.search(r'@("?[^"(]+"?)\(', line).group(1).strip('"'), 0
            elif current and line.startswith("}"):
                sizes[current] = count
                current = None
            elif current and line.startswith("  ") and not line.lstrip().startswith(";"):
                count += 1
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


def main():
    ll, so = sys.argv[1], sys.argv[2]
    top = int(sys.argv[3]) if len(sys.argv) > 3 else 25
    sizes = functions(ll)
    total = sum(sizes.values())
    secs = sections(so)
    print(f"# {so}: {sum(secs.values()):,} bytes in sections "
          + ", ".join(f"{n} {s:,}" for n, s in sorted(secs.items(), key=lambda x: -x[1])))
    print(f"\n{len(sizes)} functions, {total:,} LLVM instructions after the linker's optimisation (post-opt.ll)\n")
    print("| crate | instructions | share |\n|---|---:|---:|")
    by_crate = collections.Counter()
    for symbol, n in sizes.items():
        by_crate[crate(symbol)] += n
    for name, n in by_crate.most_common():
        print(f"| {name} | {n:,} | {100 * n / total:.1f} % |")
    groups = {
        "Anchor's IDL instructions (`__idl`)": lambda path: "__idl" in path,
        "error names (`…Error…::name`)": lambda path: re.search(r"Error(Code)?::name$", path) is not None,
        "account validation (`Accounts::try_accounts`)": lambda path: "Accounts" in path and "try_accounts" in path,
    }
    print("\n| part (across crates) | instructions | share |\n|---|---:|---:|")
    for label, test in groups.items():
        n = sum(c for symbol, c in sizes.items() if test("::".join(identifiers(symbol))))
        print(f"| {label} | {n:,} | {100 * n / total:.1f} % |")
    print(f"\n| function (largest {top}) | instructions |\n|---|---:|")
    for symbol, n in sorted(sizes.items(), key=lambda x: -x[1])[:top]:
        path = "::".join(identifiers(symbol)) or symbol
        print(f"| `{path[:110]}` | {n:,} |")


if __name__ == "__main__":
    main()

/**
 * A small, dependency-free argument parser for the API server and the deploy
 * script (the CLI uses commander): `pos1 --flag value --flag=value --switch`.
 * Unknown flags are errors, so a typo never silently falls back to a default.
 */
import { UsageError } from "./parse";

export interface ParsedArgs {
  positionals: string[];
  flags: Map<string, string>;
  switches: Set<string>;
}

export interface ArgSpec {
  /** Flags that take a value. */
  values: string[];
  /** Flags that take none. */
  switches?: string[];
  /** One-letter aliases (`-u` for `--url`), as the Solana CLI has them. */
  aliases?: Record<string, string>;
}

export function parseArgs(argv: string[], spec: ArgSpec): ParsedArgs {
  const values = new Set(spec.values);
  const switchNames = new Set(spec.switches ?? []);
  const out: ParsedArgs = { positionals: [], flags: new Map(), switches: new Set() };
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    const alias = /^-([A-Za-z])$/.exec(arg);
    if (alias) {
      const long = spec.aliases?.[alias[1]];
      if (!long) throw new UsageError(`unknown option ${arg}`);
      arg = `--${long}`;
    }
    if (arg === "--") {
      out.positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith("--")) {
      out.positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (switchNames.has(name)) {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      out.switches.add(name);
    } else if (values.has(name)) {
      const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined || (eq < 0 && value.startsWith("--"))) throw new UsageError(`--${name} needs a value`);
      if (out.flags.has(name)) throw new UsageError(`--${name} given twice`);
      out.flags.set(name, value);
    } else {
      throw new UsageError(`unknown option --${name}`);
    }
  }
  return out;
}

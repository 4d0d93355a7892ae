/**
 * session-keys CLI. JSON on stdout; on failure a JSON error on stderr
 * (`{"error": "<exact name>", …}`) and a non-zero exit: 1 for a rejected
 * transaction, 2 for bad usage.
 *
 *   npm run cli -- local-init --local state.json --authority owner.json
 *   npm run cli -- init-policy --local state.json --dwallet <addr> --init-authority owner.json --admin <pubkey>
 *   npm run cli -- create --local state.json --admin admin.json --delegate <pk> --expires-in 1000 --max-uses 10 --max-amount 1000 --programs <id> [--yes]
 *   npm run cli -- -u devnet -k ~/.config/solana/id.json inspect <dwallet> --init-authority <pk>
 *
 * Run under `node --no-allocation-site-pretenuring` (npm run cli does): LiteSVM needs it.
 */
import { parseArgs } from "../shell/args";
import { COMMANDS, CommandFailure } from "./commands";
import { GLOBAL_ALIASES, GLOBAL_FLAGS, openContext } from "./context";
import { lockStateFile } from "./local-state";
import { toJson } from "../shell/format";
import { UsageError } from "../shell/parse";

export interface RunResult { code: number; stdout: string; stderr: string }

export function usage(): string {
  return [
    "usage: session-keys <command> [options]   (global, before or after the command: --local <state.json> | -u/--url <rpc|m|d|t|l> [-k/--keypair <file>, default the Solana CLI's])",
    "policy selection (where a command needs one): --policy <address> | --dwallet <address> --init-authority <pubkey>; with --local, default = last init-policy",
    ...Object.values(COMMANDS).map((c) => `  ${c.usage}`),
  ].join("\n");
}

/** Runs one command; never throws and never exits (so tests can call it in-process). */
export async function run(argv: string[]): Promise<RunResult> {
  const at = commandIndex(argv);
  const name = at < 0 ? undefined : argv[at];
  const wantsHelp = argv.includes("--help") || argv.includes("-h");
  if (name === undefined || name === "help") {
    const ok = name !== undefined || wantsHelp;
    return { code: ok ? 0 : 2, stdout: ok ? usage() + "\n" : "", stderr: ok ? "" : usage() + "\n" };
  }
  const command = COMMANDS[name];
  // `<command> --help`: that command's usage, with the global options.
  if (command && wantsHelp) return { code: 0, stdout: `usage: session-keys ${command.usage}\n${usage().split("\n").slice(0, 2).join("\n")}\n`, stderr: "" };
  try {
    if (!command) throw new UsageError(`unknown command ${name}`);
    const args = parseArgs(argv.filter((_, i) => i !== at), {
      values: [...GLOBAL_FLAGS, ...command.values], switches: command.switches, aliases: GLOBAL_ALIASES,
    });
    // --local: one command at a time per state file (load, run, save), so none is lost.
    const stateFile = args.flags.get("local");
    const release = stateFile === undefined ? undefined : await lockStateFile(stateFile);
    try {
      const ctx = await openContext(args, { create: command.createsLocalState });
      const result = await command.run(ctx, args);
      // State is saved only after success (a failed command leaves the file as it
      // was), and never by a command that only reads.
      if (!command.readsOnly) await ctx.local?.save();
      return { code: 0, stdout: JSON.stringify(toJson(result), null, 2) + "\n", stderr: "" };
    } finally {
      release?.();
    }
  } catch (e) {
    if (e instanceof CommandFailure) return { code: 1, stdout: "", stderr: JSON.stringify(toJson(e.toJSON())) + "\n" };
    if (e instanceof UsageError) return { code: 2, stdout: "", stderr: JSON.stringify({ error: "UsageError", message: e.message }) + "\n" };
    return { code: 1, stdout: "", stderr: JSON.stringify({ error: (e as Error).name ?? "Error", message: (e as Error).message ?? String(e) }) + "\n" };
  }
}

/**
 * Where the command name is: the first word that is neither an option nor the
 * value of a global option, so global options may come before or after it
 * (`-u devnet -k id.json inspect …` as `inspect … -u devnet`).
 */
function commandIndex(argv: string[]): number {
  const takesValue = new Set([...GLOBAL_FLAGS.map((f) => `--${f}`), ...Object.keys(GLOBAL_ALIASES).map((a) => `-${a}`)]);
  for (let i = 0; i < argv.length; i++) {
    if (takesValue.has(argv[i])) i++;
    else if (!argv[i].startsWith("-")) return i;
  }
  return -1;
}

if (require.main === module) {
  run(process.argv.slice(2)).then((r) => {
    process.stdout.write(r.stdout);
    process.stderr.write(r.stderr);
    process.exitCode = r.code;
  });
}

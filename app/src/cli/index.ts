/**
 * session-keys CLI, on commander. Human-readable text on stdout (tables and
 * aligned key-value rows), or the JSON with `--output json` (`json-compact`:
 * one line). On failure one line on stderr naming the exact error (with
 * `--output json`: `{"error": "<exact name>", …}`) and a non-zero exit: 1
 * for a transaction the chain rejected, 2 for bad usage.
 *
 *   npm run cli -- local-init --local state.json --authority owner.json
 *   npm run cli -- init-policy --local state.json --dwallet <addr> --init-authority owner.json --admin <pubkey>
 *   npm run cli -- create --local state.json --admin admin.json --delegate <pk> --expires-in 1000 --max-uses 10 --max-amount 1000 --programs <id> [--yes]
 *   npm run cli -- -u devnet -k ~/.config/solana/id.json inspect <dwallet> --init-authority <pk> --output json
 *
 * Run under `node --no-allocation-site-pretenuring` (npm run cli does): LiteSVM 0.8 needed it; kept for now (docs/build.md).
 */
import { Command as Commander, CommanderError, InvalidArgumentError, Option } from "commander";
import { ParsedArgs } from "../shell/args";
import { toJson } from "../shell/format";
import { UsageError } from "../shell/parse";
import { Command, COMMANDS, CommandFailure } from "./commands";
import { withContext } from "./context";
import { displayRecord, errorLine, JsonRecord } from "./display";

export interface RunResult { code: number; stdout: string; stderr: string }

/** `--output`'s values, as the Solana CLI has them; without it, text for people. */
const OUTPUTS = ["json", "json-compact"];

const EXAMPLES = `
Policy selection, where a command needs one: --policy <address>, or --dwallet <address> --init-authority <pubkey>;
with --local the default is the policy of the last init-policy.

Examples:
  session-keys local-init --local s.json
  session-keys init-policy --local s.json --dwallet <dwallet>
  session-keys create --local s.json --delegate <pubkey> --expires-in 1000 --max-uses 10 --max-amount 1000 --programs <program id> --yes
  session-keys inspect --local s.json
  session-keys -u devnet inspect <dwallet> --init-authority <pubkey> --output json`;

/** A value option given twice is a mistake, not "the last one wins". */
function once(value: string, previous: string | undefined): string {
  if (previous !== undefined) throw new InvalidArgumentError("Give the option once.");
  return value;
}

/**
 * The commander program for one run: output captured in `out`, no process
 * exit (errors are thrown as `CommanderError`), and the chosen command
 * handed to `choose` instead of run inside commander.
 */
function buildProgram(out: { stdout: string; stderr: string }, choose: (command: Command, args: ParsedArgs) => void): Commander {
  const program = new Commander("session-keys")
    .description("Session keys over Ika dWallets: policies, sessions and their use, on a cluster or an embedded chain.")
    .exitOverride()
    .configureOutput({ writeOut: (s) => (out.stdout += s), writeErr: (s) => (out.stderr += s), outputError: () => {} })
    .configureHelp({ showGlobalOptions: true })
    .addHelpText("after", EXAMPLES)
    .option("-u, --url <rpc|moniker>", "a cluster: an RPC URL, or m/mainnet-beta, d/devnet, t/testnet, l/localhost", once)
    .option("-k, --keypair <file>", "the fee payer and default signer (default: the Solana CLI's keypair_path, else ~/.config/solana/id.json)", once)
    .option("--local <state.json>", "an embedded chain kept in this file instead of a cluster (see local-init)", once)
    .addOption(new Option("--output <format>", "print JSON instead of text (json-compact: on one line)").choices(OUTPUTS));
  for (const [name, spec] of Object.entries(COMMANDS)) {
    const command = program.command(name).description(spec.summary);
    for (const [flags, help] of spec.arguments ?? []) command.argument(flags, help);
    for (const [flags, help] of spec.options ?? []) command.option(flags, help, once);
    for (const [flags, help] of spec.switches ?? []) command.option(flags, help);
    command.action((...params: unknown[]) => choose(spec, parsedArgs(params[params.length - 1] as Commander)));
  }
  return program;
}

/** Commander's parse as the commands read it: positionals, option values and switches by their long names. */
function parsedArgs(command: Commander): ParsedArgs {
  const args: ParsedArgs = { positionals: [...command.args], flags: new Map(), switches: new Set() };
  for (const c of [command.parent!, command]) {
    for (const option of c.options) {
      const value: unknown = c.getOptionValue(option.attributeName());
      const name = option.long!.slice(2);
      if (typeof value === "string") args.flags.set(name, value);
      else if (value === true) args.switches.add(name);
    }
  }
  return args;
}

function render(result: JsonRecord, output: string | undefined, command: Command): string {
  if (output === "json") return JSON.stringify(result, null, 2);
  if (output === "json-compact") return JSON.stringify(result);
  return command.display ? command.display(result) : displayRecord(result).join("\n");
}

/** Runs one command; never throws and never exits (so tests can call it in-process). */
export async function run(argv: string[]): Promise<RunResult> {
  const out = { stdout: "", stderr: "" };
  let chosen: { command: Command; args: ParsedArgs } | undefined;
  const program = buildProgram(out, (command, args) => (chosen = { command, args }));
  try {
    await program.parseAsync(argv, { from: "user" });
    // Commander shows the help (and throws) when no command is given, so one was chosen.
    const { command, args } = chosen!;
    const result = toJson(await withContext(args, command, (ctx) => command.run(ctx, args))) as JsonRecord;
    out.stdout += render(result, program.opts().output, command) + "\n";
    return { code: 0, ...out };
  } catch (e) {
    return { ...failure(e, program.opts().output, out), stdout: out.stdout };
  }
}

function failure(e: unknown, output: string | undefined, out: { stderr: string }): { code: number; stderr: string } {
  if (e instanceof CommanderError) {
    // --help (exit 0), or the help commander printed on stderr for a missing command: nothing to add.
    if (e.exitCode === 0 || e.code === "commander.help") return { code: e.exitCode === 0 ? 0 : 2, stderr: out.stderr };
    return report(2, { error: "UsageError", message: e.message.replace(/^error: /, "").replace(/\n/g, " ") }, output, out);
  }
  if (e instanceof CommandFailure) return report(1, toJson(e.toJSON()) as JsonRecord, output, out);
  if (e instanceof UsageError) return report(2, { error: "UsageError", message: e.message }, output, out);
  return report(1, { error: (e as Error).name ?? "Error", message: (e as Error).message ?? String(e) }, output, out);
}

function report(code: number, error: JsonRecord, output: string | undefined, out: { stderr: string }) {
  const line = output === undefined ? errorLine(error) : JSON.stringify(error);
  return { code, stderr: out.stderr + line + "\n" };
}

if (require.main === module) {
  run(process.argv.slice(2)).then((r) => {
    process.stdout.write(r.stdout);
    process.stderr.write(r.stderr);
    process.exitCode = r.code;
  });
}

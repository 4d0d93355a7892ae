/**
 * Deploy target/deploy/session_keys.so to a cluster (docs/deploy.md).
 *
 *   npx ts-node --transpile-only migrations/deploy.ts --url <rpc> --keypair <payer+upgrade authority> \
 *       [--program-keypair target/deploy/session_keys-keypair.json] [--so target/deploy/session_keys.so] \
 *       [--max-len <bytes>] [--yes] [--dry-run] [--allow-mainnet] [--no-solana-cli] [--no-idl]
 *
 * Without --yes it only prints the plan (no network). Refuses, before
 * anything else: the Ika stand-in (a test fixture: by file name, or by its bytes
 * under any name) and a program keypair at Ika's own id,
 * a URL containing "mainnet" without --allow-mainnet, and a program keypair
 * whose pubkey differs from the IDL's `address` (the declare_id! the .so was
 * built with — deploying it elsewhere yields a program that rejects itself).
 *
 * With --yes: if the `solana` CLI is on PATH (and --no-solana-cli is not
 * given) this shells out to `solana program deploy`, the reference
 * implementation; otherwise it runs the loader-v3 flow in ./loader-v3.ts.
 * Then, in the same run, it publishes the IDL (--idl) as the program's
 * canonical "idl" account in Program Metadata (./program-metadata.ts), signed
 * by the upgrade authority, unless --no-idl. A cluster without the Program
 * Metadata program is refused before anything is deployed.
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { createHash } from "crypto";
import { Keypair, PublicKey } from "@solana/web3.js";
import { Chain, RpcChain } from "../app/src/chain";
import { parseArgs } from "../app/src/shell/args";
import { loadKeypair, parseU32, UsageError } from "../app/src/shell/parse";
import { deployProgram, deployTransactions, planDeploy, rentExemptLamports } from "./loader-v3";
import { PACKET_DATA_SIZE } from "./steps";
import { packIdl, planIdl, publishIdl, publishSteps, IDL_ENCODING, IDL_SEED, requireProgramMetadata } from "./program-metadata";

const ROOT = path.resolve(__dirname, "..");
/** Ika's dWallet program id: the stand-in runs there locally; nothing of ours is deployed there. */
export const IKA_ID = "87W54kGYFQ1rgWqMeu4XTPHWXWmXSQCcjm8vCTfiq1oY";
const STAND_IN_NAME = "ika_dwallet_stand_in";
const STAND_IN_SO = path.join(ROOT, "target/deploy", `${STAND_IN_NAME}.so`);
const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

export const DEFAULTS = {
  programKeypair: path.join(ROOT, "target/deploy/session_keys-keypair.json"),
  so: path.join(ROOT, "target/deploy/session_keys.so"),
  idl: path.join(ROOT, "target/idl/session_keys.json"),
};

export interface DeployOptions {
  url: string;
  keypair: string;
  programKeypair: string;
  so: string;
  idl: string;
  maxLen?: number;
  yes: boolean;
  dryRun: boolean;
  allowMainnet: boolean;
  useSolanaCli: boolean;
  /** Publish the IDL to Program Metadata after the deploy (off with --no-idl). */
  publishIdl: boolean;
}

export function parseDeployArgs(argv: string[]): DeployOptions {
  const a = parseArgs(argv, {
    values: ["url", "keypair", "program-keypair", "so", "idl", "max-len"],
    switches: ["yes", "dry-run", "allow-mainnet", "no-solana-cli", "no-idl"],
  });
  if (a.positionals.length) throw new UsageError(`unexpected argument ${a.positionals[0]}`);
  const url = a.flags.get("url");
  const keypair = a.flags.get("keypair");
  if (!url) throw new UsageError("--url <rpc> is required");
  if (!keypair) throw new UsageError("--keypair <file> (payer and upgrade authority) is required");
  return {
    url, keypair,
    programKeypair: a.flags.get("program-keypair") ?? DEFAULTS.programKeypair,
    so: a.flags.get("so") ?? DEFAULTS.so,
    idl: a.flags.get("idl") ?? DEFAULTS.idl,
    maxLen: a.flags.has("max-len") ? parseU32(a.flags.get("max-len"), "--max-len") : undefined,
    yes: a.switches.has("yes"),
    dryRun: a.switches.has("dry-run"),
    allowMainnet: a.switches.has("allow-mainnet"),
    useSolanaCli: !a.switches.has("no-solana-cli"),
    publishIdl: !a.switches.has("no-idl"),
  };
}

/** The refusals, in order; each throws a UsageError naming the reason. Returns what was loaded. */
export function checkDeploy(o: DeployOptions): { program: Keypair; payer: Keypair; so: Buffer; idlAddress: string } {
  for (const [what, file] of [["--so", o.so], ["--program-keypair", o.programKeypair]]) {
    if (path.basename(file).includes(STAND_IN_NAME)) throw new UsageError(`refusing ${what} ${file}: the Ika stand-in is a test fixture and is never deployed`);
  }
  if (/mainnet/i.test(o.url) && !o.allowMainnet) throw new UsageError(`refusing ${o.url}: a mainnet URL needs --allow-mainnet (read docs/deploy.md first)`);
  const program = loadKeypair(o.programKeypair, "--program-keypair");
  if (program.publicKey.toBase58() === IKA_ID) throw new UsageError(`refusing program id ${IKA_ID}: that is Ika's dWallet program`);
  const idlAddress = (JSON.parse(fs.readFileSync(o.idl, "utf8")) as { address: string }).address;
  if (program.publicKey.toBase58() !== idlAddress) {
    throw new UsageError(`program keypair ${program.publicKey.toBase58()} is not the IDL's address ${idlAddress} (declare_id!): run \`anchor keys sync\` and rebuild, or pass the matching --program-keypair`);
  }
  if (!fs.existsSync(o.so)) throw new UsageError(`${o.so} does not exist: build first`);
  const so = fs.readFileSync(o.so);
  if (fs.existsSync(STAND_IN_SO) && sha256(so) === sha256(fs.readFileSync(STAND_IN_SO))) {
    throw new UsageError(`refusing --so ${o.so}: it is the Ika stand-in (a test fixture) under another name`);
  }
  return { program, payer: loadKeypair(o.keypair, "--keypair"), so, idlAddress };
}

function solanaCliAvailable(): boolean {
  return spawnSync("solana", ["--version"], { stdio: "ignore" }).status === 0;
}

export function solanaCliArgs(o: DeployOptions): string[] {
  return ["program", "deploy", o.so, "--url", o.url, "--keypair", o.keypair, "--program-id", o.programKeypair, ...(o.maxLen ? ["--max-len", String(o.maxLen)] : [])];
}

export interface RunResult { code: number; stdout: string; stderr: string }

/** How `run` reaches the cluster; tests hand in an in-process chain. */
export interface RunEnv { connect?: (url: string) => Chain }

/** One invocation; never exits (tests call it in-process). Only `--yes` without `--dry-run` touches the network. */
export async function run(argv: string[], env: RunEnv = {}): Promise<RunResult> {
  const out = (v: unknown): RunResult => ({ code: 0, stdout: JSON.stringify(v, null, 2) + "\n", stderr: "" });
  try {
    const o = parseDeployArgs(argv);
    const { program, payer, so } = checkDeploy(o);
    const idl = fs.readFileSync(o.idl);
    const plan = {
      cluster: o.url, upgradeAuthority: payer.publicKey.toBase58(), ...planDeploy(program.publicKey, payer.publicKey, so.length, o.maxLen),
      idl: o.publishIdl ? planIdl(program.publicKey, payer.publicKey, payer.publicKey, idl, rentExemptLamports) : { step: "skipped (--no-idl)" },
    };
    const via = o.useSolanaCli && solanaCliAvailable() ? "solana-cli" : "loader-v3 (web3.js)";
    if (o.dryRun) {
      // Build (and size-check) every transaction; send none. Unsigned: a missing
      // signature serializes as 64 zero bytes, the same size as a real one (and
      // pure-JS ed25519 would spend seconds signing ~800 writes for nothing).
      const steps = deployTransactions({ payer, program, buffer: Keypair.generate(), so, maxDataLen: o.maxLen, rent: rentExemptLamports });
      // The IDL's transactions as for a new account (the plan cannot know whether it exists).
      const idlSteps = o.publishIdl
        ? publishSteps({ program: program.publicKey, authority: payer, payer, data: packIdl(idl), description: IDL_ENCODING, seed: IDL_SEED, existing: null, rent: rentExemptLamports, buffer: Keypair.generate() })
        : [];
      const sizes = [...steps, ...idlSteps].map((s) => {
        s.tx.feePayer = payer.publicKey;
        s.tx.recentBlockhash = PublicKey.default.toBase58();
        return s.tx.serialize({ requireAllSignatures: false, verifySignatures: false }).length;
      });
      const largest = Math.max(...sizes);
      if (largest > PACKET_DATA_SIZE) throw new Error(`a built transaction is ${largest} bytes (> ${PACKET_DATA_SIZE})`);
      return out({ dryRun: true, via, plan, transactionsBuilt: steps.length, idlTransactionsBuilt: idlSteps.length, largestTransactionBytes: largest, solanaCli: via === "solana-cli" ? ["solana", ...solanaCliArgs(o)].join(" ") : undefined });
    }
    if (!o.yes) return out({ plan, via, next: "re-run with --yes to deploy" });
    const chain = env.connect ? env.connect(o.url) : new RpcChain(o.url);
    const log = (l: string) => process.stderr.write(l + "\n");
    // Before anything is spent: a deploy that silently skipped the IDL would
    // leave the canonical account unclaimed without the user knowing.
    if (o.publishIdl) await requireProgramMetadata(chain);
    let deployed: Record<string, unknown>;
    if (via === "solana-cli") {
      execFileSync("solana", solanaCliArgs(o), { stdio: ["ignore", "inherit", "inherit"] });
      deployed = { deployed: true, via, programId: plan.programId };
    } else {
      const r = await deployProgram(chain, { payer, program, so, maxDataLen: o.maxLen, log });
      deployed = { deployed: true, via, programId: r.programId.toBase58(), programData: r.programData.toBase58(), signature: r.signature, transactions: r.transactions };
    }
    if (!o.publishIdl) return out({ ...deployed, idl: "skipped (--no-idl)" });
    try {
      const r = await publishIdl(chain, { program: program.publicKey, authority: payer, payer, idl, log });
      return out({ ...deployed, idl: { metadataAddress: r.metadata.toBase58(), created: r.created, storedBytes: r.storedBytes, transactions: r.transactions, signature: r.signature } });
    } catch (e) {
      (e as Error).message = `the program is deployed at ${plan.programId}, but publishing its IDL failed: ${(e as Error).message}; retry with \`npx @solana-program/program-metadata write idl ${plan.programId} ${o.idl} --keypair ${o.keypair}\``;
      throw e;
    }
  } catch (e) {
    const name = e instanceof UsageError ? "Refused" : (e as Error).name || "Error";
    return { code: e instanceof UsageError ? 2 : 1, stdout: "", stderr: JSON.stringify({ error: name, message: (e as Error).message }) + "\n" };
  }
}

if (require.main === module) {
  run(process.argv.slice(2)).then((r) => {
    process.stdout.write(r.stdout);
    process.stderr.write(r.stderr);
    process.exitCode = r.code;
  });
}

/**
 * Where a command runs: a real cluster (`--url` + `--keypair`) or the
 * embedded LiteSVM of a `--local` state file. Commands see one `Context`
 * and never branch on which it is, except the local-only ones.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Keypair, LAMPORTS_PER_SOL } from "@solana/web3.js";
import { Chain, KeypairWallet, RpcChain } from "../chain";
import { SessionKeysClient } from "../client";
import { ParsedArgs } from "../shell/args";
import type { LocalState } from "./local-state";
import { loadKeypair, UsageError, userPath } from "../shell/parse";

export interface Context {
  chain: Chain;
  client: SessionKeysClient;
  /** Pays fees and rent; the default signer for every role. */
  payer: Keypair;
  /** Present in `--local` mode. */
  local?: LocalState;
}

/** The Solana CLI's cluster monikers; anything else is taken as an RPC URL. */
const MONIKERS: Record<string, string> = {
  m: "https://api.mainnet-beta.solana.com", "mainnet-beta": "https://api.mainnet-beta.solana.com",
  d: "https://api.devnet.solana.com", devnet: "https://api.devnet.solana.com",
  t: "https://api.testnet.solana.com", testnet: "https://api.testnet.solana.com",
  l: "http://localhost:8899", localhost: "http://localhost:8899",
};

export function clusterUrl(value: string): string {
  if (MONIKERS[value]) return MONIKERS[value];
  if (!/^https?:\/\/[^\s]+$/.test(value)) throw new UsageError(`--url must be an http(s) URL or one of ${Object.keys(MONIKERS).join(", ")} (got ${value})`);
  return value;
}

/**
 * The Solana CLI's default keypair: `keypair_path` of ~/.config/solana/cli/config.yml
 * (or SOLANA_CONFIG_FILE), else ~/.config/solana/id.json.
 */
export function defaultKeypairPath(): string | undefined {
  const home = os.homedir();
  const config = process.env.SOLANA_CONFIG_FILE ?? path.join(home, ".config/solana/cli/config.yml");
  if (fs.existsSync(config)) {
    const m = /^keypair_path:\s*['"]?([^'"\n]+?)['"]?\s*$/m.exec(fs.readFileSync(config, "utf8"));
    if (m) return m[1].replace(/^~(?=\/)/, home);
  }
  const id = path.join(home, ".config/solana/id.json");
  return fs.existsSync(id) ? id : undefined;
}

/** What about a command `withContext` needs to know. */
export interface ContextNeeds {
  /** local-init: make the --local state file instead of loading it. */
  createsLocalState?: boolean;
  /** A command that changes nothing: the state file is not rewritten. */
  readsOnly?: boolean;
}

/**
 * Runs `fn` where `args` points: a cluster (`--url`, `--keypair`) or the
 * `--local` state file. For a state file it holds the file's lock for the
 * whole load, run and save (one command at a time, so none is lost), saves
 * only after success (a failed command leaves the file as it was) and never
 * for a command that only reads. The local chain's module (LiteSVM and its
 * native addon) is loaded only then: a cluster command never loads it.
 */
export async function withContext<T>(args: ParsedArgs, needs: ContextNeeds, fn: (ctx: Context) => Promise<T>): Promise<T> {
  const url = args.flags.get("url");
  const localFile = args.flags.get("local");
  const keypairFile = args.flags.get("keypair");
  if (url && localFile) throw new UsageError("give either --url or --local, not both");
  if (!localFile) {
    if (needs.createsLocalState) throw new UsageError("local-init needs --local <state.json>");
    return fn(clusterContext(url, keypairFile));
  }
  const { LocalState, lockStateFile } = await import("./local-state");
  const file = userPath(localFile);
  const release = await lockStateFile(file);
  try {
    const local = needs.createsLocalState ? await LocalState.create(file) : await LocalState.load(file);
    const payer = keypairFile ? loadKeypair(keypairFile, "--keypair") : local.payer;
    // The embedded chain has a faucet: a user-supplied payer is topped up so it can pay.
    if (keypairFile && ((await local.chain.getAccountInfo(payer.publicKey))?.lamports ?? 0) < LAMPORTS_PER_SOL) {
      await local.chain.airdrop(payer.publicKey, 10n * BigInt(LAMPORTS_PER_SOL));
    }
    const result = await fn({ chain: local.chain, client: new SessionKeysClient(local.chain, new KeypairWallet(payer)), payer, local });
    if (!needs.readsOnly) await local.save();
    return result;
  } finally {
    release();
  }
}

function clusterContext(url: string | undefined, keypairFile: string | undefined): Context {
  if (!url) throw new UsageError("give -u/--url <rpc or moniker> (with -k/--keypair, default the Solana CLI's), or --local <state.json>");
  const rpc = clusterUrl(url);
  const payerFile = keypairFile ?? defaultKeypairPath();
  if (!payerFile) throw new UsageError("--url needs -k/--keypair <file> (the fee payer): no Solana CLI keypair found (~/.config/solana/cli/config.yml, ~/.config/solana/id.json)");
  const payer = loadKeypair(payerFile, "--keypair");
  const chain = new RpcChain(rpc);
  return { chain, client: new SessionKeysClient(chain, new KeypairWallet(payer)), payer };
}

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
import { localClient } from "../local";
import { ParsedArgs } from "../shell/args";
import { LocalState } from "./local-state";
import { loadKeypair, UsageError, userPath } from "../shell/parse";

export interface Context {
  chain: Chain;
  client: SessionKeysClient;
  /** Pays fees and rent; the default signer for every role. */
  payer: Keypair;
  /** Present in `--local` mode. */
  local?: LocalState;
}

export const GLOBAL_FLAGS = ["url", "keypair", "local"];
/** The Solana CLI's short forms. */
export const GLOBAL_ALIASES = { u: "url", k: "keypair" };

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

/** `create: true` is for `local-init`, which makes the state file instead of loading it. */
export async function openContext(args: ParsedArgs, { create = false } = {}): Promise<Context> {
  const url = args.flags.get("url");
  const localFile = args.flags.get("local");
  const keypairFile = args.flags.get("keypair");
  if (url && localFile) throw new UsageError("give either --url or --local, not both");
  if (localFile) {
    const file = userPath(localFile);
    const local = create ? await LocalState.create(file) : await LocalState.load(file);
    const payer = keypairFile ? loadKeypair(keypairFile, "--keypair") : local.payer;
    // The embedded chain has a faucet: a user-supplied payer is topped up so it can pay.
    if (keypairFile && ((await local.chain.getAccountInfo(payer.publicKey))?.lamports ?? 0) < LAMPORTS_PER_SOL) {
      await local.chain.airdrop(payer.publicKey, 10n * BigInt(LAMPORTS_PER_SOL));
    }
    return { chain: local.chain, client: localClient(local.chain, new KeypairWallet(payer)), payer, local };
  }
  if (create) throw new UsageError("local-init needs --local <state.json>");
  if (!url) throw new UsageError("give -u/--url <rpc or moniker> (with -k/--keypair, default the Solana CLI's), or --local <state.json>");
  const rpc = clusterUrl(url);
  const payerFile = keypairFile ?? defaultKeypairPath();
  if (!payerFile) throw new UsageError("--url needs -k/--keypair <file> (the fee payer): no Solana CLI keypair found (~/.config/solana/cli/config.yml, ~/.config/solana/id.json)");
  const payer = loadKeypair(payerFile, "--keypair");
  const chain = new RpcChain(rpc);
  return { chain, client: new SessionKeysClient(chain, new KeypairWallet(payer)), payer };
}

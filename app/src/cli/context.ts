/**
 * Where a command runs: a real cluster (`--url` + `--keypair`) or the
 * embedded LiteSVM of a `--local` state file. Commands see one `Context`
 * and never branch on which it is, except the local-only ones.
 */
import { Keypair, LAMPORTS_PER_SOL } from "@solana/web3.js";
import { Chain, KeypairWallet, RpcChain } from "../chain";
import { SessionKeysClient } from "../client";
import { localClient } from "../local";
import { ParsedArgs } from "./args";
import { LocalState } from "./local-state";
import { loadKeypair, UsageError } from "./parse";

export interface Context {
  chain: Chain;
  client: SessionKeysClient;
  /** Pays fees and rent; the default signer for every role. */
  payer: Keypair;
  /** Present in `--local` mode. */
  local?: LocalState;
}

export const GLOBAL_FLAGS = ["url", "keypair", "local"];

/** `create: true` is for `local-init`, which makes the state file instead of loading it. */
export async function openContext(args: ParsedArgs, { create = false } = {}): Promise<Context> {
  const url = args.flags.get("url");
  const localFile = args.flags.get("local");
  const keypairFile = args.flags.get("keypair");
  if (url && localFile) throw new UsageError("give either --url or --local, not both");
  if (localFile) {
    const local = create ? await LocalState.create(localFile) : await LocalState.load(localFile);
    const payer = keypairFile ? loadKeypair(keypairFile, "--keypair") : local.payer;
    // The embedded chain has a faucet: a user-supplied payer is topped up so it can pay.
    if (keypairFile && ((await local.chain.getAccountInfo(payer.publicKey))?.lamports ?? 0) < LAMPORTS_PER_SOL) {
      await local.chain.airdrop(payer.publicKey, 10n * BigInt(LAMPORTS_PER_SOL));
    }
    return { chain: local.chain, client: localClient(local.chain, new KeypairWallet(payer)), payer, local };
  }
  if (create) throw new UsageError("local-init needs --local <state.json>");
  if (!url) throw new UsageError("give --url <rpc> with --keypair <file>, or --local <state.json>");
  if (!keypairFile) throw new UsageError("--url needs --keypair <file> (the fee payer)");
  const payer = loadKeypair(keypairFile, "--keypair");
  const chain = new RpcChain(url);
  return { chain, client: new SessionKeysClient(chain, new KeypairWallet(payer)), payer };
}

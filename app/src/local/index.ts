/**
 * The embedded local network the shells share (CLI `--local`, API without
 * `--url`, demo, bench): an in-process LiteSVM with the built session_keys
 * program and Ika's program (the stand-in, or Ika's binary with
 * `IKA_PROGRAM_SO`) deployed, and the local Ika network of ./ika-network.ts.
 * Nothing here talks to a real cluster.
 */
import * as fs from "fs";
import * as path from "path";
import { Keypair, LAMPORTS_PER_SOL, PublicKey } from "@solana/web3.js";
import type { Wallet } from "@coral-xyz/anchor/dist/cjs/provider";
import { Chain, KeypairWallet, LocalChain } from "../chain";
import { LiteSvmChain } from "../chain/local";
import { Curve, initializePolicy, SESSION_KEYS_PROGRAM_ID, SessionKeysClient } from "../client";
import { deployIka, IkaProgram, ikaProgram, LocalDwallet, writeDwallet } from "./ika-network";

export * from "./ika-network";

export const REPO_ROOT = path.resolve(__dirname, "../../..");
/** Where the build puts the .so files (SBF_OUT_DIR overrides, as for the tests). */
export const DEPLOY_DIR = process.env.SBF_OUT_DIR ?? path.join(REPO_ROOT, "target/deploy");
export const SESSION_KEYS_SO = path.join(DEPLOY_DIR, "session_keys.so");

let ika: IkaProgram | undefined;
/**
 * The Ika program local chains run (the stand-in, or IKA_PROGRAM_SO's binary),
 * resolved on first use: a shell that only talks to a cluster never needs it.
 */
export function localIka(): IkaProgram {
  return (ika ??= ikaProgram(DEPLOY_DIR));
}

/** A fresh LiteSVM with both programs; fails loudly if the build has not produced them. */
export async function startLocalChain(): Promise<LiteSvmChain> {
  if (!fs.existsSync(SESSION_KEYS_SO)) throw new Error(`${SESSION_KEYS_SO} is missing: run the build (npm run build) first`);
  const chain = new LiteSvmChain();
  await chain.addProgram(SESSION_KEYS_PROGRAM_ID, SESSION_KEYS_SO);
  await deployIka(chain, localIka());
  return chain;
}

/** A client over `chain` (Ika's errors are named by every client). */
export function localClient(chain: Chain, wallet: Wallet): SessionKeysClient {
  return new SessionKeysClient(chain, wallet);
}

export interface LocalPolicy {
  dwallet: PublicKey;
  /** The dWallet's authority before the hand-over; with `dwallet` it names the policy. */
  initAuthority: Keypair;
  policy: PublicKey;
  /** Curve and public key: they root Ika's MessageApproval addresses. */
  wallet: LocalDwallet;
}

/**
 * A dWallet (authority: a new key) handed to a new policy administered by
 * `admin`. `payer` must be funded; it pays everything.
 */
export async function createLocalPolicy(chain: LocalChain, payer: Keypair, admin: PublicKey, curve = Curve.Curve25519): Promise<LocalPolicy & { computeUnits: number }> {
  const client = localClient(chain, new KeypairWallet(payer));
  const initAuthority = Keypair.generate();
  await chain.airdrop(initAuthority.publicKey, BigInt(LAMPORTS_PER_SOL));
  const wallet = await writeDwallet(chain, { authority: initAuthority.publicKey, curve });
  const init = await initializePolicy(client, { dwallet: wallet.address, initAuthority: initAuthority.publicKey, admin });
  const r = await client.deployOrThrow(init, [initAuthority]);
  return { dwallet: wallet.address, initAuthority, wallet, policy: client.policyAddress(wallet.address, initAuthority.publicKey), computeUnits: r.computeUnits };
}

/**
 * The embedded local network the shells share (CLI `--local`, API without
 * `--url`, demo, bench): an in-process LiteSVM with the built session_keys
 * program and the Ika stand-in (a test fixture) deployed, plus a client that
 * names the stand-in's errors. Nothing here talks to a real cluster.
 */
import * as fs from "fs";
import * as path from "path";
import { Keypair, LAMPORTS_PER_SOL, PublicKey, Transaction } from "@solana/web3.js";
import type { Wallet } from "@coral-xyz/anchor/dist/cjs/provider";
import { Chain, KeypairWallet, LiteSvmChain } from "../chain";
import { initializePolicy, SESSION_KEYS_PROGRAM_ID, SessionKeysClient } from "../client";
import { createDwalletIx, STAND_IN_ERRORS, STAND_IN_ID } from "./stand-in";

export * from "./stand-in";

export const REPO_ROOT = path.resolve(__dirname, "../../..");
/** Where the build puts the .so files (SBF_OUT_DIR overrides, as for the tests). */
export const DEPLOY_DIR = process.env.SBF_OUT_DIR ?? path.join(REPO_ROOT, "target/deploy");
export const SESSION_KEYS_SO = path.join(DEPLOY_DIR, "session_keys.so");
export const STAND_IN_SO = path.join(DEPLOY_DIR, "ika_dwallet_stand_in.so");

/** A fresh LiteSVM with both programs; fails loudly if the build has not produced them. */
export async function startLocalChain(): Promise<LiteSvmChain> {
  for (const so of [SESSION_KEYS_SO, STAND_IN_SO]) {
    if (!fs.existsSync(so)) throw new Error(`${so} is missing: run the build (npm run build) first`);
  }
  const chain = new LiteSvmChain();
  await chain.addProgram(SESSION_KEYS_PROGRAM_ID, SESSION_KEYS_SO);
  await chain.addProgram(STAND_IN_ID, STAND_IN_SO);
  return chain;
}

/** A client over `chain` that also names the stand-in's failures. */
export function localClient(chain: Chain, wallet: Wallet): SessionKeysClient {
  return new SessionKeysClient(chain, wallet, { errorTables: [{ programId: STAND_IN_ID, errors: STAND_IN_ERRORS }] });
}

export interface LocalPolicy {
  dwallet: PublicKey;
  /** The dWallet's authority before the hand-over; with `dwallet` it names the policy. */
  initAuthority: Keypair;
  policy: PublicKey;
}

/**
 * A dWallet on the stand-in (authority: a new key), handed to a new policy
 * administered by `admin`. `payer` must be funded; it pays everything.
 */
export async function createLocalPolicy(chain: LiteSvmChain, payer: Keypair, admin: PublicKey): Promise<LocalPolicy & { computeUnits: number }> {
  const client = localClient(chain, new KeypairWallet(payer));
  const initAuthority = Keypair.generate();
  await chain.airdrop(initAuthority.publicKey, BigInt(LAMPORTS_PER_SOL));
  const { ix, dwallet } = createDwalletIx(payer.publicKey, initAuthority.publicKey);
  await client.provider.executeOrThrow(new Transaction().add(ix));
  const init = await initializePolicy(client, { dwallet, dwalletProgram: STAND_IN_ID, initAuthority: initAuthority.publicKey, admin });
  const r = await client.deployOrThrow(init, [initAuthority]);
  return { dwallet, initAuthority, policy: client.policyAddress(dwallet, initAuthority.publicKey), computeUnits: r.computeUnits };
}

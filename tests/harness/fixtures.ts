/**
 * Building blocks every program suite needs: a client, a dWallet (written as
 * Ika's network leaves it), a policy over it, sessions, and a "use" with
 * sensible defaults.
 */
import { randomBytes } from "crypto";
import { Keypair, PublicKey } from "@solana/web3.js";
import {
  ApproveParams, approveMessage, createSession, Curve, DeployResult, initializePolicy, SessionKeysClient, SessionLimits,
} from "../../app/src/client";
import { KeypairWallet } from "../../app/src/chain";
import { TestEnv } from "./env";
import { DwalletSpec, encodeDwallet, LocalDwallet, newDwalletPublicKey, writeDwallet } from "./ika";

/** A client whose wallet (default fee payer) is the environment's payer. */
export function newClient(env: TestEnv, wallet: Keypair = env.payer): SessionKeysClient {
  return new SessionKeysClient(env.chain, new KeypairWallet(wallet));
}

/** A dWallet as Ika's DKG leaves it (Active, Curve25519 unless `spec` says otherwise), with `authority` as its authority. */
export async function createDwallet(env: TestEnv, authority: PublicKey, spec: Partial<DwalletSpec> = {}): Promise<PublicKey> {
  return (await createWallet(env, authority, spec)).address;
}

/** `createDwallet`, returning its curve and public key too. */
export function createWallet(env: TestEnv, authority: PublicKey, spec: Partial<DwalletSpec> = {}): Promise<LocalDwallet> {
  return writeDwallet(env.chain, { authority, ...spec });
}

/**
 * A dWallet-shaped account at a random address, owned by any program: for
 * fake-dWallet attacks.
 */
export async function injectDwallet(env: TestEnv, authority: PublicKey, owner: PublicKey): Promise<PublicKey> {
  const address = Keypair.generate().publicKey;
  const data = encodeDwallet({ authority, curve: Curve.Curve25519, publicKey: newDwalletPublicKey(Curve.Curve25519), bump: 255 });
  const lamports = await env.chain.getMinimumBalanceForRentExemption(data.length);
  await env.chain.setAccount(address, { lamports, data, owner, executable: false });
  return address;
}

export interface PolicyFixture {
  env: TestEnv;
  client: SessionKeysClient;
  admin: Keypair;
  initAuthority: Keypair;
  dwallet: PublicKey;
  /** The dWallet's curve and public key (they root Ika's MessageApproval addresses). */
  wallet: LocalDwallet;
  policy: PublicKey;
}

/**
 * A dWallet (Curve25519 by default; `publicKey` default a fresh one), handed to
 * a fresh policy. Admin and init authority are distinct funded keys.
 */
export async function setupPolicy(env: TestEnv, curve = Curve.Curve25519, publicKey?: Uint8Array): Promise<PolicyFixture> {
  const client = newClient(env);
  const [admin, initAuthority] = await env.funded(2);
  const wallet = await createWallet(env, initAuthority.publicKey, { curve, publicKey });
  const action = await initializePolicy(client, { dwallet: wallet.address, initAuthority: initAuthority.publicKey, admin: admin.publicKey });
  await client.deployOrThrow(action, [initAuthority]);
  return {
    env, client, admin, initAuthority, dwallet: wallet.address, wallet,
    policy: client.policyAddress(wallet.address, initAuthority.publicKey),
  };
}

export interface SessionFixture { sessionId: number; session: PublicKey; delegate: Keypair; limits: SessionLimits }

/** Default limits: 10 uses, 1_000 per tx, expires 1_000 slots from now, one allowed destination. */
export async function defaultLimits(env: TestEnv, delegate: PublicKey, over: Partial<SessionLimits> = {}): Promise<SessionLimits> {
  return {
    delegate,
    expirySlot: (await env.chain.getSlot()) + 1_000n,
    maxUses: 10,
    maxAmountPerTx: 1_000n,
    allowedPrograms: [DESTINATION],
    ...over,
  };
}

/** The destination program sessions allow by default (any key works: the program only compares it). */
export const DESTINATION = new PublicKey("JUP6LkbZbjS1jKKwapdHNy74zcZ3tLUZoi5QNyVTaV4");

export async function setupSession(fx: PolicyFixture, over: Partial<SessionLimits> = {}, delegate?: Keypair): Promise<SessionFixture> {
  const d = delegate ?? (await fx.env.funded(1))[0];
  const limits = await defaultLimits(fx.env, d.publicKey, over);
  const action = await createSession(fx.client, { policy: fx.policy, admin: fx.admin.publicKey, limits });
  await fx.client.deployOrThrow(action, [fx.admin]);
  return { sessionId: action.sessionId, session: action.session, delegate: d, limits };
}

/** One use of a session: a fresh random message, amount 1, the default destination, unless overridden. */
export async function useSession(fx: PolicyFixture, s: SessionFixture, over: Partial<ApproveParams> & { signer?: Keypair } = {}): Promise<DeployResult> {
  const signer = over.signer ?? s.delegate;
  const action = await approveMessage(fx.client, {
    policy: fx.policy, session: s.session, delegate: signer.publicKey,
    message: randomBytes(32), amount: 1n, destinationProgram: DESTINATION, ...over,
  });
  return fx.client.deploy(action, [signer]);
}

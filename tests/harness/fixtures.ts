/**
 * Building blocks every program suite needs: a client, a dWallet on the
 * stand-in, a policy over it, sessions, and a "use" with sensible defaults.
 */
import { randomBytes } from "crypto";
import { Keypair, PublicKey, Transaction } from "@solana/web3.js";
import {
  ApproveParams, approveMessage, createSession, DeployResult, DWALLET_DISCRIMINATOR, DWALLET_VERSION,
  initializePolicy, SessionKeysClient, SessionLimits,
} from "../../app/src/client";
import { KeypairWallet } from "../../app/src/chain";
import { TestEnv } from "./env";
import { expectOk } from "./errors";
import { createDwalletIx, STAND_IN_DWALLET_LEN, STAND_IN_ERRORS, STAND_IN_ID } from "./stand-in";

/** A client whose wallet (default fee payer) is the environment's payer; stand-in failures come back by name. */
export function newClient(env: TestEnv, wallet: Keypair = env.payer): SessionKeysClient {
  return new SessionKeysClient(env.chain, new KeypairWallet(wallet), { errorTables: [{ programId: STAND_IN_ID, errors: STAND_IN_ERRORS }] });
}

/** A dWallet created on the stand-in (its fixture-only `create_dwallet`), with `authority` as its authority. */
export async function createDwallet(env: TestEnv, authority: PublicKey): Promise<PublicKey> {
  const { ix, dwallet } = createDwalletIx(env.payer.publicKey, authority);
  await expectOk(env.provider.execute(new Transaction().add(ix)));
  return dwallet;
}

/**
 * A dWallet-shaped account written straight into the runtime, owned by any
 * program: for fake-dWallet attacks the stand-in would refuse to create.
 */
export async function injectDwallet(env: TestEnv, authority: PublicKey, owner: PublicKey): Promise<PublicKey> {
  const address = Keypair.generate().publicKey;
  const data = Buffer.alloc(STAND_IN_DWALLET_LEN);
  data[0] = DWALLET_DISCRIMINATOR;
  data[1] = DWALLET_VERSION;
  authority.toBuffer().copy(data, 2);
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
  policy: PublicKey;
}

/** A dWallet on the stand-in, handed to a fresh policy. Admin and init authority are distinct funded keys. */
export async function setupPolicy(env: TestEnv): Promise<PolicyFixture> {
  const client = newClient(env);
  const [admin, initAuthority] = await env.funded(2);
  const dwallet = await createDwallet(env, initAuthority.publicKey);
  const action = await initializePolicy(client, {
    dwallet, dwalletProgram: STAND_IN_ID, initAuthority: initAuthority.publicKey, admin: admin.publicKey,
  });
  await client.deployOrThrow(action, [initAuthority]);
  return { env, client, admin, initAuthority, dwallet, policy: client.policyAddress(dwallet, initAuthority.publicKey) };
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

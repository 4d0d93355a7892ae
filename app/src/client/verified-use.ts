/**
 * What the two verified uses share (`approveSolanaMessage`,
 * `approveEvmTransaction`): the same accounts — `approve_message`'s, then the
 * optional message buffer — the same fixed arguments, and the same action.
 * Each format brings its bytes, their digest, its scheme and its instruction.
 */
import { PublicKey, SystemProgram, TransactionInstruction } from "@solana/web3.js";
import { Action, SessionKeysClient, toBig, u64 } from "./client";
import { IKA_COORDINATOR, IKA_PROGRAM_ID, MESSAGE_APPROVAL_LEN, messageApprovalAddress, SignatureScheme } from "./ika";
import { mustFetchDwallet, uniqueKeys } from "./instructions";
import { messageBufferAddress } from "./pda";

/** A verified use's parameters, but for the bytes it approves. */
export interface VerifiedUseParams {
  policy: PublicKey;
  session: PublicKey;
  delegate: PublicKey;
  payer?: PublicKey;
  /** Default: the session's current nonce (read from chain). */
  nonce?: bigint;
  /** Read the bytes from the session's buffer (staged by `stageSolanaMessage`) instead of the arguments. */
  fromBuffer?: boolean;
  signatureNonce?: Uint8Array;
  userPubkey?: Uint8Array;
  messageApprovalBump?: number;
  /** Replace any account (attack tests); `messageBuffer` included. */
  accounts?: Record<string, PublicKey | null>;
}

/** The arguments both instructions take before their bytes. */
export interface VerifiedFixedArgs {
  userPubkey: number[];
  signatureNonce: number[];
  nonce: ReturnType<typeof u64>;
  messageApprovalBump: number;
}

export interface VerifiedAccounts {
  base: {
    delegate: PublicKey; payer: PublicKey; policy: PublicKey; session: PublicKey; coordinator: PublicKey; messageApproval: PublicKey;
    dwallet: PublicKey; dwalletProgram: PublicKey; callerProgram: PublicKey; cpiAuthority: PublicKey; systemProgram: PublicKey;
  };
  messageBuffer: PublicKey | null;
}

export type VerifiedAction = Action & { messageApproval: PublicKey; messageDigest: Buffer; nonce: bigint };

export async function verifiedUse(
  c: SessionKeysClient,
  p: VerifiedUseParams,
  format: {
    name: string;
    scheme: SignatureScheme;
    /** The digest Ika signs: keccak256 of the bytes. */
    digest: Buffer;
    /** The instruction, from the fixed arguments (the bytes are the format's: empty when `fromBuffer`) and the accounts. */
    instruction(fixed: VerifiedFixedArgs, accounts: VerifiedAccounts): Promise<TransactionInstruction>;
  },
): Promise<VerifiedAction> {
  const payer = p.payer ?? c.provider.publicKey;
  const policy = await c.fetchPolicy(p.policy);
  if (!policy) throw new Error(`no policy at ${p.policy.toBase58()}`);
  const wallet = await mustFetchDwallet(c, policy.dwallet);
  const nonce = p.nonce ?? toBig((await c.fetchSession(p.session))?.nonce ?? 0);
  const [messageApproval, bump] = messageApprovalAddress(wallet, format.scheme, format.digest, new Uint8Array(32));
  const { messageBuffer: bufferOverride, ...overrides } = p.accounts ?? {};
  const buffer = bufferOverride !== undefined ? bufferOverride : p.fromBuffer ? messageBufferAddress(c.programId, p.session)[0] : null;
  const ix = await format.instruction({
    userPubkey: [...(p.userPubkey ?? new Uint8Array(32))], signatureNonce: [...(p.signatureNonce ?? new Uint8Array(32))],
    nonce: u64(nonce, "nonce"), messageApprovalBump: p.messageApprovalBump ?? bump,
  }, {
    base: {
      delegate: p.delegate, payer, policy: p.policy, session: p.session, coordinator: IKA_COORDINATOR, messageApproval,
      dwallet: policy.dwallet, dwalletProgram: IKA_PROGRAM_ID, callerProgram: c.programId, cpiAuthority: c.cpiAuthority(),
      systemProgram: SystemProgram.programId, ...(overrides as Record<string, PublicKey>),
    },
    messageBuffer: buffer,
  });
  return {
    name: format.name, instructions: [ix], feePayer: payer, signers: uniqueKeys([payer, p.delegate]),
    watch: [p.session, messageApproval, ...(buffer ? [buffer] : [])],
    creates: [{ address: messageApproval, space: MESSAGE_APPROVAL_LEN }], messageApproval, messageDigest: format.digest, nonce,
  };
}

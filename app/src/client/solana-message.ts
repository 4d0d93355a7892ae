/**
 * The `solana` use path (docs/verified-sessions.md): from a web3.js
 * `Transaction`, `VersionedTransaction`, message, or the message's bytes, to
 * the `approve_solana_message` transaction — with the message in its
 * arguments, or staged first in a message buffer when it is too large to fit.
 */
import {
  Message, MessageV0, PublicKey, SystemProgram, Transaction, VersionedMessage, VersionedTransaction,
} from "@solana/web3.js";
import { Action, SessionKeysClient, toBig, u64 } from "./client";
import { IKA_COORDINATOR, IKA_PROGRAM_ID, MESSAGE_APPROVAL_LEN, messageApprovalAddress, messageDigest, SignatureScheme } from "./ika";
import { mustFetchDwallet, uniqueKeys } from "./instructions";
import { messageBufferAddress } from "./pda";

/** The largest message the program reads (a transaction packet). */
export const MAX_MESSAGE_LEN = 1232;
/** Bytes per `write_message_buffer` transaction: fits with its accounts and a separate fee payer (two signatures). */
export const BUFFER_CHUNK = 800;

export type SolanaMessageInput = Uint8Array | Transaction | VersionedTransaction | Message | MessageV0;

/** The bytes the dWallet signs: the serialized message. */
export function solanaMessageBytes(m: SolanaMessageInput): Buffer {
  if (m instanceof Transaction) return m.serializeMessage();
  if (m instanceof VersionedTransaction) return Buffer.from(m.message.serialize());
  if (m instanceof Message || m instanceof MessageV0) return Buffer.from(m.serialize());
  return Buffer.from(m);
}

/** Parses message bytes with web3.js (what a wallet would show before signing). */
export function decodeSolanaMessage(bytes: Uint8Array): VersionedMessage {
  return VersionedMessage.deserialize(bytes);
}

export interface ApproveSolanaParams {
  policy: PublicKey;
  session: PublicKey;
  delegate: PublicKey;
  payer?: PublicKey;
  /** Default: the session's current nonce (read from chain). */
  nonce?: bigint;
  message: SolanaMessageInput;
  /** Read the message from the session's buffer (staged by `stageSolanaMessage`) instead of the arguments. */
  fromBuffer?: boolean;
  signatureNonce?: Uint8Array;
  userPubkey?: Uint8Array;
  messageApprovalBump?: number;
  /** Replace any account (attack tests); `messageBuffer` included. */
  accounts?: Record<string, PublicKey | null>;
}

export async function approveSolanaMessage(
  c: SessionKeysClient, p: ApproveSolanaParams,
): Promise<Action & { messageApproval: PublicKey; messageDigest: Buffer; nonce: bigint }> {
  const payer = p.payer ?? c.provider.publicKey;
  const policy = await c.fetchPolicy(p.policy);
  if (!policy) throw new Error(`no policy at ${p.policy.toBase58()}`);
  const wallet = await mustFetchDwallet(c, policy.dwallet);
  const bytes = solanaMessageBytes(p.message);
  const digest = messageDigest(bytes);
  const scheme = SignatureScheme.EddsaSha512;
  const nonce = p.nonce ?? toBig((await c.fetchSession(p.session))?.nonce ?? 0);
  const [messageApproval, bump] = messageApprovalAddress(wallet, scheme, digest, new Uint8Array(32));
  const { messageBuffer: bufferOverride, ...overrides } = p.accounts ?? {};
  const buffer = bufferOverride !== undefined ? bufferOverride : p.fromBuffer ? messageBufferAddress(c.programId, p.session)[0] : null;
  const ix = await c.program.methods.approveSolanaMessage({
    userPubkey: [...(p.userPubkey ?? new Uint8Array(32))], signatureNonce: [...(p.signatureNonce ?? new Uint8Array(32))],
    nonce: u64(nonce, "nonce"), messageApprovalBump: p.messageApprovalBump ?? bump,
    message: p.fromBuffer ? Buffer.alloc(0) : bytes,
  }).accountsStrict({
    base: {
      delegate: p.delegate, payer, policy: p.policy, session: p.session, coordinator: IKA_COORDINATOR, messageApproval,
      dwallet: policy.dwallet, dwalletProgram: IKA_PROGRAM_ID, callerProgram: c.programId, cpiAuthority: c.cpiAuthority(),
      systemProgram: SystemProgram.programId, ...(overrides as Record<string, PublicKey>),
    },
    messageBuffer: buffer,
  }).instruction();
  return {
    name: "approveSolanaMessage", instructions: [ix], feePayer: payer, signers: uniqueKeys([payer, p.delegate]),
    watch: [p.session, messageApproval, ...(buffer ? [buffer] : [])],
    creates: [{ address: messageApproval, space: MESSAGE_APPROVAL_LEN }], messageApproval, messageDigest: digest, nonce,
  };
}

/**
 * Whether `approve` (built with the message in its arguments) fits in one
 * transaction; `null` (the encoder refused it) does not. When it does not,
 * stage the message (`stageSolanaMessage`) and approve with `fromBuffer`.
 */
export async function fitsInOneTransaction(c: SessionKeysClient, approve: Action | null): Promise<boolean> {
  if (!approve) return false;
  try {
    const tx = c.transaction(approve);
    tx.recentBlockhash = PublicKey.default.toBase58();
    return tx.serialize({ requireAllSignatures: false, verifySignatures: false }).length <= MAX_MESSAGE_LEN;
  } catch {
    return false;
  }
}

export interface BufferParams { session: PublicKey; delegate: PublicKey; payer?: PublicKey }

/** The transactions that stage `message` in the session's buffer: open, then one write per chunk. */
export async function stageSolanaMessage(
  c: SessionKeysClient, p: BufferParams & { message: SolanaMessageInput; chunk?: number },
): Promise<Action[]> {
  const bytes = solanaMessageBytes(p.message);
  const chunk = p.chunk ?? BUFFER_CHUNK;
  const actions = [await openMessageBuffer(c, { ...p, len: bytes.length })];
  for (let offset = 0; offset < bytes.length; offset += chunk) {
    actions.push(await writeMessageBuffer(c, { ...p, offset, bytes: bytes.subarray(offset, offset + chunk) }));
  }
  return actions;
}

export async function openMessageBuffer(c: SessionKeysClient, p: BufferParams & { len: number }): Promise<Action> {
  const payer = p.payer ?? c.provider.publicKey;
  const messageBuffer = messageBufferAddress(c.programId, p.session)[0];
  const ix = await c.program.methods.openMessageBuffer(p.len).accountsStrict({
    delegate: p.delegate, payer, session: p.session, messageBuffer, systemProgram: SystemProgram.programId,
  }).instruction();
  return {
    name: "openMessageBuffer", instructions: [ix], feePayer: payer, signers: uniqueKeys([payer, p.delegate]), watch: [messageBuffer],
    creates: [{ address: messageBuffer, space: 80 + p.len }],
  };
}

export async function writeMessageBuffer(
  c: SessionKeysClient, p: BufferParams & { offset: number; bytes: Uint8Array },
): Promise<Action> {
  const messageBuffer = messageBufferAddress(c.programId, p.session)[0];
  const ix = await c.program.methods.writeMessageBuffer(p.offset, Buffer.from(p.bytes))
    .accountsStrict({ delegate: p.delegate, session: p.session, messageBuffer }).instruction();
  return { name: "writeMessageBuffer", instructions: [ix], feePayer: p.delegate, signers: [p.delegate], watch: [messageBuffer], creates: [] };
}

export async function closeMessageBuffer(c: SessionKeysClient, p: BufferParams): Promise<Action> {
  const payer = p.payer ?? c.provider.publicKey;
  const messageBuffer = messageBufferAddress(c.programId, p.session)[0];
  const ix = await c.program.methods.closeMessageBuffer()
    .accountsStrict({ delegate: p.delegate, session: p.session, messageBuffer, payer }).instruction();
  return { name: "closeMessageBuffer", instructions: [ix], feePayer: p.delegate, signers: [p.delegate], watch: [messageBuffer, payer], creates: [] };
}


/**
 * The `solana` use path (docs/verified-sessions.md): from a web3.js
 * `Transaction`, `VersionedTransaction`, message, or the message's bytes, to
 * the `approve_solana_message` transaction — with the message in its
 * arguments, or staged first in a message buffer when it is too large to fit.
 */
import {
  Message, MessageV0, PublicKey, SystemProgram, Transaction, VersionedMessage, VersionedTransaction,
} from "@solana/web3.js";
import { Action, SessionKeysClient } from "./client";
import { messageDigest, SignatureScheme } from "./ika";
import { uniqueKeys } from "./instructions";
import { messageBufferAddress } from "./pda";
import { VerifiedAction, verifiedUse, VerifiedUseParams } from "./verified-use";

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

export interface ApproveSolanaParams extends VerifiedUseParams {
  message: SolanaMessageInput;
}

export async function approveSolanaMessage(c: SessionKeysClient, p: ApproveSolanaParams): Promise<VerifiedAction> {
  const bytes = solanaMessageBytes(p.message);
  return verifiedUse(c, p, {
    name: "approveSolanaMessage", scheme: SignatureScheme.EddsaSha512, digest: messageDigest(bytes),
    instruction: (fixed, accounts) => c.program.methods.approveSolanaMessage({ ...fixed, message: p.fromBuffer ? Buffer.alloc(0) : bytes })
      .accountsStrict(accounts).instruction(),
  });
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


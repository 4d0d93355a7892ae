/**
 * The `evm` use path (docs/verified-sessions.md, "EVM sessions"): from an
 * EIP-1559 transaction (viem's fields, or its serialized unsigned bytes) to
 * the `approve_evm_transaction` transaction, and from Ika's signature back to
 * the signed transaction, ready to broadcast. Serialization and parsing are
 * viem's; this file never encodes RLP itself.
 */
import { secp256k1 } from "@noble/curves/secp256k1";
import { PublicKey, SystemProgram } from "@solana/web3.js";
import {
  Hex, hexToBytes, keccak256, parseTransaction, recoverAddress, serializeTransaction, Signature, toHex,
  TransactionSerializableEIP1559,
} from "viem";
import { publicKeyToAddress } from "viem/accounts";
import { Action, SessionKeysClient, toBig, u64 } from "./client";
import { DwalletView, IKA_COORDINATOR, IKA_PROGRAM_ID, messageApprovalAddress, SignatureScheme } from "./ika";
import { mustFetchDwallet, uniqueKeys } from "./instructions";
import { messageBufferAddress } from "./pda";

/** An EVM address as the 32-byte word an `evm` session stores: 12 zero bytes, then the address. */
export function evmWord(address: string): PublicKey {
  const bytes = hexToBytes(address as Hex);
  if (bytes.length !== 20) throw new Error(`an EVM address is 20 bytes (got ${bytes.length}): ${address}`);
  const word = new Uint8Array(32);
  word.set(bytes, 12);
  return new PublicKey(word);
}

/** The address in an EVM word (`evmWord`'s inverse). */
export function evmAddress(word: PublicKey): Hex {
  return toHex(word.toBytes().subarray(12));
}

export type EvmTransactionInput = Uint8Array | Hex | TransactionSerializableEIP1559;

/** The bytes the dWallet signs: the unsigned serialized transaction (`0x02 || rlp([...])`). */
export function evmTransactionBytes(tx: EvmTransactionInput): Buffer {
  if (tx instanceof Uint8Array) return Buffer.from(tx);
  if (typeof tx === "string") return Buffer.from(hexToBytes(tx));
  return Buffer.from(hexToBytes(serializeTransaction({ ...tx, type: "eip1559" })));
}

/** Ethereum's signing hash of the transaction: the digest Ika signs and the MessageApproval is named by. */
export function evmSigningHash(bytes: Uint8Array): Buffer {
  return Buffer.from(hexToBytes(keccak256(bytes)));
}

/** The dWallet's Ethereum address: from its public key (33 bytes compressed; Secp256k1 dWallets only). */
export function dwalletEvmAddress(wallet: DwalletView): Hex {
  const uncompressed = secp256k1.ProjectivePoint.fromHex(wallet.publicKey).toRawBytes(false);
  return publicKeyToAddress(toHex(uncompressed));
}

export interface ApproveEvmParams {
  policy: PublicKey;
  session: PublicKey;
  delegate: PublicKey;
  payer?: PublicKey;
  /** Default: the session's current nonce (read from chain). */
  nonce?: bigint;
  transaction: EvmTransactionInput;
  /** Read the transaction from the session's buffer (staged by `stageSolanaMessage`) instead of the arguments. */
  fromBuffer?: boolean;
  signatureNonce?: Uint8Array;
  userPubkey?: Uint8Array;
  messageApprovalBump?: number;
  /** Replace any account (attack tests); `messageBuffer` included. */
  accounts?: Record<string, PublicKey | null>;
}

export async function approveEvmTransaction(
  c: SessionKeysClient, p: ApproveEvmParams,
): Promise<Action & { messageApproval: PublicKey; messageDigest: Buffer; nonce: bigint }> {
  const payer = p.payer ?? c.provider.publicKey;
  const policy = await c.fetchPolicy(p.policy);
  if (!policy) throw new Error(`no policy at ${p.policy.toBase58()}`);
  const wallet = await mustFetchDwallet(c, policy.dwallet);
  const bytes = evmTransactionBytes(p.transaction);
  const digest = evmSigningHash(bytes);
  const nonce = p.nonce ?? toBig((await c.fetchSession(p.session))?.nonce ?? 0);
  const [messageApproval, bump] = messageApprovalAddress(wallet, SignatureScheme.EcdsaKeccak256, digest, new Uint8Array(32));
  const { messageBuffer: bufferOverride, ...overrides } = p.accounts ?? {};
  const buffer = bufferOverride !== undefined ? bufferOverride : p.fromBuffer ? messageBufferAddress(c.programId, p.session)[0] : null;
  const ix = await c.program.methods.approveEvmTransaction({
    userPubkey: [...(p.userPubkey ?? new Uint8Array(32))], signatureNonce: [...(p.signatureNonce ?? new Uint8Array(32))],
    nonce: u64(nonce, "nonce"), messageApprovalBump: p.messageApprovalBump ?? bump,
    transaction: p.fromBuffer ? Buffer.alloc(0) : bytes,
  }).accountsStrict({
    base: {
      delegate: p.delegate, payer, policy: p.policy, session: p.session, coordinator: IKA_COORDINATOR, messageApproval,
      dwallet: policy.dwallet, dwalletProgram: IKA_PROGRAM_ID, callerProgram: c.programId, cpiAuthority: c.cpiAuthority(),
      systemProgram: SystemProgram.programId, ...(overrides as Record<string, PublicKey>),
    },
    messageBuffer: buffer,
  }).instruction();
  return {
    name: "approveEvmTransaction", instructions: [ix], feePayer: payer, signers: uniqueKeys([payer, p.delegate]),
    watch: [p.session, messageApproval, ...(buffer ? [buffer] : [])], creates: [],
    messageApproval, messageDigest: digest, nonce,
  };
}

/**
 * The signed transaction, ready to broadcast: the unsigned one with Ika's
 * signature (r ‖ s, 64 bytes, or r ‖ s ‖ v) attached. The recovery bit is
 * the one under which the signature recovers the dWallet's address; a
 * signature that recovers it under neither is refused.
 */
export async function signedEvmTransaction(unsigned: Uint8Array, signature: Uint8Array, dwallet: Hex): Promise<Hex> {
  if (signature.length !== 64 && signature.length !== 65) throw new Error(`an ECDSA signature is 64 or 65 bytes (got ${signature.length})`);
  const tx = parseTransaction(toHex(unsigned));
  if (tx.type !== "eip1559") throw new Error(`not an EIP-1559 transaction (${tx.type})`);
  const r = toHex(signature.subarray(0, 32));
  const s = toHex(signature.subarray(32, 64));
  const hash = keccak256(unsigned);
  for (const yParity of [0, 1]) {
    const sig: Signature = { r, s, yParity };
    if ((await recoverAddress({ hash, signature: sig })).toLowerCase() === dwallet.toLowerCase()) {
      return serializeTransaction(tx, sig);
    }
  }
  throw new Error(`the signature does not recover the dWallet's address ${dwallet}`);
}

/**
 * The Ika dWallet program as the client sees it (IKA.md). Every offset and
 * discriminator lives here, so a change in Ika's pre-alpha layout is one edit.
 * The program id is data: devnet's is below, tests pass the stand-in's.
 */
import { keccak_256 } from "@noble/hashes/sha3";
import { PublicKey } from "@solana/web3.js";

export const IKA_DEVNET_PROGRAM_ID = new PublicKey("87W54kGYFQ1rgWqMeu4XTPHWXWmXSQCcjm8vCTfiq1oY");

export const DWALLET_DISCRIMINATOR = 2;
export const DWALLET_VERSION = 1;
export const DWALLET_AUTHORITY_OFFSET = 2;

export const SEED_MESSAGE_APPROVAL = Buffer.from("message_approval");
export const MESSAGE_APPROVAL_DISCRIMINATOR = 14;
export const MESSAGE_APPROVAL_DWALLET_OFFSET = 2;
export const MESSAGE_APPROVAL_HASH_OFFSET = 34;
export const MESSAGE_APPROVAL_STATUS_OFFSET = 139;
export const MESSAGE_APPROVAL_LEN = 287;

export const IX_APPROVE_MESSAGE = 8;
export const IX_TRANSFER_OWNERSHIP = 24;

export enum SignatureScheme {
  Ed25519 = 0,
  Secp256k1 = 1,
  Secp256r1 = 2,
}

/** keccak256 of a message: what Ika calls `message_hash` and we call `message_digest`. */
export function messageDigest(message: Uint8Array | string): Buffer {
  return Buffer.from(keccak_256(typeof message === "string" ? Buffer.from(message) : message));
}

/** The dWallet's current authority, or null if `data` is not a dWallet account. */
export function readDwalletAuthority(data: Buffer): PublicKey | null {
  if (data.length < DWALLET_AUTHORITY_OFFSET + 32) return null;
  if (data[0] !== DWALLET_DISCRIMINATOR || data[1] !== DWALLET_VERSION) return null;
  return new PublicKey(data.subarray(DWALLET_AUTHORITY_OFFSET, DWALLET_AUTHORITY_OFFSET + 32));
}

export interface MessageApprovalView {
  dwallet: PublicKey;
  messageHash: Buffer;
  /** 0 = Pending (the network has not signed yet). */
  status: number;
}

export function readMessageApproval(data: Buffer): MessageApprovalView | null {
  if (data.length !== MESSAGE_APPROVAL_LEN || data[0] !== MESSAGE_APPROVAL_DISCRIMINATOR) return null;
  return {
    dwallet: new PublicKey(data.subarray(MESSAGE_APPROVAL_DWALLET_OFFSET, MESSAGE_APPROVAL_DWALLET_OFFSET + 32)),
    messageHash: Buffer.from(data.subarray(MESSAGE_APPROVAL_HASH_OFFSET, MESSAGE_APPROVAL_HASH_OFFSET + 32)),
    status: data[MESSAGE_APPROVAL_STATUS_OFFSET],
  };
}

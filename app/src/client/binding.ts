/**
 * The binding hash, the one TypeScript implementation of
 * programs/session-keys/src/state/binding.rs (docs/spec.md, "The use path"):
 *
 *   sha256("session-keys/v2" || program_id || policy || session_id u32 LE ||
 *          nonce u64 LE || message_digest || message_metadata_digest ||
 *          amount u64 LE || destination_program || signature_nonce ||
 *          signature_scheme u16 LE)
 *
 * tests/binding.test.ts holds it byte-identical to the program's.
 */
import { createHash } from "crypto";
import { PublicKey } from "@solana/web3.js";

export const BINDING_DOMAIN = Buffer.from("session-keys/v2");

export interface BindingInput {
  programId: PublicKey;
  policy: PublicKey;
  sessionId: number;
  nonce: bigint;
  messageDigest: Uint8Array;
  /** Zero when the scheme has no metadata. */
  messageMetadataDigest: Uint8Array;
  amount: bigint;
  destinationProgram: PublicKey;
  signatureNonce: Uint8Array;
  signatureScheme: number;
}

export function bindingPreimage(b: BindingInput): Buffer {
  if (b.messageDigest.length !== 32 || b.messageMetadataDigest.length !== 32 || b.signatureNonce.length !== 32) {
    throw new Error("the digests and the signature nonce are 32 bytes");
  }
  const u32 = Buffer.alloc(4);
  u32.writeUInt32LE(b.sessionId);
  const nonce = Buffer.alloc(8);
  nonce.writeBigUInt64LE(b.nonce);
  const amount = Buffer.alloc(8);
  amount.writeBigUInt64LE(b.amount);
  const scheme = Buffer.alloc(2);
  scheme.writeUInt16LE(b.signatureScheme);
  return Buffer.concat([
    BINDING_DOMAIN, b.programId.toBuffer(), b.policy.toBuffer(), u32, nonce, Buffer.from(b.messageDigest),
    Buffer.from(b.messageMetadataDigest), amount, b.destinationProgram.toBuffer(), Buffer.from(b.signatureNonce), scheme,
  ]);
}

export function bindingHash(b: BindingInput): Buffer {
  return createHash("sha256").update(bindingPreimage(b)).digest();
}

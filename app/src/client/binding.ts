/**
 * The binding hash, the one TypeScript implementation of
 * programs/session-keys/src/state/binding.rs (SPEC.md, "The use path"):
 *
 *   sha256("session-keys/v1" || program_id || policy || session_id u32 LE ||
 *          nonce u64 LE || message_digest || amount u64 LE ||
 *          destination_program || signature_nonce || signature_scheme u8)
 *
 * tests/binding.test.ts holds it byte-identical to the program's.
 */
import { createHash } from "crypto";
import { PublicKey } from "@solana/web3.js";

export const BINDING_DOMAIN = Buffer.from("session-keys/v1");

export interface BindingInput {
  programId: PublicKey;
  policy: PublicKey;
  sessionId: number;
  nonce: bigint;
  messageDigest: Uint8Array;
  amount: bigint;
  destinationProgram: PublicKey;
  signatureNonce: Uint8Array;
  signatureScheme: number;
}

export function bindingPreimage(b: BindingInput): Buffer {
  if (b.messageDigest.length !== 32 || b.signatureNonce.length !== 32) throw new Error("digest and signature nonce are 32 bytes");
  const u32 = Buffer.alloc(4);
  u32.writeUInt32LE(b.sessionId);
  const nonce = Buffer.alloc(8);
  nonce.writeBigUInt64LE(b.nonce);
  const amount = Buffer.alloc(8);
  amount.writeBigUInt64LE(b.amount);
  return Buffer.concat([
    BINDING_DOMAIN, b.programId.toBuffer(), b.policy.toBuffer(), u32, nonce, Buffer.from(b.messageDigest),
    amount, b.destinationProgram.toBuffer(), Buffer.from(b.signatureNonce), Buffer.from([b.signatureScheme]),
  ]);
}

export function bindingHash(b: BindingInput): Buffer {
  return createHash("sha256").update(bindingPreimage(b)).digest();
}

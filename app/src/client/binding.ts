/**
 * The binding hash, the one TypeScript implementation of
 * programs/session-keys/src/state/binding.rs (docs/security.md, "Binding hash"):
 *
 *   sha256("session-keys/v3" || program_id || policy || session_id u32 LE ||
 *          message_digest || message_metadata_digest || destination ||
 *          signature_nonce || amount u128 LE || nonce u64 LE ||
 *          signature_scheme u16 LE)
 *
 * For an opaque use `destination` and `amount` are the declared ones; for a
 * `solana` use the amount is the derived one and `destination` is the
 * default key (32 zero bytes: the message digest binds the programs); for an
 * `evm` use it is `evmWord(to)`. tests/binding.test.ts holds it byte-identical
 * to the program's.
 */
import { createHash } from "crypto";
import { PublicKey } from "@solana/web3.js";
import { amountBytes } from "./client";

export const BINDING_DOMAIN = Buffer.from("session-keys/v3");

export interface BindingInput {
  programId: PublicKey;
  policy: PublicKey;
  sessionId: number;
  nonce: bigint;
  messageDigest: Uint8Array;
  /** Zero when the scheme has no metadata. */
  messageMetadataDigest: Uint8Array;
  amount: bigint;
  /** Opaque: the declared destination program. Solana: `PublicKey.default`. EVM: `evmWord(to)`. */
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
  const scheme = Buffer.alloc(2);
  scheme.writeUInt16LE(b.signatureScheme);
  return Buffer.concat([
    BINDING_DOMAIN, b.programId.toBuffer(), b.policy.toBuffer(), u32, Buffer.from(b.messageDigest),
    Buffer.from(b.messageMetadataDigest), b.destinationProgram.toBuffer(), Buffer.from(b.signatureNonce),
    Buffer.from(amountBytes(b.amount, "amount")), nonce, scheme,
  ]);
}

export function bindingHash(b: BindingInput): Buffer {
  return createHash("sha256").update(bindingPreimage(b)).digest();
}

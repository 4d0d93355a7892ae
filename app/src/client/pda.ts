/**
 * Every address the program derives, exactly as programs/session-keys/src/constants.rs
 * seeds it. Ika's addresses (dWallet, MessageApproval) are in ./ika.ts.
 */
import { createHash } from "crypto";
import { PublicKey } from "@solana/web3.js";

export const SEED_POLICY = Buffer.from("policy");
export const SEED_SESSION = Buffer.from("session");
export const SEED_CPI_AUTHORITY = Buffer.from("__ika_cpi_authority");

/** `sha256(init_authority)`: the policy seed that makes its address un-front-runnable. */
export function initAuthorityHash(initAuthority: PublicKey): Buffer {
  return createHash("sha256").update(initAuthority.toBuffer()).digest();
}

export function policyAddress(programId: PublicKey, dwallet: PublicKey, initAuthority: PublicKey): [PublicKey, number] {
  return PublicKey.findProgramAddressSync([SEED_POLICY, dwallet.toBuffer(), initAuthorityHash(initAuthority)], programId);
}

export function sessionIdSeed(sessionId: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(sessionId);
  return b;
}

export function sessionAddress(programId: PublicKey, policy: PublicKey, sessionId: number): [PublicKey, number] {
  return PublicKey.findProgramAddressSync([SEED_SESSION, policy.toBuffer(), sessionIdSeed(sessionId)], programId);
}

/** The Ika CPI authority of a calling program: one per program, signs every Ika CPI. */
export function cpiAuthorityAddress(programId: PublicKey): [PublicKey, number] {
  return PublicKey.findProgramAddressSync([SEED_CPI_AUTHORITY], programId);
}

export const SEED_MESSAGE_BUFFER = Buffer.from("message_buffer");

/** A session's message buffer (one at a time): `["message_buffer", session]`. */
export function messageBufferAddress(programId: PublicKey, session: PublicKey): [PublicKey, number] {
  return PublicKey.findProgramAddressSync([SEED_MESSAGE_BUFFER, session.toBuffer()], programId);
}

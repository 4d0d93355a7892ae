/**
 * The Ika stand-in (tests/fixtures/ika-stand-in), a TEST FIXTURE that
 * implements Ika's two instructions so the program can run without Ika: its
 * id, its error table and its instructions as the tests, bench, demo and the
 * CLI/API `--local` mode call them directly (lib.rs there has the table).
 * Never deployed anywhere real (migrations/deploy.ts refuses it).
 */
import { randomBytes } from "crypto";
import { PublicKey, SystemProgram, Transaction, TransactionInstruction } from "@solana/web3.js";
// Direct module imports (not the client index) keep this file free of the generated IDL.
import { IX_APPROVE_MESSAGE, IX_TRANSFER_OWNERSHIP } from "../client/ika";
import { messageApprovalAddress } from "../client/pda";

/** Where every local chain deploys the stand-in (its keypair is in the fixture's build). */
export const STAND_IN_ID = new PublicKey("7yaD79HJSHSbGPw6asQ6u5eeZLHACerdHUoJLwQtBkqA");

/** Fixture-only instruction of the stand-in (not Ika): `[250, seed(32), authority(32)]`. */
export const IX_CREATE_DWALLET = 250;
export const STAND_IN_DWALLET_LEN = 72;
const SEED_DWALLET = Buffer.from("dwallet");

/** Stand-in error codes (tests/fixtures/ika-stand-in/src/error.rs), code = index. */
export const STAND_IN_ERROR_NAMES = [
  "InvalidInstruction", "WrongAccountCount", "CallerNotExecutable", "MissingSignature", "CpiAuthorityMismatch",
  "InvalidDwallet", "WrongAuthority", "InvalidMessageApprovalAddress", "MessageAlreadyApproved",
  "InvalidSystemProgram", "AccountNotWritable", "InvalidSignatureScheme", "InvalidDwalletAddress", "DwalletAlreadyExists",
];

/** The stand-in's error table, in the shape `ErrorRegistry.register` takes. */
export const STAND_IN_ERRORS = STAND_IN_ERROR_NAMES.map((name, code) => ({ code, name }));

export function dwalletAddress(seed: Buffer): PublicKey {
  return PublicKey.findProgramAddressSync([SEED_DWALLET, seed], STAND_IN_ID)[0];
}

export function createDwalletIx(payer: PublicKey, authority: PublicKey, seed: Buffer = randomBytes(32)): { ix: TransactionInstruction; dwallet: PublicKey } {
  const dwallet = dwalletAddress(seed);
  const ix = new TransactionInstruction({
    programId: STAND_IN_ID,
    keys: [
      { pubkey: dwallet, isSigner: false, isWritable: true },
      { pubkey: payer, isSigner: true, isWritable: true },
      { pubkey: SystemProgram.programId, isSigner: false, isWritable: false },
    ],
    data: Buffer.concat([Buffer.from([IX_CREATE_DWALLET]), seed, authority.toBuffer()]),
  });
  return { ix, dwallet };
}

/** Ika approve_message, signer path: a wallet that is the dWallet's authority approves directly (the bench baseline). */
export function directApproveTx(dwallet: PublicKey, authority: PublicKey, payer: PublicKey, messageHash: Buffer, scheme = 0): { tx: Transaction; messageApproval: PublicKey } {
  const [messageApproval, bump] = messageApprovalAddress(STAND_IN_ID, dwallet, messageHash);
  const ix = new TransactionInstruction({
    programId: STAND_IN_ID,
    keys: [
      { pubkey: messageApproval, isSigner: false, isWritable: true },
      { pubkey: dwallet, isSigner: false, isWritable: false },
      { pubkey: authority, isSigner: true, isWritable: false },
      { pubkey: payer, isSigner: true, isWritable: true },
      { pubkey: SystemProgram.programId, isSigner: false, isWritable: false },
    ],
    data: Buffer.concat([Buffer.from([IX_APPROVE_MESSAGE, bump]), messageHash, Buffer.alloc(32), Buffer.from([scheme])]),
  });
  return { tx: new Transaction().add(ix), messageApproval };
}

/** Ika transfer_ownership, signer path. */
export function transferOwnershipTx(dwallet: PublicKey, currentAuthority: PublicKey, newAuthority: PublicKey): Transaction {
  return new Transaction().add(new TransactionInstruction({
    programId: STAND_IN_ID,
    keys: [
      { pubkey: currentAuthority, isSigner: true, isWritable: false },
      { pubkey: dwallet, isSigner: false, isWritable: true },
    ],
    data: Buffer.concat([Buffer.from([IX_TRANSFER_OWNERSHIP]), newAuthority.toBuffer()]),
  }));
}


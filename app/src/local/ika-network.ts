/**
 * The local Ika network: what Ika's network does on a real cluster, done
 * directly to an in-process chain (tests, demo, bench, CLI/API `--local`).
 *
 * - Ika's program is deployed at its real id: the built stand-in
 *   (tests/fixtures/ika-stand-in, a TEST FIXTURE), or Ika's own binary when
 *   `IKA_PROGRAM_SO` names it. Both must behave alike (tests/conformance.test.ts).
 * - Ika's network creates dWallets (DKG) and the coordinator, and writes
 *   signatures (`CommitSignature`); locally there is no network, so these
 *   accounts are written straight into the runtime, owned by Ika's program,
 *   in the layouts of docs/ika.md — the same way for the stand-in and the binary.
 *
 * Nothing here talks to a real cluster; migrations/deploy.ts refuses the stand-in.
 */
import { createHash, randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { Keypair, PublicKey, SystemProgram, Transaction, TransactionInstruction } from "@solana/web3.js";
import type { LocalChain } from "../chain";
// Direct module import (not the client index) keeps this file free of the generated IDL.
import {
  approveMessageData, COORDINATOR_DISCRIMINATOR, COORDINATOR_EPOCH_OFFSET, COORDINATOR_LEN, Curve, DWALLET_AUTHORITY_OFFSET,
  DWALLET_BUMP_OFFSET, DWALLET_CURVE_OFFSET, DWALLET_DISCRIMINATOR, DWALLET_LEN, DWALLET_PUBLIC_KEY_LEN_OFFSET,
  DWALLET_PUBLIC_KEY_OFFSET, DWALLET_STATE_OFFSET, dwalletAddress, DwalletState, IKA_ACCOUNT_VERSION, IKA_COORDINATOR,
  IKA_PROGRAM_ID, MA_SIGNATURE_CAPACITY, MA_SIGNATURE_LEN_OFFSET, MA_SIGNATURE_OFFSET, MA_STATUS_OFFSET,
  MESSAGE_APPROVAL_STATUS_SIGNED, messageApprovalAddress, publicKeyLength, transferOwnershipData,
} from "../client/ika";

/** Programs deployed as Ika's are (SBPF v0, the non-upgradeable loader). */
export const BPF_LOADER_2 = new PublicKey("BPFLoader2111111111111111111111111111111111");

/** The stand-in's file name in the build output. */
export const STAND_IN_SO_NAME = "ika_dwallet_stand_in.so";

/** Which Ika program a local chain runs. */
export interface IkaProgram {
  kind: "stand-in" | "binary";
  soPath: string;
  sha256: string;
  /** One line for logs: which Ika this run used. */
  describe(): string;
}

/**
 * Ika's binary when `IKA_PROGRAM_SO` names one (get it with `solana program
 * dump -u devnet 87W54kGYFQ1rgWqMeu4XTPHWXWmXSQCcjm8vCTfiq1oY ika_dwallet_program.so`),
 * else the stand-in the build put in `deployDir`.
 */
export function ikaProgram(deployDir: string): IkaProgram {
  const binary = process.env.IKA_PROGRAM_SO;
  const soPath = binary ? path.resolve(binary) : path.join(deployDir, STAND_IN_SO_NAME);
  if (!fs.existsSync(soPath)) {
    throw new Error(binary ? `IKA_PROGRAM_SO=${binary}: no such file` : `${soPath} is missing: run the build (npm run build) first`);
  }
  const sha256 = createHash("sha256").update(fs.readFileSync(soPath)).digest("hex");
  const kind = binary ? "binary" : "stand-in";
  return {
    kind, soPath, sha256,
    describe: () => kind === "binary"
      ? `Ika: the real binary ${soPath} (sha256 ${sha256})`
      : `Ika: the stand-in tests/fixtures/ika-stand-in (sha256 ${sha256}); set IKA_PROGRAM_SO to run on Ika's binary`,
  };
}

/** Deploys Ika's program at its real id (the binary works nowhere else), and the coordinator. */
export async function deployIka(chain: LocalChain, ika: IkaProgram, epoch = 1n): Promise<void> {
  const data = fs.readFileSync(ika.soPath);
  await chain.setAccount(IKA_PROGRAM_ID, {
    lamports: await chain.getMinimumBalanceForRentExemption(data.length), data, owner: BPF_LOADER_2, executable: true,
  });
  await writeCoordinator(chain, epoch);
}

/** Ika's DWalletCoordinator at its PDA (Ika copies its epoch into every approval). */
export async function writeCoordinator(chain: LocalChain, epoch: bigint, address = IKA_COORDINATOR, discriminator = COORDINATOR_DISCRIMINATOR): Promise<void> {
  const data = Buffer.alloc(COORDINATOR_LEN);
  data[0] = discriminator;
  data[1] = IKA_ACCOUNT_VERSION;
  data.writeBigUInt64LE(epoch, COORDINATOR_EPOCH_OFFSET);
  await writeIkaAccount(chain, address, data);
}

export interface DwalletSpec {
  authority: PublicKey;
  /** Default Curve25519. */
  curve?: Curve;
  /** Default: a fresh key of the curve's length (an ed25519 public key for Curve25519). */
  publicKey?: Uint8Array;
  /** Default Active. */
  state?: number;
}

/** A dWallet account's 153 bytes (docs/ika.md), with its PDA bump. */
export function encodeDwallet(spec: DwalletSpec & { publicKey: Uint8Array; bump: number }): Buffer {
  const data = Buffer.alloc(DWALLET_LEN);
  data[0] = DWALLET_DISCRIMINATOR;
  data[1] = IKA_ACCOUNT_VERSION;
  spec.authority.toBuffer().copy(data, DWALLET_AUTHORITY_OFFSET);
  data.writeUInt16LE(spec.curve ?? Curve.Curve25519, DWALLET_CURVE_OFFSET);
  data[DWALLET_STATE_OFFSET] = spec.state ?? DwalletState.Active;
  data[DWALLET_PUBLIC_KEY_LEN_OFFSET] = spec.publicKey.length;
  Buffer.from(spec.publicKey).copy(data, DWALLET_PUBLIC_KEY_OFFSET);
  data[DWALLET_BUMP_OFFSET] = spec.bump;
  return data;
}

/** A key of `curve`'s length: an ed25519 public key for Curve25519, a compressed-point-shaped one otherwise. */
export function newDwalletPublicKey(curve: Curve): Buffer {
  if (curve === Curve.Curve25519) return Keypair.generate().publicKey.toBuffer();
  const key = randomBytes(publicKeyLength(curve));
  if (key.length === 33) key[0] = 2 + (key[0] & 1);
  return key;
}

export interface LocalDwallet {
  address: PublicKey;
  curve: Curve;
  publicKey: Buffer;
}

/** What Ika's DKG leaves on chain: a dWallet at its PDA, owned by Ika. */
export async function writeDwallet(chain: LocalChain, spec: DwalletSpec): Promise<LocalDwallet> {
  const curve = spec.curve ?? Curve.Curve25519;
  const publicKey = Buffer.from(spec.publicKey ?? newDwalletPublicKey(curve));
  const [address, bump] = dwalletAddress(curve, publicKey);
  await writeIkaAccount(chain, address, encodeDwallet({ ...spec, curve, publicKey, bump }));
  return { address, curve, publicKey };
}

/** What Ika's network does once it has signed: the signature and status 1 in the MessageApproval. */
export async function writeSignature(chain: LocalChain, messageApproval: PublicKey, signature: Uint8Array): Promise<void> {
  if (signature.length > MA_SIGNATURE_CAPACITY) throw new Error(`a signature holds at most ${MA_SIGNATURE_CAPACITY} bytes`);
  const info = await chain.getAccountInfo(messageApproval);
  if (!info || !info.owner.equals(IKA_PROGRAM_ID)) throw new Error(`no MessageApproval at ${messageApproval.toBase58()}`);
  const data = Buffer.from(info.data);
  data[MA_STATUS_OFFSET] = MESSAGE_APPROVAL_STATUS_SIGNED;
  data.writeUInt16LE(signature.length, MA_SIGNATURE_LEN_OFFSET);
  Buffer.from(signature).copy(data, MA_SIGNATURE_OFFSET);
  await chain.setAccount(messageApproval, { ...info, data });
}

async function writeIkaAccount(chain: LocalChain, address: PublicKey, data: Buffer): Promise<void> {
  const lamports = await chain.getMinimumBalanceForRentExemption(data.length);
  await chain.setAccount(address, { lamports, data, owner: IKA_PROGRAM_ID, executable: false });
}

/**
 * Ika `approve_message`, signer path: a wallet that is the dWallet's
 * authority approves directly (the bench baseline, the conformance suite).
 */
export function directApproveTx(
  dwallet: LocalDwallet, authority: PublicKey, payer: PublicKey, digest: Uint8Array,
  o: { scheme?: number; metadata?: Uint8Array; userPubkey?: Uint8Array; bump?: number; messageApproval?: PublicKey; coordinator?: PublicKey } = {},
): { tx: Transaction; messageApproval: PublicKey } {
  const scheme = o.scheme ?? 5;
  const metadata = o.metadata ?? new Uint8Array(32);
  const [derived, bump] = messageApprovalAddress(dwallet, scheme, digest, metadata);
  const messageApproval = o.messageApproval ?? derived;
  const ix = new TransactionInstruction({
    programId: IKA_PROGRAM_ID,
    keys: [
      { pubkey: o.coordinator ?? IKA_COORDINATOR, isSigner: false, isWritable: false },
      { pubkey: messageApproval, isSigner: false, isWritable: true },
      { pubkey: dwallet.address, isSigner: false, isWritable: false },
      { pubkey: authority, isSigner: true, isWritable: false },
      { pubkey: payer, isSigner: true, isWritable: true },
      { pubkey: SystemProgram.programId, isSigner: false, isWritable: false },
    ],
    data: approveMessageData(o.bump ?? bump, digest, metadata, o.userPubkey ?? new Uint8Array(32), scheme),
  });
  return { tx: new Transaction().add(ix), messageApproval };
}

/** Ika `transfer_ownership`, signer path. */
export function transferOwnershipTx(dwallet: PublicKey, currentAuthority: PublicKey, newAuthority: PublicKey): Transaction {
  return new Transaction().add(new TransactionInstruction({
    programId: IKA_PROGRAM_ID,
    keys: [
      { pubkey: currentAuthority, isSigner: true, isWritable: false },
      { pubkey: dwallet, isSigner: false, isWritable: true },
    ],
    data: transferOwnershipData(newAuthority),
  }));
}

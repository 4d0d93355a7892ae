/**
 * Ika's dWallet program as the client sees it (docs/ika.md): its pinned id
 * and coordinator, curves and signature schemes, the dWallet and
 * MessageApproval layouts, and the PDAs rooted in a dWallet's curve and
 * public key. Every offset and discriminator lives here, so a change in Ika's
 * pre-alpha layout is one edit (with programs/session-keys/src/ika.rs).
 */
import { keccak_256 } from "@noble/hashes/sha3";
import { PublicKey } from "@solana/web3.js";

/** Ika's dWallet program (devnet, and compiled into Ika's binary). The program pins it too. */
export const IKA_PROGRAM_ID = new PublicKey("87W54kGYFQ1rgWqMeu4XTPHWXWmXSQCcjm8vCTfiq1oY");

export const SEED_COORDINATOR = Buffer.from("dwallet_coordinator");
export const SEED_DWALLET = Buffer.from("dwallet");
export const SEED_MESSAGE_APPROVAL = Buffer.from("message_approval");

/** Ika's DWalletCoordinator, PDA `["dwallet_coordinator"]` (116 bytes; Ika reads its epoch). */
export const IKA_COORDINATOR = PublicKey.findProgramAddressSync([SEED_COORDINATOR], IKA_PROGRAM_ID)[0];
export const COORDINATOR_DISCRIMINATOR = 1;
export const COORDINATOR_LEN = 116;
export const COORDINATOR_EPOCH_OFFSET = 34;

export const IKA_ACCOUNT_VERSION = 1;

/** A dWallet's curve (u16 in the account). */
export enum Curve {
  Secp256k1 = 0,
  Secp256r1 = 1,
  Curve25519 = 2,
  Ristretto = 3,
}
export const CURVE_NAMES: Record<Curve, string> = {
  [Curve.Secp256k1]: "secp256k1", [Curve.Secp256r1]: "secp256r1", [Curve.Curve25519]: "curve25519", [Curve.Ristretto]: "ristretto",
};

/** Ika `DWalletSignatureScheme` (u16 LE on the wire and in accounts). */
export enum SignatureScheme {
  EcdsaKeccak256 = 0,
  EcdsaSha256 = 1,
  EcdsaDoubleSha256 = 2,
  TaprootSha256 = 3,
  EcdsaBlake2b256 = 4,
  EddsaSha512 = 5,
  SchnorrkelMerlin = 6,
}

/** Bit mask of every scheme Ika knows (bit i = scheme i). */
export const ALL_SCHEMES = 0b0111_1111;

/** The schemes each curve can sign, as a mask; the program refuses any other pair (`SchemeNotForCurve`). */
export const CURVE_SCHEMES: Record<Curve, number> = {
  [Curve.Secp256k1]: 0b001_1111,
  [Curve.Secp256r1]: 1 << SignatureScheme.EcdsaSha256,
  [Curve.Curve25519]: 1 << SignatureScheme.EddsaSha512,
  [Curve.Ristretto]: 1 << SignatureScheme.SchnorrkelMerlin,
};

/** Bytes of a curve's public key (compressed points for the ECDSA curves). */
export function publicKeyLength(curve: Curve): number {
  return curve === Curve.Secp256k1 || curve === Curve.Secp256r1 ? 33 : 32;
}

/** A scheme mask from scheme values. */
export function schemeMask(...schemes: SignatureScheme[]): number {
  return schemes.reduce((m, s) => m | (1 << s), 0);
}

/** The schemes in a mask, by name. */
export function schemeNames(mask: number): string[] {
  return Object.values(SignatureScheme).filter((v): v is number => typeof v === "number" && (mask & (1 << v)) !== 0)
    .map((v) => SignatureScheme[v]);
}

// ---- dWallet account (disc 2), 153 bytes ----
export const DWALLET_DISCRIMINATOR = 2;
export const DWALLET_LEN = 153;
export const DWALLET_AUTHORITY_OFFSET = 2;
export const DWALLET_CURVE_OFFSET = 34;
export const DWALLET_STATE_OFFSET = 36;
export const DWALLET_PUBLIC_KEY_LEN_OFFSET = 37;
export const DWALLET_PUBLIC_KEY_OFFSET = 38;
export const DWALLET_CREATED_EPOCH_OFFSET = 103;
export const DWALLET_NOA_PUBLIC_KEY_OFFSET = 111;
export const DWALLET_IS_IMPORTED_OFFSET = 143;
export const DWALLET_BUMP_OFFSET = 144;

export enum DwalletState {
  DkgInProgress = 0,
  Active = 1,
  Frozen = 2,
}
export const DWALLET_STATE_NAMES: Record<number, string> = { 0: "dkg-in-progress", 1: "active", 2: "frozen" };

export interface DwalletView {
  authority: PublicKey;
  curve: Curve;
  state: number;
  publicKey: Buffer;
}

/** A dWallet account's fields, or null if `data` is not one this client understands. */
export function readDwallet(data: Buffer): DwalletView | null {
  if (data.length < DWALLET_LEN || data[0] !== DWALLET_DISCRIMINATOR || data[1] !== IKA_ACCOUNT_VERSION) return null;
  const curve = data.readUInt16LE(DWALLET_CURVE_OFFSET);
  if (!(curve in CURVE_NAMES)) return null;
  const len = data[DWALLET_PUBLIC_KEY_LEN_OFFSET];
  if (len !== publicKeyLength(curve)) return null;
  return {
    authority: new PublicKey(data.subarray(DWALLET_AUTHORITY_OFFSET, DWALLET_AUTHORITY_OFFSET + 32)),
    curve,
    state: data[DWALLET_STATE_OFFSET],
    publicKey: Buffer.from(data.subarray(DWALLET_PUBLIC_KEY_OFFSET, DWALLET_PUBLIC_KEY_OFFSET + len)),
  };
}

/** The seeds every dWallet-rooted PDA starts with: `curve u16 LE || public_key`, in 32-byte chunks. */
export function dwalletSeedChunks(curve: Curve, publicKey: Uint8Array): Buffer[] {
  const bytes = Buffer.alloc(2 + publicKey.length);
  bytes.writeUInt16LE(curve);
  Buffer.from(publicKey).copy(bytes, 2);
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += 32) chunks.push(bytes.subarray(i, i + 32));
  return chunks;
}

/** A dWallet's address: `["dwallet", chunks…]` (Ika's network creates it; the program reads the account). */
export function dwalletAddress(curve: Curve, publicKey: Uint8Array): [PublicKey, number] {
  return PublicKey.findProgramAddressSync([SEED_DWALLET, ...dwalletSeedChunks(curve, publicKey)], IKA_PROGRAM_ID);
}

/**
 * The MessageApproval PDA: `["dwallet", chunks…, "message_approval", scheme u16 LE,
 * message_digest]`, then `message_metadata_digest` only when it is not zero.
 */
export function messageApprovalAddress(
  dwallet: { curve: Curve; publicKey: Uint8Array }, scheme: number, messageDigest: Uint8Array, metadataDigest?: Uint8Array,
): [PublicKey, number] {
  const schemeBytes = Buffer.alloc(2);
  schemeBytes.writeUInt16LE(scheme);
  const seeds = [SEED_DWALLET, ...dwalletSeedChunks(dwallet.curve, dwallet.publicKey), SEED_MESSAGE_APPROVAL, schemeBytes, Buffer.from(messageDigest)];
  if (metadataDigest && metadataDigest.some((b) => b !== 0)) seeds.push(Buffer.from(metadataDigest));
  return PublicKey.findProgramAddressSync(seeds, IKA_PROGRAM_ID);
}

// ---- MessageApproval account (disc 14), 312 bytes ----
export const MESSAGE_APPROVAL_DISCRIMINATOR = 14;
export const MESSAGE_APPROVAL_LEN = 312;
export const MA_DWALLET_OFFSET = 2;
export const MA_MESSAGE_DIGEST_OFFSET = 34;
export const MA_METADATA_DIGEST_OFFSET = 66;
export const MA_APPROVER_OFFSET = 98;
export const MA_USER_PUBKEY_OFFSET = 130;
export const MA_SIGNATURE_SCHEME_OFFSET = 162;
export const MA_EPOCH_OFFSET = 164;
export const MA_STATUS_OFFSET = 172;
export const MA_SIGNATURE_LEN_OFFSET = 173;
export const MA_SIGNATURE_OFFSET = 175;
export const MA_SIGNATURE_CAPACITY = 128;
export const MA_BUMP_OFFSET = 303;
export const MESSAGE_APPROVAL_STATUS_PENDING = 0;
export const MESSAGE_APPROVAL_STATUS_SIGNED = 1;

export interface MessageApprovalView {
  dwallet: PublicKey;
  messageDigest: Buffer;
  messageMetadataDigest: Buffer;
  /** The dWallet authority that approved: our CPI authority, for a session use. */
  approver: PublicKey;
  userPubkey: Buffer;
  signatureScheme: number;
  epoch: bigint;
  status: "pending" | "signed";
  /** `signature[0..signature_len]` once the network has signed; null while pending. */
  signature: Buffer | null;
  bump: number;
}

export function readMessageApproval(data: Buffer): MessageApprovalView | null {
  if (data.length !== MESSAGE_APPROVAL_LEN || data[0] !== MESSAGE_APPROVAL_DISCRIMINATOR) return null;
  const key = (at: number) => new PublicKey(data.subarray(at, at + 32));
  const bytes = (at: number) => Buffer.from(data.subarray(at, at + 32));
  const signed = data[MA_STATUS_OFFSET] === MESSAGE_APPROVAL_STATUS_SIGNED;
  const len = Math.min(data.readUInt16LE(MA_SIGNATURE_LEN_OFFSET), MA_SIGNATURE_CAPACITY);
  return {
    dwallet: key(MA_DWALLET_OFFSET),
    messageDigest: bytes(MA_MESSAGE_DIGEST_OFFSET),
    messageMetadataDigest: bytes(MA_METADATA_DIGEST_OFFSET),
    approver: key(MA_APPROVER_OFFSET),
    userPubkey: bytes(MA_USER_PUBKEY_OFFSET),
    signatureScheme: data.readUInt16LE(MA_SIGNATURE_SCHEME_OFFSET),
    epoch: data.readBigUInt64LE(MA_EPOCH_OFFSET),
    status: signed ? "signed" : "pending",
    signature: signed ? Buffer.from(data.subarray(MA_SIGNATURE_OFFSET, MA_SIGNATURE_OFFSET + len)) : null,
    bump: data[MA_BUMP_OFFSET],
  };
}

// ---- instructions ----
export const IX_APPROVE_MESSAGE = 8;
export const APPROVE_MESSAGE_DATA_LEN = 100;
export const IX_TRANSFER_OWNERSHIP = 24;

/** `[8, bump, message_digest, message_metadata_digest, user_pubkey, scheme u16 LE]`, 100 bytes. */
export function approveMessageData(bump: number, messageDigest: Uint8Array, metadataDigest: Uint8Array, userPubkey: Uint8Array, scheme: number): Buffer {
  const scheme16 = Buffer.alloc(2);
  scheme16.writeUInt16LE(scheme);
  return Buffer.concat([Buffer.from([IX_APPROVE_MESSAGE, bump]), Buffer.from(messageDigest), Buffer.from(metadataDigest), Buffer.from(userPubkey), scheme16]);
}

export function transferOwnershipData(newAuthority: PublicKey): Buffer {
  return Buffer.concat([Buffer.from([IX_TRANSFER_OWNERSHIP]), newAuthority.toBuffer()]);
}

/**
 * Ika answers with the runtime's built-in errors, and with custom error 5 for
 * a dWallet that is not Active (docs/ika.md): named here so clients say so.
 */
export const IKA_ERRORS = [{ code: 5, name: "IkaDwalletNotActive" }];

/** keccak256 of a message: Ika's `message_digest`. */
export function messageDigest(message: Uint8Array | string): Buffer {
  return Buffer.from(keccak_256(typeof message === "string" ? Buffer.from(message) : message));
}

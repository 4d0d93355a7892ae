/**
 * Solana's Program Metadata program (`ProgM6JCCvbYkfKqJYHePx4xxSUSqJp7rh8Lyv7nk7S`),
 * where Anchor 1.x publishes IDLs (its programs no longer carry Anchor's legacy
 * IDL instructions). Instruction builders with @solana/web3.js, written from
 * the program's documented interface, and the two flows the deploy needs:
 * `publishIdl` (create or update the program's canonical "idl" account) and
 * `fetchIdl` (read it back).
 *
 * Instruction data is one u8 variant, then the fields in order, unpadded and
 * little-endian. Where an optional account is left out, the Program Metadata
 * program's own id takes its place (the program tests for exactly that).
 *
 * Metadata accounts are PDAs of the Program Metadata program:
 *   canonical      [program, seed]             only the program's upgrade authority can create it;
 *   non-canonical  [program, authority, seed]  anyone can, for their own copy.
 * `Initialize` decides which from whether the signer is the upgrade authority
 * recorded in the program's ProgramData; a stranger's seeds lead to their own
 * non-canonical address, never to ours. The seed is 16 bytes: utf8, zero-padded.
 */
import { inflateSync, deflateSync, gunzipSync } from "zlib";
import {
  Keypair, PublicKey, SystemProgram, SYSVAR_RENT_PUBKEY, Transaction, TransactionInstruction,
} from "@solana/web3.js";
import type { AccountInfo } from "@solana/web3.js";
import type { Chain } from "../app/src/chain";
import { programDataAddress } from "./loader-v3";
import { sendStep, Step, writeRoom } from "./steps";

export const PROGRAM_METADATA_ID = new PublicKey("ProgM6JCCvbYkfKqJYHePx4xxSUSqJp7rh8Lyv7nk7S");

/** The seed Anchor 1.x and the explorers read an IDL from. */
export const IDL_SEED = "idl";
export const SEED_LEN = 16;
/** Metadata and Buffer headers are both 96 bytes; the data follows. */
export const HEADER_SIZE = 96;
/** MAX_PERMITTED_DATA_INCREASE: how much one instruction may grow an account. */
export const MAX_DATA_INCREASE = 10_240;

export const IX = { write: 0, initialize: 1, setAuthority: 2, setData: 3, setImmutable: 4, trim: 5, close: 6, allocate: 7, extend: 8 } as const;
export const ACCOUNT_KIND = { empty: 0, buffer: 1, metadata: 2 } as const;
export const ENCODING = { none: 0, utf8: 1, base58: 2, base64: 3 } as const;
export const COMPRESSION = { none: 0, gzip: 1, zlib: 2 } as const;
export const FORMAT = { none: 0, json: 1, yaml: 2, toml: 3 } as const;
export const DATA_SOURCE = { direct: 0, url: 1, external: 2 } as const;

/**
 * How we store the IDL: utf8 JSON, zlib-compressed, in the account itself —
 * what Program Metadata's own CLI (`write idl <program> idl.json`) stores by
 * default, so tools reading IDLs the way it writes them need no options for
 * ours. zlib makes the 78 KB IDL ~13 KB: a sixth of the rent.
 */
export const IDL_ENCODING = { encoding: ENCODING.utf8, compression: COMPRESSION.zlib, format: FORMAT.json, dataSource: DATA_SOURCE.direct } as const;
export type DataDescription = { encoding: number; compression: number; format: number; dataSource: number };

// ---------------------------------------------------------------- seeds and addresses

/** A seed as the program stores it: utf8 in 16 bytes, zero-padded. */
export function seedBytes(seed: string): Buffer {
  const utf8 = Buffer.from(seed, "utf8");
  if (utf8.length > SEED_LEN) throw new Error(`seed "${seed}" is ${utf8.length} bytes; at most ${SEED_LEN}`);
  return Buffer.concat([utf8, Buffer.alloc(SEED_LEN - utf8.length)]);
}

/** The address only the program's upgrade authority can initialize. */
export function canonicalMetadataAddress(program: PublicKey, seed = IDL_SEED): PublicKey {
  return PublicKey.findProgramAddressSync([program.toBuffer(), seedBytes(seed)], PROGRAM_METADATA_ID)[0];
}

/** Where anyone else's metadata for `program` lands: their own key is part of the address. */
export function nonCanonicalMetadataAddress(program: PublicKey, authority: PublicKey, seed = IDL_SEED): PublicKey {
  return PublicKey.findProgramAddressSync([program.toBuffer(), authority.toBuffer(), seedBytes(seed)], PROGRAM_METADATA_ID)[0];
}

// ---------------------------------------------------------------- instruction data

const u8 = (v: number) => Buffer.from([v]);
const u16le = (v: number) => { const b = Buffer.alloc(2); b.writeUInt16LE(v); return b; };
const u32le = (v: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(v); return b; };
const descriptionBytes = (d: DataDescription) => Buffer.from([d.encoding, d.compression, d.format, d.dataSource]);

/** `Write`: u8 0, offset u32 (from the end of the header), then the bytes (none: copy from a source buffer). */
export function writeData(offset: number, bytes: Uint8Array): Buffer {
  return Buffer.concat([u8(IX.write), u32le(offset), Buffer.from(bytes)]);
}

/** `Initialize`: u8 1, seed [16], encoding, compression, format, data source, then the data (none: the account is a written buffer). */
export function initializeData(seed: string, d: DataDescription, data: Uint8Array = new Uint8Array()): Buffer {
  return Buffer.concat([u8(IX.initialize), seedBytes(seed), descriptionBytes(d), Buffer.from(data)]);
}

/** `SetAuthority`: u8 2, then 1 + the new authority, or 0 to remove it. */
export function setAuthorityData(newAuthority: PublicKey | null): Buffer {
  return newAuthority ? Buffer.concat([u8(IX.setAuthority), u8(1), newAuthority.toBuffer()]) : Buffer.from([IX.setAuthority, 0]);
}

/**
 * `SetData`: u8 3, encoding, compression, format; then the data source and
 * the data inline, or the data source alone when the data comes from a buffer.
 */
export function setDataData(d: DataDescription, data?: Uint8Array): Buffer {
  return Buffer.concat([u8(IX.setData), descriptionBytes(d), Buffer.from(data ?? [])]);
}

/** `Allocate`: u8 7, then the 16-byte seed for a PDA, nothing for a keypair buffer. */
export function allocateData(seed?: string): Buffer {
  return Buffer.concat([u8(IX.allocate), seed === undefined ? Buffer.alloc(0) : seedBytes(seed)]);
}

/** `Extend`: u8 8, the bytes to add as u16. */
export function extendData(length: number): Buffer {
  if (!Number.isInteger(length) || length < 1 || length > 0xffff) throw new Error(`extend length ${length} is not a u16`);
  return Buffer.concat([u8(IX.extend), u16le(length)]);
}

// ---------------------------------------------------------------- instructions

const meta = (pubkey: PublicKey, isSigner: boolean, isWritable: boolean) => ({ pubkey, isSigner, isWritable });
/** An optional account left out: the program's own id in its slot. */
const orAbsent = (key?: PublicKey) => meta(key ?? PROGRAM_METADATA_ID, false, false);
const ix = (keys: ReturnType<typeof meta>[], data: Buffer) => new TransactionInstruction({ programId: PROGRAM_METADATA_ID, keys, data });

/** The upgrade-authority proof: a canonical account is managed by whoever ProgramData names. */
export interface ProgramProof { program: PublicKey; programData: PublicKey }
export const programProof = (program: PublicKey): ProgramProof => ({ program, programData: programDataAddress(program) });

/** Accounts: [buffer (w), authority (s), source buffer (or absent)]. */
export function writeIx(p: { buffer: PublicKey; authority: PublicKey; offset: number; bytes: Uint8Array; sourceBuffer?: PublicKey }): TransactionInstruction {
  return ix([meta(p.buffer, false, true), meta(p.authority, true, false), orAbsent(p.sourceBuffer)], writeData(p.offset, p.bytes));
}

/** Accounts: [metadata (w), authority (s), program, program data (or absent), system program (or absent: not needed for a written buffer)]. */
export function initializeIx(p: { metadata: PublicKey; authority: PublicKey; program: PublicKey; programData?: PublicKey; seed: string; description: DataDescription; data?: Uint8Array; systemProgram?: boolean }): TransactionInstruction {
  return ix([
    meta(p.metadata, false, true), meta(p.authority, true, false), meta(p.program, false, false), orAbsent(p.programData),
    orAbsent(p.systemProgram ? SystemProgram.programId : undefined),
  ], initializeData(p.seed, p.description, p.data));
}

/** Accounts: [account (w), authority (s), program (or absent), program data (or absent)]. */
export function setAuthorityIx(p: { account: PublicKey; authority: PublicKey; proof?: ProgramProof; newAuthority: PublicKey | null }): TransactionInstruction {
  return ix([meta(p.account, false, true), meta(p.authority, true, false), orAbsent(p.proof?.program), orAbsent(p.proof?.programData)], setAuthorityData(p.newAuthority));
}

/** Accounts: [metadata (w), authority (s), buffer (or absent), program (or absent), program data (or absent)]. */
export function setDataIx(p: { metadata: PublicKey; authority: PublicKey; buffer?: PublicKey; proof?: ProgramProof; description: DataDescription; data?: Uint8Array }): TransactionInstruction {
  if ((p.buffer === undefined) === (p.data === undefined)) throw new Error("setDataIx: give the data inline or a buffer, not both");
  return ix([
    meta(p.metadata, false, true), meta(p.authority, true, false), orAbsent(p.buffer), orAbsent(p.proof?.program), orAbsent(p.proof?.programData),
  ], setDataData(p.description, p.data));
}

/** Accounts: [account (w), authority (s), program (or absent), program data (or absent), destination (w), rent sysvar]. */
export function trimIx(p: { account: PublicKey; authority: PublicKey; proof?: ProgramProof; destination: PublicKey }): TransactionInstruction {
  return ix([
    meta(p.account, false, true), meta(p.authority, true, false), orAbsent(p.proof?.program), orAbsent(p.proof?.programData),
    meta(p.destination, false, true), meta(SYSVAR_RENT_PUBKEY, false, false),
  ], u8(IX.trim));
}

/** Accounts: [account (w), authority (s), program (or absent), program data (or absent), destination (w)]. */
export function closeIx(p: { account: PublicKey; authority: PublicKey; proof?: ProgramProof; destination: PublicKey }): TransactionInstruction {
  return ix([
    meta(p.account, false, true), meta(p.authority, true, false), orAbsent(p.proof?.program), orAbsent(p.proof?.programData), meta(p.destination, false, true),
  ], u8(IX.close));
}

/**
 * Accounts: [buffer (w), authority (s), program (or absent), program data (or absent), system program].
 * A PDA buffer (seed given) must be pre-funded and empty; the program creates it by CPI.
 * A keypair buffer is its own authority (and signer) and takes no seed.
 */
export function allocateIx(p: { buffer: PublicKey; authority: PublicKey; proof?: ProgramProof; seed?: string }): TransactionInstruction {
  return ix([
    meta(p.buffer, false, true), meta(p.authority, true, false), orAbsent(p.proof?.program), orAbsent(p.proof?.programData),
    meta(SystemProgram.programId, false, false),
  ], allocateData(p.seed));
}

/** Accounts: [account (w), authority (s), program (or absent), program data (or absent)]. */
export function extendIx(p: { account: PublicKey; authority: PublicKey; proof?: ProgramProof; length: number }): TransactionInstruction {
  return ix([meta(p.account, false, true), meta(p.authority, true, false), orAbsent(p.proof?.program), orAbsent(p.proof?.programData)], extendData(p.length));
}

// ---------------------------------------------------------------- account layout

/**
 * The 96-byte Metadata header: kind u8, program [32], authority [32] (zeros:
 * none), mutable u8, canonical u8, seed [16], encoding, compression, format,
 * data source (u8 each), data length u32, 5 bytes of padding; then the data.
 */
export interface MetadataAccount {
  program: PublicKey;
  authority: PublicKey | null;
  mutable: boolean;
  canonical: boolean;
  seed: string;
  description: DataDescription;
  data: Buffer;
}

export function decodeMetadata(data: Buffer): MetadataAccount {
  if (data.length < HEADER_SIZE || data[0] !== ACCOUNT_KIND.metadata) throw new Error(`not a Program Metadata metadata account (kind ${data[0]}, ${data.length} bytes)`);
  const authority = new PublicKey(data.subarray(33, 65));
  const length = data.readUInt32LE(87);
  return {
    program: new PublicKey(data.subarray(1, 33)),
    authority: authority.equals(PublicKey.default) ? null : authority,
    mutable: data[65] !== 0,
    canonical: data[66] !== 0,
    seed: data.subarray(67, 83).toString("utf8").replace(/\0+$/, ""),
    description: { encoding: data[83], compression: data[84], format: data[85], dataSource: data[86] },
    data: data.subarray(HEADER_SIZE, HEADER_SIZE + length),
  };
}

/** Undo the compression and encoding a metadata account declares; the text it holds. */
export function unpackText(m: Pick<MetadataAccount, "description" | "data">): string {
  const { compression, encoding } = m.description;
  const bytes = compression === COMPRESSION.zlib ? inflateSync(m.data)
    : compression === COMPRESSION.gzip ? gunzipSync(m.data)
    : compression === COMPRESSION.none ? m.data
    : undefined;
  if (!bytes) throw new Error(`unknown compression ${compression}`);
  if (encoding === ENCODING.utf8) return bytes.toString("utf8");
  if (encoding === ENCODING.base64) return bytes.toString("base64");
  throw new Error(`encoding ${encoding} is not text this reader handles (utf8, base64)`);
}

// ---------------------------------------------------------------- the flows

export class ProgramMetadataMissing extends Error {
  override name = "ProgramMetadataMissing";
}

export class PublishStepFailed extends Error {
  override name = "PublishStepFailed";
  constructor(readonly step: string, readonly errorName: string, readonly logs: string[]) {
    super(`${step} failed: ${errorName}`);
  }
}

/** Throws ProgramMetadataMissing unless the Program Metadata program is deployed (a bare local validator has none). */
export async function requireProgramMetadata(chain: Chain): Promise<void> {
  const account = await chain.getAccountInfo(PROGRAM_METADATA_ID);
  if (!account?.executable) {
    throw new ProgramMetadataMissing(`this cluster has no Program Metadata program at ${PROGRAM_METADATA_ID.toBase58()} (${account ? "account not executable" : "account missing"}); the IDL cannot be published here (pass --no-idl to deploy without it)`);
  }
}

/** The most data bytes one Write transaction carries for this payer and authority. */
export function writeChunkSize(payer: PublicKey, authority: PublicKey, buffer: PublicKey): number {
  return writeRoom(payer, writeIx({ buffer, authority, offset: 0, bytes: new Uint8Array() }));
}

function writeSteps(payer: Keypair, authority: Keypair, buffer: PublicKey, data: Buffer): Step[] {
  const chunk = writeChunkSize(payer.publicKey, authority.publicKey, buffer);
  const steps: Step[] = [];
  for (let offset = 0; offset < data.length; offset += chunk) {
    steps.push({ name: `write@${offset}`, tx: new Transaction().add(writeIx({ buffer, authority: authority.publicKey, offset, bytes: data.subarray(offset, offset + chunk) })), signers: [payer, authority] });
  }
  return steps;
}

/** Extend instructions growing an account by `bytes`, each within what one instruction may add. */
function extendIxs(account: PublicKey, authority: PublicKey, proof: ProgramProof, bytes: number): TransactionInstruction[] {
  const out: TransactionInstruction[] = [];
  for (let left = bytes; left > 0; left -= MAX_DATA_INCREASE) out.push(extendIx({ account, authority, proof, length: Math.min(left, MAX_DATA_INCREASE) }));
  return out;
}

export interface PublishPlanInput {
  program: PublicKey;
  authority: Keypair;
  payer: Keypair;
  /** The bytes stored (already compressed as `description` says). */
  data: Buffer;
  description: DataDescription;
  seed: string;
  /** The canonical account as it is now (null: absent, or a system account holding only lamports). */
  existing: AccountInfo<Buffer> | null;
  rent: (len: number) => number;
  /** The buffer an update writes to first (a new keypair). */
  buffer: Keypair;
}

/**
 * Every transaction of a publish, unsigned and without a blockhash, in order;
 * the writes must land in order (each grows the account by at most a chunk,
 * well under what one instruction may add).
 *
 * Create (no canonical account yet):
 *   1. System transfer of the rent to the canonical PDA + `Allocate` it as a
 *      canonical buffer (the upgrade authority signs; program and ProgramData
 *      prove it);
 *   2. `Write` the data into it, chunk by chunk;
 *   3. `Initialize`: the buffer becomes the canonical metadata account.
 * Update (it exists): the data goes to a new keypair buffer (createAccount +
 * `Allocate` + `SetAuthority` to the upgrade authority, then `Write`s), and
 * one transaction tops up the rent, `Extend`s past what one instruction may
 * add, `SetData` from the buffer, `Close`s the buffer and `Trim`s any excess
 * rent back to the payer.
 */
export function publishSteps(p: PublishPlanInput): Step[] {
  const { payer, authority, data, seed } = p;
  const proof = programProof(p.program);
  const metadata = canonicalMetadataAddress(p.program, seed);
  const size = HEADER_SIZE + data.length;
  const held = p.existing?.lamports ?? 0;
  const topUp = Math.max(0, p.rent(size) - held);
  const transfer = () => SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: metadata, lamports: topUp });

  if (!p.existing || p.existing.data.length === 0) {
    return [
      { name: "allocate", tx: new Transaction().add(...(topUp > 0 ? [transfer()] : []), allocateIx({ buffer: metadata, authority: authority.publicKey, proof, seed })), signers: [payer, authority] },
      ...writeSteps(payer, authority, metadata, data),
      { name: "initialize", tx: new Transaction().add(initializeIx({ metadata, authority: authority.publicKey, ...proof, seed, description: p.description })), signers: [payer, authority] },
    ];
  }

  const current = decodeMetadata(p.existing.data);
  if (!current.mutable) throw new Error(`${metadata.toBase58()} is immutable (SetImmutable was run on it): its IDL can no longer change`);
  const buffer = p.buffer.publicKey;
  const growth = data.length - current.data.length;
  return [
    {
      name: "createBuffer",
      tx: new Transaction().add(
        SystemProgram.createAccount({ fromPubkey: payer.publicKey, newAccountPubkey: buffer, lamports: p.rent(size), space: size, programId: PROGRAM_METADATA_ID }),
        allocateIx({ buffer, authority: buffer }),
        setAuthorityIx({ account: buffer, authority: buffer, newAuthority: authority.publicKey }),
      ),
      signers: [payer, p.buffer],
    },
    ...writeSteps(payer, authority, buffer, data),
    {
      name: "setData",
      tx: new Transaction().add(
        ...(topUp > 0 ? [transfer()] : []),
        // SetData may grow the account by one instruction's allowance; past it, Extend first.
        ...extendIxs(metadata, authority.publicKey, proof, growth > MAX_DATA_INCREASE ? growth : 0),
        setDataIx({ metadata, authority: authority.publicKey, buffer, proof, description: p.description }),
        closeIx({ account: buffer, authority: authority.publicKey, destination: payer.publicKey }),
        ...(growth < 0 ? [trimIx({ account: metadata, authority: authority.publicKey, proof, destination: payer.publicKey })] : []),
      ),
      signers: [payer, authority],
    },
  ];
}

/** The IDL's bytes as stored: zlib of the JSON (IDL_ENCODING). */
export function packIdl(idl: Buffer): Buffer {
  return deflateSync(idl, { level: 9 });
}

export interface IdlPlan {
  step: string;
  metadataAddress: string;
  seed: string;
  stored: string;
  idlBytes: number;
  storedBytes: number;
  accountSize: number;
  rentLamports: number;
  /** When the account is new: allocate + writes + initialize (an update adds none and replaces the data). */
  transactions: number;
}

/** What publishing `idl` costs, offline; `rent` is the lamports for a size (deploy.ts passes the default-rent formula). */
export function planIdl(program: PublicKey, payer: PublicKey, authority: PublicKey, idl: Buffer, rent: (len: number) => number): IdlPlan {
  const stored = packIdl(idl);
  const metadata = canonicalMetadataAddress(program);
  const writes = Math.ceil(stored.length / writeChunkSize(payer, authority, metadata));
  return {
    step: `publish the IDL to Program Metadata (${PROGRAM_METADATA_ID.toBase58()}) as the program's canonical "${IDL_SEED}" account, signed by the upgrade authority`,
    metadataAddress: metadata.toBase58(),
    seed: IDL_SEED,
    stored: "utf8 JSON, zlib, direct",
    idlBytes: idl.length,
    storedBytes: stored.length,
    accountSize: HEADER_SIZE + stored.length,
    rentLamports: rent(HEADER_SIZE + stored.length),
    transactions: writes + 2,
  };
}

export interface PublishResult {
  metadata: PublicKey;
  created: boolean;
  /** Bytes stored (compressed). */
  storedBytes: number;
  transactions: number;
  signature: string;
}

/**
 * Publish `idl` (the IDL JSON's bytes) as `program`'s canonical "idl"
 * metadata: create it, or replace its data when it exists, in this run.
 * `authority` must be the program's upgrade authority (the program checks it
 * against ProgramData); `payer` pays fees and rent.
 */
export async function publishIdl(chain: Chain, p: { program: PublicKey; authority: Keypair; payer: Keypair; idl: Buffer; seed?: string; log?: (line: string) => void }): Promise<PublishResult> {
  await requireProgramMetadata(chain);
  JSON.parse(p.idl.toString("utf8")); // refuse to publish something that is not JSON
  const seed = p.seed ?? IDL_SEED;
  const metadata = canonicalMetadataAddress(p.program, seed);
  const data = packIdl(p.idl);
  let existing = await chain.getAccountInfo(metadata);
  if (existing && existing.data.length > 0 && !existing.owner.equals(PROGRAM_METADATA_ID)) {
    throw new Error(`${metadata.toBase58()} holds data owned by ${existing.owner.toBase58()}, not Program Metadata`);
  }
  if (existing && existing.data.length > 0 && existing.data[0] === ACCOUNT_KIND.buffer) {
    // A create that stopped between Allocate and Initialize left a canonical
    // buffer here: close it (its rent returns to the payer) and start over.
    p.log?.(`${metadata.toBase58()} holds an unfinished canonical buffer; closing it first`);
    await send(chain, p.payer, { name: "closeStaleBuffer", tx: new Transaction().add(closeIx({ account: metadata, authority: p.authority.publicKey, proof: programProof(p.program), destination: p.payer.publicKey })), signers: [p.payer, p.authority] });
    existing = await chain.getAccountInfo(metadata);
  }
  const size = HEADER_SIZE + data.length;
  const rentForSize = await chain.getMinimumBalanceForRentExemption(size);
  const steps = publishSteps({ program: p.program, authority: p.authority, payer: p.payer, data, description: IDL_ENCODING, seed, existing, rent: (len) => (len === size ? rentForSize : unreachable(len)), buffer: Keypair.generate() });
  const created = !existing || existing.data.length === 0;
  p.log?.(`${created ? "creating" : "updating"} ${metadata.toBase58()} (${data.length} bytes zlib, ${steps.length} transactions)`);
  let signature = "";
  for (const step of steps) signature = await send(chain, p.payer, step);
  return { metadata, created, storedBytes: data.length, transactions: steps.length, signature };
}

async function send(chain: Chain, payer: Keypair, step: Step): Promise<string> {
  const outcome = await sendStep(chain, payer.publicKey, step, (errorName, logs) => new PublishStepFailed(step.name, errorName, logs));
  return outcome.signature;
}

const unreachable = (len: number): never => {
  throw new Error(`no rent looked up for ${len} bytes`);
};

/**
 * The IDL JSON `program`'s upgrade authority published, or null when there
 * is none. Reads only the canonical account: a non-canonical one at another
 * address is anyone's claim, not the program's.
 */
export async function fetchIdl(chain: Chain, program: PublicKey, seed = IDL_SEED): Promise<unknown | null> {
  const address = canonicalMetadataAddress(program, seed);
  const account = await chain.getAccountInfo(address);
  if (!account || account.data.length === 0) return null;
  if (!account.owner.equals(PROGRAM_METADATA_ID)) throw new Error(`${address.toBase58()} is not owned by Program Metadata`);
  const m = decodeMetadata(account.data);
  if (!m.canonical || !m.program.equals(program)) throw new Error(`${address.toBase58()} is not ${program.toBase58()}'s canonical metadata`);
  if (m.description.dataSource !== DATA_SOURCE.direct) throw new Error(`the IDL at ${address.toBase58()} is not stored in the account (data source ${m.description.dataSource})`);
  return JSON.parse(unpackText(m));
}

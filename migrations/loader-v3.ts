/**
 * The upgradeable BPF loader (loader-v3, `BPFLoaderUpgradeab1e1111…`) deploy
 * flow with @solana/web3.js, for when the `solana` CLI is not installed.
 * It does what `solana program deploy` does, in three steps:
 *
 *   1. create a buffer account (System createAccount, owner = loader) and
 *      `InitializeBuffer` it with our key as its authority;
 *   2. `Write` the .so into it in chunks that each fit one transaction;
 *   3. create the program account and `DeployWithMaxDataLen`: the loader
 *      copies the buffer into the ProgramData account, closes the buffer
 *      (its lamports go back to the payer) and marks the program executable.
 *
 * Instruction data is bincode of `UpgradeableLoaderInstruction`: a u32 LE
 * variant index, then the fields (u32 LE, u64 LE, a Vec as u64 LE length +
 * bytes). Account sizes are those of `UpgradeableLoaderState`.
 */
import {
  Keypair, PublicKey, SystemProgram, SYSVAR_CLOCK_PUBKEY, SYSVAR_RENT_PUBKEY, Transaction, TransactionInstruction,
} from "@solana/web3.js";
import type { Chain } from "../app/src/chain";
import { sendStep, Step, writeRoom } from "./steps";

export const LOADER_V3 = new PublicKey("BPFLoaderUpgradeab1e11111111111111111111111");

/** `UpgradeableLoaderState::Buffer`: enum tag u32 + Option<Pubkey> (1 + 32). */
export const BUFFER_METADATA_SIZE = 37;
/** `UpgradeableLoaderState::ProgramData`: tag u32 + slot u64 + Option<Pubkey> (1 + 32). */
export const PROGRAMDATA_METADATA_SIZE = 45;
/** `UpgradeableLoaderState::Program`: tag u32 + programdata address. */
export const PROGRAM_ACCOUNT_SIZE = 36;

export const IX_INITIALIZE_BUFFER = 0;
export const IX_WRITE = 1;
export const IX_DEPLOY_WITH_MAX_DATA_LEN = 2;

// ---------------------------------------------------------------- instruction data

export function initializeBufferData(): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(IX_INITIALIZE_BUFFER);
  return b;
}

/** `Write { offset: u32, bytes: Vec<u8> }`. */
export function writeData(offset: number, bytes: Uint8Array): Buffer {
  const head = Buffer.alloc(16);
  head.writeUInt32LE(IX_WRITE, 0);
  head.writeUInt32LE(offset, 4);
  head.writeBigUInt64LE(BigInt(bytes.length), 8);
  return Buffer.concat([head, Buffer.from(bytes)]);
}

/** `DeployWithMaxDataLen { max_data_len: usize }` (usize is u64 in bincode). */
export function deployWithMaxDataLenData(maxDataLen: number): Buffer {
  const b = Buffer.alloc(12);
  b.writeUInt32LE(IX_DEPLOY_WITH_MAX_DATA_LEN, 0);
  b.writeBigUInt64LE(BigInt(maxDataLen), 4);
  return b;
}

// ---------------------------------------------------------------- instructions

export function programDataAddress(programId: PublicKey): PublicKey {
  return PublicKey.findProgramAddressSync([programId.toBuffer()], LOADER_V3)[0];
}

/** Accounts: [buffer (w), authority]. The authority need not sign here. */
export function initializeBufferIx(buffer: PublicKey, authority: PublicKey): TransactionInstruction {
  return new TransactionInstruction({
    programId: LOADER_V3,
    keys: [
      { pubkey: buffer, isSigner: false, isWritable: true },
      { pubkey: authority, isSigner: false, isWritable: false },
    ],
    data: initializeBufferData(),
  });
}

/** Accounts: [buffer (w), authority (s)]. */
export function writeIx(buffer: PublicKey, authority: PublicKey, offset: number, bytes: Uint8Array): TransactionInstruction {
  return new TransactionInstruction({
    programId: LOADER_V3,
    keys: [
      { pubkey: buffer, isSigner: false, isWritable: true },
      { pubkey: authority, isSigner: true, isWritable: false },
    ],
    data: writeData(offset, bytes),
  });
}

/** Accounts: [payer (s,w), programdata (w), program (w), buffer (w), rent, clock, system program, authority (s)]. */
export function deployWithMaxDataLenIx(p: { payer: PublicKey; program: PublicKey; buffer: PublicKey; authority: PublicKey; maxDataLen: number }): TransactionInstruction {
  return new TransactionInstruction({
    programId: LOADER_V3,
    keys: [
      { pubkey: p.payer, isSigner: true, isWritable: true },
      { pubkey: programDataAddress(p.program), isSigner: false, isWritable: true },
      { pubkey: p.program, isSigner: false, isWritable: true },
      { pubkey: p.buffer, isSigner: false, isWritable: true },
      { pubkey: SYSVAR_RENT_PUBKEY, isSigner: false, isWritable: false },
      { pubkey: SYSVAR_CLOCK_PUBKEY, isSigner: false, isWritable: false },
      { pubkey: SystemProgram.programId, isSigner: false, isWritable: false },
      { pubkey: p.authority, isSigner: true, isWritable: false },
    ],
    data: deployWithMaxDataLenData(p.maxDataLen),
  });
}

// ---------------------------------------------------------------- sizes and the plan

/**
 * Rent-exempt minimum under the default rent every public cluster uses
 * (3480 lamports per byte-year, 2 years, plus 128 bytes of account overhead).
 * The plan needs no network; tests/deploy.test.ts holds this equal to LiteSVM's.
 */
export function rentExemptLamports(dataLength: number): number {
  return (128 + dataLength) * 3480 * 2;
}

/** The most .so bytes one Write transaction can carry. */
export function writeChunkSize(payer: PublicKey, buffer: PublicKey): number {
  return writeRoom(payer, writeIx(buffer, payer, 0, new Uint8Array()));
}

export interface DeployPlan {
  programId: string;
  programDataAddress: string;
  soBytes: number;
  maxDataLen: number;
  programDataSize: number;
  programDataRentLamports: number;
  programAccountRentLamports: number;
  bufferSize: number;
  /** Held while writing, refunded to the payer by the deploy. */
  bufferRentLamports: number;
  writeChunkBytes: number;
  writeTransactions: number;
  /** create buffer + writes + create program & deploy. */
  totalTransactions: number;
}

export function planDeploy(programId: PublicKey, payer: PublicKey, soBytes: number, maxDataLen = soBytes): DeployPlan {
  if (maxDataLen < soBytes) throw new Error(`max data length ${maxDataLen} is smaller than the program (${soBytes} bytes)`);
  // Sizing is independent of which buffer key is used.
  const chunk = writeChunkSize(payer, Keypair.generate().publicKey);
  const writes = Math.ceil(soBytes / chunk);
  return {
    programId: programId.toBase58(),
    programDataAddress: programDataAddress(programId).toBase58(),
    soBytes, maxDataLen,
    programDataSize: PROGRAMDATA_METADATA_SIZE + maxDataLen,
    programDataRentLamports: rentExemptLamports(PROGRAMDATA_METADATA_SIZE + maxDataLen),
    programAccountRentLamports: rentExemptLamports(PROGRAM_ACCOUNT_SIZE),
    bufferSize: BUFFER_METADATA_SIZE + soBytes,
    bufferRentLamports: rentExemptLamports(BUFFER_METADATA_SIZE + soBytes),
    writeChunkBytes: chunk,
    writeTransactions: writes,
    totalTransactions: writes + 2,
  };
}

// ---------------------------------------------------------------- the flow

/** Every transaction of a deploy, unsigned and without a blockhash, in order (writes may go in any order). */
export function deployTransactions(p: { payer: Keypair; program: Keypair; buffer: Keypair; so: Buffer; maxDataLen?: number; rent: (len: number) => number }): Step[] {
  const { payer, program, buffer, so } = p;
  const maxDataLen = p.maxDataLen ?? so.length;
  const bufferSize = BUFFER_METADATA_SIZE + so.length;
  const steps: Step[] = [{
    name: "createBuffer",
    tx: new Transaction().add(
      SystemProgram.createAccount({ fromPubkey: payer.publicKey, newAccountPubkey: buffer.publicKey, lamports: p.rent(bufferSize), space: bufferSize, programId: LOADER_V3 }),
      initializeBufferIx(buffer.publicKey, payer.publicKey),
    ),
    signers: [payer, buffer],
  }];
  const chunk = writeChunkSize(payer.publicKey, buffer.publicKey);
  for (let offset = 0; offset < so.length; offset += chunk) {
    steps.push({ name: `write@${offset}`, tx: new Transaction().add(writeIx(buffer.publicKey, payer.publicKey, offset, so.subarray(offset, offset + chunk))), signers: [payer] });
  }
  steps.push({
    name: "deploy",
    tx: new Transaction().add(
      SystemProgram.createAccount({ fromPubkey: payer.publicKey, newAccountPubkey: program.publicKey, lamports: p.rent(PROGRAM_ACCOUNT_SIZE), space: PROGRAM_ACCOUNT_SIZE, programId: LOADER_V3 }),
      deployWithMaxDataLenIx({ payer: payer.publicKey, program: program.publicKey, buffer: buffer.publicKey, authority: payer.publicKey, maxDataLen }),
    ),
    signers: [payer, program],
  });
  return steps;
}

export class DeployStepFailed extends Error {
  constructor(readonly step: string, readonly errorName: string, readonly buffer: PublicKey, readonly logs: string[]) {
    // The buffer keeps its rent until closed: say where it is so the payer can recover it.
    super(`${step} failed: ${errorName} (buffer ${buffer.toBase58()} holds rent; reclaim with \`solana program close ${buffer.toBase58()}\`)`);
  }
}

/**
 * Run the three steps against any `Chain` (RPC for a cluster, LiteSVM in the
 * test). The payer is also the upgrade authority. Writes are independent, so
 * up to `concurrency` are in flight at once (a cluster confirms each in about
 * a slot; sequentially a large program would take many minutes).
 */
export async function deployProgram(chain: Chain, p: { payer: Keypair; program: Keypair; so: Buffer; maxDataLen?: number; concurrency?: number; log?: (line: string) => void }) {
  const existing = await chain.getAccountInfo(p.program.publicKey);
  if (existing) throw new Error(`${p.program.publicKey.toBase58()} already exists on this cluster; upgrades are not handled here (use \`solana program deploy\` with the upgrade authority)`);
  const buffer = Keypair.generate();
  const rentCache = new Map<number, number>();
  for (const len of [BUFFER_METADATA_SIZE + p.so.length, PROGRAM_ACCOUNT_SIZE]) rentCache.set(len, await chain.getMinimumBalanceForRentExemption(len));
  const steps = deployTransactions({ ...p, buffer, rent: (len) => rentCache.get(len)! });
  const send = (step: Step) =>
    sendStep(chain, p.payer.publicKey, step, (errorName, logs) => new DeployStepFailed(step.name, errorName, buffer.publicKey, logs));
  const [create, writes, deploy] = [steps[0], steps.slice(1, -1), steps[steps.length - 1]];
  await send(create);
  p.log?.(`buffer ${buffer.publicKey.toBase58()} created; writing ${writes.length} chunks`);
  let next = 0;
  const worker = async () => {
    while (next < writes.length) await send(writes[next++]);
  };
  await Promise.all(Array.from({ length: Math.max(1, p.concurrency ?? 8) }, worker));
  const last = await send(deploy);
  p.log?.(`deployed ${p.program.publicKey.toBase58()}`);
  return { programId: p.program.publicKey, programData: programDataAddress(p.program.publicKey), buffer: buffer.publicKey, signature: last.signature, transactions: steps.length };
}

/**
 * What the deploy's two flows share (./loader-v3.ts writes the program,
 * ./program-metadata.ts its IDL): a step (one transaction and its signers),
 * sending it, and how many bytes one write transaction can carry.
 */
import { Keypair, PublicKey, Transaction, TransactionInstruction } from "@solana/web3.js";
import type { Chain, TxSuccess } from "../app/src/chain";

/** Largest transaction on the wire (IPv6 MTU minus headers): what a chunk must fit in. */
export const PACKET_DATA_SIZE = 1232;

export interface Step {
  name: string;
  tx: Transaction;
  signers: Keypair[];
}

/** A placeholder blockhash: only sizes are measured with it. */
const SIZE_BLOCKHASH = PublicKey.default.toBase58();

/**
 * The most bytes `emptyWrite` (a write instruction carrying none) can take
 * in one transaction paid by `feePayer`: measure it and fill the rest of the
 * packet, minus one byte, since the instruction-data length becomes a 2-byte
 * compact-u16 past 127.
 */
export function writeRoom(feePayer: PublicKey, emptyWrite: TransactionInstruction): number {
  const empty = new Transaction({ feePayer, recentBlockhash: SIZE_BLOCKHASH }).add(emptyWrite);
  return PACKET_DATA_SIZE - empty.serialize({ requireAllSignatures: false, verifySignatures: false }).length - 1;
}

/** Sign `step` with a fresh blockhash (each signer once) and send it; a failure becomes `fail(errorName, logs)`. */
export async function sendStep(chain: Chain, feePayer: PublicKey, step: Step, fail: (errorName: string, logs: string[]) => Error): Promise<TxSuccess> {
  const { blockhash, lastValidBlockHeight } = await chain.getLatestBlockhash();
  step.tx.feePayer = feePayer;
  step.tx.recentBlockhash = blockhash;
  step.tx.lastValidBlockHeight = lastValidBlockHeight;
  step.tx.sign(...step.signers.filter((k, i) => step.signers.findIndex((o) => o.publicKey.equals(k.publicKey)) === i));
  const outcome = await chain.sendTransaction(step.tx);
  if (!outcome.ok) throw fail(outcome.error.name, outcome.logs);
  return outcome;
}

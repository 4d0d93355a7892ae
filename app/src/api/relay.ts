/**
 * Submitting a transaction the caller signed. The server is not a general
 * relay: it forwards only transactions whose instructions all go to
 * session-keys or ComputeBudget (at least one to session-keys), legacy or v0
 * without address lookup tables, every signature present and valid. What the
 * program refuses comes back as 422 with its exact error name.
 */
import { createPublicKey, verify } from "crypto";
import { BorshInstructionCoder } from "@coral-xyz/anchor";
import { ComputeBudgetProgram, PublicKey, VersionedTransaction } from "@solana/web3.js";
import { toJson } from "../shell/format";
import { UsageError } from "../shell/parse";
import type { Service } from "./actions";
import { HttpError, rejected } from "./http";

export interface Relayable {
  tx: VersionedTransaction;
  /** Our instructions, by name (`createSession`, `approveMessage`, …), in order. */
  instructions: { name: string; data: Record<string, unknown> | null; accounts: PublicKey[] }[];
}

/** Decode and check a base64 wire transaction: 400 with a named error for anything the server will not forward. */
export function relayable(s: Service, base64: string): Relayable {
  const tx = decode(base64);
  const keys = tx.message.staticAccountKeys;
  if (tx.message.addressTableLookups.length) throw new HttpError(400, "AddressLookupTablesUnsupported", "a session-keys transaction needs no address lookup table: send it without one");
  const programs = tx.message.compiledInstructions.map((ix) => keys[ix.programIdIndex]);
  const foreign = programs.filter((p) => !p.equals(s.client.programId) && !p.equals(ComputeBudgetProgram.programId));
  if (foreign.length) {
    throw new HttpError(400, "ForeignProgram", `only session-keys and ComputeBudget instructions are relayed; this transaction also calls ${[...new Set(foreign.map((p) => p.toBase58()))].join(", ")}`);
  }
  const ours = tx.message.compiledInstructions.filter((_, i) => programs[i].equals(s.client.programId));
  if (ours.length === 0) throw new HttpError(400, "NoSessionKeysInstruction", "the transaction calls no session-keys instruction");
  checkSignatures(tx);
  const instructions = ours.map((ix) => ({ ...decodeInstruction(s, Buffer.from(ix.data)), accounts: ix.accountKeyIndexes.map((i) => keys[i]) }));
  return { tx, instructions };
}

/** Send it; 422 with the program's error name if the chain refuses it. */
export async function relay(s: Service, r: Relayable) {
  const outcome = await s.chain.sendTransaction(r.tx);
  if (!outcome.ok) throw rejected(s.client.nameFailure(outcome.logs, outcome.error), { signature: outcome.signature });
  return {
    signature: outcome.signature, computeUnits: outcome.computeUnits, instructions: r.instructions.map((ix) => ix.name),
    events: toJson(s.client.parseEvents(outcome.logs)),
  };
}

/** A deploy route's `{ transaction }` must hold that route's instruction: it submits what its /preview built. */
export function expectInstruction(r: Relayable, name: string): void {
  if (!r.instructions.some((ix) => ix.name === name)) {
    throw new HttpError(400, "WrongInstruction", `this route submits ${name}; the transaction holds ${r.instructions.map((ix) => ix.name).join(", ")}: POST /transactions relays any session-keys transaction`);
  }
}

function decode(base64: string): VersionedTransaction {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64)) throw new UsageError("transaction must be base64");
  try {
    return VersionedTransaction.deserialize(Buffer.from(base64, "base64"));
  } catch {
    throw new UsageError("transaction is not a valid base64 wire transaction");
  }
}

function decodeInstruction(s: Service, data: Buffer): { name: string; data: Record<string, unknown> | null } {
  try {
    const d = (s.client.program.coder.instruction as BorshInstructionCoder).decode(data);
    if (d) return { name: d.name.replace(/_(\w)/g, (_, c: string) => c.toUpperCase()), data: d.data as Record<string, unknown> };
  } catch {
    // Undecodable data is the program's to refuse, by name, when it runs.
  }
  return { name: "unknown", data: null };
}

/** Every required signature present and valid (ed25519 over the message bytes). */
function checkSignatures(tx: VersionedTransaction): void {
  const message = Buffer.from(tx.message.serialize());
  const signers = tx.message.staticAccountKeys.slice(0, tx.message.header.numRequiredSignatures);
  const bad = signers.filter((key, i) => {
    const sig = tx.signatures[i];
    return !sig || sig.every((b) => b === 0) || !verify(null, message, ed25519Key(key), sig);
  });
  if (bad.length) throw new HttpError(400, "TransactionNotSigned", `missing or invalid signature of ${bad.map((k) => k.toBase58()).join(", ")}`);
}

/** A raw ed25519 public key as a Node KeyObject (the fixed SPKI DER prefix, then the 32 bytes). */
function ed25519Key(key: PublicKey) {
  return createPublicKey({ key: Buffer.concat([Buffer.from("302a300506032b6570032100", "hex"), key.toBuffer()]), format: "der", type: "spki" });
}

/** Small helpers shared by the chain backends. */
import type { ClockPatch } from "./types";
import { utils } from "@coral-xyz/anchor";
import { AccountInfo, Transaction, VersionedTransaction } from "@solana/web3.js";

/** First signature of a transaction (its id), base58; all-zero if unsigned. */
export function txSignature(tx: Transaction | VersionedTransaction): string {
  const sig = tx instanceof Transaction ? tx.signatures[0]?.signature : tx.signatures[0];
  return utils.bytes.bs58.encode(sig ?? Buffer.alloc(64));
}

/**
 * A copy of `tx` whose missing signatures are zero-filled, so that
 * web3.js agrees to serialize it for a simulation that skips sigverify.
 */
export function withPlaceholderSignatures(tx: Transaction): Transaction {
  const copy = Transaction.populate(tx.compileMessage(), []);
  copy.signatures = tx.signatures.map((s) => ({
    publicKey: s.publicKey,
    signature: s.signature ?? Buffer.alloc(64),
  }));
  return copy;
}

/** Backends hand back Uint8Array data; the rest of the code expects Buffer. */
export function toBufferAccount(acc: AccountInfo<Uint8Array> | null): AccountInfo<Buffer> | null {
  if (!acc) return null;
  return { ...acc, data: Buffer.from(acc.data) };
}

/** Compute units spent by each program invocation, read from "consumed N of M" log lines (top level). */
export function consumedByProgram(logs: string[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const line of logs) {
    const m = /^Program (\w+) consumed (\d+) of \d+ compute units$/.exec(line);
    if (m) out.set(m[1], [...(out.get(m[1]) ?? []), Number(m[2])]);
  }
  return out;
}

/** A Clock sysvar's five fields, as both in-process runtimes' `Clock` constructors take them. */
type ClockFields = Required<ClockPatch>;

/**
 * The constructor arguments of a Clock equal to `current` with `patch` applied,
 * in the order LiteSVM's and bankrun's `Clock` classes both expect.
 */
export function patchedClockArgs(current: ClockFields, patch: ClockPatch): [bigint, bigint, bigint, bigint, bigint] {
  return [
    patch.slot ?? current.slot,
    patch.epochStartTimestamp ?? current.epochStartTimestamp,
    patch.epoch ?? current.epoch,
    patch.leaderScheduleEpoch ?? current.leaderScheduleEpoch,
    patch.unixTimestamp ?? current.unixTimestamp,
  ];
}

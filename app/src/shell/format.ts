/**
 * JSON rendering of client values for the CLI and the API: Anchor hands back
 * BN, PublicKey, bigint, byte arrays and `{ active: {} }` enums, none of which
 * JSON.stringify prints usefully.
 */
import { BN } from "@coral-xyz/anchor";
import { PublicKey } from "@solana/web3.js";
import { NamedFailure, PreviewResult, SessionAccount, sessionJson } from "../client";

export function toJson(value: unknown): unknown {
  if (value === null || value === undefined) return value ?? null;
  if (typeof value === "bigint") return value.toString();
  if (BN.isBN(value)) return (value as BN).toString();
  if (value instanceof PublicKey) return value.toBase58();
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return Buffer.from(value).toString("hex");
  if (Array.isArray(value)) {
    // Fixed byte arrays ([u8; 32] digests, bindings) read best as hex.
    if (value.length >= 16 && value.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)) return Buffer.from(value).toString("hex");
    return value.map(toJson);
  }
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>);
    // Anchor enums decode as `{ variant: {} }`.
    if (entries.length === 1 && isEmptyObject(entries[0][1])) return entries[0][0];
    return Object.fromEntries(entries.map(([k, v]) => [k, toJson(v)]));
  }
  return value;
}

function isEmptyObject(v: unknown): boolean {
  return typeof v === "object" && v !== null && !Array.isArray(v) && Object.keys(v).length === 0;
}

/** The error part of a report: the exact name first. */
export function failureJson(f: NamedFailure): Record<string, unknown> {
  return { error: f.name, code: f.code, programId: f.programId, message: f.message };
}

/**
 * What a preview means to a person: CU, rent, the resulting state of the
 * account of interest (e.g. the new Session), or the named error.
 */
export interface PreviewSummary {
  action: string;
  ok: boolean;
  computeUnits: number;
  rentLamports: number;
  rent: PreviewResult["rent"];
  /** The watched account's resulting state (when ok). */
  state?: unknown;
  /** The exact error name (when not ok), with code/programId/message. */
  error?: string;
  unsignedTransaction: string;
}

export function previewSummary(p: PreviewResult, stateOf?: string): PreviewSummary {
  const change = stateOf ? p.changes.find((c) => c.address === stateOf) : undefined;
  return {
    action: p.action,
    ok: p.ok,
    computeUnits: p.computeUnits,
    rentLamports: p.rent.reduce((s, r) => s + r.lamports, 0),
    rent: p.rent,
    ...(p.ok ? { state: readable(change?.kind, change?.after ?? null) } : (toJson(failureJson(p.error!)) as { error: string })),
    unsignedTransaction: p.unsignedTransaction,
  };
}

/** A decoded account for people: a Session through `sessionJson`, anything else through `toJson`. */
export function readable(kind: string | undefined, decoded: unknown): unknown {
  if (kind === "session" && decoded) return sessionJson(decoded as SessionAccount);
  return toJson(decoded);
}

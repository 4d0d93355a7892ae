/**
 * A reference model of one policy and its sessions, written from docs/spec.md and
 * docs/security.md alone — it imports nothing from the client or the program,
 * so the property test (tests/property.test.ts) compares two independent
 * readings of the rules. Keys are small integers (delegate 0, 1, …; the
 * allowlist holds destination indexes); the test maps them to real keys.
 *
 * Every `apply*` returns the expected outcome and, only on success, changes
 * the state — a failed transaction changes nothing.
 */

export const U64_MAX = (1n << 64n) - 1n;

export type Outcome = { ok: true } | { ok: false; error: string };
const ok: Outcome = { ok: true };
const fail = (error: string): Outcome => ({ ok: false, error });

export type Status = "active" | "revoked" | "stale" | "expired" | "exhausted" | "closed";

export interface ModelSession {
  delegate: number;
  epoch: bigint;
  revoked: boolean;
  expirySlot: bigint;
  maxUses: number;
  maxAmountPerTx: bigint;
  maxTotalAmount: bigint;
  /** Destination indexes, distinct. */
  allowed: number[];
  uses: number;
  nonce: bigint;
  spent: bigint;
  closed: boolean;
}

export interface ModelState {
  slot: bigint;
  epoch: bigint;
  /** Index = session id. */
  sessions: ModelSession[];
}

export function newModel(slot: bigint): ModelState {
  return { slot, epoch: 0n, sessions: [] };
}

/** docs/spec.md precedence: revoked, stale, expired, exhausted, else active. */
export function statusOf(m: ModelState, s: ModelSession): Status {
  if (s.closed) return "closed";
  if (s.revoked) return "revoked";
  if (s.epoch !== m.epoch) return "stale";
  if (m.slot > s.expirySlot) return "expired";
  if (s.uses >= s.maxUses) return "exhausted";
  return "active";
}

export interface CreateArgs {
  delegate: number;
  expirySlot: bigint;
  maxUses: number;
  maxAmountPerTx: bigint;
  maxTotalAmount: bigint;
  allowed: number[];
}

function allowlistError(allowed: number[]): string | undefined {
  if (allowed.length === 0) return "EmptyAllowlist";
  if (allowed.length > 8) return "AllowlistTooLong";
  if (new Set(allowed).size !== allowed.length) return "DuplicateAllowedProgram";
  return undefined;
}

/** The new session takes the next id (`sessions.length`). */
export function applyCreate(m: ModelState, a: CreateArgs): Outcome {
  if (a.expirySlot < m.slot) return fail("ExpiryInPast");
  if (a.maxUses === 0) return fail("ZeroMaxUses");
  const bad = allowlistError(a.allowed);
  if (bad) return fail(bad);
  m.sessions.push({
    delegate: a.delegate, epoch: m.epoch, revoked: false, expirySlot: a.expirySlot, maxUses: a.maxUses,
    maxAmountPerTx: a.maxAmountPerTx, maxTotalAmount: a.maxTotalAmount, allowed: [...a.allowed],
    uses: 0, nonce: 0n, spent: 0n, closed: false,
  });
  return ok;
}

export interface UseArgs {
  /** Which delegate index signs (may be the wrong one). */
  signer: number;
  nonce: bigint;
  amount: bigint;
  destination: number;
}

/** The use path, in docs/spec.md's order (the policy is always Active and the session always of this policy here). */
export function applyUse(m: ModelState, id: number, a: UseArgs): Outcome {
  const s = m.sessions[id];
  if (s.closed) return fail("AccountOwnedByWrongProgram"); // the account is gone (the System program owns the address): Anchor cannot load it
  if (a.signer !== s.delegate) return fail("NotDelegate");
  if (s.revoked) return fail("SessionRevoked");
  if (s.epoch !== m.epoch) return fail("StaleEpoch");
  if (m.slot > s.expirySlot) return fail("Expired");
  if (s.uses >= s.maxUses) return fail("MaxUsesReached");
  if (a.nonce < s.nonce) return fail("NonceReplayed");
  if (a.nonce > s.nonce) return fail("NonceOutOfOrder");
  if (!s.allowed.includes(a.destination)) return fail("DestinationNotAllowed");
  if (a.amount > s.maxAmountPerTx) return fail("AmountExceedsMax");
  if (s.spent + a.amount > s.maxTotalAmount) return fail("BudgetExceeded");
  s.uses += 1;
  s.nonce += 1n;
  s.spent += a.amount;
  return ok;
}

export interface UpdateArgs {
  expirySlot?: bigint;
  maxUses?: number;
  maxAmountPerTx?: bigint;
  maxTotalAmount?: bigint;
  allowed?: number[];
}

/** Limits never go below what is used; revoked and stale sessions cannot be revived; all checks before any write. */
export function applyUpdate(m: ModelState, id: number, a: UpdateArgs): Outcome {
  const s = m.sessions[id];
  if (s.closed) return fail("AccountOwnedByWrongProgram");
  if (s.revoked) return fail("SessionRevoked");
  if (s.epoch !== m.epoch) return fail("StaleEpoch");
  const given = [a.expirySlot, a.maxUses, a.maxAmountPerTx, a.maxTotalAmount, a.allowed].filter((v) => v !== undefined);
  if (given.length === 0) return fail("EmptyUpdate");
  if (a.expirySlot !== undefined && a.expirySlot < m.slot) return fail("ExpiryInPast");
  if (a.maxUses !== undefined) {
    if (a.maxUses === 0) return fail("ZeroMaxUses");
    if (a.maxUses < s.uses) return fail("LimitBelowUsage");
  }
  if (a.maxTotalAmount !== undefined && a.maxTotalAmount < s.spent) return fail("LimitBelowUsage");
  if (a.allowed !== undefined) {
    const bad = allowlistError(a.allowed);
    if (bad) return fail(bad);
  }
  if (a.expirySlot !== undefined) s.expirySlot = a.expirySlot;
  if (a.maxUses !== undefined) s.maxUses = a.maxUses;
  if (a.maxAmountPerTx !== undefined) s.maxAmountPerTx = a.maxAmountPerTx;
  if (a.maxTotalAmount !== undefined) s.maxTotalAmount = a.maxTotalAmount;
  if (a.allowed !== undefined) s.allowed = [...a.allowed];
  return ok;
}

/** Revocation is final, and revoking twice is an error. A stale session can still be revoked. */
export function applyRevoke(m: ModelState, id: number): Outcome {
  const s = m.sessions[id];
  if (s.closed) return fail("AccountOwnedByWrongProgram");
  if (s.revoked) return fail("SessionRevoked");
  s.revoked = true;
  return ok;
}

export function applyRevokeAll(m: ModelState): Outcome {
  m.epoch += 1n;
  return ok;
}

/** Only a session that is not active (revoked, stale, expired, exhausted) can be closed; its id is never reused. */
export function applyClose(m: ModelState, id: number): Outcome {
  const s = m.sessions[id];
  if (s.closed) return fail("AccountOwnedByWrongProgram");
  if (statusOf(m, s) === "active") return fail("SessionStillLive");
  s.closed = true;
  return ok;
}

export function applyWarp(m: ModelState, slots: bigint): Outcome {
  m.slot += slots;
  return ok;
}

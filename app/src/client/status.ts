/**
 * Live session status, the TypeScript twin of `Session::status` in
 * programs/session-keys/src/state/session.rs (same precedence), plus
 * "closed" for an id whose account no longer exists.
 */
export type SessionStatusName = "active" | "revoked" | "stale" | "expired" | "exhausted" | "closed";

export interface SessionStatusInput {
  /** The account's `revoked` byte: 0, or 1 once revoked (zero-copy accounts hold no bool). */
  revoked: number;
  epoch: bigint;
  expirySlot: bigint;
  uses: number;
  maxUses: number;
}

export function sessionStatus(s: SessionStatusInput, slot: bigint, policyEpoch: bigint): Exclude<SessionStatusName, "closed"> {
  if (s.revoked !== 0) return "revoked";
  if (s.epoch !== policyEpoch) return "stale";
  if (slot > s.expirySlot) return "expired";
  if (s.uses >= s.maxUses) return "exhausted";
  return "active";
}

/** `Policy.status` is a byte (the program's `PolicyStatus`): 0 Active, 1 Released. */
export type PolicyStatusName = "active" | "released";
export function policyStatus(status: number): PolicyStatusName {
  return status === 0 ? "active" : "released";
}

/** Close is allowed for anything but a live session (docs/spec.md: revoked, expired, exhausted or stale). */
export function isClosable(status: SessionStatusName): boolean {
  return status !== "active" && status !== "closed";
}

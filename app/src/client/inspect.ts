/**
 * Inspect a policy and all its sessions with live status. Sessions are
 * found by walking ids 0..next_session_id (their addresses are PDAs), so
 * it works on any RPC and in-process — no getProgramAccounts needed.
 */
import { PublicKey } from "@solana/web3.js";
import { PolicyAccount, SessionAccount, SessionKeysClient, toBig, U128_MAX } from "./client";
import { Curve, CURVE_NAMES, DWALLET_STATE_NAMES, IKA_PROGRAM_ID, readDwallet, schemeNames } from "./ika";
import { policyStatus, SessionStatusName, sessionStatus } from "./status";

export interface SessionView {
  id: number;
  address: string;
  status: SessionStatusName;
  /** Absent once closed. */
  delegate?: string;
  expirySlot?: string;
  uses?: number;
  maxUses?: number;
  remainingUses?: number;
  /** The nonce the next use must carry. */
  nextNonce?: string;
  maxAmountPerTx?: string;
  /** null: no total budget. */
  maxTotalAmount?: string | null;
  spent?: string;
  allowedPrograms?: string[];
  allowedSchemes?: number;
  /** The allowed schemes by name (`EddsaSha512`, …). */
  allowedSchemeNames?: string[];
  revoked?: boolean;
  lastUsedSlot?: string;
}

export interface PolicyView {
  address: string;
  dwallet: string;
  /** The dWallet's curve, as recorded by the policy. */
  curve: string;
  /** The dWallet account as it is now: its state and current authority (null if unreadable). */
  dwalletAccount: { state: string; authority: string; publicKey: string } | null;
  admin: string;
  pendingAdmin: string | null;
  status: "active" | "released";
  epoch: string;
  nextSessionId: string;
  /** The slot the statuses were computed at. */
  slot: string;
  sessions: SessionView[];
}

export interface InspectOptions {
  /** Walk ids from here (default 0). */
  fromId?: number;
  /** At most this many ids (default: all). */
  limit?: number;
}

const BATCH = 100;

export async function inspectPolicy(c: SessionKeysClient, policyAddress: PublicKey, o: InspectOptions = {}): Promise<PolicyView | null> {
  const policy = await c.fetchPolicy(policyAddress);
  if (!policy) return null;
  const slot = await c.chain.getSlot();
  const epoch = toBig(policy.epoch);
  const next = Number(toBig(policy.nextSessionId));
  const from = o.fromId ?? 0;
  const to = o.limit === undefined ? next : Math.min(next, from + o.limit);

  const sessions: SessionView[] = [];
  for (let start = from; start < to; start += BATCH) {
    const ids = Array.from({ length: Math.min(BATCH, to - start) }, (_, i) => start + i);
    const addresses = ids.map((id) => c.sessionAddress(policyAddress, id));
    const infos = await c.chain.getMultipleAccounts(addresses);
    ids.forEach((id, i) => {
      const s = c.decodeAccount("session", infos[i]) as SessionAccount | null;
      sessions.push(s ? viewSession(id, addresses[i], s, slot, epoch) : { id, address: addresses[i].toBase58(), status: "closed" });
    });
  }
  const info = await c.chain.getAccountInfo(policy.dwallet);
  const dwallet = info && info.owner.equals(IKA_PROGRAM_ID) ? readDwallet(info.data) : null;
  return viewPolicy(policyAddress, policy, slot, sessions, dwallet);
}

/** By dWallet + the key that initialized the policy (the policy address needs both). */
export function inspectDwallet(c: SessionKeysClient, dwallet: PublicKey, initAuthority: PublicKey, o?: InspectOptions) {
  return inspectPolicy(c, c.policyAddress(dwallet, initAuthority), o);
}

function viewSession(id: number, address: PublicKey, s: SessionAccount, slot: bigint, policyEpoch: bigint): SessionView {
  const status = sessionStatus({
    revoked: s.revoked, epoch: toBig(s.epoch), expirySlot: toBig(s.expirySlot), uses: s.uses, maxUses: s.maxUses,
  }, slot, policyEpoch);
  const { sessionId: _id, ...limits } = sessionJson(s);
  return { id, address: address.toBase58(), status, ...limits };
}

/**
 * A Session's fields as people read them: the allowlist without its zero
 * padding, "no budget" as null (not u64::MAX), schemes by name too, integers
 * as decimal strings. Used by inspect, previews and the shells.
 */
/** The binding of the session's last use (hex), or null before its first. */
export function lastBinding(s: SessionAccount): string | null {
  const nonce = toBig(s.nonce);
  if (nonce === 0n) return null;
  return Buffer.from(s.recentBindings[Number((nonce - 1n) % 4n)]).toString("hex");
}

export function sessionJson(s: SessionAccount) {
  const maxTotal = toBig(s.maxTotalAmount);
  return {
    sessionId: s.sessionId,
    delegate: s.delegate.toBase58(),
    expirySlot: toBig(s.expirySlot).toString(),
    uses: s.uses, maxUses: s.maxUses, remainingUses: Math.max(0, s.maxUses - s.uses),
    nextNonce: toBig(s.nonce).toString(),
    maxAmountPerTx: toBig(s.maxAmountPerTx).toString(),
    maxTotalAmount: maxTotal === U128_MAX ? null : maxTotal.toString(),
    spent: toBig(s.spent).toString(),
    allowedPrograms: s.allowedPrograms.slice(0, s.allowedProgramsLen).map((p: PublicKey) => p.toBase58()),
    allowedSchemes: s.allowedSchemes,
    allowedSchemeNames: schemeNames(s.allowedSchemes),
    revoked: s.revoked !== 0,
    lastUsedSlot: toBig(s.lastUsedSlot).toString(),
    format: s.format === 1 ? "solana" : s.format === 0 ? "opaque" : `unknown(${s.format})`,
    assetMint: s.format === 1 ? (s.assetMint.equals(PublicKey.default) ? "lamports" : s.assetMint.toBase58()) : null,
    allowDurableNonce: (s.flags & 1) !== 0,
    allowCpi: (s.flags & 2) !== 0,
    lastBinding: lastBinding(s),
  };
}

function viewPolicy(address: PublicKey, p: PolicyAccount, slot: bigint, sessions: SessionView[], d: ReturnType<typeof readDwallet>): PolicyView {
  return {
    address: address.toBase58(),
    dwallet: p.dwallet.toBase58(),
    curve: CURVE_NAMES[p.curve as Curve] ?? `unknown(${p.curve})`,
    dwalletAccount: d && {
      state: DWALLET_STATE_NAMES[d.state] ?? `unknown(${d.state})`, authority: d.authority.toBase58(), publicKey: d.publicKey.toString("hex"),
    },
    admin: p.admin.toBase58(),
    pendingAdmin: p.pendingAdmin.equals(PublicKey.default) ? null : p.pendingAdmin.toBase58(),
    status: policyStatus(p.status),
    epoch: toBig(p.epoch).toString(),
    nextSessionId: toBig(p.nextSessionId).toString(),
    slot: slot.toString(),
    sessions,
  };
}

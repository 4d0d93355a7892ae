/**
 * Inspect a policy and all its sessions with live status. Sessions are
 * found by walking ids 0..next_session_id (their addresses are PDAs), so
 * it works on any RPC and in-process — no getProgramAccounts needed.
 *
 * Given the dWallet alone, `findPolicies` and `sessionIds` search with
 * `getProgramAccounts` (memcmp on the account fields below) and read no more
 * than an address or an id per account; `viewSessions` then fetches a page.
 */
import { utils } from "@coral-xyz/anchor";
import { PublicKey } from "@solana/web3.js";
import type { AccountFilter } from "../chain";
import { PolicyAccount, SessionAccount, SessionKeysClient, toBig, U128_MAX } from "./client";
import { Curve, CURVE_NAMES, DWALLET_STATE_NAMES, IKA_PROGRAM_ID, readDwallet, schemeNames } from "./ika";
import { policyStatus, SessionStatusName, sessionStatus } from "./status";
import { evmAddress } from "./evm-transaction";
import { SESSION_FORMATS, sessionFormat } from "./instructions";

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

/**
 * Byte offsets in the account data (docs/security.md; the host tests pin
 * them): both accounts open with their 8-byte discriminator, then
 * `Policy.dwallet` and `Session.policy`; `Session.session_id` (u32 LE) follows
 * the Pubkeys, bindings, amounts and u64s.
 */
export const POLICY_DWALLET_OFFSET = 8;
export const SESSION_POLICY_OFFSET = 8;
export const SESSION_ID_OFFSET = 576;

export async function inspectPolicy(c: SessionKeysClient, policyAddress: PublicKey, o: InspectOptions = {}): Promise<PolicyView | null> {
  const policy = await c.fetchPolicy(policyAddress);
  if (!policy) return null;
  const slot = await c.chain.getSlot();
  const next = Number(toBig(policy.nextSessionId));
  const from = o.fromId ?? 0;
  const to = o.limit === undefined ? next : Math.min(next, from + o.limit);
  const ids = Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
  const sessions = await viewSessions(c, policyAddress, ids, slot, toBig(policy.epoch));
  return viewPolicy(policyAddress, policy, slot, sessions, await readPolicyDwallet(c, policy));
}

/** The sessions `ids` of a policy with live status (batches of 100); an id with no account reads as closed. */
export async function viewSessions(c: SessionKeysClient, policyAddress: PublicKey, ids: number[], slot: bigint, policyEpoch: bigint): Promise<SessionView[]> {
  const sessions: SessionView[] = [];
  for (let start = 0; start < ids.length; start += BATCH) {
    const batch = ids.slice(start, start + BATCH);
    const addresses = batch.map((id) => c.sessionAddress(policyAddress, id));
    const infos = await c.chain.getMultipleAccounts(addresses);
    batch.forEach((id, i) => {
      const s = c.decodeAccount("session", infos[i]) as SessionAccount | null;
      sessions.push(s ? viewSession(id, addresses[i], s, slot, policyEpoch) : { id, address: addresses[i].toBase58(), status: "closed" });
    });
  }
  return sessions;
}

/** Every policy of a dWallet (more than one after a release taken back by another authority), sorted by address bytes. */
export async function findPolicies(c: SessionKeysClient, dwallet: PublicKey): Promise<PublicKey[]> {
  const found = await c.chain.getProgramAccounts(c.programId, [
    accountFilter(c, "policy"), { memcmp: { offset: POLICY_DWALLET_OFFSET, bytes: dwallet.toBuffer() } },
  ], { offset: 0, length: 0 });
  return found.map((f) => f.address).sort((a, b) => Buffer.compare(a.toBuffer(), b.toBuffer()));
}

/** The ids of a policy's existing sessions, ascending: four bytes read per session, none fetched whole. */
export async function sessionIds(c: SessionKeysClient, policy: PublicKey): Promise<number[]> {
  const found = await c.chain.getProgramAccounts(c.programId, [
    accountFilter(c, "session"), { memcmp: { offset: SESSION_POLICY_OFFSET, bytes: policy.toBuffer() } },
  ], { offset: SESSION_ID_OFFSET, length: 4 });
  return found.map((f) => f.account.data.readUInt32LE(0)).sort((a, b) => a - b);
}

/** A policy as inspect shows it, without its sessions; null if there is no policy account. */
export async function describePolicy(c: SessionKeysClient, policyAddress: PublicKey, slot: bigint): Promise<Omit<PolicyView, "sessions"> | null> {
  const policy = await c.fetchPolicy(policyAddress);
  if (!policy) return null;
  const { sessions: _none, ...view } = viewPolicy(policyAddress, policy, slot, [], await readPolicyDwallet(c, policy));
  return view;
}

/** One session by address, with its policy and live status; null if there is no session account. */
export async function inspectSession(c: SessionKeysClient, address: PublicKey): Promise<(SessionView & { policy: string }) | null> {
  const session = await c.fetchSession(address);
  if (!session) return null;
  const policy = await c.fetchPolicy(session.policy);
  const epoch = policy ? toBig(policy.epoch) : 0n;
  return { policy: session.policy.toBase58(), ...viewSession(session.sessionId, address, session, await c.chain.getSlot(), epoch) };
}

function accountFilter(c: SessionKeysClient, name: "policy" | "session"): AccountFilter {
  return { memcmp: { offset: 0, bytes: Buffer.from(utils.bytes.bs58.decode(c.program.coder.accounts.memcmp(name).bytes!)) } };
}

async function readPolicyDwallet(c: SessionKeysClient, policy: PolicyAccount) {
  const info = await c.chain.getAccountInfo(policy.dwallet);
  return info && info.owner.equals(IKA_PROGRAM_ID) ? readDwallet(info.data) : null;
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
  const evm = s.format === SESSION_FORMATS.evm;
  const allowed: PublicKey[] = s.allowedPrograms.slice(0, s.allowedProgramsLen);
  return {
    sessionId: s.sessionId,
    delegate: s.delegate.toBase58(),
    expirySlot: toBig(s.expirySlot).toString(),
    uses: s.uses, maxUses: s.maxUses, remainingUses: Math.max(0, s.maxUses - s.uses),
    nextNonce: toBig(s.nonce).toString(),
    maxAmountPerTx: toBig(s.maxAmountPerTx).toString(),
    maxTotalAmount: maxTotal === U128_MAX ? null : maxTotal.toString(),
    spent: toBig(s.spent).toString(),
    /** EVM addresses (0x…) in an `evm` session. */
    allowedPrograms: allowed.map((p) => (evm ? evmAddress(p) : p.toBase58())),
    allowedSchemes: s.allowedSchemes,
    allowedSchemeNames: schemeNames(s.allowedSchemes),
    revoked: s.revoked !== 0,
    lastUsedSlot: toBig(s.lastUsedSlot).toString(),
    format: sessionFormat(s) ?? `unknown(${s.format})`,
    assetMint: assetName(s),
    allowDurableNonce: (s.flags & 1) !== 0,
    allowCpi: (s.flags & 2) !== 0,
    evm: evm ? { chainId: toBig(s.chainId).toString(), maxFee: toBig(s.maxFee).toString(), anyCallMask: s.anyCallMask } : null,
    lastBinding: lastBinding(s),
  };
}

/** What a verified session's caps count (null for opaque sessions: declared units). */
function assetName(s: SessionAccount): string | null {
  const native = s.assetMint.equals(PublicKey.default);
  if (s.format === SESSION_FORMATS.solana) return native ? "lamports" : s.assetMint.toBase58();
  if (s.format === SESSION_FORMATS.evm) return native ? "wei" : evmAddress(s.assetMint);
  return null;
}

/** A Policy's fields as people read them (the pending admin null when none, the status and curve by name). */
export function policyJson(p: PolicyAccount) {
  return {
    dwallet: p.dwallet.toBase58(),
    curve: CURVE_NAMES[p.curve as Curve] ?? `unknown(${p.curve})`,
    admin: p.admin.toBase58(),
    pendingAdmin: p.pendingAdmin.equals(PublicKey.default) ? null : p.pendingAdmin.toBase58(),
    status: policyStatus(p.status),
    epoch: toBig(p.epoch).toString(),
    nextSessionId: toBig(p.nextSessionId).toString(),
  };
}

function viewPolicy(address: PublicKey, p: PolicyAccount, slot: bigint, sessions: SessionView[], d: ReturnType<typeof readDwallet>): PolicyView {
  return {
    address: address.toBase58(),
    ...policyJson(p),
    dwalletAccount: d && {
      state: DWALLET_STATE_NAMES[d.state] ?? `unknown(${d.state})`, authority: d.authority.toBase58(), publicKey: d.publicKey.toString("hex"),
    },
    slot: slot.toString(),
    sessions,
  };
}

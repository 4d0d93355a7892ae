/**
 * The read routes: a policy (or every policy of a dWallet) with a page of
 * sessions, one session, one approval, and the service's health.
 *
 * Pages: `limit` (default 50, at most 500) and `cursor`, the `nextCursor` of
 * the previous page (null on the last). A cursor is opaque to callers; it is
 * base64url of `<policy address>:<last session id returned>`, so a page
 * starts right after the last one whatever was created or closed meanwhile.
 */
import { PublicKey } from "@solana/web3.js";
import { Static } from "@sinclair/typebox";
import {
  approvalJson, describePolicy, fetchMessageApproval, findPolicies, inspectPolicy, inspectSession, sessionIds, viewSessions,
} from "../client";
import { parsePubkey } from "../shell/parse";
import type { Service } from "./actions";
import { HttpError } from "./http";
import * as S from "./schemas";

export const DEFAULT_PAGE = 50;

/**
 * `address`: a policy, or a dWallet — with `initAuthority` the policy the
 * pair names, without it every policy of the dWallet (found by
 * getProgramAccounts on the Policy's dwallet field).
 */
export async function inspect(s: Service, addressParam: string, q: Static<typeof S.InspectQuery>) {
  const address = parsePubkey(addressParam, "address (path)");
  const limit = q.limit ?? DEFAULT_PAGE;
  const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
  if (q.initAuthority !== undefined) {
    const initAuthority = parsePubkey(q.initAuthority, "initAuthority (query)");
    const policy = s.client.policyAddress(address, initAuthority);
    const page = await policyPage(s, policy, limit, after);
    if (!page) throw new HttpError(404, "PolicyNotFound", `no policy for dWallet ${address.toBase58()} and init authority ${initAuthority.toBase58()}`);
    return page;
  }
  return (await policyPage(s, address, limit, after)) ?? dwalletPage(s, address, limit, after);
}

/** One policy, its sessions walked by id from the cursor on (closed ids included, as closed). Null if no policy there. */
async function policyPage(s: Service, policy: PublicKey, limit: number, after?: Cursor) {
  const fromId = after ? after.id + 1 : 0;
  const view = await inspectPolicy(s.client, policy, { fromId, limit });
  if (!view) return null;
  if (after && !after.policy.equals(policy)) throw new HttpError(400, "InvalidCursor", "the cursor belongs to another policy");
  const more = fromId + limit < Number(view.nextSessionId);
  return { ...view, nextCursor: more ? encodeCursor(policy, fromId + limit - 1) : null };
}

/** Every policy of a dWallet and a page of their existing sessions, by policy address then id. */
async function dwalletPage(s: Service, dwallet: PublicKey, limit: number, after?: Cursor) {
  const policies = await findPolicies(s.client, dwallet);
  if (policies.length === 0) throw new HttpError(404, "PolicyNotFound", `no policy of dWallet ${dwallet.toBase58()}`);
  const slot = await s.chain.getSlot();
  const entries: { policy: PublicKey; id: number }[] = [];
  for (const policy of policies) {
    if (entries.length > limit) break;
    const order = after ? Buffer.compare(policy.toBuffer(), after.policy.toBuffer()) : 1;
    if (order < 0) continue;
    for (const id of await sessionIds(s.client, policy)) if (order > 0 || id > after!.id) entries.push({ policy, id });
  }
  const page = entries.slice(0, limit);
  const views = await Promise.all(policies.map((p) => describePolicy(s.client, p, slot)));
  const sessions = [];
  for (const [i, policy] of policies.entries()) {
    const ids = page.filter((e) => e.policy.equals(policy)).map((e) => e.id);
    if (ids.length === 0) continue;
    const found = await viewSessions(s.client, policy, ids, slot, BigInt(views[i]!.epoch));
    sessions.push(...found.map((v) => ({ policy: policy.toBase58(), ...v })));
  }
  const last = page[page.length - 1];
  return {
    dwallet: dwallet.toBase58(), slot: slot.toString(), policies: views, sessions,
    nextCursor: entries.length > limit ? encodeCursor(last.policy, last.id) : null,
  };
}

export async function session(s: Service, addressParam: string) {
  const address = parsePubkey(addressParam, "session address (path)");
  const view = await inspectSession(s.client, address);
  if (!view) throw new HttpError(404, "SessionNotFound", `no session at ${address.toBase58()}`);
  return view;
}

export async function approval(s: Service, addressParam: string) {
  const address = parsePubkey(addressParam, "message approval address (path)");
  const a = await fetchMessageApproval(s.chain, address);
  if (!a) throw new HttpError(404, "MessageApprovalNotFound", `no MessageApproval at ${address.toBase58()}`);
  return approvalJson(address, a);
}

export async function health(s: Service) {
  return {
    ok: true, chain: s.chain.kind, slot: (await s.chain.getSlot()).toString(), programId: s.client.programId.toBase58(),
    admin: s.admin?.publicKey.toBase58() ?? null,
  };
}

// ---------------------------------------------------------------- cursors

interface Cursor { policy: PublicKey; id: number }

function encodeCursor(policy: PublicKey, id: number): string {
  return Buffer.from(`${policy.toBase58()}:${id}`).toString("base64url");
}

function decodeCursor(cursor: string): Cursor {
  const m = /^([1-9A-HJ-NP-Za-km-z]{32,44}):(\d{1,10})$/.exec(Buffer.from(cursor, "base64url").toString("utf8"));
  if (!m) throw new HttpError(400, "InvalidCursor", "cursor is not one this API issued (pass nextCursor back unchanged)");
  return { policy: new PublicKey(m[1]), id: Number(m[2]) };
}

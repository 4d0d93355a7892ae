/**
 * The API's handlers, thin over app/src/client like the CLI. Each takes the
 * parsed request and returns `[status, body]` or throws `HttpError`.
 *
 *   POST /sessions/preview        limits → unsigned tx + simulation (CU, rent, Session state | error name)
 *   POST /sessions                { transaction } signed by the caller, or limits (server's admin signs)
 *   GET  /policies/:dwallet?initAuthority=…   policy + sessions with live status
 *   POST /sessions/:id/revoke     { policy } or { dwallet, initAuthority }; server's admin signs
 *   GET  /approvals/:address      one Ika MessageApproval: status (pending/signed), the signature once written
 *   POST /sessions/:id/solana-message/preview   { policy | dwallet+initAuthority, delegate, message (base64), payer? }:
 *                                 what the program derives from the message (amount, programs) or its refusal, and the
 *                                 unsigned transactions the delegate signs (staging through the buffer first when needed)
 *
 * On-chain rejections are 422 with `error` = the program's exact error name.
 */
import { BorshInstructionCoder } from "@coral-xyz/anchor";
import { Keypair, PublicKey, Transaction } from "@solana/web3.js";
import { Chain } from "../chain";
import {
  approvalJson, approveSolanaMessage, createSession, fetchMessageApproval, fitsInOneTransaction, inspectPolicy, NamedFailure, revokeSession,
  SessionKeysClient, SessionLimits, stageSolanaMessage,
} from "../client";
import { failureJson, previewSummary, readable, toJson } from "../shell/format";
import { parseBase64, parseFormat, parsePubkey, parsePubkeyList, parseU128, parseU32, parseU64, UsageError } from "../shell/parse";
import { HttpError } from "./http";

export interface Service {
  chain: Chain;
  client: SessionKeysClient;
  /** Signs server-side deploys and revokes; absent in `--url` mode without SESSION_KEYS_ADMIN_KEYPAIR. */
  admin?: Keypair;
}

export type Reply = [number, unknown];
type Body = Record<string, unknown>;

/** Fields a session's limits are given in (each route adds its own). */
const POLICY_FIELDS = ["policy", "dwallet", "initAuthority"];
const LIMIT_FIELDS = [
  "delegate", "expirySlot", "expiresInSlots", "maxUses", "maxAmountPerTx", "maxTotalAmount", "allowedSchemes", "allowedPrograms",
  "format", "assetMint", "allowDurableNonce", "allowCpi",
];
const CREATE_FIELDS = [...POLICY_FIELDS, ...LIMIT_FIELDS, "admin", "payer"];

/**
 * Refuses any field the route does not know, naming them: a misspelt limit
 * (`maxTotal` for `maxTotalAmount`) must not silently become "no limit".
 */
function onlyFields(body: Body, allowed: string[]): void {
  const unknown = Object.keys(body).filter((k) => !allowed.includes(k));
  if (unknown.length) throw new UsageError(`unknown field${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")} (allowed: ${allowed.join(", ")})`);
}

export async function previewSession(s: Service, body: Body): Promise<Reply> {
  onlyFields(body, CREATE_FIELDS);
  const { action, policy } = await buildCreate(s, body);
  const p = await s.client.preview(action);
  const summary = previewSummary(p, action.session.toBase58());
  const simulation = p.ok
    ? { ok: true, computeUnits: summary.computeUnits, rentLamports: summary.rentLamports, session: summary.state }
    : { ok: false, computeUnits: summary.computeUnits, rentLamports: summary.rentLamports, ...failureJson(p.error!) };
  return [200, { transaction: p.unsignedTransaction, policy: policy.toBase58(), sessionId: action.sessionId, session: action.session.toBase58(), simulation }];
}

export async function deploySession(s: Service, body: Body): Promise<Reply> {
  if (body.transaction !== undefined) {
    onlyFields(body, ["transaction"]);
    return submitSigned(s, body.transaction);
  }
  onlyFields(body, CREATE_FIELDS);
  const admin = requireAdmin(s);
  const { action } = await buildCreate(s, { ...body, admin: admin.publicKey.toBase58(), payer: admin.publicKey.toBase58() });
  const r = await s.client.deploy(action, [admin]);
  if (!r.ok) throw rejected(r.error!, { signature: r.signature });
  return [201, {
    signature: r.signature, computeUnits: r.computeUnits, sessionId: action.sessionId, session: action.session.toBase58(),
    state: readable("session", await s.client.fetchSession(action.session)),
  }];
}

export async function inspect(s: Service, dwalletParam: string, query: URLSearchParams): Promise<Reply> {
  const dwallet = parsePubkey(dwalletParam, "dwalletAddress");
  const initAuthority = parsePubkey(query.get("initAuthority") ?? undefined, "initAuthority (query)");
  const view = await inspectPolicy(s.client, s.client.policyAddress(dwallet, initAuthority));
  if (!view) throw new HttpError(404, "PolicyNotFound", `no policy for dWallet ${dwallet.toBase58()} and init authority ${initAuthority.toBase58()}`);
  return [200, view];
}

export async function approval(s: Service, addressParam: string): Promise<Reply> {
  const address = parsePubkey(addressParam, "message approval address (path)");
  const a = await fetchMessageApproval(s.chain, address);
  if (!a) throw new HttpError(404, "MessageApprovalNotFound", `no MessageApproval at ${address.toBase58()}`);
  return [200, approvalJson(address, a)];
}

export async function revoke(s: Service, idParam: string, body: Body): Promise<Reply> {
  onlyFields(body, POLICY_FIELDS);
  const admin = requireAdmin(s);
  const sessionId = parseU32(idParam, "session id (path)");
  const policy = await existingPolicy(s, body);
  const session = s.client.sessionAddress(policy, sessionId);
  if (!(await s.client.fetchSession(session))) throw new HttpError(404, "SessionNotFound", `no session ${sessionId} under policy ${policy.toBase58()}`);
  const r = await s.client.deploy(await revokeSession(s.client, { policy, admin: admin.publicKey, session }), [admin]);
  if (!r.ok) throw rejected(r.error!, { signature: r.signature });
  return [200, { revoked: true, sessionId, session: session.toBase58(), signature: r.signature, computeUnits: r.computeUnits }];
}

/**
 * The delegate's path for a `solana` session: the program's verdict on the
 * message (simulated) and the unsigned transactions to sign and submit
 * (POST /sessions { transaction } relays each). Nothing is signed here.
 */
export async function previewSolanaMessage(s: Service, idParam: string, body: Body): Promise<Reply> {
  onlyFields(body, [...POLICY_FIELDS, "delegate", "message", "payer"]);
  const sessionId = parseU32(idParam, "session id (path)");
  const policy = await existingPolicy(s, body);
  const session = s.client.sessionAddress(policy, sessionId);
  if (!(await s.client.fetchSession(session))) throw new HttpError(404, "SessionNotFound", `no session ${sessionId} under policy ${policy.toBase58()}`);
  const delegate = parsePubkey(body.delegate, "delegate");
  const payer = body.payer !== undefined ? parsePubkey(body.payer, "payer") : delegate;
  const message = parseBase64(body.message, "message");
  const params = { policy, session, delegate, payer, message };
  const inline = await approveSolanaMessage(s.client, params).catch(() => null);
  if (inline && (await fitsInOneTransaction(s.client, inline))) {
    const p = await s.client.preview(inline);
    const ev = p.events.find((e) => e.name === "solanaMessageApproved");
    const simulation = p.ok
      ? { ok: true, computeUnits: p.computeUnits, amount: toJson(ev?.data.amount), programs: toJson(ev?.data.programs), binding: toJson(ev?.data.binding) }
      : { ok: false, computeUnits: p.computeUnits, ...failureJson(p.error!) };
    return [200, { session: session.toBase58(), viaBuffer: false, messageApproval: inline.messageApproval.toBase58(), transactions: [p.unsignedTransaction], simulation }];
  }
  const staged = [...await stageSolanaMessage(s.client, { session, delegate, payer, message }), await approveSolanaMessage(s.client, { ...params, fromBuffer: true })];
  const transactions = await Promise.all(staged.map(async (a) => (await s.client.preview(a)).unsignedTransaction));
  return [200, {
    session: session.toBase58(), viaBuffer: true, transactions,
    simulation: null, note: "the message is larger than one transaction: submit the transactions in order; the last one is the approval",
  }];
}

// ---------------------------------------------------------------- helpers

async function buildCreate(s: Service, body: Body) {
  const policy = await existingPolicy(s, body);
  const adminKey = body.admin !== undefined ? parsePubkey(body.admin, "admin") : s.admin?.publicKey;
  if (!adminKey) throw new UsageError("admin (public key) is required: this server holds no admin keypair");
  const payer = body.payer !== undefined ? parsePubkey(body.payer, "payer") : adminKey;
  const action = await createSession(s.client, { policy, admin: adminKey, payer, limits: await parseLimits(s, body) });
  return { action, policy };
}

/** Session limits from a JSON body (u64s as decimal strings or safe integers). */
async function parseLimits(s: Service, b: Body): Promise<SessionLimits> {
  if ((b.expirySlot === undefined) === (b.expiresInSlots === undefined)) throw new UsageError("give exactly one of expirySlot or expiresInSlots");
  const expirySlot = b.expirySlot !== undefined ? parseU64(b.expirySlot, "expirySlot") : (await s.chain.getSlot()) + parseU64(b.expiresInSlots, "expiresInSlots");
  return {
    delegate: parsePubkey(b.delegate, "delegate"),
    expirySlot,
    maxUses: parseU32(b.maxUses, "maxUses"),
    maxAmountPerTx: parseU128(b.maxAmountPerTx, "maxAmountPerTx"),
    maxTotalAmount: b.maxTotalAmount === undefined ? undefined : parseU128(b.maxTotalAmount, "maxTotalAmount"),
    allowedSchemes: b.allowedSchemes === undefined ? undefined : parseU32(b.allowedSchemes, "allowedSchemes"),
    allowedPrograms: allowlist(parsePubkeyList(b.allowedPrograms, "allowedPrograms")),
    format: parseFormat(b.format),
    assetMint: b.assetMint === undefined ? undefined : parsePubkey(b.assetMint, "assetMint"),
    allowDurableNonce: parseBool(b.allowDurableNonce, "allowDurableNonce"),
    allowCpi: parseBool(b.allowCpi, "allowCpi"),
  };
}

function parseBool(v: unknown, field: string): boolean {
  if (v === undefined) return false;
  if (typeof v !== "boolean") throw new UsageError(`${field} must be true or false`);
  return v;
}

/** The program's own bound (1..=8), checked before a transaction too large to encode is built. */
function allowlist(programs: PublicKey[]): PublicKey[] {
  if (programs.length > MAX_ALLOWED_PROGRAMS) throw new UsageError(`allowedPrograms: at most ${MAX_ALLOWED_PROGRAMS} programs (got ${programs.length})`);
  return programs;
}
const MAX_ALLOWED_PROGRAMS = 8;

/** `policy`, or `dwallet` + `initAuthority`; 404 if no such policy account. */
async function existingPolicy(s: Service, b: Body): Promise<PublicKey> {
  let policy: PublicKey;
  if (b.policy !== undefined) policy = parsePubkey(b.policy, "policy");
  else if (b.dwallet !== undefined || b.initAuthority !== undefined) {
    policy = s.client.policyAddress(parsePubkey(b.dwallet, "dwallet"), parsePubkey(b.initAuthority, "initAuthority"));
  } else throw new UsageError("give policy, or dwallet and initAuthority");
  if (!(await s.client.fetchPolicy(policy))) throw new HttpError(404, "PolicyNotFound", `no policy at ${policy.toBase58()}`);
  return policy;
}

/**
 * Submit a transaction the caller signed (typically the one /sessions/preview
 * returned). The server relays only session-keys instructions: it is not a
 * general-purpose transaction relay.
 */
async function submitSigned(s: Service, raw: unknown): Promise<Reply> {
  if (typeof raw !== "string") throw new UsageError("transaction must be base64");
  let tx: Transaction;
  try {
    tx = Transaction.from(Buffer.from(raw, "base64"));
  } catch {
    throw new UsageError("transaction is not a valid base64 wire transaction");
  }
  if (tx.instructions.length === 0 || tx.instructions.some((ix) => !ix.programId.equals(s.client.programId))) {
    throw new UsageError("transaction may contain only session-keys instructions");
  }
  if (!tx.verifySignatures(true)) throw new UsageError("transaction is not fully signed (or a signature is invalid)");
  const outcome = await s.chain.sendTransaction(tx);
  if (!outcome.ok) throw rejected(s.client.nameFailure(outcome.logs, outcome.error), { signature: outcome.signature });
  return [201, { signature: outcome.signature, computeUnits: outcome.computeUnits, created: createdSessions(s, tx) }];
}

/** Sessions a submitted transaction created, from its decoded createSession instructions. */
function createdSessions(s: Service, tx: Transaction) {
  const out: { sessionId: number; session: string }[] = [];
  for (const ix of tx.instructions) {
    const decoded = (s.client.program.coder.instruction as BorshInstructionCoder).decode(ix.data);
    if (!decoded || !/^create_?session$/i.test(decoded.name)) continue;
    const sessionId = (decoded.data as { args: { sessionId: number } }).args.sessionId;
    const policy = ix.keys[2].pubkey; // accounts: admin, payer, policy, session, system_program
    out.push({ sessionId, session: s.client.sessionAddress(policy, sessionId).toBase58() });
  }
  return out;
}

function requireAdmin(s: Service): Keypair {
  if (!s.admin) throw new UsageError("this server holds no admin keypair (SESSION_KEYS_ADMIN_KEYPAIR); submit a signed transaction instead");
  return s.admin;
}

function rejected(f: NamedFailure, details: Record<string, unknown>): HttpError {
  return new HttpError(422, f.name, f.message ?? `transaction rejected: ${f.name}`, { ...failureJson(f), ...details });
}


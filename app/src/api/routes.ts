/**
 * The API's routes: one TypeBox schema each (./schemas.ts) that fastify
 * validates every request against and /openapi.json publishes. Handlers are
 * thin over app/src/client (./actions.ts builds the client's actions,
 * ./views.ts reads, ./relay.ts submits).
 *
 *   scope  method path                                          what
 *   —      GET  /health                                         { ok, chain, slot, programId, admin }
 *   —      GET  /openapi.json                                   this table as an OpenAPI 3.1 document
 *   admin  POST /policies/preview                               initialize_policy → unsigned tx + simulation
 *   admin  POST /policies                                       { transaction } | params (server signs)
 *   any    GET  /policies/{address}?initAuthority&limit&cursor  a policy, or every policy of a dWallet, with a page of sessions
 *   admin  POST /policies/{policy}/revoke-all[/preview]         revoke_all_sessions
 *   admin  POST /policies/{policy}/propose-admin[/preview]      propose_admin { newAdmin }
 *   admin  POST /policies/{policy}/accept-admin[/preview]       accept_admin (the proposed admin signs)
 *   admin  POST /policies/{policy}/release[/preview]            release_dwallet { newAuthority }
 *   admin  POST /sessions/preview                               create_session (limits)
 *   admin  POST /sessions                                       { transaction } | limits (server signs)
 *   any    GET  /sessions/{session}                             one session by address, with live status
 *   admin  POST /sessions/{session}/update[/preview]            update_session (the limits to change)
 *   admin  POST /sessions/{session}/revoke[/preview]            revoke_session
 *   admin  POST /sessions/{session}/close[/preview]             close_session (rent back)
 *   any    POST /sessions/{session}/approve/preview             the delegate's approve_message / approve_solana_message / approve_evm_transaction, unsigned
 *   any    POST /sessions/{session}/solana-message/preview      a solana session's message of any size: the verdict, the txs (buffered when large)
 *   any    POST /transactions                                   relay a signed session-keys tx (legacy or v0, ComputeBudget allowed)
 *   any    GET  /approvals/{address}                            one Ika MessageApproval: pending / signed, the signature
 *   any    POST /approvals/{address}/signed-evm-transaction     { transaction }: that EVM transaction with Ika's signature, ready to broadcast
 *
 * `{session}` is the session's address, or its id with the policy in the
 * body (`policy`, or `dwallet` + `initAuthority`). Every admin action is a
 * pair: `/preview` builds and simulates, the bare path deploys. A deploy
 * takes `{ transaction }` (the preview's, signed by the caller) or, when the
 * server holds an admin keypair that is every signer needed, the preview's
 * parameters, and signs itself. On-chain rejections are 422 with `error` =
 * the program's exact error name.
 */
import { Static, TObject, TSchema, Type } from "@sinclair/typebox";
import type { FastifyInstance, FastifyRequest, FastifySchema } from "fastify";
import * as A from "./actions";
import { Scope, SCOPES } from "./auth";
import { IdempotencyHeaders } from "./idempotency";
import { Service, Target } from "./actions";
import { expectInstruction, relay, Relayable, relayable } from "./relay";
import * as S from "./schemas";
import * as V from "./views";

export type { Service } from "./actions";

/** Who may call a route: `admin` keys for the lifecycle, any known key for reads and the delegate's path. */
export const ADMIN: Scope[] = ["admin"];
export const ANY: Scope[] = [...SCOPES];

const SECURED = [{ apiKey: [] }];

const NoParams = Type.Object({});
type NoParams = typeof NoParams;

/** A route as written below: its schema parts, and a handler of the values they validate. */
interface RouteSpec<P extends TSchema, Q extends TSchema, B extends TSchema> {
  method: "GET" | "POST";
  url: string;
  scopes?: Scope[];
  /** Record every request in the audit log: every admin route (./audit.ts) and the relay. */
  audit?: boolean;
  tag: string;
  summary: string;
  params?: P;
  query?: Q;
  body?: B;
  response: Record<number, TSchema>;
  status?: number;
  handle: (params: Static<P>, body: Static<B>, query: Static<Q>) => Promise<unknown>;
}

/** A route ready to register: fastify has validated the request against the schema before `handle` reads it. */
interface Route {
  spec: Omit<RouteSpec<TSchema, TSchema, TSchema>, "handle">;
  handle: (req: FastifyRequest) => Promise<unknown>;
}

function route<P extends TSchema = NoParams, Q extends TSchema = NoParams, B extends TSchema = NoParams>(spec: RouteSpec<P, Q, B>): Route {
  return { spec, handle: (req) => spec.handle(req.params as Static<P>, req.body as Static<B>, req.query as Static<Q>) };
}

export function registerRoutes(app: FastifyInstance, s: Service): void {
  for (const { spec: r, handle } of routes(s)) {
    // Every POST takes an Idempotency-Key (./idempotency.ts): 409 while its first request runs, 422 when reused.
    const post = r.method === "POST";
    const parts = { params: r.params, querystring: r.query, body: r.body, headers: post ? IdempotencyHeaders : undefined };
    const response = post ? { ...r.response, 409: S.ErrorReply, 422: S.ErrorReply } : r.response;
    const schema: FastifySchema & Record<string, unknown> = {
      tags: [r.tag], summary: r.summary, response, ...Object.fromEntries(Object.entries(parts).filter(([, v]) => v)),
      ...(r.scopes ? { security: SECURED } : {}),
    };
    app.route({
      method: r.method, url: r.url, schema, config: { scopes: r.scopes, audit: r.audit },
      handler: async (req, reply) => reply.code(r.status ?? 200).send(await handle(req)),
    });
  }
}

/** `:name` in fastify's paths is `{name}` in OpenAPI's. */
function routes(s: Service): Route[] {
  const session = { params: S.SessionParams };
  const policy = { params: S.PolicyParams };
  return [
    route({
      method: "GET", url: "/health", tag: "service", summary: "liveness: the chain answers; no key needed",
      response: { 200: S.Health }, handle: () => V.health(s),
    }),
    ...lifecycle(s, {
      url: "/policies", tag: "policies", summary: "initialize_policy: hand a dWallet to a new policy", instruction: "initializePolicy",
      body: S.InitializePolicyBody, status: 201, build: (_p, b) => A.initializePolicyTarget(s, b),
    }),
    route({
      method: "GET", url: "/policies/:address", scopes: ANY, tag: "policies",
      summary: "a policy by its address, or by dWallet (+ initAuthority: the one policy; alone: every policy of the dWallet), with a page of sessions",
      params: S.AddressParams, query: S.InspectQuery, response: S.replies({ 200: Type.Union([S.PolicyView, S.DwalletPolicies]) }, [400, 401, 403, 404]),
      handle: (p, _b, q) => V.inspect(s, p.address, q),
    }),
    ...lifecycle(s, {
      url: "/policies/:policy/revoke-all", tag: "policies", summary: "revoke_all_sessions: kill every existing session (bumps the epoch)", instruction: "revokeAllSessions",
      ...policy, body: S.PolicyAdminBody, build: (p, b) => A.revokeAllTarget(s, p.policy, b),
    }),
    ...lifecycle(s, {
      url: "/policies/:policy/propose-admin", tag: "policies", summary: "propose_admin: step one of an admin change", instruction: "proposeAdmin",
      ...policy, body: S.ProposeAdminBody, build: (p, b) => A.proposeAdminTarget(s, p.policy, b),
    }),
    ...lifecycle(s, {
      url: "/policies/:policy/accept-admin", tag: "policies", summary: "accept_admin: the proposed admin takes over", instruction: "acceptAdmin",
      ...policy, body: S.AcceptAdminBody, build: (p, b) => A.acceptAdminTarget(s, p.policy, b),
    }),
    ...lifecycle(s, {
      url: "/policies/:policy/release", tag: "policies", summary: "release_dwallet: hand the dWallet to a new authority", instruction: "releaseDwallet",
      ...policy, body: S.ReleaseBody, build: (p, b) => A.releaseTarget(s, p.policy, b),
    }),
    ...lifecycle(s, {
      url: "/sessions", tag: "sessions", summary: "create_session: a delegate's limits", instruction: "createSession",
      body: S.CreateSessionBody, status: 201, build: (_p, b) => A.createSessionTarget(s, b), signed: createdSessions,
    }),
    route({
      method: "GET", url: "/sessions/:session", scopes: ANY, tag: "sessions", summary: "one session by address, with its policy and live status",
      params: S.SessionParams, response: S.replies({ 200: S.SessionView }, [400, 401, 403, 404]), handle: (p) => V.session(s, p.session),
    }),
    ...lifecycle(s, {
      url: "/sessions/:session/update", tag: "sessions", summary: "update_session: change limits (never below what was used)", instruction: "updateSession",
      ...session, body: S.UpdateSessionBody, build: (p, b) => A.updateSessionTarget(s, p.session, b),
    }),
    ...lifecycle(s, {
      url: "/sessions/:session/revoke", tag: "sessions", summary: "revoke_session: revoke one session now", instruction: "revokeSession",
      ...session, body: S.SessionAdminBody, build: (p, b) => A.revokeSessionTarget(s, p.session, b), deployed: { revoked: true },
    }),
    ...lifecycle(s, {
      url: "/sessions/:session/close", tag: "sessions", summary: "close_session: close a dead session, rent back", instruction: "closeSession",
      ...session, body: S.CloseSessionBody, build: (p, b) => A.closeSessionTarget(s, p.session, b), deployed: { closed: true },
    }),
    route({
      method: "POST", url: "/sessions/:session/approve/preview", scopes: ANY, tag: "delegate",
      summary: "the delegate's use, unsigned: approve_message (opaque) or approve_solana_message (solana), simulated; sign and POST /transactions",
      ...session, body: S.ApproveBody, response: S.replies({ 200: S.PreviewReply }),
      handle: async (p, b) => A.previewReply(s, await A.approveTarget(s, p.session, b)),
    }),
    route({
      method: "POST", url: "/sessions/:session/solana-message/preview", scopes: ANY, tag: "delegate",
      summary: "a solana session's message of any size: the program's verdict and the transactions to sign (staged through the buffer when large)",
      ...session, body: S.SolanaMessageBody, response: S.replies({ 200: Type.Object({}, { additionalProperties: true }) }),
      handle: (p, b) => A.solanaMessagePreview(s, p.session, b),
    }),
    route({
      method: "POST", url: "/transactions", scopes: ANY, audit: true, tag: "delegate",
      summary: "relay a signed transaction: session-keys instructions (and ComputeBudget) only; legacy or v0",
      body: S.SignedTransactionBody, response: S.replies({ 200: S.RelayReply }, [400, 401, 403, 422]),
      handle: (_p, b) => relay(s, relayable(s, b.transaction)),
    }),
    route({
      method: "GET", url: "/approvals/:address", scopes: ANY, tag: "delegate", summary: "one Ika MessageApproval: pending, or signed with the signature",
      params: S.AddressParams, response: S.replies({ 200: Type.Object({ status: Type.String(), signature: Type.Union([Type.String(), Type.Null()]) }, { additionalProperties: true }) }, [400, 401, 403, 404]),
      handle: (p) => V.approval(s, p.address),
    }),
    route({
      method: "POST", url: "/approvals/:address/signed-evm-transaction", scopes: ANY, tag: "delegate",
      summary: "an evm session's approval once signed: the unsigned EIP-1559 transaction with Ika's signature, ready to broadcast",
      params: S.AddressParams, body: S.SignedEvmBody,
      response: S.replies({ 200: Type.Object({ dwallet: Type.String(), signedTransaction: Type.String() }) }, [400, 401, 403, 404, 409]),
      handle: (p, b) => A.signedEvm(s, p.address, b),
    }),
  ];
}

interface Lifecycle<P extends TSchema, B extends TObject> {
  url: string;
  tag: string;
  summary: string;
  /** The client action's name: a caller-signed deploy must hold it. */
  instruction: string;
  params?: P;
  body: B;
  status?: number;
  build: (params: Static<P>, body: Static<B>) => Promise<Target>;
  /** Extra fields of a deploy's reply. */
  deployed?: Record<string, unknown>;
  /** Extra fields of a caller-signed deploy's reply, from its decoded instructions. */
  signed?: (s: Service, r: Relayable) => Record<string, unknown>;
}

/** An admin action's pair of routes: `<url>/preview` and `<url>` (deploy). */
function lifecycle<P extends TSchema = NoParams, B extends TObject = NoParams>(s: Service, l: Lifecycle<P, B>): Route[] {
  const common = { method: "POST" as const, scopes: ADMIN, audit: true, tag: l.tag, params: l.params };
  return [
    route<P, NoParams, B>({
      ...common, url: `${l.url}/preview`, summary: `${l.summary} — preview: the unsigned transaction and its simulation`,
      body: l.body, response: S.replies({ 200: S.PreviewReply }), handle: async (p, b) => A.previewReply(s, await l.build(p, b)),
    }),
    route({
      ...common, url: l.url, summary: `${l.summary} — deploy: { transaction } signed by the caller, or the parameters for the server's admin key to sign`,
      body: S.SignedOr(l.body), status: l.status, response: S.replies({ [l.status ?? 200]: S.DeployReply }),
      handle: async (p, b) => {
        if (!S.isSigned(b)) return { ...l.deployed, ...(await A.deployOnServer(s, await l.build(p, b))) };
        const r = relayable(s, b.transaction);
        expectInstruction(r, l.instruction);
        return { ...l.deployed, ...(await relay(s, r)), ...l.signed?.(s, r) };
      },
    }),
  ];
}

/** Sessions a caller-signed create made, from its decoded create_session instructions (accounts: admin, payer, policy, session, …). */
function createdSessions(s: Service, r: Relayable) {
  const created = r.instructions.filter((ix) => ix.name === "createSession").map((ix) => {
    const sessionId = (ix.data as { args: { sessionId: number } }).args.sessionId;
    return { sessionId, session: s.client.sessionAddress(ix.accounts[2], sessionId).toBase58() };
  });
  return { created };
}

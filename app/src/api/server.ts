/**
 * session-keys HTTP API on fastify 5: TypeBox schemas validate every request
 * and make the OpenAPI 3.1 document (GET /openapi.json); JSON in and out;
 * API-key auth (x-api-key), an audit log of admin requests, Idempotency-Key
 * on POSTs. Routes, paths and signing rules: ./routes.ts. Auth: ./auth.ts
 * and ./keys.ts; ./audit.ts; ./idempotency.ts; the SQLite file: ./db.ts.
 * Decisions: docs/api.md.
 *
 *   npm run api -- --local [--port 8787] [--db keys.db]              embedded LiteSVM + a demo dWallet and policy
 *   npm run api -- --url https://api.devnet.solana.com --db keys.db  a cluster (admin from SESSION_KEYS_ADMIN_KEYPAIR)
 *
 * Keys: `--db <file>` (or SESSION_KEYS_API_DB), made with `npm run api-keys`;
 * it holds the audit log and idempotency records too. Without one,
 * SESSION_KEYS_API_KEYS="key:admin,key2:read" (in --local a random admin key
 * is generated and printed if unset) and the audit log and idempotency
 * records are kept in memory. With both, the file wins.
 * SESSION_KEYS_ADMIN_KEYPAIR=<keypair file>.
 *
 * Limits: bodies up to 64 KiB (413 PayloadTooLarge); a request must arrive
 * whole within `requestTimeoutMs` (15 s) and a socket idle for
 * `connectionTimeoutMs` (60 s) is closed, so a slow body cannot hold one.
 */
import * as http from "http";
import { AddressInfo } from "net";
import { randomBytes } from "crypto";
import Fastify, { FastifyInstance } from "fastify";
import swagger from "@fastify/swagger";
import { Type } from "@sinclair/typebox";
import { Keypair, LAMPORTS_PER_SOL, PublicKey } from "@solana/web3.js";
import { Chain, KeypairWallet, LocalChain, RpcChain } from "../chain";
import { ReadonlyWallet, SessionKeysClient } from "../client";
import { parseArgs } from "../shell/args";
import { toJson } from "../shell/format";
import { loadKeypair, parseU32, UsageError } from "../shell/parse";
import { AuditLog, registerAudit } from "./audit";
import { ApiKeys, KeyStore, registerAuth } from "./auth";
import { Db, openDb } from "./db";
import { IdempotencyStore, registerIdempotency } from "./idempotency";
import { DbApiKeys } from "./keys";
import { HttpError, MAX_BODY_BYTES, registerJsonParser, sendError } from "./http";
import { registerRoutes, Service } from "./routes";
import { validatorCompiler } from "./validation";

export interface Limits {
  /** Largest request body, bytes (default 64 KiB). */
  bodyLimit: number;
  /** The whole request (headers and body) must arrive within this (default 15 s); then 408 and the socket closes. */
  requestTimeoutMs: number;
  /** A socket with no traffic for this long is closed (default 60 s: a deploy waits for confirmation). */
  connectionTimeoutMs: number;
  /** An idle keep-alive socket is closed after this (default 5 s). */
  keepAliveTimeoutMs: number;
}

export const DEFAULT_LIMITS: Limits = { bodyLimit: MAX_BODY_BYTES, requestTimeoutMs: 15_000, connectionTimeoutMs: 60_000, keepAliveTimeoutMs: 5_000 };

export interface ServerOptions {
  /** Embedded chain with both programs, a funded admin and a demo dWallet + policy. */
  local?: boolean;
  /** With `local`: this in-process chain (programs deployed) instead of a fresh LiteSVM, e.g. bankrun in tests. */
  localChain?: LocalChain;
  /** A cluster's RPC URL (exclusive with `local`). */
  url?: string;
  /** `key:scope,…` or any key store (exclusive with `db`). */
  apiKeys?: KeyStore | string;
  /** The SQLite file (./db.ts) of the keys, the audit log and idempotency records; without it the last two are in memory. */
  db?: string;
  /** Signs server-side deploys; in local mode the funded admin (generated if absent). */
  adminKeypair?: Keypair;
  /** Default 127.0.0.1: listening beyond loopback is an explicit choice. */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  limits?: Partial<Limits>;
}

export interface LocalDemo {
  dwallet: PublicKey;
  /** The dWallet's former authority: with `dwallet` it names the policy (GET /policies/:dwallet?initAuthority=). */
  initAuthority: PublicKey;
  policy: PublicKey;
}

/** A registered route, as fastify spells it (`/sessions/:session/revoke`). */
export interface RegisteredRoute { method: string; url: string }

export interface RunningServer {
  app: FastifyInstance;
  /** Every route the app registered (for checking the OpenAPI document against). */
  routes: RegisteredRoute[];
  server: http.Server;
  /** e.g. http://127.0.0.1:54321 */
  url: string;
  service: Service;
  /** The keys (with `db`), the audit log, idempotency records. */
  db: Db;
  demo?: LocalDemo;
  close(): Promise<void>;
}

export async function createServer(options: ServerOptions): Promise<RunningServer> {
  if (!!options.db === (options.apiKeys !== undefined)) throw new UsageError("give exactly one of apiKeys or db");
  const db = openDb(options.db);
  const keys = options.db ? new DbApiKeys(db) : typeof options.apiKeys === "string" ? ApiKeys.parse(options.apiKeys) : options.apiKeys!;
  const { service, demo } = await startService(options);
  const { app, routes } = await buildApp(service, { keys, db }, { ...DEFAULT_LIMITS, ...options.limits });
  await app.listen({ port: options.port ?? 0, host: options.host ?? "127.0.0.1" });
  const { address, port } = app.server.address() as AddressInfo;
  const host = address.includes(":") ? `[${address}]` : address;
  const close = async () => {
    await app.close();
    db.close();
  };
  return { app, routes, server: app.server, service, db, demo, url: `http://${host}:${port}`, close };
}

/** Who a request's key is, and where the audit log and idempotency records go. */
export interface Stores {
  keys: KeyStore;
  db: Db;
}

/** The fastify app: limits, parsers, validation, auth, audit, idempotency, the OpenAPI document, the routes. */
export async function buildApp(service: Service, stores: Stores, limits: Limits): Promise<{ app: FastifyInstance; routes: RegisteredRoute[] }> {
  const app = Fastify({
    bodyLimit: limits.bodyLimit,
    requestTimeout: limits.requestTimeoutMs,
    connectionTimeout: limits.connectionTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // Node 20 honours requestTimeout only when given to http.createServer (fastify sets it afterwards, which
    // has no effect; tests/api-service.test.ts holds it), and checks it on an interval (30 s by default).
    http: { requestTimeout: limits.requestTimeoutMs, connectionsCheckingInterval: Math.max(50, Math.min(1_000, limits.requestTimeoutMs / 4)) },
    exposeHeadRoutes: false,
    frameworkErrors: (e, req, reply) => sendError(e.code === "FST_ERR_BAD_URL"
      ? new HttpError(400, "BadRequest", `malformed percent-escape in the path: ${JSON.stringify(req.url)}`) : e, req, reply),
  });
  const routes: RegisteredRoute[] = [];
  app.addHook("onRoute", (r) => {
    for (const method of [r.method].flat()) routes.push({ method, url: r.url });
  });
  app.setValidatorCompiler(validatorCompiler);
  // Replies are documented by their schemas, not filtered by them: the client's views pass through whole.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  app.addHook("preSerialization", async (_req, _reply, payload) => toJson(payload));
  registerJsonParser(app);
  app.setErrorHandler((e, req, reply) => sendError(e, req, reply));
  app.setNotFoundHandler((req) => {
    throw new HttpError(404, "NotFound", `no route ${req.method} ${req.url.split("?")[0]}`);
  });
  registerAuth(app, stores.keys);
  registerAudit(app, new AuditLog(stores.db));
  registerIdempotency(app, new IdempotencyStore(stores.db));
  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: { title: "session-keys API", version: "0.1.0", description: "Session keys over Ika dWallets: preview and deploy every admin action, the delegate's path, inspect." },
      components: { securitySchemes: { apiKey: { type: "apiKey", in: "header", name: "x-api-key" } } },
    },
  });
  app.get("/openapi.json", {
    schema: { tags: ["service"], summary: "this API as an OpenAPI 3.1 document", response: { 200: Type.Object({}, { additionalProperties: true }) } },
  }, async () => app.swagger());
  registerRoutes(app, service);
  await app.ready();
  return { app, routes };
}

async function startService(o: ServerOptions): Promise<{ service: Service; demo?: LocalDemo }> {
  if (!!o.local === !!o.url) throw new UsageError("give exactly one of local or url");
  if (o.url) {
    const chain: Chain = new RpcChain(o.url);
    const wallet = o.adminKeypair ? new KeypairWallet(o.adminKeypair) : new ReadonlyWallet(PublicKey.default);
    return { service: { chain, client: new SessionKeysClient(chain, wallet), admin: o.adminKeypair } };
  }
  // Loaded here, not at the top: ../local brings LiteSVM (a test runtime and a native addon), which --url never needs.
  const { createLocalPolicy, localClient, startLocalChain } = await import("../local");
  const chain = o.localChain ?? (await startLocalChain());
  const admin = o.adminKeypair ?? Keypair.generate();
  await chain.airdrop(admin.publicKey, 1_000n * BigInt(LAMPORTS_PER_SOL));
  const p = await createLocalPolicy(chain, admin, admin.publicKey);
  return {
    service: { chain, client: localClient(chain, new KeypairWallet(admin)), admin },
    demo: { dwallet: p.dwallet, initAuthority: p.initAuthority.publicKey, policy: p.policy },
  };
}

async function main() {
  const args = parseArgs(process.argv.slice(2), { values: ["url", "host", "port", "db"], switches: ["local"] });
  const local = args.switches.has("local");
  const keys = keySource(args.flags.get("db") ?? process.env.SESSION_KEYS_API_DB, local);
  const adminFile = process.env.SESSION_KEYS_ADMIN_KEYPAIR;
  const running = await createServer({
    local, url: args.flags.get("url"), ...keys.options,
    adminKeypair: adminFile ? loadKeypair(adminFile, "SESSION_KEYS_ADMIN_KEYPAIR") : undefined,
    host: args.flags.get("host"), port: args.flags.has("port") ? parseU32(args.flags.get("port"), "--port") : 8787,
  });
  console.log(JSON.stringify({
    listening: running.url, mode: local ? "local" : args.flags.get("url"), keys: keys.options.db ?? "SESSION_KEYS_API_KEYS",
    admin: running.service.admin?.publicKey.toBase58() ?? null,
    ...(keys.generated ? { apiKey: keys.generated, apiKeyScope: "admin" } : {}),
    ...(running.demo ? { demo: { dwallet: running.demo.dwallet.toBase58(), initAuthority: running.demo.initAuthority.toBase58(), policy: running.demo.policy.toBase58() } } : {}),
  }, null, 2));
}

/** The key file wins over SESSION_KEYS_API_KEYS (which is then ignored, with a warning); in --local with neither, a generated admin key. */
function keySource(db: string | undefined, local: boolean): { options: Pick<ServerOptions, "db" | "apiKeys">; generated?: string } {
  const spec = process.env.SESSION_KEYS_API_KEYS;
  if (db) {
    if (spec) console.error("SESSION_KEYS_API_KEYS is ignored: the keys are those of --db / SESSION_KEYS_API_DB");
    return { options: { db } };
  }
  if (spec) return { options: { apiKeys: spec } };
  if (!local) throw new UsageError("give --db <file> (keys made with npm run api-keys) or set SESSION_KEYS_API_KEYS (key:scope,…) before serving a cluster");
  const generated = randomBytes(24).toString("hex");
  return { options: { apiKeys: `${generated}:admin` }, generated };
}

if (require.main === module) {
  main().catch((e) => {
    console.error(JSON.stringify({ error: e instanceof UsageError ? "UsageError" : "Error", message: (e as Error).message }));
    process.exit(e instanceof UsageError ? 2 : 1);
  });
}

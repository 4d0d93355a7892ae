/**
 * session-keys HTTP API: Node `http` only, JSON in and out, API-key auth.
 * Routes and their semantics: ./routes.ts. Auth: ./auth.ts.
 *
 *   npm run api -- --local [--port 8787]                    embedded LiteSVM + a demo dWallet and policy
 *   npm run api -- --url https://api.devnet.solana.com      a cluster (admin from SESSION_KEYS_ADMIN_KEYPAIR)
 *
 * Env: SESSION_KEYS_API_KEYS="key:admin,key2:read" (required for --url; in
 * --local a random admin key is generated and printed if unset),
 * SESSION_KEYS_ADMIN_KEYPAIR=<keypair file>.
 */
import * as http from "http";
import { AddressInfo } from "net";
import { randomBytes } from "crypto";
import { Keypair, LAMPORTS_PER_SOL, PublicKey } from "@solana/web3.js";
import { Chain, KeypairWallet, RpcChain } from "../chain";
import { ReadonlyWallet, SessionKeysClient } from "../client";
import { createLocalPolicy, localClient, startLocalChain } from "../local";
import { parseArgs } from "../shell/args";
import { loadKeypair, parseU32, UsageError } from "../shell/parse";
import { ApiKeys, Scope } from "./auth";
import { HttpError, readJsonBody, sendJson } from "./http";
import { approval, deploySession, inspect, previewSession, previewSolanaMessage, Reply, revoke, Service } from "./routes";

export interface ServerOptions {
  /** Embedded LiteSVM with both programs, a funded admin and a demo dWallet + policy. */
  local?: boolean;
  /** A cluster's RPC URL (exclusive with `local`). */
  url?: string;
  apiKeys: ApiKeys | string;
  /** Signs server-side deploys/revokes; in local mode the funded admin (generated if absent). */
  adminKeypair?: Keypair;
  /** Default 127.0.0.1: listening beyond loopback is an explicit choice. */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
}

export interface LocalDemo {
  dwallet: PublicKey;
  /** The dWallet's former authority: with `dwallet` it names the policy (GET /policies/:dwallet?initAuthority=). */
  initAuthority: PublicKey;
  policy: PublicKey;
}

export interface RunningServer {
  server: http.Server;
  /** e.g. http://127.0.0.1:54321 */
  url: string;
  service: Service;
  demo?: LocalDemo;
  close(): Promise<void>;
}

interface Route {
  method: string;
  pattern: RegExp;
  /** Required scopes (any of). */
  scopes: Scope[];
  handle(s: Service, m: RegExpExecArray, req: http.IncomingMessage, url: URL): Promise<Reply>;
}

const ADMIN = ["admin"];
const ANY = ["admin", "read"];

const ROUTES: Route[] = [
  { method: "POST", pattern: /^\/sessions\/preview$/, scopes: ADMIN, handle: async (s, _m, req) => previewSession(s, await readJsonBody(req)) },
  { method: "POST", pattern: /^\/sessions$/, scopes: ADMIN, handle: async (s, _m, req) => deploySession(s, await readJsonBody(req)) },
  { method: "POST", pattern: /^\/sessions\/([^/]+)\/revoke$/, scopes: ADMIN, handle: async (s, m, req) => revoke(s, pathParam(m[1]), await readJsonBody(req)) },
  { method: "GET", pattern: /^\/policies\/([^/]+)$/, scopes: ANY, handle: async (s, m, _req, url) => inspect(s, pathParam(m[1]), url.searchParams) },
  { method: "GET", pattern: /^\/approvals\/([^/]+)$/, scopes: ANY, handle: async (s, m) => approval(s, pathParam(m[1])) },
  {
    method: "POST", pattern: /^\/sessions\/([^/]+)\/solana-message\/preview$/, scopes: ANY,
    handle: async (s, m, req) => previewSolanaMessage(s, pathParam(m[1]), await readJsonBody(req)),
  },
];

export async function createServer(options: ServerOptions): Promise<RunningServer> {
  const keys = typeof options.apiKeys === "string" ? ApiKeys.parse(options.apiKeys) : options.apiKeys;
  const { service, demo } = await startService(options);
  const server = http.createServer((req, res) => {
    handle(service, keys, req).then(([status, body]) => sendJson(res, status, body), (e) => sendError(res, e));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", resolve);
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(":") ? `[${address}]` : address;
  return {
    server, service, demo, url: `http://${host}:${port}`,
    close: () => new Promise((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}

async function startService(o: ServerOptions): Promise<{ service: Service; demo?: LocalDemo }> {
  if (o.local === !!o.url) throw new UsageError("give exactly one of local or url");
  if (o.url) {
    const chain: Chain = new RpcChain(o.url);
    const wallet = o.adminKeypair ? new KeypairWallet(o.adminKeypair) : new ReadonlyWallet(PublicKey.default);
    return { service: { chain, client: new SessionKeysClient(chain, wallet), admin: o.adminKeypair } };
  }
  const chain = await startLocalChain();
  const admin = o.adminKeypair ?? Keypair.generate();
  await chain.airdrop(admin.publicKey, 1_000n * BigInt(LAMPORTS_PER_SOL));
  const p = await createLocalPolicy(chain, admin, admin.publicKey);
  return {
    service: { chain, client: localClient(chain, new KeypairWallet(admin)), admin },
    demo: { dwallet: p.dwallet, initAuthority: p.initAuthority.publicKey, policy: p.policy },
  };
}

/** A path segment, percent-decoded; a malformed escape is the caller's error (400), not ours. */
function pathParam(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new HttpError(400, "BadRequest", `malformed percent-escape in the path: ${JSON.stringify(raw)}`);
  }
}

/** Route, then auth (401/403), then the handler. Unknown routes are 404 before auth: they hold nothing. */
async function handle(s: Service, keys: ApiKeys, req: http.IncomingMessage): Promise<Reply> {
  const url = new URL(req.url ?? "/", "http://localhost");
  const candidates = ROUTES.filter((r) => r.pattern.test(url.pathname));
  if (candidates.length === 0) throw new HttpError(404, "NotFound", `no route ${url.pathname}`);
  const route = candidates.find((r) => r.method === req.method);
  if (!route) throw new HttpError(405, "MethodNotAllowed", `${req.method} not allowed on ${url.pathname}`);
  const header = req.headers["x-api-key"];
  const scope = keys.scopeOf(Array.isArray(header) ? header[0] : header);
  if (scope === undefined) throw new HttpError(401, "Unauthorized", "missing or unknown x-api-key");
  if (!route.scopes.includes(scope)) throw new HttpError(403, "Forbidden", `this endpoint needs scope ${route.scopes.join(" or ")}`);
  return route.handle(s, route.pattern.exec(url.pathname)!, req, url);
}

function sendError(res: http.ServerResponse, e: unknown): void {
  if (e instanceof HttpError) return sendJson(res, e.status, { error: e.errorName, message: e.message, ...e.details });
  if (e instanceof UsageError) return sendJson(res, 400, { error: "BadRequest", message: e.message });
  // The client's range checks (u64/u16 arguments) name the field: the caller's input, not ours.
  if (e instanceof RangeError) return sendJson(res, 400, { error: "BadRequest", message: e.message });
  // Unexpected: log for the operator, reveal nothing internal to the caller.
  console.error(e);
  sendJson(res, 500, { error: "InternalError", message: "internal error" });
}

async function main() {
  const args = parseArgs(process.argv.slice(2), { values: ["url", "host", "port"], switches: ["local"] });
  const local = args.switches.has("local");
  let spec = process.env.SESSION_KEYS_API_KEYS;
  let generatedKey: string | undefined;
  if (!spec) {
    if (!local) throw new UsageError("set SESSION_KEYS_API_KEYS (key:scope,…) before serving a cluster");
    generatedKey = randomBytes(24).toString("hex");
    spec = `${generatedKey}:admin`;
  }
  const adminFile = process.env.SESSION_KEYS_ADMIN_KEYPAIR;
  const running = await createServer({
    local, url: args.flags.get("url"), apiKeys: spec,
    adminKeypair: adminFile ? loadKeypair(adminFile, "SESSION_KEYS_ADMIN_KEYPAIR") : undefined,
    host: args.flags.get("host"), port: args.flags.has("port") ? parseU32(args.flags.get("port"), "--port") : 8787,
  });
  console.log(JSON.stringify({
    listening: running.url, mode: local ? "local" : args.flags.get("url"),
    admin: running.service.admin?.publicKey.toBase58() ?? null,
    ...(generatedKey ? { apiKey: generatedKey, apiKeyScope: "admin" } : {}),
    ...(running.demo ? { demo: { dwallet: running.demo.dwallet.toBase58(), initAuthority: running.demo.initAuthority.toBase58(), policy: running.demo.policy.toBase58() } } : {}),
  }, null, 2));
}

if (require.main === module) {
  main().catch((e) => {
    console.error(JSON.stringify({ error: e instanceof UsageError ? "UsageError" : "Error", message: (e as Error).message }));
    process.exit(e instanceof UsageError ? 2 : 1);
  });
}

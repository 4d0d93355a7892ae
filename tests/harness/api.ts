/**
 * The HTTP API in-process on 127.0.0.1 over a chain of the selected runtime,
 * and a raw `http.request` to call it (so every test sees the bytes a client
 * would: status, JSON body).
 */
import * as http from "http";
import { Keypair, Transaction, TransactionMessage, VersionedTransaction } from "@solana/web3.js";
import { createServer, RunningServer, ServerOptions } from "../../app/src/api/server";
import { createEnv, TestEnv } from "./env";
import { LocalRuntime } from "./runtime";

export const ADMIN_KEY = "test-admin-key";
export const READ_KEY = "test-read-key";

export interface Res { status: number; body: Record<string, any>; headers: http.IncomingHttpHeaders }

export interface CallOptions { key?: string; body?: unknown; headers?: Record<string, string> }

export interface TestApi {
  api: RunningServer;
  env: TestEnv;
  call(method: string, path: string, opts?: CallOptions): Promise<Res>;
}

/** A server on a fresh chain of `runtime` (both programs, Ika), keys `admin` and `read` — or those of `options.db`. */
export async function startApi(runtime: LocalRuntime, options: Partial<ServerOptions> = {}): Promise<TestApi> {
  const env = await createEnv(runtime);
  const keys = options.db ? {} : { apiKeys: `${ADMIN_KEY}:admin,${READ_KEY}:read` };
  const api = await createServer({ local: true, localChain: env.chain, ...keys, ...options });
  return { api, env, call: (method, path, opts) => request(api.url, method, path, opts) };
}

/** One request; `body` is sent raw if it is a string. */
export function request(base: string, method: string, path: string, opts: CallOptions = {}): Promise<Res> {
  const payload = opts.body === undefined ? undefined : typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body);
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${path}`, {
      method,
      headers: { ...(payload === undefined ? {} : { "content-type": "application/json" }), ...(opts.key ? { "x-api-key": opts.key } : {}), ...opts.headers },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode!, body: JSON.parse(Buffer.concat(chunks).toString()), headers: res.headers }));
    });
    req.on("error", reject);
    req.end(payload);
  });
}

/** A preview's base64 transaction, signed by `signers` (legacy wire format), back as base64. */
export function signed(base64: string, ...signers: Keypair[]): string {
  const tx = Transaction.from(Buffer.from(base64, "base64"));
  tx.partialSign(...signers);
  return tx.serialize().toString("base64");
}

/** The same instructions, payer and blockhash as a v0 transaction, signed. */
export function signedV0(base64: string, ...signers: Keypair[]): string {
  const legacy = Transaction.from(Buffer.from(base64, "base64"));
  const tx = new VersionedTransaction(TransactionMessage.decompile(legacy.compileMessage()).compileToV0Message());
  tx.sign(signers);
  return Buffer.from(tx.serialize()).toString("base64");
}

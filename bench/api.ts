/**
 * The HTTP API's throughput and latency on loopback, against the embedded
 * LiteSVM chain with the built .so files: GET /health, inspect by dWallet
 * (`GET /policies/{dwallet}`, a page of 50) with 0, 50 and 500 sessions, and
 * POST /sessions/preview (a simulation each). The load is bounded: a fixed
 * number of requests, at most CONCURRENCY in flight, over keep-alive
 * sockets. The client runs in the server's process (Node's http), so the
 * figures include its own work on the same cores. Sessions are made through
 * the client directly, not over HTTP, all before the first request: the
 * embedded chain answers a search by dWallet by reading every account it has
 * seen (app/src/chain/seen-accounts.ts), so every inspect row pays for all 550.
 * Writes a markdown table to stdout and target/bench-api.md.
 *
 *   node --no-allocation-site-pretenuring node_modules/.bin/ts-node --transpile-only bench/api.ts
 */
import * as fs from "fs";
import * as http from "http";
import * as path from "path";
import { performance } from "perf_hooks";
import { Keypair, PublicKey } from "@solana/web3.js";
import { createServer, RunningServer } from "../app/src/api/server";
import { createSession } from "../app/src/client";
import { LocalChain } from "../app/src/chain";
import { createLocalPolicy, REPO_ROOT, startLocalChain } from "../app/src/local";
import { DESTINATION, fmt } from "./common";

const CONCURRENCY = 8;
const API_KEY = "bench-admin-key";

interface Scenario { name: string; sessions?: number; requests: number; method: "GET" | "POST"; path: string; body?: unknown }
interface Result { scenario: Scenario; reqPerSec: number; p50: number; p99: number }

async function main() {
  const chain = await startLocalChain();
  const api = await createServer({ local: true, localChain: chain, apiKeys: `${API_KEY}:admin` });
  try {
    const dwallets = new Map<number, PublicKey>([[0, api.demo!.dwallet]]);
    for (const count of [50, 500]) dwallets.set(count, await policyWithSessions(chain, api, count));
    const delegate = Keypair.generate().publicKey.toBase58();
    const scenarios: Scenario[] = [
      { name: "GET /health", requests: 2_000, method: "GET", path: "/health" },
      ...[...dwallets].map(([sessions, dwallet]): Scenario => ({
        name: "GET /policies/{dwallet}", sessions, requests: 400, method: "GET", path: `/policies/${dwallet.toBase58()}`,
      })),
      {
        name: "POST /sessions/preview", requests: 1_000, method: "POST", path: "/sessions/preview",
        body: { policy: api.demo!.policy.toBase58(), delegate, expiresInSlots: 1000, maxUses: 3, maxAmountPerTx: "1000", allowedPrograms: [DESTINATION.toBase58()] },
      },
    ];
    const results: Result[] = [];
    for (const s of scenarios) results.push(await load(api.url, s));
    report(results);
  } finally {
    await api.close();
  }
}

/** A new dWallet and policy (admin: the server's) with `count` sessions, made through the client. */
async function policyWithSessions(chain: LocalChain, api: RunningServer, count: number): Promise<PublicKey> {
  const { client, admin } = api.service;
  const { policy, dwallet } = await createLocalPolicy(chain, admin!, admin!.publicKey);
  const limits = { delegate: Keypair.generate().publicKey, expirySlot: (await chain.getSlot()) + 10_000n, maxUses: 10, maxAmountPerTx: 1_000n, allowedPrograms: [DESTINATION] };
  for (let sessionId = 0; sessionId < count; sessionId++) {
    await client.deployOrThrow(await createSession(client, { policy, admin: admin!.publicKey, limits, sessionId }), [admin!]);
  }
  return dwallet;
}

/** `s.requests` requests, CONCURRENCY at a time; each must answer 200. */
async function load(base: string, s: Scenario): Promise<Result> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const payload = s.body === undefined ? undefined : JSON.stringify(s.body);
  const latencies: number[] = [];
  let next = 0;
  const worker = async () => {
    while (next++ < s.requests) {
      const started = performance.now();
      const status = await send(agent, `${base}${s.path}`, s.method, payload);
      if (status !== 200) throw new Error(`${s.method} ${s.path}: status ${status}`);
      latencies.push(performance.now() - started);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return { scenario: s, reqPerSec: s.requests / seconds, p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99) };
}

function send(agent: http.Agent, url: string, method: string, payload: string | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      agent, method, headers: { "x-api-key": API_KEY, ...(payload === undefined ? {} : { "content-type": "application/json" }) },
    }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode!));
    });
    req.on("error", reject);
    req.end(payload);
  });
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];

function report(results: Result[]) {
  const ms = (x: number) => x.toFixed(2);
  const md = [
    "### HTTP API on loopback (`npm run bench:api`)",
    "",
    `Embedded LiteSVM, in-process client, ${CONCURRENCY} requests in flight, keep-alive; inspect is by dWallet alone (a page of 50).`,
    "",
    "| request | sessions | requests | req/s | p50 ms | p99 ms |",
    "|---|---:|---:|---:|---:|---:|",
    ...results.map((r) => `| \`${r.scenario.name}\` | ${r.scenario.sessions ?? "—"} | ${fmt(r.scenario.requests)} | ${fmt(Math.round(r.reqPerSec))} | ${ms(r.p50)} | ${ms(r.p99)} |`),
    "",
  ].join("\n");
  console.log(md);
  const out = path.join(REPO_ROOT, "target/bench-api.md");
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, md);
  console.log(`(written to ${path.relative(process.cwd(), out)})`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

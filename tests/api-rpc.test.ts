/**
 * The HTTP API's RPC path: `--url <url>` against a JSON-RPC endpoint
 * (tests/harness/rpc-fixture.ts, LiteSVM behind node http: no validator can
 * run here), the server a separate process as `npm run api` runs it, its
 * keys in a key file and its admin from SESSION_KEYS_ADMIN_KEYPAIR. One
 * lifecycle: health, initialize_policy signed by the dWallet's authority
 * (preview, then { transaction }), a session the server signs, the dWallet's
 * policies found by getProgramAccounts, the delegate's use relayed, the
 * approval pending then signed, a use over the cap refused by name (422),
 * revoke; then SIGTERM ends the server, which never loaded a test runtime.
 */
import { expect } from "chai";
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Keypair, LAMPORTS_PER_SOL, PublicKey } from "@solana/web3.js";
import { keysCommand } from "../app/src/api/keys-cli";
import { cpiAuthorityAddress, messageDigest, SESSION_KEYS_PROGRAM_ID } from "../app/src/client";
import { writeDwallet, writeSignature } from "../app/src/local";
import { request, Res, signed } from "./harness/api";
import { RpcFixture, startRpcFixture } from "./harness/rpc-fixture";

const ROOT = path.resolve(__dirname, "..");
const JUPITER = "JUP6LkbZbjS1jKKwapdHNy74zcZ3tLUZoi5QNyVTaV4";
/** Module paths that mean a test runtime was loaded: LiteSVM or bankrun. */
const TEST_RUNTIMES = /litesvm|solana-bankrun/;

/**
 * Preloaded into the server (NODE_OPTIONS=--require): on SIGTERM it writes
 * every module the process loaded to $MODULES_OUT, then dies of the signal
 * as it would have without it.
 */
const PRELOAD = `
const fs = require("fs");
process.once("SIGTERM", () => {
  fs.writeFileSync(process.env.MODULES_OUT, JSON.stringify(Object.keys(require.cache)));
  process.kill(process.pid, "SIGTERM");
});
`;

describe("api over RPC (a spawned server, a JSON-RPC fixture)", function () {
  this.timeout(120_000);
  let rpc: RpcFixture;
  let dir: string;
  let server: ChildProcess | undefined;
  let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  let url: string;
  let adminKey: string;
  let readKey: string;
  const keys: Record<"owner" | "admin" | "bot", Keypair> = {} as never;
  let dwallet: string;
  let policy: string;
  let session: string;
  let messageApproval: string;

  const get = (p: string) => request(url, "GET", p, { key: readKey });
  const asAdmin = (p: string, body: unknown) => request(url, "POST", p, { key: adminKey, body });
  const asDelegate = (p: string, body: unknown) => request(url, "POST", p, { key: readKey, body });
  const ok = (r: Res, status = 200) => {
    expect(r.status, JSON.stringify(r.body)).to.equal(status);
    return r.body;
  };
  const use = (digestText: string, amount: string) => ({
    delegate: keys.bot.publicKey.toBase58(), messageDigest: messageDigest(digestText).toString("hex"), amount, destinationProgram: JUPITER,
  });

  /** The API as `npm run api -- --url <url> --db <file>` runs it; resolves with the JSON it prints once listening. */
  function startServer(): Promise<Record<string, any>> {
    const child = spawn(process.execPath, [
      "--no-allocation-site-pretenuring", path.join(ROOT, "node_modules/.bin/ts-node"), "--transpile-only",
      path.join(ROOT, "app/src/api/server.ts"), "--url", rpc.url, "--port", "0", "--db", path.join(dir, "keys.db"),
    ], {
      cwd: ROOT,
      env: {
        ...withoutApiEnv(process.env),
        SESSION_KEYS_ADMIN_KEYPAIR: path.join(dir, "admin.json"),
        NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --require ${path.join(dir, "preload.js")}`.trim(),
        MODULES_OUT: path.join(dir, "modules.json"),
      },
    });
    server = child;
    exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
    return new Promise((resolve, reject) => {
      let stdout = "";
      let stderr = "";
      const timer = setTimeout(() => reject(new Error(`the server did not print its listening line within 60 s; stderr: ${stderr}`)), 60_000);
      child.stderr!.on("data", (d) => (stderr += d));
      child.stdout!.on("data", (d) => {
        stdout += d;
        // The line is pretty-printed JSON: parse once it is whole.
        try {
          const started = JSON.parse(stdout);
          clearTimeout(timer);
          resolve(started);
        } catch {
          // Not whole yet.
        }
      });
      child.on("exit", (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`the server exited (${code ?? signal}) before listening; stderr: ${stderr}`));
      });
    });
  }

  before(async () => {
    rpc = await startRpcFixture();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "session-keys-api-rpc-"));
    for (const name of ["owner", "admin", "bot"] as const) {
      keys[name] = Keypair.generate();
      // The owner pays for the policy, the server's admin for the sessions, the delegate for its uses.
      await rpc.chain.airdrop(keys[name].publicKey, 100n * BigInt(LAMPORTS_PER_SOL));
    }
    fs.writeFileSync(path.join(dir, "admin.json"), JSON.stringify([...keys.admin.secretKey]));
    fs.writeFileSync(path.join(dir, "preload.js"), PRELOAD);
    // The key file as `npm run api-keys -- create` makes it: an admin key for the lifecycle, a read key for the delegate's path.
    const made = (scope: string) => (keysCommand(["create", "--db", path.join(dir, "keys.db"), "--scope", scope]) as { key: string }).key;
    [adminKey, readKey] = [made("admin"), made("read")];
    // What Ika's DKG leaves on chain: a dWallet whose authority is `owner`, who hands it to the policy.
    dwallet = (await writeDwallet(rpc.chain, { authority: keys.owner.publicKey })).address.toBase58();
    const started = await startServer();
    expect([started.mode, started.keys, started.admin]).to.deep.equal([rpc.url, path.join(dir, "keys.db"), keys.admin.publicKey.toBase58()]);
    url = started.listening;
  });
  after(async () => {
    if (server && server.exitCode === null && server.signalCode === null) {
      server.kill("SIGKILL");
      await exited;
    }
    await rpc?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("GET /health answers from the RPC chain, with the server's admin", async () => {
    const health = ok(await request(url, "GET", "/health"));
    expect([health.ok, health.chain, health.programId, health.admin]).to.deep.equal([true, "rpc", SESSION_KEYS_PROGRAM_ID.toBase58(), keys.admin.publicKey.toBase58()]);
    expect(rpc.calls).to.include("getSlot");
  });

  it("initialize_policy: previewed over simulateTransaction, signed by the dWallet's authority, deployed as { transaction }", async () => {
    const body = { dwallet, initAuthority: keys.owner.publicKey.toBase58() };
    const preview = ok(await asAdmin("/policies/preview", body));
    expect([preview.action, preview.signers, preview.simulation.ok], JSON.stringify(preview.simulation))
      .to.deep.equal(["initializePolicy", [keys.owner.publicKey.toBase58()], true]);
    // The server's admin administers it: no `admin` given.
    expect(preview.simulation.policy.admin).to.equal(keys.admin.publicKey.toBase58());
    const deployed = ok(await asAdmin("/policies", { transaction: signed(preview.transaction, keys.owner) }), 201);
    expect(deployed.instructions).to.deep.equal(["initializePolicy"]);
    policy = preview.policy;
    expect(rpc.calls).to.include.members(["simulateTransaction", "sendTransaction", "getSignatureStatuses"]);
  });

  it("create_session signed by the server's admin (SESSION_KEYS_ADMIN_KEYPAIR)", async () => {
    const created = ok(await asAdmin("/sessions", {
      policy, delegate: keys.bot.publicKey.toBase58(), expiresInSlots: 1000, maxUses: 2, maxAmountPerTx: "1000", allowedPrograms: [JUPITER],
    }), 201);
    expect([created.sessionId, created.state.delegate, created.state.maxUses]).to.deep.equal([0, keys.bot.publicKey.toBase58(), 2]);
    session = created.session;
  });

  it("GET /policies/{dwallet} by the dWallet alone: its policies and sessions found by getProgramAccounts", async () => {
    const view = ok(await get(`/policies/${dwallet}`));
    expect(view.dwallet).to.equal(dwallet);
    expect(view.policies.map((p: { address: string; status: string }) => [p.address, p.status])).to.deep.equal([[policy, "active"]]);
    // The dWallet's authority is now the program's CPI authority: only a session's use can get it signed.
    expect(view.policies[0].dwalletAccount.authority).to.equal(cpiAuthorityAddress(SESSION_KEYS_PROGRAM_ID)[0].toBase58());
    expect(view.sessions.map((s: { policy: string; id: number; status: string }) => [s.policy, s.id, s.status])).to.deep.equal([[policy, 0, "active"]]);
    expect(rpc.calls).to.include("getProgramAccounts");
  });

  it("the delegate's use: preview, signed by the delegate, relayed; the approval pending, then signed once Ika's network writes it", async () => {
    const preview = ok(await asDelegate(`/sessions/${session}/approve/preview`, use("swap 500", "500")));
    expect([preview.action, preview.nonce, preview.signers, preview.simulation.ok]).to.deep.equal(["approveMessage", "0", [keys.bot.publicKey.toBase58()], true]);
    const relayed = ok(await asDelegate("/transactions", { transaction: signed(preview.transaction, keys.bot) }));
    expect(relayed.instructions).to.deep.equal(["approveMessage"]);
    expect(relayed.events.map((e: { name: string }) => e.name)).to.include("messageApproved");
    messageApproval = preview.messageApproval;
    const pending = ok(await get(`/approvals/${messageApproval}`));
    expect([pending.status, pending.signature, pending.messageDigest]).to.deep.equal(["pending", null, preview.messageDigest]);
    const signature = Buffer.alloc(64, 7);
    await writeSignature(rpc.chain, new PublicKey(messageApproval), signature);
    const done = ok(await get(`/approvals/${messageApproval}`));
    expect([done.status, done.signature]).to.deep.equal(["signed", signature.toString("hex")]);
  });

  it("a use over the cap: the preview names AmountExceedsMax, and relayed anyway it is a 422 with that name", async () => {
    const over = ok(await asDelegate(`/sessions/${session}/approve/preview`, use("swap 1001", "1001")));
    expect([over.simulation.ok, over.simulation.error]).to.deep.equal([false, "AmountExceedsMax"]);
    const refused = await asDelegate("/transactions", { transaction: signed(over.transaction, keys.bot) });
    expect([refused.status, refused.body.error], JSON.stringify(refused.body)).to.deep.equal([422, "AmountExceedsMax"]);
  });

  it("revoke (server-signed): the session reads revoked, with the one use it had", async () => {
    expect(ok(await asAdmin(`/sessions/${session}/revoke`, {})).revoked).to.equal(true);
    const view = ok(await get(`/sessions/${session}`));
    expect([view.policy, view.status, view.uses]).to.deep.equal([policy, "revoked", 1]);
  });

  it("SIGTERM ends the server; it never loaded LiteSVM or bankrun", async () => {
    server!.kill("SIGTERM");
    expect(await exited).to.deep.equal({ code: null, signal: "SIGTERM" });
    const modules: string[] = JSON.parse(fs.readFileSync(path.join(dir, "modules.json"), "utf8"));
    // Not vacuous: the server's own modules and web3.js are there.
    expect(modules.some((m) => m.endsWith(path.join("app", "src", "api", "server.ts")))).to.equal(true);
    expect(modules.some((m) => m.includes(path.join("node_modules", "@solana", "web3.js")))).to.equal(true);
    expect(modules.filter((m) => TEST_RUNTIMES.test(m))).to.deep.equal([]);
  });
});

/** The caller's environment without the API's own variables, so only what this test sets reaches the server. */
function withoutApiEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([k]) => !k.startsWith("SESSION_KEYS_")));
}

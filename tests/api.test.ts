/**
 * The HTTP API in-process on 127.0.0.1 (port 0), over each runtime:
 * auth (401/403), bad bodies (400), unknown policy (404), preview (an
 * unsigned transaction and the simulated Session, nothing changed), deploy
 * (a caller-signed transaction, and limits signed by the server's admin),
 * inspect and revoke, and one Ika approval's status and signature; and
 * `--local` as `npm run api` starts it. Loopback only.
 */
import { expect } from "chai";
import { Keypair, PublicKey, SystemProgram, Transaction, TransactionInstruction, TransactionMessage } from "@solana/web3.js";
import { createServer, RunningServer } from "../app/src/api/server";
import { approveMessage, createSession } from "../app/src/client";
import { writeSignature } from "../app/src/local";
import { ADMIN_KEY, READ_KEY, request, startApi, TestApi } from "./harness/api";
import { selectedRuntimes } from "./harness";

const JUPITER = "JUP6LkbZbjS1jKKwapdHNy74zcZ3tLUZoi5QNyVTaV4";

describe("api: `--local` without a given chain", () => {
  it("starts a fresh LiteSVM with a demo policy, and listens on loopback only", async () => {
    const api = await createServer({ local: true, apiKeys: `${ADMIN_KEY}:admin` });
    try {
      expect(api.url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
      const health = await request(api.url, "GET", "/health");
      expect([health.status, health.body.chain, health.body.admin]).to.deep.equal([200, "litesvm", api.service.admin!.publicKey.toBase58()]);
      const policy = await request(api.url, "GET", `/policies/${api.demo!.policy.toBase58()}`, { key: ADMIN_KEY });
      expect([policy.status, policy.body.dwallet]).to.deep.equal([200, api.demo!.dwallet.toBase58()]);
    } finally {
      await api.close();
    }
  });
});

for (const runtime of selectedRuntimes()) describe(`api (HTTP, embedded) [${runtime}]`, function () {
  this.timeout(120_000);
  let t: TestApi;
  let api: RunningServer;
  let delegate: string;

  before(async () => {
    t = await startApi(runtime);
    api = t.api;
    delegate = Keypair.generate().publicKey.toBase58();
  });
  after(async () => api?.close());

  const call = (method: string, path: string, opts: { key?: string; body?: unknown } = {}) => t.call(method, path, opts);
  const postState = () => api.service.chain.simulatesPostState;

  const limits = (extra: Record<string, unknown> = {}) => ({
    policy: api.demo!.policy.toBase58(), delegate, expiresInSlots: 1000, maxUses: 3, maxAmountPerTx: "1000", allowedPrograms: [JUPITER], ...extra,
  });
  const inspectPath = () => `/policies/${api.demo!.dwallet.toBase58()}?initAuthority=${api.demo!.initAuthority.toBase58()}`;

  it("401 without a key or with an unknown key; 403 for a key without the admin scope", async () => {
    const none = await call("POST", "/sessions/preview", { body: limits() });
    expect([none.status, none.body.error]).to.deep.equal([401, "Unauthorized"]);
    const unknown = await call("POST", "/sessions", { key: "not-a-key", body: limits() });
    expect([unknown.status, unknown.body.error]).to.deep.equal([401, "Unauthorized"]);
    const readOnly = await call("POST", "/sessions/preview", { key: READ_KEY, body: limits() });
    expect([readOnly.status, readOnly.body.error]).to.deep.equal([403, "Forbidden"]);
  });

  it("400 on bad bodies, naming the field; 404 on an unknown policy", async () => {
    const notJson = await call("POST", "/sessions/preview", { key: ADMIN_KEY, body: "{not json" });
    expect([notJson.status, notJson.body.error, notJson.body.message]).to.deep.equal([400, "BadRequest", "body is not valid JSON"]);
    const badKey = await call("POST", "/sessions/preview", { key: ADMIN_KEY, body: limits({ allowedPrograms: ["nope"] }) });
    expect([badKey.status, badKey.body.message]).to.deep.equal([400, "allowedPrograms[0] must be a base58 public key (in an evm session, an EVM address: 0x and 40 hex digits)"]);
    const noUses = await call("POST", "/sessions/preview", { key: ADMIN_KEY, body: limits({ maxUses: undefined }) });
    expect([noUses.status, noUses.body.message]).to.deep.equal([400, "maxUses is required"]);
    const unsigned = await call("POST", "/sessions", { key: ADMIN_KEY, body: { transaction: "AAAA" } });
    expect(unsigned.status).to.equal(400);
    const missing = await call("GET", `/policies/${Keypair.generate().publicKey.toBase58()}?initAuthority=${Keypair.generate().publicKey.toBase58()}`, { key: READ_KEY });
    expect([missing.status, missing.body.error]).to.deep.equal([404, "PolicyNotFound"]);
  });

  it("preview returns an unsigned transaction and the simulated Session, and changes nothing", async () => {
    const before = await call("GET", inspectPath(), { key: READ_KEY });
    const res = await call("POST", "/sessions/preview", { key: ADMIN_KEY, body: limits() });
    expect(res.status).to.equal(200);
    const tx = Transaction.from(Buffer.from(res.body.transaction, "base64"));
    expect(tx.signatures.every((s) => s.signature === null || s.signature.every((b) => b === 0))).to.equal(true);
    const sim = res.body.simulation;
    expect(sim.ok).to.equal(true);
    expect(sim.computeUnits).to.be.greaterThan(0);
    expect(sim.rentLamports).to.be.greaterThan(0);
    // bankrun simulates without post-state: the resulting Session is there on LiteSVM (and RPC) only.
    if (postState()) expect([sim.session.sessionId, sim.session.maxUses, sim.session.maxAmountPerTx, sim.session.delegate]).to.deep.equal([0, 3, "1000", delegate]);
    else expect([sim.postState, sim.session]).to.deep.equal([false, null]);
    const after = await call("GET", inspectPath(), { key: READ_KEY });
    expect(after.body).to.deep.equal(before.body);
    expect(after.body.nextSessionId).to.equal("0");
  });

  it("preview of an invalid session reports the program's error name", async () => {
    const res = await call("POST", "/sessions/preview", { key: ADMIN_KEY, body: limits({ maxUses: 0 }) });
    expect([res.status, res.body.simulation.ok, res.body.simulation.error]).to.deep.equal([200, false, "ZeroMaxUses"]);
  });

  it("deploys a caller-signed preview and server-signed limits; inspect shows both; revoke", async () => {
    // 1. The admin signs the transaction the preview returned, and submits it.
    const preview = await call("POST", "/sessions/preview", { key: ADMIN_KEY, body: limits() });
    const tx = Transaction.from(Buffer.from(preview.body.transaction, "base64"));
    tx.partialSign(api.service.admin!);
    const signed = await call("POST", "/sessions", { key: ADMIN_KEY, body: { transaction: tx.serialize().toString("base64") } });
    expect(signed.status).to.equal(201);
    expect(signed.body.created).to.deep.equal([{ sessionId: 0, session: preview.body.session }]);

    // 2. Limits only: the server's admin keypair signs.
    const byServer = await call("POST", "/sessions", { key: ADMIN_KEY, body: limits({ maxUses: 5 }) });
    expect([byServer.status, byServer.body.sessionId, byServer.body.state.maxUses]).to.deep.equal([201, 1, 5]);

    const view = await call("GET", inspectPath(), { key: READ_KEY });
    expect(view.status).to.equal(200);
    expect(view.body.sessions.map((s: any) => [s.id, s.status, s.remainingUses, s.nextNonce])).to.deep.equal([[0, "active", 3, "0"], [1, "active", 5, "0"]]);

    const revoked = await call("POST", "/sessions/1/revoke", { key: ADMIN_KEY, body: { policy: api.demo!.policy.toBase58() } });
    expect([revoked.status, revoked.body.revoked]).to.deep.equal([200, true]);
    const again = await call("POST", "/sessions/1/revoke", { key: ADMIN_KEY, body: { policy: api.demo!.policy.toBase58() } });
    expect([again.status, again.body.error]).to.deep.equal([422, "SessionRevoked"]);
    const after = await call("GET", inspectPath(), { key: ADMIN_KEY });
    expect(after.body.sessions.map((s: any) => s.status)).to.deep.equal(["active", "revoked"]);
  });

  it("shows one approval: pending, then signed with the signature; 404 for none, 400 for a bad address", async () => {
    const c = api.service.client;
    const bot = Keypair.generate();
    const limits = { delegate: bot.publicKey, expirySlot: (await c.chain.getSlot()) + 100n, maxUses: 1, maxAmountPerTx: 10n, allowedPrograms: [new PublicKey(JUPITER)] };
    const create = await createSession(c, { policy: api.demo!.policy, admin: api.service.admin!.publicKey, limits });
    await c.deployOrThrow(create, [api.service.admin!]);
    const use = await approveMessage(c, { policy: api.demo!.policy, session: create.session, delegate: bot.publicKey, message: "api approval", amount: 1n, destinationProgram: new PublicKey(JUPITER) });
    await c.deployOrThrow(use, [bot]);

    const pending = await call("GET", `/approvals/${use.messageApproval.toBase58()}`, { key: READ_KEY });
    expect([pending.status, pending.body.status, pending.body.signature, pending.body.messageDigest])
      .to.deep.equal([200, "pending", null, use.messageDigest.toString("hex")]);
    const signature = Buffer.alloc(64, 7);
    await writeSignature(t.env.chain, use.messageApproval, signature);
    const signed = await call("GET", `/approvals/${use.messageApproval.toBase58()}`, { key: READ_KEY });
    expect([signed.status, signed.body.status, signed.body.signature]).to.deep.equal([200, "signed", signature.toString("hex")]);

    const none = await call("GET", `/approvals/${Keypair.generate().publicKey.toBase58()}`, { key: READ_KEY });
    expect([none.status, none.body.error]).to.deep.equal([404, "MessageApprovalNotFound"]);
    const bad = await call("GET", "/approvals/not-a-key", { key: READ_KEY });
    expect(bad.status).to.equal(400);
  });

  it("input that used to be a 500 is a 400 naming the problem, and changes nothing", async () => {
    for (const path of ["/policies/%E0%A4%A", "/approvals/%ZZ"]) {
      const r = await call("GET", path, { key: READ_KEY });
      expect([r.status, r.body.error], path).to.deep.equal([400, "BadRequest"]);
      expect(r.body.message).to.match(/malformed percent-escape/);
    }
    const revoke = await call("POST", "/sessions/%ZZ/revoke", { key: ADMIN_KEY, body: { policy: api.demo!.policy.toBase58() } });
    expect([revoke.status, revoke.body.error]).to.deep.equal([400, "BadRequest"]);
    // A slot past 0, so that "expires in 2^64 - 1 slots" lands past u64.
    await t.env.chain.warpToSlot((await api.service.chain.getSlot()) + 5n);
    const before = await call("GET", inspectPath(), { key: READ_KEY });
    const forty = Array.from({ length: 40 }, () => Keypair.generate().publicKey.toBase58());
    const tooMany = await call("POST", "/sessions/preview", { key: ADMIN_KEY, body: limits({ allowedPrograms: forty }) });
    expect([tooMany.status, tooMany.body.message]).to.deep.equal([400, "allowedPrograms: at most 8 items (got 40)"]);
    const pastU64 = await call("POST", "/sessions/preview", { key: ADMIN_KEY, body: limits({ expiresInSlots: "18446744073709551615" }) });
    expect([pastU64.status, pastU64.body.error]).to.deep.equal([400, "BadRequest"]);
    expect(pastU64.body.message).to.match(/^expirySlot must fit a u64/);
    const after = await call("GET", inspectPath(), { key: READ_KEY });
    expect(after.body).to.deep.equal(before.body);
  });

  it("an unknown or misspelt field is a 400 naming it, never a silently missing limit", async () => {
    const typo = await call("POST", "/sessions/preview", { key: ADMIN_KEY, body: limits({ maxTotal: 150 }) });
    expect([typo.status, typo.body.error]).to.deep.equal([400, "BadRequest"]);
    expect(typo.body.message).to.match(/^unknown field maxTotal \(allowed: /);
    const deployTypo = await call("POST", "/sessions", { key: ADMIN_KEY, body: limits({ maxTotal: 150, expiry: 9 }) });
    expect([deployTypo.status, deployTypo.body.message]).to.satisfy(([st, m]: [number, string]) => st === 400 && m.startsWith("unknown fields maxTotal, expiry"));
    const extraWithTx = await call("POST", "/sessions", { key: ADMIN_KEY, body: { transaction: "AA==", maxUses: 1 } });
    expect([extraWithTx.status, extraWithTx.body.message]).to.satisfy(([st, m]: [number, string]) => st === 400 && m.startsWith("unknown field maxUses"));
    const revokeTypo = await call("POST", "/sessions/0/revoke", { key: ADMIN_KEY, body: { policy: api.demo!.policy.toBase58(), force: true } });
    expect([revokeTypo.status, revokeTypo.body.message]).to.satisfy(([st, m]: [number, string]) => st === 400 && m.startsWith("unknown field force"));
    // Spelt right, the budget is there, and "no budget" reads as null.
    const ok = await call("POST", "/sessions/preview", { key: ADMIN_KEY, body: limits({ maxTotalAmount: "150" }) });
    expect(ok.status).to.equal(200);
    if (postState()) {
      expect([ok.body.simulation.session.maxTotalAmount, ok.body.simulation.session.allowedPrograms]).to.deep.equal(["150", [JUPITER]]);
      const none = await call("POST", "/sessions/preview", { key: ADMIN_KEY, body: limits() });
      expect(none.body.simulation.session.maxTotalAmount).to.equal(null);
    }
  });

  it("the delegate's path for a solana session: the program's verdict on a base64 message, and the transactions to sign (buffered when large)", async () => {
    const bot = Keypair.generate();
    const chain = t.env.chain;
    await chain.airdrop(bot.publicKey, 10_000_000_000n);
    const view = await call("GET", inspectPath(), { key: READ_KEY });
    const D = new PublicKey(Buffer.from(view.body.dwalletAccount.publicKey, "hex"));
    const third = Keypair.generate().publicKey;
    const created = await call("POST", "/sessions", { key: ADMIN_KEY, body: limits({
      delegate: bot.publicKey.toBase58(), format: "solana", allowedPrograms: [SystemProgram.programId.toBase58(), third.toBase58()],
    }) });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    expect(created.body.state.format).to.equal("solana");
    const message = (lamports: number, data = 0) => new TransactionMessage({
      payerKey: D, recentBlockhash: Keypair.generate().publicKey.toBase58(), instructions: [
        SystemProgram.transfer({ fromPubkey: D, toPubkey: third, lamports }),
        ...(data ? [new TransactionInstruction({ programId: third, keys: [], data: Buffer.alloc(data, 1) })] : []),
      ],
    }).compileToLegacyMessage().serialize().toString("base64");
    const path = `/sessions/${created.body.sessionId}/solana-message/preview`;
    const body = (m: string) => ({ policy: api.demo!.policy.toBase58(), delegate: bot.publicKey.toBase58(), message: m });
    const submit = async (b64: string) => {
      const tx = Transaction.from(Buffer.from(b64, "base64"));
      tx.sign(bot);
      return call("POST", "/transactions", { key: READ_KEY, body: { transaction: tx.serialize().toString("base64") } });
    };

    const ok = await call("POST", path, { key: READ_KEY, body: body(message(1000)) });
    expect([ok.status, ok.body.viaBuffer, ok.body.simulation.ok, ok.body.simulation.amount]).to.deep.equal([200, false, true, "1000"]);
    expect(ok.body.simulation.programs).to.deep.equal([SystemProgram.programId.toBase58()]);
    expect((await submit(ok.body.transactions[0])).status).to.equal(200);
    const over = await call("POST", path, { key: READ_KEY, body: body(message(1001)) });
    expect([over.status, over.body.simulation.ok, over.body.simulation.error]).to.deep.equal([200, false, "AmountExceedsMax"]);
    const big = await call("POST", path, { key: READ_KEY, body: body(message(5, 900)) });
    expect([big.status, big.body.viaBuffer, big.body.transactions.length]).to.deep.equal([200, true, 4]);
    for (const t of big.body.transactions) expect((await submit(t)).status).to.equal(200);
    const after = await call("GET", inspectPath(), { key: READ_KEY });
    const session = after.body.sessions.find((x: { id: number }) => x.id === created.body.sessionId);
    expect([session.uses, session.spent]).to.deep.equal([2, "1005"]);
    const bad = await call("POST", path, { key: READ_KEY, body: { ...body("!!"), extra: 1 } });
    expect([bad.status, bad.body.message]).to.satisfy(([st, m]: [number, string]) => st === 400 && m.startsWith("unknown field extra"));
  });
});

/**
 * The API as a service, on each runtime: inspect by dWallet alone and its
 * pages (7 sessions, limit 3: the cursor walks all, once each), one session
 * by address, /health without a key, the OpenAPI 3.1 document (valid by an
 * independent validator, listing every route the server registered, and
 * the Idempotency-Key header on every POST), the body limit, and the time
 * limits that cut off a body that never ends.
 */
import { expect } from "chai";
import * as net from "net";
import { Keypair } from "@solana/web3.js";
import { Validator } from "@seriousme/openapi-schema-validator";
import { createServer } from "../app/src/api/server";
import { SESSION_ID_OFFSET, SESSION_POLICY_OFFSET, POLICY_DWALLET_OFFSET } from "../app/src/client";
import { writeDwallet } from "../app/src/local";
import { ADMIN_KEY, READ_KEY, request, Res, startApi, TestApi } from "./harness/api";
import { selectedRuntimes } from "./harness";

const JUPITER = "JUP6LkbZbjS1jKKwapdHNy74zcZ3tLUZoi5QNyVTaV4";

for (const runtime of selectedRuntimes()) {
  describe(`api service [${runtime}]`, function () {
    this.timeout(120_000);
    let t: TestApi;
    before(async () => {
      t = await startApi(runtime);
    });
    after(async () => t?.api.close());

    const read = (path: string) => t.call("GET", path, { key: READ_KEY });
    const ok = (r: Res, status = 200) => {
      expect(r.status, JSON.stringify(r.body)).to.equal(status);
      return r.body;
    };

    it("inspect by dWallet alone: 7 sessions in pages of 3, every one once; the same pages with initAuthority", async () => {
      const { address: dwallet } = await writeDwallet(t.env.chain, { authority: t.api.service.admin!.publicKey });
      const policy = ok(await t.call("POST", "/policies", { key: ADMIN_KEY, body: { dwallet: dwallet.toBase58() } }), 201).policy;
      const sessions: string[] = [];
      for (let i = 0; i < 7; i++) {
        const created = ok(await t.call("POST", "/sessions", { key: ADMIN_KEY, body: {
          policy, delegate: Keypair.generate().publicKey.toBase58(), expiresInSlots: 100, maxUses: i + 1, maxAmountPerTx: "1", allowedPrograms: [JUPITER],
        } }), 201);
        sessions.push(created.session);
      }
      const walk = async (base: string) => {
        const pages: Record<string, any>[] = [];
        let cursor: string | null = null;
        do {
          pages.push(ok(await read(`${base}${base.includes("?") ? "&" : "?"}limit=3${cursor ? `&cursor=${cursor}` : ""}`)));
          cursor = pages[pages.length - 1].nextCursor;
        } while (cursor);
        return pages;
      };
      const pages = await walk(`/policies/${dwallet.toBase58()}`);
      expect(pages.map((p) => p.sessions.length)).to.deep.equal([3, 3, 1]);
      const seen = pages.flatMap((p) => p.sessions.map((s: { address: string }) => s.address));
      expect(seen).to.deep.equal(sessions);
      expect(pages[0].policies.map((p: { address: string }) => p.address)).to.deep.equal([policy]);
      expect(pages[2].sessions[0]).to.include({ policy, id: 6, maxUses: 7, status: "active" });

      const byPair = await walk(`/policies/${dwallet.toBase58()}?initAuthority=${t.api.service.admin!.publicKey.toBase58()}`);
      expect(byPair.flatMap((p) => p.sessions.map((s: { id: number }) => s.id))).to.deep.equal([0, 1, 2, 3, 4, 5, 6]);
      const byPolicy = await walk(`/policies/${policy}`);
      expect(byPolicy.map((p) => p.sessions.length)).to.deep.equal([3, 3, 1]);

      const one = ok(await read(`/sessions/${sessions[4]}`));
      expect(one).to.include({ policy, id: 4, address: sessions[4], maxUses: 5, status: "active" });
      const bad = await read(`/policies/${dwallet.toBase58()}?cursor=bm90LWEtY3Vyc29y`);
      expect([bad.status, bad.body.error]).to.deep.equal([400, "InvalidCursor"]);
      const tooMany = await read(`/policies/${dwallet.toBase58()}?limit=501`);
      expect([tooMany.status, tooMany.body.message]).to.deep.equal([400, "limit must be an integer 1 ..= 500"]);
      const none = await read(`/policies/${Keypair.generate().publicKey.toBase58()}`);
      expect([none.status, none.body.error]).to.deep.equal([404, "PolicyNotFound"]);
    });

    it("the search reads the documented offsets: the Policy's dwallet, the Session's policy and id", async () => {
      const created = ok(await t.call("POST", "/sessions", { key: ADMIN_KEY, body: {
        policy: t.api.demo!.policy.toBase58(), delegate: JUPITER, expiresInSlots: 10, maxUses: 1, maxAmountPerTx: "1", allowedPrograms: [JUPITER],
      } }), 201);
      const session = (await t.env.chain.getAccountInfo(t.api.service.client.sessionAddress(t.api.demo!.policy, created.sessionId)))!;
      const policy = (await t.env.chain.getAccountInfo(t.api.demo!.policy))!;
      expect(policy.data.subarray(POLICY_DWALLET_OFFSET, POLICY_DWALLET_OFFSET + 32).equals(t.api.demo!.dwallet.toBuffer())).to.equal(true);
      expect(session.data.subarray(SESSION_POLICY_OFFSET, SESSION_POLICY_OFFSET + 32).equals(t.api.demo!.policy.toBuffer())).to.equal(true);
      expect(session.data.readUInt32LE(SESSION_ID_OFFSET)).to.equal(created.sessionId);
    });

    it("/health answers without a key", async () => {
      const health = ok(await t.call("GET", "/health"));
      expect(health).to.include({ ok: true, chain: runtime, programId: t.api.service.client.programId.toBase58() });
    });

    it("/openapi.json is a valid OpenAPI 3.1 document that lists every route the server registered", async () => {
      const doc = ok(await t.call("GET", "/openapi.json"));
      expect(doc.openapi).to.equal("3.1.0");
      const result = await new Validator().validate(doc);
      expect(result, JSON.stringify(result.errors)).to.deep.include({ valid: true });
      const documented = Object.entries(doc.paths as Record<string, object>).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
      const registered = t.api.routes.map((r) => `${r.method} ${r.url.replace(/:(\w+)/g, "{$1}")}`);
      expect(registered.length).to.be.greaterThan(25);
      expect(documented).to.have.members(registered);
      const body = doc.paths["/sessions/{session}/update/preview"].post.requestBody.content["application/json"].schema;
      expect([body.additionalProperties, Object.keys(body.properties)]).to.deep.equal([false, [
        "policy", "dwallet", "initAuthority", "expirySlot", "expiresInSlots", "maxUses", "maxAmountPerTx", "maxTotalAmount", "allowedSchemes", "allowedPrograms", "admin",
      ]]);
      // Every POST documents the Idempotency-Key header, and no GET does.
      const operations = Object.values(doc.paths as Record<string, Record<string, { parameters?: { in: string; name: string }[] }>>).flatMap((ops) => Object.entries(ops));
      const takesKey = ([, op]: [string, { parameters?: { in: string; name: string }[] }]) => (op.parameters ?? []).some((p) => p.in === "header" && p.name === "idempotency-key");
      expect(operations.filter(([m]) => m === "post").every(takesKey)).to.equal(true);
      expect(operations.filter(([m]) => m === "get").some(takesKey)).to.equal(false);
    });

    it("a body over the limit is a 413 PayloadTooLarge", async () => {
      const r = await t.call("POST", "/sessions/preview", { key: ADMIN_KEY, body: { policy: "x".repeat(70 * 1024) } });
      expect([r.status, r.body.error, r.body.message]).to.deep.equal([413, "PayloadTooLarge", `body exceeds ${64 * 1024} bytes`]);
    });

    it("a body that never finishes is cut off within the request time limit", async () => {
      const limited = await createServer({ local: true, localChain: t.env.chain, apiKeys: `${ADMIN_KEY}:admin`, limits: { requestTimeoutMs: 400 } });
      try {
        const { port } = new URL(limited.url);
        const started = Date.now();
        const socket = net.connect(Number(port), "127.0.0.1");
        const received: Buffer[] = [];
        socket.on("data", (c) => received.push(c));
        socket.write(`POST /sessions/preview HTTP/1.1\r\nHost: x\r\nx-api-key: ${ADMIN_KEY}\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"policy":`);
        // A byte every 50 ms: never idle, never done.
        const trickle = setInterval(() => socket.write(" "), 50);
        await new Promise((resolve) => socket.on("close", resolve));
        clearInterval(trickle);
        const elapsed = Date.now() - started;
        expect(elapsed).to.be.within(350, 1_500);
        expect(Buffer.concat(received).toString()).to.match(/^HTTP\/1\.1 408 /);
      } finally {
        await limited.close();
      }
      // The first server still answers.
      expect((await request(t.api.url, "GET", "/health")).status).to.equal(200);
    });
  });
}

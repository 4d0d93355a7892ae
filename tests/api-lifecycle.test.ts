/**
 * The HTTP API's whole lifecycle, on each runtime: every admin action as a
 * preview (unsigned transaction + simulation) and a deploy — caller-signed
 * (the test signs the preview's transaction with the right key) and
 * server-signed (the server's admin key is every signer) — each checked by
 * reading the state back. Then the refusals of the deploy path: a
 * transaction for another route, a signer the server does not hold, an
 * unknown field on each kind of route.
 */
import { expect } from "chai";
import { Keypair, LAMPORTS_PER_SOL } from "@solana/web3.js";
import { writeDwallet } from "../app/src/local";
import { ADMIN_KEY, READ_KEY, Res, signed, startApi, TestApi } from "./harness/api";
import { selectedRuntimes } from "./harness";

const JUPITER = "JUP6LkbZbjS1jKKwapdHNy74zcZ3tLUZoi5QNyVTaV4";

for (const runtime of selectedRuntimes()) {
  describe(`api lifecycle [${runtime}]`, function () {
    this.timeout(120_000);
    let t: TestApi;
    before(async () => {
      t = await startApi(runtime);
    });
    after(async () => t?.api.close());

    const admin = (path: string, body: unknown) => t.call("POST", path, { key: ADMIN_KEY, body });
    const read = (path: string) => t.call("GET", path, { key: READ_KEY });
    const ok = (r: Res, status = 200) => {
      expect(r.status, JSON.stringify(r.body)).to.equal(status);
      return r.body;
    };
    const funded = async () => {
      const k = Keypair.generate();
      await t.env.chain.airdrop(k.publicKey, 10n * BigInt(LAMPORTS_PER_SOL));
      return k;
    };
    /** Preview, check the simulation ran clean, sign with `signers`, deploy. */
    const previewAndDeploy = async (path: string, body: unknown, signers: Keypair[], status = 200) => {
      const preview = ok(await admin(`${path}/preview`, body));
      expect([preview.simulation.ok, preview.simulation.computeUnits > 0], JSON.stringify(preview.simulation)).to.deep.equal([true, true]);
      expect(preview.signers).to.have.members(signers.map((k) => k.publicKey.toBase58()));
      return { preview, deployed: ok(await admin(path, { transaction: signed(preview.transaction, ...signers) }), status) };
    };

    it("caller-signed: initialize, create, update, revoke, close, revoke-all, propose, accept, release — and a second policy for the dWallet", async () => {
      const [authority, policyAdmin, nextAdmin, successor] = [await funded(), await funded(), await funded(), await funded()];
      const { address: dwallet } = await writeDwallet(t.env.chain, { authority: authority.publicKey });
      const d = dwallet.toBase58();

      const init = await previewAndDeploy("/policies", { dwallet: d, initAuthority: authority.publicKey.toBase58(), admin: policyAdmin.publicKey.toBase58() }, [authority], 201);
      const policy = init.preview.policy as string;
      if (t.env.chain.simulatesPostState) expect(init.preview.simulation.policy.admin).to.equal(policyAdmin.publicKey.toBase58());
      expect(init.preview.simulation.rentLamports).to.be.greaterThan(0);
      expect(init.deployed.instructions).to.deep.equal(["initializePolicy"]);
      expect(ok(await read(`/policies/${policy}`)).admin).to.equal(policyAdmin.publicKey.toBase58());

      const create = await previewAndDeploy("/sessions", {
        policy, admin: policyAdmin.publicKey.toBase58(), delegate: Keypair.generate().publicKey.toBase58(),
        expiresInSlots: 1000, maxUses: 3, maxAmountPerTx: "1000", allowedPrograms: [JUPITER],
      }, [policyAdmin], 201);
      const session = create.preview.session as string;
      expect(create.deployed.created).to.deep.equal([{ sessionId: 0, session }]);

      await previewAndDeploy(`/sessions/${session}/update`, { maxUses: 9, maxTotalAmount: "5000", admin: policyAdmin.publicKey.toBase58() }, [policyAdmin]);
      const updated = ok(await read(`/sessions/${session}`));
      expect([updated.policy, updated.maxUses, updated.maxTotalAmount, updated.status]).to.deep.equal([policy, 9, "5000", "active"]);

      await previewAndDeploy(`/sessions/${session}/revoke`, { admin: policyAdmin.publicKey.toBase58() }, [policyAdmin]);
      expect(ok(await read(`/sessions/${session}`)).status).to.equal("revoked");

      const rentBefore = (await t.env.chain.getAccountInfo(policyAdmin.publicKey))!.lamports;
      const close = await previewAndDeploy(`/sessions/${session}/close`, { admin: policyAdmin.publicKey.toBase58() }, [policyAdmin]);
      expect(close.deployed.closed).to.equal(true);
      expect((await read(`/sessions/${session}`)).body.error).to.equal("SessionNotFound");
      expect((await t.env.chain.getAccountInfo(policyAdmin.publicKey))!.lamports).to.be.greaterThan(rentBefore);

      await previewAndDeploy(`/policies/${policy}/revoke-all`, { admin: policyAdmin.publicKey.toBase58() }, [policyAdmin]);
      expect(ok(await read(`/policies/${policy}`)).epoch).to.equal("1");

      await previewAndDeploy(`/policies/${policy}/propose-admin`, { admin: policyAdmin.publicKey.toBase58(), newAdmin: nextAdmin.publicKey.toBase58() }, [policyAdmin]);
      expect(ok(await read(`/policies/${policy}`)).pendingAdmin).to.equal(nextAdmin.publicKey.toBase58());
      // Anyone but the proposed admin: the simulation names the program's refusal.
      const wrong = ok(await admin(`/policies/${policy}/accept-admin/preview`, { newAdmin: successor.publicKey.toBase58() }));
      expect([wrong.simulation.ok, wrong.simulation.error]).to.deep.equal([false, "NotPendingAdmin"]);
      await previewAndDeploy(`/policies/${policy}/accept-admin`, { newAdmin: nextAdmin.publicKey.toBase58() }, [nextAdmin]);
      const accepted = ok(await read(`/policies/${policy}`));
      expect([accepted.admin, accepted.pendingAdmin]).to.deep.equal([nextAdmin.publicKey.toBase58(), null]);

      await previewAndDeploy(`/policies/${policy}/release`, { admin: nextAdmin.publicKey.toBase58(), newAuthority: successor.publicKey.toBase58() }, [nextAdmin]);
      const released = ok(await read(`/policies/${policy}`));
      expect([released.status, released.dwalletAccount.authority]).to.deep.equal(["released", successor.publicKey.toBase58()]);

      // The new authority hands the dWallet to a policy of its own: the dWallet alone now finds both.
      const second = await previewAndDeploy("/policies", { dwallet: d, initAuthority: successor.publicKey.toBase58(), admin: successor.publicKey.toBase58() }, [successor], 201);
      const both = ok(await read(`/policies/${d}`));
      expect(both.policies.map((p: { address: string }) => p.address)).to.have.members([policy, second.preview.policy]);
      expect(both.policies.map((p: { status: string }) => p.status)).to.have.members(["released", "active"]);
    });

    it("server-signed: the same actions given as parameters, on a dWallet whose authority is the server's admin", async () => {
      const server = t.api.service.admin!.publicKey.toBase58();
      const { address: dwallet } = await writeDwallet(t.env.chain, { authority: t.api.service.admin!.publicKey });
      const init = ok(await admin("/policies", { dwallet: dwallet.toBase58() }), 201);
      expect([init.state.admin, init.state.dwallet]).to.deep.equal([server, dwallet.toBase58()]);
      const policy = init.policy as string;

      const limits = { policy, delegate: Keypair.generate().publicKey.toBase58(), expiresInSlots: 100, maxUses: 2, maxAmountPerTx: "10", allowedPrograms: [JUPITER] };
      const created = ok(await admin("/sessions", limits), 201);
      expect([created.sessionId, created.state.maxUses]).to.deep.equal([0, 2]);
      // `{session}` as an id under the policy the body names, as the address elsewhere.
      expect(ok(await admin("/sessions/0/update", { policy, maxUses: 4 })).state.maxUses).to.equal(4);
      expect(ok(await admin(`/sessions/${created.session}/revoke`, {})).revoked).to.equal(true);
      expect(ok(await admin(`/sessions/${created.session}/close`, {})).state).to.equal(null);
      expect(ok(await admin(`/policies/${policy}/revoke-all`, {})).state.epoch).to.equal("1");
      expect(ok(await admin(`/policies/${policy}/propose-admin`, { newAdmin: server })).state.pendingAdmin).to.equal(server);
      expect(ok(await admin(`/policies/${policy}/accept-admin`, {})).state.pendingAdmin).to.equal(null);

      // A signer the server does not hold: refused before anything is sent.
      const other = Keypair.generate().publicKey.toBase58();
      const notHeld = await admin(`/policies/${policy}/accept-admin`, { newAdmin: other });
      expect([notHeld.status, notHeld.body.error]).to.deep.equal([400, "SignerNotHeld"]);

      const released = ok(await admin(`/policies/${policy}/release`, { newAuthority: other }));
      expect(released.state.status).to.equal("released");
      const again = await admin(`/policies/${policy}/release`, { newAuthority: other });
      expect([again.status, again.body.error]).to.deep.equal([422, "PolicyNotActive"]);
    });

    it("a deploy route submits its own instruction only; every other refusal is named", async () => {
      const policy = t.api.demo!.policy.toBase58();
      const created = ok(await admin("/sessions", {
        policy, delegate: Keypair.generate().publicKey.toBase58(), expiresInSlots: 100, maxUses: 1, maxAmountPerTx: "1", allowedPrograms: [JUPITER],
      }), 201);
      const revoke = ok(await admin(`/sessions/${created.session}/revoke/preview`, {}));
      const tx = signed(revoke.transaction, t.api.service.admin!);
      const elsewhere = await admin(`/sessions/${created.session}/close`, { transaction: tx });
      expect([elsewhere.status, elsewhere.body.error]).to.deep.equal([400, "WrongInstruction"]);
      expect(elsewhere.body.message).to.match(/^this route submits closeSession; the transaction holds revokeSession/);
      const unsigned = await admin(`/sessions/${created.session}/revoke`, { transaction: revoke.transaction });
      expect([unsigned.status, unsigned.body.error]).to.deep.equal([400, "TransactionNotSigned"]);
      expect(ok(await admin(`/sessions/${created.session}/revoke`, { transaction: tx })).instructions).to.deep.equal(["revokeSession"]);

      const missing = await admin(`/sessions/${Keypair.generate().publicKey.toBase58()}/revoke`, {});
      expect([missing.status, missing.body.error]).to.deep.equal([404, "SessionNotFound"]);
      const both = await admin(`/sessions/${created.session}/revoke`, { policy });
      expect([both.status, both.body.message]).to.deep.equal([400, "name the policy only with a session id: a session address knows its policy"]);
      const nothing = await admin(`/sessions/${created.session}/update/preview`, {});
      expect([nothing.status, nothing.body.message]).to.deep.equal([400, "give at least one limit to change"]);
    });

    it("an unknown field is a 400 naming it, on every kind of body", async () => {
      const policy = t.api.demo!.policy.toBase58();
      const cases: [string, unknown, string][] = [
        ["/policies/preview", { dwallet: t.api.demo!.dwallet.toBase58(), adimn: "x" }, "unknown field adimn"],
        [`/policies/${policy}/release/preview`, { newAuthority: JUPITER, force: true }, "unknown field force"],
        ["/sessions/0/update/preview", { policy, maxUses: 2, maxUse: 3 }, "unknown field maxUse"],
        ["/sessions/0/approve/preview", { policy, delegate: JUPITER, computeUnitLimit: 1 }, "unknown field computeUnitLimit"],
        ["/transactions", { transaction: "AAAA", skipPreflight: true }, "unknown field skipPreflight"],
        ["/sessions/0/close", { policy, rentReciever: JUPITER, admin: JUPITER }, "unknown field rentReciever"],
      ];
      for (const [path, body, start] of cases) {
        const r = await admin(path, body);
        expect([r.status, r.body.error], path).to.deep.equal([400, "BadRequest"]);
        expect(r.body.message, path).to.satisfy((m: string) => m.startsWith(`${start} (allowed: `));
      }
      const query = await t.call("GET", `/policies/${policy}?limits=3`, { key: READ_KEY });
      expect([query.status, query.body.message]).to.satisfy(([st, m]: [number, string]) => st === 400 && m.startsWith("unknown field limits"));
    });
  });
}

/**
 * The admin side of sessions: create, update, revoke, renounce, revoke-all,
 * close, and the two-step admin change — each by its rightful signer, and
 * each refused for anyone else with the exact error and no state change.
 */
import { expect } from "chai";
import { Keypair, PublicKey } from "@solana/web3.js";
import {
  acceptAdmin, Action, closeSession, createSession, proposeAdmin, releaseDwallet, renounceSession, revokeAllSessions,
  revokeSession, toBig, updateSession,
} from "../app/src/client";
import {
  defaultLimits, describeOnEachRuntime, expectFailsUnchanged, expectOk, PolicyFixture, recordCu,
  setupPolicy, setupSession, useSession,
} from "./harness";

describeOnEachRuntime("sessions", (env) => {
  let fx: PolicyFixture;
  beforeEach(async () => {
    fx = await setupPolicy(env());
  });
  const deployAs = (a: Action, k: Keypair) => fx.client.deploy(a, [k]);

  describe("create_session", () => {
    it("creates session 0, 1, … with the limits given; preview reports rent and state", async () => {
      const [delegate] = await env().funded(1);
      const limits = await defaultLimits(env(), delegate.publicKey, { maxUses: 3, maxAmountPerTx: 42n });
      const action = await createSession(fx.client, { policy: fx.policy, admin: fx.admin.publicKey, limits });
      const preview = await fx.client.preview(action);
      expect(preview.ok).to.equal(true);
      expect(preview.rent[0].lamports).to.equal(await env().chain.getMinimumBalanceForRentExemption(fx.client.program.account.session.size));
      if (env().chain.simulatesPostState) expect((preview.changes[1].after as { maxUses: number }).maxUses).to.equal(3);
      const r = await expectOk(deployAs(action, fx.admin));
      recordCu("create_session", { ok: true, signature: r.signature, logs: r.logs, computeUnits: r.computeUnits });
      const s = (await fx.client.fetchSession(action.session))!;
      expect(s.sessionId).to.equal(0);
      expect(s.delegate.toBase58()).to.equal(delegate.publicKey.toBase58());
      expect(toBig(s.maxAmountPerTx)).to.equal(42n);
      expect(s.allowedProgramsLen).to.equal(1);
      const next = await setupSession(fx);
      expect(next.sessionId).to.equal(1);
    });

    it("refuses a non-admin", async () => {
      const [mallory] = await env().funded(1);
      const limits = await defaultLimits(env(), mallory.publicKey);
      const action = await createSession(fx.client, { policy: fx.policy, admin: mallory.publicKey, limits });
      await expectFailsUnchanged(env().chain, [fx.policy, action.session], () => deployAs(action, mallory), "NotAdmin");
    });

    const bad: [string, (l: Awaited<ReturnType<typeof defaultLimits>>, slot: bigint) => void][] = [
      ["EmptyAllowlist", (l) => { l.allowedPrograms = []; }],
      ["AllowlistTooLong", (l) => { l.allowedPrograms = Array.from({ length: 9 }, () => Keypair.generate().publicKey); }],
      ["DuplicateAllowedProgram", (l) => { l.allowedPrograms = [l.allowedPrograms[0], l.allowedPrograms[0]]; }],
      ["DefaultAllowedProgram", (l) => { l.allowedPrograms = [PublicKey.default]; }],
      ["ExpiryInPast", (l, slot) => { l.expirySlot = slot - 1n; }],
      ["ZeroMaxUses", (l) => { l.maxUses = 0; }],
      ["InvalidSchemeMask", (l) => { l.allowedSchemes = 0; }],
      ["InvalidSchemeMask", (l) => { l.allowedSchemes = 0b1000_0000; }],
      ["SchemeNotForCurve", (l) => { l.allowedSchemes = 0b1000; }],
      ["InvalidDelegate", (l) => { l.delegate = PublicKey.default; }],
    ];
    for (const [error, mutate] of bad) {
      it(`refuses bad arguments: ${error}`, async () => {
        await env().chain.warpToSlot(100n);
        const limits = await defaultLimits(env(), Keypair.generate().publicKey);
        mutate(limits, 100n);
        const action = await createSession(fx.client, { policy: fx.policy, admin: fx.admin.publicKey, limits });
        await expectFailsUnchanged(env().chain, [fx.policy, action.session], () => deployAs(action, fx.admin), error);
      });
    }

    it("the client refuses a limit out of its range (u64 slot, u128 amounts) before building anything (Anchor would encode -1 as 1)", async () => {
      const limits = await defaultLimits(env(), Keypair.generate().publicKey);
      const outOfRange: ["expirySlot" | "maxAmountPerTx" | "maxTotalAmount", bigint, string][] = [
        ["expirySlot", -1n, "u64"], ["expirySlot", 1n << 64n, "u64"], ["maxAmountPerTx", 1n << 128n, "u128"], ["maxTotalAmount", -5n, "u128"],
      ];
      const errorOf = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e);
      for (const [field, value, type] of outOfRange) {
        const created = await errorOf(createSession(fx.client, { policy: fx.policy, admin: fx.admin.publicKey, limits: { ...limits, [field]: value } }));
        expect(created, `create ${field}`).to.be.instanceOf(RangeError).with.property("message").that.contains(`${field} must fit a ${type}`);
        const updated = await errorOf(updateSession(fx.client, { policy: fx.policy, admin: fx.admin.publicKey, session: fx.policy, changes: { [field]: value } }));
        expect(updated, `update ${field}`).to.be.instanceOf(RangeError).with.property("message").that.contains(`${field} must fit a ${type}`);
      }
      expect(toBig((await fx.client.fetchPolicy(fx.policy))!.nextSessionId)).to.equal(0n);
    });

    it("refuses an id other than next_session_id", async () => {
      const limits = await defaultLimits(env(), Keypair.generate().publicKey);
      const action = await createSession(fx.client, { policy: fx.policy, admin: fx.admin.publicKey, limits, sessionId: 5 });
      await expectFailsUnchanged(env().chain, [fx.policy, action.session], () => deployAs(action, fx.admin), "UnexpectedSessionId");
    });

    it("after close, the id is never handed out again (UnexpectedSessionId)", async () => {
      const s = await setupSession(fx);
      await expectOk(deployAs(await revokeSession(fx.client, { policy: fx.policy, admin: fx.admin.publicKey, session: s.session }), fx.admin));
      await expectOk(deployAs(await closeSession(fx.client, { policy: fx.policy, admin: fx.admin.publicKey, session: s.session }), fx.admin));
      expect(await env().chain.getAccountInfo(s.session)).to.equal(null);
      const limits = await defaultLimits(env(), s.delegate.publicKey);
      const reuse = await createSession(fx.client, { policy: fx.policy, admin: fx.admin.publicKey, limits, sessionId: s.sessionId });
      await expectFailsUnchanged(env().chain, [fx.policy, s.session], () => deployAs(reuse, fx.admin), "UnexpectedSessionId");
      expect((await setupSession(fx)).sessionId).to.equal(s.sessionId + 1);
    });
  });

  describe("update_session", () => {
    it("changes limits; the new limit is enforced", async () => {
      const s = await setupSession(fx, { maxAmountPerTx: 10n });
      await expectOk(useSession(fx, s, { amount: 10n }));
      await expectOk(deployAs(await updateSession(fx.client, { policy: fx.policy, admin: fx.admin.publicKey, session: s.session, changes: { maxAmountPerTx: 5n } }), fx.admin));
      await expectFailsUnchanged(env().chain, [fx.policy, s.session], () => useSession(fx, s, { amount: 6n }), "AmountExceedsMax");
      await expectOk(useSession(fx, s, { amount: 5n }));
    });

    it("update below used: max_uses below uses and a budget below spent are LimitBelowUsage", async () => {
      const s = await setupSession(fx, { maxUses: 5 });
      await expectOk(useSession(fx, s, { amount: 30n }));
      await expectOk(useSession(fx, s, { amount: 30n }));
      const w = [fx.policy, s.session];
      const upd = async (changes: object) => updateSession(fx.client, { policy: fx.policy, admin: fx.admin.publicKey, session: s.session, changes });
      await expectFailsUnchanged(env().chain, w, async () => deployAs(await upd({ maxUses: 1 }), fx.admin), "LimitBelowUsage");
      await expectFailsUnchanged(env().chain, w, async () => deployAs(await upd({ maxTotalAmount: 59n }), fx.admin), "LimitBelowUsage");
      await expectOk(deployAs(await upd({ maxUses: 2 }), fx.admin)); // == used is fine: exhausted, not below
      await expectFailsUnchanged(env().chain, w, () => useSession(fx, s), "MaxUsesReached");
      await expectFailsUnchanged(env().chain, w, async () => deployAs(await upd({}), fx.admin), "EmptyUpdate");
    });

    it("cannot revive a revoked session", async () => {
      const s = await setupSession(fx);
      await expectOk(deployAs(await revokeSession(fx.client, { policy: fx.policy, admin: fx.admin.publicKey, session: s.session }), fx.admin));
      const upd = await updateSession(fx.client, { policy: fx.policy, admin: fx.admin.publicKey, session: s.session, changes: { maxUses: 99 } });
      await expectFailsUnchanged(env().chain, [s.session], () => deployAs(upd, fx.admin), "SessionRevoked");
    });
  });

  describe("every admin instruction refuses a non-admin", () => {
    it("update, revoke, revoke-all, close, propose, release", async () => {
      const s = await setupSession(fx);
      const [mallory] = await env().funded(1);
      const m = mallory.publicKey;
      const attempts: [string, Action][] = [
        ["update_session", await updateSession(fx.client, { policy: fx.policy, admin: m, session: s.session, changes: { maxUses: 99 } })],
        ["revoke_session", await revokeSession(fx.client, { policy: fx.policy, admin: m, session: s.session })],
        ["revoke_all_sessions", await revokeAllSessions(fx.client, { policy: fx.policy, admin: m })],
        ["close_session", await closeSession(fx.client, { policy: fx.policy, admin: m, session: s.session })],
        ["propose_admin", await proposeAdmin(fx.client, { policy: fx.policy, admin: m, newAdmin: m })],
        ["release_dwallet", await releaseDwallet(fx.client, { policy: fx.policy, admin: m, newAuthority: m })],
      ];
      for (const [, action] of attempts) {
        await expectFailsUnchanged(env().chain, [fx.policy, s.session, fx.dwallet], () => deployAs(action, mallory), "NotAdmin");
      }
      // the delegate is not an admin either
      const byDelegate = await revokeSession(fx.client, { policy: fx.policy, admin: s.delegate.publicKey, session: s.session });
      await expectFailsUnchanged(env().chain, [fx.policy, s.session], () => deployAs(byDelegate, s.delegate), "NotAdmin");
    });
  });

  describe("revoke_session / renounce_session", () => {
    it("delegate renouncing: the delegate can renounce its own session (then it is unusable); nobody else can", async () => {
      const s = await setupSession(fx);
      const [mallory] = await env().funded(1);
      const byMallory = await renounceSession(fx.client, { session: s.session, delegate: mallory.publicKey });
      await expectFailsUnchanged(env().chain, [s.session], () => deployAs(byMallory, mallory), "NotDelegate");
      await expectOk(deployAs(await renounceSession(fx.client, { session: s.session, delegate: s.delegate.publicKey }), s.delegate));
      expect((await fx.client.fetchSession(s.session))!.revoked).to.equal(1);
      await expectFailsUnchanged(env().chain, [fx.policy, s.session], () => useSession(fx, s), "SessionRevoked");
      // renouncing twice tells the delegate it acted on nothing
      await expectFailsUnchanged(env().chain, [s.session], async () => deployAs(await renounceSession(fx.client, { session: s.session, delegate: s.delegate.publicKey }), s.delegate), "SessionRevoked");
    });

    it("a session of policy A cannot be revoked through policy B's admin", async () => {
      const s = await setupSession(fx);
      const fxB = await setupPolicy(env());
      const cross = await revokeSession(fx.client, { policy: fxB.policy, admin: fxB.admin.publicKey, session: s.session });
      await expectFailsUnchanged(env().chain, [s.session, fxB.policy], () => deployAs(cross, fxB.admin), "SessionPolicyMismatch");
    });
  });

  describe("revoke_all_sessions", () => {
    it("revoke-all: every existing session is StaleEpoch at once; sessions created after work", async () => {
      const a = await setupSession(fx);
      const b = await setupSession(fx);
      const r = await expectOk(deployAs(await revokeAllSessions(fx.client, { policy: fx.policy, admin: fx.admin.publicKey }), fx.admin));
      recordCu("revoke_all_sessions", { ok: true, signature: r.signature, logs: r.logs, computeUnits: r.computeUnits });
      for (const s of [a, b]) await expectFailsUnchanged(env().chain, [fx.policy, s.session], () => useSession(fx, s), "StaleEpoch");
      const fresh = await setupSession(fx);
      await expectOk(useSession(fx, fresh));
      // and a stale session can be closed
      await expectOk(deployAs(await closeSession(fx.client, { policy: fx.policy, admin: fx.admin.publicKey, session: a.session }), fx.admin));
    });
  });

  describe("close_session", () => {
    it("close of a live session is SessionStillLive; once exhausted it closes and returns the rent", async () => {
      const s = await setupSession(fx, { maxUses: 1 });
      const close = await closeSession(fx.client, { policy: fx.policy, admin: fx.admin.publicKey, session: s.session });
      await expectFailsUnchanged(env().chain, [fx.policy, s.session], () => deployAs(close, fx.admin), "SessionStillLive");
      await expectOk(useSession(fx, s));
      const rent = (await env().chain.getAccountInfo(s.session))!.lamports;
      const before = (await env().chain.getAccountInfo(fx.admin.publicKey))!.lamports;
      const r = await expectOk(deployAs(await closeSession(fx.client, { policy: fx.policy, admin: fx.admin.publicKey, session: s.session }), fx.admin));
      recordCu("close_session", { ok: true, signature: r.signature, logs: r.logs, computeUnits: r.computeUnits });
      const after = (await env().chain.getAccountInfo(fx.admin.publicKey))!.lamports;
      expect(after - before).to.equal(rent - 5_000); // rent back, minus the fee the admin paid
    });

    it("closes an expired session", async () => {
      const s = await setupSession(fx, { expirySlot: (await env().chain.getSlot()) + 5n });
      await env().chain.warpToSlot((await env().chain.getSlot()) + 6n);
      await expectOk(deployAs(await closeSession(fx.client, { policy: fx.policy, admin: fx.admin.publicKey, session: s.session }), fx.admin));
    });
  });

  describe("propose_admin / accept_admin", () => {
    it("two steps; only the proposed key can accept; the old admin loses power", async () => {
      const [next, mallory] = await env().funded(2);
      await expectOk(deployAs(await proposeAdmin(fx.client, { policy: fx.policy, admin: fx.admin.publicKey, newAdmin: next.publicKey }), fx.admin));
      await expectFailsUnchanged(env().chain, [fx.policy], async () => deployAs(await acceptAdmin(fx.client, { policy: fx.policy, newAdmin: mallory.publicKey }), mallory), "NotPendingAdmin");
      await expectOk(deployAs(await acceptAdmin(fx.client, { policy: fx.policy, newAdmin: next.publicKey }), next));
      expect((await fx.client.fetchPolicy(fx.policy))!.admin.toBase58()).to.equal(next.publicKey.toBase58());
      await expectFailsUnchanged(env().chain, [fx.policy], async () => deployAs(await revokeAllSessions(fx.client, { policy: fx.policy, admin: fx.admin.publicKey }), fx.admin), "NotAdmin");
      await expectFailsUnchanged(env().chain, [fx.policy], async () => deployAs(await acceptAdmin(fx.client, { policy: fx.policy, newAdmin: next.publicKey }), next), "NoPendingAdmin");
    });
  });
});

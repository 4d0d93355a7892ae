/**
 * approve_message, the use path: every bound at its edge (last allowed value
 * passes, the next fails with its exact error and changes nothing).
 */
import { expect } from "chai";
import { Keypair, PublicKey } from "@solana/web3.js";
import {
  approveMessage, fetchMessageApproval, messageApprovalAddress, readDwallet, readMessageApproval, revokeSession, SignatureScheme, toBig,
  waitForSignature,
} from "../app/src/client";
import {
  describeOnEachRuntime, DESTINATION, expectFailsUnchanged, expectOk, PolicyFixture, recordCu, SessionFixture,
  setupPolicy, setupSession, useSession, writeSignature,
} from "./harness";

describeOnEachRuntime("approve_message", (env) => {
  let fx: PolicyFixture;
  beforeEach(async () => {
    fx = await setupPolicy(env());
  });
  const watch = (s: SessionFixture) => [fx.policy, s.session, fx.dwallet];

  it("approves through Ika: MessageApproval created, counters advanced, event emitted", async () => {
    const s = await setupSession(fx);
    const r = await expectOk(useSession(fx, s, { amount: 7n }));
    recordCu("approve_message", { ok: true, signature: r.signature, logs: r.logs, computeUnits: r.computeUnits });
    const session = (await fx.client.fetchSession(s.session))!;
    expect(session.uses).to.equal(1);
    expect(toBig(session.nonce)).to.equal(1n);
    expect(toBig(session.spent)).to.equal(7n);
    const ev = r.events.find((e) => e.name === "messageApproved")!;
    expect(ev.data.remainingUses).to.equal(9);
    // The dWallet stays under our CPI authority; Ika's approval is pending.
    const dwallet = (await env().chain.getAccountInfo(fx.dwallet))!;
    expect(readDwallet(dwallet.data)?.authority.toBase58()).to.equal(fx.client.cpiAuthority().toBase58());
    const approvals = r.logs.filter((l) => l.includes("invoke [2]"));
    expect(approvals.length).to.be.greaterThan(0);
  });

  it("writes a pending MessageApproval at Ika's dWallet-rooted PDA, approved by our CPI authority", async () => {
    const s = await setupSession(fx);
    const digest = Buffer.alloc(32, 9);
    const userPubkey = Buffer.alloc(32, 4);
    await expectOk(useSession(fx, s, { messageDigest: digest, userPubkey }));
    const [address, bump] = messageApprovalAddress(fx.wallet, SignatureScheme.EddsaSha512, digest);
    const view = readMessageApproval((await env().chain.getAccountInfo(address))!.data)!;
    expect(view.dwallet.toBase58()).to.equal(fx.dwallet.toBase58());
    expect(view.messageDigest.equals(digest)).to.equal(true);
    expect(view.messageMetadataDigest.equals(Buffer.alloc(32))).to.equal(true);
    expect(view.approver.toBase58()).to.equal(fx.client.cpiAuthority().toBase58());
    expect(view.userPubkey.equals(userPubkey)).to.equal(true);
    expect(view.signatureScheme).to.equal(SignatureScheme.EddsaSha512);
    expect(view.epoch).to.equal(1n, "the coordinator's epoch");
    expect(view.bump).to.equal(bump);
    expect(view.status).to.equal("pending");
    expect(view.signature).to.equal(null);
  });

  it("a metadata digest roots the approval at another PDA and is passed to Ika as is", async () => {
    const s = await setupSession(fx);
    const digest = Buffer.alloc(32, 3);
    const metadata = Buffer.alloc(32, 0xab);
    const use = await approveMessage(fx.client, {
      policy: fx.policy, session: s.session, delegate: s.delegate.publicKey, messageDigest: digest, messageMetadataDigest: metadata,
      amount: 1n, destinationProgram: DESTINATION,
    });
    expect(use.messageApproval.equals(messageApprovalAddress(fx.wallet, SignatureScheme.EddsaSha512, digest)[0])).to.equal(false);
    await expectOk(fx.client.deploy(use, [s.delegate]));
    const view = (await fetchMessageApproval(env().chain, use.messageApproval))!;
    expect(view.messageMetadataDigest.equals(metadata)).to.equal(true);
    // The same digest without metadata is a different approval: it still goes through.
    await expectOk(useSession(fx, s, { messageDigest: digest }));
  });

  it("the client reads the signature once the network has written it, and times out before", async () => {
    const s = await setupSession(fx);
    const use = await approveMessage(fx.client, { policy: fx.policy, session: s.session, delegate: s.delegate.publicKey, message: "pay 1", amount: 1n, destinationProgram: DESTINATION });
    await expectOk(fx.client.deploy(use, [s.delegate]));
    let timedOut = "";
    await waitForSignature(env().chain, use.messageApproval, { timeoutMs: 30, intervalMs: 10 }).catch((e: Error) => { timedOut = e.message; });
    expect(timedOut).to.match(/not signed after 30 ms \(status pending\)/);
    const signature = Buffer.alloc(64, 0x5a);
    await writeSignature(env().chain, use.messageApproval, signature);
    const signed = await waitForSignature(env().chain, use.messageApproval, { timeoutMs: 1_000, intervalMs: 10 });
    expect(signed.signature.equals(signature)).to.equal(true);
    expect(signed.approval.status).to.equal("signed");
  });

  describe("expiry", () => {
    it("passes at slot == expiry_slot and fails at expiry_slot + 1", async () => {
      const expiry = (await env().chain.getSlot()) + 50n;
      const s = await setupSession(fx, { expirySlot: expiry });
      await env().chain.warpToSlot(expiry);
      await expectOk(useSession(fx, s));
      await env().chain.warpToSlot(expiry + 1n);
      await expectFailsUnchanged(env().chain, watch(s), () => useSession(fx, s), "Expired");
    });
  });

  describe("max uses", () => {
    it("the last use passes, the next fails", async () => {
      const s = await setupSession(fx, { maxUses: 2 });
      await expectOk(useSession(fx, s));
      await expectOk(useSession(fx, s));
      await expectFailsUnchanged(env().chain, watch(s), () => useSession(fx, s), "MaxUsesReached");
    });
  });

  describe("amount", () => {
    it("max_amount_per_tx passes, max + 1 fails", async () => {
      const s = await setupSession(fx, { maxAmountPerTx: 500n });
      await expectOk(useSession(fx, s, { amount: 500n }));
      await expectFailsUnchanged(env().chain, watch(s), () => useSession(fx, s, { amount: 501n }), "AmountExceedsMax");
    });

    it("u64::MAX per tx is allowed when the session says so", async () => {
      const max = (1n << 64n) - 1n;
      const s = await setupSession(fx, { maxAmountPerTx: max });
      await expectOk(useSession(fx, s, { amount: max }));
    });

    it("the total budget: exactly the budget passes, one more fails", async () => {
      const s = await setupSession(fx, { maxAmountPerTx: 100n, maxTotalAmount: 150n });
      await expectOk(useSession(fx, s, { amount: 100n }));
      await expectFailsUnchanged(env().chain, watch(s), () => useSession(fx, s, { amount: 51n }), "BudgetExceeded");
      await expectOk(useSession(fx, s, { amount: 50n }));
    });
  });

  describe("destination allowlist", () => {
    it("each allowlisted program passes, any other fails", async () => {
      const allowed = Array.from({ length: 8 }, () => Keypair.generate().publicKey);
      const s = await setupSession(fx, { allowedPrograms: allowed, maxUses: 20 });
      for (const program of allowed) await expectOk(useSession(fx, s, { destinationProgram: program }));
      for (const other of [Keypair.generate().publicKey, DESTINATION, PublicKey.default, fx.client.programId]) {
        await expectFailsUnchanged(env().chain, watch(s), () => useSession(fx, s, { destinationProgram: other }), "DestinationNotAllowed");
      }
    });
  });

  // Signature schemes against the dWallet's curve: tests/schemes.test.ts.

  describe("replay nonce", () => {
    it("the same nonce twice fails the second time", async () => {
      const s = await setupSession(fx);
      await expectOk(useSession(fx, s, { nonce: 0n }));
      await expectFailsUnchanged(env().chain, watch(s), () => useSession(fx, s, { nonce: 0n }), "NonceReplayed");
    });

    it("replaying the identical request (same digest, same nonce) fails on the nonce", async () => {
      const s = await setupSession(fx);
      const same = { nonce: 0n, messageDigest: Buffer.alloc(32, 3), signatureNonce: Buffer.alloc(32, 4) };
      await expectOk(useSession(fx, s, same));
      await expectFailsUnchanged(env().chain, watch(s), () => useSession(fx, s, same), "NonceReplayed");
    });

    it("an older nonce fails", async () => {
      const s = await setupSession(fx);
      for (let n = 0n; n < 3n; n++) await expectOk(useSession(fx, s, { nonce: n }));
      await expectFailsUnchanged(env().chain, watch(s), () => useSession(fx, s, { nonce: 1n }), "NonceReplayed");
    });

    it("a skipped (future) nonce fails", async () => {
      const s = await setupSession(fx);
      await expectFailsUnchanged(env().chain, watch(s), () => useSession(fx, s, { nonce: 1n }), "NonceOutOfOrder");
      await expectFailsUnchanged(env().chain, watch(s), () => useSession(fx, s, { nonce: (1n << 64n) - 1n }), "NonceOutOfOrder");
      await expectOk(useSession(fx, s, { nonce: 0n }));
    });

    it("a nonce valid in another session is not valid here (NonceOutOfOrder)", async () => {
      const a = await setupSession(fx);
      const b = await setupSession(fx, {}, a.delegate);
      for (let n = 0n; n < 3n; n++) await expectOk(useSession(fx, a, { nonce: n }));
      // nonce 3 is a's next nonce; b is at 0.
      await expectFailsUnchanged(env().chain, [...watch(b), a.session], () => useSession(fx, b, { nonce: 3n }), "NonceOutOfOrder");
    });
  });

  // The fast entrypoint walks the runtime's serialized input itself: duplicates
  // (an 8-byte marker naming an earlier account) and extra accounts must read
  // as Anchor reads them.
  describe("account list as the runtime serializes it", () => {
    it("the delegate may pay: the same key twice is one account, serialized once", async () => {
      const s = await setupSession(fx);
      const r = await expectOk(useSession(fx, s, { payer: s.delegate.publicKey }));
      expect(r.events.find((e) => e.name === "messageApproved")!.data.remainingUses).to.equal(9);
      expect(toBig((await fx.client.fetchSession(s.session))!.nonce)).to.equal(1n);
    });

    it("fewer than the eleven accounts: AccountNotEnoughKeys, and nothing changes", async () => {
      // The deployed build has no Anchor handler for the uses: the fast
      // entrypoint takes every use with its eleven accounts, and the
      // program's fallback names a shorter one as Anchor's handler does.
      const s = await setupSession(fx);
      for (const keep of [10, 4, 0]) {
        const action = await approveMessage(fx.client, {
          policy: fx.policy, session: s.session, delegate: s.delegate.publicKey, message: `short ${keep}`, amount: 1n, destinationProgram: DESTINATION,
        });
        const ix = action.instructions.find((i) => i.programId.equals(fx.client.programId))!;
        ix.keys = ix.keys.slice(0, keep);
        await expectFailsUnchanged(env().chain, watch(s), () => fx.client.deploy(action, [s.delegate]), "AccountNotEnoughKeys");
      }
    });

    it("extra accounts after the eleven are ignored, duplicates among them too", async () => {
      const s = await setupSession(fx);
      const action = await approveMessage(fx.client, {
        policy: fx.policy, session: s.session, delegate: s.delegate.publicKey, message: "extra accounts", amount: 1n, destinationProgram: DESTINATION,
      });
      const extra = Keypair.generate().publicKey;
      action.instructions[0].keys.push(
        { pubkey: extra, isSigner: false, isWritable: false },
        { pubkey: fx.policy, isSigner: false, isWritable: false }, // a duplicate of account 2
        { pubkey: extra, isSigner: false, isWritable: false }, // a duplicate of an extra account
      );
      const r = await expectOk(fx.client.deploy(action, [s.delegate]));
      expect(String(r.events.find((e) => e.name === "messageApproved")!.data.nonce)).to.equal("0");
      expect(toBig((await fx.client.fetchSession(s.session))!.nonce)).to.equal(1n);
    });
  });

  describe("who may use it", () => {
    it("wrong delegate: any other signer (a stranger, the admin) is NotDelegate", async () => {
      const s = await setupSession(fx);
      const [mallory] = await env().funded(1);
      await expectFailsUnchanged(env().chain, watch(s), () => useSession(fx, s, { signer: mallory }), "NotDelegate");
      await expectFailsUnchanged(env().chain, watch(s), () => useSession(fx, s, { signer: fx.admin }), "NotDelegate");
    });

    it("revoke then use: SessionRevoked", async () => {
      const s = await setupSession(fx);
      await expectOk(useSession(fx, s));
      await fx.client.deployOrThrow(await revokeSession(fx.client, { policy: fx.policy, admin: fx.admin.publicKey, session: s.session }), [fx.admin]);
      await expectFailsUnchanged(env().chain, watch(s), () => useSession(fx, s), "SessionRevoked");
    });
  });
});

// The use path's first check (Anchor's too): the program id the runtime passes is
// the declared one. It sits unaligned after the instruction data, so the fast
// entrypoint compares it with the runtime's memcmp; this is the unequal side.
const COPY = Keypair.generate().publicKey;
describeOnEachRuntime("approve_message on a copy of the program at another address", (env) => {
  it("is refused before any account is read (DeclaredProgramIdMismatch)", async () => {
    const fx = await setupPolicy(env());
    const s = await setupSession(fx);
    const action = await approveMessage(fx.client, {
      policy: fx.policy, session: s.session, delegate: s.delegate.publicKey, message: "copy", amount: 1n, destinationProgram: DESTINATION,
    });
    action.instructions[0].programId = COPY;
    await expectFailsUnchanged(env().chain, [fx.policy, s.session, fx.dwallet], () => fx.client.deploy(action, [s.delegate]), "DeclaredProgramIdMismatch");
  });
}, { copiesAt: [COPY] });

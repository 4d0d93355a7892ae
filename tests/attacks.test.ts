/**
 * Account-substitution attacks on the use path and counters at their limits
 * (reached by state injection). Each: exact error, nothing changed.
 */
import { expect } from "chai";
import { Keypair } from "@solana/web3.js";
import { BN } from "@coral-xyz/anchor";
import {
  amountBytes, createSession, cpiAuthorityAddress, IKA_COORDINATOR, IKA_PROGRAM_ID, revokeAllSessions, toBig, U128_MAX,
} from "../app/src/client";
import {
  defaultLimits, describeOnEachRuntime, expectFailsUnchanged, expectOk, injectDwallet, patchAccount,
  PolicyFixture, SessionFixture, setupPolicy, setupSession, useSession, writeCoordinator,
} from "./harness";

const U32_MAX = 0xffff_ffff;
const U64_MAX = (1n << 64n) - 1n;

describeOnEachRuntime("attacks", (env) => {
  let fx: PolicyFixture;
  let s: SessionFixture;
  beforeEach(async () => {
    fx = await setupPolicy(env());
    s = await setupSession(fx);
  });
  const watch = () => [fx.policy, s.session, fx.dwallet];

  it("a session of policy A used through policy B", async () => {
    const fxB = await setupPolicy(env());
    await expectFailsUnchanged(env().chain, [...watch(), fxB.policy, fxB.dwallet],
      () => useSession(fx, s, { policy: fxB.policy, accounts: { dwallet: fxB.dwallet } }), "SessionPolicyMismatch");
  });

  it("the dWallet of another policy", async () => {
    const fxB = await setupPolicy(env());
    await expectFailsUnchanged(env().chain, [...watch(), fxB.dwallet], () => useSession(fx, s, { accounts: { dwallet: fxB.dwallet } }), "DwalletMismatch");
  });

  it("the policy's dWallet re-owned by another program (injected)", async () => {
    const info = (await env().chain.getAccountInfo(fx.dwallet))!;
    await env().chain.setAccount(fx.dwallet, { ...info, owner: Keypair.generate().publicKey });
    await expectFailsUnchanged(env().chain, watch(), () => useSession(fx, s), "DwalletOwnerMismatch");
  });

  it("a fake dWallet program (another executable, or any key) in place of Ika's pinned id", async () => {
    for (const dwalletProgram of [fx.client.programId, Keypair.generate().publicKey]) {
      await expectFailsUnchanged(env().chain, watch(), () => useSession(fx, s, { accounts: { dwalletProgram } }), "InvalidDwalletProgram");
    }
  });

  // Ika checks only its coordinator's owner and discriminator: a caller-chosen
  // account in that slot is refused by us, before any CPI.
  it("a coordinator other than Ika's: another Ika-owned coordinator-shaped account, or any key", async () => {
    const lookAlike = Keypair.generate().publicKey;
    await writeCoordinator(env().chain, 7n, lookAlike);
    for (const coordinator of [lookAlike, Keypair.generate().publicKey, fx.dwallet]) {
      const failure = await expectFailsUnchanged(env().chain, [...watch(), lookAlike], () => useSession(fx, s, { accounts: { coordinator } }), "InvalidCoordinator");
      expect(failure.programId).to.equal(fx.client.programId.toBase58());
    }
  });

  it("the real coordinator passes (and only it): Ika is reached", async () => {
    const r = await expectOk(useSession(fx, s, { accounts: { coordinator: IKA_COORDINATOR } }));
    expect(r.logs.some((l) => l.startsWith(`Program ${IKA_PROGRAM_ID.toBase58()} invoke [2]`))).to.equal(true);
  });

  // Anchor evaluates a field's `constraint =` checks before its `address =`
  // check, so on `dwallet` the owner check (DwalletOwnerMismatch) runs first and
  // the key compare (DwalletMismatch) second (docs/security.md, use-path table).
  it("a fake dWallet owned by another program (a look-alike naming our CPI authority) is refused on its owner", async () => {
    const fake = await injectDwallet(env(), fx.client.cpiAuthority(), Keypair.generate().publicKey);
    await expectFailsUnchanged(env().chain, [...watch(), fake], () => useSession(fx, s, { accounts: { dwallet: fake } }), "DwalletOwnerMismatch");
  });

  it("a look-alike dWallet owned by the dWallet program itself, at another address, is refused on its address", async () => {
    const fake = await injectDwallet(env(), fx.client.cpiAuthority(), IKA_PROGRAM_ID);
    await expectFailsUnchanged(env().chain, [...watch(), fake], () => useSession(fx, s, { accounts: { dwallet: fake } }), "DwalletMismatch");
  });

  it("a swapped CPI authority (another program's, or any key)", async () => {
    const [otherProgramsAuthority] = cpiAuthorityAddress(IKA_PROGRAM_ID);
    await expectFailsUnchanged(env().chain, watch(), () => useSession(fx, s, { accounts: { cpiAuthority: otherProgramsAuthority } }), "InvalidCpiAuthority");
    await expectFailsUnchanged(env().chain, watch(), () => useSession(fx, s, { accounts: { cpiAuthority: Keypair.generate().publicKey } }), "InvalidCpiAuthority");
  });

  it("a swapped caller program (the Ika program posing as us)", async () => {
    await expectFailsUnchanged(env().chain, watch(), () => useSession(fx, s, { accounts: { callerProgram: IKA_PROGRAM_ID } }), "InvalidProgramId");
  });

  it("another program (or any key) in the System program's slot", async () => {
    for (const systemProgram of [fx.client.programId, Keypair.generate().publicKey]) {
      await expectFailsUnchanged(env().chain, watch(), () => useSession(fx, s, { accounts: { systemProgram } }), "InvalidProgramId");
    }
  });

  // Ika does not compare the address itself: its create_account CPI, signed
  // with the seeds of the right PDA, cannot sign for another account.
  it("a MessageApproval at the wrong address is refused (Ika's create cannot sign for it)", async () => {
    await expectFailsUnchanged(env().chain, watch(), () => useSession(fx, s, { accounts: { messageApproval: Keypair.generate().publicKey } }), "PrivilegeEscalation");
  });

  it("the same message cannot be approved twice for a dWallet, even from two sessions", async () => {
    const s2 = await setupSession(fx, {}, s.delegate);
    const digest = Buffer.alloc(32, 0x5a);
    await expectOk(useSession(fx, s, { messageDigest: digest }));
    await expectFailsUnchanged(env().chain, [...watch(), s2.session], () => useSession(fx, s2, { messageDigest: digest }), "AccountAlreadyInitialized");
  });

  describe("counters at their limits (injected state): nothing wraps", () => {
    it("uses at max_uses - 1 = u32::MAX - 1: the last use passes, the next is MaxUsesReached", async () => {
      await patchAccount(env().chain, fx.client, "session", s.session, (d) => { d.maxUses = U32_MAX; d.uses = U32_MAX - 1; });
      await expectOk(useSession(fx, s));
      const after = (await fx.client.fetchSession(s.session))!;
      expect(after.uses).to.equal(U32_MAX);
      await expectFailsUnchanged(env().chain, watch(), () => useSession(fx, s), "MaxUsesReached");
    });

    it("uses at max_uses = u32::MAX", async () => {
      await patchAccount(env().chain, fx.client, "session", s.session, (d) => { d.maxUses = U32_MAX; d.uses = U32_MAX; });
      await expectFailsUnchanged(env().chain, watch(), () => useSession(fx, s), "MaxUsesReached");
    });

    it("nonce at u64::MAX: the use that would wrap it fails", async () => {
      await patchAccount(env().chain, fx.client, "session", s.session, (d) => { d.nonce = new BN(U64_MAX.toString()); });
      await expectFailsUnchanged(env().chain, watch(), () => useSession(fx, s, { nonce: U64_MAX }), "CounterOverflow");
    });

    it("spent near u128::MAX with no budget: the sum that would wrap fails", async () => {
      await patchAccount(env().chain, fx.client, "session", s.session, (d) => { d.spent = amountBytes(U128_MAX - 5n, "spent"); });
      await setMaxPerTx(U128_MAX);
      await expectFailsUnchanged(env().chain, watch(), () => useSession(fx, s, { amount: 6n }), "BudgetExceeded");
      await expectOk(useSession(fx, s, { amount: 5n }));
      expect(toBig((await fx.client.fetchSession(s.session))!.spent)).to.equal(U128_MAX);
    });

    it("a corrupt allowlist length fails closed (CorruptAccount), never clamped", async () => {
      await patchAccount(env().chain, fx.client, "session", s.session, (d) => { d.allowedProgramsLen = 9; });
      await expectFailsUnchanged(env().chain, watch(), () => useSession(fx, s), "CorruptAccount");
    });

    it("next_session_id at 2^32 - 1 then 2^32: id u32::MAX is handed out, then SessionIdsExhausted forever", async () => {
      await patchAccount(env().chain, fx.client, "policy", fx.policy, (d) => { d.nextSessionId = new BN(U32_MAX); });
      const last = await createSession(fx.client, { policy: fx.policy, admin: fx.admin.publicKey, limits: await defaultLimits(env(), s.delegate.publicKey) });
      await expectOk(fx.client.deploy(last, [fx.admin]));
      expect(last.sessionId).to.equal(U32_MAX);
      expect(toBig((await fx.client.fetchPolicy(fx.policy))!.nextSessionId)).to.equal(1n << 32n);
      const beyond = await createSession(fx.client, {
        policy: fx.policy, admin: fx.admin.publicKey, limits: await defaultLimits(env(), s.delegate.publicKey), sessionId: 7, // any unused id: the counter is what refuses
      });
      await expectFailsUnchanged(env().chain, [fx.policy], () => fx.client.deploy(beyond, [fx.admin]), "SessionIdsExhausted");
    });

    it("epoch at u64::MAX: revoke_all cannot wrap it back to a live epoch", async () => {
      await patchAccount(env().chain, fx.client, "policy", fx.policy, (d) => { d.epoch = new BN(U64_MAX.toString()); });
      const action = await revokeAllSessions(fx.client, { policy: fx.policy, admin: fx.admin.publicKey });
      await expectFailsUnchanged(env().chain, [fx.policy], () => fx.client.deploy(action, [fx.admin]), "CounterOverflow");
      await expectFailsUnchanged(env().chain, watch(), () => useSession(fx, s), "StaleEpoch");
    });
  });

  async function setMaxPerTx(v: bigint) {
    await patchAccount(env().chain, fx.client, "session", s.session, (d) => { d.maxAmountPerTx = amountBytes(v, "maxAmountPerTx"); });
  }
});

/**
 * initialize_policy and release_dwallet: the one invariant — at most one
 * Active policy can approve for a dWallet, ever — and its front-running cases.
 */
import { expect } from "chai";
import { Keypair, PublicKey } from "@solana/web3.js";
import { initializePolicy, policyStatus, readDwalletAuthority, releaseDwallet, toBig } from "../app/src/client";
import {
  createDwallet, describeOnEachRuntime, expectFailsUnchanged, expectOk, injectDwallet, newClient, recordCu,
  setupPolicy, setupSession, STAND_IN_ID, transferOwnershipTx, useSession,
} from "./harness";

describeOnEachRuntime("initialize_policy", (env) => {
  const authorityOf = async (dwallet: PublicKey) => readDwalletAuthority((await env().chain.getAccountInfo(dwallet))!.data)!;

  it("creates the policy and hands the dWallet to the CPI authority in one step", async () => {
    const client = newClient(env());
    const [initAuthority, admin] = await env().funded(2);
    const dwallet = await createDwallet(env(), initAuthority.publicKey);
    const action = await initializePolicy(client, { dwallet, dwalletProgram: STAND_IN_ID, initAuthority: initAuthority.publicKey, admin: admin.publicKey });
    const preview = await client.preview(action);
    expect(preview.ok).to.equal(true);
    expect(preview.rent[0].space).to.equal(client.program.account.policy.size);
    const r = await client.deploy(action, [initAuthority]);
    expect(r.ok, r.error?.name).to.equal(true);
    recordCu("initialize_policy", { ok: true, signature: r.signature, logs: r.logs, computeUnits: r.computeUnits });
    const policy = (await client.fetchPolicy(client.policyAddress(dwallet, initAuthority.publicKey)))!;
    expect(policy.admin.toBase58()).to.equal(admin.publicKey.toBase58());
    expect(policy.dwalletProgram.toBase58()).to.equal(STAND_IN_ID.toBase58());
    expect(toBig(policy.nextSessionId)).to.equal(0n);
    expect(policyStatus(policy.status)).to.equal("active");
    expect((await authorityOf(dwallet)).toBase58()).to.equal(client.cpiAuthority().toBase58());
    expect(r.events.map((e) => e.name)).to.include("policyInitialized");
  });

  it("front-running: a non-authority cannot initialize a policy for someone's dWallet", async () => {
    const client = newClient(env());
    const [owner, mallory] = await env().funded(2);
    const dwallet = await createDwallet(env(), owner.publicKey);
    const action = await initializePolicy(client, { dwallet, dwalletProgram: STAND_IN_ID, initAuthority: mallory.publicKey, admin: mallory.publicKey });
    const policy = client.policyAddress(dwallet, mallory.publicKey);
    await expectFailsUnchanged(env().chain, [dwallet, policy], () => client.deploy(action, [mallory]), "WrongDwalletAuthority");
  });

  it("front-running: the owner's policy address is not takeable by anyone else (it is seeded by the owner's key hash)", async () => {
    const client = newClient(env());
    const [owner, mallory] = await env().funded(2);
    const dwallet = await createDwallet(env(), owner.publicKey);
    // Mallory signs as init_authority but targets the owner's policy address.
    const ownersPolicy = client.policyAddress(dwallet, owner.publicKey);
    const action = await initializePolicy(client, {
      dwallet, dwalletProgram: STAND_IN_ID, initAuthority: mallory.publicKey, admin: mallory.publicKey, accounts: { policy: ownersPolicy },
    });
    await expectFailsUnchanged(env().chain, [dwallet, ownersPolicy], () => client.deploy(action, [mallory]), "ConstraintSeeds");
  });

  it("a second policy for an already-controlled dWallet is refused", async () => {
    const fx = await setupPolicy(env());
    const [other] = await env().funded(1);
    // Neither the original init authority (no longer the dWallet's authority)…
    const again = await initializePolicy(fx.client, { dwallet: fx.dwallet, dwalletProgram: STAND_IN_ID, initAuthority: other.publicKey, admin: other.publicKey });
    await expectFailsUnchanged(env().chain, [fx.dwallet, fx.policy], () => fx.client.deploy(again, [other]), "WrongDwalletAuthority");
    // …nor anyone else can: the authority is now our CPI authority, which only the program signs for.
    expect((await authorityOf(fx.dwallet)).toBase58()).to.equal(fx.client.cpiAuthority().toBase58());
  });

  it("re-initializing the same policy address fails (account exists)", async () => {
    const fx = await setupPolicy(env());
    const action = await initializePolicy(fx.client, { dwallet: fx.dwallet, dwalletProgram: STAND_IN_ID, initAuthority: fx.initAuthority.publicKey, admin: fx.admin.publicKey });
    await expectFailsUnchanged(env().chain, [fx.dwallet, fx.policy], () => fx.client.deploy(action, [fx.initAuthority]), "AccountAlreadyInUse");
  });

  it("a fake dWallet owned by another program is refused", async () => {
    const client = newClient(env());
    const [owner] = await env().funded(1);
    const fake = await injectDwallet(env(), owner.publicKey, Keypair.generate().publicKey);
    const action = await initializePolicy(client, { dwallet: fake, dwalletProgram: STAND_IN_ID, initAuthority: owner.publicKey, admin: owner.publicKey });
    await expectFailsUnchanged(env().chain, [fake], () => client.deploy(action, [owner]), "DwalletOwnerMismatch");
  });

  it("a dWallet program that is not executable is refused", async () => {
    const client = newClient(env());
    const [owner] = await env().funded(1);
    const dwallet = await createDwallet(env(), owner.publicKey);
    const action = await initializePolicy(client, { dwallet, dwalletProgram: owner.publicKey, initAuthority: owner.publicKey, admin: owner.publicKey });
    await expectFailsUnchanged(env().chain, [dwallet], () => client.deploy(action, [owner]), "InvalidDwalletProgram");
  });

  it("an account that is not a dWallet is refused", async () => {
    const client = newClient(env());
    const [owner] = await env().funded(1);
    const notDwallet = Keypair.generate().publicKey;
    await env().chain.setAccount(notDwallet, { lamports: 10_000_000, data: Buffer.alloc(72, 9), owner: STAND_IN_ID, executable: false });
    const action = await initializePolicy(client, { dwallet: notDwallet, dwalletProgram: STAND_IN_ID, initAuthority: owner.publicKey, admin: owner.publicKey });
    await expectFailsUnchanged(env().chain, [notDwallet], () => client.deploy(action, [owner]), "InvalidDwalletAccount");
  });

  it("the default key as admin is refused", async () => {
    const client = newClient(env());
    const [owner] = await env().funded(1);
    const dwallet = await createDwallet(env(), owner.publicKey);
    const action = await initializePolicy(client, { dwallet, dwalletProgram: STAND_IN_ID, initAuthority: owner.publicKey, admin: PublicKey.default });
    await expectFailsUnchanged(env().chain, [dwallet], () => client.deploy(action, [owner]), "InvalidAdmin");
  });

  it("the dWallet's old owner cannot take it back directly once it is under a policy", async () => {
    const fx = await setupPolicy(env());
    const tx = transferOwnershipTx(fx.dwallet, fx.initAuthority.publicKey, fx.initAuthority.publicKey);
    tx.feePayer = env().payer.publicKey;
    await expectFailsUnchanged(env().chain, [fx.dwallet], () => env().provider.execute(tx, [fx.initAuthority]), "WrongAuthority");
  });
});

describeOnEachRuntime("release_dwallet", (env) => {
  it("hands the dWallet to the new authority and the policy is Released forever", async () => {
    const fx = await setupPolicy(env());
    const [newOwner] = await env().funded(1);
    const r = await expectOk(fx.client.deploy(await releaseDwallet(fx.client, { policy: fx.policy, admin: fx.admin.publicKey, newAuthority: newOwner.publicKey }), [fx.admin]));
    recordCu("release_dwallet", { ok: true, signature: r.signature, logs: r.logs, computeUnits: r.computeUnits });
    const auth = readDwalletAuthority((await env().chain.getAccountInfo(fx.dwallet))!.data)!;
    expect(auth.toBase58()).to.equal(newOwner.publicKey.toBase58());
    expect(policyStatus((await fx.client.fetchPolicy(fx.policy))!.status)).to.equal("released");
    // the policy cannot be released twice
    const again = await releaseDwallet(fx.client, { policy: fx.policy, admin: fx.admin.publicKey, newAuthority: fx.admin.publicKey });
    await expectFailsUnchanged(env().chain, [fx.policy, fx.dwallet], () => fx.client.deploy(again, [fx.admin]), "PolicyNotActive");
  });

  it("front-running after release: a session still within its limits cannot approve (PolicyNotActive)", async () => {
    const fx = await setupPolicy(env());
    const s = await setupSession(fx);
    await expectOk(useSession(fx, s));
    const [newOwner] = await env().funded(1);
    await fx.client.deployOrThrow(await releaseDwallet(fx.client, { policy: fx.policy, admin: fx.admin.publicKey, newAuthority: newOwner.publicKey }), [fx.admin]);
    await expectFailsUnchanged(env().chain, [fx.policy, s.session, fx.dwallet], () => useSession(fx, s), "PolicyNotActive");
  });

  it("refuses the program's own CPI authority and the default key as new authority", async () => {
    const fx = await setupPolicy(env());
    const toSelf = await releaseDwallet(fx.client, { policy: fx.policy, admin: fx.admin.publicKey, newAuthority: fx.client.cpiAuthority() });
    await expectFailsUnchanged(env().chain, [fx.policy, fx.dwallet], () => fx.client.deploy(toSelf, [fx.admin]), "ReleaseToCpiAuthority");
    const toNobody = await releaseDwallet(fx.client, { policy: fx.policy, admin: fx.admin.publicKey, newAuthority: PublicKey.default });
    await expectFailsUnchanged(env().chain, [fx.policy, fx.dwallet], () => fx.client.deploy(toNobody, [fx.admin]), "InvalidNewAuthority");
  });

  it("after release, the dWallet can be put under a new policy by its new owner", async () => {
    const fx = await setupPolicy(env());
    const [newOwner] = await env().funded(1);
    await fx.client.deployOrThrow(await releaseDwallet(fx.client, { policy: fx.policy, admin: fx.admin.publicKey, newAuthority: newOwner.publicKey }), [fx.admin]);
    const action = await initializePolicy(fx.client, { dwallet: fx.dwallet, dwalletProgram: STAND_IN_ID, initAuthority: newOwner.publicKey, admin: newOwner.publicKey });
    await expectOk(fx.client.deploy(action, [newOwner]));
  });
});

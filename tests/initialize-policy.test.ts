/**
 * initialize_policy and release_dwallet: the one invariant — at most one
 * Active policy can approve for a dWallet, ever — its front-running cases,
 * the pinned Ika program, the dWallet checks (owner, layout, curve, state),
 * and taking a released policy back.
 */
import { expect } from "chai";
import { Keypair, PublicKey } from "@solana/web3.js";
import {
  Curve, DwalletState, IKA_PROGRAM_ID, initializePolicy, policyStatus, readDwallet, releaseDwallet, toBig,
} from "../app/src/client";
import {
  createDwallet, describeOnEachRuntime, encodeDwallet, expectFailsUnchanged, expectOk, injectDwallet, newClient,
  newDwalletPublicKey, recordCu, SESSION_KEYS_ID, setupPolicy, setupSession, transferOwnershipTx, useSession,
} from "./harness";

describeOnEachRuntime("initialize_policy", (env) => {
  const authorityOf = async (dwallet: PublicKey) => readDwallet((await env().chain.getAccountInfo(dwallet))!.data)!.authority;

  /** A dWallet-like account owned by Ika at a random address, with any curve, state or length. */
  const writeRaw = async (authority: PublicKey, over: { curve?: number; state?: number; length?: number; publicKeyLength?: number }) => {
    const address = Keypair.generate().publicKey;
    const data = encodeDwallet({ authority, curve: Curve.Curve25519, publicKey: newDwalletPublicKey(Curve.Curve25519), bump: 255, state: over.state });
    if (over.curve !== undefined) data.writeUInt16LE(over.curve, 34);
    if (over.publicKeyLength !== undefined) data[37] = over.publicKeyLength;
    const bytes = data.subarray(0, over.length ?? data.length);
    await env().chain.setAccount(address, { lamports: 10_000_000, data: bytes, owner: IKA_PROGRAM_ID, executable: false });
    return address;
  };

  it("creates the policy, records the curve and hands the dWallet to the CPI authority in one step", async () => {
    const client = newClient(env());
    const [initAuthority, admin] = await env().funded(2);
    const dwallet = await createDwallet(env(), initAuthority.publicKey, { curve: Curve.Secp256k1 });
    const action = await initializePolicy(client, { dwallet, initAuthority: initAuthority.publicKey, admin: admin.publicKey });
    const preview = await client.preview(action);
    expect(preview.ok).to.equal(true);
    expect(preview.rent[0].space).to.equal(client.program.account.policy.size);
    const r = await client.deploy(action, [initAuthority]);
    expect(r.ok, r.error?.name).to.equal(true);
    recordCu("initialize_policy", { ok: true, signature: r.signature, logs: r.logs, computeUnits: r.computeUnits });
    const policy = (await client.fetchPolicy(client.policyAddress(dwallet, initAuthority.publicKey)))!;
    expect(policy.admin.toBase58()).to.equal(admin.publicKey.toBase58());
    expect(policy.curve).to.equal(Curve.Secp256k1);
    expect(toBig(policy.nextSessionId)).to.equal(0n);
    expect(toBig(policy.epoch)).to.equal(0n);
    expect(policyStatus(policy.status)).to.equal("active");
    expect((await authorityOf(dwallet)).toBase58()).to.equal(client.cpiAuthority().toBase58());
    const event = r.events.find((e) => e.name === "policyInitialized")!;
    expect(event.data.curve).to.equal(Curve.Secp256k1);
  });

  it("front-running: a non-authority cannot initialize a policy for someone's dWallet", async () => {
    const client = newClient(env());
    const [owner, mallory] = await env().funded(2);
    const dwallet = await createDwallet(env(), owner.publicKey);
    const action = await initializePolicy(client, { dwallet, initAuthority: mallory.publicKey, admin: mallory.publicKey });
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
      dwallet, initAuthority: mallory.publicKey, admin: mallory.publicKey, accounts: { policy: ownersPolicy },
    });
    await expectFailsUnchanged(env().chain, [dwallet, ownersPolicy], () => client.deploy(action, [mallory]), "ConstraintSeeds");
  });

  it("a second policy for an already-controlled dWallet is refused", async () => {
    const fx = await setupPolicy(env());
    const [other] = await env().funded(1);
    const again = await initializePolicy(fx.client, { dwallet: fx.dwallet, initAuthority: other.publicKey, admin: other.publicKey });
    await expectFailsUnchanged(env().chain, [fx.dwallet, fx.policy], () => fx.client.deploy(again, [other]), "WrongDwalletAuthority");
    // Nobody else can either: the authority is now our CPI authority, which only the program signs for.
    expect((await authorityOf(fx.dwallet)).toBase58()).to.equal(fx.client.cpiAuthority().toBase58());
  });

  it("initializing an Active policy again fails: its init authority no longer holds the dWallet", async () => {
    const fx = await setupPolicy(env());
    const action = await initializePolicy(fx.client, { dwallet: fx.dwallet, initAuthority: fx.initAuthority.publicKey, admin: fx.admin.publicKey });
    await expectFailsUnchanged(env().chain, [fx.dwallet, fx.policy], () => fx.client.deploy(action, [fx.initAuthority]), "WrongDwalletAuthority");
  });

  // Unreachable honestly (an Active policy's dWallet names our CPI authority):
  // the dWallet's authority is written back to the init authority directly.
  it("an Active policy is never initialized again, even if its init authority held the dWallet (PolicyAlreadyActive)", async () => {
    const fx = await setupPolicy(env());
    const info = (await env().chain.getAccountInfo(fx.dwallet))!;
    const data = Buffer.from(info.data);
    fx.initAuthority.publicKey.toBuffer().copy(data, 2);
    await env().chain.setAccount(fx.dwallet, { ...info, data });
    const action = await initializePolicy(fx.client, { dwallet: fx.dwallet, initAuthority: fx.initAuthority.publicKey, admin: fx.admin.publicKey });
    await expectFailsUnchanged(env().chain, [fx.dwallet, fx.policy], () => fx.client.deploy(action, [fx.initAuthority]), "PolicyAlreadyActive");
  });

  it("a fake dWallet owned by another program is refused", async () => {
    const client = newClient(env());
    const [owner] = await env().funded(1);
    const fake = await injectDwallet(env(), owner.publicKey, Keypair.generate().publicKey);
    const action = await initializePolicy(client, { dwallet: fake, initAuthority: owner.publicKey, admin: owner.publicKey });
    await expectFailsUnchanged(env().chain, [fake], () => client.deploy(action, [owner]), "DwalletOwnerMismatch");
  });

  it("a dWallet program other than Ika's pinned id is refused, executable or not", async () => {
    const client = newClient(env());
    const [owner] = await env().funded(1);
    const dwallet = await createDwallet(env(), owner.publicKey);
    // An executable program (this one) that would receive the hand-over CPI, and a plain key.
    for (const dwalletProgram of [SESSION_KEYS_ID, owner.publicKey]) {
      const action = await initializePolicy(client, { dwallet, initAuthority: owner.publicKey, admin: owner.publicKey, accounts: { dwalletProgram } });
      await expectFailsUnchanged(env().chain, [dwallet], () => client.deploy(action, [owner]), "InvalidDwalletProgram");
    }
  });

  it("an Ika account that is not a dWallet is refused: wrong discriminator, one byte short, a key of the wrong length", async () => {
    const client = newClient(env());
    const [owner] = await env().funded(1);
    const notDwallet = Keypair.generate().publicKey;
    await env().chain.setAccount(notDwallet, { lamports: 10_000_000, data: Buffer.alloc(153, 9), owner: IKA_PROGRAM_ID, executable: false });
    const short = await writeRaw(owner.publicKey, { length: 152 });
    const wrongKeyLength = await writeRaw(owner.publicKey, { publicKeyLength: 33 });
    for (const dwallet of [notDwallet, short, wrongKeyLength]) {
      const action = await initializePolicy(client, { dwallet, initAuthority: owner.publicKey, admin: owner.publicKey });
      await expectFailsUnchanged(env().chain, [dwallet], () => client.deploy(action, [owner]), "InvalidDwalletAccount");
    }
    // The last allowed length: exactly 153 bytes passes.
    const exact = await createDwallet(env(), owner.publicKey);
    await expectOk(client.deploy(await initializePolicy(client, { dwallet: exact, initAuthority: owner.publicKey, admin: owner.publicKey }), [owner]));
  });

  it("a dWallet of an unknown curve is refused", async () => {
    const client = newClient(env());
    const [owner] = await env().funded(1);
    const dwallet = await writeRaw(owner.publicKey, { curve: 4 });
    const action = await initializePolicy(client, { dwallet, initAuthority: owner.publicKey, admin: owner.publicKey });
    await expectFailsUnchanged(env().chain, [dwallet], () => client.deploy(action, [owner]), "UnsupportedCurve");
  });

  it("a dWallet that is not Active (DKG in progress, frozen) is refused; an Active one passes", async () => {
    const client = newClient(env());
    const [owner] = await env().funded(1);
    for (const state of [DwalletState.DkgInProgress, DwalletState.Frozen]) {
      const dwallet = await createDwallet(env(), owner.publicKey, { state });
      const action = await initializePolicy(client, { dwallet, initAuthority: owner.publicKey, admin: owner.publicKey });
      await expectFailsUnchanged(env().chain, [dwallet], () => client.deploy(action, [owner]), "DwalletNotActive");
    }
    const active = await createDwallet(env(), owner.publicKey, { state: DwalletState.Active });
    await expectOk(client.deploy(await initializePolicy(client, { dwallet: active, initAuthority: owner.publicKey, admin: owner.publicKey }), [owner]));
  });

  it("the default key as admin is refused", async () => {
    const client = newClient(env());
    const [owner] = await env().funded(1);
    const dwallet = await createDwallet(env(), owner.publicKey);
    const action = await initializePolicy(client, { dwallet, initAuthority: owner.publicKey, admin: PublicKey.default });
    await expectFailsUnchanged(env().chain, [dwallet], () => client.deploy(action, [owner]), "InvalidAdmin");
  });

  it("the dWallet's old owner cannot take it back directly once it is under a policy (Ika refuses)", async () => {
    const fx = await setupPolicy(env());
    const tx = transferOwnershipTx(fx.dwallet, fx.initAuthority.publicKey, fx.initAuthority.publicKey);
    tx.feePayer = env().payer.publicKey;
    await expectFailsUnchanged(env().chain, [fx.dwallet], () => env().provider.execute(tx, [fx.initAuthority]), IKA_WRONG_AUTHORITY);
  });
});

/** What Ika answers when the signer is not the dWallet's authority: it asks for the authority's signature (measured on the binary; tests/conformance.test.ts). */
export const IKA_WRONG_AUTHORITY = "MissingRequiredSignature";

describeOnEachRuntime("release_dwallet", (env) => {
  it("hands the dWallet to the new authority and the policy is Released", async () => {
    const fx = await setupPolicy(env());
    const [newOwner] = await env().funded(1);
    const r = await expectOk(fx.client.deploy(await releaseDwallet(fx.client, { policy: fx.policy, admin: fx.admin.publicKey, newAuthority: newOwner.publicKey }), [fx.admin]));
    recordCu("release_dwallet", { ok: true, signature: r.signature, logs: r.logs, computeUnits: r.computeUnits });
    const auth = readDwallet((await env().chain.getAccountInfo(fx.dwallet))!.data)!.authority;
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

  it("a release to another program id than Ika's is refused", async () => {
    const fx = await setupPolicy(env());
    const [newOwner] = await env().funded(1);
    const action = await releaseDwallet(fx.client, { policy: fx.policy, admin: fx.admin.publicKey, newAuthority: newOwner.publicKey, accounts: { dwalletProgram: SESSION_KEYS_ID } });
    await expectFailsUnchanged(env().chain, [fx.policy, fx.dwallet], () => fx.client.deploy(action, [fx.admin]), "InvalidDwalletProgram");
  });

  it("after release, the dWallet can be put under a new policy by its new owner", async () => {
    const fx = await setupPolicy(env());
    const [newOwner] = await env().funded(1);
    await fx.client.deployOrThrow(await releaseDwallet(fx.client, { policy: fx.policy, admin: fx.admin.publicKey, newAuthority: newOwner.publicKey }), [fx.admin]);
    const action = await initializePolicy(fx.client, { dwallet: fx.dwallet, initAuthority: newOwner.publicKey, admin: newOwner.publicKey });
    await expectOk(fx.client.deploy(action, [newOwner]));
  });

  it("released back to its init authority, the same policy address is taken back: new admin, new epoch, old sessions stale, ids continue", async () => {
    const fx = await setupPolicy(env());
    const old = await setupSession(fx);
    await expectOk(useSession(fx, old));
    await fx.client.deployOrThrow(await releaseDwallet(fx.client, { policy: fx.policy, admin: fx.admin.publicKey, newAuthority: fx.initAuthority.publicKey }), [fx.admin]);
    const [newAdmin] = await env().funded(1);
    const r = await expectOk(fx.client.deploy(await initializePolicy(fx.client, { dwallet: fx.dwallet, initAuthority: fx.initAuthority.publicKey, admin: newAdmin.publicKey }), [fx.initAuthority]));
    expect(toBig(r.events.find((e) => e.name === "policyInitialized")!.data.epoch as never)).to.equal(1n);
    const policy = (await fx.client.fetchPolicy(fx.policy))!;
    expect(policyStatus(policy.status)).to.equal("active");
    expect(policy.admin.toBase58()).to.equal(newAdmin.publicKey.toBase58());
    expect(toBig(policy.epoch)).to.equal(1n);
    expect(toBig(policy.nextSessionId)).to.equal(1n, "session ids are never reused");
    expect((await authorityOf(env, fx.dwallet)).toBase58()).to.equal(fx.client.cpiAuthority().toBase58());
    // The session of the policy's earlier life is dead; a new one works.
    await expectFailsUnchanged(env().chain, [fx.policy, old.session, fx.dwallet], () => useSession(fx, old), "StaleEpoch");
    const fresh = await setupSession({ ...fx, admin: newAdmin });
    expect(fresh.sessionId).to.equal(1);
    await expectOk(useSession(fx, fresh));
  });
});

async function authorityOf(env: () => { chain: { getAccountInfo(a: PublicKey): Promise<{ data: Buffer } | null> } }, dwallet: PublicKey) {
  return readDwallet((await env().chain.getAccountInfo(dwallet))!.data)!.authority;
}

/**
 * initialize_policy, checked byte for byte: the Policy account and the dWallet
 * account after the hand-over are compared with bytes this test builds on its
 * own from the documented layouts (programs/session-keys/src/state/policy.rs,
 * docs/security.md; the stand-in's dWallet layout in its layout.rs) — not
 * through the client's coder or PDA helpers, so a layout drift on either side
 * shows up here. Prints the compute units used.
 */
import { createHash, randomBytes } from "crypto";
import { expect } from "chai";
import { PublicKey, Transaction } from "@solana/web3.js";
import { initializePolicy } from "../app/src/client";
import {
  createDwalletIx, describeOnEachRuntime, expectOk, newClient, recordCu, SESSION_KEYS_ID, STAND_IN_ID,
} from "./harness";

const sha256 = (...parts: Buffer[]) => createHash("sha256").update(Buffer.concat(parts)).digest();
const u64le = (v: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(v);
  return b;
};

describeOnEachRuntime("initialize_policy: account bytes", (env) => {
  it("writes the documented Policy layout and hands the dWallet to the CPI authority, byte for byte", async () => {
    const client = newClient(env());
    const [initAuthority, admin] = await env().funded(2);
    const seed = randomBytes(32);
    const { ix, dwallet } = createDwalletIx(env().payer.publicKey, initAuthority.publicKey, seed);
    await expectOk(env().provider.execute(new Transaction().add(ix)));

    const action = await initializePolicy(client, {
      dwallet, dwalletProgram: STAND_IN_ID, initAuthority: initAuthority.publicKey, admin: admin.publicKey,
    });
    const r = await expectOk(client.deploy(action, [initAuthority]));
    recordCu("initialize_policy", { ok: true, signature: r.signature, logs: r.logs, computeUnits: r.computeUnits });
    console.log(`      initialize_policy [${env().runtime}]: ${r.computeUnits} CU`);

    // Addresses and bumps, derived here from the seeds in SPEC.md.
    const initHash = sha256(initAuthority.publicKey.toBuffer());
    const [policy, policyBump] = PublicKey.findProgramAddressSync([Buffer.from("policy"), dwallet.toBuffer(), initHash], SESSION_KEYS_ID);
    const [cpiAuthority, cpiBump] = PublicKey.findProgramAddressSync([Buffer.from("__ika_cpi_authority")], SESSION_KEYS_ID);
    const [, dwalletBump] = PublicKey.findProgramAddressSync([Buffer.from("dwallet"), seed], STAND_IN_ID);

    const expectedPolicy = Buffer.concat([
      sha256(Buffer.from("account:Policy")).subarray(0, 8), // Anchor account discriminator
      dwallet.toBuffer(), // dwallet
      STAND_IN_ID.toBuffer(), // dwallet_program
      admin.publicKey.toBuffer(), // admin
      Buffer.alloc(32), // pending_admin: none
      initHash, // init_authority_hash
      u64le(0n), // next_session_id
      u64le(0n), // epoch
      Buffer.from([0]), // status: Active
      Buffer.from([policyBump]),
      Buffer.from([cpiBump]),
      Buffer.alloc(5), // reserved: keeps the zero-copy size a multiple of 8
    ]);
    expect(expectedPolicy.length).to.equal(192);
    const policyInfo = (await env().chain.getAccountInfo(policy))!;
    expect(policyInfo.owner.toBase58()).to.equal(SESSION_KEYS_ID.toBase58());
    expect(policyInfo.lamports).to.equal(await env().chain.getMinimumBalanceForRentExemption(192));
    expect(policyInfo.data.toString("hex")).to.equal(expectedPolicy.toString("hex"));

    // dWallet: discriminator 2, version 1, authority = our CPI authority (was init_authority), then the fixture's seed, bump, 5 zero bytes.
    const expectedDwallet = Buffer.concat([Buffer.from([2, 1]), cpiAuthority.toBuffer(), seed, Buffer.from([dwalletBump]), Buffer.alloc(5)]);
    const dwalletInfo = (await env().chain.getAccountInfo(dwallet))!;
    expect(dwalletInfo.owner.toBase58()).to.equal(STAND_IN_ID.toBase58());
    expect(dwalletInfo.data.toString("hex")).to.equal(expectedDwallet.toString("hex"));
  });
});

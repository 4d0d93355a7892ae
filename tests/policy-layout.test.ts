/**
 * initialize_policy, checked byte for byte: the Policy account and the dWallet
 * account after the hand-over are compared with bytes this test builds on its
 * own from the documented layouts (programs/session-keys/src/state/policy.rs,
 * docs/security.md; the stand-in's dWallet layout in its layout.rs) — not
 * through the client's coder or PDA helpers, so a layout drift on either side
 * shows up here. Prints the compute units used.
 */
import { createHash } from "crypto";
import { expect } from "chai";
import { Keypair, PublicKey } from "@solana/web3.js";
import { initializePolicy } from "../app/src/client";
import { describeOnEachRuntime, expectOk, newClient, recordCu, SESSION_KEYS_ID, writeDwallet } from "./harness";

const IKA_ID = new PublicKey("87W54kGYFQ1rgWqMeu4XTPHWXWmXSQCcjm8vCTfiq1oY");
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
    const publicKey = Keypair.generate().publicKey.toBuffer();
    const { address: dwallet } = await writeDwallet(env().chain, { authority: initAuthority.publicKey, publicKey });
    const dwalletBefore = (await env().chain.getAccountInfo(dwallet))!.data;

    const action = await initializePolicy(client, { dwallet, initAuthority: initAuthority.publicKey, admin: admin.publicKey });
    const r = await expectOk(client.deploy(action, [initAuthority]));
    recordCu("initialize_policy", { ok: true, signature: r.signature, logs: r.logs, computeUnits: r.computeUnits });
    console.log(`      initialize_policy [${env().runtime}]: ${r.computeUnits} CU`);

    // Addresses and bumps, derived here from the seeds in docs/spec.md and docs/ika.md.
    const initHash = sha256(initAuthority.publicKey.toBuffer());
    const [policy, policyBump] = PublicKey.findProgramAddressSync([Buffer.from("policy"), dwallet.toBuffer(), initHash], SESSION_KEYS_ID);
    const [cpiAuthority, cpiBump] = PublicKey.findProgramAddressSync([Buffer.from("__ika_cpi_authority")], SESSION_KEYS_ID);
    const curveAndKey = Buffer.concat([Buffer.from([2, 0]), publicKey]); // Curve25519, u16 LE
    const [expectedAddress, dwalletBump] = PublicKey.findProgramAddressSync([Buffer.from("dwallet"), curveAndKey.subarray(0, 32), curveAndKey.subarray(32)], IKA_ID);
    expect(dwallet.toBase58()).to.equal(expectedAddress.toBase58());

    const expectedPolicy = Buffer.concat([
      sha256(Buffer.from("account:Policy")).subarray(0, 8), // Anchor account discriminator
      dwallet.toBuffer(), // dwallet
      admin.publicKey.toBuffer(), // admin
      Buffer.alloc(32), // pending_admin: none
      initHash, // init_authority_hash
      u64le(0n), // next_session_id
      u64le(0n), // epoch
      Buffer.from([2, 0]), // curve: Curve25519, u16 LE
      Buffer.from([0]), // status: Active
      Buffer.from([policyBump]),
      Buffer.from([cpiBump]),
      Buffer.alloc(3), // reserved: keeps the zero-copy size a multiple of 8
    ]);
    expect(expectedPolicy.length).to.equal(160);
    const policyInfo = (await env().chain.getAccountInfo(policy))!;
    expect(policyInfo.owner.toBase58()).to.equal(SESSION_KEYS_ID.toBase58());
    expect(policyInfo.lamports).to.equal(await env().chain.getMinimumBalanceForRentExemption(160));
    expect(policyInfo.data.toString("hex")).to.equal(expectedPolicy.toString("hex"));

    // dWallet (docs/ika.md, 153 bytes): only the authority (bytes 2..34) changed, to our CPI authority.
    const expectedDwallet = Buffer.concat([
      Buffer.from([2, 1]), cpiAuthority.toBuffer(), Buffer.from([2, 0]), Buffer.from([1]), Buffer.from([32]), publicKey, Buffer.alloc(33),
      Buffer.alloc(8), Buffer.alloc(32), Buffer.from([0]), Buffer.from([dwalletBump]), Buffer.alloc(8),
    ]);
    expect(expectedDwallet.length).to.equal(153);
    expect(dwalletBefore.subarray(34).equals(expectedDwallet.subarray(34))).to.equal(true);
    const dwalletInfo = (await env().chain.getAccountInfo(dwallet))!;
    expect(dwalletInfo.owner.toBase58()).to.equal(IKA_ID.toBase58());
    expect(dwalletInfo.data.toString("hex")).to.equal(expectedDwallet.toString("hex"));
  });
});

/**
 * The chain layer on both in-process runtimes, with only the System program:
 * every operation the client, tests and benchmarks rely on.
 */
import { expect } from "chai";
import { Keypair, LAMPORTS_PER_SOL, PublicKey, SystemProgram, SYSVAR_CLOCK_PUBKEY, Transaction } from "@solana/web3.js";
// Module by module: this suite needs no program build (the harness index pulls in the generated IDL).
import { describeOnEachRuntime } from "./harness/env";
import { expectError, expectOk } from "./harness/errors";
import { expectUnchanged, snapshotAccounts } from "./harness/snapshot";

const transfer = (from: PublicKey, to: PublicKey, lamports: number) =>
  new Transaction().add(SystemProgram.transfer({ fromPubkey: from, toPubkey: to, lamports }));

describeOnEachRuntime("chain", (env) => {
  it("sends a transfer and reports signature, logs and compute units", async () => {
    const { provider, chain, payer } = env();
    const to = Keypair.generate().publicKey;
    const outcome = await expectOk(provider.execute(transfer(payer.publicKey, to, LAMPORTS_PER_SOL)));
    expect(outcome.signature).to.have.length.greaterThan(80);
    expect(outcome.logs).to.include(`Program ${SystemProgram.programId.toBase58()} success`);
    expect(outcome.computeUnits).to.equal(150);
    expect((await chain.getAccountInfo(to))?.lamports).to.equal(LAMPORTS_PER_SOL);
  });

  it("reports a failed transfer by name and changes no account but the fee payer's", async () => {
    const { provider, payer } = env();
    const [poor] = await env().funded(1, 1);
    const to = Keypair.generate().publicKey;
    const before = await snapshotAccounts(env().chain, [poor.publicKey, to]);
    const tx = transfer(poor.publicKey, to, 2 * LAMPORTS_PER_SOL);
    tx.feePayer = payer.publicKey;
    await expectError(provider.execute(tx, [poor]), "ResultWithNegativeLamports");
    await expectUnchanged(before);
  });

  it("airdrops (in-process only)", async () => {
    const { chain } = env();
    const who = Keypair.generate().publicKey;
    await chain.airdrop(who, 5n * BigInt(LAMPORTS_PER_SOL));
    await chain.airdrop(who, 7n * BigInt(LAMPORTS_PER_SOL));
    expect((await chain.getAccountInfo(who))?.lamports).to.equal(12 * LAMPORTS_PER_SOL);
    // Injected lamports must not upset the runtime when it later moves to a new slot.
    await chain.warpToSlot(100n);
    expect((await chain.getAccountInfo(who))?.lamports).to.equal(12 * LAMPORTS_PER_SOL);
  });

  it("moves the clock forward and back, as programs see it", async () => {
    const { chain } = env();
    const clockSlot = async () => (await chain.getAccountInfo(SYSVAR_CLOCK_PUBKEY))!.data.readBigUInt64LE(0);
    await chain.warpToSlot(1_000n);
    expect(await chain.getSlot()).to.equal(1_000n);
    expect(await clockSlot()).to.equal(1_000n);
    await chain.warpToSlot(500n);
    expect(await chain.getSlot()).to.equal(500n);
    expect(await clockSlot()).to.equal(500n);
    await chain.setClock({ unixTimestamp: 1_700_000_000n });
    const data = (await chain.getAccountInfo(SYSVAR_CLOCK_PUBKEY))!.data;
    expect(data.readBigInt64LE(32)).to.equal(1_700_000_000n); // unix_timestamp is the 5th u64
    expect(await chain.getSlot()).to.equal(500n);
  });

  it("keeps the clock where a test put it across a blockhash refresh", async () => {
    const { chain } = env();
    await chain.warpToSlot(42n);
    const before = (await chain.getLatestBlockhash()).blockhash;
    await chain.refreshBlockhash();
    expect((await chain.getLatestBlockhash()).blockhash).to.not.equal(before);
    expect(await chain.getSlot()).to.equal(42n);
  });

  it("injects arbitrary account state", async () => {
    const { chain } = env();
    const address = Keypair.generate().publicKey;
    const owner = Keypair.generate().publicKey;
    await chain.setAccount(address, { lamports: 1_234_567, data: Buffer.from([1, 2, 3, 4]), owner, executable: false });
    const got = await chain.getAccountInfo(address);
    expect(got?.lamports).to.equal(1_234_567);
    expect(got?.owner.toBase58()).to.equal(owner.toBase58());
    expect([...got!.data]).to.deep.equal([1, 2, 3, 4]);
    await chain.refreshBlockhash(); // bankrun: a slot change after an injection must not abort
    expect((await chain.getAccountInfo(address))?.lamports).to.equal(1_234_567);
    const [missing, present] = await chain.getMultipleAccounts([Keypair.generate().publicKey, address]);
    expect(missing).to.equal(null);
    expect(present?.lamports).to.equal(1_234_567);
  });

  it("simulates an unsigned transaction without changing state", async () => {
    const { provider, chain, payer } = env();
    const to = Keypair.generate().publicKey;
    const before = await snapshotAccounts(chain, [payer.publicKey, to]);
    const sim = await provider.preview(transfer(payer.publicKey, to, LAMPORTS_PER_SOL), [to]);
    expect(sim.ok).to.equal(true);
    expect(sim.computeUnits).to.equal(150);
    expect(sim.logs).to.include(`Program ${SystemProgram.programId.toBase58()} success`);
    if (chain.simulatesPostState) expect(sim.postAccounts.get(to.toBase58())?.lamports).to.equal(LAMPORTS_PER_SOL);
    else expect(sim.postAccounts.size).to.equal(0);
    await expectUnchanged(before);
  });

  it("simulates a failing transaction and names the error", async () => {
    const { provider, payer } = env();
    const to = Keypair.generate().publicKey;
    const sim = provider.preview(transfer(payer.publicKey, to, 10_000 * LAMPORTS_PER_SOL));
    await expectError(sim, "ResultWithNegativeLamports");
  });

  it("lets a test send an identical transaction twice (dedup is not a program check)", async () => {
    const { provider, chain, payer } = env();
    const to = Keypair.generate().publicKey;
    const tx = () => transfer(payer.publicKey, to, LAMPORTS_PER_SOL);
    await expectOk(provider.execute(tx()));
    await expectOk(provider.execute(tx()));
    expect((await chain.getAccountInfo(to))?.lamports).to.equal(2 * LAMPORTS_PER_SOL);
  });

  it("quotes the rent-exempt minimum", async () => {
    const { chain } = env();
    expect(await chain.getMinimumBalanceForRentExemption(0)).to.equal(890_880);
    expect(await chain.getMinimumBalanceForRentExemption(100)).to.equal(890_880 + 100 * 6_960);
  });
}, { programs: false });

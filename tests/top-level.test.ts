/**
 * Top level only (docs/verified-sessions.md): the use path refuses to run
 * inside another program's CPI unless the session was created with
 * `allowCpi`. Otherwise a program the delegate's transaction calls could
 * invoke it with the delegate's signature and arguments of its own choosing.
 * The caller is a test fixture (tests/fixtures/cpi-caller) that forwards its
 * instruction, accounts and flags unchanged.
 */
import { expect } from "chai";
import { randomBytes } from "crypto";
import { Keypair, PublicKey, SystemProgram, TransactionInstruction, TransactionMessage } from "@solana/web3.js";
import { Action, approveMessage, approveSolanaMessage } from "../app/src/client";
import {
  CPI_CALLER_ID, describeOnEachRuntime, DESTINATION, expectFailsUnchanged, expectOk, PolicyFixture, setupPolicy, setupSession, SessionFixture,
} from "./harness";

describeOnEachRuntime("the use path at the top level only", (env) => {
  let fx: PolicyFixture;
  before(async () => {
    fx = await setupPolicy(env());
  });

  /** The action's instruction, forwarded through the CPI caller. */
  const throughCaller = (a: Action): Action => ({
    ...a,
    instructions: a.instructions.map((ix) => new TransactionInstruction({
      programId: CPI_CALLER_ID, data: ix.data,
      keys: [{ pubkey: ix.programId, isSigner: false, isWritable: false }, ...ix.keys],
    })),
  });
  const opaque = (s: SessionFixture) => approveMessage(fx.client, {
    policy: fx.policy, session: s.session, delegate: s.delegate.publicKey, messageDigest: randomBytes(32), amount: 1n, destinationProgram: DESTINATION,
  });
  const solana = (s: SessionFixture) => {
    const D = new PublicKey(fx.wallet.publicKey);
    const message = new TransactionMessage({
      payerKey: D, recentBlockhash: Keypair.generate().publicKey.toBase58(),
      instructions: [SystemProgram.transfer({ fromPubkey: D, toPubkey: Keypair.generate().publicKey, lamports: 5 })],
    }).compileToLegacyMessage();
    return approveSolanaMessage(fx.client, { policy: fx.policy, session: s.session, delegate: s.delegate.publicKey, message });
  };

  for (const [format, build] of [["opaque", opaque], ["solana", solana]] as const) {
    it(`${format}: inside a CPI is CpiNotAllowed and changes nothing; at the top level it passes`, async () => {
      const programs = format === "solana" ? { format, allowedPrograms: [SystemProgram.programId] } : {};
      const s = await setupSession(fx, programs);
      await expectFailsUnchanged(env().chain, [s.session], async () => fx.client.deploy(throughCaller(await build(s)), [s.delegate]), "CpiNotAllowed");
      const r = await expectOk(fx.client.deploy(await build(s), [s.delegate]));
      expect(r.ok).to.equal(true);
    });

    it(`${format}: a session created with allowCpi may be used from a CPI`, async () => {
      const s = await setupSession(fx, { ...(format === "solana" ? { format, allowedPrograms: [SystemProgram.programId] } : {}), allowCpi: true });
      await expectOk(fx.client.deploy(throughCaller(await build(s)), [s.delegate]));
      expect((await fx.client.fetchSession(s.session))!.uses).to.equal(1);
    });
  }
}, { fresh: "suite", cpiCaller: true });

/**
 * Property test: random short sequences of create / use / update / revoke /
 * revoke-all / close / clock-warp run against the program AND the reference
 * model (tests/model/session-model.ts, written from docs/spec.md without the
 * client's rule code). After every step: same success or same error name, and
 * every session's uses, nonce, spent, revoked and status (and the policy's
 * epoch and next id) equal the model's.
 *
 * LiteSVM only, on purpose: bankrun runs every scenario suite already and is
 * about 3x slower per transaction, and what this test explores is the rules,
 * which do not depend on the runtime. One chain serves the whole run; each
 * sequence gets its own fresh dWallet and policy on it, so sequences cannot
 * see each other (only the clock is shared, and it only moves forward).
 *
 * PROPERTY_RUNS (default 1000) sets the number of sequences. The seed is
 * fixed by default, so `npm test` and CI explore the same sequences on every
 * run and a red run is never luck; PROPERTY_SEED=random explores new ones
 * (and PROPERTY_SEED=N replays one). The seed is printed at the start and on
 * failure. Exploring with random seeds found the client's negative-u64 bug.
 */
import { randomBytes } from "crypto";
import { expect } from "chai";
import * as fc from "fast-check";
import { Keypair, PublicKey } from "@solana/web3.js";
import {
  Action, closeSession, createSession, revokeAllSessions, revokeSession, sessionStatus, toBig, updateSession,
} from "../app/src/client";
import { createEnv, PolicyFixture, setupPolicy, TestEnv, useSession } from "./harness";
import {
  applyClose, applyCreate, applyRevoke, applyRevokeAll, applyUpdate, applyUse, applyWarp, ModelState, newModel,
  Outcome, statusOf, U64_MAX, UpdateArgs,
} from "./model/session-model";

const RUNS = Number(process.env.PROPERTY_RUNS ?? 1000);
const DEFAULT_SEED = 1647845461; // the CI run that found the negative-u64 bug
const SEED = process.env.PROPERTY_SEED === "random" ? Math.floor(Math.random() * 2 ** 31)
  : Number(process.env.PROPERTY_SEED ?? DEFAULT_SEED);

/** Destination programs by index; index 3 is in no allowlist the generator builds. */
const DESTINATIONS = Array.from({ length: 4 }, () => Keypair.generate().publicKey);

// ---------------------------------------------------------------- commands

type Cmd =
  | { kind: "create"; delegate: number; expiryDelta: number; maxUses: number; maxAmountPerTx: bigint; maxTotalAmount: bigint; allowed: number[] }
  | { kind: "use"; pick: number; rightSigner: boolean; nonceOffset: number; amount: bigint; destination: number }
  | { kind: "update"; pick: number; expiryDelta?: number; maxUses?: number; maxAmountPerTx?: bigint; maxTotalAmount?: bigint; allowed?: number[] }
  | { kind: "revoke"; pick: number }
  | { kind: "revokeAll" }
  | { kind: "close"; pick: number }
  | { kind: "warp"; slots: number };

const amount = fc.bigInt({ min: 0n, max: 120n });
const budget = fc.oneof(fc.constant(U64_MAX), fc.bigInt({ min: 0n, max: 200n }));
// 0..3 entries from {0,1,2}, duplicates allowed: the empty and duplicate cases are errors the model must predict.
const allowlist = fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 0, maxLength: 3 });

const createArb = fc.record({
  kind: fc.constant("create" as const), delegate: fc.integer({ min: 0, max: 1 }), expiryDelta: fc.integer({ min: -1, max: 12 }),
  maxUses: fc.integer({ min: 0, max: 4 }), maxAmountPerTx: fc.bigInt({ min: 0n, max: 100n }), maxTotalAmount: budget, allowed: allowlist,
});

const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 2, arbitrary: createArb },
  { weight: 6, arbitrary: fc.record({
    kind: fc.constant("use" as const), pick: fc.integer({ min: 0, max: 15 }), rightSigner: fc.constantFrom(true, true, true, true, false),
    nonceOffset: fc.constantFrom(0, 0, 0, 0, -1, 1), amount, destination: fc.integer({ min: 0, max: 3 }),
  }) },
  { weight: 2, arbitrary: fc.record({
    kind: fc.constant("update" as const), pick: fc.integer({ min: 0, max: 15 }), expiryDelta: fc.option(fc.integer({ min: -1, max: 12 }), { nil: undefined }),
    maxUses: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }), maxAmountPerTx: fc.option(fc.bigInt({ min: 0n, max: 100n }), { nil: undefined }),
    maxTotalAmount: fc.option(budget, { nil: undefined }), allowed: fc.option(allowlist, { nil: undefined }),
  }, { requiredKeys: ["kind", "pick"] }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("revoke" as const), pick: fc.integer({ min: 0, max: 15 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: "revokeAll" as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("close" as const), pick: fc.integer({ min: 0, max: 15 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("warp" as const), slots: fc.integer({ min: 1, max: 8 }) }) },
);

// ---------------------------------------------------------------- one sequence

/**
 * `pick mod count` by subtraction (-1 when there is no session). Written when
 * a process running LiteSVM 0.8 sometimes computed a remainder as NaN (here
 * `0 % 1`, reproducibly for one seed; docs/build.md, "Resolved"); LiteSVM 1.x
 * leaves floating point intact (tests/fpu.test.ts), and subtraction stays.
 */
function pickSession(pick: number, count: number): number {
  if (count === 0) return -1;
  let id = pick;
  while (id >= count) id -= count;
  return id;
}


/** Someone other than delegate i: the other delegate or the stranger (index 2). */
const WRONG_SIGNER = [1, 2];

interface Keys { delegates: Keypair[] /* 0, 1: delegates; 2: a stranger */ }

class Runner {
  constructor(readonly env: TestEnv, readonly fx: PolicyFixture, readonly keys: Keys, readonly m: ModelState) {}

  private sessionAddress(id: number): PublicKey {
    return this.fx.client.sessionAddress(this.fx.policy, id);
  }

  private async deploy(action: Action, signer: Keypair): Promise<Outcome> {
    const r = await this.fx.client.deploy(action, [signer]);
    return r.ok ? { ok: true } : { ok: false, error: r.error!.name };
  }

  private admin(): { policy: PublicKey; admin: PublicKey } {
    return { policy: this.fx.policy, admin: this.fx.admin.publicKey };
  }

  /** Runs `cmd` on chain and in the model; returns both outcomes (undefined: nothing to act on). */
  async step(cmd: Cmd): Promise<{ chain: Outcome; model: Outcome } | undefined> {
    const { m, fx } = this;
    const id = "pick" in cmd ? pickSession(cmd.pick, m.sessions.length) : 0;
    if (id < 0) return undefined;
    switch (cmd.kind) {
      case "create": {
        const args = {
          delegate: cmd.delegate, expirySlot: slotAfter(m.slot, cmd.expiryDelta), maxUses: cmd.maxUses,
          maxAmountPerTx: cmd.maxAmountPerTx, maxTotalAmount: cmd.maxTotalAmount, allowed: cmd.allowed,
        };
        const action = await createSession(fx.client, {
          ...this.admin(), sessionId: m.sessions.length,
          limits: {
            delegate: this.keys.delegates[cmd.delegate].publicKey, expirySlot: args.expirySlot, maxUses: cmd.maxUses,
            maxAmountPerTx: cmd.maxAmountPerTx, maxTotalAmount: cmd.maxTotalAmount, allowedPrograms: cmd.allowed.map((i) => DESTINATIONS[i]),
          },
        });
        const chain = await this.deploy(action, fx.admin);
        return { chain, model: applyCreate(m, args) };
      }
      case "use": {
        const s = m.sessions[id];
        const signer = cmd.rightSigner ? s.delegate : WRONG_SIGNER[s.delegate];
        const nonce = s.nonce + BigInt(cmd.nonceOffset) < 0n ? 0n : s.nonce + BigInt(cmd.nonceOffset);
        const chain = await useSession(fx, { sessionId: id, session: this.sessionAddress(id), delegate: this.keys.delegates[s.delegate], limits: undefined as never }, {
          signer: this.keys.delegates[signer], nonce, amount: cmd.amount, destinationProgram: DESTINATIONS[cmd.destination],
          messageDigest: randomBytes(32), // Ika approves a digest once per dWallet; each attempt is a new message
        }).then((r) => (r.ok ? { ok: true } as Outcome : { ok: false, error: r.error!.name }));
        return { chain, model: applyUse(m, id, { signer, nonce, amount: cmd.amount, destination: cmd.destination }) };
      }
      case "update": {
        const changes: UpdateArgs = {
          expirySlot: cmd.expiryDelta === undefined ? undefined : slotAfter(m.slot, cmd.expiryDelta),
          maxUses: cmd.maxUses, maxAmountPerTx: cmd.maxAmountPerTx, maxTotalAmount: cmd.maxTotalAmount, allowed: cmd.allowed,
        };
        const action = await updateSession(fx.client, {
          ...this.admin(), session: this.sessionAddress(id),
          changes: {
            expirySlot: changes.expirySlot, maxUses: changes.maxUses, maxAmountPerTx: changes.maxAmountPerTx,
            maxTotalAmount: changes.maxTotalAmount, allowedPrograms: changes.allowed?.map((i) => DESTINATIONS[i]),
          },
        });
        const chain = await this.deploy(action, fx.admin);
        return { chain, model: applyUpdate(m, id, changes) };
      }
      case "revoke":
        return { chain: await this.deploy(await revokeSession(fx.client, { ...this.admin(), session: this.sessionAddress(id) }), fx.admin), model: applyRevoke(m, id) };
      case "revokeAll":
        return { chain: await this.deploy(await revokeAllSessions(fx.client, this.admin()), fx.admin), model: applyRevokeAll(m) };
      case "close":
        return { chain: await this.deploy(await closeSession(fx.client, { ...this.admin(), session: this.sessionAddress(id) }), fx.admin), model: applyClose(m, id) };
      case "warp":
        await this.env.chain.warpToSlot(m.slot + BigInt(cmd.slots));
        return { chain: { ok: true }, model: applyWarp(m, BigInt(cmd.slots)) };
    }
  }

  /** Chain state == model state, for the policy and every session id handed out. */
  async compareState(where: string): Promise<void> {
    const { m, fx } = this;
    const policy = (await fx.client.fetchPolicy(fx.policy))!;
    expect(toBig(policy.epoch), `${where}: policy epoch`).to.equal(m.epoch);
    expect(toBig(policy.nextSessionId), `${where}: next session id`).to.equal(BigInt(m.sessions.length));
    expect(await this.env.chain.getSlot(), `${where}: slot`).to.equal(m.slot);
    const infos = await this.env.chain.getMultipleAccounts(m.sessions.map((_, i) => this.sessionAddress(i)));
    m.sessions.forEach((ms, i) => {
      const label = `${where}: session ${i}`;
      const s = fx.client.decodeAccount("session", infos[i]) as Awaited<ReturnType<typeof fx.client.fetchSession>>;
      if (ms.closed) {
        expect(infos[i], `${label} should be closed`).to.equal(null);
        return;
      }
      expect(s, `${label} should exist`).to.not.equal(null);
      const onChain = {
        uses: s!.uses, nonce: toBig(s!.nonce), spent: toBig(s!.spent), revoked: s!.revoked !== 0,
        status: sessionStatus({ revoked: s!.revoked, epoch: toBig(s!.epoch), expirySlot: toBig(s!.expirySlot), uses: s!.uses, maxUses: s!.maxUses }, m.slot, m.epoch),
      };
      expect(onChain, label).to.deep.equal({ uses: ms.uses, nonce: ms.nonce, spent: ms.spent, revoked: ms.revoked, status: statusOf(m, ms) });
    });
  }
}

/** `delta` slots from `slot`; at slot 0 nothing lies in the past, so -1 stays 0 (a u64 cannot be negative). */
function slotAfter(slot: bigint, delta: number): bigint {
  const at = slot + BigInt(delta);
  return at < 0n ? 0n : at;
}

const show = (c: Cmd) => JSON.stringify(c, (_, v) => (typeof v === "bigint" ? `${v}n` : v));

describe("property: program == reference model [litesvm]", function () {
  this.timeout(0);
  let env: TestEnv;
  let keys: Keys;

  before(async () => {
    env = await createEnv("litesvm");
    keys = { delegates: await env.funded(3) };
  });

  it(`${RUNS} random sequences of create/use/update/revoke/revoke-all/close/warp agree step by step`, async () => {
    console.log(`      property seed=${SEED} runs=${RUNS} (replay: PROPERTY_SEED=${SEED})`);
    const started = Date.now();
    let steps = 0;
    let failures = 0;
    // Most sequences open with a create or two, so the steps after have a session to act on.
    const sequence = fc.tuple(fc.array(createArb, { minLength: 0, maxLength: 2 }), fc.array(cmdArb, { minLength: 1, maxLength: 10 }))
      .map(([creates, rest]): Cmd[] => [...creates, ...rest]);
    const property = fc.asyncProperty(sequence, async (cmds) => {
      const fx = await setupPolicy(env);
      const runner = new Runner(env, fx, keys, newModel(await env.chain.getSlot()));
      for (const [i, cmd] of cmds.entries()) {
        const r = await runner.step(cmd);
        if (!r) continue;
        steps++;
        if (!r.chain.ok) failures++;
        const where = `step ${i} ${show(cmd)}`;
        expect(r.chain, `${where}: outcome`).to.deep.equal(r.model);
        await runner.compareState(where);
      }
    });
    try {
      await fc.assert(property, { numRuns: RUNS, seed: SEED });
    } catch (e) {
      console.log(`      property FAILED with seed=${SEED}: rerun with PROPERTY_SEED=${SEED}`);
      throw e;
    }
    const seconds = (Date.now() - started) / 1000;
    console.log(`      ${RUNS} sequences, ${steps} steps (${failures} expected failures) in ${seconds.toFixed(1)} s`);
    expect(steps).to.be.greaterThan(RUNS);
  });
});

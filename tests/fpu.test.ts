/**
 * The host's floating point after LiteSVM has run the program. LiteSVM 0.8's
 * addon returned from an SBPF `callx` with the x87 register stack in use, and
 * the next x87 computation in the process went wrong: glibc's `fmod` (JS `%`
 * on doubles) returned NaN. The project reset the stack after every call with
 * an N-API helper. LiteSVM 1.x leaves it empty; this suite runs real uses of
 * approve_message (sent, previewed, refused) and checks after each one, in the
 * same process and with no reset anywhere, that floating point is intact.
 */
import { expect } from "chai";
import { BN } from "@coral-xyz/anchor";
import { approveMessage } from "../app/src/client";
import { createEnv, DESTINATION, PolicyFixture, setupPolicy, setupSession, useSession } from "./harness";

// Read at run time, so no compiler folds the arithmetic below into constants.
const [FIVE_AND_A_HALF, TWO, MINUS_SEVEN_AND_A_QUARTER, TWO_POW_64, TEN, ONE, THREE, POINT_ONE] =
  JSON.parse("[5.5, 2, -7.25, 18446744073709551616, 10, 1, 3, 0.1]") as number[];

/** Results of computations that go through x87 (`fmod` is `fprem`) or SSE, each beside its right answer. */
function floatingPoint() {
  return {
    "5.5 % 2": [FIVE_AND_A_HALF % TWO, 1.5],
    "-7.25 % 2": [MINUS_SEVEN_AND_A_QUARTER % TWO, -1.25],
    "2**64 % 10": [TWO_POW_64 % TEN, 6],
    "1 / 3": [ONE / THREE, 0.3333333333333333],
    "5.5 / 2": [FIVE_AND_A_HALF / TWO, 2.75],
    "Math.fround(0.1)": [Math.fround(POINT_ONE), 0.10000000149011612],
    "Math.fround(5.5)": [Math.fround(FIVE_AND_A_HALF), 5.5],
    // bn.js prints a u64 by repeated division and remainder.
    "u64::MAX as BN": [new BN("18446744073709551615").toString(), "18446744073709551615"],
  };
}

function expectIntact(after: string): void {
  const results = floatingPoint();
  const wrong = Object.entries(results).filter(([, [got, want]]) => !Object.is(got, want));
  expect(Object.fromEntries(wrong), `after ${after}: computations that went wrong (got, want)`).to.deep.equal({});
}

describe("host floating point after LiteSVM runs the program [litesvm]", function () {
  let fx: PolicyFixture;

  before(async () => {
    expectIntact("nothing (the process itself)");
    fx = await setupPolicy(await createEnv("litesvm"));
  });

  it("loads no x87 reset helper", () => {
    expect(Object.keys(require.cache).filter((f) => /fpu_reset|chain[\\/]local[\\/]fpu/.test(f))).to.deep.equal([]);
  });

  it("is intact after an approve_message is sent", async () => {
    const s = await setupSession(fx);
    const r = await useSession(fx, s, { amount: 7n });
    expect(r.ok, r.error?.name).to.equal(true);
    expectIntact("a successful approve_message");
  });

  it("is intact after an approve_message is previewed (simulated)", async () => {
    const s = await setupSession(fx);
    const action = await approveMessage(fx.client, {
      policy: fx.policy, session: s.session, delegate: s.delegate.publicKey,
      message: Buffer.alloc(32, 5), amount: 1n, destinationProgram: DESTINATION,
    });
    const preview = await fx.client.preview(action);
    expect(preview.ok, preview.error?.name).to.equal(true);
    expectIntact("a simulated approve_message");
  });

  it("is intact after an approve_message is refused (the program formats its error)", async () => {
    const s = await setupSession(fx, { maxAmountPerTx: 10n });
    const r = await useSession(fx, s, { amount: 11n });
    expect(r.error?.name).to.equal("AmountExceedsMax");
    expectIntact("a refused approve_message");
  });

  it("stays intact over many uses", async () => {
    const s = await setupSession(fx, { maxUses: 20 });
    for (let i = 0; i < 20; i++) {
      const r = await useSession(fx, s);
      expect(r.ok, r.error?.name).to.equal(true);
      expectIntact(`use ${i + 1} of 20`);
    }
  });
});

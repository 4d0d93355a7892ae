/**
 * Signature schemes against the dWallet's curve. Ika's program accepts any
 * u16 scheme; its network refuses an impossible (curve, scheme) pair only
 * after the approval exists. So the program is the only check: for each
 * curve, its schemes pass and every other scheme fails with SchemeNotForCurve,
 * at creation, update and use; within a curve, the session's mask decides.
 */
import { createSession, Curve, CURVE_NAMES, CURVE_SCHEMES, schemeMask, SignatureScheme, updateSession } from "../app/src/client";
import { defaultLimits, describeOnEachRuntime, expectFailsUnchanged, expectOk, setupPolicy, setupSession, useSession } from "./harness";

const SCHEMES = [0, 1, 2, 3, 4, 5, 6];
const CURVES = [Curve.Secp256k1, Curve.Secp256r1, Curve.Curve25519, Curve.Ristretto];
const signs = (curve: Curve, scheme: number) => (CURVE_SCHEMES[curve] & (1 << scheme)) !== 0;

describeOnEachRuntime("signature schemes per curve", (env) => {
  for (const curve of CURVES) {
    it(`${CURVE_NAMES[curve]}: its schemes pass at creation and use; another curve's fail with SchemeNotForCurve`, async () => {
      const fx = await setupPolicy(env(), curve);
      // Creation: the curve's whole mask passes (the client's default)…
      const s = await setupSession(fx, { maxUses: 20 });
      for (const scheme of SCHEMES.filter((x) => signs(curve, x))) await expectOk(useSession(fx, s, { signatureScheme: scheme }));
      // …one scheme of another curve added to it fails.
      const foreign = SCHEMES.find((x) => !signs(curve, x))!;
      const limits = await defaultLimits(env(), s.delegate.publicKey, { allowedSchemes: CURVE_SCHEMES[curve] | schemeMask(foreign) });
      const create = await createSession(fx.client, { policy: fx.policy, admin: fx.admin.publicKey, limits });
      await expectFailsUnchanged(env().chain, [fx.policy, create.session], () => fx.client.deploy(create, [fx.admin]), "SchemeNotForCurve");
      // Use: every scheme the curve cannot sign, and schemes Ika does not know.
      for (const scheme of [...SCHEMES.filter((x) => !signs(curve, x)), 7, 0xffff]) {
        await expectFailsUnchanged(env().chain, [fx.policy, s.session], () => useSession(fx, s, { signatureScheme: scheme }), "SchemeNotForCurve");
      }
    });
  }

  it("within a curve the session's mask decides: an allowed scheme passes, another of the curve fails with SchemeNotAllowed", async () => {
    const fx = await setupPolicy(env(), Curve.Secp256k1);
    const s = await setupSession(fx, { allowedSchemes: schemeMask(SignatureScheme.EcdsaKeccak256) });
    await expectOk(useSession(fx, s, { signatureScheme: SignatureScheme.EcdsaKeccak256 }));
    for (const scheme of [SignatureScheme.EcdsaSha256, SignatureScheme.TaprootSha256]) {
      await expectFailsUnchanged(env().chain, [fx.policy, s.session], () => useSession(fx, s, { signatureScheme: scheme }), "SchemeNotAllowed");
    }
  });

  it("update: a mask of the curve's schemes passes, one with another curve's scheme fails", async () => {
    const fx = await setupPolicy(env(), Curve.Secp256k1);
    const s = await setupSession(fx, { allowedSchemes: schemeMask(SignatureScheme.EcdsaKeccak256) });
    const widen = await updateSession(fx.client, { policy: fx.policy, admin: fx.admin.publicKey, session: s.session, changes: { allowedSchemes: schemeMask(SignatureScheme.EcdsaSha256) } });
    await expectOk(fx.client.deploy(widen, [fx.admin]));
    await expectOk(useSession(fx, s, { signatureScheme: SignatureScheme.EcdsaSha256 }));
    const foreign = await updateSession(fx.client, { policy: fx.policy, admin: fx.admin.publicKey, session: s.session, changes: { allowedSchemes: schemeMask(SignatureScheme.EddsaSha512) } });
    await expectFailsUnchanged(env().chain, [s.session], () => fx.client.deploy(foreign, [fx.admin]), "SchemeNotForCurve");
  });
});

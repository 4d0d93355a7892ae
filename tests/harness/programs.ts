/**
 * The programs under test and where the build puts them: session_keys, and
 * Ika's program — the stand-in, or Ika's binary when `IKA_PROGRAM_SO` names it.
 */
import * as fs from "fs";
import * as path from "path";
import { PublicKey } from "@solana/web3.js";
import type { BankrunProgram } from "../../app/src/chain/local";
import { ikaProgram } from "../../app/src/local/ika-network";

export const REPO_ROOT = path.resolve(__dirname, "../..");
export const DEPLOY_DIR = process.env.SBF_OUT_DIR ?? path.join(REPO_ROOT, "target/deploy");

export const SESSION_KEYS_ID = new PublicKey("CJ7KZvQrEyXqs1vz8iq1Shjg2Yt4W8He814zwuCg3Q9r");
export const SESSION_KEYS_SO = path.join(DEPLOY_DIR, "session_keys.so");

/** TEST FIXTURE ONLY (tests/fixtures/cpi-caller): forwards its instruction by CPI; `withCpiCaller` deploys it. */
export const CPI_CALLER_ID = new PublicKey("Ca11erCpiFixture111111111111111111111111111");
export const CPI_CALLER_SO = path.join(DEPLOY_DIR, "cpi_caller_fixture.so");

/** Which Ika every suite of this run uses. */
export const IKA = ikaProgram(DEPLOY_DIR);

/** session_keys, failing loudly (not skipping) when the build has not produced it. Ika is deployed by `deployIka`. */
export function builtPrograms(): BankrunProgram[] {
  if (!fs.existsSync(SESSION_KEYS_SO)) throw new Error(`${SESSION_KEYS_SO} is missing: run the build (npm run build) first`);
  return [{ programId: SESSION_KEYS_ID, soPath: SESSION_KEYS_SO }];
}

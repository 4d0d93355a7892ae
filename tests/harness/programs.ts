/** The two programs under test and where the build puts them. */
import * as fs from "fs";
import * as path from "path";
import { PublicKey } from "@solana/web3.js";
import type { BankrunProgram } from "../../app/src/chain";
// Test-only Ika dWallet stand-in (tests/fixtures/ika-stand-in); exported by ./stand-in.
import { STAND_IN_ID } from "../../app/src/local/stand-in";

export const REPO_ROOT = path.resolve(__dirname, "../..");
const DEPLOY_DIR = process.env.SBF_OUT_DIR ?? path.join(REPO_ROOT, "target/deploy");

export const SESSION_KEYS_ID = new PublicKey("CJ7KZvQrEyXqs1vz8iq1Shjg2Yt4W8He814zwuCg3Q9r");

export const SESSION_KEYS_SO = path.join(DEPLOY_DIR, "session_keys.so");
export const STAND_IN_SO = path.join(DEPLOY_DIR, "ika_dwallet_stand_in.so");

/** Both programs, failing loudly (not skipping) when the build has not produced them. */
export function builtPrograms(): BankrunProgram[] {
  for (const so of [SESSION_KEYS_SO, STAND_IN_SO]) {
    if (!fs.existsSync(so)) throw new Error(`${so} is missing: run the build (npm run build) first`);
  }
  return [
    { programId: SESSION_KEYS_ID, soPath: SESSION_KEYS_SO },
    { programId: STAND_IN_ID, soPath: STAND_IN_SO },
  ];
}

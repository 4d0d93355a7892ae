/**
 * Empties the x87 register stack after a call into LiteSVM 0.8's addon, which
 * leaves it in use after executing an SBPF `callx` (docs/build.md, "Known
 * issue"); without this, later float `%` in the process returns NaN. The
 * native helper is built by scripts/setup.sh; on x86 it is required.
 */
import { existsSync } from "fs";
import { join } from "path";

const HELPER = join(__dirname, "../../../../target/native/fpu_reset.node");
const needed = process.arch === "x64" || process.arch === "ia32";

let reset: () => void = () => {};
if (needed) {
  if (!existsSync(HELPER)) {
    throw new Error(`${HELPER} is missing: run scripts/setup.sh (it builds the x87 reset LiteSVM 0.8 needs)`);
  }
  reset = require(HELPER).reset;
}

/** Call after every LiteSVM call that may have executed a program. */
export function resetFpu(): void {
  reset();
}

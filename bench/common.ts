/** What both benchmarks share: the allowlisted destination and how figures are summarised and printed. */
import { PublicKey } from "@solana/web3.js";

/** The destination program every benchmarked session allows and every use names. */
export const DESTINATION = new PublicKey("JUP6LkbZbjS1jKKwapdHNy74zcZ3tLUZoi5QNyVTaV4");

/** The installed litesvm, which the benchmark titles name (compute units can change between its releases). */
export const LITESVM_VERSION: string = require("litesvm/package.json").version;

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
export const sum = (xs: number[] | undefined) => (xs ?? []).reduce((a, b) => a + b, 0);
export const fmt = (n: number) => n.toLocaleString("en-US");

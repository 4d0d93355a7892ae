/** Error normalisation across backends and naming through logs/registries (no runtime needed). */
import { expect } from "chai";
import { SystemProgram } from "@solana/web3.js";
import { fromDisplayString, fromRpcError } from "../app/src/chain/errors";
import { ErrorRegistry, nameFailure } from "../app/src/client/errors";

describe("error names", () => {
  it("reads bankrun's Display strings", () => {
    expect(fromDisplayString("Error processing Instruction 0: custom program error: 0x1770")).to.include({ name: "Custom", customCode: 6000, instructionIndex: 0 });
    expect(fromDisplayString("Error processing Instruction 1: missing required signature for instruction")).to.include({ name: "MissingRequiredSignature", instructionIndex: 1 });
    expect(fromDisplayString("This transaction has already been processed").name).to.equal("AlreadyProcessed");
  });

  it("reads RPC JSON errors", () => {
    expect(fromRpcError({ InstructionError: [2, { Custom: 6001 }] })).to.include({ name: "Custom", customCode: 6001, instructionIndex: 2 });
    expect(fromRpcError({ InstructionError: [0, "InvalidAccountData"] }).name).to.equal("InvalidAccountData");
    expect(fromRpcError("BlockhashNotFound").name).to.equal("BlockhashNotFound");
  });

  it("prefers Anchor's logged error name, else the failing program's table", () => {
    const registry = new ErrorRegistry().register("Prog1111111111111111111111111111111111111111", [{ code: 8, name: "MessageAlreadyApproved" }]);
    const anchorLogs = ["Program log: AnchorError occurred. Error Code: Expired. Error Number: 6005. Error Message: Session expired."];
    expect(nameFailure(anchorLogs, { name: "Custom", customCode: 6005, raw: "" }, registry).name).to.equal("Expired");
    const cpiLogs = [
      "Program Prog1111111111111111111111111111111111111111 failed: custom program error: 0x8",
      "Program Outer111111111111111111111111111111111111 failed: custom program error: 0x8",
    ];
    expect(nameFailure(cpiLogs, { name: "Custom", customCode: 8, raw: "" }, registry)).to.include({
      name: "MessageAlreadyApproved", programId: "Prog1111111111111111111111111111111111111111",
    });
    // An inner program that failed with another code does not claim the outer program's error.
    const outerOwn = [
      "Program Prog1111111111111111111111111111111111111111 failed: custom program error: 0x3",
      "Program Outer111111111111111111111111111111111111 failed: custom program error: 0x8",
    ];
    expect(nameFailure(outerOwn, { name: "Custom", customCode: 8, raw: "" }, registry)).to.include({
      name: "Custom(8)", programId: "Outer111111111111111111111111111111111111",
    });
    const sysLogs = [`Program ${SystemProgram.programId.toBase58()} failed: custom program error: 0x0`];
    expect(nameFailure(sysLogs, { name: "Custom", customCode: 0, raw: "" }, registry).name).to.equal("AccountAlreadyInUse");
    expect(nameFailure([], { name: "MissingRequiredSignature", raw: "" }, registry).name).to.equal("MissingRequiredSignature");
  });
});

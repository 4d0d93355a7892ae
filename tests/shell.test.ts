/** app/src/shell: what the CLI, the API and the deploy script share (the flag parser of the latter two, keypair files). */
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Keypair } from "@solana/web3.js";
import { parseArgs } from "../app/src/shell/args";
import { loadKeypair } from "../app/src/shell/parse";

describe("shell", () => {
  it("reads positionals, --flag value, --flag=value and switches; refuses unknown flags", () => {
    const a = parseArgs(["use", "3", "--amount", "10", "--digest=ab", "--yes"], { values: ["amount", "digest"], switches: ["yes"] });
    expect(a.positionals).to.deep.equal(["use", "3"]);
    expect([a.flags.get("amount"), a.flags.get("digest"), a.switches.has("yes")]).to.deep.equal(["10", "ab", true]);
    expect(() => parseArgs(["--amout", "1"], { values: ["amount"] })).to.throw("unknown option --amout");
    expect(() => parseArgs(["--amount"], { values: ["amount"] })).to.throw("--amount needs a value");
  });

  it("a broken keypair file is named with its problem, never with bytes of its content", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "session-keys-keypair-"));
    try {
      const secret = [...Keypair.generate().secretKey];
      const text = JSON.stringify(secret);
      const typo = path.join(dir, "typo.json");
      fs.writeFileSync(typo, text.slice(0, 100) + "x" + text.slice(101)); // one character wrong, mid-key
      const short = path.join(dir, "short.json");
      fs.writeFileSync(short, JSON.stringify(secret.slice(0, 63)));
      for (const [file, problem] of [[typo, /is not valid JSON/], [short, /is not a keypair file/], [path.join(dir, "none.json"), /ENOENT/]] as const) {
        let message = "";
        try {
          loadKeypair(file, "--keypair");
        } catch (e) {
          message = (e as Error).message;
        }
        expect(message).to.match(problem).and.to.include(file);
        // No run of three secret bytes from the file appears in the message.
        for (let i = 0; i + 3 <= secret.length; i++) expect(message).to.not.include(secret.slice(i, i + 3).join(","));
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

// Writes target/types/<program>.ts from target/idl/<program>.json: the IDL in
// camelCase as a TypeScript type, the helper `anchor build` generates for
// `Program<T>`. Uses @coral-xyz/anchor's own conversion so the type matches
// what Program does with the IDL at run time.
import { readFileSync, writeFileSync, mkdirSync } from "fs";
import { convertIdlToCamelCase } from "@coral-xyz/anchor/dist/cjs/idl";

const [idlPath, outPath] = process.argv.slice(2);
const idl = JSON.parse(readFileSync(idlPath, "utf8"));
const name: string = idl.metadata.name;
const typeName = name.split("_").map((w) => w[0].toUpperCase() + w.slice(1)).join("");
const body = JSON.stringify(convertIdlToCamelCase(idl), null, 2);
mkdirSync(require("path").dirname(outPath), { recursive: true });
writeFileSync(
  outPath,
  `/**\n * Program IDL in camelCase format in order to be used in JS/TS.\n *\n` +
    ` * Note that this is only a type helper and is not the actual IDL. The original\n` +
    ` * IDL can be found at \`target/idl/${name}.json\`.\n */\n` +
    `export type ${typeName} = ${body};\n`,
);

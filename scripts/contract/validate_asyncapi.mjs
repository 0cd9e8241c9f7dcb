// Validate an AsyncAPI document with the official parser (@asyncapi/parser, pinned in package.json).
// Usage: node scripts/contract/validate_asyncapi.mjs openapi/asyncapi.yaml
// Exit 1 on any error or warning (severity 0 or 1); hints and information are printed only.
import { Parser, fromFile } from "@asyncapi/parser";

const path = process.argv[2];
if (!path) {
  console.error("usage: validate_asyncapi.mjs <asyncapi.yaml>");
  process.exit(2);
}
const parser = new Parser();
const { document, diagnostics } = await fromFile(parser, path).parse();
const names = ["error", "warning", "info", "hint"];
let failing = 0;
for (const d of diagnostics) {
  const where = (d.path || []).join(".");
  console.log(`${path} ${names[d.severity] ?? d.severity} ${d.code}: ${d.message} ${where ? `(${where})` : ""}`);
  if (d.severity <= 1) failing += 1;
}
if (!document) failing = Math.max(failing, 1);
console.log(`${path}: ${failing} errors or warnings, ${diagnostics.length} diagnostics in all`);
process.exit(failing ? 1 : 0);

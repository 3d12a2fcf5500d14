// Checks every response the HTTP API tests saved against the server's OpenAPI document.
//
//   node web/tests/api/validate-responses.mjs DIR
//
// DIR holds openapi.json, manifest.jsonl (name, route, method, status per response) and one
// <name>.json per response (written by tests/http/http_test.cc). Each body is validated with
// the schema the document gives for that route, method and status (JSON Schema 2020-12, as
// OpenAPI 3.1 uses). Exit 1 with every mismatch listed; 0 when all conform.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv2020 from "ajv/dist/2020.js";

const dir = process.argv[2];
if (!dir) {
  console.error("usage: validate-responses.mjs DIR");
  process.exit(2);
}
const doc = JSON.parse(readFileSync(join(dir, "openapi.json"), "utf8"));
const ajv = new Ajv2020({ strict: false, allErrors: true });
ajv.addSchema({ $id: "openapi", ...doc.components }, "openapi");

// "#/components/schemas/X" refers into the document's components.
const resolveRefs = (schema) =>
  JSON.parse(
    JSON.stringify(schema).replaceAll('"#/components/', '"openapi#/'),
  );

const compiled = new Map();
function validatorFor(route, method, status) {
  const key = `${route} ${method} ${status}`;
  if (compiled.has(key)) return compiled.get(key);
  const path = doc.paths[`/api/v1/${route}`];
  const op = path?.[method];
  const response = op?.responses?.[String(status)];
  const schema = response?.content?.["application/json"]?.schema;
  const v = schema ? ajv.compile(resolveRefs(schema)) : null;
  compiled.set(key, v);
  return v;
}

const lines = readFileSync(join(dir, "manifest.jsonl"), "utf8").split("\n").filter(Boolean);
let failures = 0;
for (const line of lines) {
  const { name, route, method, status } = JSON.parse(line);
  const v = validatorFor(route, method, status);
  if (!v) {
    // Routes outside /api/v1/<operation> (an unknown route's 404) use the error schema.
    const err = ajv.compile(resolveRefs({ $ref: "#/components/schemas/Error" }));
    const body = JSON.parse(readFileSync(join(dir, `${name}.json`), "utf8"));
    if (status === 200 || !err(body)) {
      console.error(`${name}: no schema for ${method.toUpperCase()} /api/v1/${route} ${status}`);
      failures++;
    }
    continue;
  }
  const body = JSON.parse(readFileSync(join(dir, `${name}.json`), "utf8"));
  if (!v(body)) {
    failures++;
    console.error(`${name} (${method.toUpperCase()} /api/v1/${route} ${status}):`);
    for (const e of v.errors.slice(0, 8)) console.error(`  ${e.instancePath || "/"} ${e.message}`);
  }
}
console.log(`${lines.length} responses checked against the OpenAPI document, ${failures} failing`);
process.exit(failures === 0 ? 0 : 1);

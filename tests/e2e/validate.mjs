// Windmill's own validators on mf-windmill's output.
// Usage: node tests/e2e/validate.mjs DIR
// DIR holds compiled flows: <name>.json (OpenFlow, --format json) and <name>.wmill/ trees
// (--format wmill). Checks:
//  - windmill-yaml-validator: every flow (as YAML) and every *.schedule.yaml;
//  - windmill-parser-wasm-regex parse_bash: every bash script's signature is exactly the
//    arguments its input_transforms name, in order;
//  - `wmill lint` (windmill-cli) on every .wmill tree.
// Prints one JSON line per finding; exit 1 if any.
import fs from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const nm = path.join(here, "node_modules");
const { WindmillYamlValidator } = await import(pathToFileURL(path.join(nm, "windmill-yaml-validator", "dist", "index.js")).href);
const yaml = (await import(pathToFileURL(path.join(nm, "js-yaml", "index.js")).href)).default;
const wmDir = path.join(nm, "windmill-parser-wasm-regex");
const wm = await import(pathToFileURL(path.join(wmDir, "windmill_parser_wasm.js")).href);
await wm.default({ module_or_path: fs.readFileSync(path.join(wmDir, "windmill_parser_wasm_bg.wasm")) });

const dir = process.argv[2];
const validator = new WindmillYamlValidator();
const problems = [];
let flows = 0, scripts = 0, schedules = 0, linted = 0;

const scriptsOf = (mods, out) => {
  for (const m of mods || []) {
    const v = m.value || {};
    if (v.type === "rawscript") out.push(m);
    scriptsOf(v.modules, out);
    scriptsOf(v.default, out);
    for (const b of v.branches || []) scriptsOf(b.modules, out);
  }
  return out;
};

const walk = (d) => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) =>
  e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]);

for (const f of fs.readdirSync(dir).sort()) {
  const p = path.join(dir, f);
  if (f.endsWith(".json")) {
    flows++;
    const flow = JSON.parse(fs.readFileSync(p, "utf8"));
    const r = validator.validate(yaml.dump(flow, { lineWidth: -1 }), { type: "flow" });
    const errs = r.errors || [];
    if (errs.length) problems.push({ file: f, validator: "windmill-yaml-validator", errors: errs.slice(0, 5) });
    for (const m of scriptsOf(flow.value.modules, [])) {
      scripts++;
      if (m.value.language !== "bash") { problems.push({ file: f, module: m.id, error: "not bash" }); continue; }
      const sig = JSON.parse(wm.parse_bash(m.value.content));
      const got = (sig.args || []).map((a) => a.name);
      const want = Object.keys(m.value.input_transforms);
      if (JSON.stringify(got) !== JSON.stringify(want)) {
        problems.push({ file: f, module: m.id, validator: "parse_bash", got, want });
      }
    }
  } else if (f.endsWith(".wmill") && fs.statSync(p).isDirectory()) {
    for (const y of walk(p).filter((x) => x.endsWith(".schedule.yaml"))) {
      schedules++;
      const r = validator.validate(fs.readFileSync(y, "utf8"), { type: "schedule" });
      if ((r.errors || []).length) problems.push({ file: y, validator: "windmill-yaml-validator(schedule)", errors: r.errors.slice(0, 5) });
    }
    try {
      linted++;
      execFileSync(path.join(nm, ".bin", "wmill"), ["lint", path.resolve(p)], { stdio: "pipe", cwd: path.resolve(p), env: { ...process.env, WMILL_CONFIG_DIR: fs.mkdtempSync("/tmp/wmill-cfg-") } });
    } catch (e) {
      problems.push({ file: f, validator: "wmill lint", status: e.status, output: String(e.stdout) + String(e.stderr) });
    }
  }
}
for (const p of problems) console.log(JSON.stringify(p));
console.log(JSON.stringify({ flows, scripts, schedules, linted, problems: problems.length }));
process.exit(problems.length ? 1 : 0);

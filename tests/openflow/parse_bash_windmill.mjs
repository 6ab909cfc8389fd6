// Runs Windmill's own bash signature parser (npm `windmill-parser-wasm-regex`, `parse_bash`)
// on every bash script of the fixtures in this directory plus extra edge cases, and prints
// one JSON line per script: {"content": ..., "args": [{"name", "default"}]}.
// Usage: node tests/openflow/parse_bash_windmill.mjs <node_modules dir>
// (tests/local_parser_compat.rs runs it when WINDMILL_PARSER_NODE_MODULES is set.)
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const modDir = path.join(process.argv[2], "windmill-parser-wasm-regex");
const wm = await import(pathToFileURL(path.join(modDir, "windmill_parser_wasm.js")).href);
await wm.default({ module_or_path: fs.readFileSync(path.join(modDir, "windmill_parser_wasm_bg.wasm")) });

const here = path.dirname(fileURLToPath(import.meta.url));
const scripts = [];
const walk = (mods) => {
  for (const m of mods || []) {
    const v = m.value || {};
    if (v.type === "rawscript" && v.language === "bash") scripts.push(v.content);
    walk(v.modules);
    walk(v.default);
    for (const b of v.branches || []) walk(b.modules);
  }
};
for (const f of fs.readdirSync(here).filter((f) => f.endsWith(".json")).sort()) {
  const flow = JSON.parse(fs.readFileSync(path.join(here, f), "utf8"));
  walk(flow.value.modules);
  if (flow.value.failure_module) walk([flow.value.failure_module]);
}
scripts.push(
  'a="$1"\r\nb="${2}"\r\n',
  'a="${1:-x}"y}"  # c\n',
  'a="$1" x\n',
  'a="$1"\na2="$1"\nb="$2"\n',
  '\té="$1"\n',
  'n="${1:-a b "c"}"\n',
  Array.from({ length: 25 }, (_, i) => `v${i + 1}="$${i + 1}"`).join("\n"),
);
for (const content of scripts) {
  const sig = JSON.parse(wm.parse_bash(content));
  const args = sig.args.map((a) => ({ name: a.name, default: a.default ?? null }));
  console.log(JSON.stringify({ content, args }));
}

#!/usr/bin/env bash
# Compile-time benchmark: mf-windmill compile (release) on a 15-step flow and a generated
# 5,000-step flow, time and peak memory, next to Metaflow's own `python flow.py check`
# (import + FlowGraph + lint) on the same files as the Python baseline.
# Usage: scripts/bench_compile.sh [PYTHON]   (default .venv/bin/python)
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${1:-.venv/bin/python}"
# Binary: $MF_WINDMILL_BIN, else ${CARGO_TARGET_DIR:-target}/release/mf-windmill (built if absent).
BIN="${MF_WINDMILL_BIN:-${CARGO_TARGET_DIR:-target}/release/mf-windmill}"
[ -n "${MF_WINDMILL_BIN:-}" ] || [ -x "$BIN" ] || cargo build --release --quiet
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
gen() { # gen N FILE: a linear flow of N steps
  "$PY" - "$1" "$2" <<'PYEOF'
import sys
n, path = int(sys.argv[1]), sys.argv[2]
lines = ["from metaflow import FlowSpec, step", "", "", "class Bench%dFlow(FlowSpec):" % n]
names = ["start"] + ["s%05d" % i for i in range(1, n - 1)] + ["end"]
for i, s in enumerate(names):
    lines += ["    @step", "    def %s(self):" % s, "        self.x = %d" % i]
    if s != "end":
        lines.append("        self.next(self.%s)" % names[i + 1])
    lines.append("")
lines += ["", "if __name__ == '__main__':", "    Bench%dFlow()" % n]
open(path, "w").write("\n".join(lines) + "\n")
PYEOF
}
measure() { # measure LABEL CMD...
  local rc=0
  /usr/bin/time -o "$tmp/time" -f "%e %M" "${@:2}" >/dev/null 2>"$tmp/err" || rc=$?
  local t m
  read -r t m < <(tail -1 "$tmp/time")
  printf "%-44s %7ss %9s KB peak  exit %s\n" "$1" "$t" "$m" "$rc"
  [ "$rc" = 0 ] || tail -3 "$tmp/err"
}
for n in 15 5000; do
  gen "$n" "$tmp/bench$n.py"
  for fmt in json; do
    measure "mf-windmill compile ($n steps)" env USERNAME=bench "$BIN" compile "$tmp/bench$n.py" \
      --datastore-root /srv/.metaflow --max-flow-bytes 0 -o "$tmp/out$n.$fmt"
  done
  measure "python flow.py check ($n steps, baseline)" env USERNAME=bench "$PY" "$tmp/bench$n.py" --no-pylint --quiet check
  ls -l "$tmp/out$n.json" 2>/dev/null | awk '{printf "  output: %d bytes\n", $5}'
done

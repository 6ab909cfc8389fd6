#!/usr/bin/env bash
# Robustness run (not a CI test): `mf-windmill check` over every .py file of an installed
# Python (the venv's site-packages, plus the base interpreter's standard library and
# site-packages when present) and over generated invalid-UTF-8 and syntax-error files.
# It must never panic or crash: every invocation exits 0, 1 or 2 (2 only if a file vanished
# mid-run), never 101 (panic), 134 (abort), 139 (segfault), and stderr has no "panicked".
#
# Usage: scripts/robustness.sh [DIR...]      (default: the directories above)
# Env:   MF_WINDMILL=path/to/binary          (default: target/release/mf-windmill, built)
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

bin=${MF_WINDMILL:-$repo/target/release/mf-windmill}
if [[ -z ${MF_WINDMILL:-} ]]; then
    cargo build --release --quiet
fi

dirs=("$@")
if [[ ${#dirs[@]} -eq 0 ]]; then
    venv_site=$(ls -d "$repo"/.venv/lib/python3*/site-packages 2>/dev/null | head -1 || true)
    [[ -n $venv_site ]] && dirs+=("$venv_site")
    if [[ -x $repo/.venv/bin/python ]]; then
        stdlib=$("$repo/.venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')
        [[ -d $stdlib ]] && dirs+=("$stdlib")
    fi
fi
if [[ ${#dirs[@]} -eq 0 ]]; then
    echo "robustness: no directories to check (no .venv?); pass some" >&2
    exit 2
fi

work=$(mktemp -d)
# ROBUSTNESS_KEEP=1 keeps the generated files and outputs for a closer look.
if [[ -n ${ROBUSTNESS_KEEP:-} ]]; then
    echo "robustness: keeping $work"
else
    trap 'rm -rf "$work"' EXIT
fi
gen=$work/generated
mkdir -p "$gen"

# ---------------------------------------------------------------------------------------
# Generated hostile inputs
# ---------------------------------------------------------------------------------------
python3 - "$gen" <<'PY'
import os, random, sys

out = sys.argv[1]
random.seed(7)

FLOW = '''from metaflow import FlowSpec, step


class F(FlowSpec):
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
'''

def w(name, data):
    with open(os.path.join(out, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())

# Invalid UTF-8 of several kinds.
w("utf8_latin1.py", "# caf\u00e9\n".encode("latin-1") + FLOW.encode())
w("utf8_in_string.py", FLOW.encode().replace(b"pass", b"x = '\xff\xfe'"))
w("utf8_truncated_multibyte.py", FLOW.encode() + "# \u20ac".encode()[:-1])
w("utf8_overlong.py", b"# \xc0\xaf\n" + FLOW.encode())
w("utf8_surrogate.py", b"x = '\xed\xa0\x80'\n" + FLOW.encode())
w("utf16.py", FLOW.encode("utf-16"))
w("utf8_bom_then_invalid.py", b"\xef\xbb\xbf" + b"\x80\x81" + FLOW.encode())
w("random_bytes_0.py", bytes(random.randrange(256) for _ in range(4096)))
w("random_bytes_1.py", bytes(random.randrange(256) for _ in range(1)))
w("nul_bytes.py", FLOW.encode().replace(b"pass", b"pass\x00\x00"))

# Syntax errors of all kinds, inside flows and alone.
broken = {
    "unclosed_paren": FLOW.replace("self.next(self.end)", "self.next(self.end"),
    "stray_paren": FLOW.replace("pass", "pass)"),
    "bad_indent": FLOW.replace("        pass", "  pass"),
    "unexpected_indent": FLOW.replace("    @step\n    def end", "        @step\n    def end"),
    "tabs_and_spaces": FLOW.replace("        pass", "\t    pass"),
    "unterminated_string": FLOW.replace("pass", "x = 'abc"),
    "unterminated_triple": FLOW.replace("pass", 'x = """abc'),
    "fstring_nested": FLOW.replace("pass", "x = f'{f\"{f'{1'}\"}'"),
    "fstring_unclosed_brace": FLOW.replace("pass", "x = f'{1'"),
    "def_no_body": FLOW.replace("        pass\n", ""),
    "class_no_body": "class F(FlowSpec):\n",
    "lambda_default": FLOW.replace("pass", "lambda x=: x"),
    "walrus_bad": FLOW.replace("pass", "(self.x := 1)"),
    "keyword_as_name": FLOW.replace("def end", "def class"),
    "backslash_eof": FLOW + "x = 1 + \\",
    "decorator_no_def": FLOW + "\n    @step\n",
    "next_keyword_dup": FLOW.replace("self.next(self.end)", "self.next(self.end, foreach='a', foreach='b')"),
    "match_broken": "match x:\n  case :\n    pass\n" + FLOW,
    "only_bom": "\ufeff",
    "empty": "",
    "only_newlines": "\n" * 1000,
    "crlf": FLOW.replace("\n", "\r\n"),
    "cr_only": FLOW.replace("\n", "\r"),
    "form_feed": FLOW.replace("    @step", "\f    @step"),
    "long_line": "x = " + "1 + " * 200_000 + "1\n" + FLOW,
    "many_errors": "\n".join(")" * (i % 7) + "(" for i in range(5000)),
    "deep_parens": "x = " + "(" * 3000 + "1" + ")" * 3000 + "\n" + FLOW,
    "deep_parens_unclosed": "x = " + "(" * 100_000 + "\n" + FLOW,
    "deep_lists": "x = " + "[" * 20_000 + "]" * 20_000 + "\n" + FLOW,
    "deep_unary": "x = " + "-" * 100_000 + "1\n" + FLOW,
    "deep_attr": "x = a" + ".b" * 50_000 + "\n" + FLOW,
    "deep_calls": "x = f" + "()" * 50_000 + "\n" + FLOW,
    "deep_binop": "x = " + " + ".join(["1"] * 100_000) + "\n" + FLOW,
    "deep_indent": "".join(" " * i + "if x:\n" for i in range(0, 500)) + " " * 500 + "pass\n" + FLOW,
    "deep_next_dict": FLOW.replace("self.next(self.end)", "self.next({" + "'a': {" * 2000 + "}" * 2000 + "}, condition='c')"),
    "huge_switch": FLOW.replace("self.next(self.end)", "self.next({" + ", ".join(f"'k{i}': self.end" for i in range(5000)) + "}, condition='c')"),
    "many_steps": "from metaflow import FlowSpec, step\n\nclass G(FlowSpec):\n" + "".join(
        f"    @step\n    def s{i}(self):\n        self.next(self.s{i+1})\n\n" for i in range(3000)
    ) + "    @step\n    def s3000(self):\n        pass\n",
    "wide_split": "from metaflow import FlowSpec, step\n\nclass W(FlowSpec):\n    @step\n    def start(self):\n        self.next("
        + ", ".join(f"self.b{i}" for i in range(2000)) + ")\n\n"
        + "".join(f"    @step\n    def b{i}(self):\n        self.next(self.join)\n\n" for i in range(2000))
        + "    @step\n    def join(self, inputs):\n        self.next(self.end)\n\n    @step\n    def end(self):\n        pass\n",
    "diamond_chain": "from metaflow import FlowSpec, step\n\nclass D(FlowSpec):\n    @step\n    def start(self):\n        self.next(self.a0, self.b0)\n\n"
        + "".join(
            f"    @step\n    def a{i}(self):\n        self.next(self.j{i})\n\n    @step\n    def b{i}(self):\n        self.next(self.j{i})\n\n"
            f"    @step\n    def j{i}(self, inputs):\n        self.next(self.a{i+1}, self.b{i+1})\n\n"
            for i in range(40)
        )
        + "    @step\n    def a40(self):\n        self.next(self.end)\n\n    @step\n    def b40(self):\n        self.next(self.end)\n\n    @step\n    def end(self, inputs):\n        pass\n",
    "cycle_chain": "from metaflow import FlowSpec, step\n\nclass C(FlowSpec):\n    @step\n    def start(self):\n        self.next(self.a0, self.b0)\n\n"
        + "".join(
            f"    @step\n    def a{i}(self):\n        self.next(self.a{i+1}, self.b{i+1})\n\n    @step\n    def b{i}(self):\n        self.next(self.a{i+1}, self.b{i+1}, self.start)\n\n"
            for i in range(25)
        )
        + "    @step\n    def a25(self):\n        self.next(self.end)\n\n    @step\n    def b25(self):\n        self.next(self.end)\n\n    @step\n    def end(self, inputs):\n        pass\n",
    "self_base": "from metaflow import step\nclass A(B):\n    @step\n    def start(self): pass\nclass B(A):\n    @step\n    def end(self): pass\n",
    "base_cycle_flowspec": "from metaflow import FlowSpec, step\nclass A(B, FlowSpec):\n    @step\n    def start(self): self.next(self.end)\nclass B(A):\n    @step\n    def end(self): pass\n",
    "import_self": "from metaflow import FlowSpec, step\nfrom .robust_import_self import F as G\nimport robust_import_self\n" + FLOW,
}
for name, text in broken.items():
    w(f"syntax_{name}.py", text)
# Random line-level damage to the flow, many times.
lines = FLOW.splitlines(keepends=True)
for i in range(200):
    l = lines[:]
    for _ in range(random.randrange(1, 5)):
        j = random.randrange(len(l))
        op = random.randrange(4)
        if op == 0:
            del l[j]
        elif op == 1:
            l.insert(j, l[j])
        elif op == 2:
            l[j] = " " * random.randrange(9) + l[j].lstrip()
        else:
            k = random.randrange(len(l[j]) + 1)
            l[j] = l[j][:k]
        if not l:
            break
    w(f"damaged_{i:03}.py", "".join(l))
PY
# A module that imports itself, and a package whose __init__ imports a flow base from itself.
cp "$gen/syntax_import_self.py" "$gen/robust_import_self.py"


# ---------------------------------------------------------------------------------------
# Run
# ---------------------------------------------------------------------------------------
# A run "crashes" when it exits with anything but 0, 1 or 2 (101 panic, 134 abort/stack
# overflow, 137 killed, 139 segfault), "hangs" past its time limit (exit 124), or prints
# "panicked".
fail=0
failures=()
verdict() { # $1 = label, $2 = exit code, $3 = stderr file
    local what=""
    case $2 in
        0 | 1 | 2) ;;
        124) what="HANG (timeout)" ;;
        *) what="CRASH (exit $2)" ;;
    esac
    if [[ -z $what ]] && grep -q 'panicked' "$3"; then what="PANIC"; fi
    if [[ -n $what ]]; then
        fail=1
        failures+=("$1: $what $(grep -m1 -E 'panicked|overflow|fatal' "$3" | cut -c1-160 || true)")
    fi
}
secs() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f}')" "$1" "$2"; }

find "${dirs[@]}" -name '*.py' -type f -print0 2>/dev/null | sort -z >"$work/files"
count=$(tr -cd '\0' <"$work/files" | wc -c)
generated=$(find "$gen" -name '*.py' -type f | wc -l)
echo "robustness: $count installed .py files under: ${dirs[*]}"
echo "            + $generated generated hostile files in $gen"
echo "            binary: $bin"

# 1. Every installed file named explicitly, concise (the acceptance run), in batches of
#    4,000 files per process; each batch's exit code is checked.
: >"$work/rcs"
t0=$(date +%s.%N)
xargs -0 -n 4000 sh -c 'timeout 600 "$0" check --format concise "$@" >>"'"$work"'/concise.out" 2>>"'"$work"'/concise.err"; echo $? >>"'"$work"'/rcs"' \
    "$bin" <"$work/files" || true
t1=$(date +%s.%N)
concise_secs=$(secs "$t0" "$t1")
while read -r rc; do verdict "installed files, concise batch" "$rc" "$work/concise.err"; done <"$work/rcs"
findings=$(wc -l <"$work/concise.out")
n_syntax=$(grep -c ': MF001 ' "$work/concise.out" || true)
f_syntax=$(grep ': MF001 ' "$work/concise.out" | cut -d: -f1 | sort -u | wc -l)
n_utf8=$(grep -c ': MF002 ' "$work/concise.out" || true)
n_noflow=$(grep -c ': MF003 ' "$work/concise.out" || true)
n_other=$((findings - n_syntax - n_utf8 - n_noflow))
rcs=$(sort "$work/rcs" | uniq -c | awk '{printf "%s×exit %s, ", $1, $2}')
echo "  1. installed files named explicitly, --format concise: ${concise_secs}s"
echo "     $findings findings: $n_syntax MF001 in $f_syntax files, $n_utf8 MF002, $n_noflow MF003, $n_other other; batches: ${rcs%, }"

# 2. The same directories walked (how a user runs it: non-flow files skipped).
t0=$(date +%s.%N)
set +e
timeout 600 "$bin" check --format concise "${dirs[@]}" >"$work/walk.out" 2>"$work/walk.err"
rc=$?
set -e
t1=$(date +%s.%N)
walk_secs=$(secs "$t0" "$t1")
verdict "installed directories walked" "$rc" "$work/walk.err"
echo "  2. directories walked, --format concise: ${walk_secs}s, exit $rc, $(wc -l <"$work/walk.out") findings"

# 3. Every renderer over the installed files with findings.
grep -v ': MF003 ' "$work/concise.out" | cut -d: -f1 | sort -u | grep -v '^$' >"$work/interesting" || true
for fmt in human json sarif github; do
    : >"$work/rcs"
    tr '\n' '\0' <"$work/interesting" | xargs -0 -r -n 2000 sh -c 'timeout 600 "$0" check --color never --format '"$fmt"' "$@" >/dev/null 2>>"'"$work"'/'"$fmt"'.err"; echo $? >>"'"$work"'/rcs"' "$bin" || true
    while read -r rc; do verdict "installed files with findings, $fmt" "$rc" "$work/$fmt.err"; done <"$work/rcs"
done
echo "  3. human/json/sarif/github over the $(wc -l <"$work/interesting") installed files with findings: done"

# 4. Each generated hostile file on its own (so one crash hides no other), in every
#    format, and `graph`; 30 s limit each.
t0=$(date +%s.%N)
for f in "$gen"/*.py; do
    name=$(basename "$f")
    for fmt in concise human json sarif github; do
        set +e
        timeout 30 "$bin" check --color never --format "$fmt" "$f" >/dev/null 2>"$work/one.err"
        rc=$?
        set -e
        verdict "generated $name, check --format $fmt" "$rc" "$work/one.err"
        # A crash or hang in one format is enough to know about.
        [[ $rc -le 2 ]] || break
    done
    set +e
    timeout 30 "$bin" graph --format json "$f" >/dev/null 2>"$work/one.err"
    rc=$?
    set -e
    verdict "generated $name, graph" "$rc" "$work/one.err"
done
t1=$(date +%s.%N)
echo "  4. $generated generated files, each alone in 5 formats + graph: $(secs "$t0" "$t1")s"

if [[ $fail -ne 0 ]]; then
    echo "robustness: FAILED — ${#failures[@]} failing run(s):"
    printf '  - %s\n' "${failures[@]}"
    exit 1
fi
echo "robustness: OK — $count installed files in ${concise_secs}s and $generated generated files: no panic, no crash, no hang"

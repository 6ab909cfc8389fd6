"""The code package carries what Metaflow's carries: every file of the flow's directory with a
package suffix (.py, .R, .RDS, plus --package-suffixes). A file the flow opens with another
suffix is shipped only when asked: without --package-suffixes the step fails on a worker
(and `check` warns, WM210); with it, the run equals `python flow.py run`."""

import shutil
import subprocess
from pathlib import Path

from mfwm_e2e import BIN, ours_run, ref_run, workdir  # noqa: F401 (fixture)
from test_compare import diff, snapshot

FLOW = '''from metaflow import FlowSpec, step

import helpers.names


class OpensCsvFlow(FlowSpec):
    @step
    def start(self):
        with open("lookup.csv") as fh:
            self.rows = fh.read().splitlines()
        self.greeting = helpers.names.greet("csv")
        self.next(self.end)

    @step
    def end(self):
        assert self.rows == ["k,v", "a,1"], self.rows


if __name__ == "__main__":
    OpensCsvFlow()
'''


def make(tmp: Path) -> Path:
    d = tmp / "flowdir"
    (d / "helpers").mkdir(parents=True)
    (d / "flow.py").write_text(FLOW)
    (d / "lookup.csv").write_text("k,v\na,1\n")
    # A package without __init__.py, found by Metaflow's directory walk.
    (d / "helpers" / "names.py").write_text("def greet(x):\n    return 'hello ' + x\n")
    return d / "flow.py"


def test_other_suffixes_ship_only_when_asked(workdir, tmp_path):
    flow = make(tmp_path)
    p = subprocess.run([BIN, "check", str(flow), "--format", "concise"],
                       capture_output=True, text=True)
    assert "WM210" in p.stdout and "lookup.csv" in p.stdout, p.stdout + p.stderr
    rc, _, out = ours_run(flow, {}, workdir)
    assert rc != 0 and "lookup.csv" in out, out[-3000:]
    rc_ref, run_ref, out_ref = ref_run(flow, {}, workdir)
    assert rc_ref == 0, out_ref[-3000:]
    rc, ps, out = ours_run(flow, {}, workdir, extra=("--package-suffixes", ".csv"))
    assert rc == 0, out[-4000:]
    d = diff(snapshot(ps.split("/")[0] + "/" + run_ref), snapshot(ps))
    assert not d, "differences (metaflow vs mf-windmill):\n" + "\n".join(d[:40])
    shutil.rmtree(flow.parent)

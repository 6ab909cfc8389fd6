"""Metaflow's run contract around the DAG (issue 11), judged through Metaflow's client
against `python flow.py run` of the same flow: task logs of every attempt (also of a
failing step), task ids unique within a run, cards where the card client looks.

Run:  MF_WINDMILL_BIN=target/debug/mf-windmill .venv/bin/python -m pytest tests/e2e/test_run_contract.py -q
"""

import os
import shutil
from pathlib import Path

from mfwm_e2e import ours_run, ref_run, workdir  # noqa: F401 (fixture)

CONTRACT = Path(__file__).resolve().parent / "contract"


def _project(workdir, name):
    """A project directory with the flow whose `.metaflow` is the session's datastore, as
    for a user whose datastore is found from the project directory: Metaflow's own run
    then writes cards where the card client reads them (`<ds-root>/mf.cards`)."""
    d = Path(workdir) / "project"
    d.mkdir(exist_ok=True)
    ds = Path(os.environ["METAFLOW_DATASTORE_SYSROOT_LOCAL"]) / ".metaflow"
    ds.mkdir(exist_ok=True)
    if not (d / ".metaflow").exists():
        (d / ".metaflow").symlink_to(ds)
    shutil.copy(CONTRACT / name, d / name)
    return d / name


def _runs(flow_file, ps_ours, run_ref):
    from metaflow import Run, namespace

    namespace(None)
    flow = ps_ours.split("/")[0]
    return Run(ps_ours), Run("%s/%s" % (flow, run_ref))


def _attempt_logs(run):
    """{(step, attempt): (stdout, stderr)} of a run without foreach."""
    from metaflow import Task

    out = {}
    for step in run:
        for task in step:
            for a in range(task.current_attempt + 1):
                t = Task(task.pathspec, attempt=a)
                out[(step.id, a)] = (t.stdout, t.stderr)
    return out


def _user_lines(text):
    return [l for l in text.splitlines() if l.startswith(("stderr:", "err "))]


def test_logs_of_every_attempt_equal_metaflows(workdir):
    flow = _project(workdir, "logs_attempts.py")
    rc_ref, run_ref, out_ref = ref_run(flow, {}, workdir)
    assert rc_ref == 0, out_ref[-3000:]
    rc, ps, out = ours_run(flow, {}, flow.parent)
    assert rc == 0, out[-3000:]
    ours, ref = _runs(flow, ps, run_ref)
    lo, lr = _attempt_logs(ours), _attempt_logs(ref)
    assert sorted(lo) == sorted(lr)
    assert ("flaky", 1) in lo
    for key in lr:
        assert lo[key][0] == lr[key][0], key
        assert _user_lines(lo[key][1]) == _user_lines(lr[key][1]), key
    assert lo[("start", 0)][0] == (
        "stdout: A regular message.\nstdout: A message with unicode: 年\nno newline at the end\n"
    )
    assert "first attempt fails" in lo[("flaky", 0)][1]
    assert len(lo[("many", 0)][0].splitlines()) == 3000
    # Task.loglines: timestamps never go backwards and the order is the printed order.
    many = ours["many"].task
    lines = [m for _, m in many.loglines("stdout")]
    assert lines == ["out %d" % i for i in range(3000)]
    stamps = [t for t, _ in many.loglines("stderr")]
    assert stamps == sorted(stamps)


def test_logs_of_a_failing_step_are_saved(workdir):
    flow = _project(workdir, "failing_logs.py")
    rc_ref, run_ref, _ = ref_run(flow, {}, workdir)
    assert rc_ref != 0
    rc, ps, out = ours_run(flow, {}, flow.parent)
    assert rc == 1, out[-3000:]
    ours, ref = _runs(flow, ps, run_ref)
    t_ours, t_ref = ours["boom"].task, ref["boom"].task
    assert not t_ours.successful
    assert t_ours.stdout == t_ref.stdout == "about to fail\n"
    assert "this step fails on purpose" in t_ours.stderr
    assert ours["start"].task.stdout == "before the failure\n"


def test_task_ids_are_unique_within_a_run(workdir):
    flow = _project(workdir, "task_ids.py")
    rc_ref, run_ref, out_ref = ref_run(flow, {}, workdir)
    assert rc_ref == 0, out_ref[-3000:]
    rc, ps, out = ours_run(flow, {}, flow.parent)
    assert rc == 0, out[-3000:]  # the end step asserts merge_artifacts raised and ids differ
    ours, ref = _runs(flow, ps, run_ref)
    ids = [t.id for s in ours for t in s]
    assert len(ids) == len(set(ids)) == len([t.id for s in ref for t in s])
    assert ours["end"].task["raised"].data is True
    # Stable across retries and lineage intact: every parent named exists.
    for s in ours:
        for t in s:
            for p in t.parent_task_pathspecs:
                if "/_parameters/" not in p:
                    assert p.split("/")[-1] in ids, p


def test_cards_land_where_the_card_client_looks(workdir):
    from metaflow import Task, namespace
    from metaflow.cards import get_cards

    flow = _project(workdir, "cards.py")
    rc_ref, run_ref, out_ref = ref_run(flow, {}, workdir)
    assert rc_ref == 0, out_ref[-3000:]
    rc, ps, out = ours_run(flow, {}, flow.parent)
    assert rc == 0, out[-3000:]
    namespace(None)
    # The test runs elsewhere (no .metaflow in its cwd): the client finds cards through
    # the tasks' ds-root metadata, as on any machine reading the datastore.
    for pathspec in (ps, "%s/%s" % (ps.split("/")[0], run_ref)):
        start = Task(pathspec + "/start/" + _task_ids(pathspec, "start")[0])
        cards = get_cards(start)
        assert len(cards) == 1 and cards[0].type == "default", pathspec
        custom = Task(pathspec + "/custom/" + _task_ids(pathspec, "custom")[0])
        notes = get_cards(custom, id="notes")
        assert len(notes) == 1
        assert "mf-windmill card marker" in _card_data(notes[0].get()), pathspec
    # Nothing under the job's code directory (the old place cards were lost to).
    assert not list(Path(flow.parent).glob("**/code/.metaflow/mf.cards"))


def _card_data(html):
    """The card's components as JSON text: the HTML embeds them base64-encoded
    (`window.__MF_DATA__[...] = "<base64>"`)."""
    import base64
    import re

    blobs = re.findall(r'window\.__MF_DATA__\["[^"]+"\] = "([A-Za-z0-9+/=]+)"', html)
    return "".join(base64.b64decode(b).decode("utf-8") for b in blobs)


def _task_ids(pathspec, step):
    from metaflow import Step

    return [t.id for t in Step(pathspec + "/" + step)]

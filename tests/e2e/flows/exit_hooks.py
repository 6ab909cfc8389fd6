"""@exit_hook: each hook appends the run's pathspec to <out_dir>/<hook name>, so a test
can count how many times each ran and for which run."""

import os

from metaflow import FlowSpec, Parameter, exit_hook, step


def _mark(run, name):
    out = run["start"].task.data.out_dir
    with open(os.path.join(out, name), "a") as f:
        f.write(run.pathspec + "\n")


def hook_ok(run=None):
    _mark(run, "hook_ok")


def hook_broken():
    raise RuntimeError("this exit hook fails on purpose")


def hook_failed(run=None):
    _mark(run, "hook_failed")


@exit_hook(on_success=[hook_broken, hook_ok], on_error=[hook_failed])
class ExitHooksFlow(FlowSpec):
    out_dir = Parameter("out_dir", default="")
    # none | foreach (one iteration fails) | end
    fail = Parameter("fail", default="none")

    @step
    def start(self):
        self.items = [1, 2, 3]
        self.next(self.work, foreach="items")

    @step
    def work(self):
        if self.fail == "foreach" and self.input == 2:
            raise RuntimeError("iteration 2 fails")
        self.next(self.join)

    @step
    def join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        if self.fail == "end":
            raise RuntimeError("end fails")


if __name__ == "__main__":
    ExitHooksFlow()

# IncludeFile defaults built from __file__: a helper like Metaflow's tutorials' script_path, and os.path.join(os.path.dirname(os.path.realpath(__file__)), ...)
import os

from metaflow import FlowSpec, IncludeFile, step

HERE = os.path.dirname(os.path.realpath(__file__))


def script_path(filename):
    """The path of a file next to this flow."""
    import os

    filepath = os.path.join(os.path.dirname(__file__))
    return os.path.join(filepath, filename)


class PathsFromFileFlow(FlowSpec):
    scores = IncludeFile("scores", help="CSV scores", default=script_path("scores.csv"))
    notes = IncludeFile("notes", default=os.path.join(HERE, "notes.txt"))

    @step
    def start(self):
        self.rows = self.scores.splitlines()
        self.note = self.notes.strip()
        self.next(self.end)

    @step
    def end(self):
        assert self.rows[0] == "name,score", self.rows
        assert self.note == "notes next to the flow", self.note


if __name__ == "__main__":
    PathsFromFileFlow()

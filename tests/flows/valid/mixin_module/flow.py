from metaflow import FlowSpec, step

from mixins import PreprocessMixin


class MixinModuleFlow(FlowSpec, PreprocessMixin):
    """Steps `clean` and `scale` come from a mixin in a sibling module."""

    @step
    def start(self):
        self.raw = [1, None, 3]
        self.next(self.clean)

    @step
    def train(self):
        self.model = max(self.scaled)
        self.next(self.end)

    @step
    def end(self):
        assert self.model == 0.75


if __name__ == "__main__":
    MixinModuleFlow()

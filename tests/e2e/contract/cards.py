"""A default card and a card with a custom component."""

from metaflow import FlowSpec, card, current, step
from metaflow.cards import Markdown


class CardsFlow(FlowSpec):
    @card
    @step
    def start(self):
        self.x = 42
        self.next(self.custom)

    @card(type="blank", id="notes")
    @step
    def custom(self):
        current.card["notes"].append(Markdown("# mf-windmill card marker"))
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    CardsFlow()

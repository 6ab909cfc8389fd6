# `from metaflow.integrations import WindmillEvent` inside a step on Windmill, as
# `from metaflow.integrations import ArgoEvent` on Argo (metaflow/integrations.py aliases).
ALIASES_DESC = [("WindmillEvent", "..plugins.windmill_events.WindmillEvent")]

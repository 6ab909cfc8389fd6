#!/usr/bin/env python
"""Metaflow oracle for mf-windmill.

Usage:
    python tests/oracle/dump_metaflow.py FILE.py [FILE.py ...]

Imports every file with Metaflow (in this one process, one fresh module per
file), and prints ONE JSON document on stdout: a list with one entry per file,
in argument order.  For each FlowSpec subclass defined in the file that no
other class of the same file subclasses, it records the graph Metaflow builds
(metaflow.graph.FlowGraph, i.e. ``cls._graph``), the parameters, configs,
flow/step decorators and the result of ``metaflow.lint.linter.run_checks``.

See tests/oracle/README.md for the exact shape and for the observed Metaflow
behaviours this depends on.

Determinism: Metaflow's lint reads frozensets / sets of strings in two places,
so this script re-executes itself with PYTHONHASHSEED=0 when the variable is
not already set to 0.  Nothing is sorted here that Metaflow does not sort.
"""

import os
import sys

if os.environ.get("PYTHONHASHSEED") != "0":
    env = dict(os.environ)
    env["PYTHONHASHSEED"] = "0"
    os.execve(sys.executable, [sys.executable] + sys.argv, env)

import contextlib
import importlib.util
import inspect
import io
import json
import re
import traceback

# Metaflow refuses to work for root / unknown users in some code paths; the
# oracle never runs anything but keep the environment the same as `check`.
os.environ.setdefault("USERNAME", "tester")

import metaflow  # noqa: E402
from metaflow import FlowSpec  # noqa: E402
from metaflow.lint import LintWarn, linter  # noqa: E402
from metaflow.util import to_pod  # noqa: E402
from metaflow.parameters import DeployTimeField, JSONTypeClass, Parameter  # noqa: E402
from metaflow.includefile import IncludeFile  # noqa: E402
from metaflow.flowspec import FlowStateItems  # noqa: E402

try:  # Config lives in user_configs in recent versions
    from metaflow.user_configs.config_parameters import Config  # noqa: E402
except Exception:  # pragma: no cover
    Config = None

NON_LITERAL = "<non-literal>"

_module_counter = [0]


def _exc_str(e):
    """`<ExceptionType: message>` with MetaflowException's message unwrapped."""
    msg = getattr(e, "message", None)
    if not isinstance(msg, str):
        msg = str(e)
    return "%s: %s" % (type(e).__name__, msg)


# Config values as `python flow.py check` sees them without --config options: each
# Config's default (a JSON file read from the cwd, which is the flow's directory here, or
# `default_value`, a dict or a JSON string; Metaflow's default parser is json). Set while
# a flow is dumped so that Metaflow's own DelayEvaluator (`cfg.key`, `config_expr(...)`)
# resolves decorator attributes and parameter defaults as Metaflow does when it
# initialises the flow.
def _config_defaults(cls):
    out = {}
    for _, param in cls._get_parameters():
        if not getattr(param, "IS_CONFIG_PARAMETER", False):
            continue
        merged = _param_merged_kwargs(param)
        raw = merged.get("default")
        try:
            if getattr(param, "_default_is_file", False):
                with open(json.loads(raw) if raw.startswith('"') else raw) as fh:
                    val = json.load(fh)
            elif isinstance(raw, str):
                val = json.loads(raw)
                if isinstance(val, str):
                    val = json.loads(val)
            else:
                val = raw
        except Exception:
            val = None
        out[param.name] = (val, bool(merged.get("plain", False)))
    return out


@contextlib.contextmanager
def _configs_resolvable(cls):
    from metaflow.parameters import current_flow

    state = cls._flow_state
    had = FlowStateItems.CONFIGS in state
    old = state.get(FlowStateItems.CONFIGS) if had else None
    state[FlowStateItems.CONFIGS] = _config_defaults(cls)
    prev = getattr(current_flow, "flow_cls", None)
    current_flow.flow_cls = cls
    try:
        yield
    finally:
        current_flow.flow_cls = prev
        if had:
            state[FlowStateItems.CONFIGS] = old
        else:
            del state[FlowStateItems.CONFIGS]


def _resolved(value):
    """A DelayEvaluator (config value) evaluated by Metaflow, recursively in containers."""
    if type(value).__name__ == "DelayEvaluator":
        try:
            return _resolved(value())
        except Exception:
            return NON_LITERAL
    if isinstance(value, dict):
        return {k: _resolved(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_resolved(v) for v in value]
    if type(value).__name__ == "ConfigValue":
        return _resolved(value.to_dict())
    return value


def _jsonable(value):
    """Return value if it is plain JSON data (after to_pod-like normalisation of
    tuples), NON_LITERAL for callables / deploy-time values, else str()."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, DeployTimeField) or callable(value):
        return NON_LITERAL
    if isinstance(value, dict):
        return {
            (k if isinstance(k, str) else json.dumps(k)): _jsonable(v)
            for k, v in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    # Config values, delayed evaluators, ...
    cls_name = type(value).__name__
    if cls_name in ("ConfigValue",):
        try:
            return _jsonable(value.to_dict())
        except Exception:
            pass
    if "Delayed" in cls_name:
        return NON_LITERAL
    return str(value)


def _type_name(param, merged):
    if isinstance(param, IncludeFile):
        return "IncludeFile"
    t = merged.get("type")
    if t is None:
        default = merged.get("default")
        if default is not None and not callable(default):
            t = type(default)
        else:
            t = str
    if isinstance(t, JSONTypeClass):
        return "JSONType"
    if isinstance(t, type):
        return t.__name__
    return type(t).__name__


def _param_merged_kwargs(param):
    # Parameter.__init__ keeps explicit keyword args in _override_kwargs and the
    # rest in kwargs; Parameter.init() (run by the CLI) merges them the same way.
    merged = dict(getattr(param, "kwargs", {}) or {})
    for k, v in (getattr(param, "_override_kwargs", {}) or {}).items():
        if v is not None:
            merged[k] = v
    return merged


def _dump_parameter(var, param):
    merged = _param_merged_kwargs(param)
    default = merged["default"] = _resolved(merged.get("default"))
    if isinstance(default, DeployTimeField) or callable(default):
        default_out = NON_LITERAL
    else:
        default_out = _jsonable(default)
    required = merged.get("required")
    return {
        "name": param.name,
        "attribute": var,
        "type": _type_name(param, merged),
        "default": default_out,
        "required": bool(required) if required is not None else False,
        "help": merged.get("help"),
        "separator": merged.get("separator", getattr(param, "separator", None)),
    }


def _dump_config(var, param):
    merged = _param_merged_kwargs(param)
    raw = merged.get("default")
    is_file = bool(getattr(param, "_default_is_file", False))
    required = merged.get("required")
    return {
        "name": param.name,
        "attribute": var,
        "default": _jsonable(raw) if is_file else None,
        "default_value": None if is_file else _jsonable(raw),
        "required": bool(required) if required is not None else False,
        "help": merged.get("help"),
        "plain": bool(merged.get("plain", False)),
    }


def _dump_switch_cases(cases):
    # Keys as Python's str() renders them (True -> "True", 1 -> "1", 1.5 -> "1.5"), as
    # Metaflow shows a case (output_dot labels edges with "{}".format(key)).
    return {str(k): to_pod(v) for k, v in (cases or {}).items()}


def _dump_node(node, source_dir):
    src = node.source_file
    try:
        src_rel = os.path.relpath(src, source_dir) if src else None
    except ValueError:
        src_rel = src
    return {
        "name": node.name,
        "type": node.type,
        "line": node.func_lineno,
        "tail_next_line": node.tail_next_lineno,
        "num_args": node.num_args,
        "has_tail_next": node.has_tail_next,
        "invalid_tail_next": node.invalid_tail_next,
        "in_funcs": list(node.in_funcs),
        "out_funcs": list(node.out_funcs),
        "split_parents": list(node.split_parents),
        "split_branches": list(node.split_branches),
        "matching_join": node.matching_join,
        "is_inside_foreach": node.is_inside_foreach,
        "foreach_param": _jsonable(node.foreach_param),
        "num_parallel": _jsonable(node.num_parallel),
        "parallel_foreach": node.parallel_foreach,
        "parallel_step": node.parallel_step,
        "switch_cases": _dump_switch_cases(node.switch_cases),
        # extra (not in the Rust contract unless the Rust side chooses to emit
        # them): switch keys with their native JSON type, in dict order.
        "switch_cases_typed": [
            [_jsonable(k), v] for k, v in node.switch_cases.items()
        ],
        "condition": node.condition,
        "is_start_step": bool(node.is_start_step),
        "is_end_step": bool(node.is_end_step),
        "source_file": src_rel,
        "doc": node.doc,
        "decorators": [
            {"name": deco.name, "attributes": to_pod(_resolved(deco.attributes))}
            for deco in node.decorators
            if not deco.name.startswith("_")
        ],
    }


def _flow_decorators(cls):
    out = []
    try:
        decos = cls._flow_state[FlowStateItems.FLOW_DECORATORS]
    except KeyError:
        decos = {}
    for name, lst in decos.items():
        for deco in lst:
            out.append({"name": deco.name, "attributes": to_pod(_resolved(deco.attributes))})
    return out


def _lint(graph):
    try:
        linter.run_checks(graph)
    except LintWarn as e:
        return {"ok": False, "message": e.message, "line": e.line_no}
    except Exception as e:  # a crash inside lint itself (should not happen)
        return {
            "ok": False,
            "message": None,
            "line": None,
            "exception": _exc_str(e),
        }
    return {"ok": True}


def _param_check(cls):
    """What the CLI does with parameters before/around lint: Parameter.init()
    (reserved names, separator on non-strings, ...) for every parameter, then
    the case-insensitive duplicate-name check (done by `run`, not by `check`).
    Returns None or "<ExceptionType: message>"."""
    try:
        for _, param in cls._get_parameters():
            if getattr(param, "IS_CONFIG_PARAMETER", False):
                continue
            param.init()
        cls._check_parameters(config_parameters=True)
        cls._check_parameters(config_parameters=False)
    except Exception as e:
        return _exc_str(e)
    return None


# Step decorators whose `step_init` needs neither a datastore nor an environment, so the
# oracle can run it as `decorators._init_step_decorators` does before `check` lints the
# flow (`external_init`, then `step_init`, steps in `cls._steps` order). Others (@batch,
# @kubernetes, ...) are not reproduced.
STEP_INIT_CHECKED = ("catch", "retry", "timeout")


def _init_check(cls):
    """The first error Metaflow's step-decorator initialisation raises for the decorators
    in STEP_INIT_CHECKED, as "<ExceptionType: message>", or None."""
    graph = cls._graph
    for step in cls._steps:
        for deco in step.decorators:
            if deco.name not in STEP_INIT_CHECKED:
                continue
            try:
                deco.external_init()
            except Exception:
                # Attributes that need a running flow (config values): not reproduced.
                continue
            try:
                deco.step_init(None, graph, step.__name__, step.decorators, None, None,
                               lambda *a, **k: None)
            except Exception as e:
                return _exc_str(e)
    return None


def _dump_flow(cls, source_dir):
    graph = cls._graph
    params = []
    configs = []
    for var, param in cls._get_parameters():
        if getattr(param, "IS_CONFIG_PARAMETER", False):
            configs.append(_dump_config(var, param))
        else:
            params.append(_dump_parameter(var, param))
    return {
        "name": cls.__name__,
        "start_step": graph.start_step,
        "end_step": graph.end_step,
        "sorted_steps": list(graph.sorted_nodes),
        "doc": graph.doc,
        "steps": [_dump_node(node, source_dir) for node in graph],
        "flow_decorators": _flow_decorators(cls),
        "parameters": params,
        "configs": configs,
        "lint": _lint(graph),
        "init_error": _init_check(cls),
        # run last: Parameter.init() mutates the parameter objects
        "param_error": _param_check(cls),
    }


def _flow_classes(module):
    modname = module.__name__
    classes = []
    for value in list(vars(module).values()):
        if (
            isinstance(value, type)
            and issubclass(value, FlowSpec)
            and value is not FlowSpec
            and value.__module__ == modname
            and value not in classes
        ):
            classes.append(value)
    return [
        c
        for c in classes
        if not any(o is not c and issubclass(o, c) for o in classes)
    ]


def dump_file(path):
    entry = {"file": path, "import_error": None, "flows": []}
    abspath = os.path.abspath(path)
    source_dir = os.path.dirname(abspath)
    _module_counter[0] += 1
    stem = re.sub(r"\W", "_", os.path.splitext(os.path.basename(abspath))[0])
    modname = "_mf_oracle_%d_%s" % (_module_counter[0], stem)

    before_modules = set(sys.modules)
    old_cwd = os.getcwd()
    sys.path.insert(0, source_dir)
    captured = io.StringIO()
    try:
        os.chdir(source_dir)
        with contextlib.redirect_stdout(captured):
            try:
                spec = importlib.util.spec_from_file_location(modname, abspath)
                module = importlib.util.module_from_spec(spec)
                sys.modules[modname] = module
                spec.loader.exec_module(module)
            except BaseException as e:  # noqa: B902 - SystemExit included
                if isinstance(e, KeyboardInterrupt):
                    raise
                entry["import_error"] = _exc_str(e)
                return entry
            for cls in _flow_classes(module):
                try:
                    with _configs_resolvable(cls):
                        entry["flows"].append(_dump_flow(cls, source_dir))
                except Exception as e:
                    entry["flows"].append(
                        {
                            "name": cls.__name__,
                            "dump_error": _exc_str(e),
                            "traceback": traceback.format_exc(),
                        }
                    )
    finally:
        os.chdir(old_cwd)
        try:
            sys.path.remove(source_dir)
        except ValueError:
            pass
        # Drop the flow module and any sibling module it imported, so that two
        # directories each holding e.g. a `helpers.py` do not collide.
        for name in set(sys.modules) - before_modules:
            mod = sys.modules.get(name)
            mfile = getattr(mod, "__file__", None) or ""
            if name == modname or (
                mfile and os.path.abspath(mfile).startswith(source_dir + os.sep)
            ):
                del sys.modules[name]
        if captured.getvalue():
            sys.stderr.write(captured.getvalue())
    return entry


def main(argv):
    if not argv:
        sys.stderr.write(__doc__)
        return 2
    out = [dump_file(p) for p in argv]
    json.dump(out, sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

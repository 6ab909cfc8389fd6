"""The launcher of the `mf-windmill` binary shipped in the `metaflow-windmill` wheel.

maturin (`bindings = "bin"`) installs the binary into the environment's scripts directory
(`<venv>/bin`, or `~/.local/bin` for `pip install --user`), not into this package, so we
look there first, in the order pip uses, then on PATH. `MF_WINDMILL_BIN` overrides all
(a development build, a binary placed by a container image).
"""

import os
import shutil
import sys
import sysconfig

BINARY = "mf-windmill" + (".exe" if os.name == "nt" else "")


class BinaryNotFound(RuntimeError):
    pass


def _executable(path):
    return bool(path) and os.path.isfile(path) and os.access(path, os.X_OK)


def _script_dirs():
    dirs = [sysconfig.get_path("scripts")]
    try:
        dirs.append(sysconfig.get_path("scripts", "%s_user" % os.name))
    except KeyError:
        pass
    dirs.append(os.path.dirname(sys.executable))
    return [d for d in dirs if d]


def binary_path():
    """The path of the mf-windmill binary; raises BinaryNotFound naming where it looked."""
    override = os.environ.get("MF_WINDMILL_BIN")
    if override:
        if _executable(override):
            return override
        raise BinaryNotFound(
            "MF_WINDMILL_BIN=%s is not an executable file" % override
        )
    looked = []
    for d in _script_dirs():
        p = os.path.join(d, BINARY)
        looked.append(p)
        if _executable(p):
            return p
    found = shutil.which(BINARY)
    if found:
        return found
    raise BinaryNotFound(
        "the mf-windmill binary was not found (looked in %s and on PATH); "
        "reinstall the metaflow-windmill wheel or set MF_WINDMILL_BIN"
        % ", ".join(looked)
    )


def main():
    """`python -m metaflow_windmill ARGS`: run the binary with ARGS."""
    path = binary_path()
    if os.name == "nt":
        import subprocess

        sys.exit(subprocess.call([path] + sys.argv[1:]))
    os.execv(path, [path] + sys.argv[1:])

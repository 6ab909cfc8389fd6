"""pytest glue for the Metaflow oracle tests.

* ``oracle`` (session fixture): ``{repo-relative path: oracle entry}``, computed
  once by running tests/oracle/dump_metaflow.py on the whole corpus.
* Any test taking a ``flow_file`` argument is parametrized over the corpus, with
  the path relative to tests/flows as the test id.
"""

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from corpus import corpus_files, flow_id, run_oracle  # noqa: E402


def pytest_generate_tests(metafunc):
    if "flow_file" in metafunc.fixturenames:
        files = corpus_files()
        metafunc.parametrize("flow_file", files, ids=[flow_id(f) for f in files])


@pytest.fixture(scope="session")
def oracle():
    return run_oracle(corpus_files())

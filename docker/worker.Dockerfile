# A Windmill worker that can run mf-windmill's compiled flows: Windmill's own image plus a
# Python virtual environment with Metaflow, pinned to the version mf-windmill's runner was
# written against (crate::emit::METAFLOW_VERSION). Compile with `--python /opt/metaflow/bin/python`.
ARG WINDMILL_IMAGE=ghcr.io/windmill-labs/windmill:main
FROM ${WINDMILL_IMAGE}

ARG METAFLOW_VERSION=2.19.39
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-venv ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && python3 -m venv /opt/metaflow \
 && /opt/metaflow/bin/pip install --no-cache-dir "metaflow==${METAFLOW_VERSION}" boto3 \
 && /opt/metaflow/bin/python -c "import metaflow; print('metaflow', metaflow.__version__)"

# The shared local datastore (see docker-compose.yml): every worker must see the same files
# at the same absolute path.
RUN mkdir -p /mfdata

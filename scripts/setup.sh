#!/usr/bin/env bash
# Brings a checkout up to date for `npm start`, `npm test` and CI; prints nothing when it already is.
#   - Node.js 24: the system's node, or Node.js 24 installed into .tools/node (scripts/node-env.sh)
#   - npm packages: `npm ci` when node_modules is missing, older than package-lock.json or built for
#     another Node
#   - Go tools (nats-server, grpcurl, ferretdb, protoc-gen-openapiv2) in .tools/bin, pinned by
#     tools/go.mod
#   - the checkers envoycheck (tools/cmd/envoycheck: envoy/envoy.yaml against Envoy's API) and
#     k8scheck (tools/cmd/k8scheck), only with SETUP_CHECKERS=1 (the tests and CI use them)
#   - Jaeger (tools/jaeger: the trace viewer of `npm run observe`), only with SETUP_OBSERVE=1
#   - the marketing service's Python packages in services/marketing/.venv (python3 ≥ 3.11, packages
#     pinned with hashes in services/marketing/requirements*.lock)
#   - PostgreSQL server binaries, only with SETUP_POSTGRES=1 (tests run their own cluster)
#   - promtool in .tools/bin (from Debian's prometheus package), only with SETUP_PROMTOOL=1 (the
#     tests check and unit-test the alerting rules with it)
#   - Chromium (Debian's package), only with SETUP_CHROMIUM=1 (the browser tests drive it)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { echo "setup: $*" >&2; }

# Node.js 24 (scripts/node-env.sh): the system's, or one installed into .tools/node.
source scripts/node-env.sh

# npm packages, also reinstalled when they were installed for another Node (a native addon without a
# prebuilt binary is built from source against the headers of the node on PATH: scripts/node-env.sh).
node_abi=$(node -p 'process.versions.modules')
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]] ||
  [[ $(cat node_modules/.node-abi 2>/dev/null) != "$node_abi" ]]; then
  say "installing npm packages (npm ci) for Node.js $(node --version)"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$node_abi" >node_modules/.node-abi
fi
# npm run and npx put node_modules/.bin first on PATH: a link there makes `npm run <script>` use
# the same node when the system's is older.
if [[ $(readlink -f "$(command -v node)") == "$(pwd -P)/.tools/node/"* ]]; then
  ln -sfn "$(readlink -f "$(command -v node)")" node_modules/.bin/node
else
  rm -f node_modules/.bin/node
fi

# Go tools: rebuilt when one is missing or tools/go.mod changed since it was built (ferretdb also
# when tools/cmd/ferretdb changed).
stale=()
for tool in nats-server grpcurl ferretdb protoc-gen-openapiv2; do
  if [[ ! -x .tools/bin/$tool || tools/go.mod -nt .tools/bin/$tool ]]; then stale+=("$tool"); fi
done
if [[ -x .tools/bin/ferretdb && -n $(find tools/cmd/ferretdb -newer .tools/bin/ferretdb -print -quit) ]]; then
  stale+=(ferretdb)
fi
need_go() {
  if ! command -v go >/dev/null; then
    say "Go is needed to build $* into .tools/bin (see tools/go.mod for the version): install it from https://go.dev/dl/ and put it on PATH"
    exit 1
  fi
}
if (( ${#stale[@]} > 0 )); then
  need_go "${stale[*]}"
  say "building ${stale[*]} into .tools/bin (the first build takes a minute or two)"
  (
    cd tools
    GOBIN="$PWD/../.tools/bin" go install tool
    # FerretDB with the patches in tools/cmd/ferretdb (its README says why): a patched copy of the
    # pinned module under .tools/, swapped in by a workspace that only this build uses.
    src=$(go list -m -f '{{.Dir}}' github.com/FerretDB/FerretDB)
    version=$(go list -m -f '{{.Version}}' github.com/FerretDB/FerretDB)
    rm -rf ../.tools/ferretdb-src
    cp -r "$src" ../.tools/ferretdb-src
    chmod -R u+w ../.tools/ferretdb-src
    for patch in cmd/ferretdb/*.patch; do (cd ../.tools/ferretdb-src && git apply "../../tools/$patch"); done
    printf 'go %s\n\nuse ../tools\n\nreplace github.com/FerretDB/FerretDB %s => ./ferretdb-src\n' \
      "$(go mod edit -json | sed -n 's/^\t"Go": "\(.*\)",$/\1/p')" "$version" >../.tools/ferretdb.work
    GOWORK="$PWD/../.tools/ferretdb.work" go build -o ../.tools/bin/ferretdb ./cmd/ferretdb
  )
  touch .tools/bin/nats-server .tools/bin/grpcurl .tools/bin/ferretdb .tools/bin/protoc-gen-openapiv2
fi
if [[ ${SETUP_CHECKERS:-} == 1 ]]; then
  # envoycheck: also rebuilt when its source changed.
  if [[ ! -x .tools/bin/envoycheck || tools/go.mod -nt .tools/bin/envoycheck ]] ||
    [[ -n $(find tools/cmd/envoycheck -newer .tools/bin/envoycheck -print -quit) ]]; then
    need_go envoycheck
    say "building envoycheck into .tools/bin"
    (cd tools && go build -o ../.tools/bin/envoycheck ./cmd/envoycheck)
    touch .tools/bin/envoycheck
  fi

  # k8scheck (tools/cmd/k8scheck, a Go module of its own: k8s/ and docker-compose.yml checked offline
  # against the Kubernetes API's own types and validation); rebuilt when its source changed.
  if [[ ! -x .tools/bin/k8scheck || -n $(find tools/cmd/k8scheck -newer .tools/bin/k8scheck -print -quit) ]]; then
    need_go k8scheck
    say "building k8scheck into .tools/bin (about 2 minutes the first time)"
    (cd tools/cmd/k8scheck && go build -o ../../../.tools/bin/k8scheck .)
    touch .tools/bin/k8scheck
  fi
fi

# Jaeger all-in-one for `npm run observe` (tools/jaeger, a Go module of its own), on request.
if [[ ${SETUP_OBSERVE:-} == 1 ]] && [[ ! -x .tools/bin/jaeger || tools/jaeger/go.mod -nt .tools/bin/jaeger ]]; then
  need_go jaeger
  say "building jaeger into .tools/bin (several minutes the first time)"
  (cd tools/jaeger && GOBIN="$PWD/../../.tools/bin" go install tool)
  touch .tools/bin/jaeger
fi

# The marketing service (Python): a virtual environment of its own, installed from the lock files
# (exact versions and hashes) when it is missing or a lock file changed since it was installed.
venv=services/marketing/.venv
stamp=$venv/.installed
if [[ ! -f $stamp || services/marketing/requirements.lock -nt $stamp || services/marketing/requirements-dev.lock -nt $stamp ]] ||
  ! "$venv/bin/python" -c '' 2>/dev/null; then
  if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    say "Python 3.11 or newer is needed for the marketing service: install python3 (and python3-venv) and put it on PATH"
    exit 1
  fi
  say "installing the marketing service's Python packages into $venv"
  if ! "$venv/bin/python" -c '' 2>/dev/null; then
    rm -rf "$venv"
    python3 -m venv "$venv"
  fi
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input --require-hashes --no-deps \
    -r services/marketing/requirements.lock -r services/marketing/requirements-dev.lock
  touch "$stamp"
fi

# Debian/Ubuntu packages, installed with apt-get when missing.
apt_install() { # what package...
  local what=$1
  shift
  say "installing $what (apt-get)"
  local -a sudo=()
  if (( EUID != 0 )); then
    command -v sudo >/dev/null || { say "installing $what needs root: run as root or install the $* package(s)"; exit 1; }
    sudo=(sudo)
  fi
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# PostgreSQL server binaries, on request.
if [[ ${SETUP_POSTGRES:-} == 1 ]] && ! compgen -G '/usr/lib/postgresql/*/bin/pg_ctl' >/dev/null; then
  apt_install PostgreSQL postgresql
fi

# promtool for the alerting rules' tests, on request: taken out of Debian's prometheus package
# (unpacked, not installed, so no Prometheus server is set up or started).
if [[ ${SETUP_PROMTOOL:-} == 1 && ! -x .tools/bin/promtool ]]; then
  say "installing promtool into .tools/bin (from Debian's prometheus package)"
  deb_dir=$(mktemp -d)
  if ! (cd "$deb_dir" && apt-get download prometheus >/dev/null 2>&1); then
    apt_install "the prometheus package (download only)" --download-only prometheus
    cp /var/cache/apt/archives/prometheus_*.deb "$deb_dir/"
  fi
  dpkg-deb -x "$deb_dir"/prometheus_*.deb "$deb_dir/root"
  mkdir -p .tools/bin
  cp "$deb_dir/root/usr/bin/promtool" .tools/bin/promtool
  rm -rf "$deb_dir"
fi

# Chromium for the browser tests (playwright-core drives it; Playwright's own browser download does
# not work offline), on request. CHROMIUM_PATH names another Chromium to use instead.
if [[ ${SETUP_CHROMIUM:-} == 1 && -z ${CHROMIUM_PATH:-} ]] && [[ ! -x /usr/bin/chromium ]]; then
  apt_install Chromium chromium
fi

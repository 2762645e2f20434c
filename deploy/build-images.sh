#!/usr/bin/env bash
# Builds the images k8s/ and docker-compose.yml run, from the root Dockerfile:
# fooddelivery/{order,payment,store,notification} (one per service), fooddelivery/marketing (the
# Python service, target marketing), fooddelivery/envoy (Envoy with gen/descriptor.binpb) and
# fooddelivery/web (the web app's files, nginx).
#
#   deploy/build-images.sh [TAG] [REGISTRY]
#
# TAG defaults to 0.1.0 (the tag in k8s/kustomization.yaml). With REGISTRY (e.g.
# registry.example.com/team) the images are named REGISTRY/fooddelivery/<name>:TAG and pushed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

tag=${1:-0.1.0}
registry=${2:-}
prefix=${registry:+$registry/}fooddelivery

# service: gRPC port, REST port (README, "Ports"); the Dockerfile refuses any other pairing.
declare -A ports=([order]="50051 8081" [payment]="50052 8082" [store]="50053 8083" [notification]="50054 8084")
for service in order payment store notification; do
  read -r grpc http <<<"${ports[$service]}"
  docker build --build-arg SERVICE="$service" --build-arg GRPC_PORT="$grpc" --build-arg HTTP_PORT="$http" \
    -t "$prefix/$service:$tag" .
done
docker build --target marketing -t "$prefix/marketing:$tag" .
docker build --target envoy -t "$prefix/envoy:$tag" .
docker build --target web -t "$prefix/web:$tag" .

if [[ -n $registry ]]; then
  for name in order payment store notification marketing envoy web; do docker push "$prefix/$name:$tag"; done
fi
echo "built $prefix/{order,payment,store,notification,marketing,envoy,web}:$tag"

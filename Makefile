# ARKYRA: the two commands a newcomer needs are `make run` and `make test`.
.PHONY: run stop test fuzz openapi build services bench abuse check-deploy rollout-check images screenshots clean-run

run: ## install what is missing, start PostgreSQL, Redis, Temporal, the sandbox and the four services, seed a demo
	@scripts/run.sh

stop: ## stop the services, the sandbox, Temporal, PostgreSQL and Redis
	@scripts/stop-services.sh
	@scripts/temporal-server.sh stop
	@scripts/dev-services.sh stop

test: ## build and run every test against a real PostgreSQL and Redis
	@scripts/test.sh

fuzz: ## fuzz a live API with schemathesis against its OpenAPI description (make test does it too)
	@scripts/dev-services.sh start >/dev/null && swift build && scripts/schemathesis.sh

openapi: ## rewrite docs/openapi.json from the code (a test fails when they differ)
	@swift build --product arkyra-api && $$(swift build --show-bin-path)/arkyra-api openapi > docs/openapi.json

bench: ## measure the queue beside BullMQ and RQ, uploads beside curl, a transcode beside ffmpeg, workflows beside Temporal's Python SDK; table on screen, JSON lines in .bench/results.jsonl
	@scripts/bench.sh

abuse: ## attack and break the real binaries (floods, SSRF, slow clients, FLUSHALL with kill -9); prints a table
	@scripts/abuse.sh

check-deploy: ## lint and validate Dockerfiles/, k8s/ (every overlay), the alerts and deploy/ offline (make test does it too)
	@scripts/check-deploy.sh

rollout-check: ## restart two APIs behind nginx under wrk load, and a worker holding jobs: zero failed requests, no post lost
	@scripts/rollout-check.sh

images: ## build the four service images with podman (base images made here by debootstrap) and run each once
	@scripts/images.sh

screenshots: ## the web app's main screens in English and Arabic, from headless Chromium, into docs/screenshots/
	@scripts/screenshots.sh

build:
	@swift build --build-tests

services: ## start only PostgreSQL and Redis
	@scripts/dev-services.sh start

clean-run: stop ## forget all local data (databases, Redis, logs, .env)
	rm -rf .run .env

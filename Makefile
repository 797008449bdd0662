# The two commands of the README: `make run` (service with demo data on the
# embedded SQLite default) and `make test` (the whole suite, installing what
# it needs).
.PHONY: run test bench fuzz build

run:
	go run ./cmd/opcert serve --demo $(ARGS)

test:
	bash scripts/test.sh

build:
	CGO_ENABLED=0 go build -trimpath -o bin/opcert ./cmd/opcert

# 1 million generated holders on SQLite and PostgreSQL (see README).
bench:
	bash scripts/bench.sh

fuzz:
	for f in FuzzParseResidentID FuzzCreditCode FuzzMobile; do \
		go test ./internal/idcheck -run '^$$' -fuzz "^$$f$$" -fuzztime 30s || exit 1; \
	done
	go test ./internal/weldcode -run '^$$' -fuzz '^FuzzParse$$' -fuzztime 30s

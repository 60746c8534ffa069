# Indicia. `make run` and `make test` are all a newcomer needs on Debian or Ubuntu.
SHELL := /bin/bash
GO ?= go
TAGS ?= libsqlite3
BIN := build/indicia
# The identity in the top-level FyneApp.toml, built into the binary.
APP_ID := $(shell sed -n 's/^ *ID *= *"\(.*\)"/\1/p' FyneApp.toml)
APP_VERSION := $(shell sed -n 's/^ *Version *= *"\(.*\)"/\1/p' FyneApp.toml)
APP_BUILD := $(shell sed -n 's/^ *Build *= *\([0-9]*\).*/\1/p' FyneApp.toml)
LDFLAGS := -X main.appID=$(APP_ID) -X main.version=$(APP_VERSION) -X main.buildNumber=$(APP_BUILD)
export CGO_ENABLED := 1

# What building the app needs, and what the tests need besides (a real X server for
# the smoke test, a mouse driver, screenshots, the sqlite3 CLI).
BUILD_PKGS := gcc pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev \
	libxinerama-dev libxi-dev libxxf86vm-dev libsqlite3-dev
TEST_PKGS := xvfb xauth xdotool imagemagick sqlite3 poppler-utils

SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

.PHONY: run build deps test-deps install test faults bench content-check fuzz package clean

run: build
	./$(BIN) $(ARGS)

build: deps
	$(GO) build -tags $(TAGS) -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/indicia

# deps installs the missing system packages, saying which, with apt-get (as root, or
# through sudo).
deps:
	@$(MAKE) --no-print-directory install PKGS="$(BUILD_PKGS)"

test-deps: deps
	@$(MAKE) --no-print-directory install PKGS="$(TEST_PKGS)"

install:
	@missing=""; for p in $(PKGS); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "Installing system packages:$$missing (needs root or sudo)"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

# test runs every test: the content check, the unit and UI tests (Fyne's test driver),
# the smoke test of the real binary under Xvfb, a check of the Linux package, and a
# short fuzzing pass.
test: test-deps package
	$(GO) vet -tags $(TAGS) ./...
	$(GO) run -tags $(TAGS) ./cmd/indicia content check
	INDICIA_PACKAGE=$(CURDIR)/dist/Indicia.tar.xz $(GO) test -tags $(TAGS) -count=1 ./...
	$(MAKE) --no-print-directory fuzz FUZZTIME=10s

# faults runs the fault tests at full length: 100 SIGKILLs while answers are recorded,
# a full disk, damaged and foreign files, a second running copy.
faults: deps
	INDICIA_FAULT_ROUNDS=100 $(GO) test -tags $(TAGS) -count=1 -v \
		-run 'Killed|DiskFull|BadFiles|SecondCopy|FolderNotWritable|Backups' ./app/progress

# bench prints each figure beside the floor it is compared with, measured in the same
# run on the same machine (see README: Evidence).
bench: test-deps
	$(GO) test -tags $(TAGS) -run '^$$' -bench 'AnswerFloor|AnswerCommit' -benchtime 1000x ./app/progress
	$(GO) test -tags $(TAGS) -run '^$$' -bench 'LoadContent' ./modules
	$(GO) test -tags $(TAGS) -run '^$$' -bench . -benchtime 1x ./app/report ./app
	$(GO) test -tags $(TAGS) -run '^$$' -bench 'Startup' -benchtime 1x -timeout 30m ./cmd/indicia

content-check:
	$(GO) run -tags $(TAGS) ./cmd/indicia content check

FUZZTIME ?= 60s
fuzz:
	$(GO) test -tags $(TAGS) -run '^$$' -fuzz '^FuzzGrade$$' -fuzztime $(FUZZTIME) ./quiz
	$(GO) test -tags $(TAGS) -run '^$$' -fuzz '^FuzzLoad$$' -fuzztime $(FUZZTIME) ./modules

# package builds the Linux archive (binary, desktop entry, icon) with the fyne tool from
# the top-level FyneApp.toml, which the tool reads from the main package's folder: it is
# copied there, with the icon path made relative to that folder. The tool packages the
# binary `make build` made (which carries the same identity), rather than building again
# with other C flags, which would compile all the cgo code a second time.
FYNE := $(shell $(GO) env GOPATH)/bin/fyne
package: build
	@test -x $(FYNE) || $(GO) install fyne.io/tools/cmd/fyne@v1.7.4
	sed 's#Icon = "assets/#Icon = "../../assets/#' FyneApp.toml > cmd/indicia/FyneApp.toml
	mkdir -p dist
	cd cmd/indicia && $(FYNE) package -os linux --executable $(CURDIR)/$(BIN)
	mv cmd/indicia/*.tar.xz dist/
	@ls -l dist/

clean:
	rm -rf build dist cmd/indicia/FyneApp.toml

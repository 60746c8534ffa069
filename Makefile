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
TEST_PKGS := xvfb xauth xdotool imagemagick sqlite3 poppler-utils wine wine64 fusefat dosfstools
# What cross-compiling for Windows needs: mingw-w64 (the C compiler, windres for the
# resources), NSIS for the installer, ImageMagick to make the icon file.
WINDOWS_PKGS := gcc-mingw-w64-x86-64 nsis imagemagick

SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

.PHONY: run build deps test-deps windows-deps install test faults bench content-check fuzz package \
	package-windows clean

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

windows-deps:
	@$(MAKE) --no-print-directory install PKGS="$(WINDOWS_PKGS)"

install:
	@missing=""; for p in $(PKGS); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "Installing system packages:$$missing (needs root or sudo)"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

# test runs every test: the content check, the unit and UI tests (Fyne's test driver),
# the smoke test of the real binary under Xvfb, a check of the Linux package, the
# Windows build and its installer under Wine, and a short fuzzing pass. The Linux and
# Windows packages build side by side: most of each cold build is one single-threaded
# step (cgo reading go-gl's OpenGL bindings, 2-5 minutes), so on two cores they overlap.
test: test-deps windows-deps
	@$(MAKE) --no-print-directory -j2 --output-sync=target package package-windows
	$(GO) vet -tags $(TAGS) ./...
	$(GO) run -tags $(TAGS) ./cmd/indicia content check
	INDICIA_PACKAGE=$(CURDIR)/dist/Indicia.tar.xz INDICIA_WINDOWS_EXE=$(CURDIR)/$(WIN_EXE) \
		INDICIA_WINDOWS_SETUP=$(CURDIR)/$(WIN_SETUP) $(GO) test -tags $(TAGS) -count=1 -timeout 25m ./...
	$(MAKE) --no-print-directory fuzz FUZZ_SHORT=1 FUZZFLAGS=-parallel=1

# faults runs the fault tests at full length: 100 SIGKILLs while answers are recorded,
# 100 simulated power cuts in each journal mode (and 10 with synchronous=OFF, which
# must lose answers), a full disk, damaged and foreign files, a second running copy.
faults: deps
	INDICIA_FAULT_ROUNDS=100 $(GO) test -tags $(TAGS) -count=1 -v \
		-run 'Killed|PowerCut|DiskFull|BadFiles|SecondCopy|FolderNotWritable|Backups' ./app/progress

# bench prints each figure beside the floor it is compared with, measured in the same
# run on the same machine (see README: Evidence).
bench: test-deps
	$(GO) test -tags $(TAGS) -run '^$$' -bench 'AnswerCommit' -benchtime 1000x ./app/progress
	$(GO) test -tags $(TAGS) -run '^$$' -bench 'LoadContent' ./modules
	$(GO) test -tags $(TAGS) -run '^$$' -bench . -benchtime 1x ./app/report ./app
	$(GO) test -tags $(TAGS) -run '^$$' -bench 'MergeBundles' -benchtime 1x -timeout 20m ./app/progress
	$(GO) test -tags $(TAGS) -run '^$$' -bench 'Startup' -benchtime 1x -timeout 30m ./cmd/indicia

content-check:
	$(GO) run -tags $(TAGS) ./cmd/indicia content check

FUZZTIME ?= 60s
FUZZFLAGS ?=
# Each fuzz target as package:target:count. The count is make test's short pass
# (FUZZ_SHORT=1), about ten seconds each here: it is an execution count, not a time,
# because with -fuzztime=<duration> Go's fuzzing coordinator can report a spurious
# "context deadline exceeded" failure when the deadline falls while a starved worker
# is mid-call (golang/go#75804, #51484); a count has no deadline to race.
FUZZ_TARGETS := quiz:FuzzGrade:20000 modules:FuzzLoad:250 \
	app/report:FuzzReadBundle:20000 app/report:FuzzBundleContent:20000 \
	app/report:FuzzVerify:20000 app/report:FuzzPDFCodes:20000 \
	app/report:FuzzStatementJSON:20000 app/report:FuzzIssuerKey:20000 cmd/indicia:FuzzReportFilters:800
# fuzz runs every fuzz target for FUZZTIME each (seed corpora in testdata/fuzz), or
# for its count with FUZZ_SHORT=1.
fuzz:
	@for e in $(FUZZ_TARGETS); do \
		pkg=$${e%%:*}; rest=$${e#*:}; t=$${rest%%:*}; n=$${rest#*:}; \
		budget=$(if $(FUZZ_SHORT),$${n}x,$(FUZZTIME)); \
		echo "fuzz $$t in ./$$pkg for $$budget"; \
		$(GO) test -tags $(TAGS) -run '^$$' -fuzz "^$$t\$$" -fuzztime $$budget $(FUZZFLAGS) ./$$pkg || exit 1; \
	done

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

# package-windows cross-compiles dist/Indicia.exe with mingw-w64 and builds the installer
# dist/Indicia-<version>-setup.exe with NSIS (assets/windows/installer.nsi). The .exe
# carries what `fyne package -os windows` gives one (the icon, the version information,
# a manifest), compiled here with windres from assets/windows/indicia.rc into a .syso
# that only Windows builds link, so the Linux build in the same folder is unaffected.
# It is built once, with the identity `make build` builds in, without the libsqlite3
# tag (SQLite is compiled in, there is no system library to link on Windows), without
# symbol tables (-s -w: 36 MB instead of 64; stack traces still work), and is the
# binary the Wine test runs (`make test` builds it first).
WIN_CC := x86_64-w64-mingw32-gcc
WIN_WINDRES := x86_64-w64-mingw32-windres
WIN_BUILD := build/windows
WIN_SYSO := cmd/indicia/rsrc_windows_amd64.syso
WIN_EXE := dist/Indicia.exe
WIN_SETUP := dist/Indicia-$(APP_VERSION)-setup.exe
# Windows wants four numbers: the version without a pre-release part, and the build.
WIN_VERSION := $(firstword $(subst -, ,$(subst +, ,$(APP_VERSION)))).$(APP_BUILD)
comma := ,
package-windows: windows-deps
	mkdir -p $(WIN_BUILD) dist
	printf '#define APP_NAME "Indicia"\n#define APP_ID "%s"\n#define APP_VERSION_STR "%s"\n#define APP_VERSION_NUM %s\n' \
		'$(APP_ID)' '$(WIN_VERSION)' '$(subst .,$(comma),$(WIN_VERSION))' > $(WIN_BUILD)/version.h
	sed -e 's/@VERSION@/$(WIN_VERSION)/' -e 's/@ID@/$(APP_ID)/' -e 's/@NAME@/Indicia/' \
		assets/windows/indicia.exe.manifest > $(WIN_BUILD)/indicia.exe.manifest
	convert assets/icon.png -define icon:auto-resize=256,64,48,32,24,16 $(WIN_BUILD)/indicia.ico
	$(WIN_WINDRES) -I $(WIN_BUILD) -I assets/windows -O coff -i assets/windows/indicia.rc -o $(WIN_SYSO)
	GOOS=windows GOARCH=amd64 CC=$(WIN_CC) $(GO) build -ldflags "$(LDFLAGS) -H=windowsgui -s -w" \
		-o $(WIN_EXE) ./cmd/indicia
	makensis -V2 -INPUTCHARSET UTF8 -DVERSION=$(APP_VERSION) -DVERSION4=$(WIN_VERSION) -DAPPID=$(APP_ID) \
		-DEXE=$(CURDIR)/$(WIN_EXE) -DICON=$(CURDIR)/$(WIN_BUILD)/indicia.ico \
		-DOUTFILE=$(CURDIR)/$(WIN_SETUP) assets/windows/installer.nsi
	@ls -l $(WIN_EXE) $(WIN_SETUP)

clean:
	rm -rf build dist cmd/indicia/FyneApp.toml $(WIN_SYSO)

//go:build !libsqlite3

package main

// buildTags are the tags the smoke test builds the binary with: the ones of this run.
const buildTags = ""

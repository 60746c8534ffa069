// Package report produces what leaves an Indicia installation, from the progress store
// and the content: completion reports for trainers (CSV, XLSX, PDF), signed
// certificates of completion and their offline verification, xAPI statements and the
// client that sends them to a learning record store, and signed station bundles that
// carry one machine's learners and results to a trainer's machine.
package report

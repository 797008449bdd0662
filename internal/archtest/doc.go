// Package archtest holds the tests of the module's package graph: which
// package may import which (DESIGN.md, Architecture). It has no code of its
// own.
package archtest

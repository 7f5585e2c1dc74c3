// Package domain holds the types of ucmpush and the pure rules over them: the provider,
// customer and site hierarchy, directory entries and users, move rules, and the decisions of
// what a sync removes and what a push writes. It does no I/O and imports nothing from Temporal,
// so every rule here is table-tested on its own.
package domain

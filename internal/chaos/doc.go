// Package chaos holds the chaos tests of ucmpush: a worker killed with SIGKILL mid-push, the
// Temporal dev server and PostgreSQL restarted mid-sync, UCM answering 30% of writes with HTTP
// 503 or not at all for a minute, and the LDAP connection cut between two pages. Each test ends
// with the simulator holding every user exactly once and the store agreeing with it.
//
// The tests run only with UCMPUSH_CHAOS set (`make chaos` sets it to required). They start a
// stack of their own with deploy/stack under a temporary STACK_DIR on free ports, with the
// Temporal dev server keeping its state in a file, and run the worker binary as a separate
// process, because they stop and start the services and kill the worker.
package chaos

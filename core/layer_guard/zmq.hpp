// Layer guard: core/ is transport-free (docs/architecture.md, rules 2-3). Algorithms talk in messages and
// actions; sockets live in net/. If you got here, move the code that needs ZeroMQ into net/.
#error "distopt_core must not include ZeroMQ headers; sockets belong in net/"

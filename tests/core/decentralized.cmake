# Decentralized family (core/topology, core/decentralized): graphs, mixing matrices, Chebyshev gossip,
# node roles and their simulator (docs/papers.md, decentralized-proxgt §6).
distopt_add_qtest(test_core_topology SOURCES core/test_topology.cpp LIBS distopt::core LABELS core)
distopt_add_qtest(test_core_decentralized SOURCES core/test_decentralized.cpp LIBS distopt::core LABELS core)

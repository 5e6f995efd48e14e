# The Kronecker family's live driver on real processes (net/PROTOCOL.md §13).
distopt_add_qtest(test_net_kron_live SOURCES net/test_kron_live.cpp net/live_test_support.hpp
                  LIBS distopt::net distopt::store Qt6::Core LABELS net live)
add_dependencies(test_net_kron_live distopt-worker distopt-run)

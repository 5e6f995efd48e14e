# The decentralized family's live driver (net/PROTOCOL.md §11): frames, malformed input, live runs on
# real worker processes against the simulator, and a killed node.
distopt_add_qtest(test_net_decentralized_live SOURCES net/test_decentralized_live.cpp
                  net/decentralized_live_support.hpp net/live_test_support.hpp
                  LIBS distopt::net distopt::store Qt6::Core LABELS net live)
add_dependencies(test_net_decentralized_live distopt-worker distopt-run)

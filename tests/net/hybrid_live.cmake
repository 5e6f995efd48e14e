# Hybrid-order family on real worker processes (net/PROTOCOL.md §12): frames, live = simulated
# iterates and socket bytes, a lost worker.
distopt_add_qtest(test_hybrid_live SOURCES net/test_hybrid_live.cpp net/live_test_support.hpp
                  LIBS distopt::net distopt::store Qt6::Core LABELS net live)
add_dependencies(test_hybrid_live distopt-worker distopt-run)

# Beyond one machine (issue 24): join files and fixed identities, ssh per host.
distopt_add_qtest(test_net_join_file SOURCES net/test_join_file.cpp LIBS distopt::net Qt6::Core LABELS net)
# One process per host stands for its workers: exit reports, ssh command lines.
distopt_add_qtest(test_net_host_launch SOURCES net/test_host_launch.cpp LIBS distopt::net Qt6::Core LABELS net)
# Live: join files, fixed identities, refusals, one ssh connection per host (an ssh double).
distopt_add_qtest(test_net_cluster_runs SOURCES net/test_cluster_runs.cpp net/live_test_support.hpp
                  LIBS distopt::net distopt::store Qt6::Core LABELS net live)
add_dependencies(test_net_cluster_runs distopt-worker distopt-run)

# Beyond one machine (issue 24): join files and fixed identities, ssh per host.
distopt_add_qtest(test_net_join_file SOURCES net/test_join_file.cpp LIBS distopt::net Qt6::Core LABELS net)
# One process per host stands for its workers: exit reports, ssh command lines.
distopt_add_qtest(test_net_host_launch SOURCES net/test_host_launch.cpp LIBS distopt::net Qt6::Core LABELS net)
# Live: join files, fixed identities, refusals, one ssh connection per host (an ssh double).
distopt_add_qtest(test_net_cluster_runs SOURCES net/test_cluster_runs.cpp net/cluster_test_support.hpp net/live_test_support.hpp
                  LIBS distopt::net distopt::store Qt6::Core LABELS net live)
add_dependencies(test_net_cluster_runs distopt-worker distopt-run)
# Live through a real single-node Slurm the test starts itself (skipped where the daemons cannot start).
distopt_add_qtest(test_net_slurm_runs SOURCES net/test_slurm_runs.cpp net/cluster_test_support.hpp
                  net/live_test_support.hpp LIBS distopt::net distopt::store Qt6::Core LABELS net live)
add_dependencies(test_net_slurm_runs distopt-worker distopt-run)
# "launcher": "slurm" without a cluster: the experiment fields, the srun step's argv, srun's task reports.
distopt_add_qtest(test_net_slurm_launch SOURCES net/test_slurm_launch.cpp LIBS distopt::net Qt6::Core LABELS net)

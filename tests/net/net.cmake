# Live runtime (net/): the wire codec, live runs on real processes, and faults. The live tests run the
# real distopt-run and distopt-worker programs on loopback.
distopt_add_qtest(test_net_protocol_codec SOURCES net/test_protocol_codec.cpp
                  LIBS distopt::net LABELS net)
# Large frames reuse heap pages (keepLargeFrameMemory), in a process of its own.
distopt_add_qtest(test_net_frame_memory SOURCES net/test_frame_memory.cpp LIBS distopt::net LABELS net)
distopt_add_qtest(test_net_live_runs SOURCES net/test_live_runs.cpp net/live_test_support.hpp
                  LIBS distopt::net distopt::store Qt6::Core LABELS net live)
add_dependencies(test_net_live_runs distopt-worker distopt-run)
distopt_add_qtest(test_net_live_faults SOURCES net/test_live_faults.cpp net/live_test_support.hpp
                  LIBS distopt::net distopt::store Qt6::Core LABELS net live)
add_dependencies(test_net_live_faults distopt-worker distopt-run)
# distopt-run's command-line test runs the live engine too.
if(TARGET test_app_run_cli)
  add_dependencies(test_app_run_cli distopt-worker)
endif()
# ZeroMQ endpoints as libzmq reads them, and the loopback guard built on them.
distopt_add_qtest(test_net_endpoint SOURCES net/test_endpoint.cpp LIBS distopt::net LABELS net)
# The control socket's request/reply protocol (status, stop, malformed requests), bound only in a private
# folder, and that folder's life (made 0700, locked, removed, stale ones swept).
distopt_add_qtest(test_net_control_socket SOURCES net/test_control_socket.cpp LIBS distopt::net Qt6::Core LABELS net)
distopt_add_qtest(test_net_run_directory SOURCES net/test_run_directory.cpp LIBS distopt::net Qt6::Core LABELS net)
# The family table (core/registry/family.hpp) against the kinds, the registry, the live drivers and PROTOCOL.md.
distopt_add_qtest(test_net_families SOURCES net/test_families.cpp LIBS distopt::net LABELS net)
# PROTOCOL.md's kind table (§3) and family sections against the code's kind list.
distopt_add_qtest(test_net_protocol_doc SOURCES net/test_protocol_doc.cpp LIBS distopt::net LABELS net)
# The compressed family live: its wire messages, and runs on real worker processes.
distopt_add_qtest(test_net_compressed_messages SOURCES net/test_compressed_messages.cpp LIBS distopt::net LABELS net)
distopt_add_qtest(test_net_compressed_live SOURCES net/test_compressed_live.cpp net/live_test_support.hpp
                  LIBS distopt::net distopt::store Qt6::Core LABELS net live)
add_dependencies(test_net_compressed_live distopt-worker distopt-run)
# CURVE security on the worker socket: join command, refused keys, allowed key files.
distopt_add_qtest(test_net_secure_runs SOURCES net/test_secure_runs.cpp net/live_test_support.hpp
                  LIBS distopt::net distopt::store Qt6::Core LABELS net live)
add_dependencies(test_net_secure_runs distopt-worker distopt-run)
# A remote worker in another network namespace, cut off mid-run (skips where namespaces are not allowed).
distopt_add_qtest(test_net_namespaces SOURCES net/test_namespaces.cpp net/live_test_support.hpp
                  LIBS distopt::net distopt::store Qt6::Core LABELS net live)
add_dependencies(test_net_namespaces distopt-worker distopt-run)
# Clock offsets from heartbeat clock probes: the estimator and the HEARTBEAT clock frame.
distopt_add_qtest(test_net_clock_sync SOURCES net/test_clock_sync.cpp LIBS distopt::net LABELS net)
# Dashboards on other machines: the secured, read-only dashboard feed with history, keys per role.
distopt_add_qtest(test_net_dashboards SOURCES net/test_dashboards.cpp net/live_test_support.hpp
                  LIBS distopt::net distopt::store Qt6::Core LABELS net live)
add_dependencies(test_net_dashboards distopt-worker distopt-run)
# A worker behind a slow link (a delaying TCP relay): delays, clock offset and transit measured.
distopt_add_qtest(test_net_link_latency SOURCES net/test_link_latency.cpp net/link_relay.hpp net/relayed_run.hpp
                  net/live_test_support.hpp LIBS distopt::net distopt::store Qt6::Core LABELS net live)
add_dependencies(test_net_link_latency distopt-worker distopt-run)
# Reconnection: a worker's link cut for 0.2 s by a relay; the session resumes (PROTOCOL.md §4.4).
distopt_add_qtest(test_net_reconnect SOURCES net/test_reconnect.cpp net/link_relay.hpp net/relayed_run.hpp net/live_test_support.hpp
                  LIBS distopt::net distopt::store Qt6::Core LABELS net live)
add_dependencies(test_net_reconnect distopt-worker distopt-run)
# A worker's old connection's unread messages after ROUTER_HANDOVER gave its routing id to the new one
# (PROTOCOL.md §4.4): the worker's, not a stranger's.
distopt_add_qtest(test_net_session_handover SOURCES net/test_session_handover.cpp net/live_test_support.hpp
                  LIBS distopt::net distopt::store Qt6::Core LABELS net live)
add_dependencies(test_net_session_handover distopt-worker)
# Workers started a few at a time while the coordinator serves (many local workers).
distopt_add_qtest(test_net_spawn_queue SOURCES net/test_spawn_queue.cpp LIBS distopt::net LABELS net)
# Hostile peers against real processes: wrongly typed fields, refused results, oversized frames, peers
# that never read, refused handshakes, subscription floods, key files; and all of it at once.
distopt_add_qtest(test_net_hostile_peers SOURCES net/test_hostile_peers.cpp net/hostile_peer_support.hpp
                  net/live_test_support.hpp LIBS distopt::net distopt::store Qt6::Core LABELS net live)
add_dependencies(test_net_hostile_peers distopt-worker distopt-run)
# One parameterized live harness for every family that runs its own roles (a row per family of the
# family table): frames round-trip, live = simulator through distopt-run, a killed worker fails the run.
distopt_add_qtest(test_net_family_live_conformance SOURCES net/test_family_live_conformance.cpp
                  net/decentralized_live_support.hpp net/live_test_support.hpp
                  LIBS distopt::net distopt::store Qt6::Core LABELS net live)
add_dependencies(test_net_family_live_conformance distopt-worker distopt-run)

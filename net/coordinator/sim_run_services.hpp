#pragma once
// What a simulated run offers a dashboard, so the GUI watches a simulated run exactly as it watches a
// live one (docs/architecture.md, rule 6): the telemetry PUB socket and the control socket (status, stop). The live
// engine serves both from its own poll loop; a simulated run has no loop of ours to poll in, so the
// control socket gets a small thread of its own and the telemetry is published from the engine's thread
// through this sink.

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include <zmq.hpp>

#include "core/telemetry/telemetry.hpp"
#include "net/coordinator/run_directory.hpp"
#include "net/telemetry/telemetry_publisher.hpp"

namespace distopt::net {

class SimRunServices : public TelemetrySink {
 public:
  struct Options {
    std::string telemetryEndpoint;   ///< empty: no telemetry socket
    std::string
        controlEndpoint;  ///< empty: no control socket; else ipc:// in a private folder (run_directory.hpp)
    std::string experimentName;
    std::string algorithm;
    int workers = 0;
    std::optional<double> timeLimit;
    std::uint64_t updateLimit = 0;
  };

  /// `stop` is called (from the control thread) when a dashboard asks the run to stop.
  SimRunServices(Options options, std::function<void()> stop);
  ~SimRunServices() override;
  SimRunServices(const SimRunServices&) = delete;
  SimRunServices& operator=(const SimRunServices&) = delete;

  /// Binds both sockets; false with *why naming the endpoint when one cannot be bound.
  bool bind(std::string* why);
  std::string telemetryEndpoint() const;
  std::string controlEndpoint() const { return m_controlEndpoint; }

  // Thread: the engine's.
  void onUpdate(const UpdateEvent& event) override;
  void onEvaluation(const EvaluationPoint& point) override;
  void onFinish(const RunSummary& summary) override;
  void onWorkerStatus(const WorkerStatus& status) override;
  void onBandwidth(const BandwidthSample& sample) override;

 private:
  void serveControl();

  Options m_options;
  std::function<void()> m_stop;
  std::unique_ptr<RunDirectory> m_runDirectory;  // outlives the context: removed once the sockets are closed
  zmq::context_t m_context{1};
  std::unique_ptr<TelemetryPublisher> m_publisher;
  std::optional<zmq::socket_t> m_control;
  std::string m_controlEndpoint;
  std::thread m_controlThread;
  std::atomic<bool> m_quit{false};
  std::atomic<bool> m_finished{false};
  std::atomic<double> m_time{0.0};
  std::atomic<std::uint64_t> m_updates{0};
};

}  // namespace distopt::net

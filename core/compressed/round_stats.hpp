#pragma once
// What a compressed-SGD run measures per round, shared by the simulated run and the live coordinator so
// both report the same metrics from the same messages (names documented in compressed_sim_run.hpp):
// cumulative payload bits both ways, and means over the rounds since the previous evaluation.

#include <cstdint>
#include <map>
#include <string>

#include "core/codec/compressed_message.hpp"
#include "core/compressed/compressed_roles.hpp"

namespace distopt {

class CompressedRoundStats {
 public:
  /// `dimension` N and `workers` M of the run.
  CompressedRoundStats(std::uint64_t dimension, int workers) : m_dimension(dimension), m_workers(workers) {}

  /// One worker's uplink of the current round.
  void addUplink(const EncodedMessage& up);
  /// The round ended with downlink `down` (one copy counted) and the server's report.
  void addRound(const EncodedMessage& down, const RoundReport& report);
  /// Writes the metrics of this moment and starts a new window.
  void takeMetrics(std::map<std::string, double>& metrics);
  /// Rounds in the current window.
  std::uint64_t windowRounds() const { return m_window.rounds; }

 private:
  struct Window {
    std::uint64_t rounds = 0;
    double bitsUp = 0.0;
    double bitsDown = 0.0;
    double lowerBoundUp = 0.0;
    double agreement = 0.0;
    double margin = 0.0;
    double coverage = 0.0;
    double nonzero = 0.0;
    bool votes = false;
  };
  std::uint64_t m_dimension;
  int m_workers;
  double m_cumulativeBitsUp = 0.0;
  double m_cumulativeBitsDown = 0.0;
  Window m_window;
};

/// The bandwidth kind of a message with `codec`: "UP_SPARSE_SIGN", "DOWN_TERNARY", ... — the names of
/// the live wire kinds (net/PROTOCOL.md §10), so a simulated run's bandwidth chart reads like a live one.
const char* bandwidthKind(CodecId codec, bool uplink);

}  // namespace distopt

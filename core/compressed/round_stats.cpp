#include "core/compressed/round_stats.hpp"

namespace distopt {

void CompressedRoundStats::addUplink(const EncodedMessage& up) {
  m_window.bitsUp += static_cast<double>(up.payloadBits);
  m_window.lowerBoundUp += up.lowerBoundBits;
  m_cumulativeBitsUp += static_cast<double>(up.payloadBits);
}

void CompressedRoundStats::addRound(const EncodedMessage& down, const RoundReport& report) {
  m_window.rounds += 1;
  m_window.bitsDown += static_cast<double>(down.payloadBits);
  m_window.nonzero += report.downNonzeroFraction;
  if (report.hasVotes) {
    m_window.votes = true;
    m_window.agreement += report.voteAgreement;
    m_window.margin += report.voteMargin;
    m_window.coverage += report.voteCoverage;
  }
  m_cumulativeBitsDown += static_cast<double>(down.payloadBits);
}

void CompressedRoundStats::takeMetrics(std::map<std::string, double>& metrics) {
  metrics["cumulative_bits_up"] = m_cumulativeBitsUp;
  metrics["cumulative_bits_down"] = m_cumulativeBitsDown;
  const Window& window = m_window;
  if (window.rounds > 0) {
    const double rounds = static_cast<double>(window.rounds);
    const double up = window.bitsUp / rounds;
    metrics["bits_up_per_iteration"] = up;
    metrics["bits_up_per_worker"] = up / m_workers;
    metrics["bits_down_per_iteration"] = window.bitsDown / rounds;
    metrics["compression_ratio_up"] =
        up > 0.0 ? 32.0 * static_cast<double>(m_dimension) * m_workers / up : 0.0;
    metrics["efficiency_up"] = window.bitsUp > 0.0 ? window.lowerBoundUp / window.bitsUp : 0.0;
    metrics["down_nonzero_fraction"] = window.nonzero / rounds;
    if (window.votes) {
      metrics["vote_agreement"] = window.agreement / rounds;
      metrics["vote_margin"] = window.margin / rounds;
      metrics["vote_coverage"] = window.coverage / rounds;
    }
  }
  m_window = Window{};
}

const char* bandwidthKind(CodecId codec, bool uplink) {
  // The live wire kinds' names (net/PROTOCOL.md §10), so simulated and live runs chart alike.
  static constexpr const char* kUp[] = {"UP_DENSE_F32",   "UP_SIGN",       "UP_SCALED_SIGN", "UP_TERNARY",
                                        "UP_SPARSE_SIGN", "UP_SPARSE_F32", "UP_QSGD"};
  static constexpr const char* kDown[] = {"DOWN_DENSE_F32", "DOWN_SIGN",        "DOWN_SCALED_SIGN",
                                          "DOWN_TERNARY",   "DOWN_SPARSE_SIGN", "DOWN_SPARSE_F32",
                                          "DOWN_QSGD"};
  int index = 0;
  switch (codec) {
    case CodecId::DenseF32:
      index = 0;
      break;
    case CodecId::Sign1:
      index = 1;
      break;
    case CodecId::ScaledSign:
      index = 2;
      break;
    case CodecId::TernT2:
    case CodecId::TernT5:
      index = 3;
      break;
    case CodecId::QsgdDense:
    case CodecId::QsgdElias:
      index = 6;
      break;
    default:
      index = static_cast<int>(codec) < 32 ? 4 : 5;
      break;
  }
  return uplink ? kUp[index] : kDown[index];
}

}  // namespace distopt

#pragma once
// DHO2 (docs/papers.md, hybrid-order §4.2-4.8): FOSI distributed over P devices. Gradients stay data
// parallel; the Lanczos basis is cut into P contiguous segments (LanczosSegment), and in update mode S each
// device also owns segment S_p of V, of FOSI's velocity and of the base optimizer state (FosiSegment), so the
// curvature memory per device falls as 1/P. Mode R keeps V, u and the base state replicated (the released
// code's behaviour) and only the basis is segmented.
//
// Dho2Worker is the transport-free role of device p. Every payload it exchanges is listed, with its size
// in doubles, by Dho2Messages; the simulator charges exactly those sizes and the live engine
// (net/families/hybrid) sends them as dense float64 frames (hybridMessageBytes).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "core/hybrid/fosi.hpp"
#include "core/hybrid/lanczos.hpp"

namespace distopt {

enum class UpdateMode { Replicated, Sharded };  ///< hybrid-order §4.5 modes R, S (not B, the ablation)
enum class HvpMode { DataParallel, RootBroadcast };

struct Dho2Options {
  FosiOptions fosi;
  UpdateMode updateMode = UpdateMode::Sharded;
  HvpMode hvpMode = HvpMode::DataParallel;

  bool isValid(std::string* why) const { return fosi.isValid(why); }
};

/// Bytes of one hybrid-order message as it goes over the wire (net/PROTOCOL.md §12.2): the 16-byte
/// header, the 24-byte hybrid meta frame and, when `values` >= 0, a dense float64 vector frame (8-byte
/// prefix + 8 per value). The simulator charges exactly these sizes, so simulated and live bandwidth
/// per kind agree (a live coordinator's socket adds only ZeroMQ's routing identity frame).
inline constexpr std::uint64_t kHybridHeaderBytes = 16;
inline constexpr std::uint64_t kHybridMetaBytes = 24;
inline constexpr std::uint64_t kHybridVectorPrefixBytes = 8;
constexpr std::uint64_t hybridMessageBytes(std::int64_t values) {
  return kHybridHeaderBytes + kHybridMetaBytes +
         (values < 0 ? 0 : kHybridVectorPrefixBytes + 8 * static_cast<std::uint64_t>(values));
}

/// Payload sizes in doubles of one device's messages (hybrid-order §4.7). `s` is the device's segment length.
struct Dho2Messages {
  Eigen::Index n = 0;
  Eigen::Index s = 0;
  int r = 0;
  // per training step
  std::int64_t gradientUp() const { return n; }  ///< ALLREDUCE / REDUCE_SCATTER input
  std::int64_t gradientDown(UpdateMode mode) const { return mode == UpdateMode::Sharded ? s : n; }
  std::int64_t projectionA() const { return r; }       ///< mode S, each way
  std::int64_t projectionBq() const { return 2 * r; }  ///< mode S, each way
  std::int64_t parameterUp() const { return s; }       ///< mode S ALLGATHER input
  std::int64_t parameterDown() const { return n; }     ///< mode S ALLGATHER output
  // per estimate
  std::int64_t startVector() const { return n; }            ///< broadcast (also each restart)
  std::int64_t hvpSync() const { return n; }                ///< per iteration, each way
  std::int64_t coefficients(int j) const { return j + 1; }  ///< twice per iteration j < m-1
  std::int64_t gatherUp() const { return s; }
  std::int64_t gatherDown() const { return n; }
  std::int64_t ritzUp() const { return static_cast<std::int64_t>(r) * s; }    ///< mode R only
  std::int64_t ritzDown() const { return static_cast<std::int64_t>(r) * n; }  ///< mode R only
};

/// Device p of P. Holds its FOSI state (segment S_p in mode S, all of θ in mode R) and, while an
/// estimate runs, its LanczosSegment.
class Dho2Worker {
 public:
  Dho2Worker(const Dho2Options& options, Eigen::Index n, int parts, int index);

  /// Starts an estimate with the broadcast start vector.
  LanczosSegment& beginEstimate(const Vector& q0);
  LanczosSegment& lanczos() { return *m_lanczos; }
  const LanczosSegment& lanczos() const { return *m_lanczos; }
  /// True between beginEstimate() and finishEstimate().
  bool estimating() const { return m_lanczos != nullptr; }
  /// Finishes the estimate: returns this device's Ritz slice (r × s) and eigenvalues; frees the basis.
  LanczosResult finishEstimate();
  /// Installs an estimate: mode S the own slice, mode R the all-gathered r × n vectors.
  void install(const Eigen::MatrixXd& vectors, const Vector& eigenvalues);

  /// The update role (phases project / momentumAndBase / apply, see FosiSegment).
  FosiSegment& update() { return m_update; }
  const FosiSegment& update() const { return m_update; }
  /// θ indices this device updates: S_p in mode S, all of θ in mode R.
  SegmentRange updateRange() const { return m_updateRange; }
  SegmentRange segment() const { return m_segment; }

  /// Doubles of curvature state held now, and the peak since construction.
  std::int64_t storedValues() const;
  std::int64_t peakStoredValues() const { return m_peak; }
  std::int64_t basisValues() const { return m_lanczos ? m_lanczos->basisValues() : 0; }
  Dho2Messages messages() const;

 private:
  void notePeak();

  Dho2Options m_options;
  Eigen::Index m_n;
  int m_parts;
  int m_index;
  SegmentRange m_segment;
  SegmentRange m_updateRange;
  FosiSegment m_update;
  std::unique_ptr<LanczosSegment> m_lanczos;
  std::int64_t m_peak = 0;
};

}  // namespace distopt

#pragma once
// Sparse-SignSGD with majority vote, S³GD-MV (docs/papers.md, compressed-sgd §2.4; Park & Lee 2023 and the
// authors' code). Worker: a = α·r + g (select top) or g (select rand); S = TopK(a) per segment (|a|
// descending, index ascending) or RandK; exact zeros leave S (a zero cannot vote); send SPARSE_SIGN(S, a_S <
// 0) with the chosen index codec; residual r = a with r_S = 0 (the selected magnitude is discarded, as in the
// reference code — not Karimireddy error feedback). Server: c_i = Σ ±1 over the messages containing i, V =
// sign(c) (no vote or tie → 0), downlink TERNARY_AUTO(V); every replica runs Shared Apply(u = V).

#include "core/codec/sparse_codec.hpp"
#include "core/compressed/compressed_roles.hpp"

namespace distopt {

enum class KRule { Fraction, Coverage, Absolute };
enum class TopKScope { PerTensor, Global };

struct SparseSignVoteOptions {
  KRule kRule = KRule::Fraction;
  std::uint64_t rhoPpm = 100000;  ///< K/N in parts per million (fraction rule), 1..1e6
  double coverage = 1.0;          ///< c of the coverage rule: K = ceil(c·N/M)
  std::uint64_t k = 1;            ///< absolute rule: K, spread over segments
  TopKScope scope = TopKScope::PerTensor;
  double alpha = 1.0;         ///< residual factor in [0, 1]; 0 = no memory
  bool randomSelect = false;  ///< select = rand (never uses memory)
  StepSchedule step;          ///< δ, default 1e-3
  double mu = 0.0;            ///< server momentum
  double lambda = 0.0;        ///< weight decay
  IndexCodec indexCodec = IndexCodec::Auto;
  std::uint64_t seed = 0;  ///< keys rand selection (with the worker id)

  bool isValid(std::string* why) const;
};

/// K_l per segment for the options (the selection layout is `layout` for per_tensor, one segment for
/// global; returned alongside).
std::vector<std::uint64_t> sparseSignK(const SparseSignVoteOptions& options, const SegmentLayout& layout,
                                       int numWorkers, SegmentLayout& selectionLayout);

CompressedMethod makeSparseSignVote(const SparseSignVoteOptions& options, const SegmentLayout& layout,
                                    int numWorkers, const Vector& x0);

}  // namespace distopt

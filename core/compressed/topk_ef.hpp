#pragma once
// Top-K sparsification with error feedback, mem-SGD (docs/papers.md, compressed-sgd §2.5; Stich et al. 2018,
// GRACE, and the S³GD-MV authors' TopK baseline). Worker: p = α·e + (lr_in_memory ? γ_t(g + λx) : g); S =
// TopK(p) per segment; send SPARSE_F32(S, binary32(p_S)); memory e = p − decode(message) (zero on S up to the
// binary32 rounding, which is kept rather than lost — compressed-sgd §5 oracle 18). Server: s_i = Σ w_{m,i},
// n_i = senders; u = s/M or s/n_i (avg = senders); downlink the smaller of SPARSE_F32_AUTO over U = {n_i > 0}
// and DENSE_F32(u); replicas apply x −= u (lr_in_memory) or Shared Apply(u).

#include "core/codec/sparse_codec.hpp"
#include "core/compressed/compressed_roles.hpp"
#include "core/compressed/sparse_sign_vote.hpp"

namespace distopt {

struct TopKEfOptions {
  std::uint64_t rhoPpm = 10000;  ///< K/N in ppm (default 1%), per segment ceil
  TopKScope scope = TopKScope::PerTensor;
  double alpha = 1.0;  ///< memory decay in [0, 1]; 0 = plain top-K
  bool lrInMemory = true;
  bool averageBySenders = false;  ///< avg = senders (else M)
  StepSchedule step;              ///< γ default 0.05
  double mu = 0.0;                ///< server momentum (lr_in_memory = false only)
  double lambda = 0.0;
  IndexCodec indexCodec = IndexCodec::Auto;

  bool isValid(std::string* why) const;
};

CompressedMethod makeTopKEf(const TopKEfOptions& options, const SegmentLayout& layout, int numWorkers,
                            const Vector& x0);

}  // namespace distopt

#pragma once
// EF-signSGD, error feedback fixes signSGD (docs/papers.md, compressed-sgd §2.6; Karimireddy et al. 2019,
// GRACE). Worker: d = g + λx; optional PyTorch-style momentum buf = (first ? d : β·buf + d); p = e + γ_t·d;
// per segment scale_l = ‖p_l‖₁/N_l (binary32); send SCALED_SIGN(scales, p < 0); memory e = p − Δ with Δ the
// decoded message. Server: u = (1/M)Σ Δ_m; downlink DENSE_F32(u) (x −= u), or with downlink = ef a server
// memory: q = u + e_srv, Δ_s = scaled sign of q, e_srv = q − Δ_s, SCALED_SIGN(Δ_s), x −= Δ_s.

#include "core/compressed/compressed_roles.hpp"
#include "core/compressed/sparse_sign_vote.hpp"

namespace distopt {

struct EfSignSgdOptions {
  StepSchedule step;                       ///< γ
  double beta = 0.0;                       ///< worker momentum in [0, 1)
  double lambda = 0.0;                     ///< weight decay folded into the gradient
  TopKScope scope = TopKScope::PerTensor;  ///< per_tensor: one scale per segment; global: one scale
  bool serverEf = false;                   ///< downlink = ef

  bool isValid(std::string* why) const;
};

CompressedMethod makeEfSignSgd(const EfSignSgdOptions& options, const SegmentLayout& layout, int numWorkers,
                               const Vector& x0);

}  // namespace distopt

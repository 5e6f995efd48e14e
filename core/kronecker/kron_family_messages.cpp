#include "core/kronecker/kron_family_messages.hpp"

namespace distopt {
namespace {

struct DownSize {
  WireSize operator()(const kron::InitMessage& m) const { return {kron::initBytes(m.n, m.d1, m.d2), "INIT"}; }
  WireSize operator()(const kron::StartMessage&) const { return {kron::startBytes(), "START"}; }
  WireSize operator()(const kron::BatchMessage& m) const { return {kron::batchBytes(m.indices.size()), "BATCH"}; }
  WireSize operator()(const kron::ResidMessage& m) const {
    return {kron::residBytes(m.residuals.size()), "RESID"};
  }
  WireSize operator()(const kron::EvalMessage&) const { return {kron::evalBytes(), "EVAL"}; }
};

struct UpSize {
  WireSize operator()(const kron::ReadyMessage&) const { return {kron::readyBytes(), "READY"}; }
  WireSize operator()(const kron::PartialMessage& m) const {
    return {kron::partialBytes(m.sums.size()), "PARTIAL"};
  }
  WireSize operator()(const kron::LossMessage& m) const { return {kron::lossBytes(m.outputSums.size()), "LOSS"}; }
  WireSize operator()(const kron::CoFireMessage& m) const { return {kron::coFireBytes(m.n), "COFIRE"}; }
  WireSize operator()(const kron::StatsMessage&) const { return {kron::statsBytes(), "STATS"}; }
};

}  // namespace

WireSize kronDownWireSize(const KronDown& message) { return std::visit(DownSize{}, message); }
WireSize kronUpWireSize(const KronUp& message) { return std::visit(UpSize{}, message); }

}  // namespace distopt

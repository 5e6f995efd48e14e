#pragma once
// A vector carried in a role's message whose bytes a transport may own. On the virtual network it is a
// heap vector; over ZeroMQ it is the frame itself: a JOB's model is read where its frame arrived and a
// GRAD's gradient written where its frame leaves from, so a parameter-server job at d = 1e6 costs no 8 MB
// copy on either side (bench_coordinator_throughput measures it). Copies share the bytes: whoever makes a
// message writes its vector once, before sending it, and nobody writes it after.

#include <memory>
#include <utility>

#include "core/problems/problem.hpp"

namespace distopt {

/// What keeps a payload's bytes alive: a transport's own kind (a frame) or a heap vector.
class VectorStorage {
 public:
  virtual ~VectorStorage() = default;
};

class VectorPayload {
 public:
  VectorPayload() = default;
  /// A payload that owns `values`.
  explicit VectorPayload(Vector values);
  /// `size` doubles at `data`, alive as long as `storage` is.
  VectorPayload(std::shared_ptr<VectorStorage> storage, double* data, Eigen::Index size)
      : m_storage(std::move(storage)), m_data(data), m_size(size) {}

  Eigen::Index size() const { return m_size; }
  /// No vector at all (a default-constructed payload; a hostile message's missing model).
  bool empty() const { return m_data == nullptr; }
  Eigen::Map<const Vector> view() const { return {m_data, m_size}; }
  /// For the payload's maker, before the message is sent.
  Eigen::Map<Vector> writable() { return {m_data, m_size}; }
  /// The transport's storage, to send a frame it made without copying it; nullptr when empty.
  VectorStorage* storage() const { return m_storage.get(); }

 private:
  std::shared_ptr<VectorStorage> m_storage;
  double* m_data = nullptr;
  Eigen::Index m_size = 0;
};

namespace detail {
struct OwnedVector final : VectorStorage {
  explicit OwnedVector(Vector v) : values(std::move(v)) {}
  Vector values;
};
}  // namespace detail

inline VectorPayload::VectorPayload(Vector values) {
  auto owned = std::make_shared<detail::OwnedVector>(std::move(values));
  m_data = owned->values.data();
  m_size = owned->values.size();
  m_storage = std::move(owned);
}

}  // namespace distopt

#pragma once
// The InputError an action throws, for tests of refusals (the parser, the components' set-up code).

#include <QtGlobal>
#include <exception>
#include <functional>
#include <optional>

#include "core/util/input_error.hpp"

namespace test_support {

/// The InputError `action` throws, or nullopt when it throws nothing (or another exception, which is
/// reported as a warning: a refusal must be an InputError).
inline std::optional<distopt::InputError> inputError(const std::function<void()>& action) {
  try {
    action();
  } catch (const distopt::InputError& error) {
    return error;
  } catch (const std::exception& other) {
    qWarning("expected InputError, got: %s", other.what());
  }
  return std::nullopt;
}

}  // namespace test_support

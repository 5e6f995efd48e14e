// Must compile: what core is allowed to see.
#include <Eigen/Dense>
#include <nlohmann/json.hpp>
#include <zlib.h>

#include "core/util/random_stream.hpp"

int probeControl() { return static_cast<int>(Eigen::Vector2d(1, 2).sum()); }

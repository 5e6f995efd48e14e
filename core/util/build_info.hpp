#pragma once
// What the running program was built from, for --version and each run's provenance. Defined in a file
// generated at every build (cmake/build_info.cmake): a change of commit relinks, but recompiles nothing
// else.

namespace distopt {

/// `git describe` of the sources at build time (e.g. "0.1.0-gf3d196a-dirty", or "0.2.0" at a tag);
/// the plain project version in a release build (-DDISTOPT_RELEASE=ON) or outside a git checkout.
const char* programVersion();
/// The full commit hash built from, or "unknown" outside a git checkout.
const char* programCommit();

}  // namespace distopt

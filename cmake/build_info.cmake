# Run at every build (cmake -P): writes the program's version and commit into OUTPUT, touching it only
# when they changed, so a rebuild with nothing new recompiles nothing.
#   -DSOURCE_DIR=... -DOUTPUT=... -DPROJECT_VERSION=... -DRELEASE=ON|OFF
set(commit "unknown")
set(describe "")
find_program(GIT git)
if(GIT AND EXISTS "${SOURCE_DIR}/.git")
  execute_process(COMMAND "${GIT}" -C "${SOURCE_DIR}" rev-parse HEAD OUTPUT_VARIABLE head RESULT_VARIABLE failed
                  OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  if(NOT failed)
    set(commit "${head}")
    execute_process(COMMAND "${GIT}" -C "${SOURCE_DIR}" describe --tags --always --dirty OUTPUT_VARIABLE describe
                    RESULT_VARIABLE failed OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
    if(failed)
      set(describe "")
    endif()
  endif()
endif()
if(RELEASE OR describe STREQUAL "")
  set(version "${PROJECT_VERSION}")
elseif(describe MATCHES "^v?([0-9]+\\.[0-9]+.*)$")
  set(version "${CMAKE_MATCH_1}")  # a tag: v0.2.0-3-gabc1234-dirty
else()
  set(version "${PROJECT_VERSION}-g${describe}")  # no tag yet: the version of CMakeLists.txt and the commit
endif()
file(WRITE "${OUTPUT}.tmp" "// Generated at build time by cmake/build_info.cmake; do not edit.
#include \"core/util/build_info.hpp\"

namespace distopt {
const char* programVersion() { return \"${version}\"; }
const char* programCommit() { return \"${commit}\"; }
}  // namespace distopt
")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")

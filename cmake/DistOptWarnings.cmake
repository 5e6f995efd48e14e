# Warning and sanitizer flags shared by every DistOpt target: call distopt_target_defaults(tgt).
function(distopt_target_defaults target)
  # -Wno-missing-field-initializers: C++20 designated initializers that leave defaulted members out
  # are how options structs are meant to be written; GCC would flag every one of them.
  # -Wshadow=local is GCC's spelling; clang (the fuzz build) says -Wshadow-uncaptured-local.
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wnon-virtual-dtor
                                           -Wno-missing-field-initializers
                                           $<IF:$<CXX_COMPILER_ID:Clang>,-Wshadow-uncaptured-local,-Wshadow=local>)
  if(DISTOPT_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(DISTOPT_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
endfunction()

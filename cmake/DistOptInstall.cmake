# Install rules and Debian packages.
#
# Two components, two packages (cpack -G DEB, or `make package`):
#   worker     -> distopt-worker: the worker program alone, for remote machines (libzmq + libstdc++).
#   workbench  -> distopt-workbench: everything (GUI, distopt-run, distopt-worker, presets, data, docs,
#                 desktop integration). It carries its own copy of the worker, so it replaces
#                 distopt-worker rather than depending on it: `apt install ./distopt-workbench_*.deb`
#                 needs nothing that is not in Debian.
# Installed programs find presets and data from their own folder (PREFIX/bin/../share/distopt).

set(DISTOPT_APP_ID "org.distopt.Workbench" CACHE STRING "Reverse-DNS id of the desktop application")
# The project has no home page yet (the owner's decision, as is its licence: packaging/copyright says
# LicenseRef-unspecified). Until one is given, the package has no Homepage field and the AppStream file
# names neither a home page nor a screenshot (AppStream takes a screenshot only by public URL), rather
# than pointing at an address nobody serves. The app id above is likewise a placeholder in a domain the
# project does not hold.
set(DISTOPT_HOMEPAGE_URL "" CACHE STRING "Project home page (AppStream, package); empty = none yet")
set(DISTOPT_SCREENSHOT_URL "" CACHE STRING
    "Public URL of docs/screenshot.png for AppStream; empty = HOMEPAGE/screenshot.png when a home page is set")
set(DISTOPT_METAINFO_HOMEPAGE "")
set(DISTOPT_METAINFO_SCREENSHOTS "")
if(DISTOPT_HOMEPAGE_URL)
  set(DISTOPT_METAINFO_HOMEPAGE "\n  <url type=\"homepage\">${DISTOPT_HOMEPAGE_URL}</url>")
  if(NOT DISTOPT_SCREENSHOT_URL)
    set(DISTOPT_SCREENSHOT_URL "${DISTOPT_HOMEPAGE_URL}screenshot.png")
  endif()
endif()
if(DISTOPT_SCREENSHOT_URL)
  string(CONCAT DISTOPT_METAINFO_SCREENSHOTS
         "\n  <screenshots>\n    <screenshot type=\"default\">\n"
         "      <caption>A live run of the quickstart: the experiment editor, convergence, delays and bandwidth</caption>\n"
         "      <image>${DISTOPT_SCREENSHOT_URL}</image>\n    </screenshot>\n  </screenshots>")
endif()
set(DISTOPT_MAINTAINER "DistOpt Workbench maintainers <maintainers@users.noreply.h-seed-502f0f07.example>")

set(DISTOPT_SHARE "${CMAKE_INSTALL_DATADIR}/distopt")
set(DISTOPT_PACKAGING "${PROJECT_SOURCE_DIR}/packaging")
set(DISTOPT_GENERATED "${CMAKE_BINARY_DIR}/packaging")

# ---- programs ----
foreach(component worker workbench)
  install(TARGETS distopt-worker RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}" COMPONENT ${component})
endforeach()
install(TARGETS distopt-run RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}" COMPONENT workbench)
if(TARGET distopt-workbench)
  install(TARGETS distopt-workbench RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}" COMPONENT workbench)
endif()

# ---- shipped files ----
install(DIRECTORY "${PROJECT_SOURCE_DIR}/resources/experiments/" DESTINATION "${DISTOPT_SHARE}/experiments"
        COMPONENT workbench FILES_MATCHING PATTERN "*.json")
# Sweep and comparison files; they name their experiments as ../experiments/NAME.json.
install(DIRECTORY "${PROJECT_SOURCE_DIR}/resources/sweeps/" DESTINATION "${DISTOPT_SHARE}/sweeps"
        COMPONENT workbench FILES_MATCHING PATTERN "*.json")
install(FILES "${PROJECT_SOURCE_DIR}/resources/data/a9a.gz" "${PROJECT_SOURCE_DIR}/resources/data/a9a.t.gz"
              "${PROJECT_SOURCE_DIR}/resources/data/README.md"
        DESTINATION "${DISTOPT_SHARE}/data" COMPONENT workbench)
install(FILES "${PROJECT_SOURCE_DIR}/README.md" "${PROJECT_SOURCE_DIR}/docs/architecture.md"
              "${PROJECT_SOURCE_DIR}/docs/screenshot.png" "${PROJECT_SOURCE_DIR}/net/PROTOCOL.md"
        DESTINATION "${CMAKE_INSTALL_DOCDIR}" COMPONENT workbench)

# ---- man pages and changelogs, gzip -9n (reproducible, as Debian policy asks) ----
find_program(DISTOPT_GZIP gzip REQUIRED)
file(MAKE_DIRECTORY "${DISTOPT_GENERATED}")
string(TIMESTAMP DISTOPT_CHANGELOG_DATE "%a, %d %b %Y %H:%M:%S +0000" UTC)
string(TIMESTAMP DISTOPT_RELEASE_DATE "%Y-%m-%d" UTC)
set(DISTOPT_GZIPPED)
foreach(page distopt-run distopt-worker distopt-workbench)
  add_custom_command(OUTPUT "${DISTOPT_GENERATED}/${page}.1.gz"
                     COMMAND "${DISTOPT_GZIP}" -9n -c "${DISTOPT_PACKAGING}/man/${page}.1" > "${page}.1.gz"
                     DEPENDS "${DISTOPT_PACKAGING}/man/${page}.1" WORKING_DIRECTORY "${DISTOPT_GENERATED}" VERBATIM)
  list(APPEND DISTOPT_GZIPPED "${DISTOPT_GENERATED}/${page}.1.gz")
endforeach()
foreach(package distopt-worker distopt-workbench)
  set(DISTOPT_DEB_PACKAGE ${package})
  configure_file("${DISTOPT_PACKAGING}/changelog.Debian.in" "${DISTOPT_GENERATED}/${package}/changelog.Debian" @ONLY)
  add_custom_command(OUTPUT "${DISTOPT_GENERATED}/${package}/changelog.Debian.gz"
                     COMMAND "${DISTOPT_GZIP}" -9n -f -k "changelog.Debian"
                     DEPENDS "${DISTOPT_GENERATED}/${package}/changelog.Debian"
                     WORKING_DIRECTORY "${DISTOPT_GENERATED}/${package}" VERBATIM)
  list(APPEND DISTOPT_GZIPPED "${DISTOPT_GENERATED}/${package}/changelog.Debian.gz")
endforeach()
add_custom_target(distopt-packaging-files ALL DEPENDS ${DISTOPT_GZIPPED})

install(FILES "${DISTOPT_GENERATED}/distopt-worker.1.gz" DESTINATION "${CMAKE_INSTALL_MANDIR}/man1" COMPONENT worker)
install(FILES "${DISTOPT_GENERATED}/distopt-run.1.gz" "${DISTOPT_GENERATED}/distopt-worker.1.gz"
              "${DISTOPT_GENERATED}/distopt-workbench.1.gz"
        DESTINATION "${CMAKE_INSTALL_MANDIR}/man1" COMPONENT workbench)
foreach(component worker workbench)
  install(FILES "${DISTOPT_PACKAGING}/copyright" "${DISTOPT_GENERATED}/distopt-${component}/changelog.Debian.gz"
          DESTINATION "${CMAKE_INSTALL_DATADIR}/doc/distopt-${component}" COMPONENT ${component})
endforeach()

# ---- shell completion ----
install(FILES "${DISTOPT_PACKAGING}/completion/distopt" DESTINATION "${CMAKE_INSTALL_DATADIR}/bash-completion/completions"
        RENAME distopt-worker COMPONENT worker)
foreach(program distopt-run distopt-worker distopt-workbench)
  install(FILES "${DISTOPT_PACKAGING}/completion/distopt" DESTINATION "${CMAKE_INSTALL_DATADIR}/bash-completion/completions"
          RENAME ${program} COMPONENT workbench)
endforeach()

# ---- desktop integration ----
if(TARGET distopt-workbench)
  configure_file("${DISTOPT_PACKAGING}/distopt-workbench.desktop.in" "${DISTOPT_GENERATED}/${DISTOPT_APP_ID}.desktop" @ONLY)
  configure_file("${DISTOPT_PACKAGING}/distopt-workbench.metainfo.xml.in"
                 "${DISTOPT_GENERATED}/${DISTOPT_APP_ID}.metainfo.xml" @ONLY)
  install(FILES "${DISTOPT_GENERATED}/${DISTOPT_APP_ID}.desktop" DESTINATION "${CMAKE_INSTALL_DATADIR}/applications"
          COMPONENT workbench)
  install(FILES "${DISTOPT_GENERATED}/${DISTOPT_APP_ID}.metainfo.xml" DESTINATION "${CMAKE_INSTALL_DATADIR}/metainfo"
          COMPONENT workbench)
  install(FILES "${DISTOPT_PACKAGING}/icons/distopt-workbench.svg"
          DESTINATION "${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps" RENAME "${DISTOPT_APP_ID}.svg"
          COMPONENT workbench)
  foreach(size 16 32 48 64 128 256)
    install(FILES "${DISTOPT_PACKAGING}/icons/distopt-workbench-${size}.png"
            DESTINATION "${CMAKE_INSTALL_DATADIR}/icons/hicolor/${size}x${size}/apps" RENAME "${DISTOPT_APP_ID}.png"
            COMPONENT workbench)
  endforeach()
endif()

# ---- CPack: Debian packages ----
set(CPACK_PACKAGE_NAME "distopt")
set(CPACK_PACKAGE_VENDOR "DistOpt Workbench maintainers")
set(CPACK_PACKAGE_CONTACT "${DISTOPT_MAINTAINER}")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_PACKAGE_HOMEPAGE_URL "${DISTOPT_HOMEPAGE_URL}")
set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_STRIP_FILES ON)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL worker)
if(TARGET distopt-workbench)
  list(APPEND CPACK_COMPONENTS_ALL workbench)
endif()
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${DISTOPT_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
set(CPACK_DEBIAN_PACKAGE_SECTION "science")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_WORKER_PACKAGE_NAME "distopt-worker")
set(CPACK_DEBIAN_WORKBENCH_PACKAGE_NAME "distopt-workbench")
set(CPACK_DEBIAN_WORKBENCH_PACKAGE_CONFLICTS "distopt-worker")
set(CPACK_DEBIAN_WORKBENCH_PACKAGE_REPLACES "distopt-worker")
set(CPACK_DEBIAN_WORKBENCH_PACKAGE_PROVIDES "distopt-worker (= ${PROJECT_VERSION}-1)")
# The Fashion-MNIST presets read Debian's copy of the data set.
set(CPACK_DEBIAN_WORKBENCH_PACKAGE_SUGGESTS "dataset-fashion-mnist")
string(CONCAT CPACK_COMPONENT_WORKER_DESCRIPTION
    "DistOpt Workbench worker for remote machines\n"
    "The worker process of DistOpt Workbench alone: it connects to a\n"
    "coordinator (distopt-run or the workbench on another machine) over\n"
    "ZeroMQ, optionally CURVE-encrypted, and computes gradients for\n"
    "distributed stochastic optimization experiments. Install it on machines\n"
    "that only lend their cores; it needs no display and no Qt.")
string(CONCAT CPACK_COMPONENT_WORKBENCH_DESCRIPTION
    "workbench for distributed stochastic optimization experiments\n"
    "DistOpt Workbench sets up optimization experiments by pointing and\n"
    "clicking (problem, data set, algorithm, workers and their speeds), runs\n"
    "them with real worker processes over ZeroMQ or in a simulator, plots\n"
    "convergence, delays and bandwidth live, keeps every run in a SQLite store\n"
    "and exports charts and data. The same experiment files run headless with\n"
    "distopt-run.\n"
    "This package holds the Qt 6 desktop program, distopt-run, distopt-worker,\n"
    "the preset experiments and the a9a data set.")
# Each description's first line is its package's synopsis. CPackDeb would put the project-wide summary
# above it unless that summary is CPack's default, so it is set to the default (CPackDeb.cmake, 3.25).
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${CMAKE_PROJECT_NAME} built using CMake")
include(CPack)

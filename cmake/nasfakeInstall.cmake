# Install rules, the CMake package (nasfakeConfig.cmake), nasfake.pc and the
# .deb (CPack). Included by the top-level CMakeLists.txt when NASFAKE_INSTALL.
#
# Layout under the prefix:
#   bin/nasfake, bin/nasfake-reference-adapter
#   lib/<multiarch>/libnasfake_*.a
#   lib/<multiarch>/cmake/nasfake/   nasfakeConfig.cmake & co.
#   lib/<multiarch>/pkgconfig/nasfake.pc
#   include/nasfake/{fake,scenarios,conformance}/…  the public headers, under the
#       same relative paths as in the source tree, so code includes
#       "fake/server/fake_server.h" either way; the include dir is include/nasfake
#       (kept out of include/ itself: fake/ and scenarios/ are too generic there)
#   share/nasfake/   the bundled data, in the source tree's layout (what
#       nasfake::DataDir() and `nasfake conformance` read): conformance/cases,
#       conformance/PROTOCOL.md, conformance/clients/{python,mutants} (the Python
#       programs; the gRPC mutants' C++ sources are a test build's),
#       scenarios/library, fixtures/seed
#   share/doc/nasfake/   README.md, CHANGELOG.md
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(NASFAKE_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/nasfake)
set(NASFAKE_INSTALL_DATADIR ${CMAKE_INSTALL_DATADIR}/nasfake)

set_target_properties(nasfake_fake PROPERTIES EXPORT_NAME fake)
set_target_properties(nasfake_core PROPERTIES EXPORT_NAME core)
set_target_properties(nasfake_scenarios PROPERTIES EXPORT_NAME scenarios)
set_target_properties(nasfake_server PROPERTIES EXPORT_NAME server)
set_target_properties(nasfake_grpc PROPERTIES EXPORT_NAME grpc)
set_target_properties(nasfake_grpc_transport PROPERTIES EXPORT_NAME grpc_transport)
set_target_properties(nasfake_tls PROPERTIES EXPORT_NAME tls)
set_target_properties(nasfake_proto PROPERTIES EXPORT_NAME proto)
set_target_properties(nasfake_conformance PROPERTIES EXPORT_NAME conformance)
set_target_properties(nasfake_reference_client PROPERTIES EXPORT_NAME reference_client)
set_target_properties(nasfake-reference-adapter PROPERTIES EXPORT_NAME reference_adapter)

install(TARGETS nasfake_fake nasfake_core nasfake_scenarios nasfake_server nasfake_grpc
                nasfake_grpc_transport nasfake_tls nasfake_proto nasfake_conformance
                nasfake_reference_client
                nasfake nasfake-reference-adapter
  EXPORT nasfakeTargets
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/nasfake)
install(EXPORT nasfakeTargets NAMESPACE nasfake:: DESTINATION ${NASFAKE_INSTALL_CMAKEDIR})

# nasfake::conformance_gtest needs GTest: its own export set, loaded by the
# config file only when GTest is found.
if(TARGET nasfake_conformance_gtest)
  set_target_properties(nasfake_conformance_gtest PROPERTIES EXPORT_NAME conformance_gtest)
  install(TARGETS nasfake_conformance_gtest EXPORT nasfakeGTestTargets
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
    INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/nasfake)
  install(EXPORT nasfakeGTestTargets NAMESPACE nasfake:: DESTINATION ${NASFAKE_INSTALL_CMAKEDIR})
endif()

# Public headers, in the source tree's relative layout (cli/ and tests/ are not public).
foreach(dir fake scenarios conformance)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/${dir}/
    DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/nasfake/${dir}
    FILES_MATCHING PATTERN "*.h")
endforeach()
install(FILES ${PROJECT_BINARY_DIR}/generated/fake/version.h
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/nasfake/fake)

# The bundled data.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/conformance/cases
  DESTINATION ${NASFAKE_INSTALL_DATADIR}/conformance FILES_MATCHING PATTERN "*.json")
install(FILES ${PROJECT_SOURCE_DIR}/conformance/PROTOCOL.md
  DESTINATION ${NASFAKE_INSTALL_DATADIR}/conformance)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/conformance/clients/python
                  ${PROJECT_SOURCE_DIR}/conformance/clients/mutants
  DESTINATION ${NASFAKE_INSTALL_DATADIR}/conformance/clients USE_SOURCE_PERMISSIONS
  PATTERN "__pycache__" EXCLUDE PATTERN "*.pyc" EXCLUDE
  PATTERN "*.cc" EXCLUDE PATTERN "*.h" EXCLUDE PATTERN "CMakeLists.txt" EXCLUDE)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/scenarios/library
  DESTINATION ${NASFAKE_INSTALL_DATADIR}/scenarios FILES_MATCHING PATTERN "*.json")
install(DIRECTORY ${PROJECT_SOURCE_DIR}/fixtures/seed
  DESTINATION ${NASFAKE_INSTALL_DATADIR}/fixtures FILES_MATCHING PATTERN "*.json")
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/CHANGELOG.md
  DESTINATION ${CMAKE_INSTALL_DOCDIR})

# The CMake package.
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/nasfakeConfig.cmake.in
  ${PROJECT_BINARY_DIR}/nasfakeConfig.cmake
  INSTALL_DESTINATION ${NASFAKE_INSTALL_CMAKEDIR}
  PATH_VARS NASFAKE_INSTALL_DATADIR CMAKE_INSTALL_BINDIR)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/nasfakeConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)  # 0.x: a minor release may break the API
install(FILES ${PROJECT_BINARY_DIR}/nasfakeConfig.cmake
              ${PROJECT_BINARY_DIR}/nasfakeConfigVersion.cmake
  DESTINATION ${NASFAKE_INSTALL_CMAKEDIR})

# nasfake.pc: the prefix is found from the .pc file's own place, so a staged
# or moved installation works too.
file(RELATIVE_PATH _nasfake_pc_to_prefix ${CMAKE_INSTALL_FULL_LIBDIR}/pkgconfig
     ${CMAKE_INSTALL_PREFIX})
string(REGEX REPLACE "/$" "" _nasfake_pc_to_prefix "${_nasfake_pc_to_prefix}")
configure_file(${CMAKE_CURRENT_LIST_DIR}/nasfake.pc.in ${PROJECT_BINARY_DIR}/nasfake.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/nasfake.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# The .deb: `cmake --build <dir> --target package` or `cd <dir> && cpack -G DEB`.
# Configure with -DCMAKE_INSTALL_PREFIX=/usr (scripts/check-package does): the
# package installs where the libraries expect their data (DataDir()).
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME nasfake)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "nasfake")
set(NASFAKE_PACKAGE_CONTACT "nasfake maintainers <nasfake@localhost>" CACHE STRING
    "The .deb's Maintainer field")
set(CPACK_PACKAGE_CONTACT "${NASFAKE_PACKAGE_CONTACT}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "Fake server and conformance harness for the Vertex AI NasJobs REST API")
set(CPACK_PACKAGE_DESCRIPTION
    "nasfake serves a faithful fake of the Vertex AI NasJobs REST API on virtual or real time, \
runs a conformance catalogue against NasJobs clients in any language, and records and replays \
API traffic. This package holds the nasfake command, the embeddable C++ libraries (static, with \
headers, a CMake package and a pkg-config file), the scenario library and the conformance catalogue.")
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # nasfake_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Runtime: the executables' shared libraries, as dpkg-shlibdeps finds them
# (libcpp-httplib0.11, libssl3, libprotobuf32, libnghttp2-14, libc6, libstdc++6,
# libgcc-s1, and libgrpc++1.51 for the reference adapter's gRPC mode when it is
# built); named by hand when it is absent.
find_program(NASFAKE_DPKG_SHLIBDEPS dpkg-shlibdeps)
if(NASFAKE_DPKG_SHLIBDEPS)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
else()
  set(CPACK_DEBIAN_PACKAGE_DEPENDS
      "libcpp-httplib0.11 (>= 0.11.4), libssl3, libprotobuf32, libnghttp2-14, libc6, libstdc++6, libgcc-s1")
  if(TARGET nasfake_reference_grpc_client)
    string(APPEND CPACK_DEBIAN_PACKAGE_DEPENDS ", libgrpc++1.51")
  endif()
endif()
# Building against the libraries (find_package(nasfake), pkg-config nasfake).
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS
    "libcpp-httplib-dev, libssl-dev, nlohmann-json3-dev, pkg-config, libgtest-dev, libgmock-dev")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "python3, cmake")
include(CPack)

// Where nasfake's bundled data is: the conformance catalogue
// (conformance/cases), the scenario library (scenarios/library), the seed jobs
// (fixtures/seed), the adapter protocol (conformance/PROTOCOL.md) and the
// Python adapter and mutants (conformance/clients/{python,mutants}). The
// directory has the source tree's layout, whether it is a checkout or an
// installed <prefix>/share/nasfake.
//
//   auto scenario = nasfake::scenarios::LoadScenarioFile(
//       nasfake::DataDir() / "scenarios/library/slow-cancellation.json");
//
// (CMake consumers also get the installed directory as ${nasfake_DATA_DIR}
// from find_package(nasfake), which is exact for the installation found.)
#pragma once

#include <filesystem>

namespace nasfake {

// The first of:
//   1. $NASFAKE_DATA_DIR, when set and not empty;
//   2. the source tree, when the running program is inside the build tree
//      this library was built in (tests, and `nasfake` before installation);
//   3. <running program's dir>/../share/nasfake, when it holds the catalogue
//      (an installed `nasfake`, wherever its prefix was moved or extracted);
//   4. <install prefix>/share/nasfake as configured when this library was
//      built, when it holds the catalogue (an installed library);
//   5. the source tree this library was built from.
std::filesystem::path DataDir();

}  // namespace nasfake

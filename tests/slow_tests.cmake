# Loaded by CTest after the GoogleTest discovery files (see tests/CMakeLists.txt).
# Labels `slow` the discovered tests that spawn many processes: the conformance
# suite runs the whole catalogue through adapter processes, once per mutant.
# Sanitizer runs skip them with `ctest -LE slow` (scripts/test-sanitizers).
foreach(test IN LISTS integration_tests_TESTS)
  if(test MATCHES "^(ConformanceSuiteTest|Mutants/MutantTest)\\.")
    set_tests_properties("${test}" PROPERTIES LABELS slow)
  endif()
endforeach()

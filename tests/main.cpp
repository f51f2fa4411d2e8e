#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

// catch_discover_tests hands the test names to CMake as a list, escaping ';' but not
// brackets: an unbalanced '[' merges every later test into one element, and those tests
// silently stop being registered with ctest.
TEST_CASE("test names: none holds a character that CMake's list splitting trips over", "[unit]") {
    const auto config = Catch::getCurrentContext().getConfig();
    for (const auto& test : Catch::getAllTestCasesSorted(*config)) {
        INFO(test.name);
        CHECK(test.name.find_first_of("[]") == std::string::npos);
    }
}

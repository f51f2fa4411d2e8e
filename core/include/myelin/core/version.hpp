#pragma once

namespace myelin {

// The release ("0.1.0"), as the project's CMake version says; written into outputs.
const char* version();
// The git commit the program was built from (12 hex digits, "+" if the tree had changes;
// "unknown" outside a git checkout), looked up at every build.
const char* commit();

}  // namespace myelin

#pragma once

namespace myelin {

// The release ("0.1.0"), as the project's CMake version says; written into outputs.
const char* version();

}  // namespace myelin

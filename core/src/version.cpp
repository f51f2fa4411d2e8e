#include <myelin/core/version.hpp>

namespace myelin {

const char* version() { return MYELIN_VERSION; }

}  // namespace myelin

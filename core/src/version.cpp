#include <myelin/core/version.hpp>

#include <myelin_commit.h>

namespace myelin {

const char* version() { return MYELIN_VERSION; }
const char* commit() { return MYELIN_COMMIT; }

}  // namespace myelin

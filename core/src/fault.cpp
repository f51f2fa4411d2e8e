#include <myelin/core/fault.hpp>

#include <cstdlib>
#include <stdexcept>
#include <string>

namespace myelin {

namespace {

struct injected {
    bool armed = false;
    fault_phase phase = fault_phase::build;
    int rank = 0;
};

injected parse() {
    const char* v = std::getenv("MYELIN_INJECT_FAILURE");
    if (!v) return {};
    const std::string s(v);
    const auto colon = s.find(':');
    const std::string name = s.substr(0, colon);
    injected out{true, fault_phase::build, colon == std::string::npos ? 0 : std::atoi(s.c_str() + colon + 1)};
    if (name == "build") out.phase = fault_phase::build;
    else if (name == "run") out.phase = fault_phase::run;
    else if (name == "exchange") out.phase = fault_phase::exchange;
    else if (name == "checkpoint") out.phase = fault_phase::checkpoint;
    else out.armed = false;
    return out;
}

}  // namespace

void inject_failure(fault_phase phase, int rank) {
    static const injected when = parse();
    if (!when.armed || when.phase != phase || when.rank != rank) return;
    static const char* const names[] = {"build", "run", "exchange", "checkpoint"};
    throw std::runtime_error(std::string("injected failure (") + names[static_cast<int>(phase)] + ", MYELIN_INJECT_FAILURE)");
}

}  // namespace myelin

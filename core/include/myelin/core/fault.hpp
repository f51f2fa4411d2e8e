#pragma once
// A test hook for failure handling: with MYELIN_INJECT_FAILURE=PHASE:RANK in the
// environment, inject_failure(PHASE, RANK) throws std::runtime_error on that rank, so
// that tests can check that one failing rank ends all of them (tests/mpi/failures.sh).
// Without the variable it does nothing (one comparison).

namespace myelin {

enum class fault_phase { build, run, exchange, checkpoint };

void inject_failure(fault_phase phase, int rank);

}  // namespace myelin

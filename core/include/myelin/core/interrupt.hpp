#pragma once
// A request to stop a run where it can stop cleanly (between windows): set by SIGINT or
// SIGTERM once the program installed the handlers, or by a host such as an interpreter.
// The flag is a lock-free atomic, safe to set from a signal handler.

namespace myelin {

void request_interrupt(int signal = 0) noexcept;
bool interrupt_requested() noexcept;
int interrupt_signal() noexcept;  // the signal that asked (0: none, or not a signal)
void clear_interrupt() noexcept;

// SIGINT and SIGTERM request an interrupt; a second one ends the process as it would have.
void install_interrupt_handlers();

}  // namespace myelin

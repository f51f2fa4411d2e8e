#include <myelin/core/interrupt.hpp>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <signal.h>

namespace myelin {

namespace {

std::atomic<int> requested{-1};  // -1: none; else the signal (0: not a signal)
static_assert(std::atomic<int>::is_always_lock_free);

extern "C" void on_signal(int signal) { requested.store(signal, std::memory_order_relaxed); }

}  // namespace

void request_interrupt(int signal) noexcept { requested.store(signal, std::memory_order_relaxed); }
bool interrupt_requested() noexcept { return requested.load(std::memory_order_relaxed) >= 0; }
int interrupt_signal() noexcept { return std::max(0, requested.load(std::memory_order_relaxed)); }
void clear_interrupt() noexcept { requested.store(-1, std::memory_order_relaxed); }

void install_interrupt_handlers() {
    struct sigaction action {};
    action.sa_handler = on_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESETHAND;  // the second signal takes the default action
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
}

}  // namespace myelin

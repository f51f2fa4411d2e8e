// The compiled part of `import myelin` (_myelin): bindings of the libraries the program
// uses, no second implementation. Errors become Python's: bad input (input_error) a
// ValueError with the program's message, a file that is missing or unreadable an OSError
// (FileNotFoundError, PermissionError), an interrupted run KeyboardInterrupt.
#include "bindings.hpp"

#include <myelin/core/error.hpp>
#include <myelin/core/interrupt.hpp>
#include <myelin/core/version.hpp>
#include <myelin/models/registry.hpp>

#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <stdexcept>

namespace myelin::python {

namespace {

std::unique_ptr<communicator> world_;

// The errno of the file an input error is about, if it cannot be read (0: it can, or the
// error is about a value in it: those name a config path).
int unreadable(const input_error& e) {
    if (e.file().empty() || !e.path().empty()) return 0;
    return ::access(e.file().c_str(), R_OK) == 0 ? 0 : errno;
}

}  // namespace

signals_to_interrupt::signals_to_interrupt(bool take) : taken_(take) {
    clear_interrupt();
    if (!taken_) return;
    sigaction(SIGINT, nullptr, &old_int_);
    sigaction(SIGTERM, nullptr, &old_term_);
    install_interrupt_handlers();
}

signals_to_interrupt::~signals_to_interrupt() {
    if (!taken_) return;
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
}

communicator& world() {
    if (!world_) {
        int argc = 0;
        char** argv = nullptr;
        world_ = make_world_communicator(argc, argv);
    }
    return *world_;
}

PYBIND11_MODULE(_myelin, m) {
    m.doc() = "Myelin's compiled core; `import myelin` is the interface.";
    py::register_exception_translator([](std::exception_ptr p) {
        try {
            if (p) std::rethrow_exception(p);
        } catch (const input_error& e) {
            const int code = unreadable(e);
            if (code == ENOENT || code == ENOTDIR)
                PyErr_SetObject(PyExc_FileNotFoundError, py::make_tuple(code, e.what(), e.file()).ptr());
            else if (code == EACCES)
                PyErr_SetObject(PyExc_PermissionError, py::make_tuple(code, e.what(), e.file()).ptr());
            else
                PyErr_SetString(PyExc_ValueError, e.what());
        } catch (const std::filesystem::filesystem_error& e) {
            PyErr_SetObject(PyExc_OSError,
                            py::make_tuple(e.code().value(), e.what(), e.path1().string()).ptr());
        }
    });
    m.def("version", [] { return std::string(version()); }, "Myelin's release, e.g. '0.1.0'.");
    m.def("commit", [] { return std::string(commit()); }, "The git commit this build was made from.");
    m.def("rank", [] { return world().rank(); }, "This process's MPI rank (0 without mpirun).");
    m.def("size", [] { return world().size(); }, "The number of MPI ranks (1 without mpirun).");
    m.def("finalize", [] { world_.reset(); }, "Ends MPI (called at exit; no network may be used afterwards).");
    m.def(
        "model_names",
        [](const std::string& kind) {
            const auto k = kind == "neuron"     ? model_kind::neuron
                           : kind == "stimulus" ? model_kind::stimulus
                           : kind == "synapse"  ? model_kind::synapse
                                                : throw input_error("", "kind",
                                                                    "'" + kind + "'; must be neuron, stimulus or synapse");
            return models::builtin_registry().names(k);
        },
        py::arg("kind") = "neuron", "The built-in models of a kind: 'neuron', 'stimulus' or 'synapse'.");
    bind_simulation(m);
    bind_analysis(m);
    bind_files(m);
    bind_learning(m);
}

}  // namespace myelin::python

#pragma once
// What the parts of the Python module (_myelin) share. Each part binds one library:
// simulation.cpp the engine and its runs, learning.cpp the classifiers, analysis.cpp the
// measures, files.cpp SONATA and NWB. The Python package (python/myelin) builds the user-facing classes on them.
#include <myelin/simulator/communicator.hpp>

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <signal.h>

#include <memory>
#include <vector>

namespace myelin::python {

namespace py = pybind11;

void bind_simulation(py::module_& m);
void bind_analysis(py::module_& m);
void bind_files(py::module_& m);
void bind_learning(py::module_& m);

// The ranks this process runs with: MPI's world when started by mpirun or srun (MPI is
// initialised on first use and finalised at exit), else one rank.
communicator& world();

// While it lives, SIGINT and SIGTERM ask a run or a training to stop where it can stop
// cleanly (core/interrupt.hpp, as in the program); Python's handlers are put back after.
// Only the main thread takes them (Python's handlers run there).
class signals_to_interrupt {
public:
    explicit signals_to_interrupt(bool take);
    ~signals_to_interrupt();
    signals_to_interrupt(const signals_to_interrupt&) = delete;
    signals_to_interrupt& operator=(const signals_to_interrupt&) = delete;

private:
    bool taken_;
    struct sigaction old_int_ {}, old_term_ {};
};

// A NumPy array that takes over `values` (no copy), shaped `shape` (default: 1-D).
template <class T>
py::array_t<T> to_array(std::vector<T>&& values, std::vector<py::ssize_t> shape = {}) {
    auto* owned = new std::vector<T>(std::move(values));
    py::capsule owner(owned, [](void* p) { delete static_cast<std::vector<T>*>(p); });
    if (shape.empty()) shape = {static_cast<py::ssize_t>(owned->size())};
    return py::array_t<T>(shape, owned->data(), owner);
}

// A read-only NumPy view of `*values`, which it keeps alive (no copy).
template <class T>
py::array_t<T> view_of(std::shared_ptr<const std::vector<T>> values) {
    auto* kept = new std::shared_ptr<const std::vector<T>>(std::move(values));
    py::capsule owner(kept, [](void* p) { delete static_cast<std::shared_ptr<const std::vector<T>>*>(p); });
    py::array_t<T> a({static_cast<py::ssize_t>((*kept)->size())}, (*kept)->data(), owner);
    py::detail::array_proxy(a.ptr())->flags &= ~py::detail::npy_api::NPY_ARRAY_WRITEABLE_;
    return a;
}

}  // namespace myelin::python

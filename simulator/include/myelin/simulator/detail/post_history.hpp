#pragma once
// The postsynaptic spike history of one thread's neurons, read by plastic synapses. Internal
// to the simulator and its plastic adapters (a rule never reads it directly).
// (Morrison, Aertsen & Diesmann 2007, Neural Comput 19:1437; as NEST's ArchivingNode).
//
// A plastic synapse lives at its target's owner and updates only when a presynaptic spike
// passes: it then applies the postsynaptic spikes that reached it since its last one,
// read from here (each synapse reads each spike exactly once). A neuron keeps a spike
// until every plastic synapse onto it has read it and a later spike makes it unnecessary
// for trace look-ups: the owner works out, now and then, up to which time all have read
// (prune). Like NEST's, a history grows while a presynaptic neuron stays silent.
//
// With each spike it stores the postsynaptic traces its population's synapse models asked
// for, just before the spike: all-to-all traces (sum over earlier spikes of
// exp(-dt/tau)) or nearest-spike traces (exp(-dt/tau) of the previous spike alone).
//
// Reads are bound by memory latency: one synapse, one target at a random place. So each
// neuron's newest spikes live in one 64-byte record (times and traces) which answers
// nearly every read (read_recent, for_each_new, trace_at) without touching the spike
// list; the list serves the rest.
#include <myelin/core/types.hpp>
#include <myelin/simulator/detail/f64x4.hpp>
#include <myelin/simulator/trace_spec.hpp>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <span>
#include <vector>

namespace myelin {

// exp(-dt h / tau) for whole steps dt >= 0: a table for the first few time constants
// (the values std::exp gives, so results do not depend on it), std::exp beyond, and 0
// where std::exp underflows to 0. Hot loops take a view: a few words held in registers.
// Tables of one time constant and step are one table, shared (a plastic synapse loop
// reads two at random places, and one fits in the L1 cache more easily than two).
class decay_view {
public:
    MYELIN_INLINE double operator()(step_t dt) const {
        return static_cast<std::size_t>(dt) < n_ ? table_[static_cast<std::size_t>(dt)] : far(dt);
    }

#ifdef MYELIN_LANES
    // Four at once, lane by lane (AVX2's gather is slower on Zen 3). The lanes beyond the
    // table (rare) are redone with far(); negative lanes read some entry of the table, so
    // the caller must discard them.
    [[gnu::target("avx2")]] MYELIN_INLINE f64x4 operator()(v4i dt) const {
        f64x4 v = in_table(dt);
        const v4i beyond = dt > mask();
        if (const int out = _mm256_movemask_pd((__m256d)beyond)) [[unlikely]]
            for (int l = 0; l < 4; ++l)
                if (out >> l & 1) v.v[l] = far(dt[l]);
        return v;
    }
    // Four at once where every lane that counts lies in the table: the others read some
    // entry of it (the index masked: the table's length is a power of 2).
    [[gnu::target("avx2")]] MYELIN_INLINE f64x4 in_table(v4i dt) const {
        const v4i i = dt & mask();
        return f64x4(v4d{table_[i[0]], table_[i[1]], table_[i[2]], table_[i[3]]});
    }
#endif
    // The table's steps: exp(-dt h / tau) for 0 <= dt < size() is one load.
    std::size_t size() const { return n_; }

private:
    friend class decay_table;
#ifdef MYELIN_LANES
    [[gnu::target("avx2")]] MYELIN_INLINE v4i mask() const { return v4i{} + static_cast<long>(n_ - 1); }
#endif
    double far(step_t dt) const { return dt >= zero_from_ ? 0.0 : std::exp(-static_cast<double>(dt) * h_ / tau_); }
    const double* table_ = nullptr;
    std::size_t n_ = 0;
    step_t zero_from_ = std::numeric_limits<step_t>::max();
    double tau_ = 1.0, h_ = 0.1;
};

class decay_table {
public:
    decay_table() = default;
    decay_table(double tau_ms, double h_ms);
    MYELIN_INLINE double operator()(step_t dt) const { return view()(dt); }
    decay_view view() const {
        decay_view v;
        v.table_ = table_ ? table_->data() : nullptr;
        v.n_ = table_ ? table_->size() : 0;
        v.zero_from_ = zero_from_;
        v.tau_ = tau_;
        v.h_ = h_;
        return v;
    }

private:
    std::shared_ptr<const std::vector<double>> table_;
    double tau_ = 1.0, h_ = 0.1;
    step_t zero_from_ = std::numeric_limits<step_t>::max();
};

// Distinct postsynaptic traces per population (plastic projections onto it with
// different time constants or pairings).
constexpr std::size_t max_post_traces = 4;

struct post_entry {
    step_t t = 0;                                  // time stamp in steps
    std::array<double, max_post_traces> before{};  // traces just before this spike
};

// A postsynaptic trace as a synapse reads it: its slot in the target population's
// entries, its pairing and its decay.
struct post_trace_reader {
    std::size_t slot = 0;
    bool nearest = false;
    decay_view decay;
};

// What read_recent gives for N traces: the newest two spikes (t0 the newest), whether
// each is new to the reader, the traces just before each, and the traces at t2. Plain
// members rather than arrays: a loop indexing them at run time would keep them in memory.
template <std::size_t N>
struct recent_spikes {
    step_t t0, t1;
    bool new0, new1;
    std::array<double, N> before0, before1, trace;
};

class post_history {
public:
    static constexpr step_t never = -(step_t{1} << 50);  // long ago: every trace is 0

    // `groups[i]` is the trace list of neuron i's population (index into `traces`).
    // `horizon`: the communication window plus the largest delay (see prune).
    post_history() = default;
    post_history(std::vector<std::uint16_t> group, std::size_t n_groups, double h_ms, step_t horizon);

    // Slot of `trace` in the entries of group g's neurons (added if new). Throws
    // std::length_error beyond max_post_traces.
    std::size_t add_trace(std::size_t g, trace_spec trace);
    const std::vector<trace_spec>& traces(std::size_t g) const { return traces_[g]; }
    // Stays valid while traces are added (tables never move).
    post_trace_reader reader(std::size_t g, std::size_t slot) const {
        return {slot, traces_[g][slot].nearest, decay_[g][slot].view()};
    }

    // Plastic synapses onto each neuron; a neuron with none keeps no history. After the
    // traces are added.
    void set_incoming(std::vector<std::uint32_t> n_incoming);
    bool keeps(std::uint32_t neuron) const { return !incoming_.empty() && incoming_[neuron] > 0; }

    void add_spike(std::uint32_t neuron, step_t t);
    // Drops the oldest spikes of `neuron` while every plastic synapse onto it has read
    // them (all spikes up to `read_to`) and a later spike answers every trace look-up
    // still to come (those at `now` - horizon and later).
    void prune(std::uint32_t neuron, step_t read_to, step_t now);

    // The usual read of a synapse whose last presynaptic spike met it at t1 (its new
    // spikes are those with t1 < t <= t2), from the record alone, with no branch on
    // the data: true if at most the newest two spikes are new and the traces at t2 need
    // nothing older; then it fills `out`. False: use for_each_new and trace_at.
    template <std::size_t N>
    MYELIN_INLINE bool read_recent(std::uint32_t neuron, step_t t1, step_t t2, const std::array<post_trace_reader, N>& traces,
                                   recent_spikes<N>& out) const {
        const record& r = records_[neuron];
        if (r.t[2] > t1 || r.t[1] >= t2) return false;
        out.t0 = r.t[0];
        out.t1 = r.t[1];
        out.new0 = r.t[0] > t1 && r.t[0] <= t2;
        out.new1 = r.t[1] > t1;
        const bool from_newest = r.t[0] < t2;  // else the newest is at or after t2: trace from t[1]
        const step_t dt = t2 - (from_newest ? r.t[0] : r.t[1]);
        for (std::size_t m = 0; m < N; ++m) {
            const post_trace_reader& x = traces[m];
            out.before0[m] = before(neuron, r, x.slot, 0);
            out.before1[m] = before(neuron, r, x.slot, 1);
            const double b = from_newest ? out.before0[m] : out.before1[m];
            out.trace[m] = (x.nearest ? 1.0 : b + 1.0) * x.decay(dt);
        }
        return true;
    }

#ifdef MYELIN_LANES
    // read_recent for four synapses (neurons j; t1 and t2 per synapse), written into the
    // caller's buffer `out`, so that nothing is copied, in the form the caller's rule
    // takes (plastic_adapter::apply_lanes):
    // - served (mask4): the lanes the record serves; the others use for_each_new and
    //   trace_at;
    // - t0, ta, t2 (v4i): the newest spike, the older new one of the newest two (t1 if
    //   it is new, else t0), the third newest;
    // - any, both, new2 (mask4): whether t0 or t1 is new, whether both are, whether t2 is;
    // - base and dt: the traces at t2 are base[m] * traces[m].decay(dt), left to the
    //   caller, which looks up the decays of several groups together, apart from the
    //   records' loads;
    // - if Before: before_a, before0, before2 (arrays of N f64x4): the traces just before
    //   ta, t0 and t2 (traces in slots 0 and 1 only).
    // Deep (records of depth 3, one trace): up to three new spikes are served, else two
    // (before2 is then not written).
    template <bool Deep, bool Before, std::size_t N, class Out>
    [[gnu::target("avx2")]] MYELIN_INLINE void read_recent(const std::array<std::uint32_t, 4>& j, v4i t1, v4i t2,
                                                           const std::array<post_trace_reader, N>& traces, Out& out) const {
        static_assert(!Deep || N == 1);
        // The four records' halves, transposed: a gather per word would cost more.
        static_assert(offsetof(record, before) == 32);
        // Byte offsets: both halves' loads then take the offset as an index (no add).
        const auto* rec = reinterpret_cast<const char*>(records_.data());
        __m256i a[4], c[4];
        for (int l = 0; l < 4; ++l) {
            const std::size_t at = std::size_t{j[l]} * sizeof(record);
            a[l] = _mm256_load_si256(reinterpret_cast<const __m256i*>(rec + at));  // t[0..3]
            c[l] = _mm256_load_si256(reinterpret_cast<const __m256i*>(rec + at + offsetof(record, before)));
        }
        const __m256i lo01 = _mm256_unpacklo_epi64(a[0], a[1]), lo23 = _mm256_unpacklo_epi64(a[2], a[3]);
        const __m256i hi01 = _mm256_unpackhi_epi64(a[0], a[1]), hi23 = _mm256_unpackhi_epi64(a[2], a[3]);
        const auto r0 = (v4i)_mm256_permute2x128_si256(lo01, lo23, 0x20);
        const auto r1 = (v4i)_mm256_permute2x128_si256(hi01, hi23, 0x20);
        const auto r2 = (v4i)_mm256_permute2x128_si256(lo01, lo23, 0x31);
        const auto r3 = (v4i)_mm256_permute2x128_si256(hi01, hi23, 0x31);
        // Members written as vectors: GCC copies a struct holding one through memory.
        const v4i new0 = andnot(r0 > t2, r0 > t1), new1 = r1 > t1;
        out.t0 = r0;
        out.ta = new1 < 0 ? r1 : r0;
        out.t2 = r2;
        out.served.v = andnot((Deep ? r3 : r2) > t1, t2 > r1);
        out.any.v = new0 | new1;
        out.both.v = new0 & new1;
        out.new2.v = Deep ? r2 > t1 : v4i{};
        const v4i from_newest = r0 < t2;
        out.dt = t2 - (from_newest ? r0 : r1);
        // Word w of the four records: w = 0 and 2 from the even words' unpacks (the low
        // and high halves), w = 1 and 3 from the odd ones'.
        const __m256i e01 = _mm256_unpacklo_epi64(c[0], c[1]), e23 = _mm256_unpacklo_epi64(c[2], c[3]);
        const __m256i o01 = _mm256_unpackhi_epi64(c[0], c[1]), o23 = _mm256_unpackhi_epi64(c[2], c[3]);
        for (std::size_t m = 0; m < N; ++m) {
            const post_trace_reader& x = traces[m];
            // before[2 slot + i]: slot 0 in words 0 and 1, slot 1 in words 2 and 3.
            const bool s0 = Deep || x.slot == 0;  // a population with one trace has it in slot 0
            const auto b0 = (v4d)(s0 ? _mm256_permute2x128_si256(e01, e23, 0x20) : _mm256_permute2x128_si256(e01, e23, 0x31));
            const auto b1 = (v4d)(s0 ? _mm256_permute2x128_si256(o01, o23, 0x20) : _mm256_permute2x128_si256(o01, o23, 0x31));
            if constexpr (Before) {
                out.before_a[m].v = new1 < 0 ? b1 : b0;
                out.before0[m].v = b0;
                if constexpr (Deep) out.before2[m].v = (v4d)_mm256_permute2x128_si256(e01, e23, 0x31);
            }
            // 1 for nearest traces, without a branch (GCC does not hoist it).
            const v4i nearest = v4i{} - static_cast<long>(x.nearest);
            out.base[m].v = nearest < 0 ? f64x4(1.0).v : (from_newest ? b0 : b1) + f64x4(1.0).v;
        }
    }
#endif
    // Calls f(t, before) for the spikes with t1 < t <= t2, in time order (`before`: the
    // traces just before the spike, by slot).
    template <class F>
    void for_each_new(std::uint32_t neuron, step_t t1, step_t t2, F&& f) const {
        const record& r = records_[neuron];
        const std::size_t depth = depth_[group_[neuron]];
        t1 = std::max(t1, never);  // no spike yet: nothing to read
        if (r.t[0] <= t1) return;
        if (r.t[depth] > t1) {  // older spikes than the record's are new: from the list
            const list& l = lists_[neuron];
            const std::size_t end = std::max(l.head, l.e.size() - std::min(depth, l.e.size()));
            std::size_t k = end;
            while (k > l.head && l.e[k - 1].t > t1) --k;
            for (; k < end && l.e[k].t <= t2; ++k) f(l.e[k].t, l.e[k].before.data());
        }
        for (std::size_t i = depth; i-- > 0;)
            if (r.t[i] > t1 && r.t[i] <= t2) {
                std::array<double, max_post_traces> b{};
                for (std::size_t s = 0; s < traces_[group_[neuron]].size(); ++s) b[s] = before(neuron, r, s, i);
                f(r.t[i], b.data());
            }
    }
    // Value of trace `slot` at time t, from the spikes strictly before t.
    double trace_at(std::uint32_t neuron, std::size_t slot, step_t t) const {
        const record& r = records_[neuron];
        const decay_table& decay = decay_[group_[neuron]][slot];
        const bool nearest = traces_[group_[neuron]][slot].nearest;
        for (std::size_t i = 0; i < depth_[group_[neuron]]; ++i)
            if (r.t[i] < t) return (nearest ? 1.0 : before(neuron, r, slot, i) + 1.0) * decay(t - r.t[i]);
        return trace_from_list(neuron, slot, t);
    }
    // Spikes whose traces the records of group g's neurons hold (see record); final
    // once all traces are added.
    std::size_t depth(std::size_t g) const { return depth_[g]; }
    // Whether for_each_new or trace_at, for a synapse whose last presynaptic spike met it
    // at t1, will need the list (not only the record).
    bool needs_list(std::uint32_t neuron, step_t t1) const { return records_[neuron].t[depth_[group_[neuron]]] > t1; }
    // A reader that knows its next neurons fetches their records early, and the list
    // headers and newest list entries of those that read_recent could not serve. Always
    // inlined: GCC takes a function that only prefetches for one without effect and
    // drops its calls.
    MYELIN_INLINE void prefetch(std::uint32_t neuron) const { __builtin_prefetch(&records_[neuron], 1); }
    MYELIN_INLINE void prefetch_list(std::uint32_t neuron) const { __builtin_prefetch(&lists_[neuron]); }
    MYELIN_INLINE void prefetch_entries(std::uint32_t neuron) const {
        // for_each_new reads the newest entry older than the record's, then the one
        // before: the 80 bytes below the newest `depth`. Addresses as integers: there may
        // be fewer entries (a prefetch of any address is harmless).
        const list& l = lists_[neuron];
        const auto below = reinterpret_cast<std::uintptr_t>(l.e.data() + l.e.size()) -
                           depth_[group_[neuron]] * sizeof(post_entry);
        __builtin_prefetch(reinterpret_cast<const void*>(below - 2 * sizeof(post_entry)));
        __builtin_prefetch(reinterpret_cast<const void*>(below - 1));
    }

    // For checkpoints: the kept spikes of a neuron, and putting them back.
    std::vector<post_entry> entries(std::uint32_t neuron) const;
    void restore(std::uint32_t neuron, std::vector<post_entry> entries);
    std::uint64_t bytes() const;

private:
    struct list {
        std::vector<post_entry> e;
        std::size_t head = 0;  // e[head..] are kept; the front is compacted lazily
    };
    // A neuron's newest four spike times, newest first (never where there is none), and
    // the traces just before the newest `depth` of them: before[2 slot + i] for spike i.
    // Where the population has one trace, depth is 3 (slot 0 in words 0 to 2); else 2,
    // with slots 0 and 1 here and slots 2 and 3 in more_.
    struct alignas(64) record {
        std::array<step_t, 4> t{never, never, never, never};
        std::array<double, 4> before{};
    };
    static_assert(sizeof(record) == 64);

    double before(std::uint32_t neuron, const record& r, std::size_t slot, std::size_t i) const {
        return slot < 2 ? r.before[2 * slot + i] : more_[neuron][2 * (slot - 2) + i];
    }
    void set_before(std::uint32_t neuron, record& r, std::size_t slot, std::size_t i, double v) {
        (slot < 2 ? r.before[2 * slot + i] : more_[neuron][2 * (slot - 2) + i]) = v;
    }
    double trace_from_list(std::uint32_t neuron, std::size_t slot, step_t t) const;
    // Trace `slot` just after entry x (1 for nearest traces).
    double after(std::uint32_t neuron, std::size_t slot, const post_entry& x) const {
        return traces_[group_[neuron]][slot].nearest ? 1.0 : x.before[slot] + 1.0;
    }

    std::vector<std::uint16_t> group_;
    std::vector<std::vector<trace_spec>> traces_;
    std::vector<std::uint8_t> depth_;  // per group: spikes with traces in the records
    std::vector<std::array<decay_table, max_post_traces>> decay_;  // per group and slot; never moves
    std::vector<record> records_;
    std::vector<std::array<double, 4>> more_;  // slots 2 and 3, where a group has them
    std::vector<std::uint32_t> incoming_;
    std::vector<list> lists_;
    double h_ = 0.1;
    step_t horizon_ = 0;
};

}  // namespace myelin

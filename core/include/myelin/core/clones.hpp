#pragma once
// Loops that GCC builds also for wider vector units, one copy picked by the CPU at load
// time (target_clones). The project compiles with -ffp-contract=off, so no clone fuses a
// multiply and an add: every copy does the same IEEE operations element by element and
// gives the same bits (a clone changes speed only; reductions across lanes stay out of
// such loops). GCC only: clang 14 does not clone function templates, so its builds run
// the baseline loop.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define MYELIN_X86_CLONES [[gnu::target_clones("avx2", "default")]]
#define MYELIN_X86_CLONES_512 [[gnu::target_clones("avx512f", "avx2", "default")]]
#else
#define MYELIN_X86_CLONES
#define MYELIN_X86_CLONES_512
#endif

#pragma once
// Internal invariants: compiled in with MYELIN_WITH_ASSERTIONS (the `dev` preset).
// Never used for user input: that gets an input_error with a message.
#include <cstdio>
#include <cstdlib>

#ifdef MYELIN_WITH_ASSERTIONS
#define MYELIN_ASSERT(cond)                                                                   \
    do {                                                                                      \
        if (!(cond)) {                                                                        \
            std::fprintf(stderr, "%s:%d: internal error: assertion '%s' failed\n", __FILE__, \
                         __LINE__, #cond);                                                    \
            std::abort();                                                                     \
        }                                                                                     \
    } while (false)
#else
#define MYELIN_ASSERT(cond) ((void)0)
#endif

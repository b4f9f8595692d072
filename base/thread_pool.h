// Running one worker function on several threads.
// Contract: run_on_threads(n, worker) runs `worker` on up to n threads and
// returns when all have returned. Workers must pull their work from a shared
// queue (each call may do any share of it). When the system refuses a thread
// (a process limit; std::system_error), the threads already started finish
// the work; if none could start, worker runs on the calling thread. It never
// aborts the process and returns how many threads ran.
#pragma once
#include <functional>

namespace keymac {

int run_on_threads(int n, const std::function<void()>& worker);

}  // namespace keymac

// The process-wide executor that runs searches in parallel, and the token that stops them.
//
// Searches (design, capability, validation fits) split their work into indexed pieces and hand
// them to one shared pool of threads instead of starting threads of their own, so that a server
// answering many requests at once never holds more threads than the machine has cores:
//
//   Executor& ex = Executor::Shared();               // hardware_concurrency() workers
//   std::vector<double> out(n);
//   ex.ParallelFor(n, /*parallelism=*/4, [&](std::size_t i) { out[i] = Work(i); });
//
//   StopToken stop = StopToken::After(std::chrono::seconds(10));   // a deadline
//   if (stop.Stopped()) return MakeError(ErrorCode::kDeadlineExceeded, "...");
//
// ParallelFor runs body(i) for every i in [0, n) and returns when all are done. The calling
// thread takes part, so a call always makes progress even when every worker is busy (nested calls
// from inside a body are safe: they never wait for a piece that has not started). Pieces are
// handed out in index order; which thread runs which piece is not deterministic, so callers
// that need deterministic results write piece i's result to slot i and merge in index order.
// The body must not throw.
//
// StopToken: a shared flag plus an optional deadline. Copies share the flag; Stop() on any copy
// stops all. A default-constructed token never stops. Thread safety: both classes are safe to use
// from any number of threads.
#ifndef CEILING_BASE_EXECUTOR_H_
#define CEILING_BASE_EXECUTOR_H_

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>

namespace ceiling {

class StopToken {
 public:
  using Clock = std::chrono::steady_clock;

  StopToken() = default;  // never stops
  // A token that stops at `deadline` (and when Stop() is called).
  static StopToken At(Clock::time_point deadline);
  static StopToken After(Clock::duration timeout) { return At(Clock::now() + timeout); }
  // A token that can be stopped by Stop() only.
  static StopToken Manual();

  // Stops every copy of this token (no effect on a default-constructed one).
  void Stop() const;
  // True once Stop() was called or the deadline passed.
  bool Stopped() const;
  bool has_deadline() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

class Executor {
 public:
  // A pool of `threads` workers (at least 1).
  explicit Executor(int threads);
  ~Executor();
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  // The process-wide pool: one worker per hardware thread, started on first use.
  static Executor& Shared();

  int threads() const;
  // Runs body(i) for i in [0, n) on at most `parallelism` threads (the caller included; values
  // below 1 mean all workers + the caller). Returns when every piece has run.
  void ParallelFor(std::size_t n, int parallelism, const std::function<void(std::size_t)>& body);

 private:
  struct Pool;
  std::unique_ptr<Pool> pool_;
};

}  // namespace ceiling

#endif  // CEILING_BASE_EXECUTOR_H_

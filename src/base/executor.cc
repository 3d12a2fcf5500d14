#include "ceiling/base/executor.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

namespace ceiling {

struct StopToken::State {
  std::atomic<bool> stopped{false};
  bool has_deadline = false;
  Clock::time_point deadline;
};

StopToken StopToken::At(Clock::time_point deadline) {
  StopToken t;
  t.state_ = std::make_shared<State>();
  t.state_->has_deadline = true;
  t.state_->deadline = deadline;
  return t;
}

StopToken StopToken::Manual() {
  StopToken t;
  t.state_ = std::make_shared<State>();
  return t;
}

void StopToken::Stop() const {
  if (state_) state_->stopped.store(true, std::memory_order_relaxed);
}

bool StopToken::Stopped() const {
  if (!state_) return false;
  if (state_->stopped.load(std::memory_order_relaxed)) return true;
  if (state_->has_deadline && Clock::now() >= state_->deadline) {
    state_->stopped.store(true, std::memory_order_relaxed);
    return true;
  }
  return false;
}

bool StopToken::has_deadline() const { return state_ && state_->has_deadline; }

struct Executor::Pool {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::function<void()>> queue;
  std::vector<std::thread> workers;
  bool shutting_down = false;

  void Run() {
    for (;;) {
      std::function<void()> task;
      {
        std::unique_lock<std::mutex> lock(mu);
        cv.wait(lock, [&] { return shutting_down || !queue.empty(); });
        if (queue.empty()) return;  // shutting down with nothing left
        task = std::move(queue.front());
        queue.pop_front();
      }
      task();
    }
  }
};

Executor::Executor(int threads) : pool_(std::make_unique<Pool>()) {
  const int n = std::max(1, threads);
  pool_->workers.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    try {
      pool_->workers.emplace_back([p = pool_.get()] { p->Run(); });
    } catch (const std::system_error&) {
      break;  // out of threads (a process or memory limit): the caller of ParallelFor works too
    }
  }
}

Executor::~Executor() {
  {
    std::lock_guard<std::mutex> lock(pool_->mu);
    pool_->shutting_down = true;
  }
  pool_->cv.notify_all();
  for (std::thread& t : pool_->workers) t.join();
}

Executor& Executor::Shared() {
  static Executor* shared =
      new Executor(static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
  return *shared;  // never destroyed: searches may still be running at exit
}

int Executor::threads() const { return static_cast<int>(pool_->workers.size()); }

namespace {

// One ParallelFor call: pieces are claimed by index; helpers register before working so that the
// caller waits only for helpers that actually started.
struct Job {
  explicit Job(std::size_t n, const std::function<void(std::size_t)>& b) : count(n), body(b) {}
  std::size_t count;
  const std::function<void(std::size_t)>& body;
  std::atomic<std::size_t> next{0};
  std::mutex mu;
  std::condition_variable done_cv;
  int active = 0;       // helpers inside Work()
  bool closed = false;  // the caller has finished; late helpers must not touch `body`

  void Work() {
    for (;;) {
      const std::size_t i = next.fetch_add(1, std::memory_order_relaxed);
      if (i >= count) return;
      body(i);
    }
  }
};

}  // namespace

void Executor::ParallelFor(std::size_t n, int parallelism,
                           const std::function<void(std::size_t)>& body) {
  if (n == 0) return;
  const int max_threads = threads() + 1;
  const int p = parallelism < 1 ? max_threads : std::min(parallelism, max_threads);
  const std::size_t helpers = std::min<std::size_t>(static_cast<std::size_t>(p - 1), n - 1);
  if (helpers == 0) {
    for (std::size_t i = 0; i < n; ++i) body(i);
    return;
  }
  auto job = std::make_shared<Job>(n, body);
  {
    std::lock_guard<std::mutex> lock(pool_->mu);
    for (std::size_t h = 0; h < helpers; ++h) {
      pool_->queue.emplace_back([job] {
        {
          std::lock_guard<std::mutex> l(job->mu);
          if (job->closed) return;
          ++job->active;
        }
        job->Work();
        std::lock_guard<std::mutex> l(job->mu);
        if (--job->active == 0) job->done_cv.notify_all();
      });
    }
  }
  pool_->cv.notify_all();
  job->Work();
  std::unique_lock<std::mutex> lock(job->mu);
  job->closed = true;
  job->done_cv.wait(lock, [&] { return job->active == 0; });
}

}  // namespace ceiling

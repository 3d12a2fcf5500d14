#include "ceiling/design/search.h"

#include "ceiling/base/executor.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <utility>

namespace ceiling::design {

using catalog::Chip;
using catalog::ChipMetrics;
using catalog::MetricDetail;

namespace {

bool Dominates(const Candidate& a, const Candidate& b, int n) {
  bool strictly = false;
  for (int i = 0; i < n; ++i) {
    if (a.objectives[static_cast<std::size_t>(i)] < b.objectives[static_cast<std::size_t>(i)])
      return false;
    if (a.objectives[static_cast<std::size_t>(i)] > b.objectives[static_cast<std::size_t>(i)])
      strictly = true;
  }
  return strictly;
}

// Better by objective 0, ties to the lower index (determinism).
bool Better(const Candidate& a, const Candidate& b) {
  if (a.objectives[0] != b.objectives[0]) return a.objectives[0] > b.objectives[0];
  return a.index < b.index;
}

// The outcome of one outer combination (fixed memory/links/market/tdp).
struct OuterResult {
  std::uint64_t evaluated = 0;
  std::uint64_t objective_evaluations = 0;
  std::vector<Candidate> feasible;  // exhaustive: all feasible; monotone: the boundary point
  std::map<const char*, std::uint64_t> bindings;
};

class Worker {
 public:
  Worker(const DesignSpace& space, const Evaluator& ev, const std::vector<std::pair<int, int>>& inner)
      : space_(space), ev_(ev), inner_(inner), chip_(space.Build(space.PointAt(0))) {}

  // Linear index of (outer o, inner k); o enumerates (memory, links, market, tdp).
  DesignPoint Point(std::uint64_t outer, std::size_t k) const {
    DesignPoint p;
    p.tdp = static_cast<int>(outer % space_.tdp.size());
    outer /= space_.tdp.size();
    p.market = static_cast<int>(outer % space_.markets.size());
    outer /= space_.markets.size();
    p.links = static_cast<int>(outer % space_.links.size());
    outer /= space_.links.size();
    p.memory = static_cast<int>(outer);
    p.units = inner_[k].first;
    p.tensor_rate = inner_[k].second;
    return p;
  }

  std::uint64_t LinearIndex(const DesignPoint& p) const {
    std::uint64_t i = static_cast<std::uint64_t>(p.units);
    i = i * space_.tensor_rate.size() + static_cast<std::uint64_t>(p.tensor_rate);
    i = i * space_.memory.size() + static_cast<std::uint64_t>(p.memory);
    i = i * space_.links.size() + static_cast<std::uint64_t>(p.links);
    i = i * space_.markets.size() + static_cast<std::uint64_t>(p.market);
    i = i * space_.tdp.size() + static_cast<std::uint64_t>(p.tdp);
    return i;
  }

  // Constraint at (outer, k); nullptr binding when feasible.
  bool Check(std::uint64_t outer, std::size_t k, OuterResult* r, const char** binding) {
    space_.Rebuild(Point(outer, k), &chip_);
    metrics_ = catalog::ComputeMetrics(chip_, MetricDetail::kValues);
    ++r->evaluated;
    *binding = "";
    return ev_.Feasible(chip_, metrics_, binding);
  }

  Candidate Evaluate(std::uint64_t outer, std::size_t k, OuterResult* r) {
    Candidate c;
    c.point = Point(outer, k);
    c.index = LinearIndex(c.point);
    space_.Rebuild(c.point, &chip_);
    metrics_ = catalog::ComputeMetrics(chip_, MetricDetail::kValues);
    ev_.Objectives(chip_, metrics_, c.objectives.data());
    ++r->objective_evaluations;
    return c;
  }

  OuterResult Exhaustive(std::uint64_t outer) {
    OuterResult r;
    for (std::size_t k = 0; k < inner_.size(); ++k) {
      const char* binding = "";
      if (!Check(outer, k, &r, &binding)) {
        ++r.bindings[binding];
        continue;
      }
      r.feasible.push_back(Evaluate(outer, k, &r));
    }
    return r;
  }

  OuterResult Monotone(std::uint64_t outer) {
    OuterResult r;
    const char* binding = "";
    if (!Check(outer, 0, &r, &binding)) {
      ++r.bindings[binding];
      return r;
    }
    std::size_t lo = 0, hi = inner_.size();  // lo feasible, hi infeasible (or end)
    while (hi - lo > 1) {
      const std::size_t mid = lo + (hi - lo) / 2;
      const char* b = "";
      if (Check(outer, mid, &r, &b)) {
        lo = mid;
      } else {
        hi = mid;
        ++r.bindings[b];
      }
    }
    r.feasible.push_back(Evaluate(outer, lo, &r));
    return r;
  }

  // The clause that binds `c`: the one the first design with strictly more compute (other knobs
  // equal) would break; when compute cannot grow or may grow freely, the one that one more link,
  // then the next memory configuration, would break. Sets c->next_binding and next_knob.
  void NextBinding(Candidate* c, const std::vector<double>& compute) {
    auto check = [&](const DesignPoint& p) -> const char* {
      space_.Rebuild(p, &chip_);
      metrics_ = catalog::ComputeMetrics(chip_, MetricDetail::kValues);
      const char* binding = "";
      return ev_.Feasible(chip_, metrics_, &binding) ? "" : binding;
    };
    std::size_t k = 0;
    while (k < inner_.size() &&
           !(inner_[k].first == c->point.units && inner_[k].second == c->point.tensor_rate))
      ++k;
    std::size_t j = k + 1;
    while (j < inner_.size() && compute[j] <= compute[k]) ++j;
    std::vector<std::pair<DesignPoint, const char*>> steps;
    if (j < inner_.size()) {
      DesignPoint p = c->point;
      p.units = inner_[j].first;
      p.tensor_rate = inner_[j].second;
      steps.emplace_back(p, "compute");
    }
    if (static_cast<std::size_t>(c->point.links) + 1 < space_.links.size()) {
      DesignPoint p = c->point;
      ++p.links;
      steps.emplace_back(p, "links");
    }
    if (static_cast<std::size_t>(c->point.memory) + 1 < space_.memory.size()) {
      DesignPoint p = c->point;
      ++p.memory;
      steps.emplace_back(p, "memory");
    }
    for (const auto& [p, knob] : steps)
      if (const char* b = check(p); *b != '\0') {
        c->next_binding = b;
        c->next_knob = knob;
        return;
      }
  }

 private:
  const DesignSpace& space_;
  const Evaluator& ev_;
  const std::vector<std::pair<int, int>>& inner_;
  Chip chip_;
  ChipMetrics metrics_;
};

}  // namespace

std::string SearchResult::MostBinding() const {
  std::string most;
  std::uint64_t n = 0;
  for (const auto& [k, v] : binding_counts)
    if (v > n) n = v, most = k;
  return most;
}

std::vector<Candidate> ParetoFront(std::vector<Candidate> candidates, int n) {
  std::sort(candidates.begin(), candidates.end(), Better);
  std::vector<Candidate> front;
  for (const Candidate& c : candidates) {
    bool dominated = false;
    for (const Candidate& f : front)
      if (Dominates(f, c, n) || (std::equal(f.objectives.begin(), f.objectives.begin() + n,
                                            c.objectives.begin()))) {
        dominated = true;
        break;
      }
    if (!dominated) front.push_back(c);
  }
  return front;
}

SearchResult Search(const DesignSpace& space, const Evaluator& ev, const SearchOptions& opt) {
  SearchResult result;
  // The compute axis: (units, tensor rate) pairs by total compute, ascending.
  std::vector<std::pair<int, int>> inner;
  for (std::size_t u = 0; u < space.units.size(); ++u)
    for (std::size_t t = 0; t < space.tensor_rate.size(); ++t)
      inner.emplace_back(static_cast<int>(u), static_cast<int>(t));
  std::stable_sort(inner.begin(), inner.end(), [&](const auto& a, const auto& b) {
    const double ca = space.units[static_cast<std::size_t>(a.first)] *
                      space.tensor_rate[static_cast<std::size_t>(a.second)];
    const double cb = space.units[static_cast<std::size_t>(b.first)] *
                      space.tensor_rate[static_cast<std::size_t>(b.second)];
    return ca < cb;
  });
  const std::uint64_t outer_count = static_cast<std::uint64_t>(space.memory.size()) *
                                    space.links.size() * space.markets.size() * space.tdp.size();
  const std::uint64_t grid = outer_count * inner.size();

  Strategy strategy = opt.strategy;
  if (strategy == Strategy::kAuto)
    strategy = grid <= std::min<std::uint64_t>(opt.budget, kExhaustiveLimit) ? Strategy::kExhaustive
                                                                            : Strategy::kMonotone;
  result.strategy = strategy;

  // Cost charged per outer combination, known in advance, so that the set of combinations a
  // budget allows does not depend on threads or timing.
  const std::uint64_t per_outer =
      strategy == Strategy::kExhaustive
          ? static_cast<std::uint64_t>(inner.size())
          : static_cast<std::uint64_t>(std::ceil(std::log2(static_cast<double>(inner.size()) + 1))) + 2;
  std::uint64_t allowed = std::min<std::uint64_t>(outer_count, std::max<std::uint64_t>(1, opt.budget / per_outer));
  if (allowed < outer_count) result.budget_exhausted = true;

  // Larger memory bandwidth / links first: with a budget, the promising region is searched.
  std::vector<std::uint64_t> order(outer_count);
  for (std::uint64_t i = 0; i < outer_count; ++i) order[i] = outer_count - 1 - i;
  order.resize(allowed);

  // Pieces of outer indices (piece t takes t, t + pieces, ...) on the shared executor; results
  // land in their index's slot and merge in index order, so the answer does not depend on which
  // thread ran what.
  Executor& executor = Executor::Shared();
  const int max_threads = executor.threads();  // the caller takes part, so no more pieces
  int pieces = opt.threads > 0 ? std::min(opt.threads, max_threads) : max_threads;
  pieces = std::max(1, static_cast<int>(std::min<std::uint64_t>(static_cast<std::uint64_t>(pieces),
                                                                 std::max<std::uint64_t>(allowed, 1))));
  result.threads = pieces;
  std::vector<OuterResult> outer_results(allowed);
  std::atomic<std::uint64_t> done{0};
  std::atomic<bool> stopped{false};
  const auto start = std::chrono::steady_clock::now();
  executor.ParallelFor(static_cast<std::size_t>(pieces), pieces, [&](std::size_t t) {
    Worker w(space, ev, inner);
    auto last_report = start;
    for (std::uint64_t i = t; i < allowed; i += static_cast<std::uint64_t>(pieces)) {
      if (opt.stop.Stopped()) {
        stopped.store(true, std::memory_order_relaxed);
        return;
      }
      outer_results[i] = strategy == Strategy::kExhaustive ? w.Exhaustive(order[i])
                                                           : w.Monotone(order[i]);
      done.fetch_add(1, std::memory_order_relaxed);
      if (t == 0 && opt.progress) {
        const auto now = std::chrono::steady_clock::now();
        if (now - last_report > std::chrono::milliseconds(100)) {
          opt.progress(done.load(std::memory_order_relaxed) * per_outer, allowed * per_outer);
          last_report = now;
        }
      }
    }
  });
  result.stopped = stopped.load();

  std::vector<Candidate> feasible;
  for (OuterResult& r : outer_results) {
    result.evaluated += r.evaluated;
    result.objective_evaluations += r.objective_evaluations;
    for (const auto& [k, v] : r.bindings) result.binding_counts[k] += v;
    for (Candidate& c : r.feasible) feasible.push_back(c);
  }
  if (opt.progress) opt.progress(result.evaluated, result.evaluated);
  const int n = std::max(1, ev.objective_count());
  if (opt.keep_candidates) {
    result.candidates = feasible;
    std::sort(result.candidates.begin(), result.candidates.end(),
              [](const Candidate& a, const Candidate& b) { return a.index < b.index; });
  }
  result.front = ParetoFront(std::move(feasible), n);
  if (!result.front.empty()) {
    result.best = result.front.front();
    std::vector<double> compute(inner.size());
    for (std::size_t k = 0; k < inner.size(); ++k)
      compute[k] = space.units[static_cast<std::size_t>(inner[k].first)] *
                   space.tensor_rate[static_cast<std::size_t>(inner[k].second)];
    Worker w(space, ev, inner);
    w.NextBinding(&*result.best, compute);
    result.front.front() = *result.best;
  }
  return result;
}

}  // namespace ceiling::design

#include "ceiling/design/search.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <optional>
#include <utility>

#include "ceiling/base/executor.h"
#include "ceiling/rules/rule.h"

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

// Objectives in lexicographic order (objective 0 first, descending), ties to the lower index.
// Sorting by all objectives, not objective 0 alone, puts a dominating design before every design
// it dominates, so one pass keeps exactly the non-dominated ones.
struct Lexicographic {
  int n;
  bool operator()(const Candidate& a, const Candidate& b) const {
    for (int i = 0; i < n; ++i) {
      const auto k = static_cast<std::size_t>(i);
      if (a.objectives[k] != b.objectives[k]) return a.objectives[k] > b.objectives[k];
    }
    return a.index < b.index;
  }
};

// The largest number of candidates kept for charts with keep_candidates.
constexpr std::size_t kMaxKeptCandidates = 200'000;

// The outcome of one outer combination (fixed memory/links/market/tdp).
struct OuterResult {
  std::uint64_t evaluated = 0;
  std::uint64_t objective_evaluations = 0;
  // Exhaustive: the non-dominated feasible designs (compacted as they come, so an outer of a
  // million feasible designs never holds them all); monotone: the boundary points that no
  // other matches in both units and compute.
  std::vector<Candidate> feasible;
  std::vector<Candidate> kept;  // with keep_candidates: every feasible design, up to the cap
  std::map<Binding, std::uint64_t> bindings;
};

class Worker {
 public:
  Worker(const DesignSpace& space, const Evaluator& ev,
         const std::vector<std::pair<int, int>>& inner)
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

  // Constraint at (outer, k); `*binding` says what rules it out when it is infeasible.
  bool Check(std::uint64_t outer, std::size_t k, OuterResult* r, Binding* binding) {
    space_.Rebuild(Point(outer, k), &chip_);
    metrics_ = catalog::ComputeMetrics(chip_, MetricDetail::kValues);
    ++r->evaluated;
    *binding = Binding();
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

  OuterResult Exhaustive(std::uint64_t outer, int objectives, bool keep) {
    OuterResult r;
    std::size_t compact_at = 4096;
    for (std::size_t k = 0; k < inner_.size(); ++k) {
      Binding binding;
      if (!Check(outer, k, &r, &binding)) {
        ++r.bindings[binding];
        continue;
      }
      r.feasible.push_back(Evaluate(outer, k, &r));
      if (keep && r.kept.size() < kMaxKeptCandidates) r.kept.push_back(r.feasible.back());
      if (r.feasible.size() >= compact_at) {
        r.feasible = ParetoFront(std::move(r.feasible), objectives);
        compact_at = std::max<std::size_t>(4096, 2 * r.feasible.size());
      }
    }
    r.feasible = ParetoFront(std::move(r.feasible), objectives);
    return r;
  }

  OuterResult Monotone(std::uint64_t outer) {
    OuterResult r;
    Binding binding;
    if (!Check(outer, 0, &r, &binding)) {
      ++r.bindings[binding];
      return r;
    }
    std::size_t lo = 0, hi = inner_.size();  // lo feasible, hi infeasible (or end)
    while (hi - lo > 1) {
      const std::size_t mid = lo + (hi - lo) / 2;
      Binding b;
      if (Check(outer, mid, &r, &b)) {
        lo = mid;
      } else {
        hi = mid;
        ++r.bindings[b];
      }
    }
    // Everything up to `lo` is feasible. The objectives grow with compute at fixed units and,
    // at fixed compute, with the units: a tensor rate kept below the die's native rate leaves
    // the rest of each tensor-core kernel at the native speed (perf::Hardware::tensor_cap), so
    // more units at a lower rate beat fewer at a higher one. Only the points no other feasible
    // point matches in both are evaluated: walking down in compute, those with more units than
    // every point above them (a handful on a real grid).
    double most_units = -1;
    for (std::size_t k = lo + 1; k-- > 0;) {
      const double units = space_.units[static_cast<std::size_t>(inner_[k].first)];
      if (units <= most_units) continue;
      most_units = units;
      r.feasible.push_back(Evaluate(outer, k, &r));
    }
    return r;
  }

  // The clause that binds `c`: the one that one more step of compute (the next tensor rate at
  // its units; at the top rate, the next units), then one more link, then the next memory
  // configuration would break, other knobs equal. Sets c->next_binding and next_knob.
  void NextBinding(Candidate* c) {
    auto check = [&](const DesignPoint& p) -> Binding {
      space_.Rebuild(p, &chip_);
      metrics_ = catalog::ComputeMetrics(chip_, MetricDetail::kValues);
      Binding binding;
      return ev_.Feasible(chip_, metrics_, &binding) ? Binding() : binding;
    };
    std::vector<std::pair<DesignPoint, Knob>> steps;
    if (static_cast<std::size_t>(c->point.tensor_rate) + 1 < space_.tensor_rate.size()) {
      DesignPoint p = c->point;
      ++p.tensor_rate;
      steps.emplace_back(p, Knob::kCompute);
    } else if (static_cast<std::size_t>(c->point.units) + 1 < space_.units.size()) {
      DesignPoint p = c->point;
      ++p.units;
      steps.emplace_back(p, Knob::kCompute);
    }
    if (static_cast<std::size_t>(c->point.links) + 1 < space_.links.size()) {
      DesignPoint p = c->point;
      ++p.links;
      steps.emplace_back(p, Knob::kLinks);
    }
    if (static_cast<std::size_t>(c->point.memory) + 1 < space_.memory.size()) {
      DesignPoint p = c->point;
      ++p.memory;
      steps.emplace_back(p, Knob::kMemory);
    }
    for (const auto& [p, knob] : steps)
      if (const Binding b = check(p)) {
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

std::string_view Binding::Name() const {
  switch (kind) {
    case Kind::kNone:
      return "";
    case Kind::kClause:
      return clause != nullptr ? std::string_view(clause->full_id) : std::string_view();
    case Kind::kTdpCap:
      return "cap: TDP";
    case Kind::kMemoryCap:
      return "cap: memory capacity";
    case Kind::kUndecided:
      return "undecided";
    case Kind::kNoClause:
      return "no clause recorded";
  }
  return "";
}

std::string_view KnobName(Knob k) {
  switch (k) {
    case Knob::kNone:
      return "";
    case Knob::kCompute:
      return "compute";
    case Knob::kLinks:
      return "links";
    case Knob::kMemory:
      return "memory";
  }
  return "";
}

Binding SearchResult::MostBinding() const {
  Binding most;
  std::uint64_t n = 0;
  for (const auto& [k, v] : binding_counts)
    if (v > n) n = v, most = k;
  return most;
}

std::vector<Candidate> ParetoFront(std::vector<Candidate> candidates, int n) {
  std::sort(candidates.begin(), candidates.end(), Lexicographic{n});
  std::vector<Candidate> front;
  for (const Candidate& c : candidates) {
    bool dominated = false;
    for (const Candidate& f : front)
      if (Dominates(f, c, n) ||
          (std::equal(f.objectives.begin(), f.objectives.begin() + n, c.objectives.begin()))) {
        dominated = true;
        break;
      }
    if (!dominated) front.push_back(c);
  }
  return front;
}

SearchResult Search(const DesignSpace& space, const Evaluator& ev, const SearchOptions& opt) {
  SearchResult result;
  // The compute axis: (units, tensor rate) pairs by total compute, ascending. Its size is bounded
  // by DesignSpace::Validate (kMaxComputeSteps).
  std::vector<std::pair<int, int>> inner;
  inner.reserve(space.units.size() * space.tensor_rate.size());
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
  std::uint64_t outer_count = 1;
  for (std::size_t k :
       {space.memory.size(), space.links.size(), space.markets.size(), space.tdp.size()}) {
    const auto n = static_cast<std::uint64_t>(k);
    outer_count = n != 0 && outer_count > UINT64_MAX / n ? UINT64_MAX : outer_count * n;
  }
  const std::uint64_t grid = space.size();

  Strategy strategy = opt.strategy;
  if (strategy == Strategy::kAuto)
    strategy = grid <= std::min<std::uint64_t>(opt.budget, kExhaustiveLimit) ? Strategy::kExhaustive
                                                                             : Strategy::kMonotone;
  result.strategy = strategy;

  // Cost charged per outer combination, known in advance, so that the set of combinations a
  // budget allows does not depend on threads or timing.
  const std::uint64_t per_outer = strategy == Strategy::kExhaustive
                                      ? static_cast<std::uint64_t>(inner.size())
                                      : static_cast<std::uint64_t>(std::ceil(
                                            std::log2(static_cast<double>(inner.size()) + 1))) +
                                            2;
  // The budget applies before anything is sized from the grid: only `allowed` combinations are
  // ever visited, and they are visited in blocks whose results are merged as they finish.
  const std::uint64_t allowed =
      std::min<std::uint64_t>(outer_count, std::max<std::uint64_t>(1, opt.budget / per_outer));
  if (allowed < outer_count) result.budget_exhausted = true;
  result.covered = allowed * static_cast<std::uint64_t>(inner.size());
  // Larger memory bandwidth / links first: with a budget, the promising region is searched.
  auto outer_at = [&](std::uint64_t i) { return outer_count - 1 - i; };

  // Pieces on the shared executor (base/executor.h): at most what was asked for, what the pool
  // has and what there is work for. Each block of combinations is handed out to the pieces by
  // index; results land in their index's slot and merge in index order, so the answer does not
  // depend on which thread ran what.
  Executor& executor = Executor::Shared();
  const int max_threads = std::max(1, executor.threads());
  int pieces = opt.threads > 0 ? std::min(opt.threads, max_threads) : max_threads;
  pieces =
      std::max(1, static_cast<int>(std::min<std::uint64_t>(static_cast<std::uint64_t>(pieces),
                                                           std::max<std::uint64_t>(allowed, 1))));
  const int n_obj = std::max(1, ev.objective_count());
  std::vector<std::optional<Worker>> workers(static_cast<std::size_t>(pieces));
  std::vector<Candidate> front;  // running Pareto front of everything merged so far
  std::atomic<bool> stopped{false};
  constexpr std::uint64_t kBlock = 16'384;
  const auto start = std::chrono::steady_clock::now();
  auto last_report = start;
  for (std::uint64_t b0 = 0; b0 < allowed && !stopped.load(); b0 += kBlock) {
    const std::uint64_t b1 = std::min(allowed, b0 + kBlock);
    std::vector<OuterResult> outer_results(static_cast<std::size_t>(b1 - b0));
    std::atomic<std::uint64_t> next{b0};
    executor.ParallelFor(static_cast<std::size_t>(pieces), pieces, [&](std::size_t t) {
      std::optional<Worker>& w = workers[t];
      if (!w) w.emplace(space, ev, inner);
      for (std::uint64_t i = next.fetch_add(1); i < b1; i = next.fetch_add(1)) {
        if (opt.stop.Stopped()) {
          stopped.store(true, std::memory_order_relaxed);
          return;
        }
        outer_results[static_cast<std::size_t>(i - b0)] =
            strategy == Strategy::kExhaustive
                ? w->Exhaustive(outer_at(i), n_obj, opt.keep_candidates)
                : w->Monotone(outer_at(i));
        if (t == 0 && opt.progress) {
          const auto now = std::chrono::steady_clock::now();
          if (now - last_report > std::chrono::milliseconds(100)) {
            opt.progress(std::min(next.load(), b1) * per_outer, allowed * per_outer);
            last_report = now;
          }
        }
      }
    });

    // Merge in index order, so that the answer does not depend on which thread ran what.
    std::vector<Candidate> merged = std::move(front);
    for (OuterResult& r : outer_results) {
      result.evaluated += r.evaluated;
      result.objective_evaluations += r.objective_evaluations;
      for (const auto& [k, v] : r.bindings) result.binding_counts[k] += v;
      merged.insert(merged.end(), r.feasible.begin(), r.feasible.end());
      for (Candidate& c : r.kept) {
        if (result.candidates.size() >= kMaxKeptCandidates) {
          result.candidates_truncated = true;
          break;
        }
        result.candidates.push_back(c);
      }
    }
    front = ParetoFront(std::move(merged), n_obj);
  }
  result.threads = pieces;
  result.stopped = stopped.load();
  if (opt.progress) opt.progress(result.evaluated, result.evaluated);
  if (opt.keep_candidates) {
    std::sort(result.candidates.begin(), result.candidates.end(),
              [](const Candidate& a, const Candidate& b) { return a.index < b.index; });
  }
  result.front = std::move(front);
  if (!result.front.empty()) {
    result.best = result.front.front();
    Worker w(space, ev, inner);
    w.NextBinding(&*result.best);
    result.front.front() = *result.best;
  }
  return result;
}

}  // namespace ceiling::design

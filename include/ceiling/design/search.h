// Constrained search over a design space, and Pareto fronts.
//
// The caller supplies an Evaluator: a constraint (a rule outcome, plus optional caps) and one or
// more objectives (performance-model figures, higher is better). The search returns the best
// feasible derivative(s); "infeasible" is a normal result that says which clause binds.
//
//   MyEvaluator ev(rules, perf);                       // implements Evaluator
//   SearchOptions opt;  opt.budget = 1'000'000;
//   SearchResult r = Search(space, ev, opt);
//   if (r.best) { catalog::Chip chip = space.Build(r.best->point); ... }
//
// Strategy (SearchOptions::strategy):
// - kExhaustive: every grid point, constraint first, objectives only where feasible.
// - kMonotone: for each combination of the non-compute knobs (memory, links, market, tdp), a
//   binary search along the compute axis (units x tensor rate, ascending) for the largest feasible
//   point, whose objectives are then evaluated. Valid when feasibility can only be lost by adding
//   compute (true of every TPP/PD threshold on a fixed die) and objectives never fall with more
//   compute (a law the performance model's property tests check). It visits O(outer x log inner)
//   points instead of outer x inner.
// - kAuto: exhaustive when the grid has at most kExhaustiveLimit designs and fits the budget
//   (each design may cost a full deployment search, ~0.1 ms), else monotone.
// Both are deterministic: work is split over the shared executor (base/executor.h) by outer index
// and merged in index order; ties keep the lower index. The budget caps evaluations;
// `budget_exhausted` says when it hit. A stop token ends the search early (`stopped`; the result
// is then partial and callers report a deadline, not an answer).
// Memory stays bounded whatever the grid: the budget applies before anything is sized from the
// grid, combinations are searched in blocks merged as they finish, and only Pareto fronts are
// kept. Threads are capped by the executor's pool (`threads` says how many pieces ran).
// Thread safety: Evaluator methods are called concurrently from several threads.
#ifndef CEILING_DESIGN_SEARCH_H_
#define CEILING_DESIGN_SEARCH_H_

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ceiling/base/executor.h"
#include "ceiling/catalog/chip.h"
#include "ceiling/catalog/metrics.h"
#include "ceiling/design/space.h"

namespace ceiling::rules {
struct Clause;
}

namespace ceiling::design {

inline constexpr int kMaxObjectives = 4;

// What rules a design out: a clause of the evaluator's rule book, a cap of the search, or a rule
// outcome that stays undecided. A value: cheap to copy, compared without allocating.
struct Binding {
  enum class Kind : std::uint8_t {
    kNone,       // nothing binds
    kClause,     // `clause` stands in the way
    kTdpCap,     // the design's TDP is over the search's cap
    kMemoryCap,  // its memory capacity is over the cap
    kUndecided,  // the outcome is unknown (a figure the rules need is missing)
    kNoClause,   // ruled out, but the classification names no clause
  };
  Kind kind = Kind::kNone;
  const rules::Clause* clause = nullptr;  // kClause; owned by the rule book the evaluator uses

  static Binding Of(const rules::Clause* c) { return {Kind::kClause, c}; }
  explicit operator bool() const { return kind != Kind::kNone; }
  // The clause's full id ("us-2023-10-acs/3A090.b.1"), "cap: TDP", "cap: memory capacity",
  // "undecided", "no clause recorded", or "" for kNone.
  std::string_view Name() const;

  friend bool operator==(const Binding& a, const Binding& b) {
    return a.kind == b.kind && a.clause == b.clause;
  }
  // Identity order (fast, for counting on the hot path).
  friend bool operator<(const Binding& a, const Binding& b) {
    return a.kind != b.kind ? a.kind < b.kind
                            : std::less<const rules::Clause*>()(a.clause, b.clause);
  }
  // Name order, for what is shown (deterministic whatever the addresses).
  struct ByName {
    bool operator()(const Binding& a, const Binding& b) const {
      return a.Name() != b.Name() ? a.Name() < b.Name() : a < b;
    }
  };
};

// The step up from a design that a binding is about.
enum class Knob : std::uint8_t { kNone, kCompute, kLinks, kMemory };
std::string_view KnobName(Knob k);  // "", "compute", "links", "memory"
// Grids up to this many designs are searched exhaustively under Strategy::kAuto.
inline constexpr std::uint64_t kExhaustiveLimit = 20'000;

class Evaluator {
 public:
  virtual ~Evaluator() = default;
  // True if the derivative satisfies the constraint. When false, `*binding` says what rules it
  // out (a clause that outlives the search, or a cap).
  virtual bool Feasible(const catalog::Chip& chip, const catalog::ChipMetrics& metrics,
                        Binding* binding) const = 0;
  virtual int objective_count() const = 0;
  // Objective values (higher is better) into out[0..objective_count()).
  virtual void Objectives(const catalog::Chip& chip, const catalog::ChipMetrics& metrics,
                          double* out) const = 0;
};

enum class Strategy { kAuto, kExhaustive, kMonotone };

struct SearchOptions {
  Strategy strategy = Strategy::kAuto;
  std::uint64_t budget = 50'000'000;  // max design evaluations (constraint checks)
  int threads = 0;                    // at most this many threads; 0: the whole shared executor
  // Called now and then (from one of the search's threads) with (evaluated, expected total).
  std::function<void(std::uint64_t, std::uint64_t)> progress;
  StopToken stop;  // a deadline or a cancel
  // Keep every feasible design whose objectives were evaluated (for charts), in index order.
  bool keep_candidates = false;
};

struct Candidate {
  DesignPoint point;
  std::uint64_t index = 0;  // linear index in the space
  std::array<double, kMaxObjectives> objectives{};
  // For the best design, the clause that binds it: the one the next step up in compute (the
  // first design with strictly more units x tensor rate, other knobs equal) would break; when
  // that step does not exist or is allowed, the one that one more link, then the next memory
  // configuration, would break. None when none of these steps is ruled out. `next_knob` names
  // the step.
  Binding next_binding;
  Knob next_knob = Knob::kNone;
};

struct SearchResult {
  Strategy strategy = Strategy::kExhaustive;
  std::uint64_t evaluated = 0;  // constraint evaluations
  std::uint64_t objective_evaluations = 0;
  bool budget_exhausted = false;
  bool stopped = false;  // the stop token ended the search: the result is partial
  // Designs in the part of the grid the search covered: the whole grid unless the budget ran
  // out (a monotone search covers a combination's compute axis with a binary search).
  std::uint64_t covered = 0;
  int threads = 1;                    // threads the search ran on
  bool candidates_truncated = false;  // keep_candidates stopped at its cap of 200,000
  std::optional<Candidate> best;      // by the first objective
  std::vector<Candidate> front;       // non-dominated feasible designs, by first objective desc
  std::vector<Candidate> candidates;  // with keep_candidates: every evaluated feasible design
                                      // (the first 200,000 in search order), by index
  // When nothing is feasible: how often each clause ruled a design out.
  std::map<Binding, std::uint64_t, Binding::ByName> binding_counts;
  bool feasible() const { return best.has_value(); }
  // What ruled out the most designs (none when feasible or nothing was evaluated); ties go to
  // the first by name.
  Binding MostBinding() const;
};

SearchResult Search(const DesignSpace& space, const Evaluator& evaluator,
                    const SearchOptions& options = {});

// Non-dominated subset (maximisation in every objective), sorted by objective 0 descending (then
// the other objectives, then index); of designs with equal objectives only the lowest index.
std::vector<Candidate> ParetoFront(std::vector<Candidate> candidates, int objective_count);

}  // namespace ceiling::design

#endif  // CEILING_DESIGN_SEARCH_H_

// Design questions: the best derivative of a die that a rule still lets through (design), and the
// capability a rule leaves open on every die (capability).
//
//   DesignRequest req;
//   req.base.id = "nvidia-h100-sxm";  req.at = {"2024-06-01", "CN", ""};
//   req.goal.serving.model.id = "deepseek-r1";       // objective decode, TPOT <= 50 ms by default
//   req.compare.id = "nvidia-h20";
//   ASSIGN_OR_RETURN(DesignResponse r, Design(*kb, req, {.stop = StopToken::After(10s)}));
//   r.best->binding;   // us-2023-10-acs/3A090.b.1
//
// Defaults that depend on each other live here, not in the adapters: the decode objective
// without a client count searches under TPOT <= 50 ms; training runs tp = min(8, gpus); the
// strategy `auto` is the search's own rule (exhaustive up to design::kExhaustiveLimit designs).
// An infeasible search is a result (best empty, `binding_everywhere`); a stopped one is
// kDeadlineExceeded. Searches run on the shared executor (base/executor.h).
#ifndef CEILING_API_DESIGN_API_H_
#define CEILING_API_DESIGN_API_H_

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "ceiling/api/fields.h"
#include "ceiling/api/knowledge_base.h"
#include "ceiling/api/perf_api.h"
#include "ceiling/api/rules_api.h"
#include "ceiling/design/assess.h"
#include "ceiling/design/evaluate.h"
#include "ceiling/design/search.h"
#include "ceiling/report/design_report.h"

namespace ceiling::api {

// The constraint, the objectives and their workload: shared by design and capability.
struct DesignGoal {
  std::string require = "no-license";
  std::string objective = "decode";  // comma-separated for a Pareto front
  ServingFields serving;             // the serving workload (decode, prefill objectives)
  int seq = 4096;                    // training objective
  int global_batch = 256;
  int micro_batch = 1;
  int zero = 1;
  bool recompute = false;
  std::string train_precision = "bf16";
  std::string max_tdp;     // "400 W"
  std::string max_memory;  // "96 GB"
  std::string market;      // datacenter | consumer; "" = the space's markets
  std::string strategy = "auto";
  std::int64_t budget = 50'000'000;
  int threads = 0;

  template <class V>
  void Visit(V& v) {
    v(Field{"require", "Constraint the derivative must meet", 0,
            "no-license|not-3a090|exception-eligible|case-by-case"},
      require);
    v(Field{"objective",
            "decode, prefill or train; several comma-separated give a Pareto front"},
      objective);
    serving.Visit(v);
    v(Field{"seq", "Training objective: sequence length", kAdvanced}, seq);
    v(Field{"global_batch", "Training objective: sequences per step", kAdvanced}, global_batch);
    v(Field{"micro_batch", "Training objective: micro-batch", kAdvanced}, micro_batch);
    v(Field{"zero", "Training objective: ZeRO stage", kAdvanced}, zero);
    v(Field{"recompute", "Training objective: full activation recomputation (default: selective)",
            kAdvanced},
      recompute);
    v(Field{"train_precision", "Training objective: GEMM format", kAdvanced, "bf16|fp8"},
      train_precision);
    v(Field{"max_tdp", "Cap on TDP, e.g. \"400 W\""}, max_tdp);
    v(Field{"max_memory", "Cap on memory capacity, e.g. \"96 GB\""}, max_memory);
    v(Field{"market", "Only derivatives marketed as this (default: the design space's markets)",
            kMayBeEmpty, "datacenter|consumer"},
      market);
    v(Field{"strategy",
            "auto (exhaustive up to 20,000 designs, else monotone), exhaustive or monotone",
            kAdvanced, "auto|exhaustive|monotone"},
      strategy);
    v(Field{"budget", "At most this many designs checked", kAdvanced}, budget);
    v(Field{"threads", "At most this many threads (0: all cores)", kAdvanced}, threads);
  }
  Status Check() const;
};

// design -----------------------------------------------------------------------------------------

struct DesignRequest {
  Ref base;
  std::optional<Text> design;  // a design space as TOML; default: data/designs for the base's die
  Place at;
  RuleSettings rules;
  DesignGoal goal;
  Ref compare;                   // a product to measure against the optimum
  bool keep_candidates = false;  // keep every evaluated feasible design (for the chart)

  template <class V>
  void Visit(V& v) {
    v(Field{"base", "Base chip: catalog id, or the chip as TOML", kRequired}, base);
    v(Field{"design",
            "Design space as TOML (default: the data/designs file for the base's die, else a "
            "default space)",
            kAdvanced},
      design);
    v(Field{"date", "Date of the rules, YYYY-MM-DD", kRequired}, at.date);
    v(Field{"to", "Destination, ISO 3166 alpha-2 code", kRequired}, at.to);
    v(Field{"hq", "Country of the end user's headquarters (default: the destination)"}, at.hq);
    rules.Visit(v);
    goal.Visit(v);
    v(Field{"compare", "A product to measure against the optimum: catalog id, or the chip as TOML"},
      compare);
    v(Field{"keep_candidates", "Keep every evaluated design (for the chart)", kAdvanced},
      keep_candidates);
  }
  Status Validate();
};

struct DesignResponse {
  std::shared_ptr<const KnowledgeBase> kb;
  std::shared_ptr<const perf::ModelArch> model;
  std::shared_ptr<const rules::RuleBook> book;
  std::shared_ptr<const design::DesignSpace> space;
  std::shared_ptr<const design::DesignEvaluator> evaluator;
  design::SearchResult result;
  std::optional<design::EvaluatedDesign> best, compare;
  std::string workload;  // in words
  double seconds = 0;    // wall time of the search (text output only)
};

Result<DesignResponse> Design(const KnowledgeBase& kb, DesignRequest request,
                              const CallOptions& call = {});
nlohmann::json ToJson(const DesignResponse& r);
std::string ToText(const DesignResponse& r);
std::string ToSvg(const DesignResponse& r);
// The best design as a chip file (TOML) that every command accepts; kNoAnswer when none.
Result<std::string> BestChipToml(const DesignResponse& r);

// capability -------------------------------------------------------------------------------------

struct CapabilityRequest {
  std::vector<std::string> dates;  // one, or two to show the change
  Place at;
  RuleSettings rules;
  DesignGoal goal;

  template <class V>
  void Visit(V& v) {
    v(Field{"dates", "Date(s), YYYY-MM-DD: one, or two to show the change", kRequired}, dates);
    v(Field{"to", "Destination, ISO 3166 alpha-2 code", kRequired}, at.to);
    v(Field{"hq", "Country of the end user's headquarters (default: the destination)"}, at.hq);
    rules.Visit(v);
    goal.Visit(v);
  }
  Status Validate();
};

struct CapabilityResponse {
  std::shared_ptr<const KnowledgeBase> kb;
  design::CapabilityReport report;
};

Result<CapabilityResponse> Capability(const KnowledgeBase& kb, CapabilityRequest request,
                                      const CallOptions& call = {});
nlohmann::json ToJson(const CapabilityResponse& r);
std::string ToText(const CapabilityResponse& r);

}  // namespace ceiling::api

#endif  // CEILING_API_DESIGN_API_H_

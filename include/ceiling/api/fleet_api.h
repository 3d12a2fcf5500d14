// Fleet questions: what shipments add up to (units, TPP, H100-equivalents by TPP, decode and
// training throughput, power, time to train), their license status row by row, the revenue
// shares owed, and what a different rule would have denied.
//
//   FleetRequest req;
//   req.shipments = Text{file_text, "china-2022-2026.toml"};   // CSV or TOML, by the name
//   req.fleet = "china-2022-2026";                   // or a file of data/fleets, by id
//   req.rules = {Text{letter_from_2024, "h20-letter-from-2024.toml"}};   // a what-if
//   ASSIGN_OR_RETURN(FleetResponse r, Fleet(*kb, req));
//   r.result.total;                                  // with low/high ranges
//
// The shipments file format is docs/data-format.md ("Shipment files"). Errors name the request
// field ("shipments" with file:line:col for the file, "train_tp", "set", "as_of" ...). The
// performance-model yardsticks cost one model evaluation per chip and workload.
#ifndef CEILING_API_FLEET_API_H_
#define CEILING_API_FLEET_API_H_

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "ceiling/api/fields.h"
#include "ceiling/api/knowledge_base.h"
#include "ceiling/fleet/fleet.h"

namespace ceiling::api {

struct FleetRequest {
  // The shipments: a file's text (its name's extension, .csv or .toml, selects the format), or
  // the id of one of the knowledge base's files (data/fleets); one of the two.
  std::optional<Text> shipments;
  std::string fleet;
  std::vector<std::string> count = {"shipped", "produced"};
  std::string reference = "nvidia-h100-sxm";
  std::string view = "enforced";
  bool throughput = true;
  // The decode yardstick.
  std::string model = "llama-3.1-70b";
  int gpus = 8, isl = 1024, osl = 1024;
  std::string precision = "fp8";
  double sla_tpot = 50;  // ms
  std::string engine;
  // The training yardstick (model: the decode yardstick's).
  int train_gpus = 64, train_tp = 8, train_pp = 4, zero = 1, micro_batch = 1;
  int global_batch = 256, seq = 4096;
  std::string train_precision = "bf16";
  // The reference run for the time to train: a FLOP budget, or a model and a token count.
  std::optional<double> train_flops;
  std::string train_model;
  std::optional<double> train_tokens;
  // The what-if.
  std::vector<Text> rules;
  std::vector<std::string> set;
  std::string as_of;
  std::string chart = "tpp";

  template <class V>
  void Visit(V& v) {
    v(Field{"shipments", "Shipments file (.csv or .toml), e.g. data/fleets/china-2022-2026.toml",
            kDataFile},
      shipments);
    v(Field{"fleet", "A shipments file of the data (data/fleets) by id, e.g. china-2022-2026, "
                     "instead of shipments"},
      fleet);
    v(Field{"count", "Statuses counted in totals", 0,
            "shipped|produced|ordered|approved|planned|blocked"},
      count);
    v(Field{"reference", "Chip that counts as one H100-equivalent"}, reference);
    v(Field{"view", "enforced (what BIS enforces) or text", 0, "enforced|text"}, view);
    v(Field{"throughput", "Evaluate the decode and training yardsticks (performance model)"},
      throughput);
    v(Field{"model", "Model of the decode and training yardsticks (data/models id)"}, model);
    v(Field{"gpus", "Decode yardstick: GPUs per deployment", kAdvanced}, gpus);
    v(Field{"isl", "Decode yardstick: input tokens", kAdvanced}, isl);
    v(Field{"osl", "Decode yardstick: output tokens", kAdvanced}, osl);
    v(Field{"precision", "Decode yardstick: weights/activations format", kAdvanced,
            "fp4|fp8|int8|int4|bf16|fp16"},
      precision);
    v(Field{"sla_tpot", "Decode yardstick: TPOT target in ms", kAdvanced}, sla_tpot);
    v(Field{"engine", "Decode yardstick: vllm, sglang or trtllm calibration (default: average)",
            kAdvanced},
      engine);
    v(Field{"train_gpus", "Training yardstick: GPUs", kAdvanced}, train_gpus);
    v(Field{"train_tp", "Training yardstick: tensor parallel", kAdvanced}, train_tp);
    v(Field{"train_pp", "Training yardstick: pipeline parallel", kAdvanced}, train_pp);
    v(Field{"zero", "Training yardstick: ZeRO stage", kAdvanced}, zero);
    v(Field{"micro_batch", "Training yardstick: micro-batch", kAdvanced}, micro_batch);
    v(Field{"global_batch", "Training yardstick: sequences per step", kAdvanced}, global_batch);
    v(Field{"seq", "Training yardstick: sequence length", kAdvanced}, seq);
    v(Field{"train_precision", "Training yardstick: GEMM format", kAdvanced, "bf16|fp8"},
      train_precision);
    v(Field{"train_flops", "Time to train a run of this many FLOPs (default 2e25)"},
      train_flops);
    v(Field{"train_model", "Time to train this model (with train_tokens)"}, train_model);
    v(Field{"train_tokens", "Tokens of the train_model run"}, train_tokens);
    v(Field{"rules", "What-if: add a rule version given as TOML", kAdvanced}, rules);
    v(Field{"set", "What-if: override a rule parameter, NAME=VALUE or RULE.NAME=VALUE",
            kAdvanced},
      set);
    v(Field{"as_of", "What-if: classify every row under this date's rules (YYYY-MM-DD)",
            kAdvanced},
      as_of);
    v(Field{"chart", "What the chart's cumulative lines count", 0, "tpp|decode|train"}, chart);
  }
  Status Validate();
};

struct FleetResponse {
  std::shared_ptr<const KnowledgeBase> kb;
  fleet::FleetResult result;  // points into kb and into rule books it owns
  fleet::Yardstick chart = fleet::Yardstick::kTpp;
};

Result<FleetResponse> Fleet(const KnowledgeBase& kb, FleetRequest request,
                            const CallOptions& call = {});
nlohmann::json ToJson(const FleetResponse& r);
std::string ToText(const FleetResponse& r);
std::string ToCsv(const FleetResponse& r);
// Cumulative H100-equivalents over time by chip family, with the what-if line (SVG).
std::string ToSvg(const FleetResponse& r);

}  // namespace ceiling::api

#endif  // CEILING_API_FLEET_API_H_

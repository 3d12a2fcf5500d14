// Options shared by the commands that run the performance model (perf serve, compare, design,
// capability): the loaded model data and the serving workload flags.
#ifndef CEILING_APPS_CEILING_PERF_OPTIONS_H_
#define CEILING_APPS_CEILING_PERF_OPTIONS_H_

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <string>

#include "ceiling/base/units.h"
#include "ceiling/perf/calibration.h"
#include "ceiling/perf/hardware.h"
#include "ceiling/perf/model.h"
#include "ceiling/perf/serving.h"
#include "commands.h"

namespace ceiling::cli {

struct PerfData {
  const catalog::Catalog* chips = nullptr;
  perf::ModelCatalog models;
  perf::SystemDefaults systems;
  std::optional<perf::Calibration> calibration;
};

Result<PerfData> LoadPerfData(Context& ctx, bool need_calibration);
// A --precision style flag: fp4, fp8, int8, int4, bf16 or fp16.
Result<perf::DType> ParsePrecision(const std::string& s, const char* flag);

// --gpus-per-node and --scale-out ("400 Gb/s", per GPU and direction) as system options.
inline Result<perf::SystemOptions> SystemFlags(std::optional<int> gpus_per_node,
                                               const std::string& scale_out) {
  perf::SystemOptions o;
  o.scale_up_domain = gpus_per_node;
  if (!scale_out.empty()) {
    auto q = ParseQuantityAs<BytesPerSecond>(scale_out);
    if (!q.ok()) return MakeError(ErrorCode::kInvalidArgument, "--scale-out: " + q.error().message);
    o.scale_out = *q;
  }
  return o;
}

// Flags shared by perf serve, compare, design and capability.
struct ServeFlags {
  std::string model, precision = "fp8", kv_precision, attention_precision, engine;
  int gpus = 8, isl = 1024, osl = 1024, concurrency = 0;
  std::optional<int> tp, pp, ep, dp_attn, gpus_per_node;
  std::optional<double> sla_tpot_ms, sla_ttft_ms;
  std::string scale_out;
  int spec_steps = 0, spec_draft = 0;
  double spec_accept = 1;
  bool json = false;

  void Declare(CLI::App* sub) {
    sub->add_option("--model", model, "Model id (data/models) or model file")->required();
    sub->add_option("--gpus", gpus, "GPUs in the deployment (default 8)");
    sub->add_option("--tp", tp, "Tensor-parallel size (default: searched)");
    sub->add_option("--pp", pp, "Pipeline-parallel size (default: searched)");
    sub->add_option("--ep", ep, "Expert-parallel size (default: searched)");
    sub->add_option("--dp-attn", dp_attn, "Attention data-parallel ranks (default: searched)");
    sub->add_option("--isl", isl, "Input (prompt) tokens per request (default 1024)");
    sub->add_option("--osl", osl, "Output tokens per request (default 1024)");
    sub->add_option("--concurrency", concurrency,
                    "Concurrent clients (required unless an SLA is given; then the maximum)");
    sub->add_option("--precision", precision, "fp8 (default), fp4, int8, int4, bf16 or fp16");
    sub->add_option("--kv-precision", kv_precision, "KV-cache format (default: per --precision)");
    sub->add_option("--attention-precision", attention_precision,
                    "Attention math format, e.g. fp8 for FP8 FlashMLA/FA3 (default bf16)");
    sub->add_option("--engine", engine,
                    "Serving engine whose calibration to use: vllm, sglang, trtllm (default: "
                    "their average)");
    sub->add_option("--sla-tpot", sla_tpot_ms, "Search for the best deployment with TPOT <= MS");
    sub->add_option("--sla-ttft", sla_ttft_ms, "Search for the best deployment with TTFT <= MS");
    sub->add_option("--gpus-per-node", gpus_per_node, "GPUs per scale-up domain (default: data)");
    sub->add_option("--scale-out", scale_out,
                    "Scale-out bandwidth per GPU and direction, e.g. "
                    "\"400 Gb/s\" (default 400 Gb/s)");
    sub->add_option("--spec-steps", spec_steps, "Speculative decoding: draft steps (default 0)");
    sub->add_option("--spec-draft", spec_draft, "Speculative decoding: tokens verified per step");
    sub->add_option("--spec-accept", spec_accept, "Speculative decoding: mean tokens accepted");
    sub->add_flag("--json", json, "JSON output");
  }

  bool sla() const { return sla_tpot_ms.has_value() || sla_ttft_ms.has_value(); }

  Status Check() const {
    auto bad = [](std::string m) { return MakeError(ErrorCode::kInvalidArgument, std::move(m)); };
    if (gpus < 1 || gpus > perf::kMaxGpus)
      return bad(fmt::format("--gpus must be between 1 and {}", perf::kMaxGpus));
    if (isl < 1 || osl < 1) return bad("--isl and --osl must be at least 1");
    if (!sla() && concurrency < 1)
      return bad("--concurrency N is required (or give --sla-tpot / --sla-ttft to search it)");
    if (concurrency < 0) return bad("--concurrency must be at least 1");
    if (sla_tpot_ms && !(*sla_tpot_ms > 0)) return bad("--sla-tpot must be positive");
    if (sla_ttft_ms && !(*sla_ttft_ms > 0)) return bad("--sla-ttft must be positive");
    for (auto [v, n] :
         {std::pair{tp, "--tp"}, std::pair{pp, "--pp"}, std::pair{ep, "--ep"},
          std::pair{dp_attn, "--dp-attn"}, std::pair{gpus_per_node, "--gpus-per-node"}})
      if (v && *v < 1) return bad(fmt::format("{} must be at least 1", n));
    if (spec_steps < 0) return bad("--spec-steps must be at least 0");
    return OkStatus();
  }

  Result<perf::SystemOptions> System() const { return SystemFlags(gpus_per_node, scale_out); }

  Result<perf::ServingQuery> Query(const perf::ModelArch* m, const perf::Hardware* hw,
                                   const perf::Calibration* cal) const {
    perf::ServingQuery q;
    q.model = m;
    q.hardware = hw;
    q.calibration = cal;
    q.gpus = gpus;
    ASSIGN_OR_RETURN(perf::DType mode, ParsePrecision(precision, "--precision"));
    q.precision = perf::PrecisionForMode(mode);
    if (!kv_precision.empty()) {
      ASSIGN_OR_RETURN(q.precision.kv_cache, ParsePrecision(kv_precision, "--kv-precision"));
    }
    if (!attention_precision.empty()) {
      ASSIGN_OR_RETURN(q.precision.attention,
                       ParsePrecision(attention_precision, "--attention-precision"));
    }
    q.workload.isl = isl;
    q.workload.osl = osl;
    q.workload.concurrency = std::max(1, concurrency);
    q.workload.engine = engine;
    q.workload.speculative = {spec_steps, spec_draft, spec_accept};
    return q;
  }

  perf::SearchOptions Search() const {
    perf::SearchOptions o;
    o.tp = tp, o.pp = pp, o.ep = ep, o.dp_attn = dp_attn;
    if (sla_tpot_ms) o.sla.tpot = Seconds::FromBase(*sla_tpot_ms * 1e-3);
    if (sla_ttft_ms) o.sla.ttft = Seconds::FromBase(*sla_ttft_ms * 1e-3);
    if (concurrency > 0) o.max_concurrency = concurrency;
    return o;
  }
};

}  // namespace ceiling::cli

#endif  // CEILING_APPS_CEILING_PERF_OPTIONS_H_

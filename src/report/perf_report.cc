#include "ceiling/report/perf_report.h"

#include <fmt/format.h>

#include <array>
#include <algorithm>
#include <cmath>
#include <map>

#include "ceiling/base/text.h"
#include "ceiling/base/units.h"
#include "ceiling/report/table.h"

namespace ceiling::report {

using nlohmann::json;
using perf::ErrorBand;
using perf::PerfMetric;

// A measured value lies in [pred x low, pred x high] for 90% of held-out validation points.
json BandJson(double predicted, const ErrorBand& b) {
  if (b.count == 0) return json{{"low", nullptr}, {"high", nullptr}, {"count", 0}};
  json j{{"low", predicted * b.low},
         {"high", predicted * b.high},
         {"p50_relative_error", b.p50},
         {"p90_relative_error", b.p90},
         {"count", b.count}};
  if (!b.engine.empty())
    j["slice"] = json{{"engine", b.engine}, {"model_kind", perf::ModelKindName(b.kind)}};
  return j;
}

std::string BandText(double predicted, const ErrorBand& b, int decimals) {
  if (b.count == 0) return "-";
  return fmt::format("{} - {}", FormatFixed(predicted * b.low, decimals),
                     FormatFixed(predicted * b.high, decimals));
}

namespace {

double Ms(Seconds s) { return MillisecondsOf(s); }

// Decimals for `v`: `d`, or more when `d` would print a nonzero value as 0 (0.0045 tokens/s per
// GPU on 100,000 GPUs reads 0.0045, not 0.0).
int DecimalsFor(double v, int d) {
  if (v == 0 || !std::isfinite(v) || std::round(std::fabs(v) * std::pow(10.0, d)) > 0) return d;
  return std::min(9, static_cast<int>(std::ceil(-std::log10(std::fabs(v)))) + 1);
}

json StepJson(const perf::StepTime& t) {
  return json{{"total_ms", Ms(t.total)},
              {"gemm_ms", Ms(t.gemm)},
              {"attention_ms", Ms(t.attention)},
              {"moe_ms", Ms(t.moe)},
              {"communication_ms", Ms(t.communication)},
              {"elementwise_ms", Ms(t.elementwise)},
              {"overhead_ms", Ms(t.overhead)},
              {"bound", t.MemoryBound() ? "memory" : "compute"}};
}

// ", bands of vllm on MoE models" when the bands are narrowed to the engine and kind of model;
// when only some are, it names them: ", bands of vllm on MoE models (TPOT, throughput; TTFT:
// the regime's)".
std::string SliceText(const perf::Uncertainty& u) {
  const ErrorBand* sliced = nullptr;
  std::string which, rest;
  for (const auto& [name, b] : {std::pair<const char*, const ErrorBand*>{"TTFT", &u.ttft},
                                {"TPOT", &u.tpot},
                                {"throughput", &u.throughput}}) {
    std::string& list = b->engine.empty() ? rest : which;
    list += list.empty() ? name : fmt::format(", {}", name);
    if (!b->engine.empty()) sliced = b;
  }
  if (!sliced) return "";
  std::string s = fmt::format(", bands of {} on {} models", sliced->engine,
                              sliced->kind == perf::ModelKind::kMoe ? "MoE" : "dense");
  if (!rest.empty()) s += fmt::format(" ({}; {}: the regime's)", which, rest);
  return s;
}

// Why a regime's bands are wide, for the two whose TTFT the step model does not bound.
std::string RegimeText(perf::Regime r) {
  switch (r) {
    case perf::Regime::kContended:
      return fmt::format(" (the prompt's own iterations are under {:.0f}% of its TTFT; the rest, "
                         "queueing behind other clients' work and the engine's fitted costs, is "
                         "the least certain part of the model, so the bands are wide)",
                         perf::kContendedPrefillShare * 100);
    case perf::Regime::kQueued:
      return " (clients wait for KV-cache room; the wait is the least certain part of the "
             "model, so the TTFT band is wide)";
    default:
      return "";
  }
}

std::string BasisText(perf::CalibrationBasis b) {
  switch (b) {
    case perf::CalibrationBasis::kProfiled:
      return "chip in the calibration data (held-out error)";
    case perf::CalibrationBasis::kUnprofiledChip:
      return "chip never measured, family calibrated (leave-one-chip-out error)";
    case perf::CalibrationBasis::kUnprofiledFamily:
      return "chip family never measured (leave-one-family-out error)";
  }
  return "";
}

json ParallelismJson(const perf::Parallelism& p, int instances) {
  return json{{"tp", p.tp},
              {"pp", p.pp},
              {"dp_attn", p.dp_attn},
              {"ep", p.ep},
              {"gpus_per_instance", p.Gpus()},
              {"instances", instances}};
}

// A disaggregated deployment's workers: "2 prefill x TP4 + 1 decode x TP1 DP-attn8 EP8".
std::string WorkersText(const perf::ServingQuery& q) {
  const perf::Disaggregation& d = *q.disagg;
  return fmt::format("{} prefill x {} + {} decode x {}", d.prefill_workers, d.prefill.ToString(),
                     d.decode_workers, q.par.ToString());
}

json DisaggregationJson(const perf::ServingQuery& q) {
  if (!q.disagg) return nullptr;
  const perf::Disaggregation& d = *q.disagg;
  return json{{"prefill", ParallelismJson(d.prefill, d.prefill_workers)},
              {"decode", ParallelismJson(q.par, d.decode_workers)},
              {"prefill_batch", d.prefill_batch}};
}

json PrecisionJson(const perf::PrecisionConfig& p) {
  return json{{"weights", perf::DTypeName(p.weights)},
              {"activations", perf::DTypeName(p.activations)},
              {"kv_cache", perf::DTypeName(p.kv_cache)},
              {"attention", perf::DTypeName(p.attention)}};
}

// Sequences per rank: whole numbers as they are, a mean batch (disaggregated decode workers,
// by Little's law) to one decimal.
std::string BatchText(double b) {
  return std::abs(b - std::round(b)) < 1e-9 ? fmt::format("{:g}", b) : fmt::format("{:.1f}", b);
}

// A step's times in the breakdown table, in ms to 10 µs: nine columns then fit in 100.
std::string StepMs(Seconds t) { return fmt::format("{:.2f}", Ms(t)); }

// Who runs the workload: an offline run's requests, or the closed loop's clients.
std::string RunText(const perf::ServingWorkload& w) {
  return w.requests > 0 ? fmt::format("an offline run of {}", Counted(w.requests, "request"))
                        : Counted(w.concurrency, "concurrent client");
}

// Where a request's TTFT and TPOT go (perf::LatencyParts), parts under 0.005 ms left out.
std::string LatencyPartsText(const perf::ServingResult& r, bool offline) {
  const perf::LatencyParts& l = r.latency;
  Table t({{"where a request's time goes"}, {"ms", Align::kRight}});
  auto part = [&](const char* name, Seconds v, int decimals) {
    if (Ms(v) >= 0.005) t.AddRow({fmt::format("  {}", name), FormatFixed(Ms(v), decimals)});
  };
  t.AddRow({"TTFT", FormatFixed(Ms(r.ttft), 1)});
  part("before the prompt's first iteration", l.waiting, 1);
  part("iterations carrying the prompt", l.prefill, 1);
  part("KV cache to the decode worker", l.kv_transfer, 1);
  part("engine, per request (fitted)", l.request, 1);
  part("engine, per running client (fitted)", l.clients, 1);
  part("waiting for a KV-cache slot", l.slot, 1);
  t.AddRow({"TPOT", FormatFixed(Ms(r.tpot), 2)});
  part(offline ? "decode iterations, with the prompts between them" : "a decode iteration",
       l.decode, 2);
  part("other clients' prompts", l.prompts, 2);
  return t.RenderText();
}

}  // namespace

json ServingJson(const perf::ServingQuery& q, const perf::ServingResult& r,
                 const perf::SlaSearchResult* search) {
  json j;
  j["chip"] = q.hardware->chip_id;
  j["model"] = q.model->id;
  j["gpus"] = q.gpus;
  j["parallelism"] = ParallelismJson(q.par, r.instances);
  j["disaggregation"] = DisaggregationJson(q);  // null: aggregated
  j["precision"] = PrecisionJson(q.precision);
  j["workload"] = json{{"isl", q.workload.isl},
                       {"osl", q.workload.osl},
                       {"concurrency", q.workload.concurrency},
                       {"requests", q.workload.requests > 0 ? json(q.workload.requests)
                                                            : json(nullptr)},
                       {"engine", q.workload.engine.empty() ? "generic" : q.workload.engine}};
  j["fits"] = r.fits;
  j["memory_per_gpu_bytes"] = r.memory.total.base();
  j["memory"] = json{{"weights_bytes", r.memory.weights.base()},
                     {"kv_cache_bytes", r.memory.kv_cache.base()},
                     {"activations_bytes", r.memory.activations.base()},
                     {"reserve_bytes", r.memory.reserve.base()},
                     {"capacity_bytes", r.memory.capacity.base()}};
  if (!r.fits) {
    j["does_not_fit"] = r.does_not_fit;
    for (const char* k : {"ttft_ms", "tpot_ms", "output_tokens_per_s",
                          "output_tokens_per_s_per_gpu", "tokens_per_s_per_user"})
      j[k] = nullptr;
  } else {
    j["ttft_ms"] = Ms(r.ttft);
    j["tpot_ms"] = Ms(r.tpot);
    j["output_tokens_per_s"] = r.output_tokens_per_s;
    j["output_tokens_per_s_per_gpu"] = r.output_tokens_per_s_per_gpu;
    j["tokens_per_s_per_user"] =
        r.tokens_per_s_per_user > 0 ? json(r.tokens_per_s_per_user) : json(nullptr);
    j["batch_per_attention_rank"] = r.batch_per_rank;
    j["kv_limited"] = r.kv_limited;
    j["run_s"] = q.workload.requests > 0 ? json(r.run_s) : json(nullptr);
    const perf::LatencyParts& l = r.latency;
    j["latency_parts_ms"] = json{
        {"ttft", json{{"waiting", Ms(l.waiting)},
                      {"prefill", Ms(l.prefill)},
                      {"kv_transfer", Ms(l.kv_transfer)},
                      {"request", Ms(l.request)},
                      {"clients", Ms(l.clients)},
                      {"slot", Ms(l.slot)}}},
        {"tpot", json{{"decode", Ms(l.decode)}, {"prompts", Ms(l.prompts)}}}};
  }
  j["breakdown"] =
      json{{"prefill_step", StepJson(r.prefill_step)}, {"decode_step", StepJson(r.decode_step)}};
  json u;
  u["basis"] = perf::CalibrationBasisName(r.uncertainty.basis);
  u["regime"] = perf::RegimeName(r.uncertainty.regimes.ttft);
  u["regime_tpot_throughput"] = perf::RegimeName(r.uncertainty.regimes.other);
  u["regime_throughput"] =
      perf::RegimeName(perf::RegimeFor(r.uncertainty.regimes, perf::PerfMetric::kThroughput));
  if (r.fits) {
    u["ttft_ms"] = BandJson(Ms(r.ttft), r.uncertainty.ttft);
    u["tpot_ms"] = BandJson(Ms(r.tpot), r.uncertainty.tpot);
    u["output_tokens_per_s_per_gpu"] =
        BandJson(r.output_tokens_per_s_per_gpu, r.uncertainty.throughput);
  }
  // A calibrated chip's measured coverage of the bands, per metric (null: none measured).
  const auto* chip_cov =
      q.calibration == nullptr ? nullptr : q.calibration->CoverageOf(q.hardware->chip_id);
  if (chip_cov != nullptr) {
    json cov;
    using perf::PerfMetric;
    for (auto [m, key] : {std::pair{PerfMetric::kTtft, "ttft_ms"},
                          std::pair{PerfMetric::kTpot, "tpot_ms"},
                          std::pair{PerfMetric::kThroughput, "output_tokens_per_s_per_gpu"}}) {
      const auto& c = (*chip_cov)[static_cast<int>(m)];
      cov[key] = c.count == 0 ? json(nullptr) : json{{"coverage", c.coverage}, {"rows", c.count}};
    }
    u["chip_coverage"] = cov;
  } else {
    u["chip_coverage"] = nullptr;
  }
  j["uncertainty"] = u;
  if (search) j["search"] = json{{"evaluated", search->evaluated}};
  j["notes"] = r.notes;
  return j;
}

namespace {

// How the engine sized the workspace and reserve of the memory line (perf::EngineHeldBack): by
// its default policy, or by the memory setting a workload gives it (`share` > 0, --memory-share)
// read in the engine's own sense; empty for the model's own default.
std::string MemoryLine(const std::string& engine, const perf::EngineTraits* t, double share) {
  using M = perf::EngineTraits::MemoryPolicy;
  const M policy = t ? t->memory_policy : M::kDefault;
  const bool set = share > 0;
  if (!set && (policy == M::kDefault || engine.empty())) return "";
  const double pct = (set ? share : t->memory_share) * 100;
  const std::string name = engine.empty() ? "the generic engine" : engine;
  const char* knob = policy == M::kDeviceShare ? "gpu_memory_utilization"
                     : policy == M::kFreeShare ? "free_gpu_memory_fraction"
                     : policy == M::kSglang    ? "mem_fraction_static"
                                               : "";
  const std::string head =
      set ? fmt::format("memory setting: {:.0f}% ({}{}{}):", pct, name, *knob ? "'s " : "", knob)
          : fmt::format("memory kept back as {} does by default:", engine);
  const std::string amount = set ? "that share" : fmt::format("{:.0f}%", pct);
  switch (policy) {
    case M::kFreeShare:
      return fmt::format("{} the KV cache takes {} of what the weights and workspace leave\n",
                         head, amount);
    case M::kSglang:
      return head + (set ? " weights and the KV cache fill that share of the device; the rest "
                           "is workspace and reserve\n"
                         : " its mem_fraction_static heuristic (from the token budget, the "
                           "CUDA-graph batch and the GPUs per stage; at least 10 GiB on devices "
                           "over 60 GiB)\n");
    case M::kDefault:
    case M::kDeviceShare:
      break;
  }
  return fmt::format("{} weights, workspace and KV cache fill {} of the device\n", head, amount);
}

}  // namespace

std::string ServingText(const perf::ServingQuery& q, const perf::ServingResult& r,
                        const perf::SlaSearchResult* search) {
  const std::string layout =
      q.disagg ? "disaggregated: " + WorkersText(q)
               : q.par.ToString() + (r.instances > 1
                                         ? fmt::format(", {} instances", FormatFixed(r.instances, 0))
                                         : "");
  std::string s =
      fmt::format("{} on {} x {} ({}), {} weights / {} KV cache, engine {}\n", q.model->name,
                  FormatFixed(q.gpus, 0), q.hardware->chip_name, layout,
                  perf::DTypeName(q.precision.weights), perf::DTypeName(q.precision.kv_cache),
                  q.workload.engine.empty() ? "generic" : q.workload.engine);
  const bool offline = q.workload.requests > 0;
  s += fmt::format("workload: input {} tokens, output {} tokens, {}{}\n", q.workload.isl,
                   q.workload.osl, RunText(q.workload),
                   offline ? " (all queued at the start)" : "");
  if (const perf::ContextBalance& cb = q.workload.balance; cb.timeout_iters > 0)
    s += fmt::format(
        "attention-DP balancing: a prompt is held up to {} iterations for every rank to have one, "
        "then {} more{}\n",
        cb.timeout_iters, cb.batching_wait_iters,
        q.par.dp_attn > 1 ? "" : " (no effect with one attention rank)");
  if (const perf::BatchWait& bw = q.workload.batch_wait; bw.timeout_iters > 0)
    s += fmt::format(
        "batch waiting: while sequences decode, a prompt is held up to {} iterations or until "
        "prompts and decodes fill {:.0f}% of the iteration's token budget{}\n",
        bw.timeout_iters, bw.max_tokens_ratio * 100,
        q.par.dp_attn > 1 ? " (no effect with attention data parallelism)" : "");
  if (q.workload.token_budget > 0)
    s += fmt::format("token budget: {} tokens per iteration and attention rank\n",
                     q.workload.token_budget);
  if (q.workload.max_batch > 0)
    s += fmt::format("batch cap: {} sequences per attention rank (more {} queue)\n",
                     q.workload.max_batch, offline ? "requests" : "clients");
  if (q.workload.postprocess_workers > 0) {
    const bool inline_default =
        q.calibration && q.calibration->Engine(q.workload.engine).traits.inline_postprocessing;
    s += fmt::format(
        "post-processing: {} worker process{} outside the server's main process{}\n",
        q.workload.postprocess_workers, q.workload.postprocess_workers > 1 ? "es" : "",
        inline_default ? ""
                       : fmt::format(" (no effect: {} does not post-process in its main process)",
                                     q.workload.engine.empty() ? "the generic engine"
                                                               : q.workload.engine));
  }
  if (q.workload.recv_interval > 1)
    s += fmt::format(
        "request polling: while sequences decode, the scheduler takes new requests every {} "
        "iterations{}\n",
        q.workload.recv_interval,
        offline ? " (no effect on an offline run: every request is taken at the start)"
                : q.disagg ? " (not modelled for disaggregated workers)" : "");
  if (search)
    s += fmt::format("parallelism: best of {} deployments searched in {:.2f} ms\n",
                     search->evaluated, Ms(search->elapsed));
  s += fmt::format("memory per GPU{}: {} of {} (weights {}, KV cache {}, workspace {}, reserve {})\n",
                   q.disagg ? " of a decode worker" : "",
                   FormatQuantity(r.memory.total), FormatQuantity(r.memory.capacity),
                   FormatQuantity(r.memory.weights), FormatQuantity(r.memory.kv_cache),
                   FormatQuantity(r.memory.activations), FormatQuantity(r.memory.reserve));
  s += MemoryLine(q.workload.engine,
                  q.calibration ? &q.calibration->Engine(q.workload.engine).traits : nullptr,
                  q.workload.memory_share);
  if (!r.fits) {
    s += "fits: no: " + r.does_not_fit + "\n";
    for (const std::string& n : r.notes) s += "note: " + n + "\n";
    return WrapReport(s);
  }
  s = WrapReport(s);
  s += "fits: yes\n\n";
  Table t({{"metric"}, {"value", Align::kRight}, {"90% band", Align::kRight}});
  t.AddRow({"TTFT (ms)", FormatFixed(Ms(r.ttft), 1), BandText(Ms(r.ttft), r.uncertainty.ttft, 1)});
  t.AddRow({"TPOT (ms)", FormatFixed(Ms(r.tpot), 2), BandText(Ms(r.tpot), r.uncertainty.tpot, 2)});
  t.AddRow({"output tokens/s", FormatFixed(r.output_tokens_per_s, 0), ""});
  const double per_gpu = r.output_tokens_per_s_per_gpu;
  const int d = DecimalsFor(per_gpu * (r.uncertainty.throughput.count ? r.uncertainty.throughput.low
                                                                      : 1.0),
                            1);
  t.AddRow({"output tokens/s per GPU", FormatFixed(per_gpu, d),
            BandText(per_gpu, r.uncertainty.throughput, d)});
  t.AddRow({"tokens/s per user",
            r.tokens_per_s_per_user > 0
                ? FormatFixed(r.tokens_per_s_per_user, DecimalsFor(r.tokens_per_s_per_user, 1))
                : "-",
            ""});
  if (offline) t.AddRow({"run time (s)", FormatFixed(r.run_s, DecimalsFor(r.run_s, 1)), ""});
  s += t.RenderText();
  s += "\n" + LatencyPartsText(r, offline) + "\n";
  Table b({{"step"},
           {"ms", Align::kRight},
           {"bound"},
           {"gemm", Align::kRight},
           {"attention", Align::kRight},
           {"moe", Align::kRight},
           {"comm", Align::kRight},
           {"elementwise", Align::kRight},
           {"overhead", Align::kRight}});
  auto row = [&](const std::string& name, const perf::StepTime& st) {
    b.AddRow({name, StepMs(st.total), st.MemoryBound() ? "memory" : "compute", StepMs(st.gemm),
              StepMs(st.attention), StepMs(st.moe), StepMs(st.communication),
              StepMs(st.elementwise), StepMs(st.overhead)});
  };
  row(fmt::format("prefill, 1 x {} tokens", q.workload.isl), r.prefill_step);
  row(fmt::format("decode, batch {} per rank", BatchText(r.batch_per_rank)), r.decode_step);
  s += b.RenderText();
  const perf::Uncertainty& u = r.uncertainty;
  const perf::Regimes& g = u.regimes;
  // An offline run's throughput has a band of its own; its TTFT and TPOT keep theirs.
  const char* others = g.offline ? "TPOT" : "TPOT and throughput";
  std::string regime =
      g.other != g.ttft ? fmt::format("{} regime for TTFT, {} for {}", perf::RegimeName(g.ttft),
                                      perf::RegimeName(g.other), others)
      : g.offline       ? fmt::format("{} regime for TTFT and TPOT", perf::RegimeName(g.ttft))
                        : fmt::format("{} regime", perf::RegimeName(g.ttft));
  if (g.offline) regime += ", offline for throughput (the published offline runs' errors)";
  s += "\n" + WrapText(fmt::format("uncertainty: {}, {}{}{}", BasisText(u.basis), regime,
                                    SliceText(u), RegimeText(g.ttft)));
  for (const std::string& n : r.notes) s += WrapText("note: " + n);
  return s;
}

json TrainingJson(const perf::TrainingQuery& q, const perf::TrainingResult& r) {
  json j;
  j["chip"] = q.hardware->chip_id;
  j["model"] = q.model->id;
  j["gpus"] = q.gpus;
  j["parallelism"] = json{{"tp", q.tp},
                          {"pp", q.pp},
                          {"dp", r.dp},
                          {"ep", q.ep},
                          {"cp", q.cp},
                          {"zero", q.zero},
                          {"micro_batch", q.micro_batch},
                          {"micro_batches_per_step", r.micro_batches},
                          {"virtual_stages", q.virtual_stages},
                          {"sequence_parallel", q.sequence_parallel && q.tp > 1},
                          {"recompute", perf::RecomputeName(q.recompute)},
                          {"tp_comm_overlap", q.tp_comm_overlap && q.sequence_parallel && q.tp > 1},
                          {"ep_comm_overlap", q.ep_comm_overlap || q.dualpipe},
                          {"dualpipe", q.dualpipe},
                          {"micro_batches_in_flight", r.in_flight}};
  j["workload"] = json{{"global_batch", q.global_batch},
                       {"seq", q.seq},
                       {"precision", perf::DTypeName(q.precision)},
                       {"grad_reduce", perf::GradReduceName(q.bf16_grads)}};
  j["fits"] = r.fits;
  if (!r.fits) j["does_not_fit"] = r.does_not_fit;
  j["step_time_s"] = r.step_time.base();
  j["tokens_per_s"] = r.tokens_per_s;
  j["mfu"] = r.mfu;
  j["memory_per_gpu_bytes"] = r.memory.total.base();
  j["memory"] = json{{"weights_bytes", r.memory.weights.base()},
                     {"optimizer_and_gradients_bytes", r.memory.optimizer.base()},
                     {"activations_bytes", r.memory.activations.base()},
                     {"reserve_bytes", r.memory.reserve.base()},
                     {"capacity_bytes", r.memory.capacity.base()}};
  j["time_to_train_s"] = r.time_to_train ? json(r.time_to_train->base()) : json(nullptr);
  j["breakdown"] = json{{"compute_s", r.breakdown.compute.base()},
                        {"memory_s", r.breakdown.memory.base()},
                        {"communication_s", r.breakdown.communication.base()},
                        {"pipeline_bubble_s", r.breakdown.bubble.base()},
                        {"optimizer_s", r.breakdown.optimizer.base()},
                        {"overhead_s", r.breakdown.overhead.base()}};
  json u{{"basis", perf::CalibrationBasisName(r.basis)}};
  u["step_time_s"] = BandJson(r.step_time.base(), r.uncertainty);
  j["uncertainty"] = u;
  j["notes"] = r.notes;
  return j;
}

std::string TrainingText(const perf::TrainingQuery& q, const perf::TrainingResult& r) {
  std::string s = fmt::format(
      "{} training on {} x {}: TP{}{} PP{}{} DP{}{}{} ZeRO-{}, micro-batch {} ({} per step), {}\n",
      q.model->name, FormatFixed(q.gpus, 0), q.hardware->chip_name, q.tp,
      q.sequence_parallel && q.tp > 1 ? " (SP)" : "", q.pp,
      q.virtual_stages > 1 ? fmt::format(" (x{} interleaved)", q.virtual_stages) : "", r.dp,
      q.ep > 1 ? fmt::format(" EP{}", q.ep) : "", q.cp > 1 ? fmt::format(" CP{}", q.cp) : "",
      q.zero, q.micro_batch, r.micro_batches, perf::DTypeName(q.precision));
  s += fmt::format(
      "workload: global batch {} x {} tokens, recompute {}, {}{:.1f} micro-batches in flight{}{}\n",
      q.global_batch, q.seq, perf::RecomputeName(q.recompute), q.dualpipe ? "DualPipe, " : "",
      r.in_flight,
      q.tp_comm_overlap && q.sequence_parallel && q.tp > 1 ? ", TP comm overlapped" : "",
      q.ep_comm_overlap || q.dualpipe ? ", all-to-all overlapped" : "");
  s += fmt::format(
      "memory per GPU: {} of {} (weights {}, {}gradients + optimizer {}, activations "
      "{}, reserve {})\n",
      FormatQuantity(r.memory.total), FormatQuantity(r.memory.capacity),
      FormatQuantity(r.memory.weights), q.bf16_grads ? "bf16 " : "",
      FormatQuantity(r.memory.optimizer),
      FormatQuantity(r.memory.activations), FormatQuantity(r.memory.reserve));
  s += r.fits ? "fits: yes\n\n" : "fits: no: " + r.does_not_fit + "\n\n";
  s = WrapReport(s);
  Table t({{"metric"}, {"value", Align::kRight}, {"90% band", Align::kRight}});
  const int step_d = DecimalsFor(r.step_time.base() * (r.uncertainty.count ? r.uncertainty.low : 1),
                                 3);
  t.AddRow({"step time (s)", FormatFixed(r.step_time.base(), step_d),
            BandText(r.step_time.base(), r.uncertainty, step_d)});
  t.AddRow({"tokens/s", FormatFixed(r.tokens_per_s, 0), ""});
  t.AddRow({"MFU (bf16 peak)", fmt::format("{:.1f}%", r.mfu * 100), ""});
  if (r.time_to_train)
    t.AddRow({"time to train (days)",
              FormatFixed(r.time_to_train->base() / 86400,
                          DecimalsFor(r.time_to_train->base() / 86400, 1)),
              ""});
  s += t.RenderText();
  s += "\n";
  Table b({{"breakdown"}, {"s per step", Align::kRight}});
  b.AddRow({"compute-bound operators", FormatFixed(r.breakdown.compute.base(), 3)});
  b.AddRow({"memory-bound operators", FormatFixed(r.breakdown.memory.base(), 3)});
  b.AddRow({"communication", FormatFixed(r.breakdown.communication.base(), 3)});
  b.AddRow({"pipeline bubble", FormatFixed(r.breakdown.bubble.base(), 3)});
  b.AddRow({"optimizer", FormatFixed(r.breakdown.optimizer.base(), 3)});
  b.AddRow({"fixed overheads", FormatFixed(r.breakdown.overhead.base(), 3)});
  s += b.RenderText();
  for (const std::string& n : r.notes) s += WrapText("note: " + n);
  return s;
}

std::string CompareText(const std::vector<CompareColumn>& cols,
                        const std::vector<CompareLeftOut>& left_out) {
  std::string gone;
  for (const CompareLeftOut& l : left_out) gone += WrapText("left out (" + l.chip + "): " + l.reason);
  if (cols.empty()) return gone;
  const auto& q0 = cols[0].query;
  // Disaggregated: how the GPUs split into workers (each chip's layouts are in its column).
  const std::string split =
      q0.disagg ? fmt::format(" (disaggregated: {} prefill x {} + {} decode x {})",
                              q0.disagg->prefill_workers, Counted(q0.disagg->prefill.Gpus(), "GPU"),
                              q0.disagg->decode_workers, Counted(q0.par.Gpus(), "GPU"))
                : "";
  std::string s = WrapText(fmt::format(
      "{}, {} weights, {} per chip{}, input {} / output {} tokens, {}", q0.model->name,
      perf::DTypeName(q0.precision.weights), Counted(q0.gpus, "GPU"), split, q0.workload.isl,
      q0.workload.osl, RunText(q0.workload)));
  const bool offline = q0.workload.requests > 0;
  std::vector<Column> header{{""}};
  for (const auto& c : cols) header.push_back({c.query.hardware->chip_id, Align::kRight});
  Table t(header);
  auto add = [&](const std::string& name, auto cell) {
    std::vector<std::string> row{name};
    for (const auto& c : cols) row.push_back(cell(c));
    t.AddRow(row);
  };
  // Ratio of `value` to the first chip's; "-" when either is missing.
  auto ratio = [&](auto value, bool need_fit) {
    return [&cols, value, need_fit](const CompareColumn& c) -> std::string {
      if (need_fit && (!c.result.fits || !cols[0].result.fits)) return "-";
      const double base = value(cols[0]);
      if (!(base > 0)) return "-";
      return fmt::format("{:.2f}x", value(c) / base);
    };
  };
  const auto& ref0 = cols[0].reference;
  t.AddRule(
      fmt::format("same work on every chip ({}): one {}-token prefill, one decode "
                  "iteration of {}",
                  ref0.par.ToString(), q0.workload.isl,
                  Counted(q0.workload.concurrency, "sequence")));
  add("prefill time (ms)",
      [](const CompareColumn& c) { return FormatFixed(Ms(c.reference.prefill.total), 1); });
  add("  time ratio",
      ratio([](const CompareColumn& c) { return Ms(c.reference.prefill.total); }, false));
  add("  bound", [](const CompareColumn& c) {
    return std::string(c.reference.prefill.MemoryBound() ? "memory" : "compute");
  });
  add("decode iteration (ms)",
      [](const CompareColumn& c) { return FormatFixed(Ms(c.reference.decode.total), 2); });
  add("  time ratio",
      ratio([](const CompareColumn& c) { return Ms(c.reference.decode.total); }, false));
  add("  bound", [](const CompareColumn& c) {
    return std::string(c.reference.decode.MemoryBound() ? "memory" : "compute");
  });
  t.AddRule(offline ? "best deployment found on these GPUs (offline run)"
                    : "best deployment found on these GPUs (closed-loop benchmark)");
  add("parallelism", [](const CompareColumn& c) {
    return c.query.disagg ? WorkersText(c.query) : c.query.par.ToString();
  });
  add("fits", [](const CompareColumn& c) { return std::string(c.result.fits ? "yes" : "no"); });
  add("memory per GPU (GB)", [](const CompareColumn& c) {
    return fmt::format("{:.1f} / {:.0f}", c.result.memory.total.In(1e9),
                       c.result.memory.capacity.In(1e9));
  });
  auto fits_or = [](const CompareColumn& c, std::string v) {
    return c.result.fits ? v : std::string("-");
  };
  const char* held = offline ? "requests running at once" : "clients in the KV cache";
  add(held, [&](const CompareColumn& c) {
    const double clients = static_cast<double>(c.query.workload.concurrency) /
                           std::max(1, c.result.instances * c.query.par.dp_attn);
    return fits_or(c, fmt::format("{} of {} per rank", BatchText(c.result.batch_per_rank),
                                  BatchText(clients)));
  });
  add("TTFT (ms)",
      [&](const CompareColumn& c) { return fits_or(c, FormatFixed(Ms(c.result.ttft), 0)); });
  add("TPOT (ms)",
      [&](const CompareColumn& c) { return fits_or(c, FormatFixed(Ms(c.result.tpot), 2)); });
  if (offline)
    add("run time (s)", [&](const CompareColumn& c) {
      return fits_or(c, FormatFixed(c.result.run_s, DecimalsFor(c.result.run_s, 1)));
    });
  add("output tokens/s per GPU", [&](const CompareColumn& c) {
    return fits_or(c, FormatFixed(c.result.output_tokens_per_s_per_gpu, 1));
  });
  add("  ratio",
      ratio([](const CompareColumn& c) { return c.result.output_tokens_per_s_per_gpu; }, true));
  add("  90% band", [&](const CompareColumn& c) {
    return fits_or(
        c, BandText(c.result.output_tokens_per_s_per_gpu, c.result.uncertainty.throughput, 0));
  });
  // The throughput band's regime (TPOT's too; TTFT's may be `queued`): "small batch",
  // "contended" (a prediction that is mostly waiting, whose band is wide).
  // "unprofiled chip", "small batch": words, not tokens.
  auto words = [](std::string_view token) {
    std::string w(token);
    std::replace(w.begin(), w.end(), '_', ' ');
    return w;
  };
  add("  band regime", [&](const CompareColumn& c) {
    const perf::Regime g =
        perf::RegimeFor(c.result.uncertainty.regimes, perf::PerfMetric::kThroughput);
    return fits_or(c, words(perf::RegimeName(g)));
  });
  add("uncertainty basis", [&](const CompareColumn& c) {
    return words(perf::CalibrationBasisName(c.result.uncertainty.basis));
  });
  s += t.RenderText();
  // A note every chip has (about the model or the workload) is said once.
  auto shared = [&](const std::string& n) {
    return cols.size() > 1 && std::all_of(cols.begin(), cols.end(), [&](const CompareColumn& c) {
             return std::find(c.result.notes.begin(), c.result.notes.end(), n) !=
                    c.result.notes.end();
           });
  };
  for (const std::string& n : cols.front().result.notes)
    if (shared(n)) s += WrapText("note: " + n);
  for (const auto& c : cols) {
    if (!c.result.fits)
      s += WrapText(
          fmt::format("does not fit ({}): {}", c.query.hardware->chip_id, c.result.does_not_fit));
    for (const std::string& n : c.result.notes)
      if (!shared(n)) s += WrapText("note (" + c.query.hardware->chip_id + "): " + n);
  }
  return s + gone;
}

json CompareJson(const std::vector<CompareColumn>& cols,
                 const std::vector<CompareLeftOut>& left_out) {
  json arr = json::array();
  for (const auto& c : cols) {
    json j = ServingJson(c.query, c.result, nullptr);
    j["reference"] = json{{"parallelism", ParallelismJson(c.reference.par, 1)},
                          {"batch", c.reference.batch},
                          {"prefill_step", StepJson(c.reference.prefill)},
                          {"decode_step", StepJson(c.reference.decode)}};
    const auto& base = cols[0].result;
    if (c.result.fits && base.fits) {
      j["ratio_to_first"] =
          json{{"ttft", Ms(c.result.ttft) / Ms(base.ttft)},
               {"tpot", Ms(c.result.tpot) / Ms(base.tpot)},
               {"output_tokens_per_s_per_gpu",
                c.result.output_tokens_per_s_per_gpu / base.output_tokens_per_s_per_gpu},
               {"reference_prefill_step",
                Ms(c.reference.prefill.total) / Ms(cols[0].reference.prefill.total)},
               {"reference_decode_step",
                Ms(c.reference.decode.total) / Ms(cols[0].reference.decode.total)}};
    } else {
      j["ratio_to_first"] = nullptr;
    }
    arr.push_back(j);
  }
  json gone = json::array();
  for (const CompareLeftOut& l : left_out) gone.push_back({{"chip", l.chip}, {"reason", l.reason}});
  return json{{"chips", arr}, {"left_out", gone}};
}

namespace {

// "median / p90" of an error summary in %, with " (count)" when `count` is set; "-" when empty.
std::string Cell(const perf::ErrorStats& s, bool count = true) {
  if (s.count == 0) return "-";
  return fmt::format("{:.1f} / {:.1f}", s.median * 100, s.p90 * 100) +
         (count ? fmt::format(" ({})", s.count) : "");
}

std::string MetricTable(const std::vector<perf::ReportRow>& rows, const std::string& first) {
  Table t({{first},
           {"TTFT", Align::kRight},
           {"TPOT", Align::kRight},
           {"throughput", Align::kRight},
           {"train step", Align::kRight}});
  for (const auto& r : rows)
    t.AddRow({r.group, Cell(r.stats[0]), Cell(r.stats[1]), Cell(r.stats[2]), Cell(r.stats[3])});
  return t.RenderText();
}

json StatsJson(const perf::ErrorStats& s) {
  return json{{"count", s.count}, {"median_pct", s.median * 100}, {"p90_pct", s.p90 * 100}};
}

json RowsJson(const std::vector<perf::ReportRow>& rows) {
  json arr = json::array();
  for (const auto& r : rows) {
    json j{{"group", r.group}};
    for (int m = 0; m < perf::kMetricCount; ++m)
      j[std::string(perf::PerfMetricName(static_cast<PerfMetric>(m)))] = StatsJson(r.stats[m]);
    arr.push_back(j);
  }
  return arr;
}

}  // namespace

std::string ValidationText(const perf::ValidationReport& r, const std::string& status) {
  std::string s = "ceiling validate: the performance model against published measurements\n";
  s += fmt::format(
      "data: {} rows of aiconfigurator silicon_sample.csv + {} published points "
      "(data/validation/)\n",
      r.csv_rows, r.extra_points);
  s += fmt::format("fit: {} rows (hash-split half of the modelled CSV rows); held out: {} rows\n",
                   r.fit_rows, r.test_rows);
  int excluded = 0;
  for (const auto& e : r.excluded) excluded += e.count;
  if (r.repaired > 0)
    s += fmt::format(
        "repaired: {} rows whose deployment columns an export multiplied by the expert-parallel "
        "size (docs/perf.md section 5)\n",
        r.repaired);
  s += fmt::format("excluded: {}\n", excluded);
  for (const auto& e : r.excluded) s += fmt::format("  excluded: {} ({})\n", e.count, e.reason);
  s += "cells: absolute % error, median / p90 (count)\n\n";
  s = WrapReport(s);
  s += "Overall\n" + MetricTable(r.overall, "set") + "\n";
  if (!r.training_fits.empty()) {
    std::vector<std::string> unfit;
    for (const auto& t : r.training_fits)
      if (!t.fits)
        unfit.push_back(fmt::format("{} ({} of {})", t.id, FormatQuantity(t.needed),
                                    FormatQuantity(t.capacity)));
    const auto n = r.training_fits.size();
    s += WrapText(fmt::format(
             "Training layouts: {} of {} published runs fit in the model's memory accounting{}",
             n - unfit.size(), n,
             unfit.empty() ? std::string()
                           : fmt::format("; does not fit: {}", fmt::join(unfit, ", ")))) +
         "\n";
  }
  s += "Per chip\n" + MetricTable(r.per_chip, "chip") + "\n";
  s += "Per model family\n" + MetricTable(r.per_family, "model family") + "\n";
  s += "Per serving engine\n" + MetricTable(r.per_engine, "engine") + "\n";
  if (!r.repeats.empty()) {
    s += WrapText(
        "Repeat measurements: CSV rows of one configuration (chip, model, engine, formats, "
        "lengths, clients, deployment) measured more than once, in pairs; cells: larger / "
        "smaller - 1 in %, median / p90 (pairs). On one engine version the spread is the runs' "
        "noise and any setting the export does not record; across versions the engine changed "
        "too, and the model does not see versions");
    Table t({{"pairs of measurements"},
             {"TTFT", Align::kRight},
             {"TPOT", Align::kRight},
             {"throughput", Align::kRight}});
    for (const auto& row : r.repeats)
      t.AddRow({row.group, Cell(row.stats[0]), Cell(row.stats[1]), Cell(row.stats[2])});
    s += t.RenderText() + "\n";
  }
  if (!r.loco.empty()) {
    s += WrapText(
        "Leave-one-chip-out: fit without the chip, predict its held-out rows (in-sample: the "
        "same rows with the full fit); cells: absolute % error, median / p90; ratio: LOCO median "
        "/ in-sample median");
    Table t({{"chip"},
             {"rows", Align::kRight},
             {"TTFT LOCO", Align::kRight},
             {"in-sample", Align::kRight},
             {"TPOT LOCO", Align::kRight},
             {"in-sample", Align::kRight},
             {"ratio TTFT/TPOT", Align::kRight}});
    for (const auto& row : r.loco) {
      perf::ReportRow ins;
      for (const auto& x : r.loco_in_sample)
        if (x.group == row.group) ins = x;
      auto ratio = [](const perf::ErrorStats& a, const perf::ErrorStats& b) {
        return b.count && b.median > 0 ? fmt::format("{:.2f}", a.median / b.median)
                                       : std::string("-");
      };
      t.AddRow({row.group, fmt::format("{}", row.stats[1].count), Cell(row.stats[0], false),
                Cell(ins.stats[0], false), Cell(row.stats[1], false), Cell(ins.stats[1], false),
                ratio(row.stats[0], ins.stats[0]) + " / " + ratio(row.stats[1], ins.stats[1])});
    }
    s += t.RenderText() + "\n";
  }
  if (!r.lofo.empty()) {
    s += WrapText("Leave-one-family-out: fit on the other chip families only, predict with their "
                  "average");
    s += MetricTable(r.lofo, "left-out family") + "\n";
  }
  if (!r.bands.empty()) {
    s += WrapText(
        "90% bands: [predicted x low, predicted x high]; coverage = share of held-out rows inside "
        "the band (cross-fitted: each half judged by the band of the other); width = median "
        "high / low; a regime's (all) row counts each row with the band it gets: its slice's "
        "(engine, dense or MoE model; kept with >= 100 rows) or else the regime's");
    Table t({{"basis"},
             {"metric"},
             {"regime"},
             {"slice"},
             {"rows", Align::kRight},
             {"coverage %", Align::kRight},
             {"width", Align::kRight},
             {"low", Align::kRight},
             {"high", Align::kRight}});
    for (const auto& b : r.bands) {
      const bool all = b.regime < 0;
      t.AddRow(
          {std::string(perf::CalibrationBasisName(b.basis)), std::string(perf::PerfMetricName(b.metric)),
           all ? std::string("all") : std::string(RegimeName(static_cast<perf::Regime>(b.regime))),
           b.engine.empty() ? std::string(all ? "" : "(all)")
                            : fmt::format("{} {}", b.engine, perf::ModelKindName(b.kind)),
           fmt::format("{}", b.count), fmt::format("{:.1f}", b.coverage * 100),
           fmt::format("{:.2f}", b.median_width), all ? "" : fmt::format("{:.3f}", b.low),
           all ? "" : fmt::format("{:.3f}", b.high)});
    }
    s += t.RenderText() + "\n";
  }
  if (!r.band_chips.empty()) {
    s += WrapText(
        "90% bands per calibrated chip (profiled basis, all regimes; each held-out row with the "
        "band it gets): coverage % / median width (rows)");
    std::map<std::string, std::array<const perf::BandRow*, perf::kMetricCount>> by_chip;
    for (const auto& b : r.band_chips) by_chip[b.chip][static_cast<int>(b.metric)] = &b;
    Table t({{"chip"},
             {"TTFT", Align::kRight},
             {"TPOT", Align::kRight},
             {"throughput", Align::kRight}});
    for (const auto& [chip, rows] : by_chip) {
      std::vector<std::string> cells{chip};
      for (PerfMetric m : {PerfMetric::kTtft, PerfMetric::kTpot, PerfMetric::kThroughput}) {
        const perf::BandRow* b = rows[static_cast<int>(m)];
        cells.push_back(b ? fmt::format("{:.1f} / {:.2f} ({})", b->coverage * 100,
                                        b->median_width, b->count)
                          : std::string("-"));
      }
      t.AddRow(cells);
    }
    s += t.RenderText() + "\n";
  }
  s += WrapText(fmt::format("calibration: {}", status));
  s += fmt::format("elapsed: {:.1f} s\n", r.elapsed.base());
  return s;
}

json ValidationJson(const perf::ValidationReport& r, const std::string& status) {
  json ex = json::array();
  int excluded = 0;
  for (const auto& e : r.excluded) {
    ex.push_back(json{{"reason", e.reason}, {"count", e.count}});
    excluded += e.count;
  }
  json loco = json::array();
  for (const auto& row : r.loco) {
    json j{{"chip", row.group}};
    perf::ReportRow ins;
    for (const auto& x : r.loco_in_sample)
      if (x.group == row.group) ins = x;
    for (int m = 0; m < perf::kMetricCount; ++m) {
      const std::string name(perf::PerfMetricName(static_cast<PerfMetric>(m)));
      j[name] = json{{"loco", StatsJson(row.stats[m])}, {"in_sample", StatsJson(ins.stats[m])}};
    }
    loco.push_back(j);
  }
  json bands = json::array();
  for (const auto& b : r.bands) {
    json j{{"basis", perf::CalibrationBasisName(b.basis)},
           {"metric", perf::PerfMetricName(b.metric)},
           {"regime", b.regime < 0 ? std::string("all")
                                   : std::string(RegimeName(static_cast<perf::Regime>(b.regime)))},
           {"count", b.count},
           {"coverage", b.coverage},
           {"median_width", b.median_width}};
    if (b.regime >= 0) j["low"] = b.low, j["high"] = b.high;
    if (!b.engine.empty())
      j["slice"] = json{{"engine", b.engine}, {"model_kind", perf::ModelKindName(b.kind)}};
    bands.push_back(j);
  }
  json band_chips = json::array();
  for (const auto& b : r.band_chips)
    band_chips.push_back(json{{"chip", b.chip},
                              {"metric", perf::PerfMetricName(b.metric)},
                              {"count", b.count},
                              {"coverage", b.coverage},
                              {"median_width", b.median_width}});
  json training = json::array();
  for (const auto& t : r.training_fits)
    training.push_back(json{{"id", t.id},
                            {"fits", t.fits},
                            {"needed_bytes", t.needed.base()},
                            {"capacity_bytes", t.capacity.base()}});
  return json{{"rows", json{{"csv", r.csv_rows},
                            {"published_points", r.extra_points},
                            {"fit", r.fit_rows},
                            {"held_out", r.test_rows},
                            {"repaired", r.repaired},
                            {"excluded", excluded}}},
              {"excluded", ex},
              {"overall", RowsJson(r.overall)},
              {"per_chip", RowsJson(r.per_chip)},
              {"per_model_family", RowsJson(r.per_family)},
              {"per_engine", RowsJson(r.per_engine)},
              {"leave_one_chip_out", loco},
              {"leave_one_family_out", RowsJson(r.lofo)},
              {"repeat_measurements", RowsJson(r.repeats)},
              {"bands", bands},
              {"bands_per_chip", band_chips},
              {"training_memory", training},
              {"calibration", status}};
}

}  // namespace ceiling::report

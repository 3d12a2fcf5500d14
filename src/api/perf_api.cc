#include "ceiling/api/perf_api.h"

#include <fmt/format.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "ceiling/api/catalog_api.h"
#include "ceiling/base/text.h"
#include "ceiling/base/units.h"
#include "ceiling/perf/calibration.h"
#include "ceiling/report/table.h"

namespace ceiling::api {

using namespace ceiling::perf;  // NOLINT: the perf module's adapter

namespace {

constexpr const char* kProducedBy = "ceiling calibrate --write";

Status AtLeast(std::string_view field, std::optional<int> v, int min) {
  if (v && *v < min) return FieldError(std::string(field), fmt::format("must be at least {}", min));
  return OkStatus();
}

Status Positive(std::string_view field, std::optional<double> v) {
  if (v && !(std::isfinite(*v) && *v > 0))
    return FieldError(std::string(field), "must be a positive number");
  return OkStatus();
}

Result<std::optional<BytesPerSecond>> ScaleOut(const std::string& s) {
  if (s.empty()) return std::optional<BytesPerSecond>();
  auto q = ParseQuantityAs<BytesPerSecond>(s);
  if (!q.ok()) return FieldError("scale_out", q.error().message);
  // Per GPU and direction: from a 100 Mb/s port to 100 Tb/s, far beyond any NIC; outside that a
  // figure is a typo (1e-300 Gb/s would print a 300-digit TTFT).
  const double bytes_per_s = q->In(1.0);
  if (!(std::isfinite(bytes_per_s) && bytes_per_s >= 100e6 / 8 && bytes_per_s <= 100e12 / 8))
    return FieldError("scale_out",
                      fmt::format("must be between 100 Mb/s and 100 Tb/s, got \"{}\"", s));
  return std::optional<BytesPerSecond>(*q);
}

Result<std::shared_ptr<const Hardware>> HardwareFor(const KnowledgeBase& kb, const Ref& chip_ref,
                                                    std::string_view field,
                                                    const SystemOptions& so) {
  ASSIGN_OR_RETURN(std::shared_ptr<const catalog::Chip> chip, ResolveChip(kb, chip_ref, field));
  ASSIGN_OR_RETURN(const SystemDefaults* sys, kb.systems());
  auto hw = HardwareFromChip(*chip, *sys, so);
  if (!hw.ok()) {
    // A chip whose record lacks a figure the model needs: a valid question without an answer.
    Error e = WithField(hw.error(), field);
    if (e.code == ErrorCode::kInvalidArgument) e.code = ErrorCode::kNoAnswer;
    return e;
  }
  return std::shared_ptr<const Hardware>(std::make_shared<Hardware>(std::move(*hw)));
}

Status CheckEngine(const Calibration& cal, const std::string& engine) {
  if (engine.empty() || cal.engines.count(engine)) return OkStatus();
  std::string known;
  for (const auto& [name, params] : cal.engines) known += (known.empty() ? "" : ", ") + name;
  return FieldError("engine", fmt::format("unknown engine \"{}\" (calibrated: {})", engine, known));
}

// Sizes the caller fixed that no layout of this model can take (the search would only say that
// nothing fits).
Status CheckFixedSizes(const ModelArch& m, const ServingFields& s) {
  auto check = [&](std::optional<int> ep, const std::string& name) -> Status {
    if (!ep) return OkStatus();
    if (!m.moe.enabled() && *ep > 1)
      return FieldError(name, fmt::format("{}: {} is a dense model (no experts)", *ep, m.id));
    if (m.moe.enabled() && m.moe.experts % *ep != 0)
      return FieldError(name, fmt::format("{} does not divide the {} experts of {}", *ep,
                                          m.moe.experts, m.id));
    return OkStatus();
  };
  RETURN_IF_ERROR(check(s.ep, "ep"));
  return check(s.prefill_ep, "prefill_ep");
}

// A search that could evaluate nothing: the caller's fixed size at fault (bad input), or no layout
// of these GPUs fits the model at all (a valid question without an answer).
Error NoDeployment(const SlaSearchResult& s, const std::string& chip) {
  const std::string message = chip.empty() ? s.why_none : fmt::format("{}: {}", chip, s.why_none);
  if (!s.why_none_field.empty()) return FieldError(s.why_none_field, message);
  return MakeError(ErrorCode::kNoAnswer, message);
}

}  // namespace

Result<DType> ParsePrecision(const std::string& s, std::string_view field) {
  auto d = DTypeFromName(s);
  if (!d || *d == DType::kFp32)
    return FieldError(std::string(field),
                      fmt::format("expected fp4, fp8, int8, int4, bf16 or fp16, got \"{}\"", s));
  return *d;
}

Result<std::shared_ptr<const ModelArch>> ResolveModel(const KnowledgeBase& kb, const Ref& ref,
                                                      std::string_view field) {
  if (ref.toml) {
    auto m = ParseModelText(ref.toml->text, ref.toml->name.empty() ? std::string(field)
                                                                   : ref.toml->name);
    if (!m.ok()) return WithField(m.error(), field);
    return std::shared_ptr<const ModelArch>(std::make_shared<ModelArch>(std::move(*m)));
  }
  ASSIGN_OR_RETURN(const ModelCatalog* models, kb.models());
  auto m = models->Resolve(ref.id);
  if (!m.ok()) return WithField(m.error(), field);
  return std::shared_ptr<const ModelArch>(kb.shared_from_this(), *m);
}

// ServingFields ----------------------------------------------------------------------------------

Status ServingFields::Check(bool need_concurrency) const {
  if (gpus < 1 || gpus > kMaxGpus)
    return FieldError("gpus", fmt::format("must be between 1 and {}", kMaxGpus));
  constexpr int kMaxTokens = 1 << 24;  // 16M tokens: keeps every token count far from overflow
  if (isl < 1 || isl > kMaxTokens)
    return FieldError("isl", fmt::format("must be between 1 and {}", kMaxTokens));
  if (osl < 1 || osl > kMaxTokens)
    return FieldError("osl", fmt::format("must be between 1 and {}", kMaxTokens));
  if (concurrency && (*concurrency < 1 || *concurrency > 1 << 20))
    return FieldError("concurrency", "must be between 1 and 1048576");
  if (requests && (*requests < 1 || *requests > perf::kMaxRequests))
    return FieldError("requests", fmt::format("must be between 1 and {}", perf::kMaxRequests));
  if (requests && concurrency)
    return FieldError("requests",
                      "give concurrency (clients in a closed loop) or requests (an offline run), "
                      "not both");
  if (requests && sla())
    return FieldError("requests", "an offline run has no latency target: give an SLA or "
                                  "requests, not both");
  if (requests && disaggregated())
    return FieldError("requests", "an offline run is modelled on aggregated deployments only "
                                  "(prefill_workers 0)");
  if (need_concurrency && !sla() && !concurrency && !requests)
    return FieldError("concurrency",
                      "is required (or give a TPOT or TTFT target to search it, or requests for "
                      "an offline run)");
  RETURN_IF_ERROR(Positive("sla_tpot", sla_tpot));
  RETURN_IF_ERROR(Positive("sla_ttft", sla_ttft));
  RETURN_IF_ERROR(AtLeast("gpus_per_node", gpus_per_node, 1));
  RETURN_IF_ERROR(CheckWorkers());
  // Fixed sizes divide the GPUs of an instance (disaggregated: of a worker).
  auto sizes = [](const std::string& prefix, int n, const std::string& what,
                  std::optional<int> t, std::optional<int> p, std::optional<int> d,
                  std::optional<int> e) -> Status {
    RETURN_IF_ERROR(AtLeast(prefix + "tp", t, 1));
    RETURN_IF_ERROR(AtLeast(prefix + "pp", p, 1));
    RETURN_IF_ERROR(AtLeast(prefix + "ep", e, 1));
    RETURN_IF_ERROR(AtLeast(prefix + "dp_attn", d, 1));
    for (auto [v, name] : {std::pair{t, "tp"}, std::pair{p, "pp"}, std::pair{d, "dp_attn"}})
      if (v && n % *v != 0)
        return FieldError(prefix + name, fmt::format("{} does not divide {}", *v, what));
    const long long instance = 1LL * t.value_or(1) * p.value_or(1) * d.value_or(1);
    if (n % instance != 0)
      return FieldError(prefix + (t ? "tp" : p ? "pp" : "dp_attn"),
                        fmt::format("tp x pp x dp_attn = {} does not divide {}", instance, what));
    if (e && *e > n) return FieldError(prefix + "ep", fmt::format("{} exceeds {}", *e, what));
    if (e && n % *e != 0)
      return FieldError(prefix + "ep", fmt::format("{} does not divide {}", *e, what));
    return OkStatus();
  };
  if (disaggregated()) {
    RETURN_IF_ERROR(sizes("", InstanceGpus(), Counted(InstanceGpus(), "GPU") + " of a decode worker",
                          tp, pp, dp_attn, ep));
    RETURN_IF_ERROR(sizes("prefill_", PrefillGpus(),
                          Counted(PrefillGpus(), "GPU") + " of a prefill worker", prefill_tp,
                          prefill_pp, prefill_dp_attn, prefill_ep));
  } else {
    RETURN_IF_ERROR(sizes("", gpus, fmt::format("gpus {}", gpus), tp, pp, dp_attn, ep));
  }
  if (spec_steps < 0 || spec_steps > 16) return FieldError("spec_steps", "must be 0 to 16");
  if (spec_steps > 0) {
    if (spec_draft < 1 || spec_draft > 64)
      return FieldError("spec_draft", "must be 1 to 64 with speculative decoding");
    if (!(std::isfinite(spec_accept) && spec_accept >= 1 && spec_accept <= spec_draft + 1))
      return FieldError("spec_accept",
                        fmt::format("must be between 1 and the draft length + 1 = {}",
                                    spec_draft + 1));
  }
  if (adp_balance_timeout < 0 || adp_balance_timeout > 10000)
    return FieldError("adp_balance_timeout", "must be 0 to 10000 iterations");
  if (adp_balance_wait < 0 || adp_balance_wait > 10000)
    return FieldError("adp_balance_wait", "must be 0 to 10000 iterations");
  if (adp_balance_wait > 0 && adp_balance_timeout == 0)
    return FieldError("adp_balance_wait", "needs adp_balance_timeout (balancing is off without it)");
  if (batch_wait_timeout < 0 || batch_wait_timeout > 10000)
    return FieldError("batch_wait_timeout", "must be 0 to 10000 iterations");
  if (!(std::isfinite(batch_wait_ratio) && batch_wait_ratio >= 0 && batch_wait_ratio <= 1))
    return FieldError("batch_wait_ratio", "must be 0 to 1");
  if (batch_wait_ratio > 0 && batch_wait_timeout == 0)
    return FieldError("batch_wait_ratio", "needs batch_wait_timeout (batch waiting is off without it)");
  if (token_budget < 0 || token_budget > 10'000'000)
    return FieldError("token_budget", "must be 0 to 10,000,000 tokens (0: the engine's)");
  if (postprocess_workers < 0 || postprocess_workers > 1024)
    return FieldError("postprocess_workers", "must be 0 to 1024 processes");
  if (max_batch < 0 || max_batch > 1'000'000)
    return FieldError("max_batch", "must be 0 to 1,000,000 sequences (0: the engine's)");
  if (!(std::isfinite(memory_share) && memory_share >= 0 && memory_share <= 1))
    return FieldError("memory_share", "must be 0 to 1 (0: the engine's default)");
  RETURN_IF_ERROR(perf::CheckRecvInterval(recv_interval));
  ASSIGN_OR_RETURN(auto so, ScaleOut(scale_out));
  (void)so;
  return OkStatus();
}

Status ServingFields::CheckWorkers() const {
  if (!disaggregated()) {
    if (prefill_workers < 0)
      return FieldError("prefill_workers", "must be at least 0 (0: aggregated serving)");
    // A disaggregated setting without prefill workers would be silently ignored.
    for (auto [set, name] :
         {std::pair{decode_workers != 1, "decode_workers"}, std::pair{prefill_gpus.has_value(),
          "prefill_gpus"}, std::pair{prefill_tp.has_value(), "prefill_tp"},
          std::pair{prefill_pp.has_value(), "prefill_pp"},
          std::pair{prefill_ep.has_value(), "prefill_ep"},
          std::pair{prefill_dp_attn.has_value(), "prefill_dp_attn"}})
      if (set)
        return FieldError(name,
                          "is a disaggregated setting: give prefill_workers too (at least 1)");
    return OkStatus();
  }
  if (prefill_workers > kMaxGpus)
    return FieldError("prefill_workers", fmt::format("must be between 0 and {}", kMaxGpus));
  if (decode_workers < 1 || decode_workers > kMaxGpus)
    return FieldError("decode_workers", fmt::format("must be between 1 and {}", kMaxGpus));
  if (prefill_gpus) {
    if (*prefill_gpus < 1) return FieldError("prefill_gpus", "must be at least 1");
    if (1LL * prefill_workers * *prefill_gpus >= gpus)
      return FieldError("prefill_gpus",
                        fmt::format("{} prefill workers x {} leave none of gpus {} to decode",
                                    prefill_workers, Counted(*prefill_gpus, "GPU"), gpus));
    const int rest = gpus - prefill_workers * *prefill_gpus;
    if (rest % decode_workers != 0)
      return FieldError("decode_workers",
                        fmt::format("{} does not divide the {} GPUs left to the decode workers "
                                    "(gpus {} - {} prefill workers x {})",
                                    decode_workers, rest, gpus, prefill_workers, *prefill_gpus));
  } else if (gpus % (prefill_workers + decode_workers) != 0) {
    return FieldError("gpus", fmt::format("{} do not split evenly between {} prefill and {} "
                                          "decode workers; give prefill_gpus",
                                          Counted(gpus, "GPU"), prefill_workers, decode_workers));
  }
  return OkStatus();
}

int ServingFields::PrefillGpus() const {
  return prefill_gpus.value_or(gpus / std::max(1, prefill_workers + decode_workers));
}

int ServingFields::InstanceGpus() const {
  if (!disaggregated()) return gpus;
  return (gpus - prefill_workers * PrefillGpus()) / std::max(1, decode_workers);
}

Result<SystemOptions> ServingFields::System() const {
  SystemOptions o;
  o.scale_up_domain = gpus_per_node;
  ASSIGN_OR_RETURN(o.scale_out, ScaleOut(scale_out));
  return o;
}

Result<ServingQuery> ServingFields::Query(const ModelArch* m, const Hardware* hw,
                                          const Calibration* cal) const {
  ServingQuery q;
  q.model = m;
  q.hardware = hw;
  q.calibration = cal;
  q.gpus = gpus;
  ASSIGN_OR_RETURN(DType mode, ParsePrecision(precision, "precision"));
  q.precision = PrecisionForMode(mode);
  if (!kv_precision.empty()) {
    ASSIGN_OR_RETURN(q.precision.kv_cache, ParsePrecision(kv_precision, "kv_precision"));
  }
  if (!attention_precision.empty()) {
    ASSIGN_OR_RETURN(q.precision.attention,
                     ParsePrecision(attention_precision, "attention_precision"));
  } else if (cal && m && hw) {
    q.precision = WithEngineAttention(q.precision, cal->Engine(engine).traits, *m, *hw);
  }
  q.workload.isl = isl;
  q.workload.osl = osl;
  q.workload.concurrency = requests.value_or(concurrency.value_or(1));
  q.workload.requests = requests.value_or(0);
  q.workload.engine = engine;
  q.workload.speculative = {spec_steps, spec_draft, spec_accept};
  q.workload.balance = {adp_balance_timeout, adp_balance_wait};
  q.workload.batch_wait = {batch_wait_timeout, batch_wait_ratio};
  q.workload.token_budget = token_budget;
  q.workload.postprocess_workers = postprocess_workers;
  q.workload.max_batch = max_batch;
  q.workload.memory_share = memory_share;
  q.workload.recv_interval = recv_interval;
  if (disaggregated()) {
    // Each worker's GPU count as the layout the search starts from (SearchServing keeps it).
    q.par = {.tp = InstanceGpus()};
    q.disagg = Disaggregation{.prefill = {.tp = PrefillGpus()},
                              .prefill_workers = prefill_workers,
                              .decode_workers = decode_workers};
  }
  return q;
}

SlaSearchOptions ServingFields::Search() const {
  SlaSearchOptions o;
  o.tp = tp, o.pp = pp, o.ep = ep, o.dp_attn = dp_attn;
  o.prefill_tp = prefill_tp, o.prefill_pp = prefill_pp, o.prefill_ep = prefill_ep;
  o.prefill_dp_attn = prefill_dp_attn;
  if (sla_tpot) o.sla.tpot = Seconds::FromBase(*sla_tpot * 1e-3);
  if (sla_ttft) o.sla.ttft = Seconds::FromBase(*sla_ttft * 1e-3);
  if (concurrency) o.max_concurrency = *concurrency;
  return o;
}

std::string ServingFields::Describe() const {
  std::vector<std::string> parts = {model.Label("model"), Counted(gpus, "GPU")};
  if (disaggregated())
    parts.push_back(fmt::format("disaggregated: {} prefill x {} + {} decode x {}",
                                prefill_workers, Counted(PrefillGpus(), "GPU"), decode_workers,
                                Counted(InstanceGpus(), "GPU")));
  parts.push_back(fmt::format("{} serving, input {} / output {} tokens", precision, isl, osl));
  if (sla_tpot) parts.push_back(fmt::format("TPOT <= {} ms", *sla_tpot));
  if (sla_ttft) parts.push_back(fmt::format("TTFT <= {} ms", *sla_ttft));
  if (!sla() && concurrency) parts.push_back(Counted(*concurrency, "client"));
  if (requests) parts.push_back(fmt::format("an offline run of {}", Counted(*requests, "request")));
  return fmt::format("{}", fmt::join(parts, ", "));
}

// perf serve -------------------------------------------------------------------------------------

Status PerfServeRequest::Validate() {
  RETURN_IF_ERROR(CheckFields(*this));
  return serving.Check(true);
}

Result<PerfServeResponse> PerfServe(const KnowledgeBase& kb, PerfServeRequest request) {
  RETURN_IF_ERROR(request.Validate());
  PerfServeResponse r;
  r.kb = kb.shared_from_this();
  ASSIGN_OR_RETURN(const Calibration* cal, kb.calibration());
  RETURN_IF_ERROR(CheckEngine(*cal, request.serving.engine));
  ASSIGN_OR_RETURN(r.model, ResolveModel(kb, request.serving.model, "model"));
  RETURN_IF_ERROR(CheckFixedSizes(*r.model, request.serving));
  ASSIGN_OR_RETURN(SystemOptions so, request.serving.System());
  ASSIGN_OR_RETURN(r.hardware, HardwareFor(kb, request.chip, "chip", so));
  ASSIGN_OR_RETURN(ServingQuery q, request.serving.Query(r.model.get(), r.hardware.get(), cal));
  ASSIGN_OR_RETURN(r.search, SearchServing(q, request.serving.Search()));
  if (r.search.evaluated == 0) return NoDeployment(r.search, "");
  if (auto note = perf::CoverageNote(*cal, r.hardware->chip_id))
    r.search.result.notes.push_back(std::move(*note));
  const ServingFields& s = request.serving;
  r.searched = !(s.tp && s.pp && s.ep && s.dp_attn) || s.sla() ||
               (s.disaggregated() &&
                !(s.prefill_tp && s.prefill_pp && s.prefill_ep && s.prefill_dp_attn));
  r.sla_tpot = s.sla_tpot;
  r.sla_ttft = s.sla_ttft;
  return r;
}

nlohmann::json ToJson(const PerfServeResponse& r) {
  const SlaSearchResult& sr = r.search;
  nlohmann::json j = report::ServingJson(sr.query, sr.result, r.searched ? &sr : nullptr);
  if (r.sla_tpot || r.sla_ttft) {
    j["sla"] = nlohmann::json{
        {"tpot_ms", r.sla_tpot ? nlohmann::json(*r.sla_tpot) : nlohmann::json(nullptr)},
        {"ttft_ms", r.sla_ttft ? nlohmann::json(*r.sla_ttft) : nlohmann::json(nullptr)},
        {"met", sr.found},
        {"why_not_met", sr.found ? nlohmann::json(nullptr) : nlohmann::json(sr.why_none)}};
  }
  return j;
}

std::string ToText(const PerfServeResponse& r) {
  const SlaSearchResult& sr = r.search;
  std::string out = report::ServingText(sr.query, sr.result, r.searched ? &sr : nullptr);
  if (r.sla_tpot || r.sla_ttft)
    out += sr.found ? fmt::format("SLA met: best throughput per GPU at {} clients\n",
                                  sr.query.workload.concurrency)
                    : report::WrapText("SLA not met: " + sr.why_none);
  return out;
}

// perf train -------------------------------------------------------------------------------------

Status PerfTrainRequest::Validate() {
  RETURN_IF_ERROR(CheckFields(*this));
  if (gpus < 1 || gpus > kMaxGpus)
    return FieldError("gpus", fmt::format("must be between 1 and {}", kMaxGpus));
  for (auto [v, name] :
       {std::pair{tp, "tp"}, std::pair{pp, "pp"}, std::pair{ep, "ep"}, std::pair{cp, "cp"},
        std::pair{micro_batch, "micro_batch"}, std::pair{virtual_stages, "virtual_stages"}})
    if (v < 1 || v > kMaxGpus) return FieldError(name, "must be at least 1");
  RETURN_IF_ERROR(AtLeast("dp", dp, 1));
  RETURN_IF_ERROR(AtLeast("gpus_per_node", gpus_per_node, 1));
  if (zero < 0 || zero > 3) return FieldError("zero", fmt::format("must be 0 to 3, got {}", zero));
  if (!global_batch)
    return FieldError("global_batch", seq ? "is required"
                                          : "is required, and so is the sequence length (seq)");
  if (!seq) return FieldError("seq", "is required");
  if (*global_batch < 1) return FieldError("global_batch", "must be at least 1");
  if (*seq < 1 || *seq > 1 << 24) return FieldError("seq", "must be between 1 and 16777216");
  RETURN_IF_ERROR(Positive("tokens", tokens));
  if (dp) {
    const long long prod = static_cast<long long>(*dp) * tp * pp * cp;
    if (prod != gpus)
      return FieldError("dp", fmt::format("{} x tp {} x pp {} x cp {} = {} is not gpus {}", *dp,
                                          tp, pp, cp, prod, gpus));
  }
  ASSIGN_OR_RETURN(auto so, ScaleOut(scale_out));
  (void)so;
  return OkStatus();
}

Result<PerfTrainResponse> PerfTrain(const KnowledgeBase& kb, PerfTrainRequest request) {
  RETURN_IF_ERROR(request.Validate());
  PerfTrainResponse r;
  r.kb = kb.shared_from_this();
  ASSIGN_OR_RETURN(const Calibration* cal, kb.calibration());
  ASSIGN_OR_RETURN(r.model, ResolveModel(kb, request.model, "model"));
  SystemOptions so;
  so.scale_up_domain = request.gpus_per_node;
  ASSIGN_OR_RETURN(so.scale_out, ScaleOut(request.scale_out));
  ASSIGN_OR_RETURN(r.hardware, HardwareFor(kb, request.chip, "chip", so));
  ASSIGN_OR_RETURN(DType prec, ParsePrecision(request.precision, "precision"));
  TrainingQuery& q = r.query;
  q.model = r.model.get();
  q.hardware = r.hardware.get();
  q.calibration = cal;
  q.gpus = request.gpus, q.tp = request.tp, q.pp = request.pp, q.ep = request.ep;
  q.cp = request.cp, q.zero = request.zero, q.micro_batch = request.micro_batch;
  q.recompute = *perf::RecomputeFromName(request.recompute);  // a choice CheckFields accepted
  q.virtual_stages = request.virtual_stages;
  q.sequence_parallel = request.sequence_parallel;
  q.tp_comm_overlap = request.tp_comm_overlap;
  q.ep_comm_overlap = request.ep_comm_overlap;
  q.dualpipe = request.dualpipe;
  q.bf16_moments = request.bf16_moments;
  q.bf16_grads = *perf::Bf16GradsFromName(request.grad_reduce);  // CheckFields accepted it
  q.global_batch = *request.global_batch, q.seq = *request.seq, q.precision = prec;
  q.tokens = request.tokens;
  ASSIGN_OR_RETURN(r.result, Train(q));
  if (!r.result.fits) r.result.notes.push_back(perf::FittingLayoutNote(q));
  return r;
}

nlohmann::json ToJson(const PerfTrainResponse& r) { return report::TrainingJson(r.query, r.result); }
std::string ToText(const PerfTrainResponse& r) { return report::TrainingText(r.query, r.result); }

// compare ----------------------------------------------------------------------------------------

Status CompareRequest::Validate() {
  RETURN_IF_ERROR(CheckFields(*this));
  if (chips.size() > 16) return FieldError("chips", "at most 16 chips", ErrorCode::kTooLarge);
  return serving.Check(true);
}

Result<CompareResponse> Compare(const KnowledgeBase& kb, CompareRequest request,
                                const CallOptions& call) {
  RETURN_IF_ERROR(request.Validate());
  CompareResponse r;
  r.kb = kb.shared_from_this();
  ASSIGN_OR_RETURN(const Calibration* cal, kb.calibration());
  RETURN_IF_ERROR(CheckEngine(*cal, request.serving.engine));
  ASSIGN_OR_RETURN(r.model, ResolveModel(kb, request.serving.model, "model"));
  RETURN_IF_ERROR(CheckFixedSizes(*r.model, request.serving));
  ASSIGN_OR_RETURN(SystemOptions so, request.serving.System());
  // A chip the model has no answer for is left out with its reason (an input error, such as an
  // unknown id, is still an error): the other chips are still worth comparing.
  std::optional<Error> first_left_out;
  auto leave_out = [&](const std::string& chip, const Error& e) {
    if (!first_left_out) first_left_out = e;
    std::string reason = e.message;
    if (reason.rfind(chip + ": ", 0) == 0) reason.erase(0, chip.size() + 2);
    r.left_out.push_back({chip, std::move(reason)});
  };
  for (const Ref& c : request.chips) {
    auto hw = HardwareFor(kb, c, "chips", so);
    if (!hw.ok() && hw.error().code == ErrorCode::kNoAnswer) {
      leave_out(c.toml ? "(chip file)" : c.id, hw.error());
      continue;
    }
    if (!hw.ok()) return hw.error();
    r.hardware.push_back(std::move(*hw));
  }
  // The "same work" half runs every chip at the first chip's client count.
  int common_concurrency = 0;
  std::vector<std::shared_ptr<const Hardware>> compared;
  for (const auto& hw : r.hardware) {
    if (call.stop.Stopped())
      return MakeError(ErrorCode::kDeadlineExceeded, "the comparison stopped at its deadline");
    ASSIGN_OR_RETURN(ServingQuery q, request.serving.Query(r.model.get(), hw.get(), cal));
    ASSIGN_OR_RETURN(SlaSearchResult s, SearchServing(q, request.serving.Search()));
    if (s.evaluated == 0) {
      Error e = NoDeployment(s, hw->chip_id);
      if (e.code != ErrorCode::kNoAnswer) return e;
      leave_out(hw->chip_id, e);
      continue;
    }
    compared.push_back(hw);
    if (common_concurrency == 0) common_concurrency = s.query.workload.concurrency;
    ServingQuery same = s.query;
    same.workload.concurrency = common_concurrency;
    ASSIGN_OR_RETURN(ReferenceSteps ref, ReferenceStepsFor(same));
    if (request.serving.sla() && !s.found)
      s.result.notes.push_back(s.why_none);
    if (auto note = perf::CoverageNote(*cal, hw->chip_id))
      s.result.notes.push_back(std::move(*note));
    r.columns.push_back({s.query, s.result, ref});
  }
  if (r.columns.empty() && first_left_out) return *first_left_out;
  r.hardware = std::move(compared);
  return r;
}

nlohmann::json ToJson(const CompareResponse& r) {
  return report::CompareJson(r.columns, r.left_out);
}
std::string ToText(const CompareResponse& r) {
  return report::CompareText(r.columns, r.left_out);
}

// validate / calibrate ---------------------------------------------------------------------------

namespace {

Result<ValidationReport> RunFits(const KnowledgeBase& kb, int threads, const CallOptions& call) {
  if (threads < 0 || threads > 1024) return FieldError("threads", "must be 0 to 1024");
  ASSIGN_OR_RETURN(const ValidationSet* set, kb.validation());
  ASSIGN_OR_RETURN(const ModelCatalog* models, kb.models());
  ASSIGN_OR_RETURN(const SystemDefaults* sys, kb.systems());
  ValidationOptions vo;
  vo.threads = threads > 0 ? threads : Executor::Shared().threads();
  vo.stop = call.stop;
  if (call.stop.Stopped())
    return MakeError(ErrorCode::kDeadlineExceeded, "validation stopped at its deadline");
  return RunValidation(*set, kb.catalog(), *models, *sys, vo);
}

std::string CalibrationStatus(const KnowledgeBase& kb, const Calibration& fitted) {
  Calibration c = fitted;
  c.produced_by = kProducedBy;
  auto current = kb.calibration();
  if (!current.ok()) return "data/perf/calibration.toml is missing: run `ceiling calibrate --write`";
  Calibration loaded = **current;
  return CalibrationToToml(loaded) == CalibrationToToml(c)
             ? "data/perf/calibration.toml is up to date with this fit"
             : "data/perf/calibration.toml differs from this fit: run `ceiling calibrate --write`";
}

}  // namespace

Status ValidateRequest::Validate() {
  if (threads < 0 || threads > 1024) return FieldError("threads", "must be 0 to 1024");
  return OkStatus();
}

Result<ValidateResponse> Validate(const KnowledgeBase& kb, ValidateRequest request,
                                  const CallOptions& call) {
  RETURN_IF_ERROR(request.Validate());
  ValidateResponse r;
  ASSIGN_OR_RETURN(r.report, RunFits(kb, request.threads, call));
  r.calibration_status = CalibrationStatus(kb, r.report.fitted);
  return r;
}

nlohmann::json ToJson(const ValidateResponse& r) {
  return report::ValidationJson(r.report, r.calibration_status);
}
std::string ToText(const ValidateResponse& r) {
  return report::ValidationText(r.report, r.calibration_status);
}

std::string PredictionsCsv(const ValidateResponse& r) {
  std::string csv =
      "id,source,kind,chip,model,engine,engine_version,isl,osl,concurrency,gpus,parallelism,"
      "held_out,regime,fits,ttft_s,ttft_s_pred,tpot_s,tpot_s_pred,throughput,throughput_pred,"
      "step_s,step_s_pred,ttft_waiting_s,ttft_prefill_s,ttft_kv_transfer_s,ttft_request_s,"
      "ttft_clients_s,ttft_slot_s,tpot_decode_s,tpot_prompts_s\n";
  for (const PredictionRow& p : r.report.predictions) {
    const ValidationPoint& v = p.point;
    const LatencyParts& l = p.parts;
    csv += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},"
                       "{},{},{},{},{},{},{},{}\n",
                       v.id, report::CsvField(v.source), static_cast<int>(v.kind), v.chip, v.model,
                       v.engine, report::CsvField(v.engine_version), v.workload.isl,
                       v.workload.osl, v.workload.concurrency, v.gpus,
                       v.par.ToString(), p.held_out ? 1 : 0, RegimeName(p.regime), p.fits ? 1 : 0,
                       v.ttft_s.value_or(0), p.ttft_s, v.tpot_s.value_or(0), p.tpot_s,
                       v.throughput.value_or(0), p.throughput, p.measured_step_s, p.step_s,
                       l.waiting.base(), l.prefill.base(), l.kv_transfer.base(), l.request.base(),
                       l.clients.base(), l.slot.base(), l.decode.base(), l.prompts.base());
  }
  return csv;
}

Status CalibrateRequest::Validate() {
  if (threads < 0 || threads > 1024) return FieldError("threads", "must be 0 to 1024");
  return OkStatus();
}

Result<CalibrateResponse> Calibrate(const KnowledgeBase& kb, CalibrateRequest request,
                                    const CallOptions& call) {
  RETURN_IF_ERROR(request.Validate());
  ASSIGN_OR_RETURN(ValidationReport rep, RunFits(kb, request.threads, call));
  CalibrateResponse r;
  r.calibration = std::move(rep.fitted);
  r.calibration.produced_by = kProducedBy;
  r.toml = CalibrationToToml(r.calibration);
  return r;
}

nlohmann::json ToJson(const CalibrateResponse& r) {
  return {{"produced_by", r.calibration.produced_by}, {"toml", r.toml}};
}

}  // namespace ceiling::api

#include "ceiling/perf/serving.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <optional>
#include <vector>

#include "ceiling/base/units.h"

namespace ceiling::perf {
namespace {

// The speculative draft module (DeepSeek's MTP / EAGLE head) is one decoder layer plus the
// shared LM head: about 1.5 layers of a decode step at the same batch.
double DraftTime(const StepModel& sm, const FamilyParams& fp, double batch, double ctx,
                 const Speculative& spec) {
  if (spec.steps <= 0) return 0.0;
  const double step = sm.Decode(fp, batch, ctx).total.base();
  return spec.steps * step * 1.5 / sm.model().layers;
}

double DecodeIteration(const StepModel& sm, const FamilyParams& fp, const EngineParams& ep,
                       double batch, double ctx, const Speculative& spec) {
  const int pp = sm.parallelism().pp;
  // With pipeline parallelism the batch is split into `pp` micro-batches in flight.
  const double b = pp > 1 ? std::max(1.0, batch / pp) : batch;
  const double width = spec.steps > 0 ? std::max(1, spec.draft_tokens) : 1.0;
  return sm.Decode(fp, b, ctx, width).total.base() + DraftTime(sm, fp, b, ctx, spec) +
         ep.step_overhead.base() + ep.seq_overhead.base() * batch;
}

double Accepted(const Speculative& spec) {
  return spec.steps > 0 ? std::max(1.0, spec.accepted) : 1.0;
}

}  // namespace

namespace {

// What ServeTimes needs that does not depend on the client count: the sequences the KV cache
// holds per attention rank and the prefill of one prompt (with the step overhead).
struct LayoutConstants {
  double max_batch = 0;
  double p1 = 0;
};

LayoutConstants ConstantsFor(const StepModel& sm, const FamilyParams& fp, const EngineParams& ep,
                             const ServingWorkload& w) {
  const double tokens_per_seq = static_cast<double>(w.isl) + w.osl;
  const Memory mem = sm.ServingMemory(1, tokens_per_seq);
  LayoutConstants k;
  k.max_batch = std::floor(mem.kv_token_capacity / tokens_per_seq);
  if (k.max_batch >= 1) k.p1 = sm.Prefill(fp, 1, w.isl).total.base() + ep.step_overhead.base();
  return k;
}

ServingTimes ServeTimesWith(const StepModel& sm, const FamilyParams& fp, const EngineParams& ep,
                            const ServingWorkload& w, int instances, const LayoutConstants& k) {
  ServingTimes out;
  const double isl = w.isl, osl = w.osl;
  const int dp = sm.parallelism().dp_attn;
  const double clients = static_cast<double>(w.concurrency) / (instances * dp);
  const double max_batch = k.max_batch;
  if (max_batch < 1) return out;  // not even one sequence fits
  out.fits = true;
  const double b = std::max(1.0, std::min(clients, max_batch));
  out.kv_limited = clients > max_batch;
  out.batch = b;
  const double ctx = isl + osl / 2;
  const double acc = Accepted(w.speculative);
  const double over = ep.step_overhead.base();

  // Waves: prompts of a wave are prefilled together, then decode runs undisturbed.
  const double p1 = k.p1;
  const double p_batched = b > 1 ? sm.Prefill(fp, b, isl).total.base() / b : p1 - over;
  const double d = DecodeIteration(sm, fp, ep, b, ctx, w.speculative);
  const double ttft_wave = p1 + (b - 1) / 2 * p_batched;
  const double tpot_wave = d / acc;
  // Staggered: each iteration carries b x isl / osl prompt tokens of chunked prefill.
  const double q = b * isl * acc / osl;
  const double mix = sm.Mixed(fp, b, ctx, q, isl).total.base() - sm.Decode(fp, b, ctx).total.base();
  const double tpot_stag = (d + std::max(0.0, mix)) / acc;
  const double own = sm.Mixed(fp, b, ctx, isl, isl).total.base() + over;
  const double ttft_stag = own + (d + std::max(0.0, mix)) / 2;
  const double wgt = ep.burst;
  double ttft = wgt * ttft_wave + (1 - wgt) * ttft_stag + ep.request_overhead.base() +
                ep.client_overhead.base() * b;
  const double tpot = wgt * tpot_wave + (1 - wgt) * tpot_stag;
  double cycle = ttft + (osl - 1) * tpot;
  if (out.kv_limited) {
    // Clients beyond the KV capacity wait for a slot: Little's law on the rank's request rate.
    const double rate = b / cycle;
    ttft += (clients - b) / rate;
    cycle = ttft + (osl - 1) * tpot;
  }
  out.ttft = Seconds::FromBase(ttft);
  out.tpot = Seconds::FromBase(tpot);
  out.output_tokens_per_s = w.concurrency * osl / cycle;
  return out;
}

}  // namespace

ServingTimes ServeTimes(const StepModel& sm, const FamilyParams& fp, const EngineParams& ep,
                        const ServingWorkload& w, int instances) {
  return ServeTimesWith(sm, fp, ep, w, instances, ConstantsFor(sm, fp, ep, w));
}

ServingTimes ServeDisaggTimes(const StepModel& prefill, const StepModel& decode,
                              const FamilyParams& fp, const EngineParams& ep,
                              const ServingWorkload& w, int prefill_workers, int decode_workers,
                              double prefill_batch, double decode_batch) {
  ServingTimes out;
  const double isl = w.isl, osl = w.osl;
  const double ctx = isl + osl / 2;
  const int dp_d = decode.parallelism().dp_attn;
  const int dp_p = prefill.parallelism().dp_attn;
  const double b = std::max(1.0, decode_batch / dp_d);
  const Memory mem = decode.ServingMemory(1, isl + osl);
  if (std::floor(mem.kv_token_capacity / (isl + osl)) < 1) return out;
  const Memory pmem = prefill.ServingMemory(1, isl);
  if (pmem.kv_token_capacity < isl) return out;
  out.fits = true;
  out.batch = b;
  const double acc = Accepted(w.speculative);
  const double over = ep.step_overhead.base();
  const double tpot = DecodeIteration(decode, fp, ep, b, ctx, w.speculative) / acc;
  // Prefill service: batches of `prefill_batch` prompts per worker (spread over its ranks).
  const double r = std::max(1.0, prefill_batch / dp_p);
  const double service = prefill.Prefill(fp, r, isl).total.base() + over;
  const double per_request = service / (r * dp_p);
  const double mu = prefill_workers * r * dp_p / service;  // prompts per second
  // KV hand-off to the decode worker: over NVLink inside one scale-up domain, else the NICs.
  const Hardware& hw = prefill.hardware();
  const int total =
      prefill_workers * prefill.parallelism().Gpus() + decode_workers * decode.parallelism().Gpus();
  const double link = (total <= hw.scale_up_domain ? hw.scale_up : hw.scale_out).base() *
                      fp.comm_efficiency * prefill.parallelism().Gpus();
  const double kv_bytes =
      isl * prefill.KvBytesPerToken().base() * prefill.parallelism().tp * prefill.parallelism().pp;
  const double xfer = fp.comm_latency.base() + kv_bytes / link;
  const double decode_time = (osl - 1) * tpot;
  const double clients = w.concurrency;
  // Waves: clients queue for the prefill workers in batches.
  const double batches = std::ceil(clients / (prefill_workers * r * dp_p));
  const double ttft_wave = service + xfer + (batches - 1) / 2 * service;
  // Staggered: an M/D/1 queue at the prefill workers, solved with the closed loop's rate.
  double ttft_stag = service + xfer;
  for (int i = 0; i < 20; ++i) {
    const double lambda = clients / (ttft_stag + decode_time);
    const double rho = std::min(0.95, lambda / mu);
    ttft_stag = service + xfer + rho / (2 * (1 - rho)) * per_request;
  }
  double ttft = ep.burst * ttft_wave + (1 - ep.burst) * ttft_stag + ep.request_overhead.base() +
                ep.client_overhead.base() * b;
  // Closed loop: the cycle can never be shorter than the prefill capacity allows.
  ttft = std::max(ttft, clients / mu - decode_time);
  out.ttft = Seconds::FromBase(ttft);
  out.tpot = Seconds::FromBase(tpot);
  out.output_tokens_per_s = clients * osl / (ttft + decode_time);
  return out;
}

double DecodeThroughputPerGpu(const StepModel& sm, const FamilyParams& fp, const EngineParams& ep,
                              double batch, double context, const Speculative& spec) {
  const double t = DecodeIteration(sm, fp, ep, batch, context, spec);
  const Parallelism& p = sm.parallelism();
  // `batch` sequences on each attention rank; tp x pp GPUs per rank.
  return batch * Accepted(spec) / t / (p.tp * p.pp);
}

double PrefillThroughputPerGpu(const StepModel& sm, const FamilyParams& fp, const EngineParams& ep,
                               double prompt, double chunk) {
  const double prompts = std::max(1.0, chunk / prompt);
  const double t = sm.Prefill(fp, prompts, prompt).total.base() + ep.step_overhead.base();
  const Parallelism& p = sm.parallelism();
  return prompts * prompt / t / (p.tp * p.pp);
}

Result<ReferenceSteps> ReferenceStepsFor(const ServingQuery& q) {
  const ModelArch& m = *q.model;
  for (int tp = q.gpus; tp >= 1; --tp) {
    if (q.gpus % tp != 0) continue;
    Parallelism par{tp, 1, 1, 1};
    if (m.moe.enabled() && m.moe.experts % tp == 0) par.ep = tp;
    if (!CheckParallelism(m, par).ok()) continue;
    ASSIGN_OR_RETURN(StepModel sm, StepModel::Build(m, *q.hardware, par, q.precision));
    const FamilyParams& fp = q.calibration->Family(q.hardware->family);
    ReferenceSteps r;
    r.par = par;
    r.batch = q.workload.concurrency;
    r.prefill = sm.Prefill(fp, 1, q.workload.isl);
    r.decode = sm.Decode(fp, r.batch, q.workload.isl + q.workload.osl / 2.0);
    return r;
  }
  return MakeError(
      ErrorCode::kInvalidArgument,
      fmt::format("no tensor-parallel layout of {} GPUs fits the heads of {}", q.gpus, m.id));
}

Uncertainty UncertaintyFor(const Calibration& cal, const Hardware& hw, double batch_per_rank) {
  Uncertainty u;
  u.basis = cal.BasisFor(hw.chip_id, hw.family);
  u.regime = batch_per_rank <= 16 ? Regime::kSmallBatch : Regime::kLargeBatch;
  u.ttft = cal.Band(u.basis, Metric::kTtft, u.regime);
  u.tpot = cal.Band(u.basis, Metric::kTpot, u.regime);
  u.throughput = cal.Band(u.basis, Metric::kThroughput, u.regime);
  return u;
}

namespace {

Status CheckWorkload(const ServingWorkload& w) {
  if (w.isl < 1) return FieldError("isl", "must be at least 1");
  if (w.osl < 1) return FieldError("osl", "must be at least 1");
  if (w.concurrency < 1) return FieldError("concurrency", "must be at least 1");
  if (w.speculative.steps > 0 && (w.speculative.draft_tokens < 1 || w.speculative.accepted < 1))
    return MakeError(ErrorCode::kInvalidArgument,
                     "speculative decoding needs draft tokens >= 1 and accepted >= 1");
  return OkStatus();
}

void AddPrecisionNotes(const Hardware& hw, const PrecisionConfig& prec,
                       std::vector<std::string>* notes) {
  DType used;
  hw.ComputeRate(prec.activations, &used);
  if (used != prec.activations && !(prec.activations == DType::kInt4 && used == DType::kBf16))
    notes->push_back(fmt::format(
        "{} has no {} rate in its record; GEMMs use the {} rate with "
        "{} weights",
        hw.chip_id, DTypeName(prec.activations), DTypeName(used), DTypeName(prec.weights)));
}

}  // namespace

Result<ServingResult> Serve(const ServingQuery& q) {
  RETURN_IF_ERROR(CheckWorkload(q.workload));
  if (q.gpus < 1 || q.gpus > kMaxGpus)
    return FieldError("gpus", fmt::format("must be between 1 and {}", kMaxGpus));
  if (q.gpus % q.par.Gpus() != 0)
    return FieldError("gpus", fmt::format("{} is not a multiple of the instance size {} ({} = tp x "
                                          "dp-attn x pp)",
                                          q.gpus, q.par.Gpus(), q.par.ToString()));
  ASSIGN_OR_RETURN(StepModel sm, StepModel::Build(*q.model, *q.hardware, q.par, q.precision));
  const FamilyParams& fp = q.calibration->Family(q.hardware->family);
  const EngineParams& ep = q.calibration->Engine(q.workload.engine);
  ServingResult r;
  r.instances = q.gpus / q.par.Gpus();
  r.notes = q.hardware->notes;
  AddPrecisionNotes(*q.hardware, q.precision, &r.notes);
  bool fitted = false;
  q.calibration->Family(q.hardware->family, &fitted);
  if (!fitted)
    r.notes.push_back(
        fmt::format("family \"{}\" has no calibration data; generic efficiencies "
                    "(fitted on all families) are used",
                    q.hardware->family));
  const ServingTimes t = ServeTimes(sm, fp, ep, q.workload, r.instances);
  const double tokens_per_seq = static_cast<double>(q.workload.isl) + q.workload.osl;
  r.fits = t.fits;
  r.memory = sm.ServingMemory(t.fits ? t.batch : 1, tokens_per_seq);
  r.prefill_step = sm.Prefill(fp, 1, q.workload.isl);
  if (!t.fits) {
    const Memory one = sm.ServingMemory(1, tokens_per_seq);
    r.does_not_fit = fmt::format(
        "per GPU: weights {} + reserve {} + workspace {} + KV of one {}-token sequence {} = {} "
        "> capacity {}",
        FormatQuantity(one.weights), FormatQuantity(one.reserve), FormatQuantity(one.activations),
        tokens_per_seq, FormatQuantity(one.kv_cache), FormatQuantity(one.total),
        FormatQuantity(one.capacity));
    r.uncertainty = UncertaintyFor(*q.calibration, *q.hardware, 1);
    return r;
  }
  r.batch_per_rank = t.batch;
  r.kv_limited = t.kv_limited;
  r.ttft = t.ttft;
  r.tpot = t.tpot;
  r.output_tokens_per_s = t.output_tokens_per_s;
  r.output_tokens_per_s_per_gpu = t.output_tokens_per_s / q.gpus;
  r.tokens_per_s_per_user = 1.0 / t.tpot.base();
  r.decode_step = sm.Decode(fp, t.batch, q.workload.isl + q.workload.osl / 2.0);
  if (t.kv_limited)
    r.notes.push_back(fmt::format(
        "the KV cache holds {} of the {} clients per attention rank; "
        "the rest queue (their wait is in TTFT)",
        t.batch, static_cast<double>(q.workload.concurrency) / (r.instances * q.par.dp_attn)));
  r.uncertainty = UncertaintyFor(*q.calibration, *q.hardware, t.batch);
  return r;
}

Result<ServingResult> ServeDisaggregated(const DisaggQuery& q) {
  RETURN_IF_ERROR(CheckWorkload(q.workload));
  ASSIGN_OR_RETURN(StepModel pre, StepModel::Build(*q.model, *q.hardware, q.prefill, q.precision));
  ASSIGN_OR_RETURN(StepModel dec, StepModel::Build(*q.model, *q.hardware, q.decode, q.precision));
  const FamilyParams& fp = q.calibration->Family(q.hardware->family);
  const EngineParams& ep = q.calibration->Engine(q.workload.engine);
  const ServingTimes t = ServeDisaggTimes(pre, dec, fp, ep, q.workload, q.prefill_workers,
                                          q.decode_workers, q.prefill_batch, q.decode_batch);
  ServingResult r;
  r.fits = t.fits;
  r.notes = q.hardware->notes;
  const int gpus = q.prefill_workers * q.prefill.Gpus() + q.decode_workers * q.decode.Gpus();
  r.memory = dec.ServingMemory(std::max(1.0, t.batch),
                               static_cast<double>(q.workload.isl) + q.workload.osl);
  if (!t.fits) {
    r.does_not_fit = "the weights and one sequence's KV cache do not fit a worker";
    return r;
  }
  r.batch_per_rank = t.batch;
  r.ttft = t.ttft;
  r.tpot = t.tpot;
  r.output_tokens_per_s = t.output_tokens_per_s;
  r.output_tokens_per_s_per_gpu = t.output_tokens_per_s / gpus;
  r.tokens_per_s_per_user = 1.0 / t.tpot.base();
  r.decode_step = dec.Decode(fp, t.batch, q.workload.isl + q.workload.osl / 2.0);
  r.prefill_step = pre.Prefill(fp, 1, q.workload.isl);
  r.uncertainty = UncertaintyFor(*q.calibration, *q.hardware, t.batch);
  return r;
}

namespace {

// The deployment layouts a search may use for `gpus` GPUs, honouring fixed sizes. Layouts that
// CheckParallelism rejects are skipped; the first rejection of a size the caller fixed is kept
// for "why none" (a searched size that does not fit the model is no fault of the caller's).
std::vector<Parallelism> Layouts(const ModelArch& m, int gpus, const SearchOptions& o,
                                 std::optional<Error>* first_error) {
  auto divisors = [](int n) {
    std::vector<int> d;
    for (int i = 1; i * i <= n; ++i)
      if (n % i == 0) {
        d.push_back(i);
        if (i != n / i) d.push_back(n / i);
      }
    std::sort(d.begin(), d.end());
    return d;
  };
  std::vector<Parallelism> out;
  for (int pp : divisors(gpus)) {
    if (o.pp && pp != *o.pp) continue;
    if (!o.pp && pp > 1 && m.layers % pp != 0) continue;
    for (int tp : divisors(gpus / pp)) {
      if (o.tp && tp != *o.tp) continue;
      for (int dp : divisors(gpus / pp / tp)) {
        if (o.dp_attn && dp != *o.dp_attn) continue;
        if (!m.moe.enabled() && dp > 1) continue;  // replicas are instances for dense models
        for (int ep_size : divisors(tp * dp)) {
          if (o.ep && ep_size != *o.ep) continue;
          if (!m.moe.enabled() && ep_size > 1) continue;
          Parallelism par{tp, pp, dp, ep_size};
          if (gpus % par.Gpus() != 0) continue;
          if (Status st = CheckParallelism(m, par); !st.ok()) {
            const std::string& f = st.error().field;
            const bool fixed = (f == "tp" && o.tp) || (f == "pp" && o.pp) || (f == "ep" && o.ep);
            if (first_error && !*first_error && fixed) *first_error = st.error();
            continue;
          }
          out.push_back(par);
        }
      }
    }
  }
  return out;
}

// Client counts an SLA search tries: 1, then x1.25 steps, up to the cap.
std::vector<int> ClientGrid(const ServingQuery& base, const SearchOptions& o) {
  std::vector<int> clients;
  if (o.sla.ttft.has_value() || o.sla.tpot.has_value()) {
    const int cap = std::max(1, o.max_concurrency);
    for (double c = 1; c <= cap; c = std::max(c + 1, std::round(c * 1.25)))
      clients.push_back(static_cast<int>(c));
    if (clients.back() != cap) clients.push_back(cap);
  } else {
    clients.push_back(base.workload.concurrency);
  }
  return clients;
}

struct ScanResult {
  bool found = false;
  double value = -1;  // output tokens/s per GPU of the best deployment
  Parallelism par;
  int concurrency = 0;
  int evaluated = 0;
  std::optional<Parallelism> fallback;  // the layout with the most memory per instance
};

// The search proper, shared by SearchServing and BestServingThroughput.
ScanResult Scan(const ServingQuery& base, const SearchOptions& o,
                const std::vector<Parallelism>& layouts, const std::vector<int>& clients) {
  const ModelArch& m = *base.model;
  const FamilyParams& fp = base.calibration->Family(base.hardware->family);
  const EngineParams& ep = base.calibration->Engine(base.workload.engine);
  const bool sla = o.sla.ttft.has_value() || o.sla.tpot.has_value();
  ScanResult best;
  for (const Parallelism& par : layouts) {
    auto sm = StepModel::Build(m, *base.hardware, par, base.precision);
    if (!sm.ok()) continue;
    if (!best.fallback || par.Gpus() > best.fallback->Gpus() ||
        (par.Gpus() == best.fallback->Gpus() && par.tp > best.fallback->tp))
      best.fallback = par;
    const int instances = base.gpus / par.Gpus();
    const LayoutConstants k = ConstantsFor(*sm, fp, ep, base.workload);
    for (int c : clients) {
      if (sla && c < instances * par.dp_attn) continue;
      ServingWorkload w = base.workload;
      w.concurrency = c;
      const ServingTimes t = ServeTimesWith(*sm, fp, ep, w, instances, k);
      ++best.evaluated;
      if (!t.fits) break;
      // TTFT and TPOT never fall as clients are added (more batch, more queueing), so the first
      // miss ends this layout's scan.
      if (o.sla.ttft && t.ttft > *o.sla.ttft) break;
      if (o.sla.tpot && t.tpot > *o.sla.tpot) break;
      const double value = t.output_tokens_per_s / base.gpus;
      if (value > best.value * (1 + 1e-12)) {
        best.value = value;
        best.found = true;
        best.par = par;
        best.concurrency = c;
      }
      // Past the KV capacity more clients only queue: the batch, TPOT and throughput stay as
      // they are (Little's law), so no later client count can do better.
      if (t.kv_limited) break;
    }
  }
  return best;
}

Status CheckSearch(const ServingQuery& base) {
  RETURN_IF_ERROR(CheckWorkload(base.workload));
  if (base.gpus < 1 || base.gpus > kMaxGpus)
    return FieldError("gpus", fmt::format("must be between 1 and {}", kMaxGpus));
  return OkStatus();
}

}  // namespace

Result<SearchResult> SearchServing(const ServingQuery& base, const SearchOptions& o) {
  RETURN_IF_ERROR(CheckSearch(base));
  const auto start = std::chrono::steady_clock::now();
  const bool sla = o.sla.ttft.has_value() || o.sla.tpot.has_value();
  std::optional<Error> first_error;
  const std::vector<Parallelism> layouts = Layouts(*base.model, base.gpus, o, &first_error);
  const ScanResult scan = Scan(base, o, layouts, ClientGrid(base, o));
  SearchResult best;
  best.evaluated = scan.evaluated;
  best.found = scan.found;
  best.query = base;
  if (scan.found) {
    best.query.par = scan.par;
    best.query.workload.concurrency = scan.concurrency;
    ASSIGN_OR_RETURN(best.result, Serve(best.query));
  } else {
    best.why_none = sla ? "no deployment fits and meets the latency targets"
                        : "no parallel layout of these GPUs fits the model";
    if (best.evaluated == 0 && first_error) {
      best.why_none = first_error->message;
      best.why_none_field = first_error->field;
    }
    if (scan.fallback) {
      best.query.par = *scan.fallback;
      ASSIGN_OR_RETURN(best.result, Serve(best.query));
    }
  }
  best.elapsed = Seconds::FromBase(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return best;
}

ServingPlan::ServingPlan(const ModelArch& model, int gpus, const SearchOptions& options,
                         const ServingQuery& base)
    : options_(options), layouts_(Layouts(model, gpus, options, nullptr)),
      clients_(ClientGrid(base, options)) {}

double ServingPlan::BestThroughputPerGpu(const ServingQuery& q) const {
  if (!CheckSearch(q).ok()) return 0;
  const ScanResult scan = Scan(q, options_, layouts_, clients_);
  return scan.found ? scan.value : 0;
}

double ServingPlan::BestPrefillPerGpu(const ServingQuery& q) const {
  const FamilyParams& fp = q.calibration->Family(q.hardware->family);
  const EngineParams& ep = q.calibration->Engine(q.workload.engine);
  double best = 0;
  for (const Parallelism& par : layouts_) {
    auto sm = StepModel::Build(*q.model, *q.hardware, par, q.precision);
    if (!sm.ok() || !sm->ServingMemory(1, q.workload.isl).fits) continue;
    best = std::max(best, PrefillThroughputPerGpu(*sm, fp, ep, q.workload.isl, q.workload.isl));
  }
  return best;
}

}  // namespace ceiling::perf

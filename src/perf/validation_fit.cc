// The calibration fit and the validation tables.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <set>

#include "ceiling/base/executor.h"
#include "ceiling/perf/validation.h"

namespace ceiling::perf {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Bounds of the fitted parameters. The search runs in an unbounded variable u mapped through a
// sigmoid onto [lo, hi] (log-spaced where `log`).
struct Spec {
  double lo, hi;
  bool log;
};
constexpr int kFamilyParams = 8;
constexpr int kEngineParams = 9;
// No family's GEMMs run faster than the fastest matmul measured on its silicon: the ceiling is
// the maximum achievable matmul rate of an H100 SXM, 792 of 989 TFLOP/s bf16 (0.80; cuBLASLt
// FP8 reaches 0.81, docs/perf.md §5), the highest such measurement the project holds. Left
// free, the serving fit pushed Hopper to 0.82 once duplicate rows were removed.
// Decode attention's compute efficiency only binds for MLA (DeepSeek, Kimi, GLM), whose
// absorbed decode is compute-bound; DeepSeek's FlashMLA kernel reaches 580 (Feb 2025) and 660
// (Apr 2025) TFLOP/s of an H800's 989 bf16 in compute-bound decode, 0.59-0.67 (its README).
// Engines' decode batches are smaller than that benchmark's, so the floor sits lower, at 0.50.
// Left free, the fit sat on its old floor of 0.30, pulled there by disaggregated DeepSeek rows
// it predicts 35% fast for other reasons (docs/perf.md §5, round 6).
constexpr Spec kFamilySpec[kFamilyParams] = {
    {0.20, 0.80, false},     // gemm_efficiency
    {0.50, 0.95, false},     // memory_efficiency
    {0.05, 0.95, false},     // attention_efficiency
    {0.50, 0.95, false},     // decode_attention_efficiency (floor: FlashMLA, above)
    {0.30, 1.00, false},     // kv_read_efficiency
    {0.2e-6, 100e-6, true},  // kernel_overhead [s]
    {0.40, 0.95, false},     // comm_efficiency
    {2e-6, 40e-6, true},     // comm_latency [s]
};
constexpr Spec kEngineSpec[kEngineParams] = {
    {0.02e-3, 20e-3, true},  // step_overhead [s]
    {0.1e-6, 200e-6, true},  // seq_overhead [s]
    {1e-3, 1.0, true},       // request_overhead [s]
    {1e-6, 20e-3, true},     // client_overhead [s]
    {0.0, 1.0, false},       // burst
    {0.0, 1.0, false},       // overlap
    {0.1e-6, 500e-6, true},  // launch_overhead [s]
    {0.3, 2.0, true},        // kernel_fusion
    {1e-3, 1.0, true},       // pooled_request_overhead [s]
};

double FromU(const Spec& s, double u) {
  const double t = 1.0 / (1.0 + std::exp(-u));
  if (s.log) return std::exp(std::log(s.lo) + (std::log(s.hi) - std::log(s.lo)) * t);
  return s.lo + (s.hi - s.lo) * t;
}

double ToU(const Spec& s, double v) {
  double t = s.log ? (std::log(v) - std::log(s.lo)) / (std::log(s.hi) - std::log(s.lo))
                   : (v - s.lo) / (s.hi - s.lo);
  t = std::clamp(t, 1e-6, 1 - 1e-6);
  return std::log(t / (1 - t));
}

FamilyParams FamilyFromU(const double* u) {
  FamilyParams p;
  p.gemm_efficiency = FromU(kFamilySpec[0], u[0]);
  p.memory_efficiency = FromU(kFamilySpec[1], u[1]);
  p.attention_efficiency = FromU(kFamilySpec[2], u[2]);
  p.decode_attention_efficiency = FromU(kFamilySpec[3], u[3]);
  p.kv_read_efficiency = FromU(kFamilySpec[4], u[4]);
  p.kernel_overhead = Seconds::FromBase(FromU(kFamilySpec[5], u[5]));
  p.comm_efficiency = FromU(kFamilySpec[6], u[6]);
  p.comm_latency = Seconds::FromBase(FromU(kFamilySpec[7], u[7]));
  return p;
}

void FamilyToU(const FamilyParams& p, double* u) {
  u[0] = ToU(kFamilySpec[0], p.gemm_efficiency);
  u[1] = ToU(kFamilySpec[1], p.memory_efficiency);
  u[2] = ToU(kFamilySpec[2], p.attention_efficiency);
  u[3] = ToU(kFamilySpec[3], p.decode_attention_efficiency);
  u[4] = ToU(kFamilySpec[4], p.kv_read_efficiency);
  u[5] = ToU(kFamilySpec[5], p.kernel_overhead.base());
  u[6] = ToU(kFamilySpec[6], p.comm_efficiency);
  u[7] = ToU(kFamilySpec[7], p.comm_latency.base());
}

EngineParams EngineFromU(const double* u, const EngineTraits& traits) {
  EngineParams e;
  e.traits = traits;
  e.step_overhead = Seconds::FromBase(FromU(kEngineSpec[0], u[0]));
  e.seq_overhead = Seconds::FromBase(FromU(kEngineSpec[1], u[1]));
  e.request_overhead = Seconds::FromBase(FromU(kEngineSpec[2], u[2]));
  e.client_overhead = Seconds::FromBase(FromU(kEngineSpec[3], u[3]));
  e.burst = FromU(kEngineSpec[4], u[4]);
  e.overlap = FromU(kEngineSpec[5], u[5]);
  e.launch_overhead = Seconds::FromBase(FromU(kEngineSpec[6], u[6]));
  e.kernel_fusion = FromU(kEngineSpec[7], u[7]);
  // Used only by an engine that post-processes inline by default (RequestOverhead).
  e.pooled_request_overhead = Seconds::FromBase(FromU(kEngineSpec[8], u[8]));
  e.traits.dp_attention_cpu = DpAttentionCpu(traits.dp_attention_hidden, e.overlap);
  return e;
}

void EngineToU(const EngineParams& e, double* u) {
  u[0] = ToU(kEngineSpec[0], e.step_overhead.base());
  u[1] = ToU(kEngineSpec[1], e.seq_overhead.base());
  u[2] = ToU(kEngineSpec[2], e.request_overhead.base());
  u[3] = ToU(kEngineSpec[3], e.client_overhead.base());
  u[4] = ToU(kEngineSpec[4], e.burst);
  u[5] = ToU(kEngineSpec[5], e.overlap);
  u[6] = ToU(kEngineSpec[6], e.launch_overhead.base());
  u[7] = ToU(kEngineSpec[7], e.kernel_fusion);
  u[8] = ToU(kEngineSpec[8], e.pooled_request_overhead.base());
}

// One validation point, compiled.
struct Row {
  const ValidationPoint* pt = nullptr;
  std::optional<StepModel> sm;
  std::optional<StepModel> pre;  // disaggregated prefill worker
  TrainingQuery tq;
  int dp = 1, micro = 1, instances = 1;
  std::string family;                         // hardware family
  // TTFT's regime (queued when clients wait for KV) and the other metrics' (queueing is a TTFT
  // matter) before a prediction: RowRegimes adds the contended regime from one.
  Regime regime = Regime::kSmallBatch;
  Regime batch_regime = Regime::kSmallBatch;
  double batch = 0;  // decode sequences per attention rank (all clients batched)
  ModelKind kind = ModelKind::kAny;           // dense or MoE, for the band slices
  bool csv = false;
};

struct Pred {
  double ttft = kNaN, tpot = kNaN, thr = kNaN, step = kNaN, flops = kNaN;
  bool fits = true;
  LatencyParts parts;  // serving rows: where TTFT and TPOT go
};

Pred Predict(const Row& r, const FamilyParams& fp, const EngineParams& engine) {
  Pred p;
  const ValidationPoint& v = *r.pt;
  // A measurement that turned overlap scheduling off gets the engine without it (copied only
  // then: this runs for every row in every step of the fit).
  EngineParams no_overlap;
  if (!v.overlap_schedule) {
    no_overlap = engine;
    no_overlap.overlap = 0;
  }
  const EngineParams& ep = v.overlap_schedule ? engine : no_overlap;
  switch (v.kind) {
    case PointKind::kServing: {
      const ServingTimes t = ServeTimes(*r.sm, fp, ep, v.workload, r.instances);
      p.fits = t.fits;
      if (t.fits) {
        p.ttft = t.ttft.base();
        p.tpot = t.tpot.base();
        p.thr = t.output_tokens_per_s / v.gpus;
        p.parts = t.parts;
      }
      break;
    }
    case PointKind::kDisaggregated: {
      const ServingTimes t = ServeDisaggTimes(*r.pre, *r.sm, fp, ep, v.workload, v.prefill_workers,
                                              v.decode_workers, v.prefill_batch, v.decode_batch);
      p.fits = t.fits;
      if (t.fits) {
        p.ttft = t.ttft.base();
        p.tpot = t.tpot.base();
        p.thr = t.output_tokens_per_s / v.gpus;
        p.parts = t.parts;
      }
      break;
    }
    case PointKind::kDecode:
      p.thr = DecodeThroughputPerGpu(*r.sm, fp, ep, v.batch_per_gpu,
                                     v.workload.isl + v.workload.osl / 2.0, v.workload.speculative);
      break;
    case PointKind::kPrefill:
      p.thr = PrefillThroughputPerGpu(*r.sm, fp, ep, v.workload.isl, v.chunk);
      break;
    case PointKind::kTraining: {
      const TrainingTimes t = TrainTimes(*r.sm, fp, r.tq, r.dp, r.micro);
      p.step = t.step.base();
      p.flops = t.model_flops;
      break;
    }
  }
  return p;
}

// Weight of the pull toward the documented family defaults (Fit). 0.3 and 0.1 were tried:
// 0.3 gives leave-one-chip-out TPOT 1.15x (H100) / 1.11x (H200), 0.1 1.20x / 1.12x.
constexpr double kPrior = 0.3;

// Soft-L1 loss of the log error: quadratic near zero, linear beyond ~25%.
double Rho(double x) {
  constexpr double d = 0.10;
  return 2 * d * d * (std::sqrt(1 + (x / d) * (x / d)) - 1);
}

double RowLoss(const Row& r, const Pred& p) {
  if (!p.fits) return 10.0;
  double l = 0;
  if (r.pt->ttft_s) l += Rho(std::log(p.ttft / *r.pt->ttft_s));
  if (r.pt->tpot_s) l += Rho(std::log(p.tpot / *r.pt->tpot_s));
  return l;
}

struct Fitted {
  std::map<std::string, FamilyParams> families;
  std::map<std::string, EngineParams> engines;
  FamilyParams generic;
  EngineParams generic_engine;
  const FamilyParams& Family(const std::string& f) const {
    auto it = families.find(f);
    return it == families.end() ? generic : it->second;
  }
  const EngineParams& Engine(const std::string& e) const {
    auto it = engines.find(e);
    return it == engines.end() ? generic_engine : it->second;
  }
};

// Bounded coordinate pattern search over the family and engine parameters of the rows in
// `fit` (indices into `rows`), from the documented defaults.
Fitted Fit(const std::vector<Row>& rows, const std::vector<int>& fit, const SystemDefaults& systems,
           const StopToken& stop) {
  std::vector<std::string> fams, engs;
  for (int i : fit) {
    fams.push_back(rows[i].family);
    engs.push_back(rows[i].pt->engine);
  }
  std::sort(fams.begin(), fams.end());
  fams.erase(std::unique(fams.begin(), fams.end()), fams.end());
  std::sort(engs.begin(), engs.end());
  engs.erase(std::unique(engs.begin(), engs.end()), engs.end());
  const int nf = static_cast<int>(fams.size()), ne = static_cast<int>(engs.size());
  std::vector<double> u(nf * kFamilyParams + ne * kEngineParams);
  for (int f = 0; f < nf; ++f) FamilyToU(FamilyParams{}, &u[f * kFamilyParams]);
  for (int e = 0; e < ne; ++e)
    EngineToU(EngineParams{}, &u[nf * kFamilyParams + e * kEngineParams]);
  std::vector<EngineTraits> traits;
  for (const std::string& e : engs) traits.push_back(systems.EngineTraitsFor(e));
  std::vector<int> row_fam(fit.size()), row_eng(fit.size());
  std::vector<std::vector<int>> by_fam(nf), by_eng(ne);
  for (std::size_t k = 0; k < fit.size(); ++k) {
    const Row& r = rows[fit[k]];
    row_fam[k] =
        static_cast<int>(std::lower_bound(fams.begin(), fams.end(), r.family) - fams.begin());
    row_eng[k] =
        static_cast<int>(std::lower_bound(engs.begin(), engs.end(), r.pt->engine) - engs.begin());
    by_fam[row_fam[k]].push_back(static_cast<int>(k));
    by_eng[row_eng[k]].push_back(static_cast<int>(k));
  }
  auto loss_of = [&](int k, const std::vector<double>& x) {
    const FamilyParams fp = FamilyFromU(&x[row_fam[k] * kFamilyParams]);
    const EngineParams ep =
        EngineFromU(&x[nf * kFamilyParams + row_eng[k] * kEngineParams], traits[row_eng[k]]);
    return RowLoss(rows[fit[k]], Predict(rows[fit[k]], fp, ep));
  };
  std::vector<double> cache(fit.size());
  for (std::size_t k = 0; k < fit.size(); ++k) cache[k] = loss_of(static_cast<int>(k), u);
  std::vector<double> trial(fit.size());
  // The family parameters are pulled toward the documented defaults (FamilyParams{}) by
  // kPrior x (u - u0)^2 in their unbounded variables: one chip's campaigns do not separate a
  // family's eight parameters (fitted on the H200 alone, Hopper's GEMM efficiency went to its
  // upper bound and on the H100 alone its memory efficiency to its own, docs/perf.md §5), and
  // without the pull the fit trades them against each other and against the engines'.
  std::vector<double> u0(u.begin(), u.begin() + nf * kFamilyParams);
  // Two rounds: the second restarts the steps at 0.5 from the first round's optimum, which
  // lets a parameter that was stuck behind another's move travel again.
  for (double first_step : {1.0, 0.5}) {
    std::vector<double> step(u.size(), first_step);
    // An engine without inline post-processing has no second request overhead to fit.
    for (int e = 0; e < ne; ++e)
      if (!traits[e].inline_postprocessing) step[nf * kFamilyParams + e * kEngineParams + 8] = 0;
    for (int sweep = 0; sweep < 80 && !stop.Stopped(); ++sweep) {
      bool active = false;
      for (std::size_t j = 0; j < u.size(); ++j) {
        if (step[j] < 2e-3) continue;
        active = true;
        const int group = static_cast<int>(j);
        const std::vector<int>& affected =
            group < nf * kFamilyParams ? by_fam[group / kFamilyParams]
                                       : by_eng[(group - nf * kFamilyParams) / kEngineParams];
        bool moved = false;
        for (double dir : {+1.0, -1.0}) {
          std::vector<double> x = u;
          x[j] += dir * step[j];
          double delta = 0;
          if (j < u0.size())
            delta += kPrior * ((x[j] - u0[j]) * (x[j] - u0[j]) - (u[j] - u0[j]) * (u[j] - u0[j]));
          for (int k : affected) {
            trial[k] = loss_of(k, x);
            delta += trial[k] - cache[k];
          }
          if (delta < -1e-12) {
            u = std::move(x);
            for (int k : affected) cache[k] = trial[k];
            moved = true;
            break;
          }
        }
        if (!moved) step[j] *= 0.5;
      }
      if (!active) break;
    }
  }
  Fitted out;
  out.generic_engine.traits = systems.default_engine;
  for (int f = 0; f < nf; ++f) out.families[fams[f]] = FamilyFromU(&u[f * kFamilyParams]);
  for (int e = 0; e < ne; ++e)
    out.engines[engs[e]] = EngineFromU(&u[nf * kFamilyParams + e * kEngineParams], traits[e]);
  // Families and engines without data take the mean of the fitted ones.
  if (nf > 0) {
    FamilyParams g{};
    g.gemm_efficiency = g.memory_efficiency = g.attention_efficiency = 0;
    g.decode_attention_efficiency = g.kv_read_efficiency = 0;
    g.comm_efficiency = 0;
    double ko = 0, cl = 0;
    for (const auto& [k, p] : out.families) {
      g.gemm_efficiency += p.gemm_efficiency / nf;
      g.memory_efficiency += p.memory_efficiency / nf;
      g.attention_efficiency += p.attention_efficiency / nf;
      g.decode_attention_efficiency += p.decode_attention_efficiency / nf;
      g.kv_read_efficiency += p.kv_read_efficiency / nf;
      g.comm_efficiency += p.comm_efficiency / nf;
      ko += p.kernel_overhead.base() / nf;
      cl += p.comm_latency.base() / nf;
    }
    g.kernel_overhead = Seconds::FromBase(ko);
    g.comm_latency = Seconds::FromBase(cl);
    out.generic = g;
  }
  if (ne > 0) {
    double so = 0, qo = 0, ro = 0, co = 0, b = 0, ov = 0, lo = 0, kf = 0;
    for (const auto& [k, e] : out.engines) {
      kf += e.kernel_fusion / ne;
      ov += e.overlap / ne;
      lo += e.launch_overhead.base() / ne;
      so += e.step_overhead.base() / ne;
      qo += e.seq_overhead.base() / ne;
      ro += e.request_overhead.base() / ne;
      co += e.client_overhead.base() / ne;
      b += e.burst / ne;
    }
    out.generic_engine.step_overhead = Seconds::FromBase(so);
    out.generic_engine.seq_overhead = Seconds::FromBase(qo);
    out.generic_engine.request_overhead = Seconds::FromBase(ro);
    out.generic_engine.client_overhead = Seconds::FromBase(co);
    out.generic_engine.burst = b;
    out.generic_engine.overlap = ov;
    out.generic_engine.traits.dp_attention_cpu =
        DpAttentionCpu(out.generic_engine.traits.dp_attention_hidden, ov);
    out.generic_engine.launch_overhead = Seconds::FromBase(lo);
    out.generic_engine.kernel_fusion = kf;
  }
  return out;
}

// One held-out comparison: |predicted/measured - 1|, log(measured/predicted) (NaN when the
// model says the measured deployment does not fit) and the row's coverage fold.
struct Sample {
  double abs = 0;
  double logr = kNaN;
  int fold = 0;
  std::string_view engine;  // the band slice: engine ("" none) and kind of model
  ModelKind kind = ModelKind::kAny;
  std::string_view chip;  // for the per-chip summary of the bands
};

struct Errors {
  std::array<std::vector<Sample>, kMetricCount> m;
  void Add(PerfMetric metric, double predicted, double measured, int fold) {
    if (std::isnan(predicted) || !(measured > 0) || !(predicted > 0)) return;
    m[static_cast<int>(metric)].push_back(
        {std::abs(predicted / measured - 1), std::log(measured / predicted), fold, {}, {}, {}});
  }
  // Marks every sample with the slice and chip of the row they came from.
  void SetSlice(std::string_view engine, ModelKind kind, std::string_view chip) {
    for (auto& v : m)
      for (Sample& x : v) x.engine = engine, x.kind = kind, x.chip = chip;
  }
  void Merge(const Errors& o) {
    for (int i = 0; i < kMetricCount; ++i) m[i].insert(m[i].end(), o.m[i].begin(), o.m[i].end());
  }
  std::vector<double> Abs(int metric) const {
    std::vector<double> v;
    v.reserve(m[metric].size());
    for (const Sample& x : m[metric]) v.push_back(x.abs);
    return v;
  }
};

Errors ErrorsOf(const Row& r, const Pred& p) {
  Errors e;
  const ValidationPoint& v = *r.pt;
  const int fold = v.fold;
  if (!p.fits) {
    // A measured deployment the model says cannot fit is an error of 100%, outside any band.
    for (auto [m, has] : {std::pair{PerfMetric::kTtft, v.ttft_s.has_value()},
                          std::pair{PerfMetric::kTpot, v.tpot_s.has_value()},
                          std::pair{PerfMetric::kThroughput, v.throughput.has_value()}})
      if (has) e.m[static_cast<int>(m)].push_back({1.0, kNaN, fold, {}, {}, {}});
    e.SetSlice(v.engine, r.kind, v.chip);
    return e;
  }
  if (v.ttft_s) e.Add(PerfMetric::kTtft, p.ttft, *v.ttft_s, fold);
  if (v.tpot_s) e.Add(PerfMetric::kTpot, p.tpot, *v.tpot_s, fold);
  if (v.throughput) e.Add(PerfMetric::kThroughput, p.thr, *v.throughput, fold);
  if (v.kind == PointKind::kTraining) {
    double measured = v.step_s.value_or(kNaN);
    if (v.tflops_per_gpu) measured = p.flops / (*v.tflops_per_gpu * 1e12 * v.gpus);
    e.Add(PerfMetric::kTrainStep, p.step, measured, fold);
  }
  e.SetSlice(v.engine, r.kind, v.chip);
  return e;
}

// The regimes of a row's bands under a prediction: an aggregated serving row's as a query's
// (RegimesOf, with the prediction's parts), the others' as set from the row alone.
Regimes RowRegimes(const Row& r, const Pred& p) {
  if (r.regime == Regime::kOffline) return {r.regime, r.regime, true};
  if (r.pt->kind != PointKind::kServing || !p.fits) return {r.regime, r.batch_regime};
  return RegimesOf(r.batch, r.regime == Regime::kQueued, p.parts);
}

// Adds a row's errors to the per-regime groups: TTFT under TTFT's regime, the other metrics
// under theirs.
void MergeByRegime(std::array<Errors, kRegimeCount>& groups, const Errors& e, Regimes r) {
  for (int m = 0; m < kMetricCount; ++m) {
    const Regime g = RegimeFor(r, static_cast<PerfMetric>(m));
    auto& dst = groups[static_cast<int>(g)].m[m];
    dst.insert(dst.end(), e.m[m].begin(), e.m[m].end());
  }
}

// Linear-interpolation quantile of sorted values.
double Quantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return kNaN;
  const double pos = q * (sorted.size() - 1);
  const std::size_t lo = static_cast<std::size_t>(pos);
  const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

// The 90% band of log(measured/predicted) from `samples` (those that fit), skipping sample
// `skip` (none when skip < 0) and the samples of fold `skip_fold` (none when < 0): the order
// statistics floor(0.05 (n + 1)) and ceil(0.95 (n + 1)) of the n values, which cover a new
// value with probability >= 90% whatever n (split-conformal rule); with few values that is the
// full range. (The shortest run of 0.9 (n + 1) order statistics is narrower where the errors
// are skewed, but its cross-fitted coverage fell to 84-86%, below what it promises: not used.)
std::pair<double, double> LogBand(const std::vector<Sample>& samples, int skip_fold,
                                  std::ptrdiff_t skip) {
  std::vector<double> v;
  for (std::size_t i = 0; i < samples.size(); ++i) {
    if (static_cast<std::ptrdiff_t>(i) == skip || std::isnan(samples[i].logr)) continue;
    if (skip_fold >= 0 && samples[i].fold == skip_fold) continue;
    v.push_back(samples[i].logr);
  }
  if (v.empty()) return {kNaN, kNaN};
  std::sort(v.begin(), v.end());
  const double n = static_cast<double>(v.size());
  const auto lo = static_cast<std::size_t>(std::max(0.0, std::floor(0.05 * (n + 1)) - 1));
  const auto hi = static_cast<std::size_t>(std::min(n - 1, std::ceil(0.95 * (n + 1)) - 1));
  return {v[lo], v[hi]};
}

// Cross-fitted coverage of the 90% band set by `from`, judged on `judged` (a subset of `from`,
// or `from` itself): each fold judged by the band of the other fold of `from` (leave-one-out
// when a fold has fewer than 10 rows and `judged` is `from`; the band of all of `from`
// otherwise). Returns, per row of `judged`, whether it lies in its band.
std::vector<char> CoverageCrossFitted(const std::vector<Sample>& from,
                                      const std::vector<Sample>& judged) {
  int n[2] = {0, 0};
  for (const Sample& x : from) ++n[x.fold & 1];
  const bool folds = n[0] >= 10 && n[1] >= 10;
  const bool same = &from == &judged;
  std::pair<double, double> band[2];
  if (folds)
    for (int f = 0; f < 2; ++f) band[f] = LogBand(from, f, -1);
  else if (!same)
    band[0] = band[1] = LogBand(from, -1, -1);
  std::vector<char> covered(judged.size(), 0);
  for (std::size_t i = 0; i < judged.size(); ++i) {
    const Sample& x = judged[i];
    if (std::isnan(x.logr)) continue;
    const auto b =
        folds || !same ? band[x.fold & 1] : LogBand(from, -1, static_cast<std::ptrdiff_t>(i));
    covered[i] = !std::isnan(b.first) && x.logr >= b.first && x.logr <= b.second;
  }
  return covered;
}

ReportRow RowOf(const std::string& group, const Errors& e) {
  ReportRow r;
  r.group = group;
  for (int i = 0; i < kMetricCount; ++i) r.stats[i] = Summarize(e.Abs(i));
  return r;
}

std::vector<ReportRow> RowsOf(const std::map<std::string, Errors>& groups) {
  std::vector<ReportRow> out;
  for (const auto& [g, e] : groups) out.push_back(RowOf(g, e));
  return out;
}

// Why a serving measurement cannot be the run it describes, or nullptr. A closed loop of
// `concurrency` clients that each wait TTFT + (osl - 1) x TPOT per request processes
// concurrency x (isl + osl) tokens per cycle; each token costs at least 2 multiply-adds per
// weight it passes through (the language-model head and the embedding left out, so this is a
// floor). A row whose TTFT and TPOT need that floor faster than the GPUs' dense peak in the
// run's math format did not hold its stated concurrency and lengths (three gap-analysis rows
// of Qwen3-32B at 15,000-token prompts and 416-448 clients need 3x an NVFP4 B200's peak).
const char* BeyondPeak(const ValidationPoint& v, const ModelArch& m, const Hardware& hw) {
  if (v.kind != PointKind::kServing && v.kind != PointKind::kDisaggregated) return nullptr;
  if (!v.throughput || v.workload.osl <= 0) return nullptr;
  const double body =
      m.ActiveParams() - static_cast<double>(m.vocab) * m.hidden * (m.tied_embeddings ? 1 : 2);
  const double tokens_per_output =
      static_cast<double>(v.workload.isl + v.workload.osl) / v.workload.osl;
  const double needed = *v.throughput * tokens_per_output * 2 * body;  // per GPU
  const double peak = hw.ComputeRate(v.precision.activations).base();
  if (peak > 0 && needed > peak)
    return "TTFT and TPOT need more than the GPUs' dense peak for the stated lengths and "
           "clients (the run did not hold them)";
  return nullptr;
}

// Why a serving measurement cannot have run on the deployment it records, or nullptr: one copy
// of the weights, at the run's weight format, is larger than the memory of all its GPUs
// together (Qwen3-235B-A22B in FP8, about 235 GB, recorded on one 141 GB H200 at TP1; no
// offloading reaches the measured TPOT). The export misrecords such a deployment.
const char* WeightsBeyondMemory(const ValidationPoint& v, const ModelArch& m,
                                const Hardware& hw) {
  if (v.kind != PointKind::kServing && v.kind != PointKind::kDisaggregated) return nullptr;
  const double weights = m.TotalParams() * BytesPerElement(v.precision.weights);
  const double memory = v.gpus * hw.memory_capacity.base();
  if (memory > 0 && weights > memory)
    return "the weights alone exceed the memory of all the GPUs recorded (the export misrecords "
           "the deployment)";
  return nullptr;
}

}  // namespace

ErrorStats Summarize(std::vector<double> v) {
  ErrorStats s;
  s.count = static_cast<int>(v.size());
  if (v.empty()) return s;
  std::sort(v.begin(), v.end());
  auto q = [&](double f) {
    const double pos = f * (v.size() - 1);
    const std::size_t lo = static_cast<std::size_t>(pos);
    const std::size_t hi = std::min(lo + 1, v.size() - 1);
    return v[lo] + (v[hi] - v[lo]) * (pos - lo);
  };
  s.median = q(0.5);
  s.p90 = q(0.9);
  return s;
}

std::vector<ReportRow> RepeatSpread(const std::vector<const ValidationPoint*>& points) {
  // Configuration -> its points (serving measurements only).
  std::map<std::string, std::vector<const ValidationPoint*>> configs;
  for (const ValidationPoint* p : points) {
    if (p->kind != PointKind::kServing && p->kind != PointKind::kDisaggregated) continue;
    const PrecisionConfig& f = p->precision;
    configs[fmt::format("{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}", p->chip, p->model,
                        p->engine, DTypeName(f.weights), DTypeName(f.activations),
                        DTypeName(f.kv_cache), p->workload.isl, p->workload.osl,
                        p->workload.concurrency, p->gpus, p->par.ToString(),
                        p->prefill_par.ToString(), p->prefill_workers, p->decode_workers,
                        p->prefill_batch, p->decode_batch, static_cast<int>(p->kind))]
        .push_back(p);
  }
  enum { kSame, kOther, kUnrecorded, kGroups };
  std::array<std::array<std::vector<double>, kMetricCount>, kGroups> spread;
  auto add = [&](int group, PerfMetric m, const std::optional<double>& a,
                 const std::optional<double>& b) {
    if (!a || !b || !(*a > 0) || !(*b > 0)) return;
    spread[group][static_cast<int>(m)].push_back(std::max(*a, *b) / std::min(*a, *b) - 1);
  };
  for (const auto& [key, same] : configs)
    for (std::size_t i = 0; i < same.size(); ++i)
      for (std::size_t j = i + 1; j < same.size(); ++j) {
        const ValidationPoint& a = *same[i];
        const ValidationPoint& b = *same[j];
        const int g = a.engine_version.empty() || b.engine_version.empty() ? kUnrecorded
                      : a.engine_version == b.engine_version                ? kSame
                                                                            : kOther;
        add(g, PerfMetric::kTtft, a.ttft_s, b.ttft_s);
        add(g, PerfMetric::kTpot, a.tpot_s, b.tpot_s);
        add(g, PerfMetric::kThroughput, a.throughput, b.throughput);
      }
  static constexpr const char* kNames[kGroups] = {"same engine version", "another engine version",
                                                  "a version not recorded"};
  std::vector<ReportRow> out;
  for (int g = 0; g < kGroups; ++g) {
    ReportRow row;
    row.group = kNames[g];
    for (int m = 0; m < kMetricCount; ++m) row.stats[m] = Summarize(spread[g][m]);
    if (row.stats[static_cast<int>(PerfMetric::kTtft)].count > 0 ||
        row.stats[static_cast<int>(PerfMetric::kTpot)].count > 0 ||
        row.stats[static_cast<int>(PerfMetric::kThroughput)].count > 0)
      out.push_back(std::move(row));
  }
  return out;
}

Result<ValidationReport> RunValidation(const ValidationSet& set, const catalog::Catalog& chips,
                                       const ModelCatalog& models, const SystemDefaults& systems,
                                       const ValidationOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  ValidationReport rep;
  rep.excluded = set.excluded;
  rep.csv_rows = set.csv_rows;
  rep.repaired = set.repaired;
  std::map<std::string, Hardware> hardware;
  std::vector<Row> rows;
  rows.reserve(set.points.size());
  std::map<std::string, int> build_failures;
  for (const ValidationPoint& v : set.points) {
    // One hardware description per chip and measured system (a point may name its own NICs).
    const std::string hw_key =
        v.system.scale_out ? fmt::format("{}@{}", v.chip, v.system.scale_out->base()) : v.chip;
    auto hit = hardware.find(hw_key);
    if (hit == hardware.end()) {
      const catalog::Chip* chip = chips.Find(v.chip);
      if (!chip) continue;
      auto hw = HardwareFromChip(*chip, systems, v.system);
      if (!hw.ok()) {
        ++build_failures[hw.error().message];
        continue;
      }
      hit = hardware.emplace(hw_key, std::move(*hw)).first;
    }
    const ModelArch* m = models.Find(v.model);
    const char* impossible = BeyondPeak(v, *m, hit->second);
    if (!impossible) impossible = WeightsBeyondMemory(v, *m, hit->second);
    if (impossible) {
      ++build_failures[impossible];
      continue;
    }
    Row r;
    r.pt = &v;
    r.family = hit->second.family;
    r.kind = m->moe.enabled() ? ModelKind::kMoe : ModelKind::kDense;
    r.csv = v.source == "aiconfigurator";
    Parallelism layout = v.par;
    PrecisionConfig prec = v.precision;
    if (v.kind == PointKind::kTraining) {
      r.tq = v.training;
      r.tq.model = m;
      r.tq.hardware = &hit->second;
      layout = TrainingParallelism(r.tq);
      prec = PrecisionForMode(v.training.precision);
      prec.kv_cache = DType::kBf16;
      r.dp = v.training.gpus / (v.training.tp * v.training.pp * v.training.cp);
      r.micro = std::max(1, v.training.global_batch / (r.dp * v.training.micro_batch));
    } else {
      prec = WithEngineAttention(prec, systems.EngineTraitsFor(v.engine), *m, hit->second);
    }
    auto sm = StepModel::Build(*m, hit->second, layout, prec);
    if (!sm.ok()) {
      ++build_failures[sm.error().message];
      continue;
    }
    r.sm = std::move(*sm);
    if (v.kind == PointKind::kDisaggregated) {
      auto pre = StepModel::Build(*m, hit->second, v.prefill_par, prec);
      if (!pre.ok()) {
        ++build_failures[pre.error().message];
        continue;
      }
      r.pre = std::move(*pre);
    }
    double batch = 64;
    if (v.kind == PointKind::kServing) {
      r.instances = std::max(1, v.gpus / v.par.Gpus());
      batch = static_cast<double>(v.workload.concurrency) / (r.instances * v.par.dp_attn);
    } else if (v.kind == PointKind::kDisaggregated) {
      batch = v.decode_batch;  // per attention rank (ServeDisaggTimes)
    } else if (v.kind == PointKind::kDecode) {
      batch = v.batch_per_gpu;
    }
    r.regime = batch <= 16 ? Regime::kSmallBatch : Regime::kLargeBatch;
    if (v.kind == PointKind::kDisaggregated) {
      r.regime = Regime::kDisaggregated;
    } else if (v.kind == PointKind::kServing && v.workload.requests > 0) {
      r.regime = Regime::kOffline;
    } else if (v.kind == PointKind::kServing) {
      // Whether clients queue for KV room depends on memory and the engine's scheduler only.
      EngineParams ep;
      ep.traits = systems.EngineTraitsFor(v.engine);
      if (ServeTimes(*r.sm, FamilyParams{}, ep, v.workload, r.instances).kv_limited)
        r.regime = Regime::kQueued;
    }
    r.batch_regime = r.regime == Regime::kQueued
                         ? (batch <= 16 ? Regime::kSmallBatch : Regime::kLargeBatch)
                         : r.regime;
    r.batch = batch;
    rows.push_back(std::move(r));
  }
  for (const auto& [msg, n] : build_failures) rep.excluded.push_back({msg, n});

  // The fits: full, leave-one-chip-out (CSV chips), leave-one-family-out (CSV families).
  std::vector<int> fit_all;
  std::set<std::string> csv_chips, csv_families;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (!rows[i].csv) continue;
    csv_chips.insert(rows[i].pt->chip);
    csv_families.insert(rows[i].family);
    if (rows[i].pt->fit)
      fit_all.push_back(static_cast<int>(i));
    else
      ++rep.test_rows;
  }
  rep.fit_rows = static_cast<int>(fit_all.size());
  struct Job {
    std::string chip, family;  // the left-out chip or family ("" for the full fit)
    std::vector<int> fit;
    Fitted result;
  };
  std::vector<Job> jobs;
  jobs.push_back({"", "", fit_all, {}});
  if (options.leave_one_out) {
    for (const std::string& c : csv_chips) {
      Job j{c, "", {}, {}};
      for (int i : fit_all)
        if (rows[i].pt->chip != c) j.fit.push_back(i);
      jobs.push_back(std::move(j));
    }
    if (csv_families.size() > 1)
      for (const std::string& f : csv_families) {
        Job j{"", f, {}, {}};
        for (int i : fit_all)
          if (rows[i].family != f) j.fit.push_back(i);
        jobs.push_back(std::move(j));
      }
  }
  // On the shared executor (base/executor.h): never more threads than the machine has.
  Executor::Shared().ParallelFor(jobs.size(), std::max(1, options.threads), [&](std::size_t k) {
    if (!options.stop.Stopped()) jobs[k].result = Fit(rows, jobs[k].fit, systems, options.stop);
  });
  if (options.stop.Stopped())
    return MakeError(ErrorCode::kDeadlineExceeded, "validation stopped at its deadline");

  // Held-out errors under the full fit.
  const Fitted& full = jobs[0].result;
  std::map<std::string, Errors> overall, per_chip, per_family, per_engine, in_sample;
  std::array<std::array<Errors, kRegimeCount>, 3> bands;  // [basis][regime]
  Errors train_errors;
  for (const Row& r : rows) {
    const Pred p = Predict(r, full.Family(r.family), full.Engine(r.pt->engine));
    PredictionRow pr;
    pr.point = *r.pt;
    pr.held_out = !(r.csv && r.pt->fit);
    const Regimes regimes = RowRegimes(r, p);
    pr.regime = regimes.ttft;
    pr.kv_limited = r.regime == Regime::kQueued;
    pr.fits = p.fits;
    if (r.pt->kind == PointKind::kTraining) {
      // The run ran, so its layout should fit; say where the memory accounting disagrees.
      const MemoryUse mem = TrainingMemory(*r.sm, r.tq, r.dp, r.micro, nullptr);
      pr.fits = mem.fits;
      rep.training_fits.push_back({r.pt->id, mem.fits, mem.total, mem.capacity});
    }
    auto z = [](double v) { return std::isnan(v) ? 0.0 : v; };
    pr.ttft_s = z(p.ttft), pr.tpot_s = z(p.tpot), pr.throughput = z(p.thr), pr.step_s = z(p.step);
    pr.parts = p.parts;
    if (r.pt->tflops_per_gpu)
      pr.measured_step_s = p.flops / (*r.pt->tflops_per_gpu * 1e12 * r.pt->gpus);
    else
      pr.measured_step_s = r.pt->step_s.value_or(0);
    rep.predictions.push_back(pr);
    if (r.csv && r.pt->fit) continue;
    const Errors e = ErrorsOf(r, p);
    overall["all held-out points"].Merge(e);
    overall[r.csv ? "held-out half (CSV)" : "published (not fitted)"].Merge(e);
    per_chip[r.pt->chip].Merge(e);
    const ModelArch* m = models.Find(r.pt->model);
    per_family[m ? m->family : r.pt->model].Merge(e);
    if (!r.pt->engine.empty()) per_engine[r.pt->engine].Merge(e);
    if (r.csv) in_sample[r.pt->chip].Merge(e);
    if (r.pt->kind == PointKind::kTraining) {
      train_errors.Merge(e);
      continue;
    }
    const bool profiled = csv_chips.count(r.pt->chip) > 0;
    const bool family_fitted = full.families.count(r.family) > 0;
    const int basis = profiled ? 0 : family_fitted ? 1 : 2;
    MergeByRegime(bands[basis], e, regimes);
  }
  // Leave-one-out errors.
  std::map<std::string, Errors> loco, lofo;
  for (std::size_t k = 1; k < jobs.size(); ++k) {
    const Job& j = jobs[k];
    for (const Row& r : rows) {
      if (!r.csv || r.pt->fit) continue;
      if (!j.chip.empty() && r.pt->chip != j.chip) continue;
      if (!j.family.empty() && r.family != j.family) continue;
      const FamilyParams& fp = j.chip.empty() ? j.result.generic : j.result.Family(r.family);
      const Pred p = Predict(r, fp, j.result.Engine(r.pt->engine));
      const Errors e = ErrorsOf(r, p);
      if (!j.chip.empty()) {
        loco[j.chip].Merge(e);
        loco["all chips (pooled)"].Merge(e);
        MergeByRegime(bands[1], e, RowRegimes(r, p));
      } else {
        lofo[j.family].Merge(e);
        MergeByRegime(bands[2], e, RowRegimes(r, p));
      }
    }
  }
  if (!loco.empty()) {
    Errors pooled;
    for (const std::string& c : csv_chips) pooled.Merge(in_sample[c]);
    in_sample["all chips (pooled)"] = pooled;
  }
  rep.overall = RowsOf(overall);
  rep.per_chip = RowsOf(per_chip);
  rep.per_family = RowsOf(per_family);
  rep.per_engine = RowsOf(per_engine);
  rep.loco = RowsOf(loco);
  rep.loco_in_sample = RowsOf(in_sample);
  rep.lofo = RowsOf(lofo);
  std::vector<const ValidationPoint*> modelled;
  for (const Row& r : rows)
    if (r.csv) modelled.push_back(r.pt);
  rep.repeats = RepeatSpread(modelled);
  rep.extra_points = set.extra_points;

  Calibration& cal = rep.fitted;
  cal.families = full.families;
  cal.engines = full.engines;
  cal.generic = full.generic;
  cal.generic_engine = full.generic_engine;
  cal.calibrated_chips.assign(csv_chips.begin(), csv_chips.end());
  // Bands: per basis, metric and regime, and per engine-and-kind slice of a regime with at
  // least kMinSliceRows held-out rows; training has one band (regime large_batch) for every
  // basis, from the published training points. A row's coverage and width are those of the
  // band its prediction gets (its slice's, else its regime's).
  auto band_of = [](const std::vector<Sample>& v) {
    std::vector<double> abs;
    for (const Sample& x : v) abs.push_back(x.abs);
    const ErrorStats st = Summarize(abs);
    ErrorBand b;
    b.p50 = st.median, b.p90 = st.p90, b.count = st.count;
    const auto [lo, hi] = LogBand(v, -1, -1);
    if (!std::isnan(lo)) b.low = std::min(1.0, std::exp(lo)), b.high = std::max(1.0, std::exp(hi));
    return b;
  };
  const int train = static_cast<int>(PerfMetric::kTrainStep);
  // Per chip (profiled basis): each of its rows with the band it gets, all regimes pooled.
  struct ChipBands {
    int count = 0, covered = 0;
    std::vector<double> widths;
  };
  std::array<std::map<std::string_view, ChipBands>, kMetricCount> per_chip_bands;
  for (int b = 0; b < 3; ++b) {
    for (int m = 0; m < kMetricCount; ++m) {
      int pooled_n = 0, pooled_covered = 0;
      std::vector<double> widths;
      // Adds judged rows, their coverage flags and the width of the band they get.
      auto add_chips = [&](const std::vector<Sample>& judged, const std::vector<char>& cov,
                           double width) {
        if (b != static_cast<int>(CalibrationBasis::kProfiled) || m == train) return;
        for (std::size_t i = 0; i < judged.size(); ++i) {
          ChipBands& cb = per_chip_bands[m][judged[i].chip];
          ++cb.count;
          cb.covered += cov[i];
          cb.widths.push_back(width);
        }
      };
      for (int g = 0; g < kRegimeCount; ++g) {
        if (m == train && g != static_cast<int>(Regime::kLargeBatch)) continue;
        const std::vector<Sample>& all = m == train ? train_errors.m[m] : bands[b][g].m[m];
        if (all.empty()) continue;
        const ErrorBand band = band_of(all);
        cal.bands[b][m][g] = band;
        BandRow row;
        row.basis = static_cast<CalibrationBasis>(b);
        row.metric = static_cast<PerfMetric>(m);
        row.regime = g;
        row.count = static_cast<int>(all.size());
        row.low = band.low, row.high = band.high;
        // The regime's slices: one engine and kind of model, kept when it has kMinSliceRows
        // rows and its band is stable between sweeps (set on either half of the rows, split by
        // sweep, it covers >= kMinSliceCoverage of the other half); its rows then get it.
        std::map<std::pair<std::string_view, ModelKind>, std::vector<Sample>> by_slice;
        if (m != train)
          for (const Sample& x : all)
            if (!x.engine.empty()) by_slice[{x.engine, x.kind}].push_back(x);
        // slice -> whether each of its rows lies in its band (cross-fitted)
        std::map<std::pair<std::string_view, ModelKind>, std::vector<char>> kept;
        for (const auto& [key, v] : by_slice) {
          if (v.size() < kMinSliceRows) continue;
          std::vector<char> cov = CoverageCrossFitted(v, v);
          if (std::count(cov.begin(), cov.end(), 1) >=
              kMinSliceCoverage * static_cast<double>(v.size()))
            kept[key] = std::move(cov);
        }
        std::vector<Sample> rest;
        for (const Sample& x : all)
          if (!kept.count({x.engine, x.kind})) rest.push_back(x);
        const std::vector<char> rest_cov = rest.size() == all.size()
                                               ? CoverageCrossFitted(all, all)
                                               : CoverageCrossFitted(all, rest);
        int covered = static_cast<int>(std::count(rest_cov.begin(), rest_cov.end(), 1));
        std::vector<double> row_widths(rest.size(), band.high / band.low);
        add_chips(rest, rest_cov, band.high / band.low);
        std::vector<BandRow> slice_rows;
        for (const auto& [key, cov] : kept) {
          const std::vector<Sample>& v = by_slice[key];
          const int c = static_cast<int>(std::count(cov.begin(), cov.end(), 1));
          ErrorBand sb = band_of(v);
          sb.engine = std::string(key.first);
          sb.kind = key.second;
          cal.slices[{b, m, g, sb.engine, sb.kind}] = sb;
          BandRow sr = row;
          sr.engine = sb.engine;
          sr.kind = sb.kind;
          sr.count = static_cast<int>(v.size());
          sr.coverage = static_cast<double>(c) / sr.count;
          sr.median_width = sb.high / sb.low;
          sr.low = sb.low, sr.high = sb.high;
          slice_rows.push_back(sr);
          covered += c;
          row_widths.insert(row_widths.end(), v.size(), sb.high / sb.low);
          add_chips(v, cov, sb.high / sb.low);
        }
        std::sort(row_widths.begin(), row_widths.end());
        row.coverage = static_cast<double>(covered) / row.count;
        row.median_width = Quantile(row_widths, 0.5);
        rep.bands.push_back(row);
        rep.bands.insert(rep.bands.end(), slice_rows.begin(), slice_rows.end());
        pooled_n += row.count, pooled_covered += covered;
        widths.insert(widths.end(), row_widths.begin(), row_widths.end());
      }
      if (pooled_n == 0 || m == train) continue;
      std::sort(widths.begin(), widths.end());
      BandRow all;
      all.basis = static_cast<CalibrationBasis>(b);
      all.metric = static_cast<PerfMetric>(m);
      all.regime = -1;
      all.count = pooled_n;
      all.coverage = static_cast<double>(pooled_covered) / pooled_n;
      all.median_width = Quantile(widths, 0.5);
      rep.bands.push_back(all);
    }
  }
  for (int m = 0; m < kMetricCount; ++m)
    for (auto& [chip, cb] : per_chip_bands[m]) {
      if (chip.empty() || cb.count == 0) continue;
      std::sort(cb.widths.begin(), cb.widths.end());
      BandRow row;
      row.metric = static_cast<PerfMetric>(m);
      row.chip = std::string(chip);
      row.count = cb.count;
      row.coverage = static_cast<double>(cb.covered) / cb.count;
      row.median_width = Quantile(cb.widths, 0.5);
      rep.band_chips.push_back(row);
      if (std::find(cal.calibrated_chips.begin(), cal.calibrated_chips.end(), row.chip) !=
          cal.calibrated_chips.end())
        cal.chip_coverage[row.chip][m] = {row.coverage, row.count};
    }
  rep.elapsed = Seconds::FromBase(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return rep;
}

}  // namespace ceiling::perf

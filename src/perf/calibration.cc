#include "ceiling/perf/calibration.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>

#include "ceiling/base/toml_reader.h"
#include "ceiling/catalog/catalog.h"

namespace ceiling::perf {
namespace {

Result<double> ReadParam(const TomlTable& t, std::string_view key, double lo, double hi) {
  ASSIGN_OR_RETURN(double v, t.GetNumber(key));
  if (!(v >= lo && v <= hi))
    return t.ErrorAt(key, fmt::format("must be between {} and {}, got {}", lo, hi, v));
  return v;
}

// The band of one table: p50, p90, low, high, count.
Status ReadBand(const TomlTable& t, ErrorBand& e) {
  RETURN_IF_ERROR(t.CheckKeys({"p50", "p90", "low", "high", "count"}));
  ASSIGN_OR_RETURN(e.p50, ReadParam(t, "p50", 0, 1e3));
  ASSIGN_OR_RETURN(e.p90, ReadParam(t, "p90", 0, 1e3));
  ASSIGN_OR_RETURN(e.low, ReadParam(t, "low", 1e-6, 1.0));
  ASSIGN_OR_RETURN(e.high, ReadParam(t, "high", 1.0, 1e6));
  ASSIGN_OR_RETURN(std::int64_t n, t.GetInteger("count"));
  if (n < 0 || n > 100'000'000)
    return t.ErrorAt("count", fmt::format("must be between 0 and 100000000, got {}", n));
  e.count = static_cast<int>(n);
  return OkStatus();
}

// One calibrated chip's coverage table: `<metric> = fraction` with `<metric>_rows = count`.
Status ReadChipCoverage(const TomlTable& t,
                        std::array<Calibration::ChipCoverage, kMetricCount>& out) {
  std::vector<std::string> keys;
  for (int m = 0; m < kMetricCount; ++m) {
    const std::string name(PerfMetricName(static_cast<PerfMetric>(m)));
    keys.push_back(name);
    keys.push_back(name + "_rows");
  }
  RETURN_IF_ERROR(t.CheckKeys(keys));
  for (int m = 0; m < kMetricCount; ++m) {
    const std::string& name = keys[2 * m];
    const std::string& rows = keys[2 * m + 1];
    if (t.Has(name) != t.Has(rows))
      return t.ErrorAt(t.Has(name) ? name : rows,
                       fmt::format("{} and {} go together", name, rows));
    if (!t.Has(name)) continue;
    ASSIGN_OR_RETURN(out[m].coverage, ReadParam(t, name, 0.0, 1.0));
    ASSIGN_OR_RETURN(std::int64_t n, t.GetInteger(rows));
    if (n < 1 || n > 100'000'000)
      return t.ErrorAt(rows, fmt::format("must be between 1 and 100000000, got {}", n));
    out[m].count = static_cast<int>(n);
  }
  return OkStatus();
}

// Index of `name` among the `count` names `name_of` gives, or -1.
template <typename Enum, typename NameOf>
int IndexOf(std::string_view name, int count, NameOf name_of) {
  for (int i = 0; i < count; ++i)
    if (name_of(static_cast<Enum>(i)) == name) return i;
  return -1;
}

using BandVisitor =
    std::function<Status(int basis, int metric, int regime, const std::string& engine,
                         ModelKind kind, const TomlTable& band)>;

// Walks [<table>.<basis>.<metric>.<regime>] band tables, or, when `engine_known` is set,
// [<table>.<basis>.<metric>.<regime>.<engine>.<kind>] slice tables, checking every name.
Status ForEachBandTable(const TomlTable& top,
                        const std::function<bool(const std::string&)>& engine_known,
                        const BandVisitor& visit) {
  for (const std::string& bk : top.Keys()) {
    const int b = IndexOf<CalibrationBasis>(bk, 3, CalibrationBasisName);
    if (b < 0) return top.ErrorAt(bk, "expected profiled, unprofiled_chip or unprofiled_family");
    ASSIGN_OR_RETURN(TomlTable bt, top.GetTable(bk));
    for (const std::string& mk : bt.Keys()) {
      const int m = IndexOf<PerfMetric>(mk, kMetricCount, PerfMetricName);
      if (m < 0) return bt.ErrorAt(mk, "expected ttft, tpot, throughput or train_step");
      ASSIGN_OR_RETURN(TomlTable mt, bt.GetTable(mk));
      for (const std::string& rk : mt.Keys()) {
        const int r = IndexOf<Regime>(rk, kRegimeCount, RegimeName);
        if (r < 0)
          return mt.ErrorAt(
              rk, "expected small_batch, large_batch, queued, disaggregated, contended or "
                  "offline");
        ASSIGN_OR_RETURN(TomlTable rt, mt.GetTable(rk));
        if (!engine_known) {
          RETURN_IF_ERROR(visit(b, m, r, "", ModelKind::kAny, rt));
          continue;
        }
        for (const std::string& ek : rt.Keys()) {
          if (!engine_known(ek))
            return rt.ErrorAt(ek, "is not an engine of this calibration ([engines.*])");
          ASSIGN_OR_RETURN(TomlTable et, rt.GetTable(ek));
          for (const std::string& kk : et.Keys()) {
            const int k = IndexOf<ModelKind>(kk, kModelKindCount, ModelKindName);
            if (k < 0) return et.ErrorAt(kk, "expected any, dense or moe");
            ASSIGN_OR_RETURN(TomlTable kt, et.GetTable(kk));
            RETURN_IF_ERROR(visit(b, m, r, ek, static_cast<ModelKind>(k), kt));
          }
        }
      }
    }
  }
  return OkStatus();
}

Result<FamilyParams> ReadFamily(const TomlTable& t) {
  RETURN_IF_ERROR(t.CheckKeys({"gemm_efficiency", "memory_efficiency", "attention_efficiency",
                               "decode_attention_efficiency", "kv_read_efficiency",
                               "kernel_overhead_us", "comm_efficiency", "comm_latency_us"}));
  FamilyParams p;
  ASSIGN_OR_RETURN(p.gemm_efficiency, ReadParam(t, "gemm_efficiency", 0.01, 1.0));
  ASSIGN_OR_RETURN(p.memory_efficiency, ReadParam(t, "memory_efficiency", 0.01, 1.0));
  ASSIGN_OR_RETURN(p.attention_efficiency, ReadParam(t, "attention_efficiency", 0.01, 1.0));
  ASSIGN_OR_RETURN(p.decode_attention_efficiency,
                   ReadParam(t, "decode_attention_efficiency", 0.01, 1.0));
  ASSIGN_OR_RETURN(p.kv_read_efficiency, ReadParam(t, "kv_read_efficiency", 0.01, 1.0));
  ASSIGN_OR_RETURN(double k, ReadParam(t, "kernel_overhead_us", 0.0, 1e4));
  p.kernel_overhead = Seconds::FromBase(k * 1e-6);
  ASSIGN_OR_RETURN(p.comm_efficiency, ReadParam(t, "comm_efficiency", 0.01, 1.0));
  ASSIGN_OR_RETURN(double l, ReadParam(t, "comm_latency_us", 0.0, 1e5));
  p.comm_latency = Seconds::FromBase(l * 1e-6);
  return p;
}

Result<EngineParams> ReadEngine(const TomlTable& t) {
  RETURN_IF_ERROR(t.CheckKeys({"step_overhead_ms", "seq_overhead_us", "overlap",
                               "launch_overhead_us", "kernel_fusion", "request_overhead_ms",
                               "client_overhead_ms", "burst", "mixed_prefill", "reserve_full_kv",
                               "speculative_overlap", "dp_attention_hidden_ms",
                               "inline_postprocessing", "pooled_request_overhead_ms",
                               "fp8_context_attention", "fp8_latent_bmm", "shared_expert_fusion",
                               "memory", "memory_share", "sliding_kv_ratio", "tiers"}));
  EngineParams e;
  ASSIGN_OR_RETURN(double s, ReadParam(t, "step_overhead_ms", 0.0, 1e4));
  e.step_overhead = Seconds::FromBase(s * 1e-3);
  ASSIGN_OR_RETURN(double q, ReadParam(t, "seq_overhead_us", 0.0, 1e5));
  e.seq_overhead = Seconds::FromBase(q * 1e-6);
  ASSIGN_OR_RETURN(e.overlap, ReadParam(t, "overlap", 0.0, 1.0));
  ASSIGN_OR_RETURN(double l, ReadParam(t, "launch_overhead_us", 0.0, 1e5));
  e.launch_overhead = Seconds::FromBase(l * 1e-6);
  ASSIGN_OR_RETURN(e.kernel_fusion, ReadParam(t, "kernel_fusion", 0.01, 100.0));
  ASSIGN_OR_RETURN(double r, ReadParam(t, "request_overhead_ms", 0.0, 1e5));
  e.request_overhead = Seconds::FromBase(r * 1e-3);
  ASSIGN_OR_RETURN(double c, ReadParam(t, "client_overhead_ms", 0.0, 1e4));
  e.client_overhead = Seconds::FromBase(c * 1e-3);
  ASSIGN_OR_RETURN(e.burst, ReadParam(t, "burst", 0.0, 1.0));
  ASSIGN_OR_RETURN(e.traits.mixed_prefill, t.GetBool("mixed_prefill"));
  ASSIGN_OR_RETURN(e.traits.reserve_full_kv, t.GetBool("reserve_full_kv"));
  if (t.Has("dp_attention_hidden_ms")) {
    ASSIGN_OR_RETURN(double d, ReadParam(t, "dp_attention_hidden_ms", 0.0, 1e3));
    e.traits.dp_attention_hidden = d * 1e-3;
    e.traits.dp_attention_cpu = DpAttentionCpu(e.traits.dp_attention_hidden, e.overlap);
  }
  RETURN_IF_ERROR(ReadEngineSwitches(t, &e.traits));
  RETURN_IF_ERROR(ReadEngineMemory(t, &e.traits));
  // The request overhead with post-processing workers: fitted for, and written with, the
  // engines that post-process inline by default only.
  if (e.traits.inline_postprocessing) {
    ASSIGN_OR_RETURN(double p, ReadParam(t, "pooled_request_overhead_ms", 0.0, 1e5));
    e.pooled_request_overhead = Seconds::FromBase(p * 1e-3);
  } else if (t.Has("pooled_request_overhead_ms")) {
    return t.ErrorAt("pooled_request_overhead_ms",
                     "applies only to an engine with inline_postprocessing = true");
  }
  ASSIGN_OR_RETURN(std::vector<TomlTable> tiers, t.GetTableArray("tiers"));
  if (tiers.empty() || static_cast<int>(tiers.size()) > EngineTraits::kMaxTiers)
    return t.ErrorAt("tiers", fmt::format("expected 1 to {} tiers", EngineTraits::kMaxTiers));
  e.traits.tier_count = static_cast<int>(tiers.size());
  for (std::size_t i = 0; i < tiers.size(); ++i) {
    RETURN_IF_ERROR(tiers[i].CheckKeys({"from_memory_gb", "chunk_tokens", "max_batch"}));
    EngineTraits::Tier& tier = e.traits.tiers[i];
    ASSIGN_OR_RETURN(double m, ReadParam(tiers[i], "from_memory_gb", 0.0, 1e9));
    tier.from_memory = m * 1e9;
    ASSIGN_OR_RETURN(tier.chunk_tokens, ReadParam(tiers[i], "chunk_tokens", 1.0, 1e7));
    if (tiers[i].Has("max_batch")) {
      ASSIGN_OR_RETURN(tier.max_batch, ReadParam(tiers[i], "max_batch", 1.0, 1e7));
    }
  }
  return e;
}

std::string FamilyToml(const FamilyParams& p) {
  return fmt::format(
      "gemm_efficiency = {:.6g}\nmemory_efficiency = {:.6g}\n"
      "attention_efficiency = {:.6g}\ndecode_attention_efficiency = {:.6g}\n"
      "kv_read_efficiency = {:.6g}\n"
      "kernel_overhead_us = {:.6g}\ncomm_efficiency = {:.6g}\n"
      "comm_latency_us = {:.6g}\n",
      p.gemm_efficiency, p.memory_efficiency, p.attention_efficiency, p.decode_attention_efficiency,
      p.kv_read_efficiency, p.kernel_overhead.base() * 1e6, p.comm_efficiency,
      p.comm_latency.base() * 1e6);
}

std::string EngineToml(const EngineParams& e) {
  std::string s = fmt::format(
      "step_overhead_ms = {:.6g}\nseq_overhead_us = {:.6g}\noverlap = {:.6g}\n"
      "launch_overhead_us = {:.6g}\nkernel_fusion = {:.6g}\nrequest_overhead_ms = {:.6g}\n"
      "client_overhead_ms = {:.6g}\nburst = {:.6g}\n",
      e.step_overhead.base() * 1e3, e.seq_overhead.base() * 1e6, e.overlap,
      e.launch_overhead.base() * 1e6, e.kernel_fusion, e.request_overhead.base() * 1e3,
      e.client_overhead.base() * 1e3, e.burst);
  s += fmt::format("mixed_prefill = {}\nreserve_full_kv = {}\n", e.traits.mixed_prefill,
                   e.traits.reserve_full_kv);
  // Written only where they differ from the defaults, as engines.toml states them.
  if (!e.traits.speculative_overlap) s += "speculative_overlap = false\n";
  if (e.traits.dp_attention_hidden > 0)
    s += fmt::format("dp_attention_hidden_ms = {:.6g}\n", e.traits.dp_attention_hidden * 1e3);
  if (e.traits.inline_postprocessing)
    s += fmt::format("inline_postprocessing = true\npooled_request_overhead_ms = {:.6g}\n",
                     e.pooled_request_overhead.base() * 1e3);
  if (e.traits.fp8_context_attention) s += "fp8_context_attention = true\n";
  if (e.traits.fp8_latent_bmm) s += "fp8_latent_bmm = true\n";
  if (e.traits.shared_expert_fusion) s += "shared_expert_fusion = true\n";
  if (e.traits.memory_policy != EngineTraits::MemoryPolicy::kDefault)
    s += fmt::format("memory = \"{}\"\n", EngineMemoryName(e.traits.memory_policy));
  if (e.traits.UsesMemoryShare())
    s += fmt::format("memory_share = {:.6g}\n", e.traits.memory_share);
  if (e.traits.sliding_kv_ratio >= 0)
    s += fmt::format("sliding_kv_ratio = {:.6g}\n", e.traits.sliding_kv_ratio);
  s += "tiers = [";
  for (int i = 0; i < e.traits.tier_count; ++i) {
    const EngineTraits::Tier& t = e.traits.tiers[i];
    s += fmt::format("{}{{ from_memory_gb = {:.6g}, chunk_tokens = {:.6g}", i ? ", " : "",
                     t.from_memory / 1e9, t.chunk_tokens);
    if (t.max_batch < 1e9) s += fmt::format(", max_batch = {:.6g}", t.max_batch);
    s += " }";
  }
  return s + "]\n";
}

}  // namespace

std::string_view PerfMetricName(PerfMetric m) {
  switch (m) {
    case PerfMetric::kTtft:
      return "ttft";
    case PerfMetric::kTpot:
      return "tpot";
    case PerfMetric::kThroughput:
      return "throughput";
    case PerfMetric::kTrainStep:
      return "train_step";
  }
  return "?";
}

std::string_view EngineMemoryName(EngineTraits::MemoryPolicy m) {
  switch (m) {
    case EngineTraits::MemoryPolicy::kDefault:
      return "default";
    case EngineTraits::MemoryPolicy::kDeviceShare:
      return "device_share";
    case EngineTraits::MemoryPolicy::kFreeShare:
      return "free_share";
    case EngineTraits::MemoryPolicy::kSglang:
      return "sglang";
  }
  return "?";
}

Status ReadEngineSwitches(const TomlTable& t, EngineTraits* e) {
  for (auto [key, flag] : {std::pair{"speculative_overlap", &e->speculative_overlap},
                           std::pair{"inline_postprocessing", &e->inline_postprocessing},
                           std::pair{"fp8_context_attention", &e->fp8_context_attention},
                           std::pair{"fp8_latent_bmm", &e->fp8_latent_bmm},
                           std::pair{"shared_expert_fusion", &e->shared_expert_fusion}}) {
    if (t.Has(key)) {
      ASSIGN_OR_RETURN(*flag, t.GetBool(key));
    }
  }
  return OkStatus();
}

Status ReadEngineMemory(const TomlTable& t, EngineTraits* e) {
  using M = EngineTraits::MemoryPolicy;
  ASSIGN_OR_RETURN(auto name, t.GetOptionalString("memory"));
  e->memory_policy = M::kDefault;
  if (name) {
    bool known = false;
    for (M m : {M::kDefault, M::kDeviceShare, M::kFreeShare, M::kSglang})
      if (*name == EngineMemoryName(m)) {
        e->memory_policy = m;
        known = true;
      }
    if (!known)
      return t.ErrorAt("memory",
                       fmt::format("unknown policy \"{}\": expected default, device_share, "
                                   "free_share or sglang",
                                   *name));
  }
  if (e->UsesMemoryShare()) {
    ASSIGN_OR_RETURN(e->memory_share, ReadParam(t, "memory_share", 0.5, 1.0));
  } else if (t.Has("memory_share")) {
    return t.ErrorAt("memory_share",
                     "applies only to memory = \"device_share\" or \"free_share\"");
  }
  e->sliding_kv_ratio = -1;
  if (t.Has("sliding_kv_ratio")) {
    ASSIGN_OR_RETURN(e->sliding_kv_ratio, ReadParam(t, "sliding_kv_ratio", 0.0, 1.0));
  }
  return OkStatus();
}

std::string_view RegimeName(Regime r) {
  switch (r) {
    case Regime::kSmallBatch:
      return "small_batch";
    case Regime::kLargeBatch:
      return "large_batch";
    case Regime::kQueued:
      return "queued";
    case Regime::kDisaggregated:
      return "disaggregated";
    case Regime::kContended:
      return "contended";
    case Regime::kOffline:
      return "offline";
  }
  return "?";
}

std::string_view CalibrationBasisName(CalibrationBasis b) {
  switch (b) {
    case CalibrationBasis::kProfiled:
      return "profiled";
    case CalibrationBasis::kUnprofiledChip:
      return "unprofiled_chip";
    case CalibrationBasis::kUnprofiledFamily:
      return "unprofiled_family";
  }
  return "?";
}

const FamilyParams& Calibration::Family(std::string_view family, bool* fitted) const {
  auto it = families.find(std::string(family));
  if (fitted) *fitted = it != families.end();
  return it == families.end() ? generic : it->second;
}

const EngineParams& Calibration::Engine(std::string_view engine) const {
  auto it = engines.find(std::string(engine));
  return it == engines.end() ? generic_engine : it->second;
}

std::string_view ModelKindName(ModelKind k) {
  switch (k) {
    case ModelKind::kAny:
      return "any";
    case ModelKind::kDense:
      return "dense";
    case ModelKind::kMoe:
      return "moe";
  }
  return "";
}

const ErrorBand& Calibration::Band(CalibrationBasis b, PerfMetric m, Regime r) const {
  return bands[static_cast<int>(b)][static_cast<int>(m)][static_cast<int>(r)];
}

const ErrorBand& Calibration::Band(CalibrationBasis b, PerfMetric m, Regime r,
                                   std::string_view engine, ModelKind kind) const {
  const auto it = slices.find(
      {static_cast<int>(b), static_cast<int>(m), static_cast<int>(r), std::string(engine), kind});
  return it != slices.end() ? it->second : Band(b, m, r);
}

CalibrationBasis Calibration::BasisFor(std::string_view chip_id, std::string_view family) const {
  if (std::find(calibrated_chips.begin(), calibrated_chips.end(), chip_id) !=
      calibrated_chips.end())
    return CalibrationBasis::kProfiled;
  return families.count(std::string(family)) ? CalibrationBasis::kUnprofiledChip
                                             : CalibrationBasis::kUnprofiledFamily;
}

const std::array<Calibration::ChipCoverage, kMetricCount>* Calibration::CoverageOf(
    std::string_view chip_id) const {
  auto it = chip_coverage.find(chip_id);
  return it == chip_coverage.end() ? nullptr : &it->second;
}

Result<Calibration> ParseCalibrationFile(const std::filesystem::path& path) {
  ASSIGN_OR_RETURN(TomlTable doc, TomlTable::ParseFile(path, catalog::DisplayPath(path)));
  return ParseCalibration(doc);
}

Result<Calibration> ParseCalibrationText(std::string_view text, std::string display_name) {
  ASSIGN_OR_RETURN(TomlTable doc, TomlTable::ParseString(text, std::move(display_name)));
  return ParseCalibration(doc);
}

Result<Calibration> ParseCalibration(const TomlTable& doc) {
  RETURN_IF_ERROR(doc.CheckKeys({"produced_by", "calibrated_chips", "generic", "families",
                                 "generic_engine", "engines", "bands", "slices",
                                 "chip_coverage"}));
  Calibration c;
  ASSIGN_OR_RETURN(c.produced_by, doc.GetString("produced_by"));
  ASSIGN_OR_RETURN(c.calibrated_chips, doc.GetStringArray("calibrated_chips"));
  ASSIGN_OR_RETURN(TomlTable g, doc.GetTable("generic"));
  ASSIGN_OR_RETURN(c.generic, ReadFamily(g));
  ASSIGN_OR_RETURN(TomlTable fams, doc.GetTable("families"));
  for (const std::string& k : fams.Keys()) {
    ASSIGN_OR_RETURN(TomlTable t, fams.GetTable(k));
    ASSIGN_OR_RETURN(FamilyParams p, ReadFamily(t));
    c.families.emplace(k, p);
  }
  ASSIGN_OR_RETURN(TomlTable ge, doc.GetTable("generic_engine"));
  ASSIGN_OR_RETURN(c.generic_engine, ReadEngine(ge));
  ASSIGN_OR_RETURN(TomlTable engs, doc.GetTable("engines"));
  for (const std::string& k : engs.Keys()) {
    ASSIGN_OR_RETURN(TomlTable t, engs.GetTable(k));
    ASSIGN_OR_RETURN(EngineParams e, ReadEngine(t));
    c.engines.emplace(k, e);
  }
  const BandVisitor read_band = [&](int b, int m, int r, const std::string&, ModelKind,
                                    const TomlTable& t) { return ReadBand(t, c.bands[b][m][r]); };
  const BandVisitor read_slice = [&](int b, int m, int r, const std::string& engine, ModelKind kind,
                                     const TomlTable& t) -> Status {
    ErrorBand e;
    RETURN_IF_ERROR(ReadBand(t, e));
    e.engine = engine;
    e.kind = kind;
    c.slices[{b, m, r, engine, kind}] = e;
    return OkStatus();
  };
  const auto engine_known = [&](const std::string& e) { return c.engines.count(e) > 0; };
  if (doc.Has("bands")) {
    ASSIGN_OR_RETURN(TomlTable bands, doc.GetTable("bands"));
    RETURN_IF_ERROR(ForEachBandTable(bands, nullptr, read_band));
  }
  if (doc.Has("slices")) {
    ASSIGN_OR_RETURN(TomlTable slices, doc.GetTable("slices"));
    RETURN_IF_ERROR(ForEachBandTable(slices, engine_known, read_slice));
  }
  if (doc.Has("chip_coverage")) {
    ASSIGN_OR_RETURN(TomlTable chips, doc.GetTable("chip_coverage"));
    for (const std::string& chip : chips.Keys()) {
      if (std::find(c.calibrated_chips.begin(), c.calibrated_chips.end(), chip) ==
          c.calibrated_chips.end())
        return chips.ErrorAt(chip, "is not one of calibrated_chips");
      ASSIGN_OR_RETURN(TomlTable t, chips.GetTable(chip));
      RETURN_IF_ERROR(ReadChipCoverage(t, c.chip_coverage[chip]));
    }
  }
  return c;
}

double DpAttentionCpu(double hidden, double overlap) {
  constexpr double kMinOverlap = 0.05;
  return hidden > 0 ? hidden / std::max(overlap, kMinOverlap) : 0.0;
}

Result<Calibration> LoadCalibration(const std::filesystem::path& data_dir) {
  const auto path = data_dir / "perf" / "calibration.toml";
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    return MakeError(ErrorCode::kNotFound,
                     fmt::format("{}: no calibration (run `ceiling calibrate --write`)",
                                 catalog::DisplayPath(path)));
  return ParseCalibrationFile(path);
}

std::string CalibrationToToml(const Calibration& c) {
  std::string s =
      "# Calibrated parameters of the performance model (docs/perf.md, \"Calibration\").\n"
      "# Written by the command below; do not edit by hand: rerun it. Deterministic: the same\n"
      "# data and code produce the same bytes.\n";
  s += fmt::format("produced_by = \"{}\"\n", c.produced_by);
  s += "calibrated_chips = [";
  for (std::size_t i = 0; i < c.calibrated_chips.size(); ++i)
    s += fmt::format("{}\"{}\"", i ? ", " : "", c.calibrated_chips[i]);
  s += "]\n\n# Families without measurements use this set, fitted on every chip.\n[generic]\n";
  s += FamilyToml(c.generic);
  for (const auto& [k, p] : c.families) s += fmt::format("\n[families.{}]\n", k) + FamilyToml(p);
  s += "\n[generic_engine]\n" + EngineToml(c.generic_engine);
  for (const auto& [k, e] : c.engines) s += fmt::format("\n[engines.{}]\n", k) + EngineToml(e);
  s += "\n# Errors on held-out measurements, by how the chip relates to the fit (profiled /\n"
       "# leave-one-chip-out / leave-one-family-out), metric and regime: p50 and p90 of\n"
       "# |predicted/measured - 1|; the 90% band is [predicted x low, predicted x high] (5th and\n"
       "# 95th percentiles of measured/predicted).\n";
  auto band = [](const ErrorBand& e) {
    return fmt::format("p50 = {:.4g}\np90 = {:.4g}\nlow = {:.4g}\nhigh = {:.4g}\ncount = {}\n",
                       e.p50, e.p90, e.low, e.high, e.count);
  };
  auto path = [](int b, int m, int r) {
    return fmt::format("{}.{}.{}", CalibrationBasisName(static_cast<CalibrationBasis>(b)),
                       PerfMetricName(static_cast<PerfMetric>(m)),
                       RegimeName(static_cast<Regime>(r)));
  };
  for (int b = 0; b < 3; ++b)
    for (int m = 0; m < kMetricCount; ++m)
      for (int r = 0; r < kRegimeCount; ++r) {
        const ErrorBand& e = c.bands[b][m][r];
        if (e.count == 0) continue;
        s += fmt::format("[bands.{}]\n", path(b, m, r)) + band(e);
      }
  if (!c.slices.empty())
    s += fmt::format(
        "\n# The same within a regime for one engine and kind of model, where the regime holds at\n"
        "# least {} held-out rows of that slice and its band, set on either half of them (split\n"
        "# by sweep), covers >= {:.0f}% of the other half; predictions of the slice use it.\n",
        kMinSliceRows, kMinSliceCoverage * 100);
  for (const auto& [k, e] : c.slices)
    s += fmt::format("[slices.{}.{}.{}]\n", path(k.basis, k.metric, k.regime), k.engine,
                     ModelKindName(k.kind)) +
         band(e);
  if (!c.chip_coverage.empty())
    s += "\n# How often each calibrated chip's held-out rows fell inside the bands they got\n"
         "# (profiled basis, every regime, each row with its slice's or regime's band): the bands\n"
         "# promise 90%; a prediction for the chip says so when it got less.\n";
  for (const auto& [chip, per_metric] : c.chip_coverage) {
    s += fmt::format("[chip_coverage.{}]\n", chip);
    for (int m = 0; m < kMetricCount; ++m) {
      if (per_metric[m].count == 0) continue;
      const std::string_view name = PerfMetricName(static_cast<PerfMetric>(m));
      s += fmt::format("{} = {:.4g}\n{}_rows = {}\n", name, per_metric[m].coverage, name,
                       per_metric[m].count);
    }
  }
  return s;
}

}  // namespace ceiling::perf

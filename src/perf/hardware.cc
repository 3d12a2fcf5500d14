#include "ceiling/perf/hardware.h"

#include <fmt/format.h>

#include "ceiling/base/source.h"
#include "ceiling/base/toml_reader.h"
#include "ceiling/base/units.h"
#include "ceiling/catalog/catalog.h"

namespace ceiling::perf {

using catalog::Precision;

std::string_view DTypeName(DType d) {
  switch (d) {
    case DType::kFp4:
      return "fp4";
    case DType::kInt4:
      return "int4";
    case DType::kFp8:
      return "fp8";
    case DType::kInt8:
      return "int8";
    case DType::kBf16:
      return "bf16";
    case DType::kFp16:
      return "fp16";
    case DType::kFp32:
      return "fp32";
  }
  return "?";
}

std::optional<DType> DTypeFromName(std::string_view name) {
  for (std::size_t i = 0; i < kDTypeCount; ++i) {
    const auto d = static_cast<DType>(i);
    if (DTypeName(d) == name) return d;
  }
  if (name == "nvfp4" || name == "mxfp4") return DType::kFp4;
  if (name == "fp8_block") return DType::kFp8;
  if (name == "int4_wo") return DType::kInt4;
  return std::nullopt;
}

double BytesPerElement(DType d) {
  switch (d) {
    case DType::kFp4:
      return 0.5 + 1.0 / 16;
    case DType::kInt4:
      return 0.5 + 2.0 / 32;  // group-wise bf16 scales, group of 32
    case DType::kFp8:
    case DType::kInt8:
      return 1.0;
    case DType::kBf16:
    case DType::kFp16:
      return 2.0;
    case DType::kFp32:
      return 4.0;
  }
  return 2.0;
}

OpsPerSecond Hardware::ComputeRate(DType dt, DType* used) const {
  // Weight-only int4 multiplies in bf16.
  static constexpr DType kChainFp4[] = {DType::kFp4, DType::kFp8, DType::kBf16, DType::kFp16,
                                        DType::kFp32};
  static constexpr DType kChainFp8[] = {DType::kFp8, DType::kBf16, DType::kFp16, DType::kFp32};
  static constexpr DType kChainInt8[] = {DType::kInt8, DType::kFp8, DType::kBf16, DType::kFp16,
                                         DType::kFp32};
  // 16-bit math on a record with only narrower formats (a roadmap part with FP8/FP4 figures)
  // falls back to the narrowest-but-widest rate it has, and says so.
  static constexpr DType kChainBf16[] = {DType::kBf16, DType::kFp16, DType::kFp32, DType::kFp8,
                                         DType::kFp4};
  static constexpr DType kChainFp16[] = {DType::kFp16, DType::kBf16, DType::kFp32, DType::kFp8,
                                         DType::kFp4};
  static constexpr DType kChainFp32[] = {DType::kFp32};
  const DType* begin = kChainBf16;
  std::size_t n = 3;
  switch (dt) {
    case DType::kFp4:
      begin = kChainFp4;
      n = 5;
      break;
    case DType::kFp8:
      begin = kChainFp8;
      n = 4;
      break;
    case DType::kInt8:
      begin = kChainInt8;
      n = 5;
      break;
    case DType::kInt4:
    case DType::kBf16:
      begin = kChainBf16;
      n = 5;
      break;
    case DType::kFp16:
      begin = kChainFp16;
      n = 5;
      break;
    case DType::kFp32:
      begin = kChainFp32;
      n = 1;
      break;
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (peak[Index(begin[i])].base() > 0) {
      if (used) *used = begin[i];
      return peak[Index(begin[i])];
    }
  }
  if (used) *used = dt;
  return OpsPerSecond::Zero();
}

namespace {

Result<EngineTraits> ReadEngineTraits(const TomlTable& t) {
  RETURN_IF_ERROR(t.CheckKeys({"mixed_prefill", "reserve_full_kv", "speculative_overlap",
                               "dp_attention_hidden", "inline_postprocessing",
                               "fp8_context_attention", "fp8_latent_bmm", "shared_expert_fusion",
                               "memory", "memory_share", "sliding_kv_ratio", "tier", "source",
                               "note"}));
  EngineTraits e;
  RETURN_IF_ERROR(ReadEngineMemory(t, &e));
  ASSIGN_OR_RETURN(e.mixed_prefill, t.GetBool("mixed_prefill"));
  ASSIGN_OR_RETURN(e.reserve_full_kv, t.GetBool("reserve_full_kv"));
  RETURN_IF_ERROR(ReadEngineSwitches(t, &e));
  ASSIGN_OR_RETURN(auto dp_hidden, t.GetOptionalString("dp_attention_hidden"));
  if (dp_hidden) {
    auto q = ParseQuantityAs<Seconds>(*dp_hidden);
    if (!q.ok()) return t.ErrorAt("dp_attention_hidden", q.error().message);
    if (!(q->base() >= 0 && q->base() <= 1))
      return t.ErrorAt("dp_attention_hidden",
                       fmt::format("\"{}\" is outside 0 .. 1 s per iteration", *dp_hidden));
    e.dp_attention_hidden = q->base();
  }
  ASSIGN_OR_RETURN(std::vector<TomlTable> tiers, t.GetTableArray("tier"));
  if (tiers.empty() || static_cast<int>(tiers.size()) > EngineTraits::kMaxTiers)
    return t.ErrorAt("tier", fmt::format("expected 1 to {} tiers, got {}", EngineTraits::kMaxTiers,
                                         tiers.size()));
  e.tier_count = static_cast<int>(tiers.size());
  for (std::size_t i = 0; i < tiers.size(); ++i) {
    const TomlTable& tt = tiers[i];
    RETURN_IF_ERROR(tt.CheckKeys({"from_memory", "chunk_tokens", "max_batch"}));
    EngineTraits::Tier& tier = e.tiers[i];
    ASSIGN_OR_RETURN(std::string mem, tt.GetString("from_memory"));
    auto q = ParseQuantityAs<Bytes>(mem);
    if (!q.ok()) return tt.ErrorAt("from_memory", q.error().message);
    tier.from_memory = q->base();
    if (i == 0 && tier.from_memory != 0)
      return tt.ErrorAt("from_memory", "the first tier must start at \"0 GB\"");
    if (i > 0 && !(tier.from_memory > e.tiers[i - 1].from_memory))
      return tt.ErrorAt("from_memory", "tiers must be in ascending order of memory");
    ASSIGN_OR_RETURN(std::int64_t chunk, tt.GetInteger("chunk_tokens"));
    if (chunk < 1 || chunk > 10'000'000)
      return tt.ErrorAt("chunk_tokens",
                        fmt::format("must be between 1 and 10000000, got {}", chunk));
    tier.chunk_tokens = static_cast<double>(chunk);
    ASSIGN_OR_RETURN(auto cap, tt.GetOptionalInteger("max_batch"));
    if (cap) {
      if (*cap < 1 || *cap > 10'000'000)
        return tt.ErrorAt("max_batch", fmt::format("must be between 1 and 10000000, got {}", *cap));
      tier.max_batch = static_cast<double>(*cap);
    }
  }
  return e;
}

Status LoadEngineTraits(const std::filesystem::path& path, SystemDefaults* out) {
  ASSIGN_OR_RETURN(TomlTable doc, TomlTable::ParseFile(path, catalog::DisplayPath(path)));
  RETURN_IF_ERROR(doc.CheckKeys({"default", "engines", "sources"}));
  ASSIGN_OR_RETURN(auto sources, ReadSources(doc));
  ASSIGN_OR_RETURN(TomlTable def, doc.GetTable("default"));
  ASSIGN_OR_RETURN(out->default_engine, ReadEngineTraits(def));
  ASSIGN_OR_RETURN(TomlTable engines, doc.GetTable("engines"));
  for (const std::string& name : engines.Keys()) {
    ASSIGN_OR_RETURN(TomlTable t, engines.GetTable(name));
    ASSIGN_OR_RETURN(EngineTraits e, ReadEngineTraits(t));
    ASSIGN_OR_RETURN(std::vector<std::string> keys, t.GetStringArray("source", true));
    for (const std::string& k : keys)
      if (!sources.count(k))
        return t.ErrorAt("source",
                         fmt::format("unknown source key \"{}\" (define [sources.{}])", k, k));
    out->engines.emplace(name, e);
  }
  return OkStatus();
}

}  // namespace

const EngineTraits& SystemDefaults::EngineTraitsFor(std::string_view engine) const {
  auto it = engines.find(std::string(engine));
  return it == engines.end() ? default_engine : it->second;
}

// systems.toml, then the engines' scheduler defaults from engines.toml beside it.
Result<SystemDefaults> LoadSystemDefaults(const std::filesystem::path& data_dir) {
  const auto path = data_dir / "perf" / "systems.toml";
  ASSIGN_OR_RETURN(TomlTable doc, TomlTable::ParseFile(path, catalog::DisplayPath(path)));
  ASSIGN_OR_RETURN(SystemDefaults out, ParseSystemDefaults(doc));
  RETURN_IF_ERROR(LoadEngineTraits(data_dir / "perf" / "engines.toml", &out));
  return out;
}

// systems.toml's text alone: the engines keep their built-in defaults.
Result<SystemDefaults> ParseSystemDefaultsText(std::string_view text, std::string display_name) {
  ASSIGN_OR_RETURN(TomlTable doc, TomlTable::ParseString(text, std::move(display_name)));
  return ParseSystemDefaults(doc);
}

Status CheckScaleOut(BytesPerSecond scale_out) {
  if (!(scale_out.base() >= kMinScaleOut.base()) || !(scale_out.base() <= kMaxScaleOut.base()))
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("scale_out: {} per GPU is outside 1 Mb/s .. 1 PB/s",
                                 FormatQuantity(scale_out)));
  return OkStatus();
}

Result<SystemDefaults> ParseSystemDefaults(const TomlTable& doc) {
  RETURN_IF_ERROR(doc.CheckKeys({"scale_up_domain", "scale_out", "chips", "sources"}));
  ASSIGN_OR_RETURN(auto sources, ReadSources(doc));
  SystemDefaults out;
  ASSIGN_OR_RETURN(std::int64_t domain, doc.GetInteger("scale_up_domain"));
  if (domain < 1 || domain > 100000)
    return doc.ErrorAt("scale_up_domain",
                       fmt::format("must be between 1 and 100000, got {}", domain));
  out.scale_up_domain = static_cast<int>(domain);
  ASSIGN_OR_RETURN(std::string so, doc.GetString("scale_out"));
  auto so_q = ParseQuantityAs<BytesPerSecond>(so);
  if (!so_q.ok()) return doc.ErrorAt("scale_out", so_q.error().message);
  if (auto st = CheckScaleOut(*so_q); !st.ok())
    return doc.ErrorAt("scale_out", fmt::format("\"{}\" per GPU is outside 1 Mb/s .. 1 PB/s", so));
  out.scale_out = *so_q;
  if (!doc.Has("chips")) return out;
  ASSIGN_OR_RETURN(TomlTable chips, doc.GetTable("chips"));
  for (const std::string& id : chips.Keys()) {
    ASSIGN_OR_RETURN(TomlTable c, chips.GetTable(id));
    RETURN_IF_ERROR(c.CheckKeys({"scale_up_domain", "scale_up_fallback", "device_memory",
                                 "datasheet_memory", "source", "note"}));
    SystemDefaults::ChipSystem cs;
    ASSIGN_OR_RETURN(auto d, c.GetOptionalInteger("scale_up_domain"));
    if (d) {
      if (*d < 1 || *d > 100000)
        return c.ErrorAt("scale_up_domain",
                         fmt::format("must be between 1 and 100000, got {}", *d));
      cs.scale_up_domain = static_cast<int>(*d);
    }
    ASSIGN_OR_RETURN(auto fb, c.GetOptionalString("scale_up_fallback"));
    if (fb) {
      auto q = ParseQuantityAs<BytesPerSecond>(*fb);
      if (!q.ok()) return c.ErrorAt("scale_up_fallback", q.error().message);
      if (!(q->base() > 0)) return c.ErrorAt("scale_up_fallback", "must be positive");
      cs.scale_up_fallback = *q;
    }
    ASSIGN_OR_RETURN(auto dev, c.GetOptionalString("device_memory"));
    ASSIGN_OR_RETURN(auto sheet, c.GetOptionalString("datasheet_memory"));
    if (dev.has_value() != sheet.has_value())
      return c.ErrorAt(dev ? "device_memory" : "datasheet_memory",
                       "device_memory and datasheet_memory go together (the device figure and "
                       "the chip record's capacity it pairs with)");
    if (dev) {
      auto qd = ParseQuantityAs<Bytes>(*dev);
      if (!qd.ok()) return c.ErrorAt("device_memory", qd.error().message);
      auto qs = ParseQuantityAs<Bytes>(*sheet);
      if (!qs.ok()) return c.ErrorAt("datasheet_memory", qs.error().message);
      if (!(qs->base() > 0)) return c.ErrorAt("datasheet_memory", "must be positive");
      if (!(qd->base() > 0)) return c.ErrorAt("device_memory", "must be positive");
      // The driver's figure differs from the datasheet's by units (GB vs GiB) and reserved
      // memory: a few percent, never a factor.
      const double r = qd->base() / qs->base();
      if (!(r >= 0.8 && r <= 1.25))
        return c.ErrorAt("device_memory",
                         fmt::format("{} is {:.2f}x the datasheet's {}; expected within 0.8 .. "
                                     "1.25x (a unit slip?)",
                                     *dev, r, *sheet));
      cs.device_memory = *qd;
      cs.datasheet_memory = *qs;
    }
    ASSIGN_OR_RETURN(std::vector<std::string> keys, c.GetStringArray("source", true));
    for (const std::string& k : keys)
      if (!sources.count(k))
        return c.ErrorAt("source",
                         fmt::format("unknown source key \"{}\" (define [sources.{}])", k, k));
    ASSIGN_OR_RETURN(auto note, c.GetOptionalString("note"));
    cs.note = note.value_or("");
    out.chips.emplace(id, std::move(cs));
  }
  return out;
}

Result<Hardware> HardwareFromChip(const catalog::Chip& chip, const SystemDefaults& defaults,
                                  const SystemOptions& options) {
  Hardware hw;
  hw.chip_id = chip.id;
  hw.chip_name = chip.name;
  hw.family = chip.family;
  auto rate = [&](Precision p) {
    const auto& f = chip.Rate(p);
    return f ? f->value : OpsPerSecond::Zero();
  };
  hw.peak[Index(DType::kFp4)] = rate(Precision::kFp4);
  hw.peak[Index(DType::kFp8)] = rate(Precision::kFp8);
  hw.peak[Index(DType::kInt8)] = rate(Precision::kInt8);
  hw.peak[Index(DType::kBf16)] = rate(Precision::kBf16);
  hw.peak[Index(DType::kFp16)] = rate(Precision::kFp16);
  hw.peak[Index(DType::kFp32)] = rate(Precision::kFp32);
  hw.peak[Index(DType::kInt4)] = rate(Precision::kInt4);
  if (hw.peak[Index(DType::kBf16)].base() <= 0 && hw.peak[Index(DType::kFp16)].base() <= 0 &&
      hw.peak[Index(DType::kFp8)].base() <= 0)
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("{}: the performance model needs a dense bf16, fp16 or fp8 "
                                 "tensor rate, and the chip record has none",
                                 chip.id));
  const auto bw = chip.MemoryBandwidth();
  const auto cap = chip.MemoryCapacity();
  if (!bw || bw->base() <= 0)
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("{}: the performance model needs memory.bandwidth, and the chip "
                                 "record has none",
                                 chip.id));
  if (!cap || cap->base() <= 0)
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("{}: the performance model needs memory.capacity, and the chip "
                                 "record has none",
                                 chip.id));
  hw.memory_bandwidth = *bw;
  hw.memory_capacity = *cap;
  if (chip.base_tensor_per_vector) {
    // Published rates carry three or four digits (the H200's 989.5 against the H100's 989.4):
    // a ratio within 1% of the base's is the same die at the same clocks. The cap is measured
    // from there, so it stays continuous in the ratio.
    const auto own = catalog::TensorPerVector(chip);
    const double same = 0.99 * *chip.base_tensor_per_vector;
    if (own && *own < same) {
      hw.tensor_cap = *own / same;
      hw.notes.push_back(fmt::format(
          "the tensor rate is {:.0f}% of what the die's units deliver at its clock (its bf16 : "
          "fp32 ratio against that of the chip it derives from, {}); the part of each "
          "tensor-core kernel that is not matrix math is modelled at the die's native speed",
          100 * hw.tensor_cap, chip.derived_from.value_or("its base")));
    }
  }
  // A derivative (design search, a user's cut-down part) is built into its base chip's systems.
  auto it = defaults.chips.find(chip.id);
  if (it == defaults.chips.end() && chip.derived_from) it = defaults.chips.find(*chip.derived_from);
  const SystemDefaults::ChipSystem* cs = it == defaults.chips.end() ? nullptr : &it->second;
  // Engines size the KV cache from the memory the driver reports, not the datasheet figure.
  if (cs && cs->device_memory && cs->datasheet_memory)
    hw.memory_capacity = *cap * (cs->device_memory->base() / cs->datasheet_memory->base());
  hw.scale_up_domain = options.scale_up_domain.value_or(
      cs && cs->scale_up_domain ? *cs->scale_up_domain : defaults.scale_up_domain);
  hw.scale_out = options.scale_out.value_or(defaults.scale_out);
  // The model divides by both: a zero, negative or absurd value would give a division by zero or
  // a meaningless time rather than an error.
  if (hw.scale_up_domain < 1 || hw.scale_up_domain > 100000)
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("scale_up_domain: {} GPUs per scale-up domain is outside 1 .. "
                                 "100000",
                                 hw.scale_up_domain));
  RETURN_IF_ERROR(CheckScaleOut(hw.scale_out));
  if (chip.interconnect.scale_up && chip.interconnect.scale_up->value.base() > 0) {
    hw.scale_up = chip.interconnect.scale_up->value * 0.5;
  } else if (cs && cs->scale_up_fallback) {
    hw.scale_up = *cs->scale_up_fallback * 0.5;
    hw.notes.push_back(fmt::format(
        "scale-up bandwidth is not in the chip record; assumed {} "
        "bidirectional (data/perf/systems.toml{})",
        FormatQuantity(*cs->scale_up_fallback), cs->note.empty() ? "" : ": " + cs->note));
  } else {
    // Without chip-to-chip links, traffic goes over the NICs.
    hw.scale_up = hw.scale_out;
    hw.scale_up_domain = 1;
    hw.notes.push_back(
        "scale-up bandwidth is not in the chip record; all communication is "
        "modelled over the scale-out network");
  }
  return hw;
}

}  // namespace ceiling::perf

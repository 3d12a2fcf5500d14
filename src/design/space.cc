#include "ceiling/design/space.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "ceiling/base/file.h"
#include "ceiling/base/toml_reader.h"
#include "ceiling/base/units.h"

namespace ceiling::design {

using catalog::Chip;
using catalog::Figure;
using catalog::Precision;

namespace {

constexpr const char* kDerivedKey = "ceiling-design";

bool IsTensor(Precision p) { return p != Precision::kFp64 && p != Precision::kFp32; }

double BaseUnits(const Chip& base) {
  return base.compute.units ? base.compute.units->value : 100.0;
}

template <typename T>
Figure<T> Derived(T value, std::string formula, std::vector<std::string> inputs = {}) {
  Figure<T> f;
  f.value = value;
  f.sources = {kDerivedKey};
  for (auto& s : inputs)
    if (std::find(f.sources.begin(), f.sources.end(), s) == f.sources.end()) f.sources.push_back(s);
  f.formula = std::move(formula);
  return f;
}

// min, min + step, ... up to max (max itself always included). Callers check that the count,
// RangeCount, is within kMaxKnobValues before calling.
std::vector<double> Range(double lo, double hi, double step) {
  std::vector<double> v;
  const double n = std::floor((hi - lo) / step + 1e-9);
  for (std::int64_t i = 0; i <= static_cast<std::int64_t>(n); ++i)
    v.push_back(lo + step * static_cast<double>(i));
  if (v.empty() || std::fabs(v.back() - hi) > 1e-9 * std::max(1.0, std::fabs(hi))) v.push_back(hi);
  return v;
}

// How many values Range(lo, hi, step) holds, computed without allocating; infinity when the
// arithmetic overflows.
double RangeCount(double lo, double hi, double step) {
  const double n = std::floor((hi - lo) / step + 1e-9);
  return std::isfinite(n) ? n + 2 : std::numeric_limits<double>::infinity();
}

// a * b, saturating at UINT64_MAX.
std::uint64_t SatMul(std::uint64_t a, std::uint64_t b) {
  if (a != 0 && b > std::numeric_limits<std::uint64_t>::max() / a)
    return std::numeric_limits<std::uint64_t>::max();
  return a * b;
}

}  // namespace

std::uint64_t DesignSpace::size() const {
  std::uint64_t n = 1;
  for (std::size_t k :
       {units.size(), tensor_rate.size(), memory.size(), links.size(), markets.size(), tdp.size()})
    n = SatMul(n, k);
  return n;
}

DesignPoint DesignSpace::PointAt(std::uint64_t i) const {
  DesignPoint p;
  auto take = [&i](std::size_t n) {
    const auto v = static_cast<int>(i % n);
    i /= n;
    return v;
  };
  p.tdp = take(tdp.size());
  p.market = take(markets.size());
  p.links = take(links.size());
  p.memory = take(memory.size());
  p.tensor_rate = take(tensor_rate.size());
  p.units = take(units.size());
  return p;
}

DesignValues DesignSpace::ValuesOf(const DesignPoint& p) const {
  DesignValues v;
  v.units = units[static_cast<std::size_t>(p.units)];
  v.tensor_rate = tensor_rate[static_cast<std::size_t>(p.tensor_rate)];
  v.memory = &memory[static_cast<std::size_t>(p.memory)];
  v.links = links[static_cast<std::size_t>(p.links)];
  v.market = markets[static_cast<std::size_t>(p.market)];
  v.tdp = tdp[static_cast<std::size_t>(p.tdp)];
  return v;
}

void DesignSpace::Rebuild(const DesignPoint& p, Chip* chip) const {
  const DesignValues v = ValuesOf(p);
  const double unit_scale = v.units / BaseUnits(base);
  for (std::size_t i = 0; i < catalog::kPrecisionCount; ++i) {
    if (!base.throughput[i] || !chip->throughput[i]) continue;
    const double k = unit_scale * (IsTensor(static_cast<Precision>(i)) ? v.tensor_rate : 1.0);
    chip->throughput[i]->value = base.throughput[i]->value * k;
  }
  chip->memory->capacity->value = v.memory->capacity;
  chip->memory->bandwidth->value = v.memory->bandwidth;
  chip->interconnect.scale_up->value = link_rate * static_cast<double>(v.links);
  chip->interconnect.scale_up_links->value = v.links;
  chip->market = v.market;
  if (chip->tdp) chip->tdp->value = v.tdp;
  chip->compute.units->value = v.units;
}

Chip DesignSpace::Build(const DesignPoint& p) const {
  const DesignValues v = ValuesOf(p);
  Chip c;
  c.vendor = base.vendor;
  c.family = base.family;
  c.form_factor = base.form_factor;
  c.derived_from = base.id;
  // Rebuild scales the tensor rates by the units and the kept fraction, the vector rates by the
  // units alone: against the base's ratio, the performance model sees the kept fraction.
  c.base_tensor_per_vector = catalog::TensorPerVector(base);
  if (!c.base_tensor_per_vector) c.base_tensor_per_vector = base.base_tensor_per_vector;
  c.dies = base.dies;
  c.id = fmt::format("{}-design-{}u-r{:03d}-m{}-l{}{}", base.id, static_cast<int>(v.units),
                     static_cast<int>(std::lround(v.tensor_rate * 1000)), p.memory, v.links,
                     v.market == catalog::Market::kConsumer ? "-consumer" : "");
  c.name = fmt::format("{} derivative ({})", base.name, Describe(p));

  Source src;
  src.key = kDerivedKey;
  src.title =
      fmt::format("ceiling design search over {} ({})", id, file.empty() ? "default space" : file);
  src.kind = SourceKind::kDerived;
  src.read = base.released ? base.released->value : Date{2026, 1, 1};
  c.sources[kDerivedKey] = src;
  for (const auto& [k, s] : base.sources) c.sources[k] = s;

  // Only sources cited by the figures kept; ForEach is not worth it here: cite inputs explicitly.
  for (std::size_t i = 0; i < catalog::kPrecisionCount; ++i) {
    if (!base.throughput[i]) continue;
    const bool tensor = IsTensor(static_cast<Precision>(i));
    c.throughput[i] =
        Derived(OpsPerSecond::Zero(),
                fmt::format("{} dense rate x enabled units / {}{}", base.id,
                            FormatNumber(BaseUnits(base)), tensor ? " x tensor rate kept" : ""),
                base.throughput[i]->sources);
  }
  catalog::Memory mem;
  mem.type = v.memory->type;
  mem.capacity = Derived(Bytes::Zero(), "memory configuration chosen by the design search");
  mem.bandwidth =
      Derived(BytesPerSecond::Zero(), "memory configuration chosen by the design search");
  c.memory = mem;
  c.interconnect.scale_up = Derived(BytesPerSecond::Zero(),
                                    fmt::format("links x {} per link", FormatQuantity(link_rate)));
  c.interconnect.scale_up_links = Derived(0.0, "links chosen by the design search");
  if (base.interconnect.pcie) c.interconnect.pcie = base.interconnect.pcie;
  if (v.tdp.base() > 0) c.tdp = Derived(Watts::Zero(), "power limit chosen by the design search");
  c.compute.units = Derived(0.0, "enabled units chosen by the design search");
  c.compute.unit_name = base.compute.unit_name.empty() ? "unit" : base.compute.unit_name;
  if (base.compute.boost_clock) c.compute.boost_clock = base.compute.boost_clock;

  // Drop base sources that no remaining figure cites.
  std::set<std::string> used{kDerivedKey};
  auto use = [&](const auto& f) {
    if (f) used.insert(f->sources.begin(), f->sources.end());
  };
  for (const auto& t : c.throughput) use(t);
  for (const auto& d : c.dies) use(d.area);
  use(c.interconnect.pcie);
  use(c.compute.boost_clock);
  for (auto it = c.sources.begin(); it != c.sources.end();)
    it = used.count(it->first) ? std::next(it) : c.sources.erase(it);

  Rebuild(p, &c);
  return c;
}

std::string DesignSpace::Describe(const DesignPoint& p) const {
  const DesignValues v = ValuesOf(p);
  return fmt::format(
      "{} {} x {} tensor rate, {} {} {}, {} links ({}), {}, {}", FormatNumber(v.units),
      base.compute.unit_name.empty() ? "units" : base.compute.unit_name,
      FormatNumber(v.tensor_rate, 3), v.memory->type, FormatQuantity(v.memory->capacity),
      FormatQuantity(v.memory->bandwidth), v.links,
      FormatQuantity(link_rate * static_cast<double>(v.links)), catalog::MarketName(v.market),
      v.tdp.base() > 0 ? FormatQuantity(v.tdp) : std::string("TDP unknown"));
}

Status DesignSpace::PinTdp(std::optional<Watts> cap) {
  std::vector<Watts> keep;
  for (Watts w : tdp)
    if (!cap || w <= *cap) keep.push_back(w);
  if (keep.empty())
    return FieldError("max_tdp",
                      fmt::format("{}: the design space {} has no TDP value within it "
                                  "(lowest {})",
                                  FormatQuantity(*cap), id, FormatQuantity(tdp.front())));
  Watts pick = keep.back();
  if (!cap && base.tdp && std::find(keep.begin(), keep.end(), base.tdp->value) != keep.end())
    pick = base.tdp->value;
  tdp = {pick};
  return OkStatus();
}

Status DesignSpace::RestrictMarket(catalog::Market market) {
  if (std::find(markets.begin(), markets.end(), market) == markets.end())
    return FieldError("market", fmt::format("{}: the design space {} has no such market value",
                                            catalog::MarketName(market), id));
  markets = {market};
  return OkStatus();
}

Status DesignSpace::Validate() const {
  auto bad = [&](std::string_view what) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("design space {}: {}", id.empty() ? base.id : id, what),
                     SourceLocation{file, 0, 0});
  };
  if (units.empty()) return bad("the units range is empty");
  if (tensor_rate.empty()) return bad("the tensor_rate range is empty");
  if (memory.empty()) return bad("no memory configuration");
  if (links.empty()) return bad("the links range is empty");
  if (markets.empty()) return bad("no market");
  if (tdp.empty()) return bad("no tdp value");
  if (!std::is_sorted(units.begin(), units.end()) || units.front() <= 0)
    return bad("units must be positive and ascending");
  if (tensor_rate.front() <= 0 || tensor_rate.back() > 1 + 1e-12)
    return bad("tensor_rate must lie in (0, 1]");
  if (links.front() < 0) return bad("links must not be negative");
  if (!std::is_sorted(tdp.begin(), tdp.end())) return bad("tdp values must be ascending");
  // Sizes before anything is allocated from them: the search keeps the units x tensor_rate axis
  // in memory, and the grid size must stay a number the budget can be compared with.
  for (std::size_t n :
       {units.size(), tensor_rate.size(), memory.size(), links.size(), markets.size(), tdp.size()})
    if (n > kMaxKnobValues)
      return bad(fmt::format("a knob has {} values; at most {} are allowed", n, kMaxKnobValues));
  if (SatMul(units.size(), tensor_rate.size()) > kMaxComputeSteps)
    return bad(fmt::format("units x tensor_rate make {} combinations; at most {} are allowed",
                           SatMul(units.size(), tensor_rate.size()), kMaxComputeSteps));
  if (size() > kMaxDesignPoints)
    return bad(fmt::format("the grid has more than {} designs", kMaxDesignPoints));
  if (units.back() > kMaxUnits)
    return bad(fmt::format("units go up to {}; at most {} are allowed", FormatNumber(units.back()),
                           FormatNumber(kMaxUnits)));
  if (!(link_rate.base() > 0) || !std::isfinite(link_rate.base()))
    return bad("the per-link rate must be positive");
  return OkStatus();
}

// Loading ------------------------------------------------------------------------------------

namespace {

// A knob given as {min, max, step} or {values = [...]}.
Result<std::vector<double>> ReadNumericKnob(const TomlTable& t, std::string_view key) {
  ASSIGN_OR_RETURN(TomlTable k, t.GetTable(key));
  RETURN_IF_ERROR(k.CheckKeys({"min", "max", "step", "values", "note"}));
  if (k.Has("values")) {
    if (k.Has("min") || k.Has("max") || k.Has("step"))
      return k.ErrorHere("give either values or min/max/step, not both");
    ASSIGN_OR_RETURN(std::vector<double> v, k.GetNumberArray("values"));
    if (v.empty()) return k.ErrorAt("values", "empty list: at least one value is required");
    if (v.size() > kMaxKnobValues)
      return k.ErrorAt("values",
                       fmt::format("{} values; at most {} are allowed", v.size(), kMaxKnobValues));
    for (double x : v)
      if (!std::isfinite(x))
        return k.ErrorAt("values", fmt::format("{} is not a finite number", x));
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    return v;
  }
  ASSIGN_OR_RETURN(double lo, k.GetNumber("min"));
  ASSIGN_OR_RETURN(double hi, k.GetNumber("max"));
  ASSIGN_OR_RETURN(double step, k.GetNumber("step"));
  for (const char* name : {"min", "max", "step"})
    if (!std::isfinite(*k.GetNumber(name)))
      return k.ErrorAt(name, fmt::format("must be a finite number, got {}", k.Describe(name)));
  if (step <= 0)
    return k.ErrorAt("step", fmt::format("must be positive, got {}", k.Describe("step")));
  if (hi < lo)
    return k.ErrorAt("max", fmt::format("empty range: max {} is below min {}", k.Describe("max"),
                                        k.Describe("min")));
  // Counted before anything is allocated: a step of 1e-12 over 0..1 is a trillion values.
  const double count = RangeCount(lo, hi, step);
  if (count > static_cast<double>(kMaxKnobValues))
    return k.ErrorAt("step", fmt::format("{} from {} to {} gives {} values; at most {} are "
                                         "allowed (use a coarser step)",
                                         k.Describe("step"), k.Describe("min"), k.Describe("max"),
                                         FormatNumber(count), kMaxKnobValues));
  std::vector<double> v = Range(lo, hi, step);
  // A step below the spacing of doubles near the values would repeat values (or collapse the
  // knob to its ends): an error, never a silent change of the grid.
  for (std::size_t i = 1; i < v.size(); ++i)
    if (!(v[i] > v[i - 1]))
      return k.ErrorAt("step", fmt::format("{} is too fine for values near {}: steps would repeat "
                                           "the same value",
                                           k.Describe("step"), FormatNumber(v[i])));
  return v;
}

template <typename Q>
Result<Q> ReadQuantityString(const TomlTable& t, std::string_view key) {
  if (t.KindOf(key) != TomlTable::Kind::kString)
    return t.ErrorAt(key, fmt::format("expected a quantity with a unit such as {}, got {}",
                                      DimensionExample(DimVector::Of<typename Q::Dimension>()),
                                      t.Describe(key)));
  ASSIGN_OR_RETURN(std::string text, t.GetString(key));
  auto q = ParseQuantityAs<Q>(text);
  if (!q.ok()) return t.ErrorAt(key, q.error().message);
  if (q->base() <= 0) return t.ErrorAt(key, fmt::format("must be positive, got \"{}\"", text));
  return *q;
}

}  // namespace

Result<DesignSpace> LoadDesignSpace(const std::filesystem::path& path,
                                    const catalog::Catalog& cat) {
  ASSIGN_OR_RETURN(TomlTable doc, TomlTable::ParseFile(path, catalog::DisplayPath(path)));
  return ParseDesignSpace(doc, cat);
}

Result<DesignSpace> ParseDesignSpaceText(std::string_view text, std::string display_name,
                                         const catalog::Catalog& cat) {
  ASSIGN_OR_RETURN(TomlTable doc, TomlTable::ParseString(text, std::move(display_name)));
  return ParseDesignSpace(doc, cat);
}

Result<DesignSpace> ParseDesignSpace(const TomlTable& doc, const catalog::Catalog& cat) {
  RETURN_IF_ERROR(doc.CheckKeys({"id", "title", "base", "products", "knobs", "note"}));
  DesignSpace s;
  s.file = doc.file();
  ASSIGN_OR_RETURN(s.id, doc.GetString("id"));
  ASSIGN_OR_RETURN(s.title, doc.GetString("title"));
  ASSIGN_OR_RETURN(std::string base_id, doc.GetString("base"));
  const Chip* base = cat.Find(base_id);
  if (base == nullptr) return doc.ErrorAt("base", fmt::format("unknown chip \"{}\"", base_id));
  s.base = *base;
  if (!base->compute.units)
    return doc.ErrorAt("base",
                       fmt::format("{} has no compute.units figure to scale from", base_id));
  ASSIGN_OR_RETURN(s.products, doc.GetStringArray("products"));
  for (const std::string& p : s.products)
    if (cat.Find(p) == nullptr)
      return doc.ErrorAt("products", fmt::format("unknown chip \"{}\"", p));

  ASSIGN_OR_RETURN(TomlTable knobs, doc.GetTable("knobs"));
  RETURN_IF_ERROR(knobs.CheckKeys({"units", "tensor_rate", "memory", "links", "market", "tdp"}));
  ASSIGN_OR_RETURN(s.units, ReadNumericKnob(knobs, "units"));
  if (s.units.front() <= 0 || s.units.back() > kMaxUnits)
    return knobs.ErrorAt("units",
                         fmt::format("enabled units must lie in (0, {}]", FormatNumber(kMaxUnits)));
  ASSIGN_OR_RETURN(s.tensor_rate, ReadNumericKnob(knobs, "tensor_rate"));
  if (s.tensor_rate.front() <= 0 || s.tensor_rate.back() > 1 + 1e-12)
    return knobs.ErrorAt("tensor_rate", "the tensor rate kept must lie in (0, 1]");

  ASSIGN_OR_RETURN(std::vector<TomlTable> mems, knobs.GetTableArray("memory"));
  if (mems.empty()) return knobs.ErrorAt("memory", "at least one memory configuration is required");
  if (mems.size() > kMaxKnobValues)
    return knobs.ErrorAt("memory", fmt::format("{} configurations; at most {} are allowed",
                                               mems.size(), kMaxKnobValues));
  for (const TomlTable& m : mems) {
    RETURN_IF_ERROR(m.CheckKeys({"type", "capacity", "bandwidth", "from"}));
    MemoryOption o;
    ASSIGN_OR_RETURN(o.type, m.GetString("type"));
    ASSIGN_OR_RETURN(o.capacity, ReadQuantityString<Bytes>(m, "capacity"));
    ASSIGN_OR_RETURN(o.bandwidth, ReadQuantityString<BytesPerSecond>(m, "bandwidth"));
    ASSIGN_OR_RETURN(auto from, m.GetOptionalString("from"));
    o.from = from.value_or("");
    if (!o.from.empty() && cat.Find(o.from) == nullptr)
      return m.ErrorAt("from", fmt::format("unknown chip \"{}\"", o.from));
    s.memory.push_back(o);
  }
  std::stable_sort(s.memory.begin(), s.memory.end(),
                   [](const auto& a, const auto& b) { return a.bandwidth < b.bandwidth; });

  ASSIGN_OR_RETURN(TomlTable links, knobs.GetTable("links"));
  RETURN_IF_ERROR(links.CheckKeys({"min", "max", "step", "rate", "note"}));
  ASSIGN_OR_RETURN(std::int64_t lo, links.GetInteger("min"));
  ASSIGN_OR_RETURN(std::int64_t hi, links.GetInteger("max"));
  ASSIGN_OR_RETURN(auto step, links.GetOptionalInteger("step"));
  if (lo < 0) return links.ErrorAt("min", "must not be negative");
  if (hi < lo)
    return links.ErrorAt("max", fmt::format("empty range: max {} is below min {}", hi, lo));
  if (step && *step <= 0) return links.ErrorAt("step", "must be positive");
  // Bounded before the loop: {min = 0, max = 9223372036854775807} must not allocate until
  // std::bad_alloc.
  if (hi > kMaxLinks)
    return links.ErrorAt("max", fmt::format("{} links; at most {} are allowed", hi, kMaxLinks));
  for (std::int64_t l = lo, st = step.value_or(1);; l += st) {
    s.links.push_back(static_cast<int>(l));
    if (hi - l < st) break;  // no overflow near INT64_MAX
  }
  ASSIGN_OR_RETURN(s.link_rate, ReadQuantityString<BytesPerSecond>(links, "rate"));

  ASSIGN_OR_RETURN(auto markets, knobs.GetStringArray("market"));
  if (markets.empty()) return knobs.ErrorAt("market", "at least one market is required");
  for (const std::string& m : markets) {
    auto mk = catalog::MarketFromName(m);
    if (!mk) return knobs.ErrorAt("market", fmt::format("unknown market \"{}\"", m));
    if (std::find(s.markets.begin(), s.markets.end(), *mk) == s.markets.end())
      s.markets.push_back(*mk);
  }
  ASSIGN_OR_RETURN(auto tdps, knobs.GetStringArray("tdp"));
  if (tdps.empty()) return knobs.ErrorAt("tdp", "at least one tdp value is required");
  if (tdps.size() > kMaxKnobValues)
    return knobs.ErrorAt(
        "tdp", fmt::format("{} values; at most {} are allowed", tdps.size(), kMaxKnobValues));
  for (const std::string& t : tdps) {
    auto w = ParseQuantityAs<Watts>(t);
    if (!w.ok()) return knobs.ErrorAt("tdp", w.error().message);
    if (!(w->base() > 0))
      return knobs.ErrorAt("tdp", fmt::format("must be positive, got \"{}\"", t));
    s.tdp.push_back(*w);
  }
  std::sort(s.tdp.begin(), s.tdp.end());
  s.tdp.erase(std::unique(s.tdp.begin(), s.tdp.end()), s.tdp.end());

  // The ranges must cover every product built on this die.
  for (const std::string& pid : s.products) {
    const Chip& p = *cat.Find(pid);
    if (p.compute.units && (p.compute.units->value > s.units.back() + 1e-9 ||
                            p.compute.units->value < s.units.front() - 1e-9))
      return doc.ErrorAt("products",
                         fmt::format("{} has {} units, outside the units range {}..{}", pid,
                                     FormatNumber(p.compute.units->value),
                                     FormatNumber(s.units.front()), FormatNumber(s.units.back())),
                         ErrorCode::kInconsistent);
    if (auto bw = p.MemoryBandwidth()) {
      bool covered = false;
      for (const auto& m : s.memory)
        if (std::fabs(m.bandwidth / *bw - 1) < 0.01) covered = true;
      if (!covered)
        return doc.ErrorAt("products",
                           fmt::format("{}'s memory bandwidth {} is not one of the "
                                       "memory configurations",
                                       pid, FormatQuantity(*bw)),
                           ErrorCode::kInconsistent);
    }
    if (p.interconnect.scale_up) {
      const double n = p.interconnect.scale_up->value / s.link_rate;
      if (n > s.links.back() + 1e-9)
        return doc.ErrorAt(
            "products",
            fmt::format("{}'s scale-up bandwidth {} needs more than {} "
                        "links",
                        pid, FormatQuantity(p.interconnect.scale_up->value), s.links.back()),
            ErrorCode::kInconsistent);
    }
  }
  RETURN_IF_ERROR(s.Validate());
  return s;
}

Result<std::vector<DesignSpace>> LoadDesignSpaces(const std::filesystem::path& data_dir,
                                                  const catalog::Catalog& cat) {
  std::vector<DesignSpace> out;
  const auto dir = data_dir / "designs";
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return out;
  for (const auto& f : FilesIn(dir, {".toml"})) {
    ASSIGN_OR_RETURN(DesignSpace s, LoadDesignSpace(f, cat));
    out.push_back(std::move(s));
  }
  return out;
}

Result<DesignSpace> DefaultDesignSpace(const Chip& base, const catalog::Catalog& cat) {
  DesignSpace s;
  s.id = base.id + "-default";
  s.title = fmt::format("Default derivative space of {}", base.name);
  s.base = base;
  auto fail = [&](std::string_view why) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("{}: no default design space: {}", base.id, why));
  };
  bool any_rate = false;
  for (const auto& t : base.throughput) any_rate = any_rate || t.has_value();
  if (!any_rate) return fail("no throughput figure");
  if (!base.MemoryBandwidth() || !base.MemoryCapacity()) return fail("memory figures unknown");

  const double n = BaseUnits(base);
  if (base.compute.units) {
    // Every unit count from 10% up (step keeps the grid near 50 values).
    const double step = std::max(1.0, std::round(n / 50));
    s.units = Range(std::max(1.0, std::round(n * 0.1)), n, step);
  } else {
    s.units = Range(5, 100, 5);  // percent of the (unknown) unit count
    s.base.compute.unit_name = "% of units";
  }
  s.tensor_rate = Range(0.05, 1.0, 0.05);

  // Memory configurations of products on the same logic die.
  std::set<std::string> dies;
  for (const auto& d : base.dies)
    if (d.kind == catalog::DieKind::kLogic) dies.insert(d.name);
  for (const Chip& c : cat.chips()) {
    bool same = c.id == base.id;
    for (const auto& d : c.dies)
      if (d.kind == catalog::DieKind::kLogic && dies.count(d.name)) same = true;
    if (!same) continue;
    s.products.push_back(c.id);
    if (!c.MemoryBandwidth() || !c.MemoryCapacity()) continue;
    bool dup = false;
    for (const auto& m : s.memory)
      if (m.bandwidth == *c.MemoryBandwidth() && m.capacity == *c.MemoryCapacity()) dup = true;
    if (!dup) s.memory.push_back({c.memory->type, *c.MemoryCapacity(), *c.MemoryBandwidth(), c.id});
  }
  std::stable_sort(s.memory.begin(), s.memory.end(),
                   [](const auto& a, const auto& b) { return a.bandwidth < b.bandwidth; });

  const auto& ic = base.interconnect;
  if (ic.scale_up_links && ic.scale_up_links->value > static_cast<double>(kMaxLinks))
    return fail(fmt::format("{} scale-up links; at most {} are searched",
                            FormatNumber(ic.scale_up_links->value), kMaxLinks));
  if (ic.scale_up && ic.scale_up_links && ic.scale_up_links->value > 0) {
    s.link_rate = ic.scale_up->value / ic.scale_up_links->value;
    for (int l = 0; l <= static_cast<int>(ic.scale_up_links->value); ++l) s.links.push_back(l);
  } else if (ic.scale_up && ic.scale_up->value.base() > 0) {
    s.link_rate = ic.scale_up->value;  // one aggregate "link": on or off
    s.links = {0, 1};
  } else {
    s.link_rate = BytesPerSecond::FromGiga(50);
    s.links = {0};
  }
  s.markets = {base.market};
  // Zero stands for "unknown": the derivative then has no TDP figure.
  s.tdp = {base.tdp ? base.tdp->value : Watts::Zero()};
  RETURN_IF_ERROR(s.Validate());
  return s;
}

Result<DesignSpace> DesignSpaceFor(const std::filesystem::path& data_dir,
                                   const catalog::Catalog& cat, const Chip& chip) {
  ASSIGN_OR_RETURN(std::vector<DesignSpace> spaces, LoadDesignSpaces(data_dir, cat));
  return DesignSpaceFor(spaces, cat, chip);
}

Result<DesignSpace> DesignSpaceFor(const std::vector<DesignSpace>& spaces,
                                   const catalog::Catalog& cat, const Chip& chip) {
  for (const DesignSpace& s : spaces)
    if (s.base.id == chip.id) return s;
  for (const DesignSpace& s : spaces)
    if (std::find(s.products.begin(), s.products.end(), chip.id) != s.products.end()) return s;
  return DefaultDesignSpace(chip, cat);
}

}  // namespace ceiling::design

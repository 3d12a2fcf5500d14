#include "ceiling/catalog/catalog.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "ceiling/base/units.h"

namespace ceiling::catalog {
namespace {

namespace fs = std::filesystem;

// Figure reading --------------------------------------------------------------------------

struct FigureOptions {
  bool allow_sparse = false;
  bool allow_zero = false;
};

// Reads a `source` key or list of keys and checks each against the file's [sources]; sets
// *derived when one of them is of kind "derived".
Status ReadFigureSourceKeys(const TomlTable& t, const std::map<std::string, Source>& sources,
                      std::vector<std::string>* keys, bool* derived) {
  if (!t.Has("source"))
    return t.ErrorHere("every figure needs a source: add source = \"<key of a [sources] entry>\"");
  ASSIGN_OR_RETURN(*keys, t.GetStringArray("source", /*allow_single=*/true));
  if (keys->empty()) return t.ErrorAt("source", "at least one source key is required");
  *derived = false;
  for (const std::string& k : *keys) {
    auto it = sources.find(k);
    if (it == sources.end())
      return t.ErrorAt("source", fmt::format("unknown source key \"{}\" (define [sources.{}])",
                                             k, k));
    *derived = *derived || it->second.kind == SourceKind::kDerived;
  }
  return OkStatus();
}

// Reads the `source`, `note`, `formula` fields common to every figure and checks the keys.
// `extra` lists the value keys the figure may also have (`sparse`, `alternatives`).
Status ReadFigureMeta(const TomlTable& fig, const std::map<std::string, Source>& sources,
                      const std::vector<std::string>& extra, std::vector<std::string>* keys,
                      std::string* note, std::string* formula) {
  std::vector<std::string> allowed = {"value", "source", "note", "formula"};
  allowed.insert(allowed.end(), extra.begin(), extra.end());
  RETURN_IF_ERROR(fig.CheckKeys(allowed));
  bool derived = false;
  RETURN_IF_ERROR(ReadFigureSourceKeys(fig, sources, keys, &derived));
  ASSIGN_OR_RETURN(auto n, fig.GetOptionalString("note"));
  ASSIGN_OR_RETURN(auto f, fig.GetOptionalString("formula"));
  *note = n.value_or("");
  *formula = f.value_or("");
  if (derived && formula->empty())
    return fig.ErrorHere("cites a derived source, so it needs formula = \"how it was computed\"");
  return OkStatus();
}

std::string JoinKeys(const std::vector<std::string>& keys) {
  std::string out;
  for (const std::string& k : keys) out += (out.empty() ? "" : "+") + k;
  return out;
}

// Reads `alternatives = [{ value, source, label?, note?, formula? }, ...]` of a figure whose
// recorded value is `recorded`. `read_value(table, key)` parses one value; `same(a, b)` says
// whether two values are equal. An alternative must differ from the recorded value and from the
// other alternatives, and its label (a scenario name) must be unique within the figure.
template <typename T, typename ReadValue, typename Same>
Result<std::vector<Alternative<T>>> ReadAlternatives(const TomlTable& fig,
                                                     const std::map<std::string, Source>& sources,
                                                     const T& recorded, ReadValue read_value,
                                                     Same same) {
  std::vector<Alternative<T>> out;
  if (!fig.Has("alternatives")) return out;
  if (fig.KindOf("alternatives") != TomlTable::Kind::kArray)
    return fig.ErrorAt("alternatives",
                       fmt::format("expected an array of alternatives such as [{{ value = ..., "
                                   "source = \"key\" }}], got {}",
                                   fig.Describe("alternatives")));
  ASSIGN_OR_RETURN(std::vector<TomlTable> tables, fig.GetTableArray("alternatives"));
  if (tables.empty())
    return fig.ErrorAt("alternatives", "is empty; leave it out when the figure is undisputed");
  for (const TomlTable& t : tables) {
    RETURN_IF_ERROR(t.CheckKeys({"value", "source", "label", "note", "formula"}));
    Alternative<T> alt;
    alt.location = t.location();
    if (!t.Has("value")) return t.ErrorHere("missing required key \"value\"");
    bool derived = false;
    RETURN_IF_ERROR(ReadFigureSourceKeys(t, sources, &alt.sources, &derived));
    ASSIGN_OR_RETURN(auto label, t.GetOptionalString("label"));
    ASSIGN_OR_RETURN(auto note, t.GetOptionalString("note"));
    ASSIGN_OR_RETURN(auto formula, t.GetOptionalString("formula"));
    alt.label = label.value_or(JoinKeys(alt.sources));
    alt.note = note.value_or("");
    alt.formula = formula.value_or("");
    if (label && label->empty()) return t.ErrorAt("label", "must not be empty");
    if (derived && alt.formula.empty())
      return t.ErrorHere("cites a derived source, so it needs formula = \"how it was computed\"");
    ASSIGN_OR_RETURN(alt.value, read_value(t, "value"));
    if (same(alt.value, recorded))
      return t.ErrorAt("value", "equals the recorded value; an alternative must differ from it");
    for (const Alternative<T>& other : out) {
      if (same(other.value, alt.value))
        return t.ErrorAt("value", fmt::format("repeats the alternative labelled \"{}\"; give one "
                                              "alternative per value and list all its sources",
                                              other.label));
      if (other.label == alt.label)
        return t.ErrorAt(label ? "label" : "source",
                         fmt::format("alternative label \"{}\" is used twice in this figure; one "
                                     "source gives one value",
                                     alt.label));
    }
    out.push_back(std::move(alt));
  }
  return out;
}

Result<TomlTable> FigureTable(const TomlTable& parent, std::string_view key) {
  if (parent.KindOf(key) != TomlTable::Kind::kTable)
    return parent.ErrorAt(key, fmt::format("expected a figure such as {{ value = ..., source = "
                                           "\"key\" }}, got {}",
                                           parent.Describe(key)));
  return parent.GetTable(key);
}

template <typename Q>
Result<Q> ReadQuantityValue(const TomlTable& fig, std::string_view key, const FigureOptions& opt) {
  const DimVector want = DimVector::Of<typename Q::Dimension>();
  if (fig.KindOf(key) != TomlTable::Kind::kString)
    return fig.ErrorAt(key, fmt::format("expected a quantity with a unit such as {}, got {}",
                                        DimensionExample(want), fig.Describe(key)));
  ASSIGN_OR_RETURN(std::string text, fig.GetString(key));
  auto parsed = ParseQuantity(text);
  if (!parsed.ok()) return fig.ErrorAt(key, parsed.error().message);
  auto dim = CheckDimension(*parsed, want);
  if (!dim.ok()) return fig.ErrorAt(key, fmt::format("{} (\"{}\")", dim.error().message, text));
  if (parsed->base < 0 || (parsed->base == 0 && !opt.allow_zero))
    return fig.ErrorAt(key, fmt::format("must be {}, got \"{}\"",
                                        opt.allow_zero ? "zero or positive" : "positive", text));
  return Q::FromBase(parsed->base);
}

template <typename Q>
Result<std::optional<Figure<Q>>> ReadQuantityFigure(const TomlTable& t, std::string_view key,
                                                   const std::map<std::string, Source>& sources,
                                                   FigureOptions opt = {}) {
  if (!t.Has(key)) return std::optional<Figure<Q>>();
  ASSIGN_OR_RETURN(TomlTable fig, FigureTable(t, key));
  Figure<Q> out;
  out.location = t.LocationOf(key);
  if (!fig.Has("value")) {
    if (fig.Has("sparse"))
      return fig.ErrorHere(
          "sparse-only figure: store the dense rate in value (usually half the sparse rate) and "
          "keep the datasheet's sparse rate in sparse");
    return fig.ErrorHere("missing required key \"value\"");
  }
  std::vector<std::string> extra = {"alternatives"};
  if (opt.allow_sparse) extra.push_back("sparse");
  RETURN_IF_ERROR(ReadFigureMeta(fig, sources, extra, &out.sources, &out.note, &out.formula));
  ASSIGN_OR_RETURN(out.value, ReadQuantityValue<Q>(fig, "value", opt));
  if (fig.Has("sparse")) {
    ASSIGN_OR_RETURN(Q sparse, ReadQuantityValue<Q>(fig, "sparse", opt));
    if (!(out.value < sparse))
      return fig.ErrorAt("value", fmt::format("the dense rate ({}) must be below the sparse rate "
                                              "({}); sparse figures are never stored as dense",
                                              FormatQuantity(out.value), FormatQuantity(sparse)));
    out.sparse = sparse;
  }
  ASSIGN_OR_RETURN(
      out.alternatives,
      (ReadAlternatives<Q>(
          fig, sources, out.value,
          [&opt](const TomlTable& a, std::string_view k) { return ReadQuantityValue<Q>(a, k, opt); },
          [](const Q& a, const Q& b) { return a.base() == b.base(); })));
  return std::optional<Figure<Q>>(std::move(out));
}

Result<double> ReadCountValue(const TomlTable& t, std::string_view key, bool integral) {
  const auto kind = t.KindOf(key);
  if (kind != TomlTable::Kind::kInteger && kind != TomlTable::Kind::kFloat)
    return t.ErrorAt(key, fmt::format("expected a count (a plain number), got {}", t.Describe(key)));
  ASSIGN_OR_RETURN(double v, t.GetNumber(key));
  if (!(v > 0) || !std::isfinite(v))
    return t.ErrorAt(key, fmt::format("must be positive, got {}", t.Describe(key)));
  if (integral && (kind != TomlTable::Kind::kInteger || v > 1024))
    return t.ErrorAt(key, fmt::format("must be a whole number between 1 and 1024, got {}",
                                      t.Describe(key)));
  // Counts of units, stacks and links are whole numbers (78.5 units is a typo or a halved
  // figure), and far below a billion.
  if (v != std::floor(v) || v > 1e9)
    return t.ErrorAt(key, fmt::format("must be a whole number of at most 1,000,000,000, got {}",
                                      t.Describe(key)));
  return v;
}

// `integral`: a die count (a whole number from 1 to 1024) rather than any positive count.
Result<std::optional<Figure<double>>> ReadCountFigure(const TomlTable& t, std::string_view key,
                                                      const std::map<std::string, Source>& sources,
                                                      bool integral = false) {
  if (!t.Has(key)) return std::optional<Figure<double>>();
  ASSIGN_OR_RETURN(TomlTable fig, FigureTable(t, key));
  Figure<double> out;
  out.location = t.LocationOf(key);
  if (!fig.Has("value")) return fig.ErrorHere("missing required key \"value\"");
  RETURN_IF_ERROR(
      ReadFigureMeta(fig, sources, {"alternatives"}, &out.sources, &out.note, &out.formula));
  ASSIGN_OR_RETURN(out.value, ReadCountValue(fig, "value", integral));
  ASSIGN_OR_RETURN(out.alternatives,
                   (ReadAlternatives<double>(
                       fig, sources, out.value,
                       [integral](const TomlTable& a, std::string_view k) {
                         return ReadCountValue(a, k, integral);
                       },
                       [](double a, double b) { return a == b; })));
  return std::optional<Figure<double>>(std::move(out));
}

Result<std::optional<Figure<Date>>> ReadDateFigure(const TomlTable& t, std::string_view key,
                                                   const std::map<std::string, Source>& sources) {
  if (!t.Has(key)) return std::optional<Figure<Date>>();
  ASSIGN_OR_RETURN(TomlTable fig, FigureTable(t, key));
  Figure<Date> out;
  out.location = t.LocationOf(key);
  if (!fig.Has("value")) return fig.ErrorHere("missing required key \"value\"");
  if (fig.Has("alternatives"))
    return fig.ErrorAt("alternatives", "dates take no alternatives; name the other sources' "
                                       "dates in the note");
  RETURN_IF_ERROR(ReadFigureMeta(fig, sources, {}, &out.sources, &out.note, &out.formula));
  ASSIGN_OR_RETURN(out.value, fig.GetDate("value"));
  return std::optional<Figure<Date>>(std::move(out));
}

// Sections -------------------------------------------------------------------------------


Result<std::vector<Die>> ReadDies(const TomlTable& doc, const std::map<std::string, Source>& src) {
  std::vector<Die> dies;
  if (!doc.Has("dies")) return dies;
  ASSIGN_OR_RETURN(std::vector<TomlTable> tables, doc.GetTableArray("dies"));
  for (const TomlTable& t : tables) {
    RETURN_IF_ERROR(t.CheckKeys({"name", "kind", "process", "non_planar", "count", "area"}));
    Die d;
    d.location = t.location();
    ASSIGN_OR_RETURN(d.name, t.GetString("name"));
    ASSIGN_OR_RETURN(std::string kind, t.GetString("kind"));
    if (kind == "logic") d.kind = DieKind::kLogic;
    else if (kind == "memory") d.kind = DieKind::kMemory;
    else return t.ErrorAt("kind", fmt::format("expected logic or memory, got \"{}\"", kind));
    ASSIGN_OR_RETURN(d.process, t.GetString("process"));
    ASSIGN_OR_RETURN(d.non_planar, t.GetBool("non_planar"));
    if (t.KindOf("count") == TomlTable::Kind::kTable) {
      ASSIGN_OR_RETURN(d.count_figure, ReadCountFigure(t, "count", src, /*integral=*/true));
      d.count = static_cast<int>(d.count_figure->value);
    } else {
      ASSIGN_OR_RETURN(auto count, t.GetOptionalInteger("count"));
      d.count = static_cast<int>(count.value_or(1));
      if (count && (*count < 1 || *count > 1024))
        return t.ErrorAt("count", fmt::format("must be between 1 and 1024, got {}", *count));
    }
    ASSIGN_OR_RETURN(d.area, ReadQuantityFigure<SquareMetres>(t, "area", src));
    dies.push_back(std::move(d));
  }
  return dies;
}

bool ValidId(std::string_view id) {
  if (id.empty() || id.front() == '-' || id.back() == '-') return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
  });
}

// The ratio of the nearest chip up `chip`'s derived_from line that has one (Chip's comment).
// The line has no cycle (checked before), and the walk is bounded all the same.
std::optional<double> BaseTensorPerVector(const Chip& chip, const Catalog& cat) {
  const Chip* at = &chip;
  for (int depth = 0; depth < 64 && at->derived_from; ++depth) {
    at = cat.Find(*at->derived_from);
    if (!at) break;
    if (auto r = TensorPerVector(*at)) return r;
  }
  return std::nullopt;
}

}  // namespace

Result<Chip> ParseChip(const TomlTable& doc, std::string_view expected_id) {
  RETURN_IF_ERROR(doc.CheckKeys({"id", "name", "vendor", "family", "market", "form_factor",
                                 "derived_from", "released", "announced", "first_reported", "dies", "throughput",
                                 "memory", "interconnect", "power", "compute", "sources"}));
  Chip chip;
  chip.file = doc.file();
  ASSIGN_OR_RETURN(chip.sources, ReadSources(doc));
  const auto& src = chip.sources;

  ASSIGN_OR_RETURN(chip.id, doc.GetString("id"));
  if (!ValidId(chip.id))
    return doc.ErrorAt("id", fmt::format("expected lower-case letters, digits and '-', got \"{}\"",
                                         chip.id));
  if (!expected_id.empty() && chip.id != expected_id)
    return doc.ErrorAt("id", fmt::format("\"{}\" does not match the file name (expected \"{}\")",
                                         chip.id, expected_id));
  ASSIGN_OR_RETURN(chip.name, doc.GetString("name"));
  ASSIGN_OR_RETURN(chip.vendor, doc.GetString("vendor"));
  ASSIGN_OR_RETURN(chip.family, doc.GetString("family"));
  if (chip.id.rfind(chip.vendor + "-", 0) != 0)
    return doc.ErrorAt("vendor", fmt::format("id \"{}\" must start with the vendor \"{}-\"",
                                             chip.id, chip.vendor));
  ASSIGN_OR_RETURN(std::string market, doc.GetString("market"));
  if (auto m = MarketFromName(market)) chip.market = *m;
  else
    return doc.ErrorAt("market", fmt::format("expected datacenter, consumer, workstation or "
                                             "edge, got \"{}\"", market));
  ASSIGN_OR_RETURN(std::string ff, doc.GetString("form_factor"));
  if (auto f = FormFactorFromName(ff)) chip.form_factor = *f;
  else
    return doc.ErrorAt("form_factor", fmt::format("expected sxm, oam, pcie, module, superchip, "
                                                  "card or chip, got \"{}\"", ff));
  ASSIGN_OR_RETURN(chip.derived_from, doc.GetOptionalString("derived_from"));
  if (chip.derived_from && *chip.derived_from == chip.id)
    return doc.ErrorAt("derived_from", "a chip cannot be derived from itself");
  ASSIGN_OR_RETURN(chip.released, ReadDateFigure(doc, "released", src));
  ASSIGN_OR_RETURN(chip.announced, ReadDateFigure(doc, "announced", src));
  ASSIGN_OR_RETURN(chip.first_reported, ReadDateFigure(doc, "first_reported", src));
  ASSIGN_OR_RETURN(chip.dies, ReadDies(doc, src));

  if (doc.Has("throughput")) {
    ASSIGN_OR_RETURN(TomlTable t, doc.GetTable("throughput"));
    std::vector<std::string> allowed;
    for (std::size_t i = 0; i < kPrecisionCount; ++i)
      allowed.emplace_back(PrecisionName(static_cast<Precision>(i)));
    RETURN_IF_ERROR(t.CheckKeys(allowed));
    for (std::size_t i = 0; i < kPrecisionCount; ++i) {
      ASSIGN_OR_RETURN(chip.throughput[i],
                       ReadQuantityFigure<OpsPerSecond>(t, allowed[i], src, {.allow_sparse = true}));
    }
  }
  if (doc.Has("memory")) {
    ASSIGN_OR_RETURN(TomlTable t, doc.GetTable("memory"));
    RETURN_IF_ERROR(t.CheckKeys({"type", "capacity", "bandwidth", "stacks"}));
    Memory mem;
    ASSIGN_OR_RETURN(mem.type, t.GetString("type"));
    ASSIGN_OR_RETURN(mem.capacity, ReadQuantityFigure<Bytes>(t, "capacity", src));
    ASSIGN_OR_RETURN(mem.bandwidth, ReadQuantityFigure<BytesPerSecond>(t, "bandwidth", src));
    ASSIGN_OR_RETURN(mem.stacks, ReadCountFigure(t, "stacks", src));
    chip.memory = std::move(mem);
  }
  if (doc.Has("interconnect")) {
    ASSIGN_OR_RETURN(TomlTable t, doc.GetTable("interconnect"));
    RETURN_IF_ERROR(t.CheckKeys({"scale_up", "scale_up_links", "io_aggregate", "pcie"}));
    auto& ic = chip.interconnect;
    const FigureOptions zero_ok{.allow_zero = true};
    ASSIGN_OR_RETURN(ic.scale_up, ReadQuantityFigure<BytesPerSecond>(t, "scale_up", src, zero_ok));
    ASSIGN_OR_RETURN(ic.scale_up_links, ReadCountFigure(t, "scale_up_links", src));
    ASSIGN_OR_RETURN(ic.io_aggregate,
                     ReadQuantityFigure<BytesPerSecond>(t, "io_aggregate", src, zero_ok));
    ASSIGN_OR_RETURN(ic.pcie, ReadQuantityFigure<BytesPerSecond>(t, "pcie", src));
  }
  if (doc.Has("power")) {
    ASSIGN_OR_RETURN(TomlTable t, doc.GetTable("power"));
    RETURN_IF_ERROR(t.CheckKeys({"tdp"}));
    ASSIGN_OR_RETURN(chip.tdp, ReadQuantityFigure<Watts>(t, "tdp", src));
  }
  if (doc.Has("compute")) {
    ASSIGN_OR_RETURN(TomlTable t, doc.GetTable("compute"));
    RETURN_IF_ERROR(t.CheckKeys({"units", "unit_name", "boost_clock"}));
    ASSIGN_OR_RETURN(chip.compute.units, ReadCountFigure(t, "units", src));
    ASSIGN_OR_RETURN(auto un, t.GetOptionalString("unit_name"));
    chip.compute.unit_name = un.value_or("");
    if (chip.compute.units && chip.compute.unit_name.empty())
      return t.ErrorHere("units is given, so unit_name (\"SM\", \"CU\", ...) is required");
    ASSIGN_OR_RETURN(chip.compute.boost_clock, ReadQuantityFigure<Hertz>(t, "boost_clock", src));
  }
  return chip;
}

std::string DisplayPath(const fs::path& p) {
  std::error_code ec;
  const fs::path cwd = fs::current_path(ec);
  if (!ec && p.is_absolute()) {
    const fs::path rel = p.lexically_relative(cwd);
    if (!rel.empty() && rel.native().rfind("..", 0) != 0) return rel.string();
  }
  return p.string();
}

std::string ExpectedIdForPath(const fs::path& p) {
  const fs::path vendor_dir = p.parent_path();
  if (vendor_dir.parent_path().filename() != "chips") return "";
  return vendor_dir.filename().string() + "-" + p.stem().string();
}

Result<Chip> LoadChipFile(const fs::path& path, std::string display_name,
                          std::string_view expected_id) {
  if (display_name.empty()) display_name = DisplayPath(path);
  ASSIGN_OR_RETURN(TomlTable doc, TomlTable::ParseFile(path, display_name));
  return ParseChip(doc, expected_id);
}

Result<Chip> ParseChipText(std::string_view text, std::string display_name,
                           std::string_view expected_id) {
  ASSIGN_OR_RETURN(TomlTable doc, TomlTable::ParseString(text, std::move(display_name)));
  return ParseChip(doc, expected_id);
}

std::vector<fs::path> ListChipFiles(const fs::path& chips_dir) {
  std::vector<fs::path> files;
  std::error_code ec;
  if (!fs::is_directory(chips_dir, ec)) return files;
  for (auto it = fs::recursive_directory_iterator(chips_dir, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file() && it->path().extension() == ".toml") files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

Result<Catalog> Catalog::Load(const fs::path& data_dir) {
  const fs::path dir = data_dir / "chips";
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    return MakeError(ErrorCode::kNotFound,
                     fmt::format("{}: no chips directory", DisplayPath(dir)));
  std::vector<Chip> chips;
  for (const fs::path& p : ListChipFiles(dir)) {
    ASSIGN_OR_RETURN(Chip c, LoadChipFile(p, DisplayPath(p), ExpectedIdForPath(p)));
    chips.push_back(std::move(c));
  }
  return FromChips(std::move(chips));
}

Result<Catalog> Catalog::FromChips(std::vector<Chip> chips) {
  Catalog cat;
  cat.index_ = std::make_shared<std::unordered_map<std::string, std::size_t>>();
  for (std::size_t i = 0; i < chips.size(); ++i) {
    auto [it, inserted] = cat.index_->emplace(chips[i].id, i);
    if (!inserted)
      return MakeError(ErrorCode::kInconsistent,
                       fmt::format("duplicate chip id \"{}\" (also in {})", chips[i].id,
                                   chips[it->second].file),
                       SourceLocation{chips[i].file, 0, 0});
  }
  for (const Chip& c : chips) {
    if (c.derived_from && !cat.index_->count(*c.derived_from))
      return MakeError(ErrorCode::kInconsistent,
                       fmt::format("derived_from: unknown chip \"{}\"", *c.derived_from),
                       SourceLocation{c.file, 0, 0});
  }
  for (const Chip& c : chips)
    if (auto cycle = DerivedFromCycle(chips, c.id); !cycle.empty())
      return MakeError(ErrorCode::kInconsistent,
                       fmt::format("derived_from: a cycle ({}); a chip cannot be derived from "
                                   "itself, directly or through others",
                                   cycle),
                       SourceLocation{c.file, 0, 0});
  cat.chips_ = std::make_shared<std::vector<Chip>>(std::move(chips));
  for (Chip& c : *cat.chips_)
    c.base_tensor_per_vector = BaseTensorPerVector(c, cat);
  cat.metrics_ = std::make_shared<std::vector<ChipMetrics>>();
  for (const Chip& c : *cat.chips_) cat.metrics_->push_back(ComputeMetrics(c));
  return cat;
}

const Chip* Catalog::Find(std::string_view id) const {
  auto it = index_->find(std::string(id));
  return it == index_->end() ? nullptr : &(*chips_)[it->second];
}

const ChipMetrics* Catalog::MetricsOf(std::string_view id) const {
  auto it = index_->find(std::string(id));
  return it == index_->end() ? nullptr : &(*metrics_)[it->second];
}

std::vector<std::string> Catalog::Suggest(std::string_view id, std::size_t n) const {
  // Ids containing the query ("h20" in "nvidia-h20") come first; otherwise the closest by edit
  // distance, if reasonably close.
  std::vector<std::pair<int, std::string>> containing, near;
  for (const Chip& c : *chips_) {
    // Compare with the id and with the id without its vendor prefix ("h20x" ~ "h20").
    const std::string_view bare = std::string_view(c.id).substr(
        std::min(c.id.size(), c.vendor.size() + 1));
    const int d = std::min(EditDistance(id, c.id), EditDistance(id, bare));
    if (!id.empty() && c.id.find(id) != std::string::npos)
      containing.emplace_back(d, c.id);
    // Close means a few edits, fewer than the query has letters ("nope" is not near "lpu").
    else if (d <= std::max<int>(2, static_cast<int>(id.size()) / 3) &&
             d < static_cast<int>(id.size()))
      near.emplace_back(d, c.id);
  }
  auto& pick = containing.empty() ? near : containing;
  std::sort(pick.begin(), pick.end());
  std::vector<std::string> out;
  for (const auto& [d, cid] : pick) {
    if (out.size() >= n) break;
    out.push_back(cid);
  }
  return out;
}

Result<const Chip*> Catalog::Resolve(std::string_view id) const {
  if (const Chip* c = Find(id)) return c;
  if (id.empty())
    return MakeError(ErrorCode::kNotFound, "an empty chip id (see `ceiling chips` for the list)");
  std::string msg = fmt::format("unknown chip \"{}\"", id);
  auto near = Suggest(id);
  if (!near.empty()) {
    msg += "; did you mean ";
    for (std::size_t i = 0; i < near.size(); ++i)
      msg += (i ? (i + 1 == near.size() ? " or " : ", ") : "") + fmt::format("\"{}\"", near[i]);
    msg += "?";
  } else {
    msg += " (see `ceiling chips` for the list)";
  }
  return MakeError(ErrorCode::kNotFound, msg);
}

Result<Chip> Catalog::ParseChipText(std::string_view text, std::string display_name) const {
  ASSIGN_OR_RETURN(TomlTable doc, TomlTable::ParseString(text, display_name));
  ASSIGN_OR_RETURN(Chip chip, ParseChip(doc));
  if (chip.file.empty()) chip.file = display_name;
  if (chip.derived_from && !Find(*chip.derived_from))
    return MakeError(ErrorCode::kInconsistent,
                     fmt::format("derived_from: unknown chip \"{}\"", *chip.derived_from),
                     SourceLocation{display_name, 0, 0});
  chip.base_tensor_per_vector = BaseTensorPerVector(chip, *this);
  return chip;
}


}  // namespace ceiling::catalog

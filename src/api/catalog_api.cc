#include "ceiling/api/catalog_api.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <set>

#include "ceiling/base/file.h"
#include "ceiling/base/units.h"
#include "ceiling/design/check.h"
#include "ceiling/fleet/fleet.h"
#include "ceiling/report/chip_text.h"
#include "ceiling/report/json.h"
#include "ceiling/report/table.h"
#include "ceiling/rules/rulebook.h"

namespace ceiling::api {

using catalog::MetricId;

std::string Ref::Label(std::string_view field) const {
  if (!id.empty()) return id;
  if (toml) return toml->name.empty() ? std::string(field) : toml->name;
  return "";
}

namespace detail {

Status CheckChoice(const Field& f, const std::string& value) {
  std::string_view choices = f.choices;
  std::vector<std::string_view> list;
  while (!choices.empty()) {
    const auto bar = choices.find('|');
    list.push_back(choices.substr(0, bar));
    if (bar == std::string_view::npos) break;
    choices.remove_prefix(bar + 1);
  }
  if (std::find(list.begin(), list.end(), value) != list.end()) return OkStatus();
  std::string expected;
  for (std::size_t i = 0; i < list.size(); ++i)
    expected += (i == 0 ? "" : i + 1 == list.size() ? " or " : ", ") + std::string(list[i]);
  return FieldError(f.name, fmt::format("expected {}, got \"{}\"", expected, value));
}

}  // namespace detail

Result<std::shared_ptr<const catalog::Chip>> ResolveChip(const KnowledgeBase& kb, const Ref& ref,
                                                         std::string_view field) {
  if (ref.toml) {
    const std::string name = ref.toml->name.empty() ? std::string(field) : ref.toml->name;
    auto chip = kb.catalog().ParseChipText(ref.toml->text, name);
    if (!chip.ok()) return WithField(chip.error(), field);
    return std::shared_ptr<const catalog::Chip>(std::make_shared<catalog::Chip>(std::move(*chip)));
  }
  auto c = kb.catalog().Resolve(ref.id);
  if (!c.ok()) return WithField(c.error(), field);
  // Aliasing: the pointer shares ownership of the knowledge base that holds the chip.
  return std::shared_ptr<const catalog::Chip>(kb.shared_from_this(), *c);
}

// chips ------------------------------------------------------------------------------------------

Status ChipsRequest::Validate() {
  RETURN_IF_ERROR(CheckFields(*this));
  for (const std::string& m : mark_tpp) {
    const auto eq = m.find('=');
    double v = 0;
    const char* end = m.data() + (eq == std::string::npos ? m.size() : eq);
    auto [ptr, ec] = std::from_chars(m.data(), end, v);
    if (eq == std::string::npos || eq == 0 || ec != std::errc() || ptr != end || !(v >= 0))
      return FieldError("mark_tpp", fmt::format("expected VALUE=LABEL, got \"{}\"", m));
  }
  if (!mark_tpp.empty() && sort != "tpp") return FieldError("mark_tpp", "needs sort = tpp");
  return OkStatus();
}

Result<ChipsResponse> Chips(const KnowledgeBase& kb, ChipsRequest request) {
  RETURN_IF_ERROR(request.Validate());
  const catalog::Catalog& cat = kb.catalog();
  const auto& chips = cat.chips();
  ChipsResponse r;
  r.kb = kb.shared_from_this();
  // A vendor no chip has ("NVIDIA" for "nvidia") is a mistake to name, not an empty table.
  if (!request.vendor.empty() &&
      std::none_of(chips.begin(), chips.end(),
                   [&](const catalog::Chip& c) { return c.vendor == request.vendor; })) {
    std::set<std::string> vendors;
    for (const catalog::Chip& c : chips) vendors.insert(c.vendor);
    std::string list;
    for (const std::string& v : vendors) list += (list.empty() ? "" : ", ") + v;
    return FieldError("vendor", fmt::format("no chip of vendor \"{}\"; the vendors are {}",
                                            request.vendor, list));
  }
  for (std::size_t i = 0; i < chips.size(); ++i) {
    if (!request.vendor.empty() && chips[i].vendor != request.vendor) continue;
    if (!request.market.empty() && catalog::MarketName(chips[i].market) != request.market) continue;
    r.chips.push_back(i);
  }
  auto key = [&](std::size_t i, MetricId id) { return cat.metrics(i).value(id).value_or(-1); };
  const std::string& sort = request.sort;
  std::stable_sort(r.chips.begin(), r.chips.end(), [&](std::size_t a, std::size_t b) {
    if (sort == "tpp") return key(a, MetricId::kTpp) > key(b, MetricId::kTpp);
    if (sort == "pd") return key(a, MetricId::kPd) > key(b, MetricId::kPd);
    if (sort == "bandwidth")
      return key(a, MetricId::kDramBandwidth) > key(b, MetricId::kDramBandwidth);
    if (sort == "released") {
      auto d = [&](std::size_t i) {
        return chips[i].released ? chips[i].released->value : Date{9999, 12, 31};
      };
      return d(a) < d(b);
    }
    return chips[a].id < chips[b].id;
  });
  for (const std::string& m : request.mark_tpp) {
    const auto eq = m.find('=');
    double v = 0;
    std::from_chars(m.data(), m.data() + eq, v);
    r.markers.push_back({v, m.substr(eq + 1)});
  }
  std::stable_sort(r.markers.begin(), r.markers.end(),
                   [](const TppMarker& a, const TppMarker& b) { return a.tpp > b.tpp; });
  return r;
}

nlohmann::json ToJson(const ChipsResponse& r) {
  nlohmann::json j = nlohmann::json::array();
  const catalog::Catalog& cat = r.kb->catalog();
  for (std::size_t i : r.chips) j.push_back(report::ChipJson(cat.chips()[i], cat.metrics(i)));
  return j;
}

std::string ToText(const ChipsResponse& r) {
  const catalog::Catalog& cat = r.kb->catalog();
  report::Table t = report::ChipsTable();
  std::size_t next = 0;
  for (std::size_t i : r.chips) {
    const double tpp = cat.metrics(i).value(MetricId::kTpp).value_or(-1);
    while (next < r.markers.size() && tpp < r.markers[next].tpp) {
      t.AddRule(
          fmt::format("TPP {} {}", FormatFixed(r.markers[next].tpp, 0), r.markers[next].label));
      ++next;
    }
    t.AddRow(report::ChipsRow(cat.chips()[i], cat.metrics(i)));
  }
  return t.RenderText() + fmt::format("{} chips\n", t.rows());
}

std::string ToCsv(const ChipsResponse& r) {
  const catalog::Catalog& cat = r.kb->catalog();
  report::Table t = report::ChipsTable();
  for (std::size_t i : r.chips) t.AddRow(report::ChipsCsvRow(cat.chips()[i], cat.metrics(i)));
  return t.RenderCsv();
}

// show -------------------------------------------------------------------------------------------

Result<ShowResponse> Show(const KnowledgeBase& kb, ShowRequest request) {
  RETURN_IF_ERROR(request.Validate());
  ShowResponse r;
  ASSIGN_OR_RETURN(r.chip, ResolveChip(kb, request.chip, "chip"));
  const catalog::ChipMetrics* m = request.chip.toml ? nullptr : kb.catalog().MetricsOf(r.chip->id);
  r.metrics = m != nullptr ? *m : catalog::ComputeMetrics(*r.chip);
  return r;
}

nlohmann::json ToJson(const ShowResponse& r) { return report::ChipJson(*r.chip, r.metrics); }
std::string ToText(const ShowResponse& r) {
  return report::WrapReport(report::ChipText(*r.chip, r.metrics));
}

// check-data -------------------------------------------------------------------------------------

namespace {

// data/fleets: each shipments file (TOML or CSV) as `ceiling fleet` reads it, evaluated with the
// TPP yardstick against the bundled catalog and rules, so that an unknown chip, destination or
// source is a finding; only parsed when the catalog or the rules do not load.
void CheckFleets(const std::filesystem::path& data_dir, const rules::RuleBook* book,
                 CheckDataResponse* r) {
  namespace fs = std::filesystem;
  const fs::path dir = data_dir / "fleets";
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return;
  const std::vector<fs::path> files = FilesIn(dir, {".toml", ".csv"});
  auto cat = catalog::Catalog::Load(data_dir);
  int& count = r->files["fleets"];
  for (const fs::path& f : files) {
    ++count;
    const std::string name = catalog::DisplayPath(f);
    auto text = ReadTextFile(f, name);
    Status st = OkStatus();
    if (!text.ok()) {
      st = text.error();
    } else if (book == nullptr || !cat.ok()) {
      auto set = fleet::ParseShipments(*text, name);
      if (!set.ok()) st = set.error();
    } else {
      fleet::Knowledge kb;
      kb.chips = &*cat;
      kb.rules = book;
      fleet::FleetQuery q;
      q.shipments_text = std::move(*text);
      q.shipments_name = name;
      q.throughput = false;
      auto res = fleet::RunFleet(kb, q);
      if (!res.ok()) st = res.error();
    }
    if (!st.ok()) r->chips.findings.push_back({st.error().location, st.error().message});
  }
}

}  // namespace

CheckDataResponse CheckData(const std::filesystem::path& data_dir, const CheckDataRequest&) {
  CheckDataResponse r;
  r.chips = catalog::CheckChipsDir(data_dir / "chips");
  // Every other folder (countries, rules, models, perf, designs, validation), file by file, each
  // value range-checked by its module's loader.
  for (catalog::FolderCheck& f : design::CheckKnowledgeBase(data_dir)) {
    if (f.present && f.folder != "rules" && f.folder != "countries") r.files[f.folder] = f.files;
    for (catalog::Finding& x : f.findings) r.chips.findings.push_back(std::move(x));
  }
  std::error_code ec;
  if (std::filesystem::exists(data_dir / "rules", ec)) {
    // The whole rule book (with what the folder checks do not read: entities, import measures,
    // screening lists) for the counts; a load error not already found file by file is a finding.
    auto book = rules::RuleBook::Load(data_dir);
    if (!book.ok()) {
      const catalog::Finding f{book.error().location, book.error().message};
      if (std::none_of(
              r.chips.findings.begin(), r.chips.findings.end(), [&](const catalog::Finding& x) {
                return x.location.ToString() == f.location.ToString() && x.message == f.message;
              }))
        r.chips.findings.push_back(f);
    } else {
      r.rules_loaded = true;
      r.rule_versions = static_cast<int>(book->rules().size());
      for (const rules::RuleVersion& v : book->rules())
        r.clauses += static_cast<int>(v.clauses.size());
      r.country_groups = static_cast<int>(book->countries().groups().size());
    }
    CheckFleets(data_dir, book.ok() ? &*book : nullptr, &r);
  }
  return r;
}

nlohmann::json ToJson(const CheckDataResponse& r) {
  nlohmann::json findings = nlohmann::json::array();
  for (const catalog::Finding& f : r.chips.findings)
    findings.push_back({{"location", f.location.ToString()}, {"message", f.message}});
  return {{"ok", r.ok()},
          {"chip_files", r.chips.files},
          {"chips", r.chips.chips},
          {"cited_figures", r.chips.figures},
          {"rule_versions", r.rule_versions},
          {"clauses", r.clauses},
          {"country_groups", r.country_groups},
          {"files", r.files},
          {"findings", findings}};
}

std::string ToText(const CheckDataResponse& r, bool quiet) {
  std::string out;
  for (const catalog::Finding& f : r.chips.findings) out += f.ToString() + "\n";
  if (!quiet) {
    const std::string rules = r.rules_loaded
                                  ? fmt::format(", {} rule versions, {} clauses, {} country groups",
                                                r.rule_versions, r.clauses, r.country_groups)
                                  : "";
    std::string folders;
    auto singular = [](const std::string& folder) {
      if (folder == "entities") return std::string("entity");
      return folder.back() == 's' ? folder.substr(0, folder.size() - 1) : folder;
    };
    for (const auto& [folder, files] : r.files)
      folders += fmt::format(", {} {} file{}", files, singular(folder), files == 1 ? "" : "s");
    const std::size_t n = r.chips.findings.size();
    out += report::WrapReport(
        fmt::format("check-data: {} chip files, {} chips, {} cited figures{}{}, {} finding{}\n",
                    r.chips.files, r.chips.chips, r.chips.figures, rules, folders, n,
                    n == 1 ? "" : "s"));
  }
  return out;
}

}  // namespace ceiling::api

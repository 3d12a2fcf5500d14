// chips, show, check-data.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <ostream>

#include "ceiling/base/units.h"
#include "ceiling/catalog/check.h"
#include "ceiling/design/check.h"
#include "ceiling/report/chip_text.h"
#include "ceiling/report/json.h"
#include "commands.h"

namespace ceiling::cli {

using catalog::Chip;
using catalog::ChipMetrics;
using catalog::MetricId;

Runner SetupChips(CLI::App* sub) {
  struct Opts {
    std::string vendor, market, sort = "id";
    bool json = false, csv = false;
    std::vector<std::string> marks;
  };
  auto o = std::make_shared<Opts>();
  sub->add_option("--vendor", o->vendor, "Only chips of this vendor (e.g. nvidia)");
  sub->add_option("--market", o->market, "Only this market: datacenter, consumer, workstation, edge");
  sub->add_option("--sort", o->sort, "Sort by id, tpp, pd, bandwidth or released")
      ->check(CLI::IsMember({"id", "tpp", "pd", "bandwidth", "released"}));
  sub->add_option("--mark-tpp", o->marks,
                  "Draw a labelled line in the TPP-sorted table: VALUE=LABEL (repeatable)");
  auto* json = sub->add_flag("--json", o->json, "JSON output");
  sub->add_flag("--csv", o->csv, "CSV output")->excludes(json);

  return [o](Context& ctx) -> int {
    auto cat = ctx.Catalog();
    if (!cat.ok()) return ctx.Fail(cat.error());
    if (!o->market.empty() && !catalog::MarketFromName(o->market))
      return ctx.Fail(MakeError(ErrorCode::kInvalidArgument,
                                fmt::format("--market: expected datacenter, consumer, workstation "
                                            "or edge, got \"{}\"", o->market)));
    struct Marker {
      double tpp;
      std::string label;
    };
    std::vector<Marker> markers;
    for (const std::string& m : o->marks) {
      const auto eq = m.find('=');
      char* end = nullptr;
      const std::string num = m.substr(0, eq);
      const double v = std::strtod(num.c_str(), &end);
      if (eq == std::string::npos || end != num.c_str() + num.size() || num.empty())
        return ctx.Fail(MakeError(ErrorCode::kInvalidArgument,
                                  fmt::format("--mark-tpp: expected VALUE=LABEL, got \"{}\"", m)));
      markers.push_back({v, m.substr(eq + 1)});
    }
    if (!markers.empty() && o->sort != "tpp")
      return ctx.Fail(MakeError(ErrorCode::kInvalidArgument, "--mark-tpp needs --sort tpp"));

    const auto& chips = (*cat)->chips();
    std::vector<std::size_t> idx;
    for (std::size_t i = 0; i < chips.size(); ++i) {
      if (!o->vendor.empty() && chips[i].vendor != o->vendor) continue;
      if (!o->market.empty() && catalog::MarketName(chips[i].market) != o->market) continue;
      idx.push_back(i);
    }
    auto key = [&](std::size_t i, MetricId id) { return (*cat)->metrics(i).value(id).value_or(-1); };
    std::stable_sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) {
      if (o->sort == "tpp") return key(a, MetricId::kTpp) > key(b, MetricId::kTpp);
      if (o->sort == "pd") return key(a, MetricId::kPd) > key(b, MetricId::kPd);
      if (o->sort == "bandwidth")
        return key(a, MetricId::kDramBandwidth) > key(b, MetricId::kDramBandwidth);
      if (o->sort == "released") {
        auto d = [&](std::size_t i) {
          return chips[i].released ? chips[i].released->value : Date{9999, 12, 31};
        };
        return d(a) < d(b);
      }
      return chips[a].id < chips[b].id;
    });

    if (o->json) {
      nlohmann::json j = nlohmann::json::array();
      for (std::size_t i : idx) j.push_back(report::ChipJson(chips[i], (*cat)->metrics(i)));
      ctx.out << report::DumpJson(j) << "\n";
      return kExitOk;
    }
    report::Table t = report::ChipsTable();
    std::sort(markers.begin(), markers.end(),
              [](const Marker& a, const Marker& b) { return a.tpp > b.tpp; });
    std::size_t next_marker = 0;
    for (std::size_t i : idx) {
      const double tpp = key(i, MetricId::kTpp);
      while (next_marker < markers.size() && tpp < markers[next_marker].tpp) {
        t.AddRule(fmt::format("TPP {} {}", FormatFixed(markers[next_marker].tpp, 0),
                              markers[next_marker].label));
        ++next_marker;
      }
      t.AddRow(o->csv ? report::ChipsCsvRow(chips[i], (*cat)->metrics(i))
                      : report::ChipsRow(chips[i], (*cat)->metrics(i)));
    }
    ctx.out << (o->csv ? t.RenderCsv() : t.RenderText());
    if (!o->csv) ctx.out << fmt::format("{} chips\n", t.rows());
    return kExitOk;
  };
}

Runner SetupShow(CLI::App* sub) {
  struct Opts {
    std::string chip;
    bool json = false;
  };
  auto o = std::make_shared<Opts>();
  sub->add_option("CHIP", o->chip, "Catalog id (e.g. nvidia-h20) or path to a chip file")
      ->required();
  sub->add_flag("--json", o->json, "JSON output");
  return [o](Context& ctx) -> int {
    auto cat = ctx.Catalog();
    if (!cat.ok()) return ctx.Fail(cat.error());
    auto chip = (*cat)->Resolve(o->chip);
    if (!chip.ok()) return ctx.Fail(chip.error());
    const ChipMetrics m = catalog::ComputeMetrics(**chip);
    if (o->json)
      ctx.out << report::DumpJson(report::ChipJson(**chip, m)) << "\n";
    else
      ctx.out << report::ChipText(**chip, m);
    return kExitOk;
  };
}

Runner SetupCheckData(CLI::App* sub) {
  auto quiet = std::make_shared<bool>(false);
  sub->add_flag("-q,--quiet", *quiet, "Print findings only");
  return [quiet](Context& ctx) -> int {
    const auto dir = std::filesystem::path(ctx.data_dir) / "chips";
    catalog::CheckReport r = catalog::CheckChipsDir(dir);
    // Rules and countries, when the knowledge base has them: loading checks every file; then
    // the products that measures name must be catalog chips.
    std::string rules_summary;
    std::error_code ec;
    if (std::filesystem::exists(std::filesystem::path(ctx.data_dir) / "rules", ec)) {
      auto book = rules::RuleBook::Load(ctx.data_dir);
      if (book.ok()) {
        std::size_t clauses = 0;
        for (const rules::RuleVersion& v : book->rules()) clauses += v.clauses.size();
        rules_summary =
            fmt::format(", {} rule versions, {} clauses, {} country groups", book->rules().size(),
                        clauses, book->countries().groups().size());
      }
    }
    // Every other folder (countries, rules, models, perf, designs, validation), file by file.
    for (catalog::FolderCheck& f : design::CheckKnowledgeBase(ctx.data_dir)) {
      if (f.present && f.folder != "rules" && f.folder != "countries")
        rules_summary +=
            fmt::format(", {} {} file{}", f.files,
                        f.folder.back() == 's' ? f.folder.substr(0, f.folder.size() - 1) : f.folder,
                        f.files == 1 ? "" : "s");
      for (catalog::Finding& x : f.findings) r.findings.push_back(std::move(x));
    }
    for (const auto& f : r.findings) ctx.out << f.ToString() << "\n";
    if (!*quiet)
      ctx.out << fmt::format("check-data: {} chip files, {} chips, {} cited figures{}, {} finding{}\n",
                             r.files, r.chips, r.figures, rules_summary, r.findings.size(),
                             r.findings.size() == 1 ? "" : "s");
    return r.findings.empty() ? kExitOk : kExitCheckFailed;
  };
}

}  // namespace ceiling::cli

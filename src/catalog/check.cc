#include "ceiling/catalog/check.h"

#include <fmt/format.h>

#include <set>
#include <unordered_map>

#include "ceiling/base/units.h"
#include "ceiling/catalog/alternatives.h"
#include "ceiling/catalog/catalog.h"
#include "figures.h"

namespace ceiling::catalog {
namespace {

// Visits every figure of a chip, and every alternative of a figure, with its name, cited keys
// and location.
template <typename F>
void ForEachFigure(const Chip& c, F&& f) {
  VisitFigures(c, [&f](const std::string& name, const auto& fig) {
    if (!fig) return;
    f(name, fig->sources, fig->location);
    for (const auto& alt : fig->alternatives) f(name, alt.sources, alt.location);
  });
}

SourceLocation FileLoc(const Chip& c) { return SourceLocation{c.file, 0, 0}; }

}  // namespace

std::string Finding::ToString() const {
  return location.known() ? location.ToString() + ": " + message : message;
}

std::vector<Finding> CheckConsistency(const std::vector<Chip>& chips) {
  std::vector<Finding> out;
  std::unordered_map<std::string, const Chip*> by_id;
  for (const Chip& c : chips) {
    auto [it, inserted] = by_id.emplace(c.id, &c);
    if (!inserted)
      out.push_back({FileLoc(c), fmt::format("duplicate chip id \"{}\" (first defined in {})",
                                             c.id, it->second->file)});
  }
  for (const Chip& c : chips) {
    // Every source is cited by some figure.
    std::set<std::string> used;
    ForEachFigure(c, [&](std::string_view, const std::vector<std::string>& keys,
                         const SourceLocation&) { used.insert(keys.begin(), keys.end()); });
    for (const auto& [key, src] : c.sources)
      if (!used.count(key))
        out.push_back({FileLoc(c), fmt::format("sources.{}: defined but no figure cites it", key)});

    // Lower precision never slower than higher precision on the same tensor units. (INT8 is not
    // compared with FP16: Blackwell Ultra cut INT8 below FP16.) Checked for the record and for
    // every scenario of its disputed figures, so an alternative cannot slip one in either.
    auto check_order = [&out](const Chip& x, const std::string& scenario) {
      auto rate = [&](Precision p) -> std::optional<double> {
        if (const auto& r = x.Rate(p)) return r->value.base();
        return std::nullopt;
      };
      auto order = [&](Precision lo, Precision hi) {
        auto a = rate(lo), b = rate(hi);
        if (a && b && *a < *b)
          out.push_back({x.Rate(lo)->location,
                         fmt::format("{}throughput.{} ({}) is below throughput.{} ({}); a lower "
                                     "precision is never slower on the same units",
                                     scenario.empty() ? "" : "under \"" + scenario + "\": ",
                                     PrecisionName(lo), FormatQuantity(x.Rate(lo)->value),
                                     PrecisionName(hi), FormatQuantity(x.Rate(hi)->value))});
      };
      order(Precision::kFp8, Precision::kFp16);
      order(Precision::kFp8, Precision::kBf16);
      order(Precision::kFp4, Precision::kFp8);
      order(Precision::kFp16, Precision::kTf32);
      order(Precision::kBf16, Precision::kTf32);
    };
    check_order(c, "");
    for (const Scenario& sc : AlternativeScenarios(c)) check_order(sc.chip, sc.label);

    // Sparse figures are about twice the dense figure (2:4 sparsity; vendors round, e.g. L40S
    // 362.05 dense vs 733 sparse, so allow 2.5%); more means the dense
    // value was probably halved twice or the sparse figure is of another precision.
    for (std::size_t i = 0; i < kPrecisionCount; ++i) {
      const auto& r = c.throughput[i];
      if (r && r->sparse && r->sparse->base() > 2.05 * r->value.base())
        out.push_back({r->location, fmt::format("throughput.{}: sparse rate {} is more than twice "
                                                "the dense rate {}",
                                                PrecisionName(static_cast<Precision>(i)),
                                                FormatQuantity(*r->sparse),
                                                FormatQuantity(r->value))});
    }

    // A derived chip shares its base chip's logic die.
    if (c.derived_from) {
      auto it = by_id.find(*c.derived_from);
      if (it == by_id.end()) {
        out.push_back({FileLoc(c), fmt::format("derived_from: unknown chip \"{}\"",
                                               *c.derived_from)});
      } else if (*c.derived_from == c.id) {
        out.push_back({FileLoc(c), "derived_from: a chip cannot be derived from itself"});
      } else if (const std::string cycle = DerivedFromCycle(chips, c.id); !cycle.empty()) {
        out.push_back({FileLoc(c), fmt::format("derived_from: a cycle ({}); a chip cannot be "
                                               "derived from itself, directly or through others",
                                               cycle)});
      } else {
        std::set<std::string> base_dies;
        for (const Die& d : it->second->dies)
          if (d.kind == DieKind::kLogic) base_dies.insert(d.name);
        bool shares = false;
        for (const Die& d : c.dies)
          if (d.kind == DieKind::kLogic && base_dies.count(d.name)) shares = true;
        if (!shares)
          out.push_back({FileLoc(c), fmt::format("derived_from \"{}\": no logic die in common "
                                                 "with the base chip (a derivative is the same "
                                                 "die, cut down)",
                                                 *c.derived_from)});
      }
    }
  }
  return out;
}

CheckReport CheckChipsDir(const std::filesystem::path& chips_dir) {
  CheckReport report;
  std::vector<Chip> chips;
  const auto files = ListChipFiles(chips_dir);
  if (files.empty())
    report.findings.push_back({SourceLocation{DisplayPath(chips_dir), 0, 0},
                               "no chip files found"});
  for (const auto& p : files) {
    ++report.files;
    auto chip = LoadChipFile(p, DisplayPath(p), ExpectedIdForPath(p));
    if (!chip.ok()) {
      report.findings.push_back({chip.error().location, chip.error().message});
      continue;
    }
    ForEachFigure(*chip, [&](std::string_view, const std::vector<std::string>&,
                             const SourceLocation&) { ++report.figures; });
    chips.push_back(std::move(chip).value());
  }
  report.chips = static_cast<int>(chips.size());
  for (Finding& f : CheckConsistency(chips)) report.findings.push_back(std::move(f));
  return report;
}

std::string DerivedFromCycle(const std::vector<Chip>& chips, std::string_view id) {
  std::unordered_map<std::string_view, const Chip*> by_id;
  for (const Chip& c : chips) by_id.emplace(c.id, &c);
  std::vector<std::string_view> path;
  std::set<std::string_view> seen;
  std::string_view at = id;
  while (true) {
    auto it = by_id.find(at);
    if (it == by_id.end()) return "";
    if (!seen.insert(at).second) break;
    path.push_back(at);
    if (!it->second->derived_from) return "";
    at = *it->second->derived_from;
  }
  // `at` was visited before: the cycle runs from its first visit to here. Chips that only lead
  // into a cycle are not on it, and report nothing (the cycle's own chips do).
  if (at != id) return "";
  std::string out;
  for (std::string_view p : path) out += std::string(p) + " -> ";
  return out + std::string(at);
}

}  // namespace ceiling::catalog

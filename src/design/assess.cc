#include "ceiling/design/assess.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

namespace ceiling::design {

EvaluatedDesign EvaluateDesign(const rules::RuleBook& book, const DesignEvaluator& ev,
                               catalog::Chip chip, std::string knobs, Binding next_binding,
                               Knob next_knob) {
  EvaluatedDesign d;
  d.metrics = catalog::ComputeMetrics(chip, catalog::MetricDetail::kExplain);
  d.knobs = std::move(knobs);
  for (ObjectiveKind k : ev.setup().objectives) d.objectives.push_back(ev.Report(k, chip));
  const rules::ChipFacts facts = rules::FactsOf(chip, d.metrics);
  d.classification = rules::Classify(book, facts, ev.setup().query);
  const rules::Clause* blame = nullptr;
  d.satisfies = Satisfies(d.classification, ev.setup().requirement, &blame);
  if (next_binding) {
    d.binding = next_binding;
    d.binding_knob = next_knob;
  } else if (!d.satisfies && blame != nullptr) {
    d.binding = Binding::Of(blame);
  }
  d.headroom = rules::Headroom(book, facts, ev.setup().query);
  d.chip = std::move(chip);
  return d;
}

std::vector<DesignSpace> CapabilitySpaces(const std::vector<DesignSpace>& design_files,
                                          const catalog::Catalog& cat,
                                          std::vector<std::string>* skipped) {
  const auto logic_die = [](const catalog::Chip& c) -> std::string {
    for (const auto& d : c.dies)
      if (d.kind == catalog::DieKind::kLogic) return d.name;
    return "";
  };
  std::vector<DesignSpace> spaces = design_files;
  // A design file stands for its products and for every other chip on its base's die (the
  // H100 NVL is a GH100 part whose memory the gh100 file does not list): one row per die.
  std::set<std::string> covered, covered_dies;
  for (const auto& s : spaces) {
    covered.insert(s.products.begin(), s.products.end());
    if (std::string die = logic_die(s.base); !die.empty()) covered_dies.insert(die);
  }
  std::map<std::string, std::vector<std::size_t>> by_die;
  for (std::size_t i = 0; i < cat.chips().size(); ++i) {
    const catalog::Chip& c = cat.chips()[i];
    const std::string die = logic_die(c);
    if (covered.count(c.id) || covered_dies.count(die)) continue;
    by_die[die.empty() ? c.id : die].push_back(i);
  }
  for (const auto& [die, idx] : by_die) {
    std::size_t best = idx.front();
    for (std::size_t i : idx)
      if (cat.metrics(i)[catalog::MetricId::kTpp].value.value_or(0) >
          cat.metrics(best)[catalog::MetricId::kTpp].value.value_or(0))
        best = i;
    auto s = DefaultDesignSpace(cat.chips()[best], cat);
    if (!s.ok()) {
      skipped->push_back(s.error().message);
      continue;
    }
    s->id = die;
    spaces.push_back(std::move(*s));
  }
  return spaces;
}

CapabilityReport AssessCapability(std::vector<DesignSpace> spaces,
                                  const std::vector<const DesignEvaluator*>& settings,
                                  const SearchOptions& options,
                                  std::optional<catalog::Market> market,
                                  std::optional<Watts> max_tdp) {
  CapabilityReport rep;
  for (DesignSpace& space : spaces) {
    if (market && !space.RestrictMarket(*market).ok()) continue;
    if (!space.PinTdp(max_tdp).ok()) continue;
    CapabilityRow row;
    row.die = space.id;
    row.base = space.base.id;
    for (const DesignEvaluator* ev : settings) {
      CapabilityCell cell;
      cell.searched = true;
      const SearchResult r = Search(space, *ev, options);
      if (r.stopped) {
        rep.stopped = true;
        return rep;
      }
      cell.feasible = r.feasible();
      if (!r.best) {
        cell.binding = r.MostBinding();
      } else {
        const catalog::Chip chip = space.Build(r.best->point);
        const auto m = catalog::ComputeMetrics(chip, catalog::MetricDetail::kValues);
        cell.knobs = space.Describe(r.best->point);
        cell.tpp = m[catalog::MetricId::kTpp].value.value_or(0);
        cell.pd = m[catalog::MetricId::kPd].value.value_or(-1);
        cell.memory_bw_tbs = m[catalog::MetricId::kDramBandwidth].value.value_or(0) / 1000;
        cell.objective = r.best->objectives[0];
        cell.binding = r.best->next_binding;
        cell.binding_knob = r.best->next_knob;
        if (cell.objective <= 0) {
          // Why nothing runs: the full evaluation of the objective says (the chip record lacks a
          // rate the model needs, the weights do not fit, the SLA is missed ...).
          cell.note = ev->Report(ev->setup().objectives.front(), chip).why_zero;
          if (cell.note.empty()) cell.note = "the workload does not fit or misses the SLA";
        }
      }
      row.cells.push_back(std::move(cell));
    }
    rep.rows.push_back(std::move(row));
  }
  std::sort(rep.rows.begin(), rep.rows.end(), [](const CapabilityRow& a, const CapabilityRow& b) {
    const double va = a.cells.back().feasible ? a.cells.back().objective : -1;
    const double vb = b.cells.back().feasible ? b.cells.back().objective : -1;
    return va != vb ? va > vb : a.die < b.die;
  });
  return rep;
}

}  // namespace ceiling::design

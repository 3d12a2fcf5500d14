#include "ceiling/catalog/alternatives.h"

#include <algorithm>
#include <type_traits>

#include "ceiling/base/units.h"
#include "figures.h"

namespace ceiling::catalog {
namespace {

template <typename T>
std::string FormatValue(const T& v) {
  if constexpr (std::is_same_v<T, double>) {
    return FormatNumber(v, 6);
  } else if constexpr (std::is_same_v<T, Date>) {
    return v.ToString();
  } else {
    return FormatQuantity(v, 6);
  }
}

void AddUnique(std::vector<std::string>* out, const std::vector<std::string>& keys) {
  for (const std::string& k : keys)
    if (std::find(out->begin(), out->end(), k) == out->end()) out->push_back(k);
}

}  // namespace

bool HasAlternatives(const Chip& chip) {
  bool any = false;
  VisitFigures(chip, [&any](const std::string&, const auto& fig) {
    if (fig && !fig->alternatives.empty()) any = true;
  });
  return any;
}

std::vector<Scenario> AlternativeScenarios(const Chip& chip) {
  std::vector<std::string> labels;
  VisitFigures(chip, [&labels](const std::string&, const auto& fig) {
    if (!fig) return;
    for (const auto& alt : fig->alternatives)
      if (std::find(labels.begin(), labels.end(), alt.label) == labels.end())
        labels.push_back(alt.label);
  });
  std::vector<Scenario> out;
  for (const std::string& label : labels) {
    Scenario s;
    s.label = label;
    s.chip = chip;
    VisitFigures(s.chip, [&s](const std::string& name, auto& fig) {
      if (!fig) return;
      for (const auto& alt : fig->alternatives) {
        if (alt.label != s.label) continue;
        s.changes.push_back({name, FormatValue(fig->value), FormatValue(alt.value), alt.note,
                             alt.formula, alt.location});
        AddUnique(&s.sources, alt.sources);
        fig->value = alt.value;
        fig->sources = alt.sources;
        fig->note = alt.note;
        fig->formula = alt.formula;
        fig->location = alt.location;
        fig->sparse.reset();  // a vendor's sparse rate belongs to the recorded dense value
        break;
      }
    });
    // Every figure of the copy drops its alternatives; die counts follow their figure.
    VisitFigures(s.chip, [](const std::string&, auto& fig) {
      if (fig) fig->alternatives.clear();
    });
    for (Die& d : s.chip.dies)
      if (d.count_figure) d.count = static_cast<int>(d.count_figure->value);
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace ceiling::catalog

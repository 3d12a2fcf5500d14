// Renders a chip's dossier: one self-contained HTML document (inline CSS, inline SVG charts, a
// few lines of inline script; no external resource, so it opens offline from file://) that
// prints well.
//
//   report::DossierParts parts{classify_json, headroom_json, timeline_json, show_json, ...};
//   std::string html = report::DossierHtml(parts);
//
// The parts are the JSON answers of the API's operations (api/report_api.h computes them); this
// renderer computes nothing about law or performance, it only lays out what they say. Absent
// parts (null JSON) are left out; `notes` say why. Text from the data is HTML-escaped.
#ifndef CEILING_REPORT_DOSSIER_H_
#define CEILING_REPORT_DOSSIER_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace ceiling::report {

struct DossierParts {
  const nlohmann::json& classify;  // classify (with its trace)
  const nlohmann::json& headroom;
  const nlohmann::json& timeline;
  const nlohmann::json& chip;     // show
  const std::string& flagship;    // "" when none
  const nlohmann::json& compare;  // null when not run
  const nlohmann::json& design;   // null when not run
  const std::vector<std::string>& notes;
  const std::string& generated_by;
};

std::string DossierHtml(const DossierParts& parts);

// `s` with &, <, >, " and ' escaped for HTML text and attributes.
std::string HtmlEscape(std::string_view s);

}  // namespace ceiling::report

#endif  // CEILING_REPORT_DOSSIER_H_

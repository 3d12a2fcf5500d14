#include "ceiling/api/report_api.h"

#include <fmt/format.h>

#include "ceiling/api/catalog_api.h"
#include "ceiling/api/design_api.h"
#include "ceiling/api/perf_api.h"
#include "ceiling/design/space.h"
#include "ceiling/report/dossier.h"

#ifndef CEILING_VERSION
#define CEILING_VERSION "0.0.0"
#endif

namespace ceiling::api {

using nlohmann::json;

Status ReportRequest::Validate() {
  RETURN_IF_ERROR(CheckFields(*this));
  if (model.empty()) return FieldError("model", "is required");
  ServingFields s;
  s.gpus = gpus;
  s.isl = isl;
  s.osl = osl;
  s.concurrency = concurrency;
  return s.Check(true);
}

namespace {

ServingFields Workload(const ReportRequest& r) {
  ServingFields s;
  s.model.id = r.model;
  s.gpus = r.gpus;
  s.isl = r.isl;
  s.osl = r.osl;
  s.concurrency = r.concurrency;
  return s;
}

// The design file whose base is the chip or that lists it as a product.
const design::DesignSpace* SpaceOf(const std::vector<design::DesignSpace>& spaces,
                                   const std::string& id) {
  for (const design::DesignSpace& s : spaces) {
    if (s.base.id == id) return &s;
    for (const std::string& p : s.products)
      if (p == id) return &s;
  }
  return nullptr;
}

}  // namespace

Result<ReportResponse> Report(const KnowledgeBase& kb, ReportRequest request,
                              const CallOptions& call) {
  RETURN_IF_ERROR(request.Validate());
  ReportResponse r;
  Place at = request.at;
  if (at.date.empty()) at.date = kb.LatestRuleDate().ToString();
  RuleSettings rules;
  rules.view = request.view;

  ClassifyRequest c;
  c.chip = request.chip;
  c.at = at;
  c.rules = rules;
  ASSIGN_OR_RETURN(ClassifyResponse classified, Classify(kb, c));
  r.classify = ToJson(classified);
  HeadroomRequest hr;
  hr.chip = request.chip;
  hr.at = at;
  hr.rules = rules;
  ASSIGN_OR_RETURN(HeadroomResponse room, Headroom(kb, hr));
  r.headroom = ToJson(room);
  TimelineRequest tr;
  tr.chip = request.chip;
  tr.at = at;
  tr.rules = rules;
  ASSIGN_OR_RETURN(TimelineResponse tl, Timeline(kb, tr));
  r.timeline = ToJson(tl);
  ShowRequest sr;
  sr.chip = request.chip;
  ASSIGN_OR_RETURN(ShowResponse shown, Show(kb, sr));
  r.chip = ToJson(shown);
  const std::string id = shown.chip->id;

  // The flagship of its die, from the design files.
  auto spaces = kb.design_spaces();
  const design::DesignSpace* space =
      spaces.ok() && !request.chip.toml ? SpaceOf(**spaces, id) : nullptr;
  if (space == nullptr) {
    r.notes.push_back(fmt::format(
        "No design file in data/designs lists {} as a product of its die, so the dossier has no "
        "comparison with a flagship and no design search.",
        id));
  } else if (space->base.id == id) {
    r.notes.push_back(fmt::format(
        "{} is the base (flagship) of the {} design space: nothing to compare it with or rebuild.",
        id, space->id));
  } else {
    r.flagship = space->base.id;
    CompareRequest cr;
    cr.chips = {request.chip, Ref{r.flagship, std::nullopt}};
    cr.serving = Workload(request);
    auto compared = Compare(kb, cr, call);
    if (!compared.ok()) {
      if (compared.error().code == ErrorCode::kDeadlineExceeded) return compared.error();
      if (compared.error().field == "model") return compared.error();
      r.notes.push_back("Comparison not run: " + compared.error().message);
    } else if (!compared->left_out.empty()) {
      const report::CompareLeftOut& l = compared->left_out.front();
      r.notes.push_back(fmt::format("Comparison not run: {}: {}", l.chip, l.reason));
    } else {
      r.compare = ToJson(*compared);
    }
    DesignRequest dr;
    dr.base.id = r.flagship;
    dr.at = at;
    dr.rules = rules;
    dr.goal.require = "no-license";
    dr.goal.objective = "decode";
    dr.goal.serving = Workload(request);
    dr.goal.serving.concurrency.reset();  // decode: the best deployment with TPOT <= 50 ms
    dr.compare = request.chip;
    auto designed = Design(kb, dr, call);
    if (!designed.ok()) {
      if (designed.error().code == ErrorCode::kDeadlineExceeded) return designed.error();
      r.notes.push_back("Design search not run: " + designed.error().message);
    } else {
      r.design = ToJson(*designed);
    }
  }
  const DataVersion& v = kb.version();
  r.generated_by = fmt::format(
      "ceiling {}{}", CEILING_VERSION,
      v.sources_read ? ", data current as of " + v.sources_read->ToString() : std::string());
  return r;
}

std::string ToHtml(const ReportResponse& r) {
  report::DossierParts parts{r.classify, r.headroom, r.timeline, r.chip,        r.flagship,
                             r.compare,  r.design,   r.notes,    r.generated_by};
  return report::DossierHtml(parts);
}

}  // namespace ceiling::api

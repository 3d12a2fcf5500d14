// The dossier of one chip: everything the web app's chip view shows (verdict, headroom, timeline,
// trace, figures with sources), a comparison with the flagship of its die, and the design search
// that rebuilds it, as one self-contained HTML file (inline CSS and SVG, a few lines of inline
// script, no network) that prints well.
//
//   ReportRequest req;
//   req.chip.id = "nvidia-h20";  req.at = {"2024-06-01", "CN", ""};
//   ASSIGN_OR_RETURN(ReportResponse r, Report(*kb, req));
//   std::string html = ToHtml(r);   // `ceiling report nvidia-h20 --to CN --date 2024-06-01 -o
//   x.html`
//
// The library computes every part with the operations of this API (classify, headroom, timeline,
// show, compare, design) and report/dossier.h renders their JSON. The flagship is the base chip of
// the data/designs space that lists the chip as a product; a chip without one (or that is its
// die's base) gets no comparison and no design search, and the dossier says why. The comparison
// and the design search use the serving workload of the request (defaults below); a part that has
// no answer (a model that does not fit, a search with no feasible design) is reported in the
// dossier, not as an error. Errors: those of classify for the chip, date, destination and
// headquarters; a bad model or workload in its field; kDeadlineExceeded when the call's stop
// token ends the design search.
#ifndef CEILING_API_REPORT_API_H_
#define CEILING_API_REPORT_API_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ceiling/api/fields.h"
#include "ceiling/api/knowledge_base.h"
#include "ceiling/api/rules_api.h"

namespace ceiling::api {

struct ReportRequest {
  Ref chip;
  Place at{"", "", ""};
  std::string view = "enforced";
  std::string model = "llama-3.1-70b";  // the workload of the comparison and the design search
  int gpus = 8;
  int isl = 2048;
  int osl = 512;
  int concurrency = 32;

  template <class V>
  void Visit(V& v) {
    v(Field{"chip", "Catalog id of the chip (e.g. nvidia-h20), or the chip as TOML", kRequired},
      chip);
    v(Field{"to", "Destination, ISO 3166 alpha-2 code (e.g. CN)", kRequired}, at.to);
    v(Field{"date",
            "Date, YYYY-MM-DD (default: the latest date on which a rule or group "
            "changes)"},
      at.date);
    v(Field{"hq", "Country of the end user's headquarters (default: the destination)"}, at.hq);
    v(Field{"view", "enforced or text", 0, "enforced|text"}, view);
    v(Field{"model", "Model of the comparison and the design search (data/models id)"}, model);
    v(Field{"gpus", "GPUs of the comparison and the design search"}, gpus);
    v(Field{"isl", "Input tokens per request"}, isl);
    v(Field{"osl", "Output tokens per request"}, osl);
    v(Field{"concurrency", "Concurrent clients of the comparison"}, concurrency);
  }
  Status Validate();
};

struct ReportResponse {
  // Each part as the operation's JSON (the same bytes as its route would answer).
  nlohmann::json classify, headroom, timeline, chip;
  std::string flagship;            // "" when there is none
  nlohmann::json compare;          // null when not run
  nlohmann::json design;           // null when not run
  std::vector<std::string> notes;  // why a part is missing or partial
  std::string generated_by;        // "ceiling 0.1.0, data current as of 2026-11-29"
};

Result<ReportResponse> Report(const KnowledgeBase& kb, ReportRequest request,
                              const CallOptions& call = {});
// The dossier as one HTML document.
std::string ToHtml(const ReportResponse& r);

}  // namespace ceiling::api

#endif  // CEILING_API_REPORT_API_H_

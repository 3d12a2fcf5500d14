#include "ceiling/api/fleet_api.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>

#include "ceiling/api/perf_api.h"
#include "ceiling/report/fleet_report.h"

namespace ceiling::api {

namespace {

// The fleet library's request fields, as this API names them.
std::string WireField(const std::string& field) {
  static const std::pair<const char*, const char*> kNames[] = {
      {"shipments_name", "shipments"},
      {"reference_chip", "reference"},
      {"decode.model", "model"},
      {"decode.gpus", "gpus"},
      {"decode.isl", "isl"},
      {"decode.osl", "osl"},
      {"decode.sla_tpot_ms", "sla_tpot"},
      {"decode.precision", "precision"},
      {"training.model", "model"},
      {"training.gpus", "train_gpus"},
      {"training.tp", "train_tp"},
      {"training.pp", "train_pp"},
      {"training.zero", "zero"},
      {"training.micro_batch", "micro_batch"},
      {"training.global_batch", "global_batch"},
      {"training.seq", "seq"},
      {"training.precision", "train_precision"},
      {"run", "train_flops"},
      {"run.flops", "train_flops"},
      {"run.model", "train_model"},
      {"run.tokens", "train_tokens"},
  };
  for (const auto& [from, to] : kNames)
    if (field == from) return to;
  if (field.starts_with("sets[")) return "set";
  if (field.starts_with("rules[")) return "rules";
  return field;
}

}  // namespace

Status FleetRequest::Validate() {
  RETURN_IF_ERROR(CheckFields(*this));
  if (!std::isfinite(sla_tpot)) return FieldError("sla_tpot", "must be finite");
  if (shipments && !fleet.empty())
    return FieldError("fleet", "give a shipments file or a fleet of the data, not both");
  if (!shipments && fleet.empty())
    return FieldError("shipments",
                      "is required (a .csv or .toml file), unless fleet names one of the data's "
                      "shipments files (data/fleets)");
  return OkStatus();
}

Result<FleetResponse> Fleet(const KnowledgeBase& kb, FleetRequest request,
                            const CallOptions& call) {
  RETURN_IF_ERROR(request.Validate());
  fleet::FleetQuery req;
  if (!request.fleet.empty()) {
    ASSIGN_OR_RETURN(const std::vector<FleetFile>* files, kb.fleets());
    auto it = std::find_if(files->begin(), files->end(),
                           [&](const FleetFile& f) { return f.id == request.fleet; });
    if (it == files->end()) {
      std::vector<std::string> ids;
      for (const FleetFile& f : *files) ids.push_back(f.id);
      return FieldError("fleet",
                        ids.empty() ? fmt::format("no fleet \"{}\": the data has no shipments "
                                                  "files (data/fleets)",
                                                  request.fleet)
                                    : fmt::format("no fleet \"{}\"; the data's: {}",
                                                  request.fleet, fmt::join(ids, ", ")),
                        ErrorCode::kNotFound);
    }
    req.shipments_text = it->text;
    req.shipments_name = it->name;
  } else {
    req.shipments_text = request.shipments->text;
    req.shipments_name = request.shipments->name.empty() ? "shipments.toml"
                                                         : request.shipments->name;
  }
  req.count.clear();
  for (const std::string& c : request.count) req.count.push_back(*fleet::StatusFromName(c));
  req.reference_chip = request.reference;
  req.view = request.view == "text" ? rules::View::kText : rules::View::kEnforced;
  req.throughput = request.throughput;
  req.decode.model = request.model;
  req.decode.gpus = request.gpus;
  req.decode.isl = request.isl;
  req.decode.osl = request.osl;
  ASSIGN_OR_RETURN(req.decode.precision, ParsePrecision(request.precision, "precision"));
  req.decode.sla_tpot_ms = request.sla_tpot;
  req.decode.engine = request.engine;
  req.training.gpus = request.train_gpus;
  req.training.tp = request.train_tp;
  req.training.pp = request.train_pp;
  req.training.zero = request.zero;
  req.training.micro_batch = request.micro_batch;
  req.training.global_batch = request.global_batch;
  req.training.seq = request.seq;
  ASSIGN_OR_RETURN(req.training.precision,
                   ParsePrecision(request.train_precision, "train_precision"));
  if (!request.train_model.empty() || request.train_tokens) {
    if (request.train_flops)
      return FieldError("train_flops",
                        "give a FLOP budget or a model and a token count, not both");
    req.run.flops.reset();
    req.run.model = request.train_model;
    req.run.tokens = request.train_tokens;
  } else if (request.train_flops) {
    req.run.flops = request.train_flops;
  }
  for (const Text& t : request.rules)
    req.rules.push_back({t.name.empty() ? "rules" : t.name, t.text});
  req.sets = request.set;
  if (!request.as_of.empty()) {
    auto d = ParseDate(request.as_of);
    if (!d.ok()) return FieldError("as_of", d.error().message);
    req.as_of = *d;
  }
  req.chart = *fleet::YardstickFromName(request.chart);
  if (call.stop.Stopped())
    return MakeError(ErrorCode::kDeadlineExceeded, "the fleet evaluation stopped at its deadline");

  fleet::Knowledge knowledge;
  knowledge.chips = &kb.catalog();
  knowledge.rules = &kb.rules();
  if (req.throughput) {
    ASSIGN_OR_RETURN(knowledge.models, kb.models());
    ASSIGN_OR_RETURN(knowledge.calibration, kb.calibration());
    ASSIGN_OR_RETURN(knowledge.systems, kb.systems());
  }
  fleet::ThroughputCache cache;  // one model evaluation per chip and yardstick in this call
  auto result = fleet::RunFleet(knowledge, req, &cache);
  if (!result.ok()) {
    Error e = result.error();
    if (e.location.known()) return WithField(std::move(e), "shipments");
    e.field = WireField(e.field);
    return e;
  }
  FleetResponse r;
  r.kb = kb.shared_from_this();
  r.result = std::move(*result);
  r.chart = req.chart;
  return r;
}

nlohmann::json ToJson(const FleetResponse& r) {
  nlohmann::json j = report::FleetJson(r.result);
  j["chart"] = report::FleetChartJson(r.result, fleet::CumulativeSeries(r.result, r.chart));
  return j;
}
std::string ToText(const FleetResponse& r) { return report::FleetText(r.result); }
std::string ToCsv(const FleetResponse& r) { return report::FleetCsv(r.result); }
std::string ToSvg(const FleetResponse& r) {
  return report::FleetChartSvg(r.result, fleet::CumulativeSeries(r.result, r.chart));
}

}  // namespace ceiling::api

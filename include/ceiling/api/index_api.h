// What the knowledge base holds, in one answer, for the pickers of a user interface: the dates on
// which rules or country groups change (with what happens on each), the destinations, the LLM
// architectures, the design spaces, the shipments files, and the data's currency.
//
//   ASSIGN_OR_RETURN(IndexResponse r, Index(*kb, {}));
//   r.dates.front().date;          // 2022-10-21: the October 2022 rule takes effect
//   std::string body = api::DumpJsonText(ToJson(r));   // `ceiling index --json`, byte for byte
//
// The web app's date slider snaps to `dates`; nothing here is law computed outside the engine:
// the dates and events are the rule book's own (RuleBook::change_dates, EventsOn). Models, design
// spaces and fleets are listed when the knowledge base loaded them (empty otherwise). Thread
// safety: a pure function of the knowledge base.
#ifndef CEILING_API_INDEX_API_H_
#define CEILING_API_INDEX_API_H_

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "ceiling/api/fields.h"
#include "ceiling/api/knowledge_base.h"

namespace ceiling::api {

struct IndexRequest {
  template <class V>
  void Visit(V&) {}
  Status Validate() { return OkStatus(); }
};

struct IndexResponse {
  struct DateEvents {
    Date date;
    std::vector<std::string> events;  // "us-2023-10-acs takes effect (...)"
  };
  struct Country {
    std::string code, name;
    std::vector<std::string> groups;  // country groups on the latest change date ("D:5", ...)
  };
  struct Model {
    std::string id, name, family;
    std::optional<double> total_params, active_params;  // as the model card states them
    std::optional<int> context, native_context;         // tokens; see perf::ModelArch
    std::optional<int> fp8_block;  // block edge of a block-scaled FP8 checkpoint
  };
  struct Space {
    std::string id, title, base;
    std::vector<std::string> products;  // catalog chips on this die
    std::uint64_t size = 0;             // designs in the grid
  };
  struct FleetEntry {
    std::string id, title;
    int rows = 0;
  };
  std::vector<DateEvents> dates;  // ascending
  Date latest;                    // the default "now" of the operations
  std::vector<Country> countries;
  std::vector<Model> models;
  std::vector<Space> designs;
  std::vector<FleetEntry> fleets;  // data/fleets, by id
  DataVersion version;
};

Result<IndexResponse> Index(const KnowledgeBase& kb, IndexRequest request);
nlohmann::json ToJson(const IndexResponse& r);
std::string ToText(const IndexResponse& r);

}  // namespace ceiling::api

#endif  // CEILING_API_INDEX_API_H_

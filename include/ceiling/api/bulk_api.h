// Bulk classification: millions of (chip, date, destination, headquarters) rows in one call,
// for analysts who hold shipments, orders or scenarios in a table.
//
//   ClassifyManyRequest req;
//   req.chip.values = {"nvidia-h20", "nvidia-h100-sxm"};   // each column: its distinct values ...
//   req.date.values = {"2024-06-01", "2025-05-01"};
//   req.to.values = {"CN"};
//   std::vector<std::int32_t> chip = {0, 1, 0}, date = {0, 1, 1}, to = {0, 0, 0};
//   req.chip.codes = chip;  req.date.codes = date;  req.to.codes = to;   // ... and one code per
//   row ASSIGN_OR_RETURN(ClassifyManyResponse r, ClassifyMany(*kb, req));
//   r.outcomes[r.outcome[2]].result.license_required.tri;   // kTrue: the H20 letter of April 2025
//   nlohmann::json row2 = OutcomeJson(r.outcomes[r.outcome[2]]);   // the fields classify names
//
// Why a path of its own: `classify` renders a full answer with its trace as JSON (tens of
// microseconds); a table of a million rows needs the outcome only. The answer of a row depends on
// the chip, the destination, the headquarters and, through the rule book, only on which interval
// between two change dates (RuleBook::change_dates) holds the date and whether it is before the
// first rule. So each distinct (chip, interval, destination, headquarters) is classified once,
// with rules::Classify (no trace), on the shared executor, and every row gets an index into a
// table of distinct outcomes. The outcome of a row is exactly what `classify` answers for it (the
// chip's record; for a chip with disputed figures `disputed` says whether the sources agree).
//
// Columns are interned: `values` holds each distinct value once and `codes` one index per row
// (what pandas.factorize or a categorical column gives). chip values are catalog ids, dates
// YYYY-MM-DD, countries ISO 3166 alpha-2 codes. `hq` may have no codes at all, and a row's hq code
// may be -1: the end user is headquartered in the destination. Values no row uses are not checked.
//
// Errors (field-level, like every request): "chip", "date", "to", "hq" with the first row at
// fault ("row 12: unknown chip \"x\"; did you mean ...", kNotFound for an unknown chip, else
// kInvalidArgument), columns of different lengths, codes out of range; "set", "rules", "view"
// as for classify. A stopped call (CallOptions::stop) is kDeadlineExceeded.
//
// Thread safety: a pure function of (knowledge base, request); the request's code spans must stay
// valid during the call. The response owns its rule book; outcomes point into it.
#ifndef CEILING_API_BULK_API_H_
#define CEILING_API_BULK_API_H_

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ceiling/api/fields.h"
#include "ceiling/api/knowledge_base.h"
#include "ceiling/api/rules_api.h"
#include "ceiling/rules/classify.h"
#include "ceiling/rules/disputes.h"

namespace ceiling::api {

// One interned column: row i holds values[codes[i]].
struct InternedColumn {
  std::vector<std::string> values;      // distinct values
  std::span<const std::int32_t> codes;  // one per row, not owned
};

// The options of a bulk call: the same rule book settings as classify.
struct ClassifyManyOptions {
  RuleSettings rules;
  int threads = 0;  // 0 = every worker of the shared executor

  template <class V>
  void Visit(V& v) {
    rules.Visit(v);
    v(Field{"threads", "At most this many threads (0: all cores)", kAdvanced}, threads);
  }
  Status Validate();
};

// The options from a JSON object whose keys are the fields above (view, set, rules, threads);
// unknown keys and wrong types are field errors, as in every request body.
Result<ClassifyManyOptions> DecodeClassifyManyOptions(const nlohmann::json& body);

struct ClassifyManyRequest {
  InternedColumn chip, date, to, hq;
  ClassifyManyOptions options;

  std::size_t rows() const { return chip.codes.size(); }
  // Column lengths and the options (code ranges are checked while the rows are read).
  Status Validate();
};

struct BulkOutcome {
  rules::Classification result;  // without trace; the query is that of the first row with it
  rules::Agreement disputed = rules::Agreement::kNone;
};

struct ClassifyManyResponse {
  std::optional<rules::RuleBook> book;  // the outcomes point into it
  std::vector<std::int32_t> outcome;    // per row: an index into outcomes
  std::vector<BulkOutcome> outcomes;    // distinct outcomes, in order of first row
  std::size_t distinct_queries = 0;     // (chip, interval, destination, headquarters) classified
};

Result<ClassifyManyResponse> ClassifyMany(const KnowledgeBase& kb,
                                          const ClassifyManyRequest& request,
                                          const CallOptions& call = {});

// One outcome with the field names of the classify answer: controlled and license_required
// ("yes" | "no" | "cannot-decide"), controls and controls_undecided (paragraphs), exceptions
// (eligible) and exceptions_undecided (eligibility unknown), exceptions_blocked, review_policy,
// review_decided, measures (clause ids), before_first_rule, status (one line), code (a matrix
// cell) and disputed ("none" | "identical" | "same-paragraphs" | "depends").
nlohmann::json OutcomeJson(const BulkOutcome& o);
// {"rows": N, "distinct_queries": K, "outcomes": [OutcomeJson...], "outcome": [per row]}.
nlohmann::json ToJson(const ClassifyManyResponse& r);

}  // namespace ceiling::api

#endif  // CEILING_API_BULK_API_H_

#include "ceiling/api/bulk_api.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <limits>
#include <mutex>
#include <unordered_map>

#include "ceiling/base/executor.h"
#include "ceiling/catalog/alternatives.h"
#include "ceiling/report/rules_report.h"
#include "json_fields.h"

namespace ceiling::api {

namespace {

using nlohmann::json;

// A row's question reduced to what its answer depends on, packed in 64 bits (16 each): the chip's
// index in kb.chip_entries(), the date class (interval and before-first-rule), the destination and
// the headquarters (country indices in the book; both below 2^16 by far).
using Key = std::uint64_t;
constexpr Key kNoKey = ~Key{0};

Key Pack(std::uint32_t chip, std::uint32_t date_class, std::uint32_t to, std::uint32_t hq) {
  return Key{chip} | (Key{date_class} << 16) | (Key{to} << 32) | (Key{hq} << 48);
}

// Open addressing with linear probing: Key -> slot. Rows repeat keys, so the map stays small and
// hot; it grows at half load.
class KeyMap {
 public:
  KeyMap() { Rehash(1024); }
  // The slot of `key`, inserting `next` when absent.
  std::int32_t FindOrInsert(Key key, std::int32_t next, bool* inserted) {
    std::size_t i = Hash(key) & mask_;
    while (keys_[i] != kNoKey) {
      if (keys_[i] == key) {
        *inserted = false;
        return slots_[i];
      }
      i = (i + 1) & mask_;
    }
    *inserted = true;
    keys_[i] = key;
    slots_[i] = next;
    if (++size_ * 2 > keys_.size()) Rehash(keys_.size() * 2);
    return next;
  }

 private:
  static std::size_t Hash(Key k) {
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    return static_cast<std::size_t>(k);
  }
  void Rehash(std::size_t capacity) {
    std::vector<Key> keys(capacity, kNoKey);
    std::vector<std::int32_t> slots(capacity, 0);
    const std::size_t mask = capacity - 1;
    for (std::size_t j = 0; j < keys_.size(); ++j) {
      if (keys_[j] == kNoKey) continue;
      std::size_t i = Hash(keys_[j]) & mask;
      while (keys[i] != kNoKey) i = (i + 1) & mask;
      keys[i] = keys_[j];
      slots[i] = slots_[j];
    }
    keys_ = std::move(keys);
    slots_ = std::move(slots);
    mask_ = mask;
  }
  std::vector<Key> keys_;
  std::vector<std::int32_t> slots_;
  std::size_t mask_ = 0;
  std::size_t size_ = 0;
};

// A distinct value of a column, resolved once: an index (chip entry, date class, country) or the
// error to report, with its row, when a row uses it.
struct Resolved {
  std::vector<std::int32_t> index;
  std::vector<std::optional<Error>> error;
};

Error RowError(std::string_view field, std::size_t row, const Error& e) {
  Error out = FieldError(std::string(field), fmt::format("row {}: {}", row, e.message), e.code);
  return out;
}

// What each slot (a distinct key) was asked with: the first row's values.
struct SlotQuery {
  std::int32_t chip = 0;        // index into kb.chip_entries()
  std::int32_t chip_value = 0;  // index into the chip column's values
  Date date;
  std::int32_t to = 0, hq = 0;
  bool hq_given = false;
};

std::string_view TriWord(rules::Tri t) {
  return t == rules::Tri::kTrue ? "yes" : t == rules::Tri::kFalse ? "no" : "cannot-decide";
}

// Everything OutcomeJson renders but the agreement, as bytes: two rows share an outcome exactly
// when their keys (and agreements) are equal. It holds the paragraphs, exceptions and measures by
// name, as the JSON does, and no pointers, so equal keys render equal JSON. Cheaper than
// rules::StatusKey (no formatting), which matters with hundreds of thousands of distinct rows.
void AppendOutcomeKey(const rules::Classification& c, std::string* key) {
  const auto byte = [&](auto v) { key->push_back(static_cast<char>(v)); };
  byte(c.before_first_rule);
  byte(c.controlled.tri);
  byte(c.license_required.tri);
  byte(c.review_policy);
  byte(c.review_decided.tri == rules::Tri::kUnknown);
  byte(c.exceptions_blocked);
  const auto item = [&](const std::string& s) {
    key->append(s);
    key->push_back('\x1f');
  };
  for (const rules::Clause* cl : c.controls) item(cl->paragraph);
  key->push_back('\x1e');
  for (const rules::Clause* cl : c.controls_undecided) item(cl->paragraph);
  key->push_back('\x1e');
  for (const rules::ExceptionHit& e : c.exceptions) {
    item(e.clause->exception);
    byte(e.eligible.tri == rules::Tri::kUnknown);
  }
  key->push_back('\x1e');
  for (const rules::Clause* m : c.measures) item(m->full_id);
  key->push_back('\x1e');
}

}  // namespace

Status ClassifyManyOptions::Validate() {
  RETURN_IF_ERROR(CheckFields(*this));
  if (threads < 0) return FieldError("threads", fmt::format("must be 0 or more, got {}", threads));
  return OkStatus();
}

Result<ClassifyManyOptions> DecodeClassifyManyOptions(const json& body) {
  ASSIGN_OR_RETURN(ClassifyManyOptions o, detail::DecodeRequest<ClassifyManyOptions>(body));
  RETURN_IF_ERROR(o.Validate());
  return o;
}

Status ClassifyManyRequest::Validate() {
  const std::size_t n = rows();
  auto same = [&](const InternedColumn& c, const char* field) -> Status {
    if (c.codes.size() != n)
      return FieldError(field, fmt::format("has {} rows, chip has {}", c.codes.size(), n));
    return OkStatus();
  };
  RETURN_IF_ERROR(same(date, "date"));
  RETURN_IF_ERROR(same(to, "to"));
  if (!hq.codes.empty()) RETURN_IF_ERROR(same(hq, "hq"));
  if (n > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max()))
    return FieldError("chip", "more than 2^31 - 1 rows", ErrorCode::kTooLarge);
  return options.Validate();
}

Result<ClassifyManyResponse> ClassifyMany(const KnowledgeBase& kb,
                                          const ClassifyManyRequest& request,
                                          const CallOptions& call) {
  ClassifyManyRequest req = request;  // spans and small tables: cheap
  RETURN_IF_ERROR(req.Validate());
  ClassifyManyResponse r;
  ASSIGN_OR_RETURN(r.book, BookFor(kb, req.options.rules));
  const rules::RuleBook& book = *r.book;
  const rules::View view =
      req.options.rules.view == "text" ? rules::View::kText : rules::View::kEnforced;
  const std::vector<rules::ChipEntry>& entries = kb.chip_entries();

  // Resolve every distinct value once.
  Resolved chips, dates, to, hq;
  auto resolve = [](const std::vector<std::string>& values, Resolved* out, auto&& fn) {
    out->index.assign(values.size(), -1);
    out->error.assign(values.size(), std::nullopt);
    for (std::size_t v = 0; v < values.size(); ++v) {
      Result<std::int32_t> x = fn(v, values[v]);
      if (x.ok())
        out->index[v] = *x;
      else
        out->error[v] = x.error();
    }
  };
  // Chips: the entry and, for a chip with disputed figures, the record and the facts of each
  // source's scenario (to classify per source too).
  std::vector<const catalog::Chip*> disputed(req.chip.values.size(), nullptr);
  std::vector<std::vector<rules::ChipFacts>> scenarios(req.chip.values.size());
  resolve(
      req.chip.values, &chips, [&](std::size_t v, const std::string& id) -> Result<std::int32_t> {
        auto it = std::lower_bound(
            entries.begin(), entries.end(), id,
            [](const rules::ChipEntry& e, const std::string& s) { return e.id < s; });
        if (it == entries.end() || it->id != id) {
          ASSIGN_OR_RETURN(const catalog::Chip* c, kb.catalog().Resolve(id));  // with suggestions
          return MakeError(ErrorCode::kNotFound,
                           fmt::format("chip \"{}\" is not classified", c->id));
        }
        const catalog::Chip* chip = kb.catalog().Find(id);
        if (chip != nullptr && catalog::HasAlternatives(*chip)) {
          disputed[v] = chip;
          for (const catalog::Scenario& sc : catalog::AlternativeScenarios(*chip))
            scenarios[v].push_back(rules::FactsOf(sc.chip, catalog::ComputeMetrics(sc.chip)));
        }
        return static_cast<std::int32_t>(it - entries.begin());
      });
  // Dates: a class per (before the first rule, interval between change dates).
  std::vector<std::pair<bool, std::ptrdiff_t>> classes;
  std::vector<Date> parsed(req.date.values.size());
  const std::vector<Date>& changes = book.change_dates();
  resolve(req.date.values, &dates,
          [&](std::size_t v, const std::string& s) -> Result<std::int32_t> {
            Result<Date> d = ParseDate(s);  // a bad date is bad input, as in classify
            if (!d.ok()) return MakeError(ErrorCode::kInvalidArgument, d.error().message);
            parsed[v] = *d;
            const std::pair<bool, std::ptrdiff_t> cls{
                parsed[v] < book.first_rule_date(),
                std::upper_bound(changes.begin(), changes.end(), parsed[v]) - changes.begin()};
            auto it = std::find(classes.begin(), classes.end(), cls);
            if (it == classes.end()) it = classes.insert(classes.end(), cls);
            return static_cast<std::int32_t>(it - classes.begin());
          });
  auto country = [&](std::size_t, const std::string& code) -> Result<std::int32_t> {
    ASSIGN_OR_RETURN(int c, book.countries().Resolve(code));
    return static_cast<std::int32_t>(c);
  };
  resolve(req.to.values, &to, country);
  resolve(req.hq.values, &hq, country);

  // One pass over the rows: each row's key, and a slot per distinct key in order of first row.
  const std::size_t n = req.rows();
  r.outcome.resize(n);
  std::vector<SlotQuery> slots;
  KeyMap map;
  Key last = kNoKey;
  std::int32_t last_slot = 0;
  // A row's index in one column; the error (with the row) only on the slow path.
  auto index_of = [](const InternedColumn& col, const Resolved& res, std::size_t row,
                     std::int32_t* index) {
    const std::int32_t c = col.codes[row];
    if (c < 0 || static_cast<std::size_t>(c) >= col.values.size()) return false;
    *index = res.index[static_cast<std::size_t>(c)];
    return *index >= 0;
  };
  auto row_error = [](const InternedColumn& col, const Resolved& res, std::size_t row,
                      const char* field, const char* what) -> Error {
    const std::int32_t c = col.codes[row];
    if (c < 0) return FieldError(field, fmt::format("row {}: no {} given", row, what));
    if (static_cast<std::size_t>(c) >= col.values.size())
      return FieldError(field, fmt::format("row {}: code {} is not an index into the {} values",
                                           row, c, col.values.size()));
    return RowError(field, row, *res.error[static_cast<std::size_t>(c)]);
  };
  const bool has_hq = !req.hq.codes.empty();
  for (std::size_t row = 0; row < n; ++row) {
    if ((row & 0xFFFF) == 0xFFFF && call.stop.Stopped())
      return MakeError(ErrorCode::kDeadlineExceeded, "stopped while reading the rows");
    std::int32_t c = 0, d = 0, t = 0, h = -1;
    const std::int32_t chip_value = req.chip.codes[row];
    if (!index_of(req.chip, chips, row, &c)) return row_error(req.chip, chips, row, "chip", "chip");
    if (!index_of(req.date, dates, row, &d)) return row_error(req.date, dates, row, "date", "date");
    if (!index_of(req.to, to, row, &t)) return row_error(req.to, to, row, "to", "destination");
    bool hq_given = false;
    if (has_hq && req.hq.codes[row] != -1) {
      if (!index_of(req.hq, hq, row, &h)) return row_error(req.hq, hq, row, "hq", "headquarters");
      hq_given = true;
    } else {
      h = t;
    }
    const Key key = Pack(static_cast<std::uint32_t>(c), static_cast<std::uint32_t>(d),
                         static_cast<std::uint32_t>(t), static_cast<std::uint32_t>(h));
    if (key != last) {
      bool inserted = false;
      last_slot = map.FindOrInsert(key, static_cast<std::int32_t>(slots.size()), &inserted);
      last = key;
      if (inserted)
        slots.push_back(
            {c, chip_value, parsed[static_cast<std::size_t>(req.date.codes[row])], t, h, hq_given});
    }
    r.outcome[row] = last_slot;
  }
  r.distinct_queries = slots.size();

  // Classify each slot once, in chunks on the shared executor. Each chunk dedupes its outcomes
  // locally; the chunks are merged in order, so outcomes come in order of first row.
  const std::size_t parallel = static_cast<std::size_t>(
      std::max(1, req.options.threads > 0 ? req.options.threads : Executor::Shared().threads()));
  const std::size_t chunk = std::clamp<std::size_t>(slots.size() / (parallel * 8) + 1, 64, 4096);
  const std::size_t chunks = (slots.size() + chunk - 1) / chunk;
  struct ChunkOut {
    std::vector<std::int32_t> local;  // per slot of the chunk: index into outcomes/keys
    std::vector<BulkOutcome> outcomes;
    std::vector<std::string> keys;
  };
  std::vector<ChunkOut> outs(chunks);
  std::atomic<bool> stopped{false};
  // A chip with disputed figures: its agreement is a function of the outcomes under each source,
  // so rules::ClassifyDisputed (which also rebuilds the scenarios) runs once per distinct tuple of
  // outcomes, shared by the chunks; the other slots classify each scenario's facts directly.
  std::mutex agreements_mu;
  std::unordered_map<std::string, rules::Agreement> agreements;
  Executor::Shared().ParallelFor(chunks, req.options.threads, [&](std::size_t k) {
    if (stopped.load(std::memory_order_relaxed) || call.stop.Stopped()) {
      stopped = true;
      return;
    }
    ChunkOut& out = outs[k];
    std::unordered_map<std::string, std::int32_t> seen;
    rules::Classification scratch, scenario;
    std::string key, tuple;
    const std::size_t begin = k * chunk, end = std::min(slots.size(), begin + chunk);
    out.local.reserve(end - begin);
    for (std::size_t s = begin; s < end; ++s) {
      const SlotQuery& sq = slots[s];
      const rules::ChipEntry& entry = entries[static_cast<std::size_t>(sq.chip)];
      rules::Query q;
      q.date = sq.date;
      q.destination = sq.to;
      q.headquarters = sq.hq;
      q.headquarters_given = sq.hq_given;
      q.view = view;
      q.trace = false;
      rules::ClassifyInto(book, entry.facts, q, &scratch);
      key.clear();
      AppendOutcomeKey(scratch, &key);
      rules::Agreement agreement = rules::Agreement::kNone;
      const auto value = static_cast<std::size_t>(sq.chip_value);
      if (const catalog::Chip* chip = disputed[value]) {
        tuple = std::to_string(sq.chip) + '\x1d' + key;
        for (const rules::ChipFacts& f : scenarios[value]) {
          rules::ClassifyInto(book, f, q, &scenario);
          tuple.push_back('\x1d');
          AppendOutcomeKey(scenario, &tuple);
        }
        std::unique_lock lock(agreements_mu);
        auto a = agreements.find(tuple);
        if (a != agreements.end()) {
          agreement = a->second;
        } else {
          lock.unlock();
          agreement = rules::ClassifyDisputed(book, *chip, q).agreement;
          lock.lock();
          agreements.emplace(tuple, agreement);
        }
      }
      key.push_back(static_cast<char>(agreement));
      auto [it, inserted] = seen.emplace(key, static_cast<std::int32_t>(out.outcomes.size()));
      if (inserted) {
        BulkOutcome o{scratch, agreement};
        o.result.scratch_clause = {};
        o.result.scratch_paragraph = {};
        o.result.scratch_atoms = {};
        out.outcomes.push_back(std::move(o));
        out.keys.push_back(key);
      }
      out.local.push_back(it->second);
    }
  });
  if (stopped || call.stop.Stopped())
    return MakeError(ErrorCode::kDeadlineExceeded, "stopped before every row was classified");

  std::unordered_map<std::string, std::int32_t> global;
  std::vector<std::int32_t> slot_outcome(slots.size());
  for (std::size_t k = 0; k < chunks; ++k) {
    ChunkOut& out = outs[k];
    std::vector<std::int32_t> to_global(out.outcomes.size());
    for (std::size_t i = 0; i < out.outcomes.size(); ++i) {
      auto [it, inserted] =
          global.emplace(std::move(out.keys[i]), static_cast<std::int32_t>(r.outcomes.size()));
      if (inserted) r.outcomes.push_back(std::move(out.outcomes[i]));
      to_global[i] = it->second;
    }
    for (std::size_t i = 0; i < out.local.size(); ++i)
      slot_outcome[k * chunk + i] = to_global[static_cast<std::size_t>(out.local[i])];
  }
  for (std::int32_t& o : r.outcome) o = slot_outcome[static_cast<std::size_t>(o)];
  return r;
}

json OutcomeJson(const BulkOutcome& o) {
  const rules::Classification& c = o.result;
  json controls = json::array(), undecided = json::array();
  for (const rules::Clause* cl : c.controls) controls.push_back(cl->paragraph);
  for (const rules::Clause* cl : c.controls_undecided) undecided.push_back(cl->paragraph);
  json exceptions = json::array(), exceptions_undecided = json::array();
  for (const rules::ExceptionHit& e : c.exceptions)
    (e.eligible.tri == rules::Tri::kUnknown ? exceptions_undecided : exceptions)
        .push_back(e.clause->exception);
  json measures = json::array();
  for (const rules::Clause* m : c.measures) measures.push_back(m->full_id);
  return {{"controlled", TriWord(c.controlled.tri)},
          {"license_required", TriWord(c.license_required.tri)},
          {"controls", controls},
          {"controls_undecided", undecided},
          {"exceptions", exceptions},
          {"exceptions_undecided", exceptions_undecided},
          {"exceptions_blocked", c.exceptions_blocked},
          {"review_policy", rules::ReviewPolicyName(c.review_policy)},
          {"review_decided", TriWord(c.review_decided.tri)},
          {"measures", measures},
          {"before_first_rule", c.before_first_rule},
          {"status", report::StatusLine(c)},
          {"code", report::StatusCode(c)},
          {"disputed", rules::AgreementName(o.disputed)}};
}

json ToJson(const ClassifyManyResponse& r) {
  json outcomes = json::array();
  for (const BulkOutcome& o : r.outcomes) outcomes.push_back(OutcomeJson(o));
  return {{"rows", r.outcome.size()},
          {"distinct_queries", r.distinct_queries},
          {"outcomes", outcomes},
          {"outcome", r.outcome}};
}

}  // namespace ceiling::api

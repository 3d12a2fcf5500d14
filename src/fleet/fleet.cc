#include "ceiling/fleet/fleet.h"

#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <set>
#include <unordered_map>

#include "ceiling/base/text.h"
#include "ceiling/base/toml_reader.h"
#include "ceiling/base/units.h"
#include "ceiling/catalog/metrics.h"
#include "ceiling/perf/serving.h"
#include "ceiling/perf/training.h"
#include "ceiling/rules/analysis.h"
#include "ceiling/rules/facts.h"
#include "ceiling/rules/rule.h"

namespace ceiling::fleet {

struct FleetResult::Storage {
  std::optional<rules::RuleBook> base, alt;
  std::vector<std::shared_ptr<const catalog::Chip>> inline_chips;
  std::deque<std::vector<rules::TimelineEntry>> timelines;
  std::deque<rules::Classification> fixed;  // as-of classifications
};

namespace {

constexpr std::pair<Yardstick, std::string_view> kYardstickNames[] = {
    {Yardstick::kTpp, "tpp"}, {Yardstick::kDecode, "decode"}, {Yardstick::kTrain, "train"}};

constexpr std::string_view kMeasureNames[kMeasureCount] = {
    "units",          "tpp",           "memory_gb",   "bandwidth_gbps", "power_mw", "h100_eq_tpp",
    "h100_eq_decode", "h100_eq_train", "train_pflops"};
constexpr std::string_view kMeasureTitles[kMeasureCount] = {"units",
                                                            "TPP",
                                                            "memory (GB)",
                                                            "memory bandwidth (GB/s)",
                                                            "power at TDP (MW)",
                                                            "H100-eq (TPP)",
                                                            "H100-eq (decode)",
                                                            "H100-eq (training)",
                                                            "training PFLOP/s at modelled MFU"};

constexpr Date kEndOfTime{9999, 12, 31};
constexpr const char* kNotEvaluated = "throughput yardsticks not evaluated";

void AddScaled(Range* to, const Range& q, double per_unit, double f) {
  to->value += q.value * per_unit * f;
  to->low += q.low * per_unit * f;
  to->high += q.high * per_unit * f;
}

// Adds `fraction` of a row (quantity `q` of a chip) to totals.
void AddRow(Totals* t, const Range& q, const ChipInfo& chip, double fraction) {
  for (std::size_t m = 0; m < kMeasureCount; ++m) {
    if (chip.per_unit[m]) {
      AddScaled(&t->sum[m], q, *chip.per_unit[m], fraction);
    } else {
      t->unknown_units[m] += q.value * fraction;
    }
  }
  ++t->rows;
}

std::string DTypeText(perf::DType d) { return std::string(perf::DTypeName(d)); }

std::string DecodeKey(const DecodeWorkload& w) {
  return fmt::format("decode {} gpus={} isl={} osl={} {} tpot<={}ms engine={}", w.model, w.gpus,
                     w.isl, w.osl, DTypeText(w.precision), w.sla_tpot_ms, w.engine);
}

std::string TrainingKey(const TrainingWorkload& w, const std::string& model) {
  return fmt::format("train {} gpus={} tp={} pp={} zero={} mb={} gb={} seq={} {}", model, w.gpus,
                     w.tp, w.pp, w.zero, w.micro_batch, w.global_batch, w.seq,
                     DTypeText(w.precision));
}

Error At(const ShipmentSet& set, Pos p, ErrorCode code, std::string message) {
  return MakeError(code, std::move(message), set.At(p));
}

// Evaluates the decode and training yardsticks of one chip.
ThroughputCache::Entry Evaluate(const catalog::Chip& chip, const Knowledge& kb,
                                const perf::ModelArch& decode_model,
                                const perf::ModelArch& train_model, const FleetQuery& req,
                                ThroughputCache* cache) {
  ThroughputCache::Entry e;
  auto hw = perf::HardwareFromChip(chip, *kb.systems, {});
  if (!hw.ok()) {
    e.decode_why = e.train_why = hw.error().message;
    return e;
  }
  e.bf16_peak = hw->ComputeRate(perf::DType::kBf16).base();
  // Decode: the best deployment under the TPOT target.
  {
    const DecodeWorkload& w = req.decode;
    perf::ServingQuery q;
    q.model = &decode_model;
    q.hardware = &*hw;
    q.calibration = kb.calibration;
    q.gpus = w.gpus;
    q.precision = perf::PrecisionForMode(w.precision);
    if (kb.calibration)
      q.precision = perf::WithEngineAttention(q.precision, kb.calibration->Engine(w.engine).traits,
                                              decode_model, *hw);
    q.workload.isl = w.isl;
    q.workload.osl = w.osl;
    q.workload.engine = w.engine;
    perf::SlaSearchOptions so;
    so.sla.tpot = Seconds::FromBase(w.sla_tpot_ms * 1e-3);
    cache->CountEvaluation();
    auto s = perf::SearchServing(q, so);
    if (!s.ok()) {
      e.decode_why = s.error().message;
    } else if (!s->found) {
      e.decode_why = s->why_none.empty() ? "no deployment meets the TPOT target" : s->why_none;
    } else {
      e.decode_tps = s->result.output_tokens_per_s_per_gpu;
      e.decode_deployment =
          fmt::format("{}, {}", s->query.par.ToString(),
                      Counted(s->query.workload.concurrency, "client"));
    }
  }
  // Training: the fixed layout.
  {
    const TrainingWorkload& w = req.training;
    perf::TrainingQuery q;
    q.model = &train_model;
    q.hardware = &*hw;
    q.calibration = kb.calibration;
    q.gpus = w.gpus;
    q.tp = w.tp;
    q.pp = w.pp;
    q.zero = w.zero;
    q.micro_batch = w.micro_batch;
    q.global_batch = w.global_batch;
    q.seq = w.seq;
    q.precision = w.precision;
    cache->CountEvaluation();
    auto r = perf::Train(q);
    if (!r.ok()) {
      e.train_why = r.error().message;
    } else if (!r->fits) {
      e.train_why = r->does_not_fit;
    } else {
      e.train_tps = r->tokens_per_s / w.gpus;
      e.mfu = r->mfu;
      e.train_layout = fmt::format("TP{} PP{} DP{}", w.tp, w.pp, r->dp);
    }
  }
  return e;
}

// Builds the per-unit values of every measure except the H100-equivalent ratios.
void FillBasics(ChipInfo* info) {
  const catalog::ChipMetrics m = catalog::ComputeMetrics(*info->chip);
  auto set = [&](Measure k, catalog::MetricId id, double scale) {
    const catalog::Metric& metric = m[id];
    if (metric.value) {
      info->per_unit[Index(k)] = *metric.value * scale;
    } else {
      info->missing[Index(k)] = metric.missing.empty() ? "unknown" : metric.missing;
    }
  };
  info->per_unit[Index(Measure::kUnits)] = 1;
  set(Measure::kTpp, catalog::MetricId::kTpp, 1);
  set(Measure::kMemory, catalog::MetricId::kMemoryCapacity, 1);
  set(Measure::kBandwidth, catalog::MetricId::kDramBandwidth, 1);
  set(Measure::kPower, catalog::MetricId::kTdp, 1e-6);
}

struct Resolved {
  std::vector<int> chip_of_row;
  std::vector<int> dest_of_row, hq_of_row;  // country indices
};

// The row's chip: an inline table, an inline chip of another row, or a catalog id.
Result<const catalog::Chip*> FindChip(
    const Knowledge& kb, const ShipmentSet& set, const Shipment& s,
    const std::map<std::string, const catalog::Chip*>& inline_ids) {
  if (s.inline_chip) {
    if (kb.chips->Find(s.chip) != nullptr)
      return At(set, s.chip_at, ErrorCode::kInconsistent,
                fmt::format("chip: the inline chip's id \"{}\" is a catalog chip's; give it "
                            "another id",
                            s.chip));
    return s.inline_chip.get();
  }
  if (auto it = inline_ids.find(s.chip); it != inline_ids.end()) return it->second;
  if (const catalog::Chip* c = kb.chips->Find(s.chip)) return c;
  std::string msg = fmt::format("chip: unknown chip \"{}\"", s.chip);
  const auto near = kb.chips->Suggest(s.chip);
  if (!near.empty()) {
    msg += "; did you mean ";
    for (std::size_t i = 0; i < near.size(); ++i)
      msg += (i ? (i + 1 == near.size() ? " or " : ", ") : "") + fmt::format("\"{}\"", near[i]);
    msg += "?";
  }
  return At(set, s.chip_at, ErrorCode::kNotFound, msg);
}

Result<rules::RuleBook> AlternativeBook(const rules::RuleBook& base, const FleetQuery& req) {
  rules::RuleBook book = base;
  for (const FleetQuery::RuleText& rt : req.rules) {
    auto added = book.WithRuleText(rt.text, rt.name);
    if (!added.ok()) return WithField(added.error(), "rules");
    book = std::move(*added);
  }
  for (std::size_t i = 0; i < req.sets.size(); ++i) {
    const std::string& s = req.sets[i];
    const auto eq = s.find('=');
    auto r = book.WithParameter(s.substr(0, eq), s.substr(eq + 1));
    if (!r.ok()) return WithField(r.error(), fmt::format("sets[{}]", i));
    book = std::move(r).value();
  }
  return book;
}

// Splits `p` along a timeline: one segment per classification in force during the period.
void SegmentsOf(const std::vector<rules::TimelineEntry>& tl, const Period& p,
                std::vector<Segment>* out) {
  out->clear();
  auto it = std::upper_bound(tl.begin(), tl.end(), p.first,
                             [](Date d, const rules::TimelineEntry& e) { return d < e.from; });
  std::size_t i = it == tl.begin() ? 0 : static_cast<std::size_t>(it - tl.begin()) - 1;
  const double days = static_cast<double>(p.Days());
  Date cur = p.first;
  while (true) {
    const Date next = i + 1 < tl.size() ? tl[i + 1].from : kEndOfTime;
    const Date last = std::min(p.last, next.AddDays(-1));
    out->push_back({cur, last,
                    static_cast<double>(last.DaysSinceEpoch() - cur.DaysSinceEpoch() + 1) / days,
                    &tl[i].result});
    if (!(last < p.last)) break;
    cur = last.AddDays(1);
    ++i;
  }
}

// Calls fn(first, last, base segment, alt segment) for each stretch of the row's period on which
// neither the baseline's nor the alternative's classification changes.
template <typename Fn>
void ForEachPiece(const RowResult& row, Fn fn) {
  std::size_t i = 0, j = 0;
  while (i < row.base.size() && j < row.alt.size()) {
    const Segment& a = row.base[i];
    const Segment& b = row.alt[j];
    const Date first = std::max(a.first, b.first);
    const Date last = std::min(a.last, b.last);
    if (!(last < first)) fn(first, last, a, b);
    if (a.last < b.last) {
      ++i;
    } else if (b.last < a.last) {
      ++j;
    } else {
      ++i, ++j;
    }
  }
}

// Whether the alternative newly requires a license where the baseline did not.
bool NewlyLicensed(const Segment& base, const Segment& alt) {
  return LicenseOf(alt) == License::kYes && LicenseOf(base) != License::kYes;
}

// The what-if fractions of a row: intersect the baseline and alternative segments.
void CompareSegments(RowResult* row, double* undecided) {
  *undecided = 0;
  const double days = static_cast<double>(row->shipment->period.Days());
  ForEachPiece(*row, [&](Date first, Date last, const Segment& a, const Segment& b) {
    const double f = static_cast<double>(last.DaysSinceEpoch() - first.DaysSinceEpoch() + 1) / days;
    const License la = LicenseOf(a), lb = LicenseOf(b);
    if (NewlyLicensed(a, b)) {
      row->newly_licensed += f;
      const rules::ReviewPolicy p = b.c->review_policy;
      if (std::find(row->newly_policies.begin(), row->newly_policies.end(), p) ==
          row->newly_policies.end())
        row->newly_policies.push_back(p);
      if (p == rules::ReviewPolicy::kPresumptionOfDenial) row->denied += f;
    } else if (la == License::kYes && lb == License::kNo) {
      row->freed += f;
    } else if (lb == License::kUndecided && la != License::kUndecided) {
      *undecided += f;
    }
  });
}

void Shares(RowResult* row) {
  const Shipment& s = *row->shipment;
  for (const Segment& seg : row->base) {
    if (seg.c == nullptr) continue;
    for (const rules::Clause* m : seg.c->measures) {
      if (!m->revenue_share) continue;
      auto it = std::find_if(row->shares.begin(), row->shares.end(),
                             [&](const ShareOwed& o) { return o.measure == m; });
      if (it == row->shares.end()) {
        ShareOwed o;
        o.measure = m;
        o.share = *m->revenue_share;
        row->shares.push_back(o);
        it = row->shares.end() - 1;
      }
      it->fraction += seg.fraction;
    }
  }
  for (ShareOwed& o : row->shares) {
    if (s.revenue) {
      o.currency = s.revenue_currency;
      o.owed = Range{o.share * s.revenue->value * o.fraction, o.share * s.revenue->low * o.fraction,
                     o.share * s.revenue->high * o.fraction};
    } else if (s.unit_price) {
      o.currency = s.unit_price->currency;
      const Range& p = s.unit_price->amount;
      const Range& q = s.quantity;
      o.owed = Range{o.share * q.value * p.value * o.fraction, o.share * q.low * p.low * o.fraction,
                     o.share * q.high * p.high * o.fraction};
    } else if (s.quantity.high == 0) {
      o.owed = Range{};  // nothing shipped, nothing owed, whatever the price
    }
  }
}

std::vector<Group> ToGroups(std::map<std::string, Totals> m) {
  std::vector<Group> out;
  out.reserve(m.size());
  for (auto& [k, t] : m) out.push_back({k, std::move(t)});
  return out;
}

}  // namespace

std::string_view YardstickName(Yardstick y) {
  for (const auto& [k, n] : kYardstickNames)
    if (k == y) return n;
  return "?";
}

std::optional<Yardstick> YardstickFromName(std::string_view name) {
  for (const auto& [k, n] : kYardstickNames)
    if (n == name) return k;
  return std::nullopt;
}

std::string_view MeasureName(Measure m) { return kMeasureNames[Index(m)]; }
std::string_view MeasureTitle(Measure m) { return kMeasureTitles[Index(m)]; }

Measure MeasureOf(Yardstick y) {
  switch (y) {
    case Yardstick::kTpp:
      return Measure::kH100Tpp;
    case Yardstick::kDecode:
      return Measure::kH100Decode;
    case Yardstick::kTrain:
      return Measure::kH100Train;
  }
  return Measure::kH100Tpp;
}

std::string_view LicenseName(License l) {
  switch (l) {
    case License::kNo:
      return "no";
    case License::kYes:
      return "yes";
    case License::kUndecided:
      return "undecided";
    case License::kNotExport:
      return "not-an-export";
  }
  return "?";
}

License LicenseOf(const Segment& s) {
  if (s.c == nullptr) return License::kNotExport;
  switch (s.c->license_required.tri) {
    case rules::Tri::kTrue:
      return License::kYes;
    case rules::Tri::kFalse:
      return License::kNo;
    default:
      return License::kUndecided;
  }
}

std::vector<InvalidField> FleetQuery::Validate() const {
  std::vector<InvalidField> e;
  auto bad = [&e](std::string field, std::string message) {
    e.push_back({std::move(field), std::move(message)});
  };
  if (shipments_name.empty()) {
    bad("shipments_name", "a file name is required (its extension selects CSV or TOML)");
  } else if (auto f = FormatOf(shipments_name); !f.ok()) {
    bad("shipments_name", fmt::format("\"{}\" must end in .csv or .toml", shipments_name));
  }
  if (count.empty()) bad("count", "at least one status must be counted");
  if (reference_chip.empty()) bad("reference_chip", "a reference chip id is required");
  if (throughput) {
    if (decode.model.empty()) bad("decode.model", "a model id is required");
    if (decode.gpus < 1) bad("decode.gpus", "must be at least 1");
    if (decode.isl < 1) bad("decode.isl", "must be at least 1");
    if (decode.osl < 1) bad("decode.osl", "must be at least 1");
    if (!(decode.sla_tpot_ms > 0)) bad("decode.sla_tpot_ms", "must be positive");
    if (decode.precision == perf::DType::kFp32)
      bad("decode.precision", "fp32 is not a serving precision");
    const TrainingWorkload& t = training;
    if (t.gpus < 1) bad("training.gpus", "must be at least 1");
    if (t.tp < 1) bad("training.tp", "must be at least 1");
    if (t.pp < 1) bad("training.pp", "must be at least 1");
    if (t.micro_batch < 1) bad("training.micro_batch", "must be at least 1");
    if (t.seq < 1) bad("training.seq", "must be at least 1");
    if (t.zero < 0 || t.zero > 3) bad("training.zero", "must be 0, 1, 2 or 3");
    if (t.precision != perf::DType::kBf16 && t.precision != perf::DType::kFp8)
      bad("training.precision", "must be bf16 or fp8");
    if (t.gpus >= 1 && t.tp >= 1 && t.pp >= 1) {
      if (t.gpus % (t.tp * t.pp) != 0) {
        bad("training.gpus",
            fmt::format("{} GPUs do not split into tp {} x pp {}", t.gpus, t.tp, t.pp));
      } else if (t.micro_batch >= 1) {
        const int dp = t.gpus / (t.tp * t.pp);
        if (t.global_batch < 1 || t.global_batch % (dp * t.micro_batch) != 0)
          bad("training.global_batch",
              fmt::format("{} is not a positive multiple of data-parallel {} x micro-batch {}",
                          t.global_batch, dp, t.micro_batch));
      }
    }
    const bool by_flops = run.flops.has_value();
    const bool by_model = !run.model.empty() || run.tokens.has_value();
    if (by_flops && by_model) {
      bad("run", "give a FLOP budget or a model and a token count, not both");
    } else if (by_flops) {
      if (!(*run.flops > 0)) bad("run.flops", "must be positive");
    } else if (by_model) {
      if (run.model.empty()) bad("run.model", "a model id is required with a token count");
      if (!run.tokens) {
        bad("run.tokens", "a token count is required with a model");
      } else if (!(*run.tokens > 0)) {
        bad("run.tokens", "must be positive");
      }
    }
  }
  for (std::size_t i = 0; i < sets.size(); ++i) {
    const auto eq = sets[i].find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == sets[i].size())
      bad(fmt::format("sets[{}]", i), fmt::format("expected NAME=VALUE, got \"{}\"", sets[i]));
  }
  for (std::size_t i = 0; i < rules.size(); ++i)
    if (rules[i].name.empty()) bad(fmt::format("rules[{}].name", i), "a name is required");
  return e;
}

const ThroughputCache::Entry* ThroughputCache::Find(const std::string& chip,
                                                    const std::string& workload) const {
  const auto it = entries_.find({chip, workload});
  return it == entries_.end() ? nullptr : &it->second;
}

void ThroughputCache::Put(const std::string& chip, const std::string& workload, Entry e) {
  entries_[{chip, workload}] = std::move(e);
}

Result<FleetResult> RunFleet(const Knowledge& kb, const FleetQuery& req, ThroughputCache* cache) {
  if (auto errors = req.Validate(); !errors.empty())
    return ceiling::FieldError(errors.front().field, errors.front().message);
  ASSIGN_OR_RETURN(ShipmentSet set, ParseShipments(req.shipments_text, req.shipments_name));
  return EvaluateFleet(kb, std::move(set), req, cache);
}

Result<FleetResult> EvaluateFleet(const Knowledge& kb, ShipmentSet set_in, const FleetQuery& req,
                                  ThroughputCache* cache) {
  if (auto errors = req.Validate(); !errors.empty()) {
    // The text's name is not needed for a parsed set.
    auto it = std::find_if(errors.begin(), errors.end(),
                           [](const InvalidField& f) { return f.field != "shipments_name"; });
    if (it != errors.end()) return ceiling::FieldError(it->field, it->message);
  }
  if (kb.chips == nullptr || kb.rules == nullptr)
    return MakeError(ErrorCode::kInvalidArgument,
                     "fleet: the chip catalog and the rule book are "
                     "required");
  ThroughputCache local_cache;
  if (cache == nullptr) cache = &local_cache;
  const int evaluations_before = cache->evaluations();

  FleetResult r;
  r.set = std::move(set_in);
  const ShipmentSet& set = r.set;
  r.storage = std::make_shared<FleetResult::Storage>();
  FleetResult::Storage& store = *r.storage;
  store.base = *kb.rules;
  const rules::RuleBook& base = *store.base;
  r.reference = req.reference_chip;
  r.count = req.count;
  r.view = req.view;

  // Chips: one ChipInfo per distinct chip, the reference first looked up in the catalog.
  auto found = kb.chips->Resolve(req.reference_chip);  // with "did you mean"
  if (!found.ok())
    return ceiling::FieldError("reference_chip", found.error().message, ErrorCode::kNotFound);
  const catalog::Chip* ref = *found;
  // Every H100-equivalent is a ratio to the reference's TPP: without one, none can be counted.
  if (!catalog::ComputeMetrics(*ref).tpp())
    return ceiling::FieldError(
        "reference_chip",
        fmt::format("{} has no TPP in the catalog, so it cannot be the unit of H100-equivalents; "
                    "pick a chip whose TPP is known (e.g. nvidia-h100-sxm)",
                    ref->id));
  std::map<std::string, const catalog::Chip*> inline_ids;
  for (const Shipment& s : set.rows)
    if (s.inline_chip) inline_ids.emplace(s.chip, s.inline_chip.get());
  std::unordered_map<const catalog::Chip*, int> chip_index;
  std::unordered_map<std::string, int> chip_by_id;
  std::vector<int> chip_of_row(set.rows.size());
  for (std::size_t i = 0; i < set.rows.size(); ++i) {
    const Shipment& s = set.rows[i];
    int idx = -1;
    if (!s.inline_chip) {
      if (auto it = chip_by_id.find(s.chip); it != chip_by_id.end()) idx = it->second;
    }
    if (idx < 0) {
      ASSIGN_OR_RETURN(const catalog::Chip* c, FindChip(kb, set, s, inline_ids));
      auto [it, fresh] = chip_index.emplace(c, static_cast<int>(r.chips.size()));
      if (fresh) {
        ChipInfo info;
        info.chip = c;
        r.chips.push_back(std::move(info));
      }
      idx = it->second;
      if (!s.inline_chip) chip_by_id.emplace(s.chip, idx);
    }
    chip_of_row[i] = idx;
  }
  for (const Shipment& s : set.rows)
    if (s.inline_chip) store.inline_chips.push_back(s.inline_chip);

  // Per-unit values: metrics, then the throughput yardsticks through the cache.
  ChipInfo ref_info;
  ref_info.chip = ref;
  FillBasics(&ref_info);
  for (ChipInfo& c : r.chips) FillBasics(&c);
  const perf::ModelArch* decode_model = nullptr;
  const perf::ModelArch* train_model = nullptr;
  const bool throughput =
      req.throughput && kb.models != nullptr && kb.calibration != nullptr && kb.systems != nullptr;
  if (req.throughput && !throughput)
    r.notes.push_back("throughput yardsticks not evaluated: no model data loaded");
  if (throughput) {
    auto dm = kb.models->Resolve(req.decode.model);  // with "did you mean"
    if (!dm.ok())
      return ceiling::FieldError("decode.model", dm.error().message, ErrorCode::kNotFound);
    decode_model = *dm;
    // A request longer than the model's context is the workload's error, not a "?" per chip.
    if (auto ctx = perf::CheckContext(*decode_model, req.decode.isl, req.decode.osl); !ctx.ok())
      return ceiling::FieldError("decode.isl", ctx.error().message);
    const std::string& tm = req.training.model.empty() ? req.decode.model : req.training.model;
    auto trm = kb.models->Resolve(tm);
    if (!trm.ok())
      return ceiling::FieldError("training.model", trm.error().message, ErrorCode::kNotFound);
    train_model = *trm;
    const DecodeWorkload& d = req.decode;
    r.decode_workload = fmt::format(
        "{}, {} GPUs per deployment, {} serving, input {} / output {} tokens, TPOT <= "
        "{} ms{}",
        decode_model->id, d.gpus, DTypeText(d.precision), d.isl, d.osl,
        FormatNumber(d.sla_tpot_ms, 6), d.engine.empty() ? "" : ", engine " + d.engine);
    const TrainingWorkload& t = req.training;
    r.training_workload = fmt::format(
        "{}, {} GPUs (TP{} PP{}), global batch {} x {} tokens, micro-batch {}, ZeRO-{}, {}",
        train_model->id, t.gpus, t.tp, t.pp, t.global_batch, t.seq, t.micro_batch, t.zero,
        DTypeText(t.precision));
    const std::string key = DecodeKey(req.decode) + " | " + TrainingKey(req.training, tm);
    auto lookup = [&](ChipInfo* info) {
      // Catalog chips are cached by id; an inline chip is evaluated once per request (another
      // file may give the same id to a different chip).
      const bool cacheable = kb.chips->Find(info->chip->id) == info->chip;
      const ThroughputCache::Entry* e = cacheable ? cache->Find(info->chip->id, key) : nullptr;
      ThroughputCache::Entry fresh;
      if (e == nullptr) {
        fresh = Evaluate(*info->chip, kb, *decode_model, *train_model, req, cache);
        if (cacheable) {
          cache->Put(info->chip->id, key, fresh);
          e = cache->Find(info->chip->id, key);
        } else {
          e = &fresh;
        }
      }
      info->decode_tps = e->decode_tps;
      info->train_tps = e->train_tps;
      info->mfu = e->mfu;
      info->decode_deployment = e->decode_deployment;
      info->train_layout = e->train_layout;
      if (!e->decode_tps) info->missing[Index(Measure::kH100Decode)] = e->decode_why;
      if (!e->train_tps) info->missing[Index(Measure::kH100Train)] = e->train_why;
      if (e->mfu && e->bf16_peak) {
        info->per_unit[Index(Measure::kTrainRate)] = *e->mfu * *e->bf16_peak * 1e-15;
      } else {
        info->missing[Index(Measure::kTrainRate)] = e->train_why;
      }
    };
    lookup(&ref_info);
    for (ChipInfo& c : r.chips) lookup(&c);
  } else {
    for (ChipInfo& c : r.chips)
      for (Measure m : {Measure::kH100Decode, Measure::kH100Train, Measure::kTrainRate})
        c.missing[Index(m)] = kNotEvaluated;
    if (!req.throughput) r.notes.push_back("decode and training yardsticks not evaluated");
  }
  // Ratios to the reference chip; a chip or reference without the figure leaves the ratio out.
  for (ChipInfo& c : r.chips) {
    auto ratio = [&](Measure m, std::optional<double> v, std::optional<double> ref_v,
                     const std::string& why_v, const std::string& why_ref) {
      std::string& missing = c.missing[Index(m)];
      if (!v) {
        missing = why_v.empty() ? "unknown" : why_v;
      } else if (!ref_v || !(*ref_v > 0)) {
        missing = fmt::format("the reference chip {} has none: {}", ref->id, why_ref);
      } else {
        c.per_unit[Index(m)] = *v / *ref_v;
        missing.clear();
      }
    };
    ratio(Measure::kH100Tpp, c.per_unit[Index(Measure::kTpp)],
          ref_info.per_unit[Index(Measure::kTpp)], c.missing[Index(Measure::kTpp)],
          ref_info.missing[Index(Measure::kTpp)]);
    if (throughput) {
      ratio(Measure::kH100Decode, c.decode_tps, ref_info.decode_tps,
            c.missing[Index(Measure::kH100Decode)], ref_info.missing[Index(Measure::kH100Decode)]);
      ratio(Measure::kH100Train, c.train_tps, ref_info.train_tps,
            c.missing[Index(Measure::kH100Train)], ref_info.missing[Index(Measure::kH100Train)]);
    }
  }
  for (Measure m : {Measure::kH100Tpp, Measure::kH100Decode, Measure::kH100Train}) {
    const std::size_t i = Index(m);
    const std::size_t base_i = m == Measure::kH100Tpp ? Index(Measure::kTpp) : i;
    const bool known = m == Measure::kH100Tpp      ? ref_info.per_unit[base_i].has_value()
                       : m == Measure::kH100Decode ? ref_info.decode_tps.has_value()
                                                   : ref_info.train_tps.has_value();
    if (known) ref_info.per_unit[i] = 1.0;
  }
  r.reference_info = ref_info;
  r.evaluations = cache->evaluations() - evaluations_before;

  // Rule books: the baseline, and the alternative of the what-if.
  if (req.what_if()) {
    ASSIGN_OR_RETURN(rules::RuleBook alt, AlternativeBook(base, req));
    store.alt = std::move(alt);
  }

  // Classification: one timeline per (chip, destination, headquarters) and book.
  std::vector<rules::ChipFacts> facts;
  facts.reserve(r.chips.size());
  for (const ChipInfo& c : r.chips)
    facts.push_back(rules::FactsOf(*c.chip, catalog::ComputeMetrics(*c.chip)));
  std::unordered_map<std::string, int> country_cache;
  auto country = [&](const std::string& code, Pos at, const char* field) -> Result<int> {
    if (auto it = country_cache.find(code); it != country_cache.end()) return it->second;
    auto c = base.countries().Resolve(code);
    if (!c.ok())
      return At(set, at, ErrorCode::kInvalidArgument,
                fmt::format("{}: {}", field, c.error().message));
    country_cache.emplace(code, *c);
    return *c;
  };
  struct KeyHash {
    std::size_t operator()(const std::tuple<int, int, int>& k) const {
      return (static_cast<std::size_t>(std::get<0>(k)) * 1000003u) ^
             (static_cast<std::size_t>(std::get<1>(k)) * 1009u) ^
             static_cast<std::size_t>(std::get<2>(k));
    }
  };
  std::unordered_map<std::tuple<int, int, int>, std::pair<int, int>, KeyHash> timeline_of;
  std::unordered_map<std::tuple<int, int, int>, int, KeyHash> fixed_of;
  auto query_for = [&](int dest, int hq) {
    rules::Query q;
    q.destination = dest;
    q.headquarters = hq < 0 ? dest : hq;
    q.headquarters_given = hq >= 0;
    q.view = req.view;
    q.trace = false;
    return q;
  };

  r.rows.resize(set.rows.size());
  std::map<std::string, Totals> by_quarter, by_vendor, by_chip, by_buyer, by_family, by_license;
  // Keyed by the measure's id (not its address), so that the order of the answer is the same in
  // every process.
  std::map<std::pair<std::string, std::string>, ShareTotal> shares;
  WhatIf what_if;
  std::set<ShipmentStatus> counted_statuses(req.count.begin(), req.count.end());

  for (std::size_t i = 0; i < set.rows.size(); ++i) {
    const Shipment& s = set.rows[i];
    RowResult& row = r.rows[i];
    row.shipment = &s;
    row.chip = chip_of_row[i];
    const ChipInfo& chip = r.chips[static_cast<std::size_t>(row.chip)];
    if (!s.overlaps.empty()) {
      row.counted = false;
      row.not_counted = fmt::format("restates {}", s.overlaps);
    } else if (!counted_statuses.count(s.status)) {
      row.counted = false;
      row.not_counted = fmt::format("status {}", StatusName(s.status));
    }
    ASSIGN_OR_RETURN(int dest, country(s.destination, s.destination_at, "destination"));
    int hq = -1;
    if (!s.headquarters.empty()) {
      ASSIGN_OR_RETURN(hq, country(s.headquarters, s.headquarters_at, "hq"));
    }
    if (s.domestic()) {
      row.base.push_back({s.period.first, s.period.last, 1.0, nullptr});
      if (store.alt) row.alt = row.base;
    } else {
      const std::tuple<int, int, int> key{row.chip, dest, hq};
      auto it = timeline_of.find(key);
      if (it == timeline_of.end()) {
        const rules::Query q = query_for(dest, hq);
        store.timelines.push_back(
            rules::Timeline(base, facts[static_cast<std::size_t>(row.chip)], q));
        const int b = static_cast<int>(store.timelines.size()) - 1;
        int a = -1;
        if (store.alt && !req.as_of) {
          store.timelines.push_back(
              rules::Timeline(*store.alt, facts[static_cast<std::size_t>(row.chip)], q));
          a = static_cast<int>(store.timelines.size()) - 1;
        }
        it = timeline_of.emplace(key, std::pair{b, a}).first;
      }
      SegmentsOf(store.timelines[static_cast<std::size_t>(it->second.first)], s.period, &row.base);
      if (store.alt) {
        if (req.as_of) {
          auto f = fixed_of.find(key);
          if (f == fixed_of.end()) {
            rules::Query q = query_for(dest, hq);
            q.date = *req.as_of;
            store.fixed.push_back(
                rules::Classify(*store.alt, facts[static_cast<std::size_t>(row.chip)], q));
            f = fixed_of.emplace(key, static_cast<int>(store.fixed.size()) - 1).first;
          }
          row.alt.push_back({s.period.first, s.period.last, 1.0,
                             &store.fixed[static_cast<std::size_t>(f->second)]});
        } else {
          SegmentsOf(store.timelines[static_cast<std::size_t>(it->second.second)], s.period,
                     &row.alt);
        }
      }
    }
    Shares(&row);
    double undecided = 0;
    if (store.alt) CompareSegments(&row, &undecided);
    if (!row.counted) continue;

    // Totals and groups.
    const Range& q = s.quantity;
    AddRow(&r.total, q, chip, 1.0);
    AddRow(&by_vendor[chip.chip->vendor], q, chip, 1.0);
    AddRow(&by_chip[chip.chip->id], q, chip, 1.0);
    AddRow(&by_family[chip.chip->vendor + " " + chip.chip->family], q, chip, 1.0);
    AddRow(&by_buyer[s.buyer.empty() ? std::string("(not reported)") : s.buyer], q, chip, 1.0);
    const double days = static_cast<double>(s.period.Days());
    for (Date d = s.period.first; !(s.period.last < d);) {
      const int qn = (d.month - 1) / 3;  // 0-based quarter
      const Date q_end =
          Date{qn == 3 ? d.year + 1 : d.year, qn == 3 ? 1 : 3 * qn + 4, 1}.AddDays(-1);
      const Date last = std::min(q_end, s.period.last);
      const double f = static_cast<double>(last.DaysSinceEpoch() - d.DaysSinceEpoch() + 1) / days;
      AddRow(&by_quarter[QuarterOf(d)], q, chip, f);
      d = last.AddDays(1);
    }
    {
      // One entry per license state, however many rule changes the period spans.
      std::map<License, double> parts;
      for (const Segment& seg : row.base) parts[LicenseOf(seg)] += seg.fraction;
      for (const auto& [l, f] : parts) AddRow(&by_license[std::string(LicenseName(l))], q, chip, f);
    }
    for (const ShareOwed& o : row.shares) {
      const std::string& currency = o.currency;
      ShareTotal& t = shares[{o.measure->full_id, currency}];
      t.measure = o.measure;
      t.currency = currency;
      ++t.rows;
      t.units += q.value * o.fraction;
      if (o.owed) {
        t.owed.value += o.owed->value;
        t.owed.low += o.owed->low;
        t.owed.high += o.owed->high;
      } else {
        ++t.rows_without_price;
      }
    }
    if (store.alt) {
      if (row.newly_licensed > 0) AddRow(&what_if.needs_license, q, chip, row.newly_licensed);
      if (row.denied > 0) AddRow(&what_if.denial, q, chip, row.denied);
      if (row.freed > 0) AddRow(&what_if.freed, q, chip, row.freed);
      if (undecided > 0) AddRow(&what_if.undecided, q, chip, undecided);
    }
  }
  r.by_quarter = ToGroups(std::move(by_quarter));
  r.by_vendor = ToGroups(std::move(by_vendor));
  r.by_chip = ToGroups(std::move(by_chip));
  r.by_buyer = ToGroups(std::move(by_buyer));
  r.by_family = ToGroups(std::move(by_family));
  r.by_license = ToGroups(std::move(by_license));
  // Rows with nothing to pay on (no currency) join their measure's total when it has one currency.
  for (auto it = shares.begin(); it != shares.end();) {
    const auto& [measure, currency] = it->first;
    if (currency.empty() && it->second.rows_without_price == 0) {
      auto next = std::next(it);
      if (next != shares.end() && next->first.first == measure &&
          (std::next(next) == shares.end() || std::next(next)->first.first != measure)) {
        next->second.rows += it->second.rows;
        it = shares.erase(it);
        continue;
      }
    }
    ++it;
  }
  for (auto& [k, t] : shares) r.shares.push_back(std::move(t));

  if (store.alt) {
    std::vector<std::string> parts;
    for (const FleetQuery::RuleText& rt : req.rules) parts.push_back("rule file " + rt.name);
    for (const std::string& s : req.sets) parts.push_back(s);
    if (req.as_of) parts.push_back("every row under the rules of " + req.as_of->ToString());
    what_if.description = fmt::format("{}", fmt::join(parts, "; "));
    r.what_if = std::move(what_if);
  }

  // Time to train the reference run on the counted fleet.
  if (throughput) {
    TimeToTrain t;
    if (req.run.flops) {
      t.flops = *req.run.flops;
      t.run = fmt::format("{:.3g} FLOP", t.flops);
    } else {
      const perf::ModelArch* m = kb.models->Find(req.run.model);
      if (m == nullptr)
        return MakeError(ErrorCode::kNotFound,
                         fmt::format("run.model: unknown model \"{}\"", req.run.model));
      t.flops = perf::TrainingFlopsPerToken(*m, req.training.seq) * *req.run.tokens;
      t.run = fmt::format("{} x {:.3g} tokens at sequence length {} ({:.3g} FLOP)", m->id,
                          *req.run.tokens, req.training.seq, t.flops);
    }
    t.pflops = r.total.sum[Index(Measure::kTrainRate)];
    t.unknown_units = r.total.unknown_units[Index(Measure::kTrainRate)];
    if (t.pflops.value > 0 && t.pflops.low > 0) {
      const double per_day = 86400.0 * 1e15;
      t.days = Range{t.flops / (t.pflops.value * per_day), t.flops / (t.pflops.high * per_day),
                     t.flops / (t.pflops.low * per_day)};
    }
    r.time_to_train = std::move(t);
  }
  return r;
}

std::optional<Range> RowValue(const FleetResult& r, const RowResult& row, Measure m) {
  const ChipInfo& c = r.chips[static_cast<std::size_t>(row.chip)];
  if (!c.per_unit[Index(m)]) return std::nullopt;
  const double v = *c.per_unit[Index(m)];
  const Range& q = row.shipment->quantity;
  return Range{q.value * v, q.low * v, q.high * v};
}

ChartSeries CumulativeSeries(const FleetResult& r, Yardstick y) {
  ChartSeries out;
  out.yardstick = y;
  const Measure m = MeasureOf(y);
  // Events: at a date, a family's (or the what-if line's) rate of accumulation changes.
  struct Event {
    Date date;
    int family;  // -1: the what-if line
    double slope;
  };
  std::map<std::string, int> family_index;
  for (const Group& g : r.by_family) {
    family_index.emplace(g.key, static_cast<int>(out.families.size()));
    out.families.push_back(g.key);
  }
  std::vector<Event> events;
  const bool what_if = r.what_if.has_value();
  for (const RowResult& row : r.rows) {
    if (!row.counted) continue;
    const ChipInfo& c = r.chips[static_cast<std::size_t>(row.chip)];
    const Shipment& s = *row.shipment;
    if (!c.per_unit[Index(m)]) {
      out.unknown_units += s.quantity.value;
      continue;
    }
    const double per_day =
        s.quantity.value * *c.per_unit[Index(m)] / static_cast<double>(s.period.Days());
    const int fam = family_index.at(c.chip->vendor + " " + c.chip->family);
    events.push_back({s.period.first, fam, per_day});
    events.push_back({s.period.last.AddDays(1), fam, -per_day});
    if (what_if) {
      // What would have shipped: every stretch of the period except those the alternative
      // newly requires a license for.
      ForEachPiece(row, [&](Date first, Date last, const Segment& a, const Segment& b) {
        if (NewlyLicensed(a, b)) return;
        events.push_back({first, -1, per_day});
        events.push_back({last.AddDays(1), -1, -per_day});
      });
    }
  }
  std::sort(events.begin(), events.end(),
            [](const Event& a, const Event& b) { return a.date < b.date; });
  out.cumulative.assign(out.families.size(), {});
  std::vector<double> slope(out.families.size(), 0), value(out.families.size(), 0);
  double wi_slope = 0, wi_value = 0;
  Date prev{};
  bool started = false;
  for (std::size_t i = 0; i < events.size();) {
    const Date d = events[i].date;
    if (started) {
      const double dt = static_cast<double>(d.DaysSinceEpoch() - prev.DaysSinceEpoch());
      for (std::size_t f = 0; f < slope.size(); ++f) value[f] += slope[f] * dt;
      wi_value += wi_slope * dt;
    }
    for (; i < events.size() && events[i].date == d; ++i) {
      if (events[i].family < 0) {
        wi_slope += events[i].slope;
      } else {
        slope[static_cast<std::size_t>(events[i].family)] += events[i].slope;
      }
    }
    out.dates.push_back(d);
    for (std::size_t f = 0; f < slope.size(); ++f) out.cumulative[f].push_back(value[f]);
    if (what_if) out.what_if.push_back(wi_value);
    prev = d;
    started = true;
  }
  return out;
}

}  // namespace ceiling::fleet

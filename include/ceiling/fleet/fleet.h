// Fleets: what shipments add up to — compute, H100-equivalents, licenses, revenue shares — and
// what other rules would have changed.
//
//   FleetQuery req;
//   req.shipments_text = text;                      // CSV or TOML (shipments.h)
//   req.shipments_name = "data/fleets/china-2022-2026.toml";
//   req.as_of = Date{2025, 5, 1};                   // what-if: that day's rules for every row
//   if (auto errors = req.Validate(); !errors.empty()) ...   // field-level errors
//   Knowledge kb{&catalog, &book, &models, &calibration, &systems};
//   ThroughputCache cache;                          // reusable across requests
//   ASSIGN_OR_RETURN(FleetResult r, RunFleet(kb, req, &cache));
//   r.total.sum[Index(Measure::kH100Tpp)].value;    // H100-equivalents by TPP
//   r.what_if->needs_license.sum[Index(Measure::kUnits)];
//
// What it computes, for the rows it counts (status in `count`, not restating another row):
// - per row: the classification over the row's period for its destination and end-user
//   headquarters (license, exceptions, review policy, measures), split where the rules change
//   within the period; the revenue share owed where a measure sets one and a price is known;
// - totals, by quarter, vendor, chip, buyer and license status: units; total TPP; memory capacity
//   (GB) and bandwidth (GB/s); power at TDP (MW); H100-equivalents by three yardsticks (TPP;
//   decode and training throughput per GPU from the performance model, on the request's
//   workloads); the effective training rate at the modelled MFU (PFLOP/s) and the time to train a
//   reference run on it;
// - the what-if (when rules, parameter overrides or an as-of date are given): the rows that
//   would have needed a license, or faced a presumption of denial, and that compute in the same
//   measures.
// Units ship evenly over a row's period: that is how a period is split across quarters, across
// rule changes and in the chart. Low and high bounds propagate to every total (the low total sums
// low quantities; time to train takes its low from the high rate). A chip whose metric is
// unknown adds nothing to that measure's total; its units are counted in `unknown_units` and the
// chip says why (`ChipInfo::missing`). Nothing is guessed.
//
// Errors: the request's field errors (kInvalidArgument, "field: message"); the shipments file's
// parse errors; unknown chip ids and country codes at the row's file:line:col (kNotFound /
// kInvalidArgument); a rule text or parameter override that does not apply. A chip the
// performance model cannot run, or a workload that does not fit on it, is an outcome (the
// yardstick is unknown for that chip), not an error.
//
// The result points into the knowledge base's catalog (which must outlive it) and holds its own
// copies of the rule books its classifications point into. Thread safety: RunFleet is a pure
// function of (knowledge, request) except for the cache, which must not be shared between
// threads.
#ifndef CEILING_FLEET_FLEET_H_
#define CEILING_FLEET_FLEET_H_

#include <array>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ceiling/base/date.h"
#include "ceiling/base/result.h"
#include "ceiling/catalog/catalog.h"
#include "ceiling/fleet/shipments.h"
#include "ceiling/perf/calibration.h"
#include "ceiling/perf/hardware.h"
#include "ceiling/perf/model.h"
#include "ceiling/rules/classify.h"
#include "ceiling/rules/rulebook.h"

namespace ceiling::fleet {

// The knowledge base a fleet evaluation reads. `chips` and `rules` are required; the three perf
// members are needed only for the throughput yardsticks.
struct Knowledge {
  const catalog::Catalog* chips = nullptr;
  const rules::RuleBook* rules = nullptr;
  const perf::ModelCatalog* models = nullptr;
  const perf::Calibration* calibration = nullptr;
  const perf::SystemDefaults* systems = nullptr;
};

// The three ways to count a chip in H100-equivalents.
enum class Yardstick { kTpp, kDecode, kTrain };
std::string_view YardstickName(Yardstick y);  // "tpp", "decode", "train"
std::optional<Yardstick> YardstickFromName(std::string_view name);

// What totals sum, with the unit each is kept in.
enum class Measure {
  kUnits,       // chips
  kTpp,         // total processing performance (plain number)
  kMemory,      // memory capacity, GB
  kBandwidth,   // memory bandwidth, GB/s
  kPower,       // power at TDP, MW
  kH100Tpp,     // H100-equivalents by TPP
  kH100Decode,  // H100-equivalents by decode throughput per GPU
  kH100Train,   // H100-equivalents by training throughput per GPU
  kTrainRate,   // model FLOP/s at the modelled MFU, PFLOP/s
};
inline constexpr std::size_t kMeasureCount = 9;
constexpr std::size_t Index(Measure m) { return static_cast<std::size_t>(m); }
std::string_view MeasureName(Measure m);   // JSON/CSV key: "units", "tpp", "memory_gb", ...
std::string_view MeasureTitle(Measure m);  // "memory (GB)"
Measure MeasureOf(Yardstick y);            // kH100Tpp, kH100Decode, kH100Train

// The decode yardstick: output tokens/s per GPU of the best serving deployment that meets the
// TPOT target (what `perf serve --sla-tpot` finds), per chip.
struct DecodeWorkload {
  std::string model = "llama-3.1-70b";  // id in data/models
  int gpus = 8;                         // GPUs per deployment
  int isl = 1024, osl = 1024;           // input and output tokens per request
  perf::DType precision = perf::DType::kFp8;
  double sla_tpot_ms = 50;  // TPOT target, ms
  std::string engine;       // calibration key ("vllm", "sglang", "trtllm"); "" = average
};

// The training yardstick: training tokens/s per GPU of a fixed layout (and its MFU), per chip.
// Defaults fit Llama 3.1 70B on 64 80-GB GPUs (TP8 PP4 DP2, ZeRO-1).
struct TrainingWorkload {
  std::string model;  // "" = the decode workload's model
  int gpus = 64;
  int tp = 8, pp = 4;
  int zero = 1;
  int micro_batch = 1;
  int global_batch = 256;  // sequences per step
  int seq = 4096;
  perf::DType precision = perf::DType::kBf16;
};

// The reference run whose time to train is reported: a FLOP budget, or a model and a token
// count (FLOPs = the model's training FLOPs per token at the training workload's sequence
// length x tokens).
struct ReferenceRun {
  std::optional<double> flops = 2e25;
  std::string model;
  std::optional<double> tokens;
};

struct InvalidField {
  std::string field;    // request field: "training.tp", "as_of", "sets[2]"
  std::string message;  // without the field name and without CLI flag names
};

struct FleetQuery {
  std::string shipments_text;
  std::string shipments_name;  // for diagnostics; ".csv" or ".toml" selects the format
  // Rows with these statuses are counted in totals (others are listed and classified).
  std::vector<ShipmentStatus> count = {ShipmentStatus::kShipped, ShipmentStatus::kProduced};
  std::string reference_chip = "nvidia-h100-sxm";  // what one H100-equivalent is
  rules::View view = rules::View::kEnforced;
  bool throughput = true;  // evaluate the decode and training yardsticks
  DecodeWorkload decode;
  TrainingWorkload training;
  ReferenceRun run;
  // The what-if: rule versions added (as TOML text), parameter overrides ("tpp_a=4000",
  // "us-2023-10-acs.tpp_a=4000"), and/or one date whose rules apply to every row.
  struct RuleText {
    std::string name;  // for diagnostics
    std::string text;
  };
  std::vector<RuleText> rules;
  std::vector<std::string> sets;
  std::optional<Date> as_of;
  Yardstick chart = Yardstick::kTpp;  // what the chart's cumulative lines count

  bool what_if() const { return !rules.empty() || !sets.empty() || as_of.has_value(); }
  // Every invalid field (empty when the request is valid).
  std::vector<InvalidField> Validate() const;
};

// How much of a row's period falls under one classification.
struct Segment {
  Date first, last;                          // inclusive
  double fraction = 1;                       // of the row's period
  const rules::Classification* c = nullptr;  // nullptr: not an export (domestic)
};

// What a segment says about the license.
enum class License { kNo, kYes, kUndecided, kNotExport };
std::string_view LicenseName(License l);  // "no", "yes", "undecided", "not-an-export"
License LicenseOf(const Segment& s);

struct ShareOwed {
  const rules::Clause* measure = nullptr;
  double share = 0;           // 0.15
  double fraction = 0;        // of the row's period under the measure
  std::optional<Range> owed;  // nullopt: no price (or revenue) to compute it from
  std::string currency;
};

struct RowResult {
  const Shipment* shipment = nullptr;  // into FleetResult::set
  int chip = -1;                       // into FleetResult::chips
  bool counted = true;
  std::string not_counted;    // why not: "status ordered", "restates h20-2024"
  std::vector<Segment> base;  // the rules of each day of the period
  std::vector<Segment> alt;   // the what-if (empty without one)
  double newly_licensed = 0;  // fraction of the period that would have needed a license
  double denied = 0;          // ... under a presumption of denial
  double freed = 0;           // fraction that needed a license but would not have
  std::vector<rules::ReviewPolicy> newly_policies;  // review policies where newly licensed
  std::vector<ShareOwed> shares;
};

struct ChipInfo {
  const catalog::Chip* chip = nullptr;
  std::array<std::optional<double>, kMeasureCount> per_unit;  // per chip, in the measure's unit
  std::array<std::string, kMeasureCount> missing;             // why a per-unit value is absent
  std::optional<double> decode_tps;                           // output tokens/s per GPU
  std::optional<double> train_tps;                            // training tokens/s per GPU
  std::optional<double> mfu;
  std::string decode_deployment, train_layout;
};

struct Totals {
  std::array<Range, kMeasureCount> sum{};
  std::array<double, kMeasureCount> unknown_units{};  // units left out for want of the metric
  int rows = 0;  // rows contributing (a row spanning several quarters counts in each)
};

struct Group {
  std::string key;  // "2024Q3", "nvidia", "nvidia-h20", "ByteDance", "yes"
  Totals totals;
};

struct ShareTotal {
  const rules::Clause* measure = nullptr;
  std::string currency;
  Range owed;
  double units = 0;  // units (value) the amount covers
  int rows = 0;
  int rows_without_price = 0;  // counted rows under the measure with no price
};

struct WhatIf {
  std::string description;  // "rule added: ...; tpp_a = 4000; as of 2025-05-01"
  Totals needs_license;     // counted rows that would have needed a license
  Totals denial;            // ... of which under a presumption of denial
  Totals freed;             // counted rows that needed one and would not have
  Totals undecided;         // the alternative cannot decide (a metric unknown)
};

struct TimeToTrain {
  double flops = 0;
  std::string run;            // "2e+25 FLOP" or "llama-3.1-70b x 1.5e13 tokens (6.3e24 FLOP)"
  Range pflops;               // effective training rate of the counted fleet
  std::optional<Range> days;  // nullopt when no counted chip has a training rate
  double unknown_units = 0;
};

// Cumulative totals of one yardstick over time by chip family, and the what-if line: what would
// have shipped without a license under the alternative rules. Values are piecewise linear
// between `dates`.
struct ChartSeries {
  Yardstick yardstick = Yardstick::kTpp;
  std::vector<Date> dates;
  std::vector<std::string> families;
  std::vector<std::vector<double>> cumulative;  // [family][date]
  std::vector<double> what_if;                  // [date]; empty without a what-if
  double unknown_units = 0;                     // counted units without the yardstick
};

// Per (chip, workload) results of the performance model, so that each chip costs one decode and
// one training evaluation however many rows and requests name it. Not thread-safe.
class ThroughputCache {
 public:
  struct Entry {
    std::optional<double> decode_tps, train_tps, mfu, bf16_peak;  // bf16 peak in FLOP/s
    std::string decode_why, train_why;                            // when absent
    std::string decode_deployment, train_layout;
  };
  // The entry for `chip` under `workload` (a key FleetQuery builds), or nullptr.
  const Entry* Find(const std::string& chip, const std::string& workload) const;
  void Put(const std::string& chip, const std::string& workload, Entry e);
  // Performance-model evaluations made to fill the cache (one per chip and yardstick).
  int evaluations() const { return evaluations_; }
  void CountEvaluation() { ++evaluations_; }

 private:
  std::map<std::pair<std::string, std::string>, Entry> entries_;
  int evaluations_ = 0;
};

// Move-only: rows point into `set` and into the rule books held by `storage`.
struct FleetResult {
  FleetResult() = default;
  FleetResult(FleetResult&&) = default;
  FleetResult& operator=(FleetResult&&) = default;
  FleetResult(const FleetResult&) = delete;
  FleetResult& operator=(const FleetResult&) = delete;

  ShipmentSet set;
  std::string reference;    // reference chip id
  ChipInfo reference_info;  // its per-unit values (H100-equivalent ratios 1, or absent if unknown)
  std::string decode_workload, training_workload;  // in words
  std::vector<ShipmentStatus> count;
  rules::View view = rules::View::kEnforced;
  std::vector<ChipInfo> chips;  // in order of first appearance
  std::vector<RowResult> rows;  // in file order
  Totals total;
  std::vector<Group> by_quarter, by_vendor, by_chip, by_buyer;
  std::vector<Group> by_family;   // keyed "vendor family": "nvidia hopper"
  std::vector<Group> by_license;  // baseline: license needed on the day of shipment
  std::vector<ShareTotal> shares;
  std::optional<WhatIf> what_if;
  std::optional<TimeToTrain> time_to_train;
  std::vector<std::string> notes;
  int evaluations = 0;  // performance-model evaluations this run made (0 when all were cached)

  // Keeps the rule books (and the classifications rows point to) alive.
  struct Storage;
  std::shared_ptr<Storage> storage;
};

Result<FleetResult> RunFleet(const Knowledge& kb, const FleetQuery& req,
                             ThroughputCache* cache = nullptr);
// The same for shipments already parsed (benchmarks, tests); `req.shipments_text` is ignored.
Result<FleetResult> EvaluateFleet(const Knowledge& kb, ShipmentSet set, const FleetQuery& req,
                                  ThroughputCache* cache = nullptr);

// A row's contribution to a measure over its whole period (quantity x the chip's per-unit value),
// or nullopt when the chip's metric is unknown.
std::optional<Range> RowValue(const FleetResult& r, const RowResult& row, Measure m);

// The chart's series for `r`: cumulative `y` by chip family over the counted rows.
ChartSeries CumulativeSeries(const FleetResult& r, Yardstick y);

}  // namespace ceiling::fleet

#endif  // CEILING_FLEET_FLEET_H_

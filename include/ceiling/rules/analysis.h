// Questions around classification: a chip's timeline, the migration matrix, rule diffs,
// what-ifs, headroom to every threshold, and the chip map's regions.
//
//   std::vector<TimelineEntry> t = Timeline(book, facts, query);      // every status change
//   Matrix m = MigrationMatrix(book, chips, query);                    // chips x rule versions
//   std::vector<ChipChange> d = CompareBooks(base, what_if, chips, query);
//   std::vector<HeadroomRow> h = Headroom(book, facts, query);         // H20: TPP at 49% of 4800
//   MapData map = BuildMap(book, chips, query);                        // regions + points
//
// All functions are pure (book, inputs) -> value; pointers point into the book. Dates: a
// timeline starts the day before the first rule; a matrix column is dated when every part of its
// rule has taken effect (the latest of effective, compliance and clause dates).
#ifndef CEILING_RULES_ANALYSIS_H_
#define CEILING_RULES_ANALYSIS_H_

#include <optional>
#include <string>
#include <vector>

#include "ceiling/rules/classify.h"

namespace ceiling::rules {

// A chip as analyses see it: a label and its facts.
struct ChipEntry {
  std::string id;
  std::string name;
  ChipFacts facts;
};

// Timeline ------------------------------------------------------------------------------------

struct TimelineEntry {
  Date from;                        // first day of this status
  Classification result;            // without trace
  std::vector<std::string> changes; // what differs from the previous entry, in words
  std::vector<std::string> events;  // what happened that day (relevant rules and countries)
};
// Every date on which the chip's outcome for (destination, headquarters, view) changes. The
// first entry is the day before the first rule. `query.date` is ignored.
std::vector<TimelineEntry> Timeline(const RuleBook& book, const ChipFacts& facts, Query query);

// What differs between two outcomes ("license required: no -> yes", "+3A090.a.1").
std::vector<std::string> DescribeChange(const Classification& before, const Classification& after);

// Matrix --------------------------------------------------------------------------------------

struct MatrixColumn {
  const RuleVersion* rule = nullptr;
  Date date;
  View view = View::kEnforced;  // kText for a rule that is never enforced (AI Diffusion)
};
struct Matrix {
  std::vector<MatrixColumn> columns;
  std::vector<std::vector<Classification>> cells;  // [chip][column], without trace
};
// One column per rule version (the destination and headquarters come from `query`).
Matrix MigrationMatrix(const RuleBook& book, const std::vector<ChipEntry>& chips, Query query);
// The column for one rule: the date and view at which its own effect shows.
MatrixColumn ColumnFor(const RuleBook& book, const RuleVersion& rule);

// Diffs and what-ifs --------------------------------------------------------------------------

struct ChipChange {
  std::size_t chip = 0;  // index into the chips vector
  Classification before, after;
  std::vector<std::string> changes;
};
// Chips whose outcome differs between `a` and `b` for the same query.
std::vector<ChipChange> CompareBooks(const RuleBook& a, const RuleBook& b,
                                     const std::vector<ChipEntry>& chips, const Query& query);
// Chips whose outcome differs between the columns of two rule versions.
std::vector<ChipChange> CompareRules(const RuleBook& book, const RuleVersion& a,
                                     const RuleVersion& b, const std::vector<ChipEntry>& chips,
                                     Query query);

// Headroom ------------------------------------------------------------------------------------

struct HeadroomRow {
  const RuleVersion* rule = nullptr;
  const Clause* clause = nullptr;
  Var metric = Var::kTpp;
  std::optional<double> value;  // the chip's value (canonical units); nullopt when unknown
  std::string threshold_name;   // parameter name or the literal as written
  double threshold = 0;         // canonical units
  CmpOp op = CmpOp::kGe;        // as written with the metric on the left
  std::optional<double> ratio;  // value / threshold
  Tri holds = Tri::kUnknown;    // whether the comparison holds for the chip
};
// Each comparison of a metric with a parameter or number, in the control, exclusion, review and
// measure clauses that apply on the query's date, in clause order, without duplicates.
std::vector<HeadroomRow> Headroom(const RuleBook& book, const ChipFacts& facts, const Query& query);

// Chip map ------------------------------------------------------------------------------------

// What a region of the map is, by the strongest paragraph met there.
enum class RegionClass { kA, kB, kC, kConditional, kOther };
std::string_view RegionClassLabel(RegionClass c);  // "3A090.a", ..., "3A090 if other metrics qualify"

struct MapRegion {
  double tpp_lo, tpp_hi, pd_lo, pd_hi;    // bounds (tpp_hi/pd_hi may be +inf)
  std::vector<std::string> paragraphs;    // met for a datacenter chip there
  bool depends_on_other_metrics = false;  // a paragraph holds only for some other metrics
  RegionClass cls = RegionClass::kOther;
};
// An exclusion clause in force that takes some chips out of the shaded regions (Note 2: parts
// not designed or marketed for datacenters below a TPP), with its TPP bound as in force in the
// book (an overridden parameter shows its new value).
struct MapExclusion {
  const Clause* clause = nullptr;
  std::optional<double> tpp_below;  // the exclusion holds below this TPP, when it tests one
};
struct MapThreshold {
  Var axis = Var::kTpp;  // kTpp (vertical line) or kPd (horizontal line)
  double value = 0;
  std::string label;  // "tpp_a = 4800 (us-2023-10-acs)"
};
struct MapPoint {
  std::size_t chip = 0;
  double tpp = 0, pd = 0;
  Classification result;  // for the query's destination
};
struct MapData {
  Query query;
  std::vector<MapRegion> regions;
  std::vector<MapThreshold> thresholds;
  std::vector<MapExclusion> exclusions;
  std::vector<MapPoint> points;
  std::vector<std::size_t> unplotted;  // chips without TPP or PD
  std::vector<Classification> unplotted_results;  // their status for the query, in that order
};
// Regions of the TPP/PD plane that the control clauses in force put in each paragraph for a
// datacenter chip, the TPP/PD thresholds of the clauses in force, and every chip with both
// metrics, classified for the query.
MapData BuildMap(const RuleBook& book, const std::vector<ChipEntry>& chips, const Query& query);

}  // namespace ceiling::rules

#endif  // CEILING_RULES_ANALYSIS_H_

// Human-readable rendering of chip records (`ceiling show`, `ceiling chips`).
//
//   std::string s = ChipText(chip, metrics);   // record, metrics with derivations, sources
//   report::Table t = ChipsTable(chips, metrics_of);
#ifndef CEILING_REPORT_CHIP_TEXT_H_
#define CEILING_REPORT_CHIP_TEXT_H_

#include <functional>
#include <string>
#include <vector>

#include "ceiling/catalog/chip.h"
#include "ceiling/catalog/metrics.h"
#include "ceiling/report/table.h"

namespace ceiling::report {

std::string ChipText(const catalog::Chip& chip, const catalog::ChipMetrics& metrics);

// One row per chip: id, name, vendor, market, TPP, PD, memory bandwidth, capacity, TDP,
// release. Unknown values print as "-".
Table ChipsTable();
std::vector<std::string> ChipsRow(const catalog::Chip& chip, const catalog::ChipMetrics& m);
// Same columns as CSV-friendly raw numbers (no thousands separators).
std::vector<std::string> ChipsCsvRow(const catalog::Chip& chip, const catalog::ChipMetrics& m);

}  // namespace ceiling::report

#endif  // CEILING_REPORT_CHIP_TEXT_H_

// Writes a chip record as a chip file (docs/data-format.md) that loads back to the same record.
//
//   std::string text = ChipToToml(derivative);   // e.g. a design-search result
//   // ceiling show design.toml / classify design.toml ... accept the file
//
// Quantities are written with full precision in canonical units (TFLOP/s, TOP/s, GB, GB/s, mm^2,
// W, GHz), so a round trip preserves every value to the last few ulps.
#ifndef CEILING_CATALOG_WRITER_H_
#define CEILING_CATALOG_WRITER_H_

#include <string>

#include "ceiling/catalog/chip.h"

namespace ceiling::catalog {

std::string ChipToToml(const Chip& chip);

}  // namespace ceiling::catalog

#endif  // CEILING_CATALOG_WRITER_H_

// The TOML form of a shipments file: [[shipment]] tables and the [sources] they cite.
#include <fmt/format.h>

#include "ceiling/base/toml_reader.h"
#include "ceiling/catalog/catalog.h"
#include "ceiling/fleet/shipments.h"
#include "row_reader.h"

namespace ceiling::fleet {
namespace {

class TomlRow final : public internal::RowReader {
 public:
  explicit TomlRow(TomlTable t) : t_(std::move(t)) {}

  bool Has(std::string_view key) const override { return t_.Has(key); }
  Result<std::optional<std::string>> String(std::string_view key) const override {
    return t_.GetOptionalString(key);
  }
  Result<std::optional<double>> Number(std::string_view key) const override {
    return t_.GetOptionalNumber(key);
  }
  Result<std::optional<Period>> PeriodField(std::string_view key) const override {
    if (!t_.Has(key)) return std::optional<Period>();
    switch (t_.KindOf(key)) {
      case TomlTable::Kind::kDate: {
        ASSIGN_OR_RETURN(Date d, t_.GetDate(key));
        return std::optional<Period>(Period{d, d, d.ToString()});
      }
      case TomlTable::Kind::kString: {
        ASSIGN_OR_RETURN(std::string s, t_.GetString(key));
        auto p = ParsePeriod(s);
        if (!p.ok()) return t_.ErrorAt(key, p.error().message);
        return std::optional<Period>(*p);
      }
      default:
        return t_.ErrorAt(key, fmt::format("expected a date such as 2024-06-01 or a period such "
                                           "as \"2024Q3\" or \"2024\", got {}",
                                           t_.Describe(key)));
    }
  }
  Pos Location(std::string_view key) const override {
    const SourceLocation l = t_.Has(key) ? t_.LocationOf(key) : t_.location();
    return Pos{l.line, l.column};
  }
  Error ErrorAt(std::string_view key, std::string_view message) const override {
    if (key.empty() || !t_.Has(key)) {
      Error e = t_.ErrorHere(message);
      if (!key.empty()) e.message = fmt::format("{}: {}", t_.KeyPath(key), message);
      return e;
    }
    return t_.ErrorAt(key, message);
  }
  const TomlTable& table() const { return t_; }

 private:
  TomlTable t_;
};

// `key` as one source key or a list, each defined in `sources`. Required unless `optional`.
Result<std::vector<std::string>> SourceKeys(const TomlTable& t, std::string_view key,
                                            const std::map<std::string, catalog::Source>& sources,
                                            bool optional) {
  if (!t.Has(key)) {
    if (optional) return std::vector<std::string>();
    return t.ErrorHere(
        fmt::format("missing required key \"{}\": every figure needs a source", key));
  }
  ASSIGN_OR_RETURN(std::vector<std::string> keys, t.GetStringArray(key, true));
  if (keys.empty()) return t.ErrorAt(key, "at least one source key is required");
  for (const std::string& k : keys)
    if (!sources.count(k)) {
      std::vector<std::string_view> known;
      for (const auto& [name, s] : sources) known.push_back(name);
      return t.ErrorAt(key, fmt::format("unknown source \"{}\" (define it as [sources.{}]){}", k, k,
                                        internal::DidYouMean(k, known)));
    }
  return keys;
}

}  // namespace

Result<ShipmentSet> ParseShipmentsToml(std::string_view text, std::string name) {
  ShipmentSet set;
  set.name = name;
  ASSIGN_OR_RETURN(TomlTable doc, TomlTable::ParseString(text, name));
  RETURN_IF_ERROR(doc.CheckKeys({"title", "description", "shipment", "sources"}));
  ASSIGN_OR_RETURN(auto title, doc.GetOptionalString("title"));
  set.title = title.value_or("");
  ASSIGN_OR_RETURN(auto description, doc.GetOptionalString("description"));
  set.description = description.value_or("");
  if (!doc.Has("shipment"))
    return doc.ErrorHere("missing required array [[shipment]]: a shipments file needs rows");
  ASSIGN_OR_RETURN(set.sources, catalog::ReadSourcesTable(doc));
  ASSIGN_OR_RETURN(std::vector<TomlTable> tables, doc.GetTableArray("shipment"));
  if (tables.empty()) return doc.ErrorAt("shipment", "at least one [[shipment]] is required");

  std::vector<TomlRow> rows;
  rows.reserve(tables.size());
  for (TomlTable& t : tables) rows.emplace_back(std::move(t));
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const TomlTable& t = rows[i].table();
    RETURN_IF_ERROR(t.CheckKeys({"id",
                                 "chip",
                                 "quantity",
                                 "quantity_low",
                                 "quantity_high",
                                 "revenue",
                                 "revenue_low",
                                 "revenue_high",
                                 "unit_price",
                                 "unit_price_low",
                                 "unit_price_high",
                                 "date",
                                 "destination",
                                 "hq",
                                 "origin",
                                 "buyer",
                                 "status",
                                 "kind",
                                 "source",
                                 "price_source",
                                 "note",
                                 "overlaps"}));
    ASSIGN_OR_RETURN(std::vector<std::string> price_sources,
                     SourceKeys(t, "price_source", set.sources, true));
    ASSIGN_OR_RETURN(Shipment s, internal::ReadRow(rows[i], !price_sources.empty()));
    s.index = static_cast<int>(i);
    s.at = Pos{t.location().line, t.location().column};
    s.price_sources = std::move(price_sources);
    ASSIGN_OR_RETURN(s.sources, SourceKeys(t, "source", set.sources, false));
    if (!t.Has("chip")) return t.ErrorHere("missing required key \"chip\"");
    s.chip_at = Pos{t.LocationOf("chip").line, t.LocationOf("chip").column};
    if (t.KindOf("chip") == TomlTable::Kind::kTable) {
      ASSIGN_OR_RETURN(TomlTable chip_table, t.GetTable("chip"));
      ASSIGN_OR_RETURN(catalog::Chip chip, catalog::ParseChip(chip_table));
      s.chip = chip.id;
      s.inline_chip = std::make_shared<const catalog::Chip>(std::move(chip));
    } else if (t.KindOf("chip") == TomlTable::Kind::kString) {
      ASSIGN_OR_RETURN(s.chip, t.GetString("chip"));
    } else {
      return t.ErrorAt("chip", fmt::format("expected a chip id or an inline chip table, got {}",
                                           t.Describe("chip")));
    }
    set.rows.push_back(std::move(s));
  }
  RETURN_IF_ERROR(internal::CheckRows(set, true));
  return set;
}

}  // namespace ceiling::fleet

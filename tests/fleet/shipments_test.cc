// Shipment-file parsing (periods, money, CSV quoting, inline chips) and request validation.
#include "ceiling/fleet/shipments.h"

#include <gtest/gtest.h>

#include "ceiling/fleet/fleet.h"

namespace ceiling::fleet {
namespace {

struct PeriodCase {
  const char* text;
  Date first, last;
};

class PeriodForms : public ::testing::TestWithParam<PeriodCase> {};

TEST_P(PeriodForms, Span) {
  auto p = ParsePeriod(GetParam().text);
  ASSERT_TRUE(p.ok()) << p.error().ToString();
  EXPECT_EQ(p->first, GetParam().first);
  EXPECT_EQ(p->last, GetParam().last);
  EXPECT_EQ(p->text, GetParam().text);
}

INSTANTIATE_TEST_SUITE_P(
    Forms, PeriodForms,
    ::testing::Values(PeriodCase{"2024-06-01", {2024, 6, 1}, {2024, 6, 1}},
                      PeriodCase{"2024-02", {2024, 2, 1}, {2024, 2, 29}},
                      PeriodCase{"2023-02", {2023, 2, 1}, {2023, 2, 28}},
                      PeriodCase{"2024-12", {2024, 12, 1}, {2024, 12, 31}},
                      PeriodCase{"2024Q1", {2024, 1, 1}, {2024, 3, 31}},
                      PeriodCase{"2024Q3", {2024, 7, 1}, {2024, 9, 30}},
                      PeriodCase{"2024Q4", {2024, 10, 1}, {2024, 12, 31}},
                      PeriodCase{"2024", {2024, 1, 1}, {2024, 12, 31}},
                      PeriodCase{"2025-01-27/2025-04-27", {2025, 1, 27}, {2025, 4, 27}},
                      PeriodCase{"2024Q3/2025Q1", {2024, 7, 1}, {2025, 3, 31}},
                      PeriodCase{"2024-04/2024-12", {2024, 4, 1}, {2024, 12, 31}}));

TEST(Period, Errors) {
  for (const char* bad : {"2024Q0", "2024Q5", "24Q1", "2024-13", "2024/2023", "2024-02-30",
                          "2024q3", "", "2024-6-1", "2024/"}) {
    auto p = ParsePeriod(bad);
    EXPECT_FALSE(p.ok()) << bad;
  }
  EXPECT_EQ(ParsePeriod("2024/2023").error().message, "\"2024/2023\" ends before it starts");
  EXPECT_EQ(ParsePeriod("2024Q5").error().message,
            "expected a date (2024-06-01), month (2024-06), quarter (2024Q3), year (2024) or "
            "FIRST/LAST of two of those, got \"2024Q5\"");
  EXPECT_EQ(Period({{2024, 1, 1}, {2024, 12, 31}, "2024"}).Days(), 366);
}

TEST(Period, QuarterOf) {
  EXPECT_EQ(QuarterOf({2024, 1, 1}), "2024Q1");
  EXPECT_EQ(QuarterOf({2024, 3, 31}), "2024Q1");
  EXPECT_EQ(QuarterOf({2024, 4, 1}), "2024Q2");
  EXPECT_EQ(QuarterOf({2025, 12, 31}), "2025Q4");
}

TEST(Money, Parses) {
  auto m = ParseMoney("12000 USD");
  ASSERT_TRUE(m.ok());
  EXPECT_DOUBLE_EQ(m->amount, 12000);
  EXPECT_EQ(m->currency, "USD");
  m = ParseMoney("1.4e6 CNY");
  ASSERT_TRUE(m.ok());
  EXPECT_DOUBLE_EQ(m->amount, 1.4e6);
  for (const char* bad : {"12000", "USD 12000", "12000 usd", "12000 US", "-5 USD", "0x10 USD",
                          "inf USD", "nan USD", "12,000 USD", " USD"})
    EXPECT_FALSE(ParseMoney(bad).ok()) << bad;
  EXPECT_EQ(ParseMoney("-5 USD").error().message, "must not be negative, got \"-5 USD\"");
}

TEST(Csv, QuotingCommentsAndLineEndings) {
  const std::string text =
      "# a comment line\r\n"
      "\r\n"
      "chip , quantity,date,destination,kind,source,note,buyer\r\n"
      "nvidia-h20, 10 ,2024,CN,reported,\"https://example.org/a,b\",\"line one\r\nline "
      "\"\"two\"\"\",  Buyer, Inc.\r\n";
  // The last field is unquoted and holds a comma: that is one field too many.
  auto bad = ParseShipmentsCsv(text, "q.csv");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().ToString(), "q.csv:5:24: expected 8 fields as in the header, got 9");
  std::string good = text;
  good.replace(good.find("  Buyer, Inc."), 13, "\"Buyer, Inc.\"");
  auto set = ParseShipmentsCsv(good, "q.csv");
  ASSERT_TRUE(set.ok()) << set.error().ToString();
  ASSERT_EQ(set->rows.size(), 1u);
  const Shipment& s = set->rows[0];
  EXPECT_EQ(s.chip, "nvidia-h20");
  EXPECT_DOUBLE_EQ(s.quantity.value, 10);
  EXPECT_EQ(s.note, "line one\r\nline \"two\"");
  EXPECT_EQ(s.buyer, "Buyer, Inc.");
  EXPECT_EQ(s.at.line, 4);
  EXPECT_EQ(s.label(), "row 1");
  EXPECT_EQ(set->sources.at(s.sources[0]).url, "https://example.org/a,b");
  EXPECT_EQ(s.status, ShipmentStatus::kShipped);  // the default
}

TEST(Csv, InlineChipTable) {
  const std::string text =
      "chip,quantity,date,destination,kind,source\n"
      "\"{ id = \"\"acme-q1\"\", name = \"\"Acme Q1\"\", vendor = \"\"acme\"\", family = "
      "\"\"q\"\", "
      "market = \"\"datacenter\"\", form_factor = \"\"pcie\"\", throughput = { bf16 = { value = "
      "\"\"200 TFLOP/s\"\", source = \"\"s\"\" } }, sources = { s = { title = \"\"t\"\", url = "
      "\"\"u\"\", kind = \"\"secondary\"\", read = 2026-01-01 } } }\",5,2024,CN,estimate,x\n";
  auto set = ParseShipmentsCsv(text, "inline.csv");
  ASSERT_TRUE(set.ok()) << set.error().ToString();
  ASSERT_TRUE(set->rows[0].inline_chip != nullptr);
  EXPECT_EQ(set->rows[0].chip, "acme-q1");
  EXPECT_EQ(set->rows[0].inline_chip->name, "Acme Q1");
}

TEST(Formats, ByExtension) {
  EXPECT_EQ(*FormatOf("a.CSV"), Format::kCsv);
  EXPECT_EQ(*FormatOf("dir/a.toml"), Format::kToml);
  EXPECT_FALSE(FormatOf("a.json").ok());
  EXPECT_EQ(ParseShipments("x", "a.txt").error().message,
            "a.txt: a shipments file must end in .csv or .toml");
}

std::vector<std::string> Fields(const std::vector<InvalidField>& e) {
  std::vector<std::string> f;
  for (const InvalidField& x : e) f.push_back(x.field);
  return f;
}

TEST(Request, DefaultsAreValid) {
  FleetRequest req;
  req.shipments_name = "x.csv";
  EXPECT_TRUE(req.Validate().empty());
  EXPECT_FALSE(req.what_if());
  req.as_of = Date{2025, 1, 1};
  EXPECT_TRUE(req.what_if());
}

TEST(Request, FieldErrorsNameFieldsNotFlags) {
  FleetRequest req;
  req.shipments_name = "x.json";
  req.count.clear();
  req.decode.gpus = 0;
  req.decode.sla_tpot_ms = 0;
  req.training.gpus = 60;          // not a multiple of tp 8 x pp 4
  req.run.model = "llama-3.1-8b";  // with the default FLOP budget: both given
  req.sets = {"tpp_a"};
  const auto errors = req.Validate();
  EXPECT_EQ(Fields(errors),
            (std::vector<std::string>{"shipments_name", "count", "decode.gpus",
                                      "decode.sla_tpot_ms", "training.gpus", "run", "sets[0]"}));
  for (const InvalidField& e : errors)
    EXPECT_EQ(e.message.find("--"), std::string::npos) << e.message;
  EXPECT_EQ(errors[4].message, "60 GPUs do not split into tp 8 x pp 4");
  EXPECT_EQ(errors[6].message, "expected NAME=VALUE, got \"tpp_a\"");
}

TEST(Request, TrainingBatchAndRunChecks) {
  FleetRequest req;
  req.shipments_name = "x.toml";
  req.training.global_batch = 255;  // dp 2 x micro-batch 1
  req.run.flops.reset();
  req.run.tokens = 1e12;
  const auto errors = req.Validate();
  EXPECT_EQ(Fields(errors), (std::vector<std::string>{"training.global_batch", "run.model"}));
  EXPECT_EQ(errors[0].message, "255 is not a positive multiple of data-parallel 2 x micro-batch 1");
}

TEST(Request, RunFleetReportsTheFirstFieldError) {
  FleetRequest req;
  req.shipments_name = "x.csv";
  req.decode.isl = 0;
  auto r = RunFleet(Knowledge{}, req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "decode.isl");
  EXPECT_EQ(r.error().message, "must be at least 1");
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace ceiling::fleet

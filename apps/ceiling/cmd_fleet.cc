// fleet: a thin adapter over ceiling::fleet (parse flags, read the files' text, run, render).
#include <fmt/format.h>

#include <fstream>
#include <sstream>

#include "ceiling/fleet/fleet.h"
#include "ceiling/report/fleet_report.h"
#include "ceiling/report/json.h"
#include "perf_options.h"

namespace ceiling::cli {
namespace {

Result<std::string> ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return MakeError(ErrorCode::kIo, fmt::format("{}: cannot read file", path));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The command-line flag for a request field, for diagnostics.
std::string FlagFor(const std::string& field) {
  static const std::pair<const char*, const char*> kFlags[] = {
      {"shipments_name", "FILE"},
      {"count", "--count"},
      {"reference_chip", "--reference"},
      {"decode.model", "--model"},
      {"decode.gpus", "--gpus"},
      {"decode.isl", "--isl"},
      {"decode.osl", "--osl"},
      {"decode.sla_tpot_ms", "--sla-tpot"},
      {"decode.precision", "--precision"},
      {"training.model", "--model"},
      {"training.gpus", "--train-gpus"},
      {"training.tp", "--train-tp"},
      {"training.pp", "--train-pp"},
      {"training.zero", "--zero"},
      {"training.micro_batch", "--micro-batch"},
      {"training.global_batch", "--global-batch"},
      {"training.seq", "--seq"},
      {"training.precision", "--train-precision"},
      {"run", "--train-flops / --train-model"},
      {"run.flops", "--train-flops"},
      {"run.model", "--train-model"},
      {"run.tokens", "--train-tokens"},
  };
  for (const auto& [f, flag] : kFlags)
    if (field == f) return flag;
  if (field.starts_with("sets[")) return "--set";
  if (field.starts_with("rules[")) return "--rules";
  return field;
}

// Library errors that name a request field ("decode.model: ...") are shown with the flag.
Error WithFlag(Error e) {
  if (e.location.known()) return e;
  const auto colon = e.message.find(": ");
  if (colon == std::string::npos) return e;
  const std::string field = e.message.substr(0, colon);
  const std::string flag = FlagFor(field);
  if (flag != field) e.message = flag + e.message.substr(colon);
  return e;
}

}  // namespace

Runner SetupFleet(CLI::App* sub) {
  struct Opts {
    std::string file, output, as_of, view = "enforced", count = "shipped,produced";
    std::string reference = "nvidia-h100-sxm", chart = "tpp";
    std::vector<std::string> rule_files, sets;
    bool json = false, csv = false, no_throughput = false;
    // Decode yardstick.
    std::string model = "llama-3.1-70b", precision = "fp8", engine;
    int gpus = 8, isl = 1024, osl = 1024;
    double sla_tpot_ms = 50;
    // Training yardstick.
    int train_gpus = 64, train_tp = 8, train_pp = 4, zero = 1, micro_batch = 1, global_batch = 256,
        seq = 4096;
    std::string train_precision = "bf16";
    // Reference run.
    std::optional<double> train_flops, train_tokens;
    std::string train_model;
  };
  auto o = std::make_shared<Opts>();
  sub->add_option("file", o->file,
                  "Shipments file (.csv or .toml), e.g. data/fleets/china-2022-2026.toml")
      ->required();
  sub->add_flag("--json", o->json, "JSON output");
  sub->add_flag("--csv", o->csv, "CSV output: one line per row");
  sub->add_option("-o,--output", o->output,
                  "Write the chart (cumulative H100-equivalents by chip family, SVG) here");
  sub->add_option("--chart", o->chart, "Chart yardstick: tpp (default), decode or train")
      ->check(CLI::IsMember({"tpp", "decode", "train"}));
  sub->add_option("--count", o->count,
                  "Statuses counted in totals (default shipped,produced; also ordered, approved, "
                  "planned, blocked)");
  sub->add_option("--reference", o->reference,
                  "Chip that counts as one H100-equivalent (default nvidia-h100-sxm)");
  sub->add_option("--view", o->view, "enforced (default) or text")
      ->check(CLI::IsMember({"enforced", "text"}));
  sub->add_option("--rules", o->rule_files,
                  "What-if: add a rule version from a TOML file (repeatable)");
  sub->add_option("--set", o->sets,
                  "What-if: override a rule parameter, NAME=VALUE or RULE.NAME=VALUE (repeatable)");
  sub->add_option("--as-of", o->as_of, "What-if: classify every row under this date's rules");
  sub->add_flag("--no-throughput", o->no_throughput,
                "Skip the decode and training yardsticks (TPP only; faster)");
  sub->add_option("--model", o->model,
                  "Model of the decode and training yardsticks (default llama-3.1-70b)");
  sub->add_option("--gpus", o->gpus, "Decode yardstick: GPUs per deployment (default 8)");
  sub->add_option("--isl", o->isl, "Decode yardstick: input tokens (default 1024)");
  sub->add_option("--osl", o->osl, "Decode yardstick: output tokens (default 1024)");
  sub->add_option("--precision", o->precision, "Decode yardstick: fp8 (default), fp4, int8, bf16");
  sub->add_option("--sla-tpot", o->sla_tpot_ms, "Decode yardstick: TPOT target in ms (default 50)");
  sub->add_option("--engine", o->engine, "Decode yardstick: vllm, sglang or trtllm calibration");
  sub->add_option("--train-gpus", o->train_gpus, "Training yardstick: GPUs (default 64)");
  sub->add_option("--train-tp", o->train_tp, "Training yardstick: tensor parallel (default 8)");
  sub->add_option("--train-pp", o->train_pp, "Training yardstick: pipeline parallel (default 4)");
  sub->add_option("--zero", o->zero, "Training yardstick: ZeRO stage (default 1)");
  sub->add_option("--micro-batch", o->micro_batch, "Training yardstick: micro-batch (default 1)");
  sub->add_option("--global-batch", o->global_batch,
                  "Training yardstick: sequences per step (default 256)");
  sub->add_option("--seq", o->seq, "Training yardstick: sequence length (default 4096)");
  sub->add_option("--train-precision", o->train_precision,
                  "Training yardstick: bf16 (default) or fp8");
  auto* flops = sub->add_option("--train-flops", o->train_flops,
                                "Time to train a run of this many FLOPs (default 2e25)");
  auto* tmodel = sub->add_option("--train-model", o->train_model,
                                 "Time to train this model (with --train-tokens)");
  auto* ttokens =
      sub->add_option("--train-tokens", o->train_tokens, "Tokens of the --train-model run");
  flops->excludes(tmodel);
  flops->excludes(ttokens);
  return [o](Context& ctx) -> int {
    if (o->json && o->csv)
      return ctx.Fail(
          MakeError(ErrorCode::kInvalidArgument, "--json and --csv exclude each other"));
    fleet::FleetRequest req;
    auto text = ReadText(o->file);
    if (!text.ok()) return ctx.Fail(text.error());
    req.shipments_text = std::move(*text);
    req.shipments_name = o->file;
    req.count.clear();
    for (std::size_t pos = 0; pos <= o->count.size();) {
      const std::size_t comma = std::min(o->count.find(',', pos), o->count.size());
      const std::string name = o->count.substr(pos, comma - pos);
      auto s = fleet::StatusFromName(name);
      if (!s)
        return ctx.Fail(MakeError(ErrorCode::kInvalidArgument,
                                  fmt::format("--count: expected shipped, produced, ordered, "
                                              "approved, planned or blocked, got \"{}\"",
                                              name)));
      req.count.push_back(*s);
      pos = comma + 1;
    }
    req.reference_chip = o->reference;
    req.view = o->view == "text" ? rules::View::kText : rules::View::kEnforced;
    req.throughput = !o->no_throughput;
    req.chart = *fleet::YardstickFromName(o->chart);
    req.decode.model = o->model;
    req.decode.gpus = o->gpus;
    req.decode.isl = o->isl;
    req.decode.osl = o->osl;
    auto prec = ParsePrecision(o->precision, "--precision");
    if (!prec.ok()) return ctx.Fail(prec.error());
    req.decode.precision = *prec;
    req.decode.sla_tpot_ms = o->sla_tpot_ms;
    req.decode.engine = o->engine;
    req.training.gpus = o->train_gpus;
    req.training.tp = o->train_tp;
    req.training.pp = o->train_pp;
    req.training.zero = o->zero;
    req.training.micro_batch = o->micro_batch;
    req.training.global_batch = o->global_batch;
    req.training.seq = o->seq;
    auto tprec = ParsePrecision(o->train_precision, "--train-precision");
    if (!tprec.ok()) return ctx.Fail(tprec.error());
    req.training.precision = *tprec;
    if (!o->train_model.empty() || o->train_tokens) {
      req.run.flops.reset();
      req.run.model = o->train_model;
      req.run.tokens = o->train_tokens;
    } else if (o->train_flops) {
      req.run.flops = o->train_flops;
    }
    for (const std::string& f : o->rule_files) {
      auto t = ReadText(f);
      if (!t.ok()) return ctx.Fail(t.error());
      req.rules.push_back({f, std::move(*t)});
    }
    req.sets = o->sets;
    if (!o->as_of.empty()) {
      auto d = ParseDate(o->as_of);
      if (!d.ok())
        return ctx.Fail(MakeError(ErrorCode::kInvalidArgument, "--as-of: " + d.error().message));
      req.as_of = *d;
    }
    if (auto errors = req.Validate(); !errors.empty())
      return ctx.Fail(
          MakeError(ErrorCode::kInvalidArgument,
                    fmt::format("{}: {}", FlagFor(errors.front().field), errors.front().message)));
    fleet::Knowledge kb;
    auto chips = ctx.Catalog();
    if (!chips.ok()) return ctx.Fail(chips.error());
    auto book = ctx.Rules();
    if (!book.ok()) return ctx.Fail(book.error());
    kb.chips = *chips;
    kb.rules = *book;
    std::optional<PerfData> perf;
    if (req.throughput) {
      auto d = LoadPerfData(ctx, true);
      if (!d.ok()) return ctx.Fail(d.error());
      perf = std::move(*d);
      kb.models = &perf->models;
      kb.calibration = &*perf->calibration;
      kb.systems = &perf->systems;
    }
    auto r = fleet::RunFleet(kb, req);
    if (!r.ok()) return ctx.Fail(WithFlag(r.error()));
    if (!o->output.empty()) {
      const std::string svg = report::FleetChartSvg(*r, fleet::CumulativeSeries(*r, req.chart));
      if (auto st = WriteOutput(o->output, svg, ctx.out); !st.ok()) return ctx.Fail(st.error());
    }
    if (o->json) {
      ctx.out << report::DumpJson(report::FleetJson(*r)) << "\n";
    } else if (o->csv) {
      ctx.out << report::FleetCsv(*r);
    } else {
      ctx.out << report::FleetText(*r);
    }
    return kExitOk;
  };
}

}  // namespace ceiling::cli

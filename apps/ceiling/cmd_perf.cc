// perf serve, perf train, compare, validate, calibrate.
#include <filesystem>

#include "ceiling/api/operations.h"
#include "ceiling/api/perf_api.h"
#include "cli.h"

namespace ceiling::cli {

namespace {

constexpr unsigned kPerfParts = api::kModels | api::kPerf;

template <class Request, class Fn>
Runner Perf(CLI::App* sub, FlagSpec spec, unsigned parts, Fn fn) {
  auto b = BindRequest<Request>(sub, std::move(spec));
  auto json = std::make_shared<bool>(false);
  sub->add_flag("--json", *json, "JSON output");
  return [b, json, parts, fn](Context& ctx) -> int {
    int exit = 0;
    auto kb = Prepare(ctx, *b, parts, &exit);
    if (!kb) return exit;
    auto r = fn(*kb, b->request);
    if (!r.ok()) return ctx.Fail(r.error());
    return ctx.Print(*json ? api::DumpJsonText(api::ToJson(*r)) : api::ToText(*r));
  };
}

}  // namespace

Runner SetupPerf(CLI::App* sub) {
  sub->require_subcommand(1);
  CLI::App* serve = sub->add_subcommand("serve", "Serving: TTFT, TPOT, tokens/s for a deployment");
  CLI::App* train = sub->add_subcommand("train", "Training: step time, tokens/s, MFU, memory");
  Runner rs = Perf<api::PerfServeRequest>(
      serve, {}, kPerfParts,
      [](const api::KnowledgeBase& kb, api::PerfServeRequest r) { return api::PerfServe(kb, r); });
  Runner rt = Perf<api::PerfTrainRequest>(
      train, {}, kPerfParts,
      [](const api::KnowledgeBase& kb, api::PerfTrainRequest r) { return api::PerfTrain(kb, r); });
  auto selected = std::make_shared<Runner>();
  serve->callback([selected, rs] { *selected = rs; });
  train->callback([selected, rt] { *selected = rt; });
  return [selected](Context& ctx) -> int { return *selected ? (*selected)(ctx) : kExitBadInput; };
}

Runner SetupCompare(CLI::App* sub) {
  return Perf<api::CompareRequest>(
      sub, {.positional = {"chips"}}, kPerfParts,
      [](const api::KnowledgeBase& kb, api::CompareRequest r) { return api::Compare(kb, r); });
}

Runner SetupValidate(CLI::App* sub) {
  auto b = BindRequest<api::ValidateRequest>(sub, {});
  auto json = std::make_shared<bool>(false);
  auto dump = std::make_shared<std::string>();
  sub->add_flag("--json", *json, "JSON output");
  sub->add_option("--dump", *dump, "Also write every point's prediction to this CSV file")
      ->check(NonEmpty());
  return [b, json, dump](Context& ctx) -> int {
    // Checked first: the validation takes seconds.
    if (auto st = CheckOutputPath(*dump); !st.ok()) return ctx.Fail(st.error());
    int exit = 0;
    auto kb = Prepare(ctx, *b, kPerfParts | api::kValidation, &exit);
    if (!kb) return exit;
    auto r = api::Validate(*kb, b->request);
    if (!r.ok()) return ctx.Fail(r.error());
    if (!dump->empty())
      if (auto st = WriteOutputs({{*dump, api::PredictionsCsv(*r)}}, ctx.out, &ctx.err);
          !st.ok())
        return ctx.Fail(st.error());
    return ctx.Print(*json ? api::DumpJsonText(api::ToJson(*r)) : api::ToText(*r));
  };
}

Runner SetupCalibrate(CLI::App* sub) {
  auto b = BindRequest<api::CalibrateRequest>(sub, {});
  auto write = std::make_shared<bool>(false);
  auto json = std::make_shared<bool>(false);
  auto* w = sub->add_flag("--write", *write, "Write data/perf/calibration.toml (default: print it)");
  sub->add_flag("--json", *json, "JSON output: the TOML text in a JSON object")->excludes(w);
  return [b, write, json](Context& ctx) -> int {
    int exit = 0;
    auto kb = Prepare(ctx, *b, kPerfParts | api::kValidation, &exit);
    if (!kb) return exit;
    auto r = api::Calibrate(*kb, b->request);
    if (!r.ok()) return ctx.Fail(r.error());
    if (*json) return ctx.Print(api::DumpJsonText(api::ToJson(*r)));
    if (!*write) return ctx.Print(r->toml);
    const std::string path =
        (std::filesystem::path(ctx.data_dir) / "perf" / "calibration.toml").string();
    if (auto st = WriteOutputs({{path, r->toml}}, ctx.out); !st.ok()) return ctx.Fail(st.error());
    return ctx.Print("wrote " + path + "\n");
  };
}

}  // namespace ceiling::cli

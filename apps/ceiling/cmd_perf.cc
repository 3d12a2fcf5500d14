// perf serve, perf train, compare, validate, calibrate.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <ostream>
#include <sstream>
#include <thread>

#include "ceiling/base/units.h"
#include "ceiling/perf/calibration.h"
#include "ceiling/perf/serving.h"
#include "ceiling/perf/training.h"
#include "ceiling/perf/validation.h"
#include "ceiling/report/json.h"
#include "ceiling/report/perf_report.h"
#include "ceiling/report/table.h"
#include "commands.h"
#include "perf_options.h"

namespace ceiling::cli {

using namespace ceiling::perf;  // NOLINT: a .cc adapter over one library module

Result<PerfData> LoadPerfData(Context& ctx, bool need_calibration) {
  PerfData d;
  ASSIGN_OR_RETURN(d.chips, ctx.Catalog());
  ASSIGN_OR_RETURN(d.models, ModelCatalog::Load(ctx.data_dir));
  ASSIGN_OR_RETURN(d.systems, LoadSystemDefaults(ctx.data_dir));
  if (need_calibration) {
    ASSIGN_OR_RETURN(Calibration c, LoadCalibration(ctx.data_dir));
    d.calibration = std::move(c);
  }
  return d;
}

Result<DType> ParsePrecision(const std::string& s, const char* flag) {
  auto d = DTypeFromName(s);
  if (!d || *d == DType::kFp32)
    return MakeError(
        ErrorCode::kInvalidArgument,
        fmt::format("{}: expected fp4, fp8, int8, int4, bf16 or fp16, got \"{}\"", flag, s));
  return *d;
}

namespace {

namespace fs = std::filesystem;

constexpr const char* kProducedBy = "ceiling calibrate --write";

// The library names the query field at fault ("virtual_stages: ..."); the CLI names its flag.
Error FlagError(Error e) {
  const auto colon = e.message.find(": ");
  if (colon == std::string::npos || colon == 0) return e;
  std::string field = e.message.substr(0, colon);
  if (field.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") != std::string::npos) return e;
  std::replace(field.begin(), field.end(), '_', '-');
  e.message = "--" + field + " " + e.message.substr(colon + 2);
  return e;
}

// Resolves chip and model, searches the deployment and serves it. Bad input is an error; a
// deployment that does not fit (or misses the SLA) is a result.
struct Served {
  Hardware hw;
  SearchResult search;
};

Result<Served> ServeOne(const PerfData& d, const ServeFlags& f, const std::string& chip_id) {
  ASSIGN_OR_RETURN(const catalog::Chip* chip, d.chips->Resolve(chip_id));
  ASSIGN_OR_RETURN(SystemOptions so, f.System());
  Served s;
  ASSIGN_OR_RETURN(s.hw, HardwareFromChip(*chip, d.systems, so));
  return s;
}

Status RunSearch(const PerfData& d, const ServeFlags& f, const ModelArch* model, Served* s) {
  ASSIGN_OR_RETURN(ServingQuery q, f.Query(model, &s->hw, &*d.calibration));
  ASSIGN_OR_RETURN(s->search, SearchServing(q, f.Search()));
  if (s->search.evaluated == 0) return MakeError(ErrorCode::kInvalidArgument, s->search.why_none);
  return OkStatus();
}

Runner SetupPerfServe(CLI::App* sub) {
  struct Opts : ServeFlags {
    std::string chip;
  };
  auto o = std::make_shared<Opts>();
  sub->add_option("--chip", o->chip, "Chip id or chip file")->required();
  o->Declare(sub);
  return [o](Context& ctx) -> int {
    if (auto st = o->Check(); !st.ok()) return ctx.Fail(st.error());
    auto d = LoadPerfData(ctx, true);
    if (!d.ok()) return ctx.Fail(d.error());
    auto model = d->models.Resolve(o->model);
    if (!model.ok()) return ctx.Fail(model.error());
    auto s = ServeOne(*d, *o, o->chip);
    if (!s.ok()) return ctx.Fail(s.error());
    if (auto st = RunSearch(*d, *o, *model, &*s); !st.ok()) return ctx.Fail(st.error());
    const SearchResult& sr = s->search;
    const bool searched = !(o->tp && o->pp && o->ep && o->dp_attn) || o->sla();
    std::string out;
    if (o->json) {
      nlohmann::json j = report::ServingJson(sr.query, sr.result, searched ? &sr : nullptr);
      if (o->sla()) {
        j["sla"] = nlohmann::json{
            {"tpot_ms", o->sla_tpot_ms ? nlohmann::json(*o->sla_tpot_ms) : nlohmann::json(nullptr)},
            {"ttft_ms", o->sla_ttft_ms ? nlohmann::json(*o->sla_ttft_ms) : nlohmann::json(nullptr)},
            {"met", sr.found}};
      }
      out = report::DumpJson(j) + "\n";
    } else {
      out = report::ServingText(sr.query, sr.result, searched ? &sr : nullptr);
      if (o->sla())
        out += sr.found ? fmt::format("SLA met: best throughput per GPU at {} clients\n",
                                      sr.query.workload.concurrency)
                        : "SLA not met: " + sr.why_none + "\n";
    }
    ctx.out << out;
    return kExitOk;
  };
}

Runner SetupPerfTrain(CLI::App* sub) {
  struct Opts {
    std::string chip, model, precision = "bf16";
    int gpus = 8, tp = 1, pp = 1, ep = 1, cp = 1, zero = 1, micro_batch = 1;
    std::optional<int> dp;
    int global_batch = 0, seq = 0;
    std::optional<double> tokens;
    std::optional<int> gpus_per_node;
    std::string scale_out;
    std::string recompute = "selective";
    int virtual_stages = 1;
    bool sequence_parallel = true, tp_overlap = true, ep_overlap = false, dualpipe = false;
    bool bf16_moments = false;
    bool json = false;
  };
  auto o = std::make_shared<Opts>();
  sub->add_option("--chip", o->chip, "Chip id or chip file")->required();
  sub->add_option("--model", o->model, "Model id (data/models) or model file")->required();
  sub->add_option("--gpus", o->gpus, "GPUs (default 8)");
  sub->add_option("--tp", o->tp, "Tensor-parallel size (default 1)");
  sub->add_option("--pp", o->pp, "Pipeline-parallel size (default 1)");
  sub->add_option("--dp", o->dp, "Data-parallel size (default: gpus / (tp x pp x cp))");
  sub->add_option("--ep", o->ep, "Expert-parallel size (default 1)");
  sub->add_option("--cp", o->cp, "Context-parallel size (default 1)");
  sub->add_option("--zero", o->zero, "ZeRO stage 0-3 (default 1)");
  sub->add_option("--micro-batch", o->micro_batch, "Sequences per micro-batch (default 1)");
  sub->add_option("--recompute", o->recompute,
                  "Activation recomputation: none, selective (default: norms and activations) or "
                  "full; --recompute alone means full")
      ->expected(0, 1)
      ->default_str("full");
  sub->add_flag("--sequence-parallel,!--no-sequence-parallel", o->sequence_parallel,
                "Shard norms and residuals over the TP group (default on)");
  sub->add_option("--virtual-stages", o->virtual_stages,
                  "Interleaved 1F1B: model chunks per pipeline rank (default 1)");
  sub->add_flag("--tp-comm-overlap,!--no-tp-comm-overlap", o->tp_overlap,
                "Overlap TP collectives with GEMMs (default on; needs sequence parallelism)");
  sub->add_flag("--ep-overlap", o->ep_overlap,
                "Hide the expert-parallel all-to-all under computation");
  sub->add_flag("--bf16-moments", o->bf16_moments,
                "Adam moments in bf16 (8 bytes of optimizer state per parameter, not 12)");
  sub->add_flag("--dualpipe", o->dualpipe,
                "DeepSeek-V3's DualPipe schedule (needs an even --pp; overlaps the all-to-all)");
  sub->add_option("--global-batch", o->global_batch, "Sequences per step")->required();
  sub->add_option("--seq", o->seq, "Sequence length in tokens")->required();
  sub->add_option("--tokens", o->tokens, "Tokens to train on (for time to train)");
  sub->add_option("--precision", o->precision, "bf16 (default) or fp8");
  sub->add_option("--gpus-per-node", o->gpus_per_node, "GPUs per scale-up domain");
  sub->add_option("--scale-out", o->scale_out, "Scale-out bandwidth per GPU, e.g. \"400 Gb/s\"");
  sub->add_flag("--json", o->json, "JSON output");
  return [o](Context& ctx) -> int {
    auto d = LoadPerfData(ctx, true);
    if (!d.ok()) return ctx.Fail(d.error());
    auto model = d->models.Resolve(o->model);
    if (!model.ok()) return ctx.Fail(model.error());
    auto chip = d->chips->Resolve(o->chip);
    if (!chip.ok()) return ctx.Fail(chip.error());
    auto so = SystemFlags(o->gpus_per_node, o->scale_out);
    if (!so.ok()) return ctx.Fail(so.error());
    auto hw = HardwareFromChip(**chip, d->systems, *so);
    if (!hw.ok()) return ctx.Fail(hw.error());
    auto prec = ParsePrecision(o->precision, "--precision");
    if (!prec.ok()) return ctx.Fail(prec.error());
    if (o->tokens && !(*o->tokens > 0))
      return ctx.Fail(MakeError(ErrorCode::kInvalidArgument, "--tokens must be positive"));
    TrainingQuery q;
    q.model = *model;
    q.hardware = &*hw;
    q.calibration = &*d->calibration;
    q.gpus = o->gpus, q.tp = o->tp, q.pp = o->pp, q.ep = o->ep, q.cp = o->cp;
    q.zero = o->zero, q.micro_batch = o->micro_batch;
    auto recompute = RecomputeFromName(o->recompute.empty() ? "full" : o->recompute);
    if (!recompute)
      return ctx.Fail(MakeError(
          ErrorCode::kInvalidArgument,
          fmt::format("--recompute: expected none, selective or full, got \"{}\"", o->recompute)));
    q.recompute = *recompute;
    q.virtual_stages = o->virtual_stages;
    q.sequence_parallel = o->sequence_parallel;
    q.tp_comm_overlap = o->tp_overlap;
    q.ep_comm_overlap = o->ep_overlap;
    q.dualpipe = o->dualpipe;
    q.bf16_moments = o->bf16_moments;
    q.global_batch = o->global_batch, q.seq = o->seq, q.precision = *prec, q.tokens = o->tokens;
    if (o->dp && o->tp * o->pp * o->cp > 0 && *o->dp * o->tp * o->pp * o->cp != o->gpus)
      return ctx.Fail(
          MakeError(ErrorCode::kInvalidArgument,
                    fmt::format("--dp {} x tp {} x pp {} x cp {} = {} is not --gpus {}", *o->dp,
                                o->tp, o->pp, o->cp, *o->dp * o->tp * o->pp * o->cp, o->gpus)));
    auto r = Train(q);
    if (!r.ok()) return ctx.Fail(FlagError(r.error()));
    ctx.out << (o->json ? report::DumpJson(report::TrainingJson(q, *r)) + "\n"
                        : report::TrainingText(q, *r));
    return kExitOk;
  };
}

std::string CalibrationStatus(const std::string& data_dir, const Calibration& fitted) {
  Calibration c = fitted;
  c.produced_by = kProducedBy;
  const fs::path path = fs::path(data_dir) / "perf" / "calibration.toml";
  std::ifstream in(path);
  if (!in) return "data/perf/calibration.toml is missing: run `ceiling calibrate --write`";
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str() == CalibrationToToml(c)
             ? "data/perf/calibration.toml is up to date with this fit"
             : "data/perf/calibration.toml differs from this fit: run `ceiling calibrate --write`";
}

Result<ValidationReport> Validate(Context& ctx, int threads) {
  ASSIGN_OR_RETURN(PerfData d, LoadPerfData(ctx, false));
  ASSIGN_OR_RETURN(ValidationSet set, LoadValidationSet(ctx.data_dir, *d.chips, d.models));
  ValidationOptions vo;
  vo.threads = threads;
  return RunValidation(set, *d.chips, d.models, d.systems, vo);
}

}  // namespace

Runner SetupPerf(CLI::App* sub) {
  sub->require_subcommand(1);
  auto serve = sub->add_subcommand("serve", "Serving: TTFT, TPOT, tokens/s for a deployment");
  auto train = sub->add_subcommand("train", "Training: step time, tokens/s, MFU, memory");
  auto selected = std::make_shared<Runner>();
  Runner rs = SetupPerfServe(serve);
  Runner rt = SetupPerfTrain(train);
  serve->callback([selected, rs] { *selected = rs; });
  train->callback([selected, rt] { *selected = rt; });
  return [selected](Context& ctx) -> int { return *selected ? (*selected)(ctx) : kExitBadInput; };
}

Runner SetupCompare(CLI::App* sub) {
  struct Opts : ServeFlags {
    std::vector<std::string> chips;
  };
  auto o = std::make_shared<Opts>();
  sub->add_option("chips", o->chips, "Chip ids (ratios are to the first)")->required();
  o->Declare(sub);
  return [o](Context& ctx) -> int {
    if (auto st = o->Check(); !st.ok()) return ctx.Fail(st.error());
    auto d = LoadPerfData(ctx, true);
    if (!d.ok()) return ctx.Fail(d.error());
    auto model = d->models.Resolve(o->model);
    if (!model.ok()) return ctx.Fail(model.error());
    std::vector<Served> served;
    served.reserve(o->chips.size());
    for (const std::string& c : o->chips) {
      auto s = ServeOne(*d, *o, c);
      if (!s.ok()) return ctx.Fail(s.error());
      served.push_back(std::move(*s));
    }
    std::vector<report::CompareColumn> cols;
    int common_concurrency = 0;  // the same work on every chip: the first chip's client count
    for (Served& s : served) {
      if (auto st = RunSearch(*d, *o, *model, &s); !st.ok()) return ctx.Fail(st.error());
      if (common_concurrency == 0) common_concurrency = s.search.query.workload.concurrency;
      ServingQuery same = s.search.query;
      same.workload.concurrency = common_concurrency;
      auto ref = ReferenceStepsFor(same);
      if (!ref.ok()) return ctx.Fail(ref.error());
      cols.push_back({s.search.query, s.search.result, *ref});
    }
    // The columns point into `served`, which outlives the rendering below.
    ctx.out << (o->json ? report::DumpJson(report::CompareJson(cols)) + "\n"
                        : report::CompareText(cols));
    return kExitOk;
  };
}

Runner SetupValidate(CLI::App* sub) {
  struct Opts {
    bool json = false;
    int threads = 2;
    std::string dump;
  };
  auto o = std::make_shared<Opts>();
  sub->add_flag("--json", o->json, "JSON output");
  sub->add_option("--dump", o->dump, "Also write every point's prediction to this CSV file");
  sub->add_option("--threads", o->threads, "Worker threads for the fits (default 2)");
  return [o](Context& ctx) -> int {
    if (o->threads < 1)
      return ctx.Fail(MakeError(ErrorCode::kInvalidArgument, "--threads must be at least 1"));
    auto rep = Validate(ctx, o->threads);
    if (!rep.ok()) return ctx.Fail(rep.error());
    const std::string status = CalibrationStatus(ctx.data_dir, rep->fitted);
    if (!o->dump.empty()) {
      std::string csv =
          "id,source,kind,chip,model,engine,isl,osl,concurrency,gpus,parallelism,held_out,regime,"
          "fits,ttft_s,ttft_s_pred,tpot_s,tpot_s_pred,throughput,throughput_pred,step_s,"
          "step_s_pred\n";
      for (const PredictionRow& p : rep->predictions) {
        const ValidationPoint& v = p.point;
        csv +=
            fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", v.id,
                        report::CsvField(v.source), static_cast<int>(v.kind), v.chip, v.model,
                        v.engine, v.workload.isl, v.workload.osl, v.workload.concurrency, v.gpus,
                        v.par.ToString(), p.held_out ? 1 : 0, RegimeName(p.regime), p.fits ? 1 : 0,
                        v.ttft_s.value_or(0), p.ttft_s, v.tpot_s.value_or(0), p.tpot_s,
                        v.throughput.value_or(0), p.throughput, p.measured_step_s, p.step_s);
      }
      if (auto st = WriteOutput(o->dump, csv, ctx.out); !st.ok()) return ctx.Fail(st.error());
    }
    ctx.out << (o->json ? report::DumpJson(report::ValidationJson(*rep, status)) + "\n"
                        : report::ValidationText(*rep, status));
    return kExitOk;
  };
}

Runner SetupCalibrate(CLI::App* sub) {
  struct Opts {
    bool write = false;
    int threads = 2;
  };
  auto o = std::make_shared<Opts>();
  sub->add_flag("--write", o->write, "Write data/perf/calibration.toml (default: print it)");
  sub->add_option("--threads", o->threads, "Worker threads for the fits (default 2)");
  return [o](Context& ctx) -> int {
    if (o->threads < 1)
      return ctx.Fail(MakeError(ErrorCode::kInvalidArgument, "--threads must be at least 1"));
    auto rep = Validate(ctx, o->threads);
    if (!rep.ok()) return ctx.Fail(rep.error());
    Calibration c = rep->fitted;
    c.produced_by = kProducedBy;
    const std::string text = CalibrationToToml(c);
    if (!o->write) {
      ctx.out << text;
      return kExitOk;
    }
    const std::string path = (fs::path(ctx.data_dir) / "perf" / "calibration.toml").string();
    if (auto st = WriteOutput(path, text, ctx.out); !st.ok()) return ctx.Fail(st.error());
    ctx.out << "wrote " << path << "\n";
    return kExitOk;
  };
}

}  // namespace ceiling::cli

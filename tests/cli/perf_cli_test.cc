// End-to-end tests of perf serve, perf train, compare and validate through the built binary.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/run.h"

namespace ceiling {
namespace {

using nlohmann::json;

json Parse(const CliResult& r) {
  json j = json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  EXPECT_FALSE(j.is_discarded()) << r.out << r.err;
  return j;
}

TEST(PerfServeCli, JsonCarriesTheInterfaceFields) {
  const CliResult r = RunCeiling(
      "perf serve --chip nvidia-h100-sxm --model llama-3.1-70b --gpus 8 --tp 8 --isl 1024 "
      "--osl 512 --concurrency 32 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = Parse(r);
  for (const char* k :
       {"ttft_ms", "tpot_ms", "output_tokens_per_s", "output_tokens_per_s_per_gpu",
        "tokens_per_s_per_user", "fits", "memory_per_gpu_bytes", "breakdown", "uncertainty"})
    EXPECT_TRUE(j.contains(k)) << k;
  EXPECT_TRUE(j["fits"].get<bool>());
  EXPECT_GT(j["tpot_ms"].get<double>(), 0);
  EXPECT_EQ(j["parallelism"]["tp"], 8);
  EXPECT_TRUE(j["uncertainty"]["tpot_ms"].contains("low"));
  EXPECT_EQ(j["breakdown"]["decode_step"]["bound"], "memory");
}

// The text's last line names the engine-and-model slice of the bands and, when only some bands
// come from it, which: the same as the JSON's per-band "slice" (a regression: it looked at the
// TPOT band only and said "bands of" for all three).
TEST(PerfServeCli, SliceClauseNamesTheBandsThatUseTheSlice) {
  for (const char* engine : {"vllm", "trtllm", "sglang"}) {
    for (const char* model : {"deepseek-r1", "llama-3.1-70b"}) {
      const std::string args = fmt::format(
          "perf serve --chip nvidia-h200-sxm --model {} --gpus 8 --tp 8 --engine {} "
          "--concurrency 8 --isl 1024 --osl 1024",
          model, engine);
      const CliResult t = RunCeiling(args);
      const CliResult j = RunCeiling(args + " --json");
      ASSERT_EQ(t.exit_code, 0) << t.err;
      ASSERT_EQ(j.exit_code, 0) << j.err;
      const json u = Parse(j)["uncertainty"];
      std::string which, rest;
      for (const auto& [name, key] : {std::pair{"TTFT", "ttft_ms"}, std::pair{"TPOT", "tpot_ms"},
                                      std::pair{"throughput", "output_tokens_per_s_per_gpu"}}) {
        std::string& list = u[key].contains("slice") ? which : rest;
        list += (list.empty() ? "" : ", ") + std::string(name);
      }
      std::string last = t.out.substr(t.out.rfind("uncertainty:"));
      if (const auto notes = last.find("\nnote:"); notes != std::string::npos)
        last.resize(notes + 1);  // the notes that follow it (FP8 DeepSeek's quantization)
      if (which.empty()) {
        EXPECT_EQ(last.find("bands of"), std::string::npos) << args << "\n" << last;
      } else {
        const std::string expect =
            rest.empty() ? std::string(" models\n")
                         : fmt::format(" models ({}; {}: the regime's)\n", which, rest);
        EXPECT_NE(last.find(std::string("bands of ") + engine), std::string::npos) << last;
        EXPECT_EQ(last.substr(last.size() - expect.size()), expect) << args << "\n" << last;
      }
    }
  }
}

// The last line names the regimes whose bands a prediction gets, as the JSON does, and says why
// a contended or queued prediction's bands are wide.
TEST(PerfServeCli, RegimeClauseNamesTheRegimesAndWhyTheirBandsAreWide) {
  struct Case {
    const char* args;
    const char* ttft;
    const char* other;
    const char* clause;
  };
  for (const Case& c : {
           Case{"--chip nvidia-h200-sxm --model llama-3.1-8b --gpus 1 --tp 1 --engine sglang "
                "--isl 4000 --osl 1000 --concurrency 16",
                "small_batch", "small_batch", ", small_batch regime"},
           Case{"--chip nvidia-h200-sxm --model llama-3.1-8b --gpus 1 --tp 1 --engine sglang "
                "--isl 4000 --osl 1000 --concurrency 128",
                "contended", "contended", ", contended regime (the prompt's own iterations"},
           Case{"--chip nvidia-h20 --model deepseek-r1 --gpus 8 --isl 4096 --osl 1536 "
                "--concurrency 64",
                "queued", "contended",
                ", queued regime for TTFT, contended for TPOT and throughput (clients wait"},
       }) {
    const std::string args = fmt::format("--width 200 perf serve {}", c.args);
    const CliResult t = RunCeiling(args);
    const CliResult j = RunCeiling(args + " --json");
    ASSERT_EQ(t.exit_code, 0) << t.err;
    ASSERT_EQ(j.exit_code, 0) << j.err;
    const json u = Parse(j)["uncertainty"];
    EXPECT_EQ(u["regime"], c.ttft) << args;
    EXPECT_EQ(u["regime_tpot_throughput"], c.other) << args;
    const std::string last = t.out.substr(t.out.rfind("uncertainty:"));
    EXPECT_NE(last.find(c.clause), std::string::npos) << args << "\n" << last;
  }
}

// With --engine the memory line says how that engine keeps memory back (its default); without
// one it says nothing more.
TEST(PerfServeCli, MemoryLineSaysHowTheNamedEngineKeepsMemoryBack) {
  const std::string base =
      "perf serve --chip nvidia-h100-sxm --model qwen3-32b --gpus 1 --tp 1 --precision bf16 "
      "--isl 2048 --osl 512 --concurrency 16";
  const std::pair<const char*, const char*> cases[] = {
      {"sglang", "memory kept back as sglang does by default: its mem_fraction_static heuristic"},
      {"vllm", "memory kept back as vllm does by default: weights, workspace and KV cache fill "
               "90% of the device"},
      {"trtllm", "memory kept back as trtllm does by default: the KV cache takes 90% of what the"},
  };
  for (const auto& [engine, line] : cases) {
    const CliResult r = RunCeiling(base + " --engine " + engine);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find(line), std::string::npos) << engine << "\n" << r.out;
  }
  const CliResult generic = RunCeiling(base);
  ASSERT_EQ(generic.exit_code, 0) << generic.err;
  EXPECT_EQ(generic.out.find("memory kept back"), std::string::npos) << generic.out;
}

TEST(PerfServeCli, DefaultParallelismIsSearched) {
  const CliResult r = RunCeiling(
      "perf serve --chip nvidia-h200-sxm --model deepseek-r1 --gpus 8 --isl 1024 --osl 1024 "
      "--concurrency 64 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = Parse(r);
  EXPECT_TRUE(j["fits"].get<bool>());
  EXPECT_GT(j["search"]["evaluated"].get<int>(), 1);
}

TEST(PerfServeCli, SlaSearchMeetsTheTarget) {
  const CliResult r = RunCeiling(
      "perf serve --chip nvidia-h200-sxm --model llama-3.1-70b --gpus 8 --isl 2048 --osl 512 "
      "--sla-tpot 30 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = Parse(r);
  EXPECT_TRUE(j["sla"]["met"].get<bool>());
  EXPECT_LE(j["tpot_ms"].get<double>(), 30.0);
}

TEST(PerfServeCli, DoesNotFitIsAnOutcomeNotAnError) {
  const CliResult r = RunCeiling(
      "perf serve --chip nvidia-h100-sxm --model llama-3.1-405b --gpus 1 --tp 1 --precision bf16 "
      "--isl 1024 --osl 128 --concurrency 1 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = Parse(r);
  EXPECT_FALSE(j["fits"].get<bool>());
  EXPECT_TRUE(j["tpot_ms"].is_null());
  EXPECT_GT(j["memory_per_gpu_bytes"].get<double>(), 80e9);
}

TEST(PerfServeCli, ImpossibleParallelismIsBadInput) {
  const CliResult r = RunCeiling(
      "perf serve --chip nvidia-h100-sxm --model llama-3.1-70b --gpus 3 --tp 3 --concurrency 8");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "--tp: 3 does not divide the 64 attention heads of llama-3.1-70b\n");
  EXPECT_EQ(r.out, "");
}

TEST(PerfServeCli, BadModelFileIsBadInputWithLocation) {
  const CliResult r = RunCeiling(
      "perf serve --chip nvidia-h100-sxm --model "
      "tests/cases/models_malformed/kv-heads-not-dividing.toml "
      "--gpus 8 --concurrency 8");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "tests/cases/models_malformed/kv-heads-not-dividing.toml:15:12: attention.kv_heads: "
            "must divide heads (64), got 7\n");
}

TEST(PerfServeCli, UnknownIdsSuggest) {
  CliResult r = RunCeiling("perf serve --chip nvidia-h100-sxm --model llama3-70b --concurrency 1");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "--model: unknown model \"llama3-70b\"; did you mean \"llama-2-70b\"?\n");
  r = RunCeiling(
      "perf serve --chip nvidia-h20 --model llama-3.1-8b --precision fp7 --concurrency 1");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "--precision: expected fp4, fp8, int8, int4, bf16 or fp16, got \"fp7\"\n");
  r = RunCeiling("perf serve --chip nvidia-h20 --model llama-3.1-8b");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "--concurrency: is required (or give a TPOT or TTFT target to search it, or requests "
            "for an offline run)\n");
}

TEST(PerfTrainCli, JsonCarriesTheInterfaceFields) {
  const CliResult r = RunCeiling(
      "perf train --chip nvidia-h100-sxm --model llama-3.1-70b --gpus 64 --tp 8 --pp 2 "
      "--global-batch 512 --seq 4096 --tokens 1e12 --recompute full --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = Parse(r);
  for (const char* k : {"step_time_s", "tokens_per_s", "mfu", "memory_per_gpu_bytes",
                        "time_to_train_s", "breakdown"})
    EXPECT_TRUE(j.contains(k)) << k;
  EXPECT_GT(j["mfu"].get<double>(), 0.1);
  EXPECT_LT(j["mfu"].get<double>(), 0.8);
  EXPECT_TRUE(j["breakdown"].contains("pipeline_bubble_s"));
  EXPECT_NEAR(j["time_to_train_s"].get<double>() * j["tokens_per_s"].get<double>(), 1e12, 1e6);
}

TEST(PerfTrainCli, ParallelismAndMemoryOptions) {
  const char* base =
      "perf train --chip nvidia-h100-sxm --model llama-3.1-70b --gpus 64 --tp 8 --pp 2 "
      "--global-batch 256 --seq 8192 --json ";
  CliResult r = RunCeiling(std::string(base));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json p = Parse(r)["parallelism"];
  // Megatron-style defaults.
  EXPECT_EQ(p["recompute"], "selective");
  EXPECT_TRUE(p["sequence_parallel"].get<bool>());
  EXPECT_TRUE(p["tp_comm_overlap"].get<bool>());
  EXPECT_EQ(p["virtual_stages"], 1);
  r = RunCeiling(std::string(base) + "--recompute full");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Parse(r)["parallelism"]["recompute"], "full");
  r = RunCeiling(std::string(base) +
                 "--recompute none --virtual-stages 2 --no-sequence-parallel --no-tp-comm-overlap");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  p = Parse(r)["parallelism"];
  EXPECT_EQ(p["recompute"], "none");
  EXPECT_EQ(p["virtual_stages"], 2);
  EXPECT_FALSE(p["sequence_parallel"].get<bool>());
  EXPECT_FALSE(p["tp_comm_overlap"].get<bool>());
  r = RunCeiling(
      "perf train --chip nvidia-h800-sxm --model deepseek-v3 --gpus 2048 --pp 16 --ep 64 "
      "--global-batch 15360 --seq 4096 --precision fp8 --dualpipe --bf16-moments --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Parse(r)["fits"].get<bool>());
  EXPECT_TRUE(Parse(r)["parallelism"]["dualpipe"].get<bool>());
}

// A layout that does not fit is an outcome (exit 0, its times kept) with a note naming one that
// does; a fitting layout gets no such note.
TEST(PerfTrainCli, DoesNotFitNamesALayoutThatFits) {
  const std::string base =
      "perf train --chip nvidia-h100-sxm --model llama-3.1-70b --gpus 64 --global-batch 512 "
      "--seq 8192 --json ";
  CliResult r = RunCeiling(base + "--tp 1");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json j = Parse(r);
  EXPECT_FALSE(j["fits"].get<bool>());
  EXPECT_GT(j["step_time_s"].get<double>(), 0);
  ASSERT_FALSE(j["notes"].empty());
  const std::string note = j["notes"].back().get<std::string>();
  EXPECT_EQ(note.rfind("the fastest layout of these 64 GPUs that fits: TP", 0), 0u) << note;
  r = RunCeiling(base + "--tp 8 --pp 2");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  j = Parse(r);
  EXPECT_TRUE(j["fits"].get<bool>());
  for (const auto& n : j["notes"]) EXPECT_EQ(n.get<std::string>().find("layout"), std::string::npos);
}

TEST(PerfTrainCli, BadOptionsAreBadInputNamingTheFlag) {
  const std::string base =
      "perf train --chip nvidia-h100-sxm --model llama-3.1-70b --gpus 64 --tp 8 --pp 2 "
      "--seq 8192 ";
  CliResult r = RunCeiling(base + "--global-batch 256 --recompute half");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "--recompute: expected none, selective or full, got \"half\"\n");
  r = RunCeiling(base + "--global-batch 256 --virtual-stages 0");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "--virtual-stages: must be at least 1\n");
  r = RunCeiling(base + "--global-batch 250");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "--global-batch: 250 is not a multiple of the data-parallel size x the micro-batch = "
            "4 x 1\n");
  EXPECT_EQ(r.out, "");
}

TEST(PerfTrainCli, BadLayoutIsBadInput) {
  const CliResult r = RunCeiling(
      "perf train --chip nvidia-h100-sxm --model llama-3.1-70b --gpus 8 --tp 8 --dp 2 "
      "--global-batch 8 --seq 4096");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "--dp: 2 x tp 8 x pp 1 x cp 1 = 16 is not gpus 8\n");
}

TEST(CompareCli, H20H100H200Ascend) {
  const CliResult r = RunCeiling(
      "compare nvidia-h20 nvidia-h100-sxm nvidia-h200-sxm huawei-ascend-910c --model deepseek-r1 "
      "--gpus 8 --isl 4096 --osl 1536 --concurrency 64");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* s : {"nvidia-h20", "huawei-ascend-910c", "same work on every chip",
                        "decode iteration (ms)", "prefill time (ms)", "output tokens/s per GPU"})
    EXPECT_NE(r.out.find(s), std::string::npos) << s;
  // The band's regime under it: the H20's clients queue for KV room, so its prediction is mostly
  // waiting (contended); the H100 does not fit ("-").
  const std::size_t at = r.out.find("\n  band regime ");
  ASSERT_NE(at, std::string::npos) << r.out;
  std::istringstream row(r.out.substr(at + 15, r.out.find('\n', at + 1) - at - 15));
  std::vector<std::string> cells;
  for (std::string w; row >> w;) cells.push_back(w);
  ASSERT_GE(cells.size(), 4u) << r.out;
  EXPECT_EQ(cells[0], "contended");
  EXPECT_EQ(cells[1], "-");
  const CliResult j = RunCeiling(
      "compare nvidia-h20 nvidia-h100-sxm --model llama-3.1-70b --gpus 8 --concurrency 16 --json");
  ASSERT_EQ(j.exit_code, 0) << j.err;
  const json cols = Parse(j)["chips"];
  ASSERT_EQ(cols.size(), 2u);
  EXPECT_DOUBLE_EQ(cols[0]["ratio_to_first"]["tpot"].get<double>(), 1.0);
  // The H20 loses much more in prefill than in decode.
  EXPECT_LT(cols[1]["ratio_to_first"]["reference_prefill_step"].get<double>(), 0.5);
  EXPECT_GT(cols[1]["ratio_to_first"]["reference_decode_step"].get<double>(), 0.8);
}

// Disaggregated: the header says how the GPUs split into workers, each chip's column names its
// workers' layouts, every band is the disaggregated regime's, and each TTFT carries the KV
// hand-off.
// A note every compared chip has (here the model's block-scaled FP8 checkpoint) is said once;
// a chip's own notes keep its name (the Ascend's missing FP8 rate, which also spares it the
// quantization note).
TEST(CompareCli, NotesEveryChipHasAreSaidOnce) {
  const auto count = [](const std::string& s, const std::string& what) {
    std::size_t n = 0;
    for (std::size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
    return n;
  };
  const std::string quant = "DeepSeek-R1's FP8 checkpoint is block-scaled";
  const CliResult two = RunCeiling(
      "compare nvidia-h200-sxm nvidia-b200 --model deepseek-r1 --gpus 8 --concurrency 16");
  ASSERT_EQ(two.exit_code, 0) << two.err;
  EXPECT_EQ(count(two.out, quant), 1u) << two.out;
  EXPECT_EQ(count(two.out, "note: " + quant), 1u) << two.out;
  const CliResult three = RunCeiling(
      "compare nvidia-h200-sxm nvidia-b200 huawei-ascend-910c --model deepseek-r1 --gpus 8 "
      "--concurrency 16");
  ASSERT_EQ(three.exit_code, 0) << three.err;
  EXPECT_EQ(count(three.out, quant), 2u) << three.out;
  EXPECT_EQ(count(three.out, "note (nvidia-b200): " + quant), 1u) << three.out;
  EXPECT_EQ(count(three.out, "note (huawei-ascend-910c): huawei-ascend-910c has no fp8 rate"), 1u)
      << three.out;
}

TEST(CompareCli, DisaggregatedWorkersAreNamedPerChip) {
  const std::string args =
      "compare nvidia-h20 nvidia-h200-sxm --model llama-3.1-70b --gpus 16 --prefill-workers 1 "
      "--prefill-gpus 4 --decode-workers 3 --concurrency 64";
  const CliResult r = RunCeiling(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("(disaggregated: 1 prefill x 4 GPUs + 3 decode x 4"), std::string::npos)
      << r.out;
  const std::size_t at = r.out.find("\nparallelism ");
  ASSERT_NE(at, std::string::npos) << r.out;
  const std::string row = r.out.substr(at, r.out.find('\n', at + 1) - at);
  std::size_t named = 0;
  for (std::size_t p = row.find("1 prefill x TP"); p != std::string::npos;
       p = row.find("1 prefill x TP", p + 1))
    ++named;
  EXPECT_EQ(named, 2u) << row;
  const CliResult j = RunCeiling(args + " --json");
  ASSERT_EQ(j.exit_code, 0) << j.err;
  const json doc = Parse(j);  // the loop's range must not be a member of a temporary
  for (const json& c : doc["chips"]) {
    EXPECT_EQ(c["disaggregation"]["prefill"]["gpus_per_instance"].get<int>(), 4);
    EXPECT_EQ(c["disaggregation"]["decode"]["instances"].get<int>(), 3);
    EXPECT_EQ(c["uncertainty"]["regime_tpot_throughput"].get<std::string>(), "disaggregated");
    EXPECT_GT(c["latency_parts_ms"]["ttft"]["kv_transfer"].get<double>(), 0);
  }
}

// A chip the model has no answer for (the MI308X's record has no dense tensor rate) is left out
// with its reason and the others are still compared; with every chip left out the answer is
// that chip's error, and an unknown id is an input error as before.
TEST(CompareCli, AChipTheModelCannotAnswerForIsLeftOutWithItsReason) {
  const CliResult r = RunCeiling(
      "compare amd-mi308x nvidia-h20 nvidia-h100-sxm --model llama-3.1-70b --gpus 8 "
      "--concurrency 16 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = Parse(r);
  ASSERT_EQ(j["chips"].size(), 2u);
  EXPECT_EQ(j["chips"][0]["chip"], "nvidia-h20");
  EXPECT_DOUBLE_EQ(j["chips"][0]["ratio_to_first"]["tpot"].get<double>(), 1.0);
  ASSERT_EQ(j["left_out"].size(), 1u);
  EXPECT_EQ(j["left_out"][0]["chip"], "amd-mi308x");
  EXPECT_NE(j["left_out"][0]["reason"].get<std::string>().find("tensor rate"), std::string::npos);
  const CliResult text = RunCeiling(
      "compare amd-mi308x nvidia-h20 --model llama-3.1-70b --gpus 8 --concurrency 16");
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("left out (amd-mi308x): the performance model needs"), std::string::npos)
      << text.out;
  const CliResult none = RunCeiling("compare amd-mi308x --model llama-3.1-70b --gpus 8 "
                                    "--concurrency 16");
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_NE(none.err.find("amd-mi308x"), std::string::npos) << none.err;
  EXPECT_TRUE(none.out.empty()) << none.out;
  const CliResult unknown = RunCeiling("compare nvidia-h20 no-such-chip --model llama-3.1-70b "
                                       "--gpus 8 --concurrency 16");
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("no-such-chip"), std::string::npos) << unknown.err;
}

// Where a request's time goes: the text's table and the JSON's latency_parts_ms, whose parts
// add up to TTFT and TPOT; the queue for KV-cache slots is a part of its own.
TEST(PerfServeCli, LatencyPartsAddUpAndNameTheSlotWait) {
  const CliResult r = RunCeiling(
      "perf serve --chip nvidia-h100-sxm --model llama-3.1-70b --gpus 8 --tp 8 --isl 8192 "
      "--osl 1024 --concurrency 4096 --engine vllm --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = Parse(r);
  ASSERT_TRUE(j["kv_limited"].get<bool>());
  const json& parts = j["latency_parts_ms"];
  double ttft = 0, tpot = 0;
  for (const auto& [k, v] : parts["ttft"].items()) ttft += v.get<double>();
  for (const auto& [k, v] : parts["tpot"].items()) tpot += v.get<double>();
  EXPECT_NEAR(ttft, j["ttft_ms"].get<double>(), 1e-6 * ttft);
  EXPECT_NEAR(tpot, j["tpot_ms"].get<double>(), 1e-6 * tpot);
  EXPECT_GT(parts["ttft"]["slot"].get<double>(), 0.5 * ttft);  // most of the wait is the queue
  const CliResult text = RunCeiling(
      "--width 100 perf serve --chip nvidia-h100-sxm --model llama-3.1-70b --gpus 8 --tp 8 "
      "--isl 8192 --osl 1024 --concurrency 4096 --engine vllm");
  ASSERT_EQ(text.exit_code, 0) << text.err;
  for (const char* s : {"where a request's time goes", "waiting for a KV-cache slot",
                        "engine, per request (fitted)", "a decode iteration"})
    EXPECT_NE(text.out.find(s), std::string::npos) << s << "\n" << text.out;
}

// A calibrated chip's serving prediction carries its measured band coverage in the JSON, and
// says in a note when a band held for fewer than 85% of its rows (the GB200's TPOT: 68%); a chip
// never measured carries null and no note. perf serve and compare both.
TEST(PerfServeCli, CalibratedChipsCarryTheirBandCoverage) {
  const CliResult gb = RunCeiling(
      "perf serve --chip nvidia-gb200 --model llama-3.1-8b --gpus 1 --concurrency 8 --json");
  ASSERT_EQ(gb.exit_code, 0) << gb.err;
  const json g = Parse(gb);
  const json& cov = g["uncertainty"]["chip_coverage"];
  ASSERT_TRUE(cov.is_object()) << g["uncertainty"].dump();
  for (const char* k : {"ttft_ms", "tpot_ms", "output_tokens_per_s_per_gpu"}) {
    ASSERT_TRUE(cov[k].is_object()) << k;
    EXPECT_GT(cov[k]["rows"].get<int>(), 0) << k;
  }
  EXPECT_LT(cov["tpot_ms"]["coverage"].get<double>(), 0.85);
  auto noted = [](const json& notes) {
    return std::any_of(notes.begin(), notes.end(), [](const json& n) {
      return n.get<std::string>().find("held-out measurements") != std::string::npos;
    });
  };
  EXPECT_TRUE(noted(g["notes"])) << g["notes"].dump();
  const CliResult h20 = RunCeiling(
      "perf serve --chip nvidia-h20 --model llama-3.1-8b --gpus 1 --concurrency 8 --json");
  ASSERT_EQ(h20.exit_code, 0) << h20.err;
  const json h = Parse(h20);
  EXPECT_TRUE(h["uncertainty"]["chip_coverage"].is_null());
  EXPECT_FALSE(noted(h["notes"])) << h["notes"].dump();

  const CliResult c = RunCeiling(
      "compare nvidia-h20 nvidia-gb200 --model llama-3.1-8b --gpus 1 --concurrency 8 --json");
  ASSERT_EQ(c.exit_code, 0) << c.err;
  const json cols = Parse(c)["chips"];
  ASSERT_EQ(cols.size(), 2u);
  EXPECT_FALSE(noted(cols[0]["notes"])) << cols[0]["notes"].dump();
  EXPECT_TRUE(noted(cols[1]["notes"])) << cols[1]["notes"].dump();
  EXPECT_TRUE(cols[1]["uncertainty"]["chip_coverage"].is_object()) << cols[1].dump();
}

// A latency target no deployment meets is said, with the deployment nearest it and by how much
// it misses, in perf serve's text and JSON and in a note of each compared chip that misses it
// (compare showed its deployments with no word that they broke the target).
TEST(PerfServeCli, UnmetTargetsNameTheNearestDeployment) {
  const char* args =
      "perf serve --chip nvidia-h100-sxm --model llama-3.1-70b --sla-tpot 1 --concurrency 64";
  const CliResult text = RunCeiling(args);
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("SLA not met: no deployment meets the latency targets; the nearest, "
                          "TP8 at 1 client, has TPOT"),
            std::string::npos)
      << text.out;
  const CliResult js = RunCeiling(std::string(args) + " --json");
  ASSERT_EQ(js.exit_code, 0) << js.err;
  const json j = Parse(js);
  EXPECT_FALSE(j["sla"]["met"].get<bool>());
  EXPECT_EQ(j["workload"]["concurrency"], 1);
  const std::string why = j["sla"]["why_not_met"].get<std::string>();
  EXPECT_NE(why.find(" ms against 1 ms"), std::string::npos) << why;
  const CliResult met = RunCeiling(
      "perf serve --chip nvidia-h100-sxm --model llama-3.1-70b --sla-tpot 30 --json");
  ASSERT_EQ(met.exit_code, 0) << met.err;
  EXPECT_TRUE(Parse(met)["sla"]["why_not_met"].is_null());

  // Batch-1 decode: the H20's 4.0 TB/s beats the H100's 3.35 TB/s, so a target between their
  // batch-1 TPOTs is met by the H20 alone.
  const std::string pair = "compare nvidia-h100-sxm nvidia-h20 --model llama-3.1-70b ";
  const CliResult one = RunCeiling(pair + "--concurrency 1 --tp 8 --json");
  ASSERT_EQ(one.exit_code, 0) << one.err;
  const json one_cols = Parse(one)["chips"];
  ASSERT_EQ(one_cols.size(), 2u);
  const double h100 = one_cols[0]["tpot_ms"].get<double>();
  const double h20 = one_cols[1]["tpot_ms"].get<double>();
  ASSERT_LT(h20, h100);
  const double target = (h100 + h20) / 2;
  const CliResult c =
      RunCeiling(pair + fmt::format("--sla-tpot {:.4f} --concurrency 64 --json", target));
  ASSERT_EQ(c.exit_code, 0) << c.err;
  const json cols = Parse(c)["chips"];
  ASSERT_EQ(cols.size(), 2u);
  EXPECT_GT(cols[0]["tpot_ms"].get<double>(), target);
  EXPECT_LE(cols[1]["tpot_ms"].get<double>(), target);
  for (const json& col : cols) {
    const bool missed = col["tpot_ms"].get<double>() > target;
    const bool said = std::any_of(col["notes"].begin(), col["notes"].end(), [](const json& n) {
      return n.get<std::string>().find("no deployment meets the latency targets") !=
             std::string::npos;
    });
    EXPECT_EQ(said, missed) << col.dump();
  }
}

TEST(ValidateCli, PrintsErrorTablesWithLeaveOneChipOut) {
  const std::string dump = ::testing::TempDir() + "ceiling-validate-dump.csv";
  const CliResult r = RunCeiling("validate --json --dump " + dump);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = Parse(r);
  EXPECT_EQ(j["rows"]["csv"], 5221);
  // The dump names each row's engine version as the export records it (empty where it does not).
  std::ifstream in(dump);
  std::string header, line;
  ASSERT_TRUE(std::getline(in, header));
  EXPECT_EQ(header.rfind("id,source,kind,chip,model,engine,engine_version,isl,", 0), 0u) << header;
  // Each serving row's TTFT and TPOT parts (the tail columns) add up to its predictions.
  const std::vector<std::string> names = [&] {
    std::vector<std::string> v;
    std::stringstream ss(header);
    for (std::string f; std::getline(ss, f, ',');) v.push_back(f);
    return v;
  }();
  auto col = [&](const std::string& name) {
    return static_cast<std::size_t>(std::find(names.begin(), names.end(), name) - names.begin());
  };
  const std::size_t kind = col("kind"), ttft = col("ttft_s_pred"), tpot = col("tpot_s_pred"),
                    first = col("ttft_waiting_s"), decode = col("tpot_decode_s");
  ASSERT_EQ(first + 8, names.size()) << header;
  ASSERT_EQ(decode, first + 6) << header;
  int versioned = 0, summed = 0;
  while (std::getline(in, line)) {
    versioned += line.find(",vllm,0.19.0,") != std::string::npos;
    if (line.find('"') != std::string::npos) continue;  // a quoted field: no serving row has one
    std::vector<double> f;
    std::stringstream ss(line);
    for (std::string x; std::getline(ss, x, ',');) f.push_back(std::atof(x.c_str()));
    if (f.size() != names.size() || f[kind] > 1 || !(f[ttft] > 0)) continue;
    double t = 0;
    for (std::size_t i = first; i < decode; ++i) t += f[i];
    EXPECT_NEAR(t, f[ttft], 1e-6 * f[ttft]) << line;
    EXPECT_NEAR(f[decode] + f[decode + 1], f[tpot], 1e-6 * f[tpot]) << line;
    ++summed;
  }
  EXPECT_GT(versioned, 10);
  EXPECT_GT(summed, 2000);
  // Repeat measurements of one configuration, in pairs by engine version.
  ASSERT_FALSE(j["repeat_measurements"].empty());
  EXPECT_EQ(j["repeat_measurements"][0]["group"], "same engine version");
  EXPECT_GE(j["leave_one_chip_out"].size(), 6u);
  EXPECT_GT(j["overall"][0]["tpot"]["count"].get<int>(), 1000);
  EXPECT_FALSE(j["excluded"].empty());
  EXPECT_EQ(j["calibration"], "data/perf/calibration.toml is up to date with this fit");
  // Every published training run ran, so its layout should fit the model's memory accounting:
  // all do but NeMo's Llama 3 70B on GB200s, which keeps half its activations in host memory
  // (not modelled); the text says which.
  ASSERT_EQ(j["training_memory"].size(), 20u);
  for (const json& t : j["training_memory"]) {
    EXPECT_EQ(t["fits"].get<bool>(), t["id"] != "nemo-gb200-llama3-70b") << t.dump();
    EXPECT_EQ(t["fits"].get<bool>(),
              t["needed_bytes"].get<double>() <= t["capacity_bytes"].get<double>())
        << t.dump();
  }
  // 90% bands hold their promise on held-out rows (cross-fitted coverage) in every regime with
  // at least 30 rows, and are finite. The target is 85-95%; the disaggregated regime
  // (130 rows from a handful of sweeps, one row = 0.8 points) misses it for throughput on the
  // profiled (82.3%) and unprofiled-chip (83.8%) bases since round 6 (docs/perf.md section 5),
  // so this floor only guards against a further slide. The ceiling is the target's 95% plus one
  // row: a band of n rows covers k / n of them, and the unprofiled bases' SGLang-MoE TTFT slice
  // at large batch (101 rows) covers 96, one row past 95%.
  int checked = 0;
  for (const json& b : j["bands"]) {
    if (b["count"].get<int>() < 30) continue;
    ++checked;
    EXPECT_GE(b["coverage"].get<double>(), 0.82) << b.dump();
    EXPECT_LE(b["coverage"].get<double>(), 0.95 + 1.0 / b["count"].get<int>() + 1e-9) << b.dump();
    EXPECT_GT(b["median_width"].get<double>(), 1.0) << b.dump();
    if (b["regime"] != "all") {
      EXPECT_GT(b["low"].get<double>(), 0.0) << b.dump();
      EXPECT_LE(b["low"].get<double>(), 1.0) << b.dump();
      EXPECT_GE(b["high"].get<double>(), 1.0) << b.dump();
    }
  }
  EXPECT_GE(checked, 30);
  // Per calibrated chip: the profiled basis's rows split by chip, each row with the band it
  // gets, so the chips' rows add up to the pooled row, their covered rows to its covered rows,
  // and each chip's median width lies within the widths of the bands served.
  for (const char* metric : {"ttft", "tpot", "throughput"}) {
    json pooled;
    double lo = 1e9, hi = 0;
    for (const json& b : j["bands"]) {
      if (b["basis"] != "profiled" || b["metric"] != metric) continue;
      if (b["regime"] == "all") {
        pooled = b;
      } else {
        const double w = b["high"].get<double>() / b["low"].get<double>();
        lo = std::min(lo, w), hi = std::max(hi, w);
      }
    }
    ASSERT_FALSE(pooled.is_null()) << metric;
    int count = 0;
    double covered = 0;
    for (const json& c : j["bands_per_chip"]) {
      if (c["metric"] != metric) continue;
      count += c["count"].get<int>();
      covered += c["coverage"].get<double>() * c["count"].get<int>();
      EXPECT_GE(c["median_width"].get<double>(), lo * (1 - 1e-9)) << c.dump();
      EXPECT_LE(c["median_width"].get<double>(), hi * (1 + 1e-9)) << c.dump();
    }
    EXPECT_EQ(count, pooled["count"].get<int>()) << metric;
    EXPECT_NEAR(covered, pooled["coverage"].get<double>() * pooled["count"].get<int>(), 1e-6)
        << metric;
  }
}

TEST(CompareCli, SameWorkUsesOneBatchEvenWithAnSla) {
  // With --sla-tpot each chip's deployment is searched, but the "same work" half must run the
  // first chip's batch on every chip (a regression: it used each chip's own searched batch).
  const CliResult r = RunCeiling(
      "compare nvidia-h20 nvidia-h100-sxm nvidia-h200-sxm --model llama-3.1-70b --gpus 8 "
      "--isl 2048 --osl 1024 --sla-tpot 50 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = Parse(r);
  const json& chips = j["chips"];
  ASSERT_EQ(chips.size(), 3u);
  const double batch = chips[0]["reference"]["batch"].get<double>();
  for (const json& c : chips) EXPECT_EQ(c["reference"]["batch"].get<double>(), batch);
  // Same batch, more bandwidth: the H200's decode iteration is the shortest.
  EXPECT_LT(chips[2]["reference"]["decode_step"]["total_ms"].get<double>(),
            chips[1]["reference"]["decode_step"]["total_ms"].get<double>());
}

}  // namespace
}  // namespace ceiling

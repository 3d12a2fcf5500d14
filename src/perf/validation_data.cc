// Loading the validation set: aiconfigurator's CSV and points.toml.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "ceiling/base/file.h"
#include "ceiling/base/toml_reader.h"
#include "ceiling/base/units.h"
#include "ceiling/perf/validation.h"

namespace ceiling::perf {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> SplitCsv(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        cur += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cur += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.push_back(std::move(cur));
      cur.clear();
    } else if (c != '\r') {
      cur += c;
    }
  }
  out.push_back(std::move(cur));
  return out;
}

std::uint64_t Fnv1a(std::string_view s) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

// Integer cell; empty or "0" count as `empty_value`.
bool ParseInt(const std::string& s, int empty_value, int* out) {
  if (s.empty()) {
    *out = empty_value;
    return true;
  }
  char* end = nullptr;
  const long v = std::strtol(s.c_str(), &end, 10);
  if (end != s.c_str() + s.size() || v < 0 || v > 1'000'000) return false;
  *out = v == 0 ? empty_value : static_cast<int>(v);
  return true;
}

bool ParseDouble(const std::string& s, double* out) {
  if (s.empty()) return false;
  char* end = nullptr;
  *out = std::strtod(s.c_str(), &end);
  return end == s.c_str() + s.size() && std::isfinite(*out) && *out > 0;
}

class Excluder {
 public:
  void Add(const std::string& reason) { ++counts_[reason]; }
  std::vector<Exclusion> Take() const {
    std::vector<Exclusion> out;
    for (const auto& [r, n] : counts_) out.push_back({r, n});
    return out;
  }

 private:
  std::map<std::string, int> counts_;
};

Result<DType> PrecisionFromCsv(const std::string& precision) {
  if (precision.empty()) return DType::kBf16;  // unquantized checkpoints
  if (auto d = DTypeFromName(precision)) return *d;
  return MakeError(ErrorCode::kInvalidArgument, precision);
}

// The GPU count a 2026 export's id names ("..._c128_tp8_ep8_2012", "..._tp8_0_ep8_0_1244": 8),
// if it names one.
std::optional<int> IdGpus(const std::string& id) {
  const std::size_t at = id.rfind("_tp");
  if (at == std::string::npos) return std::nullopt;
  std::size_t i = at + 3;
  int v = 0;
  for (; i < id.size() && i < at + 9 && id[i] >= '0' && id[i] <= '9'; ++i)
    v = v * 10 + (id[i] - '0');
  if (v == 0) return std::nullopt;
  if (id.compare(i, 5, "_0_ep") == 0) i += 2;
  if (id.compare(i, 3, "_ep") != 0) return std::nullopt;
  return v;
}

// Past these a row is malformed: a column holds up to a million, and products of columns must
// stay in an int (no run has had a million GPUs or a billion clients).
constexpr std::int64_t kMaxGpus = 1'000'000;
constexpr std::int64_t kMaxClients = 1'000'000'000;

// GPUs in one scale-up domain of the chip's systems (data/perf/systems.toml).
int DomainOf(const SystemDefaults& defaults, const std::string& chip) {
  auto cs = defaults.chips.find(chip);
  return cs != defaults.chips.end() && cs->second.scale_up_domain ? *cs->second.scale_up_domain
                                                                  : defaults.scale_up_domain;
}

Status LoadCsv(const fs::path& dir, const catalog::Catalog& chips, const ModelCatalog& models,
               const SystemDefaults& defaults, ValidationSet* set, Excluder* ex) {
  const fs::path sys_path = dir / "systems.toml";
  ASSIGN_OR_RETURN(TomlTable sys, TomlTable::ParseFile(sys_path, catalog::DisplayPath(sys_path)));
  RETURN_IF_ERROR(sys.CheckKeys({"systems", "kv_cache", "harness"}));
  std::map<std::string, std::string> system_chip;
  ASSIGN_OR_RETURN(TomlTable systems, sys.GetTable("systems"));
  for (const std::string& k : systems.Keys()) {
    ASSIGN_OR_RETURN(system_chip[k], systems.GetString(k));
  }
  // KV-cache format each engine uses by default with quantized checkpoints.
  std::map<std::string, DType> kv_cache;
  ASSIGN_OR_RETURN(TomlTable kv_table, sys.GetTable("kv_cache"));
  for (const std::string& k : kv_table.Keys()) {
    if (k == "note") continue;
    ASSIGN_OR_RETURN(std::string name, kv_table.GetString(k));
    auto d = DTypeFromName(name);
    if (!d) return kv_table.ErrorAt(k, fmt::format("unknown format \"{}\"", name));
    kv_cache[k] = *d;
  }
  // Engine settings the CSV does not record, from the scripts of the harness that ran a row.
  struct HarnessSetting {
    std::vector<std::string> sources;  // substrings of silicon_data_source
    std::string engine;
    std::vector<std::string> models;
    std::vector<std::string> chips, precisions;  // the rows it applies to (empty: any)
    std::vector<std::string> versions;           // engine versions (backend_version; empty: any)
    // The rows it applies to (0: any); max_gpus counts one instance's GPUs (a script's TP).
    int isl = 0, osl = 0, max_tp = 0, max_gpus = 0;
    int min_tp = 0, min_concurrency = 0;  // the rows from these sizes on (0: any)
    int recv_interval = 0;  // SGLang --scheduler-recv-interval, rows without attention DP
    std::optional<DType> kv_cache;               // the KV-cache format the scripts set
    ContextBalance balance;            // rows with attention data parallelism
    BatchWait batch_wait;              // rows without
    // The iteration token budget: a sum of a constant and of the row's isl, osl and
    // concurrency, each taken `per_*` times, rounded up to a multiple of `round_up` (0: unset).
    int budget = 0, per_isl = 0, per_osl = 0, per_conc = 0, round_up = 1;
    int postprocess_workers = 0;  // TensorRT-LLM num_postprocess_workers (0: unset)
    double memory_share = 0;      // the engine's memory setting (ServingWorkload; 0: unset)
    bool disagg = false;          // applies to disaggregated rows (mode = "disagg"), else agg
    // Why the rows it matches are not the workload the CSV records ("" = they are): e.g. runs
    // of a configuration that decodes speculatively with an acceptance nobody recorded.
    std::string exclude;
    int Budget(int row_isl, int row_osl, int row_conc) const {
      const std::int64_t b = std::int64_t{budget} + std::int64_t{per_isl} * row_isl +
                             std::int64_t{per_osl} * row_osl + std::int64_t{per_conc} * row_conc;
      if (b <= 0) return 0;
      return static_cast<int>(std::min<std::int64_t>((b + round_up - 1) / round_up * round_up,
                                                     10'000'000));
    }
  };
  std::vector<HarnessSetting> harness;
  if (sys.Has("harness")) {
    ASSIGN_OR_RETURN(std::vector<TomlTable> tables, sys.GetTableArray("harness"));
    for (const TomlTable& t : tables) {
      RETURN_IF_ERROR(t.CheckKeys({"sources", "engine", "models", "isl", "osl", "max_tp",
                                   "max_gpus", "balance_timeout_iters",
                                   "balance_batching_wait_iters", "batch_wait_timeout_iters",
                                   "batch_wait_max_tokens_ratio", "max_num_tokens",
                                   "max_num_tokens_round_up", "postprocess_workers",
                                   "memory_share", "chips", "precisions", "versions", "kv_cache",
                                   "min_tp", "min_concurrency", "recv_interval", "exclude",
                                   "mode", "source", "note"}));
      HarnessSetting h;
      ASSIGN_OR_RETURN(h.sources, t.GetStringArray("sources"));
      ASSIGN_OR_RETURN(h.engine, t.GetString("engine"));
      ASSIGN_OR_RETURN(h.models, t.GetStringArray("models"));
      for (const std::string& m : h.models)
        if (!models.Find(m)) return t.ErrorAt("models", fmt::format("unknown model \"{}\"", m));
      if (t.Has("chips")) {
        ASSIGN_OR_RETURN(h.chips, t.GetStringArray("chips"));
        for (const std::string& c : h.chips)
          if (!chips.Find(c)) return t.ErrorAt("chips", fmt::format("unknown chip \"{}\"", c));
      }
      if (t.Has("precisions")) {
        ASSIGN_OR_RETURN(h.precisions, t.GetStringArray("precisions"));
        for (const std::string& c : h.precisions)
          if (!PrecisionFromCsv(c).ok())
            return t.ErrorAt("precisions", fmt::format("precision \"{}\" not modelled", c));
      }
      if (t.Has("versions")) {
        ASSIGN_OR_RETURN(h.versions, t.GetStringArray("versions"));
        if (h.versions.empty()) return t.ErrorAt("versions", "is empty (leave it out for any)");
        for (const std::string& v : h.versions)
          if (v.empty() || v.find_first_of(" \t,") != v.npos)
            return t.ErrorAt("versions",
                             fmt::format("\"{}\" is not an engine version as the CSV's "
                                         "backend_version column writes it (e.g. \"0.19.0\")",
                                         v));
      }
      if (t.Has("kv_cache")) {
        ASSIGN_OR_RETURN(std::string name, t.GetString("kv_cache"));
        h.kv_cache = DTypeFromName(name);
        if (!h.kv_cache) return t.ErrorAt("kv_cache", fmt::format("unknown format \"{}\"", name));
      }
      // An optional whole number in [lo, hi] (0 when absent).
      auto count = [&](std::string_view key, std::int64_t lo, std::int64_t hi,
                       std::string_view what) -> Result<int> {
        if (!t.Has(key)) return 0;
        ASSIGN_OR_RETURN(std::int64_t v, t.GetInteger(key));
        if (v < lo || v > hi) return t.ErrorAt(key, fmt::format("must be {} to {} {}", lo, hi, what));
        return static_cast<int>(v);
      };
      ASSIGN_OR_RETURN(h.isl, count("isl", 1, 10'000'000, "tokens"));
      ASSIGN_OR_RETURN(h.osl, count("osl", 1, 10'000'000, "tokens"));
      ASSIGN_OR_RETURN(h.max_tp, count("max_tp", 1, 1'000'000, "GPUs"));
      ASSIGN_OR_RETURN(h.max_gpus, count("max_gpus", 1, 1'000'000, "GPUs"));
      ASSIGN_OR_RETURN(h.min_tp, count("min_tp", 1, 1'000'000, "GPUs"));
      ASSIGN_OR_RETURN(h.min_concurrency, count("min_concurrency", 1, 100'000'000, "clients"));
      ASSIGN_OR_RETURN(h.recv_interval, count("recv_interval", 1, kMaxRecvInterval,
                                              "decode iterations"));
      ASSIGN_OR_RETURN(h.balance.timeout_iters,
                       count("balance_timeout_iters", 0, 10000, "iterations"));
      ASSIGN_OR_RETURN(h.balance.batching_wait_iters,
                       count("balance_batching_wait_iters", 0, 10000, "iterations"));
      ASSIGN_OR_RETURN(h.batch_wait.timeout_iters,
                       count("batch_wait_timeout_iters", 0, 10000, "iterations"));
      // max_num_tokens: a number of tokens, or the scripts' formula as a sum of "isl", "osl",
      // "concurrency" and whole numbers, e.g. "concurrency + isl + 64".
      if (t.KindOf("max_num_tokens") == TomlTable::Kind::kString) {
        ASSIGN_OR_RETURN(std::string expr, t.GetString("max_num_tokens"));
        std::istringstream terms(expr);
        std::string term;
        bool any = false;
        while (std::getline(terms, term, '+')) {
          term.erase(0, term.find_first_not_of(" \t"));
          term.erase(term.find_last_not_of(" \t") + 1);
          int n = 0;
          if (term == "isl") ++h.per_isl;
          else if (term == "osl") ++h.per_osl;
          else if (term == "concurrency") ++h.per_conc;
          else if (!term.empty() && ParseInt(term, 0, &n) && h.budget <= 10'000'000 - n)
            h.budget += n;
          else
            return t.ErrorAt("max_num_tokens",
                             fmt::format("\"{}\" is not isl, osl, concurrency or a whole number "
                                         "of tokens (terms are joined by +)",
                                         term));
          any = true;
        }
        if (!any) return t.ErrorAt("max_num_tokens", "is empty");
      } else {
        ASSIGN_OR_RETURN(h.budget, count("max_num_tokens", 1, 10'000'000, "tokens"));
      }
      ASSIGN_OR_RETURN(h.postprocess_workers, count("postprocess_workers", 1, 1024, "processes"));
      if (t.Has("exclude")) {
        ASSIGN_OR_RETURN(h.exclude, t.GetString("exclude"));
        if (h.exclude.empty()) return t.ErrorAt("exclude", "must say why the rows are left out");
      }
      ASSIGN_OR_RETURN(int round_up, count("max_num_tokens_round_up", 1, 1'000'000, "tokens"));
      if (round_up > 0) h.round_up = round_up;
      if (t.Has("batch_wait_max_tokens_ratio")) {
        ASSIGN_OR_RETURN(h.batch_wait.max_tokens_ratio,
                         t.GetNumber("batch_wait_max_tokens_ratio"));
        if (!(h.batch_wait.max_tokens_ratio >= 0 && h.batch_wait.max_tokens_ratio <= 1))
          return t.ErrorAt("batch_wait_max_tokens_ratio", "must be 0 to 1");
      }
      if (t.Has("mode")) {
        ASSIGN_OR_RETURN(std::string mode, t.GetString("mode"));
        if (mode != "agg" && mode != "disagg")
          return t.ErrorAt("mode", fmt::format("expected agg or disagg, got \"{}\"", mode));
        h.disagg = mode == "disagg";
        if (h.disagg && (h.balance.timeout_iters > 0 || h.batch_wait.timeout_iters > 0 ||
                         t.Has("postprocess_workers") || t.Has("recv_interval")))
          return t.ErrorAt("mode",
                           "a disaggregated entry sets prompt balancing, batch waiting, "
                           "post-processing workers or request polling, which apply to "
                           "aggregated rows only");
      }
      if (t.Has("memory_share")) {
        ASSIGN_OR_RETURN(h.memory_share, t.GetNumber("memory_share"));
        if (!(h.memory_share > 0 && h.memory_share <= 1))
          return t.ErrorAt("memory_share", "must be above 0 and at most 1");
      }
      if (h.balance.timeout_iters == 0 && h.batch_wait.timeout_iters == 0 &&
          !t.Has("max_num_tokens") && h.postprocess_workers == 0 && !h.kv_cache &&
          h.memory_share == 0 && h.recv_interval == 0 && h.exclude.empty())
        return t.ErrorAt("engine",
                         "sets nothing: give balance_timeout_iters, batch_wait_timeout_iters, "
                         "max_num_tokens, postprocess_workers, kv_cache, memory_share, "
                         "recv_interval or exclude");
      ASSIGN_OR_RETURN(std::string source, t.GetString("source"));
      if (source.empty()) return t.ErrorAt("source", "must name the scripts the settings come from");
      harness.push_back(std::move(h));
    }
  }
  const fs::path csv_path = dir / "silicon_sample.csv";
  const std::string display = catalog::DisplayPath(csv_path);
  ASSIGN_OR_RETURN(const std::string csv, ReadTextFile(csv_path, display));
  std::istringstream in(csv);
  std::string line;
  if (!std::getline(in, line)) return MakeError(ErrorCode::kParse, display + ": empty file");
  const std::vector<std::string> header = SplitCsv(line);
  std::map<std::string, std::size_t> col;
  for (std::size_t i = 0; i < header.size(); ++i) col[header[i]] = i;
  static const char* kRequired[] = {"id",
                                    "silicon_data_source",
                                    "backend",
                                    "backend_version",
                                    "model_path",
                                    "system",
                                    "precision",
                                    "mode",
                                    "isl",
                                    "osl",
                                    "batch_size",
                                    "tp_size",
                                    "pp_size",
                                    "attention_dp_size",
                                    "moe_ep_size",
                                    "prefill_batch_size",
                                    "prefill_num_workers",
                                    "prefill_tp_size",
                                    "prefill_pp_size",
                                    "prefill_attention_dp_size",
                                    "prefill_moe_ep_size",
                                    "decode_batch_size",
                                    "decode_num_workers",
                                    "decode_tp_size",
                                    "decode_pp_size",
                                    "decode_attention_dp_size",
                                    "decode_moe_ep_size",
                                    "silicon_ttft_ms",
                                    "silicon_tpot_ms"};
  for (const char* c : kRequired)
    if (!col.count(c))
      return MakeError(ErrorCode::kSchema, fmt::format("missing column \"{}\"", c),
                       SourceLocation{display, 1, 1});
  int line_no = 1;
  std::set<std::string> seen;
  // The run each kept row measured, without its deployment: see "One run, two deployments"
  // after the loop.
  const std::size_t first = set->points.size();
  std::vector<std::string> runs;
  std::vector<char> named_by_id;  // the row's id names its deployment's GPU count
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty()) continue;
    const std::vector<std::string> f = SplitCsv(line);
    if (f.size() != header.size())
      return MakeError(ErrorCode::kParse,
                       fmt::format("expected {} fields, got {}", header.size(), f.size()),
                       SourceLocation{display, line_no, 1});
    auto get = [&](const char* name) -> const std::string& { return f[col[name]]; };
    ++set->csv_rows;
    const ModelArch* model = models.FindByAlias(get("model_path"));
    if (!model) {
      ex->Add(fmt::format("model {} not in data/models", get("model_path")));
      continue;
    }
    auto sc = system_chip.find(get("system"));
    if (sc == system_chip.end() || !chips.Find(sc->second)) {
      ex->Add(fmt::format("system {} has no chip in the catalog", get("system")));
      continue;
    }
    auto prec = PrecisionFromCsv(get("precision"));
    if (!prec.ok()) {
      ex->Add(fmt::format("precision \"{}\" not modelled", get("precision")));
      continue;
    }
    ValidationPoint p;
    p.id = get("id");
    p.source = "aiconfigurator";
    p.chip = sc->second;
    p.model = model->id;
    p.engine = get("backend");
    p.engine_version = get("backend_version");
    p.precision = PrecisionForMode(*prec);
    if (auto kv = kv_cache.find(p.engine);
        kv != kv_cache.end() && p.precision.kv_cache != DType::kBf16)
      p.precision.kv_cache = kv->second;
    // The aggregated deployment, repaired where an export multiplied it by its expert-parallel
    // size. Most exports name a run's deployment in its id ("..._c128_tp8_ep8_2012"), and the
    // columns agree with the id's GPU count in 2,767 aggregated rows; in the other 234, all of
    // them in the 2026-04-06 export, they hold k x k GPUs for the id's k, in one of three
    // shapes: TP k with k DP-attention ranks and EP k x k (vLLM's TP4 EP4 as 4 / 4 / EP16), TP
    // k x k with MoE TP k and EP k, or DP-attention k x k with MoE TP k and EP k (DeepSeek-R1's
    // TP8 EP8 on eight H200s as 64 GPUs). The same run's row in the 2026-03-25 export, where
    // there is one, has TP k (or DP-attention k) and EP k. Rows whose id names k are repaired
    // to it; rows without such an id (the database dumps) only when k x k GPUs would not fit
    // in one scale-up domain, since a 4-GPU TP4 with MoE TP2 x EP2 is a real layout (four
    // agreeing rows have it: "..._tp4_epnone_...").
    std::string tp_s = get("tp_size"), adp_s = get("attention_dp_size"), ep_s = get("moe_ep_size");
    const std::optional<int> id_gpus = IdGpus(get("id"));
    if (get("mode") == "agg") {
      int tp = 0, adp = 0, mtp = 0, ep = 0;
      if (ParseInt(tp_s, 1, &tp) && ParseInt(adp_s, 1, &adp) &&
          ParseInt(get("moe_tp_size"), 1, &mtp) && ParseInt(ep_s, 1, &ep)) {
        // k, and the column that holds the extra factor k: DP-attention in the first shape (k
        // ranks where there was one), the k x k TP or DP-attention in the others.
        // (Squares in 64 bits: the columns may hold up to a million.)
        auto sq = [](int v) { return static_cast<std::int64_t>(v) * v; };
        int k = 0;
        std::string* wide = nullptr;
        if (tp > 1 && adp == tp && mtp == 1 && ep == sq(tp)) {
          k = tp;
          wide = &adp_s;
        } else if (mtp > 1 && ep == mtp && adp == 1 && tp == sq(mtp)) {
          k = mtp;
          wide = &tp_s;
        } else if (mtp > 1 && ep == mtp && tp == 1 && adp == sq(mtp)) {
          k = mtp;
          wide = &adp_s;
        }
        if (k > 0 && (id_gpus ? *id_gpus == k : sq(k) > DomainOf(defaults, sc->second))) {
          *wide = wide == &adp_s && tp == k ? "1" : std::to_string(k);
          ep_s = std::to_string(k);
          ++set->repaired;
        }
      }
    }
    // Split by sweep (every concurrency of one configuration lands in the same half), so that
    // held-out rows are configurations the fit never saw.
    const std::string sweep = fmt::format(
        "{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}", get("system"), get("model_path"), get("backend"),
        get("backend_version"), get("precision"), get("mode"), get("isl"), get("osl"), tp_s, adp_s,
        ep_s, get("prefill_tp_size"), get("decode_tp_size"));
    p.fit = Fnv1a(sweep) % 2 == 0;
    p.fold = static_cast<int>((Fnv1a(sweep) >> 1) % 2);
    int isl = 0, osl = 0;
    double ttft_ms = 0, tpot_ms = 0;
    if (!ParseInt(get("isl"), 0, &isl) || !ParseInt(get("osl"), 0, &osl) || isl < 1 || osl < 2 ||
        !ParseDouble(get("silicon_ttft_ms"), &ttft_ms) ||
        !ParseDouble(get("silicon_tpot_ms"), &tpot_ms)) {
      ex->Add("malformed lengths or latencies");
      continue;
    }
    p.workload.isl = isl;
    p.workload.osl = osl;
    p.workload.engine = p.engine;
    const std::string& src = get("silicon_data_source");
    const auto at = src.find("silicon_concurrency=");
    int conc = 0;
    if (at != std::string::npos) conc = std::atoi(src.c_str() + at + 20);
    const bool moe = model->moe.enabled();
    if (get("mode") == "agg") {
      int tp, pp, adp, ep, batch;
      if (!ParseInt(tp_s, 1, &tp) || !ParseInt(get("pp_size"), 1, &pp) ||
          !ParseInt(adp_s, 1, &adp) || !ParseInt(ep_s, 1, &ep) ||
          !ParseInt(get("batch_size"), 1, &batch)) {
        ex->Add("malformed parallelism");
        continue;
      }
      p.kind = PointKind::kServing;
      p.par = Parallelism{tp, pp, moe ? adp : 1, moe ? ep : 1};
      if (!moe && adp > 1) {
        ex->Add("attention data parallelism on a dense model");
        continue;
      }
      if (std::int64_t{tp} * pp * p.par.dp_attn > kMaxGpus ||
          std::int64_t{batch} * adp > kMaxClients) {
        ex->Add("malformed parallelism");
        continue;
      }
      p.gpus = p.par.Gpus();
      p.workload.concurrency = conc > 0 ? conc : batch * adp;
    } else {
      if (get("decode_num_workers").empty() || get("prefill_num_workers").empty() ||
          get("decode_batch_size").empty()) {
        ex->Add(
            "disaggregated run without worker counts and decode batch (the ratio of prefill "
            "to decode workers is unknown)");
        continue;
      }
      int ptp, ppp, padp, pep, dtp, dpp, dadp, dep, pw, dw, pb, db;
      if (!ParseInt(get("prefill_tp_size"), 1, &ptp) ||
          !ParseInt(get("prefill_pp_size"), 1, &ppp) ||
          !ParseInt(get("prefill_attention_dp_size"), 1, &padp) ||
          !ParseInt(get("prefill_moe_ep_size"), 1, &pep) ||
          !ParseInt(get("decode_tp_size"), 1, &dtp) || !ParseInt(get("decode_pp_size"), 1, &dpp) ||
          !ParseInt(get("decode_attention_dp_size"), 1, &dadp) ||
          !ParseInt(get("decode_moe_ep_size"), 1, &dep) ||
          !ParseInt(get("prefill_num_workers"), 1, &pw) ||
          !ParseInt(get("decode_num_workers"), 1, &dw) ||
          !ParseInt(get("prefill_batch_size"), 1, &pb) ||
          !ParseInt(get("decode_batch_size"), 1, &db)) {
        ex->Add("malformed parallelism");
        continue;
      }
      p.kind = PointKind::kDisaggregated;
      p.prefill_par = Parallelism{ptp, ppp, moe ? padp : 1, moe ? pep : 1};
      p.par = Parallelism{dtp, dpp, moe ? dadp : 1, moe ? dep : 1};
      p.prefill_workers = pw;
      p.decode_workers = dw;
      p.prefill_batch = pb;
      p.decode_batch = db;
      const std::int64_t per_prefill = std::int64_t{ptp} * ppp * p.prefill_par.dp_attn;
      const std::int64_t per_decode = std::int64_t{dtp} * dpp * p.par.dp_attn;
      if (per_prefill > kMaxGpus || per_decode > kMaxGpus ||
          pw * per_prefill + dw * per_decode > kMaxGpus || std::int64_t{db} * dw > kMaxClients) {
        ex->Add("malformed parallelism");
        continue;
      }
      p.gpus = pw * p.prefill_par.Gpus() + dw * p.par.Gpus();
      p.workload.concurrency = conc > 0 ? conc : db * dw;
      if (!CheckParallelism(*model, p.prefill_par).ok()) {
        ex->Add("parallelism the model cannot run: " +
                CheckParallelism(*model, p.prefill_par).error().message);
        continue;
      }
    }
    // Settings of the scripts that ran the row, where they are published ([[harness]]).
    // Whether an optional filter (empty: any) leaves the row out.
    auto excludes = [](const std::vector<std::string>& only, const std::string& value) {
      return !only.empty() && std::find(only.begin(), only.end(), value) == only.end();
    };
    const HarnessSetting* left_out = nullptr;
    const bool disagg = p.kind == PointKind::kDisaggregated;
    for (const HarnessSetting& h : harness) {
      const bool from = std::any_of(h.sources.begin(), h.sources.end(),
                                    [&](const std::string& s) { return src.find(s) != src.npos; });
      if (!from || h.disagg != disagg || h.engine != p.engine ||
          std::find(h.models.begin(), h.models.end(), p.model) == h.models.end() ||
          (h.isl > 0 && h.isl != p.workload.isl) || (h.osl > 0 && h.osl != p.workload.osl) ||
          (h.max_tp > 0 && p.par.tp > h.max_tp) || (h.min_tp > 0 && p.par.tp < h.min_tp) ||
          (h.min_concurrency > 0 && p.workload.concurrency < h.min_concurrency) ||
          (h.max_gpus > 0 && p.par.Gpus() > h.max_gpus) || excludes(h.chips, p.chip) ||
          excludes(h.precisions, get("precision")) ||
          excludes(h.versions, get("backend_version")))
        continue;
      if (!h.exclude.empty()) {
        left_out = &h;  // the row is not the workload it records: its settings do not matter
        break;
      }
      if (h.kv_cache) p.precision.kv_cache = *h.kv_cache;  // the scripts' --kv-cache-dtype
      if (p.par.dp_attn > 1 && h.balance.timeout_iters > 0) p.workload.balance = h.balance;
      if (p.par.dp_attn == 1 && h.batch_wait.timeout_iters > 0)
        p.workload.batch_wait = h.batch_wait;
      if (const int budget = h.Budget(p.workload.isl, p.workload.osl, p.workload.concurrency);
          budget > 0)
        p.workload.token_budget = budget;
      if (h.postprocess_workers > 0) p.workload.postprocess_workers = h.postprocess_workers;
      if (h.memory_share > 0) p.workload.memory_share = h.memory_share;
      // SGLang's receive skipper refuses attention data parallelism in the scripts' versions.
      if (h.recv_interval > 0 && p.par.dp_attn == 1) p.workload.recv_interval = h.recv_interval;
    }
    if (left_out) {
      ex->Add(left_out->exclude);
      continue;
    }
    if (auto st = CheckParallelism(*model, p.par); !st.ok()) {
      ex->Add("parallelism the model cannot run: " + st.error().message);
      continue;
    }
    // Rows that repeat another row's configuration and measurements are counted once: the CSV
    // merges several exports, which label one run's engine version differently ("nightly-dev"
    // and "nightly-dev-20260216-...") and print its latencies differently: to different last
    // digits, or (the gap-analysis exports) rounded to 0.01 ms, so 163.72509357752278 and
    // 163.73 are one TTFT. Two rows of one configuration whose TTFT and TPOT agree to 0.01 ms
    // are one run: two real runs agreeing that closely on both was not seen in the CSV (its
    // nearest distinct repeats differ by 0.05 ms). Left in, a copy can land in the other half
    // of the split and score the fit on a row it was fitted to. The model is keyed by its
    // architecture, not its name: one export (db-dump/2026-04-27) labels DeepSeek-R1 runs
    // ("dsr1_..." ids) with model_path deepseek-ai/DeepSeek-V3, the same architecture, and the
    // 2026-04-06 export has the same runs, to the last digit, as DeepSeek-R1.
    const std::string arch = fmt::format("{}/{}/{}/{}/{}", model->family, model->layers,
                                         model->hidden, model->vocab, model->moe.experts);
    const std::string run =
        fmt::format("{}|{}|{}|{}|{}|{}|{}|{}|{:.2f}|{:.2f}", get("system"), arch, get("backend"),
                    get("precision"), get("mode"), isl, osl, conc, ttft_ms, tpot_ms);
    // (The batch column only adds to the concurrency when the concurrency is missing; the
    // exports that multiply the deployment divide the batch by it.)
    std::string key = run + "|" + (conc > 0 ? std::string() : get("batch_size"));
    key += "|" + tp_s + "|" + adp_s + "|" + ep_s;
    for (const char* c : {"pp_size", "prefill_batch_size", "prefill_num_workers", "prefill_tp_size",
                          "prefill_pp_size", "prefill_attention_dp_size", "prefill_moe_ep_size",
                          "decode_num_workers", "decode_tp_size", "decode_pp_size",
                          "decode_attention_dp_size", "decode_moe_ep_size", "decode_batch_size"})
      key += "|" + get(c);
    if (!seen.insert(key).second) {
      ex->Add("duplicate of another row (same configuration and measurements)");
      continue;
    }
    p.ttft_s = ttft_ms * 1e-3;
    p.tpot_s = tpot_ms * 1e-3;
    p.throughput = p.workload.concurrency * osl / (*p.ttft_s + (osl - 1) * *p.tpot_s) / p.gpus;
    named_by_id.push_back(id_gpus && *id_gpus == p.gpus && p.kind == PointKind::kServing);
    set->points.push_back(std::move(p));
    runs.push_back(run);
  }

  // One run, two deployments. The exports disagree about some runs: the 2026-03-25 export has
  // DeepSeek-R1 on eight H200s at 128 clients as TP1 DP-attn8 EP8 (id "..._tp8_0_ep8_0_...")
  // and the 2026-04-06 export the same run, to the last digit of TTFT and TPOT, as DP-attn64
  // with 64 GPUs (its id still says "tp8_ep8"; the repair above makes most such pairs one
  // row). Rows that agree on everything measured but not on the deployment are one run: the
  // row whose id names its deployment's GPU count is the run's, when exactly one does; else the
  // deployment that fits in one scale-up domain of the system (an aggregated run, or each
  // worker of a disaggregated one), when exactly one does. Otherwise the run is left out.
  std::map<std::string, std::vector<std::size_t>> by_run;
  for (std::size_t k = 0; k < runs.size(); ++k) by_run[runs[k]].push_back(first + k);
  std::vector<char> drop(set->points.size(), 0);
  for (const auto& [run, idx] : by_run) {
    if (idx.size() < 2) continue;
    std::vector<std::size_t> inside, named;
    for (std::size_t i : idx) {
      const ValidationPoint& q = set->points[i];
      const int domain = DomainOf(defaults, q.chip);
      const bool fits = q.kind == PointKind::kDisaggregated
                            ? q.par.Gpus() <= domain && q.prefill_par.Gpus() <= domain
                            : q.gpus <= domain;
      if (fits) inside.push_back(i);
      if (named_by_id[i - first]) named.push_back(i);
    }
    if (named.size() == 1) inside = named;
    for (std::size_t i : idx) {
      if (inside.size() == 1 && inside[0] == i) continue;
      drop[i] = 1;
      ex->Add(inside.size() == 1
                  ? "the same run as another row (same measurements), exported with another "
                    "deployment than its id names or beyond one scale-up domain"
                  : "one run exported with several deployments, none or more than one within "
                    "one scale-up domain (which ran is unknown)");
    }
  }
  std::size_t kept = first;
  for (std::size_t i = first; i < set->points.size(); ++i) {
    if (drop[i]) continue;
    if (kept != i) set->points[kept] = std::move(set->points[i]);
    ++kept;
  }
  set->points.resize(kept);
  return OkStatus();
}

Parallelism LayoutOf(const ValidationPoint& p, const ModelArch& m) {
  if (p.kind != PointKind::kTraining) return p.par;
  TrainingQuery q = p.training;
  q.model = &m;
  return TrainingParallelism(q);
}

// points.toml ---------------------------------------------------------------------------------

Result<int> Int(const TomlTable& t, std::string_view key, int def, bool required = false) {
  if (!t.Has(key)) {
    if (required) return t.ErrorHere(fmt::format("missing required key \"{}\"", key));
    return def;
  }
  ASSIGN_OR_RETURN(std::int64_t v, t.GetInteger(key));
  if (v < 1 || v > 10'000'000)
    return t.ErrorAt(key, fmt::format("must be between 1 and 10000000, got {}", v));
  return static_cast<int>(v);
}

Result<double> Positive(const TomlTable& t, std::string_view key) {
  ASSIGN_OR_RETURN(double v, t.GetNumber(key));
  if (!(v > 0) || !std::isfinite(v))
    return t.ErrorAt(key, fmt::format("must be positive and finite, got {}", v));
  return v;
}

Status LoadPoints(const TomlTable& doc, const catalog::Catalog& chips, const ModelCatalog& models,
                  ValidationSet* set, Excluder* ex) {
  RETURN_IF_ERROR(doc.CheckKeys({"serving", "decode", "prefill", "training", "sources"}));
  ASSIGN_OR_RETURN(auto sources, ReadSources(doc));
  static const std::pair<const char*, PointKind> kKinds[] = {{"serving", PointKind::kServing},
                                                             {"decode", PointKind::kDecode},
                                                             {"prefill", PointKind::kPrefill},
                                                             {"training", PointKind::kTraining}};
  for (const auto& [key, kind] : kKinds) {
    if (!doc.Has(key)) continue;
    ASSIGN_OR_RETURN(std::vector<TomlTable> tables, doc.GetTableArray(key));
    for (const TomlTable& t : tables) {
      RETURN_IF_ERROR(t.CheckKeys({"id",
                                   "source",
                                   "chip",
                                   "model",
                                   "engine",
                                   "precision",
                                   "gpus",
                                   "tp",
                                   "pp",
                                   "dp_attn",
                                   "ep",
                                   "cp",
                                   "zero",
                                   "micro_batch",
                                   "global_batch",
                                   "seq",
                                   "isl",
                                   "osl",
                                   "concurrency",
                                   "requests",
                                   "token_budget",
                                   "max_batch",
                                   "batch_per_gpu",
                                   "chunk",
                                   "mtp",
                                   "tpot_ms",
                                   "ttft_ms",
                                   "output_tokens_per_s_per_gpu",
                                   "input_tokens_per_s_per_gpu",
                                   "tflops_per_gpu",
                                   "tokens_per_s_per_gpu",
                                   "attention",
                                   "kv_cache",
                                   "virtual_stages",
                                   "recompute",
                                   "sequence_parallel",
                                   "tp_comm_overlap",
                                   "ep_comm_overlap",
                                   "dualpipe",
                                   "bf16_moments",
                                   "grad_reduce",
                                   "scale_out",
                                   "overlap_schedule",
                                   "note"}));
      ++set->extra_points;
      ValidationPoint p;
      p.kind = kind;
      ASSIGN_OR_RETURN(p.id, t.GetString("id"));
      p.fold = static_cast<int>(Fnv1a(p.id) % 2);
      ASSIGN_OR_RETURN(std::vector<std::string> src, t.GetStringArray("source", true));
      for (const std::string& s : src)
        if (!sources.count(s))
          return t.ErrorAt("source",
                           fmt::format("unknown source key \"{}\" (define [sources.{}])", s, s));
      p.source = fmt::format("{}", fmt::join(src, ","));
      ASSIGN_OR_RETURN(p.chip, t.GetString("chip"));
      ASSIGN_OR_RETURN(p.model, t.GetString("model"));
      const ModelArch* model = models.Find(p.model);
      if (!model) return t.ErrorAt("model", fmt::format("unknown model \"{}\"", p.model));
      ASSIGN_OR_RETURN(std::string prec, t.GetString("precision"));
      auto d = DTypeFromName(prec);
      if (!d) return t.ErrorAt("precision", fmt::format("unknown precision \"{}\"", prec));
      p.precision = PrecisionForMode(*d);
      ASSIGN_OR_RETURN(auto attn, t.GetOptionalString("attention"));
      if (attn) {
        auto a = DTypeFromName(*attn);
        if (!a) return t.ErrorAt("attention", fmt::format("unknown precision \"{}\"", *attn));
        p.precision.attention = *a;
      }
      ASSIGN_OR_RETURN(auto kv, t.GetOptionalString("kv_cache"));
      if (kv) {
        auto k = DTypeFromName(*kv);
        if (!k) return t.ErrorAt("kv_cache", fmt::format("unknown format \"{}\"", *kv));
        p.precision.kv_cache = *k;
      }
      ASSIGN_OR_RETURN(auto engine, t.GetOptionalString("engine"));
      p.engine = engine.value_or("");
      p.workload.engine = p.engine;
      ASSIGN_OR_RETURN(int tp, Int(t, "tp", 1));
      ASSIGN_OR_RETURN(int pp, Int(t, "pp", 1));
      ASSIGN_OR_RETURN(int dp_attn, Int(t, "dp_attn", 1));
      ASSIGN_OR_RETURN(int ep, Int(t, "ep", 1));
      p.par = Parallelism{tp, pp, dp_attn, ep};
      ASSIGN_OR_RETURN(auto scale_out, t.GetOptionalString("scale_out"));
      if (scale_out) {
        auto q = ParseQuantityAs<BytesPerSecond>(*scale_out);
        if (!q.ok()) return t.ErrorAt("scale_out", q.error().message);
        if (!CheckScaleOut(*q).ok())
          return t.ErrorAt("scale_out",
                           fmt::format("\"{}\" per GPU is outside 1 Mb/s .. 1 PB/s", *scale_out));
        p.system.scale_out = *q;
      }
      if (t.Has("overlap_schedule")) {
        ASSIGN_OR_RETURN(p.overlap_schedule, t.GetBool("overlap_schedule"));
      }
      if (kind == PointKind::kTraining) {
        TrainingQuery& q = p.training;
        ASSIGN_OR_RETURN(q.gpus, Int(t, "gpus", 1, true));
        q.tp = tp, q.pp = pp, q.ep = ep;
        ASSIGN_OR_RETURN(q.cp, Int(t, "cp", 1));
        ASSIGN_OR_RETURN(auto zero, t.GetOptionalInteger("zero"));
        if (zero && (*zero < 0 || *zero > 3))
          return t.ErrorAt("zero", fmt::format("is a ZeRO stage, 0 to 3, got {}", *zero));
        q.zero = static_cast<int>(zero.value_or(1));
        ASSIGN_OR_RETURN(q.micro_batch, Int(t, "micro_batch", 1));
        ASSIGN_OR_RETURN(q.virtual_stages, Int(t, "virtual_stages", 1));
        ASSIGN_OR_RETURN(auto rc, t.GetOptionalString("recompute"));
        if (rc) {
          auto r = RecomputeFromName(*rc);
          if (!r)
            return t.ErrorAt("recompute",
                             fmt::format("expected none, selective or full, got \"{}\"", *rc));
          q.recompute = *r;
        }
        for (auto [name, flag] :
             {std::pair{"sequence_parallel", &q.sequence_parallel},
              std::pair{"tp_comm_overlap", &q.tp_comm_overlap},
              std::pair{"ep_comm_overlap", &q.ep_comm_overlap}, std::pair{"dualpipe", &q.dualpipe},
              std::pair{"bf16_moments", &q.bf16_moments}}) {
          if (!t.Has(name)) continue;
          ASSIGN_OR_RETURN(*flag, t.GetBool(name));
        }
        ASSIGN_OR_RETURN(auto grads, t.GetOptionalString("grad_reduce"));
        if (grads) {
          const std::optional<bool> bf16 = Bf16GradsFromName(*grads);
          if (!bf16)
            return t.ErrorAt("grad_reduce",
                             fmt::format("expected fp32 or bf16, got \"{}\"", *grads));
          q.bf16_grads = *bf16;
        }
        ASSIGN_OR_RETURN(q.global_batch, Int(t, "global_batch", 1, true));
        ASSIGN_OR_RETURN(q.seq, Int(t, "seq", 1, true));
        q.precision = *d;
        p.gpus = q.gpus;
        if (t.Has("tflops_per_gpu")) {
          ASSIGN_OR_RETURN(double v, Positive(t, "tflops_per_gpu"));
          p.tflops_per_gpu = v;
        } else {
          ASSIGN_OR_RETURN(double tps, Positive(t, "tokens_per_s_per_gpu"));
          p.step_s = static_cast<double>(q.global_batch) * q.seq / (tps * q.gpus);
        }
      } else {
        ASSIGN_OR_RETURN(p.workload.isl, Int(t, "isl", 1, true));
        ASSIGN_OR_RETURN(p.workload.osl, Int(t, "osl", 1, kind != PointKind::kPrefill));
        if (t.Has("mtp")) {
          ASSIGN_OR_RETURN(TomlTable mtp, t.GetTable("mtp"));
          RETURN_IF_ERROR(mtp.CheckKeys({"steps", "draft_tokens", "accepted"}));
          ASSIGN_OR_RETURN(p.workload.speculative.steps, Int(mtp, "steps", 1, true));
          ASSIGN_OR_RETURN(p.workload.speculative.draft_tokens, Int(mtp, "draft_tokens", 1, true));
          ASSIGN_OR_RETURN(p.workload.speculative.accepted, Positive(mtp, "accepted"));
        }
        if (kind == PointKind::kServing) {
          ASSIGN_OR_RETURN(p.gpus, Int(t, "gpus", 1, true));
          // A closed loop of `concurrency` clients, or an offline run of `requests`.
          if (t.Has("requests") && t.Has("concurrency"))
            return t.ErrorAt("requests",
                             "give concurrency (a closed loop) or requests (an offline run), "
                             "not both");
          if (!t.Has("requests") && !t.Has("concurrency"))
            return t.ErrorHere(
                "missing required key \"concurrency\" (or \"requests\" for an offline run)");
          if (t.Has("requests")) {
            ASSIGN_OR_RETURN(p.workload.requests, Int(t, "requests", 1, true));
            if (p.workload.requests > kMaxRequests)
              return t.ErrorAt("requests", fmt::format("must be at most {}", kMaxRequests));
            p.workload.concurrency = p.workload.requests;
          } else {
            ASSIGN_OR_RETURN(p.workload.concurrency, Int(t, "concurrency", 1, true));
          }
          if (t.Has("token_budget")) {
            ASSIGN_OR_RETURN(p.workload.token_budget, Int(t, "token_budget", 1, true));
          }
          if (t.Has("max_batch")) {
            ASSIGN_OR_RETURN(p.workload.max_batch, Int(t, "max_batch", 1, true));
          }
          if (t.Has("tpot_ms")) {
            ASSIGN_OR_RETURN(double v, Positive(t, "tpot_ms"));
            p.tpot_s = v * 1e-3;
          }
          if (t.Has("ttft_ms")) {
            ASSIGN_OR_RETURN(double v, Positive(t, "ttft_ms"));
            p.ttft_s = v * 1e-3;
          }
          if (t.Has("output_tokens_per_s_per_gpu")) {
            ASSIGN_OR_RETURN(double v, Positive(t, "output_tokens_per_s_per_gpu"));
            p.throughput = v;
          }
        } else if (kind == PointKind::kDecode) {
          ASSIGN_OR_RETURN(p.batch_per_gpu, Positive(t, "batch_per_gpu"));
          ASSIGN_OR_RETURN(double v, Positive(t, "output_tokens_per_s_per_gpu"));
          p.throughput = v;
          p.gpus = p.par.Gpus();
        } else {
          ASSIGN_OR_RETURN(p.chunk, Positive(t, "chunk"));
          ASSIGN_OR_RETURN(double v, Positive(t, "input_tokens_per_s_per_gpu"));
          p.throughput = v;
          p.gpus = p.par.Gpus();
        }
      }
      if (auto st = CheckParallelism(*model, LayoutOf(p, *model)); !st.ok())
        return t.ErrorHere(st.error().message);
      if (kind == PointKind::kTraining) {
        TrainingQuery q = p.training;
        q.model = model;
        if (auto st = q.Validate(); !st.ok()) return t.ErrorHere(st.error().message);
      }
      if (!chips.Find(p.chip)) {
        ex->Add(fmt::format("chip {} not in the catalog", p.chip));
        continue;
      }
      set->points.push_back(std::move(p));
    }
  }
  return OkStatus();
}

}  // namespace

Result<ValidationSet> LoadValidationSet(const fs::path& data_dir, const catalog::Catalog& chips,
                                        const ModelCatalog& models) {
  ValidationSet set;
  Excluder ex;
  ASSIGN_OR_RETURN(const SystemDefaults systems, LoadSystemDefaults(data_dir));
  RETURN_IF_ERROR(
      LoadCsv(data_dir / "validation" / "aiconfigurator", chips, models, systems, &set, &ex));
  const fs::path points = data_dir / "validation" / "points.toml";
  ASSIGN_OR_RETURN(TomlTable doc, TomlTable::ParseFile(points, catalog::DisplayPath(points)));
  RETURN_IF_ERROR(LoadPoints(doc, chips, models, &set, &ex));
  set.excluded = ex.Take();
  return set;
}

Result<ValidationSet> ParseValidationPointsText(std::string_view text, std::string display_name,
                                                const catalog::Catalog& chips,
                                                const ModelCatalog& models) {
  ValidationSet set;
  Excluder ex;
  ASSIGN_OR_RETURN(TomlTable doc, TomlTable::ParseString(text, std::move(display_name)));
  RETURN_IF_ERROR(LoadPoints(doc, chips, models, &set, &ex));
  set.excluded = ex.Take();
  return set;
}

}  // namespace ceiling::perf

#include "ceiling/perf/model.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>

#include "ceiling/base/file.h"
#include "ceiling/catalog/catalog.h"

namespace ceiling::perf {
namespace {

namespace fs = std::filesystem;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// A positive count (or zero when `allow_zero`), as a TOML integer.
Result<int> ReadCount(const TomlTable& t, std::string_view key, bool required, bool allow_zero,
                      int max = 10'000'000) {
  if (!t.Has(key)) {
    if (required) return t.ErrorHere(fmt::format("missing required key \"{}\"", key));
    return 0;
  }
  if (t.KindOf(key) != TomlTable::Kind::kInteger)
    return t.ErrorAt(key, fmt::format("expected an integer count, got {}", t.Describe(key)));
  ASSIGN_OR_RETURN(std::int64_t v, t.GetInteger(key));
  if (v < (allow_zero ? 0 : 1) || v > max)
    return t.ErrorAt(key,
                     fmt::format("must be between {} and {}, got {}", allow_zero ? 0 : 1, max, v));
  return static_cast<int>(v);
}

// { value = 70.6e9, source = "card" }: a cited plain number.
Result<std::optional<double>> ReadCitedNumber(const TomlTable& doc, std::string_view key,
                                              const std::map<std::string, Source>& src) {
  if (!doc.Has(key)) return std::optional<double>();
  if (doc.KindOf(key) != TomlTable::Kind::kTable)
    return doc.ErrorAt(key, fmt::format("expected a figure such as {{ value = 70.6e9, source = "
                                        "\"key\" }}, got {}",
                                        doc.Describe(key)));
  ASSIGN_OR_RETURN(TomlTable fig, doc.GetTable(key));
  RETURN_IF_ERROR(fig.CheckKeys({"value", "source", "note"}));
  ASSIGN_OR_RETURN(double v, fig.GetNumber("value"));
  if (!(v > 0) || !std::isfinite(v))
    return fig.ErrorAt("value", fmt::format("must be positive and finite, got {}", v));
  ASSIGN_OR_RETURN(std::vector<std::string> keys, fig.GetStringArray("source", true));
  for (const std::string& k : keys)
    if (!src.count(k))
      return fig.ErrorAt("source",
                         fmt::format("unknown source key \"{}\" (define [sources.{}])", k, k));
  return std::optional<double>(v);
}

bool ValidModelId(std::string_view id) {
  if (id.empty() || id.front() == '-' || id.back() == '-') return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
  });
}

Status ReadAttention(const TomlTable& doc, ModelArch& m) {
  if (!doc.Has("attention")) return doc.ErrorHere("missing required table [attention]");
  ASSIGN_OR_RETURN(TomlTable t, doc.GetTable("attention"));
  RETURN_IF_ERROR(t.CheckKeys({"kind",
                               "heads",
                               "kv_heads",
                               "head_dim",
                               "q_lora_rank",
                               "kv_lora_rank",
                               "qk_nope_head_dim",
                               "qk_rope_head_dim",
                               "v_head_dim",
                               "output_gate",
                               "sliding_window",
                               "sliding_layers",
                               "linear_layers",
                               "linear_key_heads",
                               "linear_value_heads",
                               "linear_key_head_dim",
                               "linear_value_head_dim",
                               "sparse_topk",
                               "index_heads",
                               "index_head_dim"}));
  Attention& a = m.attention;
  ASSIGN_OR_RETURN(std::string kind, t.GetString("kind"));
  if (kind == "mha")
    a.kind = AttentionKind::kMha;
  else if (kind == "gqa")
    a.kind = AttentionKind::kGqa;
  else if (kind == "mla")
    a.kind = AttentionKind::kMla;
  else
    return t.ErrorAt("kind", fmt::format("expected mha, gqa or mla, got \"{}\"", kind));
  ASSIGN_OR_RETURN(a.heads, ReadCount(t, "heads", true, false, 4096));
  const bool mla = a.kind == AttentionKind::kMla;
  for (std::string_view k :
       {"q_lora_rank", "kv_lora_rank", "qk_nope_head_dim", "qk_rope_head_dim", "v_head_dim"})
    if (!mla && t.Has(k))
      return t.ErrorAt(k, fmt::format("is an MLA dimension; kind is \"{}\"", kind));
  if (mla) {
    if (t.Has("kv_heads"))
      return t.ErrorAt("kv_heads", "MLA has no separate KV heads (the latent is shared)");
    if (t.Has("head_dim"))
      return t.ErrorAt("head_dim", "MLA head size is qk_nope_head_dim + qk_rope_head_dim");
    ASSIGN_OR_RETURN(a.q_lora_rank, ReadCount(t, "q_lora_rank", false, true, 1 << 20));
    ASSIGN_OR_RETURN(a.kv_lora_rank, ReadCount(t, "kv_lora_rank", true, false, 1 << 20));
    ASSIGN_OR_RETURN(a.qk_nope_head_dim, ReadCount(t, "qk_nope_head_dim", true, false, 4096));
    ASSIGN_OR_RETURN(a.qk_rope_head_dim, ReadCount(t, "qk_rope_head_dim", true, false, 4096));
    ASSIGN_OR_RETURN(a.v_head_dim, ReadCount(t, "v_head_dim", true, false, 4096));
    a.kv_heads = a.heads;
    a.head_dim = a.qk_nope_head_dim + a.qk_rope_head_dim;
  } else {
    ASSIGN_OR_RETURN(a.head_dim, ReadCount(t, "head_dim", true, false, 4096));
    if (a.kind == AttentionKind::kMha) {
      if (t.Has("kv_heads")) {
        ASSIGN_OR_RETURN(a.kv_heads, ReadCount(t, "kv_heads", true, false, 4096));
        if (a.kv_heads != a.heads)
          return t.ErrorAt("kv_heads", fmt::format("MHA has kv_heads = heads ({}), got {}; use "
                                                   "kind = \"gqa\"",
                                                   a.heads, a.kv_heads));
      }
      a.kv_heads = a.heads;
    } else {
      ASSIGN_OR_RETURN(a.kv_heads, ReadCount(t, "kv_heads", true, false, 4096));
      if (a.heads % a.kv_heads != 0)
        return t.ErrorAt("kv_heads",
                         fmt::format("must divide heads ({}), got {}", a.heads, a.kv_heads));
    }
  }
  ASSIGN_OR_RETURN(auto gate, t.GetOptionalBool("output_gate"));
  a.output_gate = gate.value_or(false);
  ASSIGN_OR_RETURN(a.sliding_window, ReadCount(t, "sliding_window", false, true));
  ASSIGN_OR_RETURN(a.sliding_layers, ReadCount(t, "sliding_layers", false, true));
  if ((a.sliding_window > 0) != (a.sliding_layers > 0))
    return t.ErrorAt(a.sliding_window > 0 ? "sliding_window" : "sliding_layers",
                     "sliding_window and sliding_layers go together");
  ASSIGN_OR_RETURN(a.linear_layers, ReadCount(t, "linear_layers", false, true));
  if (a.linear_layers > 0) {
    ASSIGN_OR_RETURN(a.linear_key_heads, ReadCount(t, "linear_key_heads", true, false, 4096));
    ASSIGN_OR_RETURN(a.linear_value_heads, ReadCount(t, "linear_value_heads", true, false, 4096));
    ASSIGN_OR_RETURN(a.linear_key_head_dim, ReadCount(t, "linear_key_head_dim", true, false, 4096));
    ASSIGN_OR_RETURN(a.linear_value_head_dim,
                     ReadCount(t, "linear_value_head_dim", true, false, 4096));
  } else {
    for (std::string_view k :
         {"linear_key_heads", "linear_value_heads", "linear_key_head_dim", "linear_value_head_dim"})
      if (t.Has(k)) return t.ErrorAt(k, "needs linear_layers > 0");
  }
  ASSIGN_OR_RETURN(a.sparse_topk, ReadCount(t, "sparse_topk", false, true));
  if (a.sparse_topk > 0) {
    ASSIGN_OR_RETURN(a.index_heads, ReadCount(t, "index_heads", true, false, 4096));
    ASSIGN_OR_RETURN(a.index_head_dim, ReadCount(t, "index_head_dim", true, false, 4096));
  }
  if (a.linear_layers + a.sliding_layers > m.layers)
    return t.ErrorAt(a.linear_layers > 0 ? "linear_layers" : "sliding_layers",
                     fmt::format("linear_layers + sliding_layers exceed the {} layers", m.layers));
  return OkStatus();
}

Status ReadMoe(const TomlTable& doc, ModelArch& m) {
  if (!doc.Has("moe")) return OkStatus();
  ASSIGN_OR_RETURN(TomlTable t, doc.GetTable("moe"));
  RETURN_IF_ERROR(t.CheckKeys({"experts", "active", "shared", "expert_intermediate",
                               "shared_intermediate", "dense_layers"}));
  Moe& e = m.moe;
  ASSIGN_OR_RETURN(e.experts, ReadCount(t, "experts", true, false, 1 << 16));
  ASSIGN_OR_RETURN(e.active, ReadCount(t, "active", true, false, 1 << 16));
  if (e.active > e.experts)
    return t.ErrorAt("active",
                     fmt::format("must be at most experts ({}), got {}", e.experts, e.active));
  ASSIGN_OR_RETURN(e.shared, ReadCount(t, "shared", false, true, 64));
  ASSIGN_OR_RETURN(e.expert_intermediate, ReadCount(t, "expert_intermediate", true, false));
  ASSIGN_OR_RETURN(e.shared_intermediate, ReadCount(t, "shared_intermediate", false, true));
  if (e.shared > 0 && e.shared_intermediate == 0)
    e.shared_intermediate = e.shared * e.expert_intermediate;
  if (e.shared == 0 && e.shared_intermediate > 0)
    return t.ErrorAt("shared_intermediate", "needs shared > 0");
  ASSIGN_OR_RETURN(e.dense_layers, ReadCount(t, "dense_layers", false, true));
  if (e.dense_layers >= m.layers)
    return t.ErrorAt("dense_layers",
                     fmt::format("must be below layers ({}), got {}", m.layers, e.dense_layers));
  return OkStatus();
}

}  // namespace

std::string_view AttentionKindName(AttentionKind k) {
  switch (k) {
    case AttentionKind::kMha:
      return "mha";
    case AttentionKind::kGqa:
      return "gqa";
    case AttentionKind::kMla:
      return "mla";
  }
  return "?";
}

double ModelArch::AttentionParams(bool linear_layer) const {
  const Attention& a = attention;
  const double h = hidden;
  if (linear_layer) {
    const double qk = 2.0 * a.linear_key_heads * a.linear_key_head_dim;
    const double vz = 2.0 * a.linear_value_heads * a.linear_value_head_dim;
    return h * (qk + vz + 2.0 * a.linear_value_heads) +
           1.0 * a.linear_value_heads * a.linear_value_head_dim * h;
  }
  if (a.kind == AttentionKind::kMla) {
    const double qk_dim = a.qk_nope_head_dim + a.qk_rope_head_dim;
    double q = a.q_lora_rank > 0 ? h * a.q_lora_rank + 1.0 * a.q_lora_rank * a.heads * qk_dim
                                 : h * a.heads * qk_dim;
    const double kv = h * (a.kv_lora_rank + a.qk_rope_head_dim) +
                      1.0 * a.kv_lora_rank * a.heads * (a.qk_nope_head_dim + a.v_head_dim);
    const double o = 1.0 * a.heads * a.v_head_dim * h;
    double index = 0;
    if (a.sparse_topk > 0)
      index = 1.0 * std::max(a.q_lora_rank, 1) * a.index_heads * a.index_head_dim +
              h * a.index_head_dim + h * a.index_heads;
    return q + kv + o + index;
  }
  const double q = h * a.heads * a.head_dim * (a.output_gate ? 2.0 : 1.0);
  const double kv = 2.0 * h * a.kv_heads * a.head_dim;
  const double o = 1.0 * a.heads * a.head_dim * h;
  return q + kv + o;
}

double ModelArch::TotalParams() const {
  const double m = FfnMatrices();
  double p = FullAttentionLayers() * AttentionParams(false) +
             attention.linear_layers * AttentionParams(true);
  p += DenseFfnLayers() * m * hidden * intermediate;
  if (moe.enabled())
    p += MoeLayers() * (1.0 * moe.experts * m * hidden * moe.expert_intermediate +
                        m * hidden * moe.shared_intermediate + 1.0 * hidden * moe.experts);
  p += 1.0 * vocab * hidden * (tied_embeddings ? 1 : 2);
  return p;
}

double ModelArch::ActiveParams() const {
  const double m = FfnMatrices();
  double p = FullAttentionLayers() * AttentionParams(false) +
             attention.linear_layers * AttentionParams(true);
  p += DenseFfnLayers() * m * hidden * intermediate;
  if (moe.enabled())
    p += MoeLayers() * (1.0 * moe.active * m * hidden * moe.expert_intermediate +
                        m * hidden * moe.shared_intermediate + 1.0 * hidden * moe.experts);
  p += 1.0 * vocab * hidden * (tied_embeddings ? 1 : 2);
  return p;
}

double ModelArch::KvElementsPerToken() const {
  const Attention& a = attention;
  double per_layer = a.kind == AttentionKind::kMla ? a.kv_lora_rank + a.qk_rope_head_dim
                                                   : 2.0 * a.kv_heads * a.head_dim;
  if (a.sparse_topk > 0) per_layer += a.index_head_dim;
  return per_layer * FullAttentionLayers();
}

Result<ModelArch> ParseModel(const TomlTable& doc, std::string_view expected_id) {
  RETURN_IF_ERROR(doc.CheckKeys({"id", "name", "family", "aliases", "source", "total_params",
                                 "active_params", "layers", "hidden", "vocab", "intermediate",
                                 "ffn", "tied_embeddings", "attention", "moe", "context",
                                 "native_context", "fp8_block", "sources"}));
  ModelArch m;
  m.file = doc.file();
  ASSIGN_OR_RETURN(m.id, doc.GetString("id"));
  if (!ValidModelId(m.id))
    return doc.ErrorAt("id", fmt::format("must be lower-case letters, digits, '.' and '-', got "
                                         "\"{}\"",
                                         m.id));
  if (!expected_id.empty() && m.id != expected_id)
    return doc.ErrorAt("id", fmt::format("\"{}\" does not match the file name (expected \"{}\")",
                                         m.id, expected_id));
  ASSIGN_OR_RETURN(m.name, doc.GetString("name"));
  ASSIGN_OR_RETURN(m.family, doc.GetString("family"));
  if (doc.Has("aliases")) {
    ASSIGN_OR_RETURN(m.aliases, doc.GetStringArray("aliases", true));
  }
  ASSIGN_OR_RETURN(m.sources, ReadSources(doc));
  if (!doc.Has("source"))
    return doc.ErrorHere("missing required key \"source\": the config the numbers come from");
  ASSIGN_OR_RETURN(m.source_keys, doc.GetStringArray("source", true));
  if (m.source_keys.empty()) return doc.ErrorAt("source", "at least one source key is required");
  for (const std::string& k : m.source_keys)
    if (!m.sources.count(k))
      return doc.ErrorAt("source",
                         fmt::format("unknown source key \"{}\" (define [sources.{}])", k, k));
  ASSIGN_OR_RETURN(m.published_total_params, ReadCitedNumber(doc, "total_params", m.sources));
  ASSIGN_OR_RETURN(m.published_active_params, ReadCitedNumber(doc, "active_params", m.sources));
  for (auto [key, out] :
       {std::pair{"context", &m.context}, {"native_context", &m.native_context}}) {
    ASSIGN_OR_RETURN(std::optional<double> tokens, ReadCitedNumber(doc, key, m.sources));
    if (!tokens) continue;
    ASSIGN_OR_RETURN(TomlTable fig, doc.GetTable(key));
    if (*tokens != std::floor(*tokens) || *tokens > 1e9)
      return fig.ErrorAt("value", fmt::format("must be a whole number of tokens up to 1e9, got {}",
                                              *tokens));
    *out = static_cast<int>(*tokens);
  }
  if (m.native_context && !m.context)
    return doc.ErrorAt("native_context", "needs \"context\", the length it extends to");
  if (m.native_context && m.context && *m.native_context >= *m.context)
    return doc.ErrorAt("native_context",
                       fmt::format("{} must be below the context, {}", *m.native_context,
                                   *m.context));
  ASSIGN_OR_RETURN(std::optional<double> block, ReadCitedNumber(doc, "fp8_block", m.sources));
  if (block) {
    ASSIGN_OR_RETURN(TomlTable fig, doc.GetTable("fp8_block"));
    if (*block != std::floor(*block) || *block < 16 || *block > 4096)
      return fig.ErrorAt("value", fmt::format("must be a whole block edge from 16 to 4,096 "
                                              "elements, got {}",
                                              *block));
    m.fp8_block = static_cast<int>(*block);
  }
  ASSIGN_OR_RETURN(m.layers, ReadCount(doc, "layers", true, false, 100'000));
  ASSIGN_OR_RETURN(m.hidden, ReadCount(doc, "hidden", true, false));
  ASSIGN_OR_RETURN(m.vocab, ReadCount(doc, "vocab", true, false));
  ASSIGN_OR_RETURN(std::string ffn, doc.GetString("ffn"));
  if (ffn == "swiglu")
    m.ffn = FfnKind::kSwiGlu;
  else if (ffn == "gelu")
    m.ffn = FfnKind::kGelu;
  else
    return doc.ErrorAt("ffn", fmt::format("expected swiglu or gelu, got \"{}\"", ffn));
  ASSIGN_OR_RETURN(m.tied_embeddings, doc.GetBool("tied_embeddings"));
  RETURN_IF_ERROR(ReadAttention(doc, m));
  RETURN_IF_ERROR(ReadMoe(doc, m));
  // The dense FFN width is required unless every layer is a MoE layer.
  const bool needs_dense = !m.moe.enabled() || m.moe.dense_layers > 0;
  ASSIGN_OR_RETURN(m.intermediate, ReadCount(doc, "intermediate", needs_dense, !needs_dense));
  return m;
}

Result<ModelArch> LoadModelFile(const fs::path& path, std::string display_name,
                                std::string_view expected_id) {
  if (display_name.empty()) display_name = catalog::DisplayPath(path);
  ASSIGN_OR_RETURN(TomlTable doc, TomlTable::ParseFile(path, display_name));
  return ParseModel(doc, expected_id);
}

Result<ModelArch> ParseModelText(std::string_view text, std::string display_name) {
  ASSIGN_OR_RETURN(TomlTable doc, TomlTable::ParseString(text, std::move(display_name)));
  return ParseModel(doc);
}

Result<ModelCatalog> ModelCatalog::Load(const fs::path& data_dir) {
  const fs::path dir = data_dir / "models";
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    return MakeError(ErrorCode::kNotFound,
                     fmt::format("{}: no models directory", catalog::DisplayPath(dir)));
  std::vector<ModelArch> models;
  for (const fs::path& p : FilesIn(dir, {".toml"})) {
    ASSIGN_OR_RETURN(ModelArch m, LoadModelFile(p, catalog::DisplayPath(p), p.stem().string()));
    models.push_back(std::move(m));
  }
  return FromModels(std::move(models));
}

Result<ModelCatalog> ModelCatalog::FromModels(std::vector<ModelArch> models) {
  std::map<std::string, std::string> seen;  // lower-case id or alias -> model id
  for (const ModelArch& m : models) {
    std::vector<std::string> names = m.aliases;
    names.push_back(m.id);
    for (const std::string& n : names) {
      auto [it, inserted] = seen.emplace(Lower(n), m.id);
      if (!inserted && it->second != m.id)
        return MakeError(ErrorCode::kInconsistent,
                         fmt::format("\"{}\" names both {} and {}", n, it->second, m.id),
                         SourceLocation{m.file, 0, 0});
    }
  }
  ModelCatalog cat;
  cat.models_ = std::make_shared<std::vector<ModelArch>>(std::move(models));
  return cat;
}

const ModelArch* ModelCatalog::Find(std::string_view id) const {
  for (const ModelArch& m : *models_)
    if (m.id == id) return &m;
  return nullptr;
}

const ModelArch* ModelCatalog::FindByAlias(std::string_view hf_id) const {
  const std::string want = Lower(hf_id);
  for (const ModelArch& m : *models_) {
    if (Lower(m.id) == want) return &m;
    for (const std::string& a : m.aliases)
      if (Lower(a) == want) return &m;
  }
  return nullptr;
}

Result<const ModelArch*> ModelCatalog::Resolve(std::string_view id) const {
  const std::string arg(id);
  if (const ModelArch* m = Find(arg)) return m;
  if (const ModelArch* m = FindByAlias(arg)) return m;
  std::vector<std::pair<int, std::string>> near;
  for (const ModelArch& m : *models_) near.emplace_back(EditDistance(arg, m.id), m.id);
  std::sort(near.begin(), near.end());
  std::string msg = fmt::format("unknown model \"{}\"", arg);
  if (!near.empty() && near.front().first <= std::max<int>(3, static_cast<int>(arg.size()) / 3))
    msg += fmt::format("; did you mean \"{}\"?", near.front().second);
  else
    msg += " (see data/models/ for the list)";
  return MakeError(ErrorCode::kNotFound, msg);
}

}  // namespace ceiling::perf

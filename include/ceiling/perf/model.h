// LLM architectures for the performance model, read from data/models/<id>.toml.
//
// A `ModelArch` is the shape of a decoder-only transformer as its published config gives it:
// layer count, hidden size, attention (MHA, GQA or MLA, with optional sliding-window, linear
// and sparse variants), feed-forward (dense or mixture of experts) and vocabulary. Every file
// cites the config it was transcribed from; counts are plain integers (they have no unit).
//
//   ASSIGN_OR_RETURN(ModelCatalog models, ModelCatalog::Load("data"));
//   ASSIGN_OR_RETURN(const ModelArch* m, models.Resolve("llama-3.1-70b"));
//   ASSIGN_OR_RETURN(ModelArch mine, ParseModelText(toml_text, "my-model.toml"));
//   double params = m->TotalParams();               // 70.55e9
//   double kv = m->KvElementsPerToken();            // 163,840 elements (80 layers x 2 x 8 x 128)
//   const ModelArch* same = models.FindByAlias("meta-llama/Llama-3.1-70B-Instruct");
//
// Loading is strict like the chip files: unknown keys, missing required keys, non-positive
// counts and inconsistent shapes (kv_heads not dividing heads, MLA without its ranks) are
// errors at file:line:col. A loaded catalog is immutable; share it by const reference.
#ifndef CEILING_PERF_MODEL_H_
#define CEILING_PERF_MODEL_H_

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ceiling/base/result.h"
#include "ceiling/base/toml_reader.h"
#include "ceiling/catalog/chip.h"

namespace ceiling::perf {

enum class AttentionKind { kMha, kGqa, kMla };
enum class FfnKind { kSwiGlu, kGelu };  // 3 or 2 weight matrices per FFN
std::string_view AttentionKindName(AttentionKind k);

struct Attention {
  AttentionKind kind = AttentionKind::kGqa;
  int heads = 0;
  int kv_heads = 0;  // = heads for MHA and MLA
  int head_dim = 0;  // MLA: qk_nope_head_dim + qk_rope_head_dim
  // Multi-head latent attention (DeepSeek-V2/V3): low-rank query and compressed KV.
  int q_lora_rank = 0;  // 0: full-rank query projection
  int kv_lora_rank = 0;
  int qk_nope_head_dim = 0;
  int qk_rope_head_dim = 0;
  int v_head_dim = 0;
  bool output_gate = false;  // a sigmoid gate on the attention output (doubles the q projection)
  // Sliding-window layers attend to at most `sliding_window` past tokens.
  int sliding_window = 0;
  int sliding_layers = 0;
  // Linear-attention layers (gated delta net): constant-size recurrent state, no KV cache.
  int linear_layers = 0;
  int linear_key_heads = 0;
  int linear_value_heads = 0;
  int linear_key_head_dim = 0;
  int linear_value_head_dim = 0;
  // Sparse attention (DeepSeek sparse attention): each query attends to `sparse_topk` tokens
  // chosen by a light indexer of `index_heads` x `index_head_dim` that scans all of them.
  int sparse_topk = 0;
  int index_heads = 0;
  int index_head_dim = 0;
};

struct Moe {
  int experts = 0;              // routed experts per MoE layer; 0 = dense model
  int active = 0;               // routed experts per token (top-k)
  int shared = 0;               // always-on shared experts
  int expert_intermediate = 0;  // FFN width of one expert
  int shared_intermediate = 0;  // FFN width of all shared experts together
  int dense_layers = 0;         // leading layers with a dense FFN of `intermediate`
  bool enabled() const { return experts > 0; }
};

struct ModelArch {
  std::string id;                    // "llama-3.1-70b"
  std::string name;                  // "Llama 3.1 70B"
  std::string family;                // "llama": groups models in the validation tables
  std::vector<std::string> aliases;  // Hugging Face repository ids that name this architecture
  int layers = 0;
  int hidden = 0;
  int vocab = 0;
  int intermediate = 0;  // dense FFN width (dense models and the dense layers of MoE models)
  FfnKind ffn = FfnKind::kSwiGlu;
  bool tied_embeddings = false;
  Attention attention;
  Moe moe;
  std::optional<double> published_total_params;  // as the model card states it
  std::optional<double> published_active_params;
  // The longest sequence (prompt + output, tokens) the maker documents, and where that needs
  // an extension of the position encoding the engine must turn on (Qwen3's YaRN), the native
  // length below it. Absent: not confirmed, and no length is checked.
  std::optional<int> context;
  std::optional<int> native_context;
  // The edge of the square weight blocks that scale the maker's FP8 checkpoint (DeepSeek-V3's
  // 128 x 128); its activations are then quantized at run time per token in groups of that
  // width, by a kernel of their own before each GEMM. Absent: FP8 runs with per-tensor or
  // per-channel scales, whose activation quantization engines fuse into the kernel before.
  std::optional<int> fp8_block;
  std::vector<std::string> source_keys;  // sources of the architecture numbers
  std::map<std::string, Source> sources;
  std::string file;

  int FfnMatrices() const { return ffn == FfnKind::kSwiGlu ? 3 : 2; }
  int MoeLayers() const { return moe.enabled() ? layers - moe.dense_layers : 0; }
  int DenseFfnLayers() const { return layers - MoeLayers(); }
  int FullAttentionLayers() const { return layers - attention.linear_layers; }
  // Weights of one layer's attention block (projections only).
  double AttentionParams(bool linear_layer) const;
  double TotalParams() const;
  // Parameters touched per token: attention, dense FFN, shared + `active` routed experts,
  // embeddings and LM head.
  double ActiveParams() const;
  // KV-cache elements stored per token over all layers (sliding layers counted in full;
  // linear-attention layers store none). MLA stores the compressed latent plus the rope key.
  double KvElementsPerToken() const;
};

// Parses one model file. `expected_id` (the file stem under data/models/) is checked when
// non-empty.
Result<ModelArch> LoadModelFile(const std::filesystem::path& path, std::string display_name = "",
                                std::string_view expected_id = "");
Result<ModelArch> ParseModel(const TomlTable& doc, std::string_view expected_id = "");
// A user's model given as TOML text; `display_name` stands for the file in diagnostics.
Result<ModelArch> ParseModelText(std::string_view text, std::string display_name);

class ModelCatalog {
 public:
  // Loads every `<data_dir>/models/*.toml`, failing at the first bad file or duplicate id/alias.
  static Result<ModelCatalog> Load(const std::filesystem::path& data_dir);
  static Result<ModelCatalog> FromModels(std::vector<ModelArch> models);

  const std::vector<ModelArch>& models() const { return *models_; }
  const ModelArch* Find(std::string_view id) const;
  // By Hugging Face id ("meta-llama/Llama-3.1-70B"), case-insensitive; nullptr if none.
  const ModelArch* FindByAlias(std::string_view hf_id) const;
  // By id or Hugging Face alias. Unknown ids fail with kNotFound and a "did you mean" list. Never
  // reads a file: a user's own model arrives as text (ParseModelText).
  Result<const ModelArch*> Resolve(std::string_view id) const;

 private:
  std::shared_ptr<std::vector<ModelArch>> models_;
};

}  // namespace ceiling::perf

#endif  // CEILING_PERF_MODEL_H_

#include "ceiling/perf/serving.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <deque>
#include <optional>
#include <vector>

#include "ceiling/base/text.h"
#include "ceiling/base/units.h"

namespace ceiling::perf {
namespace {

// The speculative draft module (DeepSeek's MTP / EAGLE head) is one decoder layer plus the
// shared LM head: about 1.5 layers of a decode step at the same batch.
double DraftTime(const StepModel& sm, const FamilyParams& fp, double batch, double ctx,
                 const Speculative& spec) {
  if (spec.steps <= 0) return 0.0;
  const double step = sm.Decode(fp, batch, ctx).total.base();
  return spec.steps * step * 1.5 / sm.model().layers;
}

// The family's efficiencies as an engine's kernels realize them: its fusion scales the fixed
// cost per kernel.
FamilyParams WithEngine(FamilyParams fp, const EngineParams& ep) {
  fp.kernel_overhead *= ep.kernel_fusion;
  return fp;
}

// The fixed part of a time to first token: the engine's request overhead, or, where the engine
// post-processes responses in its main process by default and the deployment gives it worker
// processes for that, the overhead measured with them.
double RequestOverhead(const EngineParams& ep, const ServingWorkload& w) {
  return ep.traits.inline_postprocessing && w.postprocess_workers > 0
             ? ep.pooled_request_overhead.base()
             : ep.request_overhead.base();
}

// The fraction of CPU work overlap scheduling hides: none in an engine whose speculative
// decoding runs without it.
double Overlap(const EngineParams& ep, const Speculative& spec) {
  return spec.steps > 0 && !ep.traits.speculative_overlap ? 0.0 : ep.overlap;
}

// Wall time of an iteration whose GPU work takes `gpu` seconds: the engine's CPU work
// (scheduling, sampling, detokenization) runs before it, except for the fraction that overlap
// scheduling hides behind the GPU's previous iteration. Attention ranks spread over more than
// one scale-up domain also synchronize their schedulers across nodes every iteration.
double Iteration(const EngineParams& ep, const StepModel& sm, const Speculative& spec, double gpu,
                 double seqs) {
  const Parallelism& p = sm.parallelism();
  double cpu = ep.step_overhead.base() + ep.seq_overhead.base() * seqs;
  if (p.dp_attn > 1 && p.tp * p.dp_attn > sm.hardware().scale_up_domain)
    cpu += ep.traits.dp_attention_cpu;
  return gpu + cpu - Overlap(ep, spec) * std::min(gpu, cpu);
}

// GPU time of one decode iteration of `batch` sequences per attention rank.
double DecodeGpu(const StepModel& sm, const FamilyParams& fp, double batch, double ctx,
                 const Speculative& spec) {
  const int pp = sm.parallelism().pp;
  // With pipeline parallelism the batch is split into `pp` micro-batches in flight.
  const double b = pp > 1 ? std::max(1.0, batch / pp) : batch;
  const double width = spec.steps > 0 ? std::max(1, spec.draft_tokens) : 1.0;
  return sm.Decode(fp, b, ctx, width).total.base() + DraftTime(sm, fp, b, ctx, spec);
}

double DecodeIteration(const StepModel& sm, const FamilyParams& fp, const EngineParams& ep,
                       double batch, double ctx, const Speculative& spec) {
  return Iteration(ep, sm, spec, DecodeGpu(sm, fp, batch, ctx, spec), batch);
}

// Mean iterations a new prompt is held by context balancing (ContextBalance) on `ranks`
// attention ranks that each receive `rate` prompts per iteration. The scheduler's counter
// advances every iteration in which some rank has no prompt and releases the held prompts when
// it reaches the timeout (or when every rank has one), then starts again: a cycle lasts
// C = min(T, M) iterations, M the time until every rank has had an arrival (the largest of
// `ranks` exponential waits), plus the batching wait when M < T. An arrival falls in a cycle
// with probability proportional to its length and waits out the rest of it: E[C^2] / (2 E[C]).
double BalanceWait(const ContextBalance& cb, double rate, int ranks) {
  const double t = cb.timeout_iters;
  if (t <= 0 || ranks <= 1) return 0.0;
  constexpr int kSteps = 64;
  double ec = 0, ec2 = 0;
  for (int i = 0; i < kSteps; ++i) {
    const double x = (i + 0.5) * t / kSteps;
    const double all = std::pow(1 - std::exp(-rate * x), ranks);  // P(M <= x)
    ec += (1 - all) * t / kSteps;
    ec2 += 2 * x * (1 - all) * t / kSteps;
  }
  const double synced = std::pow(1 - std::exp(-rate * t), ranks);  // P(M < T)
  return (ec > 0 ? ec2 / (2 * ec) : 0.0) + synced * cb.batching_wait_iters;
}

// Mean iterations a new prompt is held by batch waiting (BatchWait) on a rank that receives
// `rate` prompts of `isl` tokens per iteration while `decoding` sequences run. The scheduler's
// counter starts with the first held prompt and releases every held prompt when it reaches the
// timeout T or when `need` prompts are held (their tokens plus the decodes reach the
// threshold): the first prompt of a cycle waits C = min(T, time to need - 1 more arrivals), a
// later one the rest of C. With N(t) the Poisson arrivals after the first, the held prompts'
// total wait is E[C + integral over [0, C) of N(t) dt] and their number 1 + E[min(N(T),
// need - 1)]; the mean wait is the ratio. Sparse arrivals wait the whole timeout.
double BatchWaitIters(const BatchWait& bw, double rate, double isl, double decoding,
                      double budget) {
  const double t = bw.timeout_iters;
  if (t <= 0 || decoding < 1 || isl <= 0) return 0.0;
  const double tokens = bw.max_tokens_ratio * budget;
  const double need = std::ceil((tokens - decoding) / isl);  // prompts that end the wait
  if (need <= 1) return 0.0;
  const int k = static_cast<int>(std::min(need, 4096.0)) - 1;  // further arrivals that end it
  // P(N(x) < k) and E[N(x); N(x) < k] for Poisson N(x).
  struct Below {
    double p = 0, mean = 0;
  };
  auto below = [&](double x) {
    Below b;
    double pj = std::exp(-rate * x);
    for (int j = 0; j < k; ++j) {
      b.p += pj, b.mean += j * pj;
      pj *= rate * x / (j + 1);
    }
    return b;
  };
  constexpr int kSteps = 64;
  double total = 0;
  for (int i = 0; i < kSteps; ++i) {
    const Below b = below((i + 0.5) * t / kSteps);
    total += (b.p + b.mean) * t / kSteps;
  }
  // E[min(N(T), k)] = k - sum_{j<k} (k - j) P(N(T) = j).
  const Below end = below(t);
  const double held = 1 + k - (k * end.p - end.mean);
  return total / held;
}

double Accepted(const Speculative& spec) {
  return spec.steps > 0 ? std::max(1.0, spec.accepted) : 1.0;
}

}  // namespace

namespace {

// What ServeTimes needs that does not depend on the client count: the sequences the KV cache
// holds per attention rank, the engine's iteration budget on this device, and the time of one
// full-budget prefill iteration.
struct LayoutConstants {
  double max_batch = 0;  // KV-cache capacity in sequences
  double engine_batch = 0;
  double chunk = 0;
  double t_chunk = 0;  // GPU time of a full-budget prefill iteration
  double p1 = 0;       // GPU time of one prompt alone
};

// GPU time of a prefill-only iteration of `tokens` prompt tokens from prompts of `isl` tokens.
double PrefillGpu(const StepModel& sm, const FamilyParams& fp, double tokens, double isl) {
  if (tokens >= isl) return sm.Prefill(fp, tokens / isl, isl).total.base();
  return sm.Mixed(fp, 0, 0, tokens, isl).total.base();
}

// The KV-cache tokens a running sequence holds: engines that page the KV cache on demand hold
// its tokens so far, on average isl + osl / 2; those that reserve a request's full length up
// front hold isl + osl.
double HeldTokens(const EngineTraits& traits, const ServingWorkload& w) {
  return static_cast<double>(w.isl) + (traits.reserve_full_kv ? w.osl : w.osl / 2.0);
}

// The iteration token budget: the workload's, else the engine's default for the device.
double ChunkFor(const EngineTraits& traits, const StepModel& sm, const ServingWorkload& w) {
  return w.token_budget > 0 ? w.token_budget
                            : std::max(1.0, traits.ChunkTokens(sm.hardware().memory_capacity));
}

HeldBack HeldBackFor(const StepModel& sm, const EngineParams& ep, const ServingWorkload& w) {
  return EngineHeldBack(ep.traits, sm, ChunkFor(ep.traits, sm, w), w.speculative.steps > 0,
                        w.memory_share);
}

// SGLang's default mem_fraction_static (python/sglang/srt/server_args.py,
// _handle_gpu_memory_settings, "general heuristics" of PR #10975): weights and the KV pool
// fill the device less `reserved` MiB = 512 (attention metadata) + 1.5 x max(chunked prefill
// size, 2048) (activations) + 2 x cuda_graph_max_bs (CUDA graphs) + 1024 x tp x pp / 8; with
// attention data parallelism + cuda_graph_max_bs x dp x 3 (x 4.5 when the graph batch is over
// 300); at least 10 GiB on a device of more than 60 GiB; 2 GiB more for an EAGLE / MTP draft
// and its CUDA graphs (6 GiB for a standalone draft model). SGLang's tp counts every GPU of a
// stage (tp x dp_attn here); cuda_graph_max_bs follows the device memory: 8 below 20 GiB, then
// 24 / 80 below 35 GiB, 32 / 160 below 60 GiB, 256 / 512 below 160 GiB (tp below / from 4),
// 512 above.
// With `--mem-fraction-static` set (`share` > 0), weights and the KV pool fill that share of the
// device and the heuristic's activations are the workspace within the rest.
HeldBack SglangHeldBack(const StepModel& sm, double chunk, bool speculative, double share) {
  constexpr double kMib = 1024.0 * 1024.0;
  const double mem = sm.hardware().memory_capacity.base() / kMib;
  const double activations = 1.5 * std::max(chunk, 2048.0);
  if (share > 0) {
    const double held = (1 - share) * mem;
    const double workspace = std::min(activations, held);
    return {.reserve = Bytes::FromBase((held - workspace) * kMib),
            .workspace = Bytes::FromBase(workspace * kMib)};
  }
  const Parallelism& p = sm.parallelism();
  const double tp = p.tp * p.dp_attn;
  const bool small = tp < 4;
  const double graphs = mem < 20 * 1024    ? 8
                        : mem < 35 * 1024  ? (small ? 24 : 80)
                        : mem < 60 * 1024  ? (small ? 32 : 160)
                        : mem < 160 * 1024 ? (small ? 256 : 512)
                                           : 512;
  double reserved = 512 + activations + 2 * graphs + 1024 * tp * p.pp / 8;
  if (p.dp_attn > 1) reserved += graphs * p.dp_attn * (graphs > 300 ? 4.5 : 3);
  if (mem > 60 * 1024) reserved = std::max(reserved, 10.0 * 1024);
  if (speculative) reserved += 2 * 1024;
  // `reserved` includes the activations; they are the workspace, the rest the reserve.
  return {.reserve = Bytes::FromBase((reserved - activations) * kMib),
          .workspace = Bytes::FromBase(activations * kMib)};
}

// The sequences one attention rank of `sm` runs at once: what the KV cache holds (max_batch;
// below 1 when not even one full-length sequence fits) and the engine's batch cap.
void BatchCapacity(const StepModel& sm, const EngineParams& ep, const ServingWorkload& w,
                   LayoutConstants* k) {
  const double tokens_per_seq = static_cast<double>(w.isl) + w.osl;
  // A sequence must fit at its full length; the batch is what the cache holds at the engine's
  // hold (the per-token cost of a sliding window or a recurrent state depends on the length).
  const HeldBack kept = HeldBackFor(sm, ep, w);
  const MemoryUse full = sm.ServingMemory(1, tokens_per_seq, kept);
  k->max_batch = std::floor(full.kv_token_capacity / tokens_per_seq);
  if (k->max_batch < 1) return;
  const double held = HeldTokens(ep.traits, w);
  if (held != tokens_per_seq)
    k->max_batch = std::floor(sm.ServingMemory(1, held, kept).kv_token_capacity / held);
  k->engine_batch = std::max(1.0, ep.traits.MaxBatch(sm.hardware().memory_capacity));
  if (w.max_batch > 0) k->engine_batch = w.max_batch;
}

LayoutConstants ConstantsFor(const StepModel& sm, const FamilyParams& family,
                             const EngineParams& ep, const ServingWorkload& w) {
  const FamilyParams fp = WithEngine(family, ep);
  LayoutConstants k;
  BatchCapacity(sm, ep, w, &k);
  if (k.max_batch >= 1) {
    k.chunk = ChunkFor(ep.traits, sm, w);
    k.t_chunk = PrefillGpu(sm, fp, k.chunk, w.isl);
    k.p1 = sm.Prefill(fp, 1, w.isl).total.base();
  }
  return k;
}

// An eager iteration (no CUDA graph) carrying `tokens` prompt tokens of prompts of `isl`
// tokens: with `b` decodes at context `ctx` in a mixing engine, where the prompt tokens add
// `Mixed - Decode` to the decode's GPU time (`d_gpu`, and `dec1` its decode alone, both the
// caller's), or as a separate pass; at least the CPU time to launch its kernels, and the
// engine's CPU work for `seqs` sequences. Returns its wall time.
double PromptIteration(const StepModel& sm, const FamilyParams& fp, const EngineParams& ep,
                       const Speculative& spec, double b, double ctx, double d_gpu, double dec1,
                       double tokens, double isl, double seqs) {
  const double launch = ep.launch_overhead.base();
  if (ep.traits.mixed_prefill && b > 0) {
    const StepTime m = sm.Mixed(fp, b, ctx, tokens, isl);
    const double gpu = d_gpu + std::max(0.0, m.total.base() - dec1);
    return Iteration(ep, sm, spec, std::max(gpu, m.kernels * launch), seqs);
  }
  const StepTime p =
      tokens >= isl ? sm.Prefill(fp, tokens / isl, isl) : sm.Mixed(fp, 0, 0, tokens, isl);
  return Iteration(ep, sm, spec, std::max(p.total.base(), p.kernels * launch), seqs);
}

// The closed-loop benchmark on one attention rank with `b` running sequences (docs/perf.md §2).
//
// Decode iterations replay CUDA graphs; an iteration that carries prompt tokens runs eagerly,
// so it takes at least the CPU time to launch its kernels. Two arrival patterns, weighed by
// the engine's `burst`:
//   staggered: clients are out of step; n = b / (decode iterations per request) prompts arrive
//              per iteration. Engines that mix prefill into decode iterations (vLLM,
//              TensorRT-LLM) put them in the next iteration with the decodes; the others run a
//              separate prefill pass. A new prompt waits for the running iteration (and the one
//              overlap scheduling has already prepared), then its own.
//   waves:     clients send together (as every client does at the start of a run, and as they
//              keep doing when prefill runs ahead of decode): the b prompts go through the
//              iteration budget in G = b x isl / budget iterations; the mean client waits for
//              (G + 1) / 2 of them before its first token and for the other (G - 1) / 2
//              between its tokens.
ServingTimes ServeTimesWith(const StepModel& sm, const FamilyParams& family, const EngineParams& ep,
                            const ServingWorkload& w, int instances, const LayoutConstants& k) {
  ServingTimes out;
  const FamilyParams fp = WithEngine(family, ep);
  const double isl = w.isl, osl = w.osl;
  const int dp = sm.parallelism().dp_attn;
  const double clients = static_cast<double>(w.concurrency) / (instances * dp);
  if (k.max_batch < 1) return out;  // not even one sequence fits
  out.fits = true;
  const double cap = std::min(k.max_batch, k.engine_batch);
  const double b = std::max(1.0, std::min(clients, cap));
  out.kv_limited = clients > cap;
  out.engine_capped = out.kv_limited && k.engine_batch < k.max_batch;
  out.batch = b;
  const double ctx = isl + osl / 2;
  const double acc = Accepted(w.speculative);
  const double width = w.speculative.steps > 0 ? std::max(1, w.speculative.draft_tokens) : 1.0;
  const double d_gpu = DecodeGpu(sm, fp, b, ctx, w.speculative);
  const double t_dec = Iteration(ep, sm, w.speculative, d_gpu, b);
  const double dec1 = ep.traits.mixed_prefill ? sm.Decode(fp, b, ctx).total.base() : 0.0;
  // An eager iteration carrying `tokens` prompt tokens of `prompts` prompts: with the decodes
  // (mixing engines) or as a separate pass. Returns its wall time.
  auto eager = [&](double tokens, double prompts) {
    return PromptIteration(sm, fp, ep, w.speculative, b, ctx, d_gpu, dec1, tokens, isl,
                           ep.traits.mixed_prefill ? b + prompts : prompts);
  };
  const double budget =
      std::max(1.0, ep.traits.mixed_prefill ? k.chunk - std::min(b * width, k.chunk / 2) : k.chunk);
  const double own_iters = std::ceil(isl / budget);           // iterations one prompt needs
  const double dec_iters = std::max(1.0, (osl - 1) / acc);    // decode iterations per request
  const double base = ep.traits.mixed_prefill ? 0.0 : t_dec;  // a separate pass adds to the decode
  // Staggered: prompts arrive at n per iteration; the other clients' n (b - 1) / b interrupt a
  // client's decode.
  const double n = b / (dec_iters + own_iters);  // prompts arriving per iteration
  const double recv = std::max(1, w.recv_interval);
  double tpot_s, ttft_s;
  LatencyParts stag, wave;  // the parts of each pattern (LatencyParts), in seconds
  {
    const double prompts = std::max(1.0, n);
    const double tokens = std::min(prompts * isl, budget);
    const double t_p = eager(tokens, prompts);
    const double stretch = prompts * isl > budget ? prompts * isl / budget : 1.0;
    const double extra = base + t_p - t_dec;  // time a prompt-carrying iteration adds
    const double others = std::min(1.0, n) * (b - 1) / b;
    tpot_s = (t_dec + others * stretch * extra) / acc;
    stag.decode = Seconds::FromBase(t_dec / acc);
    stag.prompts = Seconds::FromBase(tpot_s) - stag.decode;
    // The prompts that arrived in one receive interval are prefilled together; a group longer
    // than the budget takes several iterations, and its mean prompt waits for half of them.
    const double together = std::max(prompts, n * recv);
    double t_own = own_iters * (base + t_p);
    if (together > prompts && own_iters <= 1) {
      const double group = together * isl;
      t_own = group <= budget ? base + eager(group, together)
                              : (group / budget + 1) / 2 * (base + eager(budget, budget / isl));
    }
    // A prompt longer than the budget fills own_iters - 1 iterations and leaves the rest of its
    // tokens for the last one, which costs what those tokens cost (not a full budget).
    if (own_iters > 1) {
      const double last = isl - (own_iters - 1) * budget;
      t_own = (own_iters - 1) * (base + eager(budget, 1)) + base + eager(last, 1);
    }
    const double held = dp > 1 ? BalanceWait(w.balance, n, dp)
                               : BatchWaitIters(w.batch_wait, n, isl, b - 1, k.chunk);
    // A scheduler that takes new requests once every `recv` decode iterations (SGLang's
    // --scheduler-recv-interval) makes a prompt wait recv / 2 of them on average instead of
    // half the running one.
    ttft_s = (0.5 * recv + Overlap(ep, w.speculative)) * t_dec + t_own + held * t_dec;
    stag.prefill = Seconds::FromBase(t_own);
    stag.waiting = Seconds::FromBase(ttft_s) - stag.prefill;
  }
  // Waves.
  const double wave_tokens = b * isl;
  double ttft_w, tpot_w;
  if (wave_tokens <= budget) {
    ttft_w = Overlap(ep, w.speculative) * t_dec + base + eager(wave_tokens, b);
    tpot_w = t_dec / acc;
    wave.waiting = Seconds::FromBase(Overlap(ep, w.speculative) * t_dec);
    wave.prefill = Seconds::FromBase(ttft_w) - wave.waiting;
    wave.decode = Seconds::FromBase(tpot_w);
  } else {
    const double t_chunk = eager(budget, budget / isl);
    const double g = wave_tokens / budget;  // iterations the wave's prefill takes
    const double mean_iters = std::max(own_iters, (b + 1) / 2 * isl / budget + 0.5);
    ttft_w = Overlap(ep, w.speculative) * t_dec + mean_iters * (base + t_chunk);
    tpot_w =
        (t_dec + (base + t_chunk - t_dec) * std::min(dec_iters, (g - 1) / 2) / dec_iters) / acc;
    wave.prefill = Seconds::FromBase(own_iters * (base + t_chunk));
    wave.waiting = Seconds::FromBase(ttft_w) - wave.prefill;
    wave.decode = Seconds::FromBase(t_dec / acc);
    wave.prompts = Seconds::FromBase(tpot_w) - wave.decode;
  }
  const double ttft_wave = ttft_w, ttft_steady = ttft_s;
  const double tpot = ep.burst * tpot_w + (1 - ep.burst) * tpot_s;
  double ttft = ep.burst * ttft_wave + (1 - ep.burst) * ttft_steady + RequestOverhead(ep, w) +
                ep.client_overhead.base() * b;
  double cycle = ttft + (osl - 1) * tpot;
  LatencyParts& parts = out.parts;
  auto blend = [&](Seconds LatencyParts::*part) {
    parts.*part = ep.burst * (wave.*part) + (1 - ep.burst) * (stag.*part);
  };
  for (auto part : {&LatencyParts::waiting, &LatencyParts::prefill, &LatencyParts::decode,
                    &LatencyParts::prompts})
    blend(part);
  parts.request = Seconds::FromBase(RequestOverhead(ep, w));
  parts.clients = Seconds::FromBase(ep.client_overhead.base() * b);
  if (out.kv_limited) {
    // Clients beyond the capacity wait for a slot: Little's law on the rank's request rate.
    const double rate = b / cycle;
    parts.slot = Seconds::FromBase((clients - b) / rate);
    ttft += parts.slot.base();
    cycle = ttft + (osl - 1) * tpot;
  }
  out.ttft = Seconds::FromBase(ttft);
  out.tpot = Seconds::FromBase(tpot);
  out.output_tokens_per_s = w.concurrency * osl / cycle;
  return out;
}

// An offline run (docs/perf.md §2): every request is queued at the start, each attention rank
// takes its share and admits prompts while a sequence slot is free (the KV cache or the
// engine's cap) and the iteration's token budget has room, in arrival order; a prompt's first
// token comes with its last prefill chunk, and its slot frees when its last token is out. The
// run is simulated iteration by iteration with the same iteration costs as the closed loop,
// so its ramp (the first prompts decode at small batches while the rest prefill) and its tail
// (the last wave drains at shrinking batches) are in its span.
ServingTimes OfflineTimesWith(const StepModel& sm, const FamilyParams& family,
                              const EngineParams& ep, const ServingWorkload& w, int instances,
                              const LayoutConstants& k) {
  ServingTimes out;
  if (k.max_batch < 1) return out;
  out.fits = true;
  const FamilyParams fp = WithEngine(family, ep);
  const double isl = w.isl, osl = w.osl;
  const int ranks = instances * sm.parallelism().dp_attn;
  const double n = std::ceil(static_cast<double>(w.requests) / ranks);  // per attention rank
  const double cap = std::max(1.0, std::floor(std::min(k.max_batch, k.engine_batch)));
  const double acc = Accepted(w.speculative);
  const double width = w.speculative.steps > 0 ? std::max(1, w.speculative.draft_tokens) : 1.0;
  const bool mixed = ep.traits.mixed_prefill;
  // Sequences whose prompts completed in the same iteration decode together (a cohort); all
  // cohorts advance in step, so the oldest finishes first. A cohort's tokens out are the steps
  // taken since it started (`progress` - its `start`) plus the one its prefill gave.
  struct Cohort {
    double count;  // sequences
    double start;  // `progress` when they started
    double first;  // the time of their first token
  };
  std::deque<Cohort> running;
  double queued = n, running_seqs = 0, starts = 0, progress = 0, head_done = 0, head_open = 0;
  double now = 0, ttft_sum = 0, tpot_sum = 0, prefill_sum = 0, prefill_iters = 0;
  auto advance = [&](double iterations) {
    progress += iterations * acc;
    while (!running.empty() && 1 + progress - running.front().start >= osl) {
      const Cohort& c = running.front();
      tpot_sum += c.count * (now - c.first) / (osl - 1);
      running_seqs -= c.count;
      starts -= c.count * c.start;
      running.pop_front();
    }
    if (running.empty()) running_seqs = 0, starts = 0;
  };
  // Decode steps until the oldest sequences' last token.
  auto steps_left = [&] {
    return std::max(1.0, std::ceil((osl - 1 - (progress - running.front().start)) / acc));
  };
  // An iteration carrying `tokens` prompt tokens; `b` decodes ride along in a mixing engine.
  auto prompt_iteration = [&](double b, double ctx, double tokens, double seqs) {
    const bool ride = mixed && b > 0;
    return PromptIteration(sm, fp, ep, w.speculative, b, ctx,
                           ride ? DecodeGpu(sm, fp, b, ctx, w.speculative) : 0.0,
                           ride ? sm.Decode(fp, b, ctx).total.base() : 0.0, tokens, isl, seqs);
  };
  while (queued > 0 || running_seqs > 0 || head_open > 0) {
    const double b = running_seqs;
    // The running sequences' mean context: the prompt, the first token and the steps since.
    const double ctx = isl + (b > 0 ? 1 + progress - starts / b : 0.0);
    if (head_open == 0 && (queued <= 0 || b >= cap)) {
      // No prompt can start before the oldest sequences finish: decode up to then in one
      // stride, at the stride's mean context (attention is linear in it).
      const double stride = steps_left();
      now += stride * DecodeIteration(sm, fp, ep, b, ctx + acc * (stride - 1) / 2, w.speculative);
      advance(stride);
      continue;
    }
    // Prompt tokens this iteration: the prompt in progress first, then new ones in order.
    // Mixing engines share the budget with the decodes, as the closed loop does.
    double room = mixed ? k.chunk - std::min(b * width, k.chunk / 2) : k.chunk;
    if (head_open > 0 && isl - head_done > 2 * room) {
      // A prompt longer than the budget fills whole iterations with its chunks: take them in
      // one stride (up to the oldest sequences' last token, when the decodes ride along), at
      // the stride's mean context, leaving its last chunks to the iterations below.
      const bool ride = mixed && b > 0;
      double stride = std::floor((isl - head_done) / room) - 1;
      if (ride) stride = std::min(stride, steps_left());
      stride = std::max(1.0, stride);
      const double mid = ctx + (ride ? acc * (stride - 1) / 2 : 0.0);
      const double t = prompt_iteration(ride ? b : 0.0, mid, room, ride ? b : 0.0);
      now += stride * t;
      prefill_sum += stride * t, prefill_iters += stride;
      head_done += stride * room;
      if (ride) advance(stride);
      continue;
    }
    double prompt_tokens = 0, completed = 0, started = 0;
    while (room > 0) {
      if (head_open == 0) {
        if (queued <= 0 || b + completed + 1 > cap) break;
        queued -= 1, head_open = 1, head_done = 0, started += 1;
      }
      const double take = std::min(room, isl - head_done);
      head_done += take, room -= take, prompt_tokens += take;
      if (head_done >= isl) completed += 1, head_open = 0;
    }
    double t;
    const bool decodes = b > 0 && (mixed || prompt_tokens == 0);
    if (prompt_tokens > 0) {
      t = prompt_iteration(b, ctx, prompt_tokens, (decodes ? b : 0) + started);
      prefill_sum += t, prefill_iters += 1;
    } else if (b > 0) {
      t = DecodeIteration(sm, fp, ep, b, ctx, w.speculative);
    } else {
      break;  // nothing can run: a prompt longer than the budget with no room (not reached)
    }
    now += t;
    if (decodes) advance(1);
    if (completed > 0) {
      ttft_sum += completed * now;
      if (osl > 1) {  // one-token requests end with their prompt
        running.push_back({completed, progress, now});
        running_seqs += completed;
        starts += completed * progress;
      }
    }
  }
  out.batch = std::min(cap, n);
  out.kv_limited = n > cap;
  out.engine_capped = out.kv_limited && k.engine_batch < k.max_batch;
  const double request = RequestOverhead(ep, w);
  const double ttft = ttft_sum / n + request;
  const double tpot = tpot_sum / n;
  LatencyParts& parts = out.parts;
  parts.prefill = Seconds::FromBase(prefill_iters > 0 ? prefill_sum / prefill_iters : 0.0);
  parts.request = Seconds::FromBase(request);
  parts.slot = Seconds::FromBase(std::max(0.0, ttft_sum / n - parts.prefill.base()));
  parts.decode = Seconds::FromBase(tpot);
  out.ttft = Seconds::FromBase(ttft);
  out.tpot = Seconds::FromBase(tpot);
  out.output_tokens_per_s = now > 0 ? w.requests * osl / now : 0.0;
  out.run_s = now;
  return out;
}

// The workload's run: an offline batch of requests or the closed loop of its clients.
ServingTimes TimesWith(const StepModel& sm, const FamilyParams& fp, const EngineParams& ep,
                       const ServingWorkload& w, int instances, const LayoutConstants& k) {
  return w.requests > 0 ? OfflineTimesWith(sm, fp, ep, w, instances, k)
                        : ServeTimesWith(sm, fp, ep, w, instances, k);
}

}  // namespace

ServingTimes ServeTimes(const StepModel& sm, const FamilyParams& fp, const EngineParams& ep,
                        const ServingWorkload& w, int instances) {
  return TimesWith(sm, fp, ep, w, instances, ConstantsFor(sm, fp, ep, w));
}

ServingTimes ServeDisaggTimes(const StepModel& prefill, const StepModel& decode,
                              const FamilyParams& family, const EngineParams& ep,
                              const ServingWorkload& w, int prefill_workers, int decode_workers,
                              double prefill_batch, double decode_batch) {
  ServingTimes out;
  const FamilyParams fp = WithEngine(family, ep);
  const double isl = w.isl, osl = w.osl;
  const double ctx = isl + osl / 2;
  const int dp_p = prefill.parallelism().dp_attn;
  const double b_clients = std::max(1.0, decode_batch);  // per attention rank
  // The decode worker runs at most what its KV cache and the engine's batch cap hold, as an
  // aggregated instance does; the other clients wait for a slot.
  LayoutConstants k;
  BatchCapacity(decode, ep, w, &k);
  if (k.max_batch < 1) return out;
  const double cap = std::min(k.max_batch, k.engine_batch);
  const MemoryUse pmem = prefill.ServingMemory(1, isl, HeldBackFor(prefill, ep, w));
  if (pmem.kv_token_capacity < isl) return out;
  out.fits = true;
  const double acc = Accepted(w.speculative);
  const double over = ep.step_overhead.base();
  // Prefill service: batches of `prefill_batch` prompts (the export's) on each of a worker's
  // ranks.
  const double r = std::max(1.0, prefill_batch);
  const double service = prefill.Prefill(fp, r, isl).total.base() + over;
  // Under load a prefill worker takes the prompts waiting for it together, as many as its
  // iteration token budget holds: that batch's rate is the workers' capacity.
  const double r_full = std::max(r, std::floor(ChunkFor(ep.traits, prefill, w) / isl));
  const double service_full =
      r_full == r ? service : prefill.Prefill(fp, r_full, isl).total.base() + over;
  const double per_request = service_full / (r_full * dp_p);
  const double mu = prefill_workers * r_full * dp_p / service_full;  // prompts per second
  // KV hand-off to the decode worker: over NVLink inside one scale-up domain, else the NICs.
  const Hardware& hw = prefill.hardware();
  const int total =
      prefill_workers * prefill.parallelism().Gpus() + decode_workers * decode.parallelism().Gpus();
  const double link = (total <= hw.scale_up_domain ? hw.scale_up : hw.scale_out).base() *
                      fp.comm_efficiency * prefill.parallelism().Gpus();
  const double kv_bytes =
      isl * prefill.KvBytesPerToken().base() * prefill.parallelism().tp * prefill.parallelism().pp;
  const double xfer = fp.comm_latency.base() + kv_bytes / link;
  const double clients = w.concurrency;
  // Waves: clients queue for the prefill workers in batches.
  const double batches = std::ceil(clients / (prefill_workers * r * dp_p));
  const double ttft_wave = service + xfer + (batches - 1) / 2 * service;
  // TTFT and TPOT with `batch` sequences decoding on each attention rank.
  struct Times {
    double tpot, ttft;
  };
  auto times = [&](double batch) {
    const double tpot = DecodeIteration(decode, fp, ep, batch, ctx, w.speculative) / acc;
    const double decode_time = (osl - 1) * tpot;
    // Staggered: an M/D/1 queue at the prefill workers, solved with the closed loop's rate.
    double ttft_stag = service + xfer;
    for (int i = 0; i < 20; ++i) {
      const double lambda = clients / (ttft_stag + decode_time);
      const double rho = std::min(0.95, lambda / mu);
      ttft_stag = service + xfer + rho / (2 * (1 - rho)) * per_request;
    }
    const double ttft = ep.burst * ttft_wave + (1 - ep.burst) * ttft_stag +
                        RequestOverhead(ep, w) + ep.client_overhead.base() * batch;
    // Closed loop: the cycle can never be shorter than the prefill capacity allows.
    return Times{tpot, std::max(ttft, clients / mu - decode_time)};
  };
  // The decode workers hold the clients that are decoding, not every client: by Little's law on
  // the decode stage, a client's share of its cycle spent decoding. When the prefill workers bound
  // the loop, most clients wait for a prompt's turn and the decode batch is what the prefill
  // rate feeds it (mu x decode time), smaller than the clients per rank the export records. The
  // batch b solves b = b_clients x decode / (TTFT + decode); TPOT grows with b, so the share
  // is monotone and a bisection finds it.
  auto decoding = [&](double batch) {
    const Times t = times(batch);
    const double decode_time = (osl - 1) * t.tpot;
    return b_clients * decode_time / (t.ttft + decode_time);
  };
  double lo = 1.0, hi = std::min(b_clients, cap);
  if (decoding(lo) <= lo) {
    hi = lo;
  } else if (decoding(hi) < hi) {
    for (int i = 0; i < 40 && hi - lo > 5e-3 * hi; ++i) {
      const double mid = (lo + hi) / 2;
      (decoding(mid) > mid ? lo : hi) = mid;
    }
  }
  const double batch = hi;
  const Times t = times(batch);
  const double tpot = t.tpot;
  const double decode_time = (osl - 1) * tpot;
  // At the cap, the clients the slots cannot hold wait for one: the cycle stretches until the
  // decoding share of the clients is the cap (Little's law, b_clients x D / cycle = cap).
  const double slot = std::max(0.0, b_clients * decode_time / batch - decode_time - t.ttft);
  const double ttft = t.ttft + slot;
  out.kv_limited = b_clients > cap;
  out.engine_capped = out.kv_limited && k.engine_batch < k.max_batch;
  out.batch = batch;
  LatencyParts& parts = out.parts;
  parts.prefill = Seconds::FromBase(service);
  parts.kv_transfer = Seconds::FromBase(xfer);
  parts.request = Seconds::FromBase(RequestOverhead(ep, w));
  parts.clients = Seconds::FromBase(ep.client_overhead.base() * batch);
  parts.slot = Seconds::FromBase(slot);
  parts.waiting = Seconds::FromBase(t.ttft) - parts.prefill - parts.kv_transfer -
                  parts.request - parts.clients;
  parts.decode = Seconds::FromBase(tpot);
  out.ttft = Seconds::FromBase(ttft);
  out.tpot = Seconds::FromBase(tpot);
  out.output_tokens_per_s = clients * osl / (ttft + decode_time);
  return out;
}

double DecodeThroughputPerGpu(const StepModel& sm, const FamilyParams& family,
                              const EngineParams& ep, double batch, double context,
                              const Speculative& spec) {
  const double t = DecodeIteration(sm, WithEngine(family, ep), ep, batch, context, spec);
  const Parallelism& p = sm.parallelism();
  // `batch` sequences on each attention rank; tp x pp GPUs per rank.
  return batch * Accepted(spec) / t / (p.tp * p.pp);
}

double PrefillThroughputPerGpu(const StepModel& sm, const FamilyParams& family,
                               const EngineParams& ep, double prompt, double chunk) {
  const FamilyParams fp = WithEngine(family, ep);
  const double prompts = std::max(1.0, chunk / prompt);
  const double t =
      Iteration(ep, sm, Speculative{}, sm.Prefill(fp, prompts, prompt).total.base(), prompts);
  const Parallelism& p = sm.parallelism();
  return prompts * prompt / t / (p.tp * p.pp);
}

Result<ReferenceSteps> ReferenceStepsFor(const ServingQuery& q) {
  const ModelArch& m = *q.model;
  for (int tp = q.gpus; tp >= 1; --tp) {
    if (q.gpus % tp != 0) continue;
    Parallelism par{tp, 1, 1, 1};
    if (m.moe.enabled() && m.moe.experts % tp == 0) par.ep = tp;
    if (!CheckParallelism(m, par).ok()) continue;
    ASSIGN_OR_RETURN(StepModel sm, StepModel::Build(m, *q.hardware, par, q.precision));
    const FamilyParams& fp = q.calibration->Family(q.hardware->family);
    ReferenceSteps r;
    r.par = par;
    r.batch = q.workload.concurrency;
    r.prefill = sm.Prefill(fp, 1, q.workload.isl);
    r.decode = sm.Decode(fp, r.batch, q.workload.isl + q.workload.osl / 2.0);
    return r;
  }
  return MakeError(
      ErrorCode::kInvalidArgument,
      fmt::format("no tensor-parallel layout of {} GPUs fits the heads of {}", q.gpus, m.id));
}

ModelKind KindOf(const ModelArch& m) {
  return m.moe.enabled() ? ModelKind::kMoe : ModelKind::kDense;
}

namespace {

// The bands of a prediction in regimes `g`.
Uncertainty BandsFor(const Calibration& cal, const Hardware& hw, Regimes g,
                     std::string_view engine, ModelKind kind) {
  Uncertainty u;
  u.basis = cal.BasisFor(hw.chip_id, hw.family);
  u.regimes = g;
  u.ttft = cal.Band(u.basis, PerfMetric::kTtft, g.ttft, engine, kind);
  u.tpot = cal.Band(u.basis, PerfMetric::kTpot, g.other, engine, kind);
  u.throughput = cal.Band(u.basis, PerfMetric::kThroughput, g.other, engine, kind);
  if (g.offline) {
    const ErrorBand& off = cal.Band(u.basis, PerfMetric::kThroughput, Regime::kOffline, engine,
                                    kind);
    if (off.count > 0) u.throughput = off;
    else u.regimes.offline = false;  // no offline band: the closed-loop regime's stands
  }
  return u;
}

}  // namespace

std::optional<std::string> CoverageNote(const Calibration& cal, std::string_view chip_id) {
  const auto* cov = cal.CoverageOf(chip_id);
  if (cov == nullptr) return std::nullopt;
  return CoverageNote(chip_id, *cov);
}

std::optional<std::string> CoverageNote(
    std::string_view chip_id, const std::array<Calibration::ChipCoverage, kMetricCount>& cov) {
  std::string held;
  bool short_of_promise = false;
  for (PerfMetric m : {PerfMetric::kTtft, PerfMetric::kTpot, PerfMetric::kThroughput}) {
    const Calibration::ChipCoverage& c = cov[static_cast<int>(m)];
    if (c.count == 0) continue;
    short_of_promise |= c.coverage < kMinChipCoverage;
    held += fmt::format("{}{} {:.0f}% of {}", held.empty() ? "" : ", ",
                        m == PerfMetric::kThroughput ? "throughput"
                        : m == PerfMetric::kTtft     ? "TTFT"
                                                     : "TPOT",
                        std::floor(c.coverage * 100 + 1e-9), c.count);  // never rounded up
  }
  if (!short_of_promise) return std::nullopt;
  return fmt::format(
      "the 90% bands held for fewer of {}'s held-out measurements than they promise ({}): its "
      "measurements sit more often in the tails of the regimes' errors, so read its bands as "
      "too narrow",
      chip_id, held);
}

PrecisionConfig WithEngineAttention(PrecisionConfig prec, const EngineTraits& traits,
                                    const ModelArch& m, const Hardware& hw) {
  prec.fp8_latent_bmm = traits.fp8_latent_bmm && hw.family == "hopper";
  prec.fused_shared_expert = traits.shared_expert_fusion && hw.family == "hopper";
  if (!traits.fp8_context_attention || prec.attention != DType::kBf16 ||
      prec.kv_cache != DType::kFp8 ||
      (prec.weights != DType::kFp8 && prec.weights != DType::kFp4) ||
      m.attention.kind == AttentionKind::kMla || m.attention.linear_layers > 0)
    return prec;
  DType used;
  hw.ComputeRate(DType::kFp8, &used);
  if (used == DType::kFp8) prec.attention = DType::kFp8;
  return prec;
}

Regimes RegimesOf(double batch_per_rank, bool kv_limited, const LatencyParts& parts,
                  bool offline) {
  Regimes g;
  g.offline = offline;
  g.other = batch_per_rank <= 16 ? Regime::kSmallBatch : Regime::kLargeBatch;
  const double ttft = parts.Ttft().base();
  if (ttft > 0 && parts.prefill.base() < kContendedPrefillShare * ttft)
    g.other = Regime::kContended;
  // Queueing for KV room is a TTFT matter; TPOT and throughput keep the other regime.
  g.ttft = kv_limited ? Regime::kQueued : g.other;
  return g;
}

Regime RegimeFor(const Regimes& g, PerfMetric m) {
  if (m == PerfMetric::kTtft) return g.ttft;
  return m == PerfMetric::kThroughput && g.offline ? Regime::kOffline : g.other;
}

Uncertainty UncertaintyFor(const Calibration& cal, const Hardware& hw, double batch_per_rank,
                           bool kv_limited, const LatencyParts& parts, std::string_view engine,
                           ModelKind kind, bool offline) {
  return BandsFor(cal, hw, RegimesOf(batch_per_rank, kv_limited, parts, offline), engine, kind);
}

// An engine refuses a request longer than the model's context (vLLM's max_model_len).
Status CheckContext(const ModelArch& m, long long isl, long long osl) {
  const long long total = isl + osl;
  if (!m.context || total <= *m.context) return OkStatus();
  const std::string request =
      osl > 0 ? fmt::format("input {} + output {} = {} tokens", FormatFixed(isl, 0),
                            FormatFixed(osl, 0), FormatFixed(static_cast<double>(total), 0))
              : fmt::format("input {} tokens", FormatFixed(isl, 0));
  return FieldError("isl", fmt::format("{} exceed the {}-token context of {} ({}): an engine "
                                       "refuses such a request",
                                       request, FormatFixed(*m.context, 0), m.name,
                                       m.file.empty() ? "its model file" : m.file));
}

Status CheckRecvInterval(int n) {
  if (n < 1 || n > kMaxRecvInterval)
    return FieldError("recv_interval", fmt::format("must be 1 (every iteration) to {} decode "
                                                   "iterations",
                                                   kMaxRecvInterval));
  return OkStatus();
}

namespace {

// An offline run is simulated on aggregated deployments only.
Status CheckOfflineLayout(const ServingQuery& q) {
  if (q.disagg && q.workload.requests > 0)
    return FieldError("requests", "an offline run is modelled on aggregated deployments only "
                                  "(no prefill workers)");
  return OkStatus();
}

Status CheckWorkload(const ServingWorkload& w, const ModelArch& m) {
  if (w.isl < 1) return FieldError("isl", "must be at least 1");
  if (w.osl < 1) return FieldError("osl", "must be at least 1");
  RETURN_IF_ERROR(CheckContext(m, w.isl, w.osl));
  if (w.concurrency < 1) return FieldError("concurrency", "must be at least 1");
  if (w.max_batch < 0) return FieldError("max_batch", "must be at least 0 (0: the engine's)");
  RETURN_IF_ERROR(CheckRecvInterval(w.recv_interval));
  if (w.requests < 0 || w.requests > kMaxRequests)
    return FieldError("requests", fmt::format("must be 0 (a closed loop) to {} (an offline run)",
                                              kMaxRequests));
  if (w.speculative.steps > 0 && (w.speculative.draft_tokens < 1 || w.speculative.accepted < 1))
    return MakeError(ErrorCode::kInvalidArgument,
                     "speculative decoding needs draft tokens >= 1 and accepted >= 1");
  return OkStatus();
}

// Why a deployment that does not fit at SGLang's default memory heuristic could: the heuristic
// keeps back room for CUDA graphs of up to 512 sequences on every attention rank (tens of GB
// with attention data parallelism), which deployments of that size replace by setting
// mem_fraction_static. Empty when a share was set, for other engines, or when the weights and
// one sequence's KV cache alone exceed the device.
std::string MemoryShareHint(const EngineTraits& traits, const ServingWorkload& w,
                            const MemoryUse& one) {
  if (traits.memory_policy != EngineTraits::MemoryPolicy::kSglang || w.memory_share > 0)
    return "";
  const double share = (one.weights + one.kv_cache) / one.capacity;
  constexpr double kMaxShare = 0.95;  // leaves the forward pass a workspace
  if (!(share < kMaxShare)) return "";
  return fmt::format(
      "; SGLang's default mem_fraction_static keeps {} back here: with it set (--memory-share "
      "{:.2f} or more) the weights and one sequence fit",
      FormatQuantity(one.reserve + one.activations), std::ceil(share * 100) / 100);
}

// Past the native length the position encoding must be extended (Qwen3: YaRN), a setting the
// engine has to be started with.
void AddContextNote(const ModelArch& m, const ServingWorkload& w, std::vector<std::string>* notes) {
  const double total = static_cast<double>(w.isl) + w.osl;
  if (m.native_context && total > *m.native_context)
    notes->push_back(fmt::format(
        "{} tokens per request are past {}'s native context of {}: it reaches {} only with the "
        "position-encoding extension its maker documents, which the engine must be started "
        "with ({} says which)",
        FormatFixed(total, 0), m.name, FormatFixed(*m.native_context, 0),
        FormatFixed(*m.context, 0), m.file.empty() ? "its model file" : m.file));
}

void AddPrecisionNotes(const ModelArch& m, const Hardware& hw, const PrecisionConfig& prec,
                       std::vector<std::string>* notes) {
  if (GroupQuantized(m, hw, prec))
    notes->push_back(fmt::format(
        "{}'s FP8 checkpoint is block-scaled ({} x {} weight blocks): each FP8 GEMM's input is "
        "first quantized per token in groups of {}, by a kernel of its own",
        m.name, *m.fp8_block, *m.fp8_block, *m.fp8_block));
  DType used;
  hw.ComputeRate(prec.attention, &used);
  if (BytesPerElement(used) < BytesPerElement(prec.attention))
    notes->push_back(
        fmt::format("{} has no {} (or wider) rate in its record; attention math uses its {} rate",
                    hw.chip_id, DTypeName(prec.attention), DTypeName(used)));
  GemmRate(hw, prec.activations, &used);  // the rate StepModel::Build gives the GEMMs
  if (used != prec.activations && !(prec.activations == DType::kInt4 && used == DType::kBf16))
    notes->push_back(fmt::format(
        "{} has no {} rate in its record; GEMMs use the {} rate with {} weights{}", hw.chip_id,
        DTypeName(prec.activations), DTypeName(used), DTypeName(prec.weights),
        prec.activations == DType::kFp4 && used == DType::kBf16
            ? ", unpacked to bf16 (the engines' weight-only kernels)"
            : ""));
}

void AddFamilyNote(const ServingQuery& q, std::vector<std::string>* notes) {
  bool fitted = false;
  q.calibration->Family(q.hardware->family, &fitted);
  if (!fitted)
    notes->push_back(
        fmt::format("family \"{}\" has no calibration data; generic efficiencies "
                    "(fitted on all families) are used",
                    q.hardware->family));
}

// A disaggregated deployment (ServingQuery::disagg): the decode workers' clients per
// attention rank are the query's clients spread over them.
Status CheckSplit(const ServingQuery& q) {
  const Disaggregation& d = *q.disagg;
  if (d.prefill_workers < 1 || d.prefill_workers > kMaxGpus)
    return FieldError("prefill_workers", fmt::format("must be between 1 and {}", kMaxGpus));
  if (d.decode_workers < 1 || d.decode_workers > kMaxGpus)
    return FieldError("decode_workers", fmt::format("must be between 1 and {}", kMaxGpus));
  if (!(std::isfinite(d.prefill_batch) && d.prefill_batch >= 1 && d.prefill_batch <= 1e6))
    return FieldError("prefill_batch", "must be between 1 and 1000000");
  if (static_cast<long long>(q.gpus) != 1LL * d.prefill_workers * d.prefill.Gpus() +
                                            1LL * d.decode_workers * q.par.Gpus())
    return FieldError(
        "gpus", fmt::format("{} is not the workers' GPUs: {} prefill x {} ({}) + {} decode x {} "
                            "({})",
                            q.gpus, d.prefill_workers, d.prefill.Gpus(), d.prefill.ToString(),
                            d.decode_workers, q.par.Gpus(), q.par.ToString()));
  return OkStatus();
}

// Says why fewer sequences fit than the window suggests when the KV cache bounds the batch and
// the engine keeps more of a sliding-window layer's tokens than its window
// (EngineTraits::sliding_kv_ratio).
void AddSlidingKvNote(const ModelArch& m, const ServingWorkload& w, const HeldBack& kept,
                      std::vector<std::string>* notes) {
  if (kept.sliding_kv_ratio < 0 || m.attention.sliding_layers <= 0) return;
  notes->push_back(fmt::format(
      "{} keeps {:.0f}% of each sequence's tokens in the KV cache of the {} sliding-window "
      "layers, not only the last {} (engines.toml sliding_kv_ratio), so fewer sequences fit",
      w.engine.empty() ? "the engine" : w.engine, kept.sliding_kv_ratio * 100,
      m.attention.sliding_layers, m.attention.sliding_window));
}

Result<ServingResult> ServeSplit(const ServingQuery& q) {
  RETURN_IF_ERROR(CheckSplit(q));
  const Disaggregation& d = *q.disagg;
  DisaggQuery dq{.model = q.model,
                 .hardware = q.hardware,
                 .calibration = q.calibration,
                 .prefill = d.prefill,
                 .decode = q.par,
                 .prefill_workers = d.prefill_workers,
                 .decode_workers = d.decode_workers,
                 .prefill_batch = d.prefill_batch,
                 .decode_batch = static_cast<double>(q.workload.concurrency) /
                                 (d.decode_workers * q.par.dp_attn),
                 .precision = q.precision,
                 .workload = q.workload};
  ASSIGN_OR_RETURN(ServingResult r, ServeDisaggregated(dq));
  AddFamilyNote(q, &r.notes);
  if (const int ranks = d.decode_workers * q.par.dp_attn; r.fits && q.workload.concurrency < ranks)
    r.notes.push_back(fmt::format(
        "{} client{} for {} decode attention rank{}: {} of them have none and idle (the per-GPU "
        "throughput counts their GPUs)",
        q.workload.concurrency, q.workload.concurrency == 1 ? "" : "s", ranks,
        ranks == 1 ? "" : "s", ranks - q.workload.concurrency));
  return r;
}

}  // namespace

Result<ServingResult> Serve(const ServingQuery& q) {
  RETURN_IF_ERROR(CheckWorkload(q.workload, *q.model));
  if (q.gpus < 1 || q.gpus > kMaxGpus)
    return FieldError("gpus", fmt::format("must be between 1 and {}", kMaxGpus));
  RETURN_IF_ERROR(CheckOfflineLayout(q));
  if (q.disagg) return ServeSplit(q);
  if (q.gpus % q.par.Gpus() != 0)
    return FieldError("gpus", fmt::format("{} is not a multiple of the instance size {} ({} = tp x "
                                          "dp-attn x pp)",
                                          q.gpus, q.par.Gpus(), q.par.ToString()));
  ASSIGN_OR_RETURN(StepModel sm, StepModel::Build(*q.model, *q.hardware, q.par, q.precision));
  const FamilyParams& fp = q.calibration->Family(q.hardware->family);
  const EngineParams& ep = q.calibration->Engine(q.workload.engine);
  ServingResult r;
  r.instances = q.gpus / q.par.Gpus();
  r.notes = q.hardware->notes;
  AddPrecisionNotes(*q.model, *q.hardware, q.precision, &r.notes);
  AddContextNote(*q.model, q.workload, &r.notes);
  AddFamilyNote(q, &r.notes);
  const ServingTimes t = ServeTimes(sm, fp, ep, q.workload, r.instances);
  const double tokens_per_seq = static_cast<double>(q.workload.isl) + q.workload.osl;
  r.fits = t.fits;
  // What the running batch holds, as the batch was sized (ConstantsFor); one full-length
  // sequence when not even that fits.
  const HeldBack kept = HeldBackFor(sm, ep, q.workload);
  r.memory = t.fits ? sm.ServingMemory(t.batch, HeldTokens(ep.traits, q.workload), kept)
                    : sm.ServingMemory(1, tokens_per_seq, kept);
  r.prefill_step = sm.Prefill(fp, 1, q.workload.isl);
  if (!t.fits) {
    const MemoryUse& one = r.memory;
    r.does_not_fit = fmt::format(
        "per GPU: weights {} + reserve {} + workspace {} + KV of one {}-token sequence {} = {} "
        "> capacity {}{}",
        FormatQuantity(one.weights), FormatQuantity(one.reserve), FormatQuantity(one.activations),
        tokens_per_seq, FormatQuantity(one.kv_cache), FormatQuantity(one.total),
        FormatQuantity(one.capacity), MemoryShareHint(ep.traits, q.workload, one));
    r.uncertainty =
        UncertaintyFor(*q.calibration, *q.hardware, 1, false, {}, q.workload.engine,
                       KindOf(*q.model));
    return r;
  }
  r.batch_per_rank = t.batch;
  r.kv_limited = t.kv_limited;
  r.ttft = t.ttft;
  r.tpot = t.tpot;
  r.latency = t.parts;
  r.output_tokens_per_s = t.output_tokens_per_s;
  r.output_tokens_per_s_per_gpu = t.output_tokens_per_s / q.gpus;
  // An offline run of one-token requests has no TPOT, and no rate per user after the first token.
  r.tokens_per_s_per_user = t.tpot.base() > 0 ? 1.0 / t.tpot.base() : 0.0;
  r.decode_step = sm.Decode(fp, t.batch, q.workload.isl + q.workload.osl / 2.0);
  r.run_s = t.run_s;
  const int ranks = r.instances * q.par.dp_attn;
  if (q.workload.requests > 0)
    r.notes.push_back(fmt::format(
        "offline run: {} {} at once ({}); the rest wait in the queue, and the first prompts "
        "decode at small batches while the others prefill, as the last do while the batch drains",
        ranks == 1 ? fmt::format("the attention rank takes the {} requests and runs",
                                 q.workload.requests)
                   : fmt::format("each of the {} attention ranks takes {} of the {} requests and "
                                 "runs",
                                 ranks, std::ceil(static_cast<double>(q.workload.requests) / ranks),
                                 q.workload.requests),
        t.batch, t.engine_capped ? "the engine's batch cap" : "what the KV cache holds"));
  else if (t.kv_limited)
    r.notes.push_back(fmt::format(
        "{} {} of the {} clients per attention rank; the rest queue (their wait is in TTFT)",
        t.engine_capped ? "the engine's batch cap runs" : "the KV cache holds", t.batch,
        static_cast<double>(q.workload.concurrency) / ranks));
  if (t.kv_limited && !t.engine_capped) AddSlidingKvNote(*q.model, q.workload, kept, &r.notes);
  if (q.workload.concurrency < ranks)
    r.notes.push_back(fmt::format(
        "{} client{} for {} {}: {} of them have none and idle (the per-GPU throughput counts "
        "their GPUs); fewer GPUs or more clients use them",
        FormatFixed(q.workload.concurrency, 0), q.workload.concurrency == 1 ? "" : "s",
        FormatFixed(ranks, 0), q.par.dp_attn > 1 ? "attention ranks" : "instances",
        FormatFixed(ranks - q.workload.concurrency, 0)));
  r.uncertainty = UncertaintyFor(*q.calibration, *q.hardware, t.batch, t.kv_limited, t.parts,
                                 q.workload.engine, KindOf(*q.model), q.workload.requests > 0);
  return r;
}

Result<ServingResult> ServeDisaggregated(const DisaggQuery& q) {
  RETURN_IF_ERROR(CheckWorkload(q.workload, *q.model));
  ASSIGN_OR_RETURN(StepModel pre, StepModel::Build(*q.model, *q.hardware, q.prefill, q.precision));
  ASSIGN_OR_RETURN(StepModel dec, StepModel::Build(*q.model, *q.hardware, q.decode, q.precision));
  const FamilyParams& fp = q.calibration->Family(q.hardware->family);
  const EngineParams& ep = q.calibration->Engine(q.workload.engine);
  const ServingTimes t = ServeDisaggTimes(pre, dec, fp, ep, q.workload, q.prefill_workers,
                                          q.decode_workers, q.prefill_batch, q.decode_batch);
  ServingResult r;
  r.fits = t.fits;
  r.instances = q.decode_workers;
  r.notes = q.hardware->notes;
  AddPrecisionNotes(*q.model, *q.hardware, q.precision, &r.notes);
  AddContextNote(*q.model, q.workload, &r.notes);
  const int gpus = q.prefill_workers * q.prefill.Gpus() + q.decode_workers * q.decode.Gpus();
  const double tokens_per_seq = static_cast<double>(q.workload.isl) + q.workload.osl;
  const HeldBack kept = HeldBackFor(dec, ep, q.workload);
  r.memory = dec.ServingMemory(std::max(1.0, t.batch), tokens_per_seq, kept);
  r.prefill_step = pre.Prefill(fp, 1, q.workload.isl);
  if (!t.fits) {
    // Which worker: the decode worker must hold one full-length sequence, the prefill worker
    // one prompt.
    const MemoryUse pm = pre.ServingMemory(1, q.workload.isl, HeldBackFor(pre, ep, q.workload));
    const bool prefill_short = pm.kv_token_capacity < q.workload.isl;
    const MemoryUse& one = prefill_short ? pm : r.memory;
    r.does_not_fit = fmt::format(
        "per GPU of a {} worker ({}): weights {} + reserve {} + workspace {} + KV of one "
        "{}-token {} {} = {} > capacity {}{}",
        prefill_short ? "prefill" : "decode",
        (prefill_short ? q.prefill : q.decode).ToString(), FormatQuantity(one.weights),
        FormatQuantity(one.reserve), FormatQuantity(one.activations),
        prefill_short ? q.workload.isl : tokens_per_seq, prefill_short ? "prompt" : "sequence",
        FormatQuantity(one.kv_cache), FormatQuantity(one.total), FormatQuantity(one.capacity),
        MemoryShareHint(ep.traits, q.workload, one));
    r.uncertainty = BandsFor(*q.calibration, *q.hardware,
                             {Regime::kDisaggregated, Regime::kDisaggregated}, q.workload.engine,
                             KindOf(*q.model));
    return r;
  }
  r.batch_per_rank = t.batch;
  r.kv_limited = t.kv_limited;
  if (t.kv_limited)
    r.notes.push_back(fmt::format(
        "{} {} of the {} clients per decode attention rank; the rest wait for a slot (their "
        "wait is in TTFT)",
        t.engine_capped ? "the engine's batch cap runs" : "the decode worker's KV cache holds",
        FormatFixed(t.batch, 0), FormatNumber(q.decode_batch)));
  if (t.kv_limited && !t.engine_capped)
    AddSlidingKvNote(*q.model, q.workload, kept, &r.notes);
  r.ttft = t.ttft;
  r.tpot = t.tpot;
  r.latency = t.parts;
  r.output_tokens_per_s = t.output_tokens_per_s;
  r.output_tokens_per_s_per_gpu = t.output_tokens_per_s / gpus;
  r.tokens_per_s_per_user = 1.0 / t.tpot.base();
  r.decode_step = dec.Decode(fp, t.batch, q.workload.isl + q.workload.osl / 2.0);
  r.prefill_step = pre.Prefill(fp, 1, q.workload.isl);
  r.uncertainty = BandsFor(*q.calibration, *q.hardware,
                           {Regime::kDisaggregated, Regime::kDisaggregated}, q.workload.engine,
                           KindOf(*q.model));
  return r;
}

namespace {

// The deployment layouts a search may use for `gpus` GPUs, honouring fixed sizes. Layouts that
// CheckParallelism rejects are skipped; the first rejection of a size the caller fixed is kept
// for "why none" (a searched size that does not fit the model is no fault of the caller's).
std::vector<Parallelism> Layouts(const ModelArch& m, int gpus, const SlaSearchOptions& o,
                                 std::optional<Error>* first_error) {
  auto divisors = [](int n) {
    std::vector<int> d;
    for (int i = 1; i * i <= n; ++i)
      if (n % i == 0) {
        d.push_back(i);
        if (i != n / i) d.push_back(n / i);
      }
    std::sort(d.begin(), d.end());
    return d;
  };
  std::vector<Parallelism> out;
  for (int pp : divisors(gpus)) {
    if (o.pp && pp != *o.pp) continue;
    if (!o.pp && pp > 1 && m.layers % pp != 0) continue;
    for (int tp : divisors(gpus / pp)) {
      if (o.tp && tp != *o.tp) continue;
      for (int dp : divisors(gpus / pp / tp)) {
        if (o.dp_attn && dp != *o.dp_attn) continue;
        if (!m.moe.enabled() && dp > 1) continue;  // replicas are instances for dense models
        for (int ep_size : divisors(tp * dp)) {
          if (o.ep && ep_size != *o.ep) continue;
          if (!m.moe.enabled() && ep_size > 1) continue;
          Parallelism par{tp, pp, dp, ep_size};
          if (gpus % par.Gpus() != 0) continue;
          if (Status st = CheckParallelism(m, par); !st.ok()) {
            const std::string& f = st.error().field;
            const bool fixed = (f == "tp" && o.tp) || (f == "pp" && o.pp) || (f == "ep" && o.ep);
            if (first_error && !*first_error && fixed) *first_error = st.error();
            continue;
          }
          out.push_back(par);
        }
      }
    }
  }
  return out;
}

// Client counts an SLA search tries: 1, then x1.25 steps, up to the cap.
std::vector<int> ClientGrid(const ServingQuery& base, const SlaSearchOptions& o) {
  std::vector<int> clients;
  if (o.sla.ttft.has_value() || o.sla.tpot.has_value()) {
    const int cap = std::max(1, o.max_concurrency);
    for (double c = 1; c <= cap; c = std::max(c + 1, std::round(c * 1.25)))
      clients.push_back(static_cast<int>(c));
    if (clients.back() != cap) clients.push_back(cap);
  } else {
    clients.push_back(base.workload.concurrency);
  }
  return clients;
}

// The best deployment a scan has seen; `D` is what it varies (an aggregated instance's layout,
// or a disaggregated deployment's pair of worker layouts).
template <class D>
struct ScanOf {
  bool found = false;
  double value = -1;  // output tokens/s per GPU of the best deployment
  D par{};
  int concurrency = 0;
  int evaluated = 0;
  std::optional<D> fallback;  // the layout with the most memory per instance
  // With an SLA: the deployment that fits and comes nearest the targets (the least of its
  // TTFT and TPOT as multiples of their targets), shown when none meets them.
  std::optional<D> closest;
  int closest_concurrency = 0;
  double closest_excess = 0;

  // Takes one evaluation of `dep` at `c` clients; false when more clients cannot do better.
  bool Offer(const ServingTimes& t, const SlaSearchOptions& o, const D& dep, int c, int gpus) {
    ++evaluated;
    if (!t.fits) return false;
    if (o.sla.ttft || o.sla.tpot) {
      const double excess = std::max(o.sla.ttft ? t.ttft.base() / o.sla.ttft->base() : 0.0,
                                     o.sla.tpot ? t.tpot.base() / o.sla.tpot->base() : 0.0);
      if (!closest || excess < closest_excess) {
        closest = dep;
        closest_concurrency = c;
        closest_excess = excess;
      }
    }
    // TTFT and TPOT never fall as clients are added (more batch, more queueing), so the first
    // miss ends this layout's scan.
    if (o.sla.ttft && t.ttft > *o.sla.ttft) return false;
    if (o.sla.tpot && t.tpot > *o.sla.tpot) return false;
    const double v = t.output_tokens_per_s / gpus;
    if (v > value * (1 + 1e-12)) {
      value = v;
      found = true;
      par = dep;
      concurrency = c;
    }
    // Past the KV capacity more clients only queue: the batch, TPOT and throughput stay as
    // they are (Little's law), so no later client count can do better.
    return !t.kv_limited;
  }
};
using ScanResult = ScanOf<Parallelism>;

// The search proper, shared by SearchServing and BestServingThroughput.
ScanResult Scan(const ServingQuery& base, const SlaSearchOptions& o,
                const std::vector<Parallelism>& layouts, const std::vector<int>& clients) {
  const ModelArch& m = *base.model;
  const FamilyParams& fp = base.calibration->Family(base.hardware->family);
  const EngineParams& ep = base.calibration->Engine(base.workload.engine);
  const bool sla = o.sla.ttft.has_value() || o.sla.tpot.has_value();
  ScanResult best;
  for (const Parallelism& par : layouts) {
    auto sm = StepModel::Build(m, *base.hardware, par, base.precision);
    if (!sm.ok()) continue;
    if (!best.fallback || par.Gpus() > best.fallback->Gpus() ||
        (par.Gpus() == best.fallback->Gpus() && par.tp > best.fallback->tp))
      best.fallback = par;
    const int instances = base.gpus / par.Gpus();
    const LayoutConstants k = ConstantsFor(*sm, fp, ep, base.workload);
    for (int c : clients) {
      if (sla && c < instances * par.dp_attn) continue;
      ServingWorkload w = base.workload;
      w.concurrency = c;
      if (!best.Offer(TimesWith(*sm, fp, ep, w, instances, k), o, par, c, base.gpus)) break;
    }
  }
  return best;
}

// A disaggregated deployment's pair of worker layouts.
struct SplitLayout {
  Parallelism prefill, decode;
};
using SplitScan = ScanOf<SplitLayout>;

// The disaggregated search: every prefill-worker layout with every decode-worker layout (the
// worker counts fixed by base.disagg), each at the client counts of `clients`.
SplitScan ScanSplit(const ServingQuery& base, const SlaSearchOptions& o,
                    const std::vector<Parallelism>& prefills,
                    const std::vector<Parallelism>& decodes, const std::vector<int>& clients) {
  const ModelArch& m = *base.model;
  const Disaggregation& d = *base.disagg;
  const FamilyParams& fp = base.calibration->Family(base.hardware->family);
  const EngineParams& ep = base.calibration->Engine(base.workload.engine);
  const bool sla = o.sla.ttft.has_value() || o.sla.tpot.has_value();
  auto build = [&](const std::vector<Parallelism>& layouts) {
    std::vector<std::pair<Parallelism, StepModel>> out;
    for (const Parallelism& par : layouts)
      if (auto sm = StepModel::Build(m, *base.hardware, par, base.precision); sm.ok())
        out.emplace_back(par, std::move(*sm));
    return out;
  };
  const auto pre = build(prefills), dec = build(decodes);
  SplitScan best;
  for (const auto& [ppar, psm] : pre) {
    for (const auto& [dpar, dsm] : dec) {
      const SplitLayout layout{ppar, dpar};
      // The most memory per GPU: the widest tensor-parallel split of each worker.
      if (!best.fallback || std::pair(ppar.tp, dpar.tp) > std::pair(best.fallback->prefill.tp,
                                                                   best.fallback->decode.tp))
        best.fallback = layout;
      const int ranks = d.decode_workers * dpar.dp_attn;
      for (int c : clients) {
        if (sla && c < ranks) continue;
        ServingWorkload w = base.workload;
        w.concurrency = c;
        const ServingTimes t = ServeDisaggTimes(psm, dsm, fp, ep, w, d.prefill_workers,
                                                d.decode_workers, d.prefill_batch,
                                                static_cast<double>(c) / ranks);
        if (!best.Offer(t, o, layout, c, base.gpus)) break;
      }
    }
  }
  return best;
}

Status CheckSearch(const ServingQuery& base) {
  RETURN_IF_ERROR(CheckWorkload(base.workload, *base.model));
  if (base.gpus < 1 || base.gpus > kMaxGpus)
    return FieldError("gpus", fmt::format("must be between 1 and {}", kMaxGpus));
  RETURN_IF_ERROR(CheckOfflineLayout(base));
  if (base.disagg) return CheckSplit(base);
  return OkStatus();
}

// One worker's layouts: `gpus` GPUs in one instance, with the sizes fixed in `fixed`
// (tp, pp, ep, dp_attn). A rejection of a fixed size is kept in `first_error` under the
// field name `prefix` + its own ("prefill_tp").
std::vector<Parallelism> WorkerLayouts(const ModelArch& m, int gpus, const SlaSearchOptions& fixed,
                                       const std::string& prefix,
                                       std::optional<Error>* first_error) {
  std::optional<Error> err;
  std::vector<Parallelism> out = Layouts(m, gpus, fixed, &err);
  std::erase_if(out, [&](const Parallelism& p) { return p.Gpus() != gpus; });
  if (err && !*first_error) {
    err->field = prefix + err->field;
    *first_error = std::move(err);
  }
  return out;
}

void SetLayout(ServingQuery* q, const Parallelism& par) { q->par = par; }
void SetLayout(ServingQuery* q, const SplitLayout& l) {
  q->par = l.decode;
  q->disagg->prefill = l.prefill;
}
std::string LayoutName(const ServingQuery& q) {
  if (!q.disagg) return q.par.ToString();
  return fmt::format("prefill {} + decode {}", q.disagg->prefill.ToString(), q.par.ToString());
}

// The search result from a scan: the best deployment, else the nearest to the targets and by
// how much it misses them, else why none and the roomiest layout.
template <class D>
Result<SlaSearchResult> Finish(const ServingQuery& base, const SlaSearchOptions& o,
                               const ScanOf<D>& scan, const std::optional<Error>& first_error) {
  const bool sla = o.sla.ttft.has_value() || o.sla.tpot.has_value();
  SlaSearchResult best;
  best.evaluated = scan.evaluated;
  best.found = scan.found;
  best.query = base;
  if (scan.found) {
    SetLayout(&best.query, scan.par);
    best.query.workload.concurrency = scan.concurrency;
    ASSIGN_OR_RETURN(best.result, Serve(best.query));
  } else if (sla && scan.closest) {
    // Nothing meets the targets: show the deployment nearest them and say by how much it misses.
    SetLayout(&best.query, *scan.closest);
    best.query.workload.concurrency = scan.closest_concurrency;
    ASSIGN_OR_RETURN(best.result, Serve(best.query));
    std::string missed;
    auto miss = [&](const char* name, const std::optional<Seconds>& target, Seconds got) {
      if (!target || got <= *target) return;
      missed += fmt::format("{}{} {} ms against {} ms", missed.empty() ? "" : " and ", name,
                            FormatNumber(got.base() * 1e3), FormatNumber(target->base() * 1e3));
    };
    miss("TTFT", o.sla.ttft, best.result.ttft);
    miss("TPOT", o.sla.tpot, best.result.tpot);
    best.why_none = fmt::format(
        "no deployment meets the latency targets; the nearest, {} at {}, has {}",
        LayoutName(best.query), Counted(best.query.workload.concurrency, "client"),
        missed.empty() ? "latencies at the targets" : missed);
  } else {
    best.why_none = sla ? "no deployment fits and meets the latency targets"
                        : "no parallel layout of these GPUs fits the model";
    if (best.evaluated == 0 && first_error) {
      best.why_none = first_error->message;
      best.why_none_field = first_error->field;
    }
    if (scan.fallback) {
      SetLayout(&best.query, *scan.fallback);
      ASSIGN_OR_RETURN(best.result, Serve(best.query));
    }
  }
  return best;
}

}  // namespace

Result<SlaSearchResult> SearchServing(const ServingQuery& base, const SlaSearchOptions& o) {
  RETURN_IF_ERROR(CheckSearch(base));
  if (base.workload.requests > 0 && (o.sla.ttft || o.sla.tpot))
    return FieldError("requests", "an offline run has no latency target: give an SLA or "
                                  "requests, not both");
  const auto start = std::chrono::steady_clock::now();
  auto search = [&]() -> Result<SlaSearchResult> {
    std::optional<Error> first_error;
    if (!base.disagg) {
      const std::vector<Parallelism> layouts = Layouts(*base.model, base.gpus, o, &first_error);
      return Finish(base, o, Scan(base, o, layouts, ClientGrid(base, o)), first_error);
    }
    // Each worker keeps the GPU count of the base query's layout for it.
    SlaSearchOptions pre_fixed;
    pre_fixed.tp = o.prefill_tp, pre_fixed.pp = o.prefill_pp, pre_fixed.ep = o.prefill_ep,
    pre_fixed.dp_attn = o.prefill_dp_attn;
    const auto prefills = WorkerLayouts(*base.model, base.disagg->prefill.Gpus(), pre_fixed,
                                        "prefill_", &first_error);
    const auto decodes = WorkerLayouts(*base.model, base.par.Gpus(), o, "", &first_error);
    return Finish(base, o, ScanSplit(base, o, prefills, decodes, ClientGrid(base, o)),
                  first_error);
  };
  ASSIGN_OR_RETURN(SlaSearchResult best, search());
  best.elapsed = Seconds::FromBase(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return best;
}

ServingPlan::ServingPlan(const ModelArch& model, int gpus, const SlaSearchOptions& options,
                         const ServingQuery& base)
    : options_(options),
      layouts_(Layouts(model, gpus, options, nullptr)),
      clients_(ClientGrid(base, options)) {}

HeldBack EngineHeldBack(const EngineTraits& traits, const StepModel& sm, double chunk,
                        bool speculative, double share) {
  const HeldBack base = sm.DefaultHeldBack();
  const Bytes capacity = sm.hardware().memory_capacity;
  const double set = share > 0 ? share : traits.memory_share;  // the share policies' setting
  HeldBack out = [&]() -> HeldBack {
    switch (traits.memory_policy) {
      case EngineTraits::MemoryPolicy::kDefault:
        if (share > 0) return {.reserve = capacity * (1 - share), .workspace = base.workspace};
        return base;
      case EngineTraits::MemoryPolicy::kDeviceShare:
        // Weights, the profiled forward pass and the KV cache fill `memory_share` of the device.
        return {.reserve = capacity * (1 - set), .workspace = base.workspace};
      case EngineTraits::MemoryPolicy::kFreeShare: {
        // The KV cache takes `memory_share` of what the weights and a forward pass leave free.
        const double free =
            std::max(0.0, (capacity - sm.WeightBytesPerGpu() - base.workspace).base());
        return {.reserve = Bytes::FromBase(free * (1 - set)), .workspace = base.workspace};
      }
      case EngineTraits::MemoryPolicy::kSglang:
        return SglangHeldBack(sm, chunk, speculative, share);
    }
    return base;
  }();
  out.sliding_kv_ratio = traits.sliding_kv_ratio;
  return out;
}

double ServingPlan::BestThroughputPerGpu(const ServingQuery& q) const {
  if (!CheckSearch(q).ok()) return 0;
  const ScanResult scan = Scan(q, options_, layouts_, clients_);
  return scan.found ? scan.value : 0;
}

double ServingPlan::BestPrefillPerGpu(const ServingQuery& q) const {
  const FamilyParams& fp = q.calibration->Family(q.hardware->family);
  const EngineParams& ep = q.calibration->Engine(q.workload.engine);
  double best = 0;
  for (const Parallelism& par : layouts_) {
    auto sm = StepModel::Build(*q.model, *q.hardware, par, q.precision);
    if (!sm.ok() || !sm->ServingMemory(1, q.workload.isl, HeldBackFor(*sm, ep, q.workload)).fits)
      continue;
    best = std::max(best, PrefillThroughputPerGpu(*sm, fp, ep, q.workload.isl, q.workload.isl));
  }
  return best;
}

}  // namespace ceiling::perf

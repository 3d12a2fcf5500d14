// A bounded cache of serialized answers, for adapters that answer the same request many times
// (the HTTP server). A knowledge base is immutable and every operation is a pure function of
// (knowledge base, request), so an answer computed once is the answer: the cache keeps the bytes.
//
//   AnswerCache cache(64u << 20);                          // at most 64 MiB of answers
//   std::string key = AnswerCache::Key("classify", body);  // the operation and its decoded body
//   if (auto hit = cache.Find(key)) return *hit;            // std::shared_ptr<const std::string>
//   ...compute `text`...
//   cache.Insert(key, std::move(text));
//
// Only answers belong here: errors are not cached (a deadline error depends on the machine's
// load, not on the request). Eviction is least-recently-used by bytes (keys included); an answer
// larger than an eighth of the capacity is not kept. Capacity 0 disables the cache. Thread safety:
// every method may be called from any number of threads.
#ifndef CEILING_API_ANSWER_CACHE_H_
#define CEILING_API_ANSWER_CACHE_H_

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <unordered_map>

namespace ceiling::api {

class AnswerCache {
 public:
  explicit AnswerCache(std::size_t capacity_bytes) : capacity_(capacity_bytes) {}
  AnswerCache(const AnswerCache&) = delete;
  AnswerCache& operator=(const AnswerCache&) = delete;

  // The key of a request: the operation's name and its body in canonical form (nlohmann::json
  // keeps object keys sorted, so the same fields in any order give the same key).
  static std::string Key(std::string_view operation, const nlohmann::json& body);

  std::shared_ptr<const std::string> Find(const std::string& key);
  void Insert(const std::string& key, std::shared_ptr<const std::string> answer);

  struct Stats {
    std::uint64_t hits = 0, misses = 0, evictions = 0;
    std::size_t entries = 0, bytes = 0;
  };
  Stats stats() const;
  std::size_t capacity() const { return capacity_; }

 private:
  struct Entry {
    std::string key;
    std::shared_ptr<const std::string> answer;
  };
  static std::size_t Cost(const Entry& e) { return e.key.size() + e.answer->size() + 64; }

  const std::size_t capacity_;
  mutable std::mutex mu_;
  std::list<Entry> lru_;                                                    // most recent first
  std::unordered_map<std::string_view, std::list<Entry>::iterator> index_;  // views into lru_ keys
  std::size_t bytes_ = 0;
  Stats stats_;
};

}  // namespace ceiling::api

#endif  // CEILING_API_ANSWER_CACHE_H_

#include "ceiling/api/answer_cache.h"

namespace ceiling::api {

std::string AnswerCache::Key(std::string_view operation, const nlohmann::json& body) {
  std::string key(operation);
  key += '\n';
  key += body.dump();
  return key;
}

std::shared_ptr<const std::string> AnswerCache::Find(const std::string& key) {
  if (capacity_ == 0) return nullptr;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = index_.find(key);
  if (it == index_.end()) {
    ++stats_.misses;
    return nullptr;
  }
  ++stats_.hits;
  lru_.splice(lru_.begin(), lru_, it->second);  // iterators (and the key's view) stay valid
  return it->second->answer;
}

void AnswerCache::Insert(const std::string& key, std::shared_ptr<const std::string> answer) {
  if (capacity_ == 0 || answer == nullptr) return;
  Entry e{key, std::move(answer)};
  const std::size_t cost = Cost(e);
  if (cost > capacity_ / 8) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (index_.count(key) != 0) return;  // another thread computed it too: the same bytes
  lru_.push_front(std::move(e));
  index_.emplace(std::string_view(lru_.front().key), lru_.begin());
  bytes_ += cost;
  while (bytes_ > capacity_ && !lru_.empty()) {
    const Entry& last = lru_.back();
    bytes_ -= Cost(last);
    index_.erase(std::string_view(last.key));
    lru_.pop_back();
    ++stats_.evictions;
  }
}

AnswerCache::Stats AnswerCache::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  Stats s = stats_;
  s.entries = lru_.size();
  s.bytes = bytes_;
  return s;
}

}  // namespace ceiling::api
